"""Reference layers with the course's contract: ``forward -> (out, cache)``, ``backward(dout, cache) -> grads``.

- linear: a weight of PyTorch's layout, ``W`` of shape (out_features, in_features), computing ``out = x @ W.T + b``
  for a batch ``x`` of shape (N, in_features); cache ``(x, W, b)``.
- batch norm: ``batchnorm_forward(x, gamma, beta, state, training=True, momentum=0.1, eps=1e-5) -> (out, cache,
  state)`` follows ``torch.nn.functional.batch_norm``; cache ``(x_hat, gamma, inv_std, training)`` with
  ``x_hat = (x − μ)·inv_std`` (N, D), ``gamma`` (D,), ``inv_std = 1/√(σ² + eps)`` (D,) and ``training`` the flag
  given to the forward. μ, σ² are the batch's (biased) statistics in training and the running ones in evaluation.
- dropout: ``dropout_forward(x, p, training, rng) -> (out, cache)`` follows ``torch.nn.functional.dropout``; cache
  the scaled mask ``m`` (shape of ``x``, entries 0 or 1/(1 − p), so ``out = x·m``), or ``None`` when nothing was
  dropped (evaluation, or ``p = 0``).

Batch norm and dropout keep a float32 input in float32. Caches are part of the contract, so a backward can be tested
on its own.
"""

import numpy as np

__all__ = ["linear_forward", "linear_backward", "batchnorm_forward", "batchnorm_backward", "dropout_forward",
           "dropout_backward"]


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


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def batchnorm_forward(x, gamma, beta, state, training=True, momentum=0.1, eps=1e-5):
    """Batch normalization of ``x`` (N, D) over the batch, one mean and variance per feature.

    ``out = gamma·(x − μ)/√(σ² + eps) + beta``. In training μ, σ² are the batch mean and *biased* variance, and the
    running statistics move towards the batch's: ``running = (1 − momentum)·running + momentum·batch_stat``, with
    the *unbiased* variance (N − 1 in the denominator) in ``running_var``, as torch does. In evaluation
    (``training=False``) μ, σ² are ``running_mean`` and ``running_var`` and the state is left alone.

    Parameters
    ----------
    x : (N, D)   gamma, beta : (D,)
    state : dict, ``{}`` at first; ``running_mean`` (zeros) and ``running_var`` (ones) are added on first use.

    Returns
    -------
    out : (N, D);  cache : ``(x_hat, gamma, inv_std, training)`` (see the module docstring);  state : the same dict
    with new ``running_mean`` and ``running_var`` arrays (D,).
    """
    x = _float(x)
    n, d = x.shape
    if "running_mean" not in state:
        state["running_mean"] = np.zeros(d, dtype=x.dtype)
    if "running_var" not in state:
        state["running_var"] = np.ones(d, dtype=x.dtype)
    if training:
        if n < 2:
            raise ValueError("batch norm in training needs more than one sample per feature (torch refuses too)")
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        unbiased = var * (n / (n - 1))
        state["running_mean"] = (1.0 - momentum) * state["running_mean"] + momentum * mean
        state["running_var"] = (1.0 - momentum) * state["running_var"] + momentum * unbiased
    else:
        mean, var = state["running_mean"], state["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, training), state


def batchnorm_backward(dout, cache):
    """Gradients of :func:`batchnorm_forward` given ``dout = ∂L/∂out`` (N, D) and its cache.

    ``dbeta = Σₙ dout``, ``dgamma = Σₙ dout·x_hat`` (sums over the batch, shape (D,)). With ``g = dout·gamma``:
    in training, where μ and σ² depend on every row, ``dx = inv_std·(g − mean(g) − x_hat·mean(g·x_hat))`` (means over
    the batch); in evaluation the statistics are constants and ``dx = g·inv_std``.

    Returns ``(dx, dgamma, dbeta)`` shaped (N, D), (D,), (D,).
    """
    x_hat, gamma, inv_std, training = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    if training:
        dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    else:
        dx = g * inv_std
    return dx, dgamma, dbeta


def dropout_forward(x, p, training, rng):
    """Inverted dropout: in training each entry is zeroed with probability ``p`` and the survivors are scaled by
    1/(1 − p), so the expected output equals ``x``; in evaluation it is the identity.

    Parameters
    ----------
    x : array of any shape.   p : probability of zeroing, 0 ≤ p ≤ 1 (torch's ``p``; ``p = 1`` zeroes everything).
    training : bool.          rng : ``np.random.Generator``, the only source of randomness.

    Returns
    -------
    out : like ``x``;  cache : the scaled mask (entries 0 or 1/(1 − p), ``out = x·mask``), or ``None`` when nothing
    is dropped (evaluation or ``p = 0``).
    """
    x = _float(x)
    if not training or p == 0:
        return x.copy(), None
    keep = rng.random(x.shape) >= p
    mask = keep.astype(x.dtype)
    if p < 1:
        mask *= 1.0 / (1.0 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    """``dx = dout·mask`` with the cached scaled mask; ``dout`` itself (a copy) when the cache is ``None``."""
    return np.array(dout, copy=True) if cache is None else dout * cache
