"""Notebooks are stored clean and follow the lesson contract (AUTHORING.md)."""

import re
from pathlib import Path

import nbformat
import pytest

from harness import grade_id, is_test

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))
ALL = SOLUTIONS + sorted((REPO / "exercises").glob("*/*.ipynb"))


def rel(p):
    return str(p.relative_to(REPO))


def read(path):
    return nbformat.read(str(path), as_version=4)


def test_there_are_lessons():
    assert SOLUTIONS, "no solution notebooks"


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_notebook_is_stored_without_outputs_and_with_stable_ids(path):
    nb = read(path)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "cell ids need nbformat 4.5"
    ids = [c.get("id") for c in nb.cells]
    assert all(ids) and len(set(ids)) == len(ids), "every cell needs a unique id"
    dirty = [c.id for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"cells stored with outputs: {dirty} (run `make lessons`)"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", SOLUTIONS, ids=rel)
def test_lesson_structure(path):
    nb = read(path)
    aid = path.parent.name
    assert path.name == f"{aid}.ipynb"
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    assert sum(m.get("points", 0) for m in meta) == 100, "points must sum to 100"
    gids = [m["grade_id"] for m in meta if "grade_id" in m]
    assert len(gids) == len(set(gids)), "duplicate grade_id"
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        m = cell.metadata.get("nbgrader", {})
        if m.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source
            nxt = code[i + 1] if i + 1 < len(code) else None
            assert nxt is not None and is_test(nxt) and grade_id(nxt) == f"test_{m['grade_id']}", (
                f"solution cell {m['grade_id']!r} must be followed by its test cell test_{m['grade_id']}")
        if is_test(cell):
            assert cell.metadata["nbgrader"]["locked"], f"{grade_id(cell)} must be locked"
        if is_test(cell) and grade_id(cell) != "scorecard":
            assert "### BEGIN HIDDEN TESTS" in cell.source, f"{grade_id(cell)} has no hidden tests"
        assert not re.search(r"^\s*[%!]", cell.source, re.M), f"cell {cell.id} uses an IPython magic or shell"
    # The last code cell is the scorecard: worth nothing itself, it lists what passes (and ends Validate's report).
    assert grade_id(code[-1]) == "scorecard" and code[-1].metadata["nbgrader"]["points"] == 0, "scorecard last"
    assert code[-1].source.strip() == f'scorecard("{aid}.ipynb")'
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown" and re.search(r"you will|learn", first.source, re.I), "objectives first"
    recap = nb.cells[-2] if last.source.lstrip("# ").lower().startswith("references") else last
    assert recap.cell_type == "markdown" and "recap" in recap.source.lower(), "a recap last (or before References)"
    assert any("explorer(" in c.source for c in code), "at least one ipywidgets explorer"


@pytest.mark.parametrize("path", SOLUTIONS, ids=rel)
def test_release_keeps_the_cells_and_ids_of_the_source(path):
    release = REPO / "exercises" / path.parent.name / path.name
    assert release.exists(), f"{rel(release)} is missing: run `make release`"
    src, rel_nb = read(path), read(release)
    assert [c.id for c in src.cells] == [c.id for c in rel_nb.cells]
    for cell in rel_nb.cells:
        assert "### BEGIN SOLUTION" not in cell.source and "BEGIN HIDDEN TESTS" not in cell.source
