"""course.layers: the linear layer against loops and numerical gradients; batch norm against the example worked by
hand, torch's running statistics and numerical gradients; inverted dropout's statistics and its gradient."""

import numpy as np
import pytest

from course import layers
from course.gradcheck import numerical_gradient, rel_error


X_HAND = np.array([[1.0, 2.0], [3.0, 2.0], [1.0, 6.0], [3.0, 6.0]])
GAMMA, BETA = np.array([2.0, 0.5]), np.array([1.0, -1.0])


@pytest.mark.parametrize("N, D, M", [(1, 3, 2), (4, 5, 3), (3, 3, 3)])
def test_linear_layer_matches_loops_and_numerical_gradients(N, D, M):
    rng = np.random.default_rng(N * 100 + D * 10 + M)
    x, W, b, dout = rng.normal(size=(N, D)), rng.normal(size=(M, D)), rng.normal(size=M), rng.normal(size=(N, M))
    out, cache = layers.linear_forward(x, W, b)
    loops = np.array([[sum(x[n, d] * W[m, d] for d in range(D)) + b[m] for m in range(M)] for n in range(N)])
    np.testing.assert_allclose(out, loops, rtol=1e-12)
    assert all(c is o for c, o in zip(cache, (x, W, b)))
    dx, dW, db = layers.linear_backward(dout, (x, W, b))
    assert dx.shape == x.shape and dW.shape == W.shape and db.shape == b.shape
    L = lambda x_, W_, b_: np.sum(dout * (x_ @ W_.T + b_))
    assert rel_error(dx, numerical_gradient(lambda t: L(t, W, b), x)) < 1e-7
    assert rel_error(dW, numerical_gradient(lambda t: L(x, t, b), W)) < 1e-7
    assert rel_error(db, numerical_gradient(lambda t: L(x, W, t), b)) < 1e-7


def test_batchnorm_forward_matches_the_example_worked_by_hand():
    out, (x_hat, gamma, inv_std, training), state = layers.batchnorm_forward(X_HAND, GAMMA, BETA, {}, eps=0.0)
    np.testing.assert_allclose(out, [[-1, -1.5], [3, -1.5], [-1, -0.5], [3, -0.5]])
    np.testing.assert_allclose(x_hat, [[-1, -1], [1, -1], [-1, 1], [1, 1]])
    np.testing.assert_allclose(inv_std, [1.0, 0.5])
    assert gamma is GAMMA and training is True
    np.testing.assert_allclose(state["running_mean"], [0.2, 0.4])
    np.testing.assert_allclose(state["running_var"], [0.9 + 0.1 * 4 / 3, 0.9 + 0.1 * 16 / 3])


