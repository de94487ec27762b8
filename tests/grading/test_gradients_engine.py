"""The check engine of 02_gradients: the perturbation probe sees how numerical_gradient moves x, and says so."""

import numpy as np
import pytest

from course import gradcheck
from course.grading import CheckFailure
from course.grading import gradients as engine


def test_probe_flags_a_stale_perturbation_but_not_rounding_drift():
    probe = engine.PerturbationProbe(lambda z: float(np.sum(z)), np.array([1.0, 2.0, 3.0]))
    probe(np.array([1.0 + 1e-5, 2.0, 3.0]))
    assert probe.problem is None
    probe(np.array([1.0 + 2.2e-16, 2.0 - 1e-5, 3.0]))
    assert probe.problem is None
    probe(np.array([1.0 - 1e-5, 2.0 + 1e-5, 3.0]))
    assert "2 entries of x moved at once" in probe.problem


def _in_place(restore_last=True):
    """CS231n's numerical gradient, perturbing the caller's x; without ``restore_last`` the last entry stays moved."""

    def numerical_gradient(f, x, h=1e-5):
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            fp = f(x)
            x[i] = old - h
            fm = f(x)
            if restore_last or i != (x.size - 1,):
                x[i] = old
            g[i] = (fp - fm) / (2 * h)
        return g

    return numerical_gradient


def test_check_numerical_gradient_names_x_left_perturbed_and_accepts_in_place_with_restore():
    f = lambda z: np.sum(z**3)  # noqa: E731
    x = np.array([1.0, 2.0, -1.0])
    with pytest.raises(CheckFailure, match="leaves x perturbed"):
        engine.check_numerical_gradient(_in_place(restore_last=False), f, x.copy(), expected=3 * x**2)
    engine.check_numerical_gradient(_in_place(), f, x.copy(), expected=3 * x**2)
    engine.check_numerical_gradient(gradcheck.numerical_gradient, f, x.copy(), expected=3 * x**2)
    # In place on a float32 x is a valid way (CS231n's): it passes at float32 accuracy, and is named when the
    # tolerance asks for float64 accuracy.
    x32 = np.array([1.3, 0.7], dtype=np.float32)
    f64 = lambda z: np.sum(np.asarray(z, dtype=np.float64) ** 3)  # noqa: E731
    engine.check_numerical_gradient(
        _in_place(), f64, x32.copy(), expected=3 * x32.astype(np.float64) ** 2, rtol=5e-3, atol=1e-4
    )
    with pytest.raises(CheckFailure, match="float64 copy"):
        engine.check_numerical_gradient(_in_place(), f64, x32, expected=3 * x32.astype(np.float64) ** 2)


def test_probe_reads_the_callers_x_by_reference():
    # An implementation that perturbs the caller's x in place but hands f a fresh copy is still watched.
    x = np.array([1.0, 2.0, 3.0])

    def sneaky(f, x, h=1e-5):
        g = np.zeros(x.shape)
        for i in range(x.size):
            x[i] += h  # never restored
            g[i] = (f(x.copy()) - f(x.copy() - 2 * h * np.eye(x.size)[i])) / (2 * h)
        return g

    with pytest.raises(CheckFailure, match="moved at once"):
        engine.check_numerical_gradient(sneaky, lambda z: float(np.sum(z**2)), x, expected=2 * x)
