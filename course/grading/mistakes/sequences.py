"""Classic mistakes in 07_sequences, each the reference in :mod:`course.rnn` or :mod:`course.ctc` with a line changed.

A sequence function's mistakes change the sequence function alone: its cells are the course's (a test cell lends
the reference cells to a student's ``rnn_backward``), so a mistake in a cell is never charged twice.
"""

from course import ctc, rnn
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]


def _m(sentence, reference, *edits, helpers=()):
    return Mistake(sentence, differs(reference, *edits, helpers=helpers))


_NEXT = "dh = dhs[:, t] + dh_next"
_BPTT = {  # the mistakes every BPTT loop can make: (sentence, edit)
    "forgets the gradient that flows back from step t + 1: h_t feeds the loss and the next step, so the cell's "
    "upstream gradient is dh_t = dhs[:, t] + dh_next": (_NEXT, "dh = dhs[:, t]"),
    "adds the gradient from step t + 1 twice: the cell's upstream gradient is dh_t = dhs[:, t] + dh_next, "
    "with dh_next counted once": (_NEXT, "dh = dhs[:, t] + 2 * dh_next"),
    "walks forward in time: backpropagation through time starts at the last step, for t in reversed(range(T))":
        ("reversed(range(len(steps)))", "range(len(steps))"),
}


_ONE_STEP = ("keeps only one step's weight gradients: the weights are shared by every step, so their gradients are "
             "the sum over time (grads[k] += …)")


def _bptt(backward, returned):
    """The shared BPTT mistakes (the weight gradients overwritten for every weight, or for one), and returning the
    gradient on hs[:, 0] in place of dh0."""
    overwritten = [("grads[k] += d", "grads[k] = d")] + [
        ("grads[k] += d", f"grads[k] = d if k == {k!r} else grads[k] + d") for k in rnn.PARAM_NAMES]
    return [_m(sentence, backward, edit) for sentence, edit in _BPTT.items()] + [
        _m(_ONE_STEP, backward, edit) for edit in overwritten] + [
        _m("returns the gradient on the first output hs[:, 0] as dh0: dh0 is what flows out of step 0, the "
           "dh_prev of the first cell's backward", backward, (returned, returned.replace("dh_next", "dh", 1)))]


def _last_only(forward):
    return _m("returns only the last state: hs holds every hidden state, (N, T, H)", forward,
              ("return _stack(hs, h0), (x,", "return h, (x,"))


def _time_first(forward):
    return _m("stacks the states time-first, (T, N, H): batch first, hs is (N, T, H) (np.stack(…, axis=1))",
              forward, ("np.stack(hs, axis=1)", "np.stack(hs, axis=0)"), helpers=("_stack",))


def _from_h0(forward, old):
    return _m("starts every step from h0: step t's h_prev is the state that step t − 1 returned", forward,
              (old, old.replace(", h,", ", h0,")))


_LSTM_DC = "dc_total = dc + dh * o * (1.0 - tanh_c**2)"
_GRU_N = "n = np.tanh(xn + r * hn)"
_B_HN = "np.split(b_hh, 3)[2]"  # the GRU's b_hn
_SKIP = "(ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])"
_SCALE = "scale = 1.0 / (n * np.maximum(target_lengths, 1))"
_FLOOR = "divides by a target length of 0: torch clamps each target length to at least 1 (np.maximum(S, 1))"
_ZERO_INF = ("    if zero_infinity:\n", "    if False:\n")


def _ctc(sentence, reference, *edits, helpers=("extend_targets", "ctc_alpha", "_combine", "_nll")):
    """A mistake of the CTC forward, whose edits may fall in any of the helpers it calls."""
    return _m(sentence, reference, *edits, helpers=helpers)


