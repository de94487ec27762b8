"""course.grading.check: it names each classic mistake, and never fails a correct answer on noise."""

import sys
import warnings

import numpy as np
import pytest

from course import losses
from course.grading import CheckFailure, Mistake, assert_close, check, check_gradient

YP = np.array([1.0, 2.0, 4.0, -1.0])
Y = np.array([1.0, 0.0, 1.0, 0.5])


def failure(fn, *args, **kw):
    with pytest.raises(CheckFailure) as info:
        check(fn, *args, **kw)
    return str(info.value)


def test_correct_answer_passes_and_is_returned():
    assert check(losses.mse_forward, YP, Y, expected=losses.mse_forward(YP, Y)) == pytest.approx(
        losses.mse_forward(YP, Y)
    )


@pytest.mark.parametrize(
    "wrong,words",
    [
        (lambda yp, y: -losses.mse_backward(yp, y), "flipped sign"),
        (lambda yp, y: losses.mse_backward(yp, y) * len(yp), "missing 1/N"),
        (lambda yp, y: losses.mse_backward(yp, y) / len(yp), "extra 1/N"),
        (lambda yp, y: losses.mse_backward(yp, y) / 2, "extra ½"),
        (lambda yp, y: losses.mse_backward(yp, y) * 2, "missing ½"),
        (lambda yp, y: losses.mse_backward(yp, y)[:, None], "(N,) and (N, 1)"),
        (
            lambda yp, y: losses.mse_backward(yp, y)[:, None] + losses.mse_backward(yp, y)[None, :],
            "broadcast to (N, N)",
        ),
        (lambda yp, y: None, "return"),
        (lambda yp, y: losses.mse_backward(yp, y) + np.array([0, 0, 1.0, 0]), "1 of 4 entries are wrong"),
    ],
)
def test_gradient_mistakes_are_named(wrong, words):
    msg = failure(wrong, YP, Y, expected=losses.mse_backward(YP, Y))
    assert words in msg, msg
    assert "expected:" in msg and "got:" in msg


def test_sum_instead_of_mean_in_a_scalar_loss():
    assert "missing 1/N" in failure(
        lambda yp, y: float(np.sum((yp - y) ** 2)), YP, Y, expected=losses.mse_forward(YP, Y)
    )


def test_sum_over_all_elements_of_a_matrix_is_named():
    a, b = np.ones((3, 4)), np.zeros((3, 4))
    assert "12 times too large" in failure(lambda p, q: float(np.sum((p - q) ** 2)), a, b, expected=1.0)


def test_array_returned_where_a_float_is_expected():
    assert "single number" in failure(lambda yp, y: (yp - y) ** 2, YP, Y, expected=losses.mse_forward(YP, Y))


def test_transposed_matrix():
    W = np.arange(6.0).reshape(2, 3)
    assert "transposed" in failure(lambda w: w.T.copy(), W, expected=W)
    sq = np.arange(9.0).reshape(3, 3)
    assert "transposed" in failure(lambda w: w.T.copy(), sq, expected=sq)


def test_input_modified_in_place_is_caught_even_when_the_answer_is_right():
    def sneaky(yp, y):
        out = losses.mse_backward(yp, y)
        yp *= 0
        return out

    yp = YP.copy()
    assert "changed its input `yp` in place" in failure(sneaky, yp, Y, expected=losses.mse_backward(YP, Y))


def test_overflow_is_named_with_numpys_warning():
    def naive_softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    z = np.array([[1000.0, 0.0, -1000.0]])
    msg = failure(naive_softmax, z, expected=losses.softmax(z))
    assert "overflow" in msg and "subtract the row maximum" in msg


def test_named_mistake_wins_over_the_generic_diagnosis():
    z = np.array([[1.0, 2.0], [3.0, 5.0]])
    axis0 = Mistake("normalises over axis 0", lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True))
    msg = failure(
        lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), z, expected=losses.softmax(z), mistakes=[axis0]
    )
    assert "normalises over axis 0" in msg


def test_not_implemented_and_exceptions_are_reported_plainly():
    def todo(x):
        raise NotImplementedError()

    assert "not implemented yet" in failure(todo, YP, expected=YP)
    assert "raised ZeroDivisionError" in failure(lambda x: 1 / 0, YP, expected=YP)


