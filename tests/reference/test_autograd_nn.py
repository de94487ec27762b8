"""course.autograd_nn, the digits model on lesson 08's engine, against course.nn's hand-written backward: the same
weights, batch and dropout masks give the same loss, gradients, running statistics and Adam steps, in training and
in evaluation, in float64 and float32; and lesson 06's recipe on the engine reaches 97 % on the held-out digits."""

import numpy as np
import pytest

from course import autograd_nn as an
from course import data, layers, losses, mlp, nn, optim, train
from course.autograd import Tensor, cross_entropy

SIZES = (64, 256, 256, 10)  # lesson 06's digits model


def _twins(dropout=0.2, dtype=np.float64, seed=1):
    """The digits model twice, course.nn's and the engine's, with the engine's weights copied from course.nn's."""
    reference = mlp.build_mlp(SIZES, batchnorm=True, dropout=dropout, rng=np.random.default_rng(seed), dtype=dtype)
    engine = an.build_mlp(SIZES, batchnorm=True, dropout=dropout, rng=np.random.default_rng(seed + 100), dtype=dtype)
    for p, q in zip(engine.parameters(), reference.parameters()):
        assert p.shape == q.data.shape and p.dtype == q.data.dtype
        p.data[...] = q.data
    return reference, engine


def _same_dropout_generator(model, seed):
    g = np.random.default_rng(seed)
    for m in model:
        if isinstance(m, (nn.Dropout, an.Dropout)):
            m.rng = g
    return g


def _batch(n=64, dtype=np.float64):
    split = data.digits_split()
    return split.X_train[:n].astype(dtype), split.y_train[:n]


def _engine_loss_and_grads(model, x, y):
    model.zero_grad()
    loss = cross_entropy(model(x), y)
    loss.backward()
    return loss


def _assert_same_gradients(engine, reference, rtol, label):
    for k, (p, q) in enumerate(zip(engine.parameters(), reference.parameters())):
        scale = np.abs(q.grad).max()
        # A bias right before batch norm has a gradient of exactly 0, which both sides reach only up to round-off.
        np.testing.assert_allclose(p.grad, q.grad, rtol=rtol, atol=rtol * max(scale, 1e-2),
                                   err_msg=f"{label}: parameter {k} ({q.name}, shape {q.data.shape})")


def test_build_mlp_has_course_mlps_layers_and_initial_weights():
    for kw in ({"batchnorm": True, "dropout": 0.2}, {}, {"dropout": 0.5}):
        reference = mlp.build_mlp(SIZES, rng=np.random.default_rng(3), **kw)
        engine = an.build_mlp(SIZES, rng=np.random.default_rng(3), **kw)
        assert [type(m).__name__ for m in engine] == [type(m).__name__ for m in reference], kw
        assert len(engine.parameters()) == len(reference.parameters())
        for p, q in zip(engine.parameters(), reference.parameters()):
            assert isinstance(p, Tensor) and p.requires_grad and p.grad is None
            np.testing.assert_array_equal(p.data, q.data)
    layer = an.Linear(5, 3, bias=False, rng=np.random.default_rng(0), dtype=np.float32)
    assert layer.bias is None and layer.parameters() == [layer.weight] and layer.weight.dtype == np.float32


def test_linear_is_x_WT_plus_b_and_casts_an_array_to_its_dtype():
    layer = an.Linear(4, 3, rng=np.random.default_rng(4))
    x = np.random.default_rng(5).standard_normal((6, 4))
    W, b = layer.weight.data, layer.bias.data
    want = np.array([[sum(x[n, i] * W[o, i] for i in range(4)) + b[o] for o in range(3)] for n in range(6)])
    np.testing.assert_allclose(layer(x).data, want, rtol=1e-13)
    layer32 = an.Linear(4, 3, rng=np.random.default_rng(4), dtype=np.float32)
    assert layer32(x).dtype == np.float32  # a float64 batch meets a float32 model as float32, as in course.nn


def test_parameters_in_order_each_once_zero_grad_and_modes_recurse():
    shared = an.Linear(3, 3, rng=np.random.default_rng(0))
    model = an.Sequential(shared, an.ReLU(), an.Sequential(an.BatchNorm1d(3), shared), an.Dropout(0.1))
    params = model.parameters()
    assert params == [shared.weight, shared.bias, model[2][0].weight, model[2][0].bias]
    _engine_loss_and_grads(model, np.random.default_rng(1).standard_normal((5, 3)), np.array([0, 1, 2, 0, 1]))
    assert all(p.grad is not None for p in params)
    model.zero_grad()
    assert all(p.grad is None for p in params)
    model.eval()
    assert not model.training and not model[2].training and not model[2][0].training and not model[3].training
    model.train()
    assert model[2][0].training and model[3].training
    assert len(model) == 4 and list(model)[1] is model[1]


def test_dropout_draws_course_layers_mask_and_is_the_identity_in_evaluation():
    x = np.random.default_rng(6).standard_normal((50, 40))
    for p in (0.0, 0.2, 0.5, 1.0):
        out, mask = layers.dropout_forward(x, p, True, np.random.default_rng(7))
        drop = an.Dropout(p, rng=np.random.default_rng(7))
        t = Tensor(x, requires_grad=True)
        y = drop(t)
        np.testing.assert_array_equal(y.data, out)
        y.sum().backward()
        np.testing.assert_array_equal(t.grad, np.ones_like(x) if mask is None else mask)
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x)
    with pytest.raises(ValueError):
        an.Dropout(1.5)


