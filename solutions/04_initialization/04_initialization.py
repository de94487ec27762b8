# %% [markdown]
# # 04 · Initialization: where learning starts
#
# Lesson 03 trained networks by backpropagation, starting from weights someone handed us. This lesson is about that
# starting point. Before the first update, the initial weights already decide whether the hidden units can become
# different from each other, and whether a signal survives the trip through fifty layers and back, or dies out or
# blows up on the way.
#
# **You will learn to**
# - read the fan-in and fan-out of a weight of shape `(out_features, in_features)` (PyTorch's layout);
# - see why all-zero and constant weights make every hidden unit identical, and why training can never separate them;
# - follow the variance of activations and gradients layer by layer, and see how it vanishes or explodes with depth;
# - derive Xavier (Glorot) and Kaiming (He) initialisation from "keep the variance constant", with `calculate_gain`;
# - build orthogonal initialisation from a QR factorisation;
# - write every initializer with PyTorch's names (`torch.nn.init`), drawing only from the `rng` you are given;
# - test random code statistically: by its distribution, never by its exact draws.
#
# **What you write** (100 points): `calculate_fan_in_and_fan_out`, `zeros_init`, `constant_init`, `uniform_init`,
# `normal_init`, `calculate_gain`, `xavier_uniform`, `xavier_normal`, `kaiming_uniform`, `kaiming_normal`,
# `orthogonal`. Each is followed by a locked test cell. Run it: when something is wrong it says what it looks like.
#
# **How random functions are graded.** Two correct students can draw the same distribution in different ways
# (`rng.uniform(-b, b, shape)` or `b * (2 * rng.random(shape) - 1)`), so the tests never compare exact numbers. They
# draw tens of thousands of weights and check the shape, the dtype, the bounds, the sample mean and standard deviation
# (within 5 standard errors for that sample size) and the shape of the distribution. They also check that you draw from
# the `rng` you are given: two generators made alike (`np.random.default_rng(0)` twice) must give the same weights,
# generators made differently must give different weights.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import math

import numpy as np

from course import mlp, optim
from course.examples import init_experiments as lab
from course import data
from course.viz import init as pictures
from course.viz import show
from course.widgets import init as explorers
from course.demo import yours
from course.grading import scorecard


# %% [markdown]
# ## 1 · A weight's shape, fan-in and fan-out
#
# A linear layer maps `in_features` inputs to `out_features` outputs, $\text{out} = x W^\top + b$, with
# $W$ of shape `(out_features, in_features)`. Row $j$ of $W$ holds the weights of output unit $j$:
#
# $$z_j = \sum_{i=1}^{n_\text{in}} W_{ji}\, x_i + b_j .$$
#
# - The **fan-in** is the number of inputs each unit sums: $n_\text{in}$ = `shape[1]`, the length of a row.
# - The **fan-out** is the number of units each input feeds: $n_\text{out}$ = `shape[0]`, the length of a column.
#   It is the number of terms each input's gradient sums in the backward pass, $\partial L/\partial x_i =
#   \sum_j W_{ji}\, \partial L/\partial z_j$.
#
# For `W` of shape `(3, 5)`: fan-in 5, fan-out 3. The two are easy to swap, and since the initializers below divide by
# one of them, a swap silently gives the wrong scale, so tests use shapes with fan-in ≠ fan-out.
#
# A convolution's weight has shape `(out_channels, in_channels, kh, kw)`: each output sums `in_channels · kh · kw`
# inputs, so both fans are multiplied by the *receptive field* `kh · kw` (PyTorch does the same). Fewer than two
# dimensions has no fans: raise a `ValueError`.

# %% nbgrader={"grade": false, "grade_id": "calculate_fan_in_and_fan_out", "locked": false, "schema_version": 3, "solution": true}
def calculate_fan_in_and_fan_out(shape):
    """Fan-in and fan-out of a weight of shape (out_features, in_features), or (out, in, *kernel) for a conv.

    Parameters
    ----------
    shape : tuple of ints with at least 2 entries.

    Returns
    -------
    (fan_in, fan_out) : ints. fan_in = shape[1] * k and fan_out = shape[0] * k, where k is the product of the
        kernel sizes shape[2:] (k = 1 for a linear layer).

    Raises ValueError when shape has fewer than 2 entries.
    """
    ### BEGIN SOLUTION
    if len(shape) < 2:
        raise ValueError("fan-in and fan-out need a weight with at least 2 dimensions")
    receptive_field = 1
    for k in shape[2:]:
        receptive_field *= k
    return shape[1] * receptive_field, shape[0] * receptive_field
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_calculate_fan_in_and_fan_out", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course.grading.init import check_raises
from course.grading import check

_fans = dict(out_names=("fan_in", "fan_out"))
# W of shape (3, 5): each of the 3 units sums 5 inputs (fan_in 5), each input feeds 3 units (fan_out 3).
check(calculate_fan_in_and_fan_out, (3, 5), expected=(5, 3), label="shape (3, 5)", **_fans)
# A conv weight (out 16, in 8, 3×3 kernel): both fans are multiplied by the receptive field 9.
check(calculate_fan_in_and_fan_out, (16, 8, 3, 3), expected=(72, 144), label="conv weight (16, 8, 3, 3)", **_fans)
### BEGIN HIDDEN TESTS
check(calculate_fan_in_and_fan_out, (300, 200), expected=(200, 300), label="shape (300, 200)", **_fans)
check(calculate_fan_in_and_fan_out, (1, 7), expected=(7, 1), label="shape (1, 7): one output", **_fans)
check(calculate_fan_in_and_fan_out, (4, 2, 5), expected=(10, 20), label="1-d conv (4, 2, 5)", **_fans)
check(calculate_fan_in_and_fan_out, (6, 6), expected=(6, 6), label="square (6, 6)", **_fans)
check_raises(calculate_fan_in_and_fan_out, (5,), label="a bias vector has no fans")
### END HIDDEN TESTS
print("calculate_fan_in_and_fan_out: all visible tests pass ✓")


# %% [markdown]
# ## 2 · The simplest initializers, and randomness as an argument
#
# Four building blocks, named as in `torch.nn.init` (`zeros_`, `constant_`, `uniform_`, `normal_`; ours return a new
# array instead of filling one in place). Weights are **float64**: `np.full(shape, 2)` would make an *integer* array,
# and every later update would be truncated to whole numbers.
#
# The random ones take `rng`, a `np.random.Generator`, and draw only from it. That makes a run reproducible
# (`rng = np.random.default_rng(0)` gives the same weights every time) without any global state. When `rng` is `None`,
# create a fresh generator: `rng = np.random.default_rng() if rng is None else rng`.
#
# - `uniform_init(shape, a, b, rng)`: independent draws from $U(a, b)$, mean $\frac{a+b}{2}$, standard deviation
#   $\frac{b-a}{\sqrt{12}}$.
# - `normal_init(shape, mean, std, rng)`: independent draws from $\mathcal N(\text{mean}, \text{std}^2)$. The argument
#   is the **standard deviation**, not the variance; NumPy's `rng.normal(loc, scale)` also takes the standard deviation.

# %% nbgrader={"grade": false, "grade_id": "zeros_init", "locked": false, "schema_version": 3, "solution": true}
def zeros_init(shape):
    """A float64 array of zeros of the given shape."""
    ### BEGIN SOLUTION
    return np.zeros(shape, dtype=np.float64)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_zeros_init", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from course.grading.init import check_float64
from course.grading import check

