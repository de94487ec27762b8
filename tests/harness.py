"""Run a solution notebook's cells in-process, with or without a planted mistake.

This is the fast half of the grading tests: it executes the notebook's code cells in one namespace (the way a
kernel would, minus the kernel), then runs every graded test cell and records which ones fail and why. The slow
half, tests/lessons/test_nbgrader_loop.py, pushes a few of the same planted mistakes through real nbgrader.
"""

import contextlib
import io
import linecache
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("MPLBACKEND", "Agg")


@dataclass(frozen=True)
class Planted:
    """One realistic mistake: replace ``old`` by ``new`` (exactly once) in solution cell ``cell``.

    Grading must then fail exactly the test cells ``fails`` (default: ``"test_" + cell``) and each failure message
    must contain ``says`` (case-insensitive), the plain words that name the mistake.
    """

    name: str
    cell: str
    old: str
    new: str
    says: str
    fails: tuple = field(default=())

    def failing(self):
        return set(self.fails) if self.fails else {f"test_{self.cell}"}


@dataclass(frozen=True)
class Variant:
    """A valid way of writing a graded function: replace ``old`` by ``new`` (exactly once) in solution cell ``cell``.

    Every test cell must still pass: a grading test never fails a correct solution written another way (loops,
    einsum, float32, another order of drawing random numbers).
    """

    name: str
    cell: str
    old: str
    new: str


def notebook_path(aid):
    return REPO / "solutions" / aid / f"{aid}.ipynb"


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    return cell.metadata.get("nbgrader", {}).get("grade", False) and cell.cell_type == "code"


def plant(nb, *changes):
    """Return a copy of ``nb`` with each change (a :class:`Planted` mistake or a :class:`Variant`) applied; fail
    loudly if the text to replace is not there exactly once."""
    nb = nbformat.reads(nbformat.writes(nb), 4)
    for change in changes:
        cells = [c for c in nb.cells if grade_id(c) == change.cell]
        assert cells, f"{change.name}: no cell with grade_id {change.cell!r}"
        src = cells[0].source
        assert src.count(change.old) == 1, f"{change.name}: {change.old!r} occurs {src.count(change.old)} times"
        cells[0].source = src.replace(change.old, change.new)
    return nb


def run(nb, cwd=None, namespace=None):
    """Execute ``nb``'s code cells in order in one namespace.

    Returns ``{test grade_id: None or the failure message}``. A non-test cell that raises (an exploration cell
    calling a broken function, say) is recorded under ``"cell:<id>"`` and execution goes on, as in a kernel.
    Pass ``namespace`` (a dict) to keep the globals the notebook leaves behind.
    """
    ns = {"__name__": "__main__"} if namespace is None else namespace
    results = {}
    old = os.getcwd()
    os.chdir(cwd or REPO)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            filename = f"<cell {cell.get('id')}>"
            # as IPython does: a traceback through the cell can show its lines ("at line 3: `return x / n`")
            linecache.cache[filename] = (len(cell.source), None, cell.source.splitlines(True), filename)
            code = compile(cell.source, filename, "exec")
            with contextlib.redirect_stdout(io.StringIO()):
                if is_test(cell):
                    try:
                        exec(code, ns)  # noqa: S102 (running the course's own notebook)
                        results[grade_id(cell)] = None
                    except Exception as exc:  # noqa: BLE001
                        results[grade_id(cell)] = f"{type(exc).__name__}: {exc}"
                else:
                    try:
                        exec(code, ns)  # noqa: S102
                    except Exception as exc:  # noqa: BLE001
                        results[f"cell:{cell.get('id')}"] = f"{type(exc).__name__}: {exc}"
    finally:
        os.chdir(old)
    return results


def read(aid):
    return nbformat.read(str(notebook_path(aid)), as_version=4)


def solution_block(nb, gid):
    """The text between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` of solution cell ``gid``."""
    src = next(c.source for c in nb.cells if grade_id(c) == gid)
    start = src.index("### BEGIN SOLUTION\n") + len("### BEGIN SOLUTION\n")
    return src[start:src.index("    ### END SOLUTION")]


def rerun_tests(nb, changes, baseline, cwd=None):
    """Apply ``changes`` (mistakes or variants) to ``nb`` and re-run its tests in a copy of ``baseline`` (the globals
    of a full run of ``nb``).

    Only the changed solution cells and the test cells execute, so a change costs a fraction of a second instead of
    a whole notebook (widgets, experiments). Later cells see the changed functions through the globals, as they would
    in a kernel; tests/lessons/test_nbgrader_loop.py still runs one planted mistake per notebook end to end.
    """
    changes = list(changes) if isinstance(changes, (list, tuple)) else [changes]
    changed = plant(nb, *changes)
    touched = {c.cell for c in changes}
    cells = [c for c in changed.cells if c.cell_type == "code" and (is_test(c) or grade_id(c) in touched)]
    return run(nbformat.v4.new_notebook(cells=cells), cwd=cwd, namespace=dict(baseline))
