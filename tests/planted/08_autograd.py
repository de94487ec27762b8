"""Planted mistakes for 08_autograd: each must fail only its own test cell, with words that name it."""

from harness import Planted

_LENGTH_ONE = ("    for axis, n in enumerate(shape):\n        if n == 1 and grad.shape[axis] != 1:\n"
               "            grad = grad.sum(axis=axis, keepdims=True)\n")
_LEADING = "    while grad.ndim > len(shape):\n        grad = grad.sum(axis=0)\n"
_ADD = "return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)"
_SUB = "return unbroadcast(grad, a.shape), unbroadcast(-grad, b.shape)"
_MUL = "return unbroadcast(grad * b.data, a.shape), unbroadcast(grad * a.data, b.shape)"
_DIV_B = "-grad * a.data / b.data**2"
_EXPAND = "        if axis is not None and not keepdims:\n            grad = np.expand_dims(grad, axis)\n"
_SEED_CHECK = ('        if tensor.data.size != 1:\n'
               '            raise RuntimeError("backward() needs grad= for a tensor that is not a scalar")\n')
_POST_ORDER = """            for p in t.parents:
                visit(p)
            order.append(t)

    visit(tensor)
    pending = {id(tensor): np.asarray(grad, dtype=np.float64)}
    for t in reversed(order):"""
_PRE_ORDER = """            order.append(t)
            for p in t.parents:
                visit(p)

    visit(tensor)
    pending = {id(tensor): np.asarray(grad, dtype=np.float64)}
    for t in order:"""
_LSM_SHIFT = "shifted = x.data - x.data.max(axis=axis, keepdims=True)"
_LSM_BACK = "(grad - np.exp(out) * grad.sum(axis=axis, keepdims=True),)"
_CE_SUM = """        return (grad * d / n,)
    return Tensor(-logp[rows, labels].mean(),"""

