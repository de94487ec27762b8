"""Checks of a student's ``backward`` for 08_autograd, on graphs whose every step the check controls.

``check_backward(backward, Tensor, graph)`` builds the student's tensors for a small :class:`Graph` whose local
backward functions are the check's own: each records when it runs and what it receives, so the feedback can say
"visited twice", "not in reverse topological order", "received only one of its shares" or "overwrote x.grad".
Only the student's ``Tensor`` constructor and ``backward`` take part, so a broken operation costs nothing here.
"""

import numpy as np

from course.grading.checks import call_quietly, fail, fmt, not_implemented, raised

__all__ = ["Graph", "check_backward", "check_backward_raises"]


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
        return [n for n, (_, parents, _, _) in self.nodes.items() if name in parents and n in self.reachable()]

    def reachable(self):
        """The names the root depends on (itself included)."""
        seen, todo = set(), [self.root]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += list(self.nodes[name][1])
        return seen

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


_SUM_SHARES = ("`{name}` is used {k} times and receives their sum: add the shares (`+=`), do not overwrite them "
               "(`=`), and pass a tensor's gradient on only after every tensor made from it has given its share "
               "(reverse topological order)")


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
    interior = [n for n, node in graph.nodes.items() if node[0] != "leaf" and n in graph.reachable()]
    runs = [name for name, _ in log]
    for name in interior:
        if runs.count(name) > calls:
            fail(where, f"ran the local backward of `{name}` {runs.count(name)} times"
                 f"{' in ' + str(calls) + ' calls' if calls > 1 else ''}: `{name}` is used "
                 f"{len(graph.consumers(name))} times and each use called it again. Visit every tensor once (a "
                 "topological order lists each once), after adding up everything it receives")
        if name not in runs:
            fail(where, f"never ran the local backward of `{name}`, so nothing reached its parents "
                 f"{list(graph.nodes[name][1])}: a tensor visited before the tensors made from it have passed it "
                 "its gradient has nothing to pass on. Visit every tensor the root depends on in reverse "
                 "topological order: the root first, each tensor after every tensor made from it")
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
                fail(where, f"passed `{name}` only one of its {len(shares)} shares of the gradient: "
                     + _SUM_SHARES.format(name=name, k=len(shares))
                     + f"\n  expected: {fmt(expected)}\n  got:      {fmt(received)}")
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
            fail(where, f"gave `{name}` only one of its {len(shares)} shares of the gradient: "
                 + _SUM_SHARES.format(name=name, k=len(shares))
                 + f"\n  expected: {fmt(expected)}\n  got:      {fmt(got)}")
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
