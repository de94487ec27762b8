"""The instructor command end to end on the real 01_losses, and on Dask.

An LMS-style zip of two students (the solutions, and the untouched release next to a stray ``.py``) is graded
with ``python -m autograder grade``'s engine into a temporary output folder: the solutions score 100, the release 0,
the report gives per-function pass rates, and the feedback never shows hidden-test source. Grading again grades
nothing and changes nothing; a late third student with one planted mistake is the only notebook graded next, and
loses exactly that function's points. The toy course is graded once by local workers and once on a Dask
``LocalCluster``: same scores.
"""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

import harness
from adversarial import toy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]

REPO = Path(__file__).resolve().parents[2]
AID = "01_losses"


def _zip(path, files):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def _hidden_lines(aid):
    """Code lines that appear only inside hidden-test blocks (never in the release)."""
    nb = nbformat.read(str(REPO / "solutions" / aid / f"{aid}.ipynb"), as_version=4)
    released = (REPO / "exercises" / aid / f"{aid}.ipynb").read_text()
    lines = set()
    for cell in nb.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
                lines |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 25
                          and not ln.strip().startswith("#") and ln.strip() not in released}
    return lines


@pytest.fixture(scope="module")
def losses(tmp_path_factory):
    from autograder.grade import Options, grade

    base = tmp_path_factory.mktemp("pipeline")
    solution = (REPO / "solutions" / AID / f"{AID}.ipynb").read_bytes()
    release = (REPO / "exercises" / AID / f"{AID}.ipynb").read_bytes()
    first = _zip(base / "week1.zip", {f"alice_1001_{AID}.ipynb": solution, f"bob_1002_{AID}.ipynb": release,
                                      "bob_1002_helpers.py": b"import os\n"})
    out = base / "autograder"
    lines = []

    def run(source, **kw):
        return grade(Options(source=source, root=REPO, assignments=[AID], workers=2, out=out,
                             progress=lines.append, **kw))

    s1 = run(first)
    s2 = run(first)
    mistake = _first_planted()
    planted = nbformat.writes(harness.plant(harness.read(AID), mistake)).encode()
    late = _zip(base / "week1-late.zip", {f"alice_1001_{AID}.ipynb": solution, f"bob_1002_{AID}.ipynb": release,
                                          f"carol_LATE_1003_{AID}.ipynb": planted})
    s3 = run(late)
    again = [run(late, force=True) for _ in range(2)]  # with s3: the same cohort graded three times
    return {"s1": s1, "s2": s2, "s3": s3, "again": again, "out": out, "lines": lines, "mistake": mistake}


def _first_planted():
    import importlib

    return importlib.import_module(f"planted.{AID}").PLANTED[0]


def test_solutions_score_100_and_release_0(losses):
    e = losses["s1"]["entries"]
    assert e[f"alice/{AID}/{AID}"]["score"] == 100 and e[f"alice/{AID}/{AID}"]["max_score"] == 100
    assert e[f"bob/{AID}/{AID}"]["score"] == 0 and e[f"bob/{AID}/{AID}"]["status"] == "graded"
    assert not e[f"alice/{AID}/{AID}"]["flags"], "the model solution must raise no integrity flag"
    assert any("helpers.py" in m for m in e[f"bob/{AID}/{AID}"]["messages"])
    assert losses["s1"]["graded"] == 2


def test_report_gives_per_function_pass_rates(losses):
    report = Path(losses["s3"]["report"]).read_text()
    nb = nbformat.read(str(REPO / "solutions" / AID / f"{AID}.ipynb"), as_version=4)
    tests = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
             and c.metadata["nbgrader"].get("points")]  # the 0-point scorecard grades nothing
    failing = f"test_{losses['mistake'].cell}"
    for gid in tests:
        row = next(ln for ln in report.splitlines() if ln.startswith(f"| {gid} |"))
        assert ("| 1/3 |" if gid == failing else "| 2/3 |") in row, row
    assert "not implemented yet" in report  # the release's failures are named


def test_feedback_has_no_hidden_test_source(losses):
    hidden = _hidden_lines(AID)
    assert hidden, "the notebook has hidden tests"
    for student in ("alice", "bob", "carol"):
        html = (losses["out"] / "feedback" / student / AID / f"{AID}.html").read_text()
        assert "BEGIN HIDDEN TESTS" not in html
        leaked = [ln for ln in hidden if ln in html or ln.replace("<", "&lt;").replace(">", "&gt;") in html]
        assert not leaked, (student, leaked[:3])


def test_rerun_grades_nothing_and_late_submission_only_itself(losses):
    s1, s2, s3 = losses["s1"], losses["s2"], losses["s3"]
    assert s2["graded"] == 0 and s2["skipped"] == 2
    for key in s1["entries"]:
        assert s2["entries"][key]["score"] == s1["entries"][key]["score"]
        assert s3["entries"][key]["score"] == s1["entries"][key]["score"]
    assert s3["graded"] == 1 and [e["student"] for e in s3["run"]] == ["carol"]


