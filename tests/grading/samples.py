"""Sample arguments for every catalogued graded function, with the reference each mistake is a difference from.

``SAMPLES[name] = (reference, [args, ...])``. The catalogue tests run each mistake and its reference on every sample:
a mistake must differ from the reference on at least one of them (else no student could ever be told about it), and
the catalogue's "no mistake" form must reproduce the reference exactly on all of them. Samples avoid the special
cases that make two different formulas agree (square shapes where a transpose would hide, all-positive inputs ...).
"""

import numpy as np

from course import activations, ctc, gradcheck, gradients, init, layers, losses, optim, rnn, train
from course import autograd as ag
from course.examples import delta_rule, network222, xor
from course.grading.autograd import op_outputs

_rng = np.random.default_rng(2024)


def _normal(*shape, scale=1.0):
    return scale * _rng.standard_normal(shape)


def _after(update, steps, w, **kw):
    """A state dict after ``steps`` reference updates, so mistakes that show only on a later step can show."""
    state = {}
    for k in range(steps):
        w, state = update(w, 0.3 * (k + 1) * np.ones_like(w) - w, state, **kw)
    return state


# --- 01_losses -------------------------------------------------------------------------------------------------------
_yp, _y = _normal(4, 3, scale=2.0), _normal(4, 3)
_ties = _y.copy()
_ties[0] = _yp[0]
_p, _t = _rng.uniform(0.05, 0.95, size=(5, 2)), _rng.integers(0, 2, size=(5, 2)).astype(float)
_z = _normal(5, 2, scale=3.0)
_logits, _labels = _normal(4, 3, scale=2.0), np.array([0, 2, 1, 2])
_s, _ys = _normal(7, scale=2.0), _rng.choice([-1.0, 1.0], size=7)
_weights = [_normal(3, 2), _normal(2)]
# MAPE: targets of both signs (|y| above and below 0.8, the larger eps of the second sample) and one tie
_yt = np.array([[2.0, -1.5, 0.3], [-0.4, 1.2, 3.0]])
_yf = _yt + np.array([[0.5, -0.7, 0.0], [0.9, -0.2, -1.1]])

LOSSES = {
    "mse_forward": (losses.mse_forward, [(_yp, _y)]),
    "mse_backward": (losses.mse_backward, [(_yp, _y)]),
    "mae_backward": (losses.mae_backward, [(_yp, _ties)]),
    "huber_forward": (losses.huber_forward, [(_yp, _y), (_yp, _y, 0.5)]),
    "huber_backward": (losses.huber_backward, [(_yp, _y, 0.5), (_yp, _y, 2.0)]),
    "mape_forward": (losses.mape_forward, [(_yf, _yt), (_yf, _yt, 0.8)]),
    "mape_backward": (losses.mape_backward, [(_yf, _yt), (_yf, _yt, 0.8)]),
    "bce_forward": (losses.bce_forward, [(_p, _t)]),
    "bce_backward": (losses.bce_backward, [(_p, _t)]),
    "bce_with_logits_forward": (losses.bce_with_logits_forward, [(_z, _t), (_normal(4, scale=1000.0), np.ones(4))]),
    "bce_with_logits_backward": (losses.bce_with_logits_backward, [(_z, _t)]),
    "softmax": (losses.softmax, [(_normal(3, 3, scale=2.0),), (_logits,)]),
    "cross_entropy_forward": (losses.cross_entropy_forward, [(_logits, _labels)]),
    "cross_entropy_backward": (losses.cross_entropy_backward, [(_logits, _labels)]),
    "hinge_forward": (losses.hinge_forward, [(_s, _ys)]),
    "hinge_backward": (losses.hinge_backward, [(_s, _ys)]),
    "multiclass_hinge_forward": (losses.multiclass_hinge_forward, [(_logits, _labels)]),
    "multiclass_hinge_backward": (losses.multiclass_hinge_backward, [(_logits, _labels)]),
    "l2_penalty_forward": (losses.l2_penalty_forward, [(_weights, 0.3, 7)]),
    "l2_penalty_backward": (losses.l2_penalty_backward, [(_weights, 0.3, 7)]),
}

# --- 02_gradients ----------------------------------------------------------------------------------------------------
_X2 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

