"""CTC by brute force, for inputs small enough to list every alignment.

An *alignment* (a path) gives one label to each of the T steps, the blank included. Collapsing it (merge each run of
a repeated label into one, then drop the blanks) gives the text it spells: with the blank written ``-``, ``aa-b``,
``a-bb`` and ``-ab-`` all spell ``ab``, while ``a-a`` spells ``aa`` and ``aaa`` spells ``a``. CTC's probability of a
target is the sum, over every path that spells it, of the product of the per-step probabilities of the path's
labels. This module computes exactly that, one path at a time, with none of the recursions of :mod:`course.ctc`:
it is the definition that the α/β lattice computes fast, and the tests check the lattice against it.

There are ``C**T`` paths, so keep ``T`` and ``C`` tiny (``4**6`` is 4,096).
"""

import itertools

import numpy as np

__all__ = ["collapse", "all_paths", "valid_alignments", "path_probability", "target_probability", "softmax",
           "ctc_loss"]


def collapse(path, blank=0):
    """The labels a path spells: merge each run of a repeated label into one, then drop the blanks."""
    merged = [label for k, label in enumerate(path) if k == 0 or label != path[k - 1]]
    return [int(label) for label in merged if label != blank]


def all_paths(T, C):
    """Every path of length ``T`` over the classes ``0 .. C − 1``, as tuples (``C**T`` of them)."""
    return list(itertools.product(range(C), repeat=T))


def valid_alignments(target, T, blank=0):
    """The paths of length ``T`` that spell ``target``, in lexicographic order.

    Only the blank and the target's own labels can appear in such a path, so they are the only classes tried.
    For the target "a" (label 1) in T = 3 steps there are six: ``--a, -a-, -aa, a--, aa-, aaa``, that is
    ``(0, 0, 1), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 1, 0), (1, 1, 1)``.
    """
    target = [int(label) for label in target]
    classes = sorted({blank, *target})
    return [path for path in itertools.product(classes, repeat=T) if collapse(path, blank) == target]


def path_probability(probs, path):
    """``Π_t probs[t, path[t]]``: the probability of one path, ``probs (T, C)`` holding each step's distribution."""
    p = 1.0
    for t, label in enumerate(path):
        p *= float(probs[t, label])
    return p


def target_probability(probs, target, blank=0):
    """``p(target | x)``: enumerate all ``C**T`` paths, collapse each, add the probabilities of those that spell
    ``target``. ``probs`` is ``(T, C)``."""
    T, C = np.shape(probs)
    target = [int(label) for label in target]
    return sum(path_probability(probs, path) for path in all_paths(T, C) if collapse(path, blank) == target)


def softmax(logits):
    """Row-wise softmax over the last axis (the maximum subtracted first)."""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ctc_loss(logits, targets, input_lengths, target_lengths, blank=0):
    """``F.ctc_loss(F.log_softmax(logits), …, reduction="mean")`` by brute force, for logits ``(N, T, C)``.

    Sequence n uses its first ``input_lengths[n]`` steps and the first ``target_lengths[n]`` labels of
    ``targets[n]``; its ``−log p`` is divided by its target length (at least 1), then the batch is averaged. An
    impossible target gives ``inf``.
    """
    losses = []
    for n in range(len(logits)):
        probs = softmax(np.asarray(logits[n])[: int(input_lengths[n])])
        p = target_probability(probs, list(targets[n])[: int(target_lengths[n])], blank)
        nll = -np.log(p) if p > 0 else np.inf
        losses.append(nll / max(int(target_lengths[n]), 1))
    return float(np.mean(losses))
