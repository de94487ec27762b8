"""Classic wrong implementations of 01_losses' functions, each with the sentence that names it.

Flipped signs, sums instead of means and factors of 2 are recognised generically by ``course.testing.check``;
these are the mistakes that need a specific story.
"""

import numpy as np

from course import losses as L
from course.testing import Mistake

__all__ = ["MISTAKES"]


def _softmax_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _softmax_no_keepdims(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)


def _clipped_sigmoid_bce(z, y):
    return L.bce_forward(1.0 / (1.0 + np.exp(-np.clip(z, -500, 500))), y)


def _onehot(labels, c):
    out = np.zeros((len(labels), c))
    out[np.arange(len(labels)), labels] = 1.0
    return out


MISTAKES = {
    "mse_forward": [
        Mistake("averages the residuals ŷ − y instead of their squares", lambda yp, y: float(np.mean(yp - y))),
        Mistake("returns the root of the mean square (RMSE); MSE has no square root",
                lambda yp, y: float(np.sqrt(np.mean((yp - y) ** 2)))),
        Mistake("averages over the rows only (divides by N, not by the number of elements N·D)",
                lambda yp, y: float(np.sum((yp - y) ** 2) / len(yp))),
    ],
    "mse_backward": [
        Mistake("divides by N (the rows) instead of the number of elements N·D: the mean runs over every element",
                lambda yp, y: 2 * (yp - y) / len(yp)),
        Mistake("returns the squared residuals: that is the loss per element, not its derivative 2(ŷ − y)/N",
                lambda yp, y: (yp - y) ** 2 / yp.size),
    ],
    "mae_backward": [
        Mistake("gives ±1 where ŷ = y; at a tie the subgradient the course uses is 0 (np.sign(0) = 0)",
                lambda yp, y: np.where(yp - y >= 0, 1.0, -1.0) / yp.size),
        Mistake("gives ±1 where ŷ = y; at a tie the subgradient the course uses is 0 (np.sign(0) = 0)",
                lambda yp, y: np.where(yp - y > 0, 1.0, -1.0) / yp.size),
    ],
    "huber_forward": [
        Mistake("is smooth_l1_loss (the quadratic part divided by δ), not huber_loss: use ½r² inside |r| ≤ δ",
                lambda yp, y, delta=1.0: float(np.mean(np.where(np.abs(yp - y) <= delta, 0.5 * (yp - y) ** 2 / delta,
                                                                 np.abs(yp - y) - 0.5 * delta)))),
        Mistake("uses δ|r| beyond δ; it must be δ(|r| − ½δ) so the two pieces meet at |r| = δ",
                lambda yp, y, delta=1.0: float(np.mean(np.where(np.abs(yp - y) <= delta, 0.5 * (yp - y) ** 2,
                                                                 delta * np.abs(yp - y))))),
        Mistake("swaps the pieces: quadratic must be inside |r| ≤ δ and linear outside",
                lambda yp, y, delta=1.0: float(np.mean(np.where(np.abs(yp - y) > delta, 0.5 * (yp - y) ** 2,
                                                                 delta * (np.abs(yp - y) - 0.5 * delta))))),
    ],
    "huber_backward": [
        Mistake("returns δ·sign(r) everywhere; inside |r| ≤ δ the gradient is r itself (clip r to [−δ, δ])",
                lambda yp, y, delta=1.0: delta * np.sign(yp - y) / yp.size),
        Mistake("is the gradient of smooth_l1_loss (r/δ inside), not of huber_loss",
                lambda yp, y, delta=1.0: np.clip((yp - y) / delta, -1, 1) / yp.size),
    ],
    "bce_forward": [
        Mistake("drops the (1 − y)·log(1 − p) term, so negatives (y = 0) cost nothing",
                lambda p, y, eps=1e-12: float(-np.mean(y * np.log(np.clip(p, eps, 1 - eps))))),
    ],
    "bce_backward": [
        Mistake("returns (p − y)/N: that is the gradient with respect to the logit z, not the probability p; "
                "divide by p(1 − p) too",
                lambda p, y, eps=1e-12: (np.clip(p, eps, 1 - eps) - y) / p.size),
    ],
    "bce_with_logits_forward": [
        Mistake("saturates for large |z|: computing sigmoid first and then a clipped log caps the loss near "
                "27.6; use the stable form max(z, 0) − z·y + log(1 + e^(−|z|))", _clipped_sigmoid_bce),
    ],
    "bce_with_logits_backward": [
        Mistake("forgot to subtract y: the gradient is (σ(z) − y)/N",
                lambda z, y: L.bce_with_logits_backward(z, np.zeros_like(z))),
    ],
    "softmax": [
        Mistake("normalises over axis 0, so each column sums to 1; softmax is row-wise: sum over axis=1",
                _softmax_axis0),
        Mistake("divides without keepdims=True, so column j is divided by row j's sum: use "
                "sum(axis=1, keepdims=True)", _softmax_no_keepdims),
    ],
    "cross_entropy_forward": [
        Mistake("averages −p of the true class, without the log", lambda z, t: float(
            -np.mean(L.softmax(z)[np.arange(len(t)), t]))),
        Mistake("averages −log softmax over every class, not just the true one", lambda z, t: float(
            -np.mean(L.log_softmax(z)))),
        Mistake("takes the log-probability of the wrong entries: index with [np.arange(N), labels]",
                lambda z, t: float(-np.mean(L.log_softmax(z)[:, t]))),
    ],
    "cross_entropy_backward": [
        Mistake("returns softmax(z)/N without subtracting 1 at the true class (the one-hot y)",
                lambda z, t: L.softmax(z) / len(t)),
        Mistake("subtracts the one-hot label but forgets to divide by N", lambda z, t: L.softmax(z) - _onehot(
            t, np.shape(z)[1])),
    ],
    "hinge_forward": [
        Mistake("uses max(0, y·s − 1); the hinge is max(0, 1 − y·s): a correct, confident score costs 0",
                lambda s, y: float(np.mean(np.maximum(0, y * s - 1)))),
        Mistake("forgets the max with 0, so confident correct scores earn negative loss",
                lambda s, y: float(np.mean(1 - y * s))),
    ],
    "hinge_backward": [
        Mistake("is −y/N everywhere; it must be 0 where the margin is met (y·s ≥ 1)", lambda s, y: -y / s.size),
    ],
    "multiclass_hinge_forward": [
        Mistake("also counts j = y, which adds the margin to every sample's loss; skip the true class",
                lambda s, t, margin=1.0: float(np.maximum(0, s - s[np.arange(len(t)), t][:, None] + margin).sum()
                                               / len(t))),
        Mistake("averages over classes too; the Weston–Watkins loss sums over j ≠ y and averages over N only",
                lambda s, t, margin=1.0: L.multiclass_hinge_forward(s, t, margin) / np.shape(s)[1]),
    ],
    "multiclass_hinge_backward": [
        Mistake("forgets the true class's column: each violated margin also subtracts 1/N at y",
                lambda s, t, margin=1.0: np.where(np.arange(np.shape(s)[1]) == np.asarray(t)[:, None], 0.0,
                                                  L.multiclass_hinge_backward(s, t, margin))),
    ],
    "l2_penalty_forward": [
        Mistake("forgets the 1/n: the penalty is λ/(2n)·Σθ²", lambda w, lam, n: L.l2_penalty_forward(w, lam, 1)),
        Mistake("sums |θ| (that is an L1 penalty); L2 sums θ²", lambda w, lam, n: float(
            lam / (2 * n) * sum(np.abs(x).sum() for x in w))),
    ],
    "l2_penalty_backward": [
        Mistake("forgets the 1/n: the gradient is λ/n·θ", lambda w, lam, n: L.l2_penalty_backward(w, lam, 1)),
    ],
}
