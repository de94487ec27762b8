"""Reference losses against independent computations: loops, closed forms, hand-worked numbers, finite differences."""

import math

import numpy as np
import pytest

from course import losses
from numeric import fd_grad


rng = np.random.default_rng(0)
YP, Y = rng.normal(size=(2, 5, 3))
P01 = rng.uniform(0.05, 0.95, size=(4, 3))
B01 = rng.integers(0, 2, size=(4, 3)).astype(float)
Z = rng.normal(size=(6, 4)) * 2
T = rng.integers(0, 4, size=6)


def test_hand_worked_numbers_of_the_notebook():
    assert losses.mse_forward(np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0])) == pytest.approx(13 / 3)
    assert losses.mae_forward(np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0])) == pytest.approx(5 / 3)
    assert losses.huber_forward(np.array([0.5, 2.0, -3.0]), np.zeros(3)) == pytest.approx(1.375)
    assert losses.bce_forward(np.array([0.9, 0.2]), np.array([1.0, 0.0])) == pytest.approx(
        -(math.log(0.9) + math.log(0.8)) / 2)
    z, y = np.array([2.0, -1.0]), np.array([1.0, 0.0])
    assert losses.bce_with_logits_forward(z, y) == pytest.approx(0.220095, abs=1e-6)
    probabilities = np.array([[0.09003057, 0.24472847, 0.66524096]])
    assert losses.softmax(np.array([[1.0, 2.0, 3.0]])) == pytest.approx(probabilities)
    assert losses.cross_entropy_forward(np.array([[1.0, 2.0, 3.0]]), np.array([2])) == pytest.approx(0.40760596)
    # CS231n's three images with the Weston-Watkins loss: (2.9 + 0 + 12.9) / 3
    S = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    assert losses.multiclass_hinge_forward(S, np.array([0, 1, 2])) == pytest.approx(15.8 / 3)
    W = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])]
    assert losses.l2_penalty_forward(W, 0.1, 10) == pytest.approx(0.1525)


def test_losses_match_plain_loop_definitions():
    n = YP.size
    assert losses.mse_forward(YP, Y) == pytest.approx(sum((a - b) ** 2 for a, b in zip(YP.flat, Y.flat)) / n)
    assert losses.mae_forward(YP, Y) == pytest.approx(sum(abs(a - b) for a, b in zip(YP.flat, Y.flat)) / n)

    def huber1(r, d):
        return 0.5 * r * r if abs(r) <= d else d * (abs(r) - 0.5 * d)

    for d in (0.3, 1.0, 2.0):
        by_hand = sum(huber1(a - b, d) for a, b in zip(YP.flat, Y.flat)) / n
        assert losses.huber_forward(YP, Y, d) == pytest.approx(by_hand)
    bce = -sum(y * math.log(p) + (1 - y) * math.log(1 - p) for p, y in zip(P01.flat, B01.flat)) / P01.size
    assert losses.bce_forward(P01, B01) == pytest.approx(bce)
    sig = 1 / (1 + np.exp(-Z[:, :3]))
    assert losses.bce_with_logits_forward(Z[:, :3], B01[:, :3].repeat(2, 0)[:6]) == pytest.approx(
        losses.bce_forward(sig, B01[:, :3].repeat(2, 0)[:6]))
    ce = -sum(math.log(math.exp(z[t]) / sum(math.exp(v) for v in z)) for z, t in zip(Z, T)) / len(T)
    assert losses.cross_entropy_forward(Z, T) == pytest.approx(ce)
    hinge = sum(max(0.0, 1 - y * s) for s, y in zip([2.0, 0.5, -1.0], [1, -1, 1])) / 3
    assert losses.hinge_forward(np.array([2.0, 0.5, -1.0]), np.array([1.0, -1.0, 1.0])) == pytest.approx(hinge)
    mc = sum(max(0.0, Z[i, j] - Z[i, T[i]] + 1) for i in range(6) for j in range(4) if j != T[i]) / 6
    assert losses.multiclass_hinge_forward(Z, T) == pytest.approx(mc)


