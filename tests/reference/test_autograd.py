"""course.autograd, lesson 08's reference engine, against independent computations: every operation's value against
NumPy written out and its gradient against central differences, broadcasting both ways, reductions over any axes,
random expression graphs with shared nodes, how backward visits and accumulates, hand-worked numbers, a deep chain,
extreme logits and float32."""

import math
import warnings

import numpy as np
import pytest

from course.autograd import (Tensor, backward, cross_entropy, log_softmax, relu, sigmoid, topological_order,
                             unbroadcast)
from course.gradcheck import numerical_gradient

RNG_SEED = 808


def _values(shape, rng, low=-2.0, high=2.0, away_from=None):
    """Uniform values; with ``away_from`` none lies within 0.05 of that point (a kink, a pole)."""
    x = rng.uniform(low, high, size=shape)
    if away_from is not None:
        x = np.where(np.abs(x - away_from) < 0.05, away_from + 0.5, x)
    return x


def _check_gradients(fn, *arrays, rtol=1e-6, atol=1e-9, seed=0):
    """``fn(*tensors) -> Tensor``: the gradient of ``sum(fn(...)·W)`` (W a fixed random weighting, so that every
    output entry carries a different upstream gradient) w.r.t. each input, against central differences."""
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    W = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    (out * W).sum().backward()
    for i, (a, t) in enumerate(zip(arrays, tensors)):
        def f(v, i=i):
            args = [Tensor(v if j == i else b) for j, b in enumerate(arrays)]
            return float(np.sum(fn(*args).data * W))
        expected = numerical_gradient(f, a)
        assert t.grad is not None and t.grad.shape == np.shape(a), f"input {i}: grad {t.grad} for shape {np.shape(a)}"
        np.testing.assert_allclose(t.grad, expected, rtol=rtol, atol=atol, err_msg=f"input {i}")


# --- each operation: its value and its gradient --------------------------------------------------------------------
UNARY = {
    "neg": (lambda t: -t, lambda x: -x, None),
    "exp": (lambda t: t.exp(), lambda x: np.exp(x), None),
    "log": (lambda t: t.log(), lambda x: np.log(x), "positive"),
    "tanh": (lambda t: t.tanh(), lambda x: (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1), None),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), None),
    "relu": (lambda t: t.relu(), lambda x: np.where(x > 0, x, 0.0), "kink"),
    "square": (lambda t: t ** 2, lambda x: x * x, None),
    "cube": (lambda t: t ** 3, lambda x: x * x * x, None),
    "sqrt": (lambda t: t ** 0.5, lambda x: np.sqrt(x), "positive"),
    "reciprocal": (lambda t: t ** -1, lambda x: 1 / x, "positive"),
    "rsqrt": (lambda t: t ** -0.5, lambda x: 1 / np.sqrt(x), "positive"),
}
SHAPES = [(), (5,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_operation_value_and_gradient(name, shape):
    op, expected, domain = UNARY[name]
    rng = np.random.default_rng(RNG_SEED)
    x = _values(shape, rng, 0.2, 3.0) if domain == "positive" else _values(shape, rng, away_from=0.0)
    np.testing.assert_allclose(op(Tensor(x)).data, expected(x), rtol=1e-12, atol=1e-300)
    _check_gradients(op, x)


BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: np.add(a, b)),
    "-": (lambda a, b: a - b, lambda a, b: np.subtract(a, b)),
    "*": (lambda a, b: a * b, lambda a, b: np.multiply(a, b)),
    "/": (lambda a, b: a / b, lambda a, b: np.divide(a, b)),
}
# (left, right): same shapes, a row vector, a kept row, a column, an outer broadcast, scalars, 3-D against 2-D / 1-D.
PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 4), (1, 4)), ((1, 4), (3, 4)), ((3, 4), (3, 1)),
         ((3, 1), (3, 4)), ((3, 1), (1, 4)), ((3, 4), ()), ((), (3, 4)), ((2, 3, 4), (3, 1)), ((4,), (2, 3, 4)),
         ((), ())]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", PAIRS, ids=str)
