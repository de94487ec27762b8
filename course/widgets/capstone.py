"""Explorer for 06_capstone, on :func:`course.viz.capstone.plot_training_run`."""

import functools

from course.viz import capstone as drawings
from course.widgets import checkbox, dropdown, explorer, int_slider, slider

__all__ = ["hyperparameter_explorer"]

_HISTORY_KEYS = ("train_loss", "val_loss", "val_acc")


def _returning_history(train):
    """``train``, failing (so that the explorer borrows the course's loop) when it returns no usable history."""

    @functools.wraps(train)
    def loop(*args, **kwargs):
        history = train(*args, **kwargs)
        if not isinstance(history, dict) or any(len(history.get(k, [])) != args[3] for k in _HISTORY_KEYS):
            raise ValueError(f"it returned {type(history).__name__}, not a history dict with one value per epoch "
                             f"in {', '.join(_HISTORY_KEYS)}")
        return history

    return loop


def hyperparameter_explorer(train=None):
    """Retrain the digit classifier (a second or two) whenever width, depth, lr, weight decay, dropout, batch norm
    or the number of epochs change, and show its learning curves and its final validation accuracy.

    ``train`` is the student's training loop: the explorer trains with it, and borrows the course's loop (saying so
    under the picture) while it is not written yet, raises, or returns no history. Without it, the course's loop is
    used.
    """
    from course.demo import yours

    my = yours(_returning_history(train)) if train is not None else None

    def plot_training_run(**settings):
        return drawings.plot_training_run(**settings, loop=my.train if my is not None else None)

    return explorer(plot_training_run, {
        "width": dropdown([32, 64, 128, 256], 128, "width"),
        "depth": int_slider(2, 1, 4, 1, "hidden layers"),
        "lr": dropdown([1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], 3e-3, "learning rate"),
        "weight_decay": dropdown([0.0, 1e-4, 1e-3, 1e-2, 1e-1], 1e-4, "weight decay"),
        "dropout": slider(0.1, 0.0, 0.8, 0.1, "dropout p", readout_format=".1f"),
        "batchnorm": checkbox(True, "batch norm"),
        "epochs": int_slider(8, 2, 30, 1, "epochs"),
    }, title="Hyperparameters of the digit classifier: each change retrains it and reports validation accuracy",
        borrowing=my)
