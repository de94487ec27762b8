"""The check engines of 04_initialization: statistical checks of random initializers that name the mistake.

A random initializer cannot be compared with exact numbers (two correct students may draw differently), so
``check_random`` judges a sample by its shape, dtype, bounds, mean, std and shape of distribution, each within a
tolerance of 5 standard errors for the sample size, and names the mistake whose parameters the sample fits.
``check_uses_rng`` proves the function draws from the ``rng`` it is given. ``reference_helpers`` lets a test cell
grade ``xavier_*`` / ``kaiming_*`` on their own: inside it, the notebook's ``calculate_gain``,
``calculate_fan_in_and_fan_out``, ``uniform_init`` and ``normal_init`` are the course's reference versions, so a
mistake in a helper costs only the helper's points.
"""

import math

import numpy as np

from course import init as _ref
from course.grading import lending
from course.grading.checks import CheckFailure, call_quietly, call_student, fmt, not_implemented

__all__ = ["check_random", "check_uses_rng", "check_raises", "check_float64", "check_orthogonal",
           "check_orthogonal_signs", "reference_helpers", "HELPERS"]

HELPERS = ("calculate_gain", "calculate_fan_in_and_fan_out", "uniform_init", "normal_init")
_KURTOSIS = {"uniform": 1.8, "normal": 3.0}  # E[(x − μ)⁴] / σ⁴


def _where(fn, args, kwargs, label):
    shown = ", ".join([repr(tuple(a)) if isinstance(a, list) else repr(a) for a in args]
                      + [f"{k}={v!r}" for k, v in kwargs.items() if k != "rng"])
    return f"{getattr(fn, '__name__', 'your function')}({shown})" + (f" [{label}]" if label else "") + ":"


def _check_array(result, shape, where):
    __tracebackhide__ = True
    if not isinstance(result, np.ndarray):
        raise CheckFailure(f"{where} returned {type(result).__name__}, not a NumPy array"
                           + (": is a `return` missing?" if result is None else "."))
    if result.shape != tuple(shape):
        hint = (": the weight is (out_features, in_features), so is it transposed?"
                if result.shape == tuple(shape)[::-1] else ": build the array with exactly the given shape")
        raise CheckFailure(f"{where} returned shape {result.shape} where {tuple(shape)} was expected{hint}.")
    check_float64(result, where)
    if not np.all(np.isfinite(result)):
        raise CheckFailure(f"{where} returned NaN or inf values.")


def check_float64(result, where):
    """Weights are float64: an integer array (``np.full(shape, 2)``) would truncate every update to whole numbers."""
    __tracebackhide__ = True
    if not isinstance(result, np.ndarray) or result.dtype != np.float64:
        got = result.dtype if isinstance(result, np.ndarray) else type(result).__name__
        why = ("an integer fill value gives an integer array" if isinstance(result, np.ndarray)
               and np.issubdtype(result.dtype, np.integer) else "the fill value's type decides the array's dtype")
        raise CheckFailure(f"{where} returned {got} where float64 weights are expected ({why}: pass "
                           "dtype=np.float64).")


def _stats(x):
    x = x.ravel()
    m, s = float(x.mean()), float(x.std())
    kurt = float(np.mean((x - m) ** 4) / s**4) if s > 0 else float("nan")
    return m, s, kurt


def _params(dist, p):
    """(mean, std) of a distribution given as dict(low=, high=) for uniform or dict(mean=, std=) for normal."""
    if dist == "uniform":
        return (p["low"] + p["high"]) / 2, (p["high"] - p["low"]) / math.sqrt(12)
    return p.get("mean", 0.0), p["std"]


