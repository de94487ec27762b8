"""Checks that graded test cells call, with feedback that names the mistake.

``check(fn, *args, expected=...)`` calls a student's function safely and compares what it returns with an
independently computed answer. When they differ it says, in one plain sentence, which classic mistake the result
looks like (flipped sign, missing 1/N, missing ½, transpose, (N,) against (N, 1), an input changed in place, an
overflow ...) and prints expected and got values compactly. A function's own catalogue of classic mistakes
(``course.grading.mistakes``) is consulted by its name, so a test cell need not pass it.

nbgrader scores a test cell 0 when anything reaches stderr, so student code runs with warnings recorded and stderr
captured: a correct answer that NumPy warned about still passes, and the warning is mentioned only when the answer
is wrong.
"""

import contextlib
import copy
import io
import warnings

import numpy as np

from course.demo import raised_in
from course.gradcheck import numerical_gradient
from course.grading.diagnosis import (arg_names, batch_size, describe_inputs, diagnose_values, fmt,
                                      is_numeric_sequence, render_failure, shape_problem, student_line)
from course.grading.mistakes import mistakes_of
from course.grading.mutants import Mistake

# Kept at import time: a solution cell that reassigns np.allclose or np.isfinite cannot change what we compare with.
_allclose = np.allclose
_isfinite = np.isfinite
_asarray = np.asarray

__all__ = ["check", "check_gradient", "Mistake", "CheckFailure", "render_failure", "numerical_gradient",
           "call_quietly", "call_student", "fail", "not_implemented", "raised", "assert_close", "fmt"]

TOL64 = {"rtol": 1e-6, "atol": 1e-9}
TOL32 = {"rtol": 2e-4, "atol": 1e-5}


class CheckFailure(AssertionError):
    """A graded check failed; the message says what the result looks like and shows expected against got.

    In a notebook it shows as one short block (✗, the sentence, expected and got) instead of a traceback: IPython
    calls ``_render_traceback_`` for the lines of an error's output, and so do the course's grader and Validate.
    """

    def _render_traceback_(self):
        return render_failure(str(self))


def _copy_args(args):
    return copy.deepcopy(args)


@contextlib.contextmanager
def _quiet():
    """Record warnings and swallow stderr so nothing reaches nbgrader's stderr stream."""
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("always")
        yield caught