MISTAKES = {
    "rnn_cell_forward": [
        _m("drops b_hh: torch's cell adds both biases, h = tanh(x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh)",
           rnn.rnn_cell_forward, ("h_prev @ W_hh.T + b_hh)", "h_prev @ W_hh.T)")),
        _m("leaves out the recurrent term: each step also sees the previous state, + h_prev W_hhᵀ",
           rnn.rnn_cell_forward, (" + h_prev @ W_hh.T", "")),
        _m("forgets to transpose W_hh: in torch's layout (a row per output) the recurrent term is h_prev W_hhᵀ",
           rnn.rnn_cell_forward, ("h_prev @ W_hh.T", "h_prev @ W_hh")),
        _m("leaves out tanh: h = tanh(x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh)", rnn.rnn_cell_forward,
           ("h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)",
            "h = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh")),
        _m("uses the sigmoid: the RNN cell's nonlinearity is tanh", rnn.rnn_cell_forward,
           ("h = np.tanh(", "h = sigmoid(")),
    ],
    "rnn_cell_backward": [
        _m("skips tanh′: go through tanh first, dz = dh·(1 − h²), then through the affine map",
           rnn.rnn_cell_backward, ("dz = dh * (1.0 - h**2)", "dz = dh")),
        _m("takes tanh′ as 1 − tanh(h)²: the cache holds h = tanh(z) itself, so tanh′ = 1 − h²",
           rnn.rnn_cell_backward, ("(1.0 - h**2)", "(1.0 - np.tanh(h) ** 2)")),
        _m("takes tanh′ at h_prev: the derivative belongs to this step's output, 1 − h²",
           rnn.rnn_cell_backward, ("(1.0 - h**2)", "(1.0 - h_prev**2)")),
        _m("uses h where h_prev is needed: W_hh multiplies the previous state, so dW_hh = dzᵀ·h_prev",
           rnn.rnn_cell_backward, ("dz, x, h_prev, W_ih", "dz, x, h, W_ih")),
        _m("multiplies dz by W_hhᵀ: h_prev enters as h_prev·W_hhᵀ, so dh_prev = dz·W_hh",
           rnn.rnn_cell_backward, ("da_h @ W_hh", "da_h @ W_hh.T"), helpers=("_affine_grads",)),
    ],
    "rnn_forward": [
        _from_h0(rnn.rnn_forward, "rnn_cell_forward(x[:, t], h,"),
        _time_first(rnn.rnn_forward),
        _last_only(rnn.rnn_forward),
        _m("returns the state before each step (h0 … h_{T−1}): hs[:, t] is the state after reading x[:, t]",
           rnn.rnn_forward, ("        hs.append(h)\n", ""),
           ("        h, step = rnn_cell_forward", "        hs.append(h)\n        h, step = rnn_cell_forward")),
    ],
    "rnn_backward": _bptt(rnn.rnn_backward, "return dx, dh_next, grads"),
    "lstm_cell_forward": [
        _m("splits the gates as i, f, o, g (CS231n's order): torch stacks them i, f, g, o",
           rnn.lstm_cell_forward, ("i, f, g, o = np.split", "i, f, o, g = np.split")),
        _m("squashes g with the sigmoid: the candidate g uses tanh (only i, f and o are sigmoids)",
           rnn.lstm_cell_forward, ("g = np.tanh(g)", "g = sigmoid(g)")),
        _m("leaves tanh off the cell: h = o·tanh(c)", rnn.lstm_cell_forward, ("h = o * np.tanh(c)", "h = o * c")),
        _m("swaps the input and forget gates: c = f·c_prev + i·g", rnn.lstm_cell_forward,
           ("c = f * c_prev + i * g", "c = i * c_prev + f * g")),
        _m("leaves out the forget gate: the old cell is scaled by f, c = f·c_prev + i·g", rnn.lstm_cell_forward,
           ("c = f * c_prev + i * g", "c = c_prev + i * g")),
        _m("drops b_hh: torch's cell adds both biases, b_ih and b_hh", rnn.lstm_cell_forward,
           (" + h_prev @ W_hh.T + b_hh", " + h_prev @ W_hh.T")),
    ],
    "lstm_cell_backward": [
        _m("forgets the path from dh into the cell (c also reaches the loss through h): dc_total = dc + "
           "dh·o·(1 − tanh²c)", rnn.lstm_cell_backward, (_LSTM_DC, "dc_total = dc")),
        _m("ignores the incoming dc: the cell's gradient is dc + dh·o·(1 − tanh²c)", rnn.lstm_cell_backward,
           (_LSTM_DC, "dc_total = dh * o * (1.0 - tanh_c**2)")),
        _m("forgets tanh′ on the way from h into c: dc_total = dc + dh·o·(1 − tanh²c)", rnn.lstm_cell_backward,
           (_LSTM_DC, "dc_total = dc + dh * o")),
        _m("takes tanh′(c) as 1 − c²: the derivative of tanh(c) is 1 − tanh²(c)", rnn.lstm_cell_backward,
           ("(1.0 - tanh_c**2)", "(1.0 - c**2)")),
        _m("forgets c_prev in the forget gate's gradient: c = f·c_prev + i·g, so df = dc_total·c_prev",
           rnn.lstm_cell_backward, ("df = dc_total * c_prev", "df = dc_total")),
        _m("does not carry the cell gradient through the forget gate: dc_prev = dc_total·f",
           rnn.lstm_cell_backward, ("dc_prev = dc_total * f", "dc_prev = dc_total")),
        _m("uses c where tanh(c) is needed: h = o·tanh(c), so do = dh·tanh(c)", rnn.lstm_cell_backward,
           ("do = dh * tanh_c", "do = dh * c")),
        _m("differentiates g as a sigmoid: g = tanh(·), so its derivative is 1 − g²", rnn.lstm_cell_backward,
           ("dg * (1.0 - g**2)", "dg * g * (1.0 - g)")),
        _m("stacks the gate gradients as i, f, o, g: they follow the forward's order, i, f, g, o",
           rnn.lstm_cell_backward,
           ("dg * (1.0 - g**2), do * o * (1.0 - o)", "do * o * (1.0 - o), dg * (1.0 - g**2)")),
    ],
    "lstm_forward": [
        _from_h0(rnn.lstm_forward, "lstm_cell_forward(x[:, t], h, c,"),
        _m("restarts the cell from c0 at every step: the cell state c carries over from step to step",
           rnn.lstm_forward, ("x[:, t], h, c,", "x[:, t], h, c0,")),
        _m("returns the cell states: hs holds the hidden states h", rnn.lstm_forward,
           ("hs.append(h)", "hs.append(c)")),
        _time_first(rnn.lstm_forward),
        _last_only(rnn.lstm_forward),
    ],
    "lstm_backward": _bptt(rnn.lstm_backward, "return dx, dh_next, dc_next, grads") + [
        _m("drops the cell gradient from step t + 1: c_t feeds step t + 1 too, so pass dc_next to the cell's "
           "backward", rnn.lstm_backward, ("dh, dc_next, steps[t]", "dh, np.zeros_like(dc_next), steps[t]")),
        _m("returns dh0 and dc0 swapped: the order is (dx, dh0, dc0, grads)", rnn.lstm_backward,
           ("return dx, dh_next, dc_next, grads", "return dx, dc_next, dh_next, grads")),
    ],
    "gru_cell_forward": [
        _m("leaves the bias b_hn outside the reset gate, r·(W_hn h_prev) + b_hn: torch's r multiplies the bias "
           "too, n = tanh(W_in x + b_in + r·(W_hn h_prev + b_hn))", rnn.gru_cell_forward,
           (_GRU_N, f"n = np.tanh(xn + r * (hn - {_B_HN}) + {_B_HN})")),
        _m("applies r to h_prev before the matrix, W_hn(r·h_prev) (the original paper's GRU): torch's is "
           "r·(W_hn h_prev + b_hn)", rnn.gru_cell_forward,
           (_GRU_N, "n = np.tanh(xn + np.split((r * h_prev) @ W_hh.T + b_hh, 3, axis=1)[2])")),
        _m("applies r to the input side: r multiplies the hidden side, n = tanh(W_in x + b_in + r·(W_hn h_prev + "
           "b_hn))", rnn.gru_cell_forward, (_GRU_N, "n = np.tanh(r * xn + hn)")),
        _m("swaps z's roles: torch's GRU keeps z·h_prev and takes (1 − z)·n", rnn.gru_cell_forward,
           ("h = (1.0 - z) * n + z * h_prev", "h = z * n + (1.0 - z) * h_prev")),
        _m("reads the gates in the order z, r, n: torch stacks them r, z, n", rnn.gru_cell_forward,
           ("xr, xz, xn =", "xz, xr, xn ="), ("hr, hz, hn =", "hz, hr, hn =")),
        _m("drops b_hh: torch's cell adds both biases (and b_hn sits inside r's product)", rnn.gru_cell_forward,
           ("h_prev @ W_hh.T + b_hh, 3", "h_prev @ W_hh.T, 3")),
    ],
    "gru_cell_backward": [
        _m("forgets the direct path: h = (1 − z)·n + z·h_prev, so dh_prev also gets dh·z", rnn.gru_cell_backward,
           ("dh_prev + dh * z,", "dh_prev,")),
        _m("forgets r on the hidden side of n: what reaches W_hn, b_hn and h_prev through n is r·dan",
           rnn.gru_cell_backward, ("dan * r]", "dan]")),
        _m("gets dz's sign wrong: ∂h/∂z = h_prev − n", rnn.gru_cell_backward,
           ("dz = dh * (h_prev - n)", "dz = dh * (n - h_prev)")),
        _m("forgets hn in r's gradient: r multiplies hn = W_hn h_prev + b_hn, so the gradient on r is dan·hn",
           rnn.gru_cell_backward, ("dar = dan * hn * r", "dar = dan * r")),
        _m("leaves b_hn out of hn in r's gradient: r multiplies W_hn h_prev + b_hn, as the cache's hn holds",
           rnn.gru_cell_backward, ("dar = dan * hn *", f"dar = dan * (hn - {_B_HN}) *")),
        _m("swaps z's roles: torch's GRU is h = (1 − z)·n + z·h_prev", rnn.gru_cell_backward,
           ("dn = dh * (1.0 - z)", "dn = dh * z"), ("dz = dh * (h_prev - n)", "dz = dh * (n - h_prev)"),
           ("dh_prev + dh * z,", "dh_prev + dh * (1.0 - z),")),
        _m("skips tanh′ for n: dan = dn·(1 − n²)", rnn.gru_cell_backward, ("dan = dn * (1.0 - n**2)", "dan = dn")),
    ],
    "ctc_loss_forward": [
        _ctc("never jumps over (skips) the blank between two different labels: α_t(s) also adds α_{t−1}(s − 2) when "
             "l'_s is a label that differs from l'_{s−2}", ctc.ctc_loss_forward, (f"skip[:, 2:] = {_SKIP}",
                                                                                   "skip[:, 2:] = False")),
        _ctc("skips the blank between two equal labels: a repeated label needs its blank (a, a merges into one "
             "a), so no jump from s − 2 there", ctc.ctc_loss_forward, (_SKIP, "(ext[:, 2:] != blank)")),
        _ctc("adds probabilities as log(exp(a) + exp(b)) (or works with probabilities), which underflows to 0 on "
             "long inputs: stay in log space with np.logaddexp(a, b)", ctc.ctc_loss_forward,
             ("return np.logaddexp(a, b)", "return np.log(np.exp(a) + np.exp(b))")),
        _ctc("starts only at the blank: a path may also start on the first label, α_0 = (y_0(∅), y_0(l₁), −inf, …)",
             ctc.ctc_loss_forward, ("alpha[:, 0, :2] = lp[:, 0, :2]", "alpha[:, 0, :1] = lp[:, 0, :1]")),
        _ctc("ends only at the final blank: a path may also end on the last label, p = e^{α(L−1)} + e^{α(L−2)} "
             "at the last step", ctc.ctc_loss_forward,
             ("-np.logaddexp(alpha[rows, last, two_s], final_label)", "-alpha[rows, last, two_s]")),
        _ctc("reads α at step T − 1 for every sequence: sequence n ends at step input_lengths[n] − 1",
             ctc.ctc_loss_forward, ("np.asarray(input_lengths) - 1", "alpha.shape[1] - 1")),
        _ctc("leaves α running past input_lengths[n]: nothing is emitted there, so the cache's α is −inf from "
             "step input_lengths[n] on", ctc.ctc_loss_forward,
             ("log_alpha[np.arange(log_alpha.shape[1]) >= input_lengths[:, None]] = -np.inf", "pass")),
        _ctc("reads the end of the padded target: sequence n's target ends at position 2·target_lengths[n]",
             ctc.ctc_loss_forward, ("two_s = 2 * np.asarray(target_lengths)",
                                    "two_s = np.full(len(alpha), alpha.shape[2] - 1)")),
        _ctc("forgets to divide each −log p by its target length (torch's reduction=\"mean\"), before the batch "
             "mean", ctc.ctc_loss_forward, ("per_sequence = nll / np.maximum(target_lengths, 1)",
                                            "per_sequence = nll")),
        _ctc(_FLOOR, ctc.ctc_loss_forward, ("nll / np.maximum(target_lengths, 1)", "nll / target_lengths")),
        _ctc("ignores zero_infinity: with zero_infinity=True an impossible sequence's loss (inf) counts as 0",
             ctc.ctc_loss_forward, _ZERO_INF),
        _ctc("divides the summed −log p by the total target length: torch divides each sequence by its own "
             "target length, then takes the batch mean", ctc.ctc_loss_forward,
             ("float(np.mean(per_sequence))", "float(np.sum(nll) / np.sum(np.maximum(target_lengths, 1)))")),
        _ctc("uses the logits as log-probabilities: take the log-softmax over the classes first",
             ctc.ctc_loss_forward, ("log_probs = log_softmax(logits)", "log_probs = logits")),
        _ctc("computes log(softmax) with a plain exp, which overflows for large logits: subtract each row's "
             "maximum first (a stable log-softmax)", ctc.ctc_loss_forward, (
                 "log_probs = log_softmax(logits)",
                 "log_probs = np.log(np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True))")),
        _ctc("normalises over time (axis 1): the softmax is over the classes, the last axis", ctc.ctc_loss_forward,
             ("z.max(axis=-1,", "z.max(axis=1,"), ("sum(axis=-1,", "sum(axis=1,"),
             helpers=("log_softmax",)),
        _ctc("treats class 0 as the blank whatever blank says: the blank is the class `blank` names",
             ctc.ctc_loss_forward,
             ("extend_targets(targets, target_lengths, blank)", "extend_targets(targets, target_lengths, 0)")),
    ],
    "ctc_loss_backward": [
        _m("returns the gradient with respect to the log-probabilities (−occupancy): through the log-softmax the "
           "logits' gradient is softmax − occupancy", ctc.ctc_loss_backward,
           ("grad = np.exp(log_probs) - occupancy", "grad = -occupancy")),
        _m("returns the gradient with respect to the probabilities (−occupancy / y): through the softmax the "
           "logits' gradient is softmax − occupancy", ctc.ctc_loss_backward,
           ("grad = np.exp(log_probs) - occupancy", "grad = -occupancy / np.exp(log_probs)")),
        _m("leaves a gradient on the padded steps: dlogits is 0 for t ≥ input_lengths[n]", ctc.ctc_loss_backward,
           ("np.where(inside[:, :, None], grad * scale[:, None, None], 0.0)", "grad * scale[:, None, None]")),
        _m("forgets to divide by each target length (torch's reduction=\"mean\"): scale by 1/(N·max(S_n, 1))",
           ctc.ctc_loss_backward, (_SCALE, "scale = np.full(n, 1.0 / n)")),
        _m("forgets the batch mean's 1/N: scale by 1/(N·max(S_n, 1))", ctc.ctc_loss_backward,
           (_SCALE, "scale = 1.0 / np.maximum(target_lengths, 1)")),
        _m(_FLOOR, ctc.ctc_loss_backward, ("n * np.maximum(target_lengths, 1)", "n * target_lengths")),
        _m("ignores zero_infinity: with zero_infinity=True an impossible sequence's gradient is 0",
           ctc.ctc_loss_backward, _ZERO_INF),
        _m("forgets to divide α·β by p(target | x): the posteriors are e^{α + β − log p}", ctc.ctc_loss_backward,
           ("np.exp(log_alpha + log_beta + nll[:, None, None])", "np.exp(log_alpha + log_beta)"),
           helpers=("ctc_posteriors",)),
        _m("counts y_t twice: α_t(s) already includes y_t(l'_s), so β_t(s) must leave it out (or divide α·β by "
           "y_t)", ctc.ctc_loss_backward, ("ctc_posteriors(log_alpha, log_beta, nll)",
                                           "ctc_posteriors(log_alpha, log_beta + lp, nll)")),
        _m("never jumps over a blank in β: β mirrors α, from s to s + 2 when l'_{s+2} is a label that differs "
           "from l'_s", ctc.ctc_loss_backward,
           ("paths = _combine(paths, _shift(np.where(skip, nxt, -np.inf), -2))", "pass"), helpers=("ctc_beta",)),
        _m("ends β only at the final blank: a path may also end on the last label, so β_{T−1} is 0 at both",
           ctc.ctc_loss_backward, ("end[rows, np.maximum(2 * np.asarray(target_lengths) - 1, 0)] = 0.0", "pass"),
           helpers=("ctc_beta",)),
    ],
    "ctc_greedy_decode": [
        _m("drops the blanks before merging repeats: a blank between two equal labels keeps both (a∅a reads "
           "aa), so merge repeats first, then drop blanks", ctc.ctc_greedy_decode,
           ("    path = np.asarray(path)\n", "    path = np.asarray(path)\n    path = path[path != blank]\n"),
           helpers=("collapse",)),
        _m("ignores input_lengths: sequence n is read from its first input_lengths[n] steps only",
           ctc.ctc_greedy_decode, ("best[i, : int(input_lengths[i])]", "best[i]")),
        _m("keeps repeated labels: a run of the same label reads as one label", ctc.ctc_greedy_decode,
           ("keep[1:] = path[1:] != path[:-1]", "keep[1:] = True"), helpers=("collapse",)),
        _m("keeps the blanks: after merging repeats, drop every blank", ctc.ctc_greedy_decode,
           ("for c in path[keep] if c != blank]", "for c in path[keep]]"), helpers=("collapse",)),
        _m("treats class 0 as the blank whatever blank says: the blank is the class `blank` names",
           ctc.ctc_greedy_decode,
           ("int(input_lengths[i])], blank)", "int(input_lengths[i])], 0)")),
    ],
}
