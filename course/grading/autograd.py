"""Checks for 08_autograd: one operation of a student's engine at a time, and its ``backward`` on graphs whose
every step the check controls.

``check_op(mul, Tensor, x, y, forward=np.multiply)`` makes ``x`` and ``y`` leaves of the student's ``Tensor``, calls
the student's ``mul``, and walks the graph it made with the course's own traversal (so a broken ``backward`` costs
``mul`` nothing): the value must equal ``forward(x, y)`` and each leaf's gradient the central difference of
``Σ upstream · forward``. Only the attributes of the lesson's contract are used (``data``, ``parents``,
``local_backward``, ``requires_grad``, ``shape``), so the same check runs on the student's objects in this process or
across the grader's wall.

``check_backward(backward, Tensor, graph)`` builds the student's tensors for a small graph (:class:`Graph`) whose
local backward functions are the check's own: each records when it runs and what it receives, so the feedback can
say "visited twice", "not in reverse topological order" or "b received only part of its gradient".
"""

import inspect
import operator as _operator

import numpy as np

from course.gradcheck import numerical_gradient
from course.grading.checks import CheckFailure, call_quietly, check, fail, fmt, not_implemented, raised
from course.grading.diagnosis import arg_names, describe_inputs
from course.grading.mistakes import mistakes_of
from course.grading.mutants import Mistake

__all__ = ["check_op", "const", "Graph", "check_backward", "check_backward_raises", "np_log_softmax",
           "np_cross_entropy", "OPERATORS"]

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


def _is_leaf_input(v):
    return isinstance(v, np.ndarray) and v.dtype.kind == "f"


def _order(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in tuple(node.parents) if id(p) not in seen)
    return order


def _traverse(out, upstream, leaves, names):
    """The gradient of ``Σ upstream · out`` reaching each of ``leaves``, through the graph's own local backwards."""
    pending, reached = {id(out): upstream}, {}
    for node in reversed(_order(out)):
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
        grads = rule(g)
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
                hint = (f": `{who}` was broadcast in the forward, so its gradient is the upstream one summed over "
                        f"the broadcast axes, unbroadcast(grad, {who}.shape)") if pg.size > int(np.prod(shape)) \
                    else ""
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


def _names(op, values, via):
    if via:
        return ["a", "b"]
    return arg_names(op, len(values))


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
    shown = f"{via.join(names)}" if via else f"{getattr(op, '__name__', 'op')}({describe_inputs(names, raw)})"
    where = shown + (f" [{label}]" if label else "")
    probe = _probe(op, tensor, layout, kwargs, names, via)
    _, _, exc = call_quietly(probe, *values, upstream)
    if exc is not None:
        if isinstance(exc, _Problem):
            raise CheckFailure(f"{where}: {exc}.") from None
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


_RULES = {  # kind: (forward of the parents' values, local backward: (grad, parents' values, value) -> grads)
    "+": (lambda a, b: a + b, lambda g, p, v: (g, g)),
    "*": (lambda a, b: a * b, lambda g, p, v: (g * p[1], g * p[0])),
    "tanh": (np.tanh, lambda g, p, v: (g * (1 - v**2),)),
    "exp": (np.exp, lambda g, p, v: (g * v,)),
    "sum": (np.sum, lambda g, p, v: (np.ones_like(p[0]) * g,)),
}


