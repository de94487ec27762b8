"""Catalogues of classic mistakes, one module per lesson, each ``MISTAKES = {function name: [Mistake, ...]}``.

Every entry is a small difference from the course's reference (:func:`course.grading.mutants.differs`, or a call of
the reference with one argument changed), never a second copy of the algorithm. ``check`` looks a graded function's
catalogue up by the function's name, so names are unique across lessons (``catalogue`` refuses a clash).
"""

import functools

from course.grading.mutants import Mistake

__all__ = ["Mistake", "LESSONS", "catalogue", "mistakes_of"]

# Modules in lesson order; 03_backprop has two, its layers and its networks.
LESSONS = ("losses", "gradients", "layers", "backprop", "init", "optim", "capstone", "sequences", "autograd")


@functools.lru_cache(maxsize=1)
def catalogue():
    """``{function name: (Mistake, ...)}`` over every lesson's catalogue."""
    from course.grading.mistakes import autograd, backprop, capstone, gradients, init, layers, losses, optim, sequences

    merged = {}
    for lesson in (losses, gradients, layers, backprop, init, optim, capstone, sequences, autograd):
        for name, entries in lesson.MISTAKES.items():
            if name in merged:
                raise ValueError(f"two lessons catalogue mistakes of {name!r}: names must be unique")
            merged[name] = tuple(entries)
    return merged


def mistakes_of(name):
    """The catalogued mistakes of the graded function called ``name`` (none for an unknown name)."""
    return catalogue().get(name, ())
