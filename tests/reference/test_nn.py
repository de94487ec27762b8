"""course.nn against the pure functions it wraps: torch's initialisation bounds, accumulating gradients, modes,
batch norm's running statistics, dropout, and one dtype end to end."""

import math

import numpy as np
import pytest

from course import activations, losses, mlp, nn, optim


def _mlp(rng, dropout=0.3, batchnorm=True, dtype=np.float64):
    return mlp.build_mlp((64, 12, 9, 10), batchnorm=batchnorm, dropout=dropout, rng=rng, dtype=dtype)


def test_linear_is_x_WT_plus_b_with_torchs_initialisation_bounds():
    layer = nn.Linear(400, 300, rng=np.random.default_rng(0))
    bound = 1 / math.sqrt(400)
    assert layer.weight.data.shape == (300, 400) and layer.bias.data.shape == (300,)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.99 * bound
    assert abs(layer.weight.data.std() - bound / math.sqrt(3)) < 0.01 * bound  # U(±b) has std b/√3
    assert np.abs(layer.bias.data).max() <= bound
    x = np.random.default_rng(1).standard_normal((5, 400))
    np.testing.assert_allclose(layer(x), x @ layer.weight.data.T + layer.bias.data)


def test_backward_accumulates_into_grad_until_zero_grad():
    rng = np.random.default_rng(2)
    layer = nn.Linear(3, 2, rng=rng)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx, dout @ layer.weight.data)
    np.testing.assert_allclose(layer.weight.grad, dout.T @ x)
    np.testing.assert_allclose(layer.bias.grad, dout.sum(0))
    layer.backward(dout)
    np.testing.assert_allclose(layer.weight.grad, 2 * dout.T @ x)  # torch accumulates
    layer.zero_grad()
    assert not layer.weight.grad.any() and not layer.bias.grad.any()


def test_sequential_collects_parameters_and_switches_modes():
    model = _mlp(np.random.default_rng(3))
    names = [type(m).__name__ for m in model]
    assert names == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    params = model.parameters()
    assert len(params) == 10 and len({id(p) for p in params}) == 10
    assert sum(p.data.size for p in params) == 64 * 12 + 12 + 24 + 12 * 9 + 9 + 18 + 9 * 10 + 10
    model.eval()
    assert not any(m.training for m in model)
    model.train()
    assert all(m.training for m in model)
    assert "BatchNorm1d(12" in repr(model) and len(model[:2]) == 2


def test_batchnorm_module_updates_running_statistics_only_in_training():
    bn = nn.BatchNorm1d(3)
    x = np.random.default_rng(4).normal(5.0, 2.0, (20, 3))
    bn(x)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(0, ddof=1))
    bn.eval()
    before = bn.running_mean.copy()
    out = bn(x)
    np.testing.assert_array_equal(bn.running_mean, before)
    np.testing.assert_allclose(out, (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5))


def test_dropout_module_is_identity_in_eval_and_random_in_training():
    drop = nn.Dropout(0.5, rng=np.random.default_rng(0))
    x = np.ones((100, 100))
    out = drop(x)
    assert set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(drop.backward(x), out)
    drop.eval()
    np.testing.assert_array_equal(drop(x), x)
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


def test_a_float32_model_stays_float32_through_a_training_step():
    rng = np.random.default_rng(8)
    model = _mlp(rng, dtype=np.float32)
    opt = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x, y = rng.standard_normal((16, 64)).astype(np.float32), rng.integers(0, 10, 16)
    scores = model(x)
    assert scores.dtype == np.float32
    opt.zero_grad()
    dx = model.backward(losses.cross_entropy_backward(scores, y))  # a float64 gradient arrives from the loss
    opt.step()
    assert dx.dtype == np.float32
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())


@pytest.mark.parametrize(
    "module,forward,backward",
    [
        (nn.Sigmoid, activations.sigmoid_forward, activations.sigmoid_backward),
        (nn.Tanh, activations.tanh_forward, activations.tanh_backward),
        (nn.ReLU, activations.relu_forward, activations.relu_backward),
    ],
)
def test_activation_modules_are_the_pure_functions(module, forward, backward):
    z, dout = np.random.default_rng(0).normal(size=(2, 4, 3))
    m = module()
    np.testing.assert_array_equal(m(z), forward(z)[0])
    np.testing.assert_array_equal(m.backward(dout), backward(dout, forward(z)[1]))


def test_linear_takes_any_initialisation_scheme_and_then_starts_the_bias_at_zero():
    layer = nn.Linear(4, 3, rng=np.random.default_rng(0), weight_init=lambda shape, rng: np.full(shape, 0.5))
    assert np.all(layer.weight.data == 0.5) and np.all(layer.bias.data == 0) and layer.weight.data.shape == (3, 4)
