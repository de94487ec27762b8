"""Helpers for 07_sequences' test cells: numerical gradients of functions with several inputs and outputs.

A recurrent backward returns the gradient with respect to every input of its forward (``x``, ``h_prev``, each
weight, or each entry of a ``params`` dict). :func:`numerical_backward` differentiates the course's *reference*
forward numerically with respect to all of them at once, so a student's backward is checked against numbers that
no forward of theirs produced.
"""

import copy

import numpy as np

from course.gradcheck import numerical_gradient

__all__ = ["numerical_backward"]


def _get(args, where):
    return args[where] if isinstance(where, int) else args[where[0]][where[1]]


def _with(args, where, value):
    new = list(args)
    if isinstance(where, int):
        new[where] = value
    else:
        new[where[0]] = {**new[where[0]], where[1]: value}
    return new


def numerical_backward(forward, args, upstream, wrt, h=1e-6):
    """Central-difference gradients of ``L = Σₖ Σ upstream[k] · outₖ`` where ``out = forward(*args)``.

    Parameters
    ----------
    forward : callable returning an array or a tuple whose first ``len(upstream)`` entries are arrays.
    args : the forward's arguments (not modified).
    upstream : list of arrays, the loss's gradient on each output.
    wrt : list of argument positions ``i`` or ``(i, key)`` for an entry of a dict argument.

    Returns
    -------
    list of gradients, one per entry of ``wrt``, each shaped like its argument.
    """
    args = [copy.deepcopy(a) for a in args]

    def loss(where):
        def f(value):
            out = forward(*_with(args, where, value))
            outs = (out,) if isinstance(out, np.ndarray) else out
            return float(sum(np.sum(u * o) for u, o in zip(upstream, outs)))
        return f

    return [numerical_gradient(loss(w), np.array(_get(args, w), dtype=np.float64), h=h) for w in wrt]
