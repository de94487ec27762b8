"""Fast checks of the grading pieces: the integrity scan, collection, reading bad notebooks, scoring rules and the
kernel's audit hook. The whole pipeline runs in test_grading_corpus.py and test_grading_pipeline.py (slow)."""

import io
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import jobs
from autograder.notebooks import read_notebook
from autograder.records import Job
from autograder.collect import collect
from autograder.scan import scan_notebook, scan_source

REPO = Path(__file__).resolve().parents[2]
SETUP = ("setup", "import numpy as np\nfrom course.grading import check\nfrom course import losses as _ref")


@pytest.mark.parametrize("code, kind, words", [
    ("np.allclose = lambda *a, **k: True", "monkeypatching", "assigns numpy.allclose"),
    ("import numpy\nnumpy.testing.assert_allclose = print", "monkeypatching", "numpy.testing.assert_allclose"),
    ("import course.grading\ncourse.grading.check = print", "monkeypatching", "course.grading.check"),
    ("check = lambda *a, **k: None", "monkeypatching", "rebinds check"),
    ("def check(*a, **k):\n    pass", "monkeypatching", "redefines check"),
    ("setattr(np, 'isclose', print)", "monkeypatching", "setattr() on numpy"),
    ("def f():\n    pass\nf.__code__ = (lambda: 1).__code__", "monkeypatching", "__code__"),
    ("import builtins\nbuiltins.print = None", "monkeypatching", "builtins.print"),
    ("import sys\nsys.modules['course.grading'] = None", "monkeypatching", "sys.modules"),
    ("get_ipython().set_custom_exc((Exception,), print)", "monkeypatching", "set_custom_exc"),
    ("get_ipython().events.register('post_run_cell', print)", "monkeypatching", "IPython hook"),
    ("import sys\nsys.excepthook = print", "monkeypatching", "sys.excepthook"),
    ("globals()['check'] = print", "monkeypatching", "globals()"),
    ("import ctypes", "monkeypatching", "ctypes"),
    ("open('/etc/passwd').read()", "file access", "'/etc/passwd'"),
    ("open('../../gradebook.db', 'rb')", "file access", "gradebook.db"),
    ("from pathlib import Path\nPath.home()", "file access", "Path.home"),
    ("import os\nos.chdir('..')", "file access", "os.chdir"),
    ("!ls ..", "file access", "shell command"),
    ("import subprocess\nsubprocess.run(['ls'])", "file access", "subprocess.run"),
    ("import sqlite3", "file access", "sqlite3"),
    ("import sys\nsys.exit(0)", "process exit", "sys.exit"),
    ("import os\nos._exit(0)", "process exit", "os._exit"),
    ("exit()", "process exit", "exit"),
    ("raise SystemExit", "process exit", "SystemExit"),
    ("def mse(y_pred, y):\n    return _ref.mse_forward(y_pred, y)", "delegation",
     "mse() calls the course's reference course.losses.mse_forward"),
    ("from course.losses import mse_forward as m\ndef mse(a, b):\n    return m(a, b)", "delegation", "mse_forward"),
])
def test_scan_flags(code, kind, words):
    flags = scan_source([SETUP, ("mse", code)], graded=["mse"])
    assert any(f["kind"] == kind and words in f["detail"] for f in flags), flags
    assert all(f["cell"] == "mse" for f in flags)


@pytest.mark.parametrize("code", [
    "def mse(y_pred, y):\n    d = y_pred - y\n    return float(np.mean(d ** 2))",
    "import numpy as np\nfrom course.grading import check\nx = np.arange(3)\nx[0] = 5",
    "def mse(a, b):\n    check = 3  # a local name\n    return float(((a - b) ** 2).mean())",
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.set_title('loss / N')",
    "class Model:\n    pass\nm = Model()\nm.w = np.zeros(3)",
    "with open('notes.txt', 'w') as fh:\n    fh.write('ok')",
    "rng = np.random.default_rng(0)\nw = rng.normal(size=3)",
])
def test_scan_passes_honest_code(code):
    assert scan_source([SETUP, ("mse", code)], graded=["mse"]) == []


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_course_notebooks_raise_no_flags():
    """The solutions and releases of every lesson written so far are clean: no false positive on the real course."""
    from autograder.templates import source_info

    paths = sorted(REPO.glob("solutions/*/*.ipynb")) + sorted(REPO.glob("exercises/*/*.ipynb"))
    assert paths
    for path in paths:
        info = source_info(REPO, path.parent.name)["notebooks"][path.stem]
        nb = nbformat.read(str(path), as_version=4)
        assert scan_notebook(nb, info["graded"], info["tests"], info["allowed"]) == [], path


def test_scan_skips_only_the_first_copy_of_a_test_cell():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np", metadata={}),
        nbformat.v4.new_code_cell("np.allclose = 1", metadata={"nbgrader": {"grade_id": "test_f", "grade": True}}),
        nbformat.v4.new_code_cell("np.isclose = 1", metadata={"nbgrader": {"grade_id": "test_f", "grade": True}}),
    ])
    flags = scan_notebook(nb, [], ["test_f"])
    assert [f["detail"] for f in flags] == ["assigns numpy.isclose, an attribute of an imported module"]


