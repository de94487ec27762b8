"""The shipped digits and their fixed split; the synthetic generators' shapes and reproducibility."""

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

import course
from course import data

DATASETS = Path(course.__file__).parent / "datasets"


def test_digits_file_ships_inside_the_package_with_its_attribution():
    raw = (DATASETS / "digits.csv.gz").read_bytes()
    licence = (DATASETS / "DIGITS_LICENSE.md").read_text()
    assert hashlib.sha256(raw).hexdigest() in licence, "the licence file must name the exact file it describes"
    for words in ("Alpaydin", "Kaynak", "CC BY 4.0", "UCI", "scikit-learn"):
        assert words in licence, f"DIGITS_LICENSE.md should mention {words!r}"
    # Independent parse of the file (gzip + csv by hand), not via load_digits.
    rows = gzip.decompress(raw).decode().strip().splitlines()
    assert len(rows) == 1797 and all(len(r.split(",")) == 65 for r in rows)


def test_load_digits_has_1797_images_of_64_pixels_in_0_16_and_the_known_class_counts():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X)), "pixels are integers 0..16"
    # UCI's documented class distribution of optdigits.tes.
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    first = gzip.decompress((DATASETS / "digits.csv.gz").read_bytes()).decode().splitlines()[0]
    assert X[0].tolist() == [float(v) for v in first.split(",")[:64]] and y[0] == int(first.split(",")[64])


def test_load_digits_scales_and_casts_without_touching_its_cache():
    X32, _ = data.load_digits(scale=True, dtype=np.float32)
    assert X32.dtype == np.float32 and X32.min() == 0 and X32.max() == 1
    X32[:] = -1  # a caller writing into its copy must not change the next call's data
    X, _ = data.load_digits()
    assert X.min() == 0 and X.max() == 16


def test_digits_split_is_stratified_disjoint_complete_and_fixed():
    X, y = data.load_digits(scale=True)
    split = data.digits_split(rng_seed=0)
    X_tr, y_tr, X_va, y_va, X_te, y_te = split
    assert (len(y_tr), len(y_va), len(y_te)) == (1259, 179, 359)
    counts = np.bincount(y, minlength=10)
    for part, frac in ((y_te, 0.2), (y_va, 0.1)):
        # Stratified: each class has its own rounded share (never more than half an image off).
        assert np.all(np.abs(np.bincount(part, minlength=10) - counts * frac) <= 0.5)
    # Disjoint and complete: every original row appears in exactly one split (rows are matched by content + label).
    keys = lambda Xs, ys: {(tuple(r), int(t)) for r, t in zip(Xs, ys)}  # noqa: E731
    parts = [keys(X_tr, y_tr), keys(X_va, y_va), keys(X_te, y_te)]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    assert len(y_tr) + len(y_va) + len(y_te) == 1797
    assert parts[0] | parts[1] | parts[2] == keys(X, y)
    again = data.digits_split(rng_seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(split, again)), "the same seed gives the same split"
    other = data.digits_split(rng_seed=1)
    assert not np.array_equal(other.y_test, y_te) or not np.array_equal(other.X_test, X_te)


@pytest.mark.parametrize("val,test", [(0.1, 0.2), (0.15, 0.15), (0.0, 0.3)])
def test_digits_split_fractions(val, test):
    s = data.digits_split(rng_seed=3, val_fraction=val, test_fraction=test)
    assert abs(len(s.y_test) - 1797 * test) <= 10 and abs(len(s.y_val) - 1797 * val) <= 10
    assert s.X_train.shape[1] == 64 and s.X_train.max() <= 1.0


@pytest.mark.parametrize("make", [lambda r: data.xor(50, rng=r), lambda r: data.spirals(20, rng=r),
                                  lambda r: data.moons(50, rng=r), lambda r: data.regression_with_outliers(rng=r)])
def test_generators_are_reproducible_from_their_rng(make):
    a, b = make(np.random.default_rng(7)), make(np.random.default_rng(7))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