class Graph:
    """A small graph for :func:`check_backward`, node by node: ``g.leaf("x", 2.0)``, ``g.op("a", "+", "x", "w")``.
    The last node is the root. Kinds: ``+``, ``*`` (same shapes), ``tanh``, ``exp``, ``sum`` (to a scalar)."""

    def __init__(self):
        self.nodes = {}  # name -> (kind, parent names, value, requires_grad)

    def leaf(self, name, value, requires_grad=True):
        self.nodes[name] = ("leaf", (), np.asarray(value, dtype=np.float64), requires_grad)
        return self

    def op(self, name, kind, *parents):
        value = _RULES[kind][0](*[self.nodes[p][2] for p in parents])
        self.nodes[name] = (kind, parents, np.asarray(value, dtype=np.float64), True)
        return self

    @property
    def root(self):
        return list(self.nodes)[-1]

    def consumers(self, name):
        return [n for n, (_, parents, _, _) in self.nodes.items() if name in parents]

    def forward(self, leaf_values):
        """The root's value with the leaves set to ``leaf_values`` (name -> array)."""
        values = {}
        for name, (kind, parents, value, _) in self.nodes.items():
            values[name] = leaf_values.get(name, value) if kind == "leaf" else _RULES[kind][0](
                *[values[p] for p in parents])
        return values[self.root]

    def incoming(self, seed):
        """What each node should receive in total, by a reverse pass over the nodes in the order they were made."""
        totals = {self.root: np.asarray(seed, dtype=np.float64)}
        for name in reversed(list(self.nodes)):
            kind, parents, value, _ = self.nodes[name]
            if kind == "leaf" or name not in totals:
                continue
            shares = _RULES[kind][1](totals[name], [self.nodes[p][2] for p in parents], value)
            for p, share in zip(parents, shares):
                totals[p] = totals[p] + share if p in totals else share
        return totals

    def shares(self, name, seed):
        """Each single contribution ``name`` receives (one per use), for naming a `=` that should be `+=`."""
        totals, out = self.incoming(seed), []
        for c in self.consumers(name):
            kind, parents, value, _ = self.nodes[c]
            grads = _RULES[kind][1](totals[c], [self.nodes[p][2] for p in parents], value)
            out += [g for p, g in zip(parents, grads) if p == name]
        return out


def _build(graph, tensor, log):
    made = {}
    for name, (kind, parents, value, requires_grad) in graph.nodes.items():
        if kind == "leaf":
            made[name] = tensor(value.copy(), requires_grad=requires_grad)
            continue

        def rule(grad, name=name, kind=kind, parents=parents, value=value):
            log.append((name, np.array(grad, dtype=np.float64)))
            return tuple(_RULES[kind][1](np.asarray(grad, dtype=np.float64), [graph.nodes[p][2] for p in parents],
                                         value))
        made[name] = tensor(value.copy(), parents=tuple(made[p] for p in parents), local_backward=rule, op=kind)
    return made


def check_backward(backward, tensor, graph, grad=None, preset=None, calls=1, label=None):
    """Check the student's ``backward(root, grad)`` on ``graph`` built from their ``tensor`` class.

    ``grad``: the seed passed (None: the root is a scalar and seeds 1.0). ``preset``: leaf name -> a ``.grad`` set
    before the call (it must be added to). ``calls``: how many times backward runs on the same graph.
    """
    __tracebackhide__ = True
    log = []
    made = _build(graph, tensor, log)
    for name, value in (preset or {}).items():
        made[name].grad = np.array(value, dtype=np.float64)
    where = f"{getattr(backward, '__name__', 'backward')}({graph.root}" + (", grad" if grad is not None else "") + \
        ")" + (f" [{label}]" if label else "")
    for _ in range(calls):
        args = (made[graph.root],) if grad is None else (made[graph.root], np.asarray(grad, dtype=np.float64))
        _, _, exc = call_quietly(backward, *args)
        if isinstance(exc, NotImplementedError):
            raise not_implemented(backward, exc) from None
        if exc is not None:
            raise raised(where + ":", exc) from None
    seed = np.ones(()) if grad is None else np.asarray(grad, dtype=np.float64)
    _check_visits(graph, log, calls, seed, where)
    _check_leaves(graph, made, seed, calls, preset or {}, where)


