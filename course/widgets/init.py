"""Explorer for 04_initialization, on :func:`course.viz.init.plot_layer_histograms`."""

from course.examples.init_experiments import SCHEMES
from course.viz import init as drawings
from course.widgets import dropdown, explorer, int_slider, student_functions

__all__ = ["init_explorer"]


def init_explorer(fns=None):
    """Init scheme × activation × depth × width → per-layer histograms of activations and weight gradients.

    ``fns`` (optional) gives the initializers to draw the weights with: a ``course.demo.Yours`` of your functions
    (``yours(zeros_init, constant_init, normal_init, xavier_normal, kaiming_normal, orthogonal, calculate_gain)``),
    whose note under the picture says which of them had to be borrowed from the course, or a dict by name. By default
    the course's own.

    Each setting's forward and backward pass is computed once; moving back to a setting only redraws it.
    """
    functions, borrowing = student_functions(fns)
    cache = {}

    def plot_layer_histograms(scheme, activation, depth, width):
        key = (scheme, activation, depth, width)
        if key not in cache:
            if len(cache) >= 64:  # a few megabytes per setting: keep the latest ones
                cache.pop(next(iter(cache)))
            cache[key] = drawings.layer_samples(scheme, activation, depth, width, fns=functions)
        return drawings.plot_layer_histograms(scheme, activation, depth, width, samples=cache[key])

    return explorer(plot_layer_histograms,
                    {"scheme": dropdown(list(SCHEMES), "xavier", "init"),
                     "activation": dropdown(["sigmoid", "tanh", "relu"], "tanh", "activation"),
                     "depth": int_slider(10, 1, 50, 1, "depth"),
                     "width": int_slider(128, 16, 256, 16, "width")},
                    title="What does each layer see? Activations and gradients by initialisation",
                    borrowing=borrowing)
