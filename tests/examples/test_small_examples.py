"""The small worked examples of 01 and 02: the one-weight neuron's error curve and the line fitted beside an outlier."""

import numpy as np
import pytest

from course import losses
from course.examples import line_fit, one_weight
from numeric import fd_grad


def test_the_one_weight_curve_has_the_lessons_slopes_and_its_bottom_at_28_1_over_14():
    w_star = 28.1 / 14
    assert one_weight.best_weight() == pytest.approx(w_star)
    assert float(one_weight.slope(1.0)) == pytest.approx(-9.4)
    assert float(one_weight.slope(w_star)) == pytest.approx(0.0, abs=1e-12)
    assert float(one_weight.slope(w_star - 0.5622 / (2 / 3 * 14))) == pytest.approx(-0.5622)
    ws = np.linspace(0.2, 3.8, 9)
    np.testing.assert_allclose(
        one_weight.slope(ws), [fd_grad(lambda v: one_weight.error(v[0]), [w])[0] for w in ws], rtol=1e-6
    )
    assert float(one_weight.error(1.0)) == pytest.approx(np.mean((one_weight.X - one_weight.T) ** 2))


def test_outlier_moves_the_mse_fit_but_barely_the_mae_fit():
    # The lesson's claim, measured: with the outlier at y=8 the MSE slope is pulled far from the true 0.8.
    x, y = line_fit.outlier_data(8.0)
    assert x.shape == y.shape == (21,) and (x[-1], y[-1]) == (1.5, 8.0)
    w_mse, _ = line_fit.fit_line(x, y, losses.mse_backward, steps=600)
    w_mae, _ = line_fit.fit_line(x, y, losses.mae_backward, steps=3000, lr=2.0)
    closed_form = np.polyfit(x, y, 1)[0]
    assert w_mse == pytest.approx(closed_form, abs=1e-3)  # gradient descent reached least squares
    assert abs(w_mae - line_fit.TRUE_SLOPE) < 0.1 < abs(w_mse - line_fit.TRUE_SLOPE)
