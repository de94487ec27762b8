"""course.backprop against seed 004's hand-worked numbers and numerical gradients; the 03 drawings, explorers,
mistake catalogue, and valid alternative solutions (loops, einsum, float32, column layout) passing every test cell."""

import numpy as np
import pytest

from course import backprop as B
from course.gradcheck import numerical_gradient, rel_error
from course.mistakes.backprop import MISTAKES
from harness import Planted, plant, read, run

SEED = (B.SEED004_INPUTS, B.SEED004_TARGETS, B.SEED004_PARAMS)


def _E(params, inputs=B.SEED004_INPUTS, targets=B.SEED004_TARGETS):
    return B.net222_forward(inputs, targets, params)["E"]


def test_seed004_forward_numbers():
    v = B.net222_forward(*SEED)
    for name, number in [("out_h1", 0.58054), ("out_h2", 0.58783), ("out_o1", 0.65056), ("out_o2", 0.67663)]:
        assert abs(v[name] - number) < 5e-6, name
    assert abs(v["E"] - 0.036114) < 5e-7
    assert v["net_h1"] == pytest.approx(0.325) and v["net_h2"] == pytest.approx(0.355)


def test_seed004_gradients_and_numerical_gradient():
    g = B.net222_backward(*SEED, B.net222_forward(*SEED))
    assert abs(g["w6"] - -0.0199706) < 5e-8
    assert abs(g["w2"] - -0.00124675) < 5e-9
    assert abs(g["b1"] - -0.0134398) < 5e-8
    assert abs(g["b2"] - -0.0828477) < 5e-8
    h = 1e-6
    for k, p in B.SEED004_PARAMS.items():
        num = (_E({**B.SEED004_PARAMS, k: p + h}) - _E({**B.SEED004_PARAMS, k: p - h})) / (2 * h)
        assert g[k] == pytest.approx(num, rel=1e-6, abs=1e-11), k


def test_net222_training_lowers_the_error_every_step():
    errors = [step[1]["E"] for step in B.net222_train(100, lr=0.5)]
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert errors[-1] < errors[0] / 10


def test_xor_gradients_are_the_numerical_gradient_and_the_deltas_are_bias_gradients():
    x, y = np.array([1.0, 0.0]), 1.0
    error, d_out, d_hid, grads = B.xor_gradients(x, y, B.XOR_PARAMS)

    def E(p):
        return 0.5 * (B.xor_forward(x[None], p)[1][0] - y) ** 2

    for k, arr in B.XOR_PARAMS.items():
        num = numerical_gradient(lambda t, k=k: E({**B.XOR_PARAMS, k: t}), arr)
        assert rel_error(grads[k], num) < 1e-7, k
    np.testing.assert_array_equal(d_out, grads["b2"])
    np.testing.assert_array_equal(d_hid, grads["b1"])
    assert error == pytest.approx(B.xor_forward(x[None], B.XOR_PARAMS)[1][0] - 1.0)
    # the worked example shows all three readings of a sign
    assert grads["W1"][0, 0] < 0 < grads["W1"][1, 0] and np.all(grads["W1"][:, 1] == 0)


def test_xor_batch_gradient_is_the_mean_of_the_per_example_ones():
    rng = np.random.default_rng(5)
    p = B.init_xor_params(rng, hidden=3)
    batch = B.xor_batch_gradients(B.XOR_X, B.XOR_Y, p)
    each = [B.xor_gradients(x, y, p)[3] for x, y in zip(B.XOR_X, B.XOR_Y)]
    for k in p:
        np.testing.assert_allclose(batch[k], np.mean([e[k] for e in each], axis=0), rtol=1e-12, atol=1e-15)


