"""Checks that graded test cells call, with feedback that names the mistake.

``check(fn, *args, expected=...)`` calls a student's function safely and compares what it returns with an
independently computed answer. When they differ it says, in one plain sentence, which classic mistake the result
looks like (flipped sign, missing 1/N, missing ½, transpose, (N,) against (N, 1), an input changed in place, an
overflow ...) and prints expected and got values compactly.

nbgrader scores a test cell 0 when anything reaches stderr, so student code runs with warnings recorded and stderr
captured: a correct answer that NumPy warned about still passes, and the warning is mentioned only when the answer
is wrong.
"""

import contextlib
import copy
import inspect
import io
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from course.gradcheck import numerical_gradient

# Kept at import time: a solution cell that reassigns np.allclose or np.isfinite cannot change what we compare with.
_allclose = np.allclose
_isfinite = np.isfinite
_asarray = np.asarray

__all__ = ["check", "check_gradient", "Mistake", "CheckFailure", "numerical_gradient", "call_quietly",
           "assert_close", "fmt"]

TOL64 = {"rtol": 1e-6, "atol": 1e-9}
TOL32 = {"rtol": 2e-4, "atol": 1e-5}


class CheckFailure(AssertionError):
    """A graded check failed; the message says what the result looks like and shows expected against got."""


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation and the sentence that names it.

    ``fn`` is called with the same arguments as the student's function; when the student's result matches it, the
    failure message says ``sentence``.
    """

    sentence: str
    fn: Callable[..., Any]


def fmt(value, precision=5, threshold=12):
    """A compact, single-line rendering of an array or scalar for failure messages."""
    if isinstance(value, (tuple, list)) and not _is_numeric_sequence(value):
        return "(" + ", ".join(fmt(v, precision, threshold) for v in value) + ")"
    if value is None or isinstance(value, (str, dict, bool)):
        return repr(value)
    try:
        arr = _asarray(value)
    except Exception:  # noqa: BLE001 (anything unprintable is shown by repr)
        return repr(value)
    if arr.dtype == object:
        return repr(value)
    if arr.ndim == 0:
        return np.format_float_positional(float(arr), precision=precision + 2, unique=True, trim="-") \
            if np.issubdtype(arr.dtype, np.floating) else repr(arr.item())
    text = np.array2string(arr, precision=precision, threshold=threshold, edgeitems=3, separator=", ",
                           max_line_width=10_000, suppress_small=False)
    return " ".join(text.split()) + f"  shape {arr.shape}"


def _is_numeric_sequence(value):
    return all(isinstance(v, (int, float, np.number)) for v in value)


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


def _arg_names(fn, n):
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(n)]


def _describe_inputs(names, args):
    parts = []
    for name, a in zip(names, args):
        if isinstance(a, np.ndarray):
            parts.append(f"{name}: {a.dtype} {a.shape}")
        elif isinstance(a, (list, tuple)) and a and all(isinstance(x, np.ndarray) for x in a):
            parts.append(f"{name}: list of {len(a)} arrays")
        elif isinstance(a, (int, float, np.number)):
            parts.append(f"{name}={a!r}")
        elif isinstance(a, str) and len(a) <= 30:
            parts.append(f"{name}={a!r}")
        elif isinstance(a, tuple) and all(isinstance(x, int) for x in a):
            parts.append(f"{name}={a}")
    return ", ".join(parts)


def _student_line(exc):
    """The last line of the traceback that is not inside this package, so the student sees where it failed."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "course" not in f.filename.replace("\\", "/")
              .split("/")[-2:-1]]
    if not frames:
        return ""
    f = frames[-1]
    code = (f.line or "").strip()
    return f" (at line {f.lineno}: `{code}`)" if code else f" (at line {f.lineno})"


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


def _batch_size(args):
    for a in args:
        if isinstance(a, np.ndarray) and a.ndim >= 1:
            return a.shape[0], a.size
    return None, None