PLANTED = [
    # unbroadcast
    Planted("unbroadcast sums only the leading axes", "unbroadcast", _LENGTH_ONE, "", "only the leading axes"),
    Planted("unbroadcast sums only the length-1 axes", "unbroadcast", _LEADING, "", "leading axes"),
    Planted("unbroadcast without keepdims", "unbroadcast", "grad.sum(axis=axis, keepdims=True)",
            "grad.sum(axis=axis)", "keepdims=True"),
    Planted("unbroadcast averages", "unbroadcast", "grad = grad.sum(axis=0)", "grad = grad.mean(axis=0)",
            "sum, not mean"),
    Planted("unbroadcast sums the trailing axes", "unbroadcast", "grad = grad.sum(axis=0)",
            "grad = grad.sum(axis=-1)", "leading ones"),
    # add
    Planted("add passes back ones", "add", _ADD,
            "return unbroadcast(np.ones_like(grad), a.shape), unbroadcast(np.ones_like(grad), b.shape)",
            "instead of the upstream gradient"),
    Planted("add without unbroadcast", "add", _ADD, "return grad, grad", "unbroadcast(grad, b.shape)"),
    Planted("add without as_tensor", "add", "    a, b = as_tensor(a), as_tensor(b)\n", "", "as_tensor"),
    # sub
    Planted("sub forgets the minus", "sub", _SUB, "return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
            "receives −grad"),
    Planted("sub's minus on a", "sub", _SUB, "return unbroadcast(-grad, a.shape), unbroadcast(grad, b.shape)",
            "minus sign on a's gradient"),
    Planted("sub computes b - a", "sub", "a.data - b.data", "b.data - a.data", "computes b − a"),
    # neg
    Planted("neg passes grad back", "neg", "(-grad,)", "(grad,)", "receives −grad"),
    Planted("neg returns an array, not a tuple", "neg", "(-grad,)", "-grad", "returns (g,)"),
    # mul
    Planted("mul multiplies by its own input", "mul", _MUL,
            "return unbroadcast(grad * a.data, a.shape), unbroadcast(grad * b.data, b.shape)", "its own input"),
    Planted("mul without the upstream gradient", "mul", _MUL,
            "return unbroadcast(b.data, a.shape), unbroadcast(a.data, b.shape)", "leaves out the upstream gradient"),
    Planted("mul without unbroadcast", "mul", _MUL, "return grad * b.data, grad * a.data", "unbroadcast"),
    # div
    Planted("div without the minus", "div", _DIV_B, "grad * a.data / b.data**2", "minus sign"),
    Planted("div by b, not b²", "div", _DIV_B, "-grad * a.data / b.data", "instead of b²"),
    Planted("div gives b grad/b", "div", _DIV_B, "grad / b.data", "same gradient as a"),
    # power
    Planted("power keeps p", "power", "a.data ** (p - 1)", "a.data ** p", "drops by one"),
    Planted("power without p", "power", "grad * p * a.data", "grad * a.data", "factor p"),
    # backward
    Planted("backward overwrites a shared share (= for +=)", "backward",
            "pending[id(p)] = pending[id(p)] + pg if id(p) in pending else pg", "pending[id(p)] = pg", "(`+=`"),
    Planted("backward without a seen set", "backward", "        if id(t) not in seen:\n            seen.add(id(t))\n",
            "        if True:\n", "visit every tensor once"),
    Planted("backward seeds a non-scalar with ones", "backward", _SEED_CHECK, "", "only a scalar seeds 1.0"),
    Planted("backward overwrites a leaf's grad", "backward",
            "t.grad = np.array(g) if t.grad is None else t.grad + g", "t.grad = np.array(g)", "overwrote"),
    Planted("backward walks in pre-order from the root", "backward", _POST_ORDER, _PRE_ORDER,
            "reverse topological order"),
    Planted("backward walks the topological order forwards", "backward", "for t in reversed(order):",
            "for t in order:", "reverse topological order"),
    Planted("backward gives constants a gradient", "backward", "if g is None or not t.requires_grad:",
            "if g is None:", "requires_grad=False"),
    Planted("backward ignores the given seed", "backward", "pending = {id(tensor): np.asarray(grad, dtype=np.float64)}",
            "pending = {id(tensor): np.ones_like(tensor.data)}", "seed"),
    # matmul
    Planted("matmul forgets to transpose b", "matmul", "grad @ b.data.T", "grad @ b.data", "grad @ bᵀ"),
    Planted("matmul's b gradient in the wrong order", "matmul", "a.data.T @ grad", "grad @ a.data.T", "aᵀ @ grad"),
    # reduce_sum
    Planted("sum without expand_dims", "reduce_sum", _EXPAND, "", "expand_dims"),
    Planted("sum expands a kept axis again", "reduce_sum", "if axis is not None and not keepdims:",
            "if axis is not None:", "keepdims"),
    Planted("sum passes back ones", "reduce_sum", "np.broadcast_to(grad, a.shape).copy()", "np.ones_like(a.data)",
            "passes back ones"),
    # reduce_mean
    Planted("mean without 1/count", "reduce_mean", " / count,)", ",)", "divide by the count"),
    Planted("mean divides by the total size", "reduce_mean", "count = a.data.size // out.size",
            "count = a.data.size", "total number of entries"),
    Planted("mean without expand_dims", "reduce_mean", _EXPAND, "", "expand_dims"),
    # exp, log, tanh, sigmoid, relu
    Planted("exp multiplies by a", "exp", "(grad * out,)", "(grad * a.data,)", "its own derivative"),
    Planted("log multiplies by log a", "log", "(grad / a.data,)", "(grad * np.log(a.data),)", "1/a"),
    Planted("log multiplies by a", "log", "(grad / a.data,)", "(grad * a.data,)", "divide grad by a"),
    Planted("tanh without the square", "tanh", "(1.0 - out**2)", "(1.0 - out)", "forgets the square"),
    Planted("tanh' from a", "tanh", "(1.0 - out**2)", "(1.0 - a.data**2)", "uses a where tanh(a)"),
    Planted("sigmoid' as s", "sigmoid", "grad * out * (1.0 - out)", "grad * out", "s(1 − s)"),
    Planted("sigmoid' as 1 - s", "sigmoid", "grad * out * (1.0 - out)", "grad * (1.0 - out)", "(1 − s) only"),
    Planted("sigmoid overflows", "sigmoid", "out = 0.5 * (1.0 + np.tanh(0.5 * a.data))",
            "out = np.exp(a.data) / (1.0 + np.exp(a.data))", "overflows"),
    Planted("relu passes the gradient at 0", "relu", "(a.data > 0)", "(a.data >= 0)", "relu′(0)"),
    Planted("relu without the mask", "relu", "(grad * (a.data > 0),)", "(grad,)", "forgets the mask"),
    # reshape, transpose
    Planted("reshape's gradient transposed", "reshape", "(np.reshape(grad, a.shape),)", "(grad.T,)",
            "transposes the gradient back"),
    Planted("reshape's gradient not put back", "reshape", "(np.reshape(grad, a.shape),)", "(grad,)",
            "put it back in"),
    Planted("transpose's gradient not transposed", "transpose", "(grad.T,)", "(grad,)", "put it back in"),
    # log_softmax
    Planted("log_softmax without the max", "log_softmax", _LSM_SHIFT, "shifted = x.data", "subtract the maximum"),
    Planted("log_softmax's gradient without Σg", "log_softmax", _LSM_BACK, "(grad - np.exp(out),)", "sum of g"),
    Planted("log_softmax's gradient as softmax·g", "log_softmax", _LSM_BACK, "(np.exp(out) * grad,)",
            "multiplies g by the softmax"),
    # cross_entropy
    Planted("cross_entropy sums over the batch", "cross_entropy", _CE_SUM,
            _CE_SUM.replace("grad * d / n", "grad * d").replace(".mean()", ".sum()"), "sum over the batch"),
    Planted("cross_entropy's gradient without 1/N", "cross_entropy", "(grad * d / n,)", "(grad * d,)", "1/N"),
    Planted("cross_entropy without the one-hot", "cross_entropy", "        d[rows, labels] -= 1.0\n", "", "one-hot"),
    Planted("cross_entropy without the max", "cross_entropy",
            "shifted = logits.data - logits.data.max(axis=1, keepdims=True)", "shifted = logits.data",
            "subtract the maximum"),
    Planted("cross_entropy picks an N × N block", "cross_entropy", "-logp[rows, labels].mean()",
            "-logp[:, labels].mean()", "each row's own label"),
]