GRADIENTS = {
    "numerical_derivative": (gradcheck.numerical_derivative, [(lambda v: v**3, 2.0, 0.1)]),
    "numerical_gradient": (
        gradcheck.numerical_gradient,
        [
            (lambda z: np.sum(z**3) + z[0] * z[1], np.array([1.0, 2.0, -1.0]), 1e-3),
            (lambda z: np.sum(z**3), np.array([1.0, -2.0]), 0.1),
            (lambda z: np.sum(np.asarray(z, dtype=np.float64) ** 3), np.array([1.3, 0.7], dtype=np.float32)),
        ],
    ),
    "rel_error": (gradcheck.rel_error, [(np.array([-1.0, 0.0, -2.0]), np.array([1.0, 0.0, -2.5]))]),
    "graph_forward": (gradients.graph_forward, [(np.array([0.5, -1.0]), np.array([2.0, 0.5]))]),
    "graph_backward": (
        gradients.graph_backward,
        [(np.array([0.5, -2.0]), (np.array([2.5, -0.5]), np.array([3.0, 1.5])))],
    ),
    "linreg_forward": (gradients.linreg_forward, [(_X2, np.array([0.5, 0.5]), 0.25)]),
    "linreg_backward": (gradients.linreg_backward, [(_X2, np.array([1.0, 2.0, 2.0]), np.array([0.5, 0.5]), 0.25)]),
    "gd_update": (gradients.gd_update, [(np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1)]),
    "gradient_descent": (
        gradients.gradient_descent,
        [(lambda x: np.array([1.0, 10.0]) * x, np.array([1.0, 1.0]), 0.05, 3)],
    ),
}

# --- 03_backprop -----------------------------------------------------------------------------------------------------
_za = _normal(4, 3) + 0.1
_za[0, 0] = 0.0
_da = _normal(4, 3)
_xl, _Wl, _bl, _doutl = _normal(3, 3), _normal(3, 3), _normal(3), _normal(3, 3)
_p222 = {k: float(_rng.normal()) for k in network222.PARAMS}
_inp, _tgt = (0.3, -0.4), (0.2, 0.7)
_net = delta_rule.mlp_init([3, 4, 2], _rng, scale=2.0)
_Xm, _Ym = _normal(5, 3), _rng.integers(0, 2, (5, 2)).astype(float)

BACKPROP = {
    "sigmoid_forward": (activations.sigmoid_forward, [(_za,)]),
    "sigmoid_backward": (activations.sigmoid_backward, [(_da, activations.sigmoid(_za))]),
    "tanh_forward": (activations.tanh_forward, [(_za,)]),
    "tanh_backward": (activations.tanh_backward, [(_da, np.tanh(_za))]),
    "relu_forward": (activations.relu_forward, [(_za,)]),
    "relu_backward": (activations.relu_backward, [(_da, _za)]),
    "leaky_relu_forward": (activations.leaky_relu_forward, [(_za, 0.1)]),
    "leaky_relu_backward": (activations.leaky_relu_backward, [(_da, (_za, 0.1))]),
    "prelu_forward": (activations.prelu_forward, [(_za, np.array([0.1, 0.2, 0.3]))]),
    "prelu_backward": (activations.prelu_backward, [(_da, (_za, 0.2)), (_da, (_za, np.array([0.1, 0.2, 0.3])))]),
    "linear_forward": (layers.linear_forward, [(_xl, _Wl, _bl)]),
    "linear_backward": (layers.linear_backward, [(_doutl, (_xl, _Wl, _bl))]),
    "net222_forward": (network222.net222_forward, [(_inp, _tgt, _p222)]),
    "net222_backward": (
        network222.net222_backward,
        [(_inp, _tgt, _p222, network222.net222_forward(_inp, _tgt, _p222))],
    ),
    "net222_update": (network222.net222_update, [(_p222, {k: 0.1 for k in _p222}, 0.5)]),
    "xor_gradients": (xor.xor_gradients, [(np.array([1.0, 0.0]), 1.0, xor.PARAMS)]),
    "train_xor": (xor.train_xor, [(xor.PARAMS, xor.X, xor.Y, xor.xor_gradients, 5.0, 3)]),
    "mlp_forward": (delta_rule.mlp_forward, [(_Xm, _net)]),
    "mlp_backward": (delta_rule.mlp_backward, [(delta_rule.mlp_forward(_Xm, _net), _Ym, _net)]),
}