def test_binary_operation_broadcasts_both_ways(name, shapes):
    op, expected = BINARY[name]
    rng = np.random.default_rng(RNG_SEED)
    a = _values(shapes[0], rng)
    b = _values(shapes[1], rng, 0.5, 2.0) if name == "/" else _values(shapes[1], rng)
    out = op(Tensor(a), Tensor(b))
    assert out.shape == np.broadcast_shapes(np.shape(a), np.shape(b))
    np.testing.assert_allclose(out.data, expected(a, b), rtol=1e-15)
    _check_gradients(op, a, b)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("kind", ["int", "float", "numpy scalar", "array (D,)", "array (N, 1)", "array (N, D)"])
def test_numbers_and_arrays_on_either_side_of_each_operator(name, side, kind):
    op, expected = BINARY[name]
    rng = np.random.default_rng(RNG_SEED)
    x = _values((3, 4), rng, 0.5, 2.0)
    other = {"int": 3, "float": 1.75, "numpy scalar": np.float64(-1.25), "array (D,)": _values((4,), rng, 0.5, 2.0),
             "array (N, 1)": _values((3, 1), rng, 0.5, 2.0), "array (N, D)": _values((3, 4), rng, 0.5, 2.0)}[kind]
    fn = (lambda t: op(other, t)) if side == "left" else (lambda t: op(t, other))
    out = fn(Tensor(x))
    assert isinstance(out, Tensor), f"{type(other).__name__} {name} Tensor gave {type(out).__name__}"
    want = expected(other, x) if side == "left" else expected(x, other)
    np.testing.assert_allclose(out.data, want, rtol=1e-15)
    _check_gradients(fn, x)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((1, 5), (5, 1)), ((5, 1), (1, 3)), ((2, 2), (2, 2))], ids=str)
def test_matmul_value_and_gradient(shapes):
    rng = np.random.default_rng(RNG_SEED)
    a, b = _values(shapes[0], rng), _values(shapes[1], rng)
    product = np.array([[sum(a[i, k] * b[k, j] for k in range(a.shape[1])) for j in range(b.shape[1])]
                        for i in range(a.shape[0])])
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, product, rtol=1e-14)
    _check_gradients(lambda s, t: s @ t, a, b)
    _check_gradients(lambda s: s @ b, a)
    _check_gradients(lambda t: a @ t, b)  # an ndarray on the left defers to the Tensor's __rmatmul__


def test_an_ndarray_on_the_left_defers_to_the_tensor():
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    arr = np.full((2, 3), 2.0)
    for name, out in (("+", arr + x), ("-", arr - x), ("*", arr * x), ("/", arr / x), ("@", arr.T @ x)):
        assert isinstance(out, Tensor), f"ndarray {name} Tensor gave {type(out).__name__}: __array_ufunc__ = None"
    (arr - x).sum().backward()
    np.testing.assert_array_equal(x.grad, -np.ones((2, 3)))


AXES = [None, 0, 1, 2, -1, -2, (0, 2), (-1, 0), (0, 1, 2)]


@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_reductions_over_any_axes(reduction, axis, keepdims):
    x = _values((2, 3, 4), np.random.default_rng(RNG_SEED))
    axes = range(3) if axis is None else [a % 3 for a in np.atleast_1d(axis)]
    count = math.prod(x.shape[a] for a in axes)
    total = x
    for a in sorted(axes, reverse=True):  # the sum written as one axis at a time, highest axis first
        total = np.add.reduce(total, axis=a, keepdims=keepdims)
    want = total if reduction == "sum" else total / count
    fn = (lambda t: t.sum(axis=axis, keepdims=keepdims)) if reduction == "sum" else \
        (lambda t: t.mean(axis=axis, keepdims=keepdims))
    out = fn(Tensor(x))
    assert out.shape == np.shape(want)
    np.testing.assert_allclose(out.data, want, rtol=1e-14)
    _check_gradients(fn, x)
    # By hand: every entry's gradient is its output entry's upstream gradient (÷ count for the mean).
    t = Tensor(x, requires_grad=True)
    fn(t).backward(np.ones(np.shape(want)))
    np.testing.assert_allclose(t.grad, np.full(x.shape, 1.0 if reduction == "sum" else 1.0 / count))


