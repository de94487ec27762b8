"""Classic wrong implementations of 03_backprop's functions, each with the sentence that names it.

Flipped signs, factors of N and transposed shapes are recognised generically by ``course.testing.check``; these are
the mistakes that need a specific story. Each wrong function takes exactly the graded function's arguments.
"""

import itertools

import numpy as np

from course import backprop as B
from course.activations import sigmoid
from course.testing import Mistake

__all__ = ["MISTAKES"]


# --- activations -----------------------------------------------------------------------------------------------------
def _lrelu_bwd(ge0=False, neg=True, swap=False, use_da=True):
    def f(da, cache):
        z, s = cache
        pos = (z >= 0) if ge0 else (z > 0)
        d = da if use_da else 1.0
        return np.where(pos, s * d, d) if swap else np.where(pos, d, s * d if neg else 0.0)
    return f


def _prelu_bwd(reduce="sum", positive_too=False, without_z=False, dz_alpha=True):
    def f(da, cache):
        z, alpha = cache
        alpha = np.asarray(alpha)
        dz = np.where(z > 0, da, alpha * da if dz_alpha else 0.0)
        term = da if without_z else da * z
        contrib = term if positive_too else np.where(z > 0, 0.0, term)
        if reduce == "none":
            return dz, contrib
        if alpha.ndim == 0:
            return dz, np.asarray({"axis0": lambda c: c.sum(axis=0), "mean": np.mean}.get(reduce, np.sum)(contrib))
        per_slope = contrib.reshape(-1, alpha.size)
        return dz, (per_slope.mean(0) if reduce == "mean" else per_slope.sum(0)).reshape(alpha.shape)
    return f


# --- 2-2-2 network ---------------------------------------------------------------------------------------------------
def _net222_fwd(half=True, wiring="rows", bias=True, hidden_out=True, swap_bias=False):
    def f(inputs, targets, params):
        p = dict(params)
        if not bias:
            p["b1"] = p["b2"] = 0.0
        if swap_bias:
            p["b1"], p["b2"] = p["b2"], p["b1"]
        if wiring == "columns":
            p["w2"], p["w3"], p["w6"], p["w7"] = p["w3"], p["w2"], p["w7"], p["w6"]
        v = B.net222_forward(inputs, targets, p)
        if not hidden_out:
            v["net_o1"] = p["w5"] * v["net_h1"] + p["w6"] * v["net_h2"] + p["b2"]
            v["net_o2"] = p["w7"] * v["net_h1"] + p["w8"] * v["net_h2"] + p["b2"]
            v["out_o1"], v["out_o2"] = B._s(v["net_o1"]), B._s(v["net_o2"])
            t1, t2 = targets
            v["E"] = 0.5 * (t1 - v["out_o1"]) ** 2 + 0.5 * (t2 - v["out_o2"]) ** 2
        if not half:
            v["E"] *= 2
        return v
    return f


def _net222_bwd(b1="both", b2="both", g_out=True, g_hid=True, paths="both", hidden_weights="right", sign=1.0):
    def f(inputs, targets, params, values):
        (i1, i2), (t1, t2), p, v = inputs, targets, params, values
        go1 = v["out_o1"] * (1 - v["out_o1"]) if g_out else 1.0
        go2 = v["out_o2"] * (1 - v["out_o2"]) if g_out else 1.0
        d_o1 = sign * (v["out_o1"] - t1) * go1
        d_o2 = sign * (v["out_o2"] - t2) * go2
        w_h1 = (p["w5"], p["w7"]) if hidden_weights == "right" else (p["w5"], p["w6"])
        w_h2 = (p["w6"], p["w8"]) if hidden_weights == "right" else (p["w7"], p["w8"])
        k = 1.0 if paths == "both" else 0.0
        gh1 = v["out_h1"] * (1 - v["out_h1"]) if g_hid else 1.0
        gh2 = v["out_h2"] * (1 - v["out_h2"]) if g_hid else 1.0
        d_h1 = (d_o1 * w_h1[0] + k * d_o2 * w_h1[1]) * gh1
        d_h2 = (k * d_o1 * w_h2[0] + d_o2 * w_h2[1]) * gh2
        pick = {"both": lambda a, b: a + b, "first": lambda a, b: a, "second": lambda a, b: b}
        return {"w1": d_h1 * i1, "w2": d_h1 * i2, "w3": d_h2 * i1, "w4": d_h2 * i2,
                "w5": d_o1 * v["out_h1"], "w6": d_o1 * v["out_h2"], "w7": d_o2 * v["out_h1"],
                "w8": d_o2 * v["out_h2"], "b1": pick[b1](d_h1, d_h2), "b2": pick[b2](d_o1, d_o2)}
    return f


