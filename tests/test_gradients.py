"""02_gradients: the reference code against closed forms, hand-worked numbers and plain-loop finite differences; the
mistake catalogue and the perturbation probe; the drawings and explorers; and valid alternative solutions planted
into the notebook, which must pass every test cell."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course import gradcheck as GC
from course import gradients as G
from course.mistakes import gradients as M
from course.testing import CheckFailure
from course.viz import gradients as V
from course.widgets import gradients as W
from harness import Planted, plant, read, run
from numeric import fd_grad


rng = np.random.default_rng(0)


# --- the seed numbers and the reference code ------------------------------------------------------------------
def test_seed_001_graph_at_x2_w1():
    y, (a, b) = G.graph_forward(2.0, 1.0)
    assert (y, a, b) == (6.0, 3.0, 2.0)
    assert G.graph_backward(1.0, (a, b)) == (2.0, 5.0)


def test_graph_backward_is_the_gradient_of_the_expanded_graph():
    x, w, dy = rng.normal(size=(3, 4, 2))
    loss = lambda x_, w_: np.sum(dy * (x_ * w_ + x_ + w_**2 + w_))  # noqa: E731 (y expanded by hand)
    dx, dw = G.graph_backward(dy, G.graph_forward(x, w)[1])
    np.testing.assert_allclose(dx, fd_grad(lambda v: loss(v, w), x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dw, fd_grad(lambda v: loss(x, v), w), rtol=1e-6, atol=1e-8)


def test_seed_000_slope_signs_on_the_one_weight_curve():
    w_star = 28.1 / 14
    assert float(G.one_weight_slope(1.0)) == pytest.approx(-9.4)
    assert float(G.one_weight_slope(w_star)) == pytest.approx(0.0, abs=1e-12)
    assert float(G.one_weight_slope(w_star - 0.5622 / (2 / 3 * 14))) == pytest.approx(-0.5622)
    ws = np.linspace(0.2, 3.8, 9)
    np.testing.assert_allclose(G.one_weight_slope(ws), [fd_grad(lambda v: G.one_weight_error(v[0]), [w])[0]
                                                        for w in ws], rtol=1e-6)
    assert [V.slope_advice(s) for s in (-0.5622, 0.0, 0.7)] == ["raise", "keep", "lower"]


def test_linreg_hand_numbers_and_gradient():
    X, y, w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0, 2.0]), np.array([0.5, 0.5])
    np.testing.assert_allclose(G.linreg_forward(X, w, 0.25), [0.75, 0.75, 1.25])
    assert G.linreg_loss(X, y, w, 0.25) == pytest.approx(2.1875 / 3)
    dw, db = G.linreg_backward(X, y, w, 0.25)
    np.testing.assert_allclose(dw, [-2 / 3, -4 / 3])
    assert db == pytest.approx(-1.5)
    X, y, w, b = rng.normal(size=(7, 3)), rng.normal(size=7), rng.normal(size=3), 0.3
    dw, db = G.linreg_backward(X, y, w, b)
    np.testing.assert_allclose(dw, fd_grad(lambda v: G.linreg_loss(X, y, v, b), w), rtol=1e-6, atol=1e-8)
    assert db == pytest.approx(fd_grad(lambda v: G.linreg_loss(X, y, w, v[0]), [b])[0], rel=1e-6)


def test_gd_update_is_pure_and_gradient_descent_matches_the_closed_form():
    w, dw = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    np.testing.assert_allclose(G.gd_update(w, dw, 0.1), [0.95, 2.1])
    np.testing.assert_array_equal(w, [1.0, 2.0])
    L = np.array([[1.0, 3.0], [0.5, 8.0]])
    x0 = rng.normal(size=(2, 2))
    _, grad = G.quadratic_bowl(L)
    path = G.gradient_descent(grad, x0, 0.2, 7)
    assert path.shape == (8, 2, 2)
    rows = [x0]
    for _ in range(7):  # the recursion written out, against the closed form (1 − lr L)^t x0
        rows.append(rows[-1] - 0.2 * L * rows[-1])
    np.testing.assert_allclose(path, np.array(rows))
    np.testing.assert_allclose(G.quadratic_path(x0, 0.2, 7, L), np.array(rows))


@pytest.mark.parametrize("lr,converges", [(0.05, True), (0.15, True), (0.199, True), (0.201, False), (0.25, False)])
def test_gradient_descent_diverges_exactly_past_2_over_L(lr, converges):
    E, grad = G.quadratic_bowl([10.0, 1.0])
    path = G.gradient_descent(grad, np.array([1.0, 1.0]), lr, 400)
    assert (E(path[-1]) < E(path[0])) == converges
    assert V.descent_regime(lr, 10.0).startswith("lr > 2/L") == (not converges)


def test_descent_regime_names_the_boundaries():
    assert "smoothly" in V.descent_regime(0.05, 10)
    assert "one step" in V.descent_regime(0.1, 10) or "at once" in V.descent_regime(0.1, 10)
    assert "oscillates" in V.descent_regime(0.15, 10)
    assert "forever" in V.descent_regime(0.2, 10)
    assert "diverges" in V.descent_regime(0.21, 10)


def test_difference_errors_have_orders_one_and_two_and_their_sweet_spots():
    hs = np.array([1e-3, 1e-2])
    fwd, cen = G.difference_errors(np.sin, np.cos, 1.0, hs)
    assert np.log10(fwd[1] / fwd[0]) == pytest.approx(1.0, abs=0.05)  # O(h)
    assert np.log10(cen[1] / cen[0]) == pytest.approx(2.0, abs=0.05)  # O(h²)
    grid = np.logspace(-13, -1, 13)
    fwd, cen = G.difference_errors(np.sin, np.cos, 1.0, grid)
    assert 1e-10 <= grid[np.argmin(fwd)] <= 1e-6
    assert 1e-7 <= grid[np.argmin(cen)] <= 1e-3
    assert cen.min() < fwd.min() / 10


# --- course.gradcheck --------------------------------------------------------------------------------------------
def test_gradcheck_central_difference_and_h():
    assert GC.numerical_derivative(lambda v: v**3, 2.0, 0.1) == pytest.approx(12.01, rel=1e-12)
    assert GC.numerical_derivative(np.sin, np.float32(1.0)) == pytest.approx(np.cos(1.0), rel=1e-9)
    x = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(GC.numerical_gradient(lambda z: np.sum(z**3), x, h=1e-3), 3 * x**2 + 1e-6,
                               rtol=1e-9)


def test_gradcheck_numerical_gradient_any_shape_float32_and_x_unchanged():
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    before = x.copy()
    g = GC.numerical_gradient(lambda z: np.sum(np.asarray(z, dtype=np.float64) ** 3), x)
    np.testing.assert_array_equal(x, before)
    assert g.dtype == np.float64 and g.shape == x.shape
    np.testing.assert_allclose(g, 3 * x.astype(np.float64) ** 2, rtol=1e-8, atol=1e-9)


def test_gradcheck_rel_error_floor_and_definition():
    assert GC.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert GC.rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(1 / 21)
    assert GC.rel_error(1.0, -1.0) == pytest.approx(1.0)
    assert GC.rel_error(0.0, 1e-12) == pytest.approx(1e-4)  # the floor 1e-8 on the denominator


# --- the mistake catalogue and the probe -------------------------------------------------------------------------
CASES = {
    "numerical_derivative": (lambda v: v**3, 2.0, 0.1),
    "numerical_gradient": (lambda z: np.sum(z**3) + z[0] * z[1], np.array([1.0, 2.0, -1.0]), 1e-3),
    "rel_error": (np.array([-1.0, 0.0, -2.0]), np.array([1.0, 0.0, -2.5])),
    "graph_forward": (np.array([0.5, -1.0]), np.array([2.0, 0.5])),
    "graph_backward": (np.array([0.5, -2.0]), (np.array([2.5, -0.5]), np.array([3.0, 1.5]))),
    "linreg_forward": (np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.5, 0.5]), 0.25),
    "linreg_backward": (np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0, 2.0]),
                        np.array([0.5, 0.5]), 0.25),
    "gd_update": (np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1),
    "gradient_descent": (lambda x: np.array([1.0, 10.0]) * x, np.array([1.0, 1.0]), 0.05, 3),
}
REFERENCE = {"numerical_derivative": GC.numerical_derivative, "numerical_gradient": GC.numerical_gradient,
             "rel_error": GC.rel_error, "graph_forward": G.graph_forward, "graph_backward": G.graph_backward,
             "linreg_forward": G.linreg_forward, "linreg_backward": G.linreg_backward, "gd_update": G.gd_update,
             "gradient_descent": G.gradient_descent}


def _same(a, b):
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-7, atol=1e-10, equal_nan=True)


@pytest.mark.parametrize("name,mistake", [(n, m) for n, ms in M.MISTAKES.items() for m in ms],
                         ids=[f"{n}-{i}" for n, ms in M.MISTAKES.items() for i in range(len(ms))])
def test_every_catalogued_mistake_is_actually_wrong(name, mistake):
    args = CASES[name]
    if mistake.fn is M._gradient_in_own_dtype:  # noqa: SLF001 (only wrong for float32 input)
        args = (lambda z: np.sum(np.asarray(z, dtype=np.float64) ** 3), np.array([1.3, 0.7], dtype=np.float32))
    with np.errstate(all="ignore"):
        assert not _same(mistake.fn(*args), REFERENCE[name](*args)), mistake.sentence


def test_probe_flags_a_stale_perturbation_but_not_rounding_drift():
    probe = M.PerturbationProbe(lambda z: float(np.sum(z)), np.array([1.0, 2.0, 3.0]))
    probe(np.array([1.0 + 1e-5, 2.0, 3.0]))
    assert probe.problem is None
    probe(np.array([1.0 + 2.2e-16, 2.0 - 1e-5, 3.0]))
    assert probe.problem is None
    probe(np.array([1.0 - 1e-5, 2.0 + 1e-5, 3.0]))
    assert "2 entries of x moved at once" in probe.problem


def _in_place_no_final_restore(f, x, h=1e-5):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        if i != (x.size - 1,):
            x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def _in_place_restored(f, x, h=1e-5):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def test_check_numerical_gradient_names_x_left_perturbed_and_accepts_in_place_with_restore():
    f = lambda z: np.sum(z**3)  # noqa: E731
    x = np.array([1.0, 2.0, -1.0])
    with pytest.raises(CheckFailure, match="leaves x perturbed"):
        M.check_numerical_gradient(_in_place_no_final_restore, f, x.copy(), expected=3 * x**2)
    M.check_numerical_gradient(_in_place_restored, f, x.copy(), expected=3 * x**2)
    M.check_numerical_gradient(GC.numerical_gradient, f, x.copy(), expected=3 * x**2)
    # In place on a float32 x is a valid way (CS231n's): it passes at float32 accuracy, and is named when the
    # tolerance asks for float64 accuracy.
    x32 = np.array([1.3, 0.7], dtype=np.float32)
    f64 = lambda z: np.sum(np.asarray(z, dtype=np.float64) ** 3)  # noqa: E731
    M.check_numerical_gradient(_in_place_restored, f64, x32.copy(), expected=3 * x32.astype(np.float64) ** 2,
                               rtol=5e-3, atol=1e-4)
    with pytest.raises(CheckFailure, match="float64 copy"):
        M.check_numerical_gradient(_in_place_restored, f64, x32, expected=3 * x32.astype(np.float64) ** 2)


# --- drawings and explorers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("draw,kw", [
    (V.plot_tangent, {"w": 1.0}), (V.plot_tangent, {"w": 2.0}), (V.plot_tangent, {"w": 3.5}),
    (V.plot_gradient_descent, {"lr": 0.15, "dims": "1-D"}), (V.plot_gradient_descent, {"lr": 0.25, "dims": "2-D"}),
    (V.plot_difference_errors, {"function": "x³ at x = 2", "log10_h": -8.0}),
    (V.plot_linreg_training, {"x": np.arange(5.0), "y": 2 * np.arange(5.0), "w": np.array([2.0]), "b": 0.0,
                              "losses": [4.0, 1.0, 0.1]}),
])
def test_drawings_return_figures_with_data(draw, kw):
    fig = draw(**kw)
    assert isinstance(fig, Figure)
    assert all(ax.has_data() for ax in fig.axes)


def test_tangent_title_says_what_the_sign_means():
    assert "raise the weight" in V.plot_tangent(1.0).axes[0].get_title()
    assert "lower the weight" in V.plot_tangent(3.5).axes[0].get_title()
    assert "leave the weight" in V.plot_tangent(2.0).axes[0].get_title()


def test_gradient_descent_picture_names_the_regime():
    assert "diverges" in V.plot_gradient_descent(0.21, "2-D").axes[1].get_title()
    assert "oscillates" in V.plot_gradient_descent(0.15, "1-D").axes[1].get_title()


@pytest.mark.parametrize("make,name,value", [(W.tangent_explorer, "w", 3.0),
                                             (W.gradient_descent_explorer, "lr", 0.21),
                                             (W.gradient_descent_explorer, "dims", "2-D"),
                                             (W.difference_error_explorer, "log10_h", -10.0)])
def test_moving_a_control_redraws_a_different_picture(make, name, value):
    box = make()
    before = box.output.outputs[0]["data"]["image/png"]
    box.controls[name].value = value
    assert box.renders == 2
    assert box.output.outputs[0]["data"]["image/png"] != before


# --- valid alternative solutions pass every test cell ------------------------------------------------------------
def _solution_block(nb, gid):
    src = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    start = src.index("### BEGIN SOLUTION\n") + len("### BEGIN SOLUTION\n")
    return src[start:src.index("    ### END SOLUTION")]


def _plant_all(nb, variants):
    for gid, body in variants.items():
        nb = plant(nb, Planted(f"variant-{gid}", gid, _solution_block(nb, gid), body, ""))
    return nb


LOOPS = {
    "numerical_derivative": "    x = float(x)\n    f_plus, f_minus = f(x + h), f(x - h)\n    return (f_plus - f_minus) / (h + h)\n",
    "numerical_gradient": """    x = x.astype(np.float64)          # astype copies
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad
""",
    "rel_error": """    worst = 0.0
    for p, q in zip(np.ravel(a), np.ravel(b)):
        p, q = float(p), float(q)
        worst = max(worst, abs(p - q) / max(1e-8, abs(p) + abs(q)))
    return worst
