"""The check engines of 06_capstone's dropout: it is random, so it is graded statistically and structurally.

``check_dropout_forward`` judges the mask's values, the fraction zeroed, ``out = x·mask`` and the use of ``rng``;
``check_dropout_identity`` evaluation mode and ``p = 0``; ``check_dropout_all_dropped`` ``p = 1``.
"""

import numpy as np

from course.grading.checks import call_student, fail, fmt

__all__ = ["check_dropout_forward", "check_dropout_identity", "check_dropout_all_dropped"]


def _dropout_call(fn, x, p, training, seed, where):
    before = x.copy()
    result = call_student(fn, x, p, training, np.random.default_rng(seed), where=f"{where}:")
    if not np.array_equal(before, x):
        fail(where, "changed its input `x` in place: compute into a new array (out = x * mask)")
    if not isinstance(result, tuple) or len(result) != 2:
        fail(where, f"should return the pair (out, cache); it returned {fmt(result)}")
    out, cache = result
    out = np.asarray(out)
    if out.shape != x.shape:
        fail(where, f"out has shape {out.shape} where {x.shape} (the shape of x) was expected")
    if not np.all(np.isfinite(out)):
        fail(where, "out contains NaN or inf (is 0·inf or 1/0 computed somewhere?)")
    return out, cache


def check_dropout_forward(fn, p, shape=(200, 500), dtype=np.float64, seed=0):
    """Grade a training-mode ``dropout_forward(x, p, True, rng)`` statistically and structurally.

    With every entry of ``x`` nonzero, ``out / x`` is the mask: each entry must be 0 or 1/(1 − p), the fraction of
    zeros must be p within six standard deviations of a binomial draw, the cache must be that scaled mask with
    ``out = x·mask``, rows must get their own draws, and the draws must come from ``rng`` alone (the same seed gives
    the same mask, another seed another one).
    """
    __tracebackhide__ = True
    x = (0.5 + np.random.default_rng(99).random(shape)).astype(dtype)
    where = f"{fn.__name__}(x: {np.dtype(dtype).name} {shape}, p={p}, training=True)"
    out, cache = _dropout_call(fn, x, p, True, seed, where)
    ratio = out.astype(np.float64) / x.astype(np.float64)
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    zero = np.isclose(ratio, 0.0, atol=1e-12)
    scale = 1.0 / (1.0 - p) if p < 1 else 0.0
    kept = np.isclose(ratio, scale, rtol=rtol)
    if not np.all(zero | kept):
        if np.all(zero | np.isclose(ratio, 1.0, rtol=rtol)):
            fail(where, f"does not rescale the kept entries: inverted dropout multiplies them by 1/(1 − p) = "
                         f"{scale:.4g} so that the expected output equals x")
        if p > 0 and np.all(zero | np.isclose(ratio, 1.0 / p, rtol=rtol)):
            fail(where, "treats p as the keep probability: it scales the survivors by 1/p; p is the probability of "
                         "zeroing and the survivors are scaled by 1/(1 − p)")
        if np.all(zero | np.isclose(ratio, 1.0 - p, rtol=rtol)):
            fail(where, "multiplies the kept entries by (1 − p): inverted dropout divides them by (1 − p)")
        values = np.unique(np.round(ratio, 6))[:6]
        fail(where, f"out / x should be 0 or 1/(1 − p) = {scale:.6g} everywhere; it takes the values "
                     f"{fmt(values)}")
    if x.shape[0] > 1 and x.ndim > 1 and 0 < p < 1 and np.all(zero == zero[:1]):
        fail(where, "draws one mask shared by every row: each entry of x needs its own draw")
    n = x.size
    frac = float(zero.mean())
    tol = 6.0 * np.sqrt(p * (1.0 - p) / n) + 1.0 / n
    if abs(frac - p) > tol:
        if abs(frac - (1.0 - p)) <= tol:
            fail(where, f"treats p as the keep probability: it zeroes a fraction {frac:.4f} ≈ 1 − p of the entries; "
                         f"p = {p} is the probability of zeroing")
        fail(where, f"zeroes a fraction {frac:.4f} of the entries where p = {p} was expected (± {tol:.4f})")
    if cache is None or np.shape(cache) != x.shape:
        fail(where, f"the cache should be the scaled mask, an array shaped like x {x.shape} with entries 0 or "
                     f"1/(1 − p); got {fmt(cache)}")
    mask = np.asarray(cache, dtype=np.float64)
    if not np.allclose(out, x * mask, rtol=max(rtol, 1e-7), atol=0):
        fail(where, "out is not x·cache: the cache must be the scaled mask itself (entries 0 or 1/(1 − p)), so "
                     "that backward can compute dx = dout·mask")
    again, _ = _dropout_call(fn, x, p, True, seed, where)
    if not np.array_equal(out, again):
        fail(where, "does not draw from `rng` alone: two calls with generators in the same state gave "
                     "different masks (use rng.random or rng.binomial, not np.random)")
    if 0 < p < 1:
        other, _ = _dropout_call(fn, x, p, True, seed + 1, where)
        if np.array_equal(out, other):
            fail(where, "gives the same mask for generators in different states: draw the mask from `rng`")
    return out, cache


def check_dropout_identity(fn, p, training, x):
    """Evaluation (or ``p = 0``) must return ``x`` itself, unscaled, with cache ``None`` or a mask of ones."""
    __tracebackhide__ = True
    where = f"{fn.__name__}(x: {x.dtype} {x.shape}, p={p}, training={training})"
    out, cache = _dropout_call(fn, x, p, training, 0, where)
    if np.allclose(out, x, rtol=1e-6, atol=0):
        if cache is not None and not np.allclose(np.asarray(cache, dtype=np.float64), 1.0):
            fail(where, f"nothing is dropped here, so the cache should be None (or a mask of ones); got {fmt(cache)}")
        return out, cache
    if p > 0 and np.allclose(out, x / (1.0 - p)):
        fail(where, "rescales by 1/(1 − p) in evaluation mode: inverted dropout scales during training only, and "
                     "is the identity at evaluation")
    if p > 0 and np.allclose(out, x * (1.0 - p)):
        fail(where, "multiplies by (1 − p) in evaluation mode: with inverted dropout the evaluation output is x "
                     "itself (the rescaling already happened in training)")
    if not training and np.any(out == 0):
        fail(where, "drops entries in evaluation mode: at evaluation dropout is the identity")
    fail(where, f"should return x unchanged here.\n  expected: {fmt(x)}\n  got:      {fmt(out)}")


def check_dropout_all_dropped(fn, shape=(4, 6)):
    """``p = 1`` drops everything: out is all zeros (torch's behaviour), with no NaN from 0·inf or 1/0."""
    __tracebackhide__ = True
    x = np.ones(shape)
    where = f"{fn.__name__}(x: float64 {shape}, p=1.0, training=True)"
    out, _ = _dropout_call(fn, x, 1.0, True, 0, where)
    if not np.all(out == 0):
        fail(where, f"with p = 1 every entry is dropped, so out should be all zeros (as in torch); got {fmt(out)}")
    return out
