"""Reference code for 02_gradients: the graph ``y = (x + w)(w + 1)``, linear regression's MSE gradient, gradient
descent, the quadratic bowls it is studied on, and the error of finite differences.

Every function is pure (inputs are never modified) and computes in float64, so float32 inputs work too.
"""

import numpy as np

__all__ = ["graph_forward", "graph_backward", "linreg_forward", "linreg_loss", "linreg_backward", "gd_update",
           "gradient_descent", "quadratic_bowl", "quadratic_path", "difference_errors"]


def graph_forward(x, w):
    """Forward pass through the graph ``a = x + w``, ``b = w + 1``, ``y = a · b`` (element-wise).

    Parameters
    ----------
    x, w : floats or arrays of the same shape.

    Returns
    -------
    y : ``(x + w)(w + 1)``, shaped like ``x``.
    cache : ``(a, b)``, the two intermediate nodes ``a = x + w`` and ``b = w + 1``.
    """
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    a = x + w
    b = w + 1.0
    return a * b, (a, b)


def graph_backward(dy, cache):
    """Backward pass of :func:`graph_forward` given the upstream gradient ``dy = ∂L/∂y``.

    The product node sends ``dy · b`` to ``a`` and ``dy · a`` to ``b``. ``x`` reaches ``y`` only through ``a``;
    ``w`` reaches it through both ``a`` and ``b``, so its two contributions add.

    Returns
    -------
    dx : ``dy · b``.   dw : ``dy · b + dy · a``.
    """
    a, b = (np.asarray(v, dtype=np.float64) for v in cache)
    dy = np.asarray(dy, dtype=np.float64)
    return dy * b, dy * b + dy * a


def linreg_forward(X, w, b):
    """Predictions of a linear model, ``ŷ = X w + b``.

    Parameters
    ----------
    X : (N, D)   w : (D,)   b : float

    Returns
    -------
    y_hat : (N,)
    """
    return np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + float(b)


def linreg_loss(X, y, w, b):
    """Mean squared error of :func:`linreg_forward`: ``(1/N) Σ (ŷ_n − y_n)²``, as a float."""
    r = linreg_forward(X, w, b) - np.asarray(y, dtype=np.float64)
    return float(np.mean(r**2))


def linreg_backward(X, y, w, b):
    """Gradient of :func:`linreg_loss` with respect to ``w`` and ``b``.

    With the residual ``r = X w + b − y``: ``dw = (2/N) Xᵀ r`` of shape (D,), ``db = (2/N) Σ r`` a float.
    """
    X = np.asarray(X, dtype=np.float64)
    r = linreg_forward(X, w, b) - np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    return 2.0 / n * (X.T @ r), float(2.0 / n * r.sum())


def gd_update(w, dw, lr):
    """One gradient-descent step, ``w − lr · dw``, as a new array (``w`` is left as it was)."""
    return np.asarray(w, dtype=np.float64) - lr * np.asarray(dw, dtype=np.float64)


def gradient_descent(grad_fn, x0, lr, num_steps):
    """Run ``num_steps`` steps ``x ← x − lr · grad_fn(x)`` from ``x0``.

    Returns
    -------
    path : array of shape ``(num_steps + 1,) + x0.shape``; ``path[0]`` is ``x0``, ``path[t]`` the point after
    ``t`` steps.
    """
    x = np.asarray(x0, dtype=np.float64)
    path = [x]
    for _ in range(num_steps):
        x = x - lr * np.asarray(grad_fn(x), dtype=np.float64)
        path.append(x)
    return np.array(path)


def quadratic_bowl(curvatures, center=None):
    """The bowl ``E(x) = ½ Σ L_i (x_i − c_i)²`` and its gradient ``L ⊙ (x − c)``.

    Its largest curvature ``L = max L_i`` sets the step sizes that work: gradient descent converges for
    ``0 < lr < 2/L`` and diverges beyond.

    Returns
    -------
    (E, grad) : two functions of ``x`` (an array shaped like ``curvatures``).
    """
    L = np.asarray(curvatures, dtype=np.float64)
    c = np.zeros_like(L) if center is None else np.asarray(center, dtype=np.float64)

    def E(x):
        return float(0.5 * np.sum(L * (np.asarray(x, dtype=np.float64) - c) ** 2))

    def grad(x):
        return L * (np.asarray(x, dtype=np.float64) - c)

    return E, grad


def quadratic_path(x0, lr, num_steps, curvatures, center=None):
    """The closed form of gradient descent on :func:`quadratic_bowl`: ``x_t = c + (1 − lr L)^t (x0 − c)``.

    Each coordinate is multiplied by ``1 − lr L_i`` per step: it shrinks when ``|1 − lr L_i| < 1``, flips sign
    when ``lr L_i > 1`` and grows when ``lr L_i > 2``.
    """
    L = np.asarray(curvatures, dtype=np.float64)
    c = np.zeros_like(L) if center is None else np.asarray(center, dtype=np.float64)
    t = np.arange(num_steps + 1).reshape((-1,) + (1,) * L.ndim)
    return c + (1.0 - lr * L) ** t * (np.asarray(x0, dtype=np.float64) - c)


def difference_errors(f, df, x, hs):
    """Absolute errors of the forward and central differences of ``f`` at ``x`` for each step ``h`` in ``hs``.

    Returns ``(forward, central)``, two arrays shaped like ``hs``, against the exact derivative ``df(x)``.
    """
    hs = np.asarray(hs, dtype=np.float64)
    exact = df(x)
    forward = np.abs((f(x + hs) - f(x)) / hs - exact)
    central = np.abs((f(x + hs) - f(x - hs)) / (2.0 * hs) - exact)
    return forward, central
