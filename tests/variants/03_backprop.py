"""Valid ways of writing 03_backprop's functions: loops, masks, einsum, matrices, one column per example."""

from harness import Variant

GROUPS = {
    "alternatives": [
        Variant(
            "sigmoid through tanh (keeps float32)",
            "sigmoid_forward",
            "    z = np.asarray(z, dtype=np.float64)\n    e = np.exp(-np.abs(z))\n"
            "    a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n    return a, a",
            "    a = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z)))\n    return a, a",
        ),
        Variant(
            "relu backward with loops",
            "relu_backward",
            "    z = cache\n    return np.where(z > 0, da, 0.0)",
            "    z = cache\n    dz = np.zeros(np.shape(da))\n    for idx in np.ndindex(*np.shape(z)):\n"
            "        if z[idx] > 0:\n            dz[idx] = da[idx]\n    return dz",
        ),
        Variant(
            "leaky relu backward with a mask",
            "leaky_relu_backward",
            "    return np.where(z > 0, da, negative_slope * da)",
            "    mask = (z > 0).astype(da.dtype)\n    return da * (mask + negative_slope * (1 - mask))",
        ),
        Variant(
            "prelu backward per feature",
            "prelu_backward",
            "    dalpha = contrib.sum() if alpha.ndim == 0 else contrib.sum(axis=0)",
            "    if alpha.ndim == 0:\n        dalpha = float(np.sum(contrib))\n    else:\n"
            "        dalpha = np.array([contrib[:, j].sum() for j in range(alpha.shape[0])])",
        ),
        Variant(
            "linear layer with einsum",
            "linear_backward",
            "    return dout @ W, dout.T @ x, dout.sum(axis=0)",
            "    return (np.einsum('no,od->nd', dout, W), np.einsum('no,nd->od', dout, x),\n"
            "            np.einsum('no->o', dout))",
        ),
        Variant(
            "2-2-2 backward with matrices",
            "net222_backward",
            '    return {"w1": d_h1 * i1,',
            '    Wo = np.array([[p["w5"], p["w6"]], [p["w7"], p["w8"]]])\n'
            '    d_o = np.array([d_o1, d_o2])\n'
            '    d_h = (Wo.T @ d_o) * np.array([v["out_h1"] * (1 - v["out_h1"]), v["out_h2"] * (1 - v["out_h2"])])\n'
            '    d_h1, d_h2 = float(d_h[0]), float(d_h[1])\n'
            '    return {"w1": d_h1 * i1,',
        ),
        Variant(
            "update by copying the dict",
            "net222_update",
            "    return {k: params[k] - lr * grads[k] for k in params}",
            "    new = dict(params)\n    for k in grads:\n        new[k] -= lr * grads[k]\n    return new",
        ),
        Variant(
            "xor gradients with explicit loops",
            "xor_gradients",
            '    grads = {"W1": np.outer(delta_hidden, x), "b1": delta_hidden,',
            '    gW1 = np.zeros_like(params["W1"])\n'
            '    for j in range(gW1.shape[0]):\n'
            '        for i in range(gW1.shape[1]):\n'
            '            gW1[j, i] = delta_hidden[j] * x[i]\n'
            '    grads = {"W1": gW1, "b1": delta_hidden,',
        ),
        Variant(
            "training accumulates sums then divides",
            "train_xor",
            "        for k in params:\n            params[k] = params[k] - lr * np.mean([r[3][k] for r in results], "
            "axis=0)",
            "        total = {k: sum(r[3][k] for r in results) for k in params}\n"
            "        params = {k: params[k] - lr * total[k] / len(X) for k in params}",
        ),
        Variant(
            "the delta rule with one column per example",
            "mlp_backward",
            "    N = len(Y)\n    delta = (activations[-1] - Y) / N\n    grads = [None] * len(params)\n"
            "    for l in range(len(params) - 1, -1, -1):\n        a_prev = activations[l]\n"
            "        grads[l] = (delta.T @ a_prev, delta.sum(axis=0))\n        if l > 0:\n"
            "            delta = (delta @ params[l][0]) * a_prev * (1 - a_prev)\n    return grads",
            "    m = Y.shape[0]\n    d = (activations[-1] - Y).T              # (K, m): one column per example\n"
            "    grads = []\n    for l in reversed(range(len(params))):\n        a = activations[l].T\n"
            "        grads.insert(0, (d @ a.T / m, d.sum(axis=1) / m))\n"
            "        d = (params[l][0].T @ d) * a * (1 - a)\n    return grads",
        ),
    ]
}
