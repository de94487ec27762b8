"""Lesson 07's experiments: gradients through time, a training run rescued by clipping, and one example's CTC lattice.

- :func:`gradient_through_time`: ``‖∂L/∂h_t‖`` against the step t for tanh RNNs whose ``W_hh`` is ``ρ·Q`` (Q
  orthogonal, so ρ is its spectral radius), and for an LSTM, on the same inputs and the same loss on the last state.
  One backward pass, stepped one cell at a time (:func:`rnn_gradient_norms`, :func:`lstm_gradient_norms`), gives
  every ``∂L/∂h_t``.
- :func:`clipping_rescue`: a tanh RNN learning to echo the input it saw ``delay`` steps before the end, trained with
  plain SGD twice from the same start on the same batches: without clipping and with ``clip_grad_norm``.
- :func:`ctc_lattice`: α, β and the posteriors γ of one example over its blank-extended target, and the most likely
  path through that lattice.

The cell, sequence and CTC functions are arguments (``fns``: a namespace such as ``course.demo.Yours``, or a dict, by
name), so that an explorer can run the student's own; any name ``fns`` does not hold is the course's.
"""

import numpy as np

from course import ctc, init, optim, rnn
from course.demo import DemoNeedsFunction, own_or_course

__all__ = ["RHOS", "make_problem", "rnn_gradient_norms", "lstm_gradient_norms", "gradient_through_time",
           "echo_batches", "train_echo", "clipping_rescue", "example_logits", "ctc_lattice", "best_path"]

# Spectral radii on both sides of 1, as the lesson's picture shows them.
RHOS = (0.5, 0.9, 1.0, 1.1, 1.5)


# ---- gradients through time ----------------------------------------------------------------------------------------
def make_problem(T=100, hidden=32, inputs=4, batch=8, input_scale=0.3, forget_bias=1.0, rng=None):
    """The shared set-up: inputs, a readout and the weights, drawn from ``rng`` (``default_rng(0)`` when None).

    Returns a dict: ``x (batch, T, inputs)``, scaled so that each unit's input drive ``x W_ihᵀ`` has std
    ``input_scale``; ``v (hidden,)``, the unit readout of the loss ``L = Σₙ v·h_{T−1}⁽ⁿ⁾``; ``Q (hidden, hidden)``
    orthogonal (the RNN's ``W_hh = ρ·Q``); ``W_ih (hidden, inputs)`` for the RNN; ``lstm``, the LSTM's params
    (torch's default uniform ±1/√H weights, biases 0 but the forget gate's ``b_ih``, which is ``forget_bias``).
    The inputs are drawn last and step by step, so a shorter sequence sees the first steps of a longer one.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    H, D = hidden, inputs
    Q = init.orthogonal((H, H), rng=rng)
    W_ih = rng.normal(size=(H, D)) / np.sqrt(D)
    bound = 1.0 / np.sqrt(H)
    lstm = {"W_ih": rng.normal(size=(4 * H, D)) / np.sqrt(D), "W_hh": rng.uniform(-bound, bound, size=(4 * H, H)),
            "b_ih": np.zeros(4 * H), "b_hh": np.zeros(4 * H)}
    lstm["b_ih"][H:2 * H] = forget_bias  # gates i, f, g, o: the second block is the forget gate's
    v = rng.normal(size=H)
    v /= np.linalg.norm(v)
    x = input_scale * rng.normal(size=(T, batch, D)).transpose(1, 0, 2)
    return {"x": x, "v": v, "Q": Q, "W_ih": W_ih, "lstm": lstm}


def _rms_norm(g):
    """The root mean square over the batch of each example's ‖g⁽ⁿ⁾‖."""
    return float(np.sqrt(np.mean(np.sum(np.square(g), axis=1))))


