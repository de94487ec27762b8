"""07's task pictures: strips with what was read, the reader's learning curve, the misread strips. Each returns a
Figure with its titles inside it, whole-number epochs, and the counts its title promises."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from course.examples import digit_strips as ds
from course.viz import COLORS, INK, to_png
from course.viz import strings as drawings

STRIPS = ds.make_strips(10, "test", np.random.default_rng(2))
TRUE = STRIPS.strings
READ = TRUE[:6] + [TRUE[6] + "1", TRUE[7] * 2, "", TRUE[9]]   # strips 6, 7 and 8 misread
HISTORY = {"loss": [3.4, 2.8, 1.1, 0.4, 0.2], "val_acc": [0.0, 0.05, 0.6, 0.85, 0.93],
           "val_cer": [1.0, 0.8, 0.15, 0.05, 0.025], "lr": [2e-2] * 5, "seconds": 12.3}

DRAWINGS = {
    "strips": lambda: drawings.plot_strips(STRIPS),
    "strips read": lambda: drawings.plot_strips(STRIPS, READ, max_strips=9),
    "curves": lambda: drawings.plot_reader_curves(HISTORY),
    "misread": lambda: drawings.plot_misread(STRIPS, READ),
    "none misread": lambda: drawings.plot_misread(STRIPS, TRUE),
}


def _titles(fig):
    return [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center") if ax.get_title(loc)]


def test_each_drawing_returns_a_figure_with_the_promised_axes_and_titles():
    figs = {name: draw() for name, draw in DRAWINGS.items()}
    assert all(isinstance(f, Figure) for f in figs.values())
    assert _titles(figs["strips"]) == TRUE
    assert _titles(figs["strips read"]) == [f"{t} → {r or '(nothing)'}" for t, r in zip(TRUE[:9], READ[:9])]
    assert "6 of 9 read exactly" in figs["strips read"]._suptitle.get_text()
    assert [ax.get_title() for ax in figs["curves"].axes] == ["training loss", "exact strings", "character errors"]
    assert "5 epochs in 12 s" in figs["curves"]._suptitle.get_text()
    assert _titles(figs["misread"]) == [f"{TRUE[i]} → {READ[i] or '(nothing)'}" for i in (6, 7, 8)]
    assert figs["misread"]._suptitle.get_text().startswith("3 of 10 strips misread (30.0 %)")
    assert figs["none misread"]._suptitle.get_text() == "every one of the 10 strips read exactly"
    shown = [ax for ax in figs["misread"].axes if ax.get_images()]
    assert len(shown) == 3 and shown[0].get_images()[0].get_array().shape == (12, STRIPS.widths[6])


def test_read_titles_are_green_when_right_and_orange_when_wrong():
    fig = drawings.plot_strips(STRIPS, READ)
    colours = [to_rgb(ax._left_title.get_color()) for ax in fig.axes if ax.get_title("left")]
    right, wrong = to_rgb(COLORS[2]), to_rgb(COLORS[1])
    assert colours == [right] * 6 + [wrong] * 3 + [right]


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_titles_labels_and_legends_stay_inside_the_figure(name):
    fig = DRAWINGS[name]()
    to_png(fig)
    box = fig.bbox
    texts = [t for ax in fig.axes for t in (ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label)]
    texts += [ax.get_legend() for ax in fig.axes if ax.get_legend()] + [fig._suptitle]
    for t in texts:
        if hasattr(t, "get_text") and not t.get_text():
            continue
        ext = t.get_window_extent()
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1 and ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, (
            f"{name}: {getattr(t, 'get_text', lambda: 'a legend')()!r} is clipped by the figure's edge")


@pytest.mark.parametrize("epochs", [2, 3, 40])
def test_epoch_ticks_are_whole_numbers_and_goals_are_drawn(epochs):
    history = {k: list(np.linspace(v[0], v[-1], epochs)) for k, v in HISTORY.items() if k != "seconds"}
    fig = drawings.plot_reader_curves(history)
    to_png(fig)
    for ax in fig.axes:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), f"{ax.get_title()}: epoch ticks {ticks}"
    goals = {ax.get_title(): [line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"]
             for ax in fig.axes}
    assert goals == {"training loss": [], "exact strings": [90.0], "character errors": [3.0]}
    assert all(to_rgb(line.get_color()) in {to_rgb(c) for c in [*COLORS, INK]} for ax in fig.axes
               for line in ax.get_lines())


def test_a_history_without_the_readers_lists_is_refused_in_words():
    with pytest.raises(ValueError, match="val_cer"):
        drawings.plot_reader_curves({"loss": [1.0], "val_acc": [0.5]})