check_float64(check(zeros_init, (3, 5), expected=np.zeros((3, 5))),
              "zeros_init((3, 5))")
### BEGIN HIDDEN TESTS
check(zeros_init, (1, 1), expected=np.zeros((1, 1)))
check_float64(check(zeros_init, (4, 2, 3, 3), expected=np.zeros((4, 2, 3, 3))),
              "zeros_init((4, 2, 3, 3))")
### END HIDDEN TESTS
print("zeros_init: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "constant_init", "locked": false, "schema_version": 3, "solution": true}
def constant_init(shape, value):
    """A float64 array of the given shape with every entry equal to value."""
    ### BEGIN SOLUTION
    return np.full(shape, value, dtype=np.float64)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_constant_init", "locked": true, "points": 4, "schema_version": 3, "solution": false}
from course.grading.init import check_float64
from course.grading import check

check_float64(check(constant_init, (2, 3), 0.5, expected=np.full((2, 3), 0.5)), "constant_init((2, 3), 0.5)")
# An integer value still gives float64 weights.
check_float64(check(constant_init, (2, 3), 2, expected=np.full((2, 3), 2.0)), "constant_init((2, 3), 2)")
### BEGIN HIDDEN TESTS
check(constant_init, (4, 1), -1.25, expected=np.full((4, 1), -1.25))
check_float64(check(constant_init, (3, 2, 2), 0, expected=np.zeros((3, 2, 2))), "constant_init((3, 2, 2), 0)")
check_float64(check(constant_init, (2, 2), np.float32(0.5), expected=np.full((2, 2), 0.5)),
              "constant_init((2, 2), float32 0.5)")
### END HIDDEN TESTS
print("constant_init: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "uniform_init", "locked": false, "schema_version": 3, "solution": true}
def uniform_init(shape, a=0.0, b=1.0, rng=None):
    """Independent draws from the uniform distribution U(a, b).

    Parameters
    ----------
    shape : tuple of ints.   a, b : the interval's ends.
    rng : np.random.Generator to draw from; None means a fresh np.random.default_rng().

    Returns
    -------
    A float64 array of the given shape.
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng() if rng is None else rng
    return rng.uniform(a, b, size=shape)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_uniform_init", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course.grading.init import check_random, check_uses_rng

# 9,600 draws: the sample's mean and std must be within 5 standard errors of U(a, b)'s, and reach both ends.
check_random(uniform_init, (120, 80), dist="uniform", low=0.0, high=1.0, label="defaults a=0, b=1")
check_random(uniform_init, (120, 80), kwargs={"a": -3.0, "b": 5.0}, dist="uniform", low=-3.0, high=5.0,
             wrong=[("draws from [a, a + b]: scale by the width b − a, a + (b − a)·u", "uniform",
                     dict(low=-3.0, high=2.0)),
                    ("draws from [0, b − a]: shift by a", "uniform", dict(low=0.0, high=8.0))])
check_uses_rng(uniform_init, (6, 4), kwargs={"a": -1.0, "b": 1.0})
### BEGIN HIDDEN TESTS
check_random(uniform_init, (50, 40, 3), kwargs={"a": 2.0, "b": 2.5}, dist="uniform", low=2.0, high=2.5, seed=5,
             label="a 3-d shape")
check_random(uniform_init, (200, 100), kwargs={"a": -0.01, "b": 0.01}, dist="uniform", low=-0.01, high=0.01,
             seed=6, label="a narrow interval")
### END HIDDEN TESTS
print("uniform_init: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "normal_init", "locked": false, "schema_version": 3, "solution": true}
def normal_init(shape, mean=0.0, std=1.0, rng=None):
    """Independent draws from the normal distribution N(mean, std**2).

    Parameters
    ----------
    shape : tuple of ints.   mean : the mean.   std : the standard deviation (not the variance).
    rng : np.random.Generator to draw from; None means a fresh np.random.default_rng().

    Returns
    -------
    A float64 array of the given shape.
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng() if rng is None else rng
    return rng.normal(mean, std, size=shape)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_normal_init", "locked": true, "points": 8, "schema_version": 3, "solution": false}
from course.grading.init import check_random, check_uses_rng

check_random(normal_init, (120, 80), dist="normal", mean=0.0, std=1.0, label="defaults mean=0, std=1")
check_random(normal_init, (120, 80), kwargs={"mean": 2.0, "std": 0.5}, dist="normal", mean=2.0, std=0.5,
             wrong=[("uses std² = 0.25 as the standard deviation: std is the standard deviation (NumPy's scale), "
                     "not the variance", "normal", dict(mean=2.0, std=0.25)),
                    ("uses √std as the standard deviation: std is already the standard deviation", "normal",
                     dict(mean=2.0, std=0.5 ** 0.5)),
                    ("ignores the mean", "normal", dict(mean=0.0, std=0.5))])
check_uses_rng(normal_init, (6, 4), kwargs={"std": 0.1})
### BEGIN HIDDEN TESTS
check_random(normal_init, (100, 100), kwargs={"mean": -1.0, "std": 3.0}, dist="normal", mean=-1.0, std=3.0, seed=3,
             wrong=[("uses std² = 9 as the standard deviation: std is the standard deviation, not the variance",
                     "normal", dict(mean=-1.0, std=9.0))])
check_random(normal_init, (30, 20, 3, 3), kwargs={"std": 0.02}, dist="normal", mean=0.0, std=0.02, seed=4,
             label="a conv shape")
### END HIDDEN TESTS
print("normal_init: all visible tests pass ✓")

# %% [markdown]
# ## 3 · Why not start from zero? Symmetric units
#
# It is tempting to start every weight at 0, or at one small constant. That breaks learning. Take a hidden layer whose units all have the same incoming weights. They compute the **same** function
# of the input, so:
#
# 1. **forward**: every hidden unit has the same activation, $h_{n1} = h_{n2} = \dots$ for every example $n$;
# 2. **backward**: unit $j$'s gradient is $\partial L/\partial W_{j\cdot} = \sum_n \delta_{nj}\, x_n$ with
#    $\delta_{nj} = \big(\sum_k \delta^{\text{out}}_{nk} W^{\text{out}}_{kj}\big)\, f'(z_{nj})$. If the outgoing
#    weights $W^{\text{out}}_{kj}$ are also the same for every $j$, every unit gets the **same gradient**;
# 3. **update**: the same gradient keeps the units equal, and the outgoing weights' gradients
#    $\sum_n \delta^{\text{out}}_{nk} h_{nj}$ stay equal across $j$ too.
#
# So the units stay copies of each other forever: a layer of 8 units learns what one unit could. With all zeros it is
# worse: a tanh or ReLU unit outputs $f(0) = 0$, so every weight gradient $\delta^\top h$ is zero and only the biases
# move. Random initialisation **breaks the symmetry**.
#
# Here is a real forward and backward pass through `course.layers` and `course.activations` (a 2-8-8-3 tanh network on
# the spirals, cross-entropy loss). This section's experiments use `course.init`, the course's own versions of the
# functions you write. From section 4 on, the experiments use **yours**: `yours(...)` hands them your functions, and
# while one is not written yet (or raises), the course's version stands in and one line under the output says so.

# %%
X, y = data.spirals(n_per_class=100, n_classes=3, rng=np.random.default_rng(0))
sizes = [2, 8, 8, 3]
first_layer_grads = {}
for scheme in ["zeros", "constant 0.5", "xavier"]:
    model = lab.build(sizes, scheme, "tanh", np.random.default_rng(1))
    sgd = optim.SGD(model.parameters(), lr=0.5)
    for step in range(2):                                 # step 0, one SGD update, step 1
        loss, hidden = mlp.loss_and_grads(model, X, y)
        dW1 = model[0].weight.grad                        # ∂loss/∂W of the first layer, shape (8, 2): one row per unit
        spread = np.ptp(dW1, axis=0).max()                # the largest difference between two units' gradients
        print(f"{scheme:>12}, step {step}: loss {loss:.4f}, ∂loss/∂W1 rows 0-2 = {np.round(dW1[:3], 5).tolist()}, "
              f"largest difference between units {spread:.1e}")
        sgd.step()
    first_layer_grads[scheme] = dW1

np.testing.assert_array_equal(first_layer_grads["zeros"], 0.0)   # f(0) = 0: nothing reaches the weights
assert np.abs(first_layer_grads["constant 0.5"]).max() > 1e-4, "constant init: the units do get a gradient ..."
assert np.ptp(first_layer_grads["constant 0.5"], axis=0).max() < 1e-12, "... but every unit gets the same one"

# %% [markdown]
# Under zeros, the first layer's gradient is exactly zero and stays zero. Under a constant it is zero at step 0 too,
# for a subtler reason: every logit is the same, and the softmax errors $p_k - y_k$ sum to zero over the classes, so
# identical output weights send nothing back. One update makes the output rows differ (each class has its own error),
# and from step 1 on the hidden units do receive gradients, **all the same**. Xavier's random start gives every unit
# its own gradient.
#
# Training does not repair it: after 200 SGD steps, every row of the first layer's weights (one hidden unit) is still
# the same under a constant start, while a random start has grown eight different units.

# %%
trained = {scheme: lab.train(X, y, scheme, "tanh", hidden=(8, 8), steps=200, lr=0.5)
           for scheme in ["constant 0.5", "xavier"]}
for scheme, run in trained.items():
    W1 = run["model"][0].weight.data
    print(f"{scheme:>12}: final loss {run['loss'][-1]:.3f}, accuracy {run['accuracy']:.0%}, "
          f"distinct hidden units in layer 1: {len(np.unique(W1.round(10), axis=0))}")
show(pictures.plot_unit_weights({s: run["model"][0].weight.data for s, run in trained.items()}))

# %% [markdown]
# ## 4 · Vanishing and exploding: the variance through one layer
#
# Random weights break the symmetry, but *how large* should they be? Follow the variance of one pre-activation
# $z_j = \sum_{i=1}^{n_\text{in}} W_{ji} x_i$, with independent weights of mean 0 and variance $\text{Var}(W)$,
# independent of inputs with mean 0 and variance $\text{Var}(x)$:
#
# $$\text{Var}(z_j) = \sum_{i=1}^{n_\text{in}} \text{Var}(W_{ji})\,\text{Var}(x_i) = n_\text{in}\,\text{Var}(W)\,\text{Var}(x).$$
#
# Each layer multiplies the variance by $n_\text{in}\text{Var}(W)$ (times whatever the nonlinearity does). After
# $L$ layers the factor is raised to the $L$-th power:
#
# - $n_\text{in}\text{Var}(W) < 1$: the signal **vanishes** geometrically; with $n_\text{in} = 128$ and
#   $\text{std}(W) = 0.01$ the factor is $0.0128$, so 50 layers shrink the variance by $0.0128^{50} \approx 10^{-95}$;
# - $n_\text{in}\text{Var}(W) > 1$: it **explodes**; with $\text{std}(W) = 1$ the factor is 128.
#
# The backward pass is the same story in reverse: $\partial L/\partial x_i = \sum_j W_{ji}\,\partial L/\partial z_j$
# sums $n_\text{out}$ terms, so the gradient's variance is multiplied by $n_\text{out}\text{Var}(W)$ per layer. Weight
# gradients $\partial L/\partial W_{ji} = \delta_j x_i$ inherit both: if activations or backpropagated gradients
# vanish, the early layers cannot learn; if they explode, one step throws the weights far away.
#
# Below, a 50-layer MLP of width 128 on standard-normal inputs (a real forward and backward pass, cross-entropy on random
# labels), with plain Gaussian weights of std 0.01 and 1:

# %%
with yours(normal_init) as my:
    naive = {(scheme, act): lab.deep_stats(scheme, act, depth=50, width=128, fns=my.functions)
             for scheme in ["normal σ=0.01", "normal σ=1"] for act in ["tanh", "relu"]}
    print(f"{'init':>14} {'activation':>10} | activation std at layer 1, 25, 50 | ∂loss/∂W std at layer 1, 25, 50")
    for scheme, act, *v in lab.stats_table(naive):
        print(f"{scheme:>14} {act:>10} | " + " ".join(f"{s:9.2e}" for s in v[:3]) + " | "
              + " ".join(f"{s:9.2e}" for s in v[3:]))


# %% [markdown]
# Tiny weights: the tanh activations shrink by about $\sqrt{0.0128} \approx 0.11$ per layer (by $\sqrt{0.0064} \approx
# 0.08$ with ReLU, which also halves the variance), and the weight gradients are $10^{-50}$ or smaller. Large weights
# with ReLU: the activations grow by about $\sqrt{128/2} = 8$ per layer to $10^{45}$. Large weights with tanh do not
# overflow, because tanh saturates at ±1, but saturation has its own cost: $\tanh'(z) \approx 0$ for most units,
# and the gradient is a product of many large weights and many small slopes. Here the large weights win: the weight
# gradient grows from about $10^{-2}$ at layer 50 to about $10^{17}$ at layer 1, while the saturated units pass on
# almost no information. The cure is to pick $\text{Var}(W)$ so that the factor is 1.

# %% [markdown]
# ## 5 · The gain of a nonlinearity
#
# "Keep the variance" has to account for what the nonlinearity does to it. PyTorch summarises this in one number per
# nonlinearity, the **gain** $g$: initialise with $\text{std}(W) = g \cdot (\text{the linear-case std})$.
#
# | nonlinearity | gain | why |
# | :-- | :-- | :-- |
# | `linear`, `conv1d/2d/3d`, `conv_transpose1d/2d/3d` | $1$ | nothing to correct |
# | `sigmoid` | $1$ | (by convention; no gain rescues a deep sigmoid network, see section 9) |
# | `tanh` | $5/3$ | tanh squashes large inputs; $5/3$ keeps the variance of a deep tanh stack roughly steady |
# | `relu` | $\sqrt 2$ | ReLU zeroes half of a symmetric input, halving $E[a^2]$: multiply the variance by 2 |
# | `leaky_relu` | $\sqrt{2/(1 + a^2)}$ | the negative half keeps slope $a$: $E[a^2]$ is $\frac{1 + a^2}{2}$ of the input's; default $a = 0.01$ |
# | `selu` | $3/4$ | |
#
# The ReLU case in one line: for $z$ symmetric around 0, $E[\text{relu}(z)^2] = \tfrac12 E[z^2]$, so
# $\text{Var}(z^{l+1}) = n_\text{in}\text{Var}(W)\cdot\tfrac12\text{Var}(z^l)$, and the factor is 1 when
# $\text{Var}(W) = 2/n_\text{in}$, a standard deviation of $\sqrt 2/\sqrt{n_\text{in}}$: gain $\sqrt 2$.
# For leaky ReLU with slope $a$ the negative half contributes $a^2/2$, so $\text{Var}(W) = \frac{2}{(1+a^2)\,n_\text{in}}$.
# Mind the parentheses: `2 / 1 + a**2` is $2 + a^2$ (a bug that has shipped in a well-known library).
#
# `calculate_gain(nonlinearity, param=None)` returns the gain as a float; for `"leaky_relu"`, `param` is the negative
# slope, and `None` means the default 0.01 (but `param=0` means slope 0, plain ReLU). Any other name raises a
# `ValueError`, as in PyTorch: a typo must not silently give gain 1.

# %% nbgrader={"grade": false, "grade_id": "calculate_gain", "locked": false, "schema_version": 3, "solution": true}
def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's table).

    Parameters
    ----------
    nonlinearity : str, one of "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
        "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu".
    param : the negative slope for "leaky_relu"; None means 0.01. Ignored for the others.

    Returns
    -------
    The gain as a float: 1 (linear, conv*, sigmoid), 5/3 (tanh), sqrt(2) (relu),
    sqrt(2 / (1 + slope**2)) (leaky_relu), 3/4 (selu).

    Raises ValueError for any other nonlinearity.
    """
    ### BEGIN SOLUTION
    linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01
        if param is not None:
            slope = param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_calculate_gain", "locked": true, "points": 12, "schema_version": 3, "solution": false}
from course.grading.init import check_raises
from course.grading import check

check(calculate_gain, "linear", expected=1.0, label="linear")
check(calculate_gain, "sigmoid", expected=1.0, label="sigmoid")
check(calculate_gain, "tanh", expected=5 / 3, label="tanh")
check(calculate_gain, "relu", expected=2 ** 0.5, label="relu")
# Slope 0.2: 2 / (1 + 0.04) = 1.923..., gain 1.38675...
check(calculate_gain, "leaky_relu", 0.2, expected=(2 / 1.04) ** 0.5, label="leaky_relu, slope 0.2")
check_raises(calculate_gain, "softmax", label="an unknown nonlinearity")
### BEGIN HIDDEN TESTS
for _name in ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]:
    check(calculate_gain, _name, expected=1.0, label=_name)
check(calculate_gain, "selu", expected=0.75, label="selu")
check(calculate_gain, "leaky_relu", expected=(2 / 1.0001) ** 0.5, label="leaky_relu, default slope 0.01")
# a = √5 is what torch.nn.Linear passes to kaiming_uniform: 2 / (1 + 5) = 1/3.
check(calculate_gain, "leaky_relu", 5 ** 0.5, expected=(1 / 3) ** 0.5, label="leaky_relu, slope √5")
check(calculate_gain, "leaky_relu", 0, expected=2 ** 0.5, label="leaky_relu, slope 0 (plain ReLU)")
check(calculate_gain, "leaky_relu", 1.0, expected=1.0, label="leaky_relu, slope 1 (linear)")
check(calculate_gain, "tanh", 0.5, expected=5 / 3, label="tanh ignores param")
check_raises(calculate_gain, "Relu", label="names are case-sensitive, as in PyTorch")
check_raises(calculate_gain, "gelu", label="an unknown nonlinearity")
### END HIDDEN TESTS
print("calculate_gain: all visible tests pass ✓")


# %% [markdown]
# ## 6 · Xavier (Glorot) initialisation
#
# Glorot and Bengio (2010) asked for both conditions at once: keep the forward variance
# ($n_\text{in}\text{Var}(W) = 1$) and the backward variance ($n_\text{out}\text{Var}(W) = 1$). Both hold only when
# $n_\text{in} = n_\text{out}$, so they compromise with the average:
#
# $$\text{Var}(W) = \frac{2}{n_\text{in} + n_\text{out}}, \qquad
# \text{std}(W) = g\,\sqrt{\frac{2}{n_\text{in} + n_\text{out}}} .$$
#
# The derivation assumes a roughly linear activation around 0, like tanh (gain $g = 1$ in the paper; PyTorch lets you
# pass `gain=calculate_gain("tanh")`).
#
# - **`xavier_normal`**: $\mathcal N(0, \text{std}^2)$ with that std.
# - **`xavier_uniform`**: $U(-b, b)$ has variance $\frac{(2b)^2}{12} = \frac{b^2}{3}$, so the bound that gives the same
#   std is $b = \sqrt 3\,\text{std}$:
#
# $$b = g\,\sqrt{\frac{6}{n_\text{in} + n_\text{out}}} .$$
#
# Example: $W$ of shape `(300, 200)` has $n_\text{in} = 200$, $n_\text{out} = 300$, std $= \sqrt{2/500} \approx 0.0632$
# and bound $\sqrt{6/500} \approx 0.1095$.
#
# Use your `calculate_fan_in_and_fan_out`, and `uniform_init` / `normal_init` if you like. (The tests run your function
# with the course's versions of those helpers, so a mistake in a helper costs only the helper's points.)

# %% nbgrader={"grade": false, "grade_id": "xavier_uniform", "locked": false, "schema_version": 3, "solution": true}
def xavier_uniform(shape, gain=1.0, rng=None):
    """Glorot/Xavier uniform initialisation: U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)).

    Parameters
    ----------
    shape : (out_features, in_features), or (out, in, *kernel).   gain : a factor, e.g. calculate_gain("tanh").
    rng : np.random.Generator; None means a fresh np.random.default_rng().

    Returns
    -------
    A float64 array of the given shape.
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_init(shape, -bound, bound, rng)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_xavier_uniform", "locked": true, "points": 10, "schema_version": 3, "solution": false}
from course.grading.init import check_random, check_uses_rng, reference_helpers


