# %% [markdown]
# # 05 · Optimizers: how the weights actually move
#
# Backpropagation gives the gradient $\nabla L(w)$: which way is uphill, and how steeply. An **optimizer** decides what
# to do with it. Plain gradient descent steps straight downhill; the optimizers that train today's networks add a
# memory of past gradients (momentum), a per-weight step size (AdaGrad, RMSprop, Adam), weight decay, a schedule for the
# learning rate, and a guard against gradients that suddenly explode (clipping).
#
# **By the end of this notebook you will be able to**
# - write SGD, momentum (plain and Nesterov), AdaGrad, RMSprop, Adam and AdamW exactly as `torch.optim` computes them,
#   with PyTorch's state names (`momentum_buffer`, `sum`, `square_avg`, `step`, `exp_avg`, `exp_avg_sq`);
# - explain bias correction, where `eps` goes, and why AdamW's weight decay is not Adam's L2 penalty;
# - clip gradients by their joint norm or by value, and schedule the learning rate (step decay, cosine annealing);
# - cut a dataset into shuffled mini-batches, one epoch at a time;
# - compare the optimizers on a ravine, the Rosenbrock valley, a saddle and a real network, and say why they differ.
#
# **How this notebook works.** Each graded function sits in a cell with `# YOUR CODE HERE`. The cell after it tests
# your function and names what looks wrong (bias correction missing, `eps` inside the square root, the CS231n momentum
# convention …). The update functions are **pure**: they return new arrays and never change `w` or `dw`. The stateful
# ones receive a dict `state`, which starts empty (`{}`) and which they fill and return, as PyTorch does lazily.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np

from course.grading import check
from course.grading.optim import check_steps, check_minibatches, reference_steps
from course import surfaces
from course.viz import show
from course.viz import optim as plots
from course.widgets import optim as explore
from course.demo import yours
from course.grading import scorecard


# %% [markdown]
# ## 1 · Stochastic gradient descent and the learning rate
#
# One step of gradient descent moves every weight against its gradient, scaled by the **learning rate** $\eta$
# (`lr`):
# $$w \leftarrow w - \eta\, \nabla L(w).$$
# *Stochastic* means the gradient comes from a mini-batch rather than the whole dataset (section 6): cheaper, noisier,
# and in practice just as good. If $\eta$ is too small, training crawls; if it is larger than $2/\lambda_{\max}$ (the
# steepest curvature of the loss), the steps overshoot and grow, and the loss diverges.
#
# **Weight decay.** `torch.optim.SGD(weight_decay=λ)` adds $\lambda w$ to the gradient, the gradient of the L2 penalty
# $\tfrac{\lambda}{2}\lVert w\rVert^2$:
# $$w \leftarrow w - \eta\,(\nabla L(w) + \lambda w).$$
#
# **By hand.** $w = (1, -2)$, $\nabla L = (0.5, 0.25)$, $\eta = 0.1$: $w - 0.1\,\nabla L = (0.95, -2.025)$.
# With $\lambda = 0.5$ the gradient becomes $(0.5 + 0.5, 0.25 - 1) = (1, -0.75)$ and the step lands on $(0.9, -1.925)$.

# %% nbgrader={"grade": false, "grade_id": "sgd_update", "locked": false, "schema_version": 3, "solution": true}
def sgd_update(w, dw, lr, weight_decay=0.0):
    """One step of plain SGD (torch.optim.SGD without momentum).

    Parameters
    ----------
    w, dw : arrays of the same shape: the weights and the gradient of the loss with respect to them
    lr : float, the learning rate
    weight_decay : float, L2 coefficient: torch adds weight_decay * w to the gradient

    Returns
    -------
    w_new : array shaped like w, w - lr * (dw + weight_decay * w). w and dw are not modified.
    """
    ### BEGIN SOLUTION
    return w - lr * (dw + weight_decay * w)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sgd_update", "locked": true, "points": 5, "schema_version": 3, "solution": false}
# By hand: (1, −2) − 0.1·(0.5, 0.25) = (0.95, −2.025)
_w, _dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
check(sgd_update, _w, _dw, 0.1, expected=np.array([0.95, -2.025]))
# weight_decay = 0.5 adds 0.5·w = (0.5, −1) to the gradient: (1, −0.75) → (0.9, −1.925)
check(sgd_update, _w, _dw, 0.1, 0.5, expected=np.array([0.9, -1.925]))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(501)
for _shape in [(1,), (4, 3), (2, 3, 5)]:
    _w, _dw = _rng.normal(size=(2, *_shape))
    check(sgd_update, _w, _dw, 0.03, 0.01, expected=_w - 0.03 * (_dw + 0.01 * _w), label=f"shape {_shape}")
_w32, _dw32 = _w.astype(np.float32), _dw.astype(np.float32)
check(sgd_update, _w32, _dw32, 0.03, expected=_w32.astype(float) - 0.03 * _dw32.astype(float), label="float32 inputs")
check(
    sgd_update,
    _w,
    _dw,
    kwargs={"lr": 0.2, "weight_decay": 1e-3},
    expected=_w - 0.2 * (_dw + 1e-3 * _w),
    label="keyword arguments",
)
### END HIDDEN TESTS
print("sgd_update: all visible tests pass ✓")


# %% [markdown]
# ## 2 · Momentum: a memory of past gradients
#
# In a long narrow valley the gradient points mostly *across* the valley: plain SGD zig-zags between the walls and
# creeps along the floor. Momentum keeps a running sum of gradients, the **buffer** $b$: components that flip sign from
# step to step cancel, components that agree add up. PyTorch's `SGD(momentum=μ, dampening=τ)` computes, with
# $g_t = \nabla L(w_{t-1})$,
# $$b_1 = g_1, \qquad b_t = \mu\, b_{t-1} + (1-\tau)\, g_t \quad (t \ge 2), \qquad w_t = w_{t-1} - \eta\, b_t .$$
# Three details matter. The buffer **starts at the first gradient itself** (not at zeros, so dampening does not shrink
# the first step). The buffer holds gradients, not steps: $\eta$ multiplies it only at the update. With a constant
# gradient $g$ the buffer grows to $g/(1-\mu)$: momentum 0.9 makes steps up to 10 times longer.
#
# **Nesterov momentum** (`nesterov=True`) steps with the gradient plus the *next* momentum, a look-ahead:
# $$w_t = w_{t-1} - \eta\,\big(g_t + \mu\, b_t\big).$$
#
# **By hand** ($w_0 = (1, -1)$, $\eta = 0.1$, $\mu = 0.9$; gradients $(1, 0.5)$, $(2, -1)$, $(-1, 0.5)$):
#
# | step | buffer $b_t$ | $w_t$ (momentum) | Nesterov direction $g_t + \mu b_t$ | $w_t$ (Nesterov) |
# |---|---|---|---|---|
# | 1 | $(1, 0.5)$ | $(0.9, -1.05)$ | $(1.9, 0.95)$ | $(0.81, -1.095)$ |
# | 2 | $(2.9, -0.55)$ | $(0.61, -0.995)$ | $(4.61, -1.495)$ | $(0.349, -0.9455)$ |
# | 3 | $(1.61, 0.005)$ | $(0.449, -0.9955)$ | $(0.449, 0.5045)$ | $(0.3041, -0.99595)$ |
#
# With dampening $\tau = 0.5$ the buffers are $(1, 0.5)$ (no dampening on step 1), then $0.9\,(1, 0.5) + 0.5\,(2, -1) =
# (1.9, -0.05)$, then $(1.21, 0.205)$.

