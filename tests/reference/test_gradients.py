"""course.gradients and course.gradcheck (02) against closed forms, the worked numbers of the lesson and plain-loop
finite differences."""

import numpy as np
import pytest

from course import gradcheck, gradients
from numeric import fd_grad

rng = np.random.default_rng(0)


def test_seed_001_graph_at_x2_w1():
    y, (a, b) = gradients.graph_forward(2.0, 1.0)
    assert (y, a, b) == (6.0, 3.0, 2.0)
    assert gradients.graph_backward(1.0, (a, b)) == (2.0, 5.0)


def test_graph_backward_is_the_gradient_of_the_expanded_graph():
    x, w, dy = rng.normal(size=(3, 4, 2))
    loss = lambda x_, w_: np.sum(dy * (x_ * w_ + x_ + w_**2 + w_))  # noqa: E731 (y expanded by hand)
    dx, dw = gradients.graph_backward(dy, gradients.graph_forward(x, w)[1])
    np.testing.assert_allclose(dx, fd_grad(lambda v: loss(v, w), x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dw, fd_grad(lambda v: loss(x, v), w), rtol=1e-6, atol=1e-8)


def test_linreg_hand_numbers_and_gradient():
    X, y, w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0, 2.0]), np.array([0.5, 0.5])
    np.testing.assert_allclose(gradients.linreg_forward(X, w, 0.25), [0.75, 0.75, 1.25])
    assert gradients.linreg_loss(X, y, w, 0.25) == pytest.approx(2.1875 / 3)
    dw, db = gradients.linreg_backward(X, y, w, 0.25)
    np.testing.assert_allclose(dw, [-2 / 3, -4 / 3])
    assert db == pytest.approx(-1.5)
    X, y, w, b = rng.normal(size=(7, 3)), rng.normal(size=7), rng.normal(size=3), 0.3
    dw, db = gradients.linreg_backward(X, y, w, b)
    np.testing.assert_allclose(dw, fd_grad(lambda v: gradients.linreg_loss(X, y, v, b), w), rtol=1e-6, atol=1e-8)
    assert db == pytest.approx(fd_grad(lambda v: gradients.linreg_loss(X, y, w, v[0]), [b])[0], rel=1e-6)


def test_gd_update_is_pure_and_gradient_descent_matches_the_closed_form():
    w, dw = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    np.testing.assert_allclose(gradients.gd_update(w, dw, 0.1), [0.95, 2.1])
    np.testing.assert_array_equal(w, [1.0, 2.0])
    L = np.array([[1.0, 3.0], [0.5, 8.0]])
    x0 = rng.normal(size=(2, 2))
    _, grad = gradients.quadratic_bowl(L)
    path = gradients.gradient_descent(grad, x0, 0.2, 7)
    assert path.shape == (8, 2, 2)
    rows = [x0]
    for _ in range(7):  # the recursion written out, against the closed form (1 − lr L)^t x0
        rows.append(rows[-1] - 0.2 * L * rows[-1])
    np.testing.assert_allclose(path, np.array(rows))
    np.testing.assert_allclose(gradients.quadratic_path(x0, 0.2, 7, L), np.array(rows))


@pytest.mark.parametrize("lr,converges", [(0.05, True), (0.15, True), (0.199, True), (0.201, False), (0.25, False)])
def test_gradient_descent_diverges_exactly_past_2_over_L(lr, converges):
    E, grad = gradients.quadratic_bowl([10.0, 1.0])
    path = gradients.gradient_descent(grad, np.array([1.0, 1.0]), lr, 400)
    assert (E(path[-1]) < E(path[0])) == converges


def test_difference_errors_have_orders_one_and_two_and_their_sweet_spots():
    hs = np.array([1e-3, 1e-2])
    fwd, cen = gradients.difference_errors(np.sin, np.cos, 1.0, hs)
    assert np.log10(fwd[1] / fwd[0]) == pytest.approx(1.0, abs=0.05)  # O(h)
    assert np.log10(cen[1] / cen[0]) == pytest.approx(2.0, abs=0.05)  # O(h²)
    grid = np.logspace(-13, -1, 13)
    fwd, cen = gradients.difference_errors(np.sin, np.cos, 1.0, grid)
    assert 1e-10 <= grid[np.argmin(fwd)] <= 1e-6
    assert 1e-7 <= grid[np.argmin(cen)] <= 1e-3
    assert cen.min() < fwd.min() / 10


def test_gradcheck_central_difference_and_h():
    assert gradcheck.numerical_derivative(lambda v: v**3, 2.0, 0.1) == pytest.approx(12.01, rel=1e-12)
    assert gradcheck.numerical_derivative(np.sin, np.float32(1.0)) == pytest.approx(np.cos(1.0), rel=1e-9)
    x = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(gradcheck.numerical_gradient(lambda z: np.sum(z**3), x, h=1e-3), 3 * x**2 + 1e-6,
                               rtol=1e-9)


def test_gradcheck_numerical_gradient_any_shape_float32_and_x_unchanged():
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    before = x.copy()
    g = gradcheck.numerical_gradient(lambda z: np.sum(np.asarray(z, dtype=np.float64) ** 3), x)
    np.testing.assert_array_equal(x, before)
    assert g.dtype == np.float64 and g.shape == x.shape
    np.testing.assert_allclose(g, 3 * x.astype(np.float64) ** 2, rtol=1e-8, atol=1e-9)


def test_gradcheck_rel_error_floor_and_definition():
    assert gradcheck.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(1 / 21)
    assert gradcheck.rel_error(1.0, -1.0) == pytest.approx(1.0)
    assert gradcheck.rel_error(0.0, 1e-12) == pytest.approx(1e-4)  # the floor 1e-8 on the denominator
