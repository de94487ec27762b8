"""A real JupyterHub on localhost running the course's hub config, and the people who use it.

:class:`Hub` starts ``jupyterhub`` (with Debian's configurable-http-proxy) on free ports in a scratch folder that
holds the instructor's course copy, nbgrader's exchange and the students' homes. :class:`Student` is one student in
their own browser context (own cookies), doing what a student does in JupyterLab: log in, open the Assignment List,
fetch, type the answers into the notebook, save, press Validate, submit, fetch feedback. :meth:`Hub.instructor`
runs the instructor's commands (``nbgrader release_assignment``/``collect``/``release_feedback`` and the course's
``python -m autograder grade``) with the instructor's settings, as in a terminal on the hub.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat

from browser.server import REPO, free_port
from harness import grade_id

HUB_CONFIG = REPO / "tests" / "hub" / "jupyterhub_config.py"
INSTRUCTOR_CONFIG = REPO / "autograder" / "hub" / "instructor"
COURSE_ID = "backprop-lab"
INSTRUCTOR = "instructor"


class Hub:
    """``with Hub(["alice", "bob"]) as hub:`` a running hub; its log is ``hub.log``."""

    def __init__(self, students, aid, timeout=90):
        self.students, self.aid, self.timeout = list(students), aid, timeout
        self.password = secrets.token_hex(8)

    # ---------------------------------------------------------------- life cycle
    def __enter__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="backprop-hub-"))
        self.course, self.exchange, self.homes, self.state = (self.dir / d for d in
                                                              ("course", "exchange", "homes", "state"))
        self._course_copy()
        self.exchange.mkdir()
        self.exchange.chmod(0o1777)  # nbgrader's documented mode: everyone writes, the sticky bit guards
        self.homes.mkdir()
        self.state.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                    "HUB_STATE": str(self.state), "HUB_PORT": str(self.port), "HUB_API_PORT": str(free_port()),
                    "PROXY_API_PORT": str(free_port()), "HUB_PASSWORD": self.password, "HUB_HOMES": str(self.homes),
                    "HUB_USERS": ",".join([*self.students, INSTRUCTOR]), "BACKPROP_INSTRUCTORS": INSTRUCTOR,
                    "BACKPROP_EXCHANGE": str(self.exchange), "BACKPROP_COURSE_ROOT": str(self.course)}
        self.log = self.state / "hub.log"
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f", str(HUB_CONFIG)],
                                     cwd=self.state, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            self._wait_up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _course_copy(self):
        """The instructor's course: the config, the lesson's source and its release (as ``make release`` left it)."""
        self.course.mkdir(parents=True)
        shutil.copy(REPO / "nbgrader_config.py", self.course)
        for top in ("solutions", "exercises"):
            shutil.copytree(REPO / top / self.aid, self.course / top / self.aid,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".backups", "__pycache__"))
        (self.course / "autograder").mkdir()

    def _wait_up(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"jupyterhub exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"the hub did not answer at {self.url} within {self.timeout} s:\n{self.log_tail()}")

    def __exit__(self, *exc):
        # SIGTERM: the hub stops every user's server and its proxy (cleanup_servers, cleanup_proxy); then make sure.
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        for pid in _processes_under(self.dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log_file.close()
        if not os.environ.get("BACKPROP_KEEP_HUB"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, lines=60):
        self._log_file.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    # ---------------------------------------------------------------- the instructor's terminal
    def instructor(self, *args, timeout=600):
        """Run a command in the course folder with the instructor's settings; returns the CompletedProcess."""
        env = {**self.env, "JUPYTER_CONFIG_PATH": str(INSTRUCTOR_CONFIG)}
        proc = subprocess.run([str(a) for a in args], cwd=self.course, env=env, capture_output=True, text=True,
                              timeout=timeout)
        assert proc.returncode == 0, (f"instructor: `{' '.join(map(str, args))}` failed ({proc.returncode}):\n"
                                      f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    def nbgrader(self, *args, timeout=600):
        return self.instructor(Path(sys.executable).parent / "nbgrader", *args, timeout=timeout)


def _processes_under(folder):
    """PIDs of processes whose working directory is inside ``folder`` (users' servers and their kernels)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if os.readlink(proc / "cwd").startswith(str(folder)):
                    found.append(int(proc.name))
            except OSError:
                pass
    return [p for p in found if p != os.getpid()]


def memory_mb(folder):
    """Resident memory (MB) of the processes working inside ``folder``: a student's server and kernel."""
    total = 0
    for pid in _processes_under(folder):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(m.group(1)) if m else 0
    return round(total / 1024)


# -------------------------------------------------------------------- what a student types
def solution_sources(aid):
    """{grade_id: the solution cell's code, without nbgrader's BEGIN/END SOLUTION markers}."""
    nb = nbformat.read(str(REPO / "solutions" / aid / f"{aid}.ipynb"), as_version=4)
    return {grade_id(c): re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n?", "", c.source) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


def release_points(aid):
    """{test cell grade_id: points} read from the released notebook's nbgrader metadata."""
    nb = nbformat.read(str(REPO / "exercises" / aid / f"{aid}.ipynb"), as_version=4)
    return {grade_id(c): float(c.metadata["nbgrader"].get("points", 0)) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


class Student:
    """One student in their own browser context on the hub."""

    def __init__(self, hub, browser, name, shots):
        self.hub, self.name = hub, name
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000})
        self.page = self.context.new_page()
        self.page.problems = []
        self.page.on("pageerror", lambda exc: self.page.problems.append(f"uncaught: {exc}"))
        self.shots = Path(shots)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.home = hub.homes / name
        self.relpath = f"{hub.aid}/{hub.aid}.ipynb"  # where nbgrader's fetch puts the notebook
        self.server = self  # for browser.notebook.validate, which reads .server.log_tail()

    def log_tail(self):
        return self.hub.log_tail()

    def screenshot(self, name):
        self.page.screenshot(path=str(self.shots / f"{name}.png"))

    def close(self):
        self.context.close()

    # ---------------------------------------------------------------- the hub and JupyterLab
    def log_in(self, timeout=120):
        page = self.page
        page.goto(f"{self.hub.url}/hub/login")
        page.fill("#username_input", self.name)
        page.fill("#password_input", self.hub.password)
        page.click("#login_submit")
        page.wait_for_selector(".jp-LabShell", timeout=timeout * 1000)
        page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=timeout * 1000)
        assert f"/user/{self.name}/lab" in page.url, f"{self.name} landed on {page.url}, not their JupyterLab"

    def menu_items(self, top):
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).first.click()
        items = [t.strip() for t in self.page.locator(".lm-Menu-itemLabel").all_text_contents() if t.strip()]
        self.page.keyboard.press("Escape")
        return items

    def assignment_list(self):
        """Nbgrader > Assignment List, once its three lists have loaded."""
        page = self.page
        tab = page.locator(".lm-TabBar-tab", has_text="Assignments")
        if tab.count():
            tab.first.click()
            page.locator("#refresh_assignments_list").click()
        else:
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Assignment List$")).click()
        for which in ("released", "fetched", "submitted"):
            page.wait_for_selector(f"#{which}_assignments_list_loading", state="hidden", timeout=60_000)
        return page

    def _item(self, which, text=None):
        items = self.page.locator(f"#{which}_assignments_list > .list_item")
        return items.filter(has_text=text or self.hub.aid)

    def fetch(self):
        self.assignment_list()
        released = self._item("released")
        released.wait_for(timeout=30_000)
        released.locator("button", has_text="Fetch").click()
        self._item("fetched").wait_for(timeout=60_000)

    def open_notebook(self, timeout=120):
        """Open the fetched notebook from the Assignment List (the assignment's notebook link)."""
        item = self._item("fetched")
        item.locator("a.assignment-notebooks-link").click()
        item.locator(".nested_list_item a", has_text=self.hub.aid).click()
        self.page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell",
                                    timeout=timeout * 1000)
        self.page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) "
                                    ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout * 1000)

    def type_answers(self, answers):
        """Type each answer into its cell (by grade id) as a student does: click into it, select all, type."""
        nb = nbformat.read(str(self.home / self.relpath), as_version=4)
        index = {grade_id(c): i for i, c in enumerate(nb.cells)}
        cells = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        for gid, code in answers.items():
            editor = cells.nth(index[gid]).locator(".cm-content")
            editor.scroll_into_view_if_needed()
            editor.click()
            self.page.keyboard.press("Control+a")
            self.page.keyboard.insert_text(code)
            self.page.keyboard.press("Escape")

    def save(self, timeout=30):
        self.page.keyboard.press("Control+s")
        dirty = self.page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
        dirty.wait_for(state="detached", timeout=timeout * 1000)
        return nbformat.read(str(self.home / self.relpath), as_version=4)

    def submit(self):
        self.assignment_list()
        self._item("fetched").locator("button", has_text="Submit").click()
        submitted = self._item("submitted")
        submitted.wait_for(timeout=60_000)
        return submitted.inner_text()

    def fetch_feedback(self):
        """Fetch Feedback, then "(view feedback)", which shows the fetched page in the file browser."""
        self.assignment_list()
        item = self._item("submitted")
        item.wait_for(timeout=30_000)
        item.locator("button", has_text="Fetch Feedback").click()
        link = self._item("submitted").locator("a", has_text="view feedback")
        link.wait_for(timeout=60_000)
        link.click()
        listing = self.page.locator(".jp-DirListing-item", has_text=f"{self.hub.aid}.html")
        listing.wait_for(timeout=30_000)
        crumbs = self.page.locator(".jp-BreadCrumbs").inner_text()
        return crumbs

    def open_url(self, path, wait_for=None):
        """Open a URL of the hub in a new tab of this student's browser: (status, text), once ``wait_for`` (a
        selector) is on the page if given."""
        tab = self.context.new_page()
        try:
            response = tab.goto(f"{self.hub.url}{path}")
            tab.wait_for_load_state("load")
            if wait_for and response and response.status == 200:
                tab.wait_for_selector(wait_for, timeout=30_000)
            return (response.status if response else None), tab.locator("body").inner_text()
        finally:
            tab.close()


def feedback_files(home, aid):
    """Feedback pages fetched into a student's home: [path relative to the home]."""
    return sorted(p.relative_to(home).as_posix() for p in (home / aid / "feedback").glob("*/*.html"))


SCORE = re.compile(r"\(Score:\s*([\d.]+)\s*/\s*([\d.]+)\)")


def page_score(text):
    """(score, max score) from a feedback page's header, "01_losses (Score: 26.0 / 100.0)"."""
    m = SCORE.search(text)
    assert m, f"no score on the feedback page:\n{text[:1500]}"
    return float(m.group(1)), float(m.group(2))


def write_timings(timings, path=REPO / "tests" / "screenshots" / "hub-timings.json"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(timings, indent=1))
