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


# Issue 14: readable log axes, whole-number steps, colours that read on JupyterLab's light and dark themes.

def drawn(fig):
    """The figure drawn once on an Agg canvas (so that layout, tick labels and text extents are final)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    return fig


def _visible_ticks(axis):
    lo, hi = sorted(axis.get_view_interval())
    labels = {t.get_position()[0 if axis.axis_name == "x" else 1]: t.get_text() for t in axis.get_ticklabels()}
    return [v for v in axis.get_ticklocs() if lo <= v <= hi and labels.get(v, "x") != ""]


def _linreg_figure():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, 40)
    y = 2 * x + 1 + 0.3 * rng.standard_normal(40)
    w, b, losses = np.zeros(1), 0.0, []
    for _ in range(100):  # the lesson's run: the loss falls from about 6 to about 0.1, less than two decades
        r = x * w[0] + b - y
        losses.append(np.mean(r**2))
        w, b = w - 0.1 * 2 * np.mean(r * x), b - 0.1 * 2 * np.mean(r)
    return drawings.plot_linreg_training(x, y, w, b, losses)


@pytest.mark.parametrize("lo,hi", [(0.095, 6.3), (0.17, 0.26), (1e-3, 0.3), (0.036, 0.045), (1e-12, 1e8)])
def test_a_log_axis_gets_at_least_three_ticks_however_short_it_is(lo, hi):
    ticks = drawings.log_ticks(lo, hi)
    assert len(ticks) >= 3 and all(lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9) for t in ticks), ticks


def test_the_linreg_loss_axis_is_labelled_at_several_ticks():
    fig = drawn(_linreg_figure())
    lax = fig.axes[1]
    assert lax.get_yscale() == "log"
    ticks = _visible_ticks(lax.yaxis)
    assert len(ticks) >= 3, f"the loss axis shows {len(ticks)} labelled tick(s): {ticks}"


def test_step_axes_have_whole_number_ticks():
    for fig, ax in [(drawings.plot_gradient_descent(0.25, "2-D"), 1), (_linreg_figure(), 1)]:
        ticks = _visible_ticks(drawn(fig).axes[ax].xaxis)
        assert ticks and all(float(t).is_integer() for t in ticks), ticks


def _contrast(a, b):
    from matplotlib.colors import to_rgb

    def lum(c):
        r = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in to_rgb(c)]
        return 0.2126 * r[0] + 0.7152 * r[1] + 0.0722 * r[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def page_texts(fig):
    """Every visible text of a figure that sits on the page itself (no box of its own), tick labels included."""
    texts = list(fig.texts) + [t for leg in fig.legends for t in leg.get_texts()]
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        texts += ax.get_xticklabels() + ax.get_yticklabels()
        if ax.get_legend():
            texts += ax.get_legend().get_texts()
    on_page = [t for t in texts if t.get_visible() and t.get_text().strip() and t.get_bbox_patch() is None]
    return [t for t in on_page if not (t.get_gid() or "").startswith("node:")]  # those sit on their node's fill


def assert_reads_on_both_themes(fig, minimum=3.0):
    """Text on the transparent page must read on white and on JupyterLab's dark background; boxed text on its box."""
    for t in page_texts(fig):
        for page in ("#ffffff", "#111111"):
            assert _contrast(t.get_color(), page) >= minimum, f"{t.get_text()!r} in {t.get_color()} on {page}"


@pytest.mark.parametrize(
    "make",
    [lambda: drawings.plot_tangent(1.0), lambda: drawings.plot_gradient_descent(0.15, "1-D"),
     lambda: drawings.plot_gradient_descent(0.25, "2-D"), lambda: drawings.plot_difference_errors(), _linreg_figure],
)
def test_every_02_picture_reads_on_light_and_dark_pages(make):
    fig = make()
    assert fig.get_facecolor()[3] == 0, "the figure's background must be transparent"
    assert_reads_on_both_themes(fig)
