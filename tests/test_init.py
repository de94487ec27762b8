"""04_initialization: the reference initializers against torch's table and closed-form bounds, and statistically;
the statistical checks (they pass valid draws and name wrong ones); the experiments (a real backward pass checked
numerically; vanishing/exploding where the theory says); the drawings and the explorer; and valid alternative
solutions planted into the notebook, which must pass every test cell."""

import math

import nbformat
import numpy as np
import pytest
from matplotlib.figure import Figure

from course import init as I
from course import init_experiments as E
from course.mistakes import init as M
from course.testing import CheckFailure
from course.viz import init as V
from course.widgets import init as W
from harness import Planted, is_test, plant, read, run

SHAPE = (300, 200)  # fan_in 200 ≠ fan_out 300, so a swap shows


# --- calculate_gain and the fans: torch's table, typed in by hand -----------------------------------------------
@pytest.mark.parametrize("name,param,gain", [
    ("linear", None, 1.0), ("conv1d", None, 1.0), ("conv2d", None, 1.0), ("conv3d", None, 1.0),
    ("conv_transpose1d", None, 1.0), ("conv_transpose2d", None, 1.0), ("conv_transpose3d", None, 1.0),
    ("sigmoid", None, 1.0), ("tanh", None, 1.6666666666666667), ("relu", None, 1.4142135623730951),
    ("selu", None, 0.75), ("leaky_relu", None, 1.4141428569978354),   # √(2/1.0001)
    ("leaky_relu", 0.2, 1.3867504905630728),                           # √(2/1.04)
    ("leaky_relu", math.sqrt(5), 0.5773502691896258),                  # √(1/3): torch.nn.Linear's a
    ("leaky_relu", 0, 1.4142135623730951), ("leaky_relu", 1.0, 1.0),
])
def test_calculate_gain_matches_torch_table(name, param, gain):
    assert I.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


@pytest.mark.parametrize("name,param", [("softmax", None), ("Relu", None), ("leaky_relu", "0.1"),
                                        ("leaky_relu", True)])
def test_calculate_gain_rejects_unknown_names_and_bad_slopes(name, param):
    with pytest.raises(ValueError):
        I.calculate_gain(name, param)


def test_leaky_gain_is_not_the_precedence_bug():
    a = 0.5
    assert I.calculate_gain("leaky_relu", a) ** 2 == pytest.approx(2 / 1.25)
    assert I.calculate_gain("leaky_relu", a) ** 2 != pytest.approx(2 / 1 + a**2)


@pytest.mark.parametrize("shape,fans", [((3, 5), (5, 3)), ((300, 200), (200, 300)), ((16, 8, 3, 3), (72, 144)),
                                        ((4, 2, 5), (10, 20)), ([7, 1], (1, 7))])
def test_fans(shape, fans):
    assert I.calculate_fan_in_and_fan_out(shape) == fans


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError):
        I.calculate_fan_in_and_fan_out((5,))


# --- the initializers: closed-form bounds and statistics --------------------------------------------------------
def test_zeros_and_constant_are_float64():
    assert I.zeros_init((2, 3)).dtype == np.float64 and not I.zeros_init((2, 3)).any()
    c = I.constant_init((2, 3), 2)
    assert c.dtype == np.float64 and np.all(c == 2.0)


@pytest.mark.parametrize("fn,kwargs,bound", [
    (I.xavier_uniform, {}, math.sqrt(6 / 500)),
    (I.xavier_uniform, {"gain": 5 / 3}, 5 / 3 * math.sqrt(6 / 500)),
    (I.kaiming_uniform, {}, math.sqrt(3) * math.sqrt(2) / math.sqrt(200)),
    (I.kaiming_uniform, {"mode": "fan_out"}, math.sqrt(6 / 300)),
    (I.kaiming_uniform, {"a": math.sqrt(5)}, 1 / math.sqrt(200)),           # torch.nn.Linear's default init
    (I.kaiming_uniform, {"nonlinearity": "tanh"}, 5 / 3 * math.sqrt(3 / 200)),
])
def test_uniform_initializers_have_the_closed_form_bound(fn, kwargs, bound):
    w = M.check_random(fn, SHAPE, kwargs=kwargs, dist="uniform", low=-bound, high=bound)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize("fn,kwargs,std", [
    (I.xavier_normal, {}, math.sqrt(2 / 500)),
    (I.kaiming_normal, {}, 0.1),
    (I.kaiming_normal, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 300)),
    (I.kaiming_normal, {"nonlinearity": "linear"}, 1 / math.sqrt(200)),
    (I.normal_init, {"mean": 2.0, "std": 0.5}, 0.5),
])
def test_normal_initializers_have_the_closed_form_std(fn, kwargs, std):
    w = M.check_random(fn, SHAPE, kwargs=kwargs, dist="normal", mean=kwargs.get("mean", 0.0), std=std)
    assert w.std() == pytest.approx(std, rel=0.02)


