"""Numerical derivatives and the relative error used to check analytic gradients.

The central difference ``(f(x + h) − f(x − h)) / 2h`` has truncation error O(h²) and rounding error about ε/h
(ε ≈ 2.2e-16 in float64), so the total is smallest near h ≈ ε^(1/3) ≈ 1e-5. There a correct analytic gradient of a
smooth function typically agrees to a relative error of 1e-8 or better, while a wrong one is off by 1e-2 or more.
Everything is computed in float64: in float32, ``x + 1e-5`` is rounded away for |x| of order 1.
"""

import numpy as np

__all__ = ["numerical_derivative", "numerical_gradient", "rel_error"]


def numerical_derivative(f, x, h=1e-5):
    """Central difference ``(f(x + h) - f(x - h)) / 2h`` of a scalar function of a scalar, in float64."""
    x = np.float64(x)
    return float((f(x + h) - f(x - h)) / (2.0 * h))


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function ``f`` at ``x`` (any shape), in float64.

    Parameters
    ----------
    f : callable taking an array shaped like ``x`` and returning a float.
    x : array, left unchanged: each coordinate is perturbed in a private float64 copy.

    Returns
    -------
    grad : float64 array shaped like ``x``.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(f(x))
        flat[i] = old - h
        fm = float(f(x))
        flat[i] = old
        g[i] = (fp - fm) / (2.0 * h)
    return grad


def rel_error(a, b):
    """Largest elementwise relative error ``|a - b| / max(1e-8, |a| + |b|)``.

    The floor keeps the ratio finite where both values are 0 (an exactly zero gradient is not an error).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