def _check_visits(graph, log, calls, seed, where):
    totals = graph.incoming(seed)
    interior = [n for n, node in graph.nodes.items() if node[0] != "leaf"]
    runs = [name for name, _ in log]
    for name in interior:
        if runs.count(name) > calls:
            fail(where, f"ran the local backward of `{name}` {runs.count(name)} times"
                 f"{' in ' + str(calls) + ' calls' if calls > 1 else ''}: `{name}` is used "
                 f"{len(graph.consumers(name))} times and each use called it again. Visit every tensor once (a "
                 "topological order lists each once), after adding up everything it receives")
        if name not in runs:
            fail(where, f"never ran the local backward of `{name}`, so nothing reached its parents "
                 f"{list(graph.nodes[name][1])}: every tensor the root depends on must be visited")
    first_call = log[:len(log) // calls] if calls and len(log) % calls == 0 else log
    position = {name: i for i, (name, _) in reversed(list(enumerate(first_call)))}
    for name in interior:
        for user in graph.consumers(name):
            if position.get(user, -1) > position.get(name, -1):
                fail(where, f"ran the local backward of `{name}` before that of `{user}`, which uses `{name}`: "
                     f"`{name}` had not yet received its share from `{user}`. Visit the tensors in reverse "
                     "topological order: a tensor after every tensor made from it")
    for name, received in first_call:
        expected = totals[name]
        if not np.allclose(received, expected, rtol=1e-9, atol=1e-12):
            shares = graph.shares(name, seed)
            if len(shares) > 1 and any(np.allclose(received, s) for s in shares):
                fail(where, f"passed `{name}` only one of its {len(shares)} shares of the gradient: `{name}` is used "
                     f"{len(shares)} times, and the shares must be added (`+=`), not overwritten (`=`)"
                     f"\n  expected: {fmt(expected)}\n  got:      {fmt(received)}")
            if name == graph.root:
                fail(where, "did not start from the right seed: the root's gradient is 1.0 for a scalar, or the "
                     f"grad passed in\n  expected: {fmt(expected)}\n  got:      {fmt(received)}")
            fail(where, f"passed the wrong gradient to `{name}`'s local backward\n  expected: {fmt(expected)}\n"
                 f"  got:      {fmt(received)}")


def _check_leaves(graph, made, seed, calls, preset, where):
    totals = graph.incoming(seed)
    for name, (kind, _, _, requires_grad) in graph.nodes.items():
        if kind != "leaf":
            continue
        got = made[name].grad
        if not requires_grad:
            if got is not None:
                fail(where, f"gave the constant `{name}` (requires_grad=False) a gradient: only tensors that "
                     "require one get a .grad")
            continue
        own = calls * totals[name] if name in totals else None
        expected = own if name not in preset else preset[name] + (own if own is not None else 0.0)
        if expected is None:
            continue
        if got is None:
            fail(where, f"left `{name}.grad` as None: every leaf with requires_grad=True that the root depends on "
                 "gets its gradient in .grad")
        got = np.asarray(got, dtype=np.float64)
        if got.shape == np.shape(expected) and np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            continue
        shares = graph.shares(name, seed) if calls == 1 and not preset else []
        if len(shares) > 1 and any(np.shape(got) == np.shape(s) and np.allclose(got, s) for s in shares):
            fail(where, f"gave `{name}` only one of its {len(shares)} shares of the gradient: `{name}` is used "
                 f"{len(shares)} times, and the shares must be added (`+=`), not overwritten (`=`)"
                 f"\n  expected: {fmt(expected)}\n  got:      {fmt(got)}")
        if name in preset and np.shape(got) == np.shape(own) and np.allclose(got, own):
            fail(where, f"overwrote `{name}.grad`, which already held a gradient: add to it (`{name}.grad = "
                 f"{name}.grad + g`), as torch accumulates gradients across backward calls"
                 f"\n  expected: {fmt(expected)}\n  got:      {fmt(got)}")
        if calls > 1 and np.shape(got) == np.shape(own) and np.allclose(got, totals[name] * (calls + 1)):
            fail(where, f"gave `{name}` too much on the second call on the same graph: gradients left in the "
                 "interior tensors by the first call were pushed again. Collect this call's gradients afresh "
                 "(a dict of pending gradients), then add them to .grad"
                 f"\n  expected: {fmt(expected)}\n  got:      {fmt(got)}")
        fail(where, f"`{name}.grad` is wrong\n  expected: {fmt(expected)}\n  got:      {fmt(got)}")


def check_backward_raises(backward, tensor, shape=(2, 3)):
    """A non-scalar root without a seed must raise: only a scalar's gradient with respect to itself is 1.0."""
    __tracebackhide__ = True
    root = tensor(np.ones(shape), requires_grad=True)
    _, _, exc = call_quietly(backward, root)
    if isinstance(exc, NotImplementedError):
        raise not_implemented(backward, exc) from None
    if exc is None:
        fail(f"backward(a tensor of shape {shape})", "ran without a seed, but only a scalar seeds 1.0: for any "
             "other shape the gradient on it must be given (raise an error when grad is None and the tensor is "
             "not a scalar)")
