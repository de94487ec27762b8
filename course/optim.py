"""Reference optimizers, learning-rate schedules, gradient clipping and mini-batches, following ``torch.optim``.

Each update is a pure function ``*_update(w, dw, state, ...) -> (w_new, state)`` (``sgd_update`` has no state): it
never modifies ``w`` or ``dw``, starts from ``state = {}`` and fills torch's state keys (``momentum_buffer``,
``sum``, ``square_avg``, ``step``, ``exp_avg``, ``exp_avg_sq``). Small classes (:class:`SGD`, :class:`Adam` ...)
wrap these functions with torch's shape: built from a list of :class:`Parameter` objects, with ``step()`` and
``zero_grad()``.

Notes
-----
Momentum follows torch: ``buf = μ·buf + (1 − dampening)·g`` with ``buf`` set to the first gradient itself, then
``w −= lr·buf``. CS231n writes ``v = μ·v − lr·g; w += v``; with a constant ``lr`` both produce the same weights
(``v = −lr·buf``), but torch's buffer does not change when the learning rate is rescheduled.
"""

import math

import numpy as np

__all__ = ["Parameter", "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW",
           "sgd_update", "momentum_update", "adagrad_update", "rmsprop_update", "adam_update", "adamw_update",
           "clip_grad_norm", "clip_grad_value", "step_lr", "cosine_annealing_lr", "iterate_minibatches"]


def sgd_update(w, dw, lr, weight_decay=0.0):
    """Plain SGD: ``w − lr·(dw + weight_decay·w)`` (torch's L2 weight decay adds ``weight_decay·w`` to ``dw``)."""
    if weight_decay:  # as torch: no decay term at all when it is 0 (0·inf would be NaN for a diverged weight)
        dw = dw + weight_decay * w
    return w - lr * dw


def momentum_update(w, dw, state, lr, momentum=0.9, dampening=0.0, nesterov=False):
    """SGD with momentum, torch's form.

    ``buf = dw`` on the first step, else ``buf = momentum·buf + (1 − dampening)·dw``; the step direction is ``buf``,
    or ``dw + momentum·buf`` with Nesterov. Returns ``(w − lr·direction, state)`` with ``state["momentum_buffer"]``.
    """
    buf = state.get("momentum_buffer")
    buf = np.array(dw, copy=True) if buf is None else momentum * buf + (1.0 - dampening) * dw
    state["momentum_buffer"] = buf
    direction = dw + momentum * buf if nesterov else buf
    return w - lr * direction, state


def adagrad_update(w, dw, state, lr=0.01, eps=1e-10):
    """AdaGrad: ``sum += dw²``; ``w − lr·dw / (√sum + eps)``. State: ``step``, ``sum`` (starts at zeros)."""
    state["step"] = state.get("step", 0) + 1
    state["sum"] = state.get("sum", np.zeros_like(dw)) + dw * dw
    return w - lr * dw / (np.sqrt(state["sum"]) + eps), state


def rmsprop_update(w, dw, state, lr=0.01, alpha=0.99, eps=1e-8):
    """RMSprop: ``square_avg = α·square_avg + (1 − α)·dw²``; ``w − lr·dw / (√square_avg + eps)``.

    ``eps`` sits outside the square root, as in torch. State: ``step``, ``square_avg`` (starts at zeros).
    """
    state["step"] = state.get("step", 0) + 1
    state["square_avg"] = alpha * state.get("square_avg", np.zeros_like(dw)) + (1.0 - alpha) * dw * dw
    return w - lr * dw / (np.sqrt(state["square_avg"]) + eps), state


