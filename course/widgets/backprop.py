"""Explorers for 03_backprop, each on a drawing function from ``course.viz.backprop``."""

from course.viz import backprop as drawings
from course.widgets import dropdown, explorer, int_slider

__all__ = ["net222_stepper", "xor_boundary_explorer"]


def net222_stepper(max_steps=2000):
    """Step the worked 2-2-2 network through gradient descent; see every value and gradient on the drawing."""
    return explorer(drawings.draw_net222, {"step": int_slider(0, 0, max_steps, 1, "training step"),
                                           "lr": dropdown([0.1, 0.5, 1.0, 5.0], 0.5, "learning rate")},
                    title="Backprop stepper: weights (blue) with their gradients (orange), and each unit's output "
                          "with its delta (orange), on the 2-2-2 network")


def xor_boundary_explorer(epochs=1500):
    """XOR's decision boundary as training proceeds, from a few random starts and hidden-layer sizes."""
    return explorer(drawings.plot_xor_training, {"epoch": int_slider(600, 0, epochs, 10, "epoch"),
                                                 "start": int_slider(0, 0, 9, 1, "random start"),
                                                 "hidden": dropdown([2, 3, 4], 2, "hidden units")},
                    title="XOR: the decision boundary while the network trains")