_ONE_CONTRIBUTION = ("counts only one of a shared bias's two contributions: b1 feeds both h1 and h2, so "
                     "∂E/∂b1 = δh1 + δh2 (and ∂E/∂b2 = δo1 + δo2)")
_SHARED = [Mistake(_ONE_CONTRIBUTION, _net222_bwd(b1=x, b2=y))
           for x, y in itertools.product(("both", "first", "second"), repeat=2) if (x, y) != ("both", "both")]


# --- XOR -------------------------------------------------------------------------------------------------------------
def _xor_grads(sign=1.0, g_out=True, g_hid=True):
    def f(x, y, params):
        h = sigmoid(params["W1"] @ x + params["b1"])
        a = sigmoid(params["W2"] @ h + params["b2"])
        error = float(sign * (a[0] - y))
        delta_out = error * (a * (1 - a) if g_out else np.ones_like(a))
        delta_hidden = (h * (1 - h) if g_hid else 1.0) * (params["W2"].T @ delta_out)
        grads = {"W1": np.outer(delta_hidden, x), "b1": delta_hidden, "W2": np.outer(delta_out, h),
                 "b2": delta_out}
        return error, delta_out, delta_hidden, grads
    return f


def _train_xor(sign=1.0, reduce="mean", after=False, online=False):
    def f(params, X, y, grad_fn, lr=5.0, epochs=1000):
        params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        losses = []
        for _ in range(epochs):
            if online:
                errs = []
                for xi, yi in zip(X, y):
                    r = B.xor_gradients(xi, yi, params)
                    errs.append(r[0] ** 2)
                    params = {k: params[k] - sign * lr * r[3][k] for k in params}
                losses.append(float(np.mean(errs)))
                continue
            rs = [B.xor_gradients(xi, yi, params) for xi, yi in zip(X, y)]
            red = np.mean if reduce == "mean" else np.sum
            g = {k: red([r[3][k] for r in rs], axis=0) for k in params}
            if not after:
                losses.append(float(np.mean([r[0] ** 2 for r in rs])))
            params = {k: params[k] - sign * lr * g[k] for k in params}
            if after:
                losses.append(B.xor_mse(X, y, params))
        return params, np.array(losses)  # an array: check() compares a list of floats as one number
    return f


# --- L-layer network -------------------------------------------------------------------------------------------------
def _mlp_bwd(g_hidden=True, g_out=False, mean=True, sign=1.0):
    def f(activations, Y, params):
        N = len(Y) if mean else 1
        aL = activations[-1]
        delta = sign * (aL - Y) * (aL * (1 - aL) if g_out else 1.0) / N
        grads = [None] * len(params)
        for l in range(len(params) - 1, -1, -1):
            a_prev = activations[l]
            grads[l] = (delta.T @ a_prev, delta.sum(0))
            if l:
                delta = (delta @ params[l][0]) * (a_prev * (1 - a_prev) if g_hidden else 1.0)
        return grads
    return f


def _mlp_fwd(with_x=True, last_linear=False):
    def f(X, params):
        acts = [X]
        for i, (W, b) in enumerate(params):
            z = acts[-1] @ W.T + b
            acts.append(z if (last_linear and i == len(params) - 1) else sigmoid(z))
        return acts if with_x else acts[1:]
    return f


