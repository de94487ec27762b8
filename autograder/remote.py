"""A proxy for an object on the other side of the wall (:mod:`autograder.channel`), and the operators it forwards.

One endpoint makes one :class:`Remote` per object of the other side, so ``is``, ``id()`` and hashing (by identity,
like the object's own default) hold across messages, and a Remote sent back arrives as the original object. The
arithmetic operators are asked of the other side, which applies them with Python's own rules; the judge's side
refuses, so a student's code never makes the judge run operators of the judge's objects. Comparisons stay local.
"""

import inspect
import operator

_BINARY = ("add", "sub", "mul", "truediv", "matmul", "pow")
# The operators one side may ask of the other's object, by name: reflected ones ("radd") swap the operands.
OPERATORS = {"neg": lambda obj, _: -obj, "pos": lambda obj, _: +obj, "abs": lambda obj, _: abs(obj)}
OPERATORS.update({name: getattr(operator, name) for name in _BINARY})
OPERATORS.update({"r" + name: (lambda obj, other, f=getattr(operator, name): f(other, obj)) for name in _BINARY})


def apply_operator(name, obj, other=None):
    """``obj <name> other`` as Python would evaluate it here (``other <name> obj`` for a reflected name)."""
    fn = OPERATORS.get(name)
    if fn is None:
        raise LookupError(f"unknown operator {name!r}")
    return fn(obj, other)


class _Default:
    """A default value as the other side wrote it (only its text crosses)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


class Remote:
    """Stands for an object on the other side. Calling it, iterating it, reading an attribute or applying an
    arithmetic operator asks that side. Equality and hashing are this proxy's own identity."""

    __array_ufunc__ = None  # ndarray * remote: NumPy defers to Remote.__rmul__ instead of looping over the array

    def __init__(self, endpoint, handle):
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "__name__", handle.name or handle.type)
        object.__setattr__(self, "__qualname__", handle.name or handle.type)
        if handle.params is not None:  # inspect.signature reads this: the checks name the arguments they pass
            object.__setattr__(self, "__signature__", inspect.Signature([
                inspect.Parameter(name, inspect._ParameterKind(kind),
                                  default=inspect.Parameter.empty if default is None else _Default(default))
                for name, kind, default in handle.params]))

    def _ask(self, op, **fields):
        return self._endpoint.request({"op": op, "h": self._handle.id, **fields})

    def __call__(self, *args, **kwargs):
        return self._endpoint.call(self._handle, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):  # NumPy and IPython probe for __array__, _repr_html_ ...: never ask for those
            raise AttributeError(name)
        return self._ask("getattr", n=name)["v"]

    def __setattr__(self, name, value):
        self._ask("setattr", n=name, v=value)

    def __iter__(self):
        return self._ask("iter")["v"]

    def __next__(self):
        return self._ask("next")["v"]

    def __len__(self):
        return self._ask("len")["v"]

    def __bool__(self):  # else Python would ask for len(), which a function or a tensor does not have
        return self._ask("bool")["v"]

    def __getitem__(self, key):
        return self._ask("getitem", v=key)["v"]

    def __repr__(self):
        return f"<{self._handle.type} {self._handle.name}>".replace("  ", " ")


def _operator(name):
    if name in _BINARY or name[1:] in _BINARY:
        def forward(self, other):
            return self._ask("operator", n=name, v=other)["v"]
    else:
        def forward(self):
            return self._ask("operator", n=name)["v"]
    forward.__name__ = f"__{name}__"
    return forward


for _name in OPERATORS:
    setattr(Remote, f"__{_name}__", _operator(_name))
