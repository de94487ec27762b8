"""Valid ways of writing 07_sequences' functions: einsum, one matrix product per gate, preallocated outputs, loops
over time written differently, np.split, a vectorised CTC over the lattice, itertools.groupby for decoding."""

from harness import Variant

GROUPS = {
    "alternatives": [
        Variant(
            "rnn cell with einsum",
            "rnn_cell_forward",
            "h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)",
            'h = np.tanh(np.einsum("nd,hd->nh", x, W_ih) + np.einsum("nk,hk->nh", h_prev, W_hh) + b_ih + b_hh)',
        ),
        Variant(
            "rnn cell backward with einsum and keepdims",
            "rnn_cell_backward",
            "    return dz @ W_ih, dz @ W_hh, dz.T @ x, dz.T @ h_prev, dz.sum(axis=0), dz.sum(axis=0)",
            '    db = np.sum(dz, axis=0, keepdims=True)[0]\n'
            '    return (np.einsum("nh,hd->nd", dz, W_ih), np.einsum("nh,hk->nk", dz, W_hh),\n'
            '            np.einsum("nh,nd->hd", dz, x), np.einsum("nh,nk->hk", dz, h_prev), db, db.copy())',
        ),
        Variant(
            "rnn forward into a preallocated array",
            "rnn_forward",
            """    h, hs, steps = h0, [], []
    for t in range(x.shape[1]):
        h, step = rnn_cell_forward(x[:, t], h, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
        hs.append(h)
        steps.append(step)
    return np.stack(hs, axis=1), (x, h0, params, steps)""",
            """    N, T, _ = x.shape
    hs = np.zeros((N, T, h0.shape[1]))
    steps = [None] * T
    h = h0
    for t in range(T):
        h, steps[t] = rnn_cell_forward(x[:, t, :], h, *(params[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")))
        hs[:, t, :] = h
    return hs, (x, h0, params, steps)""",
        ),
        Variant(
            "bptt with a countdown loop and a dict comprehension",
            "rnn_backward",
            """    for t in reversed(range(x.shape[1])):
        dx[:, t], dh_next, dW_ih, dW_hh, db_ih, db_hh = rnn_cell_backward(dhs[:, t] + dh_next, steps[t])
        grads["W_ih"] += dW_ih
        grads["W_hh"] += dW_hh
        grads["b_ih"] += db_ih
        grads["b_hh"] += db_hh""",
            """    for t in range(x.shape[1] - 1, -1, -1):
        dh = dhs[:, t, :] + dh_next
        out = rnn_cell_backward(dh, steps[t])
        dx[:, t, :], dh_next = out[0], out[1]
        grads = {k: grads[k] + d for k, d in zip(("W_ih", "W_hh", "b_ih", "b_hh"), out[2:])}""",
        ),
        Variant(
            "lstm cell with one product per gate and np.split",
            "lstm_cell_forward",
            """    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    H = h_prev.shape[1]
    sig = lambda v: 0.5 * (1.0 + np.tanh(0.5 * v))  # σ(v), without overflow
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])""",
            """    blocks = [xw + hw + bi + bh for xw, hw, bi, bh in zip(
        [x @ w.T for w in np.split(W_ih, 4)], [h_prev @ w.T for w in np.split(W_hh, 4)],
        np.split(b_ih, 4), np.split(b_hh, 4))]
    sig = lambda v: np.exp(-np.logaddexp(0.0, -v))
    i, f, g, o = sig(blocks[0]), sig(blocks[1]), np.tanh(blocks[2]), sig(blocks[3])""",
        ),
        Variant(
            "lstm backward gate by gate",
            "lstm_cell_backward",
            "    da = np.concatenate([dc_total * g * i * (1.0 - i), dc_total * c_prev * f * (1.0 - f), "
            "dc_total * i * (1.0 - g**2),\n                         dh * tanh_c * o * (1.0 - o)], axis=1)",
            """    di, df, dg, do = dc_total * g, dc_total * c_prev, dc_total * i, dh * tanh_c
    da = np.hstack([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)])""",
        ),
        Variant(
            "lstm forward with tuple unpacking of params",
            "lstm_forward",
            'lstm_cell_forward(x[:, t], h, c, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])',
            'lstm_cell_forward(x[:, t], h, c, **{k: params[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")})',
        ),
        Variant(
            "gru with np.split",
            "gru_cell_forward",
            """    r = sig(gi[:, :H] + gh[:, :H])
    z = sig(gi[:, H:2 * H] + gh[:, H:2 * H])
    hn = gh[:, 2 * H:]
    n = np.tanh(gi[:, 2 * H:] + r * hn)""",
            """    xr, xz, xn = np.split(gi, 3, axis=1)
    hr, hz, hn = np.split(gh, 3, axis=1)
    r, z = 1 / (1 + np.exp(-(xr + hr))), 1 / (1 + np.exp(-(xz + hz)))
    n = np.tanh(xn + r * hn)""",
        ),
        Variant(
            "ctc forward vectorised over the lattice",
            "ctc_loss_forward",
            """        for t in range(1, t_n):
            for s in range(len(ext)):
                acc = a[t - 1, s]
                if s >= 1:
                    acc = np.logaddexp(acc, a[t - 1, s - 1])
                if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                    acc = np.logaddexp(acc, a[t - 1, s - 2])
                a[t, s] = acc + log_probs[n, t, ext[s]]""",
            """        e = np.array(ext)
        jump = np.zeros(len(e), dtype=bool)
        jump[2:] = (e[2:] != blank) & (e[2:] != e[:-2])
        for t in range(1, t_n):
            prev = a[t - 1, : len(e)]
            one, two = np.full(len(e), -np.inf), np.full(len(e), -np.inf)
            one[1:], two[2:] = prev[:-1], prev[:-2]
            two[~jump] = -np.inf
            a[t, : len(e)] = np.logaddexp(np.logaddexp(prev, one), two) + log_probs[n, t, e]""",
        ),
        Variant(
            "ctc backward occupancy with np.add.at",
            "ctc_loss_backward",
            """        for s in range(L):
            occupancy[:, ext[s]] += np.exp(log_alpha[n, :t_n, s] + b[:, s] + nll[n])""",
            """        post = np.exp(log_alpha[n, :t_n, :L] + b + nll[n])
        np.add.at(occupancy.T, np.array(ext), post.T)""",
        ),
        Variant(
            "greedy decoding with itertools.groupby",
            "ctc_greedy_decode",
            """        labels, previous = [], None
        for k in best:
            if k != previous and k != blank:
                labels.append(int(k))
            previous = k
        decoded.append(labels)""",
            """        import itertools
        decoded.append([int(k) for k, _ in itertools.groupby(best) if k != blank])""",
        ),
    ],
}
