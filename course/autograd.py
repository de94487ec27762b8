"""A reverse-mode automatic differentiation engine over NumPy arrays: lesson 08's reference.

Every operation makes a new :class:`Tensor` that remembers its ``parents`` and a ``local_backward(grad)`` function.
That function takes the gradient of the loss with respect to the tensor it made and returns one gradient per parent
(each summed down to its parent's shape by :func:`unbroadcast`, or ``None`` for a parent that does not need one).
:func:`backward` visits the graph once, in reverse topological order, adds up what each tensor receives, and stores
it in ``.grad`` (adding to what is there, as torch does).

The engine follows lesson 08's contract: ``Tensor(data, requires_grad=False)``; the operators ``+ - * / @``,
negation and ``** p`` with tensors, numbers or arrays on either side; the methods ``sum``, ``mean``, ``exp``,
``log``, ``tanh``, ``sigmoid``, ``relu``, ``reshape``, ``transpose``, ``.T`` and ``backward``. One extension: data
that is already float32 stays float32 (everything else becomes float64), so a float32 model trains in float32.
"""

import numpy as np

from course.dag import topological_order

__all__ = ["Tensor", "as_tensor", "unbroadcast", "topological_order", "backward", "add", "sub", "mul", "div",
           "matmul", "neg", "power", "reduce_sum", "reduce_mean", "exp", "log", "tanh", "sigmoid", "relu",
           "reshape", "transpose", "log_softmax", "cross_entropy"]


class Tensor:
    """An array that remembers how it was made. ``grad`` is None until a backward reaches it."""

    __array_ufunc__ = None  # an ndarray on the left of an operator defers to the Tensor's reflected operator

    def __init__(self, data, requires_grad=False, parents=(), local_backward=None, op=""):
        data = np.asarray(data)
        self.data = data if data.dtype == np.float32 else data.astype(np.float64)
        self.parents = tuple(parents)
        self.requires_grad = bool(requires_grad) or any(p.requires_grad for p in self.parents)
        self.local_backward = local_backward
        self.op = op
        self.grad = None

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    T = property(lambda self: transpose(self))

    def __repr__(self):
        made = f", op={self.op!r}" if self.op else (", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({np.array2string(self.data, precision=4, threshold=8)}{made})"

    # The operators call the module's functions by name, so each is written (and tested) once.
    __add__ = lambda self, other: add(self, other)  # noqa: E731
    __radd__ = lambda self, other: add(other, self)  # noqa: E731
    __sub__ = lambda self, other: sub(self, other)  # noqa: E731
    __rsub__ = lambda self, other: sub(other, self)  # noqa: E731
    __mul__ = lambda self, other: mul(self, other)  # noqa: E731
    __rmul__ = lambda self, other: mul(other, self)  # noqa: E731
    __truediv__ = lambda self, other: div(self, other)  # noqa: E731
    __rtruediv__ = lambda self, other: div(other, self)  # noqa: E731
    __matmul__ = lambda self, other: matmul(self, other)  # noqa: E731
    __rmatmul__ = lambda self, other: matmul(other, self)  # noqa: E731
    __neg__ = lambda self: neg(self)  # noqa: E731
    __pow__ = lambda self, p: power(self, p)  # noqa: E731
    sum = lambda self, axis=None, keepdims=False: reduce_sum(self, axis, keepdims)  # noqa: E731
    mean = lambda self, axis=None, keepdims=False: reduce_mean(self, axis, keepdims)  # noqa: E731
    exp = lambda self: exp(self)  # noqa: E731
    log = lambda self: log(self)  # noqa: E731
    tanh = lambda self: tanh(self)  # noqa: E731
    sigmoid = lambda self: sigmoid(self)  # noqa: E731
    relu = lambda self: relu(self)  # noqa: E731
    reshape = lambda self, *shape: reshape(self, *shape)  # noqa: E731
    transpose = lambda self: transpose(self)  # noqa: E731
    backward = lambda self, grad=None: backward(self, grad)  # noqa: E731


def as_tensor(x):
    """``x`` itself if it is a Tensor, else a constant Tensor holding it (a number or an array)."""
    return x if isinstance(x, Tensor) else Tensor(x)


def unbroadcast(grad, shape):
    """``grad`` summed down to ``shape``: over the leading axes broadcasting added, and over every axis where
    ``shape`` has 1 and ``grad`` does not (each of those entries was used for a whole row or column)."""
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _needs(t):
    return t.requires_grad


def _pair(a, b):
    """Both as tensors; a Python number takes the other's dtype, as NumPy's scalars do (x * 2.0 stays float32)."""
    if isinstance(a, Tensor) and isinstance(b, (int, float)):
        return a, Tensor(np.asarray(b, dtype=a.dtype))
    if isinstance(b, Tensor) and isinstance(a, (int, float)):
        return Tensor(np.asarray(a, dtype=b.dtype)), b
    return as_tensor(a), as_tensor(b)


def add(a, b):
    a, b = _pair(a, b)

    def local_backward(grad):
        return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)
    return Tensor(a.data + b.data, parents=(a, b), local_backward=local_backward, op="+")


