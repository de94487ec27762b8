"""Reference CTC (connectionist temporal classification): the loss, its gradient, and greedy decoding.

``logits`` are ``(N, T, C)``, batch first; ``targets (N, S)`` are integer labels padded past ``target_lengths``;
``input_lengths`` says how many of the T steps each sequence uses. The loss is ``torch.nn.functional.ctc_loss`` on
``log_softmax(logits)`` with ``reduction="mean"``: each sequence's ``−log p(target | x)`` divided by its target
length (at least 1), then the mean over the batch.

The target is extended with blanks, ``l' = (∅, l₁, ∅, l₂, …, l_S, ∅)`` of length ``L = 2S + 1``, and every
recursion runs in log space over that lattice:

- ``α_t(s)``: log-probability of all paths through steps 0..t that end in ``l'_s`` at t (``y_t`` included);
- ``β_t(s)``: log-probability of finishing the target from ``l'_s`` at t over steps t+1.. (``y_t`` excluded), so
  that ``α_t(s) + β_t(s) − log p`` is the log-posterior of being at ``s`` at step t.

``ctc_loss_forward``'s cache is ``(logits, targets, input_lengths, target_lengths, blank, zero_infinity,
log_probs, log_alpha, nll)``: its arguments, the log-softmax ``(N, T, C)``, ``α (N, T, L)`` (``−inf`` where
impossible: past a sequence's own ``2·S_n + 1`` positions, and at every step from ``input_lengths[n]`` on) and
``−log p`` per sequence ``(N,)``. The backward runs the β recursion itself.
"""

import numpy as np

__all__ = ["log_softmax", "extend_targets", "emissions", "ctc_alpha", "ctc_beta", "ctc_posteriors",
           "ctc_loss_forward", "ctc_loss_backward", "ctc_greedy_decode", "collapse"]


def log_softmax(logits):
    """Row-wise log-softmax over the last axis, stable for any magnitude."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def extend_targets(targets, target_lengths, blank=0):
    """``(ext, skip, valid)``, each ``(N, 2S + 1)``: the blank-extended labels, where the jump from ``s − 2`` is
    allowed (a label that differs from the label two places back), and the positions inside each sequence's own
    ``2·S_n + 1``."""
    targets = np.asarray(targets, dtype=np.int64).reshape(len(target_lengths), -1)
    n, s = targets.shape
    ext = np.full((n, 2 * s + 1), blank, dtype=np.int64)
    ext[:, 1::2] = targets
    skip = np.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    valid = np.arange(2 * s + 1) < 2 * np.asarray(target_lengths)[:, None] + 1
    return ext, skip, valid


def emissions(log_probs, ext, valid):
    """``(N, T, L)``: the log-probability of each extended label at each step, ``−inf`` past a target's end."""
    lp = np.take_along_axis(log_probs, np.broadcast_to(ext[:, None, :], (*log_probs.shape[:2], ext.shape[1])), 2)
    return np.where(valid[:, None, :], lp, -np.inf)


def _combine(a, b):
    """log(eᵃ + eᵇ) without leaving log space."""
    return np.logaddexp(a, b)


def _shift(v, k, fill=-np.inf):
    """``v`` moved ``k`` places along its last axis (right for k > 0), filled with ``fill``."""
    out = np.full_like(v, fill)
    if k > 0:
        out[..., k:] = v[..., :-k]
    else:
        out[..., :k] = v[..., -k:]
    return out


def ctc_alpha(lp, skip):
    """The forward recursion: ``α_0 = (y_0(∅), y_0(l₁), −inf, …)`` and
    ``α_t(s) = y_t(l'_s) + log(e^{α_{t−1}(s)} + e^{α_{t−1}(s−1)} + [skip_s]·e^{α_{t−1}(s−2)})``."""
    n, t_max, length = lp.shape
    alpha = np.full(lp.shape, -np.inf)
    alpha[:, 0, :2] = lp[:, 0, :2]
    for t in range(1, t_max):
        prev = alpha[:, t - 1]
        paths = _combine(prev, _shift(prev, 1))
        paths = _combine(paths, np.where(skip, _shift(prev, 2), -np.inf))
        alpha[:, t] = paths + lp[:, t]
    return alpha


