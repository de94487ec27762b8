"""course.init (04) against torch's table of gains, closed-form bounds and standard deviations, and orthogonality."""

import math

import numpy as np
import pytest

from course import init
from course.grading import init as statistics


SHAPE = (300, 200)  # fan_in 200 ≠ fan_out 300, so a swap shows


@pytest.mark.parametrize("name,param,gain", [
    ("linear", None, 1.0), ("conv1d", None, 1.0), ("conv2d", None, 1.0), ("conv3d", None, 1.0),
    ("conv_transpose1d", None, 1.0), ("conv_transpose2d", None, 1.0), ("conv_transpose3d", None, 1.0),
    ("sigmoid", None, 1.0), ("tanh", None, 1.6666666666666667), ("relu", None, 1.4142135623730951),
    ("selu", None, 0.75), ("leaky_relu", None, 1.4141428569978354),   # √(2/1.0001)
    ("leaky_relu", 0.2, 1.3867504905630728),                           # √(2/1.04)
    ("leaky_relu", math.sqrt(5), 0.5773502691896258),                  # √(1/3): torch.nn.Linear's a
    ("leaky_relu", 0, 1.4142135623730951), ("leaky_relu", 1.0, 1.0),
])
def test_calculate_gain_matches_torch_table(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


@pytest.mark.parametrize("name,param", [("softmax", None), ("Relu", None), ("leaky_relu", "0.1"),
                                        ("leaky_relu", True)])
def test_calculate_gain_rejects_unknown_names_and_bad_slopes(name, param):
    with pytest.raises(ValueError):
        init.calculate_gain(name, param)


def test_leaky_gain_is_not_the_precedence_bug():
    a = 0.5
    assert init.calculate_gain("leaky_relu", a) ** 2 == pytest.approx(2 / 1.25)
    assert init.calculate_gain("leaky_relu", a) ** 2 != pytest.approx(2 / 1 + a**2)


@pytest.mark.parametrize("shape,fans", [((3, 5), (5, 3)), ((300, 200), (200, 300)), ((16, 8, 3, 3), (72, 144)),
                                        ((4, 2, 5), (10, 20)), ([7, 1], (1, 7))])
def test_fans(shape, fans):
    assert init.calculate_fan_in_and_fan_out(shape) == fans


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError):
        init.calculate_fan_in_and_fan_out((5,))


def test_zeros_and_constant_are_float64():
    assert init.zeros_init((2, 3)).dtype == np.float64 and not init.zeros_init((2, 3)).any()
    c = init.constant_init((2, 3), 2)
    assert c.dtype == np.float64 and np.all(c == 2.0)


@pytest.mark.parametrize("fn,kwargs,bound", [
    (init.xavier_uniform, {}, math.sqrt(6 / 500)),
    (init.xavier_uniform, {"gain": 5 / 3}, 5 / 3 * math.sqrt(6 / 500)),
    (init.kaiming_uniform, {}, math.sqrt(3) * math.sqrt(2) / math.sqrt(200)),
    (init.kaiming_uniform, {"mode": "fan_out"}, math.sqrt(6 / 300)),
    (init.kaiming_uniform, {"a": math.sqrt(5)}, 1 / math.sqrt(200)),           # torch.nn.Linear's default init
    (init.kaiming_uniform, {"nonlinearity": "tanh"}, 5 / 3 * math.sqrt(3 / 200)),
])
def test_uniform_initializers_have_the_closed_form_bound(fn, kwargs, bound):
    w = statistics.check_random(fn, SHAPE, kwargs=kwargs, dist="uniform", low=-bound, high=bound)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize("fn,kwargs,std", [
    (init.xavier_normal, {}, math.sqrt(2 / 500)),
    (init.kaiming_normal, {}, 0.1),
    (init.kaiming_normal, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 300)),
    (init.kaiming_normal, {"nonlinearity": "linear"}, 1 / math.sqrt(200)),
    (init.normal_init, {"mean": 2.0, "std": 0.5}, 0.5),
])
def test_normal_initializers_have_the_closed_form_std(fn, kwargs, std):
    w = statistics.check_random(fn, SHAPE, kwargs=kwargs, dist="normal", mean=kwargs.get("mean", 0.0), std=std)
    assert w.std() == pytest.approx(std, rel=0.02)


def test_kaiming_rejects_an_unknown_mode():
    for fn in (init.kaiming_uniform, init.kaiming_normal):
        with pytest.raises(ValueError):
            fn((3, 4), mode="fan_avg")


@pytest.mark.parametrize("fn", [init.uniform_init, init.normal_init, init.xavier_uniform, init.xavier_normal,
                                init.kaiming_uniform,
                                init.kaiming_normal, init.orthogonal])
def test_reference_initializers_draw_from_the_given_rng(fn):
    statistics.check_uses_rng(fn, (6, 4))


@pytest.mark.parametrize("shape,gain", [((6, 4), 1.0), ((4, 6), 1.0), ((64, 64), math.sqrt(2)), ((1, 10), 1.0),
                                        ((10, 1), 0.5), ((4, 2, 3, 3), 1.0)])
def test_orthogonal_is_orthogonal_times_gain(shape, gain):
    w = init.orthogonal(shape, gain, np.random.default_rng(0))
    m = w.reshape(shape[0], -1)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(m.shape)), atol=1e-12)


def test_orthogonal_signs_make_the_first_entry_symmetric():
    statistics.check_orthogonal_signs(init.orthogonal, (6, 4))
    with pytest.raises(ValueError):
        init.orthogonal((5,))