def _scale_sentence(scale, n, size):
    """Name a constant factor between got and expected, or return None when it is not a classic one."""
    named = [(-1.0, "has the wrong sign: it is exactly −1 × the right answer (a flipped sign)")]
    if n and n > 1:
        named += [(float(n), f"is N = {n} times too large: it sums over the batch where the mean is needed "
                             "(a missing 1/N)"),
                  (-float(n), f"has the wrong sign and is N = {n} times too large (a flipped sign and a missing 1/N)"),
                  (1.0 / n, f"is N = {n} times too small: it divides by N twice (an extra 1/N)")]
    if size and n and size != n and size > 1:
        named += [(float(size), f"is {size} times too large: it sums over all {size} elements where the mean "
                                "is needed (a missing 1/N)"),
                  (1.0 / size, f"is {size} times too small: it divides by the number of elements twice")]
    named += [(2.0, "is 2 times too large: a missing ½ (or an extra factor 2)"),
              (0.5, "is half the right value: an extra ½ (or a missing factor 2)"),
              (-2.0, "has the wrong sign and is 2 times too large (a flipped sign and a missing ½)"),
              (-0.5, "has the wrong sign and is half the right value (a flipped sign and an extra ½)")]
    for factor, sentence in named:
        if np.isclose(scale, factor, rtol=1e-4, atol=0):
            return sentence
    return None


def _diagnose_values(got, exp, n, size, rtol, atol):
    """Explain why two same-shape arrays differ: a classic scale error, or where they differ most."""
    g = got.astype(np.float64).ravel()
    e = exp.astype(np.float64).ravel()
    denom = float(e @ e)
    if denom > 0:
        scale = float(g @ e) / denom
        if _allclose(g, scale * e, rtol=max(rtol, 1e-5), atol=atol):
            sentence = _scale_sentence(scale, n, size)
            if sentence:
                return sentence
            if g.size > 1 and not np.isclose(scale, 0):
                return f"is off by a constant factor of {scale:.4g} everywhere"
    if exp.ndim == 2 and exp.shape[0] == exp.shape[1] and exp.shape[0] > 1 and _allclose(got.T, exp, rtol=rtol,
                                                                                          atol=atol):
        return "is transposed"
    err = np.abs(got.astype(np.float64) - exp.astype(np.float64))
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    wrong = int(np.sum(~np.isclose(got, exp, rtol=rtol, atol=atol)))
    of = f"{wrong} of {exp.size} entries are wrong; " if exp.size > 1 else ""
    return f"returned wrong values: {of}the largest error is {float(err.max()):.3g}{where}"