def test_planted_mistake_costs_exactly_its_points(losses):
    mistake = losses["mistake"]
    carol = losses["s3"]["entries"][f"carol/{AID}/{AID}"]
    failing = {gid for gid, c in carol["cells"].items() if c["score"] < c["max_score"]}
    assert failing == set(mistake.failing())
    lost = sum(carol["cells"][gid]["max_score"] for gid in failing)
    assert carol["score"] == 100 - lost
    assert mistake.says.lower() in carol["cells"][f"test_{mistake.cell}"]["error"].lower()


def test_grading_the_same_cohort_three_times_gives_identical_scores(losses):
    runs = [losses["s3"], *losses["again"]]
    assert [r["graded"] for r in runs] == [1, 3, 3]  # --force grades everyone again
    cells = [{k: {g: c["score"] for g, c in e["cells"].items()} for k, e in r["entries"].items()} for r in runs]
    assert cells[0] == cells[1] == cells[2]
    assert sorted(e["score"] for e in runs[2]["entries"].values()) == sorted(
        e["score"] for e in runs[0]["entries"].values())


def test_feedback_is_the_page_nbgrader_generate_feedback_makes(losses, tmp_path):
    """One rule for what feedback hides: nbgrader's own command, run on grade's autograded notebook and gradebook
    with the course's nbgrader_config.py, writes the very page grade wrote."""
    import shutil

    out = losses["out"]
    course = tmp_path / "course"
    shutil.copy(REPO / "nbgrader_config.py", course.mkdir() or course / "nbgrader_config.py")
    shutil.copytree(out / "autograded", course / "autograder" / "autograded")
    shutil.copy(out / "gradebook.db", course / "autograder" / "gradebook.db")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", AID, "--student", "alice",
                           "--force"], cwd=course, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = (course / "autograder" / "feedback" / "alice" / AID / f"{AID}.html").read_text()
    ours = (out / "feedback" / "alice" / AID / f"{AID}.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in ours and "all visible tests pass" in ours
    assert ours == theirs


def test_gradebook_and_csv(losses):
    import csv

    rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(open(losses["s3"]["csv"]))}
    assert float(rows[("alice", AID)]["score"]) == 100
    assert float(rows[("bob", AID)]["score"]) == 0
    assert float(rows[("carol", AID)]["max_score"]) == 100
    assert (losses["out"] / "autograded" / "carol" / AID / f"{AID}.ipynb").exists()
    assert (losses["out"] / "submitted" / "carol" / AID / f"{AID}.ipynb").exists()


def test_progress_lines(losses):
    assert any(re.match(r"\[1/2\] (alice|bob) 01_losses/01_losses: (100|0)/100", ln) for ln in losses["lines"])


def test_command_line_help():
    out = subprocess.run([sys.executable, "-m", "autograder", "grade", "--help"], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "--dask" in out.stdout and "--workers" in out.stdout


def test_dask_cluster_grades_the_cohort(tmp_path):
    """The same job function on a Dask LocalCluster (processes): scores as the points of the toy course say."""
    import os
    import pickle

    import distributed  # a pinned test dependency (requirements-dev.txt): missing, it fails, never skips

    from autograder.grade import Options, grade

    root = toy.build(tmp_path / "course")
    subs = tmp_path / "subs"
    for student, edit in (("ann", None), ("ben", "def double(x):\n    return x")):
        for aid in ("toy_a", "toy_b"):
            nb = nbformat.read(str(root / "solutions" / aid / f"{aid}.ipynb"), as_version=4)
            if edit and aid == "toy_a":
                next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "double").source = edit
            (subs / student / aid).mkdir(parents=True)
            nbformat.write(nb, str(subs / student / aid / f"{aid}.ipynb"))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
            distributed.Client(cl) as client:
        remote = grade(Options(source=subs, root=root, dask=client, timeout=20, out=tmp_path / "dask",
                               progress=None))
    scores = {k: e["score"] for k, e in remote["entries"].items()}
    # toy_a: double 3 + mse 4; ben's double returns x (test_double fails). toy_b: square 3 + mean_abs 4.
    assert scores == {"ann/toy_a/toy_a": 7, "ann/toy_b/toy_b": 7, "ben/toy_a/toy_a": 4, "ben/toy_b/toy_b": 7}
    workers = {e["worker"] for e in remote["run"]}
    assert all(not w.endswith(f":{os.getpid()}") for w in workers), workers
    assert (tmp_path / "dask" / "feedback" / "ben" / "toy_a" / "toy_a.html").exists()
    # A job and its result are plain data (bytes, str, numbers): nothing refers to the instructor's filesystem.
    for entry in remote["run"]:
        pickle.dumps(entry)
