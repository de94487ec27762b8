"""The check engines of 05_optimizers: several steps from ``state = {}``, and mini-batch generators judged without
depending on how a valid solution draws its permutation."""

import numpy as np
import pytest

from course import optim
from course.grading import CheckFailure
from course.grading import optim as engine

X, Y = np.arange(40.0).reshape(20, 2), np.arange(20)
W0 = np.array([1.0, -2.0])
GRADS = [np.array([0.5, 0.1]), np.array([-0.2, 0.3]), np.array([0.1, -0.4])]


def test_reference_steps_pass_and_every_step_is_compared():
    expected = engine.reference_steps(optim.adam_update, W0, GRADS, {"lr": 0.1})
    assert [s["step"] for _, s in expected] == [1, 2, 3]
    w, state = engine.check_steps(optim.adam_update, W0, GRADS, expected, kwargs={"lr": 0.1})
    np.testing.assert_array_equal(w, expected[-1][0])


def test_a_mistake_that_shows_only_on_a_later_step_is_named_from_the_catalogue():
    def adam_update(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):  # stores step counted from 0
        t = state.get("step", 0) + 1
        state["exp_avg"] = betas[0] * state.get("exp_avg", 0.0) + (1 - betas[0]) * dw
        state["exp_avg_sq"] = betas[1] * state.get("exp_avg_sq", 0.0) + (1 - betas[1]) * dw * dw
        state["step"] = t - 1
        m_hat, v_hat = state["exp_avg"] / (1 - betas[0] ** t), state["exp_avg_sq"] / (1 - betas[1] ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), state

    expected = engine.reference_steps(optim.adam_update, W0, GRADS, {"lr": 0.1})
    with pytest.raises(CheckFailure, match="step 1 of 3.*stores step counted from 0"):
        engine.check_steps(adam_update, W0, GRADS, expected, kwargs={"lr": 0.1})


def test_a_gradient_kept_by_reference_and_changed_later_is_named():
    def momentum_update(w, dw, state, lr, momentum=0.9, dampening=0.0, nesterov=False):
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = dw  # keeps the caller's array ...
        else:
            buf *= momentum  # ... and changes it in place on the next step
            buf += dw
        state["momentum_buffer"] = buf
        return w - lr * buf, state

    grads = [g.copy() for g in GRADS]
    expected = engine.reference_steps(optim.momentum_update, W0, grads, {"lr": 0.1})
    with pytest.raises(CheckFailure, match="changed later|changed its input"):
        engine.check_steps(momentum_update, W0, grads, expected, kwargs={"lr": 0.1})


def test_minibatches_drawn_with_choice_or_shuffle_pass():
    def by_choice(X, y, batch_size, shuffle=True, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        order = rng.choice(len(X), size=len(X), replace=False) if shuffle else np.arange(len(X))
        for start in range(0, len(X), batch_size):
            yield X[order[start : start + batch_size]], y[order[start : start + batch_size]]

    engine.check_minibatches(by_choice, X, Y, 6)
    engine.check_minibatches(optim.iterate_minibatches, X, Y, 6)


@pytest.mark.parametrize(
    "words,fn",
    [
        (
            "drops the last partial batch",
            lambda X, y, b, shuffle=True, rng=None: ((X[i : i + b], y[i : i + b]) for i in range(0, len(X) - b + 1, b)),
        ),
        (
            "did not shuffle",
            lambda X, y, b, shuffle=True, rng=None: ((X[i : i + b], y[i : i + b]) for i in range(0, len(X), b)),
        ),
        (
            "np.random's global state",
            lambda X, y, b, shuffle=True, rng=None: (
                (X[o[i : i + b]], y[o[i : i + b]])
                for o in [np.random.permutation(len(X)) if shuffle else np.arange(len(X))]
                for i in range(0, len(X), b)
            ),
        ),
    ],
)
def test_minibatch_mistakes_are_named(words, fn):
    fn.__name__ = "iterate_minibatches"
    with pytest.raises(CheckFailure, match=words):
        engine.check_minibatches(fn, X, Y, 6)
