"""Reference recurrent cells and their backpropagation through time, laid out as torch's.

Batch first: ``x`` is ``(N, T, D)`` for a sequence and ``(N, D)`` for one step; hidden states are ``(N, H)``. Weights
are torch's: ``W_ih (G*H, D)``, ``W_hh (G*H, H)``, ``b_ih, b_hh (G*H,)`` with the gates stacked in torch's order
(G = 1 for the tanh RNN, 4 for the LSTM's i, f, g, o, 3 for the GRU's r, z, n). A sequence takes
``params = dict(W_ih=, W_hh=, b_ih=, b_hh=)`` and returns gradients under the same keys.

Every forward's cache starts with its own arguments in signature order, then what its backward needs:

- ``rnn_cell_forward``: ``(x, h_prev, W_ih, W_hh, b_ih, b_hh, h)``
- ``lstm_cell_forward``: ``(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c)`` (gates after their
  nonlinearities)
- ``gru_cell_forward``: ``(x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn)`` with ``hn = h_prev W_hnᵀ + b_hn``
- ``rnn_forward`` / ``lstm_forward`` / ``gru_forward``: ``(x, h0[, c0], params, steps)``, ``steps`` the list of
  the T cell caches.

Each classic mistake of the lesson is one line here, so that the grading catalogue can change just that line.
"""

import numpy as np

from course.activations import sigmoid

__all__ = ["rnn_cell_forward", "rnn_cell_backward", "rnn_forward", "rnn_backward", "lstm_cell_forward",
           "lstm_cell_backward", "lstm_forward", "lstm_backward", "gru_cell_forward", "gru_cell_backward",
           "gru_forward", "gru_backward", "PARAM_NAMES"]

PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh")


def _affine_grads(da, x, h_prev, W_ih, W_hh, da_h=None):
    """The gradients of ``a = x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh`` given ``da``; ``da_h`` is the gradient that
    reaches the hidden side, when it differs (the GRU's reset gate scales it)."""
    da_h = da if da_h is None else da_h
    return da @ W_ih, da_h @ W_hh, da.T @ x, da_h.T @ h_prev, da.sum(axis=0), da_h.sum(axis=0)


# ---- tanh RNN ----------------------------------------------------------------------------------------------------
def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """``h = tanh(x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh)``, one step of ``torch.nn.RNN``."""
    h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
    return h, (x, h_prev, W_ih, W_hh, b_ih, b_hh, h)


def rnn_cell_backward(dh, cache):
    """``(dx, dh_prev, dW_ih, dW_hh, db_ih, db_hh)``: through tanh first (``dz = dh·(1 − h²)``), then the affine map."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh, h = cache
    dz = dh * (1.0 - h**2)
    return _affine_grads(dz, x, h_prev, W_ih, W_hh)


def rnn_forward(x, h0, params):
    """Run the tanh cell over ``x (N, T, D)`` from ``h0 (N, H)``; ``hs (N, T, H)`` holds every hidden state."""
    h, hs, steps = h0, [], []
    for t in range(x.shape[1]):
        h, step = rnn_cell_forward(x[:, t], h, *(params[k] for k in PARAM_NAMES))
        hs.append(h)
        steps.append(step)
    return _stack(hs, h0), (x, h0, params, steps)


def rnn_backward(dhs, cache):
    """Backpropagation through time: ``dhs (N, T, H)`` is the loss's gradient on every state, taken directly.

    Walking back from the last step, the gradient on ``h_t`` is its own ``dhs[:, t]`` plus what flows back from
    step t+1; the weights are shared by every step, so their gradients add up over time.
    """
    x, h0, params, steps = cache
    grads = {k: np.zeros_like(params[k], dtype=np.result_type(params[k], dhs)) for k in PARAM_NAMES}
    dx = np.zeros(x.shape, dtype=np.result_type(x, dhs))
    dh_next = np.zeros_like(dhs[:, 0])
    for t in reversed(range(len(steps))):
        dh = dhs[:, t] + dh_next
        dx[:, t], dh_next, *dparams = rnn_cell_backward(dh, steps[t])
        for k, d in zip(PARAM_NAMES, dparams):
            grads[k] += d
    return dx, dh_next, grads


# ---- LSTM -------------------------------------------------------------------------------------------------------
def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of ``torch.nn.LSTM``: gates i, f, g, o stacked in that order; ``c = f·c_prev + i·g``,
    ``h = o·tanh(c)``."""
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    i, f, g, o = np.split(a, 4, axis=1)
    i, f, o = sigmoid(i), sigmoid(f), sigmoid(o)
    g = np.tanh(g)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c)


