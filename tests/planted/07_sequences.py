"""Planted mistakes for 07_sequences: each must fail only its own test cell, with words that name it."""

from harness import Planted

_RNN_H = "h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)"
_GATES = "i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])"
_RNN_STEP = "rnn_cell_backward(dhs[:, t] + dh_next, steps[t])"
_LSTM_STEP = "lstm_cell_backward(dhs[:, t] + dh_next, dc_next, steps[t])"
_SKIP = "if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:"
_STAY = "acc = np.logaddexp(acc, a[t - 1, s - 1])"
_GRADS = """        grads["W_ih"] += dW_ih
        grads["W_hh"] += dW_hh
        grads["b_ih"] += db_ih
        grads["b_hh"] += db_hh"""
_BEST = "best = np.argmax(logits[n, : int(input_lengths[n])], axis=1)"

PLANTED = [
    # rnn_cell_forward
    Planted("rnn cell without tanh", "rnn_cell_forward", _RNN_H, "h = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh",
            "tanh"),
    Planted("rnn cell W_hh not transposed", "rnn_cell_forward", _RNN_H,
            "h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh + b_hh)", "W_hhᵀ"),
    Planted("rnn cell forgets b_hh", "rnn_cell_forward", _RNN_H, "h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T)",
            "b_hh"),
    # rnn_cell_backward
    Planted("rnn backward uses dh for dz", "rnn_cell_backward", "dz = dh * (1.0 - h**2)", "dz = dh", "tanh"),
    Planted("rnn backward tanh' of h_prev", "rnn_cell_backward", "dz = dh * (1.0 - h**2)",
            "dz = dh * (1.0 - h_prev**2)", "h_prev"),
    Planted("rnn backward dW_hh transposed", "rnn_cell_backward", "dz.T @ h_prev", "h_prev.T @ dz", "transpose"),
    # rnn_forward
    Planted("rnn forward feeds h0 at every step", "rnn_forward",
            'h, step = rnn_cell_forward(x[:, t], h, params["W_ih"]',
            'h, step = rnn_cell_forward(x[:, t], h0, params["W_ih"]', "h0"),
    Planted("rnn forward returns the last state only", "rnn_forward", "return np.stack(hs, axis=1), (x, h0",
            "return h, (x, h0", "every"),
    # rnn_backward
    Planted("bptt forgets the gradient from the next step", "rnn_backward", _RNN_STEP,
            "rnn_cell_backward(dhs[:, t], steps[t])", "next step"),
    Planted("bptt adds the next step's gradient twice", "rnn_backward", _RNN_STEP,
            "rnn_cell_backward(dhs[:, t] + 2 * dh_next, steps[t])", "twice"),
    Planted("bptt keeps only the first step's weight gradients", "rnn_backward",
            _GRADS, _GRADS.replace("+=", "="), "sum"),
    # lstm_cell_forward
    Planted("lstm gates in the order i, f, o, g", "lstm_cell_forward", _GATES,
            "i, f, o, g = sig(a[:, :H]), sig(a[:, H:2 * H]), sig(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])",
            "order"),
    Planted("lstm sigmoid on g", "lstm_cell_forward", _GATES,
            "i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), sig(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])", "tanh"),
    Planted("lstm h without tanh(c)", "lstm_cell_forward", "h = o * np.tanh(c)", "h = o * c", "tanh"),
    # lstm_cell_backward
    Planted("lstm forget gate's gradient without c_prev", "lstm_cell_backward",
            "dc_total * c_prev * f * (1.0 - f)", "dc_total * f * (1.0 - f)", "c_prev"),
    Planted("lstm dc_prev without the forget gate", "lstm_cell_backward", "dc_total * f, da.T @ x",
            "dc_total, da.T @ x", "forget"),
    Planted("lstm cell gradient without the path through h", "lstm_cell_backward",
            "dc_total = dc + dh * o * (1.0 - tanh_c**2)", "dc_total = dc", "path from dh"),
    # lstm_forward
    Planted("lstm forward restarts the cell from c0", "lstm_forward", "lstm_cell_forward(x[:, t], h, c, ",
            "lstm_cell_forward(x[:, t], h, c0, ", "c0"),
    # lstm_backward
    Planted("lstm bptt drops the cell gradient from the next step", "lstm_backward", _LSTM_STEP,
            "lstm_cell_backward(dhs[:, t] + dh_next, np.zeros(c0.shape), steps[t])", "cell"),
    Planted("lstm bptt forgets dh_next", "lstm_backward", _LSTM_STEP,
            "lstm_cell_backward(dhs[:, t], dc_next, steps[t])", "next step"),
    # gru_cell_forward
    Planted("gru r multiplies W_hn h only, not its bias", "gru_cell_forward", "n = np.tanh(gi[:, 2 * H:] + r * hn)",
            "n = np.tanh(gi[:, 2 * H:] + r * (hn - b_hh[2 * H:]) + b_hh[2 * H:])", "b_hn"),
    Planted("gru z's roles swapped", "gru_cell_forward", "h = (1.0 - z) * n + z * h_prev",
            "h = z * n + (1.0 - z) * h_prev", "z"),
    # gru_cell_backward
    Planted("gru backward forgets r on the hidden side", "gru_cell_backward",
            "dgh = np.concatenate([da_r, da_z, da_n * r], axis=1)", "dgh = np.concatenate([da_r, da_z, da_n], axis=1)",
            "r"),
    Planted("gru backward forgets the direct path to h_prev", "gru_cell_backward", "dgh @ W_hh + dh * z",
            "dgh @ W_hh", "z"),
    # ctc_loss_forward
    Planted("ctc skips between repeated labels", "ctc_loss_forward", _SKIP, "if s >= 2 and ext[s] != blank:",
            "repeat"),
    Planted("ctc never skips a blank", "ctc_loss_forward", _SKIP, "if False:", "never jumps"),
    Planted("ctc forgets the division by the target length", "ctc_loss_forward",
            "per_sequence = nll / np.maximum(np.asarray(target_lengths), 1)", "per_sequence = nll", "target length"),
    Planted("ctc adds probabilities outside log space", "ctc_loss_forward", _STAY + "\n", _STAY.replace(
        "np.logaddexp(acc, a[t - 1, s - 1])", "np.log(np.exp(acc) + np.exp(a[t - 1, s - 1]))") + "\n", "log space"),
    Planted("ctc without log-softmax", "ctc_loss_forward",
            "log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))", "log_probs = logits",
            "log-softmax"),
    # ctc_loss_backward
    Planted("ctc backward forgets the division by the target length", "ctc_loss_backward",
            "/ (N * max(s_n, 1))", "/ N", "target length"),
    Planted("ctc backward with respect to the log-probabilities", "ctc_loss_backward",
            "(np.exp(log_probs[n, :t_n]) - occupancy)", "(-occupancy)", "softmax"),
    # ctc_greedy_decode
    Planted("greedy decoding drops blanks before collapsing", "ctc_greedy_decode", _BEST,
            _BEST + "\n        best = best[best != blank]", "blanks"),
    Planted("greedy decoding ignores input_lengths", "ctc_greedy_decode", _BEST,
            "best = np.argmax(logits[n], axis=1)", "input_lengths"),
]
