# %% [markdown]
# # 01 · Losses: measuring error
#
# A network learns by making a number smaller. That number is the **loss**: one float that says how wrong the
# predictions are on a batch. Everything else in this course (gradients, backpropagation, optimizers) exists to push
# it down, so the choice of loss decides *what* the network learns.
#
# **By the end of this notebook you will be able to**
# - write the common losses for regression (MSE, MAE, Huber, and MAPE for forecasts) and classification (binary and
#   multi-class cross-entropy, hinge) as NumPy functions that return the **mean** over the batch, as PyTorch does by
#   default;
# - derive and code the gradient of each loss with respect to the predictions, and check it numerically;
# - compute softmax and cross-entropy without overflow, even for logits of ±1000;
# - explain which loss suits which task, why one outlier can move an MSE fit but barely an MAE fit, and why MAPE
#   explodes for targets near 0;
# - add an L2 penalty to a loss, as in regularized logistic regression.
#
# **How this notebook works.** Each graded function sits in a cell with `# YOUR CODE HERE`. The cell right after it
# tests your function and tells you what looks wrong (a flipped sign, a missing 1/N, a wrong axis …). Run a test cell
# as often as you like; when every test cell prints ✓, use *Validate* and submit.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np

from course.grading import check, check_gradient
from course.widgets import losses as explore
from course.demo import yours
from course.grading import scorecard


# %% [markdown]
# ## 1 · Conventions
#
# - Predictions and targets are NumPy arrays, **batch first**: `y_pred` of shape `(N,)` or `(N, D)`.
# - A loss returns **one Python float**: the mean over the batch. For element-wise losses (MSE, MAE, Huber, MAPE,
#   binary cross-entropy) the mean runs over every element, like `torch.nn.functional.mse_loss(reduction="mean")`.
# - Each `*_backward(y_pred, y)` returns $\partial L / \partial \hat y$, the gradient of **exactly that float** with
#   respect to its first argument, in the same shape as `y_pred`. Because the loss is a mean, every gradient carries
#   the mean's factor $1/N$, with $N$ the number of terms averaged: every element for the element-wise losses
#   ($N \cdot D$ of them for an `(N, D)` array), the rows for cross-entropy and the hinge losses.
# - Functions never change their inputs, and accept float32 as well as float64 arrays.

# %% [markdown]
# ## 2 · Regression losses
#
# ### Mean squared error
# With residuals $r_i = \hat y_i - y_i$,
# $$L_{\text{MSE}} = \frac1N \sum_{i=1}^N r_i^2, \qquad \frac{\partial L}{\partial \hat y_i} = \frac{2 r_i}{N}.$$
#
# **By hand.** $\hat y = (1, 2, 4)$ and $y = (1, 0, 1)$ give residuals $(0, 2, 3)$, squares $(0, 4, 9)$, so
# $L = 13/3 \approx 4.333$ and the gradient is $\tfrac{2}{3}(0, 2, 3) = (0, 1.333, 2)$. Squaring makes large residuals
# count much more than small ones: the point that is off by 3 contributes 9 of the 13.

# %% nbgrader={"grade": false, "grade_id": "mse_forward", "locked": false, "schema_version": 3, "solution": true}
def mse_forward(y_pred, y):
    """Mean squared error.

    Parameters
    ----------
    y_pred, y : arrays of the same shape, (N,) or (N, D)

    Returns
    -------
    float : mean of (y_pred - y)**2 over all elements
    """
    ### BEGIN SOLUTION
    return float(np.mean((y_pred - y) ** 2))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mse_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
# Hand-worked example from the text: residuals (0, 2, 3) → squares (0, 4, 9) → mean 13/3
check(mse_forward, np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0]), expected=13 / 3)
# The same numbers as a (3, 1) column, and a (2, 2) batch: the mean runs over every element
check(mse_forward, np.array([[1.0], [2.0], [4.0]]), np.array([[1.0], [0.0], [1.0]]), expected=13 / 3)
check(mse_forward, np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2)), expected=7.5)
### BEGIN HIDDEN TESTS
from course import losses as _ref
_rng = np.random.default_rng(101)
for _shape in [(1,), (8,), (6, 3), (1, 1)]:
    _a, _b = _rng.normal(size=_shape) * 3, _rng.normal(size=_shape)
    check(mse_forward, _a, _b, expected=_ref.mse_forward(_a, _b), label=f"shape {_shape}")
_a32, _b32 = _a.astype(np.float32), _b.astype(np.float32)
check(mse_forward, _a32, _b32, expected=_ref.mse_forward(_a32, _b32), label="float32 inputs")
### END HIDDEN TESTS
print("mse_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "mse_backward", "locked": false, "schema_version": 3, "solution": true}
def mse_backward(y_pred, y):
    """Gradient of mse_forward with respect to y_pred.

    Returns
    -------
    array shaped like y_pred : 2 (y_pred - y) / (number of elements)
    """
    ### BEGIN SOLUTION
    return 2.0 * (y_pred - y) / y_pred.size
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mse_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from course import losses as _ref

# Hand-worked: 2/3 · (0, 2, 3)
check(mse_backward, np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0]), expected=np.array([0.0, 4 / 3, 2.0]))
# Numerical gradient check on a (4, 3) batch: the mean divides by all 12 elements
_yp, _y = np.random.default_rng(0).normal(size=(2, 4, 3))
check_gradient(mse_backward, _yp, _y, loss=_ref.mse_forward)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(102)
for _shape in [(1,), (9,), (5, 2)]:
    _a, _b = _rng.normal(size=(2, *_shape))
    check_gradient(mse_backward, _a, _b, loss=_ref.mse_forward, label=f"shape {_shape}")
