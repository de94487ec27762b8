"""Batch norm and dropout references against closed forms and numerical gradients; the 06 checks catch the classic
mistakes; valid alternative solutions pass every cell of the notebook."""

import numpy as np
import pytest

from course import regularization as R
from course.gradcheck import numerical_gradient
from course.mistakes import capstone as MC
from course.testing import CheckFailure, check

X_HAND = np.array([[1.0, 2.0], [3.0, 2.0], [1.0, 6.0], [3.0, 6.0]])
GAMMA, BETA = np.array([2.0, 0.5]), np.array([1.0, -1.0])


# ---------------------------------------------------------------- batch norm forward

def test_batchnorm_forward_matches_the_example_worked_by_hand():
    out, (x_hat, gamma, inv_std, training), state = R.batchnorm_forward(X_HAND, GAMMA, BETA, {}, eps=0.0)
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
        _, _, state = R.batchnorm_forward(x, np.ones(4), np.zeros(4), state)
    keep = 0.9**7
    np.testing.assert_allclose(state["running_mean"], (1 - keep) * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(state["running_var"], keep + (1 - keep) * x.var(0, ddof=1), rtol=1e-12)


def test_evaluation_uses_the_running_statistics_and_leaves_them_alone():
    rm, rv = np.array([1.0, -1.0]), np.array([4.0, 9.0])
    state = {"running_mean": rm.copy(), "running_var": rv.copy()}
    out, cache, state = R.batchnorm_forward(X_HAND, GAMMA, BETA, state, training=False, eps=0.0)
    np.testing.assert_allclose(out, GAMMA * (X_HAND - rm) / np.sqrt(rv) + BETA)
    np.testing.assert_array_equal(state["running_mean"], rm)
    np.testing.assert_array_equal(state["running_var"], rv)
    assert cache[3] is False
    # A single image can be normalised at evaluation; training on one image is refused, as torch does.
    R.batchnorm_forward(X_HAND[:1], GAMMA, BETA, state, training=False)
    with pytest.raises(ValueError, match="more than one"):
        R.batchnorm_forward(X_HAND[:1], GAMMA, BETA, {})


def test_batchnorm_keeps_float32_and_leaves_its_inputs_alone():
    x = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    x0 = x.copy()
    out, cache, state = R.batchnorm_forward(x, np.ones(3, np.float32), np.zeros(3, np.float32), {})
    assert out.dtype == np.float32 and state["running_var"].dtype == np.float32
    np.testing.assert_array_equal(x, x0)


# ---------------------------------------------------------------- batch norm backward

def _numerical_bn_grads(x, gamma, beta, dout, training, rm=None, rv=None, eps=1e-5):
    def fwd(x, g, b):
        mean, var = (x.mean(0), x.var(0)) if training else (rm, rv)
        return g * (x - mean) / np.sqrt(var + eps) + b
    return (numerical_gradient(lambda v: np.sum(dout * fwd(v, gamma, beta)), x),
            numerical_gradient(lambda v: np.sum(dout * fwd(x, v, beta)), gamma),
            numerical_gradient(lambda v: np.sum(dout * fwd(x, gamma, v)), beta))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("n,d", [(2, 3), (9, 4), (40, 1)])
def test_batchnorm_backward_matches_the_numerical_gradient(training, n, d):
    rng = np.random.default_rng(n * 10 + d)
    x, dout = rng.normal(2.0, 3.0, (n, d)), rng.standard_normal((n, d))
    gamma, beta = rng.standard_normal(d), rng.standard_normal(d)
    rm, rv = rng.standard_normal(d), 0.5 + rng.random(d)
    state = {} if training else {"running_mean": rm, "running_var": rv}
    _, cache, _ = R.batchnorm_forward(x, gamma, beta, state, training=training)
    got = R.batchnorm_backward(dout, cache)
    for g, e in zip(got, _numerical_bn_grads(x, gamma, beta, dout, training, rm, rv)):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-8)


# ---------------------------------------------------------------- dropout

