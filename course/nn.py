"""A small model API in PyTorch's shape, on top of the course's pure functions.

``Linear``, ``ReLU``, ``Sigmoid``, ``Tanh``, ``BatchNorm1d``, ``Dropout`` and ``Sequential`` each have ``forward(x)``
(also ``module(x)``) and ``backward(dout)``, ``parameters()``, ``zero_grad()`` and ``train()`` / ``eval()``. Every layer
wraps a pure function pair from :mod:`course.layers` or :mod:`course.activations` and keeps its cache between the
two calls; none of them repeats the math. :func:`course.mlp.build_mlp` stacks them into the networks of 04 and 06.
Parameters are :class:`course.optim.Parameter` objects, so ``course.optim.Adam(model.parameters(), ...)`` trains a
model exactly as ``torch.optim.Adam`` would.

Notes
-----
Unlike torch there is no autograd: ``model.backward(dloss_dout)`` walks the layers in reverse, and each layer adds
its parameter gradients into ``p.grad`` (accumulating, as torch does, so call ``zero_grad()`` before each backward).
A model keeps one dtype end to end: the gradient that arrives at a layer is cast to its parameters' dtype (a float64
loss gradient would otherwise turn a float32 model's matrix products into float64 ones).
"""

import math

import numpy as np

from course import activations, init, layers
from course.optim import Parameter

__all__ = ["Module", "Linear", "ReLU", "Sigmoid", "Tanh", "BatchNorm1d", "Dropout", "Sequential"]


class Module:
    """Base class: ``training`` flag, parameter bookkeeping, ``__call__`` = ``forward``."""

    training = True

    def forward(self, x):  # pragma: no cover (abstract)
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover (abstract)
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def children(self):
        return []

    def own_parameters(self):
        return []

    def parameters(self):
        """Every :class:`Parameter` of this module and its children, in order (no duplicates)."""
        params = list(self.own_parameters())
        for child in self.children():
            params += [p for p in child.parameters() if all(p is not q for q in params)]
        return params

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode=True):
        """Switch this module and its children to training (``mode=True``) or evaluation mode; returns self."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)


def _accumulate(param, grad):
    # In place, as torch accumulates into .grad; a missing gradient (None) becomes this one.
    if param.grad is None:
        param.grad = grad
    else:
        np.add(param.grad, grad, out=param.grad)


class Linear(Module):
    """``out = x @ weight.T + bias`` with ``weight`` (out_features, in_features), wrapping
    :func:`course.layers.linear_forward` / ``linear_backward``.

    Initialised as ``torch.nn.Linear``: weight from ``kaiming_uniform(a=√5)``, i.e. U(±1/√in_features), and bias
    from U(±1/√in_features). ``weight_init(shape, rng) -> W`` replaces that with any scheme of :mod:`course.init`,
    and then the bias starts at zero. ``rng`` draws them; ``dtype`` is the model's float type.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64, weight_init=None):
        rng = np.random.default_rng() if rng is None else rng
        self.in_features, self.out_features = in_features, out_features
        shape = (out_features, in_features)
        if weight_init is None:
            w = init.kaiming_uniform(shape, a=math.sqrt(5.0), rng=rng)
            bound = 1.0 / math.sqrt(in_features)
            b = init.uniform_init((out_features,), -bound, bound, rng=rng) if bias else None
        else:
            w, b = weight_init(shape, rng), np.zeros(out_features)
        self.weight = Parameter(np.asarray(w).astype(dtype), name="weight")
        self.bias = Parameter(b.astype(dtype), name="bias") if bias else None
        self._cache = None

    def own_parameters(self):
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def forward(self, x):
        x = np.asarray(x, dtype=self.weight.data.dtype)
        b = self.bias.data if self.bias is not None else self.weight.data.dtype.type(0)
        out, self._cache = layers.linear_forward(x, self.weight.data, b)
        return out

    def backward(self, dout):
        dout = np.asarray(dout, dtype=self.weight.data.dtype)
        dx, dW, db = layers.linear_backward(dout, self._cache)
        _accumulate(self.weight, dW)
        if self.bias is not None:
            _accumulate(self.bias, db)
        return dx

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}, " \
               f"bias={self.bias is not None})"


