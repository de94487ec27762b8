"""Realistic mistakes in 03_backprop's graded functions, and the words the feedback must use to name each."""

from harness import Planted

SIG_FWD = "a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
NET_FWD_ROWS = '''    v["net_h1"] = p["w1"] * i1 + p["w2"] * i2 + p["b1"]
    v["out_h1"] = sig(v["net_h1"])
    v["net_h2"] = p["w3"] * i1 + p["w4"] * i2 + p["b1"]
    v["out_h2"] = sig(v["net_h2"])
    v["net_o1"] = p["w5"] * v["out_h1"] + p["w6"] * v["out_h2"] + p["b2"]
    v["out_o1"] = sig(v["net_o1"])
    v["net_o2"] = p["w7"] * v["out_h1"] + p["w8"] * v["out_h2"] + p["b2"]'''
NET_FWD_COLUMNS = '''    v["net_h1"] = p["w1"] * i1 + p["w3"] * i2 + p["b1"]
    v["out_h1"] = sig(v["net_h1"])
    v["net_h2"] = p["w2"] * i1 + p["w4"] * i2 + p["b1"]
    v["out_h2"] = sig(v["net_h2"])
    v["net_o1"] = p["w5"] * v["out_h1"] + p["w7"] * v["out_h2"] + p["b2"]
    v["out_o1"] = sig(v["net_o1"])
    v["net_o2"] = p["w6"] * v["out_h1"] + p["w8"] * v["out_h2"] + p["b2"]'''
NET_FWD_SWAPPED_BIAS = NET_FWD_ROWS.replace('p["b1"]', "B1").replace('p["b2"]', 'p["b1"]').replace("B1", 'p["b2"]')
HIDDEN_DELTAS = '''    d_h1 = (d_o1 * p["w5"] + d_o2 * p["w7"]) * v["out_h1"] * (1 - v["out_h1"])
    d_h2 = (d_o1 * p["w6"] + d_o2 * p["w8"]) * v["out_h2"] * (1 - v["out_h2"])'''
OUTPUT_DELTAS = '''    d_o1 = (v["out_o1"] - t1) * v["out_o1"] * (1 - v["out_o1"])
    d_o2 = (v["out_o2"] - t2) * v["out_o2"] * (1 - v["out_o2"])'''

