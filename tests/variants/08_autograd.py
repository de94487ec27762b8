"""Valid ways of writing 08_autograd's functions: unbroadcast over a tuple of axes at once or in loops; backward with
an explicit stack, with Kahn's algorithm (counts of consumers), or with .grad as the accumulator; operations written
out of others (sub as a + (−b), the mean as a sum times 1/count, a / b as a · b⁻¹, −a as a · (−1)); np.where,
np.dot, np.reshape, np.swapaxes; a stable sigmoid two ways; log_softmax through a logsumexp helper; cross_entropy
with a one-hot matrix."""

from harness import Variant

_UNBROADCAST = """    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad"""

_TOPO = """    order, seen = [], set()

    def visit(t):
        if id(t) not in seen:
            seen.add(id(t))
            for p in t.parents:
                visit(p)
            order.append(t)

    visit(tensor)
"""
_PASS = """    pending = {id(tensor): np.asarray(grad, dtype=np.float64)}
    for t in reversed(order):
        g = pending.pop(id(t), None)
        if g is None or not t.requires_grad:
            continue
        t.grad = np.array(g) if t.grad is None else t.grad + g   # a copy: .grad is the caller's to change
        if t.local_backward is not None:
            for p, pg in zip(t.parents, t.local_backward(g)):
                if pg is not None:
                    pending[id(p)] = pending[id(p)] + pg if id(p) in pending else pg"""

_SUB = """    a, b = as_tensor(a), as_tensor(b)

    def local_backward(grad):
        return unbroadcast(grad, a.shape), unbroadcast(-grad, b.shape)
    return Tensor(a.data - b.data, parents=(a, b), local_backward=local_backward, op="-")"""

_DIV = """    a, b = as_tensor(a), as_tensor(b)

    def local_backward(grad):
        return unbroadcast(grad / b.data, a.shape), unbroadcast(-grad * a.data / b.data**2, b.shape)
    return Tensor(a.data / b.data, parents=(a, b), local_backward=local_backward, op="/")"""

_MEAN = """    out = a.data.mean(axis=axis, keepdims=keepdims)
    count = a.data.size // out.size

    def local_backward(grad):
        if axis is not None and not keepdims:
            grad = np.expand_dims(grad, axis)
        return (np.broadcast_to(grad, a.shape) / count,)
    return Tensor(out, parents=(a,), local_backward=local_backward, op="mean")"""

_SUM_BACK = """        if axis is not None and not keepdims:
            grad = np.expand_dims(grad, axis)
        return (np.broadcast_to(grad, a.shape).copy(),)"""

_SIGMOID = "out = 0.5 * (1.0 + np.tanh(0.5 * a.data))"

_RELU = """    return Tensor(np.maximum(a.data, 0.0), parents=(a,), local_backward=lambda grad: (grad * (a.data > 0),),
                  op="relu")"""

_RESHAPE = ("    return Tensor(a.data.reshape(*shape), parents=(a,), "
            "local_backward=lambda grad: (np.reshape(grad, a.shape),),\n                  op=\"reshape\")")

_LOG_SOFTMAX = """    shifted = x.data - x.data.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def local_backward(grad):
        return (grad - np.exp(out) * grad.sum(axis=axis, keepdims=True),)"""

_CROSS_ENTROPY = """    rows = np.arange(n)
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def local_backward(grad):
        d = np.exp(logp)
        d[rows, labels] -= 1.0
        return (grad * d / n,)
    return Tensor(-logp[rows, labels].mean(), parents=(logits,), local_backward=local_backward, op="cross_entropy")"""

