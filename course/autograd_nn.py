"""Modules in PyTorch's shape on lesson 08's engine (:mod:`course.autograd`): the digits model, no backward written.

``Linear``, ``ReLU``, ``BatchNorm1d``, ``Dropout`` and ``Sequential`` have ``forward(x)`` (also ``module(x)``),
``parameters()``, ``zero_grad()`` and ``train()`` / ``eval()`` as :mod:`course.nn`'s do, but no ``backward``: each
forward composes the engine's operations, and ``loss.backward()`` fills every parameter's ``.grad``. Parameters are
:class:`course.autograd.Tensor` objects with ``requires_grad=True``. :func:`build_mlp` stacks the modules as
:func:`course.mlp.build_mlp` does (the same ``rng`` gives the same weights and dropout masks), :class:`Adam` steps
them as :class:`course.optim.Adam` steps a :mod:`course.nn` model, and :func:`fit` trains one.

Notes
-----
``zero_grad()`` sets ``.grad = None`` (torch's default since 2.0) where :mod:`course.nn` sets zeros: the next backward
stores a fresh gradient, and an optimizer skips a parameter whose ``.grad`` is None.
"""

import numpy as np

from course import layers, nn, optim
from course.autograd import Tensor, as_tensor, cross_entropy

__all__ = ["Module", "Linear", "ReLU", "BatchNorm1d", "Dropout", "Sequential", "build_mlp", "Adam", "fit"]


class Module(nn.Module):
    """:class:`course.nn.Module` (``training``, ``parameters()``, ``train()``/``eval()``, ``__call__``) without a
    backward; ``zero_grad()`` sets each ``.grad`` to None."""

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None


class Linear(Module):
    """``out = x @ weight.T + bias``, with ``weight`` (out_features, in_features) and ``bias`` (out_features,).

    Initialised by :class:`course.nn.Linear` (torch's scheme: U(±1/√in_features) for both) from ``rng``, so the same
    generator state gives the same weights. ``dtype`` is the model's float type; an array input is cast to it.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64):
        reference = nn.Linear(in_features, out_features, bias=bias, rng=rng, dtype=dtype)
        self.weight = Tensor(reference.weight.data, requires_grad=True)
        self.bias = Tensor(reference.bias.data, requires_grad=True) if bias else None

    def own_parameters(self):
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=self.weight.dtype))
        out = x @ self.weight.T
        return out + self.bias if self.bias is not None else out


class ReLU(Module):
    """``max(x, 0)``, the engine's ``relu`` (its derivative at 0 is 0, as torch's)."""

    def forward(self, x):
        return as_tensor(x).relu()


class BatchNorm1d(Module):
    """Batch normalization over (N, num_features), composed of the engine's operations.

    In training, ``out = γ·(x − μ)·(σ² + eps)^(−1/2) + β`` with the batch's mean μ and *biased* variance σ², and the
    running statistics move as :func:`course.layers.batchnorm_forward` moves them (torch's rule): ``running = (1 −
    momentum)·running + momentum·batch_stat``, with the *unbiased* variance (N − 1) in ``running_var``. In evaluation
    the running statistics take the place of μ and σ² and stay as they are. ``weight`` (γ, ones) and ``bias`` (β,
    zeros) are parameters; ``running_mean`` (zeros) and ``running_var`` (ones) are arrays.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=np.float64):
        self.eps, self.momentum = eps, momentum
        self.weight = Tensor(np.ones(num_features, dtype=dtype), requires_grad=True)
        self.bias = Tensor(np.zeros(num_features, dtype=dtype), requires_grad=True)
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)

    def own_parameters(self):
        return [self.weight, self.bias]

    def forward(self, x):
        x = as_tensor(x)
        if not self.training:
            return self.weight * ((x - self.running_mean) * (self.running_var + self.eps) ** -0.5) + self.bias
        n = x.shape[0]
        if n < 2:
            raise ValueError("batch norm in training needs more than one sample per feature (torch refuses too)")
        mean = x.mean(axis=0)
        centred = x - mean
        var = (centred * centred).mean(axis=0)
        m = self.momentum
        self.running_mean = (1.0 - m) * self.running_mean + m * mean.data
        self.running_var = (1.0 - m) * self.running_var + m * (var.data * (n / (n - 1)))
        return self.weight * (centred * (var + self.eps) ** -0.5) + self.bias


