"""The check engines of 04_initialization: statistical checks pass valid draws (any order of drawing) and name the
distribution a wrong initializer draws from; the rng checks; reference_helpers."""

import math

import numpy as np
import pytest

from course import init
from course.grading import CheckFailure
from course.grading import init as engine

SHAPE = (300, 200)  # fan_in 200 ≠ fan_out 300, so a swap shows


def xavier_by_random(shape, gain=1.0, rng=None):
    """A valid variant that draws with rng.random() instead of rng.uniform."""
    fan_in, fan_out = shape[1], shape[0]
    b = gain * math.sqrt(6 / (fan_in + fan_out))
    return b * (2 * rng.random(shape) - 1)


def xavier_fan_in_only(shape, gain=1.0, rng=None):
    b = gain * math.sqrt(6 / shape[1])
    return rng.uniform(-b, b, shape)


def test_check_random_passes_valid_draws_over_many_seeds():
    b = math.sqrt(6 / 500)
    for seed in range(20):  # 5 standard errors: a correct draw essentially never fails
        engine.check_random(xavier_by_random, SHAPE, dist="uniform", low=-b, high=b, seed=seed)
        engine.check_random(lambda s, rng=None: 0.1 * rng.standard_normal(s), SHAPE, dist="normal", std=0.1, seed=seed)


def test_check_random_names_the_mistake_whose_distribution_fits():
    b = math.sqrt(6 / 500)
    wrong = [("uses fan_in only", "uniform", dict(low=-math.sqrt(6 / 200), high=math.sqrt(6 / 200)))]
    with pytest.raises(CheckFailure, match="uses fan_in only"):
        engine.check_random(xavier_fan_in_only, SHAPE, dist="uniform", low=-b, high=b, wrong=wrong)


@pytest.mark.parametrize(
    "fn,dist,params,words",
    [
        (
            lambda s, rng=None: rng.normal(0, 0.1, s),
            "uniform",
            dict(low=-0.1 * 3**0.5, high=0.1 * 3**0.5),
            "they look normally distributed",
        ),
        (lambda s, rng=None: rng.uniform(-(0.3**0.5), 0.3**0.5, s), "normal", dict(std=0.1**0.5), "look uniform"),
        (lambda s, rng=None: rng.normal(0, 0.01, s), "normal", dict(std=0.1), "the sample std is off"),
        (lambda s, rng=None: rng.normal(0.05, 0.1, s), "normal", dict(std=0.1), "the sample mean is off"),
        (lambda s, rng=None: rng.uniform(-0.5, 0.5, s), "uniform", dict(low=-1.0, high=1.0), "do not reach the bounds"),
        (lambda s, rng=None: rng.uniform(-1, 1, s).astype(np.float32), "uniform", dict(low=-1.0, high=1.0), "float64"),
        (lambda s, rng=None: rng.uniform(-1, 1, s[::-1]), "uniform", dict(low=-1.0, high=1.0), "transposed"),
    ],
)
def test_check_random_generic_messages(fn, dist, params, words):
    with pytest.raises(CheckFailure, match=words):
        engine.check_random(fn, SHAPE, dist=dist, **params)


@pytest.mark.parametrize(
    "fn,words",
    [
        (lambda s, rng=None: np.random.default_rng().normal(size=s), "same state gave different weights"),
        (lambda s, rng=None: np.random.default_rng(0).normal(size=s), "different states gave the same weights"),
        (lambda s, rng=None: rng.normal(size=s), "rng=None"),
    ],
)
def test_check_uses_rng_names_how_the_rng_is_ignored(fn, words):
    with pytest.raises(CheckFailure, match=words):
        engine.check_uses_rng(fn, (6, 4))


def test_check_orthogonal_names_missing_sign_correction_and_gain():
    def unsigned(shape, gain=1.0, rng=None):
        return gain * np.linalg.qr(rng.standard_normal(shape))[0]

    with pytest.raises(CheckFailure, match="Correct the signs"):
        engine.check_orthogonal_signs(unsigned, (6, 4))
    with pytest.raises(CheckFailure, match="gain missing"):
        engine.check_orthogonal(lambda s, gain=1.0, rng=None: unsigned(s, 1.0, rng), (5, 5), gain=2.0)


def test_reference_helpers_swaps_in_and_restores():
    ns = {"uniform_init": "mine"}
    with engine.reference_helpers(ns):
        assert ns["uniform_init"] is init.uniform_init and ns["calculate_gain"] is init.calculate_gain
    assert ns == {"uniform_init": "mine"}
