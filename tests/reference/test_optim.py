"""course.optim against independent computations: closed forms on constant gradients, unrolled sums, hand steps."""

import math

import numpy as np
import pytest

from course import optim


def run(update, w0, grads, **kw):
    state, w, ws = {}, np.array(w0, dtype=float), []
    for g in grads:
        w, state = update(w, g, state, **kw)
        ws.append(w)
    return ws, state


# --- SGD and momentum -----------------------------------------------------------------------------------------------

def test_sgd_by_hand_and_weight_decay():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    np.testing.assert_allclose(optim.sgd_update(w, dw, 0.1), [0.95, -2.025])
    # weight decay 0.5 adds 0.5*w to the gradient: [1.0, -0.75]
    np.testing.assert_allclose(optim.sgd_update(w, dw, 0.1, weight_decay=0.5), [0.9, -1.925])
    assert w.tolist() == [1.0, -2.0] and dw.tolist() == [0.5, 0.25]


def test_momentum_buffer_is_a_geometric_sum_of_gradients():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(3) for _ in range(5)]
    mu, d, lr = 0.8, 0.3, 0.05
    ws, state = run(optim.momentum_update, np.zeros(3), grads, lr=lr, momentum=mu, dampening=d)
    # buf_1 = g_1 (no dampening on the first step); buf_t = mu^{t-1} g_1 + (1-d) sum_{k=2..t} mu^{t-k} g_k
    T = len(grads)
    bufs = [mu ** (t - 1) * grads[0] + (1 - d) * sum(mu ** (t - k) * grads[k - 1] for k in range(2, t + 1))
            for t in range(1, T + 1)]
    np.testing.assert_allclose(state["momentum_buffer"], bufs[-1])
    np.testing.assert_allclose(ws[-1], -lr * sum(bufs))


def test_nesterov_uses_gradient_plus_mu_times_buffer():
    g1, g2 = np.array([1.0]), np.array([2.0])
    w1, s = optim.momentum_update(np.array([0.0]), g1, {}, lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(w1, [-0.19])  # buf = 1, direction = 1 + 0.9
    w2, s = optim.momentum_update(w1, g2, s, lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(s["momentum_buffer"], [2.9])  # 0.9*1 + 2
    np.testing.assert_allclose(w2, [-0.19 - 0.1 * (2.0 + 0.9 * 2.9)])


def test_cs231n_convention_gives_the_same_weights_at_constant_lr():
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(4) for _ in range(6)]
    ws, _ = run(optim.momentum_update, np.ones(4), grads, lr=0.03, momentum=0.9)
    w, v = np.ones(4), np.zeros(4)
    for g, wt in zip(grads, ws):
        v = 0.9 * v - 0.03 * g
        w = w + v
        np.testing.assert_allclose(w, wt)


# --- adaptive methods: closed forms for a constant gradient ---------------------------------------------------------

@pytest.mark.parametrize("eps", [1e-10, 0.3])
def test_adagrad_constant_gradient(eps):
    g = np.array([0.5, -2.0])
    ws, state = run(optim.adagrad_update, [0.0, 0.0], [g] * 4, lr=0.1, eps=eps)
    expected = -sum(0.1 * g / (math.sqrt(t) * np.abs(g) + eps) for t in range(1, 5))
    np.testing.assert_allclose(ws[-1], expected)
    np.testing.assert_allclose(state["sum"], 4 * g**2)
    assert state["step"] == 4


@pytest.mark.parametrize("alpha,eps", [(0.99, 1e-8), (0.5, 0.1)])
def test_rmsprop_constant_gradient(alpha, eps):
    g = np.array([0.3, -1.0])
    ws, state = run(optim.rmsprop_update, [0.0, 0.0], [g] * 3, lr=0.01, alpha=alpha, eps=eps)
    expected = -sum(0.01 * g / (math.sqrt(1 - alpha**t) * np.abs(g) + eps) for t in range(1, 4))
    np.testing.assert_allclose(ws[-1], expected)
    np.testing.assert_allclose(state["square_avg"], (1 - alpha**3) * g**2)


@pytest.mark.parametrize("eps", [1e-8, 0.05])
def test_adam_constant_gradient_moves_lr_per_step(eps):
    # m_t = (1-b1^t) g and v_t = (1-b2^t) g^2, so the corrected step is lr*g/(|g|+eps) from the very first step.
    g = np.array([0.2, -3.0, 1e-3])
    ws, state = run(optim.adam_update, np.zeros(3), [g] * 5, lr=0.01, eps=eps)
    for t, w in enumerate(ws, start=1):
        np.testing.assert_allclose(w, -t * 0.01 * g / (np.abs(g) + eps))
    assert state["step"] == 5
    np.testing.assert_allclose(state["exp_avg"], (1 - 0.9**5) * g)
    np.testing.assert_allclose(state["exp_avg_sq"], (1 - 0.999**5) * g**2)


def test_adam_unrolled_with_changing_gradients():
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal(3) for _ in range(4)]
    b1, b2, lr, eps = 0.8, 0.95, 0.1, 1e-3
    ws, _ = run(optim.adam_update, np.zeros(3), grads, lr=lr, betas=(b1, b2), eps=eps)
    w = np.zeros(3)
    for t in range(1, 5):
        m = (1 - b1) * sum(b1 ** (t - k) * grads[k - 1] for k in range(1, t + 1))
        v = (1 - b2) * sum(b2 ** (t - k) * grads[k - 1] ** 2 for k in range(1, t + 1))
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(ws[t - 1], w)


