"""Lesson 06's digit classifier: the MLP of :func:`course.mlp.build_mlp` trained on the 8×8 digits by a training
loop (:func:`course.train.fit`, or the student's), as the hyperparameter explorer retrains it. It is tuned on the
validation set; the test set is left alone."""

import time

import numpy as np

from course import data, mlp, optim, train

__all__ = ["train_digits"]


def train_digits(width=128, depth=2, lr=3e-3, weight_decay=1e-4, dropout=0.1, batchnorm=True, epochs=10,
                 batch_size=64, loop=None):
    """Train an MLP on the digits; returns ``(model, history, seconds)``.

    ``depth`` hidden layers of ``width`` ReLU units, Adam with L2 ``weight_decay`` and a cosine schedule from ``lr``,
    validated after every epoch (``history["val_acc"]``). ``loop`` is a training loop with the signature of
    :func:`course.train.fit` (the course's by default). The weights and the order of the batches come from fixed
    generators, so the same settings train the same network; ``seconds`` is the wall time of the loop.
    """
    loop = train.fit if loop is None else loop
    split = data.digits_split()
    model = mlp.build_mlp((64,) + (width,) * depth + (10,), batchnorm=batchnorm, dropout=dropout,
                          rng=np.random.default_rng(0))
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    start = time.perf_counter()
    with train.blas_threads(1):
        history = loop(model, opt, split, epochs, batch_size, np.random.default_rng(1),
                       lr_schedule=lambda e: optim.cosine_annealing_lr(lr, e, epochs), show_progress=False)
    return model, history, time.perf_counter() - start
