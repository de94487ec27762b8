"""Lesson 04's experiments: what each initialisation does to a deep network, on :func:`course.mlp.build_mlp`.

Everything is a real forward and backward pass through :mod:`course.nn` with a cross-entropy loss: symmetric units
under constant initialisation, per-layer activation and gradient statistics of a deep network, and training curves
(plain full-batch SGD from :mod:`course.optim`) under each initialisation.
"""

import numpy as np

from course import init, mlp, optim, train as training
from course.demo import own_or_course

__all__ = ["SCHEMES", "schemes", "build", "deep_stats", "stats_table", "train"]


def _fn(fns, name):
    """``fns[name]`` when given (a notebook's own function), else the course's ``course.init`` version."""
    return own_or_course(fns, name, init)


def schemes(fns=None):
    """Each scheme by name: a function ``(shape, activation, rng) -> W`` for a layer followed by ``activation``.

    ``fns`` maps initializer names (``"xavier_normal"``, ``"calculate_gain"`` ...) to the functions to use, e.g. a
    notebook's own; the others are the course's. A name is looked up when a weight is drawn, not before.
    """
    return {
        "zeros": lambda shape, activation, rng: _fn(fns, "zeros_init")(shape),
        "constant 0.5": lambda shape, activation, rng: _fn(fns, "constant_init")(shape, 0.5),
        "normal σ=0.01": lambda shape, activation, rng: _fn(fns, "normal_init")(shape, 0.0, 0.01, rng),
        "normal σ=1": lambda shape, activation, rng: _fn(fns, "normal_init")(shape, 0.0, 1.0, rng),
        "xavier": lambda shape, activation, rng: _fn(fns, "xavier_normal")(shape, 1.0, rng),
        "kaiming": lambda shape, activation, rng: _fn(fns, "kaiming_normal")(shape, nonlinearity="relu", rng=rng),
        "orthogonal+gain": lambda shape, activation, rng: _fn(fns, "orthogonal")(
            shape, _fn(fns, "calculate_gain")(activation), rng),
    }


# The course's own schemes, by name.
SCHEMES = schemes()


def build(sizes, scheme, activation, rng, fns=None):
    """The MLP ``sizes = [D_in, H_1, ..., H_k, C]`` with ``activation`` after each hidden layer, every weight drawn
    by ``scheme`` (a name from :data:`SCHEMES` or a function ``(shape, activation, rng) -> W``), biases zero.

    ``fns`` optionally supplies the initializers the named schemes call (see :func:`schemes`).
    """
    make = schemes(fns)[scheme] if isinstance(scheme, str) else scheme
    return mlp.build_mlp(sizes, activation, weight_init=lambda shape, rng_: make(shape, activation, rng_), rng=rng)


def deep_stats(scheme, activation, depth=50, width=128, n=128, n_classes=10, seed=0, keep=False, fns=None):
    """One forward and backward pass of a ``depth``-layer MLP on standard-normal inputs with random labels.

    Returns ``{"act_std": (depth,), "grad_std": (depth,)}``: the std of each hidden layer's activations and of
    the gradient ∂loss/∂W of the weight that produces them. With ``keep=True`` also ``"acts"`` and ``"grads"``,
    the arrays themselves. Overflow is allowed to happen silently (it is what the experiment shows). ``fns``: the
    initializers to use (see :func:`schemes`); ``seed`` fixes the inputs, labels and weights.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, width))
    y = rng.integers(0, n_classes, size=n)
    model = build([width] * (depth + 1) + [n_classes], scheme, activation, rng, fns)
    with np.errstate(all="ignore"):
        _, hidden = mlp.loss_and_grads(model, x, y)
        grads = [layer.weight.grad for layer in mlp.linear_layers(model)[:-1]]
        out = {"act_std": np.array([h.std() for h in hidden]), "grad_std": np.array([g.std() for g in grads])}
    if keep:
        out["acts"], out["grads"] = hidden, grads
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


def train(x, y, scheme, activation="tanh", hidden=(32, 32, 32, 32), steps=1500, lr=0.5, seed=0, fns=None):
    """Full-batch SGD on cross-entropy from the initialisation ``scheme`` (``fns`` as in :func:`schemes`).

    Returns ``{"loss": (steps,), "accuracy": float, "model": the trained MLP}``; the loss of step t is measured
    before its update.
    """
    model = build([x.shape[1], *hidden, int(y.max()) + 1], scheme, activation, np.random.default_rng(seed), fns)
    sgd = optim.SGD(model.parameters(), lr=lr)
    history = np.empty(steps)
    with np.errstate(all="ignore"):
        for t in range(steps):
            history[t], _ = mlp.loss_and_grads(model, x, y)
            sgd.step()
        acc = training.accuracy(model(x), y)
    return {"loss": history, "accuracy": acc, "model": model}
