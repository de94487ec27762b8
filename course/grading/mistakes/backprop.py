"""Classic mistakes in 03_backprop's networks (the 2-2-2 network, XOR, the delta rule), each a worked example of
:mod:`course.examples` with a line changed."""

import itertools

from course.examples import delta_rule, network222, xor
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]

# Dropping σ′ = out(1 − out) leaves (out − t) alone at an output, the weighted sum alone at a hidden unit.
_NO_SLOPE_OUT = (
    ('(v["out_o1"] - t1) * v["out_o1"] * (1 - v["out_o1"])', '(v["out_o1"] - t1)'),
    ('(v["out_o2"] - t2) * v["out_o2"] * (1 - v["out_o2"])', '(v["out_o2"] - t2)'),
)
_NO_SLOPE_HIDDEN = ((' * v["out_h1"] * (1 - v["out_h1"])', ""), (' * v["out_h2"] * (1 - v["out_h2"])', ""))
_E = 'v["E"] = 0.5 * (t1 - v["out_o1"]) ** 2 + 0.5 * (t2 - v["out_o2"]) ** 2'
_O1 = 'v["net_o1"] = p["w5"] * v["out_h1"] + p["w6"] * v["out_h2"] + p["b2"]'
_O2 = 'v["net_o2"] = p["w7"] * v["out_h1"] + p["w8"] * v["out_h2"] + p["b2"]'
_XOR_LOSS = "            losses.append(float(np.mean([r[0] ** 2 for r in results])))\n"
_XOR_STEP = "        params = {k: params[k] - lr * g[k] for k in params}\n"


def _backward222(*edits):
    return differs(network222.net222_backward, *edits, helpers=("net222_deltas",))


_ONE_CONTRIBUTION = (
    "counts only one of a shared bias's two contributions: b1 feeds both h1 and h2, so "
    "∂E/∂b1 = δh1 + δh2 (and ∂E/∂b2 = δo1 + δo2)"
)


def _one_contribution(b1, b2):
    """Only the ``b1`` (``b2``) contribution named "first", "second" or "both" is kept."""
    kept = {"first": "{}", "second": "{1}", "both": "{} + {}"}
    return _backward222(
        ('"b1": d_h1 + d_h2', '"b1": ' + kept[b1].format("d_h1", "d_h2")),
        ('"b2": d_o1 + d_o2', '"b2": ' + kept[b2].format("d_o1", "d_o2")),
    )


_SHARED = [
    Mistake(_ONE_CONTRIBUTION, _one_contribution(b1, b2))
    for b1, b2 in itertools.product(("both", "first", "second"), repeat=2)
    if (b1, b2) != ("both", "both")
]