GROUPS = {
    "alternatives": [
        Variant("unbroadcast over a tuple of axes at once", "unbroadcast", _UNBROADCAST,
                """    grad = np.asarray(grad)
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)
    return np.sum(grad, axis=axes, keepdims=True).reshape(shape)"""),
        Variant("sub as a + (−b)", "sub", _SUB, "    return add(a, neg(b))"),
        Variant("div as a · b⁻¹", "div", _DIV, "    return mul(a, power(b, -1))"),
        Variant("backward with an explicit stack", "backward", _TOPO,
                """    order, seen, stack = [], set(), [(tensor, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
        elif id(t) not in seen:
            seen.add(id(t))
            stack.append((t, True))
            stack.extend((p, False) for p in t.parents if id(p) not in seen)
"""),
        Variant("matmul with np.dot", "matmul", """        return grad @ b.data.T, a.data.T @ grad
    return Tensor(a.data @ b.data,""", """        return np.dot(grad, b.data.T), np.dot(a.data.T, grad)
    return Tensor(np.dot(a.data, b.data),"""),
        Variant("mean as a sum times 1/count", "reduce_mean", _MEAN,
                """    total = reduce_sum(a, axis, keepdims)
    return mul(total, 1.0 / (a.data.size // total.data.size))"""),
        Variant("exp recomputed in the backward", "exp", "(grad * out,)", "(grad * np.exp(a.data),)"),
        Variant("log with a power", "log", "(grad / a.data,)", "(grad * a.data ** -1.0,)"),
        Variant("tanh' from a", "tanh", "(grad * (1.0 - out**2),)", "(grad * (1.0 - np.tanh(a.data) ** 2),)"),
        Variant("sigmoid as 1 / (1 + e^−a) with np.errstate", "sigmoid", _SIGMOID,
                "with np.errstate(over=\"ignore\"):\n        out = 1.0 / (1.0 + np.exp(-a.data))"),
        Variant("relu with np.where", "relu", _RELU,
                """    return Tensor(np.where(a.data > 0, a.data, 0.0), parents=(a,),
                  local_backward=lambda grad: (np.where(a.data > 0, grad, 0.0),), op="relu")"""),
        Variant("reshape with np.reshape", "reshape", _RESHAPE,
                """    new_shape = shape[0] if len(shape) == 1 else shape
    return Tensor(np.reshape(a.data, new_shape), parents=(a,),
                  local_backward=lambda grad: (np.reshape(grad, a.data.shape),), op="reshape")"""),
        Variant("transpose with np.transpose and np.swapaxes", "transpose",
                "return Tensor(a.data.T, parents=(a,), local_backward=lambda grad: (grad.T,), op=\"T\")",
                "return Tensor(np.transpose(a.data), parents=(a,),\n"
                "                  local_backward=lambda grad: (np.swapaxes(grad, 0, 1),), op=\"T\")"),
        Variant("log_softmax through a logsumexp helper", "log_softmax", _LOG_SOFTMAX,
                """    def logsumexp(v):
        m = np.max(v, axis=axis, keepdims=True)
        return m + np.log(np.sum(np.exp(v - m), axis=axis, keepdims=True))

    out = x.data - logsumexp(x.data)

    def local_backward(grad):
        softmax = np.exp(out)
        return (grad - softmax * np.sum(grad, axis=axis, keepdims=True),)"""),
        Variant("cross_entropy with a one-hot matrix", "cross_entropy", _CROSS_ENTROPY,
                """    onehot = np.eye(logits.shape[1])[labels]
    z = logits.data - logits.data.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def local_backward(grad):
        return (grad * (np.exp(logp) - onehot) / n,)
    return Tensor(-(onehot * logp).sum() / n, parents=(logits,), local_backward=local_backward, op="cross_entropy")"""),
    ],
    "loops and counts": [
        Variant("unbroadcast with loops", "unbroadcast", _UNBROADCAST,
                """    grad = np.array(grad, copy=True)
    for _ in range(grad.ndim - len(shape)):
        grad = np.sum(grad, axis=0)
    for axis in range(len(shape)):
        if shape[axis] == 1:
            grad = np.sum(grad, axis=axis, keepdims=True)
    return grad"""),
        Variant("backward with Kahn's algorithm", "backward", _TOPO + _PASS,
                """    users, seen, stack = {}, {id(tensor)}, [tensor]
    while stack:                         # how many tensors the root depends on use each tensor
        t = stack.pop()
        for p in t.parents:
            users[id(p)] = users.get(id(p), 0) + 1
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    grads, ready = {id(tensor): np.asarray(grad, dtype=np.float64)}, [tensor]
    while ready:                         # a tensor is ready once every user has passed its share
        t = ready.pop()
        g = grads.pop(id(t), None)
        shares = [None] * len(t.parents)
        if g is not None and t.requires_grad:
            t.grad = np.array(g) if t.grad is None else t.grad + g
            if t.local_backward is not None:
                shares = t.local_backward(g)
        for p, pg in zip(t.parents, shares):
            if pg is not None:
                grads[id(p)] = grads[id(p)] + pg if id(p) in grads else pg
            users[id(p)] -= 1
            if users[id(p)] == 0:
                ready.append(p)"""),
        Variant("sum with a reshape to the kept shape", "reduce_sum", _SUM_BACK,
                """        kept = list(a.shape)
        for ax in range(a.data.ndim) if axis is None else np.atleast_1d(axis):
            kept[ax] = 1
        return (np.ones_like(a.data) * np.reshape(grad, kept),)"""),
        Variant("neg as a · (−1)", "neg",
                "return Tensor(-a.data, parents=(a,), local_backward=lambda grad: (-grad,), op=\"neg\")",
                "return mul(a, -1.0)"),
        Variant("sigmoid in its stable two-sided form", "sigmoid", _SIGMOID,
                "e = np.exp(-np.abs(a.data))\n    out = np.where(a.data >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"),
    ],
    ".grad as the accumulator": [
        Variant("backward accumulating in .grad, interior tensors reset first", "backward", _PASS,
                """    for t in order:
        if t.parents:
            t.grad = None                # interior tensors: this call's gradients only
    seed = np.array(grad, dtype=np.float64)
    tensor.grad = seed if tensor.grad is None else tensor.grad + seed
    for t in reversed(order):            # each tensor's .grad is complete when its turn comes
        if t.grad is None or not t.requires_grad or t.local_backward is None:
            continue
        for p, pg in zip(t.parents, t.local_backward(t.grad)):
            if pg is not None and p.requires_grad:
                p.grad = np.array(pg, dtype=np.float64) if p.grad is None else p.grad + pg"""),
    ],
}
