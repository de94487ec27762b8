"""`make reset LESSON=NN`: a lesson starts over from a fresh release, and the student's notebook is never lost."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from autograder.reset import lesson_id, reset

REPO = Path(__file__).resolve().parents[2]


def _course(tmp_path):
    for name in ("solutions", "exercises"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", ["3", "03", "03_backprop", "backprop", "03_backprop.ipynb", " Backprop "])
def test_a_lesson_can_be_named_the_way_a_student_says_it(name):
    assert lesson_id(name) == "03_backprop"


def test_an_unknown_lesson_is_refused_with_the_list_of_lessons():
    with pytest.raises(SystemExit, match="There is no lesson '9'. The lessons are: 01_losses, 02_gradients"):
        lesson_id("9")


@pytest.mark.slow
def test_reset_asks_first_keeps_a_backup_and_restores_the_release(tmp_path):
    root = _course(tmp_path)
    target = root / "exercises" / "01_losses" / "01_losses.ipynb"
    said = []
    assert reset("01_losses", root=root, out=said.append) is None
    assert said == ["exercises/01_losses/01_losses.ipynb is already as released: nothing to reset."]

    nb = json.loads(target.read_text())
    nb["cells"][5]["source"] = "def mse_forward(y_pred, y):\n    return 42.0  # my attempt\n"
    target.write_text(json.dumps(nb))
    asked = []
    assert reset("01_losses", root=root, confirm=lambda q: asked.append(q) or False, out=said.append) is None
    assert "Your notebook is kept as exercises/01_losses/.backups/01_losses-" in asked[0]
    assert "my attempt" in target.read_text(), "saying no changes nothing"

    backup = reset("01_losses", root=root, confirm=lambda q: True, out=said.append)
    assert "my attempt" in backup.read_text(), "the student's notebook is kept"
    assert target.read_bytes() == (REPO / "exercises" / "01_losses" / "01_losses.ipynb").read_bytes()
    assert said[-1].startswith("exercises/01_losses/01_losses.ipynb is fresh; your previous notebook is ")


def test_make_reset_without_a_lesson_says_how_to_name_one():
    proc = subprocess.run(["make", "-s", "reset"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2 and "make reset LESSON=03" in proc.stdout + proc.stderr