PLANTED = [
    # activations
    Planted("sigmoid cache is the input", "sigmoid_forward", "return a, a", "return a, z", "cache = a"),
    Planted("sigmoid with e^{+z}", "sigmoid_forward", SIG_FWD,
            "a = np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))", "minus sign"),
    Planted("sigmoid backward applies sigma to the cached output", "sigmoid_backward",
            "return da * a * (1.0 - a)", "s = 1.0 / (1.0 + np.exp(-a))\n    return da * s * (1.0 - s)",
            "applies σ to the cache again"),
    Planted("sigmoid backward forgets da", "sigmoid_backward", "return da * a * (1.0 - a)",
            "return a * (1.0 - a)", "without multiplying by the upstream gradient"),
    Planted("tanh cache is the input", "tanh_forward", "return a, a", "return a, z", "cache = a"),
    Planted("tanh backward applies tanh to the cached output", "tanh_backward", "return da * (1.0 - a**2)",
            "return da * (1.0 - np.tanh(a) ** 2)", "applies tanh to the cache again"),
    Planted("tanh backward forgets the square", "tanh_backward", "return da * (1.0 - a**2)",
            "return da * (1.0 - a)", "forgets the square"),
    Planted("relu cache is the output", "relu_forward", "return np.maximum(z, 0), z",
            "a = np.maximum(z, 0)\n    return a, a", "cache = z"),
    Planted("relu gradient passes at z = 0", "relu_backward", "np.where(z > 0, da, 0.0)",
            "np.where(z >= 0, da, 0.0)", "at z = 0"),
    Planted("relu gradient on the wrong side of 0", "relu_backward", "np.where(z > 0, da, 0.0)",
            "np.where(z < 0, da, 0.0)", "wrong side of 0"),
    Planted("relu backward passes negative-side gradients", "relu_backward", "return np.where(z > 0, da, 0.0)",
            "return da.copy()", "negative-side gradients"),
    Planted("relu backward masks by the sign of da", "relu_backward", "np.where(z > 0, da, 0.0)",
            "np.maximum(da, 0)", "sign of da"),
    Planted("leaky relu slope on the positive side", "leaky_relu_forward",
            "np.where(z > 0, z, negative_slope * z)", "np.where(z > 0, negative_slope * z, z)", "positive side"),
    Planted("leaky relu backward drops the slope", "leaky_relu_backward",
            "np.where(z > 0, da, negative_slope * da)", "np.where(z > 0, da, 0.0)", "drops the slope"),
    Planted("prelu alpha on the positive side", "prelu_forward", "np.where(z > 0, z, alpha * z)",
            "np.where(z > 0, alpha * z, z)", "positive side"),
    Planted("prelu dalpha not reduced", "prelu_backward",
            "dalpha = contrib.sum() if alpha.ndim == 0 else contrib.sum(axis=0)", "dalpha = contrib",
            "per element"),
    Planted("prelu dalpha counts z > 0", "prelu_backward", "contrib = np.where(z > 0, 0.0, da * z)",
            "contrib = da * z", "where z > 0 too"),
    Planted("prelu dalpha averaged", "prelu_backward", "else contrib.sum(axis=0)", "else contrib.mean(axis=0)",
            "averages dalpha"),
    # linear layer
    Planted("linear forward with W instead of W.T", "linear_forward", "return x @ W.T + b, (x, W, b)",
            "return x @ W + b, (x, W, b)", "instead of W.T"),
    Planted("linear forward forgets b", "linear_forward", "return x @ W.T + b, (x, W, b)",
            "return x @ W.T, (x, W, b)", "forgets the bias"),
    Planted("dW transposed", "linear_backward", "return dout @ W, dout.T @ x, dout.sum(axis=0)",
            "return dout @ W, x.T @ dout, dout.sum(axis=0)", "transposed"),
    Planted("db not summed over the batch", "linear_backward", "return dout @ W, dout.T @ x, dout.sum(axis=0)",
            "return dout @ W, dout.T @ x, dout", "does not sum db over the batch"),
    Planted("dx computed with W.T", "linear_backward", "return dout @ W, dout.T @ x, dout.sum(axis=0)",
            "return dout @ W.T, dout.T @ x, dout.sum(axis=0)", "computes dx with W.T"),
    Planted("db averaged", "linear_backward", "return dout @ W, dout.T @ x, dout.sum(axis=0)",
            "return dout @ W, dout.T @ x, dout.mean(axis=0)", "averages db"),
    # the 2-2-2 network
    Planted("E without the half", "net222_forward",
            'v["E"] = 0.5 * (t1 - v["out_o1"]) ** 2 + 0.5 * (t2 - v["out_o2"]) ** 2',
            'v["E"] = (t1 - v["out_o1"]) ** 2 + (t2 - v["out_o2"]) ** 2', "½"),
    Planted("weights wired column-wise", "net222_forward", NET_FWD_ROWS, NET_FWD_COLUMNS, "column-wise"),
    Planted("biases swapped", "net222_forward", NET_FWD_ROWS, NET_FWD_SWAPPED_BIAS, "swaps the biases"),
    Planted("shared bias b1: only h1's contribution", "net222_backward", '"b1": d_h1 + d_h2', '"b1": d_h1',
            "two contributions"),
    Planted("shared bias b2: only o2's contribution", "net222_backward", '"b2": d_o1 + d_o2', '"b2": d_o2',
            "two contributions"),
    Planted("hidden deltas without the sigmoid's derivative", "net222_backward", HIDDEN_DELTAS,
            '    d_h1 = d_o1 * p["w5"] + d_o2 * p["w7"]\n    d_h2 = d_o1 * p["w6"] + d_o2 * p["w8"]',
            "drops the sigmoid's derivative"),
    Planted("hidden deltas follow one path", "net222_backward", HIDDEN_DELTAS,
            '    d_h1 = d_o1 * p["w5"] * v["out_h1"] * (1 - v["out_h1"])\n'
            '    d_h2 = d_o2 * p["w8"] * v["out_h2"] * (1 - v["out_h2"])', "only one path"),
    Planted("output error t - out", "net222_backward", OUTPUT_DELTAS,
            OUTPUT_DELTAS.replace('(v["out_o1"] - t1)', '(t1 - v["out_o1"])').replace('(v["out_o2"] - t2)',
                                                                                      '(t2 - v["out_o2"])'),
            "sign"),
    Planted("update with the wrong sign", "net222_update", "return {k: params[k] - lr * grads[k] for k in params}",
            "return {k: params[k] + lr * grads[k] for k in params}", "steps up the gradient"),
    Planted("update in place", "net222_update", "return {k: params[k] - lr * grads[k] for k in params}",
            "for k in params:\n        params[k] = params[k] - lr * grads[k]\n    return params", "in place"),
    # XOR
    Planted("xor error y - a", "xor_gradients", "error = float(a[0] - y)", "error = float(y - a[0])",
            "flips the error"),
    Planted("xor output delta without sigma'", "xor_gradients", "delta_out = error * a * (1 - a)",
            "delta_out = np.array([error])", "σ′ at the output"),
    Planted("xor interior deltas without sigma'", "xor_gradients",
            'delta_hidden = h * (1 - h) * (params["W2"].T @ delta_out)',
            'delta_hidden = params["W2"].T @ delta_out', "interior nodes"),
    Planted("xor W1 gradient transposed", "xor_gradients", "np.outer(delta_hidden, x)", "np.outer(x, delta_hidden)",
            "transposed"),
    Planted("training climbs the error", "train_xor", "params[k] = params[k] - lr * np.mean",
            "params[k] = params[k] + lr * np.mean", "climbs the error"),
    Planted("training sums the gradients", "train_xor", "np.mean([r[3][k] for r in results], axis=0)",
            "np.sum([r[3][k] for r in results], axis=0)", "sums the four"),
    Planted("training modifies params in place", "train_xor",
            "params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}", "pass", "in place"),
    # L-layer
    Planted("activations without X", "mlp_forward", "return activations", "return activations[1:]", "leaves X out"),
    Planted("delta rule drops g'", "mlp_backward", "delta = (delta @ params[l][0]) * a_prev * (1 - a_prev)",
            "delta = delta @ params[l][0]", "drops g′"),
    Planted("output delta with an extra g'", "mlp_backward", "delta = (activations[-1] - Y) / N",
            "delta = (activations[-1] - Y) * activations[-1] * (1 - activations[-1]) / N", "cancels"),
    Planted("output delta without 1/N", "mlp_backward", "delta = (activations[-1] - Y) / N",
            "delta = activations[-1] - Y", "1/N"),
    Planted("mlp dW transposed", "mlp_backward", "grads[l] = (delta.T @ a_prev, delta.sum(axis=0))",
            "grads[l] = (a_prev.T @ delta, delta.sum(axis=0))", "transposed"),
]
