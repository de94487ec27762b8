# %% [markdown]
# # 02 · The gradient and gradient descent
#
# Lesson 01 measured *how wrong* a model is with a loss. This lesson answers the next question: **which way should
# each weight move to make the loss smaller, and by how much?** The answer is the gradient, and following it
# downhill step by step is gradient descent, the way every network in this course learns.
#
# **You will learn to**
# - read the gradient as the slope of the error at the current weight, and its sign as an instruction:
#   zero → keep the weight, negative → raise it, positive → lower it;
# - take partial derivatives one weight at a time and collect them into the gradient vector;
# - push derivatives backwards through a small computational graph with the chain rule;
# - estimate derivatives numerically with central differences, and choose the step $h$;
# - check an analytic gradient against a numerical one with the relative error;
# - train a linear regression with the four steps of learning: forward, loss, backward, update;
# - choose a learning rate, and see why gradient descent diverges past $2/L$.
#
# **You will implement** `graph_forward`, `graph_backward`, `numerical_derivative`, `numerical_gradient`,
# `rel_error`, `linreg_forward`, `linreg_backward`, `gd_update` and `gradient_descent` (100 points in all).
# Each one is followed by a locked test cell. Run it: when it fails, its message names the mistake it recognises.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np

from course.grading import assert_close
from course.viz import gradients as pictures
from course.viz import show
from course.widgets import gradients as explorers
from course.demo import yours
from course.grading import scorecard

# %% [markdown]
# ## 1 · The gradient is the slope of the error
#
# Take the smallest model there is: one weight $w$ and the prediction $\hat y = w\,x$. On three examples,
# inputs $x = (1, 2, 3)$ with targets $t = (1.8,\ 4.3,\ 5.9)$, its mean squared error is
#
# $$E(w) = \frac{1}{3}\sum_{n=1}^{3} \left(w\,x_n - t_n\right)^2 .$$
#
# Every value of $w$ gives one error, so $E$ is a curve over the weight axis. Its **derivative** at the current weight,
#
# $$\frac{dE}{dw} = \frac{2}{3}\sum_{n=1}^{3} x_n \left(w\,x_n - t_n\right),$$
#
# is the slope of that curve there: how much the error changes per unit of weight, for a small move of the weight.
# At $w = 1$ the residuals $w x_n - t_n$ are $(-0.8,\ -2.3,\ -2.9)$, so
#
# $$\frac{dE}{dw} = \tfrac{2}{3}\big(1\cdot(-0.8) + 2\cdot(-2.3) + 3\cdot(-2.9)\big) = \tfrac{2}{3}\,(-14.1) = -9.4 .$$

# %%
x_data = np.array([1.0, 2.0, 3.0])
t_data = np.array([1.8, 4.3, 5.9])

w = 1.0
slope = 2 / 3 * np.sum(x_data * (w * x_data - t_data))
assert_close(slope, -9.4, "dE/dw at w = 1")
print(f"at w = {w}: E = {np.mean((w * x_data - t_data) ** 2):.4f}, dE/dw = {slope:.4f}")

# %% [markdown]
# The **sign** of the slope is an instruction for the weight:
#
# | $\dfrac{dE}{dw}$ | raising $w$ a little … | so |
# | :-: | :-- | :-- |
# | $= 0$ | leaves the error unchanged | keep the weight: the curve is flat here (at the bottom, if we are lucky) |
# | $< 0$ | **lowers** the error | **raise** the weight |
# | $> 0$ | **raises** the error | **lower** the weight |
#
# Read one such gradient on our neuron. The bottom of its curve is at
# $w^\ast = \sum x_n t_n / \sum x_n^2 = 28.1/14 \approx 2.00714$, and since
# $\frac{dE}{dw} = \tfrac{2}{3}\big(w \sum x_n^2 - \sum x_n t_n\big) = \tfrac{28}{3}\,(w - w^\ast)$, a weight a
# little to the left of the bottom, $w = 1.94691$, has the gradient
#
# $$\frac{dE}{dw} = \tfrac{28}{3}\,(1.94691 - 2.00714) = -0.5622 .$$
#
# This is the gradient of the neuron's only weight, and it says: **raising this weight lowers the error**, by about
# $0.5622$ per unit of weight while the move is small. Raising $w$ by $0.001$ should lower $E$ by about
# $0.5622 \times 0.001 \approx 0.00056$. The cell below computes both numbers.

# %%
w_best = np.sum(x_data * t_data) / np.sum(x_data ** 2)
w = 1.94691                                             # a little to the left of the bottom
slope = 2 / 3 * np.sum(x_data * (w * x_data - t_data))
assert_close(slope, -0.5622, "dE/dw at w = 1.94691", rtol=0, atol=5e-5)
E_at = lambda v: np.mean((v * x_data - t_data) ** 2)
print(f"bottom at w* = {w_best:.5f}; at w = {w} the gradient is {slope:.4f}: negative, so raise the weight")
print(f"raising w by 0.001 changes E by {E_at(w + 0.001) - E_at(w):+.6f}, close to -0.5622 × 0.001")

# %% [markdown]
# Both non-zero cases are one rule: **move the weight against the slope**,
#
# $$w \leftarrow w - \text{lr}\cdot\frac{dE}{dw}, \qquad \text{lr} > 0 \text{ small (the learning rate).}$$
#
# The size of the slope matters as well as its sign: where the curve is steep the step is long, and near the bottom,
# where the slope goes to zero, the steps shrink by themselves. Drag the weight below and watch the tangent, the sign
# of its slope and one such step (the green arrow, with lr = 0.05).

# %%
explorers.tangent_explorer()

# %% [markdown]
# ## 2 · Many weights: partial derivatives and the gradient vector
#
# A real model has many weights, and the error depends on all of them. The **partial derivative**
# $\partial E/\partial w_i$ is the slope along one weight with all the others held fixed. Collected into a vector
# with one entry per weight, they form the **gradient**
#
# $$\nabla E = \left(\frac{\partial E}{\partial w_1}, \dots, \frac{\partial E}{\partial w_D}\right),$$
#
# which has the shape of the weights. Each entry carries its own instruction, by its sign and size.
#
# A small example: two weights, one example $x = (1, 2)$ with target $t = 3$, prediction $\hat y = w_1 x_1 + w_2 x_2$
# and error $E = (\hat y - t)^2$. At $w = (0.5, 0.5)$: $\hat y = 1.5$, the residual is $r = \hat y - t = -1.5$, $E = 2.25$ and
#
# $$\frac{\partial E}{\partial w_1} = 2 r\, x_1 = -3, \qquad \frac{\partial E}{\partial w_2} = 2 r\, x_2 = -6 .$$
#
# Both are negative, so both weights should rise; $w_2$ multiplies the larger input, so the error is twice as
# sensitive to it and it gets twice the push.

