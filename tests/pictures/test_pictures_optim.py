"""05's drawings and explorers: the race, the schedules, the clipping rescue; explorers that redraw and reset."""

import numpy as np
import pytest

from course import optim
from course.viz import optim as drawings
from course.widgets import optim as explorers


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
