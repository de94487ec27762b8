"""Reference weight initializers, following ``torch.nn.init``.

A weight has PyTorch's layout: ``shape = (out_features, in_features)`` for a linear layer and
``(out_channels, in_channels, *kernel)`` for a convolution. Every initializer returns a new float64 array of that shape;
randomness comes only from the ``rng`` argument (a ``np.random.Generator``; ``None`` means a fresh
``np.random.default_rng()``).

Gains (``calculate_gain``, the same table as torch):

============  ==============================
nonlinearity  gain
============  ==============================
linear, conv  1
sigmoid       1
tanh          5/3
relu          √2
leaky_relu    √(2 / (1 + negative_slope²))
selu          3/4
============  ==============================

Notes
-----
torch's ``kaiming_*`` default is ``nonlinearity="leaky_relu"`` with ``a=0``, which gives the ReLU gain √2.
"""

import math

import numpy as np

__all__ = ["calculate_gain", "calculate_fan_in_and_fan_out", "zeros_init", "constant_init", "uniform_init",
           "normal_init", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal",
           "INITIALIZERS"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def _rng(rng):
    return np.random.default_rng() if rng is None else rng


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (torch's table above).

    Parameters
    ----------
    nonlinearity : str, e.g. ``"relu"``.
    param : the negative slope for ``"leaky_relu"`` (default 0.01); ignored otherwise.

    Raises ``ValueError`` for an unknown nonlinearity or a slope that is not a number.
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def calculate_fan_in_and_fan_out(shape):
    """``(fan_in, fan_out)`` of a weight of ``shape = (out, in, *kernel)``.

    ``fan_in = in · k`` and ``fan_out = out · k`` where ``k`` is the product of the kernel sizes (1 for a linear
    layer). Raises ``ValueError`` for fewer than two dimensions.
    """
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError("fan in and fan out need a weight with at least 2 dimensions")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(shape, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


def zeros_init(shape):
    """All zeros, float64."""
    return np.zeros(shape, dtype=np.float64)


def constant_init(shape, value):
    """Every entry equal to ``value``, float64."""
    return np.full(shape, value, dtype=np.float64)


def uniform_init(shape, a=0.0, b=1.0, rng=None):
    """Independent draws from U(a, b)."""
    return _rng(rng).uniform(a, b, size=shape)


def normal_init(shape, mean=0.0, std=1.0, rng=None):
    """Independent draws from N(mean, std²). ``std`` is a standard deviation, not a variance."""
    return _rng(rng).normal(mean, std, size=shape)


def xavier_uniform(shape, gain=1.0, rng=None):
    """Glorot & Bengio (2010): U(−b, b) with ``b = gain · √(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_init(shape, -bound, bound, rng)


def xavier_normal(shape, gain=1.0, rng=None):
    """Glorot & Bengio (2010): N(0, std²) with ``std = gain · √(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_init(shape, 0.0, std, rng)


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He et al. (2015): U(−b, b) with ``b = √3 · gain / √fan``.

    ``fan`` is fan_in (``mode="fan_in"``, keeps the forward activations' variance) or fan_out (``"fan_out"``, keeps
    the backward gradients' variance); ``gain = calculate_gain(nonlinearity, a)``, ``a`` being leaky ReLU's slope.
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(shape, mode))
    bound = math.sqrt(3.0) * std
    return uniform_init(shape, -bound, bound, rng)


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He et al. (2015): N(0, std²) with ``std = gain / √fan`` (``gain``, ``fan`` as in :func:`kaiming_uniform`)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(shape, mode))
    return normal_init(shape, 0.0, std, rng)


def orthogonal(shape, gain=1.0, rng=None):
    """Saxe et al. (2013): a (semi-)orthogonal matrix times ``gain``, by torch's method.

    The weight is viewed as ``rows = shape[0]`` by ``cols = prod(shape[1:])``. A standard-normal matrix of the tall
    shape (max, min) is factored ``A = QR``; multiplying Q's columns by ``sign(diag(R))`` makes Q uniformly
    distributed over orthogonal matrices (without it numpy's Q[0, 0] is never positive). A wide weight is Qᵀ, so it
    has orthonormal rows; a tall one has orthonormal columns.
    """
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError("only arrays with 2 or more dimensions are supported")
    rows = shape[0]
    cols = math.prod(shape[1:])
    a = _rng(rng).standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


INITIALIZERS = {
    "zeros": zeros_init, "constant": constant_init, "uniform": uniform_init, "normal": normal_init,
    "xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal, "kaiming_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal, "orthogonal": orthogonal,
}
