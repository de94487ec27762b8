"""Valid ways of writing 01_losses' functions: loops, other stable formulas, one-hot matrices."""

from harness import Variant

GROUPS = {
    "alternatives": [
        Variant(
            "mse with a loop over every element",
            "mse_forward",
            "    return float(np.mean((y_pred - y) ** 2))",
            "    total, count = 0.0, 0\n    for a, b in zip(np.ravel(y_pred), np.ravel(y)):\n"
            "        total += (float(a) - float(b)) ** 2\n        count += 1\n    return total / count",
        ),
        Variant(
            "mae subgradient with nested where",
            "mae_backward",
            "    return np.sign(y_pred - y) / y_pred.size",
            "    r = y_pred - y\n    return np.where(r > 0, 1.0, np.where(r < 0, -1.0, 0.0)) / r.size",
        ),
        Variant(
            "huber as a clipped square plus a linear tail",
            "huber_forward",
            "    return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))",
            "    a = np.minimum(r, delta)\n    return float(np.mean(0.5 * a**2 + delta * (r - a)))",
        ),
        Variant(
            "bce on logits with logaddexp",
            "bce_with_logits_forward",
            "    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))",
            "    return float(np.mean(np.logaddexp(0.0, z) - z * y))",
        ),
        Variant(
            "softmax through log-sum-exp",
            "softmax",
            "    e = np.exp(z - z.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)",
            "    m = np.max(z, axis=1, keepdims=True)\n"
            "    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))\n    return np.exp(z - lse)",
        ),
        Variant(
            "cross-entropy gradient with a one-hot matrix",
            "cross_entropy_backward",
            "    grad[np.arange(len(labels)), labels] -= 1.0\n    return grad / len(labels)",
            "    onehot = np.eye(logits.shape[1])[labels]\n    return (grad - onehot) / len(labels)",
        ),
        Variant(
            "multiclass hinge with loops",
            "multiclass_hinge_forward",
            "    n = len(labels)\n    correct = scores[np.arange(n), labels][:, None]\n"
            "    m = np.maximum(0.0, scores - correct + margin)\n    m[np.arange(n), labels] = 0.0\n",
            "    n = len(labels)\n    m = np.zeros(np.shape(scores))\n    for i in range(n):\n"
            "        for j in range(scores.shape[1]):\n            if j != labels[i]:\n"
            "                m[i, j] = max(0.0, scores[i, j] - scores[i, labels[i]] + margin)\n",
        ),
        Variant(
            "l2 gradient scaling each array",
            "l2_penalty_backward",
            "    return [lam / n * w for w in weights]",
            "    return [w * (lam / n) for w in weights]",
        ),
    ]
}
