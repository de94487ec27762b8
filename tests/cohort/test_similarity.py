"""The similarity report (autograder/similarity.py): normalising a student's function, scoring pairs, flagging only
near-identical non-trivial code, and the markdown section, on hand-written students and on the real 01_losses."""

from pathlib import Path

import nbformat

from autograder.similarity import Pair, find_pairs, normalise, notebook_codes, reference_sources, report_markdown
from autograder.similarity import similarity

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO / "solutions" / "01_losses" / "01_losses.ipynb"
RELEASE = REPO / "exercises" / "01_losses" / "01_losses.ipynb"

# A student's multiclass hinge, as the lesson's solution writes it.
ALICE = '''def multiclass_hinge_forward(scores, labels, margin=1.0):
    """Weston-Watkins multiclass hinge loss."""
    n = len(labels)
    correct = scores[np.arange(n), labels][:, None]
    m = np.maximum(0.0, scores - correct + margin)
    m[np.arange(n), labels] = 0.0
    return float(m.sum() / n)
'''
# Bob copied Alice: other names, other docstring, comments, other layout. Same code.
BOB = '''import numpy as np
def multiclass_hinge_forward(s, y, margin = 1.0):
    # my own work!!
    N=len(y)
    true_scores = s[np.arange(N), y][:, None]   # pick the correct class
    margins = np.maximum(0.0,
                         s - true_scores + margin)
    margins[np.arange(N), y] = 0.0
    return float(margins.sum() / N)
'''
# Carol wrote it herself, with a loop: the same result, a different algorithm.
CAROL = '''def multiclass_hinge_forward(scores, labels, margin=1.0):
    total = 0.0
    for i in range(len(labels)):
        for j in range(scores.shape[1]):
            if j != labels[i]:
                total += max(0.0, scores[i, j] - scores[i, labels[i]] + margin)
    return float(total / len(labels))
'''
# Dave took course/losses.py's cross_entropy_backward and renamed things.
DAVE = '''def cross_entropy_backward(z, y):
    y = np.asarray(y)
    g = softmax(z)  # from above
    g[np.arange(len(y)), y] -= 1.0
    return g / len(y)
'''
STUB = '''def multiclass_hinge_forward(scores, labels, margin=1.0):
    """Weston-Watkins multiclass hinge loss."""
    # YOUR CODE HERE
    raise NotImplementedError()
'''


def _nb_codes(path):
    return notebook_codes(nbformat.read(str(path), as_version=4))


def test_normalised_form_renames_locals_and_keeps_globals_and_constants():
    norm = normalise(ALICE, "multiclass_hinge_forward")
    assert norm.splitlines()[:3] == ["def multiclass_hinge_forward(v0, v1, v2=1.0):", "    v3 = len(v1)",
                                     "    v4 = v0[np.arange(v3), v1][:, None]"], norm
    assert "Weston" not in norm, "the docstring must be gone"
    assert "np.maximum(0.0" in norm and "float(" in norm, "numpy calls, builtins and constants must survive"


def test_renaming_formatting_comments_and_docstring_change_nothing():
    a, b = normalise(ALICE, "multiclass_hinge_forward"), normalise(BOB, "multiclass_hinge_forward")
    assert a == b
    assert similarity(a, b) == 1.0


def test_a_different_algorithm_scores_clearly_lower():
    a, c = normalise(ALICE, "multiclass_hinge_forward"), normalise(CAROL, "multiclass_hinge_forward")
    assert similarity(a, c) < 0.6, "a loop and a vectorised version share little code"
    assert similarity(a, c) == similarity(c, a), "the score must not depend on argument order"


def test_a_different_global_call_is_a_difference():
    mean = "def f(x, y):\n    d = x - y\n    return float(np.mean(d * d))\n"
    median = "def f(x, y):\n    d = x - y\n    return float(np.median(d * d))\n"
    assert similarity(normalise(mean, "f"), normalise(median, "f")) < 1.0


def test_copiers_are_flagged_and_the_honest_student_is_not():
    codes = {"alice": {"multiclass_hinge_forward": ALICE}, "bob": {"multiclass_hinge_forward": BOB},
             "carol": {"multiclass_hinge_forward": CAROL}}
    assert find_pairs(codes, {}) == [Pair("multiclass_hinge_forward", "alice", "bob", 1.0)]


def test_copying_the_course_reference_is_flagged_against_reference():
    refs = reference_sources(["course.losses"])
    codes = {"dave": {"cross_entropy_backward": DAVE}, "erin": {"cross_entropy_backward": CAROL}}
    assert find_pairs(codes, refs) == [Pair("cross_entropy_backward", "dave", "reference", 1.0)]


