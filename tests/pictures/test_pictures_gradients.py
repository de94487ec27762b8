"""02's drawings and explorers: real figures, real ipywidgets, redrawn when a control moves; the words they show."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course.viz import gradients as drawings
from course.widgets import gradients as explorers


@pytest.mark.parametrize("lr", [0.05, 0.15, 0.199, 0.201, 0.25])
def test_descent_regime_says_diverges_exactly_past_2_over_L(lr):
    assert drawings.descent_regime(lr, 10.0).startswith("lr > 2/L") == (lr > 0.2)


def test_descent_regime_names_the_boundaries():
    assert "smoothly" in drawings.descent_regime(0.05, 10)
    assert "one step" in drawings.descent_regime(0.1, 10) or "at once" in drawings.descent_regime(0.1, 10)
    assert "oscillates" in drawings.descent_regime(0.15, 10)
    assert "forever" in drawings.descent_regime(0.2, 10)
    assert "diverges" in drawings.descent_regime(0.21, 10)


@pytest.mark.parametrize(
    "draw,kw",
    [
        (drawings.plot_tangent, {"w": 1.0}),
        (drawings.plot_tangent, {"w": 2.0}),
        (drawings.plot_tangent, {"w": 3.5}),
        (drawings.plot_gradient_descent, {"lr": 0.15, "dims": "1-D"}),
        (drawings.plot_gradient_descent, {"lr": 0.25, "dims": "2-D"}),
        (drawings.plot_difference_errors, {"function": "x³ at x = 2", "log10_h": -8.0}),
        (
            drawings.plot_linreg_training,
            {"x": np.arange(5.0), "y": 2 * np.arange(5.0), "w": np.array([2.0]), "b": 0.0, "losses": [4.0, 1.0, 0.1]},
        ),
    ],
)
def test_drawings_return_figures_with_data(draw, kw):
    fig = draw(**kw)
    assert isinstance(fig, Figure)
    assert all(ax.has_data() for ax in fig.axes)


def test_tangent_title_says_what_the_sign_means():
    assert "raise the weight" in drawings.plot_tangent(1.0).axes[0].get_title()
    assert "lower the weight" in drawings.plot_tangent(3.5).axes[0].get_title()
    assert "leave the weight" in drawings.plot_tangent(2.0).axes[0].get_title()


def test_gradient_descent_picture_names_the_regime():
    assert "diverges" in drawings.plot_gradient_descent(0.21, "2-D").axes[1].get_title()
    assert "oscillates" in drawings.plot_gradient_descent(0.15, "1-D").axes[1].get_title()


@pytest.mark.parametrize(
    "make,name,value",
    [
        (explorers.tangent_explorer, "w", 3.0),
        (explorers.gradient_descent_explorer, "lr", 0.21),
        (explorers.gradient_descent_explorer, "dims", "2-D"),
        (explorers.difference_error_explorer, "log10_h", -10.0),
    ],
)
def test_moving_a_control_redraws_a_different_picture(make, name, value):
    box = make()
    before = box.output.outputs[0]["data"]["image/png"]
    box.controls[name].value = value
    assert box.renders == 2
    assert box.output.outputs[0]["data"]["image/png"] != before


def test_slope_advice_reads_the_sign():
    assert [drawings.slope_advice(s) for s in (-0.5622, 0.0, 0.7)] == ["raise", "keep", "lower"]
