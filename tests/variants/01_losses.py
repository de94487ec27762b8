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
            "mape with a loop over every element, in Python floats",
            "mape_forward",
            "    return float(np.mean(np.abs(y_pred - y) / np.maximum(np.abs(y), eps)))",
            "    total, count = 0.0, 0\n    for a, b in zip(np.ravel(y_pred), np.ravel(y)):\n"
            "        total += abs(float(a) - float(b)) / max(abs(float(b)), eps)\n        count += 1\n"
            "    return total / count",
        ),
        Variant(
            "mape gradient with a loop over every index, into an array like y_pred (float32 stays float32)",
            "mape_backward",
            "    return np.sign(y_pred - y) / np.maximum(np.abs(y), eps) / y_pred.size",
            "    grad = np.zeros_like(y_pred)\n    for idx in np.ndindex(y_pred.shape):\n"
            "        r = y_pred[idx] - y[idx]\n"
            "        grad[idx] = (1.0 if r > 0 else -1.0 if r < 0 else 0.0) / max(abs(y[idx]), eps) / y_pred.size\n"
            "    return grad",
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
    ],
    # A second way of writing the same functions cannot share a group with the first (each edits the same line).
    "other floors and dtypes": [
        Variant(
            "mape with its floor as a clip, computed in float64",
            "mape_forward",
            "    return float(np.mean(np.abs(y_pred - y) / np.maximum(np.abs(y), eps)))",
            "    a, b = np.asarray(y_pred, dtype=np.float64), np.asarray(y, dtype=np.float64)\n"
            "    return (np.abs(a - b) / np.clip(np.abs(b), eps, None)).mean().item()",
        ),
        Variant(
            "mape gradient with where for the floor and the tie",
            "mape_backward",
            "    return np.sign(y_pred - y) / np.maximum(np.abs(y), eps) / y_pred.size",
            "    r = y_pred - y\n    scale = np.where(np.abs(y) > eps, np.abs(y), eps) * r.size\n"
            "    return np.where(r > 0, 1.0, np.where(r < 0, -1.0, 0.0)).astype(r.dtype) / scale",
        ),
    ],
}
