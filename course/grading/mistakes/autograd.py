"""Classic mistakes in 08_autograd, each an operation of :mod:`course.autograd` with a line changed.

An operation's mistake is a whole wrong operation: it takes tensors and returns a Tensor, like the student's.
:func:`course.grading.autograd.check_op` runs each one on the course's Tensor through the course's traversal, and
names it when the student's value and leaf gradients match its own. A gradient of the wrong shape (an ``unbroadcast``
left out, a reshape not undone) is named by ``check_op`` itself, so these are the mistakes that show in the values.
``backward`` has no catalogue: :mod:`course.grading.graphs` watches every step it takes and says what went wrong.
"""

from course import autograd as ag
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]


def _m(sentence, reference, *edits, helpers=()):
    return Mistake(sentence, differs(reference, *edits, helpers=helpers))


_KEEP = "grad = grad.sum(axis=axis, keepdims=True)"
_SUB = "unbroadcast(grad, a.shape), unbroadcast(-grad, b.shape)"
_DIV_B = "-grad * a.data / b.data**2"
_RESTORE = "_restore(grad, a.shape, axis, keepdims)"
_COUNT = "count = a.data.size // max(np.size(out), 1)"
_LSM_BACK = "(grad - np.exp(out) * grad.sum(axis=axis, keepdims=True),)"
_CE_MEAN = "-logp[np.arange(n), labels].mean()"
_WRONG_AXIS = ("copies the gradient along the wrong axis: put each summed axis back as a length-1 axis "
               "(np.expand_dims(grad, axis)) before broadcasting it to a's shape")


def _no_grad(receives):
    return f"leaves out the upstream gradient: the chain rule multiplies the local derivative by grad, so {receives}"


def _overflow(reference, old):
    return _m("overflows for large entries (e¹⁰⁰⁰ is inf in float64): subtract the maximum along the axis before "
              "exp (keepdims=True); the result does not change", reference, (old, old.split(" - ")[0]))