@pytest.mark.parametrize("shape,new", [((3, 4), (12,)), ((3, 4), (2, 6)), ((2, 3, 4), (-1, 4)), ((6,), (3, 1, 2))])
def test_reshape_and_transpose(shape, new):
    x = _values(shape, np.random.default_rng(RNG_SEED))
    assert Tensor(x).reshape(*new).shape == np.empty(shape).reshape(new).shape
    assert Tensor(x).reshape(new).shape == np.empty(shape).reshape(new).shape  # a tuple, too
    _check_gradients(lambda t: t.reshape(*new) * t.reshape(*new), x)
    m = x.reshape(shape[0], -1)
    np.testing.assert_array_equal(Tensor(m).T.data, [[m[i, j] for i in range(m.shape[0])] for j in range(m.shape[1])])
    _check_gradients(lambda t: t.T @ t, m)
    _check_gradients(lambda t: t.transpose() * 2.0, m)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_log_softmax_value_and_gradient(axis):
    x = _values((4, 5), np.random.default_rng(RNG_SEED), -3, 3)
    e = np.exp(x)
    np.testing.assert_allclose(log_softmax(Tensor(x), axis=axis).data, np.log(e / e.sum(axis=axis, keepdims=True)),
                               rtol=1e-13, atol=1e-15)
    _check_gradients(lambda t: log_softmax(t, axis=axis), x)


@pytest.mark.parametrize("n,c", [(1, 3), (5, 4), (8, 10)])
def test_cross_entropy_value_and_gradient(n, c):
    rng = np.random.default_rng(RNG_SEED + n)
    z, labels = _values((n, c), rng, -3, 3), rng.integers(0, c, n)
    e = np.exp(z)
    want = -np.mean([math.log(e[i, labels[i]] / e[i].sum()) for i in range(n)])
    assert cross_entropy(Tensor(z), labels).shape == ()
    assert float(cross_entropy(Tensor(z), labels).data) == pytest.approx(want, rel=1e-13)
    t = Tensor(z, requires_grad=True)
    cross_entropy(t, labels).backward()
    np.testing.assert_allclose(t.grad, numerical_gradient(lambda v: float(cross_entropy(Tensor(v), labels).data), z),
                               rtol=1e-6, atol=1e-10)
    _check_gradients(lambda s: cross_entropy(s * 2.0, labels) * s.sum(), z)  # inside a bigger graph


def test_relu_derivative_at_zero_is_zero():
    x = Tensor(np.array([-1.0, 0.0, 2.0, -0.0]), requires_grad=True)
    relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0, 0.0])


def test_sigmoid_is_accurate_in_both_tails():
    x = np.array([-40.0, -30.0, -20.0, -5.0, 0.0, 5.0, 20.0, 40.0])
    want = 1 / (1 + np.exp(-x))  # no overflow for |x| ≤ 40
    np.testing.assert_allclose(sigmoid(Tensor(x)).data, want, rtol=1e-12, atol=0,
                               err_msg="σ(x) loses its relative precision for very negative x")