@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_zeroes_a_fraction_p_and_rescales_the_rest(p):
    x = np.full((400, 500), 2.0)
    out, mask = R.dropout_forward(x, p, True, np.random.default_rng(0))
    assert set(np.unique(mask)) == {0.0, 1.0 / (1.0 - p)}
    np.testing.assert_array_equal(out, x * mask)
    assert abs(np.mean(mask == 0) - p) < 6 * np.sqrt(p * (1 - p) / x.size)
    assert abs(out.mean() - 2.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_is_the_identity_at_evaluation_and_for_p_zero_and_zero_for_p_one():
    x = np.arange(12.0).reshape(3, 4)
    for training, p in [(False, 0.5), (False, 0.0), (True, 0.0)]:
        out, cache = R.dropout_forward(x, p, training, np.random.default_rng(0))
        np.testing.assert_array_equal(out, x)
        assert cache is None and out is not x
    out, mask = R.dropout_forward(x, 1.0, True, np.random.default_rng(0))
    assert np.all(out == 0) and np.all(np.isfinite(mask))


def test_dropout_draws_only_from_rng_and_keeps_float32():
    x = np.ones((50, 60), np.float32)
    a, _ = R.dropout_forward(x, 0.3, True, np.random.default_rng(4))
    b, _ = R.dropout_forward(x, 0.3, True, np.random.default_rng(4))
    c, _ = R.dropout_forward(x, 0.3, True, np.random.default_rng(5))
    assert np.array_equal(a, b) and not np.array_equal(a, c) and a.dtype == np.float32


def test_dropout_backward_is_the_numerical_gradient_through_a_fixed_mask():
    x = np.random.default_rng(2).standard_normal((5, 4))
    dout = np.random.default_rng(3).standard_normal((5, 4))
    _, mask = R.dropout_forward(x, 0.4, True, np.random.default_rng(1))
    expected = numerical_gradient(lambda v: np.sum(dout * v * mask), x)
    np.testing.assert_allclose(R.dropout_backward(dout, mask), expected, rtol=1e-7, atol=1e-10)
    np.testing.assert_array_equal(R.dropout_backward(dout, None), dout)


# ---------------------------------------------------------------- the checks catch the mistakes

def _bn_state():
    return {"running_mean": np.array([0.5, -1.0]), "running_var": np.array([2.0, 0.5])}


@pytest.mark.parametrize("switch,training,words", [
    ({"running_ddof": 0}, True, "biased batch variance"),
    ({"old_weight": "momentum"}, True, "momentum on the old value"),
    ({"eval_batch_stats": True}, False, "batch statistics in evaluation mode"),
    ({"norm_ddof": 1, "running_ddof": 1}, True, "normalises with the unbiased variance"),
    ({"eps_outside": True}, True, "eps outside the square root"),
    ({"update_in_eval": True}, False, "updates the running statistics in evaluation mode"),
])
def test_batchnorm_forward_check_names_each_mistake(switch, training, words):
    def wrong(x, gamma, beta, state, training=True, momentum=0.1, eps=1e-5):
        return MC.batchnorm_variant(x, gamma, beta, state, training, momentum, eps, **switch)
    wrong.__name__ = "batchnorm_forward"
    x = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 8.0]]) * 1e-2
    expected = R.batchnorm_forward(x, GAMMA, BETA, _bn_state(), training=training)
    with pytest.raises(CheckFailure, match=words):
        check(wrong, x, GAMMA, BETA, kwargs={"state": _bn_state(), "training": training}, expected=expected,
              mistakes=MC.MISTAKES["batchnorm_forward"])
    # and the reference itself passes the same check
    check(R.batchnorm_forward, x, GAMMA, BETA, kwargs={"state": _bn_state(), "training": training},
          expected=expected, mistakes=MC.MISTAKES["batchnorm_forward"])


@pytest.mark.parametrize("switch,training,words", [
    ({"sum_params": False}, True, "summed over the batch"),
    ({"param_axis": 1}, True, "over the features"),
    ({"dx_mode": "constant"}, True, "as constants"),
    ({"dx_mode": "no_var"}, True, "variance"),
    ({"with_gamma": False}, True, "gamma"),
    ({"dx_mode": "train_in_eval"}, False, "evaluation cache"),
])
def test_batchnorm_backward_check_names_each_mistake(switch, training, words):
    rng = np.random.default_rng(8)
    x, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    state = {} if training else {"running_mean": np.zeros(3), "running_var": np.full(3, 2.0)}
    _, cache, _ = R.batchnorm_forward(x, np.array([1.0, 2.0, -0.5]), np.zeros(3), state, training=training)

    def wrong(dout, cache):
        return MC._bn_backward(dout, cache, **switch)
    wrong.__name__ = "batchnorm_backward"
    with pytest.raises(CheckFailure, match=words):
        check(wrong, dout, cache, expected=R.batchnorm_backward(dout, cache), mistakes=MC.MISTAKES["batchnorm_backward"])


