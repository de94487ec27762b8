"""Valid ways of writing 06_capstone's functions: loops and keepdims in batch norm, binomial dropout masks, another
way of shuffling and of zeroing the gradients in the training loop."""

from harness import Variant

GROUPS = {
    "alternatives": [
        Variant(
            "bn with loops and keepdims",
            "batchnorm_forward",
            '''    if training:
        mean = x.mean(axis=0)
        var = x.var(axis=0)                                  # biased: divides by N''',
            '''    if training:
        mean = np.array([np.mean(x[:, j]) for j in range(d)])
        var = np.array([np.sum((x[:, j] - mean[j]) ** 2) / n for j in range(d)])''',
        ),
        Variant(
            "bn backward with keepdims",
            "batchnorm_backward",
            "dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))",
            "n = len(dout)\n        dx = inv_std / n * (n * g - g.sum(axis=0, keepdims=True)"
            " - x_hat * np.sum(g * x_hat, axis=0, keepdims=True))",
        ),
        Variant(
            "dropout with binomial draws",
            "dropout_forward",
            "keep = rng.random(x.shape) >= p",
            "keep = rng.binomial(1, 1 - p, size=x.shape).astype(bool)",
        ),
        Variant(
            "dropout backward with where",
            "dropout_backward",
            "    return dout * cache",
            "    return np.where(cache > 0, dout * cache, 0.0)",
        ),
        Variant(
            "accuracy with a loop",
            "accuracy",
            "    return float(np.mean(np.argmax(scores, axis=1) == labels))",
            "    hits = 0\n    for row, label in zip(scores, labels):\n        hits += int(np.argmax(row) == label)\n"
            "    return hits / len(labels)",
        ),
        Variant(
            "train with rng.shuffle",
            "train",
            "        order = rng.permutation(n)",
            "        order = np.arange(n)\n        rng.shuffle(order)",
        ),
        Variant(
            "train with model.zero_grad",
            "train",
            "            optimizer.zero_grad()\n",
            "            model.zero_grad()\n",
        ),
    ]
}
