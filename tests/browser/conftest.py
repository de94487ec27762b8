"""What every browser test shares: Debian's Chromium, one scratch course served by JupyterLab, one browser.

The server and the browser are started once per test session (the browser tests run in one xdist group).
"""

import json
import os
import secrets
import shutil
from pathlib import Path

import pytest

from browser.server import REPO, JupyterServer, scratch_course

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 1000}  # tall enough for the largest explorer (05's optimizer race)
SHOTS = REPO / "tests" / "screenshots"
README_SHOTS = REPO / "tests" / "browser" / "readme"

# The course to serve: this repository, or (to try the test on a lesson in the making) BACKPROP_BROWSER_COURSE, a
# folder laid out the same way.
COURSE = Path(os.environ.get("BACKPROP_BROWSER_COURSE") or REPO)
SOLUTIONS = sorted(p.relative_to(COURSE).as_posix() for p in (COURSE / "solutions").glob("*/*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
EXERCISES = sorted(p.relative_to(COURSE).as_posix() for p in (COURSE / "exercises").glob("*/*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)

RUN_TIMEOUT = 240  # seconds for one notebook's Run All (the whole suite's budget is far below this)
TIMINGS = {}


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, or a failure (not a skip) that says how to install it: CI installs it, so must you."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Run `make system-deps` "
                    "(apt-get install chromium chromium-driver); never `playwright install`.", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def server(chromium, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-course")
    root = scratch_course(tmp / "course", src=COURSE)
    with JupyterServer(root, tmp / "home", token=secrets.token_hex(16)) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser(chromium, playwright_session, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    # A persistent context on a fresh, empty profile folder: nothing from another run is reused.
    context = playwright_session.chromium.launch_persistent_context(
        str(profile), executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True, viewport=VIEWPORT)
    yield context
    context.close()
    write_timings()


def opened(nb):
    """Open the notebook; JavaScript errors while the front end starts are logged, not held against the course.

    Notebook 7.6.5 itself throws "Cannot read properties of undefined (reading 'schema')" from its shortcut settings
    on every start (and "Command 'filebrowser:open-path' not registered" on a second start), with or without this
    course; errors from then on, while the notebook runs and its widgets are used, fail the test."""
    nb.open()
    if nb.page.problems:
        (nb.shots / "startup-js-errors.txt").write_text("\n\n".join(nb.page.problems))
        nb.page.problems.clear()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}\n{exc.stack}"))
    page.problems = problems
    # Console errors are kept for diagnosis (tests/screenshots/.../console.txt) but do not fail the test: JupyterLab
    # logs some of its own (a missing language server, say). A widget that fails shows in the page, checked there.
    page.console_log = []
    page.on("console", lambda m: page.console_log.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    yield page
    page.close()


def shots_folder(ui, relpath):
    folder = SHOTS / f"{ui}-{Path(relpath).stem}"
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def write_timings():
    """Add this run's timings to tests/screenshots/timings.json (each pytest worker adds its own)."""
    if TIMINGS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / "timings.json"
        try:
            known = json.loads(path.read_text())
        except (OSError, ValueError):
            known = {}
        path.write_text(json.dumps({**known, **TIMINGS}, indent=1))
