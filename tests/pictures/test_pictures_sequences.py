"""07's drawings and explorers: gradients through time on a readable log axis with a line per ρ and the LSTM, the
clipping rescue with its max_norm line, the CTC lattice with labelled rows and its most likely path; pictures that read
on a light and a dark background; explorers that redraw when a control moves and draw with the student's functions."""

import numpy as np
import pytest

from course import ctc, rnn
from course.demo import yours
from course.examples import through_time as experiments
from course.viz import sequences as drawings
from course.widgets import sequences as explorers
from themes import reads_on_both_themes


def _drawn(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _titles(fig):
    texts = [t for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)]
    return [t for t in [*texts, fig._suptitle] if t is not None and t.get_text()]


def _texts_inside_and_apart(fig):
    """Every title (and the figure's title) lies inside the figure, and no two of them overlap."""
    renderer = _drawn(fig)
    texts = _titles(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    for text, box in zip(texts, boxes):
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0 and box.y1 <= fig.bbox.height, (
            f"{text.get_text()!r} is clipped: {box} outside {fig.bbox}")
    for i, a in enumerate(boxes):
        for text, b in zip(texts[i + 1:], boxes[i + 1:]):
            assert not a.overlaps(b), f"{texts[i].get_text()!r} collides with {text.get_text()!r}"


def _visible_ticks(ax, axis):
    lo, hi = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    ticks = ax.get_xticks() if axis == "x" else ax.get_yticks()
    return [t for t in ticks if lo - 1e-9 * abs(lo) <= t <= hi + 1e-9 * abs(hi)]


def _labelled_y_ticks(ax):
    return [ax.yaxis.get_major_formatter()(t) for t in _visible_ticks(ax, "y")]


# ---- gradients through time ---------------------------------------------------------------------------------------
def test_gradient_through_time_has_a_line_per_rho_and_the_lstm_on_a_labelled_log_axis():
    fig = drawings.plot_gradient_through_time(T=40)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [label.split("\n")[0] for label in labels] == [
        *(f"tanh RNN, ρ = {rho:g}" for rho in experiments.RHOS), "LSTM, forget-gate bias 1"]
    r = experiments.gradient_through_time(T=40)
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), r["lstm"])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), r["rnn"][0.5])
    assert ax.get_yscale() == "log" and "‖∂L/∂h_t‖" in ax.get_ylabel() and "step" in ax.get_xlabel()
    _drawn(fig)
    labels = _labelled_y_ticks(ax)
    assert 3 <= len(labels) <= 9 and all(labels), labels
    ticks = _visible_ticks(ax, "x")
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    lo, hi = ax.get_ylim()
    drawn = np.concatenate([line.get_ydata() for line in ax.lines])
    assert lo <= np.nanmin(drawn) and np.nanmax(drawn) <= hi, "every line fits on the axis"
    _texts_inside_and_apart(fig)
    reads_on_both_themes(fig)


def test_one_rho_gets_its_linear_guide_and_the_others_are_thin_labelled_context():
    fig = drawings.plot_gradient_through_time(rhos=(1.2,), cells=("rnn",), T=30, context=experiments.RHOS)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("tanh RNN, ρ = 1.2") and legend[1].startswith("ρ^(T−1−t)") and len(legend) == 2
    guide = next(line for line in ax.lines if line.get_label().startswith("ρ^"))
    np.testing.assert_allclose(guide.get_ydata(), 1.2 ** np.arange(29, -1, -1))
    assert len(ax.lines) == 2 + len(experiments.RHOS)
    assert {t.get_text() for t in ax.texts} == {f"ρ={rho:g}" for rho in experiments.RHOS}
    reads_on_both_themes(fig)
    crowded = drawings.plot_gradient_through_time(rhos=(0.9,), T=100, input_scale=1e-3, context=experiments.RHOS)
    renderer = _drawn(crowded)
    boxes = [t.get_window_extent(renderer) for t in crowded.axes[0].texts]
    frame = crowded.axes[0].get_window_extent(renderer)
    assert len(boxes) >= 3 and all(frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), "context labels collide"


@pytest.mark.parametrize("T,rho,scale", [(10, 1.0, 1e-3), (200, 0.3, 1.0), (200, 2.0, 1e-3)])
def test_the_log_axis_reads_however_little_or_much_the_norms_span(T, rho, scale):
    fig = drawings.plot_gradient_through_time(rhos=(rho,), T=T, input_scale=scale)
    _drawn(fig)
    labels = _labelled_y_ticks(fig.axes[0])
    assert 2 <= len(labels) <= 9 and all(labels), labels


