"""07's experiments: the gradient reaching each step (against finite differences of a perturbed state and an explicit
product of Jacobians), vanishing and exploding at the rate ρ in the linear regime, the LSTM keeping more of it; a run
that explodes without clipping and trains with it; the CTC lattice against an enumeration of every path; and the
functions given as arguments really doing the work."""

import itertools
import types

import numpy as np
import pytest

from course import ctc, optim, rnn
from course.examples import through_time as experiments


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _rnn_loss_from(x, params, v, t0, h_t0):
    """``L = Σₙ v·h_{T−1}`` with the state at step t0 replaced by ``h_t0``: the tanh recurrence written out here."""
    h = h_t0
    for t in range(t0 + 1, x.shape[1]):
        h = np.tanh(x[:, t] @ params["W_ih"].T + params["b_ih"] + h @ params["W_hh"].T + params["b_hh"])
    return float(np.sum(h @ v))


def _lstm_step(x, h, c, p):
    H = h.shape[1]
    a = x @ p["W_ih"].T + p["b_ih"] + h @ p["W_hh"].T + p["b_hh"]
    i, f, g, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])
    c = f * c + i * g
    return o * np.tanh(c), c


def _lstm_states(x, p):
    h = c = np.zeros((x.shape[0], p["W_hh"].shape[1]))
    states = []
    for t in range(x.shape[1]):
        h, c = _lstm_step(x[:, t], h, c, p)
        states.append((h, c))
    return states


def _lstm_loss_from(x, p, v, t0, h_t0, c_t0):
    h, c = h_t0, c_t0
    for t in range(t0 + 1, x.shape[1]):
        h, c = _lstm_step(x[:, t], h, c, p)
    return float(np.sum(h @ v))


def _rms(g):
    return np.sqrt(np.mean(np.sum(g**2, axis=1)))


def _numerical_norms(loss_at, states, eps=1e-6):
    """‖∂L/∂h_t‖ (root mean square over the batch) by central differences of ``loss_at(t, h_t)``."""
    norms = []
    for t, h in enumerate(states):
        g = np.zeros_like(h)
        for idx in np.ndindex(h.shape):
            for sign in (1.0, -1.0):
                bumped = h.copy()
                bumped[idx] += sign * eps
                g[idx] += sign * loss_at(t, bumped) / (2 * eps)
        norms.append(_rms(g))
    return np.array(norms)


@pytest.fixture
def small():
    rng = np.random.default_rng(5)
    N, T, D, H = 2, 6, 2, 3
    x = rng.normal(size=(N, T, D))
    v = rng.normal(size=H)
    params = {"W_ih": rng.normal(size=(H, D)), "W_hh": 1.3 * rng.normal(size=(H, H)) / np.sqrt(H),
              "b_ih": 0.1 * rng.normal(size=H), "b_hh": 0.1 * rng.normal(size=H)}
    lstm = {"W_ih": rng.normal(size=(4 * H, D)), "W_hh": rng.normal(size=(4 * H, H)) / np.sqrt(H),
            "b_ih": 0.5 * rng.normal(size=4 * H), "b_hh": 0.5 * rng.normal(size=4 * H)}
    return x, v, params, lstm


def test_rnn_norms_match_finite_differences_of_a_perturbed_state(small):
    x, v, params, _ = small
    h, states = np.zeros((x.shape[0], len(v))), []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ params["W_ih"].T + params["b_ih"] + h @ params["W_hh"].T + params["b_hh"])
        states.append(h)
    expected = _numerical_norms(lambda t, h_t: _rnn_loss_from(x, params, v, t, h_t), states)
    norms, mean_abs_h = experiments.rnn_gradient_norms(x, params, v)
    np.testing.assert_allclose(norms, expected, rtol=1e-6)
    assert mean_abs_h == pytest.approx(np.mean([np.abs(s).mean() for s in states]))