def _fits(x, dist, p, n):
    """None when the sample ``x`` fits the distribution (5 standard errors), else (what, expected, got)."""
    mu, sigma = _params(dist, p)
    m, s, kurt = _stats(x)
    if dist == "uniform":
        span = p["high"] - p["low"]
        slack = 1e-12 * max(1.0, abs(p["low"]), abs(p["high"]))
        if x.min() < p["low"] - slack or x.max() > p["high"] + slack:
            shape = ": they look normally distributed, draw uniformly" if kurt > 2.4 else ""
            return f"values lie outside the bounds{shape}", f"[{p['low']:.6g}, {p['high']:.6g}]", \
                f"[{x.min():.6g}, {x.max():.6g}]"
        near = 20.0 / n * span  # P(no draw within `near` of a bound) = (1 − 20/n)^n ≈ e^−20
        if x.min() > p["low"] + near or x.max() < p["high"] - near:
            return "values do not reach the bounds", f"[{p['low']:.6g}, {p['high']:.6g}]", \
                f"[{x.min():.6g}, {x.max():.6g}]"
    se_mean = sigma / math.sqrt(n)
    se_std = sigma * math.sqrt((_KURTOSIS[dist] - 1.0) / (4.0 * n))
    if abs(m - mu) > 5 * se_mean + 1e-12:
        return "the sample mean is off", f"mean {mu:.6g} ± {5 * se_mean:.2g}", f"mean {m:.6g}"
    if abs(s - sigma) > 5 * se_std + 1e-12:
        return "the sample std is off", f"std {sigma:.6g} ± {5 * se_std:.2g}", f"std {s:.6g} (ratio {s / sigma:.4g})"
    if (kurt < 2.4) != (dist == "uniform"):
        other = "uniform" if kurt < 2.4 else "normal (bell-shaped)"
        return (f"the values look {other}, not {dist}", f"kurtosis {_KURTOSIS[dist]}", f"kurtosis {kurt:.3g}")
    return None


def check_random(fn, *args, dist, kwargs=None, wrong=(), label=None, seed=0, **params):
    """Call ``fn(*args, rng=np.random.default_rng(seed), **kwargs)`` and judge the sample statistically.

    ``dist="uniform"`` with ``low``, ``high`` or ``dist="normal"`` with ``mean`` (default 0), ``std``. The sample must
    have shape ``args[0]``, dtype float64, lie within (and reach) uniform bounds, and match the mean, std and
    kurtosis within 5 standard errors. ``wrong`` is a list of ``(sentence, dist, params)``: when the sample fits a
    classic mistake's distribution instead, the sentence is the feedback. Returns the sample.
    """
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    where = _where(fn, args, kwargs, label)
    x = call_student(fn, *args, where=where, **kwargs, rng=np.random.default_rng(seed))
    _check_array(x, args[0], where)
    problem = _fits(x, dist, params, x.size)
    if problem is None:
        return x
    for sentence, wrong_dist, wrong_params in wrong:
        if _fits(x, wrong_dist, wrong_params, x.size) is None:
            raise CheckFailure(f"{where} {sentence}.\n  expected: {problem[1]}\n  got:      {problem[2]}")
    what, expected, got = problem
    raise CheckFailure(f"{where} {what} ({x.size} draws, tolerance 5 standard errors).\n  expected: {expected}\n"
                       f"  got:      {got}")


def check_uses_rng(fn, *args, kwargs=None, label=None):
    """Assert ``fn`` draws from the generator it is given, and from a fresh one when ``rng=None``.

    Equal seeds must give equal weights, different seeds different weights, and the generator must advance.
    """
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    where = _where(fn, args, kwargs, label)

    def draw(rng):
        return np.asarray(call_student(fn, *args, where=where, **kwargs, rng=rng), dtype=float)

    a, b = draw(np.random.default_rng(2024)), draw(np.random.default_rng(2024))
    if a.shape != b.shape or not np.array_equal(a, b):
        raise CheckFailure(f"{where} ignores the `rng` argument: two generators in the same state gave different "
                           "weights. Draw with the given rng (rng.uniform, rng.normal ...), not np.random.* or a new "
                           "default_rng().")
    if np.array_equal(a, draw(np.random.default_rng(2025))):
        raise CheckFailure(f"{where} ignores the `rng` argument: generators in different states gave the same "
                           "weights. Draw with the given rng instead of a generator of your own.")
    rng = np.random.default_rng(7)
    before = rng.bit_generator.state  # a generator that is never drawn from keeps its state
    draw(rng)
    if rng.bit_generator.state == before:
        raise CheckFailure(f"{where} never drew from the given `rng` (its state did not advance).")
    try:
        first, second = draw(None), draw(None)
    except CheckFailure as failure:
        raise CheckFailure(f"{failure} [rng=None]: None must mean a fresh generator, "
                           "`rng = np.random.default_rng() if rng is None else rng`.") from None
    if np.array_equal(first, second):
        raise CheckFailure(f"{where} returned the same weights in two calls with rng=None: None means a fresh "
                           "np.random.default_rng(), not a fixed one.")