class _Elementwise(Module):
    """An activation module: the forward/backward pair of :mod:`course.activations` named by the subclass."""

    pair = None  # (forward, backward)

    def forward(self, x):
        out, self._cache = self.pair[0](x)
        return out

    def backward(self, dout):
        return self.pair[1](dout, self._cache)

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(_Elementwise):
    """``max(x, 0)``, wrapping :func:`course.activations.relu_forward` / ``relu_backward``."""

    pair = (activations.relu_forward, activations.relu_backward)


class Sigmoid(_Elementwise):
    """``σ(x)``, wrapping :func:`course.activations.sigmoid_forward` / ``sigmoid_backward``."""

    pair = (activations.sigmoid_forward, activations.sigmoid_backward)


class Tanh(_Elementwise):
    """``tanh(x)``, wrapping :func:`course.activations.tanh_forward` / ``tanh_backward``."""

    pair = (activations.tanh_forward, activations.tanh_backward)


class BatchNorm1d(Module):
    """Batch normalization over (N, num_features), wrapping :func:`course.layers.batchnorm_forward`.

    ``weight`` (γ, ones) and ``bias`` (β, zeros) are parameters; ``running_mean`` (zeros) and ``running_var`` (ones)
    are buffers held in ``state``, updated in training mode only, and used in evaluation mode.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=np.float64):
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features, dtype=dtype), name="weight")
        self.bias = Parameter(np.zeros(num_features, dtype=dtype), name="bias")
        self.state = {"running_mean": np.zeros(num_features, dtype=dtype),
                      "running_var": np.ones(num_features, dtype=dtype)}
        self._cache = None

    @property
    def running_mean(self):
        return self.state["running_mean"]

    @property
    def running_var(self):
        return self.state["running_var"]

    def own_parameters(self):
        return [self.weight, self.bias]

    def forward(self, x):
        out, self._cache, self.state = layers.batchnorm_forward(
            np.asarray(x, dtype=self.weight.data.dtype), self.weight.data, self.bias.data, self.state,
            training=self.training, momentum=self.momentum, eps=self.eps)
        return out

    def backward(self, dout):
        dx, dgamma, dbeta = layers.batchnorm_backward(
            np.asarray(dout, dtype=self.weight.data.dtype), self._cache)
        _accumulate(self.weight, dgamma)
        _accumulate(self.bias, dbeta)
        return dx

    def __repr__(self):
        return f"BatchNorm1d({self.num_features}, eps={self.eps}, momentum={self.momentum})"


class Dropout(Module):
    """Inverted dropout with probability ``p`` of zeroing, wrapping :func:`course.layers.dropout_forward`.

    ``rng`` (a ``np.random.Generator``) draws the masks; identity in evaluation mode.
    """

    def __init__(self, p=0.5, rng=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.rng = np.random.default_rng() if rng is None else rng
        self._cache = None

    def forward(self, x):
        out, self._cache = layers.dropout_forward(x, self.p, self.training, self.rng)
        return out

    def backward(self, dout):
        return layers.dropout_backward(dout, self._cache)

    def __repr__(self):
        return f"Dropout(p={self.p})"


class Sequential(Module):
    """Modules applied in order; ``backward`` runs them in reverse. Indexable and iterable like torch's."""

    def __init__(self, *modules):
        self.modules = list(modules)

    def children(self):
        return self.modules

    def forward(self, x):
        for m in self.modules:
            x = m.forward(x)
        return x

    def backward(self, dout):
        for m in reversed(self.modules):
            dout = m.backward(dout)
        return dout

    def __getitem__(self, i):
        return type(self)(*self.modules[i]) if isinstance(i, slice) else self.modules[i]

    def __len__(self):
        return len(self.modules)

    def __iter__(self):
        return iter(self.modules)

    def __repr__(self):
        lines = "\n".join(f"  ({i}): {m!r}" for i, m in enumerate(self.modules))
        return f"Sequential(\n{lines}\n)"