def test_train_xor_converges_from_default_rng_0_and_both_paths_agree():
    start = B.init_xor_params(np.random.default_rng(0), hidden=2)
    trained, losses = B.train_xor(start, B.XOR_X, B.XOR_Y)
    assert B.xor_mse(B.XOR_X, B.XOR_Y, trained) < 0.01
    assert losses[0] > 0.2 and len(losses) == 1000
    looped, looped_losses = B.train_xor(start, B.XOR_X, B.XOR_Y, grad_fn=B.xor_gradients, epochs=50)
    vector, vector_losses = B.train_xor(start, B.XOR_X, B.XOR_Y, epochs=50)
    np.testing.assert_allclose(looped_losses, vector_losses, rtol=1e-12)
    for k in start:
        np.testing.assert_allclose(looped[k], vector[k], rtol=1e-12)


def test_mlp_delta_rule_passes_a_whole_network_gradient_check():
    rng = np.random.default_rng(2)
    net = B.mlp_init([4, 6, 5, 3], rng, scale=2.0)
    X, Y = rng.normal(size=(8, 4)), rng.integers(0, 2, size=(8, 3)).astype(float)
    naive = lambda p: -np.sum(Y * np.log(B.mlp_forward(X, p)[-1]) + (1 - Y) * np.log(1 - B.mlp_forward(X, p)[-1]))
    assert B.mlp_loss(X, Y, net) == pytest.approx(naive(net) / len(X), rel=1e-12)
    grads = B.mlp_backward(B.mlp_forward(X, net), Y, net)
    for l, ((W, b), (dW, db)) in enumerate(zip(net, grads)):
        num_W = numerical_gradient(lambda t: B.mlp_loss(X, Y, net[:l] + [(t, b)] + net[l + 1:]), W)
        num_b = numerical_gradient(lambda t: B.mlp_loss(X, Y, net[:l] + [(W, t)] + net[l + 1:]), b)
        assert rel_error(dW, num_W) < 1e-6 and rel_error(db, num_b) < 1e-6


def test_tables_show_the_products_and_the_advice():
    v = B.net222_forward(*SEED)
    text = B.chain_rule_table(*SEED, v, B.net222_backward(*SEED, v))
    for number in ("-0.019970635", "-0.001246754", "-0.013439767", "-0.082847658"):
        assert text.count(number) == 2, number  # product of the factors and the gradient agree
    grads = B.xor_gradients(np.array([1.0, 0.0]), 1.0, B.XOR_PARAMS)[3]
    advice = B.gradient_sign_table(B.XOR_PARAMS, grads)
    assert "raise" in advice and "lower" in advice and "no change" in advice and "-0.00000" not in advice


# --- the mistake catalogue: no wrong function may coincide with the right answer --------------------------------------
def _cases():
    rng = np.random.default_rng(9)
    z = rng.normal(size=(4, 3)) + 0.1
    z[0, 0] = 0.0
    da = rng.normal(size=(4, 3))
    x, W, b, dout = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=(3, 3))
    p = {k: float(rng.normal()) for k in B.SEED004_PARAMS}
    inp, tgt = (0.3, -0.4), (0.2, 0.7)
    net = B.mlp_init([3, 4, 2], rng, scale=2.0)
    Xm, Ym = rng.normal(size=(5, 3)), rng.integers(0, 2, (5, 2)).astype(float)
    from course import activations as A
    from course import layers as LY
    return {
        "sigmoid_forward": (A.sigmoid_forward, (z,)), "sigmoid_backward": (A.sigmoid_backward, (da, A.sigmoid(z))),
        "tanh_forward": (A.tanh_forward, (z,)), "tanh_backward": (A.tanh_backward, (da, np.tanh(z))),
        "relu_forward": (A.relu_forward, (z,)), "relu_backward": (A.relu_backward, (da, z)),
        "leaky_relu_forward": (A.leaky_relu_forward, (z, 0.1)),
        "leaky_relu_backward": (A.leaky_relu_backward, (da, (z, 0.1))),
        "prelu_forward": (A.prelu_forward, (z, np.array([0.1, 0.2, 0.3]))),
        "prelu_backward": (A.prelu_backward, (da, (z, 0.2))),
        "linear_forward": (LY.linear_forward, (x, W, b)), "linear_backward": (LY.linear_backward, (dout, (x, W, b))),
        "net222_forward": (B.net222_forward, (inp, tgt, p)),
        "net222_backward": (B.net222_backward, (inp, tgt, p, B.net222_forward(inp, tgt, p))),
        "net222_update": (B.net222_update, (p, {k: 0.1 for k in p}, 0.5)),
        "xor_gradients": (B.xor_gradients, (np.array([1.0, 0.0]), 1.0, B.XOR_PARAMS)),
        "train_xor": (lambda *a: B.train_xor(*a[:3], lr=a[4], epochs=a[5]),
                      (B.XOR_PARAMS, B.XOR_X, B.XOR_Y, B.xor_gradients, 5.0, 3)),
        "mlp_forward": (B.mlp_forward, (Xm, net)),
        "mlp_backward": (B.mlp_backward, (B.mlp_forward(Xm, net), Ym, net)),
    }