def call_quietly(fn, *args, **kwargs):
    """Call ``fn`` with warnings recorded and stderr captured. Returns ``(result, warnings, exception)``."""
    with _quiet() as caught:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 (the student's error becomes feedback, not a crash)
            return None, list(caught), exc
    return result, list(caught), None


def _name(fn):
    return getattr(fn, "__name__", "your function")


def not_implemented(fn, exc=None):
    inner = raised_in(exc, fn) if exc is not None else None
    if inner:  # the student's function is written, but calls one of theirs that is not
        return CheckFailure(f"{_name(fn)} calls {inner}, which is not implemented yet: write {inner} first.")
    return CheckFailure(f"{_name(fn)} is not implemented yet: it still raises NotImplementedError.")


def raised(where, exc, hint=""):
    """The failure for a student function that raised: the exception, the student's own line, a hint."""
    return CheckFailure(f"{where} raised {type(exc).__name__}: {exc}{student_line(exc)}{hint}.")


def fail(where, sentence):
    """Raise the failure ``"<where>: <sentence>."`` (a check engine's own finding about a student's function)."""
    raise CheckFailure(f"{where}: {sentence}.")


def call_student(fn, *args, where, **kwargs):
    """Call a student's function quietly and return its result; an exception becomes the failure that names it.

    ``where`` is how the call is shown (``"kaiming_uniform((3, 4)) [label]:"``). Every check engine opens with
    this, so a function that is not written yet, or that raises, reads the same in every lesson.
    """
    __tracebackhide__ = True
    result, _, exc = call_quietly(fn, *args, **kwargs)
    if isinstance(exc, NotImplementedError):
        raise not_implemented(fn, exc) from None
    if exc is not None:
        raise raised(where, exc) from None
    return result


def _changed(before, after):
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and before.shape == after.shape
                    and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, (list, tuple)):
        return len(before) != len(after) or any(_changed(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return before.keys() != after.keys() or any(_changed(before[k], after[k]) for k in before)
    if isinstance(before, (int, float, np.number)):
        # NaN != NaN, so an unchanged NaN entry is recognised by `before != before`.
        return not (isinstance(after, (int, float, np.number)) and (before == after or before != before))
    return False


def _compare(got, exp, path, ctx):
    """Return None when ``got`` matches ``exp``, else (sentence, shown_expected, shown_got)."""
    rtol, atol, n, size, caught = ctx["rtol"], ctx["atol"], ctx["n"], ctx["size"], ctx["warnings"]
    what = f"`{path}`" if path else "the result"
    if isinstance(exp, (tuple, list)) and not (isinstance(exp, list) and is_numeric_sequence(exp) and exp):
        if got is None:
            return f"returned None where {len(exp)} values were expected: is a `return` missing?", exp, got
        if not isinstance(got, (tuple, list)):
            kind = "list" if isinstance(exp, list) else "tuple"
            return (f"returned a single {type(got).__name__} where a {kind} of {len(exp)} values "
                    f"({', '.join(ctx['out_names'] or ['...'])}) was expected"), exp, got
        if len(got) != len(exp):
            return f"returned {len(got)} values where {len(exp)} were expected", exp, got
        names = ctx["out_names"] if not path and ctx["out_names"] else [f"{path or 'result'}[{i}]"
                                                                        for i in range(len(exp))]
        for name, g, e in zip(names, got, exp):
            problem = _compare(g, e, name, ctx)
            if problem:
                return problem
        return None
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return f"{what} should be a dict with keys {sorted(exp)}", exp, got
        missing = [k for k in exp if k not in got]
        if missing:
            return f"{what} is missing the key(s) {missing}", sorted(exp), sorted(got)
        for k in exp:
            problem = _compare(got[k], exp[k], f"{path}[{k!r}]" if path else f"result[{k!r}]", ctx)
            if problem:
                return problem
        return None
    if exp is None or isinstance(exp, (str, bool)):
        return None if got == exp else (f"{what} should be {exp!r}", exp, got)
    if got is None:
        return f"{what} is None: is a `return` missing?", exp, got
    scalar_expected = not isinstance(exp, (np.ndarray, list, tuple))
    try:
        g = _asarray(got)
        e = exp if isinstance(exp, np.ndarray) else _asarray(exp, dtype=np.float64)
    except Exception:  # noqa: BLE001
        return f"{what} is a {type(got).__name__}, not a number or an array", exp, got
    if g.dtype == object or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        return f"{what} is a {type(got).__name__} of {g.dtype}, not numbers", exp, got
    if scalar_expected and g.size != 1:
        return (f"{what} is an array of shape {g.shape}, but a single number was expected: "
                "reduce it (a loss is the mean over the batch)"), exp, got
    if scalar_expected:
        g = g.reshape(())
    elif g.shape != e.shape:
        return shape_problem(what, g, e, rtol, atol), e, g
    if not np.all(_isfinite(g)) and np.all(_isfinite(e)):
        warned = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
        if any("overflow" in w for w in warned) or not warned:
            msg = (f"{what} contains NaN or inf where the answer is finite: an overflow. Use a numerically stable "
                   "formula (subtract the row maximum before exp, use np.logaddexp / log-sum-exp, or clip)")
        else:
            msg = (f"{what} contains NaN or inf where the answer is finite: a division by zero or a log of 0 "
                   "(0/0 gives NaN). Guard the denominator or clip the argument")
        if warned:
            msg += f"; NumPy warned: {warned[0]}"
        return msg, e, g
    if np.issubdtype(e.dtype, np.integer) or e.dtype == bool:
        same = g.shape == e.shape and np.array_equal(g, e)
        return None if same else (f"{what} has the wrong values", e, g)
    if _allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
        return None
    sentence = diagnose_values(g, e, n, size, rtol, atol)
    if any(issubclass(w.category, RuntimeWarning) for w in caught):
        sentence += f" (NumPy warned: {[str(w.message) for w in caught][0]})"
    return f"{what} {sentence}", e, g


def check(fn, *args, expected, kwargs=None, rtol=None, atol=None, mistakes=None, out_names=None, label=None,
          same_dtype=False):
    """Call ``fn(*args, **kwargs)`` and assert that it returns ``expected``.

    Parameters
    ----------
    fn : the student's function.
    *args : its positional arguments; they are checked to be unchanged after the call.
    expected : float, array, or a (nested) tuple / dict of them, computed independently of ``fn``.
    rtol, atol : tolerances; looser defaults are used automatically when any input is float32.
    mistakes : iterable of :class:`Mistake`; each is evaluated on copies of the arguments and, when the
        student's result matches it, its sentence is the feedback. ``None`` (the default) uses the catalogue of
        the function's name in :mod:`course.grading.mistakes`; ``()`` names no mistake.
    out_names : names for the parts of a tuple result, e.g. ``("dx", "dW", "db")``.
    label : a few words on what this case is, shown in the failure (``"N=1"``, ``"logits of ±1000"``).

    Returns the student's result, so a test can go on to check more of it.
    """
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    name = _name(fn)
    names = arg_names(fn, len(args))
    float32 = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
    tol = TOL32 if float32 else TOL64
    rtol = tol["rtol"] if rtol is None else rtol
    atol = tol["atol"] if atol is None else atol
    # The student's function gets the caller's own arrays, so an in-place change shows up against `before`.
    before = _copy_args((args, kwargs))
    result, caught, exc = call_quietly(fn, *args, **kwargs)
    inputs = describe_inputs(names, before[0])
    where = f"{name}({inputs})" + (f" [{label}]" if label else "") + ":"
    if exc is not None:
        if isinstance(exc, NotImplementedError):
            raise not_implemented(fn, exc) from None
        hint = ""
        if isinstance(exc, ValueError) and "broadcast" in str(exc):
            hint = (". Shapes that will not broadcast usually mean a sum or max lost its axis: keep it with "
                    "keepdims=True (or index with [:, None])")
        raise raised(where, exc, hint) from None
    for i, (b, a) in enumerate(zip(before[0], args)):
        if _changed(b, a):
            raise CheckFailure(
                f"{where} changed its input `{names[i]}` in place. Graded functions must leave their inputs "
                f"untouched: compute into a new array (e.g. `x = x.copy()` or `np.where(...)`) instead of "
                f"`x[...] = ...` or `x += ...`.\n  before: {fmt(b)}\n  after:  {fmt(a)}") from None
    n, size = batch_size(before[0])
    ctx = {"rtol": rtol, "atol": atol, "warnings": caught, "out_names": list(out_names) if out_names else None,
           "n": n, "size": size}
    problem = _compare(result, expected, "", ctx)
    if problem is None:
        if same_dtype:
            _check_dtype(result, args, where)
        return result
    # A match with a known wrong implementation names the mistake better than the generic diagnosis.
    if mistakes is None:
        mistakes = mistakes_of(name)
    for mistake in mistakes:
        value, _, err = call_quietly(mistake.fn, *_copy_args(before[0]), **_copy_args(before[1]))
        if err is None and _compare(result, value, "", dict(ctx, warnings=[])) is None:
            problem = (mistake.sentence, problem[1], problem[2])
            break
    sentence, exp_shown, got_shown = problem
    raise CheckFailure(f"{where} {sentence.rstrip('.')}.\n  expected: {fmt(exp_shown)}\n"
                       f"  got:      {fmt(got_shown)}") from None


def _check_dtype(result, args, where):
    first = next((a for a in args if isinstance(a, np.ndarray)), None)
    if first is not None and isinstance(result, np.ndarray) and np.issubdtype(first.dtype, np.floating):
        if result.dtype != first.dtype:
            raise CheckFailure(f"{where} returned {result.dtype} for {first.dtype} input: keep the input's dtype.")


def check_gradient(backward, *args, loss, wrt=0, h=1e-6, **check_kwargs):
    """Check ``backward(*args)`` against the central-difference gradient of the reference scalar ``loss(*args)``.

    The expected value comes from differentiating the *reference* forward numerically, so a student's wrong forward
    never costs a correct backward its points.
    """
    __tracebackhide__ = True

    def f(x):
        a = list(args)
        a[wrt] = x
        return loss(*a)

    expected = numerical_gradient(f, args[wrt], h=h)
    check_kwargs.setdefault("rtol", 1e-5)
    check_kwargs.setdefault("atol", 1e-7)
    return check(backward, *args, expected=expected, **check_kwargs)


def assert_close(got, expected, what, rtol=1e-6, atol=1e-9):
    """Assert that a value computed in a notebook matches a known number, naming it in the failure."""
    __tracebackhide__ = True
    problem = _compare(got, expected, "", {"rtol": rtol, "atol": atol, "warnings": [], "out_names": None,
                                           "n": None, "size": None})
    if problem:
        sentence, e, g = problem
        raise CheckFailure(f"{what}: {sentence}.\n  expected: {fmt(e)}\n  got:      {fmt(g)}") from None
