"""The 2-2-2 sigmoid network worked by hand in 03_backprop, with named scalar weights.

``h1 = σ(w1·i1 + w2·i2 + b1)``, ``h2 = σ(w3·i1 + w4·i2 + b1)``, ``o1 = σ(w5·h1 + w6·h2 + b2)``,
``o2 = σ(w7·h1 + w8·h2 + b2)`` and ``E = ½ Σ (t − o)²``. ``b1`` is shared by both hidden units and ``b2`` by both
outputs, so each bias collects two contributions. Every product of the chain rule can be read off the names.
"""

import numpy as np

__all__ = ["PARAMS", "INPUTS", "TARGETS", "net222_forward", "net222_deltas", "net222_backward", "net222_update",
           "net222_train", "chain_rule_table"]

# The worked example's starting point: its forward values and gradients are quoted in the lesson.
PARAMS = {"w1": 0.05, "w2": 0.10, "w3": 0.15, "w4": 0.20, "w5": 0.25, "w6": 0.30, "w7": 0.35, "w8": 0.40,
          "b1": 0.3, "b2": 0.3}
INPUTS = (0.1, 0.2)
TARGETS = (0.8, 0.9)


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


def net222_deltas(targets, params, values):
    """Every unit's delta ``∂E/∂net``: ``{"o1": δo1, "o2": δo2, "h1": δh1, "h2": δh2}``."""
    t1, t2 = (float(v) for v in targets)
    p, v = params, values
    d_o1 = (v["out_o1"] - t1) * v["out_o1"] * (1 - v["out_o1"])  # ∂E/∂net_o1
    d_o2 = (v["out_o2"] - t2) * v["out_o2"] * (1 - v["out_o2"])
    d_h1 = (d_o1 * p["w5"] + d_o2 * p["w7"]) * v["out_h1"] * (1 - v["out_h1"])  # both outputs read h1
    d_h2 = (d_o1 * p["w6"] + d_o2 * p["w8"]) * v["out_h2"] * (1 - v["out_h2"])
    return {"o1": d_o1, "o2": d_o2, "h1": d_h1, "h2": d_h2}


def net222_backward(inputs, targets, params, values):
    """``∂E/∂`` every parameter of the 2-2-2 network, as a dict with the keys of ``params``."""
    i1, i2 = (float(v) for v in inputs)
    d = net222_deltas(targets, params, values)
    d_o1, d_o2, d_h1, d_h2 = d["o1"], d["o2"], d["h1"], d["h2"]
    v = values
    return {"w1": d_h1 * i1, "w2": d_h1 * i2, "w3": d_h2 * i1, "w4": d_h2 * i2,
            "w5": d_o1 * v["out_h1"], "w6": d_o1 * v["out_h2"], "w7": d_o2 * v["out_h1"], "w8": d_o2 * v["out_h2"],
            "b1": d_h1 + d_h2, "b2": d_o1 + d_o2}


def net222_update(params, grads, lr):
    """One gradient-descent step ``p − lr · ∂E/∂p`` on every parameter; returns a new dict."""
    return {k: params[k] - lr * grads[k] for k in params}


def net222_train(steps, lr=0.5, params=None, inputs=INPUTS, targets=TARGETS):
    """Run ``steps`` updates from ``params`` (default: :data:`PARAMS`). Returns the list of ``(params, values,
    grads)`` for steps 0 … ``steps`` (the last entry's grads are those the next update would use)."""
    params = dict(PARAMS if params is None else params)
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
    d = net222_deltas(targets, params, values)
    d_o1, d_o2, d_h1, d_h2 = d["o1"], d["o2"], d["h1"], d["h2"]
    # The factors each delta is the product of, shown beside it.
    so1, so2 = v["out_o1"] * (1 - v["out_o1"]), v["out_o2"] * (1 - v["out_o2"])
    sh1, sh2 = v["out_h1"] * (1 - v["out_h1"]), v["out_h2"] * (1 - v["out_h2"])
    up1, up2 = d_o1 * p["w5"] + d_o2 * p["w7"], d_o1 * p["w6"] + d_o2 * p["w8"]
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
