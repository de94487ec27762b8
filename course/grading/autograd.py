"""Checks for 08_autograd: one operation of a student's engine at a time, and its ``backward`` on graphs whose
every step the check controls.

``check_op(mul, Tensor, x, y, forward=np.multiply)`` makes ``x`` and ``y`` leaves of the student's ``Tensor``, calls
the student's ``mul``, and walks the graph it made with the course's own traversal (so a broken ``backward`` costs
``mul`` nothing): the value must equal ``forward(x, y)`` and each leaf's gradient the central difference of
``Σ upstream · forward``. Only the attributes of the lesson's contract are used (``data``, ``parents``,
``local_backward``, ``requires_grad``, ``shape``), so the same check runs on the student's objects in this process or
across the grader's wall.

``backward`` itself is checked by :mod:`course.grading.graphs`.
"""

import inspect
import operator as _operator

import numpy as np

from course.dag import topological_order
from course.gradcheck import numerical_gradient
from course.grading.checks import CheckFailure, call_quietly, check, not_implemented, raised
from course.grading.diagnosis import arg_names, describe_inputs
from course.grading.mistakes import mistakes_of
from course.grading.mutants import Mistake

__all__ = ["check_op", "op_outputs", "const", "np_log_softmax", "np_cross_entropy", "OPERATORS"]

OPERATORS = {"+": _operator.add, "-": _operator.sub, "*": _operator.mul, "/": _operator.truediv,
             "@": _operator.matmul}


class const:  # noqa: N801 (reads as a marker in a test cell: const(array))
    """An array argument passed as it is (a constant), not made into a leaf tensor."""

    def __init__(self, value):
        self.value = np.asarray(value)


def np_log_softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def np_cross_entropy(logits, labels):
    logp = np_log_softmax(logits, axis=1)
    return -logp[np.arange(len(labels)), labels].mean()


class _Problem(Exception):
    """Something about the graph a student's op made, said in words (raised inside a probe)."""


class _RuleRaised(Exception):
    """A local backward raised (the student's exception is the ``__cause__``)."""


def _rule_hint(exc):
    text = str(exc)
    if isinstance(exc, ValueError) and ("broadcast" in text or "remapping" in text):
        return (". A gradient that will not broadcast to its input's shape has lost or gained an axis: put each "
                "summed axis back as a length-1 axis (np.expand_dims(grad, axis)), unless keepdims=True kept it")
    if isinstance(exc, ValueError) and ("matmul" in text or "aligned" in text):
        return (". The shapes of a matrix product do not fit: with grad (N, M), a (N, K) and b (K, M), only "
                "grad @ bᵀ has a's shape (N, K) and only aᵀ @ grad has b's shape (K, M)")
    return ""


def _is_leaf_input(v):
    return isinstance(v, np.ndarray) and v.dtype.kind == "f"