# %%
x_pair, t_pair, w_pair = np.array([1.0, 2.0]), 3.0, np.array([0.5, 0.5])
r = w_pair @ x_pair - t_pair
grad_pair = 2 * r * x_pair            # one partial derivative per weight: the gradient has w's shape
assert_close(r ** 2, 2.25, "E at w = (0.5, 0.5)")
assert_close(grad_pair, np.array([-3.0, -6.0]), "the gradient at w = (0.5, 0.5)")
print(f"E = {r ** 2}, gradient = {grad_pair}")

# %% [markdown]
# ## 3 · A computational graph: $y = (x + w)(w + 1)$
#
# Models are long chains of simple operations, and backpropagation differentiates them one operation at a time.
# Write $y = (x + w)(w + 1)$ as a graph with one node per operation:
#
# $$a = x + w, \qquad b = w + 1, \qquad y = a \cdot b .$$
#
# **Forward**, at $x = 2$ and $w = 1$: $a = 3$, $b = 2$, $y = 6$.
#
# **Backward** starts from $\partial y/\partial y = 1$ and walks the graph in reverse. Each node needs only its
# *local* derivatives:
# - the product $y = a\,b$ has $\partial y/\partial a = b$ and $\partial y/\partial b = a$: each input receives the
#   *other* input;
# - the sums pass gradients through unchanged: $\partial a/\partial x = \partial a/\partial w = 1$ and
#   $\partial b/\partial w = 1$.
#
# The chain rule multiplies local derivatives along a path; where a variable reaches $y$ along several paths, their
# contributions **add**. The input $x$ reaches $y$ only through $a$; the weight $w$ through both $a$ and $b$:
#
# $$\frac{\partial y}{\partial x} = \frac{\partial y}{\partial a}\frac{\partial a}{\partial x} = b = 2,
# \qquad
# \frac{\partial y}{\partial w} = \underbrace{\frac{\partial y}{\partial a}\frac{\partial a}{\partial w}}_{\text{through } a}
# + \underbrace{\frac{\partial y}{\partial b}\frac{\partial b}{\partial w}}_{\text{through } b} = b + a = 2 + 3 = 5 .$$
#
# As a check, expand: $y = xw + x + w^2 + w$, so $\partial y/\partial x = w + 1 = 2$ and
# $\partial y/\partial w = x + 2w + 1 = 5$.

# %%
x, w = 2.0, 1.0
a = x + w                  # forward, one node at a time
b = w + 1
y = a * b

dy = 1.0                   # backward starts with dy/dy = 1
da, db = dy * b, dy * a    # the product sends each input the other input
dx = da * 1.0              # a = x + w passes its gradient on unchanged
dw = da * 1.0 + db * 1.0   # w reaches y through a and through b: the two paths add

assert_close(y, 6.0, "y at x = 2, w = 1")
assert_close(dx, 2.0, "∂y/∂x at x = 2, w = 1")
assert_close(dw, 5.0, "∂y/∂w at x = 2, w = 1")
print(f"y = {y}, ∂y/∂x = {dx}, ∂y/∂w = {dw}")


# %% [markdown]
# In code every operation gets a **forward** function and a **backward** function, the contract the whole course uses:
#
# - `graph_forward(x, w)` returns the output `y` and a **cache**: what the backward pass will need. Here the cache is
#   the pair of intermediate nodes **`(a, b)` = `(x + w, w + 1)`**, in that order.
# - `graph_backward(dy, cache)` receives the **upstream gradient** `dy` $= \partial L/\partial y$ (how much some final
#   loss $L$ changes per unit of $y$) and the cache, and returns `(dx, dw)` $= (\partial L/\partial x,\ \partial L/\partial w)$.
#   By the chain rule each local derivative is multiplied by `dy`:
#   $\;dx = dy\cdot b,\quad dw = dy\cdot b + dy\cdot a.$
#
# Both work element-wise when `x`, `w` (and `dy`) are arrays of one shape. The test of `graph_backward` builds its
# own cache `(a, b)`, so a mistake in `graph_forward` never costs `graph_backward` its points.

# %% nbgrader={"grade": false, "grade_id": "graph_forward", "locked": false, "schema_version": 3, "solution": true}
def graph_forward(x, w):
    """Forward pass of y = (x + w)(w + 1), one node at a time.

    Parameters
    ----------
    x, w : floats, or arrays of the same shape (the graph is applied element-wise).

    Returns
    -------
    y : (x + w)(w + 1), shaped like x.
    cache : the tuple (a, b) of the intermediate nodes, a = x + w and b = w + 1.
    """
    ### BEGIN SOLUTION
    a = x + w
    b = w + 1
    y = a * b
    return y, (a, b)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_graph_forward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course.grading import check

# The worked example: x = 2, w = 1 gives a = 3, b = 2 and y = 6.
check(graph_forward, 2.0, 1.0, expected=(6.0, (3.0, 2.0)), out_names=("y", "cache"))
# Element-wise on arrays; y from the expanded form xw + x + w² + w.
_x_t, _w_t = np.array([0.0, -1.0, 0.5]), np.array([2.0, 0.5, -3.0])
check(graph_forward, _x_t, _w_t, expected=(_x_t * _w_t + _x_t + _w_t ** 2 + _w_t, (_x_t + _w_t, _w_t + 1)),
      out_names=("y", "cache"))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(10)
for _shape in [(4, 3), (1,), (2, 2, 2)]:
    _x_t, _w_t = _rng.normal(size=_shape), _rng.normal(size=_shape)
    check(graph_forward, _x_t, _w_t, expected=(_x_t * _w_t + _x_t + _w_t ** 2 + _w_t, (_x_t + _w_t, _w_t + 1)),
          out_names=("y", "cache"), label=f"random {_shape}")
_x_t, _w_t = _rng.normal(size=5).astype(np.float32), _rng.normal(size=5).astype(np.float32)
_x64, _w64 = _x_t.astype(np.float64), _w_t.astype(np.float64)
check(graph_forward, _x_t, _w_t, expected=(_x64 * _w64 + _x64 + _w64 ** 2 + _w64, (_x64 + _w64, _w64 + 1)),
      out_names=("y", "cache"), label="float32")
