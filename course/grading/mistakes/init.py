"""Classic mistakes in 04_initialization, each the reference in :mod:`course.init` with a line changed (or its
result transformed). The random initializers are judged statistically by :mod:`course.grading.init` instead."""

from course import init
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]

_FANS = "return shape[1] * receptive_field, shape[0] * receptive_field"

MISTAKES = {
    "calculate_gain": [
        Mistake(
            "computes the leaky-ReLU gain as √(2/1 + a²): operator precedence. The gain is √(2 / (1 + a²)), "
            "so write 2 / (1 + a**2)",
            differs(init.calculate_gain, ("2.0 / (1.0 + slope**2)", "2.0 / 1.0 + slope**2")),
        ),
        Mistake(
            "returns the gain squared, a factor on the variance: the gain multiplies the std, so take the "
            "square root (√2 for ReLU, not 2)",
            lambda nonlinearity, param=None: init.calculate_gain(nonlinearity, param) ** 2,
        ),
        Mistake(
            "treats param=0 as missing: only param=None means the default slope 0.01 (test `param is None`, "
            "not `not param`)",
            differs(init.calculate_gain, ("if param is None:", "if not param:")),
        ),
        Mistake(
            "uses slope 0 when param is None: leaky_relu's default negative slope is 0.01",
            differs(init.calculate_gain, ("slope = 0.01", "slope = 0.0")),
        ),
    ],
    "zeros_init": [
        Mistake(
            "built an array shaped like the tuple `shape` itself (np.zeros_like(shape)): use np.zeros(shape)",
            differs(init.zeros_init, ("np.zeros(shape, dtype=np.float64)", "np.zeros(len(shape))")),
        ),
    ],
    "calculate_fan_in_and_fan_out": [
        Mistake(
            "swapped fan_in and fan_out: a weight of shape (out, in) has fan_in = shape[1] (the inputs each "
            "unit sums) and fan_out = shape[0]",
            differs(
                init.calculate_fan_in_and_fan_out,
                (_FANS, "return shape[0] * receptive_field, shape[1] * receptive_field"),
            ),
        ),
        Mistake(
            "ignores the kernel: for a conv weight (out, in, kh, kw) both fans are multiplied by the "
            "receptive field kh·kw",
            differs(
                init.calculate_fan_in_and_fan_out, ("receptive_field = math.prod(shape[2:])", "receptive_field = 1")
            ),
        ),
        Mistake(
            "swapped fan_in and fan_out and ignores the kernel: fan_in = shape[1]·kh·kw, fan_out = shape[0]·kh·kw",
            differs(
                init.calculate_fan_in_and_fan_out,
                ("receptive_field = math.prod(shape[2:])", "receptive_field = 1"),
                (_FANS, "return shape[0] * receptive_field, shape[1] * receptive_field"),
            ),
        ),
    ],
}