def adam_update(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """Adam with bias correction; ``step`` counts from 1 on the first call.

    ``m = β₁m + (1−β₁)dw``, ``v = β₂v + (1−β₂)dw²``, ``m̂ = m/(1−β₁ᵗ)``, ``v̂ = v/(1−β₂ᵗ)``,
    ``w − lr·m̂/(√v̂ + eps)``. State: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """
    w_new = np.array(w, dtype=np.result_type(w, dw), copy=True)
    for key in ("exp_avg", "exp_avg_sq"):  # fresh buffers: the caller's previous state arrays stay as they were
        if key in state:
            state[key] = np.array(state[key], copy=True)
    return _adam_(w_new, dw, state, lr, betas, eps, np.empty_like(w_new)), state


def _adam_(w, dw, state, lr, betas, eps, scratch):
    """The Adam step *in place* on ``w`` and on ``state``'s buffers, with no temporary arrays.

    The arithmetic is torch's: ``w −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)``, which is ``w − lr·m̂/(√v̂ + eps)``.
    ``scratch`` is a work array shaped like ``w``. :func:`adam_update` calls it on copies; the classes on the
    parameters themselves, so a training step allocates nothing here.
    """
    beta1, beta2 = betas
    t = state["step"] = state.get("step", 0) + 1
    bias1 = 1.0 - beta1**t                               # the bias corrections: m̂ = m / bias1, v̂ = v / bias2
    bias2 = 1.0 - beta2**t
    m = state.setdefault("exp_avg", np.zeros_like(w))
    v = state.setdefault("exp_avg_sq", np.zeros_like(w))
    m *= beta1
    m += np.multiply(dw, 1.0 - beta1, out=scratch)      # m = β₁m + (1−β₁)g
    v *= beta2
    np.multiply(dw, dw, out=scratch)
    scratch *= 1.0 - beta2
    v += scratch                                         # v = β₂v + (1−β₂)g²
    np.sqrt(v, out=scratch)
    scratch /= math.sqrt(bias2)
    scratch += eps                                       # √v̂ + eps
    np.divide(m, scratch, out=scratch)
    scratch *= lr / bias1
    w -= scratch
    return w


def adamw_update(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """AdamW: decoupled weight decay ``w·(1 − lr·weight_decay)`` first, then the Adam step with the raw ``dw``."""
    return adam_update(w * (1.0 - lr * weight_decay), dw, state, lr=lr, betas=betas, eps=eps)


def clip_grad_norm(grads, max_norm):
    """Rescale a list of gradients so their joint L2 norm is at most ``max_norm`` (``clip_grad_norm_``).

    Returns ``(clipped, total_norm)``: new arrays, and the norm *before* clipping. When ``total_norm > max_norm``
    every gradient is multiplied by ``max_norm / (total_norm + 1e-6)`` (torch's 1e-6 guards a zero norm).
    """
    total = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef if coef < 1.0 else np.array(g, copy=True) for g in grads], total


def clip_grad_value(grads, clip_value):
    """Clip every gradient entry into ``[−clip_value, clip_value]`` (``clip_grad_value_``); returns new arrays."""
    return [np.clip(g, -clip_value, clip_value) for g in grads]


def step_lr(lr0, epoch, step_size, gamma=0.1):
    """``StepLR``: ``lr0 · gamma^⌊epoch / step_size⌋``."""
    return lr0 * gamma ** (epoch // step_size)


def cosine_annealing_lr(lr0, t, T_max, eta_min=0.0):
    """``CosineAnnealingLR`` (closed form): ``eta_min + (lr0 − eta_min)·(1 + cos(π t / T_max)) / 2``."""
    return eta_min + (lr0 - eta_min) * (1.0 + math.cos(math.pi * t / T_max)) / 2.0


def iterate_minibatches(X, y, batch_size, shuffle=True, rng=None):
    """Yield ``(X_batch, y_batch)`` covering every sample exactly once; the last batch may be smaller.

    With ``shuffle`` the order is one permutation drawn from ``rng`` (a fresh ``default_rng()`` when None);
    ``X`` and ``y`` are indexed with the same permutation and never modified.
    """
    n = len(X)
    if shuffle:
        order = (np.random.default_rng() if rng is None else rng).permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


class Parameter:
    """A trainable array with its gradient, like ``torch.nn.Parameter``.

    ``data`` is a float array (a private copy; integers become float64); ``grad`` has the same shape and starts at
    zeros, so a backward pass can accumulate into it (``p.grad += ...``) or assign it. ``None`` means "no
    gradient": optimizers skip such a parameter, as torch does.
    """

    def __init__(self, data, name=None):
        data = np.asarray(data)
        self.data = np.array(data, dtype=data.dtype if np.issubdtype(data.dtype, np.floating) else np.float64)
        self.grad = np.zeros_like(self.data)
        self.name = name

    @property
    def shape(self):
        return self.data.shape

    def zero_grad(self):
        self.grad = np.zeros_like(self.data)

    def __repr__(self):
        name = f"{self.name!r}, " if self.name else ""
        return f"Parameter({name}shape={self.data.shape}, dtype={self.data.dtype})"


class Optimizer:
    """Base class: holds ``params`` and ``state`` (a dict ``Parameter -> its state dict``, filled lazily).

    Hyperparameters are plain attributes (``opt.lr = step_lr(...)`` changes the learning rate). Subclasses define
    ``_update(data, grad, state) -> new data``, a call to one of the pure update functions.
    """

    def __init__(self, params, **hyper):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if any(not isinstance(p, Parameter) for p in self.params):
            raise TypeError("an optimizer takes a list of course.optim.Parameter objects")
        self.state = {}
        for name, value in hyper.items():
            setattr(self, name, value)

    def zero_grad(self):
        for p in self.params:
            p.zero_grad()

    def step(self):
        """Update every parameter that has a gradient, in place (``p.data`` keeps its identity)."""
        for p in self.params:
            if p.grad is None:
                continue
            state = self.state.setdefault(p, {})
            p.data[...] = self._update(p.data, p.grad, state)

    def _update(self, data, grad, state):  # pragma: no cover (abstract)
        raise NotImplementedError


def _l2(grad, data, weight_decay):
    # torch's coupled weight decay (SGD, Adagrad, RMSprop, Adam): the gradient of ½·wd·‖w‖² added to the gradient.
    return grad + weight_decay * data if weight_decay else grad


class SGD(Optimizer):
    """``torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False)``."""

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                         nesterov=nesterov)

    def _update(self, data, grad, state):
        if not self.momentum:
            return sgd_update(data, grad, self.lr, self.weight_decay)
        return momentum_update(data, _l2(grad, data, self.weight_decay), state, self.lr, self.momentum,
                               self.dampening, self.nesterov)[0]


class Adagrad(Optimizer):
    """``torch.optim.Adagrad(params, lr=0.01, eps=1e-10, weight_decay=0)``."""

    def __init__(self, params, lr=0.01, eps=1e-10, weight_decay=0.0):
        super().__init__(params, lr=lr, eps=eps, weight_decay=weight_decay)

    def _update(self, data, grad, state):
        return adagrad_update(data, _l2(grad, data, self.weight_decay), state, self.lr, self.eps)[0]


class RMSprop(Optimizer):
    """``torch.optim.RMSprop(params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0)`` (no momentum, not centered)."""

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay)

    def _update(self, data, grad, state):
        return rmsprop_update(data, _l2(grad, data, self.weight_decay), state, self.lr, self.alpha, self.eps)[0]


