"""What lesson 08's solution notebook claims about its own engine, checked on the globals it leaves behind.

The notebook's engine is the one written in its cells (not ``course.autograd``): lesson 02's numbers come out of it,
lesson 06's network built on it has the gradients of ``course.nn``'s hand-written backward, and it trains to 97 %.
"""

import numpy as np
import pytest

from course import autograd, losses, mlp
from course.gradcheck import numerical_gradient

AID = "08_autograd"


@pytest.fixture(scope="module")
def ns(solved):
    _, results, namespace = solved(AID)
    failed = {k: v for k, v in results.items() if v is not None}
    assert not failed, f"the solution notebook does not run clean: {failed}"
    return namespace


def test_the_demos_ran_on_the_notebooks_own_engine(ns):
    assert ns["Tensor"] is not autograd.Tensor
    assert ns["engine"].note() == "", "a demo fell back to the course's engine"


def test_lesson_02_graph_gives_6_2_and_5(ns):
    y, x, w = ns["y"], ns["x"], ns["w"]
    assert (float(y.data), float(x.grad), float(w.grad)) == (6.0, 2.0, 5.0)


def test_the_trust_but_check_expression_matches_central_differences(ns):
    Tensor, loss_of, X, W, b = ns["Tensor"], ns["loss_of"], ns["X"], ns["W"], ns["b"]
    params = [Tensor(W, requires_grad=True), Tensor(b, requires_grad=True)]
    loss_of(X, *params).backward()
    numeric_W = numerical_gradient(lambda v: float(loss_of(X, v, b).data), W.copy())
    numeric_b = numerical_gradient(lambda v: float(loss_of(X, W, v).data), b.copy())
    np.testing.assert_allclose(params[0].grad, numeric_W, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(params[1].grad, numeric_b, rtol=1e-6, atol=1e-9)


def test_lesson_06_network_on_the_engine_has_the_hand_written_gradients(ns):
    xb, yb = ns["xb"], ns["yb"]
    ours = ns["digits_model"](np.random.default_rng(11))
    loss = ns["cross_entropy"](ours(ns["Tensor"](xb)), yb)
    loss.backward()
    theirs = mlp.build_mlp((64, 256, 256, 10), batchnorm=True, dropout=0.2, rng=np.random.default_rng(11))
    their_loss, _ = mlp.loss_and_grads(theirs, xb, yb)
    assert abs(float(loss.data) - their_loss) < 1e-12
    pairs = list(zip(ours.parameters(), theirs.parameters()))
    assert len(pairs) == 10
    for p, q in pairs:
        assert p.grad.shape == q.grad.shape
        np.testing.assert_allclose(p.grad, q.grad, rtol=0, atol=1e-10)
    # and the notebook's own comparison printed what it measured
    assert max(ns["diffs"]) <= 1e-10


def test_the_engine_network_trains_to_97_percent_held_out(ns):
    net, split = ns["net"], ns["split"]
    assert ns["val_acc"] >= 0.95
    scores = net.train(False)(ns["Tensor"](split.X_test)).data
    assert losses.cross_entropy_forward(scores, split.y_test) < 0.2
    assert np.mean(scores.argmax(axis=1) == split.y_test) >= 0.97


def test_the_overhead_cell_measured_every_phase(ns):
    ms = ns["ms"]
    assert set(ms) == {"lesson 06 step", "engine forward", "engine backward", "engine optimizer"}
    assert all(v > 0 for v in ms.values())