def test_rnn_norms_are_the_product_of_the_step_jacobians(small):
    x, v, params, _ = small
    h, jacobians = np.zeros((1, len(v))), []
    for t in range(x.shape[1]):  # the first example alone: J_t = diag(1 − h_t²) W_hh
        h = np.tanh(x[:1, t] @ params["W_ih"].T + params["b_ih"] + h @ params["W_hh"].T + params["b_hh"])
        jacobians.append(np.diag(1 - h[0] ** 2) @ params["W_hh"])
    T = x.shape[1]
    expected = []
    for t in range(T):
        product = np.eye(len(v))
        for J in jacobians[t + 1:]:
            product = J @ product  # ∂h_{T−1}/∂h_t = J_{T−1} ⋯ J_{t+1}
        expected.append(np.linalg.norm(product.T @ v))
    norms, _ = experiments.rnn_gradient_norms(x[:1], params, v)
    np.testing.assert_allclose(norms, expected, rtol=1e-10)
    assert norms[-1] == pytest.approx(np.linalg.norm(v))


def test_lstm_norms_match_finite_differences_of_a_perturbed_hidden_state(small):
    x, v, _, lstm = small
    states = _lstm_states(x, lstm)
    expected = _numerical_norms(lambda t, h_t: _lstm_loss_from(x, lstm, v, t, h_t, states[t][1]),
                                [h for h, _ in states])
    np.testing.assert_allclose(experiments.lstm_gradient_norms(x, lstm, v), expected, rtol=1e-6)


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.1, 1.5])
def test_with_tiny_inputs_the_gradient_changes_by_rho_at_every_step(rho):
    r = experiments.gradient_through_time((rho,), lstm=False, T=30, input_scale=1e-9)
    norms = r["rnn"][rho]
    np.testing.assert_allclose(norms[:-1] / norms[1:], rho, rtol=1e-6)
    assert norms[-1] == pytest.approx(1.0)  # the readout v has unit length
    if rho < 1:
        assert norms[0] < 1e-1 * norms[-1], "ρ < 1: the gradient vanishes going back"
    if rho > 1:
        assert norms[0] > 10 * norms[-1], "ρ > 1: the gradient explodes going back"


def test_saturation_damps_the_gradient_below_rho_to_the_power():
    r = experiments.gradient_through_time((1.1,), lstm=False, T=100, input_scale=1.0)
    assert r["rnn"][1.1][0] < 1e-3 * 1.1**99 and r["mean_abs_h"][1.1] > 0.5


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_the_lstm_with_forget_bias_1_keeps_more_gradient_at_the_start_than_the_rho_0_9_rnn(seed):
    rng = None if seed is None else np.random.default_rng(seed)
    r = experiments.gradient_through_time((0.9,), T=100, rng=rng)
    margin = 10 if seed is None else 1  # the lesson's picture (the default generator) by a factor of 10 or more
    assert r["lstm"][0] > margin * r["rnn"][0.9][0], (r["lstm"][0], r["rnn"][0.9][0])
    # a forget gate held nearer 1 keeps more still
    rng = None if seed is None else np.random.default_rng(seed)
    held = experiments.gradient_through_time((), T=100, forget_bias=3.0, rng=rng)
    assert held["lstm"][0] > 100 * r["lstm"][0]


def test_with_inputs_of_unit_size_the_lstm_keeps_more_than_every_rnn_up_to_rho_1_1():
    r = experiments.gradient_through_time((0.9, 1.0, 1.1), T=100, input_scale=1.0)
    assert all(r["lstm"][0] > 100 * r["rnn"][rho][0] for rho in (0.9, 1.0, 1.1))


