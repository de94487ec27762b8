"""course.mlp: the one multilayer perceptron of lessons 04-06, built from course.nn."""

import numpy as np
import pytest

from course import losses, mlp, nn
from course.gradcheck import numerical_gradient


@pytest.mark.parametrize("activation,module", [("relu", nn.ReLU), ("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh)])
def test_build_mlp_stacks_linear_batchnorm_activation_dropout(activation, module):
    model = mlp.build_mlp((5, 4, 3, 2), activation, batchnorm=True, dropout=0.2, rng=np.random.default_rng(0))
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.BatchNorm1d, module, nn.Dropout] * 2 + [nn.Linear]
    assert [(layer.in_features, layer.out_features) for layer in mlp.linear_layers(model)] == [(5, 4), (4, 3), (3, 2)]
    assert [type(m) for m in mlp.build_mlp((5, 2), rng=np.random.default_rng(0))] == [nn.Linear]


def test_loss_and_grads_is_the_mean_cross_entropy_and_its_gradient():
    rng = np.random.default_rng(1)
    model = mlp.build_mlp((3, 4, 2), "tanh", rng=rng)
    x, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    loss, hidden = mlp.loss_and_grads(model, x, y)
    assert loss == pytest.approx(losses.cross_entropy_forward(model(x), y))
    assert len(hidden) == 1 and hidden[0].shape == (6, 4) and np.all(np.abs(hidden[0]) < 1)
    first = model[0].weight

    def loss_at(w):
        saved = first.data.copy()
        first.data[...] = w
        value = losses.cross_entropy_forward(model(x), y)
        first.data[...] = saved
        return value

    mlp.loss_and_grads(model, x, y)
    np.testing.assert_allclose(first.grad, numerical_gradient(loss_at, first.data), rtol=1e-6, atol=1e-9)
    before = first.grad.copy()
    mlp.loss_and_grads(model, x, y)  # zeroed first: the same gradient, not twice it
    np.testing.assert_allclose(first.grad, before)
