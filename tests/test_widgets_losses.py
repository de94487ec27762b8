"""01's drawings and explorers: real figures, real ipywidgets, redrawn when a control moves."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course import losses as L
from course.viz import losses as V
from course.widgets import losses as W


@pytest.mark.parametrize("draw,kw", [(V.plot_regression_losses, {"delta": 0.5}), (V.plot_outlier_fit, {"outlier_y": 3}),
                                     (V.plot_cross_entropy, {"p": 0.05})])
def test_drawings_return_figures_with_data(draw, kw):
    fig = draw(**kw)
    assert isinstance(fig, Figure)
    assert all(ax.has_data() for ax in fig.axes)


@pytest.mark.parametrize("make", [W.regression_loss_explorer, W.outlier_fit_explorer, W.cross_entropy_explorer])
def test_moving_a_control_redraws_a_different_picture(make):
    box = make()
    before = box.output.outputs[0]["data"]["image/png"]
    name, control = next(iter(box.controls.items()))
    control.value = control.max
    assert box.renders == 2
    assert box.output.outputs[0]["data"]["image/png"] != before


def test_outlier_moves_the_mse_fit_but_barely_the_mae_fit():
    # The lesson's claim, measured: with the outlier at y=8 the MSE slope is pulled far from the true 0.8.
    rng = np.random.default_rng(0)
    x = np.r_[np.sort(rng.uniform(-2, 2, 20)), 1.5]
    y = np.r_[0.8 * x[:-1] + 0.5 + 0.2 * rng.standard_normal(20), 8.0]
    w_mse, _ = V.fit_line(x, y, L.mse_backward, steps=600)
    w_mae, _ = V.fit_line(x, y, L.mae_backward, steps=3000, lr=2.0)
    closed_form = np.polyfit(x, y, 1)[0]
    assert w_mse == pytest.approx(closed_form, abs=1e-3)  # gradient descent reached least squares
    assert abs(w_mae - 0.8) < 0.1 < abs(w_mse - 0.8)