check(graph_forward, -3.0, 0.5, expected=(-3.75, (-2.5, 1.5)), out_names=("y", "cache"), label="negative x")
### END HIDDEN TESTS
print("graph_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "graph_backward", "locked": false, "schema_version": 3, "solution": true}
def graph_backward(dy, cache):
    """Backward pass of y = (x + w)(w + 1).

    Parameters
    ----------
    dy : float or array shaped like y, the upstream gradient dL/dy.
    cache : the tuple (a, b) from graph_forward, a = x + w and b = w + 1.

    Returns
    -------
    dx : dL/dx = dy * b, shaped like y.
    dw : dL/dw = dy * b + dy * a (w reaches y through both a and b), shaped like y.
    """
    ### BEGIN SOLUTION
    a, b = cache
    da = dy * b          # y = a * b: each input receives the other one
    db = dy * a
    dx = da              # a = x + w passes da on to x ...
    dw = da + db         # ... and to w, which also gets db from b = w + 1
    return dx, dw
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_graph_backward", "locked": true, "points": 12, "schema_version": 3, "solution": false}
from course.gradcheck import numerical_gradient as ref_numerical_gradient
from course.grading import check

# The worked example: at x = 2, w = 1 the cache is (a, b) = (3, 2), and dy = 1 gives ∂y/∂x = 2, ∂y/∂w = 5.
check(graph_backward, 1.0, (3.0, 2.0), expected=(2.0, 5.0), out_names=("dx", "dw"))
# The upstream gradient scales both (the chain rule): dy = 0.5 halves them.
check(graph_backward, 0.5, (3.0, 2.0), expected=(1.0, 2.5), out_names=("dx", "dw"))
# Arrays, against the numerical gradient of L = Σ dy · (x + w)(w + 1).
_x_t, _w_t, _dy_t = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -0.5]), np.array([1.0, -2.0, 0.5])
_loss = lambda x_, w_: np.sum(_dy_t * (x_ + w_) * (w_ + 1))
_expected = (
    ref_numerical_gradient(lambda x_: _loss(x_, _w_t), _x_t),
    ref_numerical_gradient(lambda w_: _loss(_x_t, w_), _w_t),
)
check(graph_backward, _dy_t, (_x_t + _w_t, _w_t + 1), expected=_expected, out_names=("dx", "dw"), rtol=1e-5, atol=1e-7)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(11)
for _shape in [(4, 3), (1,), (2, 2, 2)]:
    _x_t, _w_t, _dy_t = _rng.normal(size=_shape), _rng.normal(size=_shape), _rng.normal(size=_shape)
    _a_t, _b_t = _x_t + _w_t, _w_t + 1
    # Closed form from the expanded y = xw + x + w² + w: ∂y/∂x = w + 1, ∂y/∂w = x + 2w + 1.
    check(
        graph_backward,
        _dy_t,
        (_a_t, _b_t),
        expected=(_dy_t * (_w_t + 1), _dy_t * (_x_t + 2 * _w_t + 1)),
        out_names=("dx", "dw"),
        label=f"random {_shape}",
    )
_x_t, _w_t, _dy_t = (_rng.normal(size=6).astype(np.float32) for _ in range(3))
_x64, _w64, _dy64 = (_v.astype(np.float64) for _v in (_x_t, _w_t, _dy_t))
check(
    graph_backward,
    _dy_t,
    (_x_t + _w_t, _w_t + np.float32(1)),
    expected=(_dy64 * (_w64 + 1), _dy64 * (_x64 + 2 * _w64 + 1)),
    out_names=("dx", "dw"),
    label="float32",
)
check(
    graph_backward,
    np.zeros(3),
    (np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])),
    expected=(np.zeros(3), np.zeros(3)),
    out_names=("dx", "dw"),
    label="dy = 0",
)
### END HIDDEN TESTS
print("graph_backward: all visible tests pass ✓")

# %% [markdown]
# ## 4 · Measuring a slope numerically
#
# Deriving gradients by hand is where mistakes hide, so we want an independent way to measure them. The definition
# of the derivative suggests one: move $x$ a little and watch $f$. Taylor's expansion says what each recipe gets:
#
# $$f(x \pm h) = f(x) \pm h f'(x) + \frac{h^2}{2} f''(x) \pm \frac{h^3}{6} f'''(x) + \dots$$
#
# - **Forward difference:** $\dfrac{f(x+h) - f(x)}{h} = f'(x) + \dfrac{h}{2} f''(x) + \dots$, an error that shrinks
#   like $h$.
# - **Central difference:** $\dfrac{f(x+h) - f(x-h)}{2h} = f'(x) + \dfrac{h^2}{6} f'''(x) + \dots$: the even terms
#   cancel, and the error shrinks like $h^2$.
#
# Small numbers: $f(x) = x^3$ at $x = 2$, where $f'(2) = 12$, with $h = 0.1$. The forward difference gives
# $(2.1^3 - 8)/0.1 = 12.61$, off by $0.61$; the central one gives $(2.1^3 - 1.9^3)/0.2 = 12.01$, off by
# $h^2 = 0.01$. (For a cubic the central error is exactly $h^2 f'''/6 = h^2$.)

# %%
f_cube, h = (lambda v: v ** 3), 0.1
forward = (f_cube(2 + h) - f_cube(2)) / h
central = (f_cube(2 + h) - f_cube(2 - h)) / (2 * h)
assert_close(forward, 12.61, "forward difference of x³ at 2, h = 0.1")
assert_close(central, 12.01, "central difference of x³ at 2, h = 0.1")
print(f"exact 12, forward {forward:.6f}, central {central:.6f}")


# %% [markdown]
# Implement the central difference. It is the tool every gradient check in this course rests on.

# %% nbgrader={"grade": false, "grade_id": "numerical_derivative", "locked": false, "schema_version": 3, "solution": true}
def numerical_derivative(f, x, h=1e-5):
    """Central-difference estimate of f'(x) for a function f of one number.

    Parameters
    ----------
    f : callable taking a float and returning a float.
    x : float, the point.
    h : float, the step: f is evaluated at x - h and x + h.

    Returns
    -------
    float : (f(x + h) - f(x - h)) / (2h).
    """
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_numerical_derivative", "locked": true, "points": 10, "schema_version": 3, "solution": false}
from course.grading import check

# x³ at x = 2 with h = 0.1: the central difference is exactly 3x² + h² = 12.01 (the forward one gives 12.61).
check(numerical_derivative, lambda _v: _v**3, 2.0, 0.1, expected=12.01)
# sin at x = 1 with the default h: cos(1) to about 1e-11 (the forward difference is off by about 4e-6).
check(numerical_derivative, np.sin, 1.0, expected=np.cos(1.0), rtol=1e-8, atol=0)
### BEGIN HIDDEN TESTS
# A large curvature: exp(10x) at x = 0.3. Relative to f' the forward difference is off by h·10/2 = 5e-5, the central
# one by h²·100/6 ≈ 2e-9; the tolerance 1e-6 sits between the two.
check(
    numerical_derivative,
    lambda _v: np.exp(10 * _v),
    0.3,
    expected=10 * np.exp(3.0),
    rtol=1e-6,
    atol=0,
    label="f = exp(10x)",
)
# The step is the argument h: x³ at x = −1.5 with h = 1e-3 gives exactly 3x² + h².
check(
    numerical_derivative, lambda _v: _v**3, -1.5, 1e-3, expected=3 * 1.5**2 + 1e-6, rtol=1e-9, atol=0, label="h = 1e-3"
)
# h passed by keyword; a NumPy function.
check(
    numerical_derivative,
    np.tanh,
    0.5,
    kwargs={"h": 1e-4},
    expected=1 - np.tanh(0.5) ** 2,
    rtol=1e-7,
    atol=0,
    label="h = 1e-4 by keyword",
)
# A decreasing function: the slope is negative.
check(numerical_derivative, lambda _v: 1 / _v, 2.0, expected=-0.25, rtol=1e-8, atol=0, label="f = 1/x")
### END HIDDEN TESTS
print("numerical_derivative: all visible tests pass ✓")

