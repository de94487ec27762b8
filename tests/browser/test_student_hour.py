"""A student half way through each lesson, in JupyterLab: what they see when a test fails, when a demo needs a
function they have not written, when they press Validate, and in the dark theme.

For every lesson a partly finished notebook is made from the release: the first half of its graded functions
filled in with the solution, one of them with a realistic mistake from tests/planted/ (the student's bug), the rest
left as released. In JupyterLab, served with the student's configuration (`make lab`):

* the notebook opens clean (not already "unsaved"); no instructor-only nbgrader UI and no news pop-up;
* a student who runs it top to bottom meets errors only in test cells; the planted mistake's test shows the short ✗
  block that names the mistake, and no traceback;
* an explorer works on the partly finished notebook (borrowing what is missing, and saying so) and redraws;
* Validate lists the failing tests and ends with the scorecard's summary, "k/N pass (p/100 points); failing: …";
* in JupyterLab's dark theme the explorer's picture is not a white slab.

Redraw times go to tests/screenshots/timings.json (the README quotes them).
"""

import importlib
import re
import statistics
from pathlib import Path

import nbformat
import pytest

from browser.conftest import COURSE, RUN_TIMEOUT, TIMINGS, opened, shots_folder
from browser.notebook import NB, NotebookUI, error_outputs, validate
from harness import grade_id, is_test, plant

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AIDS = sorted(p.name for p in (COURSE / "solutions").iterdir() if p.is_dir())


def _solution_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]


def partly_finished(aid, root):
    """Write exercises/<aid>/<aid>-half.ipynb under ``root``: the first half of the functions solved, one of them
    with a planted mistake. Returns (relative path, the Planted mistake, the functions left unwritten)."""
    solved = nbformat.read(str(COURSE / "solutions" / aid / f"{aid}.ipynb"), as_version=4)
    release = nbformat.read(str(COURSE / "exercises" / aid / f"{aid}.ipynb"), as_version=4)
    names = [grade_id(c) for c in _solution_cells(release)]
    done = names[: (len(names) + 1) // 2]
    planted = importlib.import_module(f"planted.{aid}").PLANTED
    mistake = next(m for m in planted if m.cell in done and m.failing() == {f"test_{m.cell}"})
    solved = plant(solved, mistake)
    by_id = {grade_id(c): c.source for c in _solution_cells(solved)}
    for cell in _solution_cells(release):
        if grade_id(cell) in done:
            cell.source = re.sub(r"\s*### (BEGIN|END) SOLUTION", "", by_id[grade_id(cell)])
    rel = f"exercises/{aid}/{aid}-half.ipynb"
    nbformat.write(release, str(Path(root) / rel))
    return rel, mistake, names[len(done):]


def _cell_text(nb, index):
    """The text the page shows under code cell ``index`` (0-based among code cells)."""
    cell = nb.page.locator(f"{NB} .jp-CodeCell").nth(index)
    cell.scroll_into_view_if_needed()
    output = cell.locator(".jp-OutputArea-output").first
    output.wait_for(state="visible", timeout=10_000)  # the windowed notebook draws a cell once it is in view
    output.scroll_into_view_if_needed()
    output.screenshot(path=str(nb.shots / "planted-failure.png"))
    return output.inner_text()


def _white_fraction(path):
    from PIL import Image

    histogram = Image.open(path).convert("L").histogram()  # pixel counts by grey level 0..255
    return sum(histogram[236:]) / sum(histogram)


def _set_theme(nb, name):
    nb.menu("Settings", "Theme")
    nb.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(name)}$")).first.click()
    light = "true" if "Light" in name else "false"
    nb.page.wait_for_selector(f"body[data-jp-theme-light='{light}']", state="attached", timeout=20_000)
    nb.page.wait_for_timeout(500)


def _student_ui(nb):
    """No dirty mark on a notebook just opened; Nbgrader's menu has no instructor entries; no news pop-up."""
    page = nb.page
    page.wait_for_timeout(1500)  # the kernel's language_info arrives after "idle": give it time to mark the tab
    assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, \
        f"{nb.relpath}: the notebook opens already marked unsaved"
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).first.click()
    entries = [t for t in page.locator(".lm-Menu-itemLabel").all_inner_texts() if t.strip()]
    page.keyboard.press("Escape")
    assert "Assignment List" in entries and not {"Formgrader", "Course List"} & set(entries), entries
    assert page.locator(".nbgrader-CreateAssignmentWidget, [data-id='nbgrader-create_assignemnt']").count() == 0
    toasts = page.locator(".Toastify__toast").all_inner_texts()
    assert not any("news" in t.lower() for t in toasts), f"{nb.relpath}: a news pop-up: {toasts}"


