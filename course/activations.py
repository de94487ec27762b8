"""Reference activations with the course's forward/backward contract.

``*_forward(z) -> (a, cache)`` and ``*_backward(da, cache) -> dz``. The cache is part of the contract so a backward
can be tested on its own: sigmoid and tanh keep their *output* (their derivatives are written through it), ReLU
keeps its *input*, leaky ReLU keeps ``(z, negative_slope)`` and PReLU ``(z, alpha)``.
"""

import numpy as np

__all__ = ["sigmoid", "sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward", "relu_forward",
           "relu_backward", "leaky_relu_forward", "leaky_relu_backward", "prelu_forward", "prelu_backward"]


def sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}), computed without overflow for any z."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_forward(z):
    """``a = σ(z)``; cache = ``a``."""
    a = sigmoid(z)
    return a, a


def sigmoid_backward(da, cache):
    """``dz = da · a (1 − a)`` with ``a`` the cached output."""
    a = cache
    return da * a * (1.0 - a)


def tanh_forward(z):
    """``a = tanh(z)``; cache = ``a``."""
    a = np.tanh(np.asarray(z, dtype=np.float64))
    return a, a


def tanh_backward(da, cache):
    """``dz = da · (1 − a²)`` with ``a`` the cached output."""
    a = cache
    return da * (1.0 - a**2)


def relu_forward(z):
    """``a = max(z, 0)``; cache = ``z``."""
    z = np.asarray(z)
    return np.maximum(z, 0), z


def relu_backward(da, cache):
    """``dz = da`` where ``z > 0``, else 0 (the subgradient at exactly 0 is taken as 0, as PyTorch does)."""
    z = cache
    return np.where(z > 0, da, 0.0)


def leaky_relu_forward(z, negative_slope=0.01):
    """``a = z`` for ``z > 0``, ``negative_slope · z`` otherwise; cache = ``(z, negative_slope)``."""
    z = np.asarray(z)
    return np.where(z > 0, z, negative_slope * z), (z, negative_slope)


def leaky_relu_backward(da, cache):
    """``dz = da`` where ``z > 0``, ``negative_slope · da`` otherwise."""
    z, negative_slope = cache
    return np.where(z > 0, da, negative_slope * da)


def prelu_forward(z, alpha):
    """Leaky ReLU with a learned slope: ``a = z`` for ``z > 0``, ``alpha · z`` otherwise; cache = ``(z, alpha)``.

    ``alpha`` is a scalar or one slope per feature, shape (D,) for ``z`` of shape (N, D).
    """
    z = np.asarray(z)
    return np.where(z > 0, z, alpha * z), (z, alpha)


def prelu_backward(da, cache):
    """``dz`` as leaky ReLU; ``dalpha = Σ da · z`` over the entries where ``z ≤ 0``, reduced to ``alpha``'s shape."""
    z, alpha = cache
    dz = np.where(z > 0, da, alpha * da)
    contrib = np.where(z > 0, 0.0, da * z)
    alpha = np.asarray(alpha)
    if alpha.ndim == 0:
        dalpha = np.asarray(contrib.sum())
    else:
        dalpha = contrib.reshape(-1, alpha.size).sum(axis=0).reshape(alpha.shape)
    return dz, dalpha
