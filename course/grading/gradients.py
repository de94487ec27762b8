"""The check engine of 02_gradients: a probe that watches how ``numerical_gradient`` perturbs ``x``.

``check_numerical_gradient`` first calls the student's function with a probing ``f`` that sees every array it is
evaluated at, so it can say "x[0] was still perturbed when f was evaluated for x[1]" or "x is left perturbed" instead
of only "wrong values"; then it compares the values with :func:`course.grading.checks`.
"""

import numpy as np

from course.grading.checks import CheckFailure, call_quietly, check, fmt
from course.grading.mistakes import mistakes_of

__all__ = ["PerturbationProbe", "check_numerical_gradient"]


def _f64(x):
    return np.array(x, dtype=np.float64)


class PerturbationProbe:
    """A scalar function ``f`` that watches the arrays it is evaluated at, and the caller's ``x`` by reference.

    A correct ``numerical_gradient`` evaluates ``f`` at ``x`` with exactly one entry moved (to ``x[i] ± h``). At
    every call the probe looks at the array it is given and at the caller's own ``x`` (which an in-place
    implementation perturbs), and records the first call where more than one entry differs from the original:
    that happens when an entry is not put back before the next one is perturbed.
    """

    def __init__(self, f, x):
        self.f = f
        self.x = x  # the caller's array itself, read by reference at every call
        self.x0 = _f64(x)
        self.calls = 0
        self.problem = None

    def _moved(self, arr):
        arr = np.asarray(arr)
        if arr.shape != self.x0.shape:
            return []
        # A drift of a few ulps (x[i] += h, then x[i] -= h) does not change the gradient: only real moves count.
        return np.argwhere(~np.isclose(arr.astype(np.float64), self.x0, rtol=1e-12, atol=1e-300))

    def __call__(self, z):
        self.calls += 1
        if self.problem is None:
            moved = max((self._moved(z), self._moved(self.x)), key=len)
            if len(moved) > 1:
                idx = [tuple(int(i) for i in m) if len(m) > 1 else int(m[0]) for m in moved[:4]]
                self.problem = (f"f was called with {len(moved)} entries of x moved at once (at {idx}"
                                f"{' ...' if len(moved) > 4 else ''}): an entry stays perturbed after its turn. "
                                f"Perturb one entry at a time and restore it (x[i] = old) before moving to the next")
        return self.f(z)


def _prefix(fn, x, label):
    x = np.asarray(x)
    return f"{getattr(fn, '__name__', 'numerical_gradient')}(x: {x.dtype} {x.shape})" + \
        (f" [{label}]" if label else "") + ":"


def check_numerical_gradient(fn, f, x, expected, h=None, label=None, **check_kwargs):
    """Check a student's ``numerical_gradient(f, x[, h])`` against ``expected`` (a closed-form gradient).

    Before comparing values it runs the function once with a :class:`PerturbationProbe` as ``f`` and fails with
    a sentence when an entry is left perturbed between evaluations of ``f`` or when ``x`` is left perturbed after
    the call (an ``f`` that reads ``x`` by reference would see those stale values).
    """
    __tracebackhide__ = True
    kwargs = {} if h is None else {"h": h}
    trial_x = np.array(x, copy=True)
    probe = PerturbationProbe(f, trial_x)
    _, _, exc = call_quietly(fn, probe, trial_x, **kwargs)
    if exc is None:
        if probe.problem:
            raise CheckFailure(f"{_prefix(fn, x, label)} {probe.problem}.")
        if trial_x.shape != np.shape(x) or not np.array_equal(trial_x, x):
            same_shape = trial_x.shape == np.shape(x)
            moved = np.argwhere(trial_x != x)[:4].tolist() if same_shape else "?"
            tiny = same_shape and np.allclose(trial_x, x, rtol=1e-12, atol=0)
            how = ("x[i] += h followed by x[i] -= h does not give back the exact old value in floating point: "
                   "save old = x[i] and assign it back (x[i] = old), or work on a copy" if tiny else
                   "Restore each entry (x[i] = old) after evaluating f at x[i] − h, or work on a copy")
            by = f" by up to {np.max(np.abs(trial_x - x)):.2g}" if same_shape else ""
            raise CheckFailure(
                f"{_prefix(fn, x, label)} leaves x perturbed: after the call, x differs from the input at {moved}"
                f"{by}. "
                f"{how}, so the caller gets x back unchanged.\n  before: {fmt(x)}\n  after:  {fmt(trial_x)}")
    check_kwargs.setdefault("mistakes", mistakes_of("numerical_gradient"))
    return check(fn, PerturbationProbe(f, x), x, expected=expected, kwargs=kwargs, label=label, **check_kwargs)