# %% [markdown]
# > **Another convention: CS231n.** Many notes (CS231n, the original Nesterov/Sutskever papers) write momentum as a
# > *velocity* that already contains the learning rate:
# > $$v_t = \mu\, v_{t-1} - \eta\, g_t, \qquad w_t = w_{t-1} + v_t, \qquad v_0 = 0 .$$
# > Unrolling both gives $v_t = -\eta \sum_{k\le t} \mu^{t-k} g_k = -\eta\, b_t$ (for $\tau = 0$): with a constant
# > learning rate **both move the weights identically**; only what is stored differs. They part ways when $\eta$
# > changes during training: PyTorch's buffer holds raw gradients, so a new learning rate applies at once, while
# > CS231n's velocity keeps steps taken at the old rate. This course, like PyTorch, stores $b$ in
# > `state["momentum_buffer"]`.

# %% nbgrader={"grade": false, "grade_id": "momentum_update", "locked": false, "schema_version": 3, "solution": true}
def momentum_update(w, dw, state, lr, momentum=0.9, dampening=0.0, nesterov=False):
    """One step of SGD with momentum, as torch.optim.SGD(momentum=..., dampening=..., nesterov=...).

    Parameters
    ----------
    w, dw : arrays of the same shape
    state : dict, {} before the first step; holds "momentum_buffer" (shaped like w) afterwards
    lr, momentum, dampening : floats
    nesterov : bool, step along dw + momentum * buffer instead of the buffer

    Returns
    -------
    (w_new, state) : the new weights and the updated state. w and dw are not modified.

    Notes
    -----
    buffer = dw (a copy) on the first step, else momentum * buffer + (1 - dampening) * dw.
    """
    ### BEGIN SOLUTION
    if "momentum_buffer" not in state:
        buf = np.array(dw, dtype=float)
    else:
        buf = momentum * state["momentum_buffer"] + (1.0 - dampening) * dw
    state["momentum_buffer"] = buf
    direction = dw + momentum * buf if nesterov else buf
    return w - lr * direction, state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_momentum_update", "locked": true, "points": 14, "schema_version": 3, "solution": false}