""",
    "graph_forward": "    return (x + w) * (w + 1), [x + w, w + 1]\n",
    "graph_backward": "    a, b = cache\n    return dy * b, dy * (a + b)\n",
    "linreg_forward": """    N, D = X.shape
    out = np.zeros(N)
    for n in range(N):
        out[n] = sum(float(X[n, d]) * float(w[d]) for d in range(D)) + b
    return out
""",
    "linreg_backward": """    N, D = X.shape
    dw, db = np.zeros(D), 0.0
    for n in range(N):
        r = sum(float(X[n, d]) * float(w[d]) for d in range(D)) + b - float(y[n])
        for d in range(D):
            dw[d] += 2 * r * float(X[n, d]) / N
        db += 2 * r / N
    return dw, db
""",
    "gd_update": "    w_new = np.array(w, dtype=np.float64, copy=True)\n    w_new -= lr * np.asarray(dw)\n    return w_new\n",
    "gradient_descent": """    x0 = np.asarray(x0, dtype=np.float64)
    path = np.empty((num_steps + 1,) + x0.shape)
    path[0] = x0
    for t in range(num_steps):
        path[t + 1] = path[t] - lr * grad_fn(path[t])
    return path
""",
}

VECTORISED = {
    "numerical_gradient": """    xc = np.array(x, dtype=float)
    flat = xc.reshape(-1)                 # a view of the private copy
    g = np.zeros(xc.size)
    for k in range(xc.size):
        xp, xm = xc.copy(), xc.copy()
        xp.reshape(-1)[k] += h
        xm.reshape(-1)[k] -= h
        g[k] = (f(xp) - f(xm)) / (2 * h)
    return g.reshape(xc.shape)
