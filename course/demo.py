"""Demo cells and explorers that work on a partly written lesson.

A demo uses the student's own functions; where one is not written yet (or raises), it borrows the course's own
version of that function and says so in one line, instead of stopping at a bare ``NotImplementedError``::

    with yours(sigmoid_forward, sigmoid_backward) as my:
        a, cache = my.sigmoid_forward(z)
        ...
    # prints, if sigmoid_backward still raises:
    # ⓘ This demo borrowed the course's sigmoid_backward (yours is not written yet).

Once a function has been borrowed it stays borrowed for the rest of that demo, so a forward and its backward never
mix two implementations half way through a loop.
"""

import importlib
import inspect
import os

__all__ = ["yours", "Yours", "DemoNeedsFunction", "reference", "raised_in", "own_or_course"]

# Where the course keeps its own version of each lesson's functions, looked up by the student's function's name.
_REFERENCE_MODULES = (
    "course.losses", "course.gradcheck", "course.gradients", "course.activations", "course.layers",
    "course.examples.network222", "course.examples.xor", "course.examples.delta_rule", "course.init", "course.optim",
    "course.train", "course.rnn", "course.ctc",
)
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Lesson functions whose course version has another name.
_RENAMED = {"train": ("course.train", "fit")}


class DemoNeedsFunction(RuntimeError):
    """A demo cannot run: a function it needs is neither written nor available from the course."""

    def _render_traceback_(self):
        return [f"\x1b[33mⓘ {self}\x1b[0m"]


def reference(name):
    """The course's own function called ``name``, or None (unknown, or withheld while a lesson is graded)."""
    module_name, attr = _RENAMED.get(name, (None, name))
    for candidate in ((module_name,) if module_name else _REFERENCE_MODULES):
        try:
            module = importlib.import_module(candidate)
        except Exception:  # noqa: BLE001 (a module that cannot load simply has nothing to lend)
            continue
        fn = getattr(module, attr, None)
        if callable(fn):
            return fn
    return None


def own_or_course(fns, name, module):
    """The function ``name`` from ``fns`` (a :class:`Yours`, a dict by name, any object with that attribute, or
    None), else ``module``'s own: how an experiment runs a notebook's functions where it has them."""
    fn = fns.get(name) if isinstance(fns, dict) else getattr(fns, name, None) if fns is not None else None
    return fn or getattr(module, name)


def raised_in(exc, fn):
    """The name of the function that raised ``exc`` when it is another of the student's (``train`` calling an
    unwritten ``accuracy``), else None: ``exc`` came from ``fn`` itself, or from a library it called."""
    tb, code = exc.__traceback__, None
    while tb is not None:
        code, tb = tb.tb_frame.f_code, tb.tb_next
    own = getattr(inspect.unwrap(fn), "__code__", None)
    if code is None or code is own or code.co_name.startswith("<"):
        return None
    path = os.path.abspath(code.co_filename)
    if path.startswith(_PACKAGE) or "site-packages" in path or path.startswith(os.path.dirname(os.__file__)):
        return None
    return code.co_name


def _why(exc, fn=None):
    inner = raised_in(exc, fn) if fn is not None else None
    if isinstance(exc, NotImplementedError):
        return f"yours calls {inner}, which is not written yet" if inner else "yours is not written yet"
    text = str(exc).strip().splitlines()
    return f"yours raised {type(exc).__name__}" + (f": {text[0][:80]}" if text else "")


class Yours:
    """The student's functions by name (``my.sigmoid_forward``), each falling back to the course's version."""

    def __init__(self, functions, references=None):
        self._functions = {}
        self._references = dict(references or {})
        self.borrowed = {}  # name -> why
        for fn in functions:
            self._functions[fn.__name__] = fn

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._functions:
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name):
        def call(*args, **kwargs):
            if name not in self.borrowed:
                try:
                    result = self._functions[name](*args, **kwargs)
                except Exception as exc:  # noqa: BLE001 (the demo goes on with the course's version)
                    return self._borrow(name, exc)(*args, **kwargs)
                return self._guard_generator(name, result, args, kwargs)
            return self._borrow(name)(*args, **kwargs)

        call.__name__ = name
        call.__wrapped__ = self._functions[name]
        return call

    def _guard_generator(self, name, result, args, kwargs):
        """A generator fails only when iterated: borrow if it fails before its first item."""
        if not inspect.isgenerator(result):
            return result

        def items():
            try:
                first = next(result)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001
                yield from self._borrow(name, exc)(*args, **kwargs)
                return
            yield first
            yield from result

        return items()

    def _borrow(self, name, exc=None):
        """The course's ``name``, noted as borrowed because of ``exc``; DemoNeedsFunction when there is none."""
        why = self.borrowed.get(name) or _why(exc, self._functions[name])
        fn = self._references.get(name) or reference(name)
        if fn is None:
            raise DemoNeedsFunction(f"This demo needs your {name}, and {why}: write it above, run its cell, then "
                                    "run this one again.") from None
        self.borrowed[name] = why
        return fn

    @property
    def functions(self):
        """Every function by name, each wrapped as ``self[name]`` is (for drawings that take a dict)."""
        return {name: self[name] for name in self._functions}

    def note(self):
        """One line naming what was borrowed, or "" when everything used was the student's own."""
        if not self.borrowed:
            return ""
        parts = [f"{name} ({why})" for name, why in self.borrowed.items()]
        return f"ⓘ This demo borrowed the course's {', '.join(parts)}."

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.note():
            print(self.note())
        return False


def yours(*functions, references=None):
    """Wrap the student's ``functions`` for a demo: ``with yours(f, g) as my: my.f(...)``.

    ``references`` maps a name to the function to borrow when the course keeps it elsewhere.
    """
    return Yours(functions, references)
