"""Classic wrong answers in 02_gradients, and a probe that watches how ``numerical_gradient`` perturbs ``x``.

``MISTAKES[name]`` lists :class:`course.testing.Mistake` entries for ``check(..., mistakes=MISTAKES[name])``: when a
student's result equals a wrong implementation's, its sentence is the feedback. ``check_numerical_gradient`` first
calls the student's function with a probing ``f`` that sees every array it is evaluated at, so it can say "x[0] was
still perturbed when f was evaluated for x[1]" or "x is left perturbed" instead of only "wrong values".
"""

import numpy as np

from course.testing import CheckFailure, Mistake, call_quietly, check, fmt

__all__ = ["MISTAKES", "PerturbationProbe", "check_numerical_gradient"]


def _f64(x):
    return np.array(x, dtype=np.float64)


# --- numerical_derivative --------------------------------------------------------------------------------------
def _forward_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def _backward_derivative(f, x, h=1e-5):
    return (f(x) - f(x - h)) / h


def _central_over_h(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h


def _fixed_h(f, x, h=1e-5):  # noqa: ARG001 (the mistake is to ignore h)
    return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5


# --- numerical_gradient ----------------------------------------------------------------------------------------
def _forward_gradient(f, x, h=1e-5):
    x = _f64(x)
    f0, g = f(x.copy()), np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        g[i] = (f(xp) - f0) / h
    return g


def _gradient_over_h(f, x, h=1e-5):
    x = _f64(x)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / h
    return g


def _gradient_in_own_dtype(f, x, h=1e-5):
    z = np.array(x, copy=True)
    g = np.zeros(z.shape)
    for i in np.ndindex(z.shape):
        old = z[i]
        z[i] = old + h
        fp = f(z)
        z[i] = old - h
        fm = f(z)
        z[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def _gradient_fixed_h(f, x, h=1e-5):  # noqa: ARG001
    return _gradient_over_h(f, x, 1e-5) / 2.0


# --- rel_error ---------------------------------------------------------------------------------------------------
def _rel_no_floor(a, b):
    a, b = _f64(a), _f64(b)
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))


def _rel_mean(a, b):
    a, b = _f64(a), _f64(b)
    return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _rel_elementwise(a, b):
    a, b = _f64(a), _f64(b)
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


def _rel_abs_of_sum(a, b):
    a, b = _f64(a), _f64(b)
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))))