def _same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and not np.isscalar(a):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def test_every_catalogued_mistake_differs_from_the_right_answer():
    cases = _cases()
    assert set(MISTAKES) <= set(cases)
    for name, mistakes in MISTAKES.items():
        ref, args = cases[name]
        right = ref(*args)
        for m in mistakes:
            assert not _same(m.fn(*args), right), f"{name}: the mistake {m.sentence!r} equals the right answer"


# --- drawings and explorers --------------------------------------------------------------------------------------------
def test_net222_drawing_labels_every_weight_gradient_and_delta():
    from course.viz import backprop as V
    fig = V.draw_net222(step=0, lr=0.5)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    for k in ("w1", "w8"):
        assert f"{k} = {B.SEED004_PARAMS[k]:.3f}" in texts
    assert "∂E/∂w6 = -0.01997" in texts and "δo1 = -0.03397" in texts and "= -0.01344" in texts
    assert "E = 0.036114" in fig.axes[0].get_title()
    later = V.draw_net222(step=10, lr=0.5)
    assert later.axes[0].get_title() != fig.axes[0].get_title()


def test_xor_drawing_shows_the_boundary_and_the_mse():
    from course.viz import backprop as V
    early, late = V.plot_xor_training(epoch=0), V.plot_xor_training(epoch=1000)
    mse = lambda fig: float(fig.axes[0].get_title().split("=")[1])
    assert mse(early) > 0.2 and mse(late) < 0.01


def test_explorers_redraw_when_a_control_moves():
    from course.widgets import backprop as W
    for box, name, value in [(W.net222_stepper(), "step", 7), (W.xor_boundary_explorer(), "epoch", 100)]:
        renders, png = box.renders, box.output.outputs[0]["data"]["image/png"]
        box.controls[name].value = value
        assert box.renders == renders + 1
        assert box.output.outputs[0]["data"]["image/png"] != png