MISTAKES = {
    "unbroadcast": [
        _m("sums only the leading axes that broadcasting added: an axis where `shape` has 1 and grad does not was "
           "stretched too, so sum along it as well (keepdims=True)", ag.unbroadcast,
           ("if n == 1 and grad.shape[axis] != 1:", "if False:")),
        _m("never removes the leading axes that broadcasting added: (D,) against (N, D) acts as (1, D), so sum the "
           "extra leading axes away first (while grad.ndim > len(shape))", ag.unbroadcast,
           ("while grad.ndim > len(shape):", "while False:")),
        _m("drops the length-1 axes: where `shape` has 1, sum with keepdims=True so that the axis stays",
           ag.unbroadcast, (_KEEP, "grad = grad.sum(axis=axis)")),
        _m("averages over the broadcast axes: every copy of a broadcast entry passes its gradient back, so they add "
           "up (sum, not mean)", ag.unbroadcast, ("grad = grad.sum(axis=0)", "grad = grad.mean(axis=0)"),
           (_KEEP, "grad = grad.mean(axis=axis, keepdims=True)")),
        _m("sums the trailing axes: broadcasting lines shapes up from the right, so the axes it adds are the "
           "leading ones (sum over axis 0)", ag.unbroadcast, ("grad = grad.sum(axis=0)", "grad = grad.sum(axis=-1)")),
    ],
    "add": [
        _m("passes back ones instead of the upstream gradient: the local derivative of a + b is 1, and the chain "
           "rule multiplies it by grad, so each input receives grad", ag.add,
           ("unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
            "unbroadcast(np.ones_like(grad), a.shape), unbroadcast(np.ones_like(grad), b.shape)")),
        _m("multiplies by the other input, as mul does: the derivative of a + b is 1 for each input, so each "
           "receives grad unchanged", ag.add,
           ("unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
            "unbroadcast(grad * b.data, a.shape), unbroadcast(grad * a.data, b.shape)")),
    ],
    "sub": [
        _m("gives b the upstream gradient unchanged: a − b falls as b grows, so b receives −grad", ag.sub,
           (_SUB, "unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)")),
        _m("puts the minus sign on a's gradient: a receives grad and b receives −grad", ag.sub,
           (_SUB, "unbroadcast(-grad, a.shape), unbroadcast(grad, b.shape)")),
        _m("computes b − a: sub(a, b) is a − b (and 2.0 − x is sub(2.0, x))", ag.sub,
           ("a.data - b.data", "b.data - a.data")),
    ],
    "neg": [
        _m("passes the gradient back unchanged: −a has derivative −1, so a receives −grad", ag.neg,
           ("lambda grad: (-grad,)", "lambda grad: (grad,)")),
    ],
    "mul": [
        _m("multiplies each gradient by its own input: the derivative of a·b with respect to a is b, so a receives "
           "grad·b and b receives grad·a", ag.mul, ("grad * b.data, a.shape", "grad * a.data, a.shape"),
           ("grad * a.data, b.shape", "grad * b.data, b.shape")),
        _m(_no_grad("a receives grad·b and b receives grad·a"), ag.mul, ("grad * b.data, a.shape", "b.data, a.shape"),
           ("grad * a.data, b.shape", "a.data, b.shape")),
    ],
    "div": [
        _m("forgets the minus sign of b's gradient: d(a/b)/db = −a/b²", ag.div, (_DIV_B, "grad * a.data / b.data**2")),
        _m("divides b's gradient by b instead of b²: d(a/b)/db = −a/b²", ag.div, (_DIV_B, "-grad * a.data / b.data")),
        _m("gives b the same gradient as a, grad/b: b's local derivative is −a/b²", ag.div, (_DIV_B, "grad / b.data")),
        _m("multiplies a's gradient by b: d(a/b)/da = 1/b, so a receives grad/b", ag.div,
           ("unbroadcast(grad / b.data, a.shape)", "unbroadcast(grad * b.data, a.shape)")),
    ],
    "power": [
        _m("keeps the exponent p in the derivative: d(aᵖ)/da = p·aᵖ⁻¹, the power drops by one", ag.power,
           ("a.data ** (p - 1)", "a.data ** p")),
        _m("forgets the factor p: d(aᵖ)/da = p·aᵖ⁻¹", ag.power, ("grad * p * a.data", "grad * a.data")),
        _m(_no_grad("a receives grad·p·aᵖ⁻¹"), ag.power, ("grad * p * a.data", "p * a.data")),
    ],
    "matmul": [
        _m("forgets to transpose b: ∂L/∂a = grad @ bᵀ, (N, M) @ (M, K)", ag.matmul,
           ("grad @ b.data.T", "grad @ b.data")),
        _m("forgets to transpose a: ∂L/∂b = aᵀ @ grad, (K, N) @ (N, M)", ag.matmul,
           ("a.data.T @ grad", "a.data @ grad")),
        _m("multiplies a's gradient in the wrong order: ∂L/∂a = grad @ bᵀ, with grad on the left", ag.matmul,
           ("grad @ b.data.T", "b.data.T @ grad")),
        _m("multiplies b's gradient in the wrong order: ∂L/∂b = aᵀ @ grad, with grad on the right", ag.matmul,
           ("a.data.T @ grad", "grad @ a.data.T")),
        _m("gives a the transpose of its gradient (b @ gradᵀ): ∂L/∂a = grad @ bᵀ, in a's own layout (N, K)",
           ag.matmul, ("grad @ b.data.T", "b.data @ grad.T")),
    ],
    "reduce_sum": [
        _m(_WRONG_AXIS, ag.reduce_sum, (_RESTORE, "grad")),
        _m("passes back ones: every entry receives the upstream gradient of the sum it falls in (grad copied "
           "back), not 1", ag.reduce_sum,
           ("np.broadcast_to(" + _RESTORE + ", a.shape).copy()", "np.ones_like(a.data)")),
        _m("divides by the number of entries, as a mean does: a sum passes grad back unchanged to every entry",
           ag.reduce_sum, (".copy(),)", " / a.data.size,)")),
    ],
    "reduce_mean": [
        _m("forgets to divide by the count: each entry is 1/count of its mean, so it receives grad / count",
           ag.reduce_mean, (" / count,)", ",)")),
        _m("divides by the total number of entries: with an axis, each mean averages only the entries along that "
           "axis (a.shape[axis] of them)", ag.reduce_mean, (_COUNT, "count = a.data.size")),
        _m("divides by the number of rows: each mean averages the entries along the reduced axes (a.size / "
           "out.size of them)", ag.reduce_mean, (_COUNT, "count = a.shape[0]")),
        _m(_WRONG_AXIS, ag.reduce_mean, (_RESTORE, "grad")),
    ],
    "exp": [
        _m("multiplies by a instead of eᵃ: the exponential is its own derivative, so a receives grad·eᵃ", ag.exp,
           ("(grad * out,)", "(grad * a.data,)")),
        _m(_no_grad("a receives grad·eᵃ"), ag.exp, ("(grad * out,)", "(out,)")),
    ],
    "log": [
        _m("multiplies by log a: the derivative of ln a is 1/a, so a receives grad / a", ag.log,
           ("(grad / a.data,)", "(grad * np.log(a.data),)")),
        _m("multiplies by a: the derivative of ln a is 1/a, so divide grad by a", ag.log,
           ("(grad / a.data,)", "(grad * a.data,)")),
        _m(_no_grad("a receives grad / a"), ag.log, ("(grad / a.data,)", "(1.0 / a.data,)")),
    ],
    "tanh": [
        _m("forgets the square: tanh′ = 1 − tanh², so a receives grad·(1 − t²)", ag.tanh,
           ("(1.0 - out**2)", "(1.0 - out)")),
        _m("uses a where tanh(a) is needed: tanh′(a) = 1 − tanh²(a), written with the output t", ag.tanh,
           ("(1.0 - out**2)", "(1.0 - a.data**2)")),
        _m("applies tanh twice: the output t is already tanh(a), so tanh′ = 1 − t²", ag.tanh,
           ("(1.0 - out**2)", "(1.0 - np.tanh(out) ** 2)")),
        _m("uses the sigmoid's derivative t(1 − t): tanh′ = 1 − t²", ag.tanh, ("(1.0 - out**2)", "out * (1.0 - out)")),
    ],
    "sigmoid": [
        _m("multiplies by s only: σ′ = s(1 − s)", ag.sigmoid, ("grad * out * (1.0 - out)", "grad * out")),
        _m("multiplies by (1 − s) only: σ′ = s(1 − s)", ag.sigmoid, ("grad * out * (1.0 - out)", "grad * (1.0 - out)")),
        _m("uses a where σ(a) is needed: σ′(a) = s(1 − s), written with the output s", ag.sigmoid,
           ("grad * out * (1.0 - out)", "grad * a.data * (1.0 - a.data)")),
        _m("overflows for large a: eᵃ/(1 + eᵃ) is inf/inf = NaN at a = 1000; use 1/(1 + e⁻ᵃ) or 0.5·(1 + tanh(a/2))",
           ag.sigmoid, ("np.where(a.data >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
                        "np.exp(a.data) / (1.0 + np.exp(a.data))")),
    ],
    "relu": [
        _m("lets the gradient through at a = 0: relu′(0) is 0 (as in PyTorch), so the mask is a > 0, not a ≥ 0",
           ag.relu, ("(a.data > 0)", "(a.data >= 0)")),
        _m("forgets the mask: relu passes the gradient only where a > 0", ag.relu,
           ("(grad * (a.data > 0),)", "(grad,)")),
        _m("masks by the sign of the upstream gradient: the mask is where the input a > 0", ag.relu,
           ("(a.data > 0)", "(grad > 0)")),
    ],
    "reshape": [
        _m("transposes the gradient back: a reshape keeps the entries in order (row by row), so the gradient goes "
           "back with np.reshape(grad, a.shape)", ag.reshape,
           ("(np.reshape(grad, a.shape),)", "(np.transpose(grad),)")),
    ],
    "transpose": [
        _m("passes the gradient back without transposing it: the gradient of aᵀ is gradᵀ", ag.transpose,
           ("(np.transpose(grad),)", "(grad,)")),
    ],
    "log_softmax": [
        _overflow(ag.log_softmax, "shifted = x.data - x.data.max(axis=axis, keepdims=True)"),
        _m("subtracts the maximum of the whole array: subtract each row's own maximum (along the axis, keepdims=True), "
           "or a row far below it underflows to log 0", ag.log_softmax,
           ("x.data.max(axis=axis, keepdims=True)", "x.data.max()")),
        _m("subtracts the softmax without the sum of g: ∂L/∂x = g − softmax·Σg (the sum along the axis)",
           ag.log_softmax, (_LSM_BACK, "(grad - np.exp(out),)")),
        _m("multiplies g by the softmax: ∂L/∂x = g − softmax·Σg (the sum along the axis)", ag.log_softmax,
           (_LSM_BACK, "(np.exp(out) * grad,)")),
        _m("uses the log-softmax where the softmax is needed: ∂L/∂x = g − s·Σg with s = exp(output)", ag.log_softmax,
           (_LSM_BACK, "(grad - out * grad.sum(axis=axis, keepdims=True),)")),
    ],
    "cross_entropy": [
        _overflow(ag.cross_entropy, "shifted = logits.data - logits.data.max(axis=1, keepdims=True)"),
        _m("returns the sum over the batch: the loss is the mean over N (PyTorch's default), in the value and "
           "the gradient", ag.cross_entropy, (_CE_MEAN, "-logp[np.arange(n), labels].sum()"),
           ("(grad * d / n,)", "(grad * d,)")),
        _m("forgets 1/N in the gradient: the loss is the mean over N rows, so its gradient is "
           "(softmax − onehot) / N", ag.cross_entropy, ("(grad * d / n,)", "(grad * d,)")),
        _m("forgets to subtract the one-hot: the gradient is (softmax − onehot) / N", ag.cross_entropy,
           ("        d[np.arange(n), labels] -= 1.0\n", "")),
        _m(_no_grad("the logits receive grad·(softmax − onehot) / N"), ag.cross_entropy,
           ("(grad * d / n,)", "(d / n,)")),
        _m("takes logp[:, labels], an N × N block: pick each row's own label, logp[np.arange(N), labels]",
           ag.cross_entropy, (_CE_MEAN, "-logp[:, labels].mean()")),
    ],
}
