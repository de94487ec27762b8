# %% [markdown]
# # 07 · Sequences: backpropagation through time, gates, and CTC
#
# Until now every input was a fixed-size vector: 64 pixels, two coordinates. Speech, handwriting and text arrive as
# **sequences** of any length, and what a step means depends on the steps before it. A **recurrent network** reads a
# sequence one step at a time and carries a memory, its hidden state, from each step to the next. Training it is
# backpropagation as before, run backwards through the steps: **backpropagation through time**. It also brings a new
# danger: a gradient that crosses many steps is multiplied by the same matrix again and again, and vanishes or
# explodes. Gates (LSTM, GRU) are the cure for the first, clipping for the second. Last, a loss for reading: when a
# line of handwriting is 40 columns wide and says "307", which columns are the "3"? **CTC** does not need to know.
#
# **You will learn to**
# - write the tanh RNN cell and run it over a sequence, exactly as `torch.nn.RNN(batch_first=True)` computes it;
# - backpropagate through time by hand, and in code: add the gradient that flows back from the next step, and add
#   up the weights' gradients over every step;
# - measure how ‖∂L/∂hₜ‖ shrinks or grows through time with the spectral radius of $W_{hh}$, and rescue an exploding
#   run with gradient clipping (lesson 05's `clip_grad_norm`);
# - write the LSTM and GRU cells, forward and backward, in PyTorch's layout and gate order, and say why the LSTM's
#   cell state lets a gradient cross a hundred steps;
# - compute the CTC loss with the forward (α) and backward (β) recursions in log space, its gradient, and greedy
#   decoding;
# - train a network that reads strings of handwritten digits, column by column.
#
# **How this notebook works.** Each graded function sits in a cell with `# YOUR CODE HERE`; the cell after it tests
# it and names what looks wrong. Shapes are **batch first**: a sequence batch `x` is `(N, T, D)` (N sequences, T
# steps, D features per step) and a hidden state is `(N, H)`. Weights are laid out as PyTorch lays them out, so that
# you can copy a trained PyTorch model's weights into your functions and get the same numbers. Everything is float64.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np

from course.grading import check
from course.grading.lending import reference_helpers
from course.grading.sequences import numerical_backward
from course.viz import show
from course.viz import sequences as plots
from course.widgets import sequences as explore
from course.examples import ctc_paths, digit_strips, string_reader
from course.viz import strings as strip_plots
from course.demo import yours
from course.grading import scorecard


# %% [markdown]
# ## 1 · A recurrent cell
#
# A recurrent network applies the same small network, the **cell**, at every step. The cell takes this step's input
# $x_t$ and the previous hidden state $h_{t-1}$, and returns the new state:
#
# $$h_t = \tanh\big(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}\big).$$
#
# $W_{ih}$ (input → hidden) is `(H, D)` and $W_{hh}$ (hidden → hidden) is `(H, H)`, each with its own bias of shape
# `(H,)`, as PyTorch stores them (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`). Two biases where one
# would do: PyTorch keeps both, so we do too. The state starts from $h_0$, usually zeros. The same weights serve every
# step: that is what lets the network read a sequence of any length.
#
# **By hand**, with one input and one hidden unit: $x = 1$, $h_{t-1} = 0.5$, $W_{ih} = 0.5$, $W_{hh} = -1$,
# $b_{ih} = 0.25$, $b_{hh} = 0$. The pre-activation is $0.5 + 0.25 - 0.5 + 0 = 0.25$, and $h_t = \tanh(0.25) =
# 0.244919$.
#
# **The backward.** Call the pre-activation $z$, so that $h = \tanh z$. Given $\partial L/\partial h$ (`dh`), first
# go through the tanh, whose derivative is $1 - h^2$:
#
# $$dz = dh \odot (1 - h^2),$$
#
# then through the two linear maps, exactly as lesson 03's linear layer: $dx = dz\,W_{ih}$,
# $dh_{prev} = dz\,W_{hh}$, $dW_{ih} = dz^\top x$, $dW_{hh} = dz^\top h_{prev}$, and both biases get
# $\sum_n dz$. By hand, with $dh = 1$: $dz = 1 - 0.244919^2 = 0.940015$, so $dx = 0.470007$, $dh_{prev} =
# -0.940015$, $dW_{ih} = 0.940015$, $dW_{hh} = 0.470007$ and $db_{ih} = db_{hh} = 0.940015$.
#
# **The cache** (so that the backward can be tested on its own): the forward's arguments in order, then the new
# state, `(x, h_prev, W_ih, W_hh, b_ih, b_hh, h)`.

