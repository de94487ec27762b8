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
