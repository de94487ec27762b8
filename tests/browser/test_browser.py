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

import os
import time
from pathlib import Path

import nbformat
import pytest

from browser.conftest import (COURSE, EXERCISES, README_SHOTS, RUN_TIMEOUT, SOLUTIONS, TIMINGS, opened,
                              shots_folder)
from browser.notebook import NotebookUI, error_outputs, saved_widget_outputs, validate

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# README pictures: (notebook stem, explorer index on the page) -> file name in tests/browser/readme/.
README_PICTURES = {("01_losses", 1): "01-outlier-fit.png", ("05_optimizers", 0): "05-optimizer-race.png"}

def _check_widgets(nb, saved, label, moves=1):
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
    results = [nb.check_explorer(k, moves=moves) for k in range(count)]
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
            # 256 colours keep the line plots crisp at a fraction of the size (64 merged the optimizers' hues).
            img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(README_SHOTS / fname, optimize=True)


@pytest.mark.parametrize("relpath", SOLUTIONS, ids=[Path(p).stem for p in SOLUTIONS])
def test_solution_notebook_in_jupyterlab(relpath, server, page):
    stem = Path(relpath).stem
    nb = NotebookUI(page, server, relpath, "lab", shots_folder("lab", relpath))
    t = {"start": time.monotonic()}
    try:
        opened(nb)
        t["opened"] = time.monotonic()
        nb.run_all(RUN_TIMEOUT)
        t["ran"] = time.monotonic()
        saved = nb.save()
        errors = error_outputs(saved)
        assert not errors, f"{relpath}: error or warning output in JupyterLab:\n" + "\n".join(
            f"  cell {i}: {text}" for i, text in errors)
        skipped = [i for i, n in enumerate(nb.executed()) if n is None]
        assert not skipped, f"{relpath}: Run All Cells left code cells {skipped} (0-based, code cells only) unrun"
        results = _check_widgets(nb, saved, relpath, moves=3)
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
                              "explorers": [f"{r.title} | {r.moved} | {r.before} -> {r.after}" for r in results],
                              # from a control's release to the new picture on screen, three moves per explorer
                              "redraw_seconds": [[round(t, 2) for t in r.times] for r in results]}


def test_untouched_exercise_in_notebook7_validates_with_failing_tests(server, page):
    relpath = EXERCISES[0]
    stem = Path(relpath).stem
    source = nbformat.read(str(COURSE / relpath), as_version=4)
    tests = [c.source.strip() for c in source.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert tests, f"{relpath}: no graded test cells"
    nb = NotebookUI(page, server, relpath, "notebook", shots_folder("notebook", relpath))
    t0 = time.monotonic()
    try:
        opened(nb)
        rounds = nb.run_all_past_errors(RUN_TIMEOUT)
        saved = nb.save()
        # An untouched stub raises NotImplementedError; the course's check() reports it as "... is not implemented
        # yet: it still raises NotImplementedError". Anything else (a NameError from a demo cell, say) is a defect.
        unexpected = [(i, text) for i, text in error_outputs(saved)
                      if "NotImplementedError" not in text and not text.startswith("ScorecardFailure: 0/")]
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
        *stubs, (card_source, card) = report["failed"]
        assert all("NotImplementedError" in err for _, err in stubs), \
            f"{relpath}: some failures are not the untouched stubs' NotImplementedError:\n{report['text'][:3000]}"
        n = len(tests) - 1
        assert card_source.startswith("scorecard(") and card.startswith(f"✗ 0/{n} pass (0/100 points); failing:"), \
            f"{relpath}: Validate should end with the scorecard's summary, it ends with:\n{card[:500]}"
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
