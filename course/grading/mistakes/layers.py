"""Classic mistakes in 03_backprop's layers (the activations and the linear layer), each the reference in
:mod:`course.activations` or :mod:`course.layers` with a line changed.

Flipped signs, factors of N and transposed shapes are recognised generically by ``check``; these are the mistakes
that need a specific story.
"""

from course import activations, layers
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]

_RELU = "return np.where(z > 0, da, 0.0)"
_WRONG_SIDE = "passes the gradient on the wrong side of 0: it flows where z > 0 and stops where z ≤ 0"
_LEAKY = "return np.where(z > 0, da, negative_slope * da)"
_PRELU_FWD = "np.where(z > 0, z, alpha * z)"
_LINEAR = "return dout @ W, dout.T @ x, dout.sum(axis=0)"

MISTAKES = {
    "sigmoid_forward": [
        Mistake(
            "returns the input z as the cache; the contract is cache = a = σ(z), the output",
            differs(activations.sigmoid_forward, ("return a, a", "return a, z")),
        ),
        Mistake(
            "computes 1 / (1 + e^{+z}) = σ(−z): the exponent needs a minus sign",
            differs(activations.sigmoid_forward, ("a = sigmoid(z)", "a = sigmoid(-z)")),
        ),
    ],
    "sigmoid_backward": [
        Mistake(
            "applies σ to the cache again: the cache is already the output a = σ(z), so σ′(z) = a(1 − a)",
            differs(activations.sigmoid_backward, ("a = cache", "a = sigmoid(cache)")),
        ),
        Mistake(
            "returns the local slope a(1 − a) without multiplying by the upstream gradient da",
            differs(activations.sigmoid_backward, ("return da * a * (1.0 - a)", "return a * (1.0 - a)")),
        ),
        Mistake(
            "multiplies by a instead of a(1 − a): σ′ = a(1 − a)",
            differs(activations.sigmoid_backward, ("return da * a * (1.0 - a)", "return da * a")),
        ),
    ],
    "tanh_forward": [
        Mistake(
            "returns the input z as the cache; the contract is cache = a = tanh(z), the output",
            differs(activations.tanh_forward, ("return a, a", "return a, z")),
        ),
    ],
    "tanh_backward": [
        Mistake(
            "applies tanh to the cache again: the cache is already a = tanh(z), so tanh′(z) = 1 − a²",
            differs(activations.tanh_backward, ("a = cache", "a = np.tanh(cache)")),
        ),
        Mistake(
            "forgets the square: tanh′(z) = 1 − a², not 1 − a",
            differs(activations.tanh_backward, ("(1.0 - a**2)", "(1.0 - a)")),
        ),
        Mistake(
            "returns the local slope 1 − a² without multiplying by the upstream gradient da",
            differs(activations.tanh_backward, ("return da * (1.0 - a**2)", "return 1.0 - a**2")),
        ),
    ],
    "relu_forward": [
        Mistake(
            "returns the output as the cache; the contract is cache = z, the input",
            differs(
                activations.relu_forward, ("return np.maximum(z, 0), z", "return np.maximum(z, 0), np.maximum(z, 0)")
            ),
        ),
    ],
    "relu_backward": [
        Mistake(
            "lets the gradient through at z = 0 exactly; the course (like PyTorch) takes the subgradient 0 "
            "there: mask with z > 0",
            differs(activations.relu_backward, ("np.where(z > 0,", "np.where(z >= 0,")),
        ),
        Mistake(_WRONG_SIDE, differs(activations.relu_backward, ("np.where(z > 0,", "np.where(z < 0,"))),
        Mistake(_WRONG_SIDE, differs(activations.relu_backward, ("np.where(z > 0,", "np.where(z <= 0,"))),
        Mistake(
            "passes negative-side gradients through: ReLU is flat where z ≤ 0, so dz must be 0 there",
            differs(activations.relu_backward, (_RELU, "return da * 1.0")),
        ),
        Mistake(
            "masks by the sign of da instead of z: whether the gradient flows is decided by the cached input z",
            differs(activations.relu_backward, (_RELU, "return np.maximum(da, 0)")),
        ),
        Mistake(
            "returns the local slope 1[z > 0] without multiplying by the upstream gradient da",
            differs(activations.relu_backward, (_RELU, "return (z > 0).astype(np.float64)")),
        ),
        Mistake(
            "multiplies da by ReLU(z) instead of by its slope 1[z > 0]",
            differs(activations.relu_backward, (_RELU, "return da * np.maximum(z, 0)")),
        ),
    ],
    "leaky_relu_forward": [
        Mistake(
            "applies negative_slope on the positive side: a = z for z > 0, negative_slope · z otherwise",
            differs(
                activations.leaky_relu_forward,
                ("np.where(z > 0, z, negative_slope * z)", "np.where(z > 0, negative_slope * z, z)"),
            ),
        ),
        Mistake(
            "ignores negative_slope: that is a plain ReLU",
            differs(activations.leaky_relu_forward, ("np.where(z > 0, z, negative_slope * z)", "np.maximum(z, 0)")),
        ),
    ],
    "leaky_relu_backward": [
        Mistake(
            "drops the slope on the negative side: dz = negative_slope · da where z ≤ 0 (it is not a ReLU)",
            differs(activations.leaky_relu_backward, (_LEAKY, "return np.where(z > 0, da, 0.0)")),
        ),
        Mistake(
            "swaps the two slopes: dz = da where z > 0 and negative_slope · da where z ≤ 0",
            differs(activations.leaky_relu_backward, (_LEAKY, "return np.where(z > 0, negative_slope * da, da)")),
        ),
        Mistake(
            "returns the local slopes without multiplying by the upstream gradient da",
            differs(activations.leaky_relu_backward, (_LEAKY, "return np.where(z > 0, 1.0, negative_slope)")),
        ),
        Mistake(
            "treats z = 0 as positive; the course, like PyTorch, uses negative_slope where z ≤ 0",
            differs(activations.leaky_relu_backward, ("np.where(z > 0,", "np.where(z >= 0,")),
        ),
    ],
    "prelu_forward": [
        Mistake(
            "applies alpha on the positive side: a = z for z > 0, alpha · z otherwise",
            differs(activations.prelu_forward, (_PRELU_FWD, "np.where(z > 0, alpha * z, z)")),
        ),
    ],
    "prelu_backward": [
        Mistake(
            "returns dalpha per element: sum the contributions over the batch so dalpha has alpha's shape",
            differs(activations.prelu_backward, ("return dz, dalpha", "return dz, contrib")),
        ),
        Mistake(
            "adds da · z where z > 0 too: alpha only acts where z ≤ 0",
            differs(activations.prelu_backward, ("contrib = np.where(z > 0, 0.0, da * z)", "contrib = da * z")),
        ),
        Mistake(
            "forgets the factor z: ∂a/∂alpha = z where z ≤ 0, so dalpha = Σ da · z there",
            differs(activations.prelu_backward, ("np.where(z > 0, 0.0, da * z)", "np.where(z > 0, 0.0, da)")),
        ),
        Mistake(
            "averages dalpha over the batch: alpha is shared by every example, so their contributions add up",
            differs(
                activations.prelu_backward,
                ("np.asarray(contrib.sum())", "np.asarray(contrib.mean())"),
                (".sum(axis=0).reshape", ".mean(axis=0).reshape"),
            ),
        ),
        Mistake(
            "sums only over the batch axis: a scalar alpha is shared by every entry, so sum over all of them",
            differs(activations.prelu_backward, ("np.asarray(contrib.sum())", "np.asarray(contrib.sum(axis=0))")),
        ),
        Mistake(
            "drops alpha from dz: on the negative side dz = alpha · da (it is not a ReLU)",
            differs(activations.prelu_backward, ("np.where(z > 0, da, alpha * da)", "np.where(z > 0, da, 0.0)")),
        ),
    ],
    "linear_forward": [
        Mistake(
            "multiplies by W instead of W.T: W is (out, in), so out = x @ W.T + b",
            differs(layers.linear_forward, ("x @ W.T + b,", "x @ W + b,")),
        ),
        Mistake("forgets the bias b", differs(layers.linear_forward, ("x @ W.T + b,", "x @ W.T,"))),
    ],
    "linear_backward": [
        Mistake(
            "computes dx with W.T: for out = x @ W.T + b, dx = dout @ W (shape (N, in))",
            differs(layers.linear_backward, (_LINEAR, "return dout @ W.T, dout.T @ x, dout.sum(axis=0)")),
        ),
        Mistake(
            "returns dW transposed (x.T @ dout is (in, out)); dW must have W's shape (out, in): dout.T @ x",
            differs(layers.linear_backward, (_LINEAR, "return dout @ W, x.T @ dout, dout.sum(axis=0)")),
        ),
        Mistake(
            "does not sum db over the batch: every example adds to the bias gradient, db = dout.sum(axis=0)",
            differs(layers.linear_backward, (_LINEAR, "return dout @ W, dout.T @ x, dout * 1.0")),
        ),
        Mistake(
            "averages db over the batch: sum it, the 1/N (if any) is already inside dout",
            differs(layers.linear_backward, (_LINEAR, "return dout @ W, dout.T @ x, dout.mean(axis=0)")),
        ),
        Mistake(
            "sums db over the features (axis=1) instead of over the batch (axis=0)",
            differs(layers.linear_backward, (_LINEAR, "return dout @ W, dout.T @ x, dout.sum(axis=1)")),
        ),
        Mistake(
            "divides dW by N: sum over the batch, the 1/N (if any) is already inside dout",
            differs(layers.linear_backward, (_LINEAR, "return dout @ W, dout.T @ x / len(dout), dout.sum(axis=0)")),
        ),
    ],
}