def test_kaiming_rejects_an_unknown_mode():
    for fn in (I.kaiming_uniform, I.kaiming_normal):
        with pytest.raises(ValueError):
            fn((3, 4), mode="fan_avg")


@pytest.mark.parametrize("fn", [I.uniform_init, I.normal_init, I.xavier_uniform, I.xavier_normal, I.kaiming_uniform,
                                I.kaiming_normal, I.orthogonal])
def test_reference_initializers_draw_from_the_given_rng(fn):
    M.check_uses_rng(fn, (6, 4))


@pytest.mark.parametrize("shape,gain", [((6, 4), 1.0), ((4, 6), 1.0), ((64, 64), math.sqrt(2)), ((1, 10), 1.0),
                                        ((10, 1), 0.5), ((4, 2, 3, 3), 1.0)])
def test_orthogonal_is_orthogonal_times_gain(shape, gain):
    w = I.orthogonal(shape, gain, np.random.default_rng(0))
    m = w.reshape(shape[0], -1)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(m.shape)), atol=1e-12)


def test_orthogonal_signs_make_the_first_entry_symmetric():
    M.check_orthogonal_signs(I.orthogonal, (6, 4))
    with pytest.raises(ValueError):
        I.orthogonal((5,))


# --- the checks: valid variants pass, classic mistakes are named -------------------------------------------------
def xavier_by_random(shape, gain=1.0, rng=None):
    """A valid variant that draws with rng.random() instead of rng.uniform."""
    fan_in, fan_out = shape[1], shape[0]
    b = gain * math.sqrt(6 / (fan_in + fan_out))
    return b * (2 * rng.random(shape) - 1)


def xavier_fan_in_only(shape, gain=1.0, rng=None):
    b = gain * math.sqrt(6 / shape[1])
    return rng.uniform(-b, b, shape)


def test_check_random_passes_valid_draws_over_many_seeds():
    b = math.sqrt(6 / 500)
    for seed in range(20):  # 5 standard errors: a correct draw essentially never fails
        M.check_random(xavier_by_random, SHAPE, dist="uniform", low=-b, high=b, seed=seed)
        M.check_random(lambda s, rng=None: 0.1 * rng.standard_normal(s), SHAPE, dist="normal", std=0.1, seed=seed)


def test_check_random_names_the_mistake_whose_distribution_fits():
    b = math.sqrt(6 / 500)
    wrong = [("uses fan_in only", "uniform", dict(low=-math.sqrt(6 / 200), high=math.sqrt(6 / 200)))]
    with pytest.raises(CheckFailure, match="uses fan_in only"):
        M.check_random(xavier_fan_in_only, SHAPE, dist="uniform", low=-b, high=b, wrong=wrong)


@pytest.mark.parametrize("fn,dist,params,words", [
    (lambda s, rng=None: rng.normal(0, 0.1, s), "uniform", dict(low=-0.1 * 3**0.5, high=0.1 * 3**0.5),
     "they look normally distributed"),
    (lambda s, rng=None: rng.uniform(-0.3**0.5, 0.3**0.5, s), "normal", dict(std=0.1**0.5), "look uniform"),
    (lambda s, rng=None: rng.normal(0, 0.01, s), "normal", dict(std=0.1), "the sample std is off"),
    (lambda s, rng=None: rng.normal(0.05, 0.1, s), "normal", dict(std=0.1), "the sample mean is off"),
    (lambda s, rng=None: rng.uniform(-0.5, 0.5, s), "uniform", dict(low=-1.0, high=1.0), "do not reach the bounds"),
    (lambda s, rng=None: rng.uniform(-1, 1, s).astype(np.float32), "uniform", dict(low=-1.0, high=1.0), "float64"),
    (lambda s, rng=None: rng.uniform(-1, 1, s[::-1]), "uniform", dict(low=-1.0, high=1.0), "transposed"),
])
def test_check_random_generic_messages(fn, dist, params, words):
    with pytest.raises(CheckFailure, match=words):
        M.check_random(fn, SHAPE, dist=dist, **params)


@pytest.mark.parametrize("fn,words", [
    (lambda s, rng=None: np.random.default_rng().normal(size=s), "same seed gave different weights"),
    (lambda s, rng=None: np.random.default_rng(0).normal(size=s), "different seeds gave the same weights"),
    (lambda s, rng=None: rng.normal(size=s), "rng=None"),
])
def test_check_uses_rng_names_how_the_rng_is_ignored(fn, words):
    with pytest.raises(CheckFailure, match=words):
        M.check_uses_rng(fn, (6, 4))


