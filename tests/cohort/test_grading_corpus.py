"""The adversarial corpus (tests/adversarial/corpus.py) graded as one cohort with ``autograder.grade``.

One run grades every case next to honest students, with bubblewrap; each case then asserts its exact score and
status, that the instructor's gradebook keeps 7 points per notebook, and that the class report says what
happened. The families come from the grading issue: reading the answer from the checker, changing the checker,
delegating to the reference code, leaving the sandbox, and losing honest work; plus runaway code and broken
submissions. No score depends on the static scan: the cheats score what their own code earns.
"""

import csv
import hashlib

import nbformat
import pytest

from adversarial import corpus, toy
from autograder import sandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading"),
              pytest.mark.skipif(sandbox.bwrap() is None, reason="needs bubblewrap (make test installs it)")]


def _course_digest():
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted((toy.REPO / "course").rglob("*.py")))).hexdigest()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    from autograder.grade import Options, grade

    before = _course_digest()
    base = tmp_path_factory.mktemp("corpus")
    root = toy.build(base / "course")
    cases = corpus.cases(root)
    subs = base / "submissions"
    for case in cases:
        for rel, data in {**case.files, **case.extra}.items():
            path = subs / case.name / case.folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    lines = []
    summary = grade(Options(source=subs, root=root, workers=2, timeout=8, progress=lines.append))
    entries = summary["entries"]
    keys = {c.name: next(k for k in entries if k.split("/")[0] == c.graded_as or
                         c.graded_as.endswith("-") and k.startswith(c.graded_as)) for c in cases}
    return {"root": root, "cases": {c.name: c for c in cases}, "summary": summary, "lines": lines, "keys": keys,
            "report": open(summary["report"]).read(), "out": root / "autograder", "course_before": before}


NAMES = ["honest_1", "honest_2", "untouched_release", "frame_walk", "inspect_stack", "gc_expected", "patch_globals",
         "patch_kwdefaults", "patch_tolerances", "patch_numpy", "exec_constant", "thread_patch", "ipython_hooks",
         "rebind_check", "importlib_reference", "gc_reference", "leftover_ref", "widgets_chain", "dir_fd_open",
         "fork_exec", "write_checkout", "network", "kill_judge", "bad_timestamp", "O'Brien", "O Brien", "dave",
         "nbformat3", "grade_forced", "runtime_warning", "duplicate_grade_id", "shadow_package", "infinite_loop",
         "loop_ignores_interrupt", "os_exit", "sys_exit", "memory_bomb", "huge_output", "deleted_test_cell",
         "edited_test_cell", "deleted_setup_cell", "renamed_notebook", "invalid_json", "empty_file",
         "empty_submission"]


def test_every_case_is_listed(cohort):
    assert sorted(cohort["cases"]) == sorted(NAMES)
    assert len(set(cohort["keys"].values())) == len(NAMES), "two students were graded under one id"


@pytest.mark.parametrize("name", NAMES)
def test_case_outcome(cohort, name):
    case = cohort["cases"][name]
    key = cohort["keys"][name]
    entry = cohort["summary"]["entries"][key]
    exp = case.expect
    assert (entry["status"], entry["score"], entry["max_score"]) == (exp["status"], exp["score"], 7), entry
    student = key.split("/")[0]
    block = cohort["report"].split("## Submissions")[1].split(f"- {student} · toy_a/toy_a")[1].split("\n- ")[0]
    assert exp["says"] in block, block