def ctc_beta(lp, skip, input_lengths, target_lengths):
    """The backward recursion: ``β_{T_n−1}(s) = 0`` at the two final positions, ``−inf`` elsewhere, and
    ``β_t(s) = log Σ_{s' ∈ {s, s+1, s+2 if skip_{s+2}}} e^{β_{t+1}(s') + y_{t+1}(l'_{s'})}``; ``−inf`` past T_n."""
    n, t_max, length = lp.shape
    beta = np.full(lp.shape, -np.inf)
    rows = np.arange(n)
    end = np.full((n, length), -np.inf)
    end[rows, 2 * np.asarray(target_lengths)] = 0.0
    end[rows, np.maximum(2 * np.asarray(target_lengths) - 1, 0)] = 0.0
    last = np.asarray(input_lengths)[:, None] - 1
    for t in reversed(range(t_max)):
        if t + 1 < t_max:
            nxt = beta[:, t + 1] + lp[:, t + 1]
            paths = _combine(nxt, _shift(nxt, -1))
            paths = _combine(paths, _shift(np.where(skip, nxt, -np.inf), -2))
        else:
            paths = np.full((n, length), -np.inf)
        beta[:, t] = np.where(t == last, end, np.where(t < last, paths, -np.inf))
    return beta


def _nll(alpha, input_lengths, target_lengths):
    """``−log p(target | x)`` per sequence: α at the last step, in the final blank or the last label."""
    rows, last = np.arange(len(alpha)), np.asarray(input_lengths) - 1
    two_s = 2 * np.asarray(target_lengths)
    final_label = np.where(two_s > 0, alpha[rows, last, np.maximum(two_s - 1, 0)], -np.inf)
    return -np.logaddexp(alpha[rows, last, two_s], final_label)


def ctc_loss_forward(logits, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    """``(loss, cache)``: ``F.ctc_loss(log_softmax(logits), …, reduction="mean")`` with logits ``(N, T, C)``."""
    input_lengths, target_lengths = np.asarray(input_lengths), np.asarray(target_lengths)
    log_probs = log_softmax(logits)
    ext, skip, valid = extend_targets(targets, target_lengths, blank)
    log_alpha = ctc_alpha(emissions(log_probs, ext, valid), skip)
    nll = _nll(log_alpha, input_lengths, target_lengths)
    log_alpha[np.arange(log_alpha.shape[1]) >= input_lengths[:, None]] = -np.inf  # nothing is emitted past T_n
    per_sequence = nll / np.maximum(target_lengths, 1)
    if zero_infinity:
        per_sequence = np.where(np.isinf(per_sequence), 0.0, per_sequence)
    loss = float(np.mean(per_sequence))
    return loss, (logits, targets, input_lengths, target_lengths, blank, zero_infinity, log_probs, log_alpha, nll)


def ctc_posteriors(log_alpha, log_beta, nll):
    """``γ (N, T, L)``: the probability of being at each lattice position at each step, given the target."""
    with np.errstate(invalid="ignore"):
        return np.exp(log_alpha + log_beta + nll[:, None, None])


def ctc_loss_backward(cache):
    """``dlogits (N, T, C)``: ``(softmax − occupancy) / (N · max(S_n, 1))``, zero for ``t ≥ input_lengths[n]``."""
    logits, targets, input_lengths, target_lengths, blank, zero_infinity, log_probs, log_alpha, nll = cache
    input_lengths, target_lengths = np.asarray(input_lengths), np.asarray(target_lengths)
    n, t_max, classes = log_probs.shape
    ext, skip, valid = extend_targets(targets, target_lengths, blank)
    lp = emissions(log_probs, ext, valid)
    log_beta = ctc_beta(lp, skip, input_lengths, target_lengths)
    gamma = ctc_posteriors(log_alpha, log_beta, nll)
    occupancy = np.einsum("nts,nsc->ntc", gamma, np.eye(classes)[ext] * valid[:, :, None])
    grad = np.exp(log_probs) - occupancy
    scale = 1.0 / (n * np.maximum(target_lengths, 1))
    if zero_infinity:
        grad = np.where(np.isinf(nll)[:, None, None], 0.0, grad)
    inside = np.arange(t_max)[None, :] < input_lengths[:, None]
    return np.where(inside[:, :, None], grad * scale[:, None, None], 0.0)


def collapse(path, blank=0):
    """Best-path decoding of one path of labels: merge each run of a repeated label, then drop the blanks."""
    path = np.asarray(path)
    keep = np.ones(len(path), dtype=bool)
    keep[1:] = path[1:] != path[:-1]
    return [int(c) for c in path[keep] if c != blank]


def ctc_greedy_decode(logits, input_lengths, blank=0):
    """The most likely label at every step, collapsed: a list of N label lists."""
    best = np.argmax(np.asarray(logits), axis=2)
    return [collapse(best[i, : int(input_lengths[i])], blank) for i in range(len(best))]
