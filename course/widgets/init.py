"""Explorer for 04_initialization, on :func:`course.viz.init.plot_layer_histograms`."""

from course.examples.init_experiments import SCHEMES
from course.viz import init as drawings
from course.widgets import dropdown, explorer, int_slider

__all__ = ["init_explorer"]


def init_explorer():
    """Init scheme × activation × depth × width → per-layer histograms of activations and weight gradients."""
    return explorer(drawings.plot_layer_histograms,
                    {"scheme": dropdown(list(SCHEMES), "xavier", "init"),
                     "activation": dropdown(["sigmoid", "tanh", "relu"], "tanh", "activation"),
                     "depth": int_slider(10, 1, 50, 1, "depth"),
                     "width": int_slider(128, 16, 256, 16, "width")},
                    title="What does each layer see? Activations and gradients by initialisation")
