"""The one-weight neuron that opens 02_gradients: ``ŷ = w·x`` on three examples.

Its error ``E(w) = mean((w x − t)²)`` is a parabola in ``w`` with its bottom at ``w* = Σxt / Σx² = 28.1 / 14 ≈ 2.007``;
the sign of its slope says whether to raise or lower the weight.
"""

import numpy as np

__all__ = ["X", "T", "error", "slope", "best_weight"]

X = np.array([1.0, 2.0, 3.0])
T = np.array([1.8, 4.3, 5.9])


def error(w):
    """Mean squared error ``E(w) = mean((w x − t)²)`` of the one-weight neuron (``w`` a float or an array)."""
    w = np.asarray(w, dtype=np.float64)[..., None]
    return np.mean((w * X - T) ** 2, axis=-1)


def slope(w):
    """Its derivative, ``dE/dw = 2 mean(x (w x − t))``."""
    w = np.asarray(w, dtype=np.float64)[..., None]
    return 2.0 * np.mean(X * (w * X - T), axis=-1)


def best_weight():
    """The bottom of the parabola, ``w* = Σxt / Σx²``."""
    return float(X @ T / (X @ X))