# %% nbgrader={"grade": false, "grade_id": "rnn_cell_forward", "locked": false, "schema_version": 3, "solution": true}
def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of a tanh RNN (torch.nn.RNN's cell).

    Parameters
    ----------
    x : (N, D) this step's input      h_prev : (N, H) the previous hidden state
    W_ih : (H, D)   W_hh : (H, H)   b_ih, b_hh : (H,)

    Returns
    -------
    h : (N, H) = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh)
    cache : (x, h_prev, W_ih, W_hh, b_ih, b_hh, h)
    """
    ### BEGIN SOLUTION
    h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
    return h, (x, h_prev, W_ih, W_hh, b_ih, b_hh, h)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_cell_forward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
# The example worked by hand above: tanh(0.5 + 0.25 − 0.5) = tanh(0.25)
_args = (np.array([[1.0]]), np.array([[0.5]]), np.array([[0.5]]), np.array([[-1.0]]), np.array([0.25]), np.array([0.0]))
check(rnn_cell_forward, *_args, expected=(np.tanh([[0.25]]), (*_args, np.tanh([[0.25]]))), out_names=("h", "cache"),
      label="the example by hand")
# Two sequences, D = 3 inputs, H = 2 hidden units; the pre-activations, worked out by hand, are
# row 0: (1 + 0.1 + 0.5 − 0.2, −2 + 0 + 0 + 0.3) and row 1: (0 + 0.1 − 0.5 − 0.2, 1 + 0 + 1 + 0.3)
_x = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
_h = np.array([[1.0, 0.0], [0.0, -1.0]])
_W_ih = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, -1.0]])
_W_hh = np.array([[0.5, 0.5], [0.0, -1.0]])
_b_ih, _b_hh = np.array([0.1, 0.0]), np.array([-0.2, 0.3])
_z = np.array([[1.4, -1.7], [-0.6, 2.3]])
check(rnn_cell_forward, _x, _h, _W_ih, _W_hh, _b_ih, _b_hh,
      expected=(np.tanh(_z), (_x, _h, _W_ih, _W_hh, _b_ih, _b_hh, np.tanh(_z))), out_names=("h", "cache"))
### BEGIN HIDDEN TESTS
from course import rnn as _ref

_rng = np.random.default_rng(701)
for _n, _d, _hd, _scale in [(1, 4, 3, 1.0), (5, 2, 6, 1.0), (3, 3, 3, 300.0)]:
    _a = (_rng.normal(size=(_n, _d)), _rng.normal(size=(_n, _hd)), _scale * _rng.normal(size=(_hd, _d)),
          _rng.normal(size=(_hd, _hd)), _rng.normal(size=_hd), _rng.normal(size=_hd))
    check(rnn_cell_forward, *_a, expected=_ref.rnn_cell_forward(*_a), out_names=("h", "cache"),
          label=f"N={_n}, D={_d}, H={_hd}, weights ×{_scale:g}")
_a32 = tuple(a.astype(np.float32) for a in _a)
check(rnn_cell_forward, *_a32, expected=_ref.rnn_cell_forward(*(a.astype(float) for a in _a32)),
      out_names=("h", "cache"), label="float32 inputs")
### END HIDDEN TESTS
print("rnn_cell_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "rnn_cell_backward", "locked": false, "schema_version": 3, "solution": true}
def rnn_cell_backward(dh, cache):
    """Backward of one tanh RNN step.

    Parameters
    ----------
    dh : (N, H) the loss's gradient on this step's output h
    cache : (x, h_prev, W_ih, W_hh, b_ih, b_hh, h) from rnn_cell_forward

    Returns
    -------
    dx (N, D), dh_prev (N, H), dW_ih (H, D), dW_hh (H, H), db_ih (H,), db_hh (H,)
    """
    ### BEGIN SOLUTION
    x, h_prev, W_ih, W_hh, b_ih, b_hh, h = cache
    dz = dh * (1.0 - h**2)
    return dz @ W_ih, dz @ W_hh, dz.T @ x, dz.T @ h_prev, dz.sum(axis=0), dz.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_cell_backward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course import rnn as _ref

_names = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")
# The example worked by hand above: dz = 1 − tanh²(0.25) = 0.940015
_args = (np.array([[1.0]]), np.array([[0.5]]), np.array([[0.5]]), np.array([[-1.0]]), np.array([0.25]), np.array([0.0]))
_dz = 1.0 - np.tanh(0.25) ** 2
check(rnn_cell_backward, np.array([[1.0]]), (*_args, np.tanh([[0.25]])),
      expected=tuple(np.array(v) for v in ([[0.5 * _dz]], [[-_dz]], [[_dz]], [[0.5 * _dz]], [_dz], [_dz])),
      out_names=_names,
      label="the example by hand")


def _tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-7} if dtype == np.float64 else {}  # float32 loosens it by itself


def _numerically(n, d, hd, rng, label, dtype=np.float64):
    a = (rng.normal(size=(n, d)), rng.normal(size=(n, hd)), rng.normal(size=(hd, d)), rng.normal(size=(hd, hd)),
         rng.normal(size=hd), rng.normal(size=hd))
    a = tuple(v.astype(dtype).astype(float) for v in a)  # the expected values come from the inputs as given
    dh = rng.normal(size=(n, hd))
    expected = numerical_backward(lambda *t: _ref.rnn_cell_forward(*t)[0], a, [dh], wrt=range(6))
    cache = (*a, np.tanh(a[0] @ a[2].T + a[4] + a[1] @ a[3].T + a[5]))  # built here, not by your forward
    check(rnn_cell_backward, dh.astype(dtype), tuple(c.astype(dtype) for c in cache), expected=tuple(expected),
          out_names=_names, label=label, **_tolerance(dtype))


# Against the numerical gradient, on shapes where a transpose would show
_rng = np.random.default_rng(702)
_numerically(4, 3, 5, _rng, "numerical gradient, N=4, D=3, H=5")
### BEGIN HIDDEN TESTS
_numerically(1, 2, 3, _rng, "N=1")
_numerically(6, 5, 2, _rng, "N=6, D=5, H=2")
_numerically(3, 4, 4, _rng, "float32 inputs", dtype=np.float32)
### END HIDDEN TESTS
print("rnn_cell_backward: all visible tests pass ✓")


# %% [markdown]
# ## 2 · Unrolled through time, and backpropagation through time
#
# Over a sequence, the cell runs T times with the **same** weights, each step feeding its state to the next:
#
# $$h_1 = \text{cell}(x_1, h_0),\quad h_2 = \text{cell}(x_2, h_1),\quad \dots,\quad h_T = \text{cell}(x_T, h_{T-1}).$$
#
# Drawn out step by step, the **unrolled** network is an ordinary deep network, T layers deep, whose layers share
# their weights. `rnn_forward` returns every state, `hs` of shape `(N, T, H)` (as `torch.nn.RNN(batch_first=True)`
# returns its `output`), and keeps one cell cache per step. A sequence's weights come in one dict,
# `params = dict(W_ih=…, W_hh=…, b_ih=…, b_hh=…)`.
#
# **Backpropagation through time (BPTT)** is backprop on the unrolled network. Two things are new.
#
# 1. **A state has two consumers.** $h_t$ is an output (the loss may look at it directly: `dhs[:, t]`), and it is
#    the input of step $t+1$. So its gradient is the sum of the two:
#    $$\frac{\partial L}{\partial h_t} = \underbrace{\texttt{dhs[:, t]}}_{\text{direct}} +
#    \underbrace{\frac{\partial L}{\partial h_{t+1}}\frac{\partial h_{t+1}}{\partial h_t}}_{\text{from step } t+1
#    \text{: its } dh_{prev}} .$$
#    Walk backwards from $t = T$, carrying `dh_prev` from each step to the one before.
# 2. **Shared weights add up.** $W_{hh}$ is used at every step, so its gradient is the **sum** over steps of each
#    step's `dW_hh` (as a shared bias in lesson 03 summed its two uses).
#
# **By hand**, T = 2, one unit: $x = (1, -1)$, $h_0 = 0$, $W_{ih} = 0.5$, $W_{hh} = -1$, no biases, and the loss is
# the last state, $L = h_2$ (so `dhs` = (0, 1)).
# Forward: $h_1 = \tanh(0.5) = 0.462117$, $h_2 = \tanh(-0.5 - 0.462117) = -0.745220$.
# Backward, from the last step: $dz_2 = 1\cdot(1 - h_2^2) = 0.444648$; step 2 passes
# $dh_1 = 0 + dz_2 W_{hh} = -0.444648$ back (0 direct, plus what flows from step 2); $dz_1 = dh_1 (1 - h_1^2) =
# -0.349692$. Summing over the steps:
# $\partial L/\partial W_{hh} = dz_2 h_1 + dz_1 h_0 = 0.205479$ and
# $\partial L/\partial W_{ih} = dz_2 x_2 + dz_1 x_1 = -0.794340$, and $\partial L/\partial h_0 = dz_1 W_{hh} = 0.349692$.
#
# **Grading note.** The tests of `rnn_forward` and `rnn_backward` hand them the course's own cell functions, so
# that a mistake in your cell costs only the cell's points. Call your cell functions by their names.

# %% nbgrader={"grade": false, "grade_id": "rnn_forward", "locked": false, "schema_version": 3, "solution": true}
def rnn_forward(x, h0, params):
    """Run the tanh RNN over a whole sequence.

    Parameters
    ----------
    x : (N, T, D)   h0 : (N, H)   params : dict with W_ih, W_hh, b_ih, b_hh

    Returns
    -------
    hs : (N, T, H), hs[:, t] is the state after step t
    cache : (x, h0, params, steps), steps = the list of the T caches of rnn_cell_forward
    """
    ### BEGIN SOLUTION
    h, hs, steps = h0, [], []
    for t in range(x.shape[1]):
        h, step = rnn_cell_forward(x[:, t], h, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
        hs.append(h)
        steps.append(step)
    return np.stack(hs, axis=1), (x, h0, params, steps)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_forward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
from course import rnn as _ref


def _params(d, hd, rng, g=1):
    return {"W_ih": rng.normal(size=(g * hd, d)), "W_hh": rng.normal(size=(g * hd, hd)) / np.sqrt(hd),
            "b_ih": rng.normal(size=g * hd), "b_hh": rng.normal(size=g * hd)}


with reference_helpers(globals(), ("rnn_cell_forward",), _ref):
    # The example worked by hand above: h1 = tanh(0.5), h2 = tanh(−0.5 − h1)
    _x, _h0 = np.array([[[1.0], [-1.0]]]), np.array([[0.0]])
    _p = {"W_ih": np.array([[0.5]]), "W_hh": np.array([[-1.0]]), "b_ih": np.zeros(1), "b_hh": np.zeros(1)}
    _h1 = np.tanh(0.5)
    _h2 = np.tanh(-0.5 - _h1)
    _steps = [(_x[:, 0], _h0, *_p.values(), np.array([[_h1]])), (_x[:, 1], np.array([[_h1]]), *_p.values(),
                                                                 np.array([[_h2]]))]
    check(rnn_forward, _x, _h0, _p, expected=(np.array([[[_h1], [_h2]]]), (_x, _h0, _p, _steps)),
          out_names=("hs", "cache"), label="the example by hand")
    # Three sequences of 4 steps, against the cell run step by step
    _rng = np.random.default_rng(703)
    _x, _h0, _p = _rng.normal(size=(3, 4, 2)), _rng.normal(size=(3, 5)), _params(2, 5, _rng)
    check(rnn_forward, _x, _h0, _p, expected=_ref.rnn_forward(_x, _h0, _p), out_names=("hs", "cache"))
    ### BEGIN HIDDEN TESTS
    for _n, _t, _d, _hd in [(1, 1, 3, 2), (2, 9, 1, 4), (4, 3, 5, 5)]:
        _x, _h0, _p = _rng.normal(size=(_n, _t, _d)), _rng.normal(size=(_n, _hd)), _params(_d, _hd, _rng)
        check(rnn_forward, _x, _h0, _p, expected=_ref.rnn_forward(_x, _h0, _p), out_names=("hs", "cache"),
              label=f"N={_n}, T={_t}, D={_d}, H={_hd}")
    _x32 = _x.astype(np.float32)
    check(rnn_forward, _x32, _h0, _p, expected=_ref.rnn_forward(_x32.astype(float), _h0, _p),
          out_names=("hs", "cache"), label="float32 inputs")
    ### END HIDDEN TESTS
print("rnn_forward: all visible tests pass ✓")


# %% [markdown]
# Stuck on the backward? Open the hints one at a time.
#
# <details><summary>Hint 1 · the order</summary>
#
# Loop over the steps **backwards**, `for t in reversed(range(T))`, and keep one running gradient `dh_next`: what
# step t+1 sent back to $h_t$ (zeros before the last step). Start the weight gradients at zeros and add each step's
# share.
#
# </details>
#
# <details><summary>Hint 2 · one step</summary>
#
# At step t the cell's output received `dhs[:, t] + dh_next`: give exactly that to `rnn_cell_backward` with the
# step's cache. Its `dx` is `dx[:, t]`; its `dh_prev` becomes the new `dh_next`; its four weight gradients are added
# to the totals. After the loop, `dh_next` is $\partial L/\partial h_0$.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "rnn_backward", "locked": false, "schema_version": 3, "solution": true}
def rnn_backward(dhs, cache):
    """Backpropagation through time for the tanh RNN.

    Parameters
    ----------
    dhs : (N, T, H) the loss's direct gradient on every state hs[:, t]
    cache : (x, h0, params, steps) from rnn_forward

    Returns
    -------
    dx : (N, T, D)   dh0 : (N, H)   grads : dict with W_ih, W_hh, b_ih, b_hh, each shaped like its parameter
    """
    ### BEGIN SOLUTION
    x, h0, params, steps = cache
    grads = {k: np.zeros_like(v, dtype=np.float64) for k, v in params.items()}
    dx = np.zeros(x.shape)
    dh_next = np.zeros(h0.shape)
    for t in reversed(range(x.shape[1])):
        dx[:, t], dh_next, dW_ih, dW_hh, db_ih, db_hh = rnn_cell_backward(dhs[:, t] + dh_next, steps[t])
        grads["W_ih"] += dW_ih
        grads["W_hh"] += dW_hh
        grads["b_ih"] += db_ih
        grads["b_hh"] += db_hh
    return dx, dh_next, grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_backward", "locked": true, "points": 12, "schema_version": 3, "solution": false}
from course import rnn as _ref

_KEYS = ("W_ih", "W_hh", "b_ih", "b_hh")


def _expected(x, h0, p, dhs):
    """(dx, dh0, grads) from the numerical gradient of Σ dhs · hs, hs from the course's forward."""
    wrt = [0, 1] + [(2, k) for k in _KEYS]
    g = numerical_backward(lambda *a: _ref.rnn_forward(*a)[0], (x, h0, p), [dhs], wrt)
    return g[0], g[1], dict(zip(_KEYS, g[2:]))


def _params(d, hd, rng):
    return {"W_ih": rng.normal(size=(hd, d)), "W_hh": rng.normal(size=(hd, hd)) / np.sqrt(hd),
            "b_ih": rng.normal(size=hd), "b_hh": rng.normal(size=hd)}


with reference_helpers(globals(), ("rnn_cell_backward",), _ref):
    # The example worked by hand above: L = h2, so dhs = (0, 1)
    _x, _h0 = np.array([[[1.0], [-1.0]]]), np.array([[0.0]])
    _p = {"W_ih": np.array([[0.5]]), "W_hh": np.array([[-1.0]]), "b_ih": np.zeros(1), "b_hh": np.zeros(1)}
    _h1 = np.tanh(0.5)
    _h2 = np.tanh(-0.5 - _h1)
    _dz2 = 1 - _h2**2
    _dz1 = -_dz2 * (1 - _h1**2)
    _steps = [_ref.rnn_cell_forward(_x[:, t], h, *_p.values())[1] for t, h in ((0, _h0), (1, np.array([[_h1]])))]
    _cache = (_x, _h0, _p, _steps)
    check(rnn_backward, np.array([[[0.0], [1.0]]]), _cache,
          expected=(np.array([[[0.5 * _dz1], [0.5 * _dz2]]]), np.array([[-_dz1]]),
                    {"W_ih": np.array([[_dz1 - _dz2]]), "W_hh": np.array([[_dz2 * _h1]]),
                     "b_ih": np.array([_dz1 + _dz2]), "b_hh": np.array([_dz1 + _dz2])}),
          out_names=("dx", "dh0", "grads"), label="the example by hand")
    # Every state receives a direct gradient, and the total must match the numerical gradient
    _rng = np.random.default_rng(704)
    _x, _h0, _p, _dhs = _rng.normal(size=(2, 4, 3)), _rng.normal(size=(2, 5)), _params(3, 5, _rng), _rng.normal(
        size=(2, 4, 5))
    check(rnn_backward, _dhs, _ref.rnn_forward(_x, _h0, _p)[1], expected=_expected(_x, _h0, _p, _dhs),
          out_names=("dx", "dh0", "grads"), rtol=1e-5, atol=1e-7, label="numerical gradient")
    ### BEGIN HIDDEN TESTS
    for _n, _t, _d, _hd in [(1, 1, 2, 3), (3, 7, 2, 4), (2, 3, 4, 1)]:
        _x, _h0, _p, _dhs = (_rng.normal(size=(_n, _t, _d)), _rng.normal(size=(_n, _hd)), _params(_d, _hd, _rng),
                             _rng.normal(size=(_n, _t, _hd)))
        check(rnn_backward, _dhs, _ref.rnn_forward(_x, _h0, _p)[1], expected=_expected(_x, _h0, _p, _dhs),
              out_names=("dx", "dh0", "grads"), rtol=1e-5, atol=1e-7, label=f"N={_n}, T={_t}, D={_d}, H={_hd}")
    _last = np.zeros_like(_dhs)
    _last[:, -1] = 1.0  # a loss on the last state only: everything earlier comes through time
    check(rnn_backward, _last, _ref.rnn_forward(_x, _h0, _p)[1], expected=_expected(_x, _h0, _p, _last),
          out_names=("dx", "dh0", "grads"), rtol=1e-5, atol=1e-7, label="a loss on the last state only")
    _c32 = _ref.rnn_forward(_x.astype(np.float32), _h0.astype(np.float32),
                            {k: v.astype(np.float32) for k, v in _p.items()})[1]
    check(rnn_backward, _dhs.astype(np.float32), _c32, expected=_expected(_x, _h0, _p, _dhs),
          out_names=("dx", "dh0", "grads"), rtol=1e-4, atol=1e-5, label="float32 inputs")
    ### END HIDDEN TESTS