def test_running_statistics_follow_torchs_closed_form_over_many_steps():
    # The same batch k times from {}: running_mean = (1 − 0.9^k)·μ, running_var = 0.9^k + (1 − 0.9^k)·unbiased σ².
    x = np.random.default_rng(0).normal(3.0, 2.0, (10, 4))
    state = {}
    for _ in range(7):
        _, _, state = layers.batchnorm_forward(x, np.ones(4), np.zeros(4), state)
    keep = 0.9**7
    np.testing.assert_allclose(state["running_mean"], (1 - keep) * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(state["running_var"], keep + (1 - keep) * x.var(0, ddof=1), rtol=1e-12)


def test_evaluation_uses_the_running_statistics_and_leaves_them_alone():
    rm, rv = np.array([1.0, -1.0]), np.array([4.0, 9.0])
    state = {"running_mean": rm.copy(), "running_var": rv.copy()}
    out, cache, state = layers.batchnorm_forward(X_HAND, GAMMA, BETA, state, training=False, eps=0.0)
    np.testing.assert_allclose(out, GAMMA * (X_HAND - rm) / np.sqrt(rv) + BETA)
    np.testing.assert_array_equal(state["running_mean"], rm)
    np.testing.assert_array_equal(state["running_var"], rv)
    assert cache[3] is False
    # A single image can be normalised at evaluation; training on one image is refused, as torch does.
    layers.batchnorm_forward(X_HAND[:1], GAMMA, BETA, state, training=False)
    with pytest.raises(ValueError, match="more than one"):
        layers.batchnorm_forward(X_HAND[:1], GAMMA, BETA, {})


def test_batchnorm_keeps_float32_and_leaves_its_inputs_alone():
    x = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    x0 = x.copy()
    out, cache, state = layers.batchnorm_forward(x, np.ones(3, np.float32), np.zeros(3, np.float32), {})
    assert out.dtype == np.float32 and state["running_var"].dtype == np.float32
    np.testing.assert_array_equal(x, x0)


def _numerical_bn_grads(x, gamma, beta, dout, training, rm=None, rv=None, eps=1e-5):
    def fwd(x, g, b):
        mean, var = (x.mean(0), x.var(0)) if training else (rm, rv)
        return g * (x - mean) / np.sqrt(var + eps) + b

    return (
        numerical_gradient(lambda v: np.sum(dout * fwd(v, gamma, beta)), x),
        numerical_gradient(lambda v: np.sum(dout * fwd(x, v, beta)), gamma),
        numerical_gradient(lambda v: np.sum(dout * fwd(x, gamma, v)), beta),
    )


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("n,d", [(2, 3), (9, 4), (40, 1)])
def test_batchnorm_backward_matches_the_numerical_gradient(training, n, d):
    rng = np.random.default_rng(n * 10 + d)
    x, dout = rng.normal(2.0, 3.0, (n, d)), rng.standard_normal((n, d))
    gamma, beta = rng.standard_normal(d), rng.standard_normal(d)
    rm, rv = rng.standard_normal(d), 0.5 + rng.random(d)
    state = {} if training else {"running_mean": rm, "running_var": rv}
    _, cache, _ = layers.batchnorm_forward(x, gamma, beta, state, training=training)
    got = layers.batchnorm_backward(dout, cache)
    for g, e in zip(got, _numerical_bn_grads(x, gamma, beta, dout, training, rm, rv)):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_zeroes_a_fraction_p_and_rescales_the_rest(p):
    x = np.full((400, 500), 2.0)
    out, mask = layers.dropout_forward(x, p, True, np.random.default_rng(0))
    assert set(np.unique(mask)) == {0.0, 1.0 / (1.0 - p)}
    np.testing.assert_array_equal(out, x * mask)
    assert abs(np.mean(mask == 0) - p) < 6 * np.sqrt(p * (1 - p) / x.size)
    assert abs(out.mean() - 2.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_is_the_identity_at_evaluation_and_for_p_zero_and_zero_for_p_one():
    x = np.arange(12.0).reshape(3, 4)
    for training, p in [(False, 0.5), (False, 0.0), (True, 0.0)]:
        out, cache = layers.dropout_forward(x, p, training, np.random.default_rng(0))
        np.testing.assert_array_equal(out, x)
        assert cache is None and out is not x
    out, mask = layers.dropout_forward(x, 1.0, True, np.random.default_rng(0))
    assert np.all(out == 0) and np.all(np.isfinite(mask))


def test_dropout_draws_only_from_rng_and_keeps_float32():
    x = np.ones((50, 60), np.float32)
    a, _ = layers.dropout_forward(x, 0.3, True, np.random.default_rng(4))
    b, _ = layers.dropout_forward(x, 0.3, True, np.random.default_rng(4))
    c, _ = layers.dropout_forward(x, 0.3, True, np.random.default_rng(5))
    assert np.array_equal(a, b) and not np.array_equal(a, c) and a.dtype == np.float32


def test_dropout_backward_is_the_numerical_gradient_through_a_fixed_mask():
    x = np.random.default_rng(2).standard_normal((5, 4))
    dout = np.random.default_rng(3).standard_normal((5, 4))
    _, mask = layers.dropout_forward(x, 0.4, True, np.random.default_rng(1))
    expected = numerical_gradient(lambda v: np.sum(dout * v * mask), x)
    np.testing.assert_allclose(layers.dropout_backward(dout, mask), expected, rtol=1e-7, atol=1e-10)
    np.testing.assert_array_equal(layers.dropout_backward(dout, None), dout)
