"""Valid ways of writing 04_initialization's functions: other draws from the same distribution, other formulas."""

from harness import Variant

GROUPS = {
    "alternatives": [
        Variant(
            "fans with math.prod",
            "calculate_fan_in_and_fan_out",
            "    receptive_field = 1\n    for k in shape[2:]:\n        receptive_field *= k\n",
            "    receptive_field = math.prod(shape[2:])\n",
        ),
        Variant(
            "constant via ones",
            "constant_init",
            "np.full(shape, value, dtype=np.float64)",
            "np.ones(shape) * float(value)",
        ),
        Variant(
            "uniform via rng.random",
            "uniform_init",
            "return rng.uniform(a, b, size=shape)",
            "return a + (b - a) * rng.random(shape)",
        ),
        Variant(
            "normal via standard_normal",
            "normal_init",
            "return rng.normal(mean, std, size=shape)",
            "return mean + std * rng.standard_normal(tuple(shape))",
        ),
        Variant(
            "leaky gain written as a quotient of roots",
            "calculate_gain",
            "math.sqrt(2.0 / (1 + slope**2))",
            "math.sqrt(2.0) / math.sqrt(1 + slope * slope)",
        ),
        Variant(
            "xavier uniform inline with rng.random",
            "xavier_uniform",
            "    return uniform_init(shape, -bound, bound, rng)",
            "    rng = np.random.default_rng() if rng is None else rng\n"
            "    return bound * (2.0 * rng.random(shape) - 1.0)",
        ),
        Variant(
            "xavier normal via the variance",
            "xavier_normal",
            "    std = gain * math.sqrt(2.0 / (fan_in + fan_out))",
            "    var = gain**2 * 2.0 / (fan_in + fan_out)\n    std = np.sqrt(var)",
        ),
        Variant(
            "kaiming normal with its own fans and draw",
            "kaiming_normal",
            "    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)\n",
            "    fan_in = shape[1] * int(np.prod(shape[2:]))\n    fan_out = shape[0] * int(np.prod(shape[2:]))\n"
            "    rng = np.random.default_rng() if rng is None else rng\n"
            "    normal_init = lambda s, m, sd, g: g.standard_normal(s) * sd + m\n",
        ),
        Variant(
            "kaiming uniform with a dict of fans",
            "kaiming_uniform",
            '    fan = fan_in if mode == "fan_in" else fan_out',
            '    fan = {"fan_in": fan_in, "fan_out": fan_out}[mode]',
        ),
        Variant(
            "orthogonal drawing with the notebook's own normal_init",
            "orthogonal",
            "a = rng.standard_normal((max(rows, cols), min(rows, cols)))",
            "a = normal_init((max(rows, cols), min(rows, cols)), rng=rng)",
        ),
        Variant(
            "orthogonal via the polar factor (SVD)",
            "orthogonal",
            "    q, r = np.linalg.qr(a)\n    q = q * np.sign(np.diag(r))\n",
            "    u, _, vt = np.linalg.svd(a, full_matrices=False)\n    q = u @ vt\n",
        ),
    ]
}