# %% [markdown]
# ### How small should $h$ be?
#
# Smaller $h$ shrinks the Taylor error, but computers round: each value of $f$ carries a rounding error of about
# $\varepsilon |f|$, with $\varepsilon \approx 2.2\times10^{-16}$ in float64, and dividing a difference of two
# rounded numbers by $h$ magnifies it to about $\varepsilon |f| / h$. The total has a **sweet spot**:
#
# | | truncation | rounding | best $h$ | best error |
# | :-- | :-: | :-: | :-: | :-: |
# | forward | $\tfrac{h}{2}\lvert f''\rvert$ | $\approx \varepsilon\lvert f\rvert / h$ | $\approx\sqrt{\varepsilon} \approx 10^{-8}$ | $\approx\sqrt{\varepsilon} \approx 10^{-8}$ |
# | central | $\tfrac{h^2}{6}\lvert f'''\rvert$ | $\approx \varepsilon\lvert f\rvert / h$ | $\approx\varepsilon^{1/3} \approx 10^{-5}$ | $\approx\varepsilon^{2/3} \approx 10^{-11}$ |
#
# (The constants depend on $f$; these are the orders when $f$ and its derivatives are near 1.) That is why
# `h = 1e-5` is the default: it sits at the central difference's sweet spot, where it is hundreds of times more
# accurate than the forward difference at its own best. In float32, $\varepsilon \approx 1.2\times10^{-7}$ and the
# best central error is only about $10^{-5}$: numerical gradients are always computed in float64.
#
# The cell below measures both errors for $\sin$ at $x = 1$ on a grid of steps.

# %%
from course.gradients import difference_errors

hs = np.logspace(-13, -1, 13)
fwd_err, cen_err = difference_errors(np.sin, np.cos, 1.0, hs)
for h, ef, ec in zip(hs, fwd_err, cen_err):
    print(f"h = {h:.0e}   forward error {ef:.1e}   central error {ec:.1e}")
print(f"best on this grid: forward at h = {hs[np.argmin(fwd_err)]:.0e}, central at h = {hs[np.argmin(cen_err)]:.0e}")

# %% [markdown]
# On the log-log plot the truncation errors are straight lines of slope 1 (forward) and 2 (central) on the right,
# and rounding is the noisy line of slope −1 on the left. Change the function and move $h$.

# %%
explorers.difference_error_explorer()


# %% [markdown]
# ### The numerical gradient: one entry at a time
#
# For a function of many numbers, $f(x)$ with $x$ an array of any shape, the gradient has one partial derivative per
# entry, and each is a one-dimensional central difference: move **only** $x_i$,
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h\,e_i) - f(x - h\,e_i)}{2h},$$
#
# where $e_i$ is 1 at entry $i$ and 0 elsewhere. Loop over the entries: set $x_i$ to $x_i + h$, evaluate $f$; set it
# to $x_i - h$, evaluate $f$; **put the old value back** before the next entry. Three things matter:
#
# - **Restore each entry before moving on.** Otherwise the next partial derivative is measured at a different point.
#   `f` may read the very array you pass it, so it sees whatever you left there.
# - **The caller's `x` comes back unchanged.** Work on a private copy, or restore every entry you touched.
# - **Work in float64.** `x` may be float32, where `x[i] + 1e-5` is rounded to the nearest float32; copy it with
#   `np.array(x, dtype=np.float64)`.
#
# For any shape, `np.ndindex(x.shape)` yields every index tuple; `np.nditer` or a flat view (`x.reshape(-1)` on your
# own copy) work as well.