def test_log_softmax_and_cross_entropy_are_stable_at_huge_logits():
    z = np.array([[1e3, -1e3, 0.0], [-1e3, 1e3, 1e3 - 1.0]])
    s = math.log1p(math.exp(-1.0))  # row 2's log-sum-exp is 1000 + s
    want = np.array([[0.0, -2e3, -1e3], [-2e3 - s, -s, -1.0 - s]])
    labels = np.array([1, 2])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out = log_softmax(Tensor(z))
        t = Tensor(z, requires_grad=True)
        loss = cross_entropy(t, labels)
        loss.backward()
        lt = Tensor(z, requires_grad=True)
        (log_softmax(lt) * np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])).sum().backward()
    np.testing.assert_allclose(out.data, want, rtol=1e-15, atol=0)
    assert float(loss.data) == pytest.approx((2e3 + 1.0 + s) / 2, rel=1e-15)
    p = 1 / (1 + math.exp(-1.0))  # row 2's softmax: (0, p, 1 − p)
    grad = np.array([[1.0, -1.0, 0.0], [0.0, p, (1 - p) - 1.0]]) / 2
    np.testing.assert_allclose(t.grad, grad, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(lt.grad, -2 * grad, rtol=1e-12, atol=1e-300)  # one-hot − softmax
    assert np.isfinite(t.grad).all() and np.isfinite(lt.grad).all()


def test_unbroadcast_sums_down_to_the_shape():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (2, 3, 4)), g)
    np.testing.assert_array_equal(unbroadcast(g, (3, 4)), g[0] + g[1])
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), [[sum(g[i, j].sum() for i in range(2))] for j in range(3)])
    np.testing.assert_array_equal(unbroadcast(g, (1, 3, 1)), g.sum(axis=(0, 2)).reshape(1, 3, 1))
    np.testing.assert_array_equal(unbroadcast(g, (4,)), sum(g[i, j] for i in range(2) for j in range(3)))
    assert np.shape(unbroadcast(g, ())) == () and float(unbroadcast(g, ())) == 23 * 24 / 2


# --- random expression graphs: shared subexpressions and diamonds ------------------------------------------------
FULL = (3, 4)


def _full(t):
    return t if t.shape == FULL else t + np.zeros(FULL)


OPS = [  # (arity, function): each keeps values bounded and its result broadcastable to FULL
    (2, lambda a, b: a + b), (2, lambda a, b: a - b), (2, lambda a, b: a * b),
    (2, lambda a, b: a / (1.5 + b.tanh())), (1, lambda a: a.tanh()), (1, lambda a: a.sigmoid() * 2.0),
    (1, lambda a: a.tanh().exp()), (1, lambda a: (1.5 + a.tanh()).log()), (1, lambda a: a.tanh() ** 2),
    (1, lambda a: (1.5 + a.tanh()) ** -0.5), (1, lambda a: -a),
    (1, lambda a: _full(a).sum(axis=0, keepdims=True) * 0.3),
    (1, lambda a: _full(a).mean(axis=-1, keepdims=True)), (1, lambda a: log_softmax(_full(a), axis=-1)),
    (1, lambda a: _full(a).reshape(4, 3).T), (2, lambda a, b: (_full(a) @ (_full(b).T @ _full(a))) * 0.05),
    (1, lambda a: (a * a.tanh()).sum() * 0.1),
]


def _random_program(rng, n_leaves=3, n_ops=14):
    """A random expression as instructions (op index, operand indices); operands are drawn with reuse, so nodes
    are shared (diamonds form whenever two later nodes use one earlier node)."""
    program = []
    for k in range(n_ops):
        arity, _ = OPS[op := int(rng.integers(len(OPS)))]
        available = n_leaves + k
        recent = rng.integers(max(0, available - 4), available, size=arity)
        anywhere = rng.integers(0, available, size=arity)
        program.append((op, [int(r if rng.random() < 0.6 else a) for r, a in zip(recent, anywhere)]))
    return program


def _run(program, leaves, weights):
    nodes = list(leaves)
    for op, args in program:
        nodes.append(OPS[op][1](*(nodes[i] for i in args)))
    last = nodes[-3:]  # the output uses the last three nodes (and so everything they share)
    total = (_full(last[0]) * weights[0]).sum()
    for node, w in zip(last[1:], weights[1:]):
        total = total + (_full(node) * w).sum()
    return total


