"""Explorers for 01_losses, each on a drawing function from ``course.viz.losses``."""

from course.viz import losses as drawings
from course.widgets import explorer, slider

__all__ = ["regression_loss_explorer", "outlier_fit_explorer", "mape_explorer", "cross_entropy_explorer"]


def regression_loss_explorer():
    """MSE / MAE / Huber against the residual, with a δ slider for Huber."""
    return explorer(drawings.plot_regression_losses, {"delta": slider(1.0, 0.1, 3.0, 0.1, "Huber δ")},
                    title="Loss and gradient against the residual")


def outlier_fit_explorer():
    """Move one outlier and watch the line each loss fits."""
    return explorer(drawings.plot_outlier_fit, {"outlier_y": slider(8.0, -2.0, 10.0, 0.5, "outlier height"),
                                         "delta": slider(1.0, 0.1, 3.0, 0.1, "Huber δ")},
                    title="Which loss does one bad point move?")


def mape_explorer():
    """MAPE of one point and its pull against the true value, for a forecast you move."""
    return explorer(drawings.plot_mape, {"forecast": slider(100.0, 10.0, 250.0, 5.0, "forecast ŷ",
                                                              readout_format=".0f")},
                    title="MAPE explodes near y = 0 and is lopsided")


def cross_entropy_explorer():
    """Cross-entropy and its gradient against the probability given to the true class, beside MSE on p."""
    return explorer(drawings.plot_cross_entropy, {"p": slider(0.3, 0.001, 1.0, 0.001, "p(true class)",
                                                       readout_format=".3f")},
                    title="How cross-entropy punishes confident mistakes")