def test_adamw_decays_weights_before_the_adam_step():
    g = np.array([1.0, -1.0])
    lr, wd = 0.1, 0.5
    ws, state = run(optim.adamw_update, [2.0, 2.0], [g] * 3, lr=lr, weight_decay=wd, eps=0.0)
    w = np.array([2.0, 2.0])
    for t in range(3):
        w = w * (1 - lr * wd) - lr * np.sign(g)  # the Adam step is exactly lr·sign(g) with eps=0
        np.testing.assert_allclose(ws[t], w)
    np.testing.assert_allclose(state["exp_avg"], (1 - 0.9**3) * g)  # the raw gradient, no decay folded in


def test_updates_leave_inputs_untouched_and_keep_float32():
    w, dw = np.ones(3, np.float32), np.full(3, 0.5, np.float32)
    for update in (optim.momentum_update, optim.adagrad_update, optim.rmsprop_update, optim.adam_update,
                   optim.adamw_update):
        state = {}
        for _ in range(2):
            w_new, state = update(w, dw, state, lr=0.1)
        assert w.tolist() == [1.0] * 3 and dw.tolist() == [0.5] * 3, update.__name__
        assert w_new.dtype == np.float32, update.__name__


# --- clipping, schedules, mini-batches ------------------------------------------------------------------------------

