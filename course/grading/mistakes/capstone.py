"""Classic mistakes in 06_capstone, each the reference in :mod:`course.layers` or :mod:`course.train` with a line
changed. Dropout's forward is random and the training loop trains a network, so those two are graded by the check
engines of :mod:`course.grading.capstone` and :mod:`course.grading.training` instead."""

from course import layers, train
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]

_RUNNING = (
    'state["running_mean"] = (1.0 - momentum) * state["running_mean"] + momentum * mean',
    'state["running_var"] = (1.0 - momentum) * state["running_var"] + momentum * unbiased',
)
_EVAL = 'mean, var = state["running_mean"], state["running_var"]'
_DX = "dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))"
_HIT = "scores.argmax(axis=1) == labels"


def _accuracy(old, new):
    return differs(train.accuracy, (old, new))


MISTAKES = {
    "batchnorm_forward": [
        Mistake(
            "updates running_var with the biased batch variance (÷N); torch's running estimate uses the "
            "unbiased variance (÷(N − 1)), only the normalisation uses the biased one",
            differs(layers.batchnorm_forward, ("momentum * unbiased", "momentum * var")),
        ),
        Mistake(
            "puts the momentum on the old value: torch's rule is running = (1 − momentum)·running + "
            "momentum·batch_stat",
            differs(
                layers.batchnorm_forward,
                (_RUNNING[0], 'state["running_mean"] = momentum * state["running_mean"] + (1.0 - momentum) * mean'),
                (_RUNNING[1], 'state["running_var"] = momentum * state["running_var"] + (1.0 - momentum) * unbiased'),
            ),
        ),
        Mistake(
            "uses the batch statistics in evaluation mode: evaluation must normalise with running_mean and running_var",
            differs(layers.batchnorm_forward, (_EVAL, "mean, var = x.mean(axis=0), x.var(axis=0)")),
        ),
        Mistake(
            "normalises with the unbiased variance (÷(N − 1)); the batch is normalised with its biased "
            "variance (÷N), only the running estimate is unbiased",
            differs(
                layers.batchnorm_forward,
                ("var = x.var(axis=0)\n", "var = x.var(axis=0, ddof=1)\n"),
                ("unbiased = var * (n / (n - 1))", "unbiased = var"),
            ),
        ),
        Mistake(
            "adds eps outside the square root: normalise by √(σ² + eps), not √σ² + eps",
            differs(layers.batchnorm_forward, ("1.0 / np.sqrt(var + eps)", "1.0 / (np.sqrt(var) + eps)")),
        ),
        Mistake(
            "updates the running statistics in evaluation mode: they change only in training",
            differs(
                layers.batchnorm_forward,
                (
                    _EVAL,
                    _EVAL + '\n        state["running_mean"] = (1.0 - momentum) * mean + momentum * '
                    'x.mean(axis=0)\n        state["running_var"] = (1.0 - momentum) * var + momentum * '
                    'x.var(axis=0, ddof=1 if n > 1 else 0)',
                ),
            ),
        ),
        Mistake(
            "starts running_var at zeros: torch starts it at ones (and running_mean at zeros)",
            differs(layers.batchnorm_forward, ("np.ones(d, dtype=x.dtype)", "np.zeros(d, dtype=x.dtype)")),
        ),
    ],
    "batchnorm_backward": [
        Mistake(
            "returns dgamma and dbeta per sample: they must be summed over the batch (axis 0) to shape (D,)",
            differs(
                layers.batchnorm_backward,
                ("dbeta = dout.sum(axis=0)", "dbeta = dout"),
                ("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = dout * x_hat"),
            ),
        ),
        Mistake(
            "sums dgamma and dbeta over the features (axis 1): sum over the batch (axis 0)",
            differs(
                layers.batchnorm_backward,
                ("dbeta = dout.sum(axis=0)", "dbeta = dout.sum(axis=1)"),
                ("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = (dout * x_hat).sum(axis=1)"),
            ),
        ),
        Mistake(
            "treats the batch mean and variance as constants (dx = dout·gamma·inv_std): in training they "
            "depend on every row of x, which adds the two mean terms",
            differs(layers.batchnorm_backward, (_DX, "dx = g * inv_std")),
        ),
        Mistake(
            "drops the path through the batch variance: dx needs − x_hat·mean(g·x_hat) as well as − mean(g)",
            differs(layers.batchnorm_backward, (_DX, "dx = inv_std * (g - g.mean(axis=0))")),
        ),
        Mistake(
            "forgets to multiply dout by gamma before going back through the normalisation",
            differs(layers.batchnorm_backward, ("g = dout * gamma", "g = dout")),
        ),
        Mistake(
            "uses the training formula for an evaluation cache: in evaluation the statistics are constants, "
            "so dx = dout·gamma·inv_std",
            differs(layers.batchnorm_backward, ("    if training:\n", "    if True:\n")),
        ),
    ],
    "dropout_backward": [
        Mistake(
            "forgets the 1/(1 − p) scale: the cache is the *scaled* mask, so dx = dout·mask",
            differs(layers.dropout_backward, ("else dout * cache", "else dout * (cache > 0)")),
        ),
    ],
    "accuracy": [
        Mistake(
            "counts the correct predictions instead of returning their fraction",
            _accuracy(f"np.mean({_HIT})", f"np.sum({_HIT})"),
        ),
        Mistake(
            "returns a percentage: accuracy is a fraction in [0, 1]",
            _accuracy(f"float(np.mean({_HIT}))", f"100.0 * float(np.mean({_HIT}))"),
        ),
        Mistake(
            "compares an (N, 1) array with an (N,) one, which broadcasts to (N, N)",
            _accuracy(_HIT, "scores.argmax(axis=1)[:, None] == labels"),
        ),
        Mistake(
            "counts a tie as correct: the prediction is np.argmax (the first maximal class), and a tie "
            "between the true class and another one is a miss when the other comes first",
            _accuracy(_HIT, "scores[np.arange(len(labels)), labels] == scores.max(axis=1)"),
        ),
        Mistake(
            "takes the argmax over the batch (axis 0): each row's prediction is the argmax over its classes (axis 1)",
            _accuracy(_HIT, "scores.argmax(axis=0)[:len(labels)] == labels[:scores.shape[1]]"),
        ),
    ],
}
