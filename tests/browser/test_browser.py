"""The course as students see it: every solution notebook in JupyterLab 4, one exercise in Notebook 7.

A kernel can build a widget that the page then fails to show (a missing front-end extension, a model the page never
receives, a picture that never comes back). So this test opens the notebooks in Debian's headless Chromium, driven by
Playwright, against a real `jupyter lab` on a free localhost port, and checks what is on the screen:

* every solution notebook (``solutions/*/*.ipynb``, so new lessons are picked up): Run > Run All Cells; no error
  output and no warning; every widget output is drawn as a widget; every ``course.widgets.explorer`` shows its
  controls and a picture; dragging one slider per explorer (or choosing another option when it has no slider)
  replaces the picture;
* the first exercise notebook, untouched, in Notebook 7: run top to bottom (past the expected NotImplementedError
  stops), the explorers work the same, nbgrader's Validate button is there and reports exactly the notebook's test
  cells as failing.

Everything runs on a scratch copy of solutions/, exercises/ and nbgrader_config.py, so nothing is written into the
committed notebooks. Screenshots (each explorer before and after its control moved, the page, the Validate dialog)
go to tests/screenshots/<front end>-<notebook>/, which git ignores. ``BACKPROP_README_SHOTS=1`` also refreshes the
README's pictures in tests/browser/readme/ from this run.

Chromium comes from Debian (``make system-deps``), never from ``playwright install``.
"""

import json
import os
import secrets
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from browser.notebook import NotebookUI, error_outputs, saved_widget_outputs, validate
from browser.server import REPO, JupyterServer, scratch_course

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

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

# README pictures: (notebook stem, explorer index on the page) -> file name in tests/browser/readme/.
README_PICTURES = {("01_losses", 1): "01-outlier-fit.png", ("05_optimizers", 0): "05-optimizer-race.png"}

RUN_TIMEOUT = 240  # seconds for one notebook's Run All (the whole suite's budget is far below this)
TIMINGS = {}


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, or a failure (not a skip) that says how to install it: CI installs it, so must you."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Run `make system-deps` "
                    "(apt-get install chromium chromium-driver); never `playwright install`.", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-course")
    root = scratch_course(tmp / "course", src=COURSE)
    with JupyterServer(root, tmp / "home", token=secrets.token_hex(16)) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        # A persistent context on a fresh, empty profile folder: nothing from another run is reused.
        context = p.chromium.launch_persistent_context(str(profile), executable_path=str(chromium),
                                                       args=CHROMIUM_ARGS, headless=True, viewport=VIEWPORT)
        yield context
        context.close()
    _write_timings()


def _opened(nb):
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


def _shots(ui, relpath):
    folder = SHOTS / f"{ui}-{Path(relpath).stem}"
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def _write_timings():
    if TIMINGS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "timings.json").write_text(json.dumps(TIMINGS, indent=1))


def _check_widgets(nb, saved, label):
    """Every widget output in the saved notebook is drawn as a widget on the page; every explorer works."""
    shown = nb.cell_outputs()
    broken = [o["text"] for o in shown if "Error displaying widget" in o["text"]
              or (o["mime"] == "text/plain" and o["text"].startswith(("VBox(", "HBox(", "Output(")))]
    assert not broken, f"{label}: widgets the page could not display: {broken}"
    drawn = sum(o["widget"] for o in shown)
    expected = saved_widget_outputs(saved)
    assert drawn == expected, f"{label}: the kernel displayed {expected} widgets, the page draws {drawn}"
    count = nb.explorers().count()
    assert count >= 1, f"{label}: no course explorer on the page (every lesson has at least one)"
    results = [nb.check_explorer(k) for k in range(count)]
    return results


def _readme_pictures(nb, stem):
    if os.environ.get("BACKPROP_README_SHOTS") != "1":
        return
    from PIL import Image

    for (name, k), fname in README_PICTURES.items():
        if name == stem:
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            # The explorer as the lesson opens it (its author's chosen starting values).
            img = Image.open(nb.shots / f"explorer-{k}-before.png").convert("RGB")
            # A 64-colour palette keeps the line plots crisp at a fraction of the size.
            img.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(README_SHOTS / fname, optimize=True)