def _traverse(out, upstream, leaves, names):
    """The gradient of ``Σ upstream · out`` reaching each of ``leaves``, through the graph's own local backwards."""
    pending, reached = {id(out): upstream}, {}
    for node in reversed(topological_order(out)):
        g = pending.pop(id(node), None)
        if g is None:
            continue
        parents = tuple(node.parents)
        if not parents:
            reached[id(node)] = g
            continue
        rule = node.local_backward
        if rule is None:
            raise _Problem("made a tensor with parents but no local_backward: the gradient cannot flow back")
        upstream_before = np.array(g, copy=True)
        try:
            grads = rule(g)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 (said as the local backward's own error)
            raise _RuleRaised() from exc
        if not np.array_equal(np.asarray(g), upstream_before):
            raise _Problem("changed the upstream gradient `grad` in place inside local_backward: compute new "
                           "arrays (grad * b.data), never grad *= …, because grad may be shared")
        if not isinstance(grads, (tuple, list)) or len(grads) != len(parents):
            got = f"{len(grads)} values" if isinstance(grads, (tuple, list)) else f"a {type(grads).__name__}"
            raise _Problem(f"local_backward returned {got} for {len(parents)} parent(s): it returns one gradient "
                           "per parent, in the order of `parents`, as a tuple (a one-parent op returns (g,))")
        for parent, pg in zip(parents, grads):
            if pg is None:
                if any(parent is leaf for leaf in leaves):
                    raise _Problem(f"local_backward returned None for `{names[id(parent)]}`, which requires a "
                                   "gradient")
                continue
            pg = np.asarray(pg, dtype=np.float64)
            shape = tuple(parent.shape)
            if pg.shape != shape:
                who = names.get(id(parent), "a parent")
                size = int(np.prod(shape))
                hint = (f": `{who}` was broadcast in the forward, so its gradient is the upstream one summed over "
                        f"the broadcast axes, unbroadcast(grad, {who}.shape)") if pg.size > size else (
                    f": it holds `{who}`'s entries in another layout, so put it back in `{who}`'s shape "
                    f"(np.reshape(grad, {who}.shape) undoes a reshape, grad.T a transpose)") if pg.size == size else ""
                raise _Problem(f"the gradient for `{who}` has shape {pg.shape}, but `{who}` has shape {shape}{hint}")
            pending[id(parent)] = pg if id(parent) not in pending else pending[id(parent)] + pg
    return [reached.get(id(leaf)) for leaf in leaves]


def _probe(op, tensor, layout, kwargs, names, via):
    """A plain function of arrays: make the leaves, apply ``op``, return (value, gradient of each leaf)."""
    def probe(*values):
        *values, upstream = values
        leaves, args = [], []
        for v, is_leaf in zip(values, layout):
            if is_leaf:
                leaves.append(tensor(v, requires_grad=True))
            args.append(leaves[-1] if is_leaf else (v.value if isinstance(v, const) else v))
        for leaf, name in zip(leaves, [n for n, is_leaf in zip(names, layout) if is_leaf]):
            tags[id(leaf)] = name
        out = OPERATORS[via](*args) if via else op(*args, **kwargs)
        if not hasattr(out, "data") or not hasattr(out, "parents"):
            raise _Problem(f"returned a {type(out).__name__}, not a Tensor: wrap the result, Tensor(value, "
                           "parents=(…), local_backward=…, op=…)")
        for leaf, v in zip(leaves, [v for v, is_leaf in zip(values, layout) if is_leaf]):
            if not np.array_equal(np.asarray(leaf.data), v):
                raise _Problem(f"changed `{tags[id(leaf)]}.data` in place: an op makes a new array for its result")
        value = np.asarray(out.data)
        if value.shape != np.shape(upstream):
            return (value, *[None] * len(leaves))  # the value comparison says what is wrong with its shape
        grads = _traverse(out, np.array(upstream, dtype=np.float64), leaves, tags)
        for leaf, g in zip(leaves, grads):
            if g is None:
                raise _Problem(f"the gradient never reached `{tags[id(leaf)]}`: the result's parents must be the "
                               "input tensors themselves (as_tensor keeps a Tensor as it is; Tensor(a.data) would "
                               "cut it off the graph)")
        return (value, *grads)

    tags = {}
    probe.__name__ = getattr(op, "__name__", via or "op")
    return probe


def op_outputs(op, *values, upstream, kwargs=None):
    """``(value, gradient of each leaf)`` of ``op`` on the course's Tensor: the plain data ``check_op`` compares.

    ``values`` as for :func:`check_op` (float arrays become leaves); ``upstream`` is the gradient on the result.
    """
    layout = [_is_leaf_input(v) for v in values]
    probe = _probe(op, _reference_tensor(), layout, dict(kwargs or {}), _names(op, values, None), None)
    return probe(*values, np.asarray(upstream, dtype=np.float64))


def _names(op, values, via):
    names = arg_names(op, len(values))
    return [n if n.isidentifier() else f"arg{i}" for i, n in enumerate(names)]


def check_op(op, tensor, *values, forward, kwargs=None, upstream=None, grads=None, label=None, via=None, seed=0,
             rtol=1e-5, atol=1e-7):
    """Check the student's ``op`` (or the operator ``via``, e.g. "-", applied to its arguments) on ``values``.

    Parameters
    ----------
    op : the student's op function; ``tensor`` : the student's Tensor class.
    values : float arrays become leaves with ``requires_grad=True``; numbers, integer arrays and ``const(array)``
        are passed as they are.
    forward : NumPy function of the same arguments (and ``kwargs``) giving the expected value.
    upstream : the gradient on the result (default: a fixed random array, so that a rule ignoring it shows).
    grads : expected leaf gradients (default: central differences of ``Σ upstream · forward``).
    """
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    raw = [v.value if isinstance(v, const) else v for v in values]
    layout = [_is_leaf_input(v) for v in values]
    names = _names(op, values, via)
    value = np.asarray(forward(*raw, **kwargs), dtype=np.float64)
    if upstream is None:
        upstream = np.random.default_rng(seed).uniform(0.5, 1.5, value.shape) * np.where(
            np.random.default_rng(seed + 1).random(value.shape) < 0.5, -1.0, 1.0)
    upstream = np.asarray(upstream, dtype=np.float64)
    if grads is None:
        grads = []
        for i, is_leaf in enumerate(layout):
            if is_leaf:
                def f(x, i=i):
                    args = list(raw)
                    args[i] = x
                    return float(np.sum(upstream * forward(*args, **kwargs)))
                grads.append(numerical_gradient(f, np.array(raw[i], dtype=np.float64)))
    expected = (value, *[np.asarray(g, dtype=np.float64) for g in grads])
    out_names = ["value"] + [f"gradient of {n}" for n, is_leaf in zip(names, layout) if is_leaf]
    shown = f"{getattr(op, '__name__', 'op')}({describe_inputs(names, raw)})" + (f" as `a {via} b`" if via else "")
    where = shown + (f" [{label}]" if label else "")
    probe = _probe(op, tensor, layout, kwargs, names, via)
    _, _, exc = call_quietly(probe, *values, upstream)
    if exc is not None:
        if isinstance(exc, _Problem):
            raise CheckFailure(f"{where}: {exc}.") from None
        if isinstance(exc, _RuleRaised):
            cause = exc.__cause__
            raise raised(f"{where}: its local_backward", cause, _rule_hint(cause)) from None
        if isinstance(exc, NotImplementedError):
            raise not_implemented(op if not via else probe, exc) from None
        hint = ""
        if isinstance(exc, AttributeError) and "data" in str(exc):
            hint = (". A number or an array has no .data: start the op with a, b = as_tensor(a), as_tensor(b) so "
                    "that 2.0 - x and x * np.ones(3) work")
        raise raised(where + ":", exc, hint) from None
    probe.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in [*names, "upstream"]])
    mistakes = [Mistake(m.sentence, _probe(m.fn, _reference_tensor(), layout, kwargs, names, via))
                for m in mistakes_of(probe.__name__)] if not via else []
    return check(probe, *values, upstream, expected=tuple(expected), out_names=out_names, label=label,
                 mistakes=mistakes, rtol=rtol, atol=atol)


def _reference_tensor():
    from course.autograd import Tensor

    return Tensor

