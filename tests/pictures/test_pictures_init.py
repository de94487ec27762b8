"""04's drawings and explorer: real figures from the experiments, a real ipywidgets explorer that redraws."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course.examples import init_experiments as experiments
from course.viz import init as drawings
from course.widgets import init as explorers


def test_drawings_return_figures():
    res = {
        (s, a): experiments.deep_stats(s, a, depth=6, width=16) for s in ["xavier", "kaiming"] for a in ["tanh", "relu"]
    }
    assert len(drawings.plot_layer_stds(res).axes) == 4
    X = np.random.default_rng(0).normal(size=(30, 2))
    runs = {s: experiments.train(X, np.arange(30) % 3, s, steps=5) for s in ["zeros", "xavier"]}
    assert isinstance(drawings.plot_training_curves(runs), Figure)
    weights = {s: r["model"][0].weight.data for s, r in runs.items()}
    assert len(drawings.plot_unit_weights(weights).axes) == 4  # 2 maps + colorbars
    fig = drawings.plot_layer_histograms("normal σ=1", "relu", depth=8, width=32)
    assert len(fig.axes) == 2 * 5


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_explorer_rerenders_when_a_control_moves():
    box = explorers.init_explorer()
    assert box.renders == 1 and box.output.outputs[0]["data"]["image/png"]
    first = box.output.outputs[0]["data"]["image/png"]
    box.controls["depth"].value = 3
    assert box.renders == 2 and len(box.figure.axes) == 2 * 3
    box.controls["scheme"].value = "kaiming"
    assert box.renders == 3 and box.output.outputs[0]["data"]["image/png"] != first