def test_the_problem_is_drawn_from_the_generator_and_a_shorter_sequence_is_a_prefix():
    a = experiments.make_problem(T=20, rng=np.random.default_rng(3))
    b = experiments.make_problem(T=20, rng=np.random.default_rng(3))
    c = experiments.make_problem(T=10, rng=np.random.default_rng(3))
    d = experiments.make_problem(T=20, rng=np.random.default_rng(4))
    for key in ("x", "v", "Q", "W_ih"):
        np.testing.assert_array_equal(a[key], b[key])
    np.testing.assert_array_equal(c["x"], a["x"][:, :10])
    assert not np.allclose(a["x"], d["x"])
    np.testing.assert_allclose(a["Q"] @ a["Q"].T, np.eye(32), atol=1e-12)
    assert np.std(a["x"] @ a["W_ih"].T) == pytest.approx(0.3, rel=0.15)
    forget = a["lstm"]["b_ih"][32:64]
    assert np.all(forget == 1.0) and np.count_nonzero(a["lstm"]["b_ih"]) == 32 and not a["lstm"]["b_hh"].any()


# ---- clipping --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rescue():
    return experiments.clipping_rescue()


def test_every_clipped_step_is_at_most_max_norm_and_shorter_gradients_are_left_alone(rescue):
    clipped, max_norm = rescue["clipped"], rescue["max_norm"]
    assert np.all(np.isfinite(clipped["step_norm"]))
    assert np.all(clipped["step_norm"] <= max_norm * (1 + 1e-9))
    short = clipped["grad_norm"] < max_norm
    assert short.any() and (~short).any()
    np.testing.assert_allclose(clipped["step_norm"][short], clipped["grad_norm"][short], rtol=1e-12)
    np.testing.assert_allclose(clipped["step_norm"][~short], max_norm, rtol=1e-5)
    np.testing.assert_array_equal(rescue["plain"]["step_norm"], rescue["plain"]["grad_norm"])


def test_without_clipping_the_gradient_spikes_and_the_loss_diverges_with_it_the_loss_falls(rescue):
    plain, clipped = rescue["plain"], rescue["clipped"]
    assert plain["loss"][0] == clipped["loss"][0], "both runs start from the same weights on the same batch"
    assert np.nanmax(plain["grad_norm"][:20]) > 1e3 * plain["grad_norm"][0]
    end_plain = plain["loss"][np.isfinite(plain["loss"])][-1]
    assert end_plain > 1e3 * plain["loss"][0]
    end_clipped = np.mean(clipped["loss"][-10:])
    assert end_clipped < 0.2 * clipped["loss"][0] and end_clipped < np.var(np.linspace(-1, 1, 1001))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rescue_does_not_hang_on_one_generator(seed):
    r = experiments.clipping_rescue(rng=np.random.default_rng(seed))
    finite = r["plain"]["loss"][np.isfinite(r["plain"]["loss"])]
    assert finite[-1] > 100 * finite[0] and np.mean(r["clipped"]["loss"][-10:]) < 0.5 * r["clipped"]["loss"][0]


def test_the_echo_targets_are_the_input_delay_steps_before_the_end():
    X, Y = experiments.echo_batches(3, batch=4, T=7, delay=2, rng=np.random.default_rng(0))
    assert X.shape == (3, 4, 7, 1) and Y.shape == (3, 4)
    np.testing.assert_array_equal(Y, X[:, :, 4, 0])


def test_a_run_that_overflows_stops_and_leaves_the_rest_nan():
    rng = np.random.default_rng(0)
    H = 4
    params = {"W_ih": rng.normal(size=(H, 1)), "W_hh": 3 * np.eye(H), "b_ih": np.zeros(H), "b_hh": np.zeros(H),
              "W_out": np.ones((1, H)), "b_out": np.zeros(1)}
    X, Y = experiments.echo_batches(40, batch=8, T=10, rng=rng)
    before = {k: v.copy() for k, v in params.items()}
    record = experiments.train_echo(X, Y * 1e200, params, lr=1e3)
    stop = np.flatnonzero(~np.isfinite(record["loss"]))[0]
    assert np.all(np.isnan(record["loss"][stop + 1:])) and stop < 39
    assert all(np.array_equal(before[k], params[k]) for k in params), "train_echo must not change params"


