"""Classic mistakes in 02_gradients, each the reference in :mod:`course.gradcheck` or :mod:`course.gradients` with a
line changed."""

from course import gradcheck, gradients
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]

_CENTRAL = "(f(x + h) - f(x - h)) / (2.0 * h)"
_STEP = "x = x - lr * np.asarray(grad_fn(x), dtype=np.float64)"
_IN_PLACE = "x -= lr * np.asarray(grad_fn(x), dtype=np.float64)"
_ALIASED = (
    "stores the same array at every step{}: x is changed in place (x -= lr * g), so every stored row ends up "
    "as the last x. {}"
)
_GRAPH = "return dy * b, dy * b + dy * a"
_LINREG = "return 2.0 / n * (X.T @ r), float(2.0 / n * r.sum())"


def _graph(new):
    return differs(gradients.graph_backward, (_GRAPH, new))


def _linreg(new):
    return differs(gradients.linreg_backward, (_LINREG, new))


MISTAKES = {
    "numerical_derivative": [
        Mistake(
            "uses the forward difference (f(x + h) − f(x)) / h, whose error shrinks only like h; use the "
            "central difference (f(x + h) − f(x − h)) / (2h), whose error shrinks like h²",
            differs(gradcheck.numerical_derivative, (_CENTRAL, "(f(x + h) - f(x)) / h")),
        ),
        Mistake(
            "uses the backward difference (f(x) − f(x − h)) / h, whose error shrinks only like h; use the "
            "central difference (f(x + h) − f(x − h)) / (2h)",
            differs(gradcheck.numerical_derivative, (_CENTRAL, "(f(x) - f(x - h)) / h")),
        ),
        Mistake(
            "divides by h instead of 2h: the points x − h and x + h are 2h apart",
            differs(gradcheck.numerical_derivative, ("/ (2.0 * h)", "/ h")),
        ),
        Mistake(
            "ignores the argument h: it always steps by 1e-5",
            differs(gradcheck.numerical_derivative, (_CENTRAL, "(f(x + 1e-5) - f(x - 1e-5)) / 2e-5")),
        ),
    ],
    "numerical_gradient": [
        Mistake(
            "uses the forward difference (f(x + h·eᵢ) − f(x)) / h, whose error shrinks only like h; use the "
            "central difference (f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h)",
            differs(
                gradcheck.numerical_gradient,
                ("flat[i] = old - h", "flat[i] = old"),
                ("(fp - fm) / (2.0 * h)", "(fp - fm) / h"),
            ),
        ),
        Mistake(
            "divides by h instead of 2h: the points x − h·eᵢ and x + h·eᵢ are 2h apart",
            differs(gradcheck.numerical_gradient, ("(fp - fm) / (2.0 * h)", "(fp - fm) / h")),
        ),
        Mistake(
            "ignores the argument h: it always steps by 1e-5",
            differs(
                gradcheck.numerical_gradient,
                ("old + h", "old + 1e-5"),
                ("old - h", "old - 1e-5"),
                ("(2.0 * h)", "2e-5"),
            ),
        ),
        Mistake(
            "perturbs x in float32: x[i] ± h is rounded to the float32 grid, so the step actually taken is not "
            "h. Work on a float64 copy, np.array(x, dtype=np.float64)",
            differs(
                gradcheck.numerical_gradient,
                ("x = np.array(x, dtype=np.float64)", "x = np.array(x, copy=True)"),
                ("grad = np.zeros_like(x)", "grad = np.zeros(x.shape)"),
            ),
        ),
    ],
    "rel_error": [
        Mistake(
            "divides by |a| + |b| without the floor max(1e-8, ·): where both values are 0 that is 0/0 = NaN, "
            "but two equal zero gradients have no error at all",
            differs(gradcheck.rel_error, ("np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))")),
        ),
        Mistake(
            "averages the element-wise errors; take the largest (np.max), so that one wrong entry shows",
            differs(gradcheck.rel_error, ("np.max(", "np.mean(")),
        ),
        Mistake(
            "returns the element-wise errors; reduce them to one number, the largest (np.max)",
            differs(
                gradcheck.rel_error,
                (
                    "return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))",
                    "return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))",
                ),
            ),
        ),
        Mistake(
            "divides by |a + b| where |a| + |b| is meant: opposite values would look infinitely wrong or "
            "perfectly right",
            differs(gradcheck.rel_error, ("np.abs(a) + np.abs(b)", "np.abs(a + b)")),
        ),
        Mistake(
            "forgets the absolute value of a − b: a relative error is never negative",
            differs(gradcheck.rel_error, ("np.abs(a - b)", "(a - b)")),
        ),
    ],
    "graph_forward": [
        Mistake(
            "computes x + w·(w + 1): multiplication binds first, so write (x + w) * (w + 1)",
            differs(gradients.graph_forward, ("return a * b, (a, b)", "return x + w * b, (a, b)")),
        ),
        Mistake(
            "caches the inputs (x, w); the documented cache is the intermediate nodes (a, b) = (x + w, w + 1)",
            differs(gradients.graph_forward, ("return a * b, (a, b)", "return a * b, (x, w)")),
        ),
        Mistake(
            "caches (b, a); the documented order is (a, b) = (x + w, w + 1)",
            differs(gradients.graph_forward, ("return a * b, (a, b)", "return a * b, (b, a)")),
        ),
    ],
    "graph_backward": [
        Mistake(
            "has a sign error in dw: the two paths from w to y add, ∂y/∂w = (w + 1) + (x + w), never subtract",
            _graph("return dy * b, dy * b - dy * a"),
        ),
        Mistake("has a sign error in dx: ∂y/∂x = w + 1 = b, so dx = dy · b", _graph("return -dy * b, dy * b + dy * a")),
        Mistake(
            "keeps only the path through a = x + w in dw; w also feeds b = w + 1, so add dy · a as well",
            _graph("return dy * b, dy * b"),
        ),
        Mistake(
            "keeps only the path through b = w + 1 in dw; w also feeds a = x + w, so add dy · b as well",
            _graph("return dy * b, dy * a"),
        ),
        Mistake("returns (dw, dx): the order is (dx, dw)", _graph("return dy * b + dy * a, dy * b")),
        Mistake(
            "ignores the upstream gradient dy: multiply each local derivative by dy (the chain rule)",
            _graph("return b, b + a"),
        ),
        Mistake(
            "multiplies dy by a for dx: the product node sends each input the *other* input, so dx = dy · b",
            _graph("return dy * a, dy * b + dy * a"),
        ),
    ],
    "linreg_forward": [
        Mistake("forgets the bias b: ŷ = X @ w + b", differs(gradients.linreg_forward, (" + float(b)", ""))),
    ],
    "linreg_backward": [
        Mistake(
            "sums the residuals for db where the mean is needed (a missing 1/N in db)",
            _linreg("return 2.0 / n * (X.T @ r), float(2.0 * r.sum())"),
        ),
        Mistake(
            "drops the 2 in db: d(r²)/dr = 2r, so db = (2/N) Σ r",
            _linreg("return 2.0 / n * (X.T @ r), float(r.sum() / n)"),
        ),
        Mistake(
            "leaves X out of dw: by the chain rule ∂ŷₙ/∂w = xₙ, so dw = (2/N) Xᵀ r",
            _linreg("return np.full(np.shape(w), 2.0 * r.mean()), float(2.0 / n * r.sum())"),
        ),
        Mistake(
            "divides by D, the number of features; the mean is over the N examples",
            differs(gradients.linreg_backward, ("n = X.shape[0]", "n = X.shape[1]")),
        ),
    ],
    "gd_update": [
        Mistake(
            "adds the gradient (w + lr·dw): that climbs the error; a descent step goes against the gradient, w − lr·dw",
            differs(gradients.gd_update, (" - lr * ", " + lr * ")),
        ),
        Mistake(
            "returns the step lr·dw, not the new weights w − lr·dw",
            differs(gradients.gd_update, ("np.asarray(w, dtype=np.float64) - lr * ", "lr * ")),
        ),
        Mistake("ignores lr: the step is lr·dw, not dw", differs(gradients.gd_update, (" - lr * ", " - "))),
    ],
    "gradient_descent": [
        Mistake(
            "leaves out the starting point: path[0] must be x0, so the path has num_steps + 1 rows",
            differs(gradients.gradient_descent, ("path = [x]", "path = []")),
        ),
        Mistake(
            "stops one step early: after num_steps steps the path has num_steps + 1 rows, x0 included",
            differs(gradients.gradient_descent, ("range(num_steps)", "range(num_steps - 1)")),
        ),
        Mistake(
            "takes one step too many: the path has num_steps + 1 rows, x0 and one row per step",
            differs(gradients.gradient_descent, ("range(num_steps)", "range(num_steps + 1)")),
        ),
        Mistake(
            _ALIASED.format("", "Store a copy, or write x = x - lr * grad_fn(x)"),
            differs(gradients.gradient_descent, ("path = [x]", "path = [x.copy()]"), (_STEP, _IN_PLACE)),
        ),
        Mistake(
            _ALIASED.format(", the start included", "Write x = x - lr * grad_fn(x)"),
            differs(gradients.gradient_descent, (_STEP, _IN_PLACE)),
        ),
        Mistake(
            "climbs: each step adds lr · grad_fn(x); descent subtracts it",
            differs(gradients.gradient_descent, ("x = x - lr *", "x = x + lr *")),
        ),
    ],
}
