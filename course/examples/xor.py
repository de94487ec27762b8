"""The XOR network of 03_backprop: 2 inputs, H sigmoid hidden units, 1 sigmoid output, ``E = ½ (a − y)²``.

``xor_gradients`` is the lesson's four steps for one example: error ``e = a − y``, output delta ``δ = e · σ′``,
interior deltas ``δ_h = σ′(h) · W2ᵀ δ``, per-weight gradients ``δ_k · o_i``. All deltas are ``∂E/∂z``, so a negative
gradient means "raise the weight". The batch forward and gradients are the delta rule of
:mod:`course.examples.delta_rule` with this network's output delta.
"""

import functools

import numpy as np

from course.activations import sigmoid
from course.examples import delta_rule

__all__ = ["X", "Y", "PARAMS", "init_params", "forward", "xor_gradients", "batch_gradients", "mse", "train_xor",
           "train_history", "gradient_sign_table"]

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
# Hand-picked so that every sign in the worked example is worth reading (not a trained solution).
PARAMS = {"W1": np.array([[0.6, -0.4], [-0.3, 0.8]]), "b1": np.array([0.1, -0.2]),
          "W2": np.array([[0.9, -0.7]]), "b2": np.array([0.3])}


def init_params(rng, hidden=2, scale=1.0):
    """Random 2-``hidden``-1 parameters: weights ~ N(0, scale²), biases 0."""
    return {"W1": scale * rng.standard_normal((hidden, 2)), "b1": np.zeros(hidden),
            "W2": scale * rng.standard_normal((1, hidden)), "b2": np.zeros(1)}


def _layers(params):
    return [(params["W1"], params["b1"]), (params["W2"], params["b2"])]


def forward(X, params):
    """Batch forward: ``X`` (N, 2) → hidden ``H`` (N, hidden) and output ``a`` (N,)."""
    _, H, a = delta_rule.mlp_forward(X, _layers(params))
    return H, a[:, 0]


def xor_gradients(x, y, params):
    """The four steps for one example ``x`` (2,) with target ``y``, for ``E = ½ (a − y)²``.

    Returns ``(error, delta_out, delta_hidden, grads)``: ``error = a − y`` (float), ``delta_out`` (1,),
    ``delta_hidden`` (hidden,), ``grads`` a dict shaped like ``params``.
    """
    h = sigmoid(params["W1"] @ x + params["b1"])
    a = sigmoid(params["W2"] @ h + params["b2"])
    error = float(a[0] - y)
    delta_out = error * a * (1 - a)
    delta_hidden = h * (1 - h) * (params["W2"].T @ delta_out)
    grads = {"W1": np.outer(delta_hidden, x), "b1": delta_hidden, "W2": np.outer(delta_out, h), "b2": delta_out}
    return error, delta_out, delta_hidden, grads


def batch_gradients(X, y, params):
    """Mean over the batch of the per-example gradients (the gradient of ``mean ½(a − y)²``), vectorised."""
    activations = delta_rule.mlp_forward(X, _layers(params))
    a = activations[-1][:, 0]
    delta_out = ((a - y) * a * (1 - a))[:, None] / len(X)  # (N, 1)
    (dW1, db1), (dW2, db2) = delta_rule.backprop(delta_out, activations, _layers(params))
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def mse(X, y, params):
    """Mean squared error ``mean (a − y)²`` of the network on a batch."""
    return float(np.mean((forward(X, params)[1] - y) ** 2))


def train_xor(params, X, y, grad_fn=None, lr=5.0, epochs=1000):
    """Full-batch gradient descent; returns ``(params, losses)`` with ``losses[k]`` the MSE before update ``k``.

    ``grad_fn(x, y, params)`` (like :func:`xor_gradients`) gives each example's gradients, averaged over the batch;
    without it the vectorised :func:`batch_gradients` is used.
    """
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        if grad_fn is None:
            losses.append(mse(X, y, params))
            g = batch_gradients(X, y, params)
        else:
            results = [grad_fn(xi, yi, params) for xi, yi in zip(X, y)]
            losses.append(float(np.mean([r[0] ** 2 for r in results])))
            g = {k: np.mean([r[3][k] for r in results], axis=0) for k in params}
        params = {k: params[k] - lr * g[k] for k in params}
    return params, losses


@functools.lru_cache(maxsize=16)
def train_history(seed=0, lr=5.0, hidden=2, epochs=1500):
    """Parameters after every epoch (index 0: the start) and the MSE at each, trained from ``default_rng(seed)``.

    Cached: the decision-boundary explorer replays one run as its epoch slider moves.
    """
    params = init_params(np.random.default_rng(seed), hidden=hidden)
    history, losses = [params], []
    for _ in range(epochs):
        losses.append(mse(X, Y, params))
        g = batch_gradients(X, Y, params)
        params = {k: params[k] - lr * g[k] for k in params}
        history.append(params)
    losses.append(mse(X, Y, params))
    return history, losses


def gradient_sign_table(params, grads, tol=1e-12):
    """A text table of every weight, its gradient and what the sign advises (raise / lower / no change).

    ``W1[j, i]`` is the weight from input ``x{i+1}`` into hidden unit ``h{j+1}``; ``W2[0, j]`` from ``h{j+1}`` into the
    output; biases come from a constant 1.
    """
    names = {"W1": lambda j, i: f"x{i + 1} → h{j + 1}", "b1": lambda j: f"1 → h{j + 1}",
             "W2": lambda k, j: f"h{j + 1} → out", "b2": lambda k: "1 → out"}
    lines = [f"{'weight':<10}{'edge':<11}{'value':>8}{'gradient':>12}   advice"]
    for key in ("W1", "b1", "W2", "b2"):
        for idx in np.ndindex(np.shape(params[key])):
            gval = float(np.asarray(grads[key])[idx]) + 0.0  # turns -0.0 into 0.0
            advice = "no change" if abs(gval) <= tol else ("raise" if gval < 0 else "lower")
            label = f"{key}[{', '.join(map(str, idx))}]"
            lines.append(f"{label:<10}{names[key](*idx):<11}{float(params[key][idx]):>8.3f}{gval:>+12.5f}   {advice}")
    return "\n".join(lines)