# --- 04_initialization -----------------------------------------------------------------------------------------------
INIT = {
    "calculate_gain": (
        init.calculate_gain,
        [("leaky_relu", 0.2), ("relu", None), ("leaky_relu", 0), ("leaky_relu", None)],
    ),
    "zeros_init": (init.zeros_init, [((3, 5),)]),
    "calculate_fan_in_and_fan_out": (init.calculate_fan_in_and_fan_out, [((3, 5),), ((16, 8, 3, 3),)]),
}

# --- 05_optimizers ---------------------------------------------------------------------------------------------------
_w, _dw = _normal(3), _normal(3)
_momentum_kw = {"lr": 0.1, "momentum": 0.9}

OPTIM = {
    "sgd_update": (optim.sgd_update, [(_w, _dw, 0.1, 0.01)]),
    "momentum_update": (
        optim.momentum_update,
        [
            (_w, _dw, {}, 0.1, 0.9, 0.3),
            (_w, _dw, _after(optim.momentum_update, 2, _w, **_momentum_kw), 0.1, 0.9),
            (_w, _dw, _after(optim.momentum_update, 2, _w, **_momentum_kw), 0.1, 0.9, 0.0, True),
        ],
    ),
    "adagrad_update": (optim.adagrad_update, [(_w, _dw, _after(optim.adagrad_update, 2, _w), 0.1, 0.3)]),
    "rmsprop_update": (optim.rmsprop_update, [(_w, _dw, _after(optim.rmsprop_update, 2, _w), 0.1, 0.9, 0.3)]),
    "adam_update": (
        optim.adam_update,
        [(_w, _dw, {}, 0.1), (_w, _dw, _after(optim.adam_update, 2, _w), 0.1, (0.8, 0.9), 0.3)],
    ),
    "adamw_update": (
        optim.adamw_update,
        [
            (_w, _dw, {}, 0.1, (0.9, 0.999), 1e-8, 0.5),
            (_w, _dw, _after(optim.adam_update, 2, _w), 0.1, (0.9, 0.999), 1e-8, 0.5),
        ],
    ),
    "clip_grad_norm": (optim.clip_grad_norm, [([_normal(3, 2), _normal(4)], 1.0), ([0.1 * _normal(3)], 5.0)]),
    "clip_grad_value": (optim.clip_grad_value, [([_normal(3, 2, scale=2.0)], 0.5)]),
    "step_lr": (optim.step_lr, [(0.1, 7, 3, 0.5), (0.1, 2, 3, 0.5)]),
    "cosine_annealing_lr": (optim.cosine_annealing_lr, [(0.1, 3, 10, 0.01)]),
}

# --- 06_capstone -----------------------------------------------------------------------------------------------------
_xb, _gamma, _beta = _normal(6, 3, scale=2.0) + 1.0, np.array([1.5, -0.5, 2.0]), np.array([0.1, 0.2, -0.3])
_running = {"running_mean": np.array([0.5, -1.0, 0.0]), "running_var": np.array([2.0, 0.5, 1.5])}
_, _bn_train, _ = layers.batchnorm_forward(_xb, _gamma, _beta, {}, training=True)
_, _bn_eval, _ = layers.batchnorm_forward(_xb, _gamma, _beta, dict(_running), training=False)
_, _mask = layers.dropout_forward(_xb, 0.4, True, np.random.default_rng(0))
_scores = np.array([[0.2, 0.9, 0.9], [2.0, 0.1, 0.3], [0.0, 0.5, 0.4], [0.3, 0.3, 1.0], [1.0, 0.0, 0.0]])

CAPSTONE = {
    "batchnorm_forward": (
        layers.batchnorm_forward,
        [(_xb, _gamma, _beta, {}), (_xb, _gamma, _beta, dict(_running)), (_xb, _gamma, _beta, dict(_running), False)],
    ),
    "batchnorm_backward": (layers.batchnorm_backward, [(_normal(6, 3), _bn_train), (_normal(6, 3), _bn_eval)]),
    "dropout_backward": (layers.dropout_backward, [(_normal(6, 3), _mask)]),
    "accuracy": (train.accuracy, [(_scores, np.array([2, 0, 1, 2, 0])), (_scores, np.array([1, 0, 1, 2, 1]))]),
}

# --- 07_sequences ----------------------------------------------------------------------------------------------------
# N, T, D, H all different, so that no transpose or swapped axis can hide; weights large enough that tanh bends.
_N7, _T7, _D7, _H7 = 4, 5, 3, 2


