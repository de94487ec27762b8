"""Reference layers with the course's contract: ``forward -> (out, cache)``, ``backward(dout, cache) -> grads``.

A linear layer's weight has PyTorch's layout, ``W`` of shape (out_features, in_features), and computes
``out = x @ W.T + b`` for a batch ``x`` of shape (N, in_features).
"""

import numpy as np

__all__ = ["linear_forward", "linear_backward"]


def linear_forward(x, W, b):
    """Affine map of a batch.

    Parameters
    ----------
    x : (N, D_in)   W : (D_out, D_in)   b : (D_out,)

    Returns
    -------
    out : (N, D_out) ``x @ W.T + b``;  cache : ``(x, W, b)``.
    """
    return x @ W.T + b, (x, W, b)


def linear_backward(dout, cache):
    """Gradients of a linear layer given ``dout = ∂L/∂out`` of shape (N, D_out).

    Returns ``dx = dout @ W`` (N, D_in), ``dW = dout.T @ x`` (D_out, D_in), ``db = dout.sum(0)`` (D_out,).
    """
    x, W, _ = cache
    return dout @ W, dout.T @ x, dout.sum(axis=0)
