"""Build and normalise nbgrader source notebooks.

Authors write a lesson as a sequence of cells (``md``, ``code``, ``solution``, ``tests``) and ``save`` it; the saved
notebook carries nbgrader's metadata, stable cell ids and no outputs. ``normalize`` re-saves a notebook edited in
JupyterLab the same way (outputs stripped, ids kept).
"""

import hashlib
import re
from pathlib import Path

import nbformat

__all__ = ["Notebook", "normalize", "KERNELSPEC"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_ID_OK = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _meta(grade, solution, locked, grade_id, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


class Notebook:
    """A lesson under construction. Each method appends one cell and returns it."""

    def __init__(self):
        self.cells = []
        self._ids = set()

    def _add(self, cell, cell_id):
        cell_id = cell_id or "c-" + hashlib.sha1(cell.source.encode()).hexdigest()[:10]
        base, k = cell_id, 1
        while cell_id in self._ids:  # identical sources get distinct, still deterministic ids
            k += 1
            cell_id = f"{base}-{k}"
        assert _ID_OK.match(cell_id), f"invalid cell id {cell_id!r}"
        self._ids.add(cell_id)
        cell.id = cell_id
        self.cells.append(cell)
        return cell

    def md(self, source, cell_id=None):
        """A markdown cell students may not edit (locked, so nbgrader restores it if deleted or changed)."""
        cell = nbformat.v4.new_markdown_cell(source.strip("\n"))
        return self._add(cell, cell_id)

    def code(self, source, cell_id=None):
        """An ordinary code cell (set-up, experiments, widgets)."""
        return self._add(nbformat.v4.new_code_cell(source.strip("\n")), cell_id)

    def solution(self, source, grade_id):
        """A cell students complete; wrap the answer in ``### BEGIN SOLUTION`` / ``### END SOLUTION``."""
        assert "### BEGIN SOLUTION" in source, f"{grade_id}: a solution cell needs a ### BEGIN SOLUTION block"
        cell = nbformat.v4.new_code_cell(source.strip("\n"), metadata=_meta(False, True, False, grade_id))
        return self._add(cell, grade_id)

    def tests(self, source, grade_id, points):
        """A locked, graded test cell; ``### BEGIN HIDDEN TESTS`` blocks are removed from the release."""
        cell = nbformat.v4.new_code_cell(source.strip("\n"), metadata=_meta(True, False, True, grade_id, points))
        return self._add(cell, grade_id)

    def answer(self, source, grade_id, points):
        """A manually graded written answer (markdown), for instructors who want one."""
        cell = nbformat.v4.new_markdown_cell(source.strip("\n"), metadata=_meta(True, True, False, grade_id, points))
        return self._add(cell, grade_id)

    def points(self):
        return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in self.cells)

    def save(self, path):
        nb = nbformat.v4.new_notebook(cells=self.cells, metadata={"kernelspec": KERNELSPEC,
                                                                  "language_info": {"name": "python"}})
        _write(nb, path)
        return Path(path)


def _write(nb, path):
    nb.nbformat, nb.nbformat_minor = 4, 5
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
    nbformat.validate(nb)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def normalize(path):
    """Strip outputs and execution counts from a notebook in place, keeping its cell ids."""
    nb = nbformat.read(str(path), as_version=4)
    _write(nb, path)
