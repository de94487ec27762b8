# %% [markdown]
# # 03 · Backpropagation by hand
#
# A network learns by nudging every weight against its gradient (lesson 02). For a network with thousands of weights
# we need all those gradients at once, and cheaply. **Backpropagation** computes them in one backward sweep, by the
# chain rule, reusing what the forward pass stored. In this lesson you build it from the smallest pieces up.
#
# **You will learn to**
# 1. write each activation (sigmoid, tanh, ReLU, leaky ReLU, PReLU) as a *forward* that keeps a cache and a *backward*
#    that turns the upstream gradient into the downstream one, and explain saturation and dead ReLUs;
# 2. derive and implement the gradients of a linear layer `out = x @ W.T + b`: `dx`, `dW`, `db`, checked numerically;
# 3. backpropagate through a 2-2-2 network by hand, product by product, including a bias shared by two units;
# 4. run the four steps of backprop (error, output delta, interior deltas, per-weight gradients) on an XOR network,
#    read each gradient's sign as "raise" or "lower", and train the network until it solves XOR;
# 5. vectorise it all into the delta rule for an L-layer network with one example per row of the batch,
#    δᴸ = (aᴸ − y)/N and δˡ = (δˡ⁺¹ Wˡ⁺¹) ∘ g′(zˡ), and verify it with a gradient check of the whole network.
#
# Conventions (as in every lesson): NumPy, float64, batches first (`x` is `(N, D)`), `W` is `(out, in)`, and each
# `*_forward` returns `(out, cache)` with the cache's content written in its docstring, so that its `*_backward` can be
# tested on its own.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np

from course.examples import delta_rule, network222, xor
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient, rel_error
from course.viz import show
from course.viz import backprop as viz
from course.widgets import backprop as widgets
from course.demo import yours
from course.grading import scorecard


# %% [markdown]
# ## 1. Activations: a forward, a cache, a backward
#
# Every piece of a network is a small function $a = f(z)$. Backprop asks each piece one question: *given how the loss
# changes with my output,* $\partial L/\partial a$ *(called `da`), how does it change with my input?* The chain rule
# answers, element by element:
#
# $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial a}\cdot f'(z) \qquad\text{in code: } dz = da \cdot f'(z).$$
#
# The forward pass stores whatever the backward needs in a **cache**. Which is cheaper to store depends on the function:
#
# | activation | forward $a$ | derivative | cache |
# | --- | --- | --- | --- |
# | sigmoid | $\sigma(z) = 1/(1+e^{-z})$ | $\sigma'(z) = a(1-a)$ | the output $a$ |
# | tanh | $\tanh z$ | $1 - a^2$ | the output $a$ |
# | ReLU | $\max(z, 0)$ | $1$ if $z>0$, else $0$ | the input $z$ |
# | leaky ReLU | $z$ if $z>0$, else $s\,z$ | $1$ if $z>0$, else $s$ | $(z, s)$, $s$ = `negative_slope` |
# | PReLU | $z$ if $z>0$, else $\alpha z$ | $1$ or $\alpha$; $\partial a/\partial\alpha = z$ where $z \le 0$ | $(z, \alpha)$ |
#
# Sigmoid and tanh write their derivatives through their **output**: with $a = \sigma(z)$ already computed,
# $\sigma'(z) = a(1-a)$ costs one multiplication. So their backward receives $a$, not $z$; applying $\sigma$ to the cache
# again is the classic bug. At exactly $z = 0$, ReLU has no derivative; like PyTorch, the course uses the subgradient
# 0 there (and leaky ReLU uses its slope $s$).
#
# To compute $\sigma$ without overflow for $z = -1000$, never evaluate $e^{-z}$ for negative $z$: with $e = e^{-|z|}$
# (always $\le 1$), $\sigma(z) = 1/(1+e)$ for $z \ge 0$ and $e/(1+e)$ for $z < 0$.

# %% nbgrader={"grade": false, "grade_id": "sigmoid_forward", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_forward(z):
    """Logistic sigmoid, elementwise.

    Parameters
    ----------
    z : array of any shape.

    Returns
    -------
    a : array shaped like z, a = 1 / (1 + exp(-z)), computed without overflow.
    cache : a (the output: the backward writes σ'(z) = a(1 - a)).
    """
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return a, a
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
# σ(−ln 3) = 1/4, σ(0) = 1/2, σ(ln 3) = 3/4, and the cache is the output
_z = np.array([[-np.log(3.0), 0.0, np.log(3.0)]])
_a = np.array([[0.25, 0.5, 0.75]])
check(sigmoid_forward, _z, expected=(_a, _a), out_names=("a", "cache"))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(30)
_z = _rng.normal(0, 3, (7, 4))
_a = 1.0 / (1.0 + np.exp(-_z))
check(sigmoid_forward, _z, expected=(_a, _a), out_names=("a", "cache"),
      label="random (7, 4)")
