"""03's drawings and explorers: the 2-2-2 network with every value and gradient, XOR's decision boundary."""

import pytest

from course.examples import network222
from course.viz import backprop as drawings
from course.widgets import backprop as explorers


def test_net222_drawing_labels_every_weight_gradient_and_delta():
    fig = drawings.draw_net222(step=0, lr=0.5)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    for k in ("w1", "w8"):
        assert f"{k} = {network222.PARAMS[k]:.3f}" in texts
    assert "∂E/∂w6 = -0.01997" in texts and "δo1 = -0.03397" in texts and "= -0.01344" in texts
    assert "E = 0.036114" in fig.axes[0].get_title()
    later = drawings.draw_net222(step=10, lr=0.5)
    assert later.axes[0].get_title() != fig.axes[0].get_title()


def test_xor_drawing_shows_the_boundary_and_the_mse():
    early, late = drawings.plot_xor_training(epoch=0), drawings.plot_xor_training(epoch=1000)
    mse = lambda fig: float(fig.axes[0].get_title().split("=")[1])
    assert mse(early) > 0.2 and mse(late) < 0.01


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_explorers_redraw_when_a_control_moves():
    for box, name, value in [
        (explorers.net222_stepper(), "step", 7),
        (explorers.xor_boundary_explorer(), "epoch", 100),
    ]:
        renders, png = box.renders, box.output.outputs[0]["data"]["image/png"]
        box.controls[name].value = value
        assert box.renders == renders + 1
        assert box.output.outputs[0]["data"]["image/png"] != png


# Issue 14: labels that do not collide, colours named as drawn, pictures that read on light and dark pages.

import colorsys  # noqa: E402

import matplotlib.text  # noqa: E402

from matplotlib.colors import to_rgb  # noqa: E402

from test_pictures_gradients import _contrast, _visible_ticks, assert_reads_on_both_themes, drawn  # noqa: E402


def _boxes(fig, prefix):
    renderer = drawn(fig).canvas.get_renderer()
    return {t.get_gid(): t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts
            if (t.get_gid() or "").startswith(prefix)}


@pytest.mark.parametrize("step,lr", [(0, 0.5), (10, 0.5), (40, 5.0), (1500, 0.1)])
def test_net222_deltas_never_sit_on_a_weight_or_gradient_label(step, lr):
    fig = drawings.draw_net222(step=step, lr=lr)
    deltas, edge_labels = _boxes(fig, "delta:"), {**_boxes(fig, "weight:"), **_boxes(fig, "gradient:w")}
    assert len(deltas) == 4 and len(edge_labels) == 16
    for d, dbox in deltas.items():
        for e, ebox in edge_labels.items():
            assert not dbox.overlaps(ebox), f"{d} overlaps {e} at step {step}"
    labels = list(edge_labels.items())
    for i, (a, abox) in enumerate(labels):
        for b, bbox in labels[i + 1:]:
            assert not abox.overlaps(bbox), f"{a} overlaps {b}"


def _hue_degrees(color):
    return 360 * colorsys.rgb_to_hsv(*to_rgb(color))[0]


def test_net222_gradients_are_orange_as_the_lesson_says():
    fig = drawings.draw_net222(step=0, lr=0.5)
    grads = [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith(("gradient:", "delta:"))]
    assert len(grads) == 14  # 8 weights, 2 biases, 4 deltas
    for t in grads:
        assert 15 <= _hue_degrees(t.get_color()) <= 45, f"{t.get_text()} is drawn in {t.get_color()}, not orange"
    weights = [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith("weight:")]
    assert all(190 <= _hue_degrees(t.get_color()) <= 230 for t in weights), "weights are blue"
    from pathlib import Path

    source = Path(explorers.__file__).read_text() + Path(drawings.__file__).read_text()
    assert "(red)" not in source and "(black)" not in source, "the colours named must be the colours drawn"


def test_net222_has_no_white_fills_and_its_boxed_labels_carry_their_own_contrast():
    fig = drawings.draw_net222(step=0, lr=0.5)
    ax = fig.axes[0]
    for coll in ax.collections:
        for fc in coll.get_facecolors():
            assert tuple(fc[:3]) != (1.0, 1.0, 1.0), "a white node fill is a glaring disc on the dark theme"
    boxed = [t for t in ax.texts if t.get_bbox_patch() is not None]
    assert boxed
    for t in boxed:
        fill = t.get_bbox_patch().get_facecolor()
        assert tuple(fill[:3]) != (1.0, 1.0, 1.0) and fill[3] == 1.0, "chips are opaque tints, not white slabs"
        assert _contrast(t.get_color(), fill[:3]) >= 4.5, f"{t.get_text()!r} on its chip"
    fills = [tuple(coll.get_facecolors()[0][:3]) for coll in ax.collections if len(coll.get_offsets()) == 1]
    nodes = [t for t in ax.texts if (t.get_gid() or "").startswith("node:")]
    assert len(nodes) == len(fills) == 8
    for t, fill in zip(nodes, fills):
        assert _contrast(t.get_color(), fill) >= 4.5, f"{t.get_text()!r} on its node"
    assert_reads_on_both_themes(fig)


@pytest.mark.parametrize("lr", [0.1, 0.5, 5.0])
def test_net222_error_axis_has_several_readable_ticks(lr):
    fig = drawn(drawings.draw_net222(step=5, lr=lr))
    ticks = _visible_ticks(fig.axes[1].yaxis)
    assert 3 <= len(ticks) <= 9, ticks
    assert all(float(t).is_integer() for t in _visible_ticks(fig.axes[1].xaxis))


@pytest.mark.parametrize("start", [0, 4])
def test_xor_picture_reads_on_both_themes_with_ticks_and_no_seed_wording(start):
    fig = drawn(drawings.plot_xor_training(epoch=600, start=start))
    assert_reads_on_both_themes(fig)
    assert len(_visible_ticks(fig.axes[2].yaxis)) >= 3, "the MSE axis needs several labelled ticks"
    words = " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))
    assert "seed" not in words.lower()
    assert not fig.axes[0].get_legend(), "the legend sits under the map, not on it"
    assert fig.legends