def test_clip_grad_norm_scales_jointly_and_returns_the_norm_before():
    grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]  # joint norm 5
    clipped, total = optim.clip_grad_norm(grads, 1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(clipped[0], [3.0 / (5 + 1e-6), 0.0])
    np.testing.assert_allclose(clipped[1], [[0.0, 4.0 / (5 + 1e-6)]])
    assert grads[0].tolist() == [3.0, 0.0]
    same, total = optim.clip_grad_norm(grads, 10.0)
    assert total == pytest.approx(5.0) and same[1].tolist() == [[0.0, 4.0]] and same[0] is not grads[0]


def test_clip_grad_value():
    out = optim.clip_grad_value([np.array([-3.0, 0.5, 2.0])], 1.0)
    assert out[0].tolist() == [-1.0, 0.5, 1.0]


def test_schedules_by_hand():
    assert [optim.step_lr(1.0, e, 3, gamma=0.5) for e in range(7)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    assert optim.cosine_annealing_lr(0.1, 0, 10) == pytest.approx(0.1)
    assert optim.cosine_annealing_lr(0.1, 5, 10, eta_min=0.02) == pytest.approx(0.06)
    assert optim.cosine_annealing_lr(0.1, 10, 10, eta_min=0.02) == pytest.approx(0.02)
    assert optim.cosine_annealing_lr(1.0, 1, 3) == pytest.approx(0.75)  # (1 + cos 60°) / 2


def test_iterate_minibatches_covers_every_sample_once_and_keeps_the_last_batch():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(optim.iterate_minibatches(X, y, 4, rng=np.random.default_rng(0)))
    assert [len(b) for _, b in batches] == [4, 4, 2]
    ys = np.concatenate([b for _, b in batches])
    assert sorted(ys.tolist()) == list(range(10)) and ys.tolist() != list(range(10))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb, X[yb])
    plain = list(optim.iterate_minibatches(X, y, 4, shuffle=False))
    assert np.concatenate([b for _, b in plain]).tolist() == list(range(10))


# --- the classes wrap the functions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("cls,fn,kw", [
    (optim.SGD, optim.momentum_update, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (optim.Adagrad, optim.adagrad_update, {"lr": 0.1}),
    (optim.RMSprop, optim.rmsprop_update, {"lr": 0.01}),
    (optim.Adam, optim.adam_update, {"lr": 0.01}),
    (optim.AdamW, optim.adamw_update, {"lr": 0.01, "weight_decay": 0.1}),
])
def test_classes_match_their_pure_function(cls, fn, kw):
    rng = np.random.default_rng(3)
    p, q = optim.Parameter(rng.standard_normal((2, 3)), "W"), optim.Parameter(np.zeros(3), "b")
    opt = cls([p, q], **kw)
    w_ref, state = p.data.copy(), {}
    data_id = id(p.data)
    for _ in range(3):
        g = rng.standard_normal((2, 3))
        opt.zero_grad()
        assert not p.grad.any()
        p.grad += g
        q.grad = None  # a parameter without gradient is skipped
        opt.step()
        w_ref, state = fn(w_ref, g, state, **kw)
    np.testing.assert_allclose(p.data, w_ref)
    assert id(p.data) == data_id and q.data.tolist() == [0.0, 0.0, 0.0] and q not in opt.state
    assert opt.state[p].keys() == state.keys()


def test_plain_sgd_class_with_weight_decay_and_lr_attribute():
    p = optim.Parameter([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1, weight_decay=0.5)
    p.grad = np.array([1.0, 1.0])
    opt.step()
    np.testing.assert_allclose(p.data, [1 - 0.1 * 1.5, 2 - 0.1 * 2.0])
    opt.lr = 0.0
    opt.step()
    np.testing.assert_allclose(p.data, [0.85, 1.8])
    assert p.data.dtype == np.float64  # integers or lists become float64
    with pytest.raises(ValueError):
        optim.SGD([], lr=0.1)


@pytest.mark.parametrize("cls,kw,pure", [
    (optim.Adam, {"weight_decay": 0.0}, lambda w, g, s, o: optim.adam_update(w, g, s, o.lr, o.betas, o.eps)),
    (optim.Adam, {"weight_decay": 0.1}, lambda w, g, s, o: optim.adam_update(w, g + 0.1 * w, s, o.lr, o.betas, o.eps)),
    (optim.AdamW, {"weight_decay": 0.1}, lambda w, g, s, o: optim.adamw_update(w, g, s, o.lr, o.betas, o.eps, 0.1)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_in_place_adam_classes_follow_the_pure_update_step_by_step(cls, kw, pure, dtype):
    gen = np.random.default_rng(3)
    p = optim.Parameter(gen.normal(size=(4, 3)).astype(dtype))
    opt = cls([p], lr=0.05, **kw)
    w, state = p.data.copy(), {}
    for _ in range(5):
        g = gen.normal(size=(4, 3)).astype(dtype)
        p.grad = g.copy()
        opt.step()
        previous = {k: np.copy(v) for k, v in state.items() if isinstance(v, np.ndarray)}
        kept = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
        w, state = pure(w, g, state, opt)
        for k, arr in kept.items():  # the pure function never writes into the caller's old state arrays
            np.testing.assert_array_equal(arr, previous[k])
        np.testing.assert_allclose(p.data, w, rtol=2e-6 if dtype == np.float32 else 1e-13)
        np.testing.assert_array_equal(p.grad, g)
    assert p.data.dtype == dtype and opt.state[p]["step"] == 5
