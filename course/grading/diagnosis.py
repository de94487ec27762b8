"""How a failed check is put into words: compact values, the inputs, the student's line, and the classic mistakes.

``course.grading.checks`` decides *whether* a result is right; this module says *what it looks like* when it is
not: a constant factor that means a flipped sign, a missing 1/N or ½; a shape that means a transpose, (N,) against
(N, 1), or a reduction over the wrong axis.
"""

import inspect
import os
import textwrap
import traceback

import numpy as np

__all__ = ["fmt", "render_failure", "is_numeric_sequence", "describe_inputs", "student_line", "batch_size",
           "scale_sentence", "diagnose_values", "shape_problem", "arg_names"]

# The course package's folder: frames inside it are the course's own, never the student's line.
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STDLIB = os.path.dirname(os.__file__) + os.sep
# Bound at import time, like course.grading.checks', so a student's rebinding of np.allclose changes nothing here.
_allclose = np.allclose
_asarray = np.asarray


def fmt(value, precision=5, threshold=12):
    """A compact, single-line rendering of an array or scalar for failure messages."""
    if isinstance(value, (tuple, list)) and not is_numeric_sequence(value):
        inner = ", ".join(fmt(v, precision, threshold) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
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


def render_failure(message, width=100):
    """The lines a failure shows: its first line after a red ✗ (wrapped, so that no window has to scroll sideways
    to read it: Validate's dialog does not wrap), then the rest (expected, got …) as they are."""
    first, *rest = str(message).splitlines() or [""]
    head = textwrap.wrap(first, width - 2, break_long_words=False, break_on_hyphens=False) or [""]
    return [f"\x1b[1;31m✗\x1b[0m \x1b[31m{head[0]}\x1b[0m", *(f"  \x1b[31m{line}\x1b[0m" for line in head[1:]),
            *rest]


def is_numeric_sequence(value):
    return all(isinstance(v, (int, float, np.number)) for v in value)


def arg_names(fn, n):
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(n)]


def describe_inputs(names, args):
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


def _library(filename):
    """A frame of the course or of an installed package (NumPy's own lines mean nothing to a student): as the grading
    sandbox skips them, so a kernel and the grader name the same line."""
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE) or "site-packages" in path or path.startswith(_STDLIB)


def student_line(exc):
    """The last line of the traceback that is not inside this package, so the student sees where it failed.

    An exception raised in the student's own process during cohort grading arrives with that line as text.
    """
    if getattr(exc, "remote_line", None) is not None:
        return exc.remote_line
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _library(f.filename)]
    if not frames:
        return ""
    f = frames[-1]
    code = (f.line or "").strip()
    return f" (at line {f.lineno}: `{code}`)" if code else f" (at line {f.lineno})"


def batch_size(args):
    for a in args:
        if isinstance(a, np.ndarray) and a.ndim >= 1:
            return a.shape[0], a.size
    return None, None


def scale_sentence(scale, n, size):
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


def diagnose_values(got, exp, n, size, rtol, atol):
    """Explain why two same-shape arrays differ: a classic scale error, or where they differ most. Entries equal in
    both (an infinity where one belongs, e.g. log 0) are not errors."""
    with np.errstate(invalid="ignore", over="ignore"):
        return _diagnose_values(got, exp, n, size, rtol, atol)


def _diagnose_values(got, exp, n, size, rtol, atol):
    g = got.astype(np.float64).ravel()
    e = exp.astype(np.float64).ravel()
    denom = float(e @ e)
    if denom > 0:
        scale = float(g @ e) / denom
        if _allclose(g, scale * e, rtol=max(rtol, 1e-5), atol=atol):
            sentence = scale_sentence(scale, n, size)
            if sentence:
                return sentence
            if g.size > 1 and not np.isclose(scale, 0):
                return f"is off by a constant factor of {scale:.4g} everywhere"
    if exp.ndim == 2 and exp.shape[0] == exp.shape[1] and exp.shape[0] > 1 and _allclose(got.T, exp, rtol=rtol,
                                                                                          atol=atol):
        return "is transposed"
    err = np.where(got == exp, 0.0, np.abs(got.astype(np.float64) - exp.astype(np.float64)))
    err = np.where(np.isnan(err), np.inf, err)  # NaN against a number is as wrong as it gets
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    wrong = int(np.sum(~np.isclose(got, exp, rtol=rtol, atol=atol)))
    of = f"{wrong} of {exp.size} entries are wrong; " if exp.size > 1 else ""
    return f"returned wrong values: {of}the largest error is {float(err.max()):.3g}{where}"


def shape_problem(what, g, e, rtol, atol):
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