def test_reference_sources_lists_the_modules_own_functions():
    refs = reference_sources(["course.losses"])
    assert refs["mse_forward"].startswith("def mse_forward(y_pred, y):")
    assert "asarray" not in refs and "mean" not in refs, "numpy's functions are not the course's code"


def test_trivial_functions_are_never_flagged():
    one_liner = "def mse_forward(y_pred, y):\n    return float(np.mean((y_pred - y) ** 2))\n"
    codes = {s: {"mse_forward": one_liner} for s in ("alice", "bob", "carol")}
    assert find_pairs(codes, reference_sources(["course.losses"])) == []
    # A function whose reference is a one-liner is skipped even when two students write the same long code.
    long_code = {"alice": {"multiclass_hinge_forward": ALICE}, "bob": {"multiclass_hinge_forward": BOB}}
    one_line_reference = "def multiclass_hinge_forward(s, y):\n    return hinge(s, y)"
    assert find_pairs(long_code, {"multiclass_hinge_forward": one_line_reference}) == []
    assert len(find_pairs(long_code, {})) == 1, "without that reference the same pair is flagged"


def test_release_stubs_are_never_flagged_even_with_no_length_limit():
    codes = {s: {"multiclass_hinge_forward": STUB} for s in ("alice", "bob")}
    assert find_pairs(codes, {}, trivial_tokens=0) == []
    release = _nb_codes(RELEASE)
    assert find_pairs({s: release for s in ("alice", "bob", "carol")}, reference_sources(["course.losses"])) == []


def test_missing_function_or_syntax_error_is_skipped():
    broken = ALICE.replace("return float(", "return float((")
    assert normalise(broken, "multiclass_hinge_forward") is None
    assert normalise(ALICE, "mse_forward") is None
    assert normalise("x = 1\n", "multiclass_hinge_forward") is None
    codes = {"alice": {"multiclass_hinge_forward": ALICE}, "bob": {"multiclass_hinge_forward": BOB},
             "frank": {"multiclass_hinge_forward": broken}, "gina": {"multiclass_hinge_forward": "x = 1"},
             "hal": {}}
    assert find_pairs(codes, {}) == [Pair("multiclass_hinge_forward", "alice", "bob", 1.0)]


def test_pairs_are_sorted_by_function_then_score_then_names():
    codes = {"zoe": {"multiclass_hinge_forward": ALICE, "cross_entropy_backward": DAVE},
             "yan": {"multiclass_hinge_forward": BOB, "cross_entropy_backward": DAVE},
             "xia": {"multiclass_hinge_forward": ALICE.replace("m.sum() / n", "np.sum(m) / n")}}
    pairs = find_pairs(codes, {}, threshold=0.9)
    assert [p.function for p in pairs] == ["cross_entropy_backward"] + ["multiclass_hinge_forward"] * 3
    hinge = pairs[1:]
    assert (hinge[0].first, hinge[0].second, hinge[0].score) == ("yan", "zoe", 1.0)
    assert hinge[1].score == hinge[2].score < 1.0 and (hinge[1].first, hinge[2].first) == ("xia", "xia")
    assert (hinge[1].second, hinge[2].second) == ("yan", "zoe")


def test_report_lists_the_pair_with_a_percentage():
    text = report_markdown("01_losses", [Pair("huber_forward", "alice", "bob", 0.9731)], n_students=3)
    assert text.startswith("## ") and "01_losses" in text.splitlines()[0]
    assert "review, do not conclude" in text
    assert "| huber_forward | alice | bob | 97.3% |" in text


def test_report_never_rounds_a_near_match_up_to_identical():
    text = report_markdown("01_losses", [Pair("huber_forward", "alice", "bob", 0.99996)], n_students=2)
    assert "99.9%" in text and "100%" not in text


def test_report_without_pairs_says_how_many_students_were_compared():
    text = report_markdown("01_losses", [], n_students=42)
    assert "No near-identical pairs" in text and "42 students" in text and "|" not in text


def test_notebook_codes_on_the_real_solutions():
    codes = _nb_codes(SOLUTIONS)
    assert len(codes) == 21 and "mse_forward" in codes
    assert not any(gid.startswith("test_") for gid in codes), "test cells are not the student's code"
    assert all(normalise(src, gid) is not None for gid, src in codes.items()), "grade_id names the function"


def test_two_students_handing_in_the_solutions_are_flagged_on_non_trivial_functions_only():
    solutions = _nb_codes(SOLUTIONS)
    pairs = find_pairs({"alice": solutions, "bob": solutions}, reference_sources(["course.losses"]))
    flagged = {p.function for p in pairs}
    assert {"huber_forward", "cross_entropy_backward", "multiclass_hinge_backward"} <= flagged
    assert not flagged & {"mse_forward", "mse_backward", "mae_forward", "softmax"}
    assert all((p.first, p.second, p.score) == ("alice", "bob", 1.0) for p in pairs)
