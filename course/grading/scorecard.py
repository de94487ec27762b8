"""Where a student stands in a lesson: one line per graded function, and "14/19 pass; failing: …".

Every lesson ends with a locked cell that calls ``scorecard("<lesson>.ipynb")``. It reads the lesson's test cells
from the notebook file (they are locked, so every copy of the notebook has the same ones) and runs each again,
quietly, against the functions the kernel holds now: a function fixed since its test last ran counts as fixed. The
tests of a whole lesson take about a second.

When something fails the scorecard raises :class:`ScorecardFailure`, so *Validate* lists it as the last failed
cell: its summary ends the validation report.
"""

import contextlib
import io
import json
import os
import textwrap
import warnings

from course.grading.checks import CheckFailure

__all__ = ["scorecard", "ScorecardFailure"]


class ScorecardFailure(CheckFailure):
    """Some of the lesson's tests fail; the message is the scorecard."""


def _first_line(exc):
    text = str(exc).strip().splitlines()
    if isinstance(exc, CheckFailure):
        return text[0] if text else "a check failed"
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _test_cells(notebook):
    with open(notebook, encoding="utf-8") as f:
        nb = json.load(f)
    cells = []
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and meta.get("points", 0):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            name = meta.get("grade_id", "?")
            cells.append((name[5:] if name.startswith("test_") else name, meta["points"], source))
    return cells


def _run_quietly(source, namespace):
    """Run a test cell the way the notebook would, without printing; returns None or its error's first line."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 (the lesson's own locked test)
    except Exception as exc:  # noqa: BLE001 (a failing test is a line of the scorecard)
        return _first_line(exc)
    return None


def _find(notebook):
    if notebook and os.path.exists(notebook):
        return notebook
    candidates = sorted(p for p in os.listdir(".") if p.endswith(".ipynb"))
    if notebook is None and len(candidates) == 1:
        return candidates[0]
    raise FileNotFoundError(f"scorecard: cannot find {notebook or 'the notebook'} in {os.getcwd()}; "
                            "pass its file name, e.g. scorecard('01_losses.ipynb').")


def scorecard(notebook=None, namespace=None):
    """Print one line per graded function of ``notebook`` and a summary; raise ScorecardFailure if any fails.

    ``namespace`` is where the tests run (the notebook's own, by default).
    """
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is None and namespace is None:
        print("(The scorecard runs in Jupyter. Here each test cell above is scored on its own.)")
        return None
    namespace = shell.user_ns if namespace is None else namespace
    cells = _test_cells(_find(notebook))
    failing, passing, earned, total = [], [], 0, 0
    for name, points, source in cells:
        outcome = _run_quietly(source, namespace)
        total += points
        if outcome is None:
            earned += points
            passing.append(name)
        else:
            reason = "not written yet" if "NotImplementedError" in outcome or "not implemented yet" in outcome \
                else outcome
            failing.append(f"  ✗ {name}: " + textwrap.shorten(reason, max(40, 92 - len(name)), placeholder=" …"))
    summary = f"{len(passing)}/{len(cells)} pass ({earned:g}/{total:g} points)"
    if not failing:
        print(f"✓ {summary}: every test in this notebook passes.")
        return {"passed": len(passing), "total": len(cells), "failing": []}
    lines = [f"{summary}; failing:", *failing]
    if passing:
        lines.append(f"  ✓ passing: {', '.join(passing)}")
    raise ScorecardFailure("\n".join(lines))