def test_no_score_is_inflated_in_the_gradebook(cohort):
    """The instructor's gradebook (nbgrader's own) agrees with the report and keeps 7 points per notebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{cohort['out'] / 'gradebook.db'}", "backprop-lab") as gb:
        assert gb.find_assignment("toy_a").max_score == 7
        for name in NAMES:
            sub = gb.find_submission("toy_a", cohort["keys"][name].split("/")[0])
            assert (sub.max_score, sub.score) == (7, cohort["cases"][name].expect["score"]), name


def test_grade_csv(cohort):
    rows = {r["student_id"]: r for r in csv.DictReader(open(cohort["summary"]["csv"]))}
    for name in NAMES:
        row = rows[cohort["keys"][name].split("/")[0]]
        assert (float(row["score"]), float(row["max_score"])) == (cohort["cases"][name].expect["score"], 7), name


def _outputs(cohort, name):
    path = cohort["out"] / "autograded" / cohort["keys"][name].split("/")[0] / "toy_a" / "toy_a.ipynb"
    if not path.exists():  # an invalid or missing notebook ran nothing
        return ""
    nb = nbformat.reads(path.read_text(), as_version=4)
    return "".join(o.get("text", "") + o.get("ename", "") + o.get("evalue", "") for c in nb.cells
                   if c.cell_type == "code" for o in c.outputs)


def test_nothing_leaves_the_sandbox(cohort):
    """No student process read the instructor's files, saw another process, reached the network or wrote into the
    course the instructor grades with; the tests' own sources and expected values never reached it either."""
    for name in NAMES:
        text = _outputs(cohort, name)
        assert toy.SECRET not in text and toy.HIDDEN not in text and "LEAKED" not in text, name
    assert "nothing readable" in _outputs(cohort, "dir_fd_open")
    shell = _outputs(cohort, "fork_exec")
    assert "uid=65534" in shell and "uid=0" not in shell
    assert "blocked" in _outputs(cohort, "write_checkout") and "WROTE" not in _outputs(cohort, "write_checkout")
    assert _course_digest() == cohort["course_before"]
    assert "no network" in _outputs(cohort, "network")
    assert "MemoryError" in _outputs(cohort, "memory_bomb")


def test_feedback_never_shows_hidden_tests(cohort):
    feedback = list((cohort["out"] / "feedback").rglob("*.html"))
    assert len(feedback) >= len(NAMES) - 3  # the invalid and missing ones have no page
    for path in feedback:
        html = path.read_text()
        assert toy.HIDDEN not in html and "BEGIN HIDDEN TESTS" not in html, path
        assert "np.arange(5.0) * 2" not in html, path  # a hidden test's code, quoted by no traceback either


def test_every_cell_the_student_wrote_is_kept(cohort):
    """The grader adds nothing that replaces a student's cell: the autograded notebook has every code cell of the
    submission, in order; only the test cells (first of each test id) are the instructor's version."""
    out = cohort["out"]
    tests = {"test_double", "test_mse"}
    for name in ("dir_fd_open", "huge_output", "duplicate_grade_id", "sys_exit"):
        submitted = nbformat.reads(cohort["cases"][name].files["toy_a.ipynb"].decode(), as_version=4)
        graded = nbformat.reads((out / "autograded" / name / "toy_a" / "toy_a.ipynb").read_text(), as_version=4)
        mine = [c for c in submitted.cells if c.cell_type == "code"]
        theirs = [c for c in graded.cells if c.cell_type == "code"]
        assert len(mine) == len(theirs), name
        seen = set()
        for a, b in zip(mine, theirs):
            gid = a.metadata.get("nbgrader", {}).get("grade_id")
            if gid in tests and gid not in seen:
                seen.add(gid)
                continue
            assert a.source == b.source, (name, gid)


def test_the_scan_names_the_cheats_for_review(cohort):
    section = cohort["report"].split("## What the scan noticed")[1].split("## ")[0]
    for name in ("frame_walk", "gc_expected", "patch_numpy", "ipython_hooks", "importlib_reference", "fork_exec"):
        assert f"- {name} · toy_a/toy_a" in section, name
    assert "- honest_1 · " not in section


def test_progress_and_cohort(cohort):
    lines = cohort["lines"]
    assert sum(line.startswith("[") for line in lines) == len(NAMES)
    assert not list(cohort["out"].glob("**/*.py")), "no student file reaches the instructor's folders"
