"""A classic mistake (:class:`Mistake`: a sentence and a wrong function) written as a difference from the reference:
the reference's own source with a line changed.

``differs(losses.mse_forward, ("(y_pred - y) ** 2", "(y_pred - y)"))`` is ``mse_forward`` with its square left out.
Each edit ``(old, new)`` replaces text that occurs exactly once in the reference's source (or in one of the
same-module ``helpers`` it calls, which are recompiled with it), so a catalogue entry reads as the wrong line
itself and can never drift from the algorithm it corrupts: change the reference, and an edit that no longer applies
fails loudly when the mutant is built.

The mutant is compiled on first use, in a copy of the reference module's namespace: the module itself is never
changed. ``Mutant.unchanged()`` compiles the same source with no edit; the test suite checks that it reproduces
the reference exactly, and that every mutant differs from it on the inputs its lesson's tests use.
"""

import inspect
import sys
import textwrap
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Mistake", "Mutant", "MutationError", "differs"]


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation and the sentence that names it.

    ``fn`` is called with the same arguments as the student's function; when the student's result matches it, the
    failure message says ``sentence``.
    """

    sentence: str
    fn: Callable[..., Any]


class MutationError(ValueError):
    """An edit that does not apply: its text is missing from the reference, or occurs more than once."""


class Mutant:
    """``reference`` with ``edits`` applied to its source; calling it calls the mutated function."""

    def __init__(self, reference, edits, helpers=()):
        self.reference = reference
        self.edits = tuple(edits)
        self.helpers = tuple(helpers)
        self.__name__ = reference.__name__
        self._compiled = None

    def __call__(self, *args, **kwargs):
        return self.build()(*args, **kwargs)

    def __repr__(self):
        return f"<{self.reference.__module__}.{self.__name__} with {len(self.edits)} edit(s)>"

    def sources(self, edits=None):
        """``{function name: source}`` of the reference and its helpers, after ``edits`` (default: the mutant's)."""
        module = sys.modules[self.reference.__module__]
        names = (self.reference.__name__, *self.helpers)
        texts = {n: textwrap.dedent(inspect.getsource(getattr(module, n))) for n in names}
        for old, new in self.edits if edits is None else edits:
            counts = {n: texts[n].count(old) for n in names}
            if sum(counts.values()) != 1:
                raise MutationError(f"{self!r}: {old!r} occurs {sum(counts.values())} times in "
                                    f"{', '.join(names)}; an edit must match exactly one place")
            name = next(n for n, k in counts.items() if k)
            texts[name] = texts[name].replace(old, new)
        return texts

    def _compile(self, edits):
        module = sys.modules[self.reference.__module__]
        namespace = dict(vars(module))  # a copy: the module keeps its own functions
        for name, text in self.sources(edits).items():
            exec(compile(text, f"<{module.__name__}.{name}, {len(edits)} edit(s)>", "exec"), namespace)  # noqa: S102
        return namespace[self.reference.__name__]

    def build(self):
        """The mutated function (compiled once)."""
        if self._compiled is None:
            self._compiled = self._compile(self.edits)
        return self._compiled

    def unchanged(self):
        """The reference compiled the same way with no edit: it must behave exactly as the reference does."""
        return self._compile(())


def differs(reference, *edits, helpers=()):
    """The reference function with each ``(old, new)`` text edit applied, as a lazily compiled :class:`Mutant`."""
    for edit in edits:
        if not (isinstance(edit, tuple) and len(edit) == 2 and all(isinstance(t, str) for t in edit)):
            raise MutationError(f"{reference.__name__}: an edit is a pair of strings (old, new), not {edit!r}")
    if not edits:
        raise MutationError(f"{reference.__name__}: a mistake needs at least one edit")
    return Mutant(reference, edits, helpers)