def _nb_bytes(source="x = 1"):
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])).encode()


def test_collect_lms_zip(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("carol_1003_02_gradients.ipynb", _nb_bytes("c"))
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("alice_1001_3001_01_losses.ipynb", _nb_bytes("a"))
        z.writestr("bob_LATE_1002_01_losses (1).ipynb", _nb_bytes("b"))
        z.writestr("bob_1002_helpers.py", b"import os")
        z.writestr("more.zip", inner.getvalue())
    subs = collect(archive, {"01_losses": ["01_losses"], "02_gradients": ["02_gradients"]})
    got = {(s.student, s.assignment): s for s in subs}
    assert sorted(got) == [("alice", "01_losses"), ("bob", "01_losses"), ("carol", "02_gradients")]
    assert b'"a"' in got[("alice", "01_losses")].files["01_losses"]
    bob = got[("bob", "01_losses")]
    assert any("renamed" in m for m in bob.messages)
    assert any("helpers.py" in m for m in bob.messages)


def test_collect_nbgrader_layout(tmp_path):
    (tmp_path / "ann" / "01_losses").mkdir(parents=True)
    (tmp_path / "ann" / "01_losses" / "01_losses.ipynb").write_bytes(_nb_bytes())
    (tmp_path / "ann" / "01_losses" / "timestamp.txt").write_text("2026-11-20 10:00:00")
    (tmp_path / "ann" / "01_losses" / "course").mkdir()
    (tmp_path / "ann" / "01_losses" / "course" / "testing.py").write_text("check = None")
    (tmp_path / "ben" / "01_losses").mkdir(parents=True)  # submitted nothing
    subs = {s.student: s for s in collect(tmp_path, {"01_losses": ["01_losses"]})}
    assert subs["ann"].timestamp == "2026-11-20 10:00:00"
    assert any("course/testing.py" in m for m in subs["ann"].messages)
    assert subs["ben"].files == {"01_losses": None}


@pytest.mark.parametrize("data, words", [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b'{"cells": [', "not valid JSON (line 1"),
    (b'{"hello": 1}', "not a Jupyter notebook"),
    (b"[1, 2]", "not a Jupyter notebook"),
])
def test_read_notebook_explains_bad_input(data, words):
    with pytest.raises(ValueError) as info:
        read_notebook(data, "01_losses.ipynb")
    assert words in str(info.value) and "01_losses.ipynb" in str(info.value)


def test_grade_job_reports_missing_and_invalid_without_running_anything():
    release = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "check(f)", metadata={"nbgrader": {"grade": True, "grade_id": "test_f", "points": 7, "solution": False,
                                           "locked": True, "schema_version": 3}})])).encode()
    base = dict(student="s", assignment="a", notebook="a", template=b"", release=release, nbgrader_config="")
    missing = jobs.grade_job(Job(data=None, **base))
    assert (missing.status, missing.messages, missing.score, missing.max_score) == (
        "missing", ["no a.ipynb was submitted"], 0, 7)
    invalid = jobs.grade_job(Job(data=b"{", **base))
    assert invalid.status == "invalid" and "not valid JSON" in invalid.messages[0]
    assert invalid.cells["test_f"].error == "invalid notebook"


def test_the_judge_reports_a_failed_check_as_its_short_block():
    from autograder.judge import run_test

    outputs = run_test("from course.grading import CheckFailure\n"
                       "raise CheckFailure('f(x=1): the result has the wrong sign.\\n  expected: 1\\n  got:      -1')",
                       "test_f", {})
    (error,) = [o for o in outputs if o["output_type"] == "error"]
    assert error["ename"] == "CheckFailure"
    assert [line.split("m", 1)[-1] if line.startswith("\x1b") else line for line in error["traceback"]][1:] == \
        ["  expected: 1", "  got:      -1"]
    assert "✗" in error["traceback"][0] and "wrong sign" in error["traceback"][0]


def test_feedback_shows_a_failed_check_as_its_block_and_anything_else_as_one_line():
    from nbformat.v4 import new_code_cell, new_output

    from autograder.feedback import ShortTracebacks

    cell = new_code_cell("check(f)", metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 1}})
    cell.outputs = [new_output("error", ename="CheckFailure", evalue="f: wrong.\n  expected: 1",
                               traceback=["Traceback", "  File course/grading/checks.py", "CheckFailure: ..."]),
                    new_output("error", ename="NameError", evalue="name 'f' is not defined",
                               traceback=["Traceback", "  File <cell>", "NameError: ..."])]
    ShortTracebacks().preprocess_cell(cell, {}, 0)
    block, plain = (o["traceback"] for o in cell.outputs)
    assert "✗" in block[0] and block[1:] == ["  expected: 1"] and not any("File" in line for line in block)
    assert plain == ["NameError: name 'f' is not defined"]
