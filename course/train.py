"""Training helpers for the capstone: a reference training loop with a live progress bar, accuracy and evaluation,
and a gradient check of a whole model.

``fit`` is the course's reference loop (the explorer, the benchmark, and lesson 06's demos while the student's
``train`` is unfinished use it; it has the signature of that ``train``): mini-batches from
:func:`course.optim.iterate_minibatches`, mean cross-entropy from :mod:`course.losses`, an optimizer from
:mod:`course.optim`, an optional per-epoch learning-rate schedule, validation in evaluation mode after every epoch.
"""

import time

import numpy as np

from course import losses, nn, optim
from course.gradcheck import numerical_gradient
from course.progress import blas_threads, progress

__all__ = ["accuracy", "confusion_matrix", "progress", "predict", "evaluate", "fit", "check_model_gradients",
           "blas_threads"]


def accuracy(scores, labels):
    """The fraction of rows of ``scores`` (N, C) whose prediction ``argmax`` (the first, on a tie) is the label."""
    scores, labels = np.asarray(scores), np.asarray(labels)
    return float(np.mean(scores.argmax(axis=1) == labels))


def confusion_matrix(labels, predictions, n_classes=10):
    """Counts ``C[true, predicted]`` (n_classes, n_classes) int64; the diagonal holds the correct predictions."""
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(C, (np.asarray(labels), np.asarray(predictions)), 1)
    return C


def predict(model, X, batch_size=1024):
    """Scores (N, C) of ``model`` on ``X`` in evaluation mode; the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        return np.concatenate([model(X[i:i + batch_size]) for i in range(0, len(X), batch_size)])
    finally:
        model.train(was_training)


def evaluate(model, X, y, batch_size=1024):
    """``(mean cross-entropy, accuracy)`` of ``model`` on ``(X, y)``, in evaluation mode."""
    scores = predict(model, X, batch_size)
    return losses.cross_entropy_forward(scores, y), accuracy(scores, y)


def fit(model, optimizer, data, epochs, batch_size, rng, lr_schedule=None, show_progress=True, desc="training"):
    """Train ``model`` on ``data.X_train, data.y_train`` and validate on ``data.X_val, data.y_val`` each epoch.

    Parameters
    ----------
    model : a :mod:`course.nn` module that outputs class scores.   optimizer : a :mod:`course.optim` optimizer.
    data : a :class:`course.data.DigitsSplit` (or anything with the same fields).
    epochs, batch_size : int.   rng : ``np.random.Generator`` that shuffles the mini-batches.
    lr_schedule : optional ``epoch -> lr``, applied at the start of each epoch (epochs count from 0).
    show_progress : show a live bar with the running loss and accuracy.

    Returns
    -------
    history : dict of per-epoch lists ``train_loss``, ``train_acc`` (means over the epoch's training samples, taken
    as the batches go, dropout on), ``val_loss``, ``val_acc``, ``lr``; and ``seconds``, the training time
    (evaluation excluded).
    """
    history = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc", "lr")}
    steps = epochs * -(-len(data.X_train) // batch_size)
    bar = progress(steps, desc=desc, enabled=show_progress)
    seconds = 0.0
    for epoch in range(epochs):
        if lr_schedule is not None:
            optimizer.lr = lr_schedule(epoch)
        start = time.perf_counter()
        model.train()
        total_loss = total_correct = seen = 0
        for xb, yb in optim.iterate_minibatches(data.X_train, data.y_train, batch_size, rng=rng):
            scores = model(xb)
            loss = losses.cross_entropy_forward(scores, yb)
            optimizer.zero_grad()
            model.backward(losses.cross_entropy_backward(scores, yb))
            optimizer.step()
            total_loss += loss * len(yb)
            total_correct += int(np.sum(scores.argmax(axis=1) == yb))
            seen += len(yb)
            bar.update(1)
        seconds += time.perf_counter() - start
        val_loss, val_acc = evaluate(model, data.X_val, data.y_val)
        for key, value in zip(history, (total_loss / seen, total_correct / seen, val_loss, val_acc, optimizer.lr)):
            history[key].append(value)
        bar.set_postfix(loss=f"{total_loss / seen:.3f}", acc=f"{total_correct / seen:.3f}", val_acc=f"{val_acc:.3f}")
    bar.close()
    history["seconds"] = seconds
    return history


def check_model_gradients(model, X, y, h=1e-5, max_entries=None, rng=None):
    """Compare ``model.backward`` with central differences of the mean cross-entropy, parameter by parameter.

    Dropout layers reuse one fixed mask: their generator starts again from the same state before every forward
    pass, so the numerical and analytic gradients see the same network. Batch norm's running statistics are restored
    afterwards. ``max_entries`` checks only that many randomly chosen entries of each parameter (all by default).
    Returns ``{name: relative error}`` for every parameter, ``‖analytic − numerical‖ / (‖analytic‖ + ‖numerical‖)``
    over its checked entries, e.g. ``{"0.weight": 3e-9, ...}``.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    mods = list(model) if isinstance(model, nn.Sequential) else [model]
    dropouts = [m for m in mods if isinstance(m, nn.Dropout)]
    saved = [(m, dict(m.state)) for m in mods if isinstance(m, nn.BatchNorm1d)]
    saved_rngs = [d.rng for d in dropouts]

    def loss_of_model():
        for d in dropouts:
            d.rng = np.random.default_rng(1234)
        return losses.cross_entropy_forward(model(X), y)

    try:
        loss_of_model()
        model.zero_grad()
        for d in dropouts:
            d.rng = np.random.default_rng(1234)
        scores = model(X)
        model.backward(losses.cross_entropy_backward(scores, y))
        errors = {}
        for i, m in enumerate(mods):
            for p in m.parameters():
                analytic = p.grad.copy()
                original = p.data.copy()
                entries = np.arange(p.data.size)
                if max_entries is not None and p.data.size > max_entries:
                    entries = rng.choice(p.data.size, max_entries, replace=False)

                flat = p.data.reshape(-1)  # a view: writing an entry perturbs the model's parameter

                def partial(k):
                    def f(v):
                        flat[k] = v
                        return loss_of_model()
                    g = numerical_gradient(f, original.reshape(-1)[k], h=h)
                    flat[k] = original.reshape(-1)[k]  # numerical_gradient leaves the last value (−h) in place
                    return g

                numeric = np.array([partial(k) for k in entries])
                a = analytic.reshape(-1)[entries]
                # Norm-wise relative error: an entry whose gradient is exactly 0 (a weight on an always-blank
                # pixel) has a numerical gradient of pure round-off, ~1e-11, which an entry-wise ratio would blow up.
                # A gradient that is exactly 0 (a bias just before batch norm) is compared in absolute terms.
                scale = np.linalg.norm(a) + np.linalg.norm(numeric)
                errors[f"{i}.{p.name}"] = float(np.linalg.norm(a - numeric) / (scale if scale > 1e-7 else 1.0))
        return errors
    finally:
        for m, state in saved:
            m.state = state
        for d, r in zip(dropouts, saved_rngs):
            d.rng = r