class Adam(Optimizer):
    """``torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)`` (L2 decay, coupled)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)

    def _update(self, data, grad, state):
        return adam_update(data, _l2(grad, data, self.weight_decay), state, self.lr, self.betas, self.eps)[0]

    def step(self):
        """In place: the arithmetic of :func:`adam_update` without a new array per operation (same results)."""
        for p in self.params:
            if p.grad is None:
                continue
            scratch, decayed = _work_buffers(self, p)
            grad = p.grad
            if self.weight_decay:  # torch's coupled L2, computed into a buffer so p.grad stays untouched
                grad = np.add(p.grad, np.multiply(p.data, self.weight_decay, out=decayed), out=decayed)
            _adam_(p.data, grad, self.state.setdefault(p, {}), self.lr, self.betas, self.eps, scratch)


class AdamW(Optimizer):
    """``torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)`` (decoupled decay)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)

    def _update(self, data, grad, state):
        return adamw_update(data, grad, state, self.lr, self.betas, self.eps, self.weight_decay)[0]

    def step(self):
        """In place: the decoupled decay ``w *= 1 − lr·wd``, then the in-place Adam step with the raw gradient."""
        for p in self.params:
            if p.grad is None:
                continue
            p.data *= 1.0 - self.lr * self.weight_decay
            _adam_(p.data, p.grad, self.state.setdefault(p, {}), self.lr, self.betas, self.eps,
                   _work_buffers(self, p)[0])


def _work_buffers(optimizer, p):
    """Two scratch arrays per parameter, kept between steps (reallocated only if the parameter changes shape)."""
    buffers = optimizer.__dict__.setdefault("_work", {})
    if p not in buffers or buffers[p][0].shape != p.data.shape or buffers[p][0].dtype != p.data.dtype:
        buffers[p] = (np.empty_like(p.data), np.empty_like(p.data))
    return buffers[p]
