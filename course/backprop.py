"""Reference networks for 03_backprop: seed 004's 2-2-2 network, seed 000's XOR network, seed 001's L-layer net.

* The 2-2-2 network works on named scalars (``w1`` … ``w8``, ``b1``, ``b2``) so every product of the chain rule can
  be read off. ``b1`` is shared by both hidden units and ``b2`` by both outputs; ``E = ½ Σ (t − o)²``.
* The XOR network is 2-2-1 with sigmoid units and ``W`` of shape (out, in). ``xor_gradients`` follows the four
  steps: error ``e = a − y``, output delta ``δ = e · σ′``, interior deltas ``δ_h = σ′(h) · W2ᵀ δ``, per-weight
  gradients ``δ_k · o_i``. All deltas are ``∂E/∂z`` for ``E = ½ (a − y)²``, so a negative gradient means "raise".
* The L-layer network is all-sigmoid with the mean binary cross-entropy (summed over output units), so its output
  delta is ``δᴸ = (aᴸ − y) / N`` and ``δˡ = (δˡ⁺¹ Wˡ⁺¹) ∘ aˡ(1 − aˡ)`` in the batch-first layout.
"""

import numpy as np

from course.activations import sigmoid

__all__ = ["SEED004_PARAMS", "SEED004_INPUTS", "SEED004_TARGETS", "net222_forward", "net222_backward",
           "net222_update", "net222_train", "XOR_X", "XOR_Y", "XOR_PARAMS", "init_xor_params", "xor_forward",
           "xor_gradients", "xor_batch_gradients", "xor_mse", "train_xor", "mlp_init", "mlp_forward", "mlp_loss",
           "mlp_backward", "chain_rule_table", "gradient_sign_table"]

# --- seed 004: the 2-2-2 network -----------------------------------------------------------------------------------
SEED004_PARAMS = {"w1": 0.05, "w2": 0.10, "w3": 0.15, "w4": 0.20, "w5": 0.25, "w6": 0.30, "w7": 0.35, "w8": 0.40,
                  "b1": 0.3, "b2": 0.3}
SEED004_INPUTS = (0.1, 0.2)
SEED004_TARGETS = (0.8, 0.9)


def _s(x):
    return float(1.0 / (1.0 + np.exp(-x)))


def net222_forward(inputs, targets, params):
    """Forward pass of the 2-2-2 sigmoid network.

    Returns a dict ``values`` with ``net_h1, out_h1, net_h2, out_h2, net_o1, out_o1, net_o2, out_o2`` and the error
    ``E = ½((t1 − out_o1)² + (t2 − out_o2)²)``. ``values`` is the cache ``net222_backward`` reads.
    """
    i1, i2 = (float(v) for v in inputs)
    t1, t2 = (float(v) for v in targets)
    p = params
    v = {"net_h1": p["w1"] * i1 + p["w2"] * i2 + p["b1"], "net_h2": p["w3"] * i1 + p["w4"] * i2 + p["b1"]}
    v["out_h1"], v["out_h2"] = _s(v["net_h1"]), _s(v["net_h2"])
    v["net_o1"] = p["w5"] * v["out_h1"] + p["w6"] * v["out_h2"] + p["b2"]
    v["net_o2"] = p["w7"] * v["out_h1"] + p["w8"] * v["out_h2"] + p["b2"]
    v["out_o1"], v["out_o2"] = _s(v["net_o1"]), _s(v["net_o2"])
    v["E"] = 0.5 * (t1 - v["out_o1"]) ** 2 + 0.5 * (t2 - v["out_o2"]) ** 2
    return v


def net222_backward(inputs, targets, params, values):
    """``∂E/∂`` every parameter of the 2-2-2 network, as a dict with the keys of ``params``."""
    i1, i2 = (float(v) for v in inputs)
    t1, t2 = (float(v) for v in targets)
    p, v = params, values
    d_o1 = (v["out_o1"] - t1) * v["out_o1"] * (1 - v["out_o1"])  # ∂E/∂net_o1
    d_o2 = (v["out_o2"] - t2) * v["out_o2"] * (1 - v["out_o2"])
    d_h1 = (d_o1 * p["w5"] + d_o2 * p["w7"]) * v["out_h1"] * (1 - v["out_h1"])  # both outputs read h1
    d_h2 = (d_o1 * p["w6"] + d_o2 * p["w8"]) * v["out_h2"] * (1 - v["out_h2"])
    return {"w1": d_h1 * i1, "w2": d_h1 * i2, "w3": d_h2 * i1, "w4": d_h2 * i2,
            "w5": d_o1 * v["out_h1"], "w6": d_o1 * v["out_h2"], "w7": d_o2 * v["out_h1"], "w8": d_o2 * v["out_h2"],
            "b1": d_h1 + d_h2, "b2": d_o1 + d_o2}