class Dropout(Module):
    """Inverted dropout with probability ``p`` of zeroing: ``out = x·mask`` in training, the identity in evaluation.

    The mask is the one :func:`course.layers.dropout_forward` draws from ``rng`` (entries 0 or 1/(1 − p)), so equal
    generator states give equal masks here and in :class:`course.nn.Dropout`.
    """

    def __init__(self, p=0.5, rng=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.rng = p, np.random.default_rng() if rng is None else rng

    def forward(self, x):
        x = as_tensor(x)
        if not self.training or self.p == 0:
            return x
        return x * layers.dropout_forward(x.data, self.p, True, self.rng)[1]


class Sequential(nn.Sequential, Module):
    """Modules applied in order (:class:`course.nn.Sequential`'s forward, indexing and iteration); no backward
    needed, and ``zero_grad()`` is this module's."""


def build_mlp(sizes, batchnorm=False, dropout=0.0, rng=None, dtype=np.float64):
    """``Linear → [BatchNorm1d] → ReLU → [Dropout]`` for each hidden layer, then a final ``Linear``: the layers of
    :func:`course.mlp.build_mlp` with ReLU, drawing from ``rng`` in the same order.

    ``sizes`` is ``(in, hidden_1, ..., hidden_k, out)``; ``batchnorm``, ``dropout`` as in :func:`course.mlp.build_mlp`;
    ``rng`` draws the weights and the dropout masks; ``dtype`` is the model's float type.
    """
    rng = np.random.default_rng() if rng is None else rng
    modules = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        modules.append(Linear(fan_in, fan_out, rng=rng, dtype=dtype))
        if batchnorm:
            modules.append(BatchNorm1d(fan_out, dtype=dtype))
        modules.append(ReLU())
        if dropout:
            modules.append(Dropout(dropout, rng=rng))
    return Sequential(*modules, Linear(sizes[-2], sizes[-1], rng=rng, dtype=dtype))


class Adam(optim.Adam):
    """:class:`course.optim.Adam` over the engine's tensors: ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=0)``. ``step()`` is :class:`course.optim.Adam`'s own (torch's arithmetic and L2 decay, in place on
    ``p.data`` with ``p.grad``), so equal parameters and gradients give equal updates; ``zero_grad()`` sets None.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        # Not Optimizer.__init__, which takes course.optim.Parameter objects only; the attributes are the same.
        self.params, self.state = list(params), {}
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if any(not isinstance(p, Tensor) or not p.requires_grad for p in self.params):
            raise TypeError("course.autograd_nn.Adam takes Tensors with requires_grad=True")
        self.lr, self.betas, self.eps, self.weight_decay = lr, tuple(betas), eps, weight_decay

    def zero_grad(self):
        for p in self.params:
            p.grad = None


def fit(model, optimizer, X, y, epochs, batch_size, rng, lr_schedule=None):
    """Train ``model`` on ``(X, y)`` with the mean cross-entropy; returns each epoch's mean training loss.

    Mini-batches from :func:`course.optim.iterate_minibatches` (shuffled by ``rng``); ``lr_schedule(epoch)`` (from 0)
    sets ``optimizer.lr`` before each epoch: the steps of :func:`course.train.fit`, without its validation.
    """
    history = []
    for epoch in range(epochs):
        if lr_schedule is not None:
            optimizer.lr = lr_schedule(epoch)
        model.train()
        total = 0.0
        for xb, yb in optim.iterate_minibatches(X, y, batch_size, rng=rng):
            optimizer.zero_grad()
            loss = cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += float(loss.data) * len(yb)
        history.append(total / len(X))
    return history
