"""The worked networks of 03 (course.examples) against the lesson's hand-worked numbers and numerical gradients: the
2-2-2 network, the XOR network's four steps, and the delta rule of an L-layer sigmoid network."""

import numpy as np
import pytest

from course import activations, layers
from course.examples import delta_rule, network222, xor
from course.gradcheck import numerical_gradient, rel_error

SEED = (network222.INPUTS, network222.TARGETS, network222.PARAMS)


def _E(params, inputs=network222.INPUTS, targets=network222.TARGETS):
    return network222.net222_forward(inputs, targets, params)["E"]


def test_the_worked_networks_forward_numbers():
    v = network222.net222_forward(*SEED)
    for name, number in [("out_h1", 0.58054), ("out_h2", 0.58783), ("out_o1", 0.65056), ("out_o2", 0.67663)]:
        assert abs(v[name] - number) < 5e-6, name
    assert abs(v["E"] - 0.036114) < 5e-7
    assert v["net_h1"] == pytest.approx(0.325) and v["net_h2"] == pytest.approx(0.355)


def test_the_worked_networks_gradients_and_the_numerical_gradient():
    g = network222.net222_backward(*SEED, network222.net222_forward(*SEED))
    assert abs(g["w6"] - -0.0199706) < 5e-8
    assert abs(g["w2"] - -0.00124675) < 5e-9
    assert abs(g["b1"] - -0.0134398) < 5e-8
    assert abs(g["b2"] - -0.0828477) < 5e-8
    h = 1e-6
    for k, p in network222.PARAMS.items():
        num = (_E({**network222.PARAMS, k: p + h}) - _E({**network222.PARAMS, k: p - h})) / (2 * h)
        assert g[k] == pytest.approx(num, rel=1e-6, abs=1e-11), k


def test_net222_training_lowers_the_error_every_step():
    errors = [step[1]["E"] for step in network222.net222_train(100, lr=0.5)]
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert errors[-1] < errors[0] / 10


def test_xor_gradients_are_the_numerical_gradient_and_the_deltas_are_bias_gradients():
    x, y = np.array([1.0, 0.0]), 1.0
    error, d_out, d_hid, grads = xor.xor_gradients(x, y, xor.PARAMS)

    def E(p):
        return 0.5 * (xor.forward(x[None], p)[1][0] - y) ** 2

    for k, arr in xor.PARAMS.items():
        num = numerical_gradient(lambda t, k=k: E({**xor.PARAMS, k: t}), arr)
        assert rel_error(grads[k], num) < 1e-7, k
    np.testing.assert_array_equal(d_out, grads["b2"])
    np.testing.assert_array_equal(d_hid, grads["b1"])
    assert error == pytest.approx(xor.forward(x[None], xor.PARAMS)[1][0] - 1.0)
    # the worked example shows all three readings of a sign
    assert grads["W1"][0, 0] < 0 < grads["W1"][1, 0] and np.all(grads["W1"][:, 1] == 0)


def test_xor_batch_gradient_is_the_mean_of_the_per_example_ones():
    rng = np.random.default_rng(5)
    p = xor.init_params(rng, hidden=3)
    batch = xor.batch_gradients(xor.X, xor.Y, p)
    each = [xor.xor_gradients(x, y, p)[3] for x, y in zip(xor.X, xor.Y)]
    for k in p:
        np.testing.assert_allclose(batch[k], np.mean([e[k] for e in each], axis=0), rtol=1e-12, atol=1e-15)


def test_train_xor_converges_from_default_rng_0_and_both_paths_agree():
    start = xor.init_params(np.random.default_rng(0), hidden=2)
    trained, losses = xor.train_xor(start, xor.X, xor.Y)
    assert xor.mse(xor.X, xor.Y, trained) < 0.01
    assert losses[0] > 0.2 and len(losses) == 1000
    looped, looped_losses = xor.train_xor(start, xor.X, xor.Y, grad_fn=xor.xor_gradients, epochs=50)
    vector, vector_losses = xor.train_xor(start, xor.X, xor.Y, epochs=50)
    np.testing.assert_allclose(looped_losses, vector_losses, rtol=1e-12)
    for k in start:
        np.testing.assert_allclose(looped[k], vector[k], rtol=1e-12)


def test_mlp_delta_rule_passes_a_whole_network_gradient_check():
    rng = np.random.default_rng(2)
    net = delta_rule.mlp_init([4, 6, 5, 3], rng, scale=2.0)
    X, Y = rng.normal(size=(8, 4)), rng.integers(0, 2, size=(8, 3)).astype(float)
    naive = lambda p: (
        -np.sum(Y * np.log(delta_rule.mlp_forward(X, p)[-1]) + (1 - Y) * np.log(1 - delta_rule.mlp_forward(X, p)[-1]))
    )
    assert delta_rule.mlp_loss(X, Y, net) == pytest.approx(naive(net) / len(X), rel=1e-12)
    grads = delta_rule.mlp_backward(delta_rule.mlp_forward(X, net), Y, net)
    for l, ((W, b), (dW, db)) in enumerate(zip(net, grads)):
        num_W = numerical_gradient(lambda t: delta_rule.mlp_loss(X, Y, net[:l] + [(t, b)] + net[l + 1 :]), W)
        num_b = numerical_gradient(lambda t: delta_rule.mlp_loss(X, Y, net[:l] + [(W, t)] + net[l + 1 :]), b)
        assert rel_error(dW, num_W) < 1e-6 and rel_error(db, num_b) < 1e-6


def test_tables_show_the_products_and_the_advice():
    v = network222.net222_forward(*SEED)
    text = network222.chain_rule_table(*SEED, v, network222.net222_backward(*SEED, v))
    for number in ("-0.019970635", "-0.001246754", "-0.013439767", "-0.082847658"):
        assert text.count(number) == 2, number  # product of the factors and the gradient agree
    grads = xor.xor_gradients(np.array([1.0, 0.0]), 1.0, xor.PARAMS)[3]
    advice = xor.gradient_sign_table(xor.PARAMS, grads)
    assert "raise" in advice and "lower" in advice and "no change" in advice and "-0.00000" not in advice


def test_net222_deltas_are_the_gradients_of_the_units_nets():
    v = network222.net222_forward(*SEED)
    d = network222.net222_deltas(network222.TARGETS, network222.PARAMS, v)
    g = network222.net222_backward(*SEED, v)
    assert d["o1"] + d["o2"] == pytest.approx(g["b2"]) and d["h1"] + d["h2"] == pytest.approx(g["b1"])
    assert g["w5"] == pytest.approx(d["o1"] * v["out_h1"])


def test_the_delta_rule_is_the_course_layers_composed():
    rng = np.random.default_rng(4)
    net = delta_rule.mlp_init([3, 5, 2], rng)
    X = rng.normal(size=(6, 3))
    acts = delta_rule.mlp_forward(X, net)
    h = activations.sigmoid(layers.linear_forward(X, *net[0])[0])
    np.testing.assert_array_equal(acts[1], h)
    np.testing.assert_array_equal(acts[2], activations.sigmoid(layers.linear_forward(h, *net[1])[0]))


def test_xor_training_history_starts_at_its_seed_and_its_losses_fall():
    history, losses = xor.train_history(0, 5.0, 2, 300)
    assert len(history) == len(losses) == 301
    np.testing.assert_array_equal(history[0]["W1"], xor.init_params(np.random.default_rng(0), 2)["W1"])
    assert losses[-1] < losses[0]