def net222_update(params, grads, lr):
    """One gradient-descent step ``p − lr · ∂E/∂p`` on every parameter; returns a new dict."""
    return {k: params[k] - lr * grads[k] for k in params}


def net222_train(steps, lr=0.5, params=None, inputs=SEED004_INPUTS, targets=SEED004_TARGETS):
    """Run ``steps`` updates from ``params`` (default: seed 004's). Returns the list of ``(params, values, grads)``
    for steps 0 … ``steps`` (the last entry's grads are those the next update would use)."""
    params = dict(SEED004_PARAMS if params is None else params)
    history = []
    for _ in range(steps + 1):
        values = net222_forward(inputs, targets, params)
        grads = net222_backward(inputs, targets, params, values)
        history.append((params, values, grads))
        params = net222_update(params, grads, lr)
    return history


def chain_rule_table(inputs, targets, params, values, grads):
    """A text table: every gradient of the 2-2-2 network as the product of its factors, next to ``grads``.

    The factors are read from ``values`` (the forward's cache), so the last two columns agree exactly when the
    backward pass multiplies the right things.
    """
    (i1, i2), (t1, t2), p, v = inputs, targets, params, values
    so1, so2 = v["out_o1"] * (1 - v["out_o1"]), v["out_o2"] * (1 - v["out_o2"])
    sh1, sh2 = v["out_h1"] * (1 - v["out_h1"]), v["out_h2"] * (1 - v["out_h2"])
    d_o1, d_o2 = (v["out_o1"] - t1) * so1, (v["out_o2"] - t2) * so2
    up1, up2 = d_o1 * p["w5"] + d_o2 * p["w7"], d_o1 * p["w6"] + d_o2 * p["w8"]
    d_h1, d_h2 = up1 * sh1, up2 * sh2
    lines = ["deltas  (δ = ∂E/∂net)",
             f"  δo1 = (out_o1 − t1) · out_o1(1 − out_o1) = ({v['out_o1'] - t1:+.7f}) · {so1:.7f} = {d_o1:+.7f}",
             f"  δo2 = (out_o2 − t2) · out_o2(1 − out_o2) = ({v['out_o2'] - t2:+.7f}) · {so2:.7f} = {d_o2:+.7f}",
             f"  δh1 = (δo1·w5 + δo2·w7) · out_h1(1 − out_h1) = ({up1:+.7f}) · {sh1:.7f} = {d_h1:+.7f}",
             f"  δh2 = (δo1·w6 + δo2·w8) · out_h2(1 − out_h2) = ({up2:+.7f}) · {sh2:.7f} = {d_h2:+.7f}",
             "", f"{'param':<6}{'product':<16}{'factors':<30}{'product of factors':>20}{'your gradient':>16}"]
    rows = [("w1", "δh1 · i1", d_h1, i1), ("w2", "δh1 · i2", d_h1, i2), ("w3", "δh2 · i1", d_h2, i1),
            ("w4", "δh2 · i2", d_h2, i2), ("w5", "δo1 · out_h1", d_o1, v["out_h1"]),
            ("w6", "δo1 · out_h2", d_o1, v["out_h2"]), ("w7", "δo2 · out_h1", d_o2, v["out_h1"]),
            ("w8", "δo2 · out_h2", d_o2, v["out_h2"])]
    for name, expr, a, b in rows:
        lines.append(f"{name:<6}{expr:<16}{f'({a:+.7f}) · {b:.7f}':<30}{a * b:>20.9f}{grads[name]:>16.9f}")
    for name, expr, a, b in [("b1", "δh1 + δh2", d_h1, d_h2), ("b2", "δo1 + δo2", d_o1, d_o2)]:
        lines.append(f"{name:<6}{expr:<16}{f'({a:+.7f}) + ({b:+.7f})':<30}{a + b:>20.9f}{grads[name]:>16.9f}")
    return "\n".join(lines)


# --- seed 000: the XOR network ---------------------------------------------------------------------------------------
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])
# Hand-picked so that every sign in the worked example is worth reading (not a trained solution).
XOR_PARAMS = {"W1": np.array([[0.6, -0.4], [-0.3, 0.8]]), "b1": np.array([0.1, -0.2]),
              "W2": np.array([[0.9, -0.7]]), "b2": np.array([0.3])}