def check_raises(fn, *args, exc=ValueError, label=None, **kwargs):
    """Assert ``fn(*args, **kwargs)`` raises ``exc`` (and nothing else)."""
    __tracebackhide__ = True
    where = _where(fn, args, kwargs, label)
    result, _, err = call_quietly(fn, *args, **kwargs)
    if isinstance(err, NotImplementedError):
        raise not_implemented(fn, err)
    if err is None:
        shown = f"an array of shape {result.shape}" if isinstance(result, np.ndarray) else fmt(result)
        raise CheckFailure(f"{where} returned {shown} where it should raise {exc.__name__}: an unsupported "
                           "input must fail loudly, not give a silent default.")
    if not isinstance(err, exc):
        raise CheckFailure(f"{where} raised {type(err).__name__}: {err} where {exc.__name__} was expected: check the "
                           f"input first and raise {exc.__name__} with a clear message.")


def check_orthogonal(fn, shape, gain=1.0, label=None, seed=0):
    """Shape, dtype and (semi-)orthogonality: ``WᵀW = gain²·I`` when tall, ``WWᵀ = gain²·I`` when wide.

    A conv-shaped weight (out, in, k, …) is judged as its (out, in·k·…) matrix. Returns the weight.
    """
    __tracebackhide__ = True
    kwargs = {"gain": gain} if gain != 1.0 else {}
    where = _where(fn, (shape,), kwargs, label)
    wide = shape[0] < math.prod(shape[1:])
    hint = (" For a wide weight (rows < cols), factor the tall matrix of the transposed shape and transpose Q back."
            if wide else "")
    try:
        w = call_student(fn, shape, where=where, **kwargs, rng=np.random.default_rng(seed))
        _check_array(w, shape, where)
    except CheckFailure as failure:
        raise CheckFailure(f"{failure}{hint}") from None
    m = w.reshape(shape[0], -1)
    rows, cols = m.shape
    gram = m.T @ m if rows >= cols else m @ m.T
    which = "WᵀW" if rows >= cols else "WWᵀ"
    target = gain**2 * np.eye(min(rows, cols))
    if not np.allclose(gram, target, atol=1e-9):
        scale = float(np.trace(gram)) / min(rows, cols)
        if np.allclose(gram, scale * np.eye(min(rows, cols)), atol=1e-9):
            hint = (f"orthogonal, but scaled by {math.sqrt(scale):.6g} instead of the gain {gain:.6g}"
                    + (" (is the gain missing?)" if np.isclose(scale, 1.0) else
                       " (is the gain applied twice, gain²?)" if np.isclose(scale, gain**4) else ""))
            raise CheckFailure(f"{where} is {hint}.\n  expected: {which} = {gain**2:.6g}·I\n"
                               f"  got:      {which} = {scale:.6g}·I")
        if rows < cols:
            hint = ("not orthogonal along its rows: for a wide weight (rows < cols) factor the transposed, tall "
                    "matrix and transpose Q back")
        else:
            hint = "not orthogonal: use Q from the QR factorisation of a standard-normal matrix"
        raise CheckFailure(f"{where} is {hint}.\n  expected {which}: {fmt(target)}\n"
                           f"  got:      {fmt(np.round(gram, 6))}")
    return w


def check_orthogonal_signs(fn, shape, draws=200, label=None):
    """Q must be uniformly distributed over orthogonal matrices: its first entry is positive about half the time.

    numpy's QR (Householder) makes R's first diagonal entry −sign(a₀₀)·‖a₀‖, so an uncorrected Q always has
    Q[0, 0] ≤ 0; multiplying the columns by sign(diag(R)) removes that bias.
    """
    __tracebackhide__ = True
    where = _where(fn, (shape,), {}, label)
    first = [float(np.asarray(call_student(fn, shape, where=where, rng=np.random.default_rng(s))).flat[0])
             for s in range(draws)]
    frac = float(np.mean(np.array(first) > 0))
    if abs(frac - 0.5) > 5 * math.sqrt(0.25 / draws):
        raise CheckFailure(f"{where} is biased: its first entry was positive in {frac:.0%} of {draws} draws "
                           "(about 50% expected). Correct the signs: multiply Q's columns by np.sign(np.diag(R)) "
                           "so Q is uniformly distributed over orthogonal matrices.")


def reference_helpers(namespace, names=HELPERS, module=_ref):
    """:func:`course.grading.lending.reference_helpers` with 04's helpers (from :mod:`course.init`) by default."""
    return lending.reference_helpers(namespace, names, module)
