"""Each notebook run top to bottom in a real Jupyter kernel, as a student's Run All would.

- The untouched release stops only in test cells: every demo and explorer copes with unwritten functions. Each
  failure shows as the course's short ✗ block, and the scorecard at the end counts every test as failing.
- The solution notebook runs without an error, and its scorecard says every test passes, with all 100 points.
"""

import re
import tempfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient

from harness import grade_id, is_test

REPO = Path(__file__).resolve().parents[2]
AIDS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
pytestmark = pytest.mark.slow


def _run(path):
    """Run the notebook in a fresh kernel that talks over Unix sockets: a TCP kernel takes ports that were free
    when they were chosen, and another test's process may take one before the kernel binds it."""
    nb = nbformat.read(str(path), as_version=4)
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        km = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/ipc")
        NotebookClient(nb, km=km, timeout=300, allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def _plain(lines):
    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]


@pytest.mark.parametrize("aid", AIDS)
def test_untouched_release_stops_only_in_test_cells_each_with_a_short_block(aid):
    nb = _run(REPO / "exercises" / aid / f"{aid}.ipynb")
    elsewhere = [(k, e.ename, e.evalue[:120]) for k, c in enumerate(nb.cells) if c.cell_type == "code"
                 and not is_test(c) for e in _errors(c)]
    assert not elsewhere, f"{aid}: cells other than tests raise on an untouched release: {elsewhere}"
    tests = [c for c in nb.cells if is_test(c) and grade_id(c) != "scorecard"]
    for cell in tests:
        (error,) = _errors(cell) or [None]
        assert error is not None, f"{aid}: {grade_id(cell)} passes on the untouched release"
        lines = _plain(error.traceback)
        assert lines[0].startswith("✗ ") and not any(line.lstrip().startswith(("Traceback", "File ", "Cell In"))
                                                      for line in lines), f"{aid}: {grade_id(cell)} shows {lines}"
    (card,) = [c for c in nb.cells if grade_id(c) == "scorecard"]
    summary = _plain(_errors(card)[0].traceback)
    assert summary[0] == f"✗ 0/{len(tests)} pass (0/100 points); failing:", summary[:2]
    assert len(summary) == 1 + len(tests), "one line per failing function"


@pytest.mark.parametrize("aid", AIDS)
def test_solution_runs_clean_and_its_scorecard_gives_every_point(aid):
    nb = _run(REPO / "solutions" / aid / f"{aid}.ipynb")
    errors = [(grade_id(c) or k, e.ename, e.evalue[:200]) for k, c in enumerate(nb.cells) if c.cell_type == "code"
              for e in _errors(c)]
    assert not errors, f"{aid}: the solution notebook raises: {errors}"
    (card,) = [c for c in nb.cells if grade_id(c) == "scorecard"]
    n = sum(1 for c in nb.cells if is_test(c) and grade_id(c) != "scorecard")
    text = "".join(o.get("text", "") for o in card.outputs)
    assert f"✓ {n}/{n} pass (100/100 points)" in text, text
