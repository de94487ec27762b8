"""The L-layer sigmoid network of 03_backprop and its vectorised delta rule.

Every layer, the last included, is ``a = σ(a_prev Wᵀ + b)`` with ``W`` (out, in); the loss is the mean over the
batch of the cross-entropy summed over the K sigmoid outputs. With that loss the output delta is
``δᴸ = (aᴸ − y) / N`` (the sigmoid's σ′ cancels), and ``δˡ = (δˡ⁺¹ Wˡ⁺¹) ∘ aˡ(1 − aˡ)`` below it. The network is a
composition of the course's own layer functions (:func:`course.layers.linear_forward` / ``linear_backward`` and
:func:`course.activations.sigmoid_backward`), the same ones :mod:`course.nn` wraps.
"""

import numpy as np

from course import activations, layers

__all__ = ["mlp_init", "mlp_forward", "mlp_loss", "backprop", "mlp_backward"]


def mlp_init(sizes, rng, scale=1.0):
    """``[(W, b), ...]`` for layer sizes ``sizes = [D, H1, ..., K]``; ``W`` (out, in) ~ N(0, scale²/in)."""
    return [(scale * rng.standard_normal((o, i)) / np.sqrt(i), 0.1 * rng.standard_normal(o))
            for i, o in zip(sizes[:-1], sizes[1:])]


def mlp_forward(X, params):
    """All-sigmoid forward pass. Returns ``activations = [X, a¹, …, aᴸ]`` (each (N, size)); the last is the output."""
    activations_ = [X]
    for W, b in params:
        z, _ = layers.linear_forward(activations_[-1], W, b)
        activations_.append(activations.sigmoid(z))
    return activations_


def mlp_loss(X, Y, params):
    """Mean over the batch of the cross-entropy summed over the K sigmoid outputs."""
    z = mlp_forward(X, params[:-1])[-1] @ params[-1][0].T + params[-1][1]
    # −[y log σ(z) + (1−y) log(1−σ(z))] = softplus(z) − y z, computed stably.
    return float(np.sum(np.logaddexp(0.0, z) - Y * z) / len(X))


def backprop(delta, activations_, params):
    """Gradients ``[(dW, db), ...]`` from the output delta ``δᴸ = ∂loss/∂zᴸ`` (N, K), layer by layer down."""
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        da, dW, db = layers.linear_backward(delta, (activations_[l], *params[l]))
        grads[l] = (dW, db)
        if l:
            delta = activations.sigmoid_backward(da, activations_[l])  # δˡ = (δˡ⁺¹ Wˡ⁺¹) ∘ σ′(zˡ)
    return grads


def mlp_backward(activations_, Y, params):
    """Gradients ``[(dW, db), ...]`` of :func:`mlp_loss` by the delta rule, from the forward's activations."""
    N = len(Y)
    delta = (activations_[-1] - Y) / N  # δᴸ = (aᴸ − y)/N: the sigmoid's σ′ cancels against the cross-entropy
    return backprop(delta, activations_, params)
