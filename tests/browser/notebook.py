"""Drive one notebook in JupyterLab 4 or Notebook 7 the way a student does: menus, clicks and mouse drags.

Both front ends are built from JupyterLab's components, so the same selectors serve both (`.jp-CodeCell`,
`.jp-InputPrompt`, `.jp-Notebook-ExecutionIndicator`, the `Run` menu). Results are read back from the page (what the
student sees) and from the saved notebook file (the exact output types, to tell an error from a progress bar).
"""

import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from playwright.sync_api import TimeoutError as PlaywrightTimeout

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# The notebook on screen. JupyterLab keeps other open notebooks in hidden tabs, so every selector is scoped to the
# visible panel.
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
NB = f"{PANEL} .jp-Notebook"


def js(source):
    """A JavaScript snippet with ${NB} and ${PANEL} filled in."""
    return source.replace("${NB}", NB).replace("${PANEL}", PANEL)

# An interactive control inside an explorer's control row, by ipywidgets 8's DOM classes.
CONTROL_PARTS = {
    "widget-slider": ".noUi-handle",
    "widget-dropdown": "select",
    "widget-checkbox": "input[type=checkbox]",
    "widget-select-multiple": "select[multiple]",
    "widget-select": "select",
    "widget-toggle-buttons": "button",
    "widget-button": "button",
    "widget-text": "input",
}


@dataclass
class ExplorerResult:
    index: int
    title: str
    controls: list = field(default_factory=list)  # [(kind, label)]
    moved: str = ""  # the control that was moved, and how
    before: str = ""  # value readouts before/after
    after: str = ""
    seconds: float = 0.0  # from the control's release to the new picture, for the first move
    times: list = field(default_factory=list)  # the same, for every move


