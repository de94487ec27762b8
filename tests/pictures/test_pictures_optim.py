"""05's drawings and explorers: the race, the schedules, the clipping rescue; explorers that redraw and reset, that
draw with the student's functions and say what they borrowed; pictures that read on a light and a dark background."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from course import optim
from course.demo import yours
from course.viz import optim as drawings
from course.widgets import optim as explorers


def _drawn(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _texts_inside_and_apart(fig):
    """Every title (and the figure's title) lies inside the figure, and no two of them overlap."""
    renderer = _drawn(fig)
    texts = [t for t in [ax.title for ax in fig.axes] + [fig._suptitle] if t is not None and t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for text, box in zip(texts, boxes):
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, (
            f"{text.get_text()!r} is clipped: {box} outside {fig.bbox}")
    for i, a in enumerate(boxes):
        for text, b in zip(texts[i + 1:], boxes[i + 1:]):
            assert not a.overlaps(b), f"{texts[i].get_text()!r} collides with {text.get_text()!r}"


def _no_black_or_white(fig):
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    def bad(color):
        r, g, b, a = to_rgba(color)
        return a > 0 and (max(r, g, b) < 0.1 or min(r, g, b) > 0.85)

    for line in fig.findobj(Line2D):
        assert not bad(line.get_color()) and not bad(line.get_markerfacecolor()), f"{line} is black or white"
    for text in fig.findobj(Text):
        assert not bad(text.get_color()), f"{text.get_text()!r} is black or white"
    assert to_rgba(fig.get_facecolor())[3] == 0, "the figure must be transparent (course.viz's theme)"


def _visible_ticks(ax, axis):
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    ticks = ax.get_xticks() if axis == "x" else ax.get_yticks()
    lo, hi = min(lo, hi), max(lo, hi)
    return [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]


def test_drawings_return_figures_with_the_expected_content():
    fig = drawings.plot_race("saddle", optimizers=("SGD", "Adam"), steps=20)
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()][0].startswith("SGD")
    assert len(drawings.plot_races(surfaces=("ravine",)).axes) == 1
    sched = drawings.plot_schedules(lr0=1.0, epochs=6, step_size=3, gamma=0.5)
    np.testing.assert_allclose(sched.axes[0].lines[0].get_ydata(), [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    rescue = drawings.plot_clipping_rescue(steps=30)
    plain, clipped = [line.get_ydata() for line in rescue.axes[1].lines]
    assert not np.isfinite(plain[-1]) and clipped[-1] < clipped[0] / 100
    assert len(drawings.plot_curves({"SGD": [1.0, 0.5], "Adam": [1.0, np.nan]}).axes[0].lines) == 2


def test_every_picture_uses_the_theme_and_reads_on_light_and_dark_backgrounds():
    for fig in (drawings.plot_race("ravine", steps=20), drawings.plot_races(surfaces=("saddle",)),
                drawings.plot_schedules(), drawings.plot_clipping_rescue(steps=10),
                drawings.plot_curves({"SGD": [1.0, 0.5]})):
        _no_black_or_white(fig)  # the start ★ is drawn in the theme's ink, not black


@pytest.mark.parametrize("max_norm", [0.0, 2.5])
def test_the_race_titles_fit_and_do_not_collide(max_norm):
    fig = drawings.plot_race("rosenbrock", lr_sgd=0.0012345, lr_adaptive=0.054321, max_norm=max_norm, steps=30)
    _texts_inside_and_apart(fig)
    assert ("clipped to norm 2.5" in fig._suptitle.get_text()) == bool(max_norm)


def test_each_optimizer_has_its_own_colour_and_line_style():
    styles = [drawings.STYLE[name] for name in drawings.OPTIMIZERS]
    assert len(set(styles)) == len(styles)
    colors = {name: drawings.STYLE[name][0] for name in ("Adam", "AdamW", "Nesterov", "Momentum", "RMSprop")}
    assert len(set(colors.values())) == len(colors), f"close optimizers share a colour: {colors}"
    assert drawings.STYLE["Adam"][1] != drawings.STYLE["AdamW"][1]  # AdamW's line never hides under Adam's
    assert drawings.STYLE["Momentum"][1] != drawings.STYLE["Nesterov"][1]
    fig = drawings.plot_race("ravine", optimizers=("Nesterov", "Adam", "AdamW"), steps=20)
    drawn = {line.get_label().split(":")[0]: (to_rgba(line.get_color()), line.get_linestyle())
             for line in fig.axes[1].lines}
    assert len(set(drawn.values())) == 3


def test_epoch_and_step_axes_have_whole_number_ticks():
    for fig, ax_index in ((drawings.plot_schedules(epochs=7, step_size=2, T_max=7), 0),
                          (drawings.plot_race("saddle", steps=10), 1),
                          (drawings.plot_curves({"SGD": [1.0, 0.7, 0.6]}), 0)):
        _drawn(fig)
        ticks = _visible_ticks(fig.axes[ax_index], "x")
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


@pytest.mark.parametrize("values", [[0.1, 0.098, 0.095], [0.61, 0.55, 0.52], [3.0, 1.2], [1e-3, 1e-9]])
def test_a_log_axis_always_labels_at_least_two_ticks(values):
    for fig in (drawings.plot_curves({"Adam": values}),
                drawings.plot_schedules(lr0=values[0], gamma=values[-1] / values[0], step_size=1,
                                        epochs=len(values) - 1, T_max=10, log=True)):
        _drawn(fig)
        ax = fig.axes[0]
        ticks = _visible_ticks(ax, "y")
        labels = [ax.yaxis.get_major_formatter()(t) for t in ticks]
        assert len(ticks) >= 2 and all(labels), (ticks, labels)


def test_race_explorer_redraws_and_resets_on_a_new_surface():
    box = explorers.race_explorer()
    assert box.renders == 1 and box.output.outputs[0]["data"]["image/png"]
    box.controls["lr_adaptive"].value = 0.05
    assert box.renders == 2
    box.controls["surface"].value = "rosenbrock"
    assert box.controls["start_x"].value == -1.2 and box.controls["lr_sgd"].value == pytest.approx(1.5e-3)
    assert box.figure.axes[0].get_title().startswith("rosenbrock")
    assert box.figure.get_size_inches()[0] > 5  # the last picture is the real race, not a placeholder
    sched = explorers.schedule_explorer(step_lr=optim.step_lr)
    sched.controls["gamma"].value = 0.5
    assert sched.renders == 2 and "γ=0.5" in sched.figure.axes[0].get_legend().get_texts()[0].get_text()


def test_beta2_moves_both_ways_from_its_default():
    beta2 = explorers.race_explorer().controls["beta2"]
    options = list(beta2.options)
    assert beta2.value == 0.999 and 0 < options.index(0.999) < len(options) - 1
    assert max(options) >= 0.9999 and min(options) <= 0.99
    beta2.value = 0.9999  # past the default: the race is redrawn with it


def test_race_and_schedules_use_the_students_functions_and_say_what_they_borrowed():
    used = []

    def sgd_update(w, dw, lr, weight_decay=0.0):
        used.append("sgd")
        return optim.sgd_update(w, dw, lr, weight_decay)

    def momentum_update(w, dw, state, lr, momentum=0.9, dampening=0.0, nesterov=False):
        raise NotImplementedError()

    def adam_update(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        raise NotImplementedError()

    box = explorers.race_explorer(yours(sgd_update, momentum_update, adam_update))
    assert used, "the race must step with the student's sgd_update"
    note = box.note.value
    assert "momentum_update" in note and "adam_update" in note and "sgd_update" not in note
    assert len(box.figure.axes[1].lines) == 4  # SGD, Momentum, RMSprop, Adam all drawn

    def step_lr(lr0, epoch, step_size, gamma=0.1):
        raise NotImplementedError()

    def cosine_annealing_lr(lr0, t, T_max, eta_min=0.0):
        return 0.5 * lr0

    sched = explorers.schedule_explorer(yours(step_lr, cosine_annealing_lr))
    assert "step_lr" in sched.note.value and "cosine_annealing_lr" not in sched.note.value
    np.testing.assert_allclose(sched.figure.axes[0].lines[1].get_ydata(), 0.05)  # the student's cosine, drawn