def test_broadcast_error_suggests_keepdims():
    z = np.ones((2, 3))
    msg = failure(lambda z: z / z.sum(axis=1), z, expected=z / 3)
    assert "keepdims=True" in msg


def test_a_correct_answer_that_warns_passes_and_writes_nothing_to_stderr(capfd):
    def warns_but_right(yp, y):
        warnings.warn("harmless", RuntimeWarning)
        np.log(np.array([0.0]))  # divide-by-zero RuntimeWarning from NumPy
        print("stray debug output", file=sys.stderr)
        return losses.mse_forward(yp, y)

    check(warns_but_right, YP, Y, expected=losses.mse_forward(YP, Y))
    assert capfd.readouterr().err == ""


def test_float32_inputs_get_float32_tolerance_but_not_a_free_pass():
    a, b = YP.astype(np.float32), Y.astype(np.float32)
    check(lambda p, q: np.float32(np.mean((p - q) ** 2)), a, b, expected=losses.mse_forward(a, b))
    failure(lambda p, q: np.float32(np.mean((p - q) ** 2) * 1.01), a, b, expected=losses.mse_forward(a, b))


def test_tuple_results_name_the_wrong_part():
    def linear_backward(dout, x, W):
        return dout @ W, (dout.T @ x).T, dout.sum(0)

    rng = np.random.default_rng(0)
    dout, x, W = rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(2, 3))
    msg = failure(
        linear_backward, dout, x, W, expected=(dout @ W, dout.T @ x, dout.sum(0)), out_names=("dx", "dW", "db")
    )
    assert "`dW` is transposed" in msg


def test_check_gradient_uses_the_reference_forward():
    check_gradient(losses.mse_backward, YP, Y, loss=losses.mse_forward)
    with pytest.raises(CheckFailure):
        check_gradient(lambda yp, y: losses.mse_backward(yp, y) * 1.1, YP, Y, loss=losses.mse_forward)


def test_dict_state_is_compared_key_by_key():
    msg = failure(
        lambda: {"step": 1, "exp_avg": np.zeros(2)},
        expected={"step": 1, "exp_avg": np.ones(2), "exp_avg_sq": np.ones(2)},
    )
    assert "missing the key" in msg


def test_assert_close_names_the_quantity():
    assert_close(0.58054, 0.5805423, "out_h1", rtol=1e-5)
    with pytest.raises(CheckFailure, match="out_h1"):
        assert_close(0.6, 0.5805423, "out_h1", rtol=1e-5)


def test_a_list_of_numbers_is_compared_as_an_array():
    check(lambda: [1.0, 0.5, 0.25], expected=[1.0, 0.5, 0.25])
    assert "wrong values" in failure(lambda: [1.0, 0.5, 0.3], expected=[1.0, 0.5, 0.25])


def test_in_place_change_of_a_float_in_a_dict_is_caught():
    def nudges(params):
        params["b"] -= 0.1
        return dict(params)

    assert "in place" in failure(nudges, {"b": 0.3, "w": np.ones(2)}, expected={"b": 0.2, "w": np.ones(2)})


def test_a_graded_functions_own_catalogue_is_used_by_its_name():
    def softmax(z):  # the classic axis mistake, under the graded function's own name
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 1.0]])
    assert "normalises over axis 0" in failure(softmax, z, expected=losses.softmax(z))
    assert "normalises over axis 0" not in failure(softmax, z, expected=losses.softmax(z), mistakes=())


def test_float32_inputs_pass_the_activation_and_linear_checks():
    from course import activations, layers

    rng = np.random.default_rng(11)
    z = rng.normal(size=(3, 4))
    check(
        activations.sigmoid_backward,
        np.ones((3, 4), np.float32),
        activations.sigmoid(z).astype(np.float32),
        expected=activations.sigmoid(z) * (1 - activations.sigmoid(z)),
    )
    x, W, b = rng.normal(size=(2, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    check(
        layers.linear_forward,
        x.astype(np.float32),
        W.astype(np.float32),
        b.astype(np.float32),
        expected=(x @ W.T + b, (x.astype(np.float32), W.astype(np.float32), b.astype(np.float32))),
    )