# The table above: three steps from state = {}, checking the weights and state["momentum_buffer"] after each
_w0 = np.array([1.0, -1.0])
_gs = [np.array([1.0, 0.5]), np.array([2.0, -1.0]), np.array([-1.0, 0.5])]
_bufs = [np.array([1.0, 0.5]), np.array([2.9, -0.55]), np.array([1.61, 0.005])]
_ws = [np.array([0.9, -1.05]), np.array([0.61, -0.995]), np.array([0.449, -0.9955])]
check_steps(
    momentum_update,
    _w0,
    _gs,
    [(w, {"momentum_buffer": b}) for w, b in zip(_ws, _bufs)],
    kwargs={"lr": 0.1, "momentum": 0.9},
)
# Nesterov: the same buffers, the steps use g + μ·b
_wn = [np.array([0.81, -1.095]), np.array([0.349, -0.9455]), np.array([0.3041, -0.99595])]
check_steps(
    momentum_update,
    _w0,
    _gs,
    [(w, {"momentum_buffer": b}) for w, b in zip(_wn, _bufs)],
    kwargs={"lr": 0.1, "momentum": 0.9, "nesterov": True},
    label="nesterov=True",
)
# Dampening 0.5: the first buffer is the first gradient itself
_bd = [np.array([1.0, 0.5]), np.array([1.9, -0.05]), np.array([1.21, 0.205])]
_wd = [np.array([0.9, -1.05]), np.array([0.71, -1.045]), np.array([0.589, -1.0655])]
check_steps(
    momentum_update,
    _w0,
    _gs,
    [(w, {"momentum_buffer": b}) for w, b in zip(_wd, _bd)],
    kwargs={"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
    label="dampening=0.5",
)
### BEGIN HIDDEN TESTS
from course import optim as _ref

_rng = np.random.default_rng(502)
for _shape, _kw in [
    ((3, 4), {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ((5,), {"lr": 0.02, "momentum": 0.95, "nesterov": True}),
    ((1,), {"lr": 0.1}),
    ((2, 2, 3), {"lr": 0.01, "momentum": 0.5, "dampening": 0.1, "nesterov": True}),
]:
    _w0 = _rng.normal(size=_shape)
    _gs = [_rng.normal(size=_shape) for _ in range(5)]
    check_steps(
        momentum_update,
        _w0,
        _gs,
        reference_steps(_ref.momentum_update, _w0, _gs, _kw),
        kwargs=_kw,
        label=f"shape {_shape}, {_kw}",
    )
_w32, _gs32 = _w0.astype(np.float32), [g.astype(np.float32) for g in _gs]
check_steps(
    momentum_update,
    _w32,
    _gs32,
    reference_steps(_ref.momentum_update, _w32, _gs32, {"lr": 0.01, "nesterov": True}),
    kwargs={"lr": 0.01, "nesterov": True},
    label="float32 inputs",
)
# A changing learning rate is where CS231n's convention really differs from torch's
_w, _s = np.array([1.0]), {}
_exp_w, _b = 1.0, None
for _lr, _g in [(0.1, 1.0), (0.01, 1.0), (0.01, 1.0)]:
    _b = _g if _b is None else 0.9 * _b + _g
    _exp_w -= _lr * _b

    def _step(w, dw):
        return momentum_update(w, dw, _s, lr=_lr)

    _step.__name__ = "momentum_update"
    _w, _s = check(
        _step,
        _w,
        np.array([_g]),
        out_names=("w_new", "state"),
        expected=(np.array([_exp_w]), {"momentum_buffer": np.array([_b])}),
        label=f"lr changed to {_lr} between steps",
    )
### END HIDDEN TESTS
print("momentum_update: all visible tests pass ✓")

# %% [markdown]
# Check the claim about the two conventions with your own function: the weights agree step by step, and CS231n's
# velocity is $-\eta$ times PyTorch's buffer.
#
# **Demo cells in this notebook** run your functions through `yours(...)`: `my.momentum_update` is your
# `momentum_update`, and while it is not written yet (or raises), the course's own version stands in and one line
# under the output says so. So every picture below works from the start and becomes yours as you go.

# %%
with yours(momentum_update) as my:
    w_torch, state = np.array([1.0, -1.0]), {}
    w_cs231n, v = np.array([1.0, -1.0]), np.zeros(2)
    for g in [np.array([1.0, 0.5]), np.array([2.0, -1.0]), np.array([-1.0, 0.5])]:
        w_torch, state = my.momentum_update(w_torch, g, state, lr=0.1, momentum=0.9)
        v = 0.9 * v - 0.1 * g          # CS231n: the velocity already contains the learning rate
        w_cs231n = w_cs231n + v
        print(f"torch w = {w_torch},  CS231n w = {w_cs231n},  buffer = {state['momentum_buffer']},  "
              f"-v/lr = {-v / 0.1}")


# %% [markdown]
# ## 3 · Adaptive step sizes: AdaGrad and RMSprop
#
# A single learning rate is a compromise when some weights see large gradients and others tiny ones. **AdaGrad** gives
# each weight its own step by dividing by the root of the sum of all its squared gradients so far, state `sum`:
# $$s_t = s_{t-1} + g_t^2, \qquad w_t = w_{t-1} - \eta\, \frac{g_t}{\sqrt{s_t} + \varepsilon}\qquad (s_0 = 0).$$
# Everything is element-wise. Note where $\varepsilon$ sits: **outside** the square root, as in PyTorch
# (`Adagrad(lr=0.01, eps=1e-10)`). PyTorch also counts the steps in `state["step"]`; keep that count too.
#
# **By hand.** A constant gradient $g$ gives $s_t = t\,g^2$, so step $t$ moves by $\eta\, g / (\sqrt t\,|g| +
# \varepsilon) \approx \eta\,\operatorname{sign}(g)/\sqrt t$: the size of $g$ no longer matters, and the steps shrink
# like $1/\sqrt t$ forever. That decay suits sparse features but can stall a long training run.

# %% nbgrader={"grade": false, "grade_id": "adagrad_update", "locked": false, "schema_version": 3, "solution": true}
def adagrad_update(w, dw, state, lr=0.01, eps=1e-10):
    """One step of AdaGrad, as torch.optim.Adagrad.

    Parameters
    ----------
    w, dw : arrays of the same shape
    state : dict, {} before the first step; holds "step" (int) and "sum" (shaped like w) afterwards

    Returns
    -------
    (w_new, state) : sum += dw**2, w_new = w - lr * dw / (sqrt(sum) + eps). w and dw are not modified.
    """
    ### BEGIN SOLUTION
    state["step"] = state.get("step", 0) + 1
    state["sum"] = state.get("sum", np.zeros(np.shape(dw))) + dw * dw
    return w - lr * dw / (np.sqrt(state["sum"]) + eps), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_adagrad_update", "locked": true, "points": 8, "schema_version": 3, "solution": false}
# Constant gradient: sum = t·g², step t moves by lr·g / (√t·|g| + eps). eps = 0.5 is large so its place matters.
_g, _w0, _eps = np.array([0.5, -2.0]), np.array([1.0, 1.0]), 0.5
_exp = [
    (_w0 - sum(0.1 * _g / (np.sqrt(k) * np.abs(_g) + _eps) for k in range(1, t + 1)), {"step": t, "sum": t * _g**2})
    for t in (1, 2, 3)
]
check_steps(adagrad_update, _w0, [_g.copy() for _ in range(3)], _exp, kwargs={"lr": 0.1, "eps": _eps})
# The defaults lr = 0.01, eps = 1e-10: the first step is 0.01·sign(g)
check_steps(adagrad_update, _w0, [_g.copy()], [(_w0 - 0.01 * np.sign(_g), {"step": 1, "sum": _g**2})], label="defaults")
### BEGIN HIDDEN TESTS
from course import optim as _ref

_rng = np.random.default_rng(503)
for _shape, _kw in [((3, 4), {"lr": 0.05, "eps": 0.1}), ((6,), {}), ((1,), {"lr": 1.0, "eps": 1e-3})]:
    _w0 = _rng.normal(size=_shape)
    _gs = [_rng.normal(size=_shape) * 0.3 for _ in range(4)]
    check_steps(
        adagrad_update,
        _w0,
        _gs,
        reference_steps(_ref.adagrad_update, _w0, _gs, _kw),
        kwargs=_kw,
        label=f"shape {_shape}, {_kw}",
    )
_w32, _gs32 = _w0.astype(np.float32), [g.astype(np.float32) for g in _gs]
check_steps(
    adagrad_update,
    _w32,
    _gs32,
    reference_steps(_ref.adagrad_update, _w32, _gs32, {"lr": 0.1}),
    kwargs={"lr": 0.1},
    label="float32 inputs",
)
# A zero gradient in one coordinate: sum stays 0 there and eps keeps the step finite (0)
_gz = [np.array([0.0, 1.0]), np.array([0.0, -1.0])]
check_steps(
    adagrad_update,
    np.zeros(2),
    _gz,
    reference_steps(_ref.adagrad_update, np.zeros(2), _gz, {}),
    label="a zero gradient",
)
### END HIDDEN TESTS
print("adagrad_update: all visible tests pass ✓")


# %% [markdown]
# **RMSprop** (Hinton's lecture notes) replaces AdaGrad's ever-growing sum by an exponential moving average of squared
# gradients, state `square_avg`, so old gradients are forgotten and the steps do not shrink to nothing:
# $$a_t = \alpha\, a_{t-1} + (1-\alpha)\, g_t^2, \qquad w_t = w_{t-1} - \eta\, \frac{g_t}{\sqrt{a_t} + \varepsilon}
# \qquad (a_0 = 0).$$
# PyTorch's defaults are `RMSprop(lr=0.01, alpha=0.99, eps=1e-8)`; `eps` again sits outside the root, and there is **no
# bias correction** (that comes with Adam). Count the steps in `state["step"]` as PyTorch does.
#
# **By hand.** A constant gradient gives $a_t = (1 - \alpha^t)\,g^2$. With $\alpha = 0.99$ the first step divides by
# $\sqrt{0.01}\,|g| = 0.1\,|g|$: it is **10 times** $\eta$, because $a$ starts at zero and is still small.

# %% nbgrader={"grade": false, "grade_id": "rmsprop_update", "locked": false, "schema_version": 3, "solution": true}
def rmsprop_update(w, dw, state, lr=0.01, alpha=0.99, eps=1e-8):
    """One step of RMSprop, as torch.optim.RMSprop (no momentum, not centered).

    Parameters
    ----------
    w, dw : arrays of the same shape
    state : dict, {} before the first step; holds "step" (int) and "square_avg" (shaped like w) afterwards

    Returns
    -------
    (w_new, state) : square_avg = alpha * square_avg + (1 - alpha) * dw**2,
                     w_new = w - lr * dw / (sqrt(square_avg) + eps). w and dw are not modified.
    """
    ### BEGIN SOLUTION
    state["step"] = state.get("step", 0) + 1
    state["square_avg"] = alpha * state.get("square_avg", np.zeros(np.shape(dw))) + (1.0 - alpha) * dw * dw
    return w - lr * dw / (np.sqrt(state["square_avg"]) + eps), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rmsprop_update", "locked": true, "points": 9, "schema_version": 3, "solution": false}
# Constant gradient: square_avg = (1 − αᵗ)·g², step t moves by lr·g / (√(1 − αᵗ)·|g| + eps)
_g, _w0 = np.array([0.3, -1.0]), np.array([0.5, 0.5])


def _closed(alpha, eps, lr, T):
    return [
        (
            _w0 - sum(lr * _g / (np.sqrt(1 - alpha**k) * np.abs(_g) + eps) for k in range(1, t + 1)),
            {"step": t, "square_avg": (1 - alpha**t) * _g**2},
        )
        for t in range(1, T + 1)
    ]


check_steps(rmsprop_update, _w0, [_g.copy() for _ in range(3)], _closed(0.99, 1e-8, 0.01, 3), label="defaults")
check_steps(
    rmsprop_update,
    _w0,
    [_g.copy() for _ in range(3)],
    _closed(0.9, 0.1, 0.05, 3),
    kwargs={"lr": 0.05, "alpha": 0.9, "eps": 0.1},
)
### BEGIN HIDDEN TESTS
from course import optim as _ref

_rng = np.random.default_rng(504)
for _shape, _kw in [((3, 4), {"lr": 0.05, "alpha": 0.8, "eps": 0.05}), ((6,), {}), ((1,), {"lr": 0.1, "alpha": 0.5})]:
    _w0 = _rng.normal(size=_shape)
    _gs = [_rng.normal(size=_shape) * 0.3 for _ in range(5)]
    check_steps(
        rmsprop_update,
        _w0,
        _gs,
        reference_steps(_ref.rmsprop_update, _w0, _gs, _kw),
        kwargs=_kw,
        label=f"shape {_shape}, {_kw}",
    )
_w32, _gs32 = _w0.astype(np.float32), [g.astype(np.float32) for g in _gs]
check_steps(
    rmsprop_update,
    _w32,
    _gs32,
    reference_steps(_ref.rmsprop_update, _w32, _gs32, {"lr": 0.01}),
    kwargs={"lr": 0.01},
    label="float32 inputs",
)
# Tiny gradients with the default eps: √(a + eps) and √a + eps differ a lot here
_gs = [np.full(3, 1e-5), np.full(3, -2e-5)]
check_steps(
    rmsprop_update, np.zeros(3), _gs, reference_steps(_ref.rmsprop_update, np.zeros(3), _gs, {}), label="tiny gradients"
)
### END HIDDEN TESTS
print("rmsprop_update: all visible tests pass ✓")


# %% [markdown]
# ## 4 · Adam: momentum plus RMSprop, with bias correction
#
# Adam (Kingma & Ba, 2015) keeps two moving averages per weight: of the gradient (`exp_avg`, $m$, like momentum) and of
# its square (`exp_avg_sq`, $v$, like RMSprop). Both start at zero, so early on they are too small; Adam divides them by
# $1 - \beta^t$ to undo that **bias**, with the step counter $t$ (`state["step"]`) equal to **1 on the first call**:
# $$\begin{aligned}
# t &\leftarrow t + 1, \qquad m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,\\
# \hat m_t &= \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
# w_t = w_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \varepsilon}.
# \end{aligned}$$
# PyTorch's defaults: `Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)`; `eps` is added **after** the square root.
#
# **By hand.** Take $g = 0.2$ on the first step. Then $m_1 = 0.1 \cdot 0.2 = 0.02$ and $v_1 = 0.001 \cdot 0.04 =
# 0.00004$. Corrected: $\hat m_1 = 0.02/0.1 = 0.2$ and $\hat v_1 = 0.00004/0.001 = 0.04$, so the step is
# $\eta \cdot 0.2/\sqrt{0.04} = \eta$. **Without** the correction it would be $\eta \cdot 0.02/\sqrt{0.00004} \approx
# 3.16\,\eta$: more than three times too long, exactly when the averages know least. With a constant gradient the
# corrected averages are exactly $g$ and $g^2$ at every step, so every step has length $\eta$: Adam's learning rate is
# a step length in weight units.

# %% [markdown]
# <details><summary>Hint 1 · where to start</summary>
#
# Read the state with defaults: the step count is 0 and both averages are zeros shaped like `dw` before the first
# call. Increase the count **before** using it, so that the first call computes with $t = 1$ (with $t = 0$ the
# correction would divide by $1 - \beta^0 = 0$).
#
# </details>
# <details><summary>Hint 2 · the key formulas</summary>
#
# Store the raw averages $m_t$ and $v_t$ in `exp_avg` and `exp_avg_sq`; the corrected $\hat m_t = m_t/(1-\beta_1^t)$
# and $\hat v_t = v_t/(1-\beta_2^t)$ are recomputed at every step and never stored. The step is
# $\eta\,\hat m_t/(\sqrt{\hat v_t} + \varepsilon)$: the square root of the corrected $\hat v_t$, then $\varepsilon$.
#
# </details>
# <details><summary>Hint 3 · a check by hand</summary>
#
# With a constant gradient every corrected step has length $\eta$ (up to $\varepsilon$). If your first step with the
# default betas is about $3.16\,\eta$, the bias correction is missing; if it is $\eta$ but the second one is not, the
# step count is not kept in `state`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "adam_update", "locked": false, "schema_version": 3, "solution": true}
def adam_update(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """One step of Adam, as torch.optim.Adam (no weight decay, no amsgrad).

    Parameters
    ----------
    w, dw : arrays of the same shape
    state : dict, {} before the first step; holds "step" (int, 1 after the first call), "exp_avg" and
            "exp_avg_sq" (shaped like w) afterwards
    lr : float;  betas : (beta1, beta2);  eps : float, added to the square root

    Returns
    -------
    (w_new, state) : w and dw are not modified.
    """
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    t = state.get("step", 0) + 1
    m = beta1 * state.get("exp_avg", np.zeros(np.shape(dw))) + (1.0 - beta1) * dw
    v = beta2 * state.get("exp_avg_sq", np.zeros(np.shape(dw))) + (1.0 - beta2) * dw * dw
    state["step"], state["exp_avg"], state["exp_avg_sq"] = t, m, v
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_adam_update", "locked": true, "points": 15, "schema_version": 3, "solution": false}
# Constant gradient: exp_avg = (1 − β₁ᵗ)·g, exp_avg_sq = (1 − β₂ᵗ)·g², and every step is lr·g / (|g| + eps)
_g, _w0 = np.array([0.2, -3.0]), np.array([1.0, 1.0])


def _closed(lr, eps, betas, T):
    return [
        (
            _w0 - t * lr * _g / (np.abs(_g) + eps),
            {"step": t, "exp_avg": (1 - betas[0] ** t) * _g, "exp_avg_sq": (1 - betas[1] ** t) * _g**2},
        )
        for t in range(1, T + 1)
    ]


check_steps(adam_update, _w0, [_g.copy() for _ in range(3)], _closed(1e-3, 1e-8, (0.9, 0.999), 3), label="defaults")
# A large eps (0.1) shows where it sits: outside the square root
check_steps(
    adam_update,
    _w0,
    [_g.copy() for _ in range(3)],
    _closed(0.01, 0.1, (0.8, 0.9), 3),
    kwargs={"lr": 0.01, "betas": (0.8, 0.9), "eps": 0.1},
)
### BEGIN HIDDEN TESTS
from course import optim as _ref

_rng = np.random.default_rng(505)
for _shape, _kw in [
    ((3, 4), {"lr": 0.1, "betas": (0.8, 0.95), "eps": 1e-3}),
    ((6,), {}),
    ((1,), {"lr": 0.05, "betas": (0.5, 0.6)}),
    ((2, 3, 2), {"lr": 0.01, "eps": 0.3}),
]:
    _w0 = _rng.normal(size=_shape)
    _gs = [_rng.normal(size=_shape) for _ in range(5)]
    check_steps(
        adam_update,
        _w0,
        _gs,
        reference_steps(_ref.adam_update, _w0, _gs, _kw),
        kwargs=_kw,
        label=f"shape {_shape}, {_kw}",
    )
_w32, _gs32 = _w0.astype(np.float32), [g.astype(np.float32) for g in _gs]
check_steps(
    adam_update,
    _w32,
    _gs32,
    reference_steps(_ref.adam_update, _w32, _gs32, {"lr": 0.01}),
    kwargs={"lr": 0.01},
    label="float32 inputs",
)
# Gradients of very different sizes: each coordinate's step is still about lr
_gs = [np.array([1e-4, 1e4]), np.array([2e-4, 5e3])]
check_steps(
    adam_update,
    np.zeros(2),
    _gs,
    reference_steps(_ref.adam_update, np.zeros(2), _gs, {"lr": 0.1}),
    kwargs={"lr": 0.1},
    label="gradients of 1e-4 and 1e4",
)
### END HIDDEN TESTS
print("adam_update: all visible tests pass ✓")


# %% [markdown]
# ### AdamW: weight decay, decoupled
#
# With SGD, adding $\lambda w$ to the gradient (L2) and shrinking the weights directly are the same thing. With Adam
# they are not: a decay term added to the gradient gets divided by $\sqrt{\hat v}$ like everything else, so weights
# with large gradients are barely decayed. Loshchilov & Hutter's **AdamW** decays the weights directly, **before** the
# Adam step, and feeds Adam the raw gradient:
# $$w \leftarrow w\,(1 - \eta\lambda), \qquad \text{then the Adam step of section 4 with } g_t.$$
# PyTorch: `AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)`. `Adam(weight_decay=λ)` is the other, L2,
# variant.
#
# **By hand** ($\eta = 0.1$, $\lambda = 0.5$, $\varepsilon = 0$, constant gradient $(1, -1)$, $w_0 = (2, 2)$). The
# decay multiplies by $0.95$; the Adam step is exactly $\eta = 0.1$ against the gradient's sign. Step 1:
# $(1.9 - 0.1,\ 1.9 + 0.1) = (1.8, 2.0)$; step 2: $(1.71 - 0.1,\ 1.9 + 0.1) = (1.61, 2.0)$; step 3: $(1.4295, 2.0)$.
# The second weight sits where decay and gradient balance. `exp_avg` stays $(1 - 0.9^t)\,(1, -1)$: no decay inside.
#
# Write `adamw_update` in full (you may copy your Adam lines). Calling your own `adam_update` works too, but then a bug
# there costs points here as well.

# %% nbgrader={"grade": false, "grade_id": "adamw_update", "locked": false, "schema_version": 3, "solution": true}
def adamw_update(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """One step of AdamW, as torch.optim.AdamW: w *= (1 - lr * weight_decay), then the Adam step with dw.

    State and return value as adam_update ("step", "exp_avg", "exp_avg_sq"; (w_new, state)).
    w and dw are not modified.
    """
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    w = w * (1.0 - lr * weight_decay)
    t = state.get("step", 0) + 1
    m = beta1 * state.get("exp_avg", np.zeros(np.shape(dw))) + (1.0 - beta1) * dw
    v = beta2 * state.get("exp_avg_sq", np.zeros(np.shape(dw))) + (1.0 - beta2) * dw * dw
    state["step"], state["exp_avg"], state["exp_avg_sq"] = t, m, v
    return w - lr * (m / (1.0 - beta1**t)) / (np.sqrt(v / (1.0 - beta2**t)) + eps), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_adamw_update", "locked": true, "points": 10, "schema_version": 3, "solution": false}
# The example above: decay by 0.95 first, then an Adam step of exactly 0.1 (eps = 0, constant gradient ±1)
_g, _w0 = np.array([1.0, -1.0]), np.array([2.0, 2.0])
_ws = [np.array([1.8, 2.0]), np.array([1.61, 2.0]), np.array([1.4295, 2.0])]
_exp = [
    (w, {"step": t, "exp_avg": (1 - 0.9**t) * _g, "exp_avg_sq": (1 - 0.999**t) * _g**2})
    for t, w in enumerate(_ws, start=1)
]
check_steps(adamw_update, _w0, [_g.copy() for _ in range(3)], _exp, kwargs={"lr": 0.1, "eps": 0.0, "weight_decay": 0.5})
### BEGIN HIDDEN TESTS
from course import optim as _ref

_rng = np.random.default_rng(506)
for _shape, _kw in [
    ((3, 4), {"lr": 0.1, "weight_decay": 0.3, "betas": (0.8, 0.95)}),
    ((6,), {}),
    ((1,), {"lr": 0.05, "eps": 0.1, "weight_decay": 1.0}),
    ((2, 5), {"lr": 0.01}),
]:
    _w0 = _rng.normal(size=_shape) * 3
    _gs = [_rng.normal(size=_shape) for _ in range(5)]
    check_steps(
        adamw_update,
        _w0,
        _gs,
        reference_steps(_ref.adamw_update, _w0, _gs, _kw),
        kwargs=_kw,
        label=f"shape {_shape}, {_kw}",
    )
_w32, _gs32 = _w0.astype(np.float32), [g.astype(np.float32) for g in _gs]
check_steps(
    adamw_update,
    _w32,
    _gs32,
    reference_steps(_ref.adamw_update, _w32, _gs32, {"lr": 0.01, "weight_decay": 0.5}),
    kwargs={"lr": 0.01, "weight_decay": 0.5},
    label="float32 inputs",
)
### END HIDDEN TESTS
print("adamw_update: all visible tests pass ✓")

# %% [markdown]
# ## 5 · The race: every optimizer on three surfaces
#
# Time to watch your optimizers move. Each surface is a function of two weights $(x, y)$:
# - **ravine** $\tfrac12(x^2/10 + 10y^2)$: curvatures 0.1 and 10, a condition number of 100. A learning rate small
#   enough for the steep direction ($\eta < 2/10$) is tiny for the flat one.
# - **Rosenbrock** $(1-x)^2 + 100(y - x^2)^2$: a curved, flat-bottomed valley; minimum 0 at $(1, 1)$.
# - **saddle** $\tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2$: a saddle at the origin (gradient zero, not a minimum)
#   between two minima of $-\tfrac14$ at $(0, \pm 1)$. The race starts almost exactly on the ridge, $y_0 = 10^{-5}$.
#
# Everyone starts from the same point (★) for the same number of steps. The SGD family shares one learning rate and
# the adaptive family another: for SGD a step is $\eta \times$ gradient, for Adam about $\eta$ per coordinate, so the
# two are in different units. `my.functions` hands the race **your** six update functions; those you have not
# written yet run as the course's, and the line under the table names them.

# %%
with yours(sgd_update, momentum_update, adagrad_update, rmsprop_update, adam_update, adamw_update) as my:
    show(plots.plot_races(my.functions))
    print("final loss after the race (the minimum is 0, 0 and −0.25):")
    print(surfaces.format_table(surfaces.final_losses(my.functions)))

# %% [markdown]
# What to notice:
# - **Ravine.** SGD's learning rate is capped by the steep $y$ direction, so it barely moves along $x$. Momentum adds up
#   the consistent $x$ component and cancels the zig-zag. Adam and RMSprop rescale each coordinate, which for an
#   axis-aligned ravine is nearly the perfect preconditioner. AdaGrad's steps shrink like $1/\sqrt t$ and it falls behind.
# - **Rosenbrock.** Finding the valley is easy; following its curved floor is hard. Momentum wins here; the adaptive
#   methods, with steps of about $\eta$, walk the floor at a fixed pace.
# - **Saddle.** The gradient near the ridge is almost zero in $y$, so SGD sits on the saddle (loss ≈ 0) and only slowly
#   notices the escape direction. Dividing by $\sqrt{\hat v}$ turns a tiny but consistent gradient into a full-size
#   step: RMSprop, Adam and momentum roll off to $-0.25$; AdaGrad, whose steps keep shrinking, is still on its way.
#
# Try it yourself: pick a surface, optimizers, learning rates, $\mu$, $\beta$s, a start and the number of steps. Raise
# the SGD-family learning rate on the ravine to 0.16: SGD now zig-zags across the valley, and Nesterov, whose stability
# limit is lower (about 0.14 here), already diverges; past $2/10$ (0.25 on the slider) SGD diverges too.
# Set $\beta_1 = 0$ to turn Adam into RMSprop with bias correction, or move $\beta_2$ away from its default 0.999 in
# either direction. The `cliff` surface belongs to section 7. The race uses your functions (and says under the picture
# which it borrowed).

# %%
explore.race_explorer(yours(sgd_update, momentum_update, adagrad_update, rmsprop_update, adam_update, adamw_update))


# %% [markdown]
# ## 6 · Mini-batches
#
# An **epoch** is one pass over the training set. Stochastic gradient descent shuffles the samples once per epoch and
# cuts them into batches of `batch_size`: every sample is used **exactly once** per epoch, and when $N$ is not a multiple
# of the batch size the **last batch is smaller** (PyTorch's `DataLoader` with `drop_last=False`). Shuffling matters:
# batches in a fixed order (say, all of class 0 first) give gradients that pull the same way for many steps.
#
# Rules for `iterate_minibatches`:
# - shuffle with **one permutation** of the indices drawn from the `rng` you are given (`rng.permutation(N)`; make a
#   fresh `np.random.default_rng()` only when `rng` is None), and index `X` and `y` with the same permutation so each label
#   stays with its sample;
# - never shuffle `X` or `y` in place; with `shuffle=False` keep the original order;
# - `yield` the batches one by one (a generator), so a training loop can write
#   `for X_batch, y_batch in iterate_minibatches(X, y, 32, rng=rng):`.
#
# **By hand.** $N = 10$, `batch_size = 4`: batches of 4, 4 and 2 samples.

# %% nbgrader={"grade": false, "grade_id": "iterate_minibatches", "locked": false, "schema_version": 3, "solution": true}
def iterate_minibatches(X, y, batch_size, shuffle=True, rng=None):
    """Yield (X_batch, y_batch) pairs that cover every sample exactly once (one epoch).

    Parameters
    ----------
    X : array (N, ...);  y : array (N, ...);  batch_size : int
    shuffle : bool, visit the samples in a random order drawn from rng
    rng : np.random.Generator or None (then a fresh np.random.default_rng())

    Yields
    ------
    X_batch, y_batch : the next batch_size samples (the last batch may be smaller). X and y are not modified.
    """
    ### BEGIN SOLUTION
    n = len(X)
    if shuffle:
        rng = np.random.default_rng() if rng is None else rng
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_iterate_minibatches", "locked": true, "points": 13, "schema_version": 3, "solution": false}
# 10 samples in batches of 4 → sizes 4, 4, 2; each sample once, with its label; in order when shuffle=False;
# shuffled by the rng argument alone (generators made alike → the same order; a new order each epoch)
_X, _y = np.arange(20.0).reshape(10, 2), np.arange(10) % 3
check_minibatches(iterate_minibatches, _X, _y, 4)
# Concretely, without shuffling:
_batches = list(iterate_minibatches(_X, _y, 4, shuffle=False))
assert [len(b) for _, b in _batches] == [4, 4, 2], (
    f"expected batch sizes [4, 4, 2], got {[len(b) for _, b in _batches]}"
)
assert np.array_equal(_batches[2][0], _X[8:]), f"the last batch should be rows 8 and 9, got {_batches[2][0]}"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(507)
check_minibatches(
    iterate_minibatches, _rng.normal(size=(12, 3)), _rng.integers(0, 5, 12), 4, seed=1
)  # exact multiple: no empty batch
check_minibatches(iterate_minibatches, _rng.normal(size=(7, 2)), np.arange(7), 10, seed=2)  # one batch bigger than N
check_minibatches(iterate_minibatches, _rng.normal(size=(1, 4)), np.array([3]), 3, seed=3)  # N = 1
check_minibatches(
    iterate_minibatches, _rng.normal(size=(9, 2, 3)).astype(np.float32), np.arange(9) % 2, 2, seed=4
)  # images, float32
check_minibatches(
    iterate_minibatches, _rng.normal(size=(50, 2)), _rng.normal(size=(50, 3)), 16, seed=5
)  # y with several columns
### END HIDDEN TESTS
print("iterate_minibatches: all visible tests pass ✓")

# %% [markdown]
# ### The same network, seven optimizers
#
# Now a real training run: a 2-64-3 ReLU network classifying CS231n's three interleaved spirals (300 points), trained for
# 40 epochs of mini-batches of 32 by each optimizer from the **same** initial weights and the same batch order. The loop
# is the four steps of every training run: forward, loss, backward, update; `step` is the only thing that changes.

# %%
from course import activations, layers, losses
from course.data import spirals

X, y = spirals(n_per_class=100, n_classes=3, rng=np.random.default_rng(0))


def loss_and_grads(params, X, y):
    W1, b1, W2, b2 = params
    h, cache1 = layers.linear_forward(X, W1, b1)
    a, cache_relu = activations.relu_forward(h)
    scores, cache2 = layers.linear_forward(a, W2, b2)
    loss = losses.cross_entropy_forward(scores, y)
    da, dW2, db2 = layers.linear_backward(losses.cross_entropy_backward(scores, y), cache2)
    _, dW1, db1 = layers.linear_backward(activations.relu_backward(da, cache_relu), cache1)
    return loss, [dW1, db1, dW2, db2], scores


def train(step, minibatches, epochs=40, batch_size=32):
    init = np.random.default_rng(1)  # the same initial weights for every optimizer
    params = [
        init.normal(0, np.sqrt(2 / 2), (64, 2)),
        np.zeros(64),
        init.normal(0, np.sqrt(2 / 64), (3, 64)),
        np.zeros(3),
    ]
    states = [{} for _ in params]  # one state dict per parameter array, as torch keeps
    rng = np.random.default_rng(2)  # the same batch order for every optimizer
    curve = []
    for epoch in range(epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size, rng=rng):
            _, grads, _ = loss_and_grads(params, X_batch, y_batch)
            for i, (p, g) in enumerate(zip(params, grads)):
                params[i], states[i] = step(p, g, states[i])
        loss, _, scores = loss_and_grads(params, X, y)
        curve.append(loss)
    return curve, float(np.mean(scores.argmax(axis=1) == y))


with yours(sgd_update, momentum_update, adagrad_update, rmsprop_update, adam_update, adamw_update,
           iterate_minibatches) as my:
    steps = surfaces.make_steps(my.functions, lr_sgd=0.2, lr_adaptive=0.01)  # AdamW: its default weight_decay=1e-2
    steps["AdaGrad"] = lambda w, g, s: my.adagrad_update(w, g, s, lr=0.1)  # AdaGrad's steps decay: a larger lr
    results = {name: train(step, my.iterate_minibatches) for name, step in steps.items()}
    show(
        plots.plot_curves(
            {name: curve for name, (curve, _) in results.items()},
            title="spirals, 2-64-3 MLP: full-batch loss after each epoch",
        )
    )
    for name, (curve, acc) in results.items():
        print(f"{name:9s} final loss {curve[-1]:.3f}   training accuracy {acc:.1%}")


# %% [markdown]
# Learning rates here are SGD's 0.2 (with momentum too, so its steps are up to 10 times longer), AdaGrad's 0.1, and
# 0.01 for RMSprop, Adam and AdamW. Each optimizer has a learning rate that suits it, and comparing them fairly means tuning
# each: try other values in the cell above. The adaptive methods are usually the least sensitive to that choice,
# which is a large part of why Adam is the default in practice.

# %% [markdown]
# ## 7 · Exploding gradients and clipping
#
# Some losses have cliffs: a recurrent network multiplies by the same weight at every time step, so its gradient grows
# like $w^{T}$ and one step at the edge can be thousands of times larger than the step before. One such step throws the
# weights far away, and training never recovers. **Gradient clipping** bounds each step's size without changing its
# direction.
#
# `torch.nn.utils.clip_grad_norm_(parameters, max_norm)` treats **all** gradients as one long vector:
# $$\text{total} = \sqrt{\textstyle\sum_{\text{arrays}} \sum_{\text{entries}} g^2}, \qquad
# \text{if total} > \text{max\_norm}: \quad g \leftarrow g \cdot \frac{\text{max\_norm}}{\text{total} + 10^{-6}},$$
# and returns the total norm **before** clipping (useful to log). Below `max_norm` nothing changes. The $10^{-6}$
# guards against a zero norm. `clip_grad_value_(parameters, clip_value)` instead clips every entry into
# $[-\text{clip\_value}, \text{clip\_value}]$, which can change the direction.
#
# **By hand.** Gradients $(3, 0)$ and $\begin{pmatrix}0 & 4\end{pmatrix}$: total norm $\sqrt{9 + 16} = 5$. With
# `max_norm = 1` both are multiplied by $1/5$: $(0.6, 0)$ and $(0, 0.8)$ (up to the $10^{-6}$). Clipping each array by its
# own norm would give $(1, 0)$ and $(0, 1)$: a different direction.

# %% nbgrader={"grade": false, "grade_id": "clip_grad_norm", "locked": false, "schema_version": 3, "solution": true}
def clip_grad_norm(grads, max_norm):
    """Rescale a list of gradient arrays so that their joint L2 norm is at most max_norm.

    Parameters
    ----------
    grads : list of arrays (any shapes);  max_norm : float

    Returns
    -------
    (clipped, total_norm) : clipped is a new list of new arrays, each g * max_norm / (total_norm + 1e-6) when
    total_norm > max_norm, else an unchanged copy of g; total_norm (float) is the norm before clipping.
    The input arrays are not modified.
    """
    ### BEGIN SOLUTION
    total = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads)))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total
    return [np.array(g, copy=True) for g in grads], total
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_clip_grad_norm", "locked": true, "points": 10, "schema_version": 3, "solution": false}
# By hand: total norm √(9 + 16) = 5 > 1, so both arrays are multiplied by 1 / (5 + 1e-6)
_grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]
check(
    clip_grad_norm,
    _grads,
    1.0,
    expected=([np.array([3.0, 0.0]) / (5 + 1e-6), np.array([[0.0, 4.0]]) / (5 + 1e-6)], 5.0),
    out_names=("clipped", "total_norm"),
    rtol=1e-5,
)
# Below max_norm the gradients come back unchanged, and the total norm is still reported
check(
    clip_grad_norm,
    _grads,
    10.0,
    expected=([np.array([3.0, 0.0]), np.array([[0.0, 4.0]])], 5.0),
    out_names=("clipped", "total_norm"),
    label="below max_norm",
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(508)


def _expected(grads, max_norm):
    _total = np.sqrt(sum(float((np.asarray(g, float) ** 2).sum()) for g in grads))
    _c = max_norm / (_total + 1e-6) if _total > max_norm else 1.0
    return [np.asarray(g, float) * _c for g in grads], _total


for _shapes, _max in [([(3, 4), (4,), (2, 2, 2)], 2.5), ([(5,)], 0.5), ([(1,), (1, 1)], 3.0), ([(6, 2), (2,)], 40.0)]:
    _g = [_rng.normal(size=s) * 2 for s in _shapes]
    check(
        clip_grad_norm,
        _g,
        _max,
        expected=_expected(_g, _max),
        out_names=("clipped", "total_norm"),
        rtol=1e-5,
        label=f"shapes {_shapes}, max_norm {_max}",
    )
_g32 = [g.astype(np.float32) for g in _g]
check(
    clip_grad_norm,
    _g32,
    1.0,
    expected=_expected(_g32, 1.0),
    out_names=("clipped", "total_norm"),
    label="float32 gradients",
)
check(
    clip_grad_norm,
    [np.zeros(3), np.zeros((2, 2))],
    1.0,
    expected=([np.zeros(3), np.zeros((2, 2))], 0.0),
    out_names=("clipped", "total_norm"),
    label="all-zero gradients",
)
_big = [np.array([3e5, -4e5])]
check(
    clip_grad_norm,
    _big,
    1.0,
    expected=([np.array([0.6, -0.8])], 5e5),
    out_names=("clipped", "total_norm"),
    rtol=1e-5,
    label="an exploding gradient",
)
### END HIDDEN TESTS
print("clip_grad_norm: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "clip_grad_value", "locked": false, "schema_version": 3, "solution": true}
def clip_grad_value(grads, clip_value):
    """Clip every entry of every gradient array into [-clip_value, clip_value].

    Returns a new list of new arrays; the inputs are not modified.
    """
    ### BEGIN SOLUTION
    return [np.clip(g, -clip_value, clip_value) for g in grads]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_clip_grad_value", "locked": true, "points": 5, "schema_version": 3, "solution": false}
# Entries beyond ±1 are cut to ±1, the others stay
_grads = [np.array([-3.0, 0.5, 2.0]), np.array([[0.2, -0.7]])]
check(clip_grad_value, _grads, 1.0, expected=[np.array([-1.0, 0.5, 1.0]), np.array([[0.2, -0.7]])])
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(509)
_g = [_rng.normal(size=(4, 3)), _rng.normal(size=(5,)) * 10, _rng.normal(size=(1,))]
check(clip_grad_value, _g, 0.3, expected=[np.minimum(np.maximum(g, -0.3), 0.3) for g in _g], label="random gradients")
_g32 = [g.astype(np.float32) for g in _g]
check(
    clip_grad_value,
    _g32,
    2.0,
    expected=[np.minimum(np.maximum(g.astype(float), -2.0), 2.0) for g in _g32],
    label="float32 gradients",
)
check(clip_grad_value, [np.array([-5.0, -0.1])], 0.5, expected=[np.array([-0.5, -0.1])], label="negative entries")
### END HIDDEN TESTS
print("clip_grad_value: all visible tests pass ✓")

# %% [markdown]
# ### Clipping rescues a run on a cliff
#
# The `cliff` surface is the loss of a one-unit linear recurrent network, $h_t = w\,h_{t-1} + u\,x_t$ over 20 time
# steps, fitted to sequences made with $w = 0.5,\ u = 1$. We start at $w = 1.15$: the gradient there is about
# $10^3$, because $h_{20}$ contains $w^{19}$. Plain SGD with a perfectly reasonable learning rate of 0.05 takes one
# giant step and leaves the numbers. The same SGD with **your** `clip_grad_norm` (max norm 1) walks down the cliff and
# converges.

# %%
with yours(sgd_update, clip_grad_norm) as my:
    show(plots.plot_clipping_rescue(my.sgd_update, my.clip_grad_norm, lr=0.05, max_norm=1.0))
    _, norm_at_start = my.clip_grad_norm([surfaces.cliff.grad(np.array(surfaces.cliff.start))], 1.0)
    print(f"gradient norm at the start: {norm_at_start:.4g}")


# %% [markdown]
# ## 8 · Learning-rate schedules
#
# A large learning rate makes fast progress early; a small one settles into a minimum. Schedules change $\eta$ as
# training goes on, usually once per epoch. Two of PyTorch's (`torch.optim.lr_scheduler`), as closed forms of the
# epoch number $e$ (counting from 0):
# - **StepLR**: multiply by $\gamma$ every `step_size` epochs, $\ \eta_e = \eta_0\, \gamma^{\lfloor e / \text{step\_size}\rfloor}$.
#   PyTorch's own example: $\eta_0 = 0.05$, `step_size=30`, $\gamma = 0.1$ gives 0.05 for epochs 0–29, 0.005 for 30–59,
#   0.0005 for 60–89.
# - **CosineAnnealingLR**: half a cosine from $\eta_0$ down to `eta_min` over `T_max` epochs,
#   $$\eta_t = \eta_{\min} + (\eta_0 - \eta_{\min})\,\frac{1 + \cos(\pi t / T_{\max})}{2}.$$
#   At $t = 0$ it is $\eta_0$, at $t = T_{\max}/2$ halfway, at $t = T_{\max}$ it is $\eta_{\min}$.
#
# **By hand.** $\eta_0 = 1$, `step_size = 3`, $\gamma = 0.5$: epochs 0–6 give $1, 1, 1, 0.5, 0.5, 0.5, 0.25$. Cosine with
# $\eta_0 = 0.1$, $\eta_{\min} = 0.02$, $T_{\max} = 10$: $0.1$ at $t = 0$, $0.06$ at $t = 5$, $0.02$ at $t = 10$.

# %% nbgrader={"grade": false, "grade_id": "step_lr", "locked": false, "schema_version": 3, "solution": true}
def step_lr(lr0, epoch, step_size, gamma=0.1):
    """The learning rate of StepLR at a given epoch (counting from 0): lr0 * gamma ** (epoch // step_size)."""
    ### BEGIN SOLUTION
    return lr0 * gamma ** (epoch // step_size)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_step_lr", "locked": true, "points": 5, "schema_version": 3, "solution": false}
# By hand: lr0 = 1, step_size = 3, gamma = 0.5
for _e, _lr in enumerate([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]):
    check(step_lr, 1.0, _e, 3, 0.5, expected=_lr, label=f"epoch {_e}")
### BEGIN HIDDEN TESTS
# PyTorch's documented example, with the default gamma = 0.1
for _e, _lr in [(0, 0.05), (29, 0.05), (30, 0.005), (59, 0.005), (60, 0.0005), (89, 0.0005), (95, 0.00005)]:
    check(step_lr, 0.05, _e, 30, expected=_lr, label=f"epoch {_e}, step_size 30")
check(step_lr, 0.3, 7, 1, 0.9, expected=0.3 * 0.9**7, label="step_size 1")
### END HIDDEN TESTS
print("step_lr: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "cosine_annealing_lr", "locked": false, "schema_version": 3, "solution": true}
def cosine_annealing_lr(lr0, t, T_max, eta_min=0.0):
    """The learning rate of CosineAnnealingLR at epoch t: eta_min + (lr0 - eta_min) * (1 + cos(pi t / T_max)) / 2."""
    ### BEGIN SOLUTION
    return eta_min + (lr0 - eta_min) * (1.0 + np.cos(np.pi * t / T_max)) / 2.0
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cosine_annealing_lr", "locked": true, "points": 6, "schema_version": 3, "solution": false}
# By hand: from 0.1 down to eta_min = 0.02 over T_max = 10 epochs
for _t, _lr in [(0, 0.1), (5, 0.06), (10, 0.02)]:
    check(cosine_annealing_lr, 0.1, _t, 10, 0.02, expected=_lr, label=f"t = {_t}")
# cos(60°) = 1/2, so a third of the way the factor is (1 + 1/2) / 2 = 0.75
check(cosine_annealing_lr, 1.0, 1, 3, expected=0.75, label="t = 1, T_max = 3")
### BEGIN HIDDEN TESTS
import math as _math

for _lr0, _t, _T, _m in [
    (0.05, 17, 50, 0.0),
    (1.0, 0, 7, 0.3),
    (0.2, 33, 40, 0.001),
    (0.01, 100, 100, 0.0),
    (0.5, 1, 200, 0.05),
]:
    check(
        cosine_annealing_lr,
        _lr0,
        _t,
        _T,
        _m,
        expected=_m + (_lr0 - _m) * (1 + _math.cos(_math.pi * _t / _T)) / 2,
        label=f"t = {_t}, T_max = {_T}, eta_min = {_m}",
    )
### END HIDDEN TESTS
print("cosine_annealing_lr: all visible tests pass ✓")

# %% [markdown]
# Compare the two schedules, drawn with your functions: StepLR drops in jumps, cosine annealing glides and spends its
# last epochs at small learning rates.

# %%
explore.schedule_explorer(yours(step_lr, cosine_annealing_lr))

# %% [markdown]
# ## 9 · From functions to an optimizer object
#
# PyTorch wraps each update in a class: you build it from the model's parameters, then call `zero_grad()` before each
# backward pass and `step()` after it; the state dicts live inside, one per parameter. `course.optim` has the same
# shape: a `Parameter` holds `.data` and `.grad`, and `Adam([p], lr=...)` computes the course's own copy of the
# `adam_update` you wrote, in place on each parameter. The capstone trains its digit classifier this way. Both give the
# same numbers:

# %%
from course.optim import Adam, Parameter

p = Parameter(np.array([1.0, 1.0]))
opt = Adam([p], lr=0.1)
with yours(adam_update) as my:
    w, state = np.array([1.0, 1.0]), {}
    for _ in range(3):
        opt.zero_grad()
        p.grad += np.array([0.2, -3.0])   # a backward pass would fill .grad here
        opt.step()
        w, state = my.adam_update(w, np.array([0.2, -3.0]), state, lr=0.1)
    print(f"Adam object: {p.data}, step {opt.state[p]['step']}\nyour function: {w}, step {state['step']}")

# %% [markdown]
# ## Your scorecard
# The cell below runs every test of this notebook again, against the functions you have now, and lists
# what passes and what still fails. *Validate* ends with the same summary.

# %% nbgrader={"grade": true, "grade_id": "scorecard", "locked": true, "points": 0, "schema_version": 3, "solution": false}
scorecard("05_optimizers.ipynb")

# %% [markdown]
# ## Recap
#
# - **SGD** steps against the gradient; the learning rate must stay below $2/\lambda_{\max}$, so ill-conditioned losses
#   make it slow along the flat directions. Weight decay in SGD adds $\lambda w$ to the gradient.
# - **Momentum** (PyTorch: $b \leftarrow \mu b + (1-\tau) g$, starting at $b = g_1$, step $\eta b$) adds up consistent
#   directions and cancels oscillations; **Nesterov** steps along $g + \mu b$. CS231n's $v = \mu v - \eta g$ moves the
#   weights identically at a constant learning rate but stores $-\eta b$.
# - **AdaGrad** divides by $\sqrt{\sum g^2} + \varepsilon$ (steps decay forever); **RMSprop** by the root of a moving
#   average; **Adam** combines momentum and RMSprop and corrects both averages' bias with $1 - \beta^t$, $t$ counting
#   from 1. `eps` is always added outside the square root.
# - **AdamW** shrinks the weights by $(1 - \eta\lambda)$ before the Adam step; adding $\lambda w$ to the gradient is Adam
#   with L2, which decays weights with large gradients less.
# - **Clipping** by the joint norm rescales all gradients together, only when the norm exceeds `max_norm`, and
#   reports the norm before clipping; it rescued SGD on the exploding-gradient cliff.
# - **Schedules** lower the learning rate over time; **mini-batches** visit every sample once per epoch, shuffled
#   with the given `rng`, last partial batch included.
#
# The capstone trains a digit classifier with `course.optim.Adam`, whose `step()` computes exactly the update you
# wrote (the course's own copy of it).

# %% [markdown]
# ## References
#
# - The three spirals: CS231n (Stanford), *Putting it together: Minimal Neural Network Case Study*; the CS231n
#   momentum convention: CS231n, *Neural Networks Part 3: Learning and Evaluation*.
# - The StepLR example ($\eta_0 = 0.05$, `step_size=30`): PyTorch documentation, *torch.optim.lr_scheduler.StepLR*.
# - Duchi, Hazan & Singer (2011), *Adaptive Subgradient Methods for Online Learning and Stochastic Optimization*
#   (AdaGrad); Hinton, *Neural Networks for Machine Learning*, lecture 6e (RMSprop).
# - Kingma & Ba (2015), *Adam: A Method for Stochastic Optimization*; Loshchilov & Hutter (2019), *Decoupled Weight
#   Decay Regularization* (AdamW).
# - Pascanu, Mikolov & Bengio (2013), *On the difficulty of training recurrent neural networks* (exploding gradients
#   and norm clipping); Loshchilov & Hutter (2017), *SGDR: Stochastic Gradient Descent with Warm Restarts* (cosine
#   annealing).