class NotebookUI:
    """One notebook open in a browser page (``ui`` is "lab" or "notebook")."""

    def __init__(self, page, server, relpath, ui, shots):
        self.page, self.server, self.relpath, self.ui = page, server, relpath, ui
        self.shots = Path(shots)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.path = Path(server.root) / relpath

    # ---------------------------------------------------------------- opening and the kernel
    def open(self, timeout=90):
        url = self.server.lab_url(self.relpath) if self.ui == "lab" else self.server.notebook_url(self.relpath)
        self.page.goto(url)
        self.page.wait_for_selector(f"{NB} .jp-Cell", timeout=timeout * 1000)
        # JupyterLab attaches a long notebook's cells over several idle moments; until every code cell is on the
        # page, the prompts read later (which cells ran, what Save must write) would cover only part of it.
        code_cells = sum(c.cell_type == "code" for c in nbformat.read(str(self.path), as_version=4).cells)
        self.page.wait_for_function(
            js("(n) => document.querySelectorAll('${NB} .jp-CodeCell .jp-InputArea-prompt').length >= n"),
            arg=code_cells, timeout=timeout * 1000, polling=200)
        self.wait_kernel_connected(timeout)
        self.page.wait_for_selector(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']",
                                    timeout=timeout * 1000)

    def session(self):
        with urllib.request.urlopen(f"{self.server.url}/api/sessions?token={self.server.token}", timeout=5) as r:
            for s in json.load(r):
                if s.get("path") == self.relpath:
                    return s
        return None

    def wait_kernel_connected(self, timeout):
        """The page shows "Idle" before its kernel exists; wait until the server sees the page's websocket."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.session()
            if s and s["kernel"]["connections"] >= 1 and s["kernel"]["execution_state"] == "idle":
                return s
            time.sleep(0.25)
        raise AssertionError(f"{self.relpath}: the kernel did not start and connect within {timeout} s:\n"
                             f"{self.server.log_tail()}")

    def shutdown_kernel(self):
        s = self.session()
        if s:
            req = urllib.request.Request(f"{self.server.url}/api/sessions/{s['id']}?token={self.server.token}",
                                         method="DELETE")
            urllib.request.urlopen(req, timeout=10).close()

    # ---------------------------------------------------------------- running cells
    def menu(self, top, item):
        """Click ``top`` in the menu bar, then the entry whose label is exactly ``item``."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).first.click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).first.click()

    def prompts(self):
        return self.page.locator(f"{NB} .jp-CodeCell .jp-InputArea-prompt").all_text_contents()

    def wait_idle(self, timeout):
        """Wait until no code cell is queued or running (`[*]`) and the kernel is idle."""
        self.page.wait_for_function(
            js("""() => {
                const ind = document.querySelector('${PANEL} .jp-Notebook-ExecutionIndicator');
                if (!ind || ind.getAttribute('data-status') !== 'idle') return false;
                return !Array.from(document.querySelectorAll('${NB} .jp-CodeCell .jp-InputArea-prompt'))
                    .some(p => p.textContent.includes('*'));
            }"""), timeout=timeout * 1000, polling=200)

    def run_all(self, timeout):
        """Run > Run All Cells, then wait until nothing is queued or running (the caller checks every cell ran)."""
        n = len(self.prompts())
        self.menu("Run", "Run All Cells")
        # The kernel may not report busy at once; wait until the first code cell has at least started.
        self.page.wait_for_function(
            js("""() => { const p = document.querySelector('${NB} .jp-CodeCell .jp-InputArea-prompt');
                       return p && /\\[(\\*|\\d+)\\]/.test(p.textContent); }"""), timeout=30_000, polling=100)
        self.wait_idle(timeout)
        return n

    def run_all_past_errors(self, timeout):
        """Run every cell as a student working top to bottom does: an error stops "Run All", so carry on below it.

        Returns the number of Run rounds needed (1 + the number of cells that stopped a run).
        """
        deadline = time.monotonic() + timeout
        rounds = 0
        while True:
            prompts = self.prompts()
            todo = [i for i, t in enumerate(prompts) if not re.search(r"\[\d+\]", t)]
            if not todo:
                return rounds
            assert time.monotonic() < deadline, f"{self.relpath}: cells still unexecuted after {timeout} s: {todo}"
            cell = self.page.locator(f"{NB} .jp-CodeCell").nth(todo[0])
            cell.locator(".jp-InputArea-prompt").click()  # selects the cell in command mode
            self.menu("Run", "Run Selected Cell and All Below")
            try:
                self.page.wait_for_function(
                    js("""(i) => { const p = document.querySelectorAll('${NB} .jp-CodeCell .jp-InputArea-prompt')[i];
                                return p && /\\[(\\*|\\d+)\\]/.test(p.textContent); }"""),
                    arg=todo[0], timeout=30_000, polling=100)
            except PlaywrightTimeout:  # the click or the menu was lost on a loaded machine: select and run again
                continue
            self.wait_idle(max(1, deadline - time.monotonic()))
            rounds += 1

    def executed(self):
        """The page's execution counts, one per code cell (None where a cell has not run)."""
        return [int(m.group(1)) if (m := re.search(r"\[(\d+)\]", t)) else None for t in self.prompts()]

    def save(self, timeout=30):
        """File > Save Notebook, then wait until the file on disk carries the page's execution counts."""
        want = self.executed()
        self.menu("File", "Save Notebook")
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            try:
                nb = nbformat.read(str(self.path), as_version=4)
                seen = [c.execution_count for c in nb.cells if c.cell_type == "code"]
                if seen == want:
                    return nb
            except Exception:  # noqa: BLE001 (a half-written file: read again)
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.relpath}: File > Save Notebook did not write the page's cells within {timeout} s "
                             f"(the page's execution counts {want}, the file's {seen})")

    # ---------------------------------------------------------------- what the page shows
    def cell_outputs(self):
        """Every top-level output the page shows (outputs nested inside widgets are not counted):
        [{"mime", "widget" (a rendered widget view of non-zero size), "text"}]."""
        return self.page.evaluate(
            js("""() => Array.from(document.querySelectorAll('${NB} .jp-Cell-outputArea .jp-OutputArea-output'))
                .filter(o => !o.parentElement.closest('.jupyter-widgets'))
                .map(o => { const w = o.querySelector(':scope > .jupyter-widgets'); const r = o.getBoundingClientRect();
                            return {mime: o.getAttribute('data-mime-type'), text: o.innerText.slice(0, 300),
                                    widget: !!w && r.width > 0 && r.height > 0}; })"""))

    def drag_slider(self, slider):
        """Drag the handle a quarter of the track towards the side with more room, as a student does with the
        mouse; with ``continuous_update=False`` the value is sent to the kernel on release.

        (The keyboard is no substitute: in Notebook 7.6.5 a focused handle never sees ArrowRight, because a
        document-level capture handler of the front end prevents the keydown and stops it; JupyterLab passes it on.)"""
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        label = slider.locator(".widget-label").first.text_content()
        track = slider.locator(".noUi-base").first.bounding_box()
        hb = handle.bounding_box()
        x, y = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
        dx = track["width"] / 4 * (1 if x < track["x"] + track["width"] / 2 else -1)
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + dx, y, steps=6)
        self.page.mouse.up()
        return f"slider {label!r} dragged {'right' if dx > 0 else 'left'} by a quarter of its track"

    def scroll_to_top_of(self, box):
        """Scroll the notebook so the explorer starts at the top of the page (a tall one then fits on screen).

        The windowed notebook lays out the cells below only once they come into view, so one scroll can stop short:
        repeat until the explorer's top is at the top of the scrolling area or its bottom is on screen."""
        place = """b => {
                let s = b.parentElement;
                while (s && !(s.scrollHeight > s.clientHeight && /auto|scroll/.test(getComputedStyle(s).overflowY)))
                    s = s.parentElement;
                const r = b.getBoundingClientRect(), c = (s || document.documentElement).getBoundingClientRect();
                return Math.abs(r.top - c.top) < 3 || (r.top >= c.top && r.bottom <= c.bottom);
            }"""
        for _ in range(20):
            box.evaluate("b => b.scrollIntoView({block: 'start'})")
            self.page.wait_for_timeout(150)
            if box.evaluate(place):
                return
        raise AssertionError(f"{self.relpath}: could not scroll an explorer into view")

    def widget_clip(self, box):
        """The page rectangle holding the explorer's title, controls and picture (not the empty width beside it)."""
        outer, rects = box.evaluate("""b => { const br = b.getBoundingClientRect(); return [[br.left, br.top],
            Array.from(b.querySelectorAll(
                ':scope > .widget-html .widget-html-content, :scope > .widget-hbox > .jupyter-widgets, ' +
                '.widget-output img'))
            .map(e => e.getBoundingClientRect()).filter(r => r.width > 0)
            .map(r => [r.left, r.top, r.right, r.bottom])]; }""")
        # Not at the top edge of the explorer's box: there the toolbar's shadow falls on it.
        left = min(r[0] for r in rects) - 8
        top = max(min(r[1] for r in rects) - 6, outer[1] + 3)
        right, bottom = max(r[2] for r in rects) + 8, max(r[3] for r in rects) + 8
        return {"x": max(left, 0), "y": max(top, 0), "width": right - max(left, 0), "height": bottom - max(top, 0)}

    def screenshot(self, name):
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def explorers(self):
        return self.page.locator(f"{NB} .course-explorer")

    def check_explorer(self, k, timeout=60, moves=1):
        """Assert explorer ``k`` shows its title, controls and a picture; move one control (``moves`` times); assert
        the picture changed each time. Returns an ExplorerResult; element screenshots go to the screenshot folder."""
        box = self.explorers().nth(k)
        self.scroll_to_top_of(box)
        res = ExplorerResult(index=k, title=(box.locator(".widget-html-content").first.text_content().strip()
                                             if box.locator(".widget-html-content").count() else ""))
        row = box.locator(":scope > .widget-hbox").first
        assert row.count() == 1, f"explorer {k} ({res.title!r}): no control row rendered"
        children = row.locator(":scope > .jupyter-widgets")
        assert children.count() >= 1, f"explorer {k} ({res.title!r}): the control row is empty"
        slider = None
        for i in range(children.count()):
            child = children.nth(i)
            classes = child.get_attribute("class").split()
            kind = next((c for c in CONTROL_PARTS if c in classes), None)
            labels = child.locator(".widget-label")
            label = labels.first.text_content() if labels.count() else ""
            assert kind, f"explorer {k} ({res.title!r}): control {i} ({label!r}) is not a known control: {classes}"
            part = child.locator(CONTROL_PARTS[kind]).first
            assert part.count() == 1 and part.is_visible(), \
                f"explorer {k} ({res.title!r}): control {label!r} ({kind}) did not render its {CONTROL_PARTS[kind]}"
            bb = child.bounding_box()
            assert bb and bb["width"] > 20 and bb["height"] > 10, f"explorer {k}: control {label!r} has no size: {bb}"
            res.controls.append((kind, label))
            if slider is None and kind == "widget-slider":
                slider = child
        img = box.locator(".widget-output img")
        assert img.count() == 1, f"explorer {k} ({res.title!r}): expected one picture, found {img.count()} <img>"
        img.first.wait_for(state="visible")
        natural = img.first.evaluate("i => [i.naturalWidth, i.naturalHeight]")
        assert natural[0] > 50 and natural[1] > 50, f"explorer {k} ({res.title!r}): the picture is empty: {natural}"
        src = img.first.get_attribute("src")
        self.page.screenshot(path=str(self.shots / f"explorer-{k}-before.png"), clip=self.widget_clip(box))

        for move in range(moves):
            if slider is not None:
                before = slider.locator(".widget-readout").text_content()
                moved, t0 = self.drag_slider(slider), time.monotonic()
                readout = slider.locator(".widget-readout")
            else:  # no slider in this explorer: pick another option in its first dropdown
                kind, label = res.controls[0]
                child = children.nth(0)
                assert kind in ("widget-dropdown", "widget-select"), \
                    f"explorer {k} ({res.title!r}): no slider and no dropdown to move ({res.controls})"
                sel = child.locator("select").first
                options = sel.locator("option").all_text_contents()
                before = sel.evaluate("s => s.options[s.selectedIndex].text")
                other = options[(options.index(before) + 1) % len(options)]
                t0 = time.monotonic()
                sel.select_option(label=other)
                moved = f"dropdown {label!r}: {before!r} -> {other!r}"
                readout = None
            try:
                self.page.wait_for_function(
                    "([box, old]) => { const i = box.querySelector('.widget-output img');"
                    " return i && i.getAttribute('src') !== old && i.complete && i.naturalWidth > 50; }",
                    arg=[box.element_handle(), src], timeout=timeout * 1000, polling="raf")
            except Exception as exc:
                self.page.screenshot(path=str(self.shots / f"explorer-{k}-after-FAILED.png"),
                                     clip=self.widget_clip(box))
                raise AssertionError(f"explorer {k} ({res.title!r}): after {moved} the picture did not change "
                                     f"within {timeout} s") from exc
            res.times.append(time.monotonic() - t0)
            src = box.locator(".widget-output img").first.get_attribute("src")
            if move == 0:
                res.before, res.moved = before, moved
        res.seconds = res.times[0]
        res.after = readout.text_content() if readout is not None else res.before
        assert res.after != before or readout is None, \
            f"explorer {k} ({res.title!r}): {moved} redrew the plot but the readout still says {res.after}"
        self.scroll_to_top_of(box)
        self.page.screenshot(path=str(self.shots / f"explorer-{k}-after.png"), clip=self.widget_clip(box))
        return res


