"""The adversarial corpus (tests/adversarial/corpus.py) graded as one cohort with ``autograder.grade``.

One run grades every case next to honest students; each case then asserts its exact outcome (score after review
hold, the autograde score, status, hold), that the instructor's gradebook keeps 7 points per notebook, and that the
class report says what happened. The attacks come from the grading issue: np.allclose replaced, the gradebook
rewritten, hidden tests read, a package shadowing ``course``, a RuntimeWarning, a duplicated grade_id, plus runaway
code and broken submissions.
"""

import csv
import os

import nbformat
import pytest

from adversarial import corpus, toy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    from autograder.grade import Options, grade

    base = tmp_path_factory.mktemp("corpus")
    root = toy.build(base / "course")
    cases = corpus.cases(root)
    subs = base / "submissions"
    for case in cases:
        for rel, data in case.files.items():
            path = subs / case.name / "toy_a" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    lines = []
    summary = grade(Options(source=subs, root=root, workers=2, timeout=4, progress=lines.append))
    return {"root": root, "cases": {c.name: c for c in cases}, "summary": summary, "lines": lines,
            "report": open(summary["report"]).read(), "out": root / "autograder"}


NAMES = ["honest_1", "honest_2", "untouched_release", "patch_allclose", "rewrite_gradebook", "read_hidden_tests",
         "shadow_package", "runtime_warning", "duplicate_grade_id", "infinite_loop", "loop_ignores_interrupt",
         "os_exit", "sys_exit", "memory_bomb", "huge_output", "deleted_test_cell", "edited_test_cell",
         "renamed_notebook", "invalid_json", "empty_file", "empty_submission", "delegates_to_course",
         "swallow_errors", "patch_check", "rebind_check", "shell_escape"]


def test_every_case_is_listed(cohort):
    assert sorted(cohort["cases"]) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_case_outcome(cohort, name):
    case = cohort["cases"][name]
    entry = cohort["summary"]["entries"][f"{name}/toy_a/toy_a"]
    exp = case.expect
    assert entry["status"] == exp["status"], entry
    assert entry["held"] == exp["held"], entry
    assert entry["score"] == exp["score"], entry
    if exp["autograde"] is not None:
        assert entry["autograde_score"] == exp["autograde"], entry
    assert entry["max_score"] == 7
    # The report has a line for this submission that says what happened.
    block = cohort["report"].split(f"- {name} · toy_a/toy_a")[1].split("\n- ")[0]
    assert exp["says"] in block or exp["says"] in cohort["report"].split("## Submissions")[0] and name in \
        cohort["report"], block


def test_no_score_is_inflated_in_the_gradebook(cohort):
    """The instructor's gradebook (nbgrader's own) agrees with the report and keeps 7 points per notebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{cohort['out'] / 'gradebook.db'}", "backprop-lab") as gb:
        assignment = gb.find_assignment("toy_a")
        assert assignment.max_score == 7
        for name in NAMES:
            sub = gb.find_submission("toy_a", name)
            assert sub.max_score == 7, name
            assert sub.score == cohort["cases"][name].expect["score"], name
            for nb in sub.notebooks:
                for grade in nb.grades:
                    assert grade.score <= grade.max_score


def test_grade_csv(cohort):
    rows = {r["student_id"]: r for r in csv.DictReader(open(cohort["summary"]["csv"]))}
    for name in NAMES:
        assert float(rows[name]["score"]) == cohort["cases"][name].expect["score"], name
        assert float(rows[name]["max_score"]) == 7


def test_hidden_tests_never_reach_student_code_or_feedback(cohort):
    out = cohort["out"]
    # The instructor's autograded copy has them (that is where the scores come from) ...
    assert toy.HIDDEN in (out / "autograded" / "honest_1" / "toy_a" / "toy_a.ipynb").read_text()
    # ... but nothing the student's code printed contains them, and no feedback file shows them.
    nb = nbformat.read(str(out / "autograded" / "read_hidden_tests" / "toy_a" / "toy_a.ipynb"), as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      and not c.metadata.get("nbgrader", {}).get("grade") for o in c.outputs)
    assert "blocked PermissionError" in printed
    assert toy.HIDDEN not in printed and "BEGIN HIDDEN TESTS" not in printed
    feedback = list((out / "feedback").rglob("*.html"))
    assert len(feedback) >= 15
    for path in feedback:
        html = path.read_text()
        assert toy.HIDDEN not in html and "BEGIN HIDDEN TESTS" not in html, path
        assert "np.arange(5.0) * 2" not in html, path  # a hidden test's code, quoted by no traceback either


def test_attacks_were_stopped_at_run_time(cohort):
    """Beyond the flags: what the sandbox itself did to the attacks."""
    out = cohort["out"]

    def outputs(name):
        nb = nbformat.read(str(out / "autograded" / name / "toy_a" / "toy_a.ipynb"), as_version=4)
        return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]

    assert any(o.get("ename") == "PermissionError" for o in outputs("rewrite_gradebook"))
    assert any(o.get("ename") == "MemoryError" for o in outputs("memory_bomb"))
    assert any(o.get("ename") == "PermissionError" for o in outputs("shell_escape"))
    assert not (out / "autograded" / "shell_escape" / "toy_a" / "stolen.db").exists()
    huge = sum(len(o.get("text", "")) for o in outputs("huge_output"))
    assert huge < 300_000


def test_progress_and_cohort(cohort):
    lines = cohort["lines"]
    assert any(line.startswith(f"[ 1/{len(NAMES)}]") for line in lines), lines[:3]
    assert sum(line.startswith("[") for line in lines) == len(NAMES)
    assert not list((cohort["out"]).glob("**/*.py")), "no student file reaches the instructor's folders"
    assert os.path.exists(cohort["summary"]["scores"])