# %% [markdown]
# Stuck? Open the hints one at a time.
#
# <details><summary>Hint 1 · where to start</summary>
#
# Each entry of the gradient is a one-dimensional slope, the one `numerical_derivative` measures: freeze every entry
# of $x$ except $x_i$, and $f$ becomes a function of the single number $x_i$. So the whole job is a loop over the
# entries, with one central difference per entry. Before the loop, make the array you will move: a float64 copy of
# `x`, so that the caller's array is never touched and $x_i \pm h$ is not rounded to float32. Start the result as
# float64 zeros of `x`'s shape.
#
# </details>
#
# <details><summary>Hint 2 · the key formula</summary>
#
# For each index $i$ of the copy (every index tuple of its shape): remember the old value $v = x_i$; set
# $x_i = v + h$ and evaluate $f^+ = f(x)$; set $x_i = v - h$ and evaluate $f^- = f(x)$; put $x_i = v$ back; then
#
# $$\text{grad}_i = \frac{f^+ - f^-}{2h}.$$
#
# `f` always receives the whole array: only entry $i$ differs from the point where you measure.
#
# </details>
#
# <details><summary>Hint 3 · when the test still fails</summary>
#
# - *"entries of x moved at once"*: an entry was still moved when $f$ was evaluated for the next one. Put $x_i$ back
#   after both evaluations, before moving on.
# - *"leaves x perturbed"*: you moved the caller's array itself; move your copy instead.
# - *"perturbs x in float32"*: the copy kept `x`'s float32 type; ask for float64 when you copy.
# - Values twice too large: the two points $x_i \pm h$ are $2h$ apart, so divide by $2h$.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "numerical_gradient", "locked": false, "schema_version": 3, "solution": true}
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at x, one entry at a time.

    Parameters
    ----------
    f : callable taking an array shaped like x and returning a float.
    x : array of any shape (float64 or float32). It is left unchanged.
    h : float, the step for each entry.

    Returns
    -------
    grad : float64 array shaped like x, grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h).
    """
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)   # a private float64 copy: the caller's x is never touched
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old                       # restore before moving to the next entry
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_numerical_gradient", "locked": true, "points": 15, "schema_version": 3, "solution": false}
from course.grading.gradients import check_numerical_gradient

# f(x) = Σ x³ + x₀x₁ at x = (1, 2, −1): ∂f/∂x = 3x² + (x₁, x₀, 0) = (5, 13, 3). The check also watches every array f
# is called with (one entry moved at a time, each restored) and that x comes back unchanged.
_f_t = lambda z: np.sum(z ** 3) + z[0] * z[1]
check_numerical_gradient(numerical_gradient, _f_t, np.array([1.0, 2.0, -1.0]), expected=np.array([5.0, 13.0, 3.0]))
# Any shape: a (2, 3) array with f = Σ c·x², whose gradient is 2·c·x.
_c_t = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
_x_t = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
check_numerical_gradient(numerical_gradient, lambda z: np.sum(_c_t * z ** 2), _x_t, expected=2 * _c_t * _x_t)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(12)
# Three dimensions, with cross terms (Σ x² · c plus the product of two entries).
_c3, _x3 = _rng.uniform(0.5, 2.0, (2, 3, 2)), _rng.normal(size=(2, 3, 2))
_cross = np.zeros_like(_x3)
_cross[0, 1, 0], _cross[1, 2, 1] = _x3[1, 2, 1], _x3[0, 1, 0]
check_numerical_gradient(numerical_gradient, lambda z: np.sum(_c3 * z ** 2) + z[0, 1, 0] * z[1, 2, 1], _x3,
                         expected=2 * _c3 * _x3 + _cross, label="shape (2, 3, 2)")
# A large curvature: Σ exp(3x). The forward difference is off by about h·3/2 = 1.5e-5 relatively.
_x5 = _rng.uniform(-1, 1, 5)
check_numerical_gradient(numerical_gradient, lambda z: np.sum(np.exp(3 * z)), _x5, expected=3 * np.exp(3 * _x5),
                         label="f = Σ exp(3x)")
# The step is the argument h: for Σ x³ with h = 1e-3 the central difference is exactly 3x² + h².
check_numerical_gradient(numerical_gradient, lambda z: np.sum(z ** 3), _x5, expected=3 * _x5 ** 2 + 1e-6, h=1e-3,
                         rtol=1e-9, atol=1e-12, label="h = 1e-3")
# One entry.
check_numerical_gradient(numerical_gradient, lambda z: np.sin(z[0]), np.array([0.7]),
                         expected=np.array([np.cos(0.7)]), label="x of shape (1,)")
# float32 x: accepted at float32 accuracy. Perturbing the caller's float32 array in place (CS231n's classic
# version) rounds x[i] + 1e-5 and is about 1e-3 off; a float64 copy is exact. Both are valid ways.
_x32 = _rng.uniform(0.5, 2.0, (3, 2)).astype(np.float32)
check_numerical_gradient(numerical_gradient, lambda z: np.sum(np.asarray(z, dtype=np.float64) ** 3), _x32,
                         expected=3 * _x32.astype(np.float64) ** 2, rtol=5e-3, atol=1e-4, label="float32 x")
### END HIDDEN TESTS
print("numerical_gradient: all visible tests pass ✓")


# %% [markdown]
# ## 5 · Gradient checking
#
# To check an analytic gradient $a$ (from a backward function) against a numerical one $b$, compare them
# **relatively**: gradients can be $10^{-6}$ in one model and $10^{3}$ in another, so an absolute difference says
# little. The course uses the largest element-wise relative error
#
# $$\operatorname{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max\!\left(10^{-8},\ |a_i| + |b_i|\right)} .$$
#
# The floor $10^{-8}$ on the denominator matters where both values are 0 (a weight that does not affect the loss,
# a dead ReLU): without it, $0/0$ is NaN, although two zeros agree perfectly. The maximum, not the mean, makes one
# wrong entry among thousands show.
#
# What to expect in float64 with central differences and $h = 10^{-5}$:
#
# | relative error | verdict |
# | :-- | :-- |
# | $> 10^{-2}$ | the gradient is wrong |
# | $10^{-4}$ … $10^{-2}$ | suspicious; possible only near a kink ($\lvert x\rvert$, ReLU, max) |
# | $10^{-7}$ … $10^{-4}$ | fine at kinks, suspicious for a smooth function |
# | $< 10^{-7}$ | correct; smooth functions typically give $10^{-9}$ to $10^{-11}$ |

# %% nbgrader={"grade": false, "grade_id": "rel_error", "locked": false, "schema_version": 3, "solution": true}
def rel_error(a, b):
    """Largest element-wise relative error between a and b.

    Parameters
    ----------
    a, b : floats or arrays of the same shape.

    Returns
    -------
    float : max over entries of |a - b| / max(1e-8, |a| + |b|).
    """
    ### BEGIN SOLUTION
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rel_error", "locked": true, "points": 10, "schema_version": 3, "solution": false}
from course.grading import check

# Entry 1 differs by 0.2 out of |2| + |2.2| = 4.2: 0.2 / 4.2 = 1/21.
check(rel_error, np.array([1.0, 2.0]), np.array([1.0, 2.2]), expected=1 / 21, rtol=1e-5)
# Two zero gradients agree perfectly: 0, not 0/0.
check(rel_error, np.zeros(3), np.zeros(3), expected=0.0, label="all zeros")
# Identical arrays.
check(rel_error, np.array([-3.0, 0.5]), np.array([-3.0, 0.5]), expected=0.0)
### BEGIN HIDDEN TESTS
# Opposite signs: |1 − (−1)| / (1 + 1) = 1, and one zero pair alongside.
check(rel_error, np.array([1.0, 0.0]), np.array([-1.0, 0.0]), expected=1.0, rtol=1e-5, label="opposite signs")
# The largest error is where b < a, so the sign of a − b matters.
check(rel_error, np.array([3.0, 1.0]), np.array([1.0, 1.0]), expected=0.5, rtol=1e-5)
# Plain floats.
check(rel_error, 2.0, 1.0, expected=1 / 3, rtol=1e-5, label="floats")
# Random 2-D arrays, against an explicit loop.
_rng = np.random.default_rng(13)
_a_t, _b_t = _rng.normal(size=(4, 5)), _rng.normal(size=(4, 5))
_worst = max(abs(_p - _q) / max(1e-8, abs(_p) + abs(_q)) for _p, _q in zip(_a_t.ravel(), _b_t.ravel()))
check(rel_error, _a_t, _b_t, expected=_worst, rtol=1e-5, label="random (4, 5)")
check(rel_error, _b_t, _a_t, expected=_worst, rtol=1e-5, label="arguments swapped")
# float32 inputs, a tiny disagreement.
_a32 = np.array([1.0, 2.0, 4.0], dtype=np.float32)
_b32 = np.array([1.0, 2.0, 4.001], dtype=np.float32)
check(
    rel_error,
    _a32,
    _b32,
    expected=float(abs(np.float64(_b32[2]) - 4.0) / (4.0 + np.float64(_b32[2]))),
    rtol=1e-4,
    atol=1e-9,
    label="float32",
)
### END HIDDEN TESTS
print("rel_error: all visible tests pass ✓")

# %% [markdown]
# Now use your tools on your own `graph_backward`: compare its `dw` with the numerical gradient of
# $L = \sum dy\cdot y$ with respect to $w$, and, for contrast, a version with a sign error in one of the two paths.
#
# Demo cells like this one run `with yours(...) as my:` and call `my.graph_backward` and so on: your function
# wherever you have written it, the course's own wherever you have not yet, and one line under the output names
# what was borrowed.

# %%
rng = np.random.default_rng(0)
x_g, w_g, dy_g = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
with yours(graph_forward, graph_backward, numerical_gradient, rel_error) as my:  # yours, or the course's
    dx_g, dw_g = my.graph_backward(dy_g, (x_g + w_g, w_g + 1))
    dw_num = my.numerical_gradient(lambda w_: np.sum(dy_g * my.graph_forward(x_g, w_)[0]), w_g)
    dw_wrong = dy_g * (w_g + 1) - dy_g * (x_g + w_g)        # the path through b subtracted by mistake
    print("rel_error(your dw, numerical)      =", np.char.mod("%.1e", my.rel_error(dw_g, dw_num)))
    print("rel_error(sign-error dw, numerical) =", np.char.mod("%.1e", my.rel_error(dw_wrong, dw_num)))

# %% [markdown]
# ## 6 · Learning in four steps: linear regression
#
# Every training loop in this course repeats the same four steps:
#
# 1. **Forward:** compute the predictions from the inputs and the current weights.
# 2. **Loss:** measure how wrong they are with one number.
# 3. **Backward:** compute the gradient of the loss with respect to every weight.
# 4. **Update:** move every weight a small step against its gradient.
#
# Linear regression is the simplest model to run them on. A batch $X$ of shape $(N, D)$, weights $w$ of shape
# $(D,)$ and a bias $b$ (a number) give
#
# $$\hat y = X w + b \quad (N,), \qquad L = \frac{1}{N}\sum_{n=1}^{N} (\hat y_n - y_n)^2 .$$
#
# Backward, by the chain rule with the residual $r = \hat y - y$: $\partial L/\partial \hat y_n = \tfrac{2}{N} r_n$
# (the 2 from the square, the $1/N$ from the mean), $\partial \hat y_n/\partial w_j = X_{nj}$ and
# $\partial \hat y_n/\partial b = 1$, so
#
# $$\frac{\partial L}{\partial w} = \frac{2}{N} X^\top r \quad (D,), \qquad \frac{\partial L}{\partial b} = \frac{2}{N}\sum_n r_n .$$
#
# Small numbers: $X = \begin{pmatrix}1&0\\0&1\\1&1\end{pmatrix}$, $y = (1, 2, 2)$, $w = (0.5, 0.5)$, $b = 0.25$.
# Then $\hat y = (0.75, 0.75, 1.25)$, $r = (-0.25, -1.25, -0.75)$, $L = 2.1875/3 \approx 0.7292$,
# $\partial L/\partial w = \tfrac{2}{3}(-1, -2) = (-0.6667, -1.3333)$ and $\partial L/\partial b = \tfrac{2}{3}(-2.25) = -1.5$.

# %%
X_s, y_s, w_s, b_s = (
    np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    np.array([1.0, 2.0, 2.0]),
    np.array([0.5, 0.5]),
    0.25,
)
r_s = X_s @ w_s + b_s - y_s
assert_close(np.mean(r_s**2), 2.1875 / 3, "L in the small example")
assert_close(2 / 3 * X_s.T @ r_s, np.array([-2 / 3, -4 / 3]), "∂L/∂w in the small example")
assert_close(2 / 3 * r_s.sum(), -1.5, "∂L/∂b in the small example")


# %% nbgrader={"grade": false, "grade_id": "linreg_forward", "locked": false, "schema_version": 3, "solution": true}
def linreg_forward(X, w, b):
    """Predictions of a linear model.

    Parameters
    ----------
    X : (N, D) inputs.   w : (D,) weights.   b : float, the bias.

    Returns
    -------
    y_hat : (N,), X @ w + b.
    """
    ### BEGIN SOLUTION
    return X @ w + b
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_linreg_forward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course.grading import check

# The small example: ŷ = (0.5 + 0.25, 0.5 + 0.25, 1 + 0.25).
_X_t, _w_t = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.5, 0.5])
check(linreg_forward, _X_t, _w_t, 0.25, expected=np.array([0.75, 0.75, 1.25]))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(14)
for _n, _d in [(7, 4), (1, 3), (5, 1)]:
    _X_t, _w_t, _b_t = _rng.normal(size=(_n, _d)), _rng.normal(size=_d), float(_rng.normal())
    _expected = np.array([sum(_X_t[_i, _j] * _w_t[_j] for _j in range(_d)) + _b_t for _i in range(_n)])
    check(linreg_forward, _X_t, _w_t, _b_t, expected=_expected, label=f"N={_n}, D={_d}")
_X32, _w32 = _rng.normal(size=(6, 3)).astype(np.float32), _rng.normal(size=3).astype(np.float32)
check(
    linreg_forward, _X32, _w32, -0.5, expected=_X32.astype(np.float64) @ _w32.astype(np.float64) - 0.5, label="float32"
)
### END HIDDEN TESTS
print("linreg_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "linreg_backward", "locked": false, "schema_version": 3, "solution": true}
def linreg_backward(X, y, w, b):
    """Gradient of the mean squared error L = mean((X @ w + b - y)**2) with respect to w and b.

    Parameters
    ----------
    X : (N, D) inputs.   y : (N,) targets.   w : (D,) weights.   b : float, the bias.

    Returns
    -------
    dw : (D,), (2/N) X.T @ r with the residual r = X @ w + b - y.
    db : float, (2/N) sum(r).
    """
    ### BEGIN SOLUTION
    N = X.shape[0]
    r = X @ w + b - y                # residuals, (N,)
    dw = 2.0 / N * (X.T @ r)         # (D,)
    db = 2.0 / N * np.sum(r)
    return dw, db
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_linreg_backward", "locked": true, "points": 15, "schema_version": 3, "solution": false}
from course.gradcheck import numerical_derivative as ref_derivative, numerical_gradient as ref_gradient
from course.grading import check

# The small example, computed by hand above: dw = (−2/3, −4/3), db = −1.5.
_X_t, _y_t, _w_t = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, 2.0, 2.0]), np.array([0.5, 0.5])
check(linreg_backward, _X_t, _y_t, _w_t, 0.25, expected=(np.array([-2 / 3, -4 / 3]), -1.5), out_names=("dw", "db"))
# Against the numerical gradient of the loss, on a random batch of N = 5 examples with D = 3 features.
_rng = np.random.default_rng(1)
_X_t, _y_t, _w_t, _b_t = _rng.normal(size=(5, 3)), _rng.normal(size=5), _rng.normal(size=3), 0.7
_mse = lambda w_, b_: np.mean((_X_t @ w_ + b_ - _y_t) ** 2)
_expected = (ref_gradient(lambda w_: _mse(w_, _b_t), _w_t), ref_derivative(lambda b_: _mse(_w_t, b_), _b_t))
check(linreg_backward, _X_t, _y_t, _w_t, _b_t, expected=_expected, out_names=("dw", "db"), rtol=1e-5, atol=1e-7)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(15)
for _n, _d in [(8, 3), (1, 2), (6, 1), (4, 7)]:
    _X_t, _y_t, _w_t, _b_t = (
        _rng.normal(size=(_n, _d)),
        _rng.normal(size=_n),
        _rng.normal(size=_d),
        float(_rng.normal()),
    )
    _r_t = [sum(_X_t[_i, _j] * _w_t[_j] for _j in range(_d)) + _b_t - _y_t[_i] for _i in range(_n)]
    _dw_t = np.array([2 / _n * sum(_r_t[_i] * _X_t[_i, _j] for _i in range(_n)) for _j in range(_d)])
    check(
        linreg_backward,
        _X_t,
        _y_t,
        _w_t,
        _b_t,
        expected=(_dw_t, 2 / _n * sum(_r_t)),
        out_names=("dw", "db"),
        label=f"N={_n}, D={_d}",
    )
_X32, _y32, _w32 = (_rng.normal(size=_s).astype(np.float32) for _s in [(6, 2), (6,), (2,)])
_r64 = _X32.astype(np.float64) @ _w32.astype(np.float64) + 0.1 - _y32.astype(np.float64)
check(
    linreg_backward,
    _X32,
    _y32,
    _w32,
    0.1,
    expected=(2 / 6 * _X32.astype(np.float64).T @ _r64, 2 / 6 * _r64.sum()),
    out_names=("dw", "db"),
    label="float32",
)
### END HIDDEN TESTS
print("linreg_backward: all visible tests pass ✓")


# %% [markdown]
# The update step: $w \leftarrow w - \text{lr}\cdot dw$. Return the new weights as a new array; the caller's `w`
# (and `dw`) must stay as they were, so that a training loop, or a test, still has the old values. It works for the
# bias too, a plain number.

# %% nbgrader={"grade": false, "grade_id": "gd_update", "locked": false, "schema_version": 3, "solution": true}
def gd_update(w, dw, lr):
    """One step of gradient descent.

    Parameters
    ----------
    w : array (any shape) or float, the current weights.
    dw : the gradient of the loss with respect to w, shaped like w.
    lr : float, the learning rate.

    Returns
    -------
    w_new : w - lr * dw, a new array; w and dw are left unchanged.
    """
    ### BEGIN SOLUTION
    return w - lr * dw
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gd_update", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course.grading import check

# (1, 2) − 0.1 · (0.5, −1) = (0.95, 2.1). The check also verifies that w and dw are left unchanged.
check(gd_update, np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1, expected=np.array([0.95, 2.1]))
# The small example's bias: 0.25 − 0.1 · (−1.5) = 0.4.
check(gd_update, 0.25, -1.5, 0.1, expected=0.4, label="a float bias")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(16)
_w_t, _dw_t = _rng.normal(size=(3, 4)), _rng.normal(size=(3, 4))
_expected = np.array([[_w_t[_i, _j] - 0.01 * _dw_t[_i, _j] for _j in range(4)] for _i in range(3)])
check(gd_update, _w_t, _dw_t, 0.01, expected=_expected, label="(3, 4) weights")
check(gd_update, _w_t, _dw_t, 0.0, expected=_w_t.copy(), label="lr = 0")
_w32, _dw32 = _rng.normal(size=5).astype(np.float32), _rng.normal(size=5).astype(np.float32)
check(gd_update, _w32, _dw32, 0.5, expected=_w32.astype(np.float64) - 0.5 * _dw32.astype(np.float64), label="float32")
### END HIDDEN TESTS
print("gd_update: all visible tests pass ✓")

# %% [markdown]
# Now the four steps, with your functions, on 40 noisy points around the line $y = 2x + 1$. The loop runs 100
# times from $w = 0$, $b = 0$ with lr = 0.1; the result should land next to the least-squares solution.

# %%
rng = np.random.default_rng(2)
x_line = rng.uniform(-2, 2, 40)
y_line = 2.0 * x_line + 1.0 + 0.3 * rng.standard_normal(40)
X_line = x_line[:, None]                                 # a batch of 40 examples with D = 1 feature

w, b, lr = np.zeros(1), 0.0, 0.1
losses = []
with yours(linreg_forward, linreg_backward, gd_update) as my:            # yours, or the course's
    for step in range(100):
        y_hat = my.linreg_forward(X_line, w, b)                    # 1. forward
        losses.append(np.mean((y_hat - y_line) ** 2))              # 2. loss
        dw, db = my.linreg_backward(X_line, y_line, w, b)          # 3. backward
        w, b = my.gd_update(w, dw, lr), my.gd_update(b, db, lr)    # 4. update

(w_ls, b_ls), *_ = np.linalg.lstsq(np.c_[X_line, np.ones(40)], y_line, rcond=None)
print("gradient descent: w =", np.round(w, 4), " b =", np.round(b, 4), " loss", np.round(losses[0], 3), "->",
      np.round(losses[-1], 4))
print("least squares:    w =", np.round(w_ls, 4), " b =", np.round(b_ls, 4))
show(pictures.plot_linreg_training(x_line, y_line, w, b, losses))


# %% [markdown]
# ## 7 · Gradient descent and the learning rate
#
# Repeating the update from a starting point $x_0$ gives a **path**
#
# $$x_{t+1} = x_t - \text{lr}\cdot\nabla E(x_t), \qquad t = 0, 1, \dots, T - 1,$$
#
# which holds $T + 1$ points: the start and one point per step. How large may lr be? Take the bowl
# $E(x) = \tfrac{L}{2}x^2$, whose curvature $E'' = L$ says how fast the slope changes. Its gradient is $Lx$, so one
# step multiplies $x$ by a constant factor:
#
# $$x_{t+1} = x_t - \text{lr}\,L\,x_t = (1 - \text{lr}\,L)\,x_t, \qquad x_t = (1 - \text{lr}\,L)^t\,x_0 .$$
#
# | learning rate | factor $1 - \text{lr}\,L$ | the path |
# | :-- | :-: | :-- |
# | $0 < \text{lr} < 1/L$ | between 0 and 1 | slides down smoothly |
# | $\text{lr} = 1/L$ | 0 | reaches the bottom in one step |
# | $1/L < \text{lr} < 2/L$ | between −1 and 0 | overshoots, oscillates, still converges |
# | $\text{lr} = 2/L$ | −1 | bounces between $\pm x_0$ forever |
# | $\text{lr} > 2/L$ | below −1 | overshoots further every step: **diverges** |
#
# With $L = 10$ and $x_0 = 1$: lr = 0.05 gives $1, 0.5, 0.25, \dots$; lr = 0.15 gives $1, -0.5, 0.25, \dots$;
# lr = 0.25 gives $1, -1.5, 2.25, \dots$. In several dimensions each direction has its own curvature $L_i$: the
# steepest one sets the limit $2/L$ with $L = \max_i L_i$, and the flattest one sets how slowly the rest converges.

# %% nbgrader={"grade": false, "grade_id": "gradient_descent", "locked": false, "schema_version": 3, "solution": true}
def gradient_descent(grad_fn, x0, lr, num_steps):
    """Run num_steps steps of gradient descent from x0 and return the path.

    Parameters
    ----------
    grad_fn : callable, x -> the gradient at x (shaped like x).
    x0 : float or array, the starting point. It is left unchanged.
    lr : float, the learning rate.
    num_steps : int, the number of steps.

    Returns
    -------
    path : array of shape (num_steps + 1,) + shape of x0. path[0] is x0 and path[t] the point after t steps,
        path[t + 1] = path[t] - lr * grad_fn(path[t]).
    """
    ### BEGIN SOLUTION
    x = np.array(x0, dtype=np.float64)
    path = [x]
    for _ in range(num_steps):
        x = x - lr * grad_fn(x)     # a new array: the points already stored stay as they were
        path.append(x)
    return np.array(path)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gradient_descent", "locked": true, "points": 14, "schema_version": 3, "solution": false}
from course.grading import check

# E = x² (gradient 2x) from x0 = 1 with lr = 0.25: each step halves x, so the path is 1, 1/2, 1/4, 1/8.
check(gradient_descent, lambda x: 2 * x, 1.0, 0.25, 3, expected=np.array([1.0, 0.5, 0.25, 0.125]))
# The bowl E = ½(x₁² + 10 x₂²) with lr = 0.1: each step multiplies x₁ by 1 − 0.1 = 0.9 and x₂ by 1 − 0.1·10 = 0.
check(
    gradient_descent,
    lambda x: np.array([1.0, 10.0]) * x,
    np.array([1.0, 1.0]),
    0.1,
    4,
    expected=np.array([[1.0, 1.0], [0.9, 0.0], [0.81, 0.0], [0.729, 0.0], [0.6561, 0.0]]),
)
### BEGIN HIDDEN TESTS
# Matrix-shaped x0 on a bowl with one curvature per entry; closed form x_t = (1 − lr L)^t x0.
_rng = np.random.default_rng(17)
_L_t, _x0_t = _rng.uniform(0.5, 4.0, (2, 3)), _rng.normal(size=(2, 3))
_expected = np.stack([(1 - 0.3 * _L_t) ** _t * _x0_t for _t in range(7)])
check(gradient_descent, lambda x: _L_t * x, _x0_t, 0.3, 6, expected=_expected, label="x0 of shape (2, 3)")
# Zero steps: the path is just the start.
check(gradient_descent, lambda x: _L_t * x, _x0_t, 0.3, 0, expected=_x0_t[None].copy(), label="num_steps = 0")
# Divergence past 2/L: L = 10 and lr = 0.25 multiply x by −1.5 per step.
check(
    gradient_descent,
    lambda x: 10 * x,
    np.array([1.0]),
    0.25,
    5,
    expected=(-1.5) ** np.arange(6)[:, None],
    label="lr > 2/L",
)
# A gradient that is not linear: E = Σ x⁴/4, gradient x³, stepped by an explicit recursion.
_x_t, _rows = np.array([1.0, -0.5]), [np.array([1.0, -0.5])]
for _ in range(5):
    _x_t = np.array([_v - 0.2 * _v**3 for _v in _x_t])
    _rows.append(_x_t)
check(gradient_descent, lambda x: x**3, np.array([1.0, -0.5]), 0.2, 5, expected=np.array(_rows), label="E = Σ x⁴/4")
_x32 = np.array([1.0, 2.0], dtype=np.float32)
check(
    gradient_descent,
    lambda x: 2 * x,
    _x32,
    0.1,
    3,
    expected=np.array([0.8**_t * np.array([1.0, 2.0]) for _t in range(4)]),
    label="float32 x0",
)
### END HIDDEN TESTS
print("gradient_descent: all visible tests pass ✓")

# %% [markdown]
# Your function on the three learning rates from the table ($L = 10$, $x_0 = 1$, three steps):

# %%
with yours(gradient_descent) as my:                                     # yours, or the course's
    for lr in (0.05, 0.15, 0.25):
        print(f"lr = {lr}: path {my.gradient_descent(lambda x: 10 * x, 1.0, lr, 3)}")

# %% [markdown]
# Explore it on a 1-D bowl with $L = 10$ and on a 2-D bowl with curvatures $(10, 1)$, where $1/L = 0.1$ and
# $2/L = 0.2$. Find the smooth regime, the oscillating one and divergence; in 2-D, notice how slowly the flat
# direction converges when lr must stay below $2/L$ for the steep one.

# %%
explorers.gradient_descent_explorer()

# %% [markdown]
# ## Your scorecard
# The cell below runs every test of this notebook again, against the functions you have now, and lists
# what passes and what still fails. *Validate* ends with the same summary.

# %% nbgrader={"grade": true, "grade_id": "scorecard", "locked": true, "points": 0, "schema_version": 3, "solution": false}
scorecard("02_gradients.ipynb")

# %% [markdown]
# ## Recap
#
# - The gradient is the slope of the error at the current weights, one partial derivative per weight. Its sign is
#   an instruction: zero → keep, negative → raise, positive → lower; its size says how strongly.
# - In a computational graph, backward multiplies local derivatives along each path and **adds** over the paths:
#   $y = (x + w)(w + 1)$ gives $y = 6$, $\partial y/\partial x = 2$, $\partial y/\partial w = 5$ at $x = 2$, $w = 1$.
#   A forward returns `(out, cache)`; a backward takes `(dout, cache)`.
# - The central difference $(f(x+h) - f(x-h))/2h$ has error $O(h^2)$, the forward one $O(h)$. Rounding grows like
#   $\varepsilon/h$, so the central difference is best near $h = 10^{-5}$ in float64.
# - A numerical gradient moves one entry at a time, restores it, and leaves `x` unchanged.
# - Gradient checking compares with `rel_error`: below $10^{-7}$ is correct for smooth functions, above $10^{-2}$ is wrong.
# - Learning repeats four steps: forward, loss, backward, update $w \leftarrow w - \text{lr}\cdot dw$.
# - On a bowl of curvature $L$, gradient descent converges for $0 < \text{lr} < 2/L$, oscillates past $1/L$ and
#   diverges past $2/L$.
#
# Next, lesson 03 applies the chain rule of section 3 to whole networks: backpropagation.

# %% [markdown]
# ## References
#
# - The graph of section 3, $y = (x + w)(w + 1)$ at $x = 2$, $w = 1$, is the example of Christopher Olah,
#   *Calculus on Computational Graphs: Backpropagation* (2015), written there $e = (a + b)(b + 1)$.
# - Reading a gradient's sign as an instruction to the weight (zero, negative, positive) follows Jeff Heaton,
#   *Artificial Intelligence for Humans, Volume 3: Deep Learning and Neural Networks* (2015), the chapter on
#   backpropagation training.
# - The relative error and its verdict table in section 5 follow the gradient-checking notes of Stanford's
#   *CS231n: Convolutional Neural Networks for Visual Recognition*.
