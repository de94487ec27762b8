"""The course's one multilayer perceptron: :mod:`course.nn` modules stacked by :func:`build_mlp`.

Lesson 06's digit classifier, lesson 04's deep networks under each initialisation, and the explorers built on them
are all configurations of this builder; lesson 03's small sigmoid networks are the same layer functions composed by
hand (:mod:`course.examples`).
"""

import numpy as np

from course import losses, nn

__all__ = ["ACTIVATIONS", "build_mlp", "linear_layers", "loss_and_grads"]

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def build_mlp(sizes, activation="relu", batchnorm=False, dropout=0.0, weight_init=None, rng=None,
              dtype=np.float64):
    """``Linear → [BatchNorm1d] → activation → [Dropout]`` for each hidden layer, then a final ``Linear``.

    Parameters
    ----------
    sizes : ``(in, hidden_1, ..., hidden_k, out)``; e.g. ``(64, 128, 10)`` has one hidden layer of 128 units.
    activation : ``"relu"``, ``"sigmoid"`` or ``"tanh"``.
    batchnorm, dropout : add ``BatchNorm1d`` after each hidden ``Linear`` / ``Dropout(dropout)`` after each activation.
    weight_init : optional ``(shape, rng) -> W`` for every ``Linear`` (biases then start at zero); by default
        torch's ``Linear`` initialisation.
    rng : ``np.random.Generator`` for the weights and the dropout masks.   dtype : the model's float type.
    """
    rng = np.random.default_rng() if rng is None else rng
    modules = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        modules.append(nn.Linear(fan_in, fan_out, rng=rng, dtype=dtype, weight_init=weight_init))
        if batchnorm:
            modules.append(nn.BatchNorm1d(fan_out, dtype=dtype))
        modules.append(ACTIVATIONS[activation]())
        if dropout:
            modules.append(nn.Dropout(dropout, rng=rng))
    modules.append(nn.Linear(sizes[-2], sizes[-1], rng=rng, dtype=dtype, weight_init=weight_init))
    return nn.Sequential(*modules)


def linear_layers(model):
    """The ``Linear`` modules of a model, input side first."""
    return [m for m in model if isinstance(m, nn.Linear)]


def loss_and_grads(model, x, y):
    """One training-mode forward and backward pass of the mean cross-entropy.

    Returns ``(loss, hidden)``: the loss, and the output of every hidden activation in order. The gradients are in
    each parameter's ``.grad`` (zeroed first).
    """
    model.train()
    model.zero_grad()
    hidden, out = [], x
    for module in model:
        out = module(out)
        if isinstance(module, tuple(ACTIVATIONS.values())):
            hidden.append(out)
    model.backward(losses.cross_entropy_backward(out, y))
    return losses.cross_entropy_forward(out, y), hidden