def _xavier_uniform_mistakes(fan_in, fan_out, gain=1.0):
    u = lambda b: dict(low=-b, high=b)
    return [("uses the bound √(1/(fan_in + fan_out)): the 6 is missing. The bound is √3 × std = "
             "gain·√(6/(fan_in + fan_out))", "uniform", u(gain * (1 / (fan_in + fan_out)) ** 0.5)),
            ("uses the normal std gain·√(2/(fan_in + fan_out)) as the bound: a uniform on [−b, b] has std b/√3, "
             "so b = gain·√(6/(fan_in + fan_out))", "uniform", u(gain * (2 / (fan_in + fan_out)) ** 0.5)),
            ("uses fan_in only: Xavier averages both fans, bound = gain·√(6/(fan_in + fan_out))", "uniform",
             u(gain * (6 / fan_in) ** 0.5)),
            ("uses fan_out only: Xavier averages both fans, bound = gain·√(6/(fan_in + fan_out))", "uniform",
             u(gain * (6 / fan_out) ** 0.5)),
            ("uses 6/(fan_in + fan_out), a variance, as the bound: take the square root", "uniform",
             u(gain * 6 / (fan_in + fan_out))),
            ("draws from [0, bound]: the interval is symmetric, [−bound, bound]", "uniform",
             dict(low=0.0, high=gain * (6 / (fan_in + fan_out)) ** 0.5)),
            ("ignores the gain: multiply the bound by gain", "uniform", u((6 / (fan_in + fan_out)) ** 0.5)),
            ("multiplies the bound by gain²: the gain scales the std (and the bound) once", "uniform",
             u(gain**2 * (6 / (fan_in + fan_out)) ** 0.5))]


