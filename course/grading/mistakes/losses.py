"""Classic mistakes in 01_losses, each the reference in :mod:`course.losses` with a line changed.

Flipped signs, sums instead of means and factors of 2 are recognised generically by ``check``; these are the
mistakes that need a specific story.
"""

from course import losses
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]

_TIE = "gives ±1 where ŷ = y; at a tie the subgradient the course uses is 0 (np.sign(0) = 0)"
_MAPE_PRED = "divides by the prediction |ŷ|; MAPE divides by the true value: max(|y|, eps)"
_MAPE_NO_ABS = ("divides by y, not |y|: a negative target flips the sign of its term (and y = 0 divides by zero); "
                "use max(|y|, eps)")
_MAPE_MAX_Y = ("takes max(y, eps) without the absolute value, so every negative target is replaced by eps; "
               "use max(|y|, eps)")
_MAPE_PLUS_EPS = "adds eps to |y|; eps is a floor, max(|y|, eps), which leaves every |y| ≥ eps as it is"
_MAPE_FIXED_EPS = ("ignores its eps argument (a fixed floor is written in): use max(|y|, eps) with the eps it is "
                   "given")

MISTAKES = {
    "mse_forward": [
        Mistake(
            "averages the residuals ŷ − y instead of their squares",
            differs(losses.mse_forward, ("np.mean((y_pred - y) ** 2)", "np.mean(y_pred - y)")),
        ),
        Mistake(
            "returns the root of the mean square (RMSE); MSE has no square root",
            differs(losses.mse_forward, ("np.mean((y_pred - y) ** 2)", "np.sqrt(np.mean((y_pred - y) ** 2))")),
        ),
        Mistake(
            "averages over the rows only (divides by N, not by the number of elements N·D)",
            differs(losses.mse_forward, ("np.mean((y_pred - y) ** 2)", "np.sum((y_pred - y) ** 2) / len(y_pred)")),
        ),
    ],
    "mse_backward": [
        Mistake(
            "divides by N (the rows) instead of the number of elements N·D: the mean runs over every element",
            differs(losses.mse_backward, ("2.0 * (y_pred - y) / y_pred.size", "2.0 * (y_pred - y) / len(y_pred)")),
        ),
        Mistake(
            "returns the squared residuals: that is the loss per element, not its derivative 2(ŷ − y)/N",
            differs(losses.mse_backward, ("2.0 * (y_pred - y) /", "(y_pred - y) ** 2 /")),
        ),
    ],
    "mae_backward": [
        Mistake(_TIE, differs(losses.mae_backward, ("np.sign(y_pred - y)", "np.where(y_pred - y >= 0, 1.0, -1.0)"))),
        Mistake(_TIE, differs(losses.mae_backward, ("np.sign(y_pred - y)", "np.where(y_pred - y > 0, 1.0, -1.0)"))),
    ],
    "huber_forward": [
        Mistake(
            "is smooth_l1_loss (the quadratic part divided by δ), not huber_loss: use ½r² inside |r| ≤ δ",
            differs(
                losses.huber_forward, ("0.5 * r**2, delta * (r - 0.5 * delta)", "0.5 * r**2 / delta, r - 0.5 * delta")
            ),
        ),
        Mistake(
            "uses δ|r| beyond δ; it must be δ(|r| − ½δ) so the two pieces meet at |r| = δ",
            differs(losses.huber_forward, ("delta * (r - 0.5 * delta)", "delta * r")),
        ),
        Mistake(
            "swaps the pieces: quadratic must be inside |r| ≤ δ and linear outside",
            differs(losses.huber_forward, ("r <= delta", "r > delta")),
        ),
    ],
    "huber_backward": [
        Mistake(
            "returns δ·sign(r) everywhere; inside |r| ≤ δ the gradient is r itself (clip r to [−δ, δ])",
            differs(losses.huber_backward, ("np.clip(y_pred - y, -delta, delta)", "delta * np.sign(y_pred - y)")),
        ),
        Mistake(
            "is the gradient of smooth_l1_loss (r/δ inside), not of huber_loss",
            differs(
                losses.huber_backward, ("np.clip(y_pred - y, -delta, delta)", "np.clip((y_pred - y) / delta, -1, 1)")
            ),
        ),
    ],
    "mape_forward": [
        Mistake(
            "returns a percentage (×100); the course's MAPE is a fraction, as scikit-learn's: 0.25 means 25 %",
            differs(losses.mape_forward, ("np.mean(", "100 * np.mean(")),
        ),
        Mistake(_MAPE_PRED, differs(losses.mape_forward, ("np.abs(y), eps)", "np.abs(y_pred), eps)"))),
        Mistake(_MAPE_NO_ABS, differs(losses.mape_forward, ("np.maximum(np.abs(y), eps)", "y"))),
        Mistake(_MAPE_MAX_Y, differs(losses.mape_forward, ("np.maximum(np.abs(y), eps)", "np.maximum(y, eps)"))),
        Mistake(_MAPE_PLUS_EPS, differs(losses.mape_forward, ("np.maximum(np.abs(y), eps)", "(np.abs(y) + eps)"))),
        Mistake(_MAPE_FIXED_EPS, differs(losses.mape_forward, ("np.abs(y), eps)", f"np.abs(y), {losses.EPS64!r})"))),
        Mistake(
            "averages the signed errors (ŷ − y)/|y| (the mean percentage error, where over- and under-forecasts "
            "cancel); MAPE averages |ŷ − y|/|y|",
            differs(losses.mape_forward, ("np.abs(y_pred - y)", "(y_pred - y)")),
        ),
    ],
    "mape_backward": [
        Mistake(_TIE, differs(losses.mape_backward, ("np.sign(y_pred - y)", "np.where(y_pred - y >= 0, 1.0, -1.0)"))),
        Mistake(
            "is 100 times too large: the gradient of MAPE as a percentage; the course's MAPE is a fraction",
            differs(losses.mape_backward, ("np.sign(y_pred - y) /", "100 * np.sign(y_pred - y) /")),
        ),
        Mistake(
            "uses the residual ŷ − y where its sign belongs: the derivative of |ŷ − y| is sign(ŷ − y), so the "
            "gradient is sign(ŷ − y)/max(|y|, eps)/N",
            differs(losses.mape_backward, ("np.sign(y_pred - y)", "(y_pred - y)")),
        ),
        Mistake(_MAPE_PRED, differs(losses.mape_backward, ("np.abs(y), eps)", "np.abs(y_pred), eps)"))),
        Mistake(_MAPE_NO_ABS, differs(losses.mape_backward, ("np.maximum(np.abs(y), eps)", "y"))),
        Mistake(_MAPE_MAX_Y, differs(losses.mape_backward, ("np.maximum(np.abs(y), eps)", "np.maximum(y, eps)"))),
        Mistake(_MAPE_PLUS_EPS, differs(losses.mape_backward, ("np.maximum(np.abs(y), eps)", "(np.abs(y) + eps)"))),
        Mistake(_MAPE_FIXED_EPS,
                differs(losses.mape_backward, ("np.abs(y), eps)", f"np.abs(y), {losses.EPS64!r})"))),
    ],
    "bce_forward": [
        Mistake(
            "drops the (1 − y)·log(1 − p) term, so negatives (y = 0) cost nothing",
            differs(losses.bce_forward, (" + (1.0 - y) * np.log1p(-p)", "")),
        ),
    ],
    "bce_backward": [
        Mistake(
            "returns (p − y)/N: that is the gradient with respect to the logit z, not the probability p; "
            "divide by p(1 − p) too",
            differs(losses.bce_backward, (" / (pc * (1.0 - pc))", "")),
        ),
    ],
    "bce_with_logits_forward": [
        Mistake(
            "saturates for large |z|: computing sigmoid first and then a clipped log caps the loss near "
            "27.6; use the stable form max(z, 0) − z·y + log(1 + e^(−|z|))",
            differs(
                losses.bce_with_logits_forward,
                (
                    "return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))",
                    "return bce_forward(1.0 / (1.0 + np.exp(-np.clip(z, -500, 500))), y)",
                ),
            ),
        ),
    ],
    "bce_with_logits_backward": [
        Mistake(
            "forgot to subtract y: the gradient is (σ(z) − y)/N",
            differs(losses.bce_with_logits_backward, ("(sig - y) / z.size", "sig / z.size")),
        ),
    ],
    "softmax": [
        Mistake(
            "normalises over axis 0, so each column sums to 1; softmax is row-wise: sum over axis=1",
            differs(
                losses.softmax,
                ("z.max(axis=1, keepdims=True)", "z.max(axis=0, keepdims=True)"),
                ("sum(axis=1, keepdims=True)", "sum(axis=0, keepdims=True)"),
                helpers=("log_softmax",),
            ),
        ),
        Mistake(
            "divides without keepdims=True, so column j is divided by row j's sum: use sum(axis=1, keepdims=True)",
            differs(losses.softmax, ("sum(axis=1, keepdims=True)", "sum(axis=1)"), helpers=("log_softmax",)),
        ),
    ],
    "cross_entropy_forward": [
        Mistake(
            "averages −p of the true class, without the log",
            differs(losses.cross_entropy_forward, ("logp = log_softmax(logits)", "logp = softmax(logits)")),
        ),
        Mistake(
            "averages −log softmax over every class, not just the true one",
            differs(losses.cross_entropy_forward, ("logp[np.arange(len(labels)), labels]", "logp")),
        ),
        Mistake(
            "takes the log-probability of the wrong entries: index with [np.arange(N), labels]",
            differs(losses.cross_entropy_forward, ("logp[np.arange(len(labels)), labels]", "logp[:, labels]")),
        ),
    ],
    "cross_entropy_backward": [
        Mistake(
            "returns softmax(z)/N without subtracting 1 at the true class (the one-hot y)",
            differs(losses.cross_entropy_backward, ("    grad[np.arange(len(labels)), labels] -= 1.0\n", "")),
        ),
        Mistake(
            "subtracts the one-hot label but forgets to divide by N",
            differs(losses.cross_entropy_backward, ("return grad / len(labels)", "return grad")),
        ),
    ],
    "hinge_forward": [
        Mistake(
            "uses max(0, y·s − 1); the hinge is max(0, 1 − y·s): a correct, confident score costs 0",
            differs(losses.hinge_forward, ("1.0 - y * scores", "y * scores - 1.0")),
        ),
        Mistake(
            "forgets the max with 0, so confident correct scores earn negative loss",
            differs(losses.hinge_forward, ("np.maximum(0.0, 1.0 - y * scores)", "1.0 - y * scores")),
        ),
    ],
    "hinge_backward": [
        Mistake(
            "is −y/N everywhere; it must be 0 where the margin is met (y·s ≥ 1)",
            differs(losses.hinge_backward, ("np.where(y * scores < 1.0, -y, 0.0)", "-y")),
        ),
    ],
    "multiclass_hinge_forward": [
        Mistake(
            "also counts j = y, which adds the margin to every sample's loss; skip the true class",
            differs(losses.multiclass_hinge_forward, ("    m[rows, labels] = 0.0\n", "")),
        ),
        Mistake(
            "averages over classes too; the Weston–Watkins loss sums over j ≠ y and averages over N only",
            differs(
                losses.multiclass_hinge_forward, ("m.sum() / len(labels)", "m.sum() / len(labels) / scores.shape[1]")
            ),
        ),
    ],
    "multiclass_hinge_backward": [
        Mistake(
            "forgets the true class's column: each violated margin also subtracts 1/N at y",
            differs(losses.multiclass_hinge_backward, ("    active[rows, labels] = -active.sum(axis=1)\n", "")),
        ),
    ],
    "l2_penalty_forward": [
        Mistake(
            "forgets the 1/n: the penalty is λ/(2n)·Σθ²",
            differs(losses.l2_penalty_forward, ("lam / (2.0 * n)", "lam / 2.0")),
        ),
        Mistake(
            "sums |θ| (that is an L1 penalty); L2 sums θ²",
            differs(
                losses.l2_penalty_forward,
                ("np.asarray(w, dtype=np.float64) ** 2", "np.abs(np.asarray(w, dtype=np.float64))"),
            ),
        ),
    ],
    "l2_penalty_backward": [
        Mistake(
            "forgets the 1/n: the gradient is λ/n·θ", differs(losses.l2_penalty_backward, ("[lam / n *", "[lam *"))
        ),
    ],
}