@pytest.mark.parametrize("relpath", SOLUTIONS, ids=[Path(p).stem for p in SOLUTIONS])
def test_solution_notebook_in_jupyterlab(relpath, server, page):
    stem = Path(relpath).stem
    nb = NotebookUI(page, server, relpath, "lab", _shots("lab", relpath))
    t = {"start": time.monotonic()}
    try:
        _opened(nb)
        t["opened"] = time.monotonic()
        nb.run_all(RUN_TIMEOUT)
        t["ran"] = time.monotonic()
        saved = nb.save()
        errors = error_outputs(saved)
        assert not errors, f"{relpath}: error or warning output in JupyterLab:\n" + "\n".join(
            f"  cell {i}: {text}" for i, text in errors)
        skipped = [i for i, n in enumerate(nb.executed()) if n is None]
        assert not skipped, f"{relpath}: Run All Cells left code cells {skipped} (0-based, code cells only) unrun"
        results = _check_widgets(nb, saved, relpath)
        t["widgets"] = time.monotonic()
        assert not page.problems, f"{relpath}: JavaScript errors in the page: {page.problems}"
        nb.screenshot("page")
    except BaseException:
        nb.screenshot("FAILED")
        raise
    finally:
        nb.shutdown_kernel()
        (nb.shots / "console.txt").write_text("\n".join(page.console_log))
    _readme_pictures(nb, stem)
    TIMINGS[f"lab/{stem}"] = {"open": round(t["opened"] - t["start"], 1), "run_all": round(t["ran"] - t["opened"], 1),
                              "widgets": round(t["widgets"] - t["ran"], 1),
                              "total": round(time.monotonic() - t["start"], 1),
                              "explorers": [f"{r.title} | {r.moved} | {r.before} -> {r.after} | {r.seconds:.1f} s"
                                            for r in results]}


def test_untouched_exercise_in_notebook7_validates_with_failing_tests(server, page):
    relpath = EXERCISES[0]
    stem = Path(relpath).stem
    source = nbformat.read(str(COURSE / relpath), as_version=4)
    tests = [c.source.strip() for c in source.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert tests, f"{relpath}: no graded test cells"
    nb = NotebookUI(page, server, relpath, "notebook", _shots("notebook", relpath))
    t0 = time.monotonic()
    try:
        _opened(nb)
        rounds = nb.run_all_past_errors(RUN_TIMEOUT)
        saved = nb.save()
        # An untouched stub raises NotImplementedError; the course's check() reports it as "... is not implemented
        # yet: it still raises NotImplementedError". Anything else (a NameError from a demo cell, say) is a defect.
        unexpected = [(i, text) for i, text in error_outputs(saved) if "NotImplementedError" not in text]
        assert not unexpected, (f"{relpath}: an untouched exercise may only stop at NotImplementedError, but shows:\n"
                                + "\n".join(f"  cell {i}: {text}" for i, text in unexpected))
        results = _check_widgets(nb, saved, relpath)
        t_widgets = time.monotonic()

        dialog, report = validate(nb)
        dialog.screenshot(path=str(nb.shots / "validate-dialog.png"))
        assert report["kind"] == "validation-failed", \
            f"{relpath}: Validate on an untouched exercise should fail, it reports {report['kind']}:\n{report['text']}"
        failed = [src.strip() for src, _ in report["failed"]]
        assert sorted(failed) == sorted(tests), (
            f"{relpath}: Validate should list exactly the {len(tests)} test cells as failing; it lists "
            f"{len(failed)}.\nMissing: {[s[:60] for s in tests if s not in failed]}\n"
            f"Extra: {[s[:60] for s in failed if s not in tests]}")
        assert all("NotImplementedError" in err for _, err in report["failed"]), \
            f"{relpath}: some failures are not the untouched stubs' NotImplementedError:\n{report['text'][:3000]}"
        dialog.locator(".jp-Dialog-button").last.click()
        assert not page.problems, f"{relpath}: JavaScript errors in the page: {page.problems}"
    except BaseException:
        nb.screenshot("FAILED")
        raise
    finally:
        nb.shutdown_kernel()
        (nb.shots / "console.txt").write_text("\n".join(page.console_log))
    TIMINGS[f"notebook7/{stem}"] = {"run_rounds": rounds, "widgets_done": round(t_widgets - t0, 1),
                                    "total": round(time.monotonic() - t0, 1), "failing_tests": len(failed),
                                    "explorers": [f"{r.title} | {r.moved}" for r in results]}
