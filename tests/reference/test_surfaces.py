"""course.surfaces (05): each surface's gradient against central differences, the cliff as a linear RNN's loss, the
runner, and the races of the optimizers (the functions they are given, the ranking the lesson describes)."""

import numpy as np
import pytest

from course import optim, surfaces
from course.gradcheck import numerical_gradient


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_surface_gradients_match_numerical_ones(name):
    s = surfaces.SURFACES[name]
    for p in [np.array(s.start), np.array([0.3, -0.7]), np.array([0.9, 0.8])]:
        num = numerical_gradient(lambda q: s(q), p, h=1e-6)
        np.testing.assert_allclose(s.grad(p), num, rtol=1e-5, atol=1e-6)


def test_cliff_is_the_loss_of_a_linear_rnn():
    w, u = 0.7, 0.4
    h = np.zeros(len(surfaces._XS))
    for t in range(surfaces._XS.shape[1]):
        h = w * h + u * surfaces._XS[:, t]
    assert surfaces.cliff((w, u)) == pytest.approx(0.5 * np.mean((h - surfaces._Y) ** 2))
    assert surfaces.cliff((0.5, 1.0)) == pytest.approx(0.0, abs=1e-20)
    assert np.linalg.norm(surfaces.cliff.grad(np.array(surfaces.cliff.start))) > 100  # the start sits on the cliff


def test_known_minima_and_saddle():
    assert surfaces.rosenbrock((1.0, 1.0)) == 0.0 and not surfaces.rosenbrock.grad(np.array([1.0, 1.0])).any()
    assert surfaces.saddle((0.0, 1.0)) == -0.25 and not surfaces.saddle.grad(np.array([0.0, 0.0])).any()
    assert surfaces.ravine((0.0, 0.0)) == 0.0


def test_run_follows_the_step_and_stops_when_it_diverges():
    path = surfaces.run(lambda w, g, s: (optim.sgd_update(w, g, 0.1), s), surfaces.ravine, steps=3)
    w = np.array(surfaces.ravine.start)
    for k in range(1, 4):
        w = w - 0.1 * np.array([w[0] / 10, 10 * w[1]])
        np.testing.assert_allclose(path[k], w)
    blown = surfaces.run(lambda w, g, s: (optim.sgd_update(w, g, 0.05), s), surfaces.cliff, steps=5)
    assert np.isnan(blown[-1]).all() and np.isfinite(blown[0]).all()


def test_race_uses_the_functions_it_is_given():
    calls = []

    def spy(w, dw, lr, weight_decay=0.0):
        calls.append(lr)
        return optim.sgd_update(w, dw, lr, weight_decay)

    paths = surfaces.race("ravine", {"sgd_update": spy}, names=("SGD",), lr_sgd=0.05, steps=4)
    assert calls == [0.05] * 4 and paths["SGD"].shape == (5, 2)


def test_final_losses_table_shows_the_expected_ranking():
    table = surfaces.final_losses()
    assert table["ravine"]["Momentum"] < table["ravine"]["SGD"]  # momentum speeds up the flat direction
    assert table["rosenbrock"]["Momentum"] < table["rosenbrock"]["SGD"]
    assert table["saddle"]["SGD"] > -0.01 and table["saddle"]["Adam"] < -0.24  # SGD stuck on the saddle, Adam escapes
    assert "Adam" in surfaces.format_table(table)
