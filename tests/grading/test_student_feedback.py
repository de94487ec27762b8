"""What a student sees when a test fails, what the scorecard says, and how demos cope with unwritten functions."""

import json

import numpy as np
import pytest

from course.demo import DemoNeedsFunction, yours
from course.grading import CheckFailure, check
from course.grading.checks import render_failure
from course.grading.scorecard import ScorecardFailure, scorecard


def _strip_ansi(lines):
    import re

    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]


def test_a_failed_check_renders_as_one_short_block_without_a_traceback():
    def mse_backward(y_pred, y):
        return -2.0 * (y_pred - y) / y_pred.size

    with pytest.raises(CheckFailure) as info:
        check(mse_backward, np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0]), expected=np.array([0, 4 / 3, 2.0]))
    lines = _strip_ansi(info.value._render_traceback_())
    *sentence, expected, got = lines
    assert sentence[0].startswith("✗ mse_backward(") and "flipped sign" in " ".join(sentence), lines
    assert expected.startswith("  expected: ") and got.startswith("  got:      "), lines
    assert all(len(line) <= 100 for line in sentence), "the sentence is wrapped: Validate's dialog does not wrap"
    assert not any("Traceback" in line or "File " in line or "course/" in line for line in lines), lines


def test_render_failure_keeps_every_line_of_the_message_and_marks_only_the_first():
    lines = _strip_ansi(render_failure("f: wrong.\n  expected: 1\n  got:      2"))
    assert lines == ["✗ f: wrong.", "  expected: 1", "  got:      2"]


def test_ipython_shows_the_block_instead_of_a_traceback():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown = []
    shell._showtraceback = lambda etype, evalue, stb: shown.append(stb)  # what a kernel would send as the traceback
    try:
        shell.run_cell("from course.grading import CheckFailure\nraise CheckFailure('f: wrong.\\n  expected: 1')")
    finally:
        InteractiveShell.clear_instance()
    assert _strip_ansi(shown[0]) == ["✗ f: wrong.", "  expected: 1"]


def _notebook(tmp_path, tests):
    cells = [{"cell_type": "code", "source": src, "metadata": {"nbgrader": {"grade": True, "grade_id": gid,
                                                                          "points": pts}}}
             for gid, pts, src in tests]
    cells.append({"cell_type": "code", "source": "scorecard('l.ipynb')",
                  "metadata": {"nbgrader": {"grade": True, "grade_id": "scorecard", "points": 0}}})
    path = tmp_path / "l.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


TESTS = [("test_double", 3, "check(double, 2.0, expected=4.0)"),
         ("test_half", 2, "check(half, 4.0, expected=2.0)"),
         ("test_todo", 5, "check(todo, 1.0, expected=1.0)")]


def _namespace():
    def double(x):
        return 2 * x

    def half(x):
        return -x / 2  # a flipped sign

    def todo(x):
        raise NotImplementedError

    return {"check": check, "double": double, "half": half, "todo": todo}