@pytest.mark.parametrize("aid", AIDS)
def test_a_student_half_way_through_the_lesson(aid, server, page):
    relpath, mistake, unwritten = partly_finished(aid, server.root)
    nb = NotebookUI(page, server, relpath, "lab", shots_folder("student", relpath))
    record = TIMINGS.setdefault(f"student/{aid}", {})
    try:
        opened(nb)
        _student_ui(nb)
        nb.run_all_past_errors(RUN_TIMEOUT)
        saved = nb.save()
        code = [c for c in saved.cells if c.cell_type == "code"]
        stray = [(i, text) for i, text in error_outputs(saved) if not is_test(saved.cells[i])]
        assert not stray, f"{relpath}: cells other than tests raise: {stray}"

        # The planted mistake: one short block that names it, no traceback.
        index = next(i for i, c in enumerate(code) if grade_id(c) == f"test_{mistake.cell}")
        shown = _cell_text(nb, index)
        assert shown.lstrip().startswith("✗") and mistake.says.lower() in " ".join(shown.split()).lower(), \
            f"{relpath}: the failing test of {mistake.cell} ({mistake.name}) shows:\n{shown}"
        assert not re.search(r"Traceback|File \"|Cell In\[|course/grading", shown), \
            f"{relpath}: the failure shows a traceback:\n{shown}"

        # An explorer on the partly finished notebook: the one that borrowed something, if any.
        notes = nb.explorers().evaluate_all(
            "bs => bs.map(b => (b.querySelector(':scope > .widget-html:last-child') || {}).innerText || '')")
        k = next((i for i, text in enumerate(notes) if "borrowed" in text), 0)
        times = nb.check_explorer(k, moves=3).times
        record["explorer"] = notes[k][:200] or f"explorer {k}"
        record["redraw_seconds"] = [round(t, 2) for t in times]
        assert max(times) < 10, f"{relpath}: explorer {k} took {times} s to redraw"

        # Dark theme: the picture must not be a white slab.
        _set_theme(nb, "JupyterLab Dark")
        box = nb.explorers().nth(k)
        nb.scroll_to_top_of(box)
        shot = nb.shots / f"explorer-{k}-dark.png"
        box.locator(".widget-output img").first.screenshot(path=str(shot))
        white = _white_fraction(shot)
        record["dark_white_fraction"] = round(white, 3)
        assert white < 0.05, f"{relpath}: in the dark theme {white:.0%} of the explorer's picture is white"
        _set_theme(nb, "JupyterLab Light")

        # Validate: the failing tests, then the scorecard's summary.
        dialog, report = validate(nb)
        dialog.screenshot(path=str(nb.shots / "validate-dialog.png"))
        *failed, (card_source, card) = report["failed"]
        tests = [c for c in code if is_test(c) and grade_id(c) != "scorecard"]
        n_fail = 1 + len(unwritten)
        assert card_source.startswith("scorecard(") and card.startswith(f"✗ {len(tests) - n_fail}/{len(tests)} pass"), \
            f"{relpath}: Validate should end with the scorecard's summary; it ends with:\n{card[:600]}"
        assert f"✗ {mistake.cell}: " in card and all(f"✗ {name}: not written yet" in card for name in unwritten), card
        assert len(failed) == n_fail and all(err.lstrip().startswith("✗") for _, err in failed), report["text"][:3000]
        record["validate_summary"] = card.splitlines()[0]
        dialog.locator(".jp-Dialog-button").last.click()
        assert not page.problems, f"{relpath}: JavaScript errors in the page: {page.problems}"
    except BaseException:
        nb.screenshot("FAILED")
        raise
    finally:
        nb.shutdown_kernel()
        (nb.shots / "console.txt").write_text("\n".join(page.console_log))
    record["median_redraw"] = round(statistics.median(times), 2)