check(sigmoid_forward, _z.astype(np.float32), expected=(_a, _a), out_names=("a", "cache"), label="float32")
_big = np.array([-1000.0, -40.0, 40.0, 1000.0])
_ends = np.array([0.0, np.exp(-40.0), 1.0 - np.exp(-40.0), 1.0])
check(sigmoid_forward, _big, expected=(_ends, _ends), out_names=("a", "cache"), label="z of ±1000")
### END HIDDEN TESTS
print("sigmoid_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "sigmoid_backward", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_backward(da, cache):
    """Backward of the sigmoid.

    Parameters
    ----------
    da : upstream gradient dL/da, shaped like a.
    cache : a = σ(z), the output stored by sigmoid_forward.

    Returns
    -------
    dz : dL/dz = da * a * (1 - a), shaped like da.
    """
    ### BEGIN SOLUTION
    a = cache
    return da * a * (1.0 - a)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
# by hand: a(1 − a) is 3/16, 1/4, 3/16 at a = 1/4, 1/2, 3/4
_a = np.array([0.25, 0.5, 0.75])
_da = np.array([1.0, 2.0, -1.0])
check(sigmoid_backward, _da, _a, expected=np.array([0.1875, 0.5, -0.1875]))
# numerical gradient with respect to z of L = Σ da · σ(z); the cache is built here from the contract (cache = σ(z))
_rng = np.random.default_rng(31)
_z = _rng.normal(0, 2, (4, 3))
_da = _rng.normal(size=(4, 3))
_sig = lambda t: 1.0 / (1.0 + np.exp(-t))
_expected = numerical_gradient(lambda t: np.sum(_da * _sig(t)), _z)
check(sigmoid_backward, _da, _sig(_z), expected=_expected, rtol=1e-5, atol=1e-8,
      label="numerical gradient")
### BEGIN HIDDEN TESTS
_z = _rng.normal(0, 3, (1, 6))
_da = _rng.normal(size=(1, 6))
_expected = numerical_gradient(lambda t: np.sum(_da * _sig(t)), _z)
check(sigmoid_backward, _da, _sig(_z), expected=_expected, rtol=1e-5, atol=1e-8,
      label="N=1")
check(sigmoid_backward, _da.astype(np.float32), _sig(_z).astype(np.float32), expected=_expected, label="float32")
# saturated units pass (almost) nothing back
check(sigmoid_backward, np.ones(3), np.array([0.0, 1.0, 0.5]), expected=np.array([0.0, 0.0, 0.25]), label="saturated")
### END HIDDEN TESTS
print("sigmoid_backward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "tanh_forward", "locked": false, "schema_version": 3, "solution": true}
def tanh_forward(z):
    """Hyperbolic tangent, elementwise.

    Returns
    -------
    a : tanh(z), shaped like z.
    cache : a (the output: the backward writes tanh'(z) = 1 - a**2).
    """
    ### BEGIN SOLUTION
    a = np.tanh(z)
    return a, a
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_tanh_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
# tanh(ln 2) = (2 − 1/2) / (2 + 1/2) = 3/5
_z = np.array([-np.log(2.0), 0.0, np.log(2.0)])
_a = np.array([-0.6, 0.0, 0.6])
check(tanh_forward, _z, expected=(_a, _a), out_names=("a", "cache"))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(32)
_z = _rng.normal(0, 2, (5, 3))
_a = (np.exp(_z) - np.exp(-_z)) / (np.exp(_z) + np.exp(-_z))
check(tanh_forward, _z, expected=(_a, _a), out_names=("a", "cache"), label="random")
check(tanh_forward, _z.astype(np.float32), expected=(_a, _a), out_names=("a", "cache"), label="float32")
check(tanh_forward, np.array([-1000.0, 1000.0]), expected=(np.array([-1.0, 1.0]),) * 2, out_names=("a", "cache"),
      label="z of ±1000")
### END HIDDEN TESTS
print("tanh_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "tanh_backward", "locked": false, "schema_version": 3, "solution": true}
def tanh_backward(da, cache):
    """Backward of tanh: dz = da * (1 - a**2), with cache = a = tanh(z)."""
    ### BEGIN SOLUTION
    a = cache
    return da * (1.0 - a**2)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_tanh_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
# by hand: 1 − a² is 0.64, 1, 0.64 at a = −0.6, 0, 0.6
_a = np.array([-0.6, 0.0, 0.6])
check(tanh_backward, np.array([1.0, -2.0, 0.5]), _a, expected=np.array([0.64, -2.0, 0.32]))
_rng = np.random.default_rng(33)
_z = _rng.normal(0, 1.5, (3, 4))
_da = _rng.normal(size=(3, 4))
_expected = numerical_gradient(lambda t: np.sum(_da * np.tanh(t)), _z)
check(tanh_backward, _da, np.tanh(_z), expected=_expected, rtol=1e-5, atol=1e-8,
      label="numerical gradient")
### BEGIN HIDDEN TESTS
_z = _rng.normal(0, 1.5, (1, 5))
_da = _rng.normal(size=(1, 5))
_expected = numerical_gradient(lambda t: np.sum(_da * np.tanh(t)), _z)
check(tanh_backward, _da, np.tanh(_z), expected=_expected, rtol=1e-5, atol=1e-8,
      label="N=1")
check(tanh_backward, _da.astype(np.float32), np.tanh(_z).astype(np.float32), expected=_expected, label="float32")
### END HIDDEN TESTS
print("tanh_backward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "relu_forward", "locked": false, "schema_version": 3, "solution": true}
def relu_forward(z):
    """Rectified linear unit, elementwise.

    Returns
    -------
    a : max(z, 0), shaped like z.
    cache : z (the input: the backward needs to know where z > 0).
    """
    ### BEGIN SOLUTION
    return np.maximum(z, 0), z
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_relu_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
_z = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])
check(relu_forward, _z, expected=(np.array([[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]]), _z), out_names=("a", "cache"))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(34)
_z = _rng.normal(size=(6, 5))
check(relu_forward, _z, expected=((_z + np.abs(_z)) / 2, _z), out_names=("a", "cache"), label="random")
_z32 = _z.astype(np.float32)
check(relu_forward, _z32, expected=((_z32 + np.abs(_z32)) / 2, _z32), out_names=("a", "cache"), label="float32")
check(relu_forward, np.array([-1000.0, 1000.0]), expected=(np.array([0.0, 1000.0]), np.array([-1000.0, 1000.0])),
      out_names=("a", "cache"), label="z of ±1000")
### END HIDDEN TESTS
print("relu_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "relu_backward", "locked": false, "schema_version": 3, "solution": true}
def relu_backward(da, cache):
    """Backward of ReLU: dz = da where z > 0, and 0 where z <= 0 (the subgradient at z = 0 is 0).

    cache : z, the input stored by relu_forward.
    """
    ### BEGIN SOLUTION
    z = cache
    return np.where(z > 0, da, 0.0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_relu_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
# the gradient flows only where z > 0; at z = 0 exactly it stops
_z = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])
_da = np.array([[1.0, 2.0, 3.0], [-4.0, 5.0, 6.0]])
check(relu_backward, _da, _z, expected=np.array([[0.0, 0.0, 3.0], [-4.0, 0.0, 0.0]]))
_rng = np.random.default_rng(35)
_z = _rng.normal(size=(4, 5))
_z = _z + 0.2 * np.sign(_z)  # keep clear of the kink at 0, where the numerical derivative is meaningless
_da = _rng.normal(size=(4, 5))
_expected = numerical_gradient(lambda t: np.sum(_da * np.maximum(t, 0)), _z)
check(relu_backward, _da, _z, expected=_expected, rtol=1e-5, atol=1e-8,
      label="numerical gradient")
### BEGIN HIDDEN TESTS
check(relu_backward, np.array([[-1.0, 2.0, -3.0]]), np.array([[1.0, -1.0, 0.0]]),
      expected=np.array([[-1.0, 0.0, 0.0]]), label="N=1, negative da")
check(relu_backward, _da.astype(np.float32), _z.astype(np.float32), expected=_expected, label="float32")
### END HIDDEN TESTS
print("relu_backward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "leaky_relu_forward", "locked": false, "schema_version": 3, "solution": true}
def leaky_relu_forward(z, negative_slope=0.01):
    """Leaky ReLU: a = z where z > 0, negative_slope * z elsewhere.

    Returns
    -------
    a : shaped like z.
    cache : (z, negative_slope).
    """
    ### BEGIN SOLUTION
    return np.where(z > 0, z, negative_slope * z), (z, negative_slope)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient

_z = np.array([-2.0, 0.0, 3.0])
check(
    leaky_relu_forward,
    _z,
    expected=(np.array([-0.02, 0.0, 3.0]), (_z, 0.01)),
    out_names=("a", "cache"),
    label="default negative_slope=0.01",
)
check(
    leaky_relu_forward,
    _z,
    0.2,
    expected=(np.array([-0.4, 0.0, 3.0]), (_z, 0.2)),
    out_names=("a", "cache"),
    label="negative_slope=0.2",
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(36)
_z = _rng.normal(size=(5, 4))
_expected = np.array([[t if t > 0 else 0.1 * t for t in row] for row in _z])
check(leaky_relu_forward, _z, 0.1, expected=(_expected, (_z, 0.1)), out_names=("a", "cache"), label="random")
check(
    leaky_relu_forward,
    _z.astype(np.float32),
    0.1,
    expected=(_expected, (_z.astype(np.float32), 0.1)),
    out_names=("a", "cache"),
    label="float32",
)
### END HIDDEN TESTS
print("leaky_relu_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "leaky_relu_backward", "locked": false, "schema_version": 3, "solution": true}
def leaky_relu_backward(da, cache):
    """Backward of leaky ReLU: dz = da where z > 0, negative_slope * da where z <= 0.

    cache : (z, negative_slope) from leaky_relu_forward.
    """
    ### BEGIN SOLUTION
    z, negative_slope = cache
    return np.where(z > 0, da, negative_slope * da)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
_z = np.array([-2.0, 0.0, 3.0])
check(leaky_relu_backward, np.array([1.0, 2.0, 3.0]), (_z, 0.2), expected=np.array([0.2, 0.4, 3.0]))
_rng = np.random.default_rng(37)
_z = _rng.normal(size=(4, 3))
_z = _z + 0.2 * np.sign(_z)
_da = _rng.normal(size=(4, 3))
_expected = numerical_gradient(lambda t: np.sum(_da * np.where(t > 0, t, 0.05 * t)), _z)
check(leaky_relu_backward, _da, (_z, 0.05), expected=_expected, rtol=1e-5, atol=1e-8, label="numerical gradient")
### BEGIN HIDDEN TESTS
check(leaky_relu_backward, np.array([[-1.0, 1.0]]), (np.array([[-3.0, 0.0]]), 0.01),
      expected=np.array([[-0.01, 0.01]]), label="N=1, tie at 0")
check(leaky_relu_backward, _da.astype(np.float32), (_z.astype(np.float32), 0.05), expected=_expected, label="float32")
### END HIDDEN TESTS
print("leaky_relu_backward: all visible tests pass ✓")


# %% [markdown]
# **PReLU** learns its slope: $\alpha$ is a parameter, one per feature (shape `(D,)` for `z` of shape `(N, D)`) or a
# single number. It therefore gets a gradient of its own. Each entry with $z \le 0$ contributes $da \cdot z$, and
# since one $\alpha_j$ is shared by all $N$ examples of feature $j$ (or by every entry, for a scalar), the
# contributions **add up**:
#
# $$\frac{\partial L}{\partial \alpha_j} = \sum_{n:\ z_{nj} \le 0} da_{nj}\, z_{nj}.$$
#
# `dalpha` has the shape of `alpha`, as every gradient has the shape of what it differentiates.

# %% nbgrader={"grade": false, "grade_id": "prelu_forward", "locked": false, "schema_version": 3, "solution": true}
def prelu_forward(z, alpha):
    """Parametric ReLU: a = z where z > 0, alpha * z elsewhere.

    Parameters
    ----------
    z : (N, D).   alpha : a scalar, or (D,) with one slope per feature.

    Returns
    -------
    a : (N, D).   cache : (z, alpha).
    """
    ### BEGIN SOLUTION
    return np.where(z > 0, z, alpha * z), (z, alpha)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_prelu_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient

_z = np.array([[-1.0, 2.0], [3.0, -4.0]])
_alpha = np.array([0.1, 0.5])
check(
    prelu_forward, _z, _alpha, expected=(np.array([[-0.1, 2.0], [3.0, -2.0]]), (_z, _alpha)), out_names=("a", "cache")
)
### BEGIN HIDDEN TESTS
check(
    prelu_forward,
    _z,
    0.25,
    expected=(np.array([[-0.25, 2.0], [3.0, -1.0]]), (_z, 0.25)),
    out_names=("a", "cache"),
    label="scalar alpha",
)
_rng = np.random.default_rng(38)
_z = _rng.normal(size=(6, 3))
_alpha = _rng.uniform(0, 0.5, 3)
_expected = np.array([[t if t > 0 else al * t for t, al in zip(row, _alpha)] for row in _z])
check(prelu_forward, _z, _alpha, expected=(_expected, (_z, _alpha)), out_names=("a", "cache"), label="random")
### END HIDDEN TESTS
print("prelu_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "prelu_backward", "locked": false, "schema_version": 3, "solution": true}
def prelu_backward(da, cache):
    """Backward of PReLU.

    Parameters
    ----------
    da : (N, D) upstream gradient.   cache : (z, alpha) from prelu_forward.

    Returns
    -------
    dz : (N, D), da where z > 0 and alpha * da elsewhere.
    dalpha : shaped like alpha: the sum of da * z over the entries with z <= 0 that share each slope.
    """
    ### BEGIN SOLUTION
    z, alpha = cache
    alpha = np.asarray(alpha)
    dz = np.where(z > 0, da, alpha * da)
    contrib = np.where(z > 0, 0.0, da * z)
    dalpha = contrib.sum() if alpha.ndim == 0 else contrib.sum(axis=0)
    return dz, dalpha
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_prelu_backward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient

_z = np.array([[-1.0, 2.0], [3.0, -4.0]])
_alpha = np.array([0.1, 0.5])
# by hand: dz = 1 or alpha; dalpha collects da · z from the negative entries of each column
check(
    prelu_backward,
    np.ones((2, 2)),
    (_z, _alpha),
    expected=(np.array([[0.1, 1.0], [1.0, 0.5]]), np.array([-1.0, -4.0])),
    out_names=("dz", "dalpha"),
)
_rng = np.random.default_rng(39)
_z = _rng.normal(size=(5, 3))
_z = _z + 0.2 * np.sign(_z)
_alpha = _rng.uniform(0.05, 0.5, 3)
_da = _rng.normal(size=(5, 3))
_L = lambda t, al: np.sum(_da * np.where(t > 0, t, al * t))
_expected = (numerical_gradient(lambda t: _L(t, _alpha), _z), numerical_gradient(lambda al: _L(_z, al), _alpha))
check(
    prelu_backward,
    _da,
    (_z, _alpha),
    expected=_expected,
    rtol=1e-5,
    atol=1e-8,
    out_names=("dz", "dalpha"),
    label="numerical gradient",
)
### BEGIN HIDDEN TESTS
# one slope shared by every entry: dalpha is a single number
_expected = (
    numerical_gradient(lambda t: _L(t, 0.2), _z),
    float(numerical_gradient(lambda al: _L(_z, al), np.array(0.2))),
)
check(
    prelu_backward,
    _da,
    (_z, 0.2),
    expected=_expected,
    rtol=1e-5,
    atol=1e-8,
    out_names=("dz", "dalpha"),
    label="scalar alpha",
)
_z1, _da1 = _z[:1], _da[:1]
_expected = (np.where(_z1 > 0, _da1, _alpha * _da1), np.where(_z1[0] > 0, 0.0, _da1[0] * _z1[0]))
check(prelu_backward, _da1, (_z1, _alpha), expected=_expected, out_names=("dz", "dalpha"), label="N=1")
### END HIDDEN TESTS
print("prelu_backward: all visible tests pass ✓")

# %% [markdown]
# ### Saturation and dead units
#
# The backward of each activation *multiplies* the gradient by its local slope, and a deep network multiplies many of
# them. Compare the slopes:
#
# * $\sigma'(z) = a(1-a) \le \tfrac14$, reached only at $z = 0$. For $|z| = 5$, $\sigma' \approx 0.0066$: a
#   **saturated** sigmoid passes back less than 1% of the gradient, and ten sigmoid layers shrink it by at least
#   $4^{10} \approx 10^6$. tanh is better ($\tanh' \le 1$) but saturates the same way.
# * ReLU passes the gradient unchanged where $z > 0$, so it does not shrink with depth. But where $z \le 0$ it passes
#   exactly **nothing**. A unit whose pre-activation is negative for every input (after a large update, or a large
#   negative bias) gets zero gradient on all its weights and never recovers: a **dead ReLU**.
# * Leaky ReLU and PReLU keep a small slope on the negative side, so no unit is ever completely cut off.
#
# The next cell measures both effects with your functions. Like every demo cell of this lesson, it runs
# `with yours(...) as my:`: it calls your function wherever you have written it, borrows the course's own wherever you
# have not yet, and one line under the output names what it borrowed.

# %%
with yours(sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward, relu_forward, relu_backward,
           leaky_relu_forward, leaky_relu_backward) as my:                  # yours, or the course's
    z = np.array([0.0, 2.0, 5.0, 10.0])
    a, cache = my.sigmoid_forward(z)
    print("sigmoid slope at z = 0, 2, 5, 10:", np.round(my.sigmoid_backward(np.ones(4), cache), 5))
    a, cache = my.tanh_forward(z)
    print("tanh slope at z = 0, 2, 5, 10:   ", np.round(my.tanh_backward(np.ones(4), cache), 5))

    # A dead ReLU: a unit with bias -5 never fires on these inputs, so no gradient reaches its weights.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    w, bias = np.array([0.5, -0.3, 0.8]), -5.0
    z = x @ w + bias
    for name, (fwd, bwd) in {"ReLU": (my.relu_forward, my.relu_backward),
                             "leaky ReLU": (my.leaky_relu_forward, my.leaky_relu_backward)}.items():
        a, cache = fwd(z)
        dz = bwd(np.ones_like(z), cache)      # pretend dL/da = 1 for every example
        print(f"{name:>10}: fraction of inputs where the unit fires {np.mean(z > 0):.2f}; "
              f"gradient reaching w = {np.round(x.T @ dz, 3)}")


# %% [markdown]
# ## 2. The linear layer
#
# A linear (fully connected) layer maps a batch $x$ of shape $(N, D_\text{in})$ with $W$ of shape
# $(D_\text{out}, D_\text{in})$ and $b$ of shape $(D_\text{out},)$ to
#
# $$\text{out} = x W^\top + b, \qquad \text{out}_{no} = \sum_d x_{nd} W_{od} + b_o .$$
#
# Given $\text{dout} = \partial L/\partial\,\text{out}$, $(N, D_\text{out})$, differentiate the sum term by term:
#
# * $\partial \text{out}_{no}/\partial x_{nd} = W_{od}$, so $dx_{nd} = \sum_o \text{dout}_{no} W_{od}$:
#   $\;dx = \text{dout}\; W$ — shape $(N, D_\text{in})$, like $x$.
# * $\partial \text{out}_{no}/\partial W_{od} = x_{nd}$ **for every example** $n$, so
#   $dW_{od} = \sum_n \text{dout}_{no} x_{nd}$: $\;dW = \text{dout}^\top x$ — shape $(D_\text{out}, D_\text{in})$,
#   like $W$.
# * $b_o$ is added to every example's output, so its gradient collects all $N$ of them:
#   $db = \sum_n \text{dout}_{n\cdot}$, `dout.sum(axis=0)`.
#
# A useful habit: **the shapes decide the formula.** `dW` must have `W`'s shape, and `dout.T @ x` is the only
# product of `dout` and `x` that has it. Whatever sums over the batch happens here, in `dW` and `db`; any 1/N of a mean
# is already inside `dout` (it came from the loss).

# %% nbgrader={"grade": false, "grade_id": "linear_forward", "locked": false, "schema_version": 3, "solution": true}
def linear_forward(x, W, b):
    """Affine layer.

    Parameters
    ----------
    x : (N, D_in).   W : (D_out, D_in).   b : (D_out,).

    Returns
    -------
    out : (N, D_out), x @ W.T + b.
    cache : (x, W, b).
    """
    ### BEGIN SOLUTION
    return x @ W.T + b, (x, W, b)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_linear_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient

# a square W first: multiplying by W instead of W.T runs, but is wrong
_x = np.array([[1.0, 2.0], [3.0, -1.0]])
_W = np.array([[1.0, 2.0], [0.0, 3.0]])
_b = np.array([0.1, -0.2])
_out = np.array([[sum(_x[n, d] * _W[o, d] for d in range(2)) + _b[o] for o in range(2)] for n in range(2)])
check(linear_forward, _x, _W, _b, expected=(_out, (_x, _W, _b)), out_names=("out", "cache"), label="square W")
_x = np.array([[1.0, 2.0]])
_W = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]])  # (out=3, in=2)
_b = np.array([0.5, 0.0, 1.0])
check(
    linear_forward,
    _x,
    _W,
    _b,
    expected=(np.array([[1.5, 4.0, -1.0]]), (_x, _W, _b)),
    out_names=("out", "cache"),
    label="D_in=2, D_out=3",
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(40)
for _N, _D, _M in [(1, 3, 2), (5, 4, 7)]:
    _x, _W, _b = _rng.normal(size=(_N, _D)), _rng.normal(size=(_M, _D)), _rng.normal(size=_M)
    _out = np.einsum("nd,md->nm", _x, _W) + _b
    check(
        linear_forward,
        _x,
        _W,
        _b,
        expected=(_out, (_x, _W, _b)),
        out_names=("out", "cache"),
        label=f"N={_N}, D_in={_D}, D_out={_M}",
    )
_x32, _W32, _b32 = _x.astype(np.float32), _W.astype(np.float32), _b.astype(np.float32)
check(
    linear_forward, _x32, _W32, _b32, expected=(_out, (_x32, _W32, _b32)), out_names=("out", "cache"), label="float32"
)
### END HIDDEN TESTS
print("linear_forward: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "linear_backward", "locked": false, "schema_version": 3, "solution": true}
def linear_backward(dout, cache):
    """Backward of the affine layer.

    Parameters
    ----------
    dout : (N, D_out), dL/dout.   cache : (x, W, b) from linear_forward.

    Returns
    -------
    dx : (N, D_in).   dW : (D_out, D_in).   db : (D_out,).
    """
    ### BEGIN SOLUTION
    x, W, _ = cache
    return dout @ W, dout.T @ x, dout.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_linear_backward", "locked": true, "points": 8, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient

# by hand, with a square W so that every transposition mistake runs and shows
_x = np.array([[1.0, 2.0], [3.0, -1.0]])
_W = np.array([[1.0, 2.0], [0.0, 3.0]])
_b = np.array([0.1, -0.2])
_dout = np.array([[1.0, 0.0], [2.0, -1.0]])
_dx = np.array([[1.0, 2.0], [2.0, 1.0]])  # row n: Σ_o dout[n, o] · W[o, :]
_dW = np.array([[7.0, 0.0], [-3.0, 1.0]])  # entry (o, d): Σ_n dout[n, o] · x[n, d]
_db = np.array([3.0, -1.0])  # Σ_n dout[n, :]
check(linear_backward, _dout, (_x, _W, _b), expected=(_dx, _dW, _db), out_names=("dx", "dW", "db"))


def _check_numerically(x, W, b, dout, label):
    # the numerical gradient of L = Σ dout · (x W^T + b); the cache is built here
    L = lambda x_, W_, b_: np.sum(dout * (x_ @ W_.T + b_))
    expected = (
        numerical_gradient(lambda t: L(t, W, b), x),
        numerical_gradient(lambda t: L(x, t, b), W),
        numerical_gradient(lambda t: L(x, W, t), b),
    )
    check(linear_backward, dout, (x, W, b), expected=expected, rtol=1e-5, atol=1e-8, out_names=("dx", "dW", "db"),
          label=label)
    return expected


# on non-square shapes
_rng = np.random.default_rng(41)
_x, _W, _b, _dout = _rng.normal(size=(4, 3)), _rng.normal(size=(5, 3)), _rng.normal(size=5), _rng.normal(size=(4, 5))
_check_numerically(_x, _W, _b, _dout, "numerical gradient")
### BEGIN HIDDEN TESTS
for _N, _D, _M in [(1, 2, 3), (6, 5, 2), (3, 3, 3)]:
    _x, _W, _b = _rng.normal(size=(_N, _D)), _rng.normal(size=(_M, _D)), _rng.normal(size=_M)
    _dout = _rng.normal(size=(_N, _M))
    _expected = _check_numerically(_x, _W, _b, _dout, f"N={_N}, D_in={_D}, D_out={_M}")
_f32 = lambda *a: tuple(t.astype(np.float32) for t in a)
check(
    linear_backward, *_f32(_dout), _f32(_x, _W, _b), expected=_expected, out_names=("dx", "dW", "db"), label="float32"
)
### END HIDDEN TESTS
print("linear_backward: all visible tests pass ✓")

# %%
# Your layer against the numerical gradient on a random 4 -> 4 layer: the relative errors should be about 1e-10.
rng = np.random.default_rng(1)
x, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
dout = rng.normal(size=(5, 4))
with yours(linear_forward, linear_backward) as my:                          # yours, or the course's
    loss = lambda x_, W_, b_: np.sum(dout * my.linear_forward(x_, W_, b_)[0])
    dx, dW, db = my.linear_backward(dout, (x, W, b))
    print("dx:", rel_error(dx, numerical_gradient(lambda t: loss(t, W, b), x)))
    print("dW:", rel_error(dW, numerical_gradient(lambda t: loss(x, t, b), W)))
    print("db:", rel_error(db, numerical_gradient(lambda t: loss(x, W, t), b)))

# %% [markdown]
# ## 3. A 2-2-2 network, product by product
#
# Now the whole chain. The network has two inputs, two hidden sigmoid units and two sigmoid outputs:
#
# * inputs $i_1 = 0.1$, $i_2 = 0.2$; targets $t_1 = 0.8$, $t_2 = 0.9$;
# * weights $w_1, \dots, w_8 = 0.05, 0.10, \dots, 0.40$;
# * **two shared biases**: $b_1 = 0.3$ feeds *both* hidden units, $b_2 = 0.3$ feeds *both* outputs;
# * error $E = \tfrac12 (t_1 - o_1)^2 + \tfrac12 (t_2 - o_2)^2$.
#
# $$
# \begin{aligned}
# net_{h1} &= w_1 i_1 + w_2 i_2 + b_1, & out_{h1} &= \sigma(net_{h1}), &
# net_{o1} &= w_5\,out_{h1} + w_6\,out_{h2} + b_2, & out_{o1} &= \sigma(net_{o1}),\\
# net_{h2} &= w_3 i_1 + w_4 i_2 + b_1, & out_{h2} &= \sigma(net_{h2}), &
# net_{o2} &= w_7\,out_{h1} + w_8\,out_{h2} + b_2, & out_{o2} &= \sigma(net_{o2}).
# \end{aligned}
# $$
#
# By hand: $net_{h1} = 0.05 \cdot 0.1 + 0.10 \cdot 0.2 + 0.3 = 0.325$, so $out_{h1} = \sigma(0.325) = 0.58054$;
# likewise $out_{h2} = \sigma(0.355) = 0.58783$. Then $net_{o1} = 0.25 \cdot 0.58054 + 0.30 \cdot 0.58783 + 0.3 =
# 0.62148$, $out_{o1} = 0.65056$, $out_{o2} = 0.67663$, and
#
# $$E = \tfrac12 (0.8 - 0.65056)^2 + \tfrac12 (0.9 - 0.67663)^2 = 0.036114.$$
#
# Write the forward pass with one line per unit. It returns all the intermediate values in a dict: that dict is the
# cache the backward pass will read.

# %%
inputs, targets = (0.1, 0.2), (0.8, 0.9)
params = {"w1": 0.05, "w2": 0.10, "w3": 0.15, "w4": 0.20, "w5": 0.25, "w6": 0.30, "w7": 0.35, "w8": 0.40,
          "b1": 0.3, "b2": 0.3}
show(viz.draw_net222(step=0, lr=0.5, show_grads=False))


# %% nbgrader={"grade": false, "grade_id": "net222_forward", "locked": false, "schema_version": 3, "solution": true}
def net222_forward(inputs, targets, params):
    """Forward pass of the 2-2-2 sigmoid network with shared biases.

    Parameters
    ----------
    inputs : (i1, i2).   targets : (t1, t2).
    params : dict with the floats w1 ... w8, b1 (both hidden units), b2 (both outputs).

    Returns
    -------
    values : dict with net_h1, out_h1, net_h2, out_h2, net_o1, out_o1, net_o2, out_o2 and
        E = 0.5 * (t1 - out_o1)**2 + 0.5 * (t2 - out_o2)**2 (all floats). It is the cache of net222_backward.
    """
    ### BEGIN SOLUTION
    i1, i2 = inputs
    t1, t2 = targets
    p = params
    sig = lambda t: 1.0 / (1.0 + np.exp(-t))
    v = {}
    v["net_h1"] = p["w1"] * i1 + p["w2"] * i2 + p["b1"]
    v["out_h1"] = sig(v["net_h1"])
    v["net_h2"] = p["w3"] * i1 + p["w4"] * i2 + p["b1"]
    v["out_h2"] = sig(v["net_h2"])
    v["net_o1"] = p["w5"] * v["out_h1"] + p["w6"] * v["out_h2"] + p["b2"]
    v["out_o1"] = sig(v["net_o1"])
    v["net_o2"] = p["w7"] * v["out_h1"] + p["w8"] * v["out_h2"] + p["b2"]
    v["out_o2"] = sig(v["net_o2"])
    v["E"] = 0.5 * (t1 - v["out_o1"]) ** 2 + 0.5 * (t2 - v["out_o2"]) ** 2
    return v
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_net222_forward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
from course.examples.network222 import INPUTS, PARAMS, TARGETS
def _forward(inputs, targets, p):
    # the network written out again, independently of yours
    (i1, i2), (t1, t2), s = inputs, targets, (lambda t: 1.0 / (1.0 + np.exp(-t)))
    h = [p["w1"] * i1 + p["w2"] * i2 + p["b1"], p["w3"] * i1 + p["w4"] * i2 + p["b1"]]
    oh = [s(h[0]), s(h[1])]
    o = [p["w5"] * oh[0] + p["w6"] * oh[1] + p["b2"], p["w7"] * oh[0] + p["w8"] * oh[1] + p["b2"]]
    oo = [s(o[0]), s(o[1])]
    return {"net_h1": h[0], "out_h1": oh[0], "net_h2": h[1], "out_h2": oh[1], "net_o1": o[0], "out_o1": oo[0],
            "net_o2": o[1], "out_o2": oo[1], "E": 0.5 * (t1 - oo[0]) ** 2 + 0.5 * (t2 - oo[1]) ** 2}

_values = check(net222_forward, INPUTS, TARGETS, dict(PARAMS),
               expected=_forward(INPUTS, TARGETS, PARAMS))
# the numbers worked by hand above, to the digits given there
for _name, _number in [("out_h1", 0.58054), ("out_h2", 0.58783), ("out_o1", 0.65056), ("out_o2", 0.67663)]:
    assert_close(_values[_name], _number, f"the worked example's {_name}", rtol=0, atol=5e-6)
assert_close(_values["E"], 0.036114, "the worked example's error E", rtol=0, atol=5e-7)
### BEGIN HIDDEN TESTS
# biases that differ, so b1 and b2 cannot be confused; other inputs and targets
_rng = np.random.default_rng(42)
for _ in range(3):
    _p = {k: float(_rng.normal()) for k in PARAMS}
    _inp, _tgt = tuple(_rng.normal(size=2)), tuple(_rng.uniform(size=2))
    check(net222_forward, _inp, _tgt, _p, expected=_forward(_inp, _tgt, _p),
          label="random parameters")
### END HIDDEN TESTS
print("net222_forward: all visible tests pass ✓")


# %% [markdown]
# ### Backward: the chain rule, one product at a time
#
# **An output weight, $w_6$.** $w_6$ reaches $E$ along one path only, $w_6 \to net_{o1} \to out_{o1} \to E$:
#
# $$\frac{\partial E}{\partial w_6} = \underbrace{\frac{\partial E}{\partial out_{o1}}}_{out_{o1} - t_1}
# \cdot \underbrace{\frac{\partial out_{o1}}{\partial net_{o1}}}_{out_{o1}(1 - out_{o1})}
# \cdot \underbrace{\frac{\partial net_{o1}}{\partial w_6}}_{out_{h2}}.$$
#
# The first two factors are the same for every weight entering $o_1$; their product is the **delta** of $o_1$,
# $\delta_{o1} = \partial E / \partial net_{o1}$.
#
# | factor | expression | value |
# | --- | --- | --- |
# | $\partial E/\partial out_{o1}$ | $out_{o1} - t_1 = 0.65056 - 0.8$ | -0.1494439 |
# | $\partial out_{o1}/\partial net_{o1}$ | $out_{o1}(1 - out_{o1})$ | 0.2273329 |
# | $\delta_{o1}$ | product of the two | -0.0339735 |
# | $\partial net_{o1}/\partial w_6$ | $out_{h2}$ | 0.5878295 |
# | $\partial E/\partial w_6$ | $\delta_{o1} \cdot out_{h2}$ | **-0.0199706** |
#
# **A hidden weight, $w_2$.** $w_2$ changes $net_{h1}$, and $out_{h1}$ feeds **both** outputs, so two paths lead to
# $E$ and their contributions add:
#
# $$\frac{\partial E}{\partial w_2} = \big(\delta_{o1} w_5 + \delta_{o2} w_7\big)\cdot out_{h1}(1-out_{h1})
# \cdot i_2 .$$
#
# | factor | expression | value |
# | --- | --- | --- |
# | $\delta_{o2}$ | $(out_{o2} - t_2)\,out_{o2}(1-out_{o2}) = -0.2233713 \cdot 0.2188023$ | -0.0488741 |
# | path through $o_1$ | $\delta_{o1} w_5 = -0.0339735 \cdot 0.25$ | -0.0084934 |
# | path through $o_2$ | $\delta_{o2} w_7 = -0.0488741 \cdot 0.35$ | -0.017106 |
# | $\partial E/\partial out_{h1}$ | sum of the two paths | -0.0255993 |
# | $\partial out_{h1}/\partial net_{h1}$ | $out_{h1}(1-out_{h1})$ | 0.2435129 |
# | $\delta_{h1}$ | product | -0.0062338 |
# | $\partial E/\partial w_2$ | $\delta_{h1} \cdot i_2 = \delta_{h1} \cdot 0.2$ | **-0.00124675** |
#
# **The shared biases.** $b_1$ enters $net_{h1}$ *and* $net_{h2}$ (with $\partial net/\partial b_1 = 1$ each), so
# it collects one contribution from each unit; likewise $b_2$ from both outputs:
#
# $$\frac{\partial E}{\partial b_1} = \delta_{h1} + \delta_{h2} = -0.0062338 + (-0.007206) = -0.0134398,
# \qquad \frac{\partial E}{\partial b_2} = \delta_{o1} + \delta_{o2} = -0.0339735 + (-0.0488741) =
# -0.0828477.$$
#
# Forgetting one of the two is the classic mistake with shared parameters: whenever a parameter is used in several
# places, **its gradient is the sum over all its uses.** (This is also why `db` sums over the batch in a linear layer:
# the same $b$ is used by every example.)
#
# Write the backward pass. Compute the four deltas first, then every gradient is one product.

# %% [markdown]
# Stuck? Open the hints one at a time.
#
# <details><summary>Hint 1 · where to start</summary>
#
# Everything you need is already computed: the outputs are in `values` (the forward's cache), the weights in
# `params`, the inputs and targets in the arguments. Do not differentiate $E$ as a whole; work backwards one unit at a
# time. First the two **output deltas** $\delta_{o1}, \delta_{o2}$, then the two **hidden deltas**
# $\delta_{h1}, \delta_{h2}$, which are built from the output deltas. Only then the ten gradients.
#
# </details>
#
# <details><summary>Hint 2 · the key formula</summary>
#
# A delta is $\partial E/\partial net$ of its unit: (what reaches the unit's output) × (its sigmoid slope).
#
# $$\delta_{o1} = (out_{o1} - t_1)\,out_{o1}(1 - out_{o1}), \qquad
# \delta_{h1} = \big(\delta_{o1} w_5 + \delta_{o2} w_7\big)\,out_{h1}(1 - out_{h1}),$$
#
# and likewise $\delta_{o2}$ with $t_2$, and $\delta_{h2}$ with the weights that leave $h_2$, $w_6$ (into $o_1$) and
# $w_8$ (into $o_2$).
#
# </details>
#
# <details><summary>Hint 3 · from deltas to gradients</summary>
#
# A weight's gradient is (delta of the unit it **enters**) × (output of the node it **leaves**): $w_6$ runs from $h_2$
# into $o_1$, so $\partial E/\partial w_6 = \delta_{o1}\cdot out_{h2}$; $w_2$ runs from $i_2$ into $h_1$, so
# $\partial E/\partial w_2 = \delta_{h1}\cdot i_2$. Read the other six off the wiring equations above. A bias is a
# node whose output is 1, used by two units: its gradient is the **sum** of their two deltas. Compare with the table
# of section 3: $-0.0199706$ for $w_6$, $-0.0134398$ for $b_1$.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "net222_backward", "locked": false, "schema_version": 3, "solution": true}
def net222_backward(inputs, targets, params, values):
    """Gradients of E with respect to every parameter of the 2-2-2 network.

    Parameters
    ----------
    inputs, targets, params : as for net222_forward.
    values : the dict returned by net222_forward (the cache).

    Returns
    -------
    grads : dict with the keys of params (w1 ... w8, b1, b2), each dE/d(parameter) as a float.
    """
    ### BEGIN SOLUTION
    i1, i2 = inputs
    t1, t2 = targets
    p, v = params, values
    d_o1 = (v["out_o1"] - t1) * v["out_o1"] * (1 - v["out_o1"])
    d_o2 = (v["out_o2"] - t2) * v["out_o2"] * (1 - v["out_o2"])
    d_h1 = (d_o1 * p["w5"] + d_o2 * p["w7"]) * v["out_h1"] * (1 - v["out_h1"])
    d_h2 = (d_o1 * p["w6"] + d_o2 * p["w8"]) * v["out_h2"] * (1 - v["out_h2"])
    return {"w1": d_h1 * i1, "w2": d_h1 * i2, "w3": d_h2 * i1, "w4": d_h2 * i2,
            "w5": d_o1 * v["out_h1"], "w6": d_o1 * v["out_h2"], "w7": d_o2 * v["out_h1"], "w8": d_o2 * v["out_h2"],
            "b1": d_h1 + d_h2, "b2": d_o1 + d_o2}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_net222_backward", "locked": true, "points": 10, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
from course.examples import network222 as _ref
from course.examples.network222 import INPUTS, PARAMS, TARGETS


def _numerical(inputs, targets, p, h=1e-5):
    # central differences of E, one parameter at a time, on a forward written out here
    s = lambda t: 1.0 / (1.0 + np.exp(-t))

    def E(q):
        (i1, i2), (t1, t2) = inputs, targets
        h1, h2 = s(q["w1"] * i1 + q["w2"] * i2 + q["b1"]), s(q["w3"] * i1 + q["w4"] * i2 + q["b1"])
        o1, o2 = s(q["w5"] * h1 + q["w6"] * h2 + q["b2"]), s(q["w7"] * h1 + q["w8"] * h2 + q["b2"])
        return 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2

    return {k: (E({**p, k: p[k] + h}) - E({**p, k: p[k] - h})) / (2 * h) for k in p}


# the cache is built by the reference forward, so only your backward is graded here
_values = _ref.net222_forward(INPUTS, TARGETS, PARAMS)
_grads = check(net222_backward, INPUTS, TARGETS, dict(PARAMS), _values,
              expected=_numerical(INPUTS, TARGETS, PARAMS), rtol=1e-6, atol=1e-11)
# the gradients worked by hand above
assert_close(_grads["w6"], -0.0199706, "the worked example's dE/dw6", rtol=0, atol=5e-8)
assert_close(_grads["w2"], -0.00124675, "the worked example's dE/dw2", rtol=0, atol=5e-9)
assert_close(_grads["b1"], -0.0134398, "the worked example's dE/db1 (two contributions: h1 and h2)", rtol=0,
             atol=5e-8)
assert_close(_grads["b2"], -0.0828477, "the worked example's dE/db2 (two contributions: o1 and o2)", rtol=0,
             atol=5e-8)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(43)
for _ in range(3):
    _p = {k: float(_rng.normal()) for k in PARAMS}
    _inp, _tgt = tuple(_rng.normal(size=2)), tuple(_rng.uniform(size=2))
    check(net222_backward, _inp, _tgt, _p, _ref.net222_forward(_inp, _tgt, _p), expected=_numerical(_inp, _tgt, _p),
          rtol=1e-6, atol=1e-11, label="random parameters")
### END HIDDEN TESTS
print("net222_backward: all visible tests pass ✓")

# %%
with yours(net222_forward, net222_backward) as my:                          # yours, or the course's
    values = my.net222_forward(inputs, targets, params)
    grads = my.net222_backward(inputs, targets, params, values)
    print(network222.chain_rule_table(inputs, targets, params, values, grads))


# %% [markdown]
# ### One step of gradient descent, then many
#
# Every gradient above is negative: raising any weight or bias would lower $E$ (both outputs are below their
# targets). Gradient descent moves each parameter against its gradient,
#
# $$p \leftarrow p - \text{lr}\cdot\frac{\partial E}{\partial p}.$$
#
# Write the update so that it returns a **new** dict and leaves `params` untouched.

# %% nbgrader={"grade": false, "grade_id": "net222_update", "locked": false, "schema_version": 3, "solution": true}
def net222_update(params, grads, lr):
    """One gradient-descent step on every parameter.

    Parameters
    ----------
    params, grads : dicts with the same keys.   lr : learning rate.

    Returns
    -------
    new_params : a new dict, new_params[k] = params[k] - lr * grads[k]; params is left unchanged.
    """
    ### BEGIN SOLUTION
    return {k: params[k] - lr * grads[k] for k in params}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_net222_update", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
from course.examples import network222 as _ref
from course.examples.network222 import INPUTS, PARAMS, TARGETS

_p = dict(PARAMS)
_g = {k: 0.1 * (j + 1) * (-1) ** j for j, k in enumerate(_p)}
_before = dict(_p)
check(net222_update, _p, _g, 0.5, expected={k: _p[k] - 0.5 * _g[k] for k in _p})
assert _p == _before, "net222_update changed `params` in place: build and return a new dict instead."
### BEGIN HIDDEN TESTS
# the error falls, step after step, with the worked network's own gradients
_p, _errors = dict(PARAMS), []
for _step in range(50):
    _values = _ref.net222_forward(INPUTS, TARGETS, _p)
    _errors.append(_values["E"])
    _grads = _ref.net222_backward(INPUTS, TARGETS, _p, _values)
    _p = check(net222_update, _p, _grads, 0.5, expected={k: _p[k] - 0.5 * _grads[k] for k in _p}, label=f"step {_step}")
assert all(b < a for a, b in zip(_errors, _errors[1:])), "the error should fall at every step of gradient descent"
### END HIDDEN TESTS
print("net222_update: all visible tests pass ✓")

# %%
lr = 0.5
with yours(net222_forward, net222_backward, net222_update) as my:           # yours, or the course's
    values = my.net222_forward(inputs, targets, params)
    grads = my.net222_backward(inputs, targets, params, values)
    new_params = my.net222_update(params, grads, lr)
    print("after one step:", {k: round(float(val), 6) for k, val in new_params.items()})
    E_after = my.net222_forward(inputs, targets, new_params)["E"]
    print(f"E before: {values['E']:.6f}   E after one step: {E_after:.6f}")

    p = params
    for step in range(1, 1001):
        v = my.net222_forward(inputs, targets, p)
        p = my.net222_update(p, my.net222_backward(inputs, targets, p, v), lr)
        if step in (1, 2, 5, 10, 50, 100, 500, 1000):
            E = my.net222_forward(inputs, targets, p)["E"]
            print(f"after {step:4d} steps: E = {E:.8f}")

# %% [markdown]
# The stepper below redraws the network after any number of steps: each edge is labelled with its weight (blue) and
# its gradient (orange); each unit shows its output, and next to it, in orange, its delta. Thicker edges carry larger
# gradients. Watch the deltas shrink as the outputs approach their targets, and the hidden-layer gradients stay about
# twenty times smaller than the output-layer ones: each passes back through one more sigmoid slope (at most ¼) and a
# weight below 1, and its last factor is an input of 0.1 or 0.2 where an output weight's is a hidden output near
# 0.6.

# %%
widgets.net222_stepper()

# %% [markdown]
# ## 4. XOR: the four steps, and reading a gradient's sign
#
# XOR cannot be separated by one line, so it needs a hidden layer. Take a 2-2-1 sigmoid network, with
# `W1` of shape `(2, 2)`, `b1` `(2,)`, `W2` `(1, 2)`, `b2` `(1,)`, and the error of one example $E = \frac12(a - y)^2$.
# For one input, backpropagation is four steps:
#
# 1. **error** at the output: $e = a - y$ (actual minus ideal), which is $\partial E/\partial a$;
# 2. **output-node delta**: $\delta_o = e \cdot \sigma'(z_o) = e \cdot a(1-a)$;
# 3. **interior-node deltas**, from the deltas of the nodes they feed:
#    $\delta_h = \sigma'(z_h) \cdot \sum_k w_{kh}\,\delta_k = h(1-h)\cdot (W_2^\top \delta_o)$;
# 4. **per-weight gradients**: the weight from node $i$ into node $k$ gets $\partial E/\partial w_{ki} =
#    \delta_k \cdot o_i$, the delta of the node it enters times the output of the node it leaves (for a bias,
#    $o_i = 1$).
#
# Every delta here is $\partial E/\partial z$, so the gradients are true derivatives of $E$ and their **sign reads
# directly**, as in lesson 02: negative means *raise the weight* (the error falls as the weight grows), positive means
# *lower it*, and zero means the weight has no effect on this example (its input was 0). The table after the next
# test reads every gradient of the network this way. You may meet another convention elsewhere: $\delta_o =
# -e\,\sigma'$, with the "gradient" *added* to the weight; the two sign flips cancel and the update is the same.
#
# The network starts from these hand-picked weights:

# %%
xor_params = {"W1": np.array([[0.6, -0.4], [-0.3, 0.8]]), "b1": np.array([0.1, -0.2]),
              "W2": np.array([[0.9, -0.7]]), "b2": np.array([0.3])}
X_xor = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y_xor = np.array([0.0, 1.0, 1.0, 0.0])


# %% nbgrader={"grade": false, "grade_id": "xor_gradients", "locked": false, "schema_version": 3, "solution": true}
def xor_gradients(x, y, params):
    """The four steps of backpropagation for one example of the 2-H-1 sigmoid network, E = 0.5 * (a - y)**2.

    Parameters
    ----------
    x : (2,) input.   y : float target.
    params : dict with W1 (H, 2), b1 (H,), W2 (1, H), b2 (1,).

    Returns
    -------
    error : float, a - y.
    delta_out : (1,), dE/dz at the output.
    delta_hidden : (H,), dE/dz at the hidden units.
    grads : dict shaped like params: W1 (H, 2), b1 (H,), W2 (1, H), b2 (1,).
    """
    ### BEGIN SOLUTION
    sig = lambda t: 1.0 / (1.0 + np.exp(-t))
    h = sig(params["W1"] @ x + params["b1"])
    a = sig(params["W2"] @ h + params["b2"])
    error = float(a[0] - y)
    delta_out = error * a * (1 - a)
    delta_hidden = h * (1 - h) * (params["W2"].T @ delta_out)
    grads = {"W1": np.outer(delta_hidden, x), "b1": delta_hidden,
             "W2": np.outer(delta_out, h), "b2": delta_out}
    return error, delta_out, delta_hidden, grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_xor_gradients", "locked": true, "points": 8, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
from course.examples.xor import PARAMS as XOR_PARAMS


def _expected(x, y, params, h=1e-6):
    # a forward written out here; every gradient and delta by central differences of E
    s = lambda t: 1.0 / (1.0 + np.exp(-t))
    out = lambda q: s(q["W2"] @ s(q["W1"] @ x + q["b1"]) + q["b2"])[0]
    E = lambda q: 0.5 * (out(q) - y) ** 2
    grads = {}
    for k, arr in params.items():
        grads[k] = numerical_gradient(lambda t: E({**params, k: t}), arr, h=h)
    # dE/dz of a unit is dE/d(its bias): the deltas come out of the bias gradients
    return out(params) - y, grads["b2"], grads["b1"], grads


_x, _y = np.array([1.0, 0.0]), 1.0
check(xor_gradients, _x, _y, XOR_PARAMS, expected=_expected(_x, _y, XOR_PARAMS), rtol=1e-6, atol=1e-10,
      out_names=("error", "delta_out", "delta_hidden", "grads"),
      label="the worked example: input [1, 0], target 1")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(44)
for _x, _y in zip([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.3, -0.7]], [0.0, 1.0, 0.0, 0.5]):
    _p = {"W1": _rng.normal(size=(3, 2)), "b1": _rng.normal(size=3), "W2": _rng.normal(size=(1, 3)),
         "b2": _rng.normal(size=1)}
    _x = np.array(_x)
    check(xor_gradients, _x, _y, _p, expected=_expected(_x, _y, _p), rtol=1e-6, atol=1e-10,
          out_names=("error", "delta_out", "delta_hidden", "grads"),
          label="3 hidden units, random weights")
### END HIDDEN TESTS
print("xor_gradients: all visible tests pass ✓")

# %%
with yours(xor_gradients) as my:                                           # yours, or the course's
    error, delta_out, delta_hidden, xor_grads = my.xor_gradients(np.array([1.0, 0.0]), 1.0, xor_params)
    print(f"1. error  e = a - y = {error:+.5f}   (the output is below its target)")
    print(f"2. output delta      = {delta_out[0]:+.5f}")
    print(f"3. interior deltas   = {np.round(delta_hidden, 5)}")
    print("4. per-weight gradients, and what each one says:")
    print(xor.gradient_sign_table(xor_params, xor_grads))


# %% [markdown]
# Read the table. The output is too low, so the output bias and the output weights should rise (negative gradients).
# The hidden unit 1 feeds the output through a positive weight (0.9): raising its input weight from $x_1$ raises the
# output, so that gradient is negative too. Hidden unit 2 feeds it through a negative weight (−0.7): its weight from
# $x_1$ should be *lowered*. And the weights from $x_2$ have gradient exactly 0: for this example $x_2 = 0$, so they
# cannot change the output; the gradient says "no change".
#
# ### Training to convergence
#
# Training repeats the four steps on all four examples, averages their gradients (the loss is the mean over the
# batch) and takes one gradient-descent step per epoch. `train_xor` receives the function that computes one example's
# gradients, so it works with yours, or with any other.

# %% nbgrader={"grade": false, "grade_id": "train_xor", "locked": false, "schema_version": 3, "solution": true}
def train_xor(params, X, y, grad_fn, lr=5.0, epochs=1000):
    """Full-batch gradient descent on the XOR network.

    Parameters
    ----------
    params : dict W1, b1, W2, b2 (left unchanged).   X : (N, 2).   y : (N,).
    grad_fn : grad_fn(x, y, params) -> (error, delta_out, delta_hidden, grads), like xor_gradients.
    lr : learning rate.   epochs : number of updates.

    Returns
    -------
    params : dict of the trained parameters (new arrays).
    losses : list of length epochs; losses[k] is the MSE, mean of error**2 over the batch, before update k.
    Each update is p - lr * (mean over the N examples of their gradients).
    """
    ### BEGIN SOLUTION
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        results = [grad_fn(xi, yi, params) for xi, yi in zip(X, y)]
        losses.append(float(np.mean([r[0] ** 2 for r in results])))
        for k in params:
            params[k] = params[k] - lr * np.mean([r[3][k] for r in results], axis=0)
    return params, losses
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_xor", "locked": true, "points": 5, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
from course.examples import xor as _ref

_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_y = np.array([0.0, 1.0, 1.0, 0.0])
# the reference gradients are passed in, so only your training loop is graded; the expected run is vectorised


def _expected(X, y, params, epochs):
    trained, losses = _ref.train_xor(params, X, y, lr=5.0, epochs=epochs)
    return trained, np.array(losses)


check(
    train_xor,
    dict(_ref.PARAMS),
    _X,
    _y,
    _ref.xor_gradients,
    5.0,
    5,
    expected=_expected(_X, _y, _ref.PARAMS, 5),
    out_names=("params", "losses"),
    label="5 epochs",
)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(0)
_p0 = _ref.init_params(_rng, hidden=2)
_trained, _losses = check(
    train_xor,
    _p0,
    _X,
    _y,
    _ref.xor_gradients,
    5.0,
    700,
    expected=_expected(_X, _y, _p0, 700),
    out_names=("params", "losses"),
    label="700 epochs from default_rng(0)",
)
_mse = _ref.mse(_X, _y, _trained)
assert _mse < 0.01, f"after 700 epochs the MSE should be below 0.01, got {_mse:.4f}"
### END HIDDEN TESTS
print("train_xor: all visible tests pass ✓")

# %%
rng = np.random.default_rng(0)
start = xor.init_params(rng, hidden=2)   # weights ~ N(0, 1), biases 0
with yours(train_xor, xor_gradients) as my:                                # yours, or the course's
    trained, losses = my.train_xor(start, X_xor, y_xor, my.xor_gradients, lr=5.0, epochs=1000)
first = next((k for k, l in enumerate(losses) if l < 0.01), None)
print(f"MSE at epoch 0: {losses[0]:.4f}; first epoch below 0.01: {first}; final MSE: {losses[-1]:.5f}")
a = xor.forward(X_xor, trained)[1]
for xi, yi, ai in zip(X_xor, y_xor, a):
    print(f"  x = {xi}  target {yi:.0f}  output {ai:.3f}")

# %% [markdown]
# Slide through the epochs: at first the network draws one soft line, then the hidden units learn two lines and the
# output combines them into the XOR band. (From some other random starting weights a 2-2-1 network gets stuck in a
# local minimum where one corner stays wrong: try random starts 1 and 4, or give it 3 hidden units.)

# %%
widgets.xor_boundary_explorer()


# %% [markdown]
# ## 5. The delta rule, vectorised, for L layers
#
# The same steps, for a whole batch and any depth. Take $L$ sigmoid layers, $a^0 = X$ and
# $a^{l} = \sigma(z^l)$ with $z^l = a^{l-1} W^{l\top} + b^l$, and the cross-entropy of the $K$ sigmoid outputs,
# averaged over the batch:
#
# $$J = -\frac1N \sum_{n=1}^N \sum_{k=1}^K \Big[y_{nk}\log a^L_{nk} + (1-y_{nk})\log(1-a^L_{nk})\Big].$$
#
# **The output delta** is remarkably simple: $\partial J/\partial a = \frac1N\,\frac{a-y}{a(1-a)}$, and the sigmoid's
# slope $a(1-a)$ cancels it exactly, so
#
# $$\delta^L = \frac{\partial J}{\partial z^L} = \frac{1}{N}\,(a^L - y).$$
#
# **Each earlier delta** comes from the next one through the weights, then through the slope of its own layer:
#
# $$\delta^l = \big(\delta^{l+1} W^{l+1}\big) \circ g'(z^l), \qquad g'(z^l) = a^l(1-a^l),$$
#
# and the gradients are those of a linear layer: $\partial J/\partial W^l = \delta^{l\top} a^{l-1}$,
# $\partial J/\partial b^l = \sum_n \delta^l_{n\cdot}$.
#
# **Why $\delta W$ and not $W^\top\delta$.** For *one* example written as a column vector, the step back through the
# weights is $W^{l+1\top}\,\delta^{l+1}$: that is XOR's step 3 above, `W2.T @ delta_out`. Here a batch holds one
# example per **row**, so each row of $\delta^{l+1}$ is such a vector lying on its side, and the transpose of
# $W^\top\delta$ is $\delta^\top W$: for all the rows at once the product is $\delta^{l+1} W^{l+1}$, of shape
# $(N, \text{out})\cdot(\text{out}, \text{in}) = (N, \text{in})$. In the same way, XOR's per-weight gradient
# $\delta_k\, o_i$ (an outer product for one example), summed over the batch, is $\delta^{l\top} a^{l-1}$, of `W`'s
# shape. As in the linear layer, the shapes decide.
#
# **Where the $\frac1N$ goes.** It enters once, in $\delta^L$, and every earlier delta inherits it through the
# products; no other line divides by $N$. Forgetting it there gives gradients $N$ times too large; dividing again
# further down gives some layers gradients $N$ times too small. (We leave out a regularisation term; lesson 01 wrote
# the gradient of the L2 penalty, which would simply be added to each $\partial J/\partial W^l$.)
#
# `params` is a list of `(W, b)`, one per layer. The forward returns the list of activations `[X, a¹, …, aᴸ]`: that
# list is the cache of the backward.

# %% nbgrader={"grade": false, "grade_id": "mlp_forward", "locked": false, "schema_version": 3, "solution": true}
def mlp_forward(X, params):
    """Forward pass of an all-sigmoid network.

    Parameters
    ----------
    X : (N, D).   params : list of (W, b), W (out, in), b (out,), layer by layer.

    Returns
    -------
    activations : list [X, a1, ..., aL] of length len(params) + 1; a_l = sigmoid(a_{l-1} @ W_l.T + b_l).
    """
    ### BEGIN SOLUTION
    activations = [X]
    for W, b in params:
        z = activations[-1] @ W.T + b
        activations.append(1.0 / (1.0 + np.exp(-z)))
    return activations
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mlp_forward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
_rng = np.random.default_rng(45)
_sizes = [3, 4, 2]
_params = [(_rng.normal(size=(o, i)), _rng.normal(size=o)) for i, o in zip(_sizes[:-1], _sizes[1:])]
_X = _rng.normal(size=(5, 3))
_s = lambda t: 1.0 / (1.0 + np.exp(-t))
_a1 = _s(np.einsum("ni,oi->no", _X, _params[0][0]) + _params[0][1])
_a2 = _s(np.einsum("ni,oi->no", _a1, _params[1][0]) + _params[1][1])
check(mlp_forward, _X, _params, expected=[_X, _a1, _a2])
### BEGIN HIDDEN TESTS
_sizes = [2, 5, 3, 4]
_params = [(_rng.normal(size=(o, i)), _rng.normal(size=o)) for i, o in zip(_sizes[:-1], _sizes[1:])]
_X = _rng.normal(size=(1, 2))
_acts = [_X]
for _W, _b in _params:
    _acts.append(_s(_acts[-1] @ _W.T + _b))
check(mlp_forward, _X, _params, expected=_acts, label="3 layers, N=1")
### END HIDDEN TESTS
print("mlp_forward: all visible tests pass ✓")


# %% [markdown]
# Now the backward pass of the whole network, by the delta rule above. Stuck? Open the hints one at a time.
#
# <details><summary>Hint 1 · where to start</summary>
#
# Walk the layers from the last to the first. Layer $l$ (counting from 1) reads its input $a^{l-1}$ and wrote its
# output $a^l$; in the list `activations = [X, a¹, …, aᴸ]` those are entries $l - 1$ and $l$, and its weights are
# `params[l - 1]`. Start with the output delta, which needs only the last activation, `Y` and $N$. Keep one variable
# for "the current delta" and replace it as you go down.
#
# </details>
#
# <details><summary>Hint 2 · the key formulas</summary>
#
# $$\delta^L = \tfrac1N\,(a^L - y), \qquad
# \frac{\partial J}{\partial W^l} = \delta^{l\top} a^{l-1}, \qquad
# \frac{\partial J}{\partial b^l} = \textstyle\sum_n \delta^l_{n\cdot}, \qquad
# \delta^{l-1} = \big(\delta^l\, W^l\big) \circ a^{l-1}\,(1 - a^{l-1}).$$
#
# At each layer, take its two gradients with the current delta first, then pass the delta one layer down; stop
# passing it once you reach the first layer (the input $X$ has no delta).
#
# </details>
#
# <details><summary>Hint 3 · checking the shapes</summary>
#
# $\delta^l$ is $(N, \text{out})$, $W^l$ is $(\text{out}, \text{in})$ and $a^{l-1}$ is $(N, \text{in})$, so
# $\delta^{l\top}a^{l-1}$ is $(\text{out}, \text{in})$ like $W^l$, and $\delta^l W^l$ is $(N, \text{in})$ like
# $a^{l-1}$. The sigmoid's slope uses the layer's **output** $a^{l-1}$, never $\sigma$ applied to it again. Return the
# list in layer order, first layer first, although you computed it last to first.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "mlp_backward", "locked": false, "schema_version": 3, "solution": true}
def mlp_backward(activations, Y, params):
    """Gradients of the mean cross-entropy J of an all-sigmoid network, by the delta rule.

    Parameters
    ----------
    activations : [X, a1, ..., aL] from mlp_forward (the cache).   Y : (N, K) targets in [0, 1].
    params : list of (W, b) as for mlp_forward.

    Returns
    -------
    grads : list of (dW, db), one per layer, shaped like params.
    Output delta (aL - Y) / N; then delta_l = (delta_{l+1} @ W_{l+1}) * a_l * (1 - a_l), one example per row.
    """
    ### BEGIN SOLUTION
    N = len(Y)
    delta = (activations[-1] - Y) / N
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        a_prev = activations[l]
        grads[l] = (delta.T @ a_prev, delta.sum(axis=0))
        if l > 0:
            delta = (delta @ params[l][0]) * a_prev * (1 - a_prev)
    return grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mlp_backward", "locked": true, "points": 13, "schema_version": 3, "solution": false}
import numpy as np
from course.grading import check, assert_close
from course.gradcheck import numerical_gradient
from course.examples import delta_rule as _ref


def _numerical_grads(X, Y, params):
    # central differences of the reference loss, one parameter array at a time
    grads = []
    for l, (W, b) in enumerate(params):
        with_W = lambda t: _ref.mlp_loss(X, Y, params[:l] + [(t, b)] + params[l + 1:])
        with_b = lambda t: _ref.mlp_loss(X, Y, params[:l] + [(W, t)] + params[l + 1:])
        grads.append((numerical_gradient(with_W, W), numerical_gradient(with_b, b)))
    return grads


_rng = np.random.default_rng(46)
_params = _ref.mlp_init([3, 4, 2], _rng, scale=2.0)
_X, _Y = _rng.normal(size=(6, 3)), _rng.integers(0, 2, size=(6, 2)).astype(float)
check(mlp_backward, _ref.mlp_forward(_X, _params), _Y, _params, expected=_numerical_grads(_X, _Y, _params),
      rtol=1e-5, atol=1e-9, label="2 layers, numerical gradient")
### BEGIN HIDDEN TESTS
for _sizes, _N in [([2, 5, 3, 3], 4), ([4, 3, 1], 1)]:
    _params = _ref.mlp_init(_sizes, _rng, scale=2.0)
    _X, _Y = _rng.normal(size=(_N, _sizes[0])), _rng.uniform(size=(_N, _sizes[-1]))
    check(mlp_backward, _ref.mlp_forward(_X, _params), _Y, _params, expected=_numerical_grads(_X, _Y, _params),
          rtol=1e-5, atol=1e-9, label=f"layers {_sizes}, N={_N}")
### END HIDDEN TESTS
print("mlp_backward: all visible tests pass ✓")

# %% [markdown]
# ### A gradient check of the whole network
#
# The final test of a backprop implementation: perturb every parameter of a deeper network by $\pm h$, measure the
# loss, and compare the central differences with the analytic gradients. In float64 with $h = 10^{-5}$, a correct
# implementation agrees to a relative error far below $10^{-6}$; a single wrong factor anywhere gives $10^{-2}$ or
# worse.

# %%
rng = np.random.default_rng(2)
sizes = [4, 6, 5, 3]                                 # three sigmoid layers
net = delta_rule.mlp_init(sizes, rng, scale=2.0)
X, Y = rng.normal(size=(8, 4)), rng.integers(0, 2, size=(8, 3)).astype(float)

with yours(mlp_forward, mlp_backward) as my:                               # yours, or the course's
    def cross_entropy(params):
        aL = my.mlp_forward(X, params)[-1]
        return -np.sum(Y * np.log(aL) + (1 - Y) * np.log(1 - aL)) / len(X)

    analytic = my.mlp_backward(my.mlp_forward(X, net), Y, net)
    worst = 0.0
    for l, ((W, b), (dW, db)) in enumerate(zip(net, analytic)):
        if np.shape(dW) != W.shape or np.shape(db) != b.shape:
            print(f"layer {l + 1}: gradients of shape {np.shape(dW)}, {np.shape(db)} for W {W.shape}, b {b.shape}")
            worst = np.inf
            continue
        num_W = numerical_gradient(lambda t: cross_entropy(net[:l] + [(t, b)] + net[l + 1:]), W)
        num_b = numerical_gradient(lambda t: cross_entropy(net[:l] + [(W, t)] + net[l + 1:]), b)
        errs = rel_error(dW, num_W), rel_error(db, num_b)
        worst = max(worst, *errs)
        print(f"layer {l + 1}: W {W.shape}  relative error dW {errs[0]:.1e}, db {errs[1]:.1e}")
    print(f"largest relative error over the whole network: {worst:.1e}  (below 1e-6: {worst < 1e-6})")

# %% [markdown]
# ## Your scorecard
# The cell below runs every test of this notebook again, against the functions you have now, and lists
# what passes and what still fails. *Validate* ends with the same summary.

# %% nbgrader={"grade": true, "grade_id": "scorecard", "locked": true, "points": 0, "schema_version": 3, "solution": false}
scorecard("03_backprop.ipynb")

# %% [markdown]
# ## Recap
#
# * Each layer is a pair: the **forward** computes its output and keeps a **cache**; the **backward** multiplies the
#   upstream gradient by the local derivative. Sigmoid and tanh cache their output ($\sigma' = a(1-a)$,
#   $\tanh' = 1-a^2$), ReLU its input.
# * Sigmoid slopes are at most ¼ and vanish when saturated; ReLU passes gradients unchanged but dies where $z \le 0$;
#   leaky ReLU and PReLU keep a small slope (PReLU learns it: $d\alpha = \sum_{z\le0} da\,z$).
# * A linear layer: $dx = \text{dout}\,W$, $dW = \text{dout}^\top x$, $db = \sum_n \text{dout}$. The shapes decide.
# * Backprop is the chain rule organised by **deltas** $\delta = \partial E/\partial z$: one per unit, computed from the
#   output backwards; each weight's gradient is (delta of the unit it enters) × (output of the unit it leaves).
# * A parameter used in several places (a shared bias, a bias over a batch) gets the **sum** of its contributions.
# * The sign of a gradient is advice: negative, raise the weight; positive, lower it; zero, leave it.
# * Vectorised, with one example per row: $\delta^L = \frac1N(a^L - y)$ for sigmoid outputs with the mean
#   cross-entropy (the $\frac1N$ of the mean enters here, once), $\delta^l = (\delta^{l+1}W^{l+1})\circ g'(z^l)$,
#   $\partial J/\partial W^l = \delta^{l\top} a^{l-1}$; a gradient check of the whole network confirms every line.
#
# Next, lesson 04 asks where the weights should *start*, so that these products neither vanish nor explode.

# %% [markdown]
# ## References
#
# - The 2-2-2 network of section 3 (two inputs, two hidden and two output sigmoid units, one bias shared per layer,
#   $E = \tfrac12\sum(t - o)^2$, worked product by product) is the network of Matt Mazur, *A Step by Step
#   Backpropagation Example* (2015), here with other starting numbers.
# - The four steps of section 4 (error, output-node delta, interior-node deltas, per-weight gradients) on an XOR
#   network, and reading a gradient's sign, follow Jeff Heaton, *Artificial Intelligence for Humans, Volume 3: Deep
#   Learning and Neural Networks* (2015), the chapter on backpropagation training.
# - The vectorised delta rule of section 5 follows the backpropagation lectures of Andrew Ng's *Machine Learning*
#   course (Stanford, on Coursera), where it is written for one example per column.
