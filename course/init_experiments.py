"""A small MLP built from the course's layers, for the experiments of 04_initialization.

Everything is a real forward and backward pass through ``course.layers`` and ``course.activations`` with a
cross-entropy loss from ``course.losses``: symmetric units under constant initialisation, per-layer activation and
gradient statistics of a deep network, and training curves (plain full-batch SGD) under each initialisation.
"""

import numpy as np

from course import activations as A
from course import init as I
from course import layers as L
from course import losses

__all__ = ["ACTIVATIONS", "SCHEMES", "init_mlp", "mlp_forward", "mlp_backward", "mlp_loss_and_grads",
           "deep_stats", "stats_table", "sgd_step", "train", "accuracy"]

ACTIVATIONS = {"sigmoid": (A.sigmoid_forward, A.sigmoid_backward), "tanh": (A.tanh_forward, A.tanh_backward),
               "relu": (A.relu_forward, A.relu_backward)}

# Each scheme makes the weight of shape (out, in) for a layer followed by `activation`.
SCHEMES = {
    "zeros": lambda shape, activation, rng: I.zeros_init(shape),
    "constant 0.5": lambda shape, activation, rng: I.constant_init(shape, 0.5),
    "normal σ=0.01": lambda shape, activation, rng: I.normal_init(shape, 0.0, 0.01, rng),
    "normal σ=1": lambda shape, activation, rng: I.normal_init(shape, 0.0, 1.0, rng),
    "xavier": lambda shape, activation, rng: I.xavier_normal(shape, 1.0, rng),
    "kaiming": lambda shape, activation, rng: I.kaiming_normal(shape, nonlinearity="relu", rng=rng),
    "orthogonal+gain": lambda shape, activation, rng: I.orthogonal(shape, I.calculate_gain(activation), rng),
}


def init_mlp(sizes, scheme, activation, rng):
    """Weights for an MLP with layer widths ``sizes = [D_in, H_1, ..., H_k, C]``; biases start at zero.

    ``scheme`` is a name from :data:`SCHEMES` or a function ``(shape, activation, rng) -> W``.
    Returns a list of ``(W, b)`` with ``W`` of shape (out, in).
    """
    make = SCHEMES[scheme] if isinstance(scheme, str) else scheme
    return [(make((n_out, n_in), activation, rng), np.zeros(n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def mlp_forward(x, params, activation):
    """Hidden layers ``a = act(a @ W.T + b)``, then a linear output layer (logits).

    Returns ``(logits, caches, hidden)`` where ``hidden`` lists each hidden layer's activations.
    """
    act_forward, _ = ACTIVATIONS[activation]
    caches, hidden, a = [], [], x
    for W, b in params[:-1]:
        z, lin_cache = L.linear_forward(a, W, b)
        a, act_cache = act_forward(z)
        caches.append((lin_cache, act_cache))
        hidden.append(a)
    logits, lin_cache = L.linear_forward(a, *params[-1])
    caches.append((lin_cache, None))
    return logits, caches, hidden


def mlp_backward(dlogits, caches, activation):
    """Backpropagate ``dlogits`` through the network: a list of ``(dW, db)``, one per layer."""
    _, act_backward = ACTIVATIONS[activation]
    grads = []
    da, dW, db = L.linear_backward(dlogits, caches[-1][0])
    grads.append((dW, db))
    for lin_cache, act_cache in reversed(caches[:-1]):
        dz = act_backward(da, act_cache)
        da, dW, db = L.linear_backward(dz, lin_cache)
        grads.append((dW, db))
    return grads[::-1]


def mlp_loss_and_grads(x, y, params, activation):
    """Cross-entropy of the MLP on ``(x, y)`` and its gradients; also returns the hidden activations."""
    logits, caches, hidden = mlp_forward(x, params, activation)
    loss = losses.cross_entropy_forward(logits, y)
    grads = mlp_backward(losses.cross_entropy_backward(logits, y), caches, activation)
    return loss, grads, hidden


def deep_stats(scheme, activation, depth=50, width=128, n=128, n_classes=10, seed=0, keep=False):
    """One forward and backward pass of a ``depth``-layer MLP on standard-normal inputs with random labels.

    Returns ``{"act_std": (depth,), "grad_std": (depth,)}``: the std of each hidden layer's activations and of
    the gradient ∂loss/∂W of the weight that produces them. With ``keep=True`` also ``"acts"`` and ``"grads"``,
    the arrays themselves. Overflow is allowed to happen silently (it is what the experiment shows).
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, width))
    y = rng.integers(0, n_classes, size=n)
    params = init_mlp([width] * (depth + 1) + [n_classes], scheme, activation, rng)
    with np.errstate(all="ignore"):
        _, grads, hidden = mlp_loss_and_grads(x, y, params, activation)
        out = {"act_std": np.array([h.std() for h in hidden]),
               "grad_std": np.array([dW.std() for dW, _ in grads[:-1]])}
    if keep:
        out["acts"], out["grads"] = hidden, [dW for dW, _ in grads[:-1]]
    return out


def stats_table(results, layers=None):
    """Rows ``(scheme, activation, act_std at each chosen layer..., grad_std at each chosen layer...)``.

    ``results[(scheme, activation)]`` is a :func:`deep_stats` dict; ``layers`` are 1-based (default first,
    middle, last).
    """
    rows = []
    for (scheme, activation), r in results.items():
        depth = len(r["act_std"])
        chosen = layers or (1, (depth + 1) // 2, depth)
        rows.append((scheme, activation, *[r["act_std"][k - 1] for k in chosen],
                     *[r["grad_std"][k - 1] for k in chosen]))
    return rows


def sgd_step(params, grads, lr):
    """Plain SGD: a new parameter list ``θ − lr·∇θ`` (the inputs are left unchanged)."""
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]


def accuracy(x, y, params, activation):
    """Fraction of points whose largest logit is their label."""
    logits, _, _ = mlp_forward(x, params, activation)
    return float(np.mean(logits.argmax(axis=1) == y))


def train(x, y, scheme, activation="tanh", hidden=(32, 32, 32, 32), steps=1500, lr=0.5, seed=0):
    """Full-batch SGD on cross-entropy from the initialisation ``scheme``.

    Returns ``{"loss": (steps,), "accuracy": float, "params": ...}``; the loss of step t is measured before its
    update.
    """
    rng = np.random.default_rng(seed)
    params = init_mlp([x.shape[1], *hidden, int(y.max()) + 1], scheme, activation, rng)
    history = np.empty(steps)
    with np.errstate(all="ignore"):
        for t in range(steps):
            history[t], grads, _ = mlp_loss_and_grads(x, y, params, activation)
            params = sgd_step(params, grads, lr)
        acc = accuracy(x, y, params, activation)
    return {"loss": history, "accuracy": acc, "params": params}