# ---- clipping --------------------------------------------------------------------------------------------------------
def test_clipping_rescue_shows_both_losses_and_the_norms_under_the_max_norm_line():
    r = experiments.clipping_rescue(steps=40)
    fig = drawings.plot_clipping_rescue(results=r)
    lax, gax = fig.axes
    assert lax.get_yscale() == gax.get_yscale() == "log"
    assert [line.get_label() for line in lax.lines] == ["SGD", "SGD + clip_grad_norm(1)"]
    line = next(line for line in gax.lines if line.get_label().startswith("max_norm"))
    np.testing.assert_allclose(line.get_ydata(), 1.0)
    np.testing.assert_allclose(gax.lines[1].get_ydata(), r["clipped"]["grad_norm"])
    notes = [t.get_text() for t in lax.texts + gax.texts]
    assert any("leaves the chart" in n for n in notes) and len(notes) == 2, notes
    assert lax.get_ylim()[1] <= 1e3 * 2.01  # the diverging run is cut, the rescued one stays readable
    for ax in (lax, gax):
        _drawn(fig)
        ticks = _visible_ticks(ax, "x")
        assert all(float(t).is_integer() for t in ticks) and len(_labelled_y_ticks(ax)) >= 2
    assert "lr 0.5" in fig._suptitle.get_text()
    _texts_inside_and_apart(fig)
    reads_on_both_themes(fig)


# ---- the CTC lattice -------------------------------------------------------------------------------------------------
def test_the_lattice_has_labelled_rows_integer_steps_and_the_most_likely_path_on_every_panel():
    logits = experiments.example_logits([1, 2, 1], T=11)
    lattice = experiments.ctc_lattice(logits, [1, 2, 1])
    fig = drawings.plot_ctc_lattice(logits, [1, 2, 1])
    assert len(fig.axes) == 3
    for ax, name in zip(fig.axes, ("log α", "log β", "γ")):
        assert [t.get_text() for t in ax.get_yticklabels()] == ["∅", "1", "∅", "2", "∅", "1", "∅"]
        assert ax._left_title.get_text().startswith(name)
        (path,) = ax.lines
        np.testing.assert_array_equal(path.get_ydata(), lattice["path"])
        np.testing.assert_array_equal(path.get_xdata(), np.arange(11))
        (image,) = ax.images
        assert image.get_array().shape == (7, 11)
    np.testing.assert_allclose(fig.axes[2].images[0].get_array().filled(0.0), lattice["gamma"].T)
    _drawn(fig)
    ticks = _visible_ticks(fig.axes[2], "x")
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    title = fig._suptitle.get_text()
    assert "target 1 2 1" in title and "reads 1 2 1 ✓" in title and "p(target | x) = " in title
    assert title.endswith("ctc_loss_backward = (softmax − Σ γ over each label's rows) / S  ✓")
    assert fig.legends and "most likely path" in fig.legends[0].get_texts()[0].get_text()
    _texts_inside_and_apart(fig)
    reads_on_both_themes(fig)


def test_a_misread_a_wrong_gradient_and_an_impossible_target_are_said_so():
    misread = drawings.plot_ctc_lattice(experiments.example_logits([1, 1], T=3, blank_bias=50.0), [1, 1])
    assert "reads (nothing) ✗" in misread._suptitle.get_text()
    _texts_inside_and_apart(misread)  # the narrowest picture with both title lines

    def ctc_loss_backward(cache):
        return -ctc.ctc_loss_backward(cache)

    wrong = drawings.plot_ctc_lattice(np.zeros((4, 3)), [1], fns={"ctc_loss_backward": ctc_loss_backward})
    assert wrong._suptitle.get_text().endswith("is not (softmax − Σ γ over each label's rows) / S  ✗")
    impossible = drawings.plot_ctc_lattice(np.zeros((2, 3)), [1, 1], names=["-", "a", "b"])
    assert [t.get_text() for t in impossible.axes[0].get_yticklabels()] == ["∅", "a", "∅", "a", "∅"]
    assert not any(ax.lines for ax in impossible.axes) and not impossible.legends
    assert any("too few" in t.get_text() for t in impossible.axes[2].texts)
    assert "p(target | x) = 0" in impossible._suptitle.get_text()
    _texts_inside_and_apart(impossible)
    reads_on_both_themes(impossible)