check(
    mse_backward,
    _a.astype(np.float32),
    _b.astype(np.float32),
    expected=_ref.mse_backward(_a.astype(np.float32), _b.astype(np.float32)),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("mse_backward: all visible tests pass ✓")


# %% [markdown]
# ### Mean absolute error
# $$L_{\text{MAE}} = \frac1N \sum_i |r_i|, \qquad \frac{\partial L}{\partial \hat y_i} = \frac{\operatorname{sign}(r_i)}{N}.$$
#
# $|r|$ has no derivative at $r = 0$. Any slope between −1 and +1 is a valid *subgradient* there; the course (like
# `np.sign` and PyTorch) uses **0**: when a prediction is exactly right it should not be pushed either way.
#
# Every point pulls with the same strength $1/N$, however far off it is. That is why MAE shrugs off outliers, and also
# why plain gradient descent on it never slows down near the minimum.
#
# **By hand.** For the same numbers, $L = (0 + 2 + 3)/3 = 5/3$ and the gradient is $(0, 1, 1)/3$: the first point is a
# tie and gets 0.

# %% nbgrader={"grade": false, "grade_id": "mae_forward", "locked": false, "schema_version": 3, "solution": true}
def mae_forward(y_pred, y):
    """Mean absolute error: the mean of |y_pred - y| over all elements, as a float."""
    ### BEGIN SOLUTION
    return float(np.mean(np.abs(y_pred - y)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mae_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
check(mae_forward, np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0]), expected=5 / 3)
check(mae_forward, np.array([[-1.0, 2.0], [3.0, -4.0]]), np.zeros((2, 2)), expected=2.5)
### BEGIN HIDDEN TESTS
from course import losses as _ref
_rng = np.random.default_rng(103)
for _shape in [(1,), (8,), (6, 3), (1, 1)]:
    _a, _b = _rng.normal(size=_shape) * 3, _rng.normal(size=_shape)
    check(mae_forward, _a, _b, expected=_ref.mae_forward(_a, _b), label=f"shape {_shape}")
_a32, _b32 = _a.astype(np.float32), _b.astype(np.float32)
check(mae_forward, _a32, _b32, expected=_ref.mae_forward(_a32, _b32), label="float32 inputs")
### END HIDDEN TESTS
print("mae_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "mae_backward", "locked": false, "schema_version": 3, "solution": true}
def mae_backward(y_pred, y):
    """Subgradient of mae_forward: sign(y_pred - y) / (number of elements), with 0 where y_pred == y."""
    ### BEGIN SOLUTION
    return np.sign(y_pred - y) / y_pred.size
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mae_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from course import losses as _ref

# The first point is a tie (1 == 1): its subgradient is 0
check(mae_backward, np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0]), expected=np.array([0.0, 1.0, 1.0]) / 3)
check(mae_backward, np.array([0.0, -2.0]), np.array([1.0, -2.0]), expected=np.array([-0.5, 0.0]))
# Away from ties the numerical gradient agrees
_yp, _y = np.random.default_rng(1).normal(size=(2, 6))
check_gradient(mae_backward, _yp, _y, loss=_ref.mae_forward)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(104)
_a = _rng.normal(size=(5, 4))
_b = _a.copy()
_b[::2] += _rng.normal(size=(3, 4))
check(mae_backward, _a, _b, expected=_ref.mae_backward(_a, _b), label="rows of ties")
check(mae_backward, _a[:1], _b[:1] + 1.0, expected=_ref.mae_backward(_a[:1], _b[:1] + 1.0), label="N=1")
check(
    mae_backward,
    _a.astype(np.float32),
    _b.astype(np.float32),
    expected=_ref.mae_backward(_a.astype(np.float32), _b.astype(np.float32)),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("mae_backward: all visible tests pass ✓")


# %% [markdown]
# ### Huber loss: quadratic near zero, linear far away
# $$\ell_\delta(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\ \delta\,(|r| - \tfrac12 \delta) & |r| > \delta \end{cases}
# \qquad L = \frac1N \sum_i \ell_\delta(r_i), \qquad
# \frac{\partial L}{\partial \hat y_i} = \frac{\operatorname{clip}(r_i, -\delta, \delta)}{N}.$$
#
# The $-\tfrac12\delta$ makes the two pieces meet at $|r| = \delta$ with the same value *and* the same slope.
#
# **What δ does.** δ is the residual at which Huber stops being quadratic. Inside $|r| \le \delta$ a point costs
# $\tfrac12 r^2$, *half* its squared error, and pulls with its residual $r$ (MSE pulls with $2r$). Beyond δ it costs
# a straight line of slope δ and pulls with a constant $\pm\delta$, as MAE does with $\pm 1$. So a large δ (larger than
# every residual) makes Huber $\tfrac12 \times$ MSE, and a small δ makes it nearly $\delta \times$ MAE: δ says which
# residuals count as ordinary noise and which as outliers whose pull is capped. This is PyTorch's `huber_loss`;
# PyTorch's `smooth_l1_loss` is the same loss divided by δ (its $\beta$), so do not mix them up.
#
# **By hand** ($\delta = 1$). Residuals $(0.5, 2, -3)$ give $(0.125,\ 1.5,\ 2.5)$, mean $1.375$; gradient
# $(0.5, 1, -1)/3$.

# %% nbgrader={"grade": false, "grade_id": "huber_forward", "locked": false, "schema_version": 3, "solution": true}
def huber_forward(y_pred, y, delta=1.0):
    """Huber loss (torch.nn.functional.huber_loss), mean over all elements, as a float.

    0.5 r**2 where |r| <= delta, delta * (|r| - 0.5 delta) elsewhere, with r = y_pred - y.
    """
    ### BEGIN SOLUTION
    r = np.abs(y_pred - y)
    return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_huber_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
check(huber_forward, np.array([0.5, 2.0, -3.0]), np.zeros(3), expected=1.375)
# With delta = 2 the residual 2 is still inside the quadratic zone: (0.125 + 2 + 2·(3 − 1)) / 3
check(huber_forward, np.array([0.5, 2.0, -3.0]), np.zeros(3), kwargs={"delta": 2.0}, expected=(0.125 + 2 + 4) / 3,
      label="delta=2")
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(105)
for _shape in [(1,), (8,), (6, 3), (1, 1)]:
    _a, _b = _rng.normal(size=_shape) * 3, _rng.normal(size=_shape)
    check(
        huber_forward,
        _a,
        _b,
        kwargs={'delta': 0.7},
        expected=_ref.huber_forward(_a, _b, delta=0.7),
        label=f"shape {_shape}, delta=0.7",
    )
_a32, _b32 = _a.astype(np.float32), _b.astype(np.float32)
check(
    huber_forward,
    _a32,
    _b32,
    kwargs={'delta': 0.7},
    expected=_ref.huber_forward(_a32, _b32, delta=0.7),
    label="float32 inputs, delta=0.7",
)
### END HIDDEN TESTS
print("huber_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "huber_backward", "locked": false, "schema_version": 3, "solution": true}
def huber_backward(y_pred, y, delta=1.0):
    """Gradient of huber_forward with respect to y_pred: clip(r, -delta, delta) / (number of elements)."""
    ### BEGIN SOLUTION
    return np.clip(y_pred - y, -delta, delta) / y_pred.size
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_huber_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from course import losses as _ref

check(huber_backward, np.array([0.5, 2.0, -3.0]), np.zeros(3), expected=np.array([0.5, 1.0, -1.0]) / 3)
_yp, _y = np.random.default_rng(2).normal(size=(2, 4, 2)) * 2
check_gradient(huber_backward, _yp, _y, loss=_ref.huber_forward)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(106)
for _delta in [0.3, 1.0, 2.5]:
    _a, _b = _rng.normal(size=(2, 7, 3)) * 2
    check(
        huber_backward,
        _a,
        _b,
        kwargs={"delta": _delta},
        expected=_ref.huber_backward(_a, _b, _delta),
        label=f"delta={_delta}",
    )
check(huber_backward, _a[:1, :1], _b[:1, :1], expected=_ref.huber_backward(_a[:1, :1], _b[:1, :1]), label="N=1")
check(
    huber_backward,
    _a.astype(np.float32),
    _b.astype(np.float32),
    expected=_ref.huber_backward(_a.astype(np.float32), _b.astype(np.float32)),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("huber_backward: all visible tests pass ✓")

# %% [markdown]
# ### See the difference
# The left panel shows each loss as a function of one residual; the right panel its derivative, which is how hard
# that point pulls on the fit. Move δ: inside the shaded band $|r| \le \delta$ Huber's pull is the residual itself
# (half of MSE's), outside it stays at $\pm\delta$. A large δ turns Huber into half of MSE; a small one flattens it
# toward δ × MAE.

# %%
explore.regression_loss_explorer()

# %% [markdown]
# Now fit a line to 20 clean points plus **one outlier** that you can move. Under MSE the outlier's pull grows with its
# distance, so the whole line tilts toward it; under MAE and Huber its pull is capped, and the line stays with the data.

# %%
explore.outlier_fit_explorer()


# %% [markdown]
# ### MAPE: the error relative to the target (forecasting)
#
# Forecasts of sales, demand or traffic are usually judged *relative to the size of what happened*: missing by 10 when
# 100 items sold is as bad as missing by 1 when 10 sold. The **mean absolute percentage error** divides each absolute
# residual by the size of its target:
# $$L_{\text{MAPE}} = \frac1N \sum_i \frac{|\hat y_i - y_i|}{\max(|y_i|, \varepsilon)}, \qquad
# \frac{\partial L}{\partial \hat y_i} = \frac{\operatorname{sign}(\hat y_i - y_i)}{N \max(|y_i|, \varepsilon)}.$$
#
# - It is a **fraction**: 0.25 means 25 % off. (This is the formula of scikit-learn's
#   `mean_absolute_percentage_error`; multiply by 100 only to print a percentage.)
# - The denominator is the size of the **true** value $|y_i|$, never the prediction, and it is floored at
#   $\varepsilon$ = `np.finfo(np.float64).eps` $\approx 2.2 \times 10^{-16}$ so that a target of exactly 0 does not
#   divide by zero. With so small an ε the floor changes nothing else; the tests also pass a large ε (say 1) to see
#   that you use the one you are given.
# - As for MAE, the subgradient at a tie ($\hat y_i = y_i$) is 0. Like MAE's, each point's pull does not grow with its
#   miss, but it is $1/(N|y_i|)$ instead of $1/N$: small targets pull hardest.
#
# **By hand.** $\hat y = (110, 45, 3, -4)$ and $y = (100, 50, 2, -5)$: the misses $10, 5, 1, 1$ divided by
# $|y| = 100, 50, 2, 5$ give $0.1, 0.1, 0.5, 0.2$, so $L = 0.9/4 = 0.225$ (22.5 %). The gradient is
# $\big(\tfrac{1}{100}, -\tfrac{1}{50}, \tfrac12, \tfrac15\big)/4 = (0.0025, -0.005, 0.125, 0.05)$: the miss of 1 on
# a target of 2 costs five times the miss of 10 on 100, and pulls fifty times harder.

# %% nbgrader={"grade": false, "grade_id": "mape_forward", "locked": false, "schema_version": 3, "solution": true}
def mape_forward(y_pred, y, eps=2.220446049250313e-16):
    """Mean absolute percentage error, as a fraction (not x 100), as a float.

    mean of |y_pred - y| / max(|y|, eps) over all elements; eps defaults to np.finfo(np.float64).eps.
    """
    ### BEGIN SOLUTION
    return float(np.mean(np.abs(y_pred - y) / np.maximum(np.abs(y), eps)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mape_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
# Hand-worked example from the text: (10/100 + 5/50 + 1/2 + 1/5) / 4
check(mape_forward, np.array([110.0, 45.0, 3.0, -4.0]), np.array([100.0, 50.0, 2.0, -5.0]), expected=0.225)
# eps = 1 floors the denominators at 1: max(|y|, 1) = (1, 1, 2, 4), so (0.75/1 + 0.5/1 + 1/2 + 2/4) / 4
check(mape_forward, np.array([1.0, 1.0, 1.0, -2.0]), np.array([0.25, 0.5, 2.0, -4.0]), kwargs={"eps": 1.0},
      expected=0.5625, label="eps=1")
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(120)
for _shape in [(1,), (8,), (6, 3), (1, 1)]:
    _b = _rng.normal(size=_shape) * 5
    _a = _b + _rng.normal(size=_shape)
    check(mape_forward, _a, _b, expected=_ref.mape_forward(_a, _b), label=f"shape {_shape}")
    check(mape_forward, _a, _b, kwargs={"eps": 2.0}, expected=_ref.mape_forward(_a, _b, 2.0),
          label=f"shape {_shape}, eps=2")
# A target of exactly 0 is divided by eps: huge, but finite
check(mape_forward, np.array([0.5, 3.0]), np.array([0.0, 2.0]), expected=_ref.mape_forward([0.5, 3.0], [0.0, 2.0]),
      label="a zero target")
_a32, _b32 = _a.astype(np.float32), _b.astype(np.float32)
check(mape_forward, _a32, _b32, expected=_ref.mape_forward(_a32, _b32), label="float32 inputs")
### END HIDDEN TESTS
print("mape_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "mape_backward", "locked": false, "schema_version": 3, "solution": true}
def mape_backward(y_pred, y, eps=2.220446049250313e-16):
    """Subgradient of mape_forward with respect to y_pred: sign(y_pred - y) / max(|y|, eps) / (number of elements).

    0 where y_pred == y. Returns an array shaped like y_pred.
    """
    ### BEGIN SOLUTION
    return np.sign(y_pred - y) / np.maximum(np.abs(y), eps) / y_pred.size
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mape_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from course import losses as _ref

# Hand-worked: (+1/100, −1/50, +1/2, +1/5) / 4
check(mape_backward, np.array([110.0, 45.0, 3.0, -4.0]), np.array([100.0, 50.0, 2.0, -5.0]),
      expected=np.array([0.0025, -0.005, 0.125, 0.05]))
# A tie (the second point) gets 0; eps = 1 floors the denominators at 1
check(mape_backward, np.array([1.0, 0.5, 1.0, -2.0]), np.array([0.25, 0.5, 2.0, -4.0]), kwargs={"eps": 1.0},
      expected=np.array([1.0, 0.0, -0.5, 0.25]) / 4, label="eps=1, a tie at index 1")
# Numerical gradient check on a (4, 3) batch (no ties)
_y = np.random.default_rng(8).normal(size=(4, 3)) * 3
_yp = _y + np.random.default_rng(9).normal(size=(4, 3))
check_gradient(mape_backward, _yp, _y, loss=_ref.mape_forward)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(121)
for _shape in [(1,), (9,), (5, 2)]:
    _b = _rng.normal(size=_shape) * 4
    _a = _b + _rng.normal(size=_shape)
    check_gradient(mape_backward, _a, _b, loss=_ref.mape_forward, label=f"shape {_shape}")
    check_gradient(mape_backward, _a, _b, 0.8, loss=_ref.mape_forward, label=f"shape {_shape}, eps=0.8")
_b = _rng.normal(size=(4, 3)) * 4
_a = _b.copy()
_a[::2] += _rng.normal(size=(2, 3))
check(mape_backward, _a, _b, expected=_ref.mape_backward(_a, _b), label="rows of ties")
check(mape_backward, np.array([0.5, 3.0]), np.array([0.0, 2.0]), expected=_ref.mape_backward([0.5, 3.0], [0.0, 2.0]),
      label="a zero target")
_a32, _b32 = _a.astype(np.float32), _b.astype(np.float32)
check(mape_backward, _a32, _b32, expected=_ref.mape_backward(_a32, _b32), label="float32 inputs")
### END HIDDEN TESTS
print("mape_backward: all visible tests pass ✓")

# %% [markdown]
# ### Why MAPE explodes near 0, and why it is lopsided
#
# - **It explodes near $y = 0$.** Each term is divided by $|y_i|$, so a target close to 0 turns a tiny miss into an
#   enormous percentage, and its pull $1/|y_i|$ drowns every other point. A target of exactly 0 with a miss of 0.5
#   adds $0.5/\varepsilon \approx 2 \times 10^{15}$, divided by $N$. Use MAPE only for quantities that stay well away
#   from 0 (the sales of a busy shop, not a temperature in °C or a daily profit).
# - **It is asymmetric.** The same two numbers cost differently depending on which one was the forecast: forecasting
#   150 when 100 happens costs $50/100 = 0.5$, forecasting 100 when 150 happens costs $50/150 \approx 0.33$. A
#   forecast that cannot go below 0 can be at most 100 % too low, but any amount too high. And the strongest pulls,
#   $1/|y_i|$, come from the smallest targets, which sit below most forecasts: they pull *down*, so a model trained on
#   MAPE learns to forecast low.
#
# Try the first point with your own `mape_forward`: a shop's sales over a week, forecast 5 too high every day, and on
# the last day the shop was nearly closed.

# %%
sold = np.array([120.0, 95.0, 130.0, 110.0, 105.0, 140.0, 1.0])
forecast = sold + 5.0
with yours(mape_forward) as my:
    print("MAPE over the first six days:", my.mape_forward(forecast[:6], sold[:6]))
    print("MAPE over all seven days:    ", my.mape_forward(forecast, sold))

# %% [markdown]
# The same miss of 5 is about 4 % of an ordinary day and 500 % of the quiet one, which alone lifts the week's MAPE from
# about 0.04 to 0.75.
#
# Now move the forecast $\hat y$ below. The left panel is the MAPE of one point against the value $y$ that really
# happens; the right panel its gradient, how hard that point pulls the forecast (positive: down).

# %%
explore.mape_explorer()


# %% [markdown]
# ## 3 · Binary classification: cross-entropy on probabilities and on logits
#
# A binary classifier outputs $p = P(y = 1 \mid x)$. The **binary cross-entropy** is the negative log-likelihood of the
# labels $y \in \{0, 1\}$:
# $$L_{\text{BCE}} = -\frac1N \sum_i \big[\, y_i \log p_i + (1 - y_i) \log(1 - p_i) \,\big], \qquad
# \frac{\partial L}{\partial p_i} = \frac1N\,\frac{p_i - y_i}{p_i (1 - p_i)}.$$
#
# $\log 0 = -\infty$, so a model that is *certain* and wrong would give an infinite loss. We clip $p$ into
# $[\varepsilon, 1 - \varepsilon]$ with $\varepsilon = 10^{-12}$ first; the backward uses the same clipped $p$.
#
# **By hand.** $p = (0.9, 0.2)$, $y = (1, 0)$: $L = -(\log 0.9 + \log 0.8)/2 = 0.164252$; gradient
# $\big(\tfrac{-0.1}{0.09}, \tfrac{0.2}{0.16}\big)/2 = (-0.5556, 0.625)$.

# %% nbgrader={"grade": false, "grade_id": "bce_forward", "locked": false, "schema_version": 3, "solution": true}
def bce_forward(p, y, eps=1e-12):
    """Binary cross-entropy of probabilities p against labels y in {0, 1}; mean over all elements, as a float.

    p is clipped to [eps, 1 - eps] before taking logs.
    """
    ### BEGIN SOLUTION
    p = np.clip(p, eps, 1.0 - eps)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bce_forward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
check(bce_forward, np.array([0.9, 0.2]), np.array([1.0, 0.0]), expected=0.16425203348601893)
# Certain and wrong: clipping keeps the loss finite (−log 1e-12 ≈ 27.63 for that element)
check(bce_forward, np.array([0.0, 1.0]), np.array([1.0, 1.0]), expected=-np.log(1e-12) / 2, rtol=1e-4)
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(107)
for _shape in [(1,), (10,), (4, 3)]:
    _p, _y = _rng.uniform(0.01, 0.99, size=_shape), _rng.integers(0, 2, size=_shape).astype(float)
    check(bce_forward, _p, _y, expected=_ref.bce_forward(_p, _y), label=f"shape {_shape}")
check(bce_forward, _p, _y, kwargs={"eps": 1e-3}, expected=_ref.bce_forward(_p, _y, eps=1e-3), label="eps=1e-3")
check(
    bce_forward,
    np.array([1.0, 0.0, 1.0]),
    np.array([1.0, 0.0, 0.0]),
    expected=_ref.bce_forward(np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])),
    rtol=1e-4,
    label="p of exactly 0 and 1",
)
check(
    bce_forward,
    _p.astype(np.float32),
    _y.astype(np.float32),
    expected=_ref.bce_forward(_p.astype(np.float32), _y),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("bce_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "bce_backward", "locked": false, "schema_version": 3, "solution": true}
def bce_backward(p, y, eps=1e-12):
    """Gradient of bce_forward with respect to p, evaluated at the clipped p.

    (p - y) / (p (1 - p)) / (number of elements)
    """
    ### BEGIN SOLUTION
    pc = np.clip(p, eps, 1.0 - eps)
    return (pc - y) / (pc * (1.0 - pc)) / p.size
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bce_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from course import losses as _ref

check(bce_backward, np.array([0.9, 0.2]), np.array([1.0, 0.0]), expected=np.array([-0.1 / 0.09, 0.2 / 0.16]) / 2)
_p = np.random.default_rng(3).uniform(0.05, 0.95, size=(3, 2))
_y = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
check_gradient(bce_backward, _p, _y, loss=_ref.bce_forward)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(108)
_p, _y = _rng.uniform(0.01, 0.99, size=12), _rng.integers(0, 2, size=12).astype(float)
check_gradient(bce_backward, _p, _y, loss=_ref.bce_forward, label="random batch")
check(bce_backward, _p[:1], _y[:1], expected=_ref.bce_backward(_p[:1], _y[:1]), label="N=1")
# At p of exactly 0 or 1 only finiteness is required
_g = check(
    bce_backward,
    np.array([0.0, 1.0]),
    np.array([1.0, 0.0]),
    expected=_ref.bce_backward(np.array([0.0, 1.0]), np.array([1.0, 0.0])),
    rtol=1e-3,
    label="p of exactly 0 and 1",
)
check(
    bce_backward,
    _p.astype(np.float32),
    _y.astype(np.float32),
    expected=_ref.bce_backward(_p.astype(np.float32), _y),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("bce_backward: all visible tests pass ✓")


# %% [markdown]
# ### Working with logits instead
#
# Networks usually output a **logit** $z$ and let $p = \sigma(z) = 1/(1 + e^{-z})$. Composing the two by hand is
# fragile: for $z = -1000$, `np.exp(1000)` overflows and $\sigma(z)$ rounds to exactly 0. Instead, simplify the algebra
# first. With $\log \sigma(z) = -\log(1 + e^{-z})$ and $\log(1 - \sigma(z)) = -z - \log(1 + e^{-z})$,
# $$\ell(z, y) = \max(z, 0) - z\,y + \log\!\big(1 + e^{-|z|}\big),$$
# where the exponent $-|z|$ is never positive, so nothing overflows (`np.log1p` keeps the small values accurate).
# The gradient is beautifully simple:
# $$\frac{\partial L}{\partial z_i} = \frac{\sigma(z_i) - y_i}{N}.$$
# This is `torch.nn.BCEWithLogitsLoss`, and the reason frameworks ask for logits.
#
# **By hand.** $z = (2, -1)$, $y = (1, 0)$: $\big(\log(1 + e^{-2}) + \log(1 + e^{-1})\big)/2 = (0.126928 + 0.313262)/2 = 0.220095$.

# %% [markdown]
# **Stuck on `bce_with_logits_forward`?** Open one hint at a time.
#
# <details><summary>Hint 1 · where to start</summary>
#
# Work with one element and write $p = \sigma(z)$. Put the two identities above into
# $\ell = -\big[y \log p + (1 - y) \log(1 - p)\big]$ and collect the terms: the $y\log(1 + e^{-z})$ pieces cancel and
# you get
# $$\ell(z, y) = (1 - y)\,z + \log(1 + e^{-z}) = z + \log(1 + e^{-z}) - z\,y.$$
# This is exact, but for $z = -1000$ it still asks for $e^{1000}$, which overflows.
#
# </details>
# <details><summary>Hint 2 · removing the overflow</summary>
#
# Only $z + \log(1 + e^{-z})$ is dangerous. For $z \ge 0$ leave it alone: $e^{-z} \le 1$. For $z < 0$ factor out
# $e^{-z}$: $\log(1 + e^{-z}) = -z + \log(1 + e^{z})$, so $z + \log(1 + e^{-z}) = \log(1 + e^{z})$, with $e^{z} \le 1$.
# Both cases are one formula:
# $$z + \log(1 + e^{-z}) = \max(z, 0) + \log(1 + e^{-|z|}).$$
# Subtract $z\,y$, take the mean over every element, and return a float. `np.maximum`, `np.abs` and `np.log1p` do
# each piece element-wise. Check yourself with $y = 1$: the loss is 0 at $z = 1000$ and 1000 at $z = -1000$.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "bce_with_logits_forward", "locked": false, "schema_version": 3, "solution": true}
def bce_with_logits_forward(z, y):
    """Binary cross-entropy on logits z (labels y in {0, 1}), mean over all elements, stable for any z."""
    ### BEGIN SOLUTION
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bce_with_logits_forward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
check(
    bce_with_logits_forward,
    np.array([2.0, -1.0]),
    np.array([1.0, 0.0]),
    expected=(np.log1p(np.exp(-2.0)) + np.log1p(np.exp(-1.0))) / 2,
)
# Logits of ±1000: confident and right costs 0, confident and wrong costs 1000 per element
check(bce_with_logits_forward, np.array([1000.0, -1000.0]), np.array([1.0, 1.0]), expected=500.0)
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(109)
for _scale in [1.0, 30.0, 800.0]:
    _z, _y = _rng.normal(size=(6, 2)) * _scale, _rng.integers(0, 2, size=(6, 2)).astype(float)
    check(
        bce_with_logits_forward,
        _z,
        _y,
        expected=_ref.bce_with_logits_forward(_z, _y),
        label=f"logits of scale {_scale}",
    )
check(
    bce_with_logits_forward,
    _z[:1, :1],
    _y[:1, :1],
    expected=_ref.bce_with_logits_forward(_z[:1, :1], _y[:1, :1]),
    label="N=1",
)
check(
    bce_with_logits_forward,
    _z.astype(np.float32),
    _y.astype(np.float32),
    expected=_ref.bce_with_logits_forward(_z.astype(np.float32), _y),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("bce_with_logits_forward: all visible tests pass ✓")


# %% [markdown]
# **Stuck on `bce_with_logits_backward`?**
#
# <details><summary>Hint 1 · where to start</summary>
#
# Differentiate one element of Hint 1's $\ell = z + \log(1 + e^{-z}) - z\,y$:
# $\frac{d}{dz}\log(1 + e^{-z}) = \frac{-e^{-z}}{1 + e^{-z}} = \sigma(z) - 1$, so $\partial\ell/\partial z = \sigma(z) - y$.
# The loss is a mean, so divide by the number of elements.
#
# </details>
# <details><summary>Hint 2 · a sigmoid that never overflows</summary>
#
# $1/(1 + e^{-z})$ overflows for $z = -1000$. Compute $e = e^{-|z|}$ instead, which lies in $(0, 1]$, and use the two
# equal forms of the sigmoid:
# $$\sigma(z) = \frac{1}{1 + e} \ \text{ where } z \ge 0, \qquad \sigma(z) = \frac{e}{1 + e} \ \text{ where } z < 0.$$
# `np.where` picks one per element. At $z = \pm 1000$, $e$ underflows harmlessly to 0 and $\sigma$ is exactly 1 or 0.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "bce_with_logits_backward", "locked": false, "schema_version": 3, "solution": true}
def bce_with_logits_backward(z, y):
    """Gradient of bce_with_logits_forward with respect to z: (sigmoid(z) - y) / (number of elements).

    Compute the sigmoid without overflow for z = ±1000.
    """
    ### BEGIN SOLUTION
    e = np.exp(-np.abs(z))
    sig = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return (sig - y) / z.size
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bce_with_logits_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
from course import losses as _ref

check(bce_with_logits_backward, np.array([0.0, 0.0]), np.array([1.0, 0.0]), expected=np.array([-0.25, 0.25]))
_z, _y = (
    np.random.default_rng(4).normal(size=(4, 3)),
    np.random.default_rng(5).integers(0, 2, size=(4, 3)).astype(float),
)
check_gradient(bce_with_logits_backward, _z, _y, loss=_ref.bce_with_logits_forward)
# Extreme logits: σ(1000) = 1 and σ(−1000) = 0, with no overflow
check(bce_with_logits_backward, np.array([1000.0, -1000.0]), np.array([0.0, 1.0]), expected=np.array([0.5, -0.5]))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(110)
for _scale in [1.0, 50.0, 1000.0]:
    _z, _y = _rng.normal(size=(7,)) * _scale, _rng.integers(0, 2, size=7).astype(float)
    check(
        bce_with_logits_backward,
        _z,
        _y,
        expected=_ref.bce_with_logits_backward(_z, _y),
        label=f"logits of scale {_scale}",
    )
check(
    bce_with_logits_backward,
    _z.astype(np.float32),
    _y.astype(np.float32),
    expected=_ref.bce_with_logits_backward(_z.astype(np.float32), _y),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("bce_with_logits_backward: all visible tests pass ✓")


# %% [markdown]
# ## 4 · Many classes: softmax and cross-entropy
#
# With $C$ classes a network outputs one logit per class, $z_i \in \mathbb{R}^C$ for each example (a row of `logits`,
# shape `(N, C)`). **Softmax** turns a row into probabilities:
# $$\operatorname{softmax}(z)_c = \frac{e^{z_c}}{\sum_k e^{z_k}}.$$
#
# Adding the same number to every logit of a row does not change the result, because the factor cancels. So subtract
# the row's maximum first: the largest exponent becomes $e^0 = 1$ and nothing can overflow. Without it, a logit of 1000
# gives `inf / inf = nan`.
#
# **By hand.** $z = (1, 2, 3)$: subtract 3 → $(-2, -1, 0)$ → $e^{\cdot} = (0.1353, 0.3679, 1)$, sum $1.5032$ →
# $(0.0900, 0.2447, 0.6652)$.

# %% nbgrader={"grade": false, "grade_id": "softmax", "locked": false, "schema_version": 3, "solution": true}
def softmax(z):
    """Row-wise softmax of logits z, shape (N, C): each row of the result is positive and sums to 1.

    Stable for logits up to ±1000.
    """
    ### BEGIN SOLUTION
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_softmax", "locked": true, "points": 6, "schema_version": 3, "solution": false}
_e = np.exp([-2.0, -1.0, 0.0])
check(softmax, np.array([[1.0, 2.0, 3.0]]), expected=(_e / _e.sum())[None, :])
# Two rows, three classes: each row on its own; the second row is the first shifted by 10 (same probabilities)
check(softmax, np.array([[1.0, 2.0, 3.0], [11.0, 12.0, 13.0]]), expected=np.tile(_e / _e.sum(), (2, 1)))
# Logits of ±1000 must not overflow
check(softmax, np.array([[1000.0, 0.0, -1000.0]]), expected=np.array([[1.0, 0.0, 0.0]]))
### BEGIN HIDDEN TESTS
from course import losses as _ref
_rng = np.random.default_rng(111)
for _shape in [(1, 4), (5, 3), (4, 4), (3, 7)]:
    _z = _rng.normal(size=_shape) * 3
    check(softmax, _z, expected=_ref.softmax(_z), label=f"shape {_shape}")
_z = _rng.normal(size=(4, 5)) * 1000
check(softmax, _z, expected=_ref.softmax(_z), label="logits of ±1000")
check(softmax, _z.astype(np.float32), expected=_ref.softmax(_z.astype(np.float32)), label="float32 logits of ±1000")
### END HIDDEN TESTS
print("softmax: all visible tests pass ✓")


# %% [markdown]
# ### Cross-entropy
#
# For integer labels $y_i \in \{0, \dots, C-1\}$, cross-entropy is the average negative log-probability of the true
# class:
# $$L_{\text{CE}} = -\frac1N \sum_i \log \operatorname{softmax}(z_i)_{y_i}
# = \frac1N \sum_i \Big( \log \sum_k e^{z_{ik}} - z_{i y_i} \Big).$$
#
# The second form is the stable one: compute $\log\sum_k e^{z_k}$ as $m + \log \sum_k e^{z_k - m}$ with $m$ the row
# maximum (the *log-sum-exp* trick), and never take the log of a probability that may have rounded to 0.
#
# Its gradient is the reason softmax and cross-entropy always travel together:
# $$\frac{\partial L}{\partial z_{ic}} = \frac1N \big( \operatorname{softmax}(z_i)_c - [c = y_i] \big),$$
# the predicted probabilities minus the one-hot label. (Pick a row and differentiate $\log\sum_k e^{z_k} - z_y$
# with respect to $z_c$; the first term gives $\operatorname{softmax}_c$, the second $-1$ when $c = y$.)
#
# **By hand.** Logits $(1, 2, 3)$ with label 2: $L = -\log 0.6652 = 0.4076$; with label 0: $2.4076$. Regularized
# logistic regression in section 6 adds a penalty to exactly this loss.

# %% nbgrader={"grade": false, "grade_id": "cross_entropy_forward", "locked": false, "schema_version": 3, "solution": true}
def cross_entropy_forward(logits, labels):
    """Mean cross-entropy of logits (N, C) against integer labels (N,), as a float. Stable for logits of ±1000."""
    ### BEGIN SOLUTION
    m = logits.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(log_sum_exp - logits[np.arange(len(labels)), labels]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cross_entropy_forward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
_lse = 3 + np.log(np.exp([-2.0, -1.0, 0.0]).sum())  # log-sum-exp of (1, 2, 3)
check(cross_entropy_forward, np.array([[1.0, 2.0, 3.0]]), np.array([2]), expected=_lse - 3)
check(
    cross_entropy_forward,
    np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]),
    np.array([2, 0]),
    expected=((_lse - 3) + (_lse - 1)) / 2,
)
# Confidently wrong by 2000 costs 2000; confidently right costs 0
check(cross_entropy_forward, np.array([[1000.0, -1000.0], [1000.0, -1000.0]]), np.array([0, 1]), expected=1000.0)
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(112)
for _n, _c in [(1, 3), (6, 4), (5, 5), (8, 10)]:
    _z, _t = _rng.normal(size=(_n, _c)) * 2, _rng.integers(0, _c, size=_n)
    check(cross_entropy_forward, _z, _t, expected=_ref.cross_entropy_forward(_z, _t), label=f"N={_n}, C={_c}")
_z = _rng.normal(size=(6, 4)) * 1000
_t = _rng.integers(0, 4, size=6)
check(cross_entropy_forward, _z, _t, expected=_ref.cross_entropy_forward(_z, _t), label="logits of ±1000")
check(
    cross_entropy_forward,
    _z.astype(np.float32) / 100,
    _t,
    expected=_ref.cross_entropy_forward(_z.astype(np.float32) / 100, _t),
    label="float32 logits",
)
### END HIDDEN TESTS
print("cross_entropy_forward: all visible tests pass ✓")


# %% [markdown]
# **Stuck on `cross_entropy_backward`?**
#
# <details><summary>Hint 1 · where to start</summary>
#
# Take one row $z$ with label $y$. Its loss is $\log\sum_k e^{z_k} - z_y$. The derivative of the first term with
# respect to $z_c$ is $e^{z_c} / \sum_k e^{z_k} = \operatorname{softmax}(z)_c$; the second term depends only on $z_y$,
# so it adds $-1$ at $c = y$ and nothing elsewhere.
#
# </details>
# <details><summary>Hint 2 · the whole gradient</summary>
#
# $$\frac{\partial L}{\partial z} = \frac{\operatorname{softmax}(z) - \operatorname{onehot}(y)}{N}.$$
# Compute the row-wise softmax stably (subtract each row's maximum before `np.exp`, as in `softmax`), subtract 1 in
# each row at its label's column (index the rows with `np.arange(N)` and the columns with `labels`), then divide by
# the number of rows $N$, not the number of entries. Work on the new array softmax gives you, never on `logits`.
#
# </details>
# <details><summary>Hint 3 · check it by hand</summary>
#
# For logits $(1, 2, 3)$ and label 2 the softmax is $(0.0900, 0.2447, 0.6652)$ and the gradient
# $(0.0900, 0.2447, -0.3348)$: each row of the gradient sums to 0.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "cross_entropy_backward", "locked": false, "schema_version": 3, "solution": true}
def cross_entropy_backward(logits, labels):
    """Gradient of cross_entropy_forward with respect to logits: (softmax(logits) - onehot(labels)) / N."""
    ### BEGIN SOLUTION
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    grad = e / e.sum(axis=1, keepdims=True)
    grad[np.arange(len(labels)), labels] -= 1.0
    return grad / len(labels)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_cross_entropy_backward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
from course import losses as _ref

_e = np.exp([-2.0, -1.0, 0.0])
_p = _e / _e.sum()
check(cross_entropy_backward, np.array([[1.0, 2.0, 3.0]]), np.array([2]), expected=(_p - [0, 0, 1])[None, :])
_z, _t = np.random.default_rng(6).normal(size=(4, 3)), np.array([0, 2, 1, 2])
check_gradient(cross_entropy_backward, _z, _t, loss=_ref.cross_entropy_forward)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(113)
for _n, _c in [(1, 2), (7, 5), (3, 3)]:
    _z, _t = _rng.normal(size=(_n, _c)), _rng.integers(0, _c, size=_n)
    check_gradient(cross_entropy_backward, _z, _t, loss=_ref.cross_entropy_forward, label=f"N={_n}, C={_c}")
_z = _rng.normal(size=(5, 4)) * 1000
_t = _rng.integers(0, 4, size=5)
check(cross_entropy_backward, _z, _t, expected=_ref.cross_entropy_backward(_z, _t), label="logits of ±1000")
check(
    cross_entropy_backward,
    _z.astype(np.float32) / 100,
    _t,
    expected=_ref.cross_entropy_backward(_z.astype(np.float32) / 100, _t),
    label="float32 logits",
)
### END HIDDEN TESTS
print("cross_entropy_backward: all visible tests pass ✓")

# %% [markdown]
# ### How cross-entropy punishes confident mistakes
# Move the probability $p$ the model gives to the true class. The loss $-\log p$ is gentle near $p = 1$ and explodes as
# $p \to 0$; its gradient on the true logit, $p - 1$, stays between −1 and 0, so learning never stalls on a confident
# mistake. The dashed curves are the alternative, MSE on the probability, $(1 - p)^2$ with $p = \sigma(z)$: its loss
# can never exceed 1, and its gradient on the logit, $-2p(1 - p)^2$, **vanishes** as $p \to 0$. The more confidently
# wrong the model is, the less MSE on probabilities pushes it to change.

# %%
explore.cross_entropy_explorer()


# %% [markdown]
# ## 5 · Margin losses: the hinge
#
# Support vector machines do not ask for probabilities, only for a **margin**: the score of the right answer should
# beat the alternative by at least 1. With labels $y \in \{-1, +1\}$ and scores $s$,
# $$L_{\text{hinge}} = \frac1N \sum_i \max(0,\ 1 - y_i s_i), \qquad
# \frac{\partial L}{\partial s_i} = \begin{cases} -y_i / N & y_i s_i < 1 \\ 0 & \text{otherwise.} \end{cases}$$
# Once an example is classified with margin, it stops contributing: the hinge is satisfied, not maximised.
#
# **By hand.** $s = (2, 0.5, -1)$, all $y = +1$: losses $(0, 0.5, 2)$, mean $0.8333$; gradient $(0, -1, -1)/3$.

# %% nbgrader={"grade": false, "grade_id": "hinge_forward", "locked": false, "schema_version": 3, "solution": true}
def hinge_forward(scores, y):
    """Binary hinge loss for scores (N,) and labels y in {-1, +1}: mean of max(0, 1 - y * scores), as a float."""
    ### BEGIN SOLUTION
    return float(np.mean(np.maximum(0.0, 1.0 - y * scores)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_hinge_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
check(hinge_forward, np.array([2.0, 0.5, -1.0]), np.array([1.0, 1.0, 1.0]), expected=2.5 / 3)
check(hinge_forward, np.array([2.0, 0.5, -1.0]), np.array([-1.0, 1.0, -1.0]), expected=(3 + 0.5 + 0) / 3)
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(114)
for _n in [1, 9]:
    _s, _y = _rng.normal(size=_n) * 2, _rng.choice([-1.0, 1.0], size=_n)
    check(hinge_forward, _s, _y, expected=_ref.hinge_forward(_s, _y), label=f"N={_n}")
check(hinge_forward, np.array([1.0, -1.0]), np.array([1.0, -1.0]), expected=0.0, label="exactly on the margin")
check(
    hinge_forward,
    _s.astype(np.float32),
    _y.astype(np.float32),
    expected=_ref.hinge_forward(_s.astype(np.float32), _y),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("hinge_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "hinge_backward", "locked": false, "schema_version": 3, "solution": true}
def hinge_backward(scores, y):
    """Subgradient of hinge_forward with respect to scores: -y / N where y * scores < 1, else 0."""
    ### BEGIN SOLUTION
    return np.where(y * scores < 1.0, -y, 0.0) / scores.size
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_hinge_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
check(hinge_backward, np.array([2.0, 0.5, -1.0]), np.array([1.0, 1.0, 1.0]), expected=np.array([0.0, -1.0, -1.0]) / 3)
check(hinge_backward, np.array([2.0, 0.5, -1.0]), np.array([-1.0, 1.0, -1.0]), expected=np.array([1.0, -1.0, 0.0]) / 3)
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(115)
_s, _y = _rng.normal(size=11) * 2, _rng.choice([-1.0, 1.0], size=11)
check_gradient(hinge_backward, _s, _y, loss=_ref.hinge_forward, label="random scores")
check(hinge_backward, _s[:1], _y[:1], expected=_ref.hinge_backward(_s[:1], _y[:1]), label="N=1")
check(
    hinge_backward,
    _s.astype(np.float32),
    _y.astype(np.float32),
    expected=_ref.hinge_backward(_s.astype(np.float32), _y),
    label="float32 inputs",
)
### END HIDDEN TESTS
print("hinge_backward: all visible tests pass ✓")


# %% [markdown]
# ### The multiclass hinge (Weston–Watkins SVM)
# For scores $s_i \in \mathbb{R}^C$ and the true class $y_i$, every *other* class $j$ should score at least a margin
# $\Delta$ below the true one:
# $$L = \frac1N \sum_i \sum_{j \ne y_i} \max(0,\ s_{ij} - s_{i y_i} + \Delta).$$
# Each violated margin adds $+1/N$ to the gradient of $s_{ij}$ and $-1/N$ to that of $s_{i y_i}$; so the true class's
# gradient is minus the number of violations, over $N$.
#
# **By hand** (three images, three classes, $\Delta = 1$, one row of scores per image): scores $(3.2, 5.1, -1.7)$ with
# label 0 give $\max(0, 5.1 - 3.2 + 1) + \max(0, -1.7 - 3.2 + 1) = 2.9$; $(1.3, 4.9, 2.0)$ with label 1 give $0$;
# $(2.2, 2.5, -3.1)$ with label 2 give $6.3 + 6.6 = 12.9$. The mean is $(2.9 + 0 + 12.9)/3 = 5.2667$.

# %% nbgrader={"grade": false, "grade_id": "multiclass_hinge_forward", "locked": false, "schema_version": 3, "solution": true}
def multiclass_hinge_forward(scores, labels, margin=1.0):
    """Weston-Watkins multiclass hinge loss: sum over j != y of max(0, s_j - s_y + margin), mean over N.

    scores: (N, C), labels: (N,) integers. Returns a float.
    """
    ### BEGIN SOLUTION
    n = len(labels)
    correct = scores[np.arange(n), labels][:, None]
    m = np.maximum(0.0, scores - correct + margin)
    m[np.arange(n), labels] = 0.0
    return float(m.sum() / n)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_multiclass_hinge_forward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
_S = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
check(multiclass_hinge_forward, _S, np.array([0, 1, 2]), expected=(2.9 + 0 + 12.9) / 3)
check(multiclass_hinge_forward, _S, np.array([0, 1, 2]), kwargs={"margin": 0.0}, expected=(1.9 + 0 + 10.9) / 3,
      label="margin=0")
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(116)
for _n, _c in [(1, 4), (6, 3), (5, 5)]:
    _s, _t = _rng.normal(size=(_n, _c)), _rng.integers(0, _c, size=_n)
    check(multiclass_hinge_forward, _s, _t, expected=_ref.multiclass_hinge_forward(_s, _t), label=f"N={_n}, C={_c}")
check(
    multiclass_hinge_forward,
    _s,
    _t,
    kwargs={"margin": 2.5},
    expected=_ref.multiclass_hinge_forward(_s, _t, 2.5),
    label="margin=2.5",
)
check(
    multiclass_hinge_forward,
    _s.astype(np.float32),
    _t,
    expected=_ref.multiclass_hinge_forward(_s.astype(np.float32), _t),
    label="float32 scores",
)
### END HIDDEN TESTS
print("multiclass_hinge_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "multiclass_hinge_backward", "locked": false, "schema_version": 3, "solution": true}
def multiclass_hinge_backward(scores, labels, margin=1.0):
    """Subgradient of multiclass_hinge_forward with respect to scores (N, C).

    +1/N for each violated margin (j != y with s_j - s_y + margin > 0), and -(number of violations)/N at the true class.
    """
    ### BEGIN SOLUTION
    n = len(labels)
    rows = np.arange(n)
    active = (scores - scores[rows, labels][:, None] + margin > 0).astype(np.float64)
    active[rows, labels] = 0.0
    active[rows, labels] = -active.sum(axis=1)
    return active / n
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_multiclass_hinge_backward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
from course import losses as _ref

_S = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
_G = np.array([[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]) / 3
check(multiclass_hinge_backward, _S, np.array([0, 1, 2]), expected=_G)
_s, _t = np.random.default_rng(7).normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
check_gradient(multiclass_hinge_backward, _s, _t, loss=_ref.multiclass_hinge_forward)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(117)
for _n, _c in [(1, 3), (8, 6), (4, 4)]:
    _s, _t = _rng.normal(size=(_n, _c)), _rng.integers(0, _c, size=_n)
    check_gradient(multiclass_hinge_backward, _s, _t, loss=_ref.multiclass_hinge_forward, label=f"N={_n}, C={_c}")
check(
    multiclass_hinge_backward,
    _s,
    _t,
    kwargs={"margin": 0.3},
    expected=_ref.multiclass_hinge_backward(_s, _t, 0.3),
    label="margin=0.3",
)
check(
    multiclass_hinge_backward,
    _s.astype(np.float32),
    _t,
    expected=_ref.multiclass_hinge_backward(_s.astype(np.float32), _t),
    label="float32 scores",
)
### END HIDDEN TESTS
print("multiclass_hinge_backward: all visible tests pass ✓")


# %% [markdown]
# ## 6 · Regularization: the L2 penalty
#
# A loss measures fit to the training data only; nothing stops the weights from growing to fit noise. Regularized
# logistic regression (and every network after it) adds a penalty on the weights to the data loss:
# $$J(\theta) = \underbrace{L_{\text{CE}}}_{\text{fit}} + \frac{\lambda}{2n} \sum_{l} \sum_{k} \theta_{lk}^2,
# \qquad \frac{\partial}{\partial \theta} \frac{\lambda}{2n} \sum \theta^2 = \frac{\lambda}{n}\,\theta,$$
# with $n$ the number of training examples and the sum over every weight matrix (by convention not the biases). The
# $\tfrac12$ is there so the gradient has no 2. A larger $\lambda$ trades training fit for smaller weights and smoother
# decision boundaries.
#
# **By hand.** Weights $\begin{pmatrix}1 & 2\\3 & 4\end{pmatrix}$ and $(0.5, -0.5)$, $\lambda = 0.1$, $n = 10$:
# $\sum\theta^2 = 30 + 0.5 = 30.5$, penalty $0.1/20 \cdot 30.5 = 0.1525$.

# %% nbgrader={"grade": false, "grade_id": "l2_penalty_forward", "locked": false, "schema_version": 3, "solution": true}
def l2_penalty_forward(weights, lam, n):
    """L2 penalty lam / (2 n) * (sum of squares of every entry of every array in the list `weights`), as a float."""
    ### BEGIN SOLUTION
    return float(lam / (2.0 * n) * sum(np.sum(w**2) for w in weights))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_l2_penalty_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
_W = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])]
check(l2_penalty_forward, _W, 0.1, 10, expected=0.1525)
check(l2_penalty_forward, [], 0.1, 10, expected=0.0)
### BEGIN HIDDEN TESTS
from course import losses as _ref

_rng = np.random.default_rng(118)
_W = [_rng.normal(size=(4, 3)), _rng.normal(size=(2, 4)), _rng.normal(size=(1,))]
check(l2_penalty_forward, _W, 0.7, 25, expected=_ref.l2_penalty_forward(_W, 0.7, 25), label="three arrays")
check(
    l2_penalty_forward,
    [w.astype(np.float32) for w in _W],
    0.7,
    25,
    expected=_ref.l2_penalty_forward(_W, 0.7, 25),
    rtol=1e-5,
    label="float32 weights",
)
### END HIDDEN TESTS
print("l2_penalty_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "l2_penalty_backward", "locked": false, "schema_version": 3, "solution": true}
def l2_penalty_backward(weights, lam, n):
    """Gradient of l2_penalty_forward: a list with lam / n * w for each array w in `weights`."""
    ### BEGIN SOLUTION
    return [lam / n * w for w in weights]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_l2_penalty_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
_W = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])]
check(l2_penalty_backward, _W, 0.1, 10, expected=[0.01 * _W[0], 0.01 * _W[1]])
### BEGIN HIDDEN TESTS
from course import losses as _ref
from course.gradcheck import numerical_gradient as _ng

_rng = np.random.default_rng(119)
_W = [_rng.normal(size=(3, 2)), _rng.normal(size=(2,))]
_expected = [
    _ng(lambda w: _ref.l2_penalty_forward([w, _W[1]], 0.4, 7), _W[0]),
    _ng(lambda w: _ref.l2_penalty_forward([_W[0], w], 0.4, 7), _W[1]),
]
check(l2_penalty_backward, _W, 0.4, 7, expected=_expected, rtol=1e-6, atol=1e-9, label="numerical gradient")
### END HIDDEN TESTS
print("l2_penalty_backward: all visible tests pass ✓")

# %% [markdown]
# ## 7 · Which loss for which task?
#
# | task | network output | loss | PyTorch |
# | --- | --- | --- | --- |
# | regression, clean noise | a number | MSE (the Gaussian negative log-likelihood, up to constants) | `MSELoss` |
# | regression with outliers | a number | MAE or Huber | `L1Loss`, `HuberLoss` |
# | forecasting, errors relative to the target (targets far from 0) | a number | MAPE | none (a metric: scikit-learn's `mean_absolute_percentage_error`) |
# | binary classification | one logit | BCE on logits | `BCEWithLogitsLoss` |
# | multi-label (several yes/no per example) | one logit per label | BCE on logits, element-wise | `BCEWithLogitsLoss` |
# | one of C classes | C logits | cross-entropy (softmax inside) | `CrossEntropyLoss` |
# | max-margin classifier | C scores | multiclass hinge (Weston–Watkins) | `MultiMarginLoss`, which also divides by C |
#
# PyTorch's `MultiMarginLoss` averages each sample's sum over the $C$ classes as well as over the batch, so our
# multiclass hinge is $C$ times its value (and $C$ times its gradient); `MultiMarginLoss(...)(s, y) * C` gives ours.
#
# Whatever the data loss, an L2 penalty (or its cousin, weight decay, in notebook 05) keeps the weights small.

# %% [markdown]
# ## Your scorecard
# The cell below runs every test of this notebook again, against the functions you have now, and lists
# what passes and what still fails. *Validate* ends with the same summary.

# %% nbgrader={"grade": true, "grade_id": "scorecard", "locked": true, "points": 0, "schema_version": 3, "solution": false}
scorecard("01_losses.ipynb")

# %% [markdown]
# ## Recap
# - A loss is one number: the **mean** over the batch. Its gradient therefore carries $1/N$ ($N$ = the number of terms
#   averaged).
# - MSE squares residuals, so large errors dominate; MAE pulls every point equally; Huber is $\tfrac12 r^2$ inside
#   $|r| \le \delta$ and a line of slope δ beyond, so δ caps each point's pull.
# - MAPE measures each miss relative to its target ($|\hat y - y| / \max(|y|, \varepsilon)$, a fraction): fine for
#   forecasts of quantities far from 0, explosive near $y = 0$, and biased toward forecasting low.
# - Probabilities are fragile: clip them, or better, work with **logits** and the stable forms
#   ($\max(z,0) - zy + \log(1+e^{-|z|})$, log-sum-exp, softmax minus the row maximum).
# - Softmax + cross-entropy has the gradient $(\operatorname{softmax}(z) - \text{onehot}(y))/N$: predicted minus true.
# - The hinge stops caring once the margin is met; the L2 penalty $\tfrac{\lambda}{2n}\sum\theta^2$ adds
#   $\tfrac{\lambda}{n}\theta$ to every weight's gradient.
#
# **Next:** notebook 02 turns gradients into learning: what the slope of the loss tells each weight, and how to check a
# gradient numerically.

# %% [markdown]
# ## References
# - The multiclass hinge example (three images with scores for three classes) is from the Stanford CS231n course notes
#   *Linear classification* (the multiclass support vector machine loss).
# - MAPE follows the definition of scikit-learn's `mean_absolute_percentage_error` (its user guide, *Mean absolute
#   percentage error*); its lopsidedness is discussed in C. Tofallis, *A better measure of relative prediction
#   accuracy for model selection and model estimation*, Journal of the Operational Research Society, 2015.