""",
    "rel_error": """    diff = np.abs(np.subtract(a, b, dtype=float))
    den = np.maximum(np.abs(a) + np.abs(b), 1e-8)
    return float((diff / den).max())
""",
    "graph_backward": """    a, b = cache
    dy_da, dy_db = b, a                     # local derivatives of the product
    return dy * dy_da * 1.0, dy * dy_da * 1.0 + dy * dy_db * 1.0
""",
    "linreg_forward": "    return np.einsum('nd,d->n', X, w) + b\n",
    "linreg_backward": "    r = np.dot(X, w) + b - y\n    return 2 * np.mean(r[:, None] * X, axis=0), 2 * np.mean(r)\n",
    "gd_update": "    return np.subtract(w, np.multiply(lr, dw))\n",
    "gradient_descent": """    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(num_steps):
        x -= lr * grad_fn(x)              # in place on a private copy, stored as copies
        path.append(x.copy())
    return np.stack(path)
""",
}


@pytest.mark.slow
@pytest.mark.parametrize("variants", [LOOPS, VECTORISED], ids=["loops-nditer", "vectorised-flat"])
def test_valid_variants_pass_every_test_cell(variants):
    nb = _plant_all(read("02_gradients"), variants)
    results = run(nb)
    failed = {k: v for k, v in results.items() if v}
    assert not failed, failed
    assert sum(1 for k in results if k.startswith("test_")) == 9


def test_probe_reads_the_callers_x_by_reference():
    # An implementation that perturbs the caller's x in place but hands f a fresh copy is still watched.
    x = np.array([1.0, 2.0, 3.0])

    def sneaky(f, x, h=1e-5):
        g = np.zeros(x.shape)
        for i in range(x.size):
            x[i] += h  # never restored
            g[i] = (f(x.copy()) - f(x.copy() - 2 * h * np.eye(x.size)[i])) / (2 * h)
        return g

    with pytest.raises(CheckFailure, match="moved at once"):
        M.check_numerical_gradient(sneaky, lambda z: float(np.sum(z**2)), x, expected=2 * x)
