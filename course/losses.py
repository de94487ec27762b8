"""Reference loss functions: each ``*_forward`` returns the mean loss as a float, each ``*_backward`` its gradient.

Conventions (see the course spec): the reduction is the *mean*, PyTorch's default, over every element for the
element-wise losses (MSE, MAE, Huber, MAPE, BCE) and over the batch for the per-sample losses (cross-entropy, hinge).
Every backward returns the gradient of exactly that scalar with respect to its first argument, in the same shape.
Inputs are never modified, and float32 inputs are computed in float64 (``mape_backward`` hands its gradient back in
the prediction's float dtype, so float32 stays float32).
"""

import numpy as np

__all__ = [
    "mse_forward", "mse_backward", "mae_forward", "mae_backward", "huber_forward", "huber_backward",
    "mape_forward", "mape_backward", "bce_forward", "bce_backward", "bce_with_logits_forward",
    "bce_with_logits_backward", "softmax", "log_softmax", "cross_entropy_forward", "cross_entropy_backward",
    "hinge_forward", "hinge_backward",
    "multiclass_hinge_forward", "multiclass_hinge_backward", "l2_penalty_forward", "l2_penalty_backward",
]


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def mse_forward(y_pred, y):
    """Mean squared error, ``mean((y_pred - y)**2)``.

    Parameters
    ----------
    y_pred, y : arrays of the same shape, e.g. (N,) or (N, D).

    Returns
    -------
    float
    """
    y_pred, y = _f64(y_pred, y)
    return float(np.mean((y_pred - y) ** 2))


def mse_backward(y_pred, y):
    """Gradient of :func:`mse_forward` w.r.t. ``y_pred``: ``2 (y_pred - y) / y_pred.size``."""
    y_pred, y = _f64(y_pred, y)
    return 2.0 * (y_pred - y) / y_pred.size


def mae_forward(y_pred, y):
    """Mean absolute error, ``mean(|y_pred - y|)``."""
    y_pred, y = _f64(y_pred, y)
    return float(np.mean(np.abs(y_pred - y)))


def mae_backward(y_pred, y):
    """Subgradient of :func:`mae_forward`: ``sign(y_pred - y) / size``, with 0 where ``y_pred == y``."""
    y_pred, y = _f64(y_pred, y)
    return np.sign(y_pred - y) / y_pred.size


def huber_forward(y_pred, y, delta=1.0):
    """Huber loss as ``torch.nn.functional.huber_loss``: quadratic within ``delta``, linear beyond.

    ``l(r) = ½ r²`` if ``|r| <= delta`` else ``delta (|r| - ½ delta)``, with ``r = y_pred - y``; the mean is returned.
    """
    y_pred, y = _f64(y_pred, y)
    r = np.abs(y_pred - y)
    return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))


def huber_backward(y_pred, y, delta=1.0):
    """Gradient of :func:`huber_forward`: ``clip(r, -delta, delta) / size``."""
    y_pred, y = _f64(y_pred, y)
    return np.clip(y_pred - y, -delta, delta) / y_pred.size


# np.finfo(np.float64).eps, the floor scikit-learn's mean_absolute_percentage_error puts under |y|.
EPS64 = 2.220446049250313e-16


def mape_forward(y_pred, y, eps=EPS64):
    """Mean absolute percentage error as a fraction: ``mean(|y_pred - y| / max(|y|, eps))``.

    The formula of scikit-learn's ``mean_absolute_percentage_error`` (0.25 means 25 %, not multiplied by 100). A
    target of exactly 0 is divided by ``eps`` instead, so the loss is huge but finite.
    """
    y_pred, y = _f64(y_pred, y)
    return float(np.mean(np.abs(y_pred - y) / np.maximum(np.abs(y), eps)))


def mape_backward(y_pred, y, eps=EPS64):
    """Subgradient of :func:`mape_forward` w.r.t. ``y_pred``: ``sign(y_pred - y) / max(|y|, eps) / size``.

    0 where ``y_pred == y``. Returned in ``y_pred``'s float dtype (float32 in, float32 out).
    """
    dtype = np.asarray(y_pred).dtype
    y_pred, y = _f64(y_pred, y)
    grad = np.sign(y_pred - y) / np.maximum(np.abs(y), eps) / y_pred.size
    return grad.astype(dtype if np.issubdtype(dtype, np.floating) else np.float64)