with reference_helpers(globals()):
    # W (300, 200): fan_in 200, fan_out 300, bound √(6/500) ≈ 0.1095; 60,000 draws.
    check_random(xavier_uniform, (300, 200), dist="uniform", low=-(6 / 500) ** 0.5, high=(6 / 500) ** 0.5,
                 wrong=_xavier_uniform_mistakes(200, 300))
    # With the tanh gain 5/3 the bound is 5/3 times larger.
    check_random(xavier_uniform, (200, 300), kwargs={"gain": 5 / 3}, dist="uniform", low=-5 / 3 * (6 / 500) ** 0.5,
                 high=5 / 3 * (6 / 500) ** 0.5, wrong=_xavier_uniform_mistakes(300, 200, 5 / 3), seed=1)
    check_uses_rng(xavier_uniform, (6, 4))
### BEGIN HIDDEN TESTS
    # A conv weight: fan_in 16·9 = 144, fan_out 32·9 = 288.
    check_random(xavier_uniform, (32, 16, 3, 3), kwargs={"gain": 2 ** 0.5}, dist="uniform",
                 low=-(2 ** 0.5) * (6 / 432) ** 0.5, high=2 ** 0.5 * (6 / 432) ** 0.5,
                 wrong=_xavier_uniform_mistakes(144, 288, 2 ** 0.5), seed=2, label="conv weight")
    check_random(xavier_uniform, (10, 1000), dist="uniform", low=-(6 / 1010) ** 0.5, high=(6 / 1010) ** 0.5,
                 wrong=_xavier_uniform_mistakes(1000, 10), seed=3)
