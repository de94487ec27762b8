"""Wall 1 on its own: what a student's process can and cannot do inside the bubblewrap sandbox.

The student side of the judge runs a cell that probes its surroundings; each probe's outcome is asserted exactly.
"""

import os
import time
from pathlib import Path

import pytest

from autograder import execute, judge, sandbox

pytestmark = pytest.mark.skipif(sandbox.bwrap() is None, reason="needs bubblewrap (make test installs it)")
REPO = Path(__file__).resolve().parents[2]

PROBE = r'''
import os, socket, sys
def attempt(name, fn):
    try:
        fn()
        print(name, "allowed")
    except (OSError, MemoryError) as exc:
        print(name, "blocked")
attempt("read repository", lambda: open(%(readme)r).read())
attempt("list repository", lambda: os.listdir(%(repo)r))
attempt("read solutions", lambda: open(%(solution)r).read())
attempt("write library", lambda: open(os.path.join(os.path.dirname(__import__("course").__file__), "x.py"), "w"))
attempt("write home", lambda: open("notes.txt", "w").write("ok"))
attempt("write tmp", lambda: open("/tmp/x", "w").write("ok"))
attempt("read stdlib", lambda: open(os.__file__).read())
attempt("network", lambda: socket.create_connection(("1.1.1.1", 53), timeout=1))
attempt("allocate 8 GiB", lambda: bytearray(8 * 2**30))
attempt("see grading checks", lambda: __import__("course.grading.checks"))
print("uid", os.getuid(), "pid", os.getpid(), "processes", len([p for p in os.listdir("/proc") if p.isdigit()]))
'''


def test_what_student_code_can_reach(tmp_path):
    lib = execute.library("01_losses", ["course/losses.py"])
    student = judge.Student({"library": lib, "memory_mb": 1024})
    student.start()
    try:
        src = PROBE % {"readme": str(REPO / "README.md"), "repo": str(REPO),
                       "solution": str(REPO / "solutions" / "01_losses" / "01_losses.py")}
        student.side.deadline = time.monotonic() + 60
        out = student.run(src)
        text = "".join(o.get("text", "") for o in out)
        home = student.home
    finally:
        student.stop()
    result = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("uid"))
    assert result == {"read repository": "blocked", "list repository": "blocked", "read solutions": "blocked",
                      "write library": "blocked", "write home": "allowed", "write tmp": "allowed",
                      "read stdlib": "allowed", "network": "blocked", "allocate 8 GiB": "blocked",
                      "see grading checks": "allowed"}, text
    uid_line = next(line for line in text.splitlines() if line.startswith("uid"))
    assert uid_line.startswith("uid 65534 pid ") and int(uid_line.split()[-1]) <= 3, uid_line
    assert not os.path.exists(home), "the sandbox's home is gone with it"


def test_withheld_modules_are_stubs_that_explain_themselves(tmp_path):
    lib = Path(execute.library("01_losses", ["course/losses.py"]))
    assert "def mse_forward" not in (lib / "course" / "losses.py").read_text()
    assert not (lib / "course" / "grading" / "checks.py").read_text().count("def check(")
    assert "def mse_forward" in (REPO / "course" / "losses.py").read_text()
    student = judge.Student({"library": str(lib)})
    student.start()
    try:
        student.side.deadline = time.monotonic() + 60
        out = student.run("from course import losses\nfrom course.grading import check\nlosses.mse_forward(1, 2)")
    finally:
        student.stop()
    error = next(o for o in out if o["output_type"] == "error")
    assert error["ename"] == "NotAvailableWhileGraded"
    assert "course.losses.mse_forward is not available while 01_losses is graded" in error["evalue"]


def test_the_capstone_keeps_the_progress_bar_of_its_withheld_training_module():
    lib = Path(execute.library("06_capstone", ["course/train.py"]))
    stub = (lib / "course" / "train.py").read_text()
    assert "from course.progress import blas_threads, progress" in stub and "def fit" not in stub


@pytest.mark.slow
def test_without_a_sandbox_grading_refuses_unless_told_and_then_says_so_everywhere(monkeypatch, tmp_path):
    import nbformat

    from adversarial import toy
    from autograder.grade import Options, grade

    root = toy.build(tmp_path / "course")
    (tmp_path / "subs" / "ann" / "toy_a").mkdir(parents=True)
    nb = nbformat.read(str(root / "solutions" / "toy_a" / "toy_a.ipynb"), as_version=4)
    nbformat.write(nb, str(tmp_path / "subs" / "ann" / "toy_a" / "toy_a.ipynb"))
    monkeypatch.setenv("AUTOGRADER_BWRAP", "no-such-bwrap")  # inherited by the workers and the judge
    sandbox.bwrap.cache_clear()
    try:
        options = dict(source=tmp_path / "subs", root=root, assignments=["toy_a"], workers=1, progress=None)
        with pytest.raises(SystemExit, match="refusing to grade: bubblewrap"):
            grade(Options(out=tmp_path / "refused", **options))
        assert not (tmp_path / "refused").exists()
        summary = grade(Options(out=tmp_path / "out", allow_unsandboxed=True, **options))
    finally:
        sandbox.bwrap.cache_clear()
    entry = summary["entries"]["ann/toy_a/toy_a"]
    assert entry["score"] == 7 and entry["unsandboxed"]
    report = open(summary["report"]).read()
    assert "**Warning: some notebooks were graded WITHOUT an OS sandbox" in report
    line = report.split("## Submissions")[1]
    assert "ann · toy_a/toy_a · 7/7 · graded\n    - graded WITHOUT an OS sandbox" in line
    assert "0\t" not in open(summary["scores"]).read() and ",0," in open(summary["scores"]).read()
