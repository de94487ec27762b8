"""04's experiments, configurations of course.mlp: a real backward pass (checked numerically), symmetric units under a
constant start, vanishing and exploding signals where the theory says, and training curves by initialisation."""

import numpy as np
import pytest

from course import data, mlp, optim
from course.examples import init_experiments as experiments


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_the_networks_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    model = experiments.build([3, 4, 4, 2], "xavier", activation, rng)
    mlp.loss_and_grads(model, x, y)
    first = model[0].weight
    analytic, numeric = first.grad.copy(), np.zeros_like(first.data)
    for idx in np.ndindex(first.data.shape):
        for sign in (1, -1):
            first.data[idx] += sign * 1e-6
            loss, _ = mlp.loss_and_grads(model, x, y)
            first.data[idx] -= sign * 1e-6
            numeric[idx] += sign * loss / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_every_scheme_draws_each_weight_and_starts_the_biases_at_zero():
    model = experiments.build([4, 5, 3], "constant 0.5", "tanh", np.random.default_rng(0))
    weights = [layer.weight.data for layer in mlp.linear_layers(model)]
    assert [w.shape for w in weights] == [(5, 4), (3, 5)] and all(np.all(w == 0.5) for w in weights)
    assert all(np.all(layer.bias.data == 0) for layer in mlp.linear_layers(model))
    # the same draws as calling the scheme layer by layer on one generator
    rng, ref = np.random.default_rng(7), np.random.default_rng(7)
    model = experiments.build([4, 5, 3], "xavier", "tanh", rng)
    np.testing.assert_array_equal(model[0].weight.data, experiments.SCHEMES["xavier"]((5, 4), "tanh", ref))
    np.testing.assert_array_equal(model[2].weight.data, experiments.SCHEMES["xavier"]((3, 5), "tanh", ref))


def test_constant_init_gives_every_hidden_unit_the_same_gradient():
    X, y = np.random.default_rng(0).normal(size=(40, 2)), np.arange(40) % 3
    model = experiments.build([2, 6, 6, 3], "constant 0.5", "tanh", None)
    sgd = optim.SGD(model.parameters(), lr=0.5)
    mlp.loss_and_grads(model, X, y)
    sgd.step()
    mlp.loss_and_grads(model, X, y)
    dW1 = model[0].weight.grad
    assert np.abs(dW1).max() > 1e-6 and np.ptp(dW1, axis=0).max() < 1e-12


def test_depth_50_vanishes_and_explodes_where_the_theory_says():
    kaiming = experiments.deep_stats("kaiming", "relu")
    assert np.all((kaiming["act_std"] > 1e-2) & (kaiming["act_std"] < 1e2))
    assert np.all((kaiming["grad_std"] > 1e-4) & (kaiming["grad_std"] < 1e2))
    # N(0, 1) with ReLU: each layer multiplies the std by about √(128/2) = 8.
    big = experiments.deep_stats("normal σ=1", "relu")["act_std"]
    assert np.log(big[-1] / big[0]) / 49 == pytest.approx(np.log(8), rel=0.05)
    assert experiments.deep_stats("xavier", "relu")["act_std"][-1] < 1e-5
    sig = experiments.deep_stats("xavier", "sigmoid")["grad_std"]
    assert sig[0] < 1e-20 * sig[-1]


def test_stats_table_picks_the_first_middle_and_last_layers():
    stats = {("xavier", "tanh"): experiments.deep_stats("xavier", "tanh", depth=5, width=16)}
    (row,) = experiments.stats_table(stats)
    assert row[:2] == ("xavier", "tanh") and len(row) == 8
    assert row[2:5] == tuple(stats[("xavier", "tanh")]["act_std"][[0, 2, 4]])


def test_training_by_init():
    X, y = data.spirals(rng=np.random.default_rng(0))
    zeros = experiments.train(X, y, "zeros", "relu", steps=100)
    assert np.allclose(zeros["loss"], np.log(3))
    kaiming = experiments.train(X, y, "kaiming", "relu", steps=200)
    assert kaiming["loss"][-1] < 0.3 and kaiming["accuracy"] > 0.9