def test_check_orthogonal_names_missing_sign_correction_and_gain():
    def unsigned(shape, gain=1.0, rng=None):
        return gain * np.linalg.qr(rng.standard_normal(shape))[0]

    with pytest.raises(CheckFailure, match="Correct the signs"):
        M.check_orthogonal_signs(unsigned, (6, 4))
    with pytest.raises(CheckFailure, match="gain missing"):
        M.check_orthogonal(lambda s, gain=1.0, rng=None: unsigned(s, 1.0, rng), (5, 5), gain=2.0)


def test_mistake_catalogue_differs_from_the_reference_where_it_is_used():
    for m in M.MISTAKES["calculate_gain"]:
        cases = [("leaky_relu", 0.2), ("relu", None), ("leaky_relu", 0), ("leaky_relu", None)]
        assert any(not np.isclose(m.fn(*c), I.calculate_gain(*c), rtol=1e-7) for c in cases), m.sentence
    for m in M.MISTAKES["calculate_fan_in_and_fan_out"]:
        assert any(m.fn(s) != I.calculate_fan_in_and_fan_out(s) for s in [(3, 5), (16, 8, 3, 3)]), m.sentence


def test_reference_helpers_swaps_in_and_restores():
    ns = {"uniform_init": "mine"}
    with M.reference_helpers(ns):
        assert ns["uniform_init"] is I.uniform_init and ns["calculate_gain"] is I.calculate_gain
    assert ns == {"uniform_init": "mine"}


# --- the experiments -------------------------------------------------------------------------------------------
def test_mlp_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    for act in ["sigmoid", "tanh", "relu"]:
        params = E.init_mlp([3, 4, 4, 2], "xavier", act, rng)
        _, grads, _ = E.mlp_loss_and_grads(x, y, params, act)
        W0 = params[0][0]
        num = np.zeros_like(W0)
        for idx in np.ndindex(W0.shape):
            for sign in (1, -1):
                Wp = W0.copy()
                Wp[idx] += sign * 1e-6
                loss, _, _ = E.mlp_loss_and_grads(x, y, [(Wp, params[0][1]), *params[1:]], act)
                num[idx] += sign * loss / 2e-6
        np.testing.assert_allclose(grads[0][0], num, rtol=1e-5, atol=1e-8, err_msg=act)


def test_constant_init_gives_every_hidden_unit_the_same_gradient():
    X, y = np.random.default_rng(0).normal(size=(40, 2)), np.arange(40) % 3
    params = E.init_mlp([2, 6, 6, 3], "constant 0.5", "tanh", None)
    _, grads, _ = E.mlp_loss_and_grads(X, y, params, "tanh")
    params = E.sgd_step(params, grads, 0.5)
    _, grads, _ = E.mlp_loss_and_grads(X, y, params, "tanh")
    dW1 = grads[0][0]
    assert np.abs(dW1).max() > 1e-6 and np.ptp(dW1, axis=0).max() < 1e-12


def test_depth_50_vanishes_and_explodes_where_the_theory_says():
    kaiming = E.deep_stats("kaiming", "relu")
    assert np.all((kaiming["act_std"] > 1e-2) & (kaiming["act_std"] < 1e2))
    assert np.all((kaiming["grad_std"] > 1e-4) & (kaiming["grad_std"] < 1e2))
    # N(0, 1) with ReLU: each layer multiplies the std by about √(128/2) = 8.
    big = E.deep_stats("normal σ=1", "relu")["act_std"]
    assert np.log(big[-1] / big[0]) / 49 == pytest.approx(np.log(8), rel=0.05)
    assert E.deep_stats("xavier", "relu")["act_std"][-1] < 1e-5
    sig = E.deep_stats("xavier", "sigmoid")["grad_std"]
    assert sig[0] < 1e-20 * sig[-1]


def test_training_by_init():
    from course import data

    X, y = data.spirals(rng=np.random.default_rng(0))
    zeros = E.train(X, y, "zeros", "relu", steps=100)
    assert np.allclose(zeros["loss"], np.log(3))
    kaiming = E.train(X, y, "kaiming", "relu", steps=200)
    assert kaiming["loss"][-1] < 0.3 and kaiming["accuracy"] > 0.9


