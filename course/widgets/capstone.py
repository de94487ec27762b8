"""Explorer for 06_capstone, on :func:`course.viz.capstone.plot_training_run`."""

from course.viz import capstone as drawings
from course.widgets import checkbox, dropdown, explorer, int_slider, slider

__all__ = ["hyperparameter_explorer"]


def hyperparameter_explorer():
    """Retrain the digit classifier (a few seconds) whenever width, depth, lr, weight decay, dropout, batch norm
    or the number of epochs change, and show its learning curves and test accuracy."""
    return explorer(drawings.plot_training_run, {
        "width": dropdown([32, 64, 128, 256], 128, "width"),
        "depth": int_slider(2, 1, 4, 1, "hidden layers"),
        "lr": dropdown([1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], 3e-3, "learning rate"),
        "weight_decay": dropdown([0.0, 1e-4, 1e-3, 1e-2, 1e-1], 1e-4, "weight decay"),
        "dropout": slider(0.1, 0.0, 0.8, 0.1, "dropout p", readout_format=".1f"),
        "batchnorm": checkbox(True, "batch norm"),
        "epochs": int_slider(8, 2, 30, 1, "epochs"),
    }, title="Hyperparameters of the digit classifier: each change retrains it")