@pytest.mark.parametrize("fwd,bwd,args", [
    (losses.mse_forward, losses.mse_backward, (YP, Y)),
    (losses.mae_forward, losses.mae_backward, (YP, Y)),
    (losses.huber_forward, losses.huber_backward, (YP * 2, Y)),
    (losses.mape_forward, losses.mape_backward, (YP, Y)),
    (losses.mape_forward, losses.mape_backward, (YP, Y, 0.5)),
    (losses.bce_forward, losses.bce_backward, (P01, B01)),
    (losses.bce_with_logits_forward, losses.bce_with_logits_backward, (Z, (Z > 0.3).astype(float))),
    (losses.cross_entropy_forward, losses.cross_entropy_backward, (Z, T)),
    (losses.hinge_forward, losses.hinge_backward, (Z[:, 0], np.sign(Z[:, 1]))),
    (losses.multiclass_hinge_forward, losses.multiclass_hinge_backward, (Z, T)),
])
def test_backward_is_the_gradient_of_forward(fwd, bwd, args):
    expected = fd_grad(lambda x: fwd(x, *args[1:]), args[0])
    np.testing.assert_allclose(bwd(*args), expected, rtol=1e-5, atol=1e-8)


def test_l2_penalty_gradient():
    W = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = losses.l2_penalty_backward(W, 0.3, 7)
    penalty = losses.l2_penalty_forward
    np.testing.assert_allclose(grads[0], fd_grad(lambda w: penalty([w, W[1]], 0.3, 7), W[0]), atol=1e-8)
    np.testing.assert_allclose(grads[1], fd_grad(lambda w: penalty([W[0], w], 0.3, 7), W[1]), atol=1e-8)
    # The contract is a list of arrays in, a list out; a tuple of arrays is accepted as well.
    assert isinstance(grads, list) and isinstance(losses.l2_penalty_backward(tuple(W), 0.3, 7), list)
    assert losses.l2_penalty_forward(tuple(W), 0.3, 7) == losses.l2_penalty_forward(W, 0.3, 7)


def test_softmax_rows_sum_to_one_and_are_shift_invariant():
    s = losses.softmax(Z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(losses.softmax(Z + 123.0), s)


def test_stable_for_logits_of_a_thousand_without_warnings():
    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -999.0, 1000.0]])
    # Underflow to 0 is harmless (and silent by default); overflow, 0/0 and log(0) must not happen.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.all(np.isfinite(losses.softmax(big)))
        assert losses.cross_entropy_forward(big, np.array([1, 2])) == pytest.approx(2000.0 / 2)
        assert losses.bce_with_logits_forward(np.array([1000.0, -1000.0]), np.array([0.0, 0.0])) == pytest.approx(500.0)
        np.testing.assert_allclose(losses.bce_with_logits_backward(np.array([1000.0, -1000.0]), np.array([0.0, 1.0])),
                                   [0.5, -0.5])


def test_huber_pieces_meet_with_equal_value_and_slope_at_delta():
    d = 1.7
    left, right = losses.huber_forward(np.array([d - 1e-9]), np.zeros(1), d), losses.huber_forward(np.array([d + 1e-9]),
                                                                                           np.zeros(1), d)
    assert left == pytest.approx(0.5 * d * d) and right == pytest.approx(0.5 * d * d)
    assert losses.huber_backward(np.array([d]), np.zeros(1), d)[0] == pytest.approx(d)


def test_subgradients_at_ties_and_kinks_are_zero():
    assert losses.mae_backward(np.array([1.0]), np.array([1.0]))[0] == 0.0
    assert losses.hinge_backward(np.array([1.0]), np.array([1.0]))[0] == 0.0


def test_float32_inputs_and_inputs_untouched():
    a, b = YP.astype(np.float32), Y.astype(np.float32)
    a0, b0 = a.copy(), b.copy()
    assert losses.mse_forward(a, b) == pytest.approx(losses.mse_forward(YP, Y), rel=1e-6)
    z = Z.copy()
    losses.cross_entropy_backward(z, T)
    np.testing.assert_array_equal(z, Z)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