@pytest.mark.parametrize("seed", range(12))
def test_random_expression_graphs_match_central_differences(seed):
    rng = np.random.default_rng(1000 + seed)
    shapes = [FULL, (4,), (3, 1), (1, 4), ()]
    leaf_values = [_values(shapes[int(rng.integers(len(shapes)))], rng, -1.5, 1.5) for _ in range(3)]
    weights = [rng.uniform(-1, 1, FULL) for _ in range(3)]
    program = _random_program(rng)
    leaves = [Tensor(v, requires_grad=True) for v in leaf_values]
    out = _run(program, leaves, weights)
    assert out.shape == () and np.isfinite(out.data)
    out.backward()
    for i, leaf in enumerate(leaves):
        def f(v, i=i):
            return float(_run(program, [Tensor(v if j == i else u) for j, u in enumerate(leaf_values)], weights).data)
        want = numerical_gradient(f, leaf_values[i])
        got = np.zeros_like(want) if leaf.grad is None else leaf.grad  # a leaf the output does not use
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8, err_msg=f"leaf {i} of program {program}")


# --- how backward walks the graph ----------------------------------------------------------------------------------
def _count_calls(tensor, name, counts):
    inner = tensor.local_backward

    def counted(grad):
        counts[name] = counts.get(name, 0) + 1
        return inner(grad)
    tensor.local_backward = counted
    return tensor


def test_diamond_graph_calls_each_local_backward_once():
    counts = {}
    x = Tensor(np.array([0.3, -0.7]), requires_grad=True)
    a = _count_calls(x * 2.0, "a", counts)  # a feeds b, c and e: three paths back to x
    b = _count_calls(a.exp(), "b", counts)
    c = _count_calls(a.tanh(), "c", counts)
    d = _count_calls(b + c, "d", counts)
    e = _count_calls(d * a, "e", counts)
    out = _count_calls(e.sum(), "out", counts)
    out.backward()
    assert counts == {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "out": 1}, counts
    xv = x.data
    av = 2 * xv
    want = 2 * ((np.exp(av) + 1 - np.tanh(av) ** 2) * av + np.exp(av) + np.tanh(av))  # d/dx of (e^a + tanh a)·a
    np.testing.assert_allclose(x.grad, want, rtol=1e-13)


def test_topological_order_lists_each_node_once_parents_first():
    x = Tensor(np.ones(2), requires_grad=True)
    a = x * 3.0
    b, c = a + x, a * a
    out = (b * c + a).sum()
    order = topological_order(out)
    assert order[-1] is out and len({id(t) for t in order}) == len(order)
    position = {id(t): k for k, t in enumerate(order)}
    assert all(position[id(p)] < position[id(t)] for t in order for p in t.parents)
    for t in (x, a, b, c):
        assert id(t) in position


def test_gradients_accumulate_across_backward_calls():
    xv = np.array([1.0, -2.0, 0.5])
    x = Tensor(xv, requires_grad=True)
    (x ** 2).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * xv)
    (x * 3.0).sum().backward()  # another graph: += its gradient
    np.testing.assert_allclose(x.grad, 2 * xv + 3.0)
    y = Tensor(xv, requires_grad=True)
    graph = (y.exp() * y).sum()
    graph.backward()
    graph.backward()  # the same graph twice: twice its gradient
    np.testing.assert_allclose(y.grad, 2 * (np.exp(xv) * (xv + 1)), rtol=1e-14)


def test_a_tensor_used_twice_in_one_operation_gets_both_shares():
    x = Tensor(np.array([1.5, -3.0]), requires_grad=True)
    (x * x + x / x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.array([1.5, -3.0]), atol=1e-15)