def error_outputs(nb):
    """Errors and warnings in a saved notebook: [(cell index, text)]. Other stderr (progress bars) is allowed."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append((i, f"{out.ename}: {out.evalue}"))
            elif out.output_type == "stream" and out.name == "stderr" and re.search(r"Warning|Traceback|Error",
                                                                                      out.text):
                found.append((i, out.text.strip()[:500]))
    return found


def saved_widget_outputs(nb):
    return sum(1 for c in nb.cells for o in c.get("outputs", []) if WIDGET_MIME in o.get("data", {}))


def validate(nbui, timeout=240):
    """Press nbgrader's Validate button and return what its "Validation Results" dialog reports:
    {"kind": the dialog body's validation-* class, "failed": [(cell source, error text)], "text": body text}."""
    page = nbui.page
    button = page.locator(".jp-NotebookPanel-toolbar .validate-button")
    assert button.count() == 1, f"{nbui.relpath}: nbgrader's Validate button is not in the notebook toolbar"
    assert button.is_visible(), f"{nbui.relpath}: nbgrader's Validate button is not visible"
    button.locator("jp-button, button").first.click()
    dialog = page.locator(".jp-Dialog").filter(has_text="Validation Results")
    try:
        dialog.wait_for(state="visible", timeout=timeout * 1000)
    except Exception as exc:
        other = page.locator(".jp-Dialog")
        shown = other.first.inner_text()[:2000] if other.count() else "(no dialog)"
        raise AssertionError(f"{nbui.relpath}: no Validation Results within {timeout} s; the page shows: {shown}\n"
                             f"{nbui.server.log_tail()}") from exc
    body = dialog.locator("#validation-message")  # the element nbgrader's labextension fills in
    assert body.count() == 1, f"{nbui.relpath}: the Validation Results dialog has no #validation-message: " \
                              f"{dialog.inner_text()[:2000]}"
    report = body.evaluate("""root => {
        const kind = Array.from(root.classList).find(c => c.startsWith('validation-')) || '';
        const failed = [];
        const ps = Array.from(root.querySelectorAll('p'));
        for (const p of ps) {
            if (p.innerText.trim() !== 'The following cell failed:') continue;
            const src = p.parentElement.nextElementSibling, err = src && src.nextElementSibling;
            failed.push([src ? src.innerText : '', err ? err.innerText : '']);
        }
        return {kind, failed, text: root.innerText};
    }""")
    return dialog, report