def lstm_cell_backward(dh, dc, cache):
    """``(dx, dh_prev, dc_prev, dW_ih, dW_hh, db_ih, db_hh)`` given the gradients on ``h`` and on ``c``."""
    x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c = cache
    tanh_c = np.tanh(c)
    dc_total = dc + dh * o * (1.0 - tanh_c**2)
    di = dc_total * g
    df = dc_total * c_prev
    dg = dc_total * i
    do = dh * tanh_c
    dc_prev = dc_total * f
    da = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g**2), do * o * (1.0 - o)], axis=1)
    return (da @ W_ih, da @ W_hh, dc_prev, da.T @ x, da.T @ h_prev, da.sum(axis=0), da.sum(axis=0))


def lstm_forward(x, h0, c0, params):
    """Run the LSTM cell over ``x (N, T, D)`` from ``h0, c0 (N, H)``; returns ``hs (N, T, H)`` and the cache."""
    h, c, hs, steps = h0, c0, [], []
    for t in range(x.shape[1]):
        h, c, step = lstm_cell_forward(x[:, t], h, c, *(params[k] for k in PARAM_NAMES))
        hs.append(h)
        steps.append(step)
    return _stack(hs, h0), (x, h0, c0, params, steps)


def lstm_backward(dhs, cache):
    """BPTT through the LSTM: two gradients flow back in time, on h and on the cell c."""
    x, h0, c0, params, steps = cache
    grads = {k: np.zeros_like(params[k], dtype=np.result_type(params[k], dhs)) for k in PARAM_NAMES}
    dx = np.zeros(x.shape, dtype=np.result_type(x, dhs))
    dh_next = np.zeros_like(dhs[:, 0])
    dc_next = np.zeros_like(dhs[:, 0])
    for t in reversed(range(len(steps))):
        dh = dhs[:, t] + dh_next
        dx[:, t], dh_next, dc_next, *dparams = lstm_cell_backward(dh, dc_next, steps[t])
        for k, d in zip(PARAM_NAMES, dparams):
            grads[k] += d
    return dx, dh_next, dc_next, grads


# ---- GRU --------------------------------------------------------------------------------------------------------
def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of ``torch.nn.GRUCell``: ``r, z = σ(…)``, ``n = tanh(x W_inᵀ + b_in + r·(h_prev W_hnᵀ + b_hn))``,
    ``h = (1 − z)·n + z·h_prev``."""
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h_prev @ W_hh.T + b_hh, 3, axis=1)
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    h = (1.0 - z) * n + z * h_prev
    return h, (x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn)


def gru_cell_backward(dh, cache):
    """``(dx, dh_prev, dW_ih, dW_hh, db_ih, db_hh)`` of the GRU cell."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn = cache
    dn = dh * (1.0 - z)
    dz = dh * (h_prev - n)
    dan = dn * (1.0 - n**2)
    dar = dan * hn * r * (1.0 - r)
    daz = dz * z * (1.0 - z)
    da_x = np.concatenate([dar, daz, dan], axis=1)
    da_h = np.concatenate([dar, daz, dan * r], axis=1)
    dx, dh_prev, dW_ih, dW_hh, db_ih, db_hh = _affine_grads(da_x, x, h_prev, W_ih, W_hh, da_h)
    return dx, dh_prev + dh * z, dW_ih, dW_hh, db_ih, db_hh


def gru_forward(x, h0, params):
    """Run the GRU cell over ``x (N, T, D)`` (``torch.nn.GRU``'s recurrence); returns ``hs (N, T, H)``."""
    h, hs, steps = h0, [], []
    for t in range(x.shape[1]):
        h, step = gru_cell_forward(x[:, t], h, *(params[k] for k in PARAM_NAMES))
        hs.append(h)
        steps.append(step)
    return _stack(hs, h0), (x, h0, params, steps)


def gru_backward(dhs, cache):
    """BPTT through the GRU, as :func:`rnn_backward` with the GRU cell."""
    x, h0, params, steps = cache
    grads = {k: np.zeros_like(params[k], dtype=np.result_type(params[k], dhs)) for k in PARAM_NAMES}
    dx = np.zeros(x.shape, dtype=np.result_type(x, dhs))
    dh_next = np.zeros_like(dhs[:, 0])
    for t in reversed(range(len(steps))):
        dx[:, t], dh_next, *dparams = gru_cell_backward(dhs[:, t] + dh_next, steps[t])
        for k, d in zip(PARAM_NAMES, dparams):
            grads[k] += d
    return dx, dh_next, grads


def _stack(hs, h0):
    """``(N, T, H)`` from the T states (``(N, 0, H)`` for an empty sequence)."""
    if not hs:
        return np.zeros((h0.shape[0], 0, h0.shape[1]), dtype=h0.dtype)
    return np.stack(hs, axis=1)