### END HIDDEN TESTS
print("xavier_uniform: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "xavier_normal", "locked": false, "schema_version": 3, "solution": true}
def xavier_normal(shape, gain=1.0, rng=None):
    """Glorot/Xavier normal initialisation: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Parameters
    ----------
    shape : (out_features, in_features), or (out, in, *kernel).   gain : a factor, e.g. calculate_gain("tanh").
    rng : np.random.Generator; None means a fresh np.random.default_rng().

    Returns
    -------
    A float64 array of the given shape.
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_init(shape, 0.0, std, rng)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_xavier_normal", "locked": true, "points": 10, "schema_version": 3, "solution": false}
from course.grading.init import check_random, check_uses_rng, reference_helpers


def _xavier_normal_mistakes(fan_in, fan_out, gain=1.0):
    n = lambda s: dict(mean=0.0, std=s)
    return [("uses the variance 2/(fan_in + fan_out) as the std: take the square root, "
             "std = gain·√(2/(fan_in + fan_out))", "normal", n(gain * 2 / (fan_in + fan_out))),
            ("uses the uniform bound √(6/(fan_in + fan_out)) as the std: the normal std is "
             "gain·√(2/(fan_in + fan_out))", "normal", n(gain * (6 / (fan_in + fan_out)) ** 0.5)),
            ("uses √(1/(fan_in + fan_out)): the 2 is missing, std = gain·√(2/(fan_in + fan_out))", "normal",
             n(gain * (1 / (fan_in + fan_out)) ** 0.5)),
            ("uses fan_in only: Xavier averages both fans, std = gain·√(2/(fan_in + fan_out))", "normal",
             n(gain * (2 / fan_in) ** 0.5)),
            ("uses fan_out only: Xavier averages both fans, std = gain·√(2/(fan_in + fan_out))", "normal",
             n(gain * (2 / fan_out) ** 0.5)),
            ("ignores the gain: multiply the std by gain", "normal", n((2 / (fan_in + fan_out)) ** 0.5)),
            ("multiplies the std by gain²: the gain scales the std once", "normal",
             n(gain**2 * (2 / (fan_in + fan_out)) ** 0.5))]


with reference_helpers(globals()):
    # W (300, 200): std √(2/500) ≈ 0.0632.
    check_random(xavier_normal, (300, 200), dist="normal", std=(2 / 500) ** 0.5,
                 wrong=_xavier_normal_mistakes(200, 300))
    check_random(xavier_normal, (200, 300), kwargs={"gain": 5 / 3}, dist="normal", std=5 / 3 * (2 / 500) ** 0.5,
                 wrong=_xavier_normal_mistakes(300, 200, 5 / 3), seed=1)
    check_uses_rng(xavier_normal, (6, 4))
### BEGIN HIDDEN TESTS
    check_random(xavier_normal, (32, 16, 3, 3), kwargs={"gain": 2 ** 0.5}, dist="normal",
                 std=2 ** 0.5 * (2 / 432) ** 0.5, wrong=_xavier_normal_mistakes(144, 288, 2 ** 0.5), seed=2,
                 label="conv weight")
    check_random(xavier_normal, (10, 1000), dist="normal", std=(2 / 1010) ** 0.5,
                 wrong=_xavier_normal_mistakes(1000, 10),
                 seed=3)
### END HIDDEN TESTS
print("xavier_normal: all visible tests pass ✓")


# %% [markdown]
# ## 7 · Kaiming (He) initialisation
#
# He et al. (2015) built the ReLU's halving into the forward condition: $n_\text{in}\,\text{Var}(W)\cdot\frac12 = 1$,
# that is $\text{std}(W) = \sqrt 2/\sqrt{n_\text{in}}$. With the gain of any nonlinearity:
#
# $$\text{std}(W) = \frac{g}{\sqrt{\text{fan}}}, \qquad g = \texttt{calculate\_gain(nonlinearity, a)},$$
#
# where `a` is leaky ReLU's negative slope (used only for `"leaky_relu"`), and `mode` chooses the fan:
#
# - `mode="fan_in"` (the default) uses $n_\text{in}$ = `shape[1]`: it keeps the variance of the **activations** in the
#   forward pass;
# - `mode="fan_out"` uses $n_\text{out}$ = `shape[0]`: it keeps the variance of the **gradients** in the backward pass.
#
# Any other mode raises `ValueError`. As in the Xavier case, **`kaiming_normal`** draws $\mathcal N(0, \text{std}^2)$
# and **`kaiming_uniform`** draws $U(-b, b)$ with $b = \sqrt 3\,\text{std} = g\sqrt{3/\text{fan}}$.
#
# PyTorch's defaults are `a=0, mode="fan_in", nonlinearity="leaky_relu"`: the leaky ReLU gain with slope 0 is
# $\sqrt 2$, the ReLU gain. Example: $W$ `(300, 200)`, defaults: std $= \sqrt 2/\sqrt{200} = 0.1$, bound
# $\sqrt 3 \cdot 0.1 \approx 0.1732$. (`torch.nn.Linear` itself calls `kaiming_uniform_` with `a=√5`, which works out to
# $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$.)

# %% nbgrader={"grade": false, "grade_id": "kaiming_uniform", "locked": false, "schema_version": 3, "solution": true}
def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """Kaiming/He uniform initialisation: U(-bound, bound) with bound = sqrt(3) * gain / sqrt(fan).

    Parameters
    ----------
    shape : (out_features, in_features), or (out, in, *kernel).
    a : the negative slope of leaky ReLU, passed to calculate_gain (used only for "leaky_relu").
    mode : "fan_in" (fan = fan_in, keeps the forward variance) or "fan_out" (keeps the backward variance);
        anything else raises ValueError.
    nonlinearity : the name given to calculate_gain.
    rng : np.random.Generator; None means a fresh np.random.default_rng().

    Returns
    -------
    A float64 array of the given shape.
    """
    ### BEGIN SOLUTION
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_init(shape, -bound, bound, rng)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_kaiming_uniform", "locked": true, "points": 12, "schema_version": 3, "solution": false}
from course.grading.init import check_raises, check_random, check_uses_rng, reference_helpers


def _kaiming_uniform_mistakes(fan, other_fan, gain, mode="fan_in"):
    u = lambda b: dict(low=-b, high=b)
    other = "fan_out" if mode == "fan_in" else "fan_in"
    return [(f"uses {other} where mode={mode!r} needs {mode} (are the fans swapped, or is `mode` ignored?)",
             "uniform", u(3 ** 0.5 * gain / other_fan ** 0.5)),
            ("uses the std gain/√fan as the bound: a uniform on [−b, b] has std b/√3, so b = √3·gain/√fan",
             "uniform", u(gain / fan ** 0.5)),
            ("uses the variance gain²/fan where the std gain/√fan is meant: bound = √3·gain/√fan", "uniform",
             u(3 ** 0.5 * gain**2 / fan)),
            ("uses √(3/fan) without the gain: multiply by calculate_gain(nonlinearity, a)", "uniform",
             u((3 / fan) ** 0.5)),
            ("uses the ReLU gain √2 whatever `nonlinearity` and `a` say: compute the gain with "
             "calculate_gain(nonlinearity, a)", "uniform", u((6 / fan) ** 0.5))]


with reference_helpers(globals()):
    # Defaults on W (300, 200): gain √2 (leaky_relu with slope 0), fan_in 200, std 0.1, bound √3·0.1.
    check_random(kaiming_uniform, (300, 200), dist="uniform", low=-(3 ** 0.5) * 0.1, high=3 ** 0.5 * 0.1,
                 wrong=_kaiming_uniform_mistakes(200, 300, 2 ** 0.5), label="defaults")
    # mode="fan_out" divides by fan_out = 300.
    check_random(kaiming_uniform, (300, 200), kwargs={"mode": "fan_out"}, dist="uniform",
                 low=-(6 / 300) ** 0.5, high=(6 / 300) ** 0.5,
                 wrong=_kaiming_uniform_mistakes(300, 200, 2 ** 0.5, "fan_out"),
                 seed=1)
    # torch.nn.Linear's choice a = √5: gain √(2/6), bound √3·√(1/3)/√fan_in = 1/√200.
    check_random(kaiming_uniform, (300, 200), kwargs={"a": 5 ** 0.5}, dist="uniform", low=-(1 / 200) ** 0.5,
                 high=(1 / 200) ** 0.5, wrong=_kaiming_uniform_mistakes(200, 300, (1 / 3) ** 0.5)
                 + [("computes the leaky-ReLU gain as √(2/1 + a²): operator precedence, write 2 / (1 + a**2)",
                     "uniform", dict(low=-(3 * 7 / 200) ** 0.5, high=(3 * 7 / 200) ** 0.5))], seed=2, label="a=√5")
    check_raises(kaiming_uniform, (30, 20), mode="fan_avg", label="an unknown mode")
    check_uses_rng(kaiming_uniform, (6, 4))
### BEGIN HIDDEN TESTS
    check_random(kaiming_uniform, (100, 150), kwargs={"nonlinearity": "tanh"}, dist="uniform",
                 low=-5 / 3 * (3 / 150) ** 0.5, high=5 / 3 * (3 / 150) ** 0.5,
                 wrong=_kaiming_uniform_mistakes(150, 100, 5 / 3), seed=3, label="tanh")
    # A conv weight (64, 3, 5, 5): fan_in 75, fan_out 1600, ReLU.
    check_random(kaiming_uniform, (64, 3, 5, 5), kwargs={"mode": "fan_out", "nonlinearity": "relu"}, dist="uniform",
                 low=-(6 / 1600) ** 0.5, high=(6 / 1600) ** 0.5,
                 wrong=_kaiming_uniform_mistakes(1600, 75, 2 ** 0.5, "fan_out"), seed=4, label="conv weight")
    check_random(kaiming_uniform, (120, 90), kwargs={"a": 0.2, "mode": "fan_in", "nonlinearity": "leaky_relu"},
                 dist="uniform", low=-(3 * 2 / 1.04 / 90) ** 0.5, high=(3 * 2 / 1.04 / 90) ** 0.5,
                 wrong=_kaiming_uniform_mistakes(90, 120, (2 / 1.04) ** 0.5), seed=5,
                 label="leaky_relu, a=0.2")
### END HIDDEN TESTS
print("kaiming_uniform: all visible tests pass ✓")


# %% nbgrader={"grade": false, "grade_id": "kaiming_normal", "locked": false, "schema_version": 3, "solution": true}
def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """Kaiming/He normal initialisation: N(0, std**2) with std = gain / sqrt(fan).

    Parameters
    ----------
    shape : (out_features, in_features), or (out, in, *kernel).
    a : the negative slope of leaky ReLU, passed to calculate_gain (used only for "leaky_relu").
    mode : "fan_in" (fan = fan_in, keeps the forward variance) or "fan_out" (keeps the backward variance);
        anything else raises ValueError.
    nonlinearity : the name given to calculate_gain.
    rng : np.random.Generator; None means a fresh np.random.default_rng().

    Returns
    -------
    A float64 array of the given shape.
    """
    ### BEGIN SOLUTION
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_init(shape, 0.0, std, rng)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_kaiming_normal", "locked": true, "points": 12, "schema_version": 3, "solution": false}
from course.grading.init import check_raises, check_random, check_uses_rng, reference_helpers


def _kaiming_normal_mistakes(fan, other_fan, gain, mode="fan_in"):
    n = lambda s: dict(mean=0.0, std=s)
    other = "fan_out" if mode == "fan_in" else "fan_in"
    return [(f"uses {other} where mode={mode!r} needs {mode} (are the fans swapped, or is `mode` ignored?)",
             "normal", n(gain / other_fan ** 0.5)),
            ("uses the variance gain²/fan as the std: take the square root, std = gain/√fan", "normal",
             n(gain**2 / fan)),
            ("uses gain/fan: the square root of fan is missing, std = gain/√fan", "normal", n(gain / fan)),
            ("multiplies the std by √3: that turns a std into a uniform bound; the normal std is gain/√fan",
             "normal", n(3 ** 0.5 * gain / fan ** 0.5)),
            ("uses 1/√fan without the gain: multiply by calculate_gain(nonlinearity, a)", "normal",
             n(1 / fan ** 0.5)),
            ("uses the ReLU gain √2 whatever `nonlinearity` and `a` say: compute the gain with "
             "calculate_gain(nonlinearity, a)", "normal", n((2 / fan) ** 0.5))]


with reference_helpers(globals()):
    # Defaults on W (300, 200): gain √2, fan_in 200, std √2/√200 = 0.1.
    check_random(kaiming_normal, (300, 200), dist="normal", std=0.1, wrong=_kaiming_normal_mistakes(200, 300, 2 ** 0.5),
                 label="defaults")
    check_random(kaiming_normal, (300, 200), kwargs={"mode": "fan_out"}, dist="normal", std=(2 / 300) ** 0.5,
                 wrong=_kaiming_normal_mistakes(300, 200, 2 ** 0.5, "fan_out"), seed=1)
    check_random(kaiming_normal, (300, 200), kwargs={"nonlinearity": "tanh"}, dist="normal", std=5 / 3 / 200 ** 0.5,
                 wrong=_kaiming_normal_mistakes(200, 300, 5 / 3), seed=2, label="tanh")
    check_raises(kaiming_normal, (30, 20), mode="fan_avg", label="an unknown mode")
    check_uses_rng(kaiming_normal, (6, 4))
### BEGIN HIDDEN TESTS
    check_random(kaiming_normal, (300, 200), kwargs={"a": 5 ** 0.5}, dist="normal", std=(1 / 3) ** 0.5 / 200 ** 0.5,
                 wrong=_kaiming_normal_mistakes(200, 300, (1 / 3) ** 0.5), seed=3, label="a=√5")
    check_random(kaiming_normal, (64, 3, 5, 5), kwargs={"mode": "fan_out", "nonlinearity": "relu"}, dist="normal",
                 std=(2 / 1600) ** 0.5, wrong=_kaiming_normal_mistakes(1600, 75, 2 ** 0.5, "fan_out"), seed=4,
                 label="conv weight")
    check_random(kaiming_normal, (90, 120), kwargs={"nonlinearity": "linear", "mode": "fan_in"}, dist="normal",
                 std=1 / 120 ** 0.5, wrong=_kaiming_normal_mistakes(120, 90, 1.0), seed=5,
                 label="linear")
### END HIDDEN TESTS
print("kaiming_normal: all visible tests pass ✓")


# %% [markdown]
# ## 8 · Orthogonal initialisation
#
# The last initialisation of this lesson is orthogonal weights (Saxe et al., 2013). An orthogonal matrix $Q$ preserves
# lengths, $\lVert Q x\rVert = \lVert x\rVert$, and all its singular values are 1. A deep *linear* stack of orthogonal
# layers neither shrinks nor stretches any direction, forward or backward, however deep it is; Gaussian weights only
# preserve lengths on average, and the spread of their singular values compounds with depth.
#
# The recipe (PyTorch's `orthogonal_`):
#
# 1. view the weight as a matrix with `rows = shape[0]` and `cols = prod(shape[1:])`;
# 2. draw a standard-normal matrix $A$ of the **tall** shape `(max(rows, cols), min(rows, cols))`;
# 3. factor $A = QR$ with `np.linalg.qr` ($Q$ has orthonormal columns, $R$ is upper-triangular);
# 4. **correct the signs**: multiply each column of $Q$ by the sign of the matching diagonal entry of $R$,
#    `q * np.sign(np.diag(r))`. The factorisation is only unique up to these signs, and NumPy's choice is not random
#    (its $Q_{00}$ is never positive); after the correction $Q$ is uniformly distributed over orthogonal matrices;
# 5. if the weight is wide (`rows < cols`), transpose $Q$; reshape to `shape` and multiply by `gain`.
#
# A tall result has orthonormal columns ($W^\top W = g^2 I$), a wide one orthonormal rows ($W W^\top = g^2 I$).

# %% [markdown]
# <details><summary>Hint 1 · where to start</summary>
#
# Work with a plain matrix: `rows = shape[0]` and `cols` the product of all the other entries of `shape` (just
# `shape[1]` for a linear weight). Whatever the weight's shape, draw the Gaussian matrix **tall**,
# `(max(rows, cols), min(rows, cols))`: the QR factorisation of a tall matrix gives a $Q$ of that same tall shape
# whose columns are orthonormal.
#
# </details>
# <details><summary>Hint 2 · the sign correction</summary>
#
# `np.diag(r)` has one entry per column of $Q$. Multiplying $Q$ by the signs of those entries (one sign per column,
# broadcast down the rows) flips exactly the columns whose diagonal entry of $R$ is negative; afterwards every diagonal
# entry of the matching $R$ would be positive, which is what makes the factorisation unique and $Q$ uniformly random.
#
# </details>
# <details><summary>Hint 3 · back to the weight's shape</summary>
#
# A wide weight (`rows < cols`) needs orthonormal **rows**: transpose the tall $Q$ to `(rows, cols)`. Then reshape to
# `shape` and multiply by `gain`. To check by hand: with `W2` the `(rows, cols)` view, $W_2^\top W_2 = g^2 I$ for a
# tall weight and $W_2 W_2^\top = g^2 I$ for a wide one.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "orthogonal", "locked": false, "schema_version": 3, "solution": true}
def orthogonal(shape, gain=1.0, rng=None):
    """A random (semi-)orthogonal weight times gain, by QR of a standard-normal matrix with sign correction.

    Parameters
    ----------
    shape : (rows, ...) with at least 2 entries; the weight is treated as a rows x prod(shape[1:]) matrix.
    gain : a factor, e.g. calculate_gain("relu").
    rng : np.random.Generator; None means a fresh np.random.default_rng().

    Returns
    -------
    A float64 array of the given shape whose matrix view W satisfies W.T @ W = gain**2 * I when tall
    (rows >= cols) and W @ W.T = gain**2 * I when wide.
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng() if rng is None else rng
    rows = shape[0]
    cols = int(np.prod(shape[1:]))
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_orthogonal", "locked": true, "points": 12, "schema_version": 3, "solution": false}
from course.grading.init import check_orthogonal, check_orthogonal_signs, check_uses_rng, reference_helpers

with reference_helpers(globals()):
    check_orthogonal(orthogonal, (6, 4), label="tall: orthonormal columns")
    check_orthogonal(orthogonal, (4, 6), label="wide: orthonormal rows")
    check_orthogonal(orthogonal, (5, 5), gain=2.0)
    check_uses_rng(orthogonal, (6, 4))
    # Over 200 generators the first entry must be positive about half the time (never, without the sign correction).
    check_orthogonal_signs(orthogonal, (6, 4))
### BEGIN HIDDEN TESTS
    check_orthogonal(orthogonal, (64, 64), gain=2 ** 0.5, seed=1, label="square, ReLU gain")
    check_orthogonal(orthogonal, (1, 10), seed=2, label="a single row")
    check_orthogonal(orthogonal, (10, 1), gain=0.5, seed=3, label="a single column")
    check_orthogonal(orthogonal, (4, 2, 3, 3), seed=4, label="conv weight, viewed as 4 x 18")
    check_orthogonal(orthogonal, (30, 2, 2), gain=5 / 3, seed=5, label="3-d weight, viewed as 30 x 4")
    check_orthogonal_signs(orthogonal, (3, 7), label="wide")
### END HIDDEN TESTS
print("orthogonal: all visible tests pass ✓")

# %% [markdown]
# ## 9 · Fifty layers, every initialisation, three activations
#
# Now the full experiment: the same 50-layer MLP of width 128, each initialisation crossed with sigmoid, tanh and ReLU.
# For every hidden layer we record the standard deviation of its activations and of its weight gradient
# $\partial L/\partial W$ (layer 1 is next to the input). "xavier" is `xavier_normal` with gain 1, "kaiming" is
# `kaiming_normal` with its defaults (the ReLU gain $\sqrt 2$), "orthogonal+gain" is `orthogonal` with
# `calculate_gain(activation)`.

# %%
schemes = ["normal σ=0.01", "normal σ=1", "xavier", "kaiming", "orthogonal+gain"]
with yours(normal_init, xavier_normal, kaiming_normal, orthogonal, calculate_gain) as my:
    deep = {(scheme, act): naive.get((scheme, act)) or lab.deep_stats(scheme, act, depth=50, width=128,
                                                                      fns=my.functions)
            for scheme in schemes for act in ["sigmoid", "tanh", "relu"]}   # reuses section 4's runs
    print(f"{'init':>16} {'activation':>10} | activation std at layer 1, 25, 50 | ∂loss/∂W std at layer 1, 25, 50")
    for scheme, act, *v in lab.stats_table(deep):
        print(f"{scheme:>16} {act:>10} | " + " ".join(f"{s:9.2e}" for s in v[:3]) + " | "
              + " ".join(f"{s:9.2e}" for s in v[3:]))
    show(pictures.plot_layer_stds(deep))

# %% [markdown]
# What to read in the table and the plot:
#
# - **ReLU** needs Kaiming (or orthogonal with gain $\sqrt 2$): with Xavier's gain 1 each layer keeps only about half
#   the variance and the activations fade by orders of magnitude over 50 layers; with the $\sqrt 2$ gain they stay
#   within the grey band from the first layer to the last.
# - **tanh** keeps the steadiest activations with its own gain (orthogonal + 5/3); Xavier's gain 1 lets them drift down
#   slowly; $\mathcal N(0, 1)$ saturates every unit and makes the gradients grow by many orders of magnitude towards
#   the input.
# - **sigmoid** defeats every initialisation: its slope is at most $\frac14$, and its outputs are all positive with
#   mean about $\frac12$. With every scale-preserving init (Xavier, Kaiming, orthogonal) the backpropagated gradient
#   shrinks by a large factor per layer, and the first layers' gradients come out dozens of orders of magnitude below
#   the last layer's. The only init whose gradients survive, $\mathcal N(0, 1)$, does it by saturating nearly every unit
#   at 0 or 1 (an activation std near 0.5). This is the vanishing gradient that made deep sigmoid networks
#   untrainable, and why ReLU replaced it in hidden layers. Batch normalisation, which re-standardises every
#   layer's pre-activations (lesson 06), is the other remedy: it makes the network far less sensitive to the initial
#   scale.

# %% [markdown]
# ## 10 · Training curves by initialisation
#
# Statistics at step 0 are a prediction; training is the test. A 2-32-32-32-32-3 ReLU network on the three spirals,
# trained with plain full-batch SGD (learning rate 0.2, 300 steps; the same data, and the weights drawn from a generator
# started the same way, for every run). The training loop is `course.examples.init_experiments.train`, built on the
# layers of lesson 03; the weights come from your initializers.

# %%
with yours(zeros_init, constant_init, normal_init, xavier_normal, kaiming_normal) as my:
    runs = {scheme: lab.train(X, y, scheme, "relu", hidden=(32, 32, 32, 32), steps=300, lr=0.2, fns=my.functions)
            for scheme in ["zeros", "constant 0.5", "normal σ=0.01", "normal σ=1", "xavier", "kaiming"]}
    for scheme, run in runs.items():
        print(f"{scheme:>14}: loss {run['loss'][0]:8.3f} → {run['loss'][-1]:.3f}, "
              f"training accuracy {run['accuracy']:.0%}")
    show(pictures.plot_training_curves(runs))

# %% [markdown]
# Zeros and constants end at $\ln 3 \approx 1.099$, the loss of a uniform guess (their lines lie on the dashed one).
# Zeros never get a weight gradient at all (section 3). The constant start, 32 copies of one unit per layer, adds up
# large equal inputs: its first update is so large that the loss jumps (off the chart) and every ReLU ends up dead,
# outputting 0 for every input. $\mathcal N(0, 0.01^2)$ also sits at $\ln 3$: the signal reaching the output is so small
# that the early layers' gradients vanish, and 300 steps are not enough to leave the plateau (its accuracy above 33%
# comes from logits that are tiny but not all equal). $\mathcal N(0, 1)$ starts with an enormous loss, and its steps are
# so large that the loss explodes within a few steps; afterwards its ReLUs are dead too, and the network is stuck at a
# constant prediction. Xavier and Kaiming both learn the spirals; Kaiming, made for ReLU, leaves the plateau much sooner
# and ends lower.

# %% [markdown]
# ## 11 · Explore: what each layer sees
#
# Choose an initialisation, an activation, a depth and a width. The top row shows histograms of a few layers'
# activations, the bottom row of their weight gradients; each row shares its x-axis, so a layer that has shrunk to a
# spike at 0 has vanished. Things to try:
#
# - `xavier` with `relu`: the activations fade with depth; switch to `kaiming` and they keep their spread.
# - `normal σ=1` with `tanh`: every activation is pinned at ±1 (saturation).
# - `normal σ=0.01`: with tanh or ReLU the activations vanish within a few layers; with sigmoid every unit sits at
#   about 0.5, whatever the input.
# - `xavier`, `kaiming` or `orthogonal+gain` with `sigmoid` and depth 30 or more: look at how small the first layers'
#   gradients are.
# - `zeros` or `constant 0.5`: where every value in a layer is the same, the panel says "all equal" and draws one bar.
# - the width: for Xavier and Kaiming it does not matter (the fan is in the formula); for a fixed σ it does.
#
# The weights come from your initializers; a line under the picture names any the explorer had to borrow.

# %%
explorers.init_explorer(yours(zeros_init, constant_init, normal_init, xavier_normal, kaiming_normal, orthogonal,
                              calculate_gain))

# %% [markdown]
# ## Your scorecard
# The cell below runs every test of this notebook again, against the functions you have now, and lists
# what passes and what still fails. *Validate* ends with the same summary.

# %% nbgrader={"grade": true, "grade_id": "scorecard", "locked": true, "points": 0, "schema_version": 3, "solution": false}
scorecard("04_initialization.ipynb")

# %% [markdown]
# ## Recap
#
# - A weight of shape `(out, in)` has **fan-in** `shape[1]` (inputs per unit) and **fan-out** `shape[0]`; a conv weight
#   multiplies both by the kernel size.
# - **Zeros or a constant** make every hidden unit compute, and learn, the same thing: the gradients are identical, so
#   the symmetry is never broken. Random initialisation breaks it.
# - Through a layer, $\text{Var}(z) = n_\text{in}\text{Var}(W)\text{Var}(x)$. Unless that factor (with the
#   nonlinearity's effect) is 1, activations and gradients **vanish or explode** geometrically with depth.
# - **Xavier**: $\text{std} = g\sqrt{2/(n_\text{in} + n_\text{out})}$, uniform bound $g\sqrt{6/(n_\text{in} +
#   n_\text{out})}$; for tanh-like units. **Kaiming**: $\text{std} = g/\sqrt{\text{fan}}$, bound $g\sqrt{3/\text{fan}}$,
#   `mode` choosing fan-in (forward) or fan-out (backward); for ReLU with $g = \sqrt 2$.
# - `calculate_gain`: 1 for linear/conv/sigmoid, 5/3 for tanh, $\sqrt 2$ for ReLU, $\sqrt{2/(1+a^2)}$ for leaky ReLU,
#   3/4 for SELU. A std is the square root of a variance; the uniform bound is $\sqrt 3$ times the std.
# - **Orthogonal** weights (QR of a Gaussian matrix, signs corrected) preserve lengths exactly.
# - In a deep sigmoid network the early layers' gradients vanish under every scale-preserving initialisation; ReLU with
#   Kaiming initialisation (and, in lesson 06, batch normalisation) keeps deep networks trainable.
# - Random code is tested by its distribution: shape, bounds, mean and std within a few standard errors, and the `rng`
#   it is given.
#
# Next, lesson 05 takes these well-started networks and trains them faster: momentum, RMSprop, Adam, and gradient
# clipping against the explosions seen here.

# %% [markdown]
# ## References
#
# - Glorot & Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks* (Xavier).
# - He, Zhang, Ren & Sun (2015), *Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet
#   Classification* (Kaiming).
# - Saxe, McClelland & Ganguli (2013), *Exact solutions to the nonlinear dynamics of learning in deep linear neural
#   networks* (orthogonal).
# - PyTorch documentation, *torch.nn.init* (the gain table, the initializers' names and defaults).
# - The three spirals: CS231n (Stanford), *Putting it together: Minimal Neural Network Case Study*.
