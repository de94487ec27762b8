"""01's drawings and explorers: real figures, real ipywidgets, redrawn when a control moves."""

import pytest
from matplotlib.figure import Figure

from course.viz import losses as drawings
from course.widgets import losses as explorers


@pytest.mark.parametrize(
    "draw,kw",
    [
        (drawings.plot_regression_losses, {"delta": 0.5}),
        (drawings.plot_outlier_fit, {"outlier_y": 3}),
        (drawings.plot_cross_entropy, {"p": 0.05}),
    ],
)
def test_drawings_return_figures_with_data(draw, kw):
    fig = draw(**kw)
    assert isinstance(fig, Figure)
    assert all(ax.has_data() for ax in fig.axes)


def test_outlier_fit_labels_each_losss_slope():
    legend = [t.get_text() for t in drawings.plot_outlier_fit(8.0).axes[0].get_legend().get_texts()]
    assert any(t.startswith("MSE: slope") for t in legend) and "true line (slope 0.80)" in legend


@pytest.mark.parametrize(
    "make", [explorers.regression_loss_explorer, explorers.outlier_fit_explorer, explorers.cross_entropy_explorer]
)
def test_moving_a_control_redraws_a_different_picture(make):
    box = make()
    before = box.output.outputs[0]["data"]["image/png"]
    name, control = next(iter(box.controls.items()))
    control.value = control.max
    assert box.renders == 2
    assert box.output.outputs[0]["data"]["image/png"] != before