def bce_forward(p, y, eps=1e-12):
    """Binary cross-entropy on probabilities: ``-mean(y log p + (1 - y) log(1 - p))``.

    ``p`` is clipped to ``[eps, 1 - eps]`` so that a confident wrong prediction gives a large, finite loss.
    """
    p, y = _f64(p, y)
    p = np.clip(p, eps, 1.0 - eps)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def bce_backward(p, y, eps=1e-12):
    """Gradient of :func:`bce_forward` w.r.t. ``p``: ``(p - y) / (p (1 - p)) / size``, with ``p`` clipped as there.

    At exactly 0 or 1 this is the formula at the clipped value: large but finite, so training can still move a
    saturated prediction. (The graded tests only ask for a finite gradient there.)
    """
    p, y = _f64(p, y)
    pc = np.clip(p, eps, 1.0 - eps)
    return (pc - y) / (pc * (1.0 - pc)) / p.size


def bce_with_logits_forward(z, y):
    """Binary cross-entropy on logits, computed stably: ``mean(max(z, 0) - z y + log(1 + exp(-|z|)))``."""
    z, y = _f64(z, y)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_backward(z, y):
    """Gradient of :func:`bce_with_logits_forward` w.r.t. ``z``: ``(sigmoid(z) - y) / size``."""
    z, y = _f64(z, y)
    # Stable sigmoid: exp of a non-positive number never overflows.
    e = np.exp(-np.abs(z))
    sig = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return (sig - y) / z.size


def log_softmax(z):
    """Row-wise log-softmax of ``z`` (N, C), via log-sum-exp with the row maximum subtracted."""
    (z,) = _f64(z)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z):
    """Row-wise softmax of ``z`` (N, C): each row of the result is positive and sums to 1."""
    return np.exp(log_softmax(z))


def cross_entropy_forward(logits, labels):
    """Cross-entropy of ``logits`` (N, C) against integer ``labels`` (N,): ``-mean_i log softmax(z_i)[y_i]``."""
    labels = np.asarray(labels)
    logp = log_softmax(logits)
    return float(-np.mean(logp[np.arange(len(labels)), labels]))


def cross_entropy_backward(logits, labels):
    """Gradient of :func:`cross_entropy_forward` w.r.t. ``logits``: ``(softmax(z) - onehot(y)) / N``."""
    labels = np.asarray(labels)
    grad = softmax(logits)
    grad[np.arange(len(labels)), labels] -= 1.0
    return grad / len(labels)


def hinge_forward(scores, y):
    """Binary hinge loss, ``mean(max(0, 1 - y * s))`` for scores ``s`` (N,) and labels ``y`` in {-1, +1}."""
    scores, y = _f64(scores, y)
    return float(np.mean(np.maximum(0.0, 1.0 - y * scores)))


def hinge_backward(scores, y):
    """Subgradient of :func:`hinge_forward`: ``-y / N`` where the margin is violated (``y s < 1``), else 0."""
    scores, y = _f64(scores, y)
    return np.where(y * scores < 1.0, -y, 0.0) / scores.size


def multiclass_hinge_forward(scores, labels, margin=1.0):
    """Weston–Watkins multiclass SVM loss: ``mean_i sum_{j != y_i} max(0, s_ij - s_iy_i + margin)``.

    ``torch.nn.MultiMarginLoss`` divides each sample's sum by the number of classes C as well, so this is C times
    torch's value (and its gradient C times torch's).
    """
    (scores,) = _f64(scores)
    labels = np.asarray(labels)
    rows = np.arange(len(labels))
    m = np.maximum(0.0, scores - scores[rows, labels][:, None] + margin)
    m[rows, labels] = 0.0
    return float(m.sum() / len(labels))


def multiclass_hinge_backward(scores, labels, margin=1.0):
    """Subgradient of :func:`multiclass_hinge_forward` w.r.t. ``scores`` (N, C).

    Each violated margin (``s_ij - s_iy + margin > 0``, j ≠ y) adds +1/N at ``j`` and −1/N at the true class.
    """
    (scores,) = _f64(scores)
    labels = np.asarray(labels)
    rows = np.arange(len(labels))
    active = (scores - scores[rows, labels][:, None] + margin > 0).astype(np.float64)
    active[rows, labels] = 0.0
    active[rows, labels] = -active.sum(axis=1)
    return active / len(labels)


def l2_penalty_forward(weights, lam, n):
    """L2 regularization ``lam / (2 n) * sum over all weights of theta**2``, for a list of weight arrays.

    A tuple of arrays works the same way.
    """
    return float(lam / (2.0 * n) * sum(np.sum(np.asarray(w, dtype=np.float64) ** 2) for w in weights))


def l2_penalty_backward(weights, lam, n):
    """Gradient of :func:`l2_penalty_forward`: a list with ``lam / n * theta`` for each array (of a list or tuple)."""
    return [lam / n * np.asarray(w, dtype=np.float64) for w in weights]