def test_scorecard_runs_every_test_again_and_names_each_failing_function(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _notebook(tmp_path, TESTS)
    with pytest.raises(ScorecardFailure) as info:
        scorecard("l.ipynb", namespace=_namespace())
    lines = str(info.value).splitlines()
    assert lines[0] == "1/3 pass (3/10 points); failing:", lines
    assert lines[1].startswith("  ✗ half: half(x=4.0): the result has the wrong sign"), lines
    assert lines[2] == "  ✗ todo: not written yet", lines
    assert lines[3] == "  ✓ passing: double", lines


def test_scorecard_sees_a_function_fixed_since_its_test_last_ran(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _notebook(tmp_path, TESTS)
    ns = _namespace()
    ns["half"], ns["todo"] = (lambda x: x / 2), (lambda x: x)
    assert scorecard(namespace=ns) == {"passed": 3, "total": 3, "failing": []}  # the one notebook in the folder
    assert "3/3 pass (10/10 points)" in capsys.readouterr().out


def test_scorecard_outside_jupyter_says_so_instead_of_failing(capsys, monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)  # as in the grader's judge process
    assert scorecard("missing.ipynb") is None
    assert "The scorecard runs in Jupyter" in capsys.readouterr().out


def test_scorecard_names_the_notebook_it_cannot_find(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="scorecard\\('01_losses.ipynb'\\)"):
        scorecard("nope.ipynb", namespace={})


def sigmoid_forward(z):
    return 1.0 / (1.0 + np.exp(-z)), None


def sigmoid_backward(da, cache):
    raise NotImplementedError


def relu_backward(da, cache):
    raise ValueError("operands could not be broadcast")


def test_a_demo_uses_the_students_function_and_borrows_only_the_unwritten_one(capsys):
    from course import activations

    z = np.array([-1.0, 0.0, 2.0])
    with yours(sigmoid_forward, sigmoid_backward) as my:
        a, _ = my.sigmoid_forward(z)
        _, cache = activations.sigmoid_forward(z)
        da = my.sigmoid_backward(np.ones(3), cache)
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(da, a * (1 - a))  # the course's sigmoid_backward, computed independently here
    assert capsys.readouterr().out.strip() == \
        "ⓘ This demo borrowed the course's sigmoid_backward (yours is not written yet)."
    assert my.borrowed == {"sigmoid_backward": "yours is not written yet"}


def test_a_demo_says_when_the_students_function_raised_and_stays_with_the_course_version():
    calls = []

    def relu_forward(z):
        calls.append(1)
        raise ValueError("bad shape")

    my = yours(relu_forward)
    for _ in range(3):
        np.testing.assert_array_equal(my.relu_forward(np.array([-1.0, 2.0]))[0], [0.0, 2.0])
    assert len(calls) == 1, "once borrowed, a function stays borrowed for the rest of the demo"
    assert my.note() == "ⓘ This demo borrowed the course's relu_forward (yours raised ValueError: bad shape)."


def test_a_demo_with_nothing_to_borrow_says_what_to_write_in_one_line():
    def my_own_idea(x):
        raise NotImplementedError

    with pytest.raises(DemoNeedsFunction) as info:
        yours(my_own_idea).my_own_idea(1)
    assert _strip_ansi(info.value._render_traceback_()) == [
        "ⓘ This demo needs your my_own_idea, and yours is not written yet: write it above, run its cell, then run "
        "this one again."]


def test_a_generator_that_fails_on_its_first_item_is_borrowed_too():
    def iterate_minibatches(X, y, batch_size, rng):
        raise NotImplementedError
        yield  # a generator: it fails only when iterated

    my = yours(iterate_minibatches)
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    batches = list(my.iterate_minibatches(X, y, 2, rng=np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [2, 2, 1]
    assert sorted(np.concatenate([b[1] for b in batches])) == [0, 1, 2, 3, 4]
    assert "iterate_minibatches (yours is not written yet)" in my.note()


def test_an_explorer_shows_what_it_borrowed_and_survives_a_missing_function():
    from course.viz import figure
    from course.widgets import explorer, slider

    def sigmoid_forward(z):
        raise NotImplementedError

    my = yours(sigmoid_forward)

    def draw(scale):
        fig, ax = figure()
        ax.plot(my.sigmoid_forward(np.linspace(-scale, scale, 5))[0])
        return fig

    box = explorer(draw, {"scale": slider(1.0, 0.5, 3.0, 0.5, "scale")}, borrowing=my)
    assert box.renders == 1 and "borrowed the course&#x27;s sigmoid_forward" in box.note.value

    def needs_nothing_known(scale):
        yours(sigmoid_forward, references={"sigmoid_forward": None})  # noqa: B018 (builds, calls nothing)
        raise DemoNeedsFunction("This demo needs your magic, and yours is not written yet.")

    box = explorer(needs_nothing_known, {"scale": slider(1.0, 0.5, 3.0, 0.5, "scale")})
    assert box.renders == 0 and "needs your magic" in box.note.value


def test_a_function_that_calls_an_unwritten_one_is_told_apart_from_an_unwritten_function():
    def accuracy(scores, labels):
        raise NotImplementedError

    def train(x):
        return accuracy(x, x)

    with pytest.raises(CheckFailure, match=r"^train calls accuracy, which is not implemented yet: write accuracy"):
        check(train, 1.0, expected=1.0)
    with pytest.raises(CheckFailure, match=r"^accuracy is not implemented yet"):
        check(accuracy, 1.0, 2.0, expected=1.0)
    my = yours(train, references={"train": lambda x: 0.5})
    assert my.train(1.0) == 0.5
    assert my.note() == "ⓘ This demo borrowed the course's train (yours calls accuracy, which is not written yet)."