def test_batchnorm_running_statistics_follow_course_nn_and_evaluation_uses_them():
    rng = np.random.default_rng(8)
    reference, engine = nn.BatchNorm1d(5), an.BatchNorm1d(5)
    for _ in range(4):
        x = rng.normal(3.0, 2.0, (16, 5))
        np.testing.assert_allclose(engine(x).data, reference(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(engine.running_mean, reference.running_mean, rtol=1e-13)
    np.testing.assert_allclose(engine.running_var, reference.running_var, rtol=1e-13)  # torch's: unbiased
    reference.eval(), engine.eval()
    x = rng.normal(3.0, 2.0, (3, 5))
    np.testing.assert_allclose(engine(x).data, reference(x), rtol=1e-13)
    before = engine.running_mean.copy()
    engine(x)
    np.testing.assert_array_equal(engine.running_mean, before)
    engine.train()
    with pytest.raises(ValueError):
        engine(x[:1])


def test_digits_model_in_training_gives_course_nns_loss_and_gradients():
    reference, engine = _twins()
    x, y = _batch()
    g_ref, g_eng = _same_dropout_generator(reference, 11), _same_dropout_generator(engine, 11)
    loss_ref, _ = mlp.loss_and_grads(reference, x, y)
    engine.train()
    loss = _engine_loss_and_grads(engine, x, y)
    assert float(loss.data) == pytest.approx(loss_ref, rel=1e-12)
    _assert_same_gradients(engine, reference, 1e-10, "training")
    assert g_ref.bit_generator.state == g_eng.bit_generator.state, "both drew the same dropout masks"
    for e, r in zip(engine, reference):
        if isinstance(r, nn.BatchNorm1d):
            np.testing.assert_allclose(e.running_mean, r.running_mean, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(e.running_var, r.running_var, rtol=1e-12)


def test_digits_model_in_evaluation_gives_course_nns_loss_and_gradients():
    reference, engine = _twins()
    x, y = _batch()
    _same_dropout_generator(reference, 14), _same_dropout_generator(engine, 14)
    for k in range(3):  # a few training batches, so that the running statistics are not the initial ones
        xb = _batch(64 * (k + 2))[0][64 * (k + 1):]
        reference.train()(xb), engine.train()(xb)
    reference.eval(), engine.eval()
    reference.zero_grad()
    scores = reference(x)
    reference.backward(losses.cross_entropy_backward(scores, y))
    loss = _engine_loss_and_grads(engine, x, y)
    assert float(loss.data) == pytest.approx(losses.cross_entropy_forward(scores, y), rel=1e-12)
    _assert_same_gradients(engine, reference, 1e-10, "evaluation")


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_a_float32_digits_model_runs_in_float32(mode):
    reference, engine = _twins(dtype=np.float32)
    x, y = _batch(dtype=np.float32)
    _same_dropout_generator(reference, 12), _same_dropout_generator(engine, 12)
    getattr(reference, mode)(), getattr(engine, mode)()
    reference.zero_grad()
    scores_ref = reference(x)
    reference.backward(losses.cross_entropy_backward(scores_ref, y))
    scores = engine(x)
    assert scores.dtype == np.float32, f"the scores are {scores.dtype}"
    loss = cross_entropy(scores, y)
    engine.zero_grad()
    loss.backward()
    assert loss.dtype == np.float32
    wrong = [f"{k}: {p.grad.dtype}" for k, p in enumerate(engine.parameters()) if p.grad.dtype != np.float32]
    assert not wrong, f"float32 parameters with other gradients: {wrong}"
    _assert_same_gradients(engine, reference, 2e-4, f"float32 {mode}")


def test_adam_steps_engine_parameters_as_course_optim_adam_steps_course_nn():
    reference, engine = _twins()
    opt_ref = optim.Adam(reference.parameters(), lr=3e-3, weight_decay=1e-4)
    opt = an.Adam(engine.parameters(), lr=3e-3, weight_decay=1e-4)
    g_ref, g_eng = _same_dropout_generator(reference, 13), _same_dropout_generator(engine, 13)
    split = data.digits_split()
    for xb, yb in optim.iterate_minibatches(split.X_train[:320], split.y_train[:320], 64, shuffle=False):
        opt_ref.zero_grad()
        mlp.loss_and_grads(reference, xb, yb)
        opt_ref.step()
        opt.zero_grad()
        assert all(p.grad is None for p in engine.parameters())
        _engine_loss_and_grads(engine, xb, yb)
        opt.step()
    for k, (p, q) in enumerate(zip(engine.parameters(), reference.parameters())):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-9, atol=1e-12, err_msg=f"parameter {k} after 5 steps")
    assert g_ref.bit_generator.state == g_eng.bit_generator.state
    with pytest.raises(TypeError):
        an.Adam(reference.parameters())
    with pytest.raises(ValueError):
        an.Adam([])


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_lesson_06_recipe_on_the_engine_reaches_97_percent_on_the_held_out_digits():
    s = data.digits_split()  # 06's graded recipe: train on train + validation, test held out
    X, y = np.r_[s.X_train, s.X_val], np.r_[s.y_train, s.y_val]
    model = an.build_mlp(SIZES, batchnorm=True, dropout=0.2, rng=np.random.default_rng(1))
    opt = an.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    with train.blas_threads(1):
        history = an.fit(model, opt, X, y, 20, 64, np.random.default_rng(1),
                         lr_schedule=lambda e: optim.cosine_annealing_lr(3e-3, e, 20))
        model.eval()
        accuracy = train.accuracy(model(s.X_test).data, s.y_test)
    assert accuracy >= 0.97, f"held-out accuracy {accuracy:.2%}"
    assert len(history) == 20 and history[-1] < history[0] / 5 and opt.lr < 1e-4
