"""01's drawings and explorers: real figures, real ipywidgets, redrawn when a control moves; colours that read on
JupyterLab's light and dark themes, and the curves the lesson's text promises."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure

from course.viz import COLORS, INK, to_png
from course.viz import losses as drawings
from course.widgets import losses as explorers

DRAWINGS = [
    (drawings.plot_regression_losses, {"delta": 0.5}),
    (drawings.plot_outlier_fit, {"outlier_y": 3}),
    (drawings.plot_mape, {"forecast": 60.0}),
    (drawings.plot_cross_entropy, {"p": 0.05}),
]
IDS = [draw.__name__ for draw, _ in DRAWINGS]
PALETTE = {to_rgb(c) for c in [*COLORS, INK]}


def _painted(fig):
    """(what, rgba) for every line, marker, fill and band drawn in the axes (not the axes' own frame)."""
    for ax in fig.axes:
        for line in ax.get_lines():
            yield f"line {line.get_label()!r}", to_rgba(line.get_color())
        for coll in ax.collections:
            for rgba in [*coll.get_facecolor(), *coll.get_edgecolor()]:
                yield f"markers {coll.get_label()!r}", tuple(rgba)
        for patch in ax.patches:
            yield f"patch {patch.get_label()!r}", to_rgba(patch.get_facecolor())


@pytest.mark.parametrize("draw,kw", DRAWINGS, ids=IDS)
def test_drawings_return_figures_with_data(draw, kw):
    fig = draw(**kw)
    assert isinstance(fig, Figure)
    assert all(ax.has_data() for ax in fig.axes)


@pytest.mark.parametrize("draw,kw", DRAWINGS, ids=IDS)
def test_every_colour_is_the_palette_or_the_grey_ink_so_it_reads_on_light_and_dark(draw, kw):
    fig = draw(**kw)
    for what, rgba in _painted(fig):
        if rgba[3] == 0:
            continue  # a hollow marker's face
        assert rgba[:3] in PALETTE, f"{draw.__name__}: {what} is {rgba}, not a course colour (black, white and light " \
                                    "greys vanish on one of the two themes)"
        if what.startswith("patch"):
            assert rgba[3] <= 0.3, f"{draw.__name__}: {what} is an opaque fill; a band is INK with a low alpha"


@pytest.mark.parametrize("draw,kw", DRAWINGS, ids=IDS)
def test_titles_legends_and_labels_stay_inside_the_figure(draw, kw):
    fig = draw(**kw)
    to_png(fig)  # lays the figure out
    box = fig.bbox
    texts = [t for ax in fig.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)] + list(fig.legends)
    texts += [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    for t in texts:
        ext = t.get_window_extent()
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1 and ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, (
            f"{draw.__name__}: {getattr(t, 'get_text', lambda: 'a legend')()!r} is clipped by the figure's edge")


def test_regression_band_marks_the_quadratic_zone_of_huber():
    fig = drawings.plot_regression_losses(delta=0.7)
    band = fig.axes[0].patches[0]
    assert band.get_x() == pytest.approx(-0.7) and band.get_x() + band.get_width() == pytest.approx(0.7)


def test_outlier_fit_labels_each_losss_slope_and_the_outlier_has_a_colour_of_its_own():
    ax = drawings.plot_outlier_fit(8.0).axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("MSE: slope") for t in legend) and "true line (slope 0.80)" in legend
    star = next(c for c in ax.collections if c.get_label() == "movable outlier")
    lines = {to_rgb(line.get_color()) for line in ax.get_lines() if ":" in line.get_label()}
    assert len(lines) == 3 and tuple(star.get_facecolor()[0][:3]) not in lines, "the outlier looks like a fitted line"


def test_cross_entropy_picture_draws_the_mse_on_probabilities_it_is_compared_with():
    fig = drawings.plot_cross_entropy(p=0.3)
    loss, grad = fig.axes
    mse = next(line for line in loss.get_lines() if "MSE" in line.get_label())
    p, value = mse.get_data()
    np.testing.assert_allclose(value, (1 - p) ** 2)
    mse_grad = next(line for line in grad.get_lines() if "MSE" in line.get_label())
    p, slope = mse_grad.get_data()
    np.testing.assert_allclose(slope, -2 * p * (1 - p) ** 2)
    # The promise of the text: confidently wrong (p → 0), CE still pulls with about −1, MSE on p hardly at all.
    assert slope[0] > -0.01
    ce_grad = next(line for line in grad.get_lines() if "cross-entropy" in line.get_label())
    assert ce_grad.get_data()[1][0] < -0.99


def test_mape_picture_explodes_near_zero_and_is_lopsided():
    forecast = 80.0
    fig = drawings.plot_mape(forecast=forecast)
    loss, pull = fig.axes
    left, right = [line.get_data() for line in loss.get_lines()[:2]]
    for y, value in (left, right):
        np.testing.assert_allclose(value, np.abs(forecast - y) / np.abs(y))
    assert left[1][-1] > 10 * loss.get_ylim()[1] and right[1][0] > 10 * loss.get_ylim()[1], "it explodes at y = 0"
    above = right[0] > forecast
    assert np.all(right[1][above] < 1), "too low a forecast costs less than 100 %"
    too_high = right[0] < forecast / 2
    assert np.all(right[1][too_high] > 1), "too high a forecast (by more than y) costs more than 100 %"
    y, g = pull.get_lines()[1].get_data()
    np.testing.assert_allclose(g, np.sign(forecast - y) / np.abs(y))


@pytest.mark.parametrize(
    "make", [explorers.regression_loss_explorer, explorers.outlier_fit_explorer, explorers.mape_explorer,
             explorers.cross_entropy_explorer]
)
def test_moving_a_control_redraws_a_different_picture(make):
    box = make()
    before = box.output.outputs[0]["data"]["image/png"]
    name, control = next(iter(box.controls.items()))
    control.value = control.max
    assert box.renders == 2
    assert box.output.outputs[0]["data"]["image/png"] != before