def _rel_signed(a, b):
    a, b = _f64(a), _f64(b)
    return float(np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# --- the graph y = (x + w)(w + 1) --------------------------------------------------------------------------------
def _graph_precedence(x, w):
    x, w = _f64(x), _f64(w)
    return x + w * (w + 1.0), (x + w, w + 1.0)


def _graph_cache_inputs(x, w):
    x, w = _f64(x), _f64(w)
    return (x + w) * (w + 1.0), (x, w)


def _graph_cache_swapped(x, w):
    x, w = _f64(x), _f64(w)
    return (x + w) * (w + 1.0), (w + 1.0, x + w)


def _ab(cache):
    return _f64(cache[0]), _f64(cache[1])


def _graph_dw_subtracts(dy, cache):
    a, b = _ab(cache)
    return dy * b, dy * b - dy * a


def _graph_dx_negated(dy, cache):
    a, b = _ab(cache)
    return -dy * b, dy * b + dy * a


def _graph_dw_only_a(dy, cache):
    a, b = _ab(cache)
    return dy * b, dy * b


def _graph_dw_only_b(dy, cache):
    a, b = _ab(cache)
    return dy * b, dy * a


def _graph_swapped(dy, cache):
    a, b = _ab(cache)
    return dy * (a + b), dy * b


def _graph_no_dy(dy, cache):  # noqa: ARG001
    a, b = _ab(cache)
    return b, a + b


def _graph_dx_is_a(dy, cache):
    a, b = _ab(cache)
    return dy * a, dy * (a + b)


# --- linear regression -------------------------------------------------------------------------------------------
def _linreg_no_bias(X, w, b):  # noqa: ARG001
    return _f64(X) @ _f64(w)


def _residual(X, y, w, b):
    return _f64(X) @ _f64(w) + b - _f64(y)


def _linreg_db_not_mean(X, y, w, b):
    r = _residual(X, y, w, b)
    return 2.0 / len(r) * (_f64(X).T @ r), float(2.0 * r.sum())


def _linreg_db_not_2(X, y, w, b):
    r = _residual(X, y, w, b)
    return 2.0 / len(r) * (_f64(X).T @ r), float(r.mean())


def _linreg_dw_no_x(X, y, w, b):
    r = _residual(X, y, w, b)
    return np.full(_f64(w).shape, 2.0 * r.mean()), float(2.0 * r.mean())


def _linreg_divides_by_d(X, y, w, b):
    r = _residual(X, y, w, b)
    d = _f64(X).shape[1]
    return 2.0 / d * (_f64(X).T @ r), float(2.0 / d * r.sum())


# --- gradient descent --------------------------------------------------------------------------------------------
def _gd_adds(w, dw, lr):
    return _f64(w) + lr * _f64(dw)


def _gd_step_only(w, dw, lr):  # noqa: ARG001
    return lr * _f64(dw)


def _gd_no_lr(w, dw, lr):  # noqa: ARG001
    return _f64(w) - _f64(dw)


def _path(grad_fn, x0, lr, num_steps, extra=0):
    x = _f64(x0)
    path = [x]
    for _ in range(num_steps + extra):
        x = x - lr * _f64(grad_fn(x))
        path.append(x)
    return np.array(path)


def _path_without_start(grad_fn, x0, lr, num_steps):
    return _path(grad_fn, x0, lr, num_steps)[1:]


def _path_one_short(grad_fn, x0, lr, num_steps):
    return _path(grad_fn, x0, lr, num_steps)[:-1]


def _path_one_long(grad_fn, x0, lr, num_steps):
    return _path(grad_fn, x0, lr, num_steps, extra=1)


def _path_aliased(grad_fn, x0, lr, num_steps):
    p = _path(grad_fn, x0, lr, num_steps)
    p[1:] = p[-1]
    return p


def _path_all_aliased(grad_fn, x0, lr, num_steps):
    p = _path(grad_fn, x0, lr, num_steps)
    p[:] = p[-1]
    return p


def _path_ascends(grad_fn, x0, lr, num_steps):
    return _path(grad_fn, x0, -lr, num_steps)


MISTAKES = {
    "numerical_derivative": [
        Mistake("uses the forward difference (f(x + h) − f(x)) / h, whose error shrinks only like h; use the "
                "central difference (f(x + h) − f(x − h)) / (2h), whose error shrinks like h²", _forward_derivative),
        Mistake("uses the backward difference (f(x) − f(x − h)) / h, whose error shrinks only like h; use the "
                "central difference (f(x + h) − f(x − h)) / (2h)", _backward_derivative),
        Mistake("divides by h instead of 2h: the points x − h and x + h are 2h apart", _central_over_h),
        Mistake("ignores the argument h: it always steps by 1e-5", _fixed_h),
    ],
    "numerical_gradient": [
        Mistake("uses the forward difference (f(x + h·eᵢ) − f(x)) / h, whose error shrinks only like h; use the "
                "central difference (f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h)", _forward_gradient),
        Mistake("divides by h instead of 2h: the points x − h·eᵢ and x + h·eᵢ are 2h apart", _gradient_over_h),
        Mistake("ignores the argument h: it always steps by 1e-5", _gradient_fixed_h),
        Mistake("perturbs x in float32: x[i] ± h is rounded to the float32 grid, so the step actually taken is not "
                "h. Work on a float64 copy, np.array(x, dtype=np.float64)", _gradient_in_own_dtype),
    ],
    "rel_error": [
        Mistake("divides by |a| + |b| without the floor max(1e-8, ·): where both values are 0 that is 0/0 = NaN, "
                "but two equal zero gradients have no error at all", _rel_no_floor),
        Mistake("averages the element-wise errors; take the largest (np.max), so that one wrong entry shows",
                _rel_mean),
        Mistake("returns the element-wise errors; reduce them to one number, the largest (np.max)", _rel_elementwise),
        Mistake("divides by |a + b| where |a| + |b| is meant: opposite values would look infinitely wrong or "
                "perfectly right", _rel_abs_of_sum),
        Mistake("forgets the absolute value of a − b: a relative error is never negative", _rel_signed),
    ],
    "graph_forward": [
        Mistake("computes x + w·(w + 1): multiplication binds first, so write (x + w) * (w + 1)",
                _graph_precedence),
        Mistake("caches the inputs (x, w); the documented cache is the intermediate nodes (a, b) = (x + w, w + 1)",
                _graph_cache_inputs),
        Mistake("caches (b, a); the documented order is (a, b) = (x + w, w + 1)", _graph_cache_swapped),
    ],
    "graph_backward": [
        Mistake("has a sign error in dw: the two paths from w to y add, ∂y/∂w = (w + 1) + (x + w), never subtract",
                _graph_dw_subtracts),
        Mistake("has a sign error in dx: ∂y/∂x = w + 1 = b, so dx = dy · b", _graph_dx_negated),
        Mistake("keeps only the path through a = x + w in dw; w also feeds b = w + 1, so add dy · a as well",
                _graph_dw_only_a),
        Mistake("keeps only the path through b = w + 1 in dw; w also feeds a = x + w, so add dy · b as well",
                _graph_dw_only_b),
        Mistake("returns (dw, dx): the order is (dx, dw)", _graph_swapped),
        Mistake("ignores the upstream gradient dy: multiply each local derivative by dy (the chain rule)",
                _graph_no_dy),
        Mistake("multiplies dy by a for dx: the product node sends each input the *other* input, so dx = dy · b",
                _graph_dx_is_a),
    ],
    "linreg_forward": [
        Mistake("forgets the bias b: ŷ = X @ w + b", _linreg_no_bias),
    ],
    "linreg_backward": [
        Mistake("sums the residuals for db where the mean is needed (a missing 1/N in db)", _linreg_db_not_mean),
        Mistake("drops the 2 in db: d(r²)/dr = 2r, so db = (2/N) Σ r", _linreg_db_not_2),
        Mistake("leaves X out of dw: by the chain rule ∂ŷₙ/∂w = xₙ, so dw = (2/N) Xᵀ r", _linreg_dw_no_x),
        Mistake("divides by D, the number of features; the mean is over the N examples", _linreg_divides_by_d),
    ],
    "gd_update": [
        Mistake("adds the gradient (w + lr·dw): that climbs the error; a descent step goes against the gradient, "
                "w − lr·dw", _gd_adds),
        Mistake("returns the step lr·dw, not the new weights w − lr·dw", _gd_step_only),
        Mistake("ignores lr: the step is lr·dw, not dw", _gd_no_lr),
    ],
    "gradient_descent": [
        Mistake("leaves out the starting point: path[0] must be x0, so the path has num_steps + 1 rows",
                _path_without_start),
        Mistake("stops one step early: after num_steps steps the path has num_steps + 1 rows, x0 included",
                _path_one_short),
        Mistake("takes one step too many: the path has num_steps + 1 rows, x0 and one row per step",
                _path_one_long),
        Mistake("stores the same array at every step: x is changed in place (x -= lr * g), so every stored row "
                "ends up as the last x. Store a copy, or write x = x - lr * grad_fn(x)", _path_aliased),
        Mistake("stores the same array at every step, the start included: x is changed in place (x -= lr * g), "
                "so every stored row ends up as the last x. Write x = x - lr * grad_fn(x)", _path_all_aliased),
        Mistake("climbs: each step adds lr · grad_fn(x); descent subtracts it", _path_ascends),
    ],
}


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
    check_kwargs.setdefault("mistakes", MISTAKES["numerical_gradient"])
    return check(fn, PerturbationProbe(f, x), x, expected=expected, kwargs=kwargs, label=label, **check_kwargs)