# ---- explorers -------------------------------------------------------------------------------------------------------
def test_gradient_explorer_redraws_when_a_control_moves():
    box = explorers.gradient_through_time_explorer()
    assert box.renders == 1 and box.output.outputs[0]["data"]["image/png"]
    first = box.output.outputs[0]["data"]["image/png"]
    box.controls["rho"].value = 1.5
    assert box.renders == 2 and box.output.outputs[0]["data"]["image/png"] != first
    assert box.figure.axes[0].get_legend().get_texts()[0].get_text().startswith("tanh RNN, ρ = 1.5")
    box.controls["cell"].value = "LSTM"
    assert [t.get_text() for t in box.figure.axes[0].get_legend().get_texts()] == ["LSTM, forget-gate bias 1"]
    box.controls["T"].value = 30
    assert box.renders == 4 and len(box.figure.axes[0].lines[-1].get_ydata()) == 30
    assert set(box.controls) == {"cell", "rho", "T", "input_scale", "forget_bias"}


def test_ctc_explorer_redraws_when_a_control_moves():
    box = explorers.ctc_lattice_explorer()
    assert box.renders == 1 and "target 1 2 1" in box.figure._suptitle.get_text()
    box.controls["example"].value = "11"
    assert [t.get_text() for t in box.figure.axes[0].get_yticklabels()] == ["∅", "1", "∅", "1", "∅"]
    box.controls["T"].value = 16
    assert box.renders == 3 and box.figure.axes[0].images[0].get_array().shape == (5, 16)
    assert set(box.controls) == {"example", "T", "confidence", "blank_bias"}
    assert [value for _, value in box.controls["example"].options] == ["12", "11", "121", "122"]


def test_the_explorers_draw_with_the_students_functions_and_say_what_they_borrowed():
    used = []

    def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        used.append("rnn_cell_forward")
        return rnn.rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh)

    def rnn_cell_backward(dh, cache):
        used.append("rnn_cell_backward")
        return rnn.rnn_cell_backward(dh, cache)

    def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        raise NotImplementedError()

    def lstm_cell_backward(dh, dc, cache):
        raise NotImplementedError()

    box = explorers.gradient_through_time_explorer(
        yours(rnn_cell_forward, rnn_cell_backward, lstm_cell_forward, lstm_cell_backward))
    assert "rnn_cell_forward" in used and "rnn_cell_backward" in used
    note = box.note.value
    assert "lstm_cell_forward" in note and "not written yet" in note and "rnn_cell_" not in note
    legend = [t.get_text() for t in box.figure.axes[0].get_legend().get_texts()]
    assert legend[0].startswith("tanh RNN") and legend[-1].startswith("LSTM")  # the LSTM, borrowed, drawn too

    def ctc_greedy_decode(logits, input_lengths, blank=0):
        used.append("ctc_greedy_decode")
        return ctc.ctc_greedy_decode(logits, input_lengths, blank)

    def ctc_loss_forward(logits, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
        raise NotImplementedError()

    def ctc_loss_backward(cache):
        used.append("ctc_loss_backward")
        return ctc.ctc_loss_backward(cache)

    lattice = explorers.ctc_lattice_explorer(yours(ctc_greedy_decode, ctc_loss_forward, ctc_loss_backward))
    assert "ctc_greedy_decode" in used and "ctc_loss_backward" in used
    note = lattice.note.value
    assert "ctc_loss_forward" in note and "ctc_greedy_decode" not in note and "ctc_loss_backward" not in note
    assert "p(target | x) = " in lattice.figure._suptitle.get_text()


def test_a_lent_backward_that_cannot_read_the_students_cache_leaves_the_gradient_unchecked_not_the_explorer_broken():
    def ctc_loss_forward(logits, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
        loss, cache = ctc.ctc_loss_forward(logits, targets, input_lengths, target_lengths, blank, zero_infinity)
        return loss, ("another layout", cache)

    def ctc_loss_backward(cache):
        raise NotImplementedError()

    box = explorers.ctc_lattice_explorer(yours(ctc_loss_forward, ctc_loss_backward))
    assert "ctc_loss_backward" in box.note.value and box.renders == 1
    title = box.figure._suptitle.get_text()
    assert "reads 1 2 1 ✓" in title and "ctc_loss_backward" not in title
