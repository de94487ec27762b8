"""Lesson 06's digit classifier: the MLP of :func:`course.mlp.build_mlp` trained on the 8×8 digits by
:func:`course.train.fit`, as the hyperparameter explorer retrains it."""

import numpy as np

from course import data, mlp, optim, train

__all__ = ["train_digits"]


def train_digits(width=128, depth=2, lr=3e-3, weight_decay=1e-4, dropout=0.1, batchnorm=True, epochs=10,
                 batch_size=64, seed=0):
    """Train an MLP on the digits with the course's reference loop; returns ``(model, history, test_accuracy)``.

    ``depth`` hidden layers of ``width`` ReLU units, Adam with L2 ``weight_decay`` and a cosine schedule from ``lr``;
    the weights are drawn from ``default_rng(seed)`` and the batches shuffled by ``default_rng(seed + 1)``.
    """
    split = data.digits_split(0)
    model = mlp.build_mlp((64,) + (width,) * depth + (10,), batchnorm=batchnorm, dropout=dropout,
                          rng=np.random.default_rng(seed))
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    with train.blas_threads(1):
        history = train.fit(model, opt, split, epochs, batch_size, np.random.default_rng(seed + 1),
                            lr_schedule=lambda e: optim.cosine_annealing_lr(lr, e, epochs), show_progress=False)
    return model, history, train.evaluate(model, split.X_test, split.y_test)[1]