def _compare(got, exp, path, ctx):
    """Return None when ``got`` matches ``exp``, else (sentence, shown_expected, shown_got)."""
    rtol, atol, n, size, caught = ctx["rtol"], ctx["atol"], ctx["n"], ctx["size"], ctx["warnings"]
    what = f"`{path}`" if path else "the result"
    if isinstance(exp, (tuple, list)) and not (isinstance(exp, list) and _is_numeric_sequence(exp) and exp):
        if got is None:
            return f"returned None where {len(exp)} values were expected: is a `return` missing?", exp, got
        if not isinstance(got, (tuple, list)):
            return (f"returned a single {type(got).__name__} where a tuple of {len(exp)} values "
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
        return _shape_problem(what, g, e, rtol, atol), e, g
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
    sentence = _diagnose_values(g, e, n, size, rtol, atol)
    if any(issubclass(w.category, RuntimeWarning) for w in caught):
        sentence += f" (NumPy warned: {[str(w.message) for w in caught][0]})"
    return f"{what} {sentence}", e, g


def _shape_problem(what, g, e, rtol, atol):
    if g.ndim == 2 and e.ndim == 2 and g.shape == e.shape[::-1]:
        if _allclose(g.T, e, rtol=rtol, atol=atol):
            return f"{what} is transposed: it has shape {g.shape} where {e.shape} was expected"
        return f"{what} has shape {g.shape} where {e.shape} was expected: is a matrix transposed?"
    if e.ndim == 1 and g.shape == (e.shape[0], 1) or e.ndim == 2 and e.shape[1] == 1 and g.shape == (e.shape[0],):
        return (f"{what} has shape {g.shape} where {e.shape} was expected: (N,) and (N, 1) are different shapes; "
                "reshape so the result has the shape of the input")
    if e.ndim >= 1 and g.shape == (e.shape[0], e.shape[0]) and e.shape in {(e.shape[0],), (e.shape[0], 1)}:
        return (f"{what} has shape {g.shape} where {e.shape} was expected: an (N,) array met an (N, 1) array and "
                "broadcast to (N, N)")
    if e.ndim >= 1 and g.ndim == e.ndim - 1 and g.shape == e.shape[:-1] + () and g.size == e.size // e.shape[-1]:
        return f"{what} has shape {g.shape} where {e.shape} was expected: was it reduced over an axis by mistake?"
    if g.ndim == e.ndim - 1 and g.shape in {e.shape[1:], e.shape[:-1]}:
        return f"{what} has shape {g.shape} where {e.shape} was expected: it was summed over the wrong axis"
    if g.ndim == 1 and e.ndim == 1:
        return f"{what} has shape {g.shape} where {e.shape} was expected: summed over the wrong axis?"
    return f"{what} has shape {g.shape} where {e.shape} was expected"


def check(fn, *args, expected, kwargs=None, rtol=None, atol=None, mistakes=(), out_names=None, label=None,
          same_dtype=False):
    """Call ``fn(*args, **kwargs)`` and assert that it returns ``expected``.

    Parameters
    ----------
    fn : the student's function.
    *args : its positional arguments; they are checked to be unchanged after the call.
    expected : float, array, or a (nested) tuple / dict of them, computed independently of ``fn``.
    rtol, atol : tolerances; looser defaults are used automatically when any input is float32.
    mistakes : iterable of :class:`Mistake`; each is evaluated on copies of the arguments and, when the
        student's result matches it, its sentence is the feedback.
    out_names : names for the parts of a tuple result, e.g. ``("dx", "dW", "db")``.
    label : a few words on what this case is, shown in the failure (``"N=1"``, ``"logits of ±1000"``).

    Returns the student's result, so a test can go on to check more of it.
    """
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    name = _name(fn)
    names = _arg_names(fn, len(args))
    float32 = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
    tol = TOL32 if float32 else TOL64
    rtol = tol["rtol"] if rtol is None else rtol
    atol = tol["atol"] if atol is None else atol
    # The student's function gets the caller's own arrays, so an in-place change shows up against `before`.
    before = _copy_args((args, kwargs))
    result, caught, exc = call_quietly(fn, *args, **kwargs)
    inputs = _describe_inputs(names, before[0])
    where = f"{name}({inputs})" + (f" [{label}]" if label else "") + ":"
    if exc is not None:
        if isinstance(exc, NotImplementedError):
            raise CheckFailure(f"{name} is not implemented yet: it still raises NotImplementedError.") from None
        hint = ""
        if isinstance(exc, ValueError) and "broadcast" in str(exc):
            hint = (". Shapes that will not broadcast usually mean a sum or max lost its axis: keep it with "
                    "keepdims=True (or index with [:, None])")
        raise CheckFailure(f"{where} raised {type(exc).__name__}: {exc}{_student_line(exc)}{hint}.") from None
    for i, (b, a) in enumerate(zip(before[0], args)):
        if _changed(b, a):
            raise CheckFailure(
                f"{where} changed its input `{names[i]}` in place. Graded functions must leave their inputs "
                f"untouched: compute into a new array (e.g. `x = x.copy()` or `np.where(...)`) instead of "
                f"`x[...] = ...` or `x += ...`.\n  before: {fmt(b)}\n  after:  {fmt(a)}") from None
    n, size = _batch_size(before[0])
    ctx = {"rtol": rtol, "atol": atol, "warnings": caught, "out_names": list(out_names) if out_names else None,
           "n": n, "size": size}
    problem = _compare(result, expected, "", ctx)
    if problem is None:
        if same_dtype:
            _check_dtype(result, args, where)
        return result
    # A match with a known wrong implementation names the mistake better than the generic diagnosis.
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