def test_each_leaf_gets_a_gradient_array_of_its_own():
    # x + y passes one upstream array to both parents; an optimizer updates .grad in place, so they must not share it
    x, y = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    seed = np.array([1.0, 2.0, 3.0])
    (x + y).backward(seed)
    x.grad *= 10.0
    np.testing.assert_array_equal(y.grad, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(seed, [1.0, 2.0, 3.0])


def test_constants_get_no_gradient():
    x = Tensor(np.ones(3), requires_grad=True)
    c = Tensor(np.full(3, 2.0))
    (x * c).sum().backward()
    assert c.grad is None and not c.requires_grad
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_backward_of_a_non_scalar_needs_a_seed_of_its_shape():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2.0
    with pytest.raises((RuntimeError, ValueError)):
        y.backward()
    with pytest.raises((RuntimeError, ValueError)):
        y.backward(np.ones((3, 2)))
    with pytest.raises((RuntimeError, ValueError)):
        y.sum().backward(np.ones(2))
    y.backward(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.grad, 2 * np.arange(6.0).reshape(2, 3))
    backward(x.sum(), np.float64(0.5))  # the function form, with an explicit scalar seed
    np.testing.assert_array_equal(x.grad, 2 * np.arange(6.0).reshape(2, 3) + 0.5)


def test_lesson_02_graph_gives_6_2_5():
    x = Tensor(2.0, requires_grad=True)
    w = Tensor(1.0, requires_grad=True)
    y = (x + w) * (w + 1)
    y.backward()
    assert float(y.data) == 6.0 and float(x.grad) == 2.0 and float(w.grad) == 5.0


def test_a_chain_3000_operations_deep_needs_no_recursion():
    x = Tensor(np.array([0.5, 2.0]), requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    y.sum().backward()
    assert len(topological_order(y)) == 1 + 2 * 3000  # x, and each step's product and its constant
    np.testing.assert_allclose(x.grad, [math.pow(1.0001, 3000)] * 2, rtol=1e-11)


def test_tensor_data_is_float64_unless_it_is_float32():
    assert Tensor([1, 2]).dtype == np.float64 and Tensor(3).dtype == np.float64
    assert Tensor(np.ones(2, np.float16)).dtype == np.float64
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor(np.ones(2)).grad is None and not Tensor(np.ones(2)).requires_grad


ONE32 = np.float32(1.0)  # a float32 constant: Python numbers have a test of their own below
F32_OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / (b * b + ONE32),
    "@": lambda a, b: a @ b.T, "neg": lambda a, b: -a * b, "**": lambda a, b: (a * a + ONE32) ** -0.5 * b,
    "sum": lambda a, b: (a * b).sum(axis=0), "mean": lambda a, b: a.mean(axis=1, keepdims=True) * b,
    "exp": lambda a, b: a.exp() * b, "log": lambda a, b: (a * a + ONE32).log() * b, "tanh": lambda a, b: a.tanh() * b,
    "sigmoid": lambda a, b: a.sigmoid() * b, "relu": lambda a, b: a.relu() * b,
    "reshape": lambda a, b: a.reshape(-1) * b.reshape(-1), "T": lambda a, b: a.T * b.T,
    "log_softmax": lambda a, b: log_softmax(a) * b, "cross_entropy": lambda a, b: cross_entropy(a * b, [0, 2, 1]),
}


@pytest.mark.parametrize("name", F32_OPS)
def test_float32_stays_float32_through_each_operation_and_its_gradient(name):
    rng = np.random.default_rng(RNG_SEED)
    a = Tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    out = F32_OPS[name](a, b)
    assert out.dtype == np.float32, f"{name}: the output is {out.dtype}"
    (out.sum() if out.shape else out).backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32, f"{name}: {a.grad.dtype}, {b.grad.dtype}"


def test_float32_stays_float32_with_a_python_number_on_either_side():
    # As in NumPy (NEP 50) and torch: a Python number takes the tensor's dtype; it does not promote it.
    promoted = []
    for name, (op, _) in BINARY.items():
        for number in (2, 0.5):
            x = Tensor(np.array([1.0, 2.0, 4.0], np.float32), requires_grad=True)
            for side, out in (("right", op(x, number)), ("left", op(number, x))):
                out.sum().backward()
                if out.dtype != np.float32 or x.grad.dtype != np.float32:
                    expression = f"x {name} {number}" if side == "right" else f"{number} {name} x"
                    promoted.append(f"{expression} -> {out.dtype} (grad {x.grad.dtype})")
    assert not promoted, "float32 x promoted by a Python number:\n" + "\n".join(promoted)