# MAPE follows the formula of scikit-learn's mean_absolute_percentage_error (sklearn/metrics/_regression.py):
#     epsilon = np.finfo(np.float64).eps
#     mape = np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), epsilon)
#     then the (unweighted) average: a fraction, not a percentage. scikit-learn is not a dependency, so the
#     tests below work that formula out by hand and with plain loops.


def test_mape_hand_worked_numbers_of_the_notebook():
    y_pred, y = np.array([110.0, 45.0, 3.0, -4.0]), np.array([100.0, 50.0, 2.0, -5.0])
    # |r| / |y| = 10/100, 5/50, 1/2, 1/5
    assert losses.mape_forward(y_pred, y) == pytest.approx((0.1 + 0.1 + 0.5 + 0.2) / 4)
    np.testing.assert_allclose(losses.mape_backward(y_pred, y), [0.01 / 4, -0.02 / 4, 0.5 / 4, 0.2 / 4])
    # eps = 1 floors the denominators at 1: (0.75/1 + 0.5/1 + 1/2 + 2/4) / 4
    y_pred, y = np.array([1.0, 1.0, 1.0, -2.0]), np.array([0.25, 0.5, 2.0, -4.0])
    assert losses.mape_forward(y_pred, y, eps=1.0) == pytest.approx(0.5625)
    np.testing.assert_allclose(losses.mape_backward(y_pred, y, eps=1.0), [0.25, 0.25, -0.125, 0.0625])


def test_mape_matches_the_plain_loop_definition_and_sklearns_formula():
    eps = float(np.finfo(np.float64).eps)
    assert losses.EPS64 == eps
    for yp, y, e in [(YP, Y, eps), (YP, Y, 0.7), (np.array([0.5, 2.0]), np.array([0.0, 0.0]), eps)]:
        by_hand = sum(abs(a - b) / max(abs(b), e) for a, b in zip(yp.flat, y.flat)) / yp.size
        assert losses.mape_forward(yp, y, e) == pytest.approx(by_hand, rel=1e-12)
        grad = [math.copysign(1.0, a - b) * (a != b) / max(abs(b), e) / yp.size for a, b in zip(yp.flat, y.flat)]
        np.testing.assert_allclose(losses.mape_backward(yp, y, e).ravel(), grad, rtol=1e-12)


def test_mape_is_a_fraction_explodes_at_a_zero_target_and_is_asymmetric():
    # 25 % off reads 0.25
    assert losses.mape_forward(np.array([125.0]), np.array([100.0])) == pytest.approx(0.25)
    # A zero target is divided by eps: a miss of 1 costs 1/eps ≈ 4.5e15, finite and without warnings.
    with np.errstate(all="raise"):
        assert losses.mape_forward(np.array([1.0]), np.array([0.0])) == pytest.approx(1 / 2.220446049250313e-16)
        assert np.isfinite(losses.mape_backward(np.array([1.0]), np.array([0.0]))).all()
    # The same two numbers cost more when the forecast is the larger one: 50/100 against 50/150.
    over, under = losses.mape_forward(np.array([150.0]), np.array([100.0])), losses.mape_forward(
        np.array([100.0]), np.array([150.0]))
    assert over == pytest.approx(0.5) and under == pytest.approx(1 / 3)


def test_mape_backward_ties_dtype_and_inputs():
    assert losses.mape_backward(np.array([2.0, 3.0]), np.array([2.0, 1.0]))[0] == 0.0
    a, b = YP.astype(np.float32), Y.astype(np.float32)
    a0, b0 = a.copy(), b.copy()
    g = losses.mape_backward(a, b)
    assert g.dtype == np.float32 and losses.mape_backward(YP, Y).dtype == np.float64
    np.testing.assert_allclose(g, losses.mape_backward(YP, Y), rtol=1e-5)
    assert isinstance(losses.mape_forward(a, b), float)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)