def _dropout(keep_rule="ge", scale="inverse", eval_scale=None, rng_source="rng", shared=False):
    def dropout_forward(x, p, training, rng):
        if not training or p == 0:
            return (x / (1 - p) if eval_scale == "divide" else x * (1 - p) if eval_scale == "multiply"
                    else x.copy()), None
        shape = x.shape[-1:] if shared else x.shape
        u = rng.random(shape) if rng_source == "rng" else np.random.random(shape)
        keep = u >= p if keep_rule == "ge" else u < p
        mask = {"inverse": keep / (1 - p), "none": keep * 1.0, "keep": keep / p, "times": keep * (1 - p)}[scale]
        return x * mask, mask
    return dropout_forward


@pytest.mark.parametrize("fn,words", [
    (_dropout(scale="none"), "does not rescale"),
    (_dropout(keep_rule="lt"), "keep probability"),
    (_dropout(keep_rule="lt", scale="keep"), "keep probability"),
    (_dropout(scale="times"), "multiplies the kept entries by (1 − p)"),
    (_dropout(rng_source="numpy"), "rng"),
    (_dropout(shared=True), "shared by every row"),
])
def test_dropout_forward_check_names_each_mistake(fn, words):
    with pytest.raises(CheckFailure, match=words.replace("(", r"\(").replace(")", r"\)")):
        MC.check_dropout_forward(fn, p=0.2)


@pytest.mark.parametrize("eval_scale,words", [("divide", "rescales by 1/(1 − p) in evaluation"),
                                               ("multiply", "multiplies by (1 − p) in evaluation")])
def test_dropout_identity_check_names_rescaling_at_evaluation(eval_scale, words):
    with pytest.raises(CheckFailure, match=words.replace("(", r"\(").replace(")", r"\)")):
        MC.check_dropout_identity(_dropout(eval_scale=eval_scale), 0.3, False, np.ones((3, 4)))


def test_dropout_checks_pass_valid_variants():
    def binomial(x, p, training, rng):  # another draw order: a valid dropout must still pass
        if not training or p == 0:
            return x.copy(), None
        mask = rng.binomial(1, 1 - p, size=x.shape) / (1 - p) if p < 1 else np.zeros(x.shape)
        return x * mask, mask
    binomial.__name__ = "dropout_forward"
    for fn in (R.dropout_forward, binomial):
        for p in (0.05, 0.2, 0.5, 0.9):
            MC.check_dropout_forward(fn, p=p)
            MC.check_dropout_forward(fn, p=p, dtype=np.float32, seed=3)
        MC.check_dropout_identity(fn, 0.3, False, np.ones((3, 4)))
        MC.check_dropout_all_dropped(fn)


@pytest.mark.slow
def test_valid_alternative_batchnorm_and_dropout_pass_every_cell():
    from harness import plant, read, run, Planted

    variants = [
        Planted("bn with loops and keepdims", "batchnorm_forward", '''    if training:
        mean = x.mean(axis=0)
        var = x.var(axis=0)                                  # biased: divides by N''', '''    if training:
        mean = np.array([np.mean(x[:, j]) for j in range(d)])
        var = np.array([np.sum((x[:, j] - mean[j]) ** 2) / n for j in range(d)])''', ""),
        Planted("bn backward with keepdims", "batchnorm_backward",
                "dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))",
                "n = len(dout)\n        dx = inv_std / n * (n * g - g.sum(axis=0, keepdims=True)"
                " - x_hat * np.sum(g * x_hat, axis=0, keepdims=True))",
                ""),
        Planted("dropout with binomial draws", "dropout_forward", "keep = rng.random(x.shape) >= p",
                "keep = rng.binomial(1, 1 - p, size=x.shape).astype(bool)", ""),
        Planted("dropout backward with where", "dropout_backward", "    return dout * cache",
                "    return np.where(cache > 0, dout * cache, 0.0)", ""),
    ]
    nb = read("06_capstone")
    for v in variants:
        nb = plant(nb, v)
    failed = {k: v for k, v in run(nb).items() if v}
    assert not failed, f"valid variants fail: {failed}"