# --- drawings and the explorer ---------------------------------------------------------------------------------
def test_drawings_return_figures():
    res = {(s, a): E.deep_stats(s, a, depth=6, width=16) for s in ["xavier", "kaiming"] for a in ["tanh", "relu"]}
    assert len(V.plot_layer_stds(res).axes) == 4
    X = np.random.default_rng(0).normal(size=(30, 2))
    runs = {s: E.train(X, np.arange(30) % 3, s, steps=5) for s in ["zeros", "xavier"]}
    assert isinstance(V.plot_training_curves(runs), Figure)
    assert len(V.plot_unit_weights({s: r["params"][0][0] for s, r in runs.items()}).axes) == 4  # 2 maps + colorbars
    fig = V.plot_layer_histograms("normal σ=1", "relu", depth=8, width=32)
    assert len(fig.axes) == 2 * 5


def test_explorer_rerenders_when_a_control_moves():
    box = W.init_explorer()
    assert box.renders == 1 and box.output.outputs[0]["data"]["image/png"]
    first = box.output.outputs[0]["data"]["image/png"]
    box.controls["depth"].value = 3
    assert box.renders == 2 and len(box.figure.axes) == 2 * 3
    box.controls["scheme"].value = "kaiming"
    assert box.renders == 3 and box.output.outputs[0]["data"]["image/png"] != first


# --- valid alternative solutions pass every test cell ----------------------------------------------------------
VARIANTS = [
    Planted("fans with math.prod", "calculate_fan_in_and_fan_out",
            "    receptive_field = 1\n    for k in shape[2:]:\n        receptive_field *= k\n",
            "    receptive_field = math.prod(shape[2:])\n", ""),
    Planted("constant via ones", "constant_init", "np.full(shape, value, dtype=np.float64)",
            "np.ones(shape) * float(value)", ""),
    Planted("uniform via rng.random", "uniform_init", "return rng.uniform(a, b, size=shape)",
            "return a + (b - a) * rng.random(shape)", ""),
    Planted("normal via standard_normal", "normal_init", "return rng.normal(mean, std, size=shape)",
            "return mean + std * rng.standard_normal(tuple(shape))", ""),
    Planted("leaky gain written as a quotient of roots", "calculate_gain", "math.sqrt(2.0 / (1 + slope**2))",
            "math.sqrt(2.0) / math.sqrt(1 + slope * slope)", ""),
    Planted("xavier uniform inline with rng.random", "xavier_uniform",
            "    return uniform_init(shape, -bound, bound, rng)",
            "    rng = np.random.default_rng() if rng is None else rng\n"
            "    return bound * (2.0 * rng.random(shape) - 1.0)", ""),
    Planted("xavier normal via the variance", "xavier_normal", "    std = gain * math.sqrt(2.0 / (fan_in + fan_out))",
            "    var = gain**2 * 2.0 / (fan_in + fan_out)\n    std = np.sqrt(var)", ""),
    Planted("kaiming normal with its own fans and draw", "kaiming_normal",
            "    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)\n",
            "    fan_in = shape[1] * int(np.prod(shape[2:]))\n    fan_out = shape[0] * int(np.prod(shape[2:]))\n"
            "    rng = np.random.default_rng() if rng is None else rng\n"
            "    normal_init = lambda s, m, sd, g: g.standard_normal(s) * sd + m\n", ""),
    Planted("kaiming uniform with a dict of fans", "kaiming_uniform",
            '    fan = fan_in if mode == "fan_in" else fan_out',
            '    fan = {"fan_in": fan_in, "fan_out": fan_out}[mode]', ""),
    Planted("orthogonal drawing with the notebook's own normal_init", "orthogonal",
            "a = rng.standard_normal((max(rows, cols), min(rows, cols)))",
            "a = normal_init((max(rows, cols), min(rows, cols)), rng=rng)", ""),
    Planted("orthogonal via the polar factor (SVD)", "orthogonal",
            "    q, r = np.linalg.qr(a)\n    q = q * np.sign(np.diag(r))\n",
            "    u, _, vt = np.linalg.svd(a, full_matrices=False)\n    q = u @ vt\n", ""),
]


@pytest.fixture(scope="module")
def variant_results():
    nb = read("04_initialization")
    for v in VARIANTS:
        nb = plant(nb, v)
    # Only the set-up, solution and test cells: the experiments do not use the graded functions.
    keep = [c for c in nb.cells if c.cell_type == "code" and (c.get("id") == "setup" or is_test(c)
                                                             or c.metadata.get("nbgrader", {}).get("solution"))]
    return run(nbformat.v4.new_notebook(cells=keep))


def test_valid_variants_pass_every_test_cell(variant_results):
    failed = {k: v for k, v in variant_results.items() if v}
    assert len(variant_results) == 11 and not failed, failed
