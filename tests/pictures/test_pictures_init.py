"""04's drawings and explorer: real figures from the experiments, a real ipywidgets explorer that redraws, pictures
that read on a light and a dark background, and an explorer that draws with the student's initializers."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course import init
from course.demo import yours
from course.examples import init_experiments as experiments
from course.viz import init as drawings
from course.widgets import init as explorers
from themes import reads_on_both_themes


def _texts_inside(fig):
    """Every title (and the figure's title) lies inside the figure: nothing is clipped at its edges."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    texts = [ax.title for ax in fig.axes] + ([fig._suptitle] if fig._suptitle else [])
    for text in texts:
        if not text.get_text():
            continue
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, (
            f"{text.get_text()!r} is clipped: {box} outside the figure's {width:.0f} x {height:.0f}")


def test_drawings_return_figures():
    res = {
        (s, a): experiments.deep_stats(s, a, depth=6, width=16) for s in ["xavier", "kaiming"] for a in ["tanh", "relu"]
    }
    stds = drawings.plot_layer_stds(res)
    assert len(stds.axes) == 4
    reads_on_both_themes(stds, skip_unlabelled=True)  # the grey band is translucent ink, not a light-grey slab
    X = np.random.default_rng(0).normal(size=(30, 2))
    runs = {s: experiments.train(X, np.arange(30) % 3, s, steps=5) for s in ["zeros", "xavier"]}
    curves = drawings.plot_training_curves(runs)
    assert isinstance(curves, Figure)
    reads_on_both_themes(curves, skip_unlabelled=True)  # the ln 3 line is drawn in the theme's ink, not black
    weights = {s: r["model"][0].weight.data for s, r in runs.items()}
    assert len(drawings.plot_unit_weights(weights).axes) == 4  # 2 maps + colorbars
    fig = drawings.plot_layer_histograms("normal σ=1", "relu", depth=8, width=32)
    assert len(fig.axes) == 2 * 5
    reads_on_both_themes(fig, skip_unlabelled=True)  # notes in ink, without a white box


def test_the_log_axes_of_the_deep_statistics_label_a_few_powers_of_ten():
    res = {(s, "relu"): experiments.deep_stats(s, "relu", depth=50, width=32) for s in ["normal σ=0.01", "normal σ=1"]}
    fig = drawings.plot_layer_stds(res)
    fig.draw_without_rendering()
    for ax in fig.axes:
        low, high = ax.get_ylim()
        ticks = [t for t in ax.get_yticks() if low <= t <= high]
        assert 2 <= len(ticks) <= 8 and not ax.yaxis.get_minorticklocs().size


@pytest.mark.parametrize("depth", [1, 2, 10])
def test_the_histograms_title_fits_at_every_depth(depth):
    fig = drawings.plot_layer_histograms("orthogonal+gain", "sigmoid", depth=depth, width=256)
    _texts_inside(fig)


def _notes(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_values_that_are_all_equal_are_one_bar_labelled_as_such_not_a_histogram_of_rounding_noise():
    # Zeros: every activation and every weight gradient is exactly 0.
    zeros = drawings.plot_layer_histograms("zeros", "tanh", depth=6, width=32)
    assert _notes(zeros) == ["all 0"] * len(zeros.axes)
    # A constant start: from layer 2 on, every entry of ∂loss/∂W is the same number (its std is rounding, ~1e-17).
    constant = drawings.plot_layer_histograms("constant 0.5", "relu", depth=10, width=128)
    notes = [ax.texts[0].get_text() for ax in constant.axes[5:]]
    assert notes[0].startswith("std") and all(n.startswith("all equal: ") for n in notes[1:]), notes
    for ax in constant.axes[6:]:
        (bar,) = ax.patches
        assert len(bar.get_data().values) == 1  # one bar, at the value
    # Values one rounding step apart are still "all equal".
    rng = np.random.default_rng(0)
    noisy = np.where(rng.random(4096) < 0.5, 0.1, np.nextafter(0.1, 1.0))
    samples = {"layers": [1, 2], "acts": [rng.normal(size=4096)] * 2, "grads": [noisy, rng.normal(size=4096)]}
    fig = drawings.plot_layer_histograms("any", "relu", depth=2, width=64, samples=samples)
    assert [ax.texts[0].get_text() for ax in fig.axes[2:]] == ["all equal: 0.1", "std 0.99"]
    # A real spread is still a histogram.
    spread = drawings.plot_layer_histograms("xavier", "tanh", depth=3, width=32)
    assert all(n.startswith("std ") for n in _notes(spread))


def test_explorer_draws_with_the_students_initializers_and_names_what_it_borrowed():
    calls = []

    def xavier_normal(shape, gain=1.0, rng=None):
        calls.append(shape)
        return init.xavier_normal(shape, gain, rng)

    def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
        raise NotImplementedError()

    box = explorers.init_explorer(yours(xavier_normal, kaiming_normal))
    assert calls and box.note.value == ""  # the default scheme is xavier: the student's, nothing borrowed
    box.controls["depth"].value = 3
    box.controls["scheme"].value = "kaiming"
    assert "borrowed the course&#x27;s kaiming_normal" in box.note.value
    assert "not written yet" in box.note.value


def test_explorer_computes_each_setting_once():
    calls = []

    def normal_init(shape, mean=0.0, std=1.0, rng=None):
        calls.append(shape)
        return init.normal_init(shape, mean, std, rng)

    box = explorers.init_explorer({"normal_init": normal_init})
    box.controls["scheme"].value = "normal σ=1"
    drawn = len(calls)
    assert drawn > 0
    box.controls["depth"].value = 4
    box.controls["depth"].value = 10  # back to a setting already seen: redrawn from the cache
    box.controls["activation"].value = "relu"
    box.controls["activation"].value = "tanh"
    assert box.renders == 6 and len(calls) == drawn + 4 + 1 + 10 + 1  # depth 4 and relu at depth 10: new settings


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_explorer_rerenders_when_a_control_moves():
    box = explorers.init_explorer()
    assert box.renders == 1 and box.output.outputs[0]["data"]["image/png"]
    first = box.output.outputs[0]["data"]["image/png"]
    box.controls["depth"].value = 3
    assert box.renders == 2 and len(box.figure.axes) == 2 * 3
    box.controls["scheme"].value = "kaiming"
    assert box.renders == 3 and box.output.outputs[0]["data"]["image/png"] != first