MISTAKES = {
    "sigmoid_forward": [
        Mistake("returns the input z as the cache; the contract is cache = a = σ(z), the output",
                lambda z: (sigmoid(z), z)),
        Mistake("computes 1 / (1 + e^{+z}) = σ(−z): the exponent needs a minus sign", lambda z: (sigmoid(-z),) * 2),
    ],
    "sigmoid_backward": [
        Mistake("applies σ to the cache again: the cache is already the output a = σ(z), so σ′(z) = a(1 − a)",
                lambda da, a: da * sigmoid(a) * (1 - sigmoid(a))),
        Mistake("returns the local slope a(1 − a) without multiplying by the upstream gradient da",
                lambda da, a: a * (1 - a)),
        Mistake("multiplies by a instead of a(1 − a): σ′ = a(1 − a)", lambda da, a: da * a),
    ],
    "tanh_forward": [Mistake("returns the input z as the cache; the contract is cache = a = tanh(z), the output",
                             lambda z: (np.tanh(z), z))],
    "tanh_backward": [
        Mistake("applies tanh to the cache again: the cache is already a = tanh(z), so tanh′(z) = 1 − a²",
                lambda da, a: da * (1 - np.tanh(a) ** 2)),
        Mistake("forgets the square: tanh′(z) = 1 − a², not 1 − a", lambda da, a: da * (1 - a)),
        Mistake("returns the local slope 1 − a² without multiplying by the upstream gradient da",
                lambda da, a: 1 - a**2),
    ],
    "relu_forward": [Mistake("returns the output as the cache; the contract is cache = z, the input",
                             lambda z: (np.maximum(z, 0), np.maximum(z, 0)))],
    "relu_backward": [
        Mistake("lets the gradient through at z = 0 exactly; the course (like PyTorch) takes the subgradient 0 "
                "there: mask with z > 0", lambda da, z: np.where(z >= 0, da, 0.0)),
        Mistake("passes the gradient on the wrong side of 0: it flows where z > 0 and stops where z ≤ 0",
                lambda da, z: np.where(z < 0, da, 0.0)),
        Mistake("passes the gradient on the wrong side of 0: it flows where z > 0 and stops where z ≤ 0",
                lambda da, z: np.where(z <= 0, da, 0.0)),
        Mistake("passes negative-side gradients through: ReLU is flat where z ≤ 0, so dz must be 0 there",
                lambda da, z: da * 1.0),
        Mistake("masks by the sign of da instead of z: whether the gradient flows is decided by the cached input z",
                lambda da, z: np.maximum(da, 0)),
        Mistake("returns the local slope 1[z > 0] without multiplying by the upstream gradient da",
                lambda da, z: (z > 0).astype(np.float64)),
        Mistake("multiplies da by ReLU(z) instead of by its slope 1[z > 0]", lambda da, z: da * np.maximum(z, 0)),
    ],
    "leaky_relu_forward": [
        Mistake("applies negative_slope on the positive side: a = z for z > 0, negative_slope · z otherwise",
                lambda z, negative_slope=0.01: (np.where(z > 0, negative_slope * z, z), (z, negative_slope))),
        Mistake("ignores negative_slope: that is a plain ReLU",
                lambda z, negative_slope=0.01: (np.maximum(z, 0), (z, negative_slope))),
    ],
    "leaky_relu_backward": [
        Mistake("drops the slope on the negative side: dz = negative_slope · da where z ≤ 0 (it is not a ReLU)",
                _lrelu_bwd(neg=False)),
        Mistake("swaps the two slopes: dz = da where z > 0 and negative_slope · da where z ≤ 0", _lrelu_bwd(swap=True)),
        Mistake("returns the local slopes without multiplying by the upstream gradient da", _lrelu_bwd(use_da=False)),
        Mistake("treats z = 0 as positive; the course, like PyTorch, uses negative_slope where z ≤ 0",
                _lrelu_bwd(ge0=True)),
    ],
    "prelu_forward": [
        Mistake("applies alpha on the positive side: a = z for z > 0, alpha · z otherwise",
                lambda z, alpha: (np.where(z > 0, alpha * z, z), (z, alpha))),
    ],
    "prelu_backward": [
        Mistake("returns dalpha per element: sum the contributions over the batch so dalpha has alpha's shape",
                _prelu_bwd(reduce="none")),
        Mistake("adds da · z where z > 0 too: alpha only acts where z ≤ 0", _prelu_bwd(positive_too=True)),
        Mistake("forgets the factor z: ∂a/∂alpha = z where z ≤ 0, so dalpha = Σ da · z there",
                _prelu_bwd(without_z=True)),
        Mistake("averages dalpha over the batch: alpha is shared by every example, so their contributions add up",
                _prelu_bwd(reduce="mean")),
        Mistake("sums only over the batch axis: a scalar alpha is shared by every entry, so sum over all of them",
                _prelu_bwd(reduce="axis0")),
        Mistake("drops alpha from dz: on the negative side dz = alpha · da (it is not a ReLU)",
                _prelu_bwd(dz_alpha=False)),
    ],
    "linear_forward": [
        Mistake("multiplies by W instead of W.T: W is (out, in), so out = x @ W.T + b",
                lambda x, W, b: (x @ W + b, (x, W, b))),
        Mistake("forgets the bias b", lambda x, W, b: (x @ W.T, (x, W, b))),
    ],
    "linear_backward": [
        Mistake("computes dx with W.T: for out = x @ W.T + b, dx = dout @ W (shape (N, in))",
                lambda dout, c: (dout @ c[1].T, dout.T @ c[0], dout.sum(0))),
        Mistake("returns dW transposed (x.T @ dout is (in, out)); dW must have W's shape (out, in): dout.T @ x",
                lambda dout, c: (dout @ c[1], c[0].T @ dout, dout.sum(0))),
        Mistake("does not sum db over the batch: every example adds to the bias gradient, db = dout.sum(axis=0)",
                lambda dout, c: (dout @ c[1], dout.T @ c[0], dout * 1.0)),
        Mistake("averages db over the batch: sum it, the 1/N (if any) is already inside dout",
                lambda dout, c: (dout @ c[1], dout.T @ c[0], dout.mean(0))),
        Mistake("sums db over the features (axis=1) instead of over the batch (axis=0)",
                lambda dout, c: (dout @ c[1], dout.T @ c[0], dout.sum(1))),
        Mistake("divides dW by N: sum over the batch, the 1/N (if any) is already inside dout",
                lambda dout, c: (dout @ c[1], dout.T @ c[0] / len(dout), dout.sum(0))),
    ],
    "net222_forward": [
        Mistake("forgets the ½ in E = ½ Σ (t − o)²", _net222_fwd(half=False)),
        Mistake("wires the weights column-wise (h1 = σ(w1·i1 + w3·i2 + b1)); the network is h1 = σ(w1·i1 + w2·i2 + b1), "
                "h2 = σ(w3·i1 + w4·i2 + b1), o1 = σ(w5·h1 + w6·h2 + b2), o2 = σ(w7·h1 + w8·h2 + b2)",
                _net222_fwd(wiring="columns")),
        Mistake("forgets the biases b1 and b2", _net222_fwd(bias=False)),
        Mistake("swaps the biases: b1 belongs to the hidden units, b2 to the outputs", _net222_fwd(swap_bias=True)),
        Mistake("feeds net_h1, net_h2 (before the sigmoid) to the output layer: the outputs read out_h1, out_h2",
                _net222_fwd(hidden_out=False)),
    ],
    "net222_backward": [
        *_SHARED,
        Mistake("drops the sigmoid's derivative out(1 − out) at the outputs", _net222_bwd(g_out=False)),
        Mistake("drops the sigmoid's derivative out(1 − out) at the hidden units", _net222_bwd(g_hid=False)),
        Mistake("drops the sigmoid's derivative out(1 − out) everywhere", _net222_bwd(g_out=False, g_hid=False)),
        Mistake("follows only one path back to each hidden unit: h1 feeds o1 and o2, so "
                "∂E/∂out_h1 = δo1·w5 + δo2·w7", _net222_bwd(paths="one")),
        Mistake("uses the wrong outgoing weights: h1 reaches o1 through w5 and o2 through w7 (h2: w6 and w8)",
                _net222_bwd(hidden_weights="wrong")),
        Mistake("has every sign flipped: with E = ½(t − o)², ∂E/∂out = out − t (not t − out)",
                _net222_bwd(sign=-1.0)),
    ],
    "net222_update": [
        Mistake("steps up the gradient (p + lr · ∂E/∂p): gradient descent subtracts, p − lr · ∂E/∂p",
                lambda p, g, lr: {k: p[k] + lr * g[k] for k in p}),
        Mistake("forgets the learning rate: p − lr · ∂E/∂p", lambda p, g, lr: {k: p[k] - g[k] for k in p}),
    ],
    "xor_gradients": [
        Mistake("flips the error: e = a − y (output minus target), so every delta and gradient changes sign",
                _xor_grads(sign=-1.0)),
        Mistake("drops σ′ at the output node: δ_out = e · a(1 − a)", _xor_grads(g_out=False)),
        Mistake("drops σ′ at the interior nodes: δ_h = h(1 − h) · (W2ᵀ δ_out)", _xor_grads(g_hid=False)),
    ],
    "train_xor": [
        Mistake("climbs the error: the update must subtract, p − lr · gradient", _train_xor(sign=-1.0)),
        Mistake("sums the four examples' gradients; average them (the loss is the mean over the batch)",
                _train_xor(reduce="sum")),
        Mistake("records the loss after each update; losses[k] is the MSE before update k", _train_xor(after=True)),
        Mistake("updates after every example (online learning); take one full-batch step per epoch with the "
                "mean gradient", _train_xor(online=True)),
    ],
    "mlp_forward": [
        Mistake("leaves X out: activations[0] must be the input X, then a¹ … aᴸ", _mlp_fwd(with_x=False)),
        Mistake("leaves the output layer linear: every layer, the last included, is a sigmoid",
                _mlp_fwd(last_linear=True)),
    ],
    "mlp_backward": [
        Mistake("drops g′(zˡ) = aˡ(1 − aˡ) in the hidden deltas: δˡ = (δˡ⁺¹ Wˡ⁺¹) ∘ aˡ(1 − aˡ)",
                _mlp_bwd(g_hidden=False)),
        Mistake("multiplies δᴸ by g′(zᴸ): with cross-entropy on a sigmoid output δᴸ = aᴸ − y, the g′ cancels",
                _mlp_bwd(g_out=True)),
        Mistake("forgets the 1/N of the mean over the batch: δᴸ = (aᴸ − y) / N", _mlp_bwd(mean=False)),
        Mistake("flips the output delta: δᴸ = aᴸ − y (output minus target)", _mlp_bwd(sign=-1.0)),
    ],
}
