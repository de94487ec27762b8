"""Small datasets. Synthetic generators take an explicit ``rng`` (a ``np.random.Generator``); nothing downloads.

The real data set, the 8×8 handwritten digits, ships inside the package (``course/datasets/``).
"""

import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["xor", "spirals", "moons", "regression_with_outliers", "load_digits", "digits_split", "DigitsSplit",
           "DIGITS_CLASS_COUNTS"]


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


# --- Real data: the 8×8 handwritten digits shipped in course/datasets/ (see DIGITS_LICENSE.md there) ---

_DIGITS_FILE = Path(__file__).resolve().parent / "datasets" / "digits.csv.gz"
DIGITS_CLASS_COUNTS = (178, 182, 177, 183, 181, 182, 181, 179, 174, 180)


class DigitsSplit(NamedTuple):
    """Train / validation / test arrays; unpacks as ``X_train, y_train, X_val, y_val, X_test, y_test``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=1)
def _digits_table():
    table = np.loadtxt(_DIGITS_FILE, delimiter=",", dtype=np.int64)
    table.setflags(write=False)
    return table


def load_digits(scale=False, dtype=np.float64):
    """The 1,797 handwritten digits of UCI's "Optical Recognition of Handwritten Digits" (Alpaydin & Kaynak).

    Each image is 8×8 pixels, each pixel the count of ink in a 4×4 block of a 32×32 bitmap, an integer 0..16.
    The file ships inside the package, so nothing is downloaded.

    Parameters
    ----------
    scale : bool, divide the pixels by 16 so they lie in [0, 1].
    dtype : floating dtype of ``X``.

    Returns
    -------
    X : (1797, 64) array of ``dtype``, one flattened image per row (``X[i].reshape(8, 8)`` is the picture).
    y : (1797,) int64 digit labels 0..9.
    """
    table = _digits_table()
    X = table[:, :64].astype(dtype)
    if scale:
        X /= 16.0
    return X, table[:, 64].copy()


def digits_split(rng_seed=0, val_fraction=0.1, test_fraction=0.2, scale=True, dtype=np.float64):
    """A fixed, stratified train / validation / test split of :func:`load_digits`.

    Within each class the images are shuffled by ``np.random.default_rng(rng_seed)`` and the first
    ``round(n_class * test_fraction)`` go to test, the next ``round(n_class * val_fraction)`` to validation and the
    rest to training, so every split keeps the classes' proportions. The same seed always gives the same split
    (with the defaults: 1,259 train, 179 validation, 359 test). Rows keep the file's order within each split.

    Returns a :class:`DigitsSplit` ``(X_train, y_train, X_val, y_val, X_test, y_test)``; ``X`` scaled to [0, 1]
    when ``scale``.
    """
    X, y = load_digits(scale=scale, dtype=dtype)
    rng = np.random.default_rng(rng_seed)
    parts = ([], [], [])  # test, val, train
    for k in range(10):
        idx = rng.permutation(np.flatnonzero(y == k))
        n_test, n_val = round(len(idx) * test_fraction), round(len(idx) * val_fraction)
        parts[0].append(idx[:n_test])
        parts[1].append(idx[n_test:n_test + n_val])
        parts[2].append(idx[n_test + n_val:])
    test, val, train = (np.sort(np.concatenate(p)) for p in parts)
    return DigitsSplit(X[train], y[train], X[val], y[val], X[test], y[test])