# ---- the CTC lattice -------------------------------------------------------------------------------------------------
def _lattice_paths(ext, T):
    """Every path through the lattice, by enumeration: start in row 0 or 1, stay, advance one, or skip a blank
    between two different labels, end in one of the last two rows."""
    L = len(ext)
    for rows in itertools.product(range(L), repeat=T):
        if rows[0] > 1 or rows[-1] < L - 2:
            continue
        if all(b - a in (0, 1) or (b - a == 2 and ext[b] != 0 and ext[b] != ext[a]) for a, b in zip(rows, rows[1:])):
            yield rows


def _collapse(path):
    return [c for k, c in enumerate(path) if c != 0 and (k == 0 or path[k - 1] != c)]


@pytest.mark.parametrize("target", [[1, 2], [1, 1], [2]])
def test_the_lattice_agrees_with_enumerating_every_path(target):
    rng = np.random.default_rng(11)
    T, C = 5, 3
    logits = 2 * rng.normal(size=(T, C))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    lat = experiments.ctc_lattice(logits, target)
    ext = lat["ext"]
    assert list(ext) == [0, *sum(([c, 0] for c in target), [])]
    paths = {rows: np.prod([probs[t, ext[s]] for t, s in enumerate(rows)]) for rows in _lattice_paths(ext, T)}
    p = sum(paths.values())
    # the lattice's moves are exactly the alignments that collapse to the target
    alignments = sum(np.prod(probs[np.arange(T), a]) for a in itertools.product(range(C), repeat=T)
                     if _collapse(a) == target)
    assert p == pytest.approx(alignments, rel=1e-12)
    assert np.exp(-lat["nll"]) == pytest.approx(p, rel=1e-9)
    gamma = np.zeros((T, len(ext)))
    for rows, q in paths.items():
        gamma[np.arange(T), rows] += q / p
    np.testing.assert_allclose(lat["gamma"], gamma, atol=1e-12)
    np.testing.assert_allclose(lat["gamma"].sum(axis=1), 1.0)
    best = max(paths, key=paths.get)
    assert tuple(lat["path"]) == best and np.exp(lat["path_log_prob"]) == pytest.approx(paths[best])
    assert lat["greedy"] == _collapse(list(np.argmax(logits, axis=1)))


def test_a_target_that_cannot_fit_has_no_path_and_probability_zero():
    lat = experiments.ctc_lattice(np.zeros((2, 3)), [1, 1])  # 1, ∅, 1 needs three steps
    assert lat["path"] is None and lat["nll"] == np.inf and not lat["gamma"].any()
    assert experiments.ctc_lattice(np.zeros((5, 3)), [1, 1], input_length=3)["path"] is not None


@pytest.mark.parametrize("target", [[1, 2], [1, 1], [1, 2, 1], [1, 2, 2]])
def test_confident_example_scores_read_their_target_and_a_strong_blank_bias_reads_nothing(target):
    assert experiments.ctc_lattice(experiments.example_logits(target, T=10, confidence=4.0), target)["greedy"] == target
    blank = experiments.example_logits(target, T=10, blank_bias=50.0)
    assert ctc.ctc_greedy_decode(blank[None], [10])[0] == []
    np.testing.assert_array_equal(experiments.example_logits(target, 10, rng=np.random.default_rng(1)),
                                  experiments.example_logits(target, 10, rng=np.random.default_rng(1)))


# ---- the functions given are the ones used ---------------------------------------------------------------------------
def _counting(module, names, scale=None):
    """A namespace of ``module``'s functions that count their calls; ``scale`` multiplies every array they return."""
    calls = {name: 0 for name in names}

    def wrap(name):
        def fn(*args, **kwargs):
            calls[name] += 1
            out = getattr(module, name)(*args, **kwargs)
            if scale is None:
                return out
            return tuple(o * scale if isinstance(o, np.ndarray) else o for o in out)
        return fn

    return types.SimpleNamespace(**{name: wrap(name) for name in names}), calls