def sub(a, b):
    a, b = _pair(a, b)

    def local_backward(grad):
        return unbroadcast(grad, a.shape), unbroadcast(-grad, b.shape)
    return Tensor(a.data - b.data, parents=(a, b), local_backward=local_backward, op="-")


def mul(a, b):
    a, b = _pair(a, b)

    def local_backward(grad):
        return (unbroadcast(grad * b.data, a.shape) if _needs(a) else None,
                unbroadcast(grad * a.data, b.shape) if _needs(b) else None)
    return Tensor(a.data * b.data, parents=(a, b), local_backward=local_backward, op="*")


def div(a, b):
    a, b = _pair(a, b)

    def local_backward(grad):
        return (unbroadcast(grad / b.data, a.shape) if _needs(a) else None,
                unbroadcast(-grad * a.data / b.data**2, b.shape) if _needs(b) else None)
    return Tensor(a.data / b.data, parents=(a, b), local_backward=local_backward, op="/")


def matmul(a, b):
    """``a @ b`` for 2-D ``a`` (N, K) and ``b`` (K, M)."""
    a, b = _pair(a, b)

    def local_backward(grad):  # the input of a first layer needs no gradient: skip that product
        return (grad @ b.data.T if _needs(a) else None,
                a.data.T @ grad if _needs(b) else None)
    return Tensor(a.data @ b.data, parents=(a, b), local_backward=local_backward, op="@")


def neg(a):
    a = as_tensor(a)
    return Tensor(-a.data, parents=(a,), local_backward=lambda grad: (-grad,), op="neg")


def power(a, p):
    """``a ** p`` for a number ``p`` (a constant: no gradient flows to it)."""
    a = as_tensor(a)

    def local_backward(grad):
        return (grad * p * a.data ** (p - 1),)
    return Tensor(a.data ** p, parents=(a,), local_backward=local_backward, op=f"**{p:g}")


def _restore(grad, shape, axis, keepdims):
    """A reduction's output gradient with the reduced axes put back as 1s, so that it broadcasts to ``shape``."""
    if axis is None or keepdims:  # a scalar, or the axes were kept: it broadcasts already
        return grad
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return np.expand_dims(grad, axes)


def reduce_sum(a, axis=None, keepdims=False):
    a = as_tensor(a)

    def local_backward(grad):
        return (np.broadcast_to(_restore(grad, a.shape, axis, keepdims), a.shape).copy(),)
    return Tensor(a.data.sum(axis=axis, keepdims=keepdims), parents=(a,), local_backward=local_backward, op="sum")


def reduce_mean(a, axis=None, keepdims=False):
    a = as_tensor(a)
    out = a.data.mean(axis=axis, keepdims=keepdims)
    count = a.data.size // max(np.size(out), 1)  # how many entries each output averages

    def local_backward(grad):
        return (np.broadcast_to(_restore(grad, a.shape, axis, keepdims), a.shape) / count,)
    return Tensor(out, parents=(a,), local_backward=local_backward, op="mean")