print("rnn_backward: all visible tests pass ✓")

# %% [markdown]
# Your BPTT at work: the two-step example above, with the gradient on $W_{hh}$ split into what each step adds.

# %%
with yours(rnn_forward, rnn_backward) as my:
    _x, _h0 = np.array([[[1.0], [-1.0]]]), np.array([[0.0]])
    _p = {"W_ih": np.array([[0.5]]), "W_hh": np.array([[-1.0]]), "b_ih": np.zeros(1), "b_hh": np.zeros(1)}
    hs, cache = my.rnn_forward(_x, _h0, _p)
    dx, dh0, grads = my.rnn_backward(np.array([[[0.0], [1.0]]]), cache)
    print(f"h1 = {hs[0, 0, 0]:.6f}, h2 = {hs[0, 1, 0]:.6f}")
    print(f"dL/dW_hh = {grads['W_hh'][0, 0]:.6f}, dL/dW_ih = {grads['W_ih'][0, 0]:.6f}, dL/dh0 = {dh0[0, 0]:.6f}")

# %% [markdown]
# ## 3 · Vanishing and exploding, through time
#
# How much does the loss at the last step care about the state at step $t$? Each step back multiplies the gradient
# by the step's Jacobian:
#
# $$\frac{\partial L}{\partial h_{t-1}} = \frac{\partial L}{\partial h_t}\,\operatorname{diag}(1 - h_t^2)\,W_{hh},
# \qquad\text{so}\qquad \frac{\partial L}{\partial h_{t}} = \frac{\partial L}{\partial h_T}\prod_{k=T}^{t+1}
# \operatorname{diag}(1 - h_k^2)\,W_{hh}.$$
#
# The same matrix $W_{hh}$, T − t times over. Its size is measured by its **spectral radius** ρ, the largest
# $|\lambda|$ of its eigenvalues: a product of k copies grows or shrinks like $\rho^k$. With ρ = 0.9 a gradient
# 50 steps back is multiplied by about $0.9^{50} \approx 0.005$; with ρ = 1.1 by $1.1^{50} \approx 117$. The tanh
# slopes $1 - h^2 \le 1$ can only shrink it further. So a plain RNN either **forgets** (the gradient from far back
# vanishes, and the network cannot learn that step 1 matters at step 50) or, when ρ > 1 and the units are not
# saturated, **explodes** (one huge gradient throws the weights far away).
#
# Below, ‖∂L/∂hₜ‖ for a tanh RNN with several spectral radii, on a loss at the last step only, computed with your
# cell functions one step back at a time (note the logarithmic axis).

# %%
with yours(rnn_cell_forward, rnn_cell_backward) as my:
    show(plots.plot_gradient_through_time(fns=my, cells=("rnn",)))

# %% [markdown]
# **Exploding: clip the norm.** A vanishing gradient makes learning slow; an exploding one makes it fail at once:
# one step with a gradient norm of 1,000 throws the weights somewhere the loss is enormous. Lesson 05's
# `clip_grad_norm(grads, max_norm)` rescales all the gradients together whenever their joint norm exceeds
# `max_norm`, which keeps each step's direction and caps its length. Below, a tanh RNN with ρ = 1.5 learns to repeat
# the input it saw a few steps before the end, trained twice with your `rnn_forward` and `rnn_backward`, from the
# same start with the same learning rate: once without clipping and once with it.

# %%
with yours(rnn_forward, rnn_backward) as my:
    show(plots.plot_clipping_rescue(fns=my))


# %% [markdown]
# ## 4 · The LSTM: a memory with gates
#
# The long short-term memory cell (Hochreiter & Schmidhuber, 1997; the forget gate by Gers, Schmidhuber & Cummins,
# 2000) adds a second state, the **cell** $c_t$, that is changed only by multiplication and addition, never squashed.
# Four **gates** are computed from $x_t$ and $h_{t-1}$ with one big affine map, $a = x_t W_{ih}^\top + b_{ih} +
# h_{t-1} W_{hh}^\top + b_{hh}$ of width $4H$, cut into four blocks **in PyTorch's order i, f, g, o**:
#
# $$i = \sigma(a_i),\quad f = \sigma(a_f),\quad g = \tanh(a_g),\quad o = \sigma(a_o),$$
# $$c_t = f \odot c_{t-1} + i \odot g,\qquad h_t = o \odot \tanh(c_t).$$
#
# - $f$, the **forget** gate, says how much of the old memory to keep;
# - $i$, the **input** gate, how much of the candidate $g$ to write (g is a value in (−1, 1), hence its tanh);
# - $o$, the **output** gate, how much of the memory to show as $h_t$.
#
# Note the order: PyTorch stores the blocks as i, f, g, o. Some texts write i, f, o, g; their weights cannot be
# copied into PyTorch's layout without reordering.
#
# **Why it cures the vanishing gradient.** Along the cell, $\partial c_t/\partial c_{t-1} = f$: no weight matrix, no
# tanh slope. While the forget gate stays near 1, a gradient crosses a hundred steps almost intact; the network
# learns its forget gates, so it can keep them near 1 exactly where a memory must last. At the start of training
# they sit near $\sigma(b_f)$, which is why an LSTM's forget-gate bias is often started at 1 or more (Jozefowicz,
# Zaremba & Sutskever, 2015): $\sigma(0) = 0.5$ halves the memory at every step, $\sigma(1) = 0.73$ and
# $\sigma(3) = 0.95$ keep more of it.
#
# **By hand**, one unit, all weights 0 and the biases chosen so that $a = (0, \ln 3, \operatorname{artanh} 0.5, 0)$,
# with $c_{t-1} = 2$: $i = \sigma(0) = 0.5$, $f = \sigma(\ln 3) = 0.75$, $g = 0.5$, $o = 0.5$. Then
# $c_t = 0.75\cdot 2 + 0.5\cdot 0.5 = 1.75$ and $h_t = 0.5\tanh(1.75) = 0.470688$.
#
# **The cache**: `(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c)`, the gates after their nonlinearities
# and the new cell.

