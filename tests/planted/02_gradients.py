"""Realistic mistakes in 02_gradients, each planted into the solution notebook: it must fail its own test cell only,
with feedback that names it."""

from harness import Planted

ND_BODY = "return (f(x + h) - f(x - h)) / (2 * h)"
NG_RESTORE = "        x[i] = old                       # restore before moving to the next entry\n"
NG_LOOP = """        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old                       # restore before moving to the next entry
        grad[i] = (f_plus - f_minus) / (2 * h)"""
NG_COPY = """    x = np.array(x, dtype=np.float64)   # a private float64 copy: the caller's x is never touched
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]"""
# CS231n's way, perturbing the caller's array in place, but without putting the entry back.
NG_IN_PLACE_NO_RESTORE = """    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)"""
# In place, "restored" by arithmetic: x[i] comes back off by an ulp for some entries.
NG_IN_PLACE_DRIFT = """    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)"""
REL = "float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))"
GB = """    da = dy * b          # y = a * b: each input receives the other one
    db = dy * a"""
LB = """    dw = 2.0 / N * (X.T @ r)         # (D,)
    db = 2.0 / N * np.sum(r)"""
GD = """    x = np.array(x0, dtype=np.float64)
    path = [x]
    for _ in range(num_steps):
        x = x - lr * grad_fn(x)"""

PLANTED = [
    # numerical_derivative
    Planted("nd-forward-difference", "numerical_derivative", ND_BODY, "return (f(x + h) - f(x)) / h",
            "forward difference"),
    Planted("nd-backward-difference", "numerical_derivative", ND_BODY, "return (f(x) - f(x - h)) / h",
            "backward difference"),
    Planted("nd-divides-by-h", "numerical_derivative", ND_BODY, "return (f(x + h) - f(x - h)) / h",
            "instead of 2h"),
    Planted("nd-ignores-h", "numerical_derivative", ND_BODY, "return (f(x + 1e-5) - f(x - 1e-5)) / (2 * 1e-5)",
            "ignores the argument h"),
    # numerical_gradient
    Planted("ng-no-restore", "numerical_gradient", NG_RESTORE, "", "restore"),
    Planted("ng-in-place-not-restored", "numerical_gradient", NG_COPY + "\n" + NG_LOOP, NG_IN_PLACE_NO_RESTORE,
            "restore"),
    Planted("ng-in-place-rounding-drift", "numerical_gradient", NG_COPY + "\n" + NG_LOOP, NG_IN_PLACE_DRIFT,
            "leaves x perturbed"),
    Planted("ng-forward-difference", "numerical_gradient", NG_LOOP, """        f0 = f(x)
        x[i] = old + h
        f_plus = f(x)
        x[i] = old
        grad[i] = (f_plus - f0) / h""", "forward difference"),
    Planted("ng-divides-by-h", "numerical_gradient", "grad[i] = (f_plus - f_minus) / (2 * h)",
            "grad[i] = (f_plus - f_minus) / h", "instead of 2h"),
    Planted("ng-first-axis-only", "numerical_gradient", "for i in np.ndindex(x.shape):", "for i in range(len(x)):",
            "one entry at a time"),
    # rel_error
    Planted("rel-no-floor", "rel_error", "np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))",
            "without the floor"),
    Planted("rel-mean", "rel_error", "float(np.max(", "float(np.mean(", "averages"),
    Planted("rel-elementwise", "rel_error", REL, "np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))",
            "element-wise errors"),
    Planted("rel-abs-of-sum", "rel_error", "np.abs(a) + np.abs(b)", "np.abs(a + b)", "|a + b|"),
    Planted("rel-signed", "rel_error", "np.abs(a - b)", "(a - b)", "absolute value"),
    # graph_forward
    Planted("gf-precedence", "graph_forward", "y = a * b", "y = x + w * b", "multiplication binds first"),
    Planted("gf-cache-inputs", "graph_forward", "return y, (a, b)", "return y, (x, w)", "caches the inputs"),
    Planted("gf-cache-swapped", "graph_forward", "return y, (a, b)", "return y, (b, a)", "documented order"),
    # graph_backward
    Planted("gb-sign-error-dw", "graph_backward", "dw = da + db", "dw = da - db", "sign error"),
    Planted("gb-sign-error-dx", "graph_backward", "dx = da ", "dx = -da ", "sign error in dx"),
    Planted("gb-one-path", "graph_backward", "dw = da + db", "dw = da", "only the path through a"),
    Planted("gb-swapped", "graph_backward", "return dx, dw", "return dw, dx", "the order is (dx, dw)"),
    Planted("gb-no-dy", "graph_backward", GB, "    da = b\n    db = a", "ignores the upstream gradient"),
    # linreg_forward
    Planted("lf-no-bias", "linreg_forward", "return X @ w + b", "return X @ w", "forgets the bias"),
    Planted("lf-column", "linreg_forward", "return X @ w + b", "return (X @ w + b)[:, None]", "(N, 1)"),
    # linreg_backward
    Planted("lb-no-1-over-n", "linreg_backward", "N = X.shape[0]", "N = 1", "missing 1/N"),
    Planted("lb-no-2", "linreg_backward", LB, LB.replace("2.0 / N", "1.0 / N"), "missing factor 2"),
    Planted("lb-flipped-residual", "linreg_backward", "r = X @ w + b - y  ", "r = y - (X @ w + b)", "wrong sign"),
    Planted("lb-db-sum", "linreg_backward", "db = 2.0 / N * np.sum(r)", "db = 2.0 * np.sum(r)", "missing 1/N in db"),
    Planted("lb-dw-without-x", "linreg_backward", "dw = 2.0 / N * (X.T @ r)", "dw = 2.0 / N * np.sum(r) + 0 * w",
            "leaves X out of dw"),
    Planted("lb-x-not-transposed", "linreg_backward", "(X.T @ r)", "(X @ r)", "raised ValueError"),
    # gd_update
    Planted("gd-mutates-w", "gd_update", "return w - lr * dw", "w -= lr * dw\n    return w",
            "changed its input `w` in place"),
    Planted("gd-adds-gradient", "gd_update", "return w - lr * dw", "return w + lr * dw", "adds the gradient"),
    Planted("gd-no-lr", "gd_update", "return w - lr * dw", "return w - dw", "ignores lr"),
    # gradient_descent
    Planted("path-one-short", "gradient_descent", "for _ in range(num_steps):", "for _ in range(num_steps - 1):",
            "stops one step early"),
    Planted("path-no-start", "gradient_descent", "path = [x]", "path = []", "leaves out the starting point"),
    Planted("path-one-long", "gradient_descent", "for _ in range(num_steps):", "for _ in range(num_steps + 1):",
            "one step too many"),
    Planted("path-aliased", "gradient_descent", "x = x - lr * grad_fn(x)", "x -= lr * grad_fn(x)",
            "stores the same array"),
    Planted("path-mutates-x0", "gradient_descent", GD,
            "    x = np.asarray(x0, dtype=np.float64)\n    path = [x.copy()]\n    for _ in range(num_steps):\n"
            "        x -= lr * grad_fn(x)\n        path.append(x.copy())\n        continue",
            "changed its input `x0` in place"),
    Planted("path-climbs", "gradient_descent", "x = x - lr * grad_fn(x)", "x = x + lr * grad_fn(x)", "climbs"),
]