def _seq_params(G):
    return {"W_ih": _normal(G * _H7, _D7), "W_hh": _normal(G * _H7, _H7), "b_ih": _normal(G * _H7, scale=0.5),
            "b_hh": _normal(G * _H7, scale=0.5)}


_x7, _h7, _c7 = _normal(_N7, _T7, _D7), _normal(_N7, _H7), _normal(_N7, _H7, scale=2.0)
_dh7, _dc7, _dhs7 = _normal(_N7, _H7), _normal(_N7, _H7), _normal(_N7, _T7, _H7)
_rnn7, _lstm7, _gru7 = _seq_params(1), _seq_params(4), _seq_params(3)
_cell = {name: (_x7[:, 0], _h7, *(p[k] for k in rnn.PARAM_NAMES)) for name, p in
         (("rnn", _rnn7), ("lstm", _lstm7), ("gru", _gru7))}
_lstm_cell = (_x7[:, 0], _h7, _c7, *_cell["lstm"][2:])

# CTC: distinct and repeated labels, padded targets, input_lengths < T; an empty target; an impossible target with
# zero_infinity; a long input (log-probabilities summed the plain way underflow); logits of ±1e3; another blank.
_ctc_cases = [
    (_normal(3, 7, 5, scale=1.5), np.array([[1, 2, 2, 3], [3, 3, 0, 2], [4, 1, 2, 4]]), np.array([7, 5, 6]),
     np.array([4, 2, 3])),
    (_normal(2, 4, 3, scale=1.5), np.array([[1, 2], [0, 0]]), np.array([4, 3]), np.array([2, 0])),
    (_normal(2, 4, 3, scale=1.5), np.array([[1, 1, 1], [2, 1, 0]]), np.array([4, 4]), np.array([3, 2]), 0, True),
    (_normal(2, 300, 6, scale=3.0), _rng.integers(1, 6, (2, 12)), np.array([300, 280]), np.array([12, 10])),
    (_normal(2, 8, 4, scale=1000.0), np.array([[1, 2, 3], [2, 2, 0]]), np.array([8, 6]), np.array([3, 2])),
    (_normal(2, 6, 4, scale=1.5), np.array([[0, 1, 1], [2, 0, 0]]), np.array([6, 5]), np.array([3, 2]), 3),
]


def _decodable(paths, C=5):
    """Logits whose best path is ``paths`` (N lists of equal length)."""
    logits = _rng.uniform(-1.0, 1.0, (len(paths), len(paths[0]), C))
    np.put_along_axis(logits, np.array(paths)[..., None], 3.0, axis=2)
    return logits


_greedy = _decodable([[1, 0, 1, 2, 2, 0, 3], [2, 2, 0, 0, 2, 1, 1], [3, 3, 1, 0, 1, 2, 2]])

SEQUENCES = {
    "rnn_cell_forward": (rnn.rnn_cell_forward, [_cell["rnn"]]),
    "rnn_cell_backward": (rnn.rnn_cell_backward, [(_dh7, rnn.rnn_cell_forward(*_cell["rnn"])[1])]),
    "rnn_forward": (rnn.rnn_forward, [(_x7, _h7, _rnn7)]),
    "rnn_backward": (rnn.rnn_backward, [(_dhs7, rnn.rnn_forward(_x7, _h7, _rnn7)[1])]),
    "lstm_cell_forward": (rnn.lstm_cell_forward, [_lstm_cell]),
    "lstm_cell_backward": (rnn.lstm_cell_backward, [(_dh7, _dc7, rnn.lstm_cell_forward(*_lstm_cell)[2])]),
    "lstm_forward": (rnn.lstm_forward, [(_x7, _h7, _c7, _lstm7)]),
    "lstm_backward": (rnn.lstm_backward, [(_dhs7, rnn.lstm_forward(_x7, _h7, _c7, _lstm7)[1])]),
    "gru_cell_forward": (rnn.gru_cell_forward, [_cell["gru"]]),
    "gru_cell_backward": (rnn.gru_cell_backward, [(_dh7, rnn.gru_cell_forward(*_cell["gru"])[1])]),
    "ctc_loss_forward": (ctc.ctc_loss_forward, _ctc_cases),
    "ctc_loss_backward": (ctc.ctc_loss_backward, [(ctc.ctc_loss_forward(*case)[1],) for case in _ctc_cases]),
    "ctc_greedy_decode": (
        ctc.ctc_greedy_decode,
        [(_greedy, np.array([7, 5, 3])), (_decodable([[4, 0, 4, 4, 1, 0, 0]]), np.array([7]), 4)],
    ),
}