def test_gradient_through_time_steps_with_the_given_cells():
    names = ("rnn_cell_forward", "rnn_cell_backward", "lstm_cell_forward", "lstm_cell_backward")
    fns, calls = _counting(rnn, names)
    own = experiments.gradient_through_time((0.9, 1.1), T=12, fns=fns)
    assert calls == {"rnn_cell_forward": 24, "rnn_cell_backward": 24, "lstm_cell_forward": 12,
                     "lstm_cell_backward": 12}
    reference = experiments.gradient_through_time((0.9, 1.1), T=12)
    np.testing.assert_array_equal(own["rnn"][1.1], reference["rnn"][1.1])
    doubled, _ = _counting(rnn, ("rnn_cell_backward",), scale=2.0)  # a backward that doubles: its result is drawn
    wrong = experiments.gradient_through_time((0.9,), lstm=False, T=12, fns={"rnn_cell_backward":
                                                                              doubled.rnn_cell_backward})
    np.testing.assert_allclose(wrong["rnn"][0.9], reference["rnn"][0.9] * 2.0 ** np.arange(11, -1, -1))


def test_the_clipping_run_uses_the_given_sequence_functions_and_clip():
    fns, calls = _counting(rnn, ("rnn_forward", "rnn_backward"))
    clip, clip_calls = _counting(optim, ("clip_grad_norm",))
    fns.clip_grad_norm = clip.clip_grad_norm
    r = experiments.clipping_rescue(steps=12, fns=fns)
    assert calls == {"rnn_forward": 24, "rnn_backward": 24} and clip_calls == {"clip_grad_norm": 12}
    np.testing.assert_array_equal(r["clipped"]["loss"], experiments.clipping_rescue(steps=12)["clipped"]["loss"])

    def no_clip(grads, max_norm):
        return list(grads), 0.0

    unclipped = experiments.clipping_rescue(steps=12, fns={"clip_grad_norm": no_clip})
    np.testing.assert_array_equal(unclipped["clipped"]["loss"], unclipped["plain"]["loss"])


def test_the_lattice_uses_the_given_ctc_functions():
    names = ("log_softmax", "ctc_alpha", "ctc_beta", "ctc_greedy_decode", "ctc_loss_forward", "ctc_loss_backward")
    fns, calls = _counting(ctc, names)
    logits = experiments.example_logits([1, 2], T=6)
    lat = experiments.ctc_lattice(logits, [1, 2], fns=fns)
    assert all(calls[name] == 1 for name in names), calls
    assert lat["gradient_agrees"] is True

    def halved(cache):
        return ctc.ctc_loss_backward(cache) / 2

    assert experiments.ctc_lattice(logits, [1, 2], fns={"ctc_loss_backward": halved})["gradient_agrees"] is False
    assert experiments.ctc_lattice(logits, [1, 2], fns={"ctc_loss_backward": lambda cache: None})[
        "gradient_agrees"] is False
    assert experiments.ctc_lattice(logits[:2], [1, 1])["gradient_agrees"] is None  # no alignment fits

    def ctc_greedy_decode(logits, input_lengths, blank=0):
        return [[3, 3, 3]]

    def ctc_loss_forward(logits, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
        return 5.0, None

    other = experiments.ctc_lattice(logits, [1, 2], fns={"ctc_greedy_decode": ctc_greedy_decode,
                                                         "ctc_loss_forward": ctc_loss_forward})
    assert other["greedy"] == [3, 3, 3] and other["nll"] == 10.0  # the loss is per label: × 2 labels
    assert other["gradient_agrees"] is None  # the course's backward cannot read that forward's cache: not checked
    np.testing.assert_array_equal(other["gamma"], lat["gamma"])