def rnn_gradient_norms(x, params, v, fns=None):
    """``(norms, mean_abs_h)``: ``norms[t]`` is ``‖∂L/∂h_t‖`` for ``L = Σₙ v·h_{T−1}⁽ⁿ⁾`` (the root mean square over
    the batch), ``mean_abs_h`` the mean ``|h|`` of the states (near 1: tanh is saturated).

    Forward with ``rnn_cell_forward`` from ``h0 = 0``, then back one step at a time with ``rnn_cell_backward``: the
    gradient on ``h_{T−1}`` is v, and each step's ``dh_prev`` is the gradient on the state before it.
    """
    forward = own_or_course(fns, "rnn_cell_forward", rnn)
    backward = own_or_course(fns, "rnn_cell_backward", rnn)
    N, T, _ = x.shape
    h, caches, states = np.zeros((N, len(v))), [], []
    for t in range(T):
        h, cache = forward(x[:, t], h, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
        caches.append(cache)
        states.append(np.abs(h).mean())
    norms, dh = np.empty(T), np.tile(v, (N, 1))
    for t in reversed(range(T)):
        norms[t] = _rms_norm(dh)
        dh = backward(dh, caches[t])[1]
    return norms, float(np.mean(states))


def lstm_gradient_norms(x, params, v, fns=None):
    """``norms[t] = ‖∂L/∂h_t‖`` through an LSTM (``lstm_cell_forward/backward``), for the same loss as
    :func:`rnn_gradient_norms`; the gradient on the cell state flows back beside it (and is 0 on ``c_{T−1}``)."""
    forward = own_or_course(fns, "lstm_cell_forward", rnn)
    backward = own_or_course(fns, "lstm_cell_backward", rnn)
    N, T, _ = x.shape
    h = c = np.zeros((N, len(v)))
    caches = []
    for t in range(T):
        h, c, cache = forward(x[:, t], h, c, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
        caches.append(cache)
    norms, dh, dc = np.empty(T), np.tile(v, (N, 1)), np.zeros((N, len(v)))
    for t in reversed(range(T)):
        norms[t] = _rms_norm(dh)
        dh, dc = backward(dh, dc, caches[t])[1:3]
    return norms


def gradient_through_time(rhos=RHOS, lstm=True, T=100, input_scale=0.3, forget_bias=1.0, rng=None, fns=None,
                          **sizes):
    """``‖∂L/∂h_t‖`` for t = 0 … T−1: tanh RNNs with ``W_hh = ρ·Q`` for each ρ in ``rhos`` and, with ``lstm``, an
    LSTM, all on the inputs and loss of one :func:`make_problem` (``sizes``: its ``hidden``, ``inputs``, ``batch``).

    Returns ``{"rnn": {ρ: (T,)}, "mean_abs_h": {ρ: float}, "lstm": (T,) or None}``. With tiny inputs the RNN is
    linear and ``‖∂L/∂h_t‖ = ρ^(T−1−t)``; larger inputs saturate tanh, whose slope below 1 damps every ρ.
    """
    p = make_problem(T, input_scale=input_scale, forget_bias=forget_bias, rng=rng, **sizes)
    zeros = np.zeros(len(p["v"]))
    out = {"rnn": {}, "mean_abs_h": {}, "lstm": None}
    # A wrong backward (no tanh′, say) can overflow: its line then leaves the chart, without a screen of warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for rho in rhos:
            params = {"W_ih": p["W_ih"], "W_hh": rho * p["Q"], "b_ih": zeros, "b_hh": zeros}
            out["rnn"][rho], out["mean_abs_h"][rho] = rnn_gradient_norms(p["x"], params, p["v"], fns)
        if lstm:
            out["lstm"] = lstm_gradient_norms(p["x"], p["lstm"], p["v"], fns)
    return out


# ---- an exploding run, rescued by clipping ------------------------------------------------------------------------
def echo_batches(steps, batch=32, T=25, delay=4, rng=None):
    """``(X, Y)``: ``X (steps, batch, T, 1)`` uniform in [−1, 1], ``Y (steps, batch)`` the input ``delay`` steps
    before the last (``X[..., T − 1 − delay, 0]``): one batch per training step."""
    rng = np.random.default_rng(0) if rng is None else rng
    X = rng.uniform(-1.0, 1.0, size=(steps, batch, T, 1))
    return X, X[:, :, T - 1 - delay, 0].copy()


def train_echo(X, Y, params, lr, max_norm=None, fns=None):
    """Plain SGD on the echo task: a tanh RNN (``rnn_forward/backward``) with a linear readout of its last state,
    ``ŷ = h_{T−1} W_outᵀ + b_out``, and the mean squared error; one step per batch of ``X, Y``.

    With ``max_norm`` every step's gradients go through ``clip_grad_norm`` first. ``params`` (RNN keys plus
    ``W_out (1, H)``, ``b_out (1,)``) is not changed. Returns ``{"loss", "grad_norm", "step_norm"}``, one value per
    step: the loss, the gradients' joint norm before clipping, and the norm of the gradients the step used. Once the
    loss overflows the run stops, and the rest is NaN.
    """
    forward, backward = own_or_course(fns, "rnn_forward", rnn), own_or_course(fns, "rnn_backward", rnn)
    clip = own_or_course(fns, "clip_grad_norm", optim)
    p = {k: np.array(w, dtype=float) for k, w in params.items()}
    names = list(p)
    record = {key: np.full(len(X), np.nan) for key in ("loss", "grad_norm", "step_norm")}
    for k, (x, y) in enumerate(zip(X, Y)):
        with np.errstate(all="ignore"):
            hs, cache = forward(x, np.zeros((x.shape[0], p["W_hh"].shape[0])), {n: p[n] for n in rnn.PARAM_NAMES})
            last = hs[:, -1]
            err = last @ p["W_out"][0] + p["b_out"][0] - y
            dy = 2.0 * err / len(y)
            dhs = np.zeros_like(hs)
            dhs[:, -1] = np.outer(dy, p["W_out"][0])
            grads = dict(backward(dhs, cache)[2], W_out=(dy @ last)[None], b_out=np.array([dy.sum()]))
            grads = [grads[n] for n in names]
            total = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
            if max_norm is not None:
                grads = list(clip(grads, max_norm)[0])
            record["loss"][k] = float(np.mean(err**2))
            record["grad_norm"][k] = total
            record["step_norm"][k] = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
            if not (np.isfinite(record["loss"][k]) and np.isfinite(record["step_norm"][k])):
                break
            for n, g in zip(names, grads):
                p[n] = p[n] - lr * g
    return record


def clipping_rescue(lr=0.5, max_norm=1.0, rho=1.5, T=25, delay=4, hidden=16, batch=32, steps=100, rng=None,
                    fns=None):
    """The echo task trained twice by SGD with learning rate ``lr``, from the same start on the same batches:
    plain, and with every step's gradients clipped to norm ``max_norm`` (:func:`train_echo`).

    The recurrent weights start at ``W_hh = ρ·Q`` (Q orthogonal) with ρ = 1.5. Within a few steps the Jacobians
    multiplied through the T steps make ``∂L/∂W_hh`` spike; one unclipped step throws ``W_hh`` far out, every unit
    saturates, and from there the readout's steps overshoot until the loss overflows. Clipped steps stay short and
    the loss falls. Returns ``{"plain": record, "clipped": record, "lr", "max_norm", "T", "delay"}`` with
    :func:`train_echo`'s records. ``rng``: ``default_rng(0)`` when None; ``fns``: ``rnn_forward``,
    ``rnn_backward``, ``clip_grad_norm``.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    H = hidden
    params = {"W_ih": rng.normal(size=(H, 1)), "W_hh": rho * init.orthogonal((H, H), rng=rng), "b_ih": np.zeros(H),
              "b_hh": np.zeros(H), "W_out": rng.normal(size=(1, H)) / np.sqrt(H), "b_out": np.zeros(1)}
    X, Y = echo_batches(steps, batch, T, delay, rng)
    return {"plain": train_echo(X, Y, params, lr, None, fns), "clipped": train_echo(X, Y, params, lr, max_norm, fns),
            "lr": lr, "max_norm": max_norm, "T": T, "delay": delay}


# ---- the CTC lattice of one example --------------------------------------------------------------------------------
def example_logits(target, T=10, confidence=1.0, blank_bias=0.0, classes=4, blank=0, rng=None):
    """``(T, classes)`` scores of a network that has roughly learned to read ``target``: step t favours (by 3) the
    label whose share of the T steps it falls near the middle of, else the blank; plus standard-normal noise
    from ``rng`` (``default_rng(0)`` when None; drawn step by step, so a longer input keeps the first steps' noise).
    ``confidence`` multiplies the scores (a sharper softmax); ``blank_bias`` is added to the blank's."""
    rng = np.random.default_rng(0) if rng is None else rng
    target = list(target)
    scores = np.zeros((T, classes))
    share = (np.arange(T) + 0.5) * len(target) / T  # which label's share of the steps each step is in
    for t, u in enumerate(share):
        k = min(int(u), len(target) - 1) if target else 0
        favoured = target[k] if target and abs(u - k - 0.5) <= max(0.15, 0.5 * len(target) / T) else blank
        scores[t, favoured] = 3.0
    scores = confidence * (scores + rng.normal(size=(T, classes)))
    scores[:, blank] += blank_bias
    return scores


def best_path(lp, skip):
    """The most likely path through one lattice (Viterbi): ``(rows, log_prob)``, ``rows[t]`` the position in the
    extended target at step t, with the moves α sums over (stay, advance one, skip a blank between two different
    labels), starting in row 0 or 1 and ending in one of the last two. ``lp (T, L)`` are the emissions, ``skip
    (L,)`` :func:`course.ctc.extend_targets`' skips. ``rows`` is None when no path exists."""
    T, L = lp.shape
    delta = np.full((T, L), -np.inf)
    came = np.zeros((T, L), dtype=int)
    delta[0, :2] = lp[0, :2]
    for t in range(1, T):
        for s in range(L):
            moves = [s] + ([s - 1] if s >= 1 else []) + ([s - 2] if s >= 2 and skip[s] else [])
            prev = max(moves, key=lambda m: delta[t - 1, m])
            came[t, s], delta[t, s] = prev, delta[t - 1, prev] + lp[t, s]
    last = max(range(max(L - 2, 0), L), key=lambda s: delta[T - 1, s])
    if not np.isfinite(delta[T - 1, last]):
        return None, -np.inf
    rows = [last]
    for t in range(T - 1, 0, -1):
        rows.append(came[t, rows[-1]])
    return np.array(rows[::-1]), float(delta[T - 1, last])


def _close(got, expected):
    """Whether ``got`` is an array of ``expected``'s shape and values (False for anything else)."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=1e-4, atol=1e-6))


def ctc_lattice(logits, target, input_length=None, blank=0, fns=None):
    """α, β and γ of one example: ``logits (T, C)``, ``target`` a sequence of labels, the first ``input_length``
    steps (all by default).

    Returns a dict: ``ext (L,)`` the blank-extended target, ``log_alpha``, ``log_beta``, ``gamma`` ``(T', L)``,
    ``nll`` (``−log p(target | x)`` from ``ctc_loss_forward``, inf when the target cannot fit in the steps), ``path``
    (the most likely alignment's rows, or None) and its ``path_log_prob``, ``greedy`` (what the best path reads,
    from ``ctc_greedy_decode``), ``gradient_agrees`` (whether ``ctc_loss_backward``'s ``∂loss/∂logits`` is
    ``(softmax − Σγ over each label's rows) / S``; None when no alignment fits, or the backward cannot read the
    forward's cache). ``fns`` may hold those three and
    ``log_softmax``, ``ctc_alpha``, ``ctc_beta``; γ is normalised by the ``p`` of its own α.
    """
    logits = np.asarray(logits, dtype=float)
    T = len(logits) if input_length is None else int(input_length)
    target = np.asarray(target, dtype=np.int64).reshape(1, -1)
    S = target.shape[1]
    lengths = np.array([S])
    log_probs = own_or_course(fns, "log_softmax", ctc)(logits[None, :T])
    ext, skip, valid = ctc.extend_targets(target, lengths, blank)
    lp = ctc.emissions(log_probs, ext, valid)
    log_alpha = np.asarray(own_or_course(fns, "ctc_alpha", ctc)(lp, skip))[0]
    log_beta = np.asarray(own_or_course(fns, "ctc_beta", ctc)(lp, skip, np.array([T]), lengths))[0]
    L = ext.shape[1]
    own = -float(np.logaddexp(log_alpha[-1, L - 1], log_alpha[-1, L - 2] if L > 1 else -np.inf))
    with np.errstate(all="ignore"):
        gamma = np.exp(log_alpha + log_beta + own) if np.isfinite(own) else np.zeros_like(log_alpha)
        loss, cache = own_or_course(fns, "ctc_loss_forward", ctc)(logits[None, :T], target, np.array([T]), lengths,
                                                               blank)
        agrees = None
        if np.isfinite(loss) and np.isfinite(own):
            occupancy = gamma @ np.eye(logits.shape[1])[ext[0]]
            try:
                dlogits = own_or_course(fns, "ctc_loss_backward", ctc)(cache)
                agrees = _close(dlogits, (np.exp(log_probs) - occupancy) / max(S, 1))
            except DemoNeedsFunction:
                raise
            except Exception:  # noqa: BLE001 (the course's backward, lent for a forward whose cache it cannot read)
                agrees = None
    path, path_log_prob = best_path(lp[0], skip[0])
    greedy = own_or_course(fns, "ctc_greedy_decode", ctc)(logits[None, :T], np.array([T]), blank)[0]
    return {"ext": ext[0], "log_alpha": log_alpha, "log_beta": log_beta, "gamma": gamma,
            "nll": float(loss) * max(S, 1), "path": path, "path_log_prob": path_log_prob,
            "greedy": [int(c) for c in greedy], "gradient_agrees": agrees}