# --- 08_autograd ------------------------------------------------------------------------------------------------------
# An operation's sample ends with the upstream gradient on its result; float arrays before it are the leaves. Rows,
# columns and batch all differ except where a square shape is the point (a transpose left out shows in the values).
_g8, _g83 = _normal(2, 3), _normal(2, 3, 4)
_x8, _y8, _b8, _sq8 = _normal(4, 3), _normal(4, 3), _normal(3), _normal(3, 3)
_pos8, _z8, _labels8 = _rng.uniform(0.5, 2.0, (4, 3)), _normal(4, 5, scale=2.0), np.array([0, 4, 1, 4])


def _up(*shape):
    """An upstream gradient of both signs and no 1s, so a rule that ignores it or its sign shows."""
    return _rng.uniform(0.5, 1.5, shape) * _rng.choice([-1.0, 1.0], shape)


_ops8 = {
    "add": [(_x8, _b8, _up(4, 3)), (_x8, _y8, _up(4, 3))],
    "sub": [(_x8, _b8, _up(4, 3)), (_x8, _y8, _up(4, 3))],
    "neg": [(_x8, _up(4, 3))],
    "mul": [(_x8, _b8, _up(4, 3)), (_x8, _y8, _up(4, 3))],
    "div": [(_x8, _pos8[0], _up(4, 3)), (_y8, -_pos8, _up(4, 3))],
    "power": [(_pos8, 3, _up(4, 3)), (_pos8, -0.5, _up(4, 3))],
    "matmul": [(_sq8, _normal(3, 3), _up(3, 3)), (_x8, _normal(3, 5), _up(4, 5))],
    "reduce_sum": [(_sq8, 1, False, _up(3)), (_x8, None, False, _up()), (_g83, (0, 2), True, _up(1, 3, 1))],
    "reduce_mean": [(_sq8, 1, False, _up(3)), (_x8, 1, False, _up(4)), (_x8, None, False, _up()),
                    (_g83, -2, True, _up(2, 1, 4))],
    "exp": [(_x8, _up(4, 3))],
    "log": [(_pos8, _up(4, 3))],
    "tanh": [(1.5 * _x8, _up(4, 3))],
    "sigmoid": [(2.0 * _x8, _up(4, 3)), (np.array([-1000.0, 3.0, 1000.0]), _up(3))],
    "relu": [(np.array([[-1.0, 0.0, 2.0], [0.5, -0.3, 0.0]]), np.array([[1.5, -1.0, 0.7], [-0.6, 1.2, 0.9]]))],
    "reshape": [(_g8, 3, 2, _up(3, 2)), (_g83, -1, _up(24))],
    "transpose": [(_sq8, _up(3, 3)), (_g8, _up(3, 2))],
    "log_softmax": [(_z8, _up(4, 5)), (500.0 * _z8, _up(4, 5)), (_z8, 0, _up(4, 5))],
    "cross_entropy": [(_z8, _labels8, np.array(1.7)), (500.0 * _z8, _labels8, np.array(-0.8))],
}
OPS = set(_ops8)  # whose catalogued mistakes return a Tensor
AUTOGRAD = {
    "unbroadcast": (ag.unbroadcast, [(_g8, shape) for shape in ((3,), (1, 3), (2, 1), ())] +
                    [(_g83, shape) for shape in ((3, 1), (1, 1, 4), (2, 1, 4))]),
    **{name: (getattr(ag, name), cases) for name, cases in _ops8.items()},
}


def plain(name, fn):
    """``fn`` as the catalogue tests compare it: itself, or for an 08 operation (which returns a Tensor) its value
    and each leaf's gradient for the upstream gradient that ends the sample, through the course's traversal."""
    if name not in OPS:
        return fn
    return lambda *args: op_outputs(fn, *args[:-1], upstream=args[-1])


SAMPLES = {**LOSSES, **GRADIENTS, **BACKPROP, **INIT, **OPTIM, **CAPSTONE, **SEQUENCES, **AUTOGRAD}