def exp(a):
    a = as_tensor(a)
    out = np.exp(a.data)
    return Tensor(out, parents=(a,), local_backward=lambda grad: (grad * out,), op="exp")


def log(a):
    a = as_tensor(a)
    return Tensor(np.log(a.data), parents=(a,), local_backward=lambda grad: (grad / a.data,), op="log")


def tanh(a):
    a = as_tensor(a)
    out = np.tanh(a.data)
    return Tensor(out, parents=(a,), local_backward=lambda grad: (grad * (1.0 - out**2),), op="tanh")


def sigmoid(a):
    a = as_tensor(a)
    e = np.exp(-np.abs(a.data))  # never overflows; exact in both tails
    out = np.where(a.data >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return Tensor(out, parents=(a,), local_backward=lambda grad: (grad * out * (1.0 - out),), op="sigmoid")


def relu(a):
    a = as_tensor(a)
    return Tensor(np.maximum(a.data, 0), parents=(a,), local_backward=lambda grad: (grad * (a.data > 0),),
                  op="relu")


def reshape(a, *shape):
    a = as_tensor(a)
    shape = tuple(shape[0]) if len(shape) == 1 and not np.isscalar(shape[0]) else shape
    return Tensor(a.data.reshape(shape), parents=(a,), local_backward=lambda grad: (np.reshape(grad, a.shape),),
                  op="reshape")


def transpose(a):
    """The transpose of a 2-D tensor (``a.T``)."""
    a = as_tensor(a)
    return Tensor(a.data.T, parents=(a,), local_backward=lambda grad: (np.transpose(grad),), op="T")


def log_softmax(x, axis=-1):
    """``x − logsumexp(x)`` along ``axis``, computed after subtracting the maximum so that no exp overflows."""
    x = as_tensor(x)
    shifted = x.data - x.data.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def local_backward(grad):
        return (grad - np.exp(out) * grad.sum(axis=axis, keepdims=True),)
    return Tensor(out, parents=(x,), local_backward=local_backward, op="log_softmax")


def cross_entropy(logits, labels):
    """The mean over the batch of ``−log softmax(logits)[label]``: logits (N, C), labels int (N,). One fused
    operation, whose gradient is ``(softmax − one-hot) / N``."""
    logits = as_tensor(logits)
    labels = np.asarray(labels)
    n = logits.shape[0]
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def local_backward(grad):
        d = np.exp(logp)
        d[np.arange(n), labels] -= 1.0
        return (grad * d / n,)
    return Tensor(-logp[np.arange(n), labels].mean(), parents=(logits,), local_backward=local_backward,
                  op="cross_entropy")


def backward(tensor, grad=None):
    """Fill ``.grad`` of every tensor that ``tensor`` depends on and that requires a gradient.

    A scalar seeds 1.0; otherwise ``grad`` (the tensor's shape) is required. Each tensor is visited once, after
    every tensor made from it has passed its share back, and what it receives is added to its ``.grad``.
    """
    if grad is None:
        if tensor.data.size != 1:
            raise RuntimeError(f"backward() on a tensor of shape {tensor.shape} needs grad= (a seed of that "
                               "shape); only a scalar seeds 1.0")
        grad = np.ones_like(tensor.data)
    grad = np.asarray(grad, dtype=tensor.data.dtype)
    if grad.shape != tensor.shape:
        raise ValueError(f"grad has shape {grad.shape}, but the tensor has shape {tensor.shape}")
    pending = {id(tensor): grad}
    for node in reversed(topological_order(tensor)):
        g = pending.pop(id(node), None)
        if g is None or not node.requires_grad:
            continue
        if node.grad is not None:
            node.grad = node.grad + g
        else:  # a leaf's .grad is the user's (an optimizer may change it in place): never an array we share
            node.grad = g if node.parents else np.array(g, order="C")  # C order: a .T view's is Fortran
        if node.local_backward is None:
            continue
        for parent, pg in zip(node.parents, node.local_backward(g)):
            if pg is not None and parent.requires_grad:
                pending[id(parent)] = pg if id(parent) not in pending else pending[id(parent)] + pg