# %% nbgrader={"grade": false, "grade_id": "lstm_cell_forward", "locked": false, "schema_version": 3, "solution": true}
def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of an LSTM (torch.nn.LSTM's cell), gates stacked i, f, g, o.

    Parameters
    ----------
    x : (N, D)   h_prev, c_prev : (N, H)   W_ih : (4H, D)   W_hh : (4H, H)   b_ih, b_hh : (4H,)

    Returns
    -------
    h, c : (N, H) the new hidden state and cell
    cache : (x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c), each gate (N, H)
    """
    ### BEGIN SOLUTION
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    H = h_prev.shape[1]
    sig = lambda v: 0.5 * (1.0 + np.tanh(0.5 * v))  # σ(v), without overflow
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_cell_forward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
_sig = lambda v: 1.0 / (1.0 + np.exp(-np.asarray(v, dtype=float)))
_names = ("h", "c", "cache")
# The example worked by hand above: i = 0.5, f = 0.75, g = 0.5, o = 0.5, c = 1.75
_b = np.array([0.0, np.log(3.0), np.arctanh(0.5), 0.0])
_args = (np.array([[1.0]]), np.array([[0.0]]), np.array([[2.0]]), np.zeros((4, 1)), np.zeros((4, 1)), _b, np.zeros(4))
_gates = tuple(np.array([[v]]) for v in (0.5, 0.75, 0.5, 0.5))
_h = 0.5 * np.tanh([[1.75]])
check(lstm_cell_forward, *_args, expected=(_h, np.array([[1.75]]), (*_args, *_gates, np.array([[1.75]]))),
      out_names=_names,
      label="the example by hand")
# Every gate from its own block of the biases (weights 0): blocks in the order i, f, g, o, two units each.
# i = σ(1, −1), f = σ(2, 0), g = tanh(−0.5, 0.5), o = σ(0.3, 3); c = f·c_prev + i·g, h = o·tanh(c)
_b_ih = np.array([1.0, -1.0, 2.0, 0.0, -0.5, 0.5, 0.3, 3.0])
_b_hh = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
_c_prev = np.array([[1.0, -2.0]])
_i, _f, _g, _o = _sig([[1.0, -1.0]]), _sig([[2.0, 0.0]]), np.tanh([[-0.5, 0.5]]), _sig([[0.3, 3.0]])
_c = _f * _c_prev + _i * _g
_args = (np.array([[0.5, 1.0, -1.0]]), np.array([[0.2, -0.4]]), _c_prev, np.zeros((8, 3)), np.zeros((8, 2)), _b_ih,
         _b_hh)
check(lstm_cell_forward, *_args, expected=(_o * np.tanh(_c), _c, (*_args, _i, _f, _g, _o, _c)), out_names=_names,
      label="each gate from its own block")
### BEGIN HIDDEN TESTS
from course import rnn as _ref

_rng = np.random.default_rng(705)
for _n, _d, _hd, _scale in [(1, 3, 2, 1.0), (4, 2, 5, 1.0), (3, 4, 3, 500.0)]:
    _a = (_rng.normal(size=(_n, _d)), _rng.normal(size=(_n, _hd)), _rng.normal(size=(_n, _hd)),
          _scale * _rng.normal(size=(4 * _hd, _d)), _rng.normal(size=(4 * _hd, _hd)), _rng.normal(size=4 * _hd),
          _rng.normal(size=4 * _hd))
    check(lstm_cell_forward, *_a, expected=_ref.lstm_cell_forward(*_a), out_names=_names,
          label=f"N={_n}, D={_d}, H={_hd}, input weights ×{_scale:g}")
_a32 = tuple(a.astype(np.float32) for a in _a)
check(lstm_cell_forward, *_a32, expected=_ref.lstm_cell_forward(*(a.astype(float) for a in _a32)), out_names=_names,
      label="float32 inputs")
### END HIDDEN TESTS
print("lstm_cell_forward: all visible tests pass ✓")


# %% [markdown]
# **The backward**, given `dh` and `dc` (the gradients on both outputs; `dc` comes from the next step's cell). The
# cell $c$ reaches the loss two ways, directly and through $h = o\tanh c$, so its total gradient is
#
# $$dc_{total} = dc + dh \odot o \odot (1 - \tanh^2 c).$$
#
# From $c = f c_{prev} + i g$ and $h = o \tanh c$: $di = dc_{total}\odot g$, $df = dc_{total}\odot c_{prev}$,
# $dg = dc_{total}\odot i$, $do = dh \odot \tanh c$, and $dc_{prev} = dc_{total}\odot f$. Then through each gate's
# nonlinearity ($\sigma' = s(1-s)$, $\tanh' = 1 - g^2$) to $da$, stacked i, f, g, o, and through the affine map as
# in the RNN: $dx = da\,W_{ih}$, $dh_{prev} = da\,W_{hh}$, $dW_{ih} = da^\top x$, $dW_{hh} = da^\top h_{prev}$,
# $db_{ih} = db_{hh} = \sum_n da$.
#
# **By hand**, the example above with $dh = 1$, $dc = 0$: $dc_{total} = 0.5\,(1 - \tanh^2 1.75) = 0.056906$, so
# $dc_{prev} = 0.75 \cdot 0.056906 = 0.042680$.
#
# <details><summary>Hint 1 · the one easy to forget</summary>
#
# `dc` alone is not the cell's gradient: $h$ depends on $c$ too. Add the path through $h$ before you use it, and use
# the total everywhere, including $dc_{prev}$.
#
# </details>
#
# <details><summary>Hint 2 · the gate order</summary>
#
# `da` has width 4H: `np.concatenate([da_i, da_f, da_g, da_o], axis=1)`, in the same order as the forward's blocks,
# with `da_i = di * i * (1 - i)`, `da_g = dg * (1 - g**2)` and so on.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "lstm_cell_backward", "locked": false, "schema_version": 3, "solution": true}
def lstm_cell_backward(dh, dc, cache):
    """Backward of one LSTM step.

    Parameters
    ----------
    dh, dc : (N, H) the loss's gradients on this step's h and c
    cache : (x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c) from lstm_cell_forward

    Returns
    -------
    dx (N, D), dh_prev (N, H), dc_prev (N, H), dW_ih (4H, D), dW_hh (4H, H), db_ih (4H,), db_hh (4H,)
    """
    ### BEGIN SOLUTION
    x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, c = cache
    tanh_c = np.tanh(c)
    dc_total = dc + dh * o * (1.0 - tanh_c**2)
    da = np.concatenate([dc_total * g * i * (1.0 - i), dc_total * c_prev * f * (1.0 - f), dc_total * i * (1.0 - g**2),
                         dh * tanh_c * o * (1.0 - o)], axis=1)
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, dc_total * f, da.T @ x, da.T @ h_prev, db, db.copy()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_cell_backward", "locked": true, "points": 12, "schema_version": 3, "solution": false}
from course import rnn as _ref

_names = ("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")
# The example worked by hand above, dh = 1 and dc = 0: dc_total = 0.5·(1 − tanh²1.75), dc_prev = 0.75·dc_total
_b = np.array([0.0, np.log(3.0), np.arctanh(0.5), 0.0])
_args = (np.array([[1.0]]), np.array([[0.0]]), np.array([[2.0]]), np.zeros((4, 1)), np.zeros((4, 1)), _b, np.zeros(4))
_dct = 0.5 * (1.0 - np.tanh(1.75) ** 2)
_da = np.array([_dct * 0.5 * 0.25, _dct * 2.0 * 0.75 * 0.25, _dct * 0.5 * 0.75, np.tanh(1.75) * 0.25])
check(lstm_cell_backward, np.array([[1.0]]), np.array([[0.0]]),
      (*_args, *(np.array([[v]]) for v in (0.5, 0.75, 0.5, 0.5, 1.75))),
      expected=(np.zeros((1, 1)), np.zeros((1, 1)), np.array([[0.75 * _dct]]), _da[:, None], np.zeros((4, 1)), _da,
                _da), out_names=_names,
      label="the example by hand")


def _tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-7} if dtype == np.float64 else {}  # float32 loosens it by itself


def _numerically(n, d, hd, rng, label, dtype=np.float64):
    a = (rng.normal(size=(n, d)), rng.normal(size=(n, hd)), rng.normal(size=(n, hd)), rng.normal(size=(4 * hd, d)),
         rng.normal(size=(4 * hd, hd)), rng.normal(size=4 * hd), rng.normal(size=4 * hd))
    a = tuple(v.astype(dtype).astype(float) for v in a)  # the expected values come from the inputs as given
    dh, dc = rng.normal(size=(n, hd)), rng.normal(size=(n, hd))
    expected = numerical_backward(lambda *t: _ref.lstm_cell_forward(*t)[:2], a, [dh, dc], wrt=range(7))
    cache = _ref.lstm_cell_forward(*a)[2]
    check(lstm_cell_backward, dh.astype(dtype), dc.astype(dtype), tuple(np.asarray(c).astype(dtype) for c in cache),
          expected=tuple(expected), out_names=_names, label=label, **_tolerance(dtype))


# Against the numerical gradient, with gradients arriving on both h and c
_rng = np.random.default_rng(706)
_numerically(3, 4, 2, _rng, "numerical gradient, N=3, D=4, H=2")
### BEGIN HIDDEN TESTS
_numerically(1, 2, 3, _rng, "N=1")
_numerically(5, 3, 4, _rng, "N=5, D=3, H=4")
_numerically(2, 3, 3, _rng, "float32 inputs", dtype=np.float32)
### END HIDDEN TESTS
print("lstm_cell_backward: all visible tests pass ✓")


# %% [markdown]
# **Over a sequence**, two states travel from step to step, $h$ and $c$. `lstm_forward` returns every $h_t$ (as
# `torch.nn.LSTM(batch_first=True)`'s `output`) and keeps the step caches; `lstm_backward` walks back carrying
# **two** gradients, `dh_next` and `dc_next`. The direct gradient `dhs[:, t]` arrives on $h_t$ only: the loss never
# looks at the cell.

# %% nbgrader={"grade": false, "grade_id": "lstm_forward", "locked": false, "schema_version": 3, "solution": true}
def lstm_forward(x, h0, c0, params):
    """Run the LSTM over a whole sequence.

    Parameters
    ----------
    x : (N, T, D)   h0, c0 : (N, H)   params : dict with W_ih (4H, D), W_hh (4H, H), b_ih, b_hh (4H,)

    Returns
    -------
    hs : (N, T, H) every hidden state
    cache : (x, h0, c0, params, steps), steps = the list of the T caches of lstm_cell_forward
    """
    ### BEGIN SOLUTION
    h, c, hs, steps = h0, c0, [], []
    for t in range(x.shape[1]):
        h, c, step = lstm_cell_forward(x[:, t], h, c, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
        hs.append(h)
        steps.append(step)
    return np.stack(hs, axis=1), (x, h0, c0, params, steps)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_forward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from course import rnn as _ref


def _params(d, hd, rng):
    return {"W_ih": rng.normal(size=(4 * hd, d)), "W_hh": rng.normal(size=(4 * hd, hd)) / np.sqrt(hd),
            "b_ih": rng.normal(size=4 * hd), "b_hh": rng.normal(size=4 * hd)}


with reference_helpers(globals(), ("lstm_cell_forward",), _ref):
    # One step is the cell; two steps feed the first step's h and c into the second
    _rng = np.random.default_rng(707)
    _x, _h0, _c0, _p = _rng.normal(size=(2, 2, 3)), _rng.normal(size=(2, 4)), _rng.normal(size=(2, 4)), _params(
        3, 4, _rng)
    _h1, _c1, _s1 = _ref.lstm_cell_forward(_x[:, 0], _h0, _c0, *_p.values())
    _h2, _c2, _s2 = _ref.lstm_cell_forward(_x[:, 1], _h1, _c1, *_p.values())
    check(lstm_forward, _x, _h0, _c0, _p, expected=(np.stack([_h1, _h2], axis=1), (_x, _h0, _c0, _p, [_s1, _s2])),
          out_names=("hs", "cache"), label="two steps")
    ### BEGIN HIDDEN TESTS
    for _n, _t, _d, _hd in [(1, 1, 2, 3), (3, 8, 1, 2), (2, 4, 5, 5)]:
        _x, _h0, _c0, _p = (_rng.normal(size=(_n, _t, _d)), _rng.normal(size=(_n, _hd)), _rng.normal(size=(_n, _hd)),
                            _params(_d, _hd, _rng))
        check(lstm_forward, _x, _h0, _c0, _p, expected=_ref.lstm_forward(_x, _h0, _c0, _p), out_names=("hs", "cache"),
              label=f"N={_n}, T={_t}, D={_d}, H={_hd}")
    ### END HIDDEN TESTS
print("lstm_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "lstm_backward", "locked": false, "schema_version": 3, "solution": true}
def lstm_backward(dhs, cache):
    """Backpropagation through time for the LSTM.

    Parameters
    ----------
    dhs : (N, T, H) the loss's direct gradient on every hidden state
    cache : (x, h0, c0, params, steps) from lstm_forward

    Returns
    -------
    dx : (N, T, D)   dh0, dc0 : (N, H)   grads : dict with W_ih, W_hh, b_ih, b_hh
    """
    ### BEGIN SOLUTION
    x, h0, c0, params, steps = cache
    grads = {k: np.zeros_like(v, dtype=np.float64) for k, v in params.items()}
    dx = np.zeros(x.shape)
    dh_next, dc_next = np.zeros(h0.shape), np.zeros(c0.shape)
    for t in reversed(range(x.shape[1])):
        dx[:, t], dh_next, dc_next, *dparams = lstm_cell_backward(dhs[:, t] + dh_next, dc_next, steps[t])
        for key, d in zip(("W_ih", "W_hh", "b_ih", "b_hh"), dparams):
            grads[key] += d
    return dx, dh_next, dc_next, grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_backward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course import rnn as _ref

_KEYS = ("W_ih", "W_hh", "b_ih", "b_hh")


def _params(d, hd, rng):
    return {"W_ih": rng.normal(size=(4 * hd, d)), "W_hh": rng.normal(size=(4 * hd, hd)) / np.sqrt(hd),
            "b_ih": rng.normal(size=4 * hd), "b_hh": rng.normal(size=4 * hd)}


def _expected(x, h0, c0, p, dhs):
    wrt = [0, 1, 2] + [(3, k) for k in _KEYS]
    g = numerical_backward(lambda *a: _ref.lstm_forward(*a)[0], (x, h0, c0, p), [dhs], wrt)
    return g[0], g[1], g[2], dict(zip(_KEYS, g[3:]))


_names = ("dx", "dh0", "dc0", "grads")
with reference_helpers(globals(), ("lstm_cell_backward",), _ref):
    _rng = np.random.default_rng(708)
    _x, _h0, _c0, _p = _rng.normal(size=(2, 4, 3)), _rng.normal(size=(2, 3)), _rng.normal(size=(2, 3)), _params(
        3, 3, _rng)
    _dhs = _rng.normal(size=(2, 4, 3))
    check(lstm_backward, _dhs, _ref.lstm_forward(_x, _h0, _c0, _p)[1], expected=_expected(_x, _h0, _c0, _p, _dhs),
          out_names=_names, rtol=1e-5, atol=1e-7, label="numerical gradient")
    ### BEGIN HIDDEN TESTS
    for _n, _t, _d, _hd in [(1, 1, 2, 2), (3, 6, 2, 3), (2, 3, 4, 1)]:
        _x, _h0, _c0, _p = (_rng.normal(size=(_n, _t, _d)), _rng.normal(size=(_n, _hd)), _rng.normal(size=(_n, _hd)),
                            _params(_d, _hd, _rng))
        _dhs = _rng.normal(size=(_n, _t, _hd))
        check(lstm_backward, _dhs, _ref.lstm_forward(_x, _h0, _c0, _p)[1],
              expected=_expected(_x, _h0, _c0, _p, _dhs), out_names=_names, rtol=1e-5, atol=1e-7,
              label=f"N={_n}, T={_t}, D={_d}, H={_hd}")
    _last = np.zeros_like(_dhs)
    _last[:, -1] = 1.0
    check(lstm_backward, _last, _ref.lstm_forward(_x, _h0, _c0, _p)[1], expected=_expected(_x, _h0, _c0, _p, _last),
          out_names=_names, rtol=1e-5, atol=1e-7, label="a loss on the last state only")
    ### END HIDDEN TESTS
print("lstm_backward: all visible tests pass ✓")

# %% [markdown]
# **The LSTM through time.** The same experiment as in section 3, now with an LSTM whose forget-gate bias is 1,
# beside the tanh RNN, computed with your cell functions. Its gradient still shrinks, by about its forget gate's
# value per step, but far less than the RNN's at ρ = 0.9: a hundred steps back it is about a thousand times larger.

# %%
with yours(rnn_cell_forward, rnn_cell_backward, lstm_cell_forward, lstm_cell_backward) as my:
    show(plots.plot_gradient_through_time(fns=my))

# %% [markdown]
# **Explore.** Change the spectral radius, the length of the sequence and the cell. Where does the RNN's gradient
# still reach step 0? What happens at ρ = 1 exactly? Raise the LSTM's forget-gate bias to 2, then 3: what does a
# gradient keep over a hundred steps now, and why?

# %%
explore.gradient_through_time_explorer(borrowing=yours(rnn_cell_forward, rnn_cell_backward, lstm_cell_forward,
                                                       lstm_cell_backward))


# %% [markdown]
# ## 5 · The GRU: two gates
#
# The gated recurrent unit (Cho et al., 2014) keeps the LSTM's idea with one state and two gates, **reset** r and
# **update** z, and a candidate n. With $x$-side blocks $x W_{i\cdot}^\top + b_{i\cdot}$ and $h$-side blocks
# $h_{t-1} W_{h\cdot}^\top + b_{h\cdot}$, stacked **r, z, n** in PyTorch's layout:
#
# $$r = \sigma(x W_{ir}^\top + b_{ir} + h_{t-1} W_{hr}^\top + b_{hr}),\qquad
# z = \sigma(x W_{iz}^\top + b_{iz} + h_{t-1} W_{hz}^\top + b_{hz}),$$
# $$n = \tanh\big(x W_{in}^\top + b_{in} + r \odot (h_{t-1} W_{hn}^\top + b_{hn})\big),\qquad
# h_t = (1 - z)\odot n + z \odot h_{t-1}.$$
#
# Two details decide whether your numbers match PyTorch's:
# - **r multiplies the whole hidden-side block, bias included**: $r \odot (h W_{hn}^\top + b_{hn})$. (The first GRU
#   paper applied r to $h$ before the matrix; PyTorch and cuDNN apply it after, which is faster.)
# - **z keeps the old state**: $z = 1$ copies $h_{t-1}$; $z = 0$ takes the candidate.
#
# **By hand**, one unit, weights 0 except $W_{in} = 0.5$ and $W_{hn} = 1$, no biases, $x = 1$, $h_{t-1} = 1$:
# $r = z = \sigma(0) = 0.5$, $n = \tanh(0.5 + 0.5\cdot 1) = \tanh 1 = 0.761594$, and
# $h_t = 0.5 \cdot 0.761594 + 0.5 \cdot 1 = 0.880797$.
#
# **The cache**: `(x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn)` with `hn` $= h_{t-1} W_{hn}^\top + b_{hn}$, the
# hidden-side block that r multiplies.

# %% nbgrader={"grade": false, "grade_id": "gru_cell_forward", "locked": false, "schema_version": 3, "solution": true}
def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of a GRU (torch.nn.GRUCell), gates stacked r, z, n.

    Parameters
    ----------
    x : (N, D)   h_prev : (N, H)   W_ih : (3H, D)   W_hh : (3H, H)   b_ih, b_hh : (3H,)

    Returns
    -------
    h : (N, H)
    cache : (x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn), hn = h_prev W_hn^T + b_hn
    """
    ### BEGIN SOLUTION
    H = h_prev.shape[1]
    gi = x @ W_ih.T + b_ih
    gh = h_prev @ W_hh.T + b_hh
    sig = lambda v: 0.5 * (1.0 + np.tanh(0.5 * v))
    r = sig(gi[:, :H] + gh[:, :H])
    z = sig(gi[:, H:2 * H] + gh[:, H:2 * H])
    hn = gh[:, 2 * H:]
    n = np.tanh(gi[:, 2 * H:] + r * hn)
    h = (1.0 - z) * n + z * h_prev
    return h, (x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gru_cell_forward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
_sig = lambda v: 1.0 / (1.0 + np.exp(-np.asarray(v, dtype=float)))
# The example worked by hand above: r = z = 0.5, n = tanh(1), h = 0.5·tanh(1) + 0.5
_args = (np.array([[1.0]]), np.array([[1.0]]), np.array([[0.0], [0.0], [0.5]]), np.array([[0.0], [0.0], [1.0]]),
         np.zeros(3), np.zeros(3))
_h = 0.5 * np.tanh([[1.0]]) + 0.5
check(gru_cell_forward, *_args, expected=(_h, (*_args, *np.array([[[0.5]], [[0.5]], np.tanh([[1.0]]), [[1.0]]]))),
      out_names=("h", "cache"), label="the example by hand")
# Each gate from its own blocks of the two biases (weights 0), with different x-side and h-side biases so that
# r must multiply the h-side block only: r = σ(1 − 2), z = σ(0.5 + 1), n = tanh(0.2 + r·(−3))
_b_ih, _b_hh = np.array([1.0, 0.5, 0.2]), np.array([-2.0, 1.0, -3.0])
_r, _z = _sig([[-1.0]]), _sig([[1.5]])
_n = np.tanh(0.2 + _r * -3.0)
_args = (np.array([[2.0]]), np.array([[-0.5]]), np.zeros((3, 1)), np.zeros((3, 1)), _b_ih, _b_hh)
check(gru_cell_forward, *_args, expected=((1 - _z) * _n + _z * -0.5, (*_args, _r, _z, _n, np.array([[-3.0]]))),
      out_names=("h", "cache"), label="each gate from its own block")
### BEGIN HIDDEN TESTS
from course import rnn as _ref

_rng = np.random.default_rng(709)
for _n, _d, _hd, _scale in [(1, 3, 2, 1.0), (4, 2, 5, 1.0), (3, 4, 3, 500.0)]:
    _a = (_rng.normal(size=(_n, _d)), _rng.normal(size=(_n, _hd)), _scale * _rng.normal(size=(3 * _hd, _d)),
          _rng.normal(size=(3 * _hd, _hd)), _rng.normal(size=3 * _hd), _rng.normal(size=3 * _hd))
    check(gru_cell_forward, *_a, expected=_ref.gru_cell_forward(*_a), out_names=("h", "cache"),
          label=f"N={_n}, D={_d}, H={_hd}, input weights ×{_scale:g}")
_a32 = tuple(a.astype(np.float32) for a in _a)
check(gru_cell_forward, *_a32, expected=_ref.gru_cell_forward(*(a.astype(float) for a in _a32)),
      out_names=("h", "cache"), label="float32 inputs")
### END HIDDEN TESTS
print("gru_cell_forward: all visible tests pass ✓")


# %% [markdown]
# **The backward.** From $h = (1 - z) n + z h_{prev}$: $dn = dh\odot(1 - z)$, $dz = dh \odot (h_{prev} - n)$, and a
# direct share $dh\odot z$ for $h_{prev}$. Through the tanh, $da_n = dn \odot (1 - n^2)$; r met `hn`, so
# $dr = da_n \odot hn$ and `hn` receives $da_n \odot r$. Through the sigmoids, $da_r = dr\,r(1-r)$ and
# $da_z = dz\,z(1-z)$. The **x side** gets $(da_r, da_z, da_n)$ and the **h side** $(da_r, da_z, da_n \odot r)$:
# they differ in the n block. Then $dx$, $dW_{ih}$, $db_{ih}$ from the x side and $dW_{hh}$, $db_{hh}$ and the rest of
# $dh_{prev}$ from the h side, as in the RNN.

# %% nbgrader={"grade": false, "grade_id": "gru_cell_backward", "locked": false, "schema_version": 3, "solution": true}
def gru_cell_backward(dh, cache):
    """Backward of one GRU step.

    Parameters
    ----------
    dh : (N, H)   cache : (x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn) from gru_cell_forward

    Returns
    -------
    dx (N, D), dh_prev (N, H), dW_ih (3H, D), dW_hh (3H, H), db_ih (3H,), db_hh (3H,)
    """
    ### BEGIN SOLUTION
    x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, n, hn = cache
    da_n = dh * (1.0 - z) * (1.0 - n**2)
    da_r = da_n * hn * r * (1.0 - r)
    da_z = dh * (h_prev - n) * z * (1.0 - z)
    dgi = np.concatenate([da_r, da_z, da_n], axis=1)
    dgh = np.concatenate([da_r, da_z, da_n * r], axis=1)
    return dgi @ W_ih, dgh @ W_hh + dh * z, dgi.T @ x, dgh.T @ h_prev, dgi.sum(axis=0), dgh.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gru_cell_backward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course import rnn as _ref

_names = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")


def _tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-7} if dtype == np.float64 else {}  # float32 loosens it by itself


def _numerically(n, d, hd, rng, label, dtype=np.float64):
    a = (rng.normal(size=(n, d)), rng.normal(size=(n, hd)), rng.normal(size=(3 * hd, d)), rng.normal(size=(3 * hd, hd)),
         rng.normal(size=3 * hd), rng.normal(size=3 * hd))
    a = tuple(v.astype(dtype).astype(float) for v in a)  # the expected values come from the inputs as given
    dh = rng.normal(size=(n, hd))
    expected = numerical_backward(lambda *t: _ref.gru_cell_forward(*t)[0], a, [dh], wrt=range(6))
    cache = _ref.gru_cell_forward(*a)[1]
    check(gru_cell_backward, dh.astype(dtype), tuple(np.asarray(c).astype(dtype) for c in cache),
          expected=tuple(expected), out_names=_names, label=label, **_tolerance(dtype))


# By hand: with z = 1 the step copies h_prev, so dh passes straight to dh_prev and nothing else moves
_cache = (np.array([[1.0]]), np.array([[0.3]]), np.ones((3, 1)), np.ones((3, 1)), np.zeros(3), np.zeros(3),
          np.array([[0.5]]), np.array([[1.0]]), np.array([[0.2]]), np.array([[0.3]]))
check(gru_cell_backward, np.array([[2.0]]), _cache,
      expected=(np.zeros((1, 1)), np.array([[2.0]]), np.zeros((3, 1)), np.zeros((3, 1)), np.zeros(3), np.zeros(3)),
      out_names=_names,
      label="z = 1 copies the old state")
# Against the numerical gradient
_rng = np.random.default_rng(710)
_numerically(3, 4, 2, _rng, "numerical gradient, N=3, D=4, H=2")
### BEGIN HIDDEN TESTS
_numerically(1, 2, 3, _rng, "N=1")
_numerically(5, 3, 4, _rng, "N=5, D=3, H=4")
_numerically(2, 3, 3, _rng, "float32 inputs", dtype=np.float32)
### END HIDDEN TESTS
print("gru_cell_backward: all visible tests pass ✓")

# %% [markdown]
# ## 6 · CTC: a loss for reading without alignments
#
# To read a line of handwriting column by column, the network outputs, at every column t, a probability for every
# class: the ten digits and one extra class, the **blank** ∅ ("no new character here"). The target is just the
# string, "307": nobody marked which columns are the 3. **Connectionist temporal classification** (CTC; Graves,
# Fernández, Gomez & Schmidhuber, 2006) sums over every way the columns could spell it.
#
# **Collapsing a path.** A path gives one class per column, e.g. `3 3 ∅ 0 0 ∅ ∅ 7`. To read it: merge each run of a
# repeated class, then drop the blanks: `3 ∅ 0 ∅ 7` → "307". The blank is what lets a string hold a repeat: `1 1`
# collapses to "1", but `1 ∅ 1` to "11".
#
# **The loss.** With $y_t(k)$ the network's softmax probability of class k at step t, a path's probability is the
# product $\prod_t y_t(\pi_t)$, and
#
# $$p(\text{target}\mid x) = \sum_{\text{paths } \pi \text{ that collapse to the target}} \;\prod_{t=1}^{T} y_t(\pi_t),
# \qquad \text{CTC loss} = -\log p(\text{target}\mid x).$$
#
# **By hand**, T = 3 steps, classes {∅, a}, every $y_t = 0.5$, target "a". The paths of length 3 that collapse to "a"
# are listed below by brute force: 6 of the 8 paths, each with probability $0.5^3$, so $p = 6/8 = 0.75$ and the loss
# is $-\log 0.75 = 0.287682$. For the target "aa" only `a ∅ a` works: $p = 1/8$.

# %%
for target in ([1], [1, 1]):
    paths = ctc_paths.valid_alignments(target, T=3)
    print(f"target {'a' * len(target)!r}: {len(paths)} of 2³ = 8 paths:", "  ".join("".join("∅a"[k] for k in p)
                                                                                   for p in paths))


# %% [markdown]
# **Counting without listing: the lattice.** There are $C^T$ paths, far too many to list, but they share their
# beginnings. Write the target with a blank before, between and after its labels, $l' = (∅, l_1, ∅, l_2, \dots, l_S,
# ∅)$, of length $L = 2S + 1$, and let $\alpha_t(s)$ be the total probability of the path beginnings that have spelled
# $l'_1 \dots l'_s$ by step t and sit at $l'_s$. A path may start in the first blank or the first label, and at each
# step it may **stay** at s, **move** to s + 1, or **jump** to s + 2, skipping a blank, but only onto a label that
# differs from the label two places back (jumping from `1` over ∅ onto `1` would merge the two 1s):
#
# $$\alpha_1(1) = y_1(∅),\quad \alpha_1(2) = y_1(l_1),\qquad
# \alpha_t(s) = y_t(l'_s)\,\big[\alpha_{t-1}(s) + \alpha_{t-1}(s-1) + \mathbb 1[l'_s \ne ∅,\ l'_s \ne l'_{s-2}]
# \,\alpha_{t-1}(s-2)\big].$$
#
# At the end the path must sit on the last label or the final blank: $p = \alpha_T(L) + \alpha_T(L-1)$. That is
# $O(T\cdot L)$ work instead of $C^T$. By hand for "a" ($l' = ∅\,a\,∅$), every $y = 0.5$:
# $\alpha_1 = (0.5, 0.5, 0)$, $\alpha_2 = (0.25, 0.5, 0.25)$, $\alpha_3 = (0.125, 0.375, 0.375)$, and
# $p = 0.375 + 0.375 = 0.75$, as the brute force said.
#
# **In log space.** A product of a hundred probabilities of 0.01 is $10^{-200}$; a few hundred steps underflow
# float64 to 0, and the log of 0 is −∞. So store $\log\alpha$ instead, and add probabilities with
# $\log(e^a + e^b) = $ `np.logaddexp(a, b)`, which never underflows; $\log 0 = -\infty$ marks an impossible state
# (`np.logaddexp(-np.inf, x)` is x). The log-probabilities come from a stable log-softmax of the logits.
#
# **A batch, as PyTorch computes it.** `logits` are `(N, T, C)`; `targets` `(N, S)` holds each sequence's labels,
# padded past `target_lengths[n]` with anything; sequence n uses only its first `input_lengths[n]` steps. PyTorch's
# `F.ctc_loss(F.log_softmax(logits), …, reduction="mean")` **divides each sequence's −log p by its target length**
# (at least 1), then averages over the batch. A target that cannot fit (too long for its input, counting the blanks
# that repeats need) has p = 0 and loss ∞; with `zero_infinity=True` such a sequence counts as 0.
#
# **The cache** (for the backward): `(logits, targets, input_lengths, target_lengths, blank, zero_infinity,
# log_probs, log_alpha, nll)` with `log_probs` the log-softmax `(N, T, C)`, `log_alpha` `(N, T, 2S + 1)` ($\log
# \alpha$; −∞ where impossible, which includes the positions past a sequence's own $2S_n + 1$ and every step from
# `input_lengths[n]` on) and `nll` $= -\log p$ per sequence `(N,)`.
#
# <details><summary>Hint 1 · one sequence at a time</summary>
#
# Loop over the batch. For sequence n take its `T_n = input_lengths[n]` steps and its `S_n` labels; build the
# extended labels $l'$ (length $2S_n + 1$), fill `log_alpha[n, :T_n, :2 * S_n + 1]` step by step, and leave the rest
# at −∞. The emission term is `log_probs[n, t, ext[s]]`.
#
# </details>
#
# <details><summary>Hint 2 · the recursion in log space</summary>
#
# Start every entry at `-np.inf`. At t = 0 only s = 0 and s = 1 (if $S_n > 0$) are possible. For t ≥ 1:
# `acc = log_alpha[n, t-1, s]`, then `acc = np.logaddexp(acc, log_alpha[n, t-1, s-1])` for s ≥ 1, and the jump from
# s − 2 only when `ext[s] != blank and ext[s] != ext[s-2]`; finally add `log_probs[n, t, ext[s]]`. The sequence's
# −log p is `-np.logaddexp(log_alpha[n, T_n-1, 2S_n], log_alpha[n, T_n-1, 2S_n-1])` (only the first term when
# $S_n = 0$).
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "ctc_loss_forward", "locked": false, "schema_version": 3, "solution": true}
def ctc_loss_forward(logits, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    """The CTC loss of a batch, as F.ctc_loss(F.log_softmax(logits), ..., reduction="mean").

    Parameters
    ----------
    logits : (N, T, C) unnormalised scores       targets : (N, S) int, padded past target_lengths
    input_lengths, target_lengths : (N,) int     blank : the blank's class index
    zero_infinity : bool, count an impossible sequence (infinite loss) as 0

    Returns
    -------
    loss : float, the mean over the batch of -log p(target | x) / max(target length, 1)
    cache : (logits, targets, input_lengths, target_lengths, blank, zero_infinity, log_probs, log_alpha, nll)
        log_probs (N, T, C), log_alpha (N, T, 2S + 1) with -inf where impossible, nll (N,) = -log p
    """
    ### BEGIN SOLUTION
    logits = np.asarray(logits, dtype=np.float64)
    N, T, C = logits.shape
    S = np.shape(targets)[1]
    shifted = logits - logits.max(axis=2, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    log_alpha = np.full((N, T, 2 * S + 1), -np.inf)
    nll = np.zeros(N)
    for n in range(N):
        t_n, s_n = int(input_lengths[n]), int(target_lengths[n])
        ext = [blank]
        for label in targets[n][:s_n]:
            ext += [int(label), blank]
        a = log_alpha[n]
        a[0, 0] = log_probs[n, 0, blank]
        if s_n > 0:
            a[0, 1] = log_probs[n, 0, ext[1]]
        for t in range(1, t_n):
            for s in range(len(ext)):
                acc = a[t - 1, s]
                if s >= 1:
                    acc = np.logaddexp(acc, a[t - 1, s - 1])
                if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                    acc = np.logaddexp(acc, a[t - 1, s - 2])
                a[t, s] = acc + log_probs[n, t, ext[s]]
        end = a[t_n - 1, 2 * s_n]
        if s_n > 0:
            end = np.logaddexp(end, a[t_n - 1, 2 * s_n - 1])
        nll[n] = -end
    per_sequence = nll / np.maximum(np.asarray(target_lengths), 1)
    if zero_infinity:
        per_sequence = np.where(np.isinf(per_sequence), 0.0, per_sequence)
    cache = (logits, targets, input_lengths, target_lengths, blank, zero_infinity, log_probs, log_alpha, nll)
    return float(per_sequence.mean()), cache
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_ctc_loss_forward", "locked": true, "points": 10, "schema_version": 3, "solution": false}
from course import ctc as _ref

_names = ("loss", "cache")


def _expected(logits, targets, il, tl, **kw):
    return _ref.ctc_loss_forward(logits, targets, il, tl, **kw)


# The examples worked by hand above: T = 3, classes {∅, a}, every probability 0.5 (logits all 0)
_z = np.zeros((1, 3, 2))
_lp = np.log(np.full((1, 3, 2), 0.5))
_alpha = np.log([[[0.5, 0.5, 1.0], [0.25, 0.5, 0.25], [0.125, 0.375, 0.375]]])
_alpha[0, 0, 2] = -np.inf  # log 0: the final blank cannot be reached at the first step
check(ctc_loss_forward, _z, np.array([[1]]), np.array([3]), np.array([1]),
      expected=(-np.log(0.75), (_z, np.array([[1]]), np.array([3]), np.array([1]), 0, False, _lp, _alpha,
                                 np.array([-np.log(0.75)]))), out_names=_names,
      label='target "a": p = 6/8')
check(ctc_loss_forward, _z, np.array([[1, 1]]), np.array([3]), np.array([2]),
      expected=_expected(_z, np.array([[1, 1]]), [3], [2]), out_names=_names,
      label='target "aa": only a∅a, p = 1/8, loss = log(8)/2 (divided by the target length)')
# A batch: target lengths 2 and 1 (the second padded), input lengths 5 and 3 of T = 5, three classes
_rng = np.random.default_rng(711)
_logits = _rng.normal(size=(2, 5, 3))
_t, _il, _tl = np.array([[1, 2], [2, 0]]), np.array([5, 3]), np.array([2, 1])
check(ctc_loss_forward, _logits, _t, _il, _tl, expected=_expected(_logits, _t, _il, _tl), out_names=_names,
      label="a padded batch, input_lengths < T")
# Logits of magnitude 1000 and 300 steps: a recursion that leaves log space underflows
_long = 3.0 * _rng.normal(size=(1, 300, 4))
_t300 = np.array([[1, 2, 3, 3, 1]])
check(ctc_loss_forward, _long, _t300, [300], [5], expected=_expected(_long, _t300, [300], [5]), out_names=_names,
      label="300 steps: a product of 300 probabilities underflows to 0 outside log space")
### BEGIN HIDDEN TESTS
# Random tiny inputs, every target length up to what fits
for _trial in range(6):
    _T, _C = int(_rng.integers(1, 6)), int(_rng.integers(2, 4))
    _S = int(_rng.integers(0, min(_T, 3) + 1))
    _lg = 2.0 * _rng.normal(size=(1, _T, _C))
    _tg = _rng.integers(1, _C, size=(1, max(_S, 1)))
    check(ctc_loss_forward, _lg, _tg, [_T], [_S], expected=_expected(_lg, _tg, [_T], [_S]), out_names=_names,
          label=f"T={_T}, C={_C}, target {list(_tg[0, :_S])}")
# Repeated labels in a batch, an impossible target (too long for its input), zero_infinity, blank elsewhere
_lg = _rng.normal(size=(3, 4, 3))
_t, _il, _tl = np.array([[1, 1, 2], [2, 2, 2], [1, 2, 0]]), np.array([4, 4, 2]), np.array([2, 3, 2])
check(ctc_loss_forward, _lg, _t, _il, _tl, expected=_expected(_lg, _t, _il, _tl), out_names=_names,
      label="repeats need their blank (the second target cannot fit: loss inf)")
check(ctc_loss_forward, _lg, _t, _il, _tl, kwargs={"zero_infinity": True},
      expected=_expected(_lg, _t, _il, _tl, zero_infinity=True), out_names=_names, label="zero_infinity=True")
_t2 = np.array([[0, 1], [1, 1], [0, 0]])
check(ctc_loss_forward, _lg, _t2, [4, 3, 4], [2, 2, 0], kwargs={"blank": 2},
      expected=_expected(_lg, _t2, [4, 3, 4], [2, 2, 0], blank=2), out_names=_names,
      label="blank = 2, an empty target")
_big = 1000.0 * _long / 3.0
check(ctc_loss_forward, _big, _t300, [300], [5], expected=_expected(_big, _t300, [300], [5]), out_names=_names,
      label="logits of magnitude 1000")
_lg32 = _logits.astype(np.float32)
check(ctc_loss_forward, _lg32, np.array([[1, 2], [2, 0]]), [5, 3], [2, 1],
      expected=_expected(_lg32.astype(float), np.array([[1, 2], [2, 0]]), [5, 3], [2, 1]), out_names=_names,
      label="float32 logits")
### END HIDDEN TESTS
print("ctc_loss_forward: all visible tests pass ✓")


# %% [markdown]
# **The gradient.** Run the same recursion from the end: let $\beta_t(s)$ be the probability of the path *endings*
# that, from $l'_s$ at step t, spell the rest of the target over steps t+1 … T (not counting step t itself). It
# starts at the two final positions, $\beta_T(L) = \beta_T(L-1) = 1$ (log: 0), and steps back with the mirror
# image of α's moves:
#
# $$\beta_t(s) = \beta_{t+1}(s)\,y_{t+1}(l'_s) + \beta_{t+1}(s+1)\,y_{t+1}(l'_{s+1}) + \mathbb 1[l'_{s+2} \ne ∅,\
# l'_{s+2} \ne l'_s]\,\beta_{t+1}(s+2)\,y_{t+1}(l'_{s+2}).$$
#
# Then $\alpha_t(s)\beta_t(s)$ is the probability of all the good paths that pass through $l'_s$ at step t, and
# $\gamma_t(s) = \alpha_t(s)\beta_t(s)/p$ is the **posterior**: the share of the good paths at s at step t. Summed over
# the positions that carry class k, it is how often the good paths use k at step t. The gradient of $-\log p$ with
# respect to the **logits** is then the softmax minus that occupancy:
#
# $$\frac{\partial(-\log p)}{\partial z_t(k)} = y_t(k) - \sum_{s:\ l'_s = k}\gamma_t(s).$$
#
# For the batch loss, multiply sequence n's rows by $1/(N\max(S_n, 1))$, and leave zeros at the steps past its
# `input_lengths[n]`, which the loss never saw. **By hand** ("a", every y = 0.5): a is used at step 2 by 4 of the 6
# good paths, at steps 1 and 3 by 3, so the gradient on a's logit is $(0.5 - 0.5,\ 0.5 - 4/6,\ 0.5 - 0.5) = (0,
# -1/6, 0)$, and the blank's is its opposite: step 2 should say "a" more.
#
# <details><summary>Hint · the posterior in log space</summary>
#
# With β in log space too, $\log\gamma_t(s) = \log\alpha_t(s) + \log\beta_t(s) + \text{nll}$ (nll = −log p). Add
# $e^{\log \gamma}$ into `occupancy[n, t, ext[s]]` with `+=`: a class can sit at several positions.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "ctc_loss_backward", "locked": false, "schema_version": 3, "solution": true}
def ctc_loss_backward(cache):
    """The gradient of ctc_loss_forward's loss with respect to the logits.

    Parameters
    ----------
    cache : (logits, targets, input_lengths, target_lengths, blank, zero_infinity, log_probs, log_alpha, nll)

    Returns
    -------
    dlogits : (N, T, C), zero at every step t >= input_lengths[n] (and for a sequence zeroed by zero_infinity)
    """
    ### BEGIN SOLUTION
    logits, targets, input_lengths, target_lengths, blank, zero_infinity, log_probs, log_alpha, nll = cache
    N, T, C = log_probs.shape
    dlogits = np.zeros((N, T, C))
    for n in range(N):
        t_n, s_n = int(input_lengths[n]), int(target_lengths[n])
        if zero_infinity and np.isinf(nll[n]):
            continue
        ext = [blank]
        for label in targets[n][:s_n]:
            ext += [int(label), blank]
        L = len(ext)
        b = np.full((t_n, L), -np.inf)
        b[t_n - 1, L - 1] = 0.0
        if s_n > 0:
            b[t_n - 1, L - 2] = 0.0
        for t in range(t_n - 2, -1, -1):
            for s in range(L):
                acc = b[t + 1, s] + log_probs[n, t + 1, ext[s]]
                if s + 1 < L:
                    acc = np.logaddexp(acc, b[t + 1, s + 1] + log_probs[n, t + 1, ext[s + 1]])
                if s + 2 < L and ext[s + 2] != blank and ext[s + 2] != ext[s]:
                    acc = np.logaddexp(acc, b[t + 1, s + 2] + log_probs[n, t + 1, ext[s + 2]])
                b[t, s] = acc
        occupancy = np.zeros((t_n, C))
        for s in range(L):
            occupancy[:, ext[s]] += np.exp(log_alpha[n, :t_n, s] + b[:, s] + nll[n])
        dlogits[n, :t_n] = (np.exp(log_probs[n, :t_n]) - occupancy) / (N * max(s_n, 1))
    return dlogits
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_ctc_loss_backward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course import ctc as _ref
from course.gradcheck import numerical_gradient


def _cache(logits, targets, il, tl, **kw):
    return _ref.ctc_loss_forward(logits, targets, il, tl, **kw)[1]  # built here, not by your forward


def _numerically(logits, targets, il, tl, label, **kw):
    loss = lambda z: _ref.ctc_loss_forward(z, targets, il, tl, **kw)[0]
    check(ctc_loss_backward, _cache(logits, targets, il, tl, **kw), expected=numerical_gradient(loss, logits),
          rtol=1e-5, atol=1e-8, label=label)


# The example worked by hand above: target "a", every probability 0.5
check(ctc_loss_backward, _cache(np.zeros((1, 3, 2)), np.array([[1]]), [3], [1]),
      expected=np.array([[[0.0, 0.0], [1 / 6, -1 / 6], [0.0, 0.0]]]), label='target "a" by hand')
# Against the numerical gradient: a padded batch with a repeat, input_lengths < T (zeros past them)
_rng = np.random.default_rng(712)
_logits = _rng.normal(size=(2, 6, 4))
_numerically(_logits, np.array([[1, 1, 3], [2, 3, 0]]), np.array([6, 4]), np.array([3, 2]), "a padded batch")
### BEGIN HIDDEN TESTS
for _n, _t, _c, _s in [(1, 1, 2, 1), (3, 5, 3, 2), (2, 8, 5, 4)]:
    _lg = 2.0 * _rng.normal(size=(_n, _t, _c))
    _tg = _rng.integers(1, _c, size=(_n, _s))
    _tl = _rng.integers(0, min(_s, (_t + 1) // 2) + 1, size=_n)
    _il = _rng.integers(max(1, _t - 2), _t + 1, size=_n)
    _tl = np.minimum(_tl, (_il + 1) // 2)
    _numerically(_lg, _tg, _il, _tl, f"N={_n}, T={_t}, C={_c}, S={_s}")
_numerically(_logits, np.array([[0, 1, 0], [1, 1, 1]]), [6, 6], [3, 3], "blank = 2", blank=2)
# An impossible target with zero_infinity: its gradient is zero; the other sequence's counts half
_lg = _rng.normal(size=(2, 3, 3))
_expected = np.zeros((2, 3, 3))
_expected[1] = numerical_gradient(lambda z: _ref.ctc_loss_forward(z[None], [[1]], [3], [1])[0], _lg[1]) / 2
check(ctc_loss_backward, _cache(_lg, np.array([[2, 2, 2], [1, 0, 0]]), [3, 3], [3, 1], zero_infinity=True),
      expected=_expected, rtol=1e-5, atol=1e-8, label="zero_infinity=True, an impossible target")
# Logits of magnitude 1000, 300 steps: finite, and equal to the course's gradient
_big = 1000.0 * _rng.normal(size=(1, 300, 4))
_c = _cache(_big, np.array([[1, 2, 3, 3, 1]]), [300], [5])
check(ctc_loss_backward, _c, expected=_ref.ctc_loss_backward(_c), label="logits of magnitude 1000")
_c32 = _cache(_logits.astype(np.float32), np.array([[1, 1, 3], [2, 3, 0]]), [6, 4], [3, 2])
check(ctc_loss_backward, _c32, expected=_ref.ctc_loss_backward(_c32), label="float32 logits")
### END HIDDEN TESTS
print("ctc_loss_backward: all visible tests pass ✓")


# %% [markdown]
# **Decoding.** After training, reading a strip needs no target: take the most likely class at every step (the
# **best path**), then collapse it: merge the repeats, *then* drop the blanks. The order matters: `1 ∅ 1` must read
# "11"; dropping the blanks first would merge the two 1s into "1". Only the first `input_lengths[n]` steps of
# sequence n are read. By hand, the best path `1 1 ∅ 1 2 2 ∅` reads `[1, 1, 2]`. (The best path is not always the most
# likely *string*: several paths add up to a string's probability. Best-path decoding is the usual fast
# approximation; beam search is the slower, better one.)

# %% nbgrader={"grade": false, "grade_id": "ctc_greedy_decode", "locked": false, "schema_version": 3, "solution": true}
def ctc_greedy_decode(logits, input_lengths, blank=0):
    """Best-path decoding.

    Parameters
    ----------
    logits : (N, T, C)   input_lengths : (N,) int   blank : the blank's class index

    Returns
    -------
    list of N lists of int labels
    """
    ### BEGIN SOLUTION
    decoded = []
    for n in range(len(logits)):
        best = np.argmax(logits[n, : int(input_lengths[n])], axis=1)
        labels, previous = [], None
        for k in best:
            if k != previous and k != blank:
                labels.append(int(k))
            previous = k
        decoded.append(labels)
    return decoded
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_ctc_greedy_decode", "locked": true, "points": 4, "schema_version": 3, "solution": false}
def _onehot(paths, classes):
    return np.eye(classes)[np.array(paths)] * 5.0  # logits whose argmax is the path


# The example by hand: 1 1 ∅ 1 2 2 ∅ reads [1, 1, 2]
check(ctc_greedy_decode, _onehot([[1, 1, 0, 1, 2, 2, 0]], 3), [7], expected=[[1, 1, 2]])
# A batch: merge repeats, keep a repeat split by a blank, stop at input_lengths
check(ctc_greedy_decode, _onehot([[2, 2, 2, 0, 0], [1, 0, 1, 1, 2], [0, 0, 0, 0, 0]], 3), [5, 4, 5],
      expected=[[2], [1, 1], []], label="a batch with input_lengths")
### BEGIN HIDDEN TESTS
check(ctc_greedy_decode, _onehot([[0, 1, 3, 3, 1, 0, 3]], 4), [7], kwargs={"blank": 3}, expected=[[0, 1, 1, 0]],
      label="blank = 3")
check(ctc_greedy_decode, _onehot([[1, 2, 1, 2, 2, 0, 2]], 3), [1], expected=[[1]], label="one step")
check(ctc_greedy_decode, _onehot([[1, 2, 1, 2, 2, 0, 2]], 3).astype(np.float32), [7], expected=[[1, 2, 1, 2, 2]],
      label="float32 logits")
### END HIDDEN TESTS
print("ctc_greedy_decode: all visible tests pass ✓")

# %% [markdown]
# **Explore the lattice.** Rows are the extended target ($∅, l_1, ∅, l_2, …$), columns the steps. α fills in from the
# top left, β from the bottom right, and their product, the posterior γ, shows where the good paths go. Sharpen the
# network's outputs, lengthen the input, and try a target with a repeat: the path must pass through the blank
# between the two equal labels.

# %%
explore.ctc_lattice_explorer(borrowing=yours(ctc_loss_forward, ctc_loss_backward, ctc_greedy_decode))

# %% [markdown]
# ## 7 · Reading handwritten digit strings
#
# Everything comes together on a real reading task. A **strip** holds one to five of the 8 × 8 handwritten digits of
# lesson 06, side by side on a blank page, with random gaps between them, a random margin before the first, and each
# digit shifted up or down by a few rows. Nobody says where one digit ends and the next begins: the only label is
# the string, "4071". The strips for the final test are built only from digits the network never saw in training.
#
# The network reads a strip left to right, one **frame** at a time: a frame is a narrow window of columns, and
# consecutive frames overlap. Each frame goes through a small ReLU layer that looks for strokes at every height
# (so a digit shifted down by two rows still looks the same), then through an LSTM, run in **both directions** (one
# left to right, one right to left, their states side by side, so that every frame sees the whole strip), then a
# linear layer gives 11 scores per frame: the blank and the ten digits. The loss is CTC; reading is greedy decoding.
#
# The recurrent layer is **your** `lstm_forward` and `lstm_backward`, and the loss and decoding are **your**
# `ctc_loss_forward`, `ctc_loss_backward` and `ctc_greedy_decode` (the course's stand in for any you have not
# written yet, and the cell says so). Your loops are slower than the course's vectorised ones, so training here uses
# a small network for a few seconds. Everything else is what you built in earlier lessons: Kaiming initialisation,
# Adam, a cosine learning-rate schedule, and `clip_grad_norm` against the explosions of section 3.
#
# One thing is the course's own on purpose: training calls the loss thousands of times, and a CTC written as Python
# loops over every cell of the lattice (as the hints suggest) would take minutes here, so training uses the course's
# CTC, which runs the recursion for the whole batch at once. Your decoding reads the strips.
#
# First, some training strips and their strings:

# %%
show(strip_plots.plot_strips(digit_strips.make_strips(12, "train", np.random.default_rng(7))))

# %% [markdown]
# Now train: the bar shows the epochs, with the loss and how many validation strips are read exactly. The curves
# follow, with the goals this network reaches when it is larger and trains for a minute (dashed): 90 % of the strips
# read exactly and at most 3 % of the characters wrong.

# %%
mine = yours(lstm_forward, lstm_backward, ctc_greedy_decode)
with mine:
    reader, history = string_reader.train_reader("quick", my=mine)
show(strip_plots.plot_reader_curves(history))

# %% [markdown]
# **The test strips, once.** A thousand strips made only of digits the network has never seen. The character error
# rate counts the fewest insertions, deletions and substitutions that turn what was read into the truth, divided by
# the number of true digits. Then the strips it misreads: almost always one digit read as another (a 7 as a 1, a 4
# and a 9 that look alike at 8 × 8), rarely a digit missed or added. The network of this cell is small and trained
# for a few seconds; the same recipe four times larger, trained for under a minute, reads about 92 % of the strips
# exactly and gets about 97.5 % of the digits right.

# %%
test_strips = digit_strips.make_strips(1000, "test", np.random.default_rng(8))
with mine:  # the reader runs your functions, as it did in training
    read = reader.read(test_strips)
truth = test_strips.strings
print(f"{string_reader.exact_accuracy(truth, read):.1%} of {len(truth)} test strips read exactly, "
      f"{string_reader.character_error_rate(truth, read):.1%} of the digits wrong")
show(strip_plots.plot_strips(test_strips, read))
show(strip_plots.plot_misread(test_strips, read))

# %% [markdown]
# ## Your scorecard
# The cell below runs every test of this notebook again, against the functions you have now, and lists
# what passes and what still fails. *Validate* ends with the same summary.

# %% nbgrader={"grade": true, "grade_id": "scorecard", "locked": true, "points": 0, "schema_version": 3, "solution": false}
scorecard("07_sequences.ipynb")

# %% [markdown]
# ## Recap
#
# - A **recurrent cell** maps $(x_t, h_{t-1})$ to $h_t$ with the same weights at every step; unrolled, a sequence is
#   a deep network with shared weights.
# - **BPTT**: walk the steps backwards; a state's gradient is its direct gradient plus what the next step sends
#   back ($dh_{prev}$); the shared weights' gradients are summed over the steps. Go through the tanh first:
#   $dz = dh\,(1 - h^2)$.
# - A gradient crossing k steps is multiplied by k Jacobians $\operatorname{diag}(1-h^2)W_{hh}$: it **vanishes**
#   when the spectral radius of $W_{hh}$ is below 1 and can **explode** above it. **Clipping** the joint gradient
#   norm stops the explosion without changing the direction.
# - The **LSTM** carries a cell $c_t = f c_{t-1} + i g$ whose gradient crosses a step multiplied only by the forget
#   gate; PyTorch's gate order is i, f, g, o. The cell's gradient is $dc + dh\,o(1-\tanh^2 c)$. The **GRU** does it
#   with r, z, n, and r multiplies the hidden-side block *with its bias*.
# - **CTC** sums over every alignment of a short target to a long input with a blank class: the α and β
#   recursions over the blank-extended target, in log space (`np.logaddexp`), a skip only between distinct labels,
#   PyTorch's mean divided by each target's length. Its gradient is softmax minus the posterior occupancy. Greedy
#   decoding collapses repeats, then drops blanks.
#
# Every function here has a PyTorch twin with the same layout: `nn.RNN`, `nn.LSTM`, `nn.GRUCell`, `F.ctc_loss`,
# `nn.utils.clip_grad_norm_`.

# %% [markdown]
# ## References
#
# - S. Hochreiter and J. Schmidhuber (1997), *Long Short-Term Memory*, Neural Computation 9(8); F. Gers,
#   J. Schmidhuber and F. Cummins (2000), *Learning to Forget: Continual Prediction with LSTM*, Neural Computation
#   12(10).
# - K. Cho, B. van Merriënboer, C. Gulcehre, D. Bahdanau, F. Bougares, H. Schwenk and Y. Bengio (2014), *Learning
#   Phrase Representations using RNN Encoder–Decoder for Statistical Machine Translation*, EMNLP (the GRU).
# - Y. Bengio, P. Simard and P. Frasconi (1994), *Learning Long-Term Dependencies with Gradient Descent is
#   Difficult*, IEEE Transactions on Neural Networks 5(2); R. Pascanu, T. Mikolov and Y. Bengio (2013), *On the
#   Difficulty of Training Recurrent Neural Networks*, ICML (vanishing and exploding gradients, norm clipping).
# - R. Jozefowicz, W. Zaremba and I. Sutskever (2015), *An Empirical Exploration of Recurrent Network
#   Architectures*, ICML (a forget-gate bias of 1).
# - A. Graves, S. Fernández, F. Gomez and J. Schmidhuber (2006), *Connectionist Temporal Classification: Labelling
#   Unsegmented Sequence Data with Recurrent Neural Networks*, ICML.
# - E. Alpaydin and C. Kaynak (1998), *Optical Recognition of Handwritten Digits*, UCI Machine Learning Repository
#   (CC BY 4.0): the digits of section 7.
