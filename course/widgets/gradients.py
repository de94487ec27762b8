"""Explorers for 02_gradients, each on a drawing function from ``course.viz.gradients``."""

from course.viz import gradients as drawings
from course.widgets import dropdown, explorer, int_slider, slider

__all__ = ["tangent_explorer", "gradient_descent_explorer", "difference_error_explorer"]


def tangent_explorer():
    """Move the weight and read the slope of the error there: its sign says raise or lower the weight."""
    return explorer(drawings.plot_tangent, {"w": slider(1.0, 0.2, 3.8, 0.05, "weight w")},
                    title="The gradient is the slope of the error at the current weight")


def gradient_descent_explorer():
    """Gradient descent on a 1-D or 2-D bowl of curvature L = 10: smooth, oscillating or diverging with lr."""
    return explorer(drawings.plot_gradient_descent,
                    {"lr": slider(0.05, 0.005, 0.25, 0.005, "learning rate lr", readout_format=".3f"),
                     "dims": dropdown(["1-D", "2-D"], "1-D", "bowl"),
                     "num_steps": int_slider(20, 1, 60, 1, "steps")},
                    title="Gradient descent: converge, oscillate or diverge (past 2/L)")


def difference_error_explorer():
    """The error of forward and central differences against h, for a few functions."""
    return explorer(drawings.plot_difference_errors,
                    {"function": dropdown(list(drawings.DIFFERENCE_FUNCTIONS), "sin(x) at x = 1", "f"),
                     "log10_h": slider(-5.0, -14.0, -1.0, 0.5, "log₁₀ h", readout_format=".1f")},
                    title="How small should h be?")