# --- valid variants: other correct implementations pass every test cell ----------------------------------------------
VARIANTS = [
    Planted("sigmoid through tanh (keeps float32)", "sigmoid_forward",
            "    z = np.asarray(z, dtype=np.float64)\n    e = np.exp(-np.abs(z))\n"
            "    a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n    return a, a",
            "    a = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z)))\n    return a, a", ""),
    Planted("relu backward with loops", "relu_backward", "    z = cache\n    return np.where(z > 0, da, 0.0)",
            "    z = cache\n    dz = np.zeros(np.shape(da))\n    for idx in np.ndindex(*np.shape(z)):\n"
            "        if z[idx] > 0:\n            dz[idx] = da[idx]\n    return dz", ""),
    Planted("leaky relu backward with a mask", "leaky_relu_backward",
            "    return np.where(z > 0, da, negative_slope * da)",
            "    mask = (z > 0).astype(da.dtype)\n    return da * (mask + negative_slope * (1 - mask))", ""),
    Planted("prelu backward per feature", "prelu_backward",
            "    dalpha = contrib.sum() if alpha.ndim == 0 else contrib.sum(axis=0)",
            "    if alpha.ndim == 0:\n        dalpha = float(np.sum(contrib))\n    else:\n"
            "        dalpha = np.array([contrib[:, j].sum() for j in range(alpha.shape[0])])", ""),
    Planted("linear layer with einsum", "linear_backward", "    return dout @ W, dout.T @ x, dout.sum(axis=0)",
            "    return (np.einsum('no,od->nd', dout, W), np.einsum('no,nd->od', dout, x),\n"
            "            np.einsum('no->o', dout))", ""),
    Planted("2-2-2 backward with matrices", "net222_backward",
            '    return {"w1": d_h1 * i1,',
            '    Wo = np.array([[p["w5"], p["w6"]], [p["w7"], p["w8"]]])\n'
            '    d_o = np.array([d_o1, d_o2])\n'
            '    d_h = (Wo.T @ d_o) * np.array([v["out_h1"] * (1 - v["out_h1"]), v["out_h2"] * (1 - v["out_h2"])])\n'
            '    d_h1, d_h2 = float(d_h[0]), float(d_h[1])\n'
            '    return {"w1": d_h1 * i1,', ""),
    Planted("update by copying the dict", "net222_update",
            "    return {k: params[k] - lr * grads[k] for k in params}",
            "    new = dict(params)\n    for k in grads:\n        new[k] -= lr * grads[k]\n    return new", ""),
    Planted("xor gradients with explicit loops", "xor_gradients",
            '    grads = {"W1": np.outer(delta_hidden, x), "b1": delta_hidden,',
            '    gW1 = np.zeros_like(params["W1"])\n'
            '    for j in range(gW1.shape[0]):\n'
            '        for i in range(gW1.shape[1]):\n'
            '            gW1[j, i] = delta_hidden[j] * x[i]\n'
            '    grads = {"W1": gW1, "b1": delta_hidden,', ""),
    Planted("training accumulates sums then divides", "train_xor",
            "        for k in params:\n            params[k] = params[k] - lr * np.mean([r[3][k] for r in results], "
            "axis=0)",
            "        total = {k: sum(r[3][k] for r in results) for k in params}\n"
            "        params = {k: params[k] - lr * total[k] / len(X) for k in params}", ""),
    Planted("delta rule in seed 001's column layout", "mlp_backward",
            "    N = len(Y)\n    delta = (activations[-1] - Y) / N\n    grads = [None] * len(params)\n"
            "    for l in range(len(params) - 1, -1, -1):\n        a_prev = activations[l]\n"
            "        grads[l] = (delta.T @ a_prev, delta.sum(axis=0))\n        if l > 0:\n"
            "            delta = (delta @ params[l][0]) * a_prev * (1 - a_prev)\n    return grads",
            "    m = Y.shape[0]\n    d = (activations[-1] - Y).T              # (K, m): one column per example\n"
            "    grads = []\n    for l in reversed(range(len(params))):\n        a = activations[l].T\n"
            "        grads.insert(0, (d @ a.T / m, d.sum(axis=1) / m))\n"
            "        d = (params[l][0].T @ d) * a * (1 - a)\n    return grads", ""),
]


@pytest.fixture(scope="module")
def variant_results():
    nb = read("03_backprop")
    for v in VARIANTS:
        nb = plant(nb, v)
    return run(nb)


def test_valid_variants_pass_every_test_cell(variant_results):
    failed = {k: v for k, v in variant_results.items() if v}
    assert not failed, failed


def test_float32_inputs_pass_the_activation_and_linear_checks():
    from course.testing import check
    from course import activations as A
    from course import layers as LY
    rng = np.random.default_rng(11)
    z = rng.normal(size=(3, 4))
    check(A.sigmoid_backward, np.ones((3, 4), np.float32), A.sigmoid(z).astype(np.float32),
          expected=A.sigmoid(z) * (1 - A.sigmoid(z)))
    x, W, b = rng.normal(size=(2, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    check(LY.linear_forward, x.astype(np.float32), W.astype(np.float32), b.astype(np.float32),
          expected=(x @ W.T + b, (x.astype(np.float32), W.astype(np.float32), b.astype(np.float32))))
