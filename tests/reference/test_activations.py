"""course.activations against closed forms and numerical gradients, through the cache contract."""

import warnings

import numpy as np
import pytest

from course import activations
from course.gradcheck import numerical_gradient, rel_error


def _away_from_kink(z, margin=0.1):
    return z + margin * np.where(z >= 0, 1.0, -1.0)


def test_sigmoid_matches_known_values_and_caches_its_output():
    z = np.array([-np.log(3.0), 0.0, np.log(3.0)])
    a, cache = activations.sigmoid_forward(z)
    np.testing.assert_allclose(a, [0.25, 0.5, 0.75], rtol=1e-15)
    assert cache is a or np.array_equal(cache, a)


def test_sigmoid_is_symmetric_and_stable_at_extreme_logits():
    z = np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow RuntimeWarning fails the test
        a = activations.sigmoid(z)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a + activations.sigmoid(-z), 1.0, rtol=0, atol=1e-15)
    assert a[0] == 0.0 and a[-1] == 1.0
    np.testing.assert_allclose(a[1], np.exp(-40.0), rtol=1e-12)


@pytest.mark.parametrize("name, f", [("sigmoid", lambda z: 1 / (1 + np.exp(-z))), ("tanh", np.tanh),
                                     ("relu", lambda z: np.maximum(z, 0)),
                                     ("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z))])
def test_backward_is_the_numerical_gradient_through_the_documented_cache(name, f):
    rng = np.random.default_rng(0)
    z = _away_from_kink(rng.normal(0, 2, (5, 4)))
    da = rng.normal(size=z.shape)
    fwd, bwd = getattr(activations, f"{name}_forward"), getattr(activations, f"{name}_backward")
    a, cache = fwd(z)
    np.testing.assert_allclose(a, f(z), rtol=1e-12)
    # the cache the contract documents, built here without the forward
    contract = {"sigmoid": f(z), "tanh": np.tanh(z), "relu": z, "leaky_relu": (z, 0.01)}[name]
    expected = numerical_gradient(lambda t: np.sum(da * f(t)), z)
    np.testing.assert_allclose(bwd(da, contract), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(bwd(da, cache), expected, rtol=1e-6, atol=1e-9)


def test_relu_and_leaky_relu_at_zero_follow_pytorch():
    z = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(activations.relu_backward(np.ones(3), z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(activations.leaky_relu_backward(np.ones(3), (z, 0.2)), [0.2, 0.2, 1.0])
    a, cache = activations.leaky_relu_forward(z, negative_slope=0.2)
    np.testing.assert_array_equal(a, [-0.2, 0.0, 1.0])
    assert cache[1] == 0.2 and np.array_equal(cache[0], z)


def test_relu_keeps_float32():
    z = np.array([-1.0, 2.0], dtype=np.float32)
    a, _ = activations.relu_forward(z)
    assert a.dtype == np.float32


@pytest.mark.parametrize("alpha", [0.25, np.array([0.1, 0.2, 0.3])])
def test_prelu_gradients_match_numerical_and_dalpha_has_alphas_shape(alpha):
    rng = np.random.default_rng(1)
    z = _away_from_kink(rng.normal(size=(6, 3)))
    da = rng.normal(size=z.shape)
    a, cache = activations.prelu_forward(z, alpha)
    np.testing.assert_allclose(a, np.where(z > 0, z, alpha * z))
    dz, dalpha = activations.prelu_backward(da, (z, alpha))
    L = lambda t, al: np.sum(da * np.where(t > 0, t, al * t))
    assert rel_error(dz, numerical_gradient(lambda t: L(t, alpha), z)) < 1e-7
    num_alpha = numerical_gradient(lambda al: L(z, al), np.asarray(alpha, dtype=float))
    assert np.shape(dalpha) == np.shape(alpha)
    assert rel_error(dalpha, num_alpha) < 1e-7


def test_prelu_with_alpha_equal_to_slope_is_leaky_relu():
    rng = np.random.default_rng(2)
    z, da = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    np.testing.assert_allclose(activations.prelu_forward(z, 0.05)[0], activations.leaky_relu_forward(z, 0.05)[0])
    np.testing.assert_allclose(activations.prelu_backward(da, (z, 0.05))[0],
                               activations.leaky_relu_backward(da, (z, 0.05)))


def test_activation_functions_leave_their_inputs_unchanged():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(3, 3))
    keep = z.copy()
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        a, cache = getattr(activations, f"{name}_forward")(z)
        getattr(activations, f"{name}_backward")(np.ones_like(z), cache)
    activations.prelu_backward(np.ones_like(z), activations.prelu_forward(z, 0.1)[1])
    np.testing.assert_array_equal(z, keep)
