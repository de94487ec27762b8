"""Small datasets. Synthetic generators take an explicit ``rng`` (a ``np.random.Generator``); nothing downloads."""

import numpy as np

__all__ = ["xor", "spirals", "moons", "regression_with_outliers"]


def xor(n=200, noise=0.1, rng=None):
    """Points around the four corners of the unit square, labelled by XOR of their corner.

    Returns ``X`` (n, 2) float64 and ``y`` (n,) int64 in {0, 1}.
    """
    rng = np.random.default_rng() if rng is None else rng
    corners = rng.integers(0, 2, size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    return X, (corners[:, 0] ^ corners[:, 1]).astype(np.int64)


def spirals(n_per_class=100, n_classes=3, noise=0.2, rng=None):
    """CS231n's interleaved spirals: ``X`` (n_per_class * n_classes, 2), ``y`` (N,) int64."""
    rng = np.random.default_rng() if rng is None else rng
    X, y = [], []
    for k in range(n_classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + noise * rng.standard_normal(n_per_class)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(n_per_class, k))
    return np.concatenate(X), np.concatenate(y).astype(np.int64)


def moons(n=200, noise=0.1, rng=None):
    """Two interleaving half circles: ``X`` (n, 2), ``y`` (n,) int64 in {0, 1}."""
    rng = np.random.default_rng() if rng is None else rng
    n_top = n // 2
    t_top = np.pi * rng.random(n_top)
    t_bot = np.pi * rng.random(n - n_top)
    top = np.c_[np.cos(t_top), np.sin(t_top)]
    bottom = np.c_[1.0 - np.cos(t_bot), 0.5 - np.sin(t_bot)]
    X = np.concatenate([top, bottom]) + noise * rng.standard_normal((n, 2))
    return X, np.r_[np.zeros(n_top), np.ones(n - n_top)].astype(np.int64)


def regression_with_outliers(n=30, slope=2.0, intercept=1.0, noise=0.3, n_outliers=3, outlier_shift=8.0, rng=None):
    """1-D linear data ``y = slope x + intercept + noise`` with a few points pushed far up.

    Returns ``x`` (n,), ``y`` (n,) and the boolean mask of the outliers.
    """
    rng = np.random.default_rng() if rng is None else rng
    x = np.sort(rng.uniform(-2.0, 2.0, n))
    y = slope * x + intercept + noise * rng.standard_normal(n)
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, size=n_outliers, replace=False)] = True
    y[mask] += outlier_shift
    return x, y, mask