def init_xor_params(rng, hidden=2, scale=1.0):
    """Random 2-``hidden``-1 parameters: weights ~ N(0, scale²), biases 0."""
    return {"W1": scale * rng.standard_normal((hidden, 2)), "b1": np.zeros(hidden),
            "W2": scale * rng.standard_normal((1, hidden)), "b2": np.zeros(1)}


def xor_forward(X, params):
    """Batch forward: ``X`` (N, 2) → hidden ``H`` (N, hidden) and output ``a`` (N,)."""
    H = sigmoid(X @ params["W1"].T + params["b1"])
    return H, sigmoid(H @ params["W2"].T + params["b2"])[:, 0]


def xor_gradients(x, y, params):
    """Seed 000's four steps for one example ``x`` (2,) with target ``y``, for ``E = ½ (a − y)²``.

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


def gradient_sign_table(params, grads, tol=1e-12):
    """A text table of every XOR-network weight, its gradient and what the sign advises (raise / lower / no change).

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


def xor_batch_gradients(X, y, params):
    """Mean over the batch of the per-example gradients (the gradient of ``mean ½(a − y)²``), vectorised."""
    H, a = xor_forward(X, params)
    d_out = ((a - y) * a * (1 - a))[:, None] / len(X)  # (N, 1)
    d_h = (d_out @ params["W2"]) * H * (1 - H)  # (N, hidden)
    return {"W1": d_h.T @ X, "b1": d_h.sum(0), "W2": d_out.T @ H, "b2": d_out.sum(0)}


def xor_mse(X, y, params):
    """Mean squared error ``mean (a − y)²`` of the network on a batch."""
    return float(np.mean((xor_forward(X, params)[1] - y) ** 2))


def train_xor(params, X, y, grad_fn=None, lr=5.0, epochs=1000):
    """Full-batch gradient descent; returns ``(params, losses)`` with ``losses[k]`` the MSE before update ``k``."""
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        if grad_fn is None:
            losses.append(xor_mse(X, y, params))
            g = xor_batch_gradients(X, y, params)
        else:
            results = [grad_fn(xi, yi, params) for xi, yi in zip(X, y)]
            losses.append(float(np.mean([r[0] ** 2 for r in results])))
            g = {k: np.mean([r[3][k] for r in results], axis=0) for k in params}
        params = {k: params[k] - lr * g[k] for k in params}
    return params, losses


# --- seed 001: the vectorised delta rule for an L-layer sigmoid network --------------------------------------------
def mlp_init(sizes, rng, scale=1.0):
    """``[(W, b), ...]`` for layer sizes ``sizes = [D, H1, ..., K]``; ``W`` (out, in) ~ N(0, scale²/in)."""
    return [(scale * rng.standard_normal((o, i)) / np.sqrt(i), 0.1 * rng.standard_normal(o))
            for i, o in zip(sizes[:-1], sizes[1:])]


def mlp_forward(X, params):
    """All-sigmoid forward pass. Returns ``activations = [X, a¹, …, aᴸ]`` (each (N, size)); the last is the output."""
    activations = [X]
    for W, b in params:
        activations.append(sigmoid(activations[-1] @ W.T + b))
    return activations


def mlp_loss(X, Y, params):
    """Mean over the batch of the cross-entropy summed over the K sigmoid outputs (seed 001's J without λ)."""
    z = mlp_forward(X, params[:-1])[-1] @ params[-1][0].T + params[-1][1]
    # −[y log σ(z) + (1−y) log(1−σ(z))] = softplus(z) − y z, computed stably.
    return float(np.sum(np.logaddexp(0.0, z) - Y * z) / len(X))


def mlp_backward(activations, Y, params):
    """Gradients ``[(dW, db), ...]`` of :func:`mlp_loss` by the delta rule, from the forward's ``activations``."""
    N = len(Y)
    delta = (activations[-1] - Y) / N  # δᴸ = (aᴸ − y)/N: the sigmoid's g′ cancels against the cross-entropy
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        a_prev = activations[l]
        grads[l] = (delta.T @ a_prev, delta.sum(0))
        if l:
            delta = (delta @ params[l][0]) * a_prev * (1 - a_prev)  # δˡ = (δˡ⁺¹ W) ∘ g′(zˡ)
    return grads