MISTAKES = {
    "net222_forward": [
        Mistake(
            "forgets the ½ in E = ½ Σ (t − o)²",
            differs(network222.net222_forward, (_E, 'v["E"] = (t1 - v["out_o1"]) ** 2 + (t2 - v["out_o2"]) ** 2')),
        ),
        Mistake(
            "wires the weights column-wise (h1 = σ(w1·i1 + w3·i2 + b1)); the network is h1 = σ(w1·i1 + w2·i2 + b1), "
            "h2 = σ(w3·i1 + w4·i2 + b1), o1 = σ(w5·h1 + w6·h2 + b2), o2 = σ(w7·h1 + w8·h2 + b2)",
            differs(
                network222.net222_forward,
                ('p["w2"] * i2', 'p["w3"] * i2'),
                ('p["w3"] * i1', 'p["w2"] * i1'),
                ('p["w6"] * v["out_h2"]', 'p["w7"] * v["out_h2"]'),
                ('p["w7"] * v["out_h1"]', 'p["w6"] * v["out_h1"]'),
            ),
        ),
        Mistake(
            "forgets the biases b1 and b2",
            differs(network222.net222_forward, ("p = params", "p = dict(params, b1=0.0, b2=0.0)")),
        ),
        Mistake(
            "swaps the biases: b1 belongs to the hidden units, b2 to the outputs",
            differs(network222.net222_forward, ("p = params", 'p = dict(params, b1=params["b2"], b2=params["b1"])')),
        ),
        Mistake(
            "feeds net_h1, net_h2 (before the sigmoid) to the output layer: the outputs read out_h1, out_h2",
            differs(
                network222.net222_forward, (_O1, _O1.replace("out_h", "net_h")), (_O2, _O2.replace("out_h", "net_h"))
            ),
        ),
    ],
    "net222_backward": [
        *_SHARED,
        Mistake("drops the sigmoid's derivative out(1 − out) at the outputs", _backward222(*_NO_SLOPE_OUT)),
        Mistake("drops the sigmoid's derivative out(1 − out) at the hidden units", _backward222(*_NO_SLOPE_HIDDEN)),
        Mistake(
            "drops the sigmoid's derivative out(1 − out) everywhere", _backward222(*_NO_SLOPE_OUT, *_NO_SLOPE_HIDDEN)
        ),
        Mistake(
            "follows only one path back to each hidden unit: h1 feeds o1 and o2, so ∂E/∂out_h1 = δo1·w5 + δo2·w7",
            _backward222((' + d_o2 * p["w7"]', ""), ('d_o1 * p["w6"] + ', "")),
        ),
        Mistake(
            "uses the wrong outgoing weights: h1 reaches o1 through w5 and o2 through w7 (h2: w6 and w8)",
            _backward222(('d_o2 * p["w7"]', 'd_o2 * p["w6"]'), ('d_o1 * p["w6"]', 'd_o1 * p["w7"]')),
        ),
        Mistake(
            "has every sign flipped: with E = ½(t − o)², ∂E/∂out = out − t (not t − out)",
            _backward222(('(v["out_o1"] - t1)', '(t1 - v["out_o1"])'), ('(v["out_o2"] - t2)', '(t2 - v["out_o2"])')),
        ),
    ],
    "net222_update": [
        Mistake(
            "steps up the gradient (p + lr · ∂E/∂p): gradient descent subtracts, p − lr · ∂E/∂p",
            differs(network222.net222_update, ("params[k] - lr *", "params[k] + lr *")),
        ),
        Mistake(
            "forgets the learning rate: p − lr · ∂E/∂p",
            differs(network222.net222_update, ("- lr * grads[k]", "- grads[k]")),
        ),
    ],
    "xor_gradients": [
        Mistake(
            "flips the error: e = a − y (output minus target), so every delta and gradient changes sign",
            differs(xor.xor_gradients, ("error = float(a[0] - y)", "error = float(y - a[0])")),
        ),
        Mistake(
            "drops σ′ at the output node: δ_out = e · a(1 − a)",
            differs(xor.xor_gradients, ("delta_out = error * a * (1 - a)", "delta_out = error * np.ones_like(a)")),
        ),
        Mistake(
            "drops σ′ at the interior nodes: δ_h = h(1 − h) · (W2ᵀ δ_out)",
            differs(xor.xor_gradients, ("delta_hidden = h * (1 - h) * (", "delta_hidden = (")),
        ),
    ],
    "train_xor": [
        Mistake(
            "climbs the error: the update must subtract, p − lr · gradient",
            differs(xor.train_xor, ("params[k] - lr * g[k]", "params[k] + lr * g[k]")),
        ),
        Mistake(
            "sums the four examples' gradients; average them (the loss is the mean over the batch)",
            differs(xor.train_xor, ("g = {k: np.mean([r[3][k]", "g = {k: np.sum([r[3][k]")),
        ),
        Mistake(
            "records the loss after each update; losses[k] is the MSE before update k",
            differs(
                xor.train_xor,
                (_XOR_LOSS, ""),
                (
                    _XOR_STEP,
                    _XOR_STEP + "        if grad_fn is not None:\n            losses.append(mse(X, y, params))\n",
                ),
            ),
        ),
        Mistake(
            "updates after every example (online learning); take one full-batch step per epoch with the mean gradient",
            differs(
                xor.train_xor,
                (
                    _XOR_LOSS + "            g = {k: np.mean([r[3][k] for r in results], axis=0) for k in params}\n",
                    "            errors = []\n            for xi, yi in zip(X, y):\n"
                    "                e, _, _, g = grad_fn(xi, yi, params)\n"
                    "                errors.append(e**2)\n"
                    "                params = {k: params[k] - lr * g[k] for k in params}\n"
                    "            losses.append(float(np.mean(errors)))\n"
                    "            continue\n",
                ),
            ),
        ),
    ],
    "mlp_forward": [
        Mistake(
            "leaves X out: activations[0] must be the input X, then a¹ … aᴸ",
            differs(delta_rule.mlp_forward, ("return activations_", "return activations_[1:]")),
        ),
        Mistake(
            "leaves the output layer linear: every layer, the last included, is a sigmoid",
            differs(
                delta_rule.mlp_forward,
                (
                    "activations_.append(activations.sigmoid(z))",
                    "activations_.append(z if len(activations_) == len(params) else activations.sigmoid(z))",
                ),
            ),
        ),
    ],
    "mlp_backward": [
        Mistake(
            "drops g′(zˡ) = aˡ(1 − aˡ) in the hidden deltas: δˡ = (δˡ⁺¹ Wˡ⁺¹) ∘ aˡ(1 − aˡ)",
            differs(
                delta_rule.mlp_backward,
                ("delta = activations.sigmoid_backward(da, activations_[l])", "delta = da"),
                helpers=("backprop",),
            ),
        ),
        Mistake(
            "multiplies δᴸ by g′(zᴸ): with cross-entropy on a sigmoid output δᴸ = aᴸ − y, the g′ cancels",
            differs(
                delta_rule.mlp_backward,
                ("return backprop(delta,", "return backprop(activations.sigmoid_backward(delta, activations_[-1]),"),
            ),
        ),
        Mistake(
            "forgets the 1/N of the mean over the batch: δᴸ = (aᴸ − y) / N",
            differs(delta_rule.mlp_backward, ("N = len(Y)", "N = 1")),
        ),
        Mistake(
            "flips the output delta: δᴸ = aᴸ − y (output minus target)",
            differs(delta_rule.mlp_backward, ("(activations_[-1] - Y)", "(Y - activations_[-1])")),
        ),
    ],
}
