"""Hand-worked checks of the crisis model's equations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peninsula.crisis.model import (
    COUNT_TYPES,
    GOLDSTEIN,
    TYPE_INDEX,
    Hyper,
    bernoulli_loglik,
    crisis_crossed,
    decayed_history,
    negbin_loglik,
    poisson_loglik,
    randomized_pit,
    sanctions_series,
    tension_series,
)


def test_poisson_loglik_three_month_toy() -> None:
    # y = 0, 1, 2 with means 1, 1, 2:
    #   month 1: 0·log1 − 1 − log0! = −1
    #   month 2: 1·log1 − 1 − log1! = −1
    #   month 3: 2·log2 − 2 − log2! = log2 − 2
    expected = -1 - 1 + math.log(2) - 2
    got = poisson_loglik(np.array([0.0, 1.0, 2.0]), np.log(np.array([1.0, 1.0, 2.0])))
    assert got == pytest.approx(expected, abs=1e-12)


def test_negbin_loglik_hand_case_and_poisson_limit() -> None:
    # NB2 with μ = 1, α = 1 is geometric with p = 1/(1 + αμ) = 1/2:
    #   P(0) = (1/2)^(1/α) = 1/2;  P(2) = Γ(3)/(Γ(1)·2!) · (1/2) · (1/2)^2 = 1/8
    got = negbin_loglik(np.array([0.0, 2.0]), np.zeros(2), 1.0)
    assert got == pytest.approx(math.log(0.5) + math.log(0.125), abs=1e-12)
    y, log_mu = np.array([0.0, 3.0, 1.0]), np.log(np.array([0.5, 2.0, 1.5]))
    assert negbin_loglik(y, log_mu, 1e-7) == pytest.approx(poisson_loglik(y, log_mu), abs=1e-5)


def test_bernoulli_loglik_toy() -> None:
    # p = 0.5 twice (logit 0): log 0.5 + log 0.5
    assert bernoulli_loglik(np.array([1.0, 0.0]), np.zeros(2)) == pytest.approx(2 * math.log(0.5))


def test_goldstein_weights_are_the_cameo_codebook_values() -> None:
    # Goldstein (1992) via CAMEO: 150 demonstrate military power −7.2, 163 sanctions −8.0,
    # 138 threaten force −7.0, 030 intent to cooperate +4.0.
    assert GOLDSTEIN[TYPE_INDEX["ballistic"]] == -7.2
    assert GOLDSTEIN[TYPE_INDEX["new_un_sanctions"]] == -8.0
    assert GOLDSTEIN[TYPE_INDEX["threats"]] == -7.0
    assert GOLDSTEIN[TYPE_INDEX["conciliatory"]] == 4.0


def test_tension_three_month_toy() -> None:
    # month 0: one ICBM → S = −7.2; month 1: nothing; month 2: talks only → S = +7.0.
    counts = np.zeros((3, len(COUNT_TYPES)))
    counts[0, TYPE_INDEX["ballistic"]] = 1
    talks = np.array([0.0, 0.0, 1.0])
    hyper = Hyper(delta=0.5, rho=0.5, kappa=7.2)
    t0 = 0.5 * 0 + 0.5 * math.tanh(7.2 / 7.2)  # 0.3808
    t1 = 0.5 * t0 + 0.5 * math.tanh(0.0)  # 0.1904
    t2 = 0.5 * t1 + 0.5 * math.tanh(-7.0 / 7.2)
    np.testing.assert_allclose(tension_series(counts, talks, hyper), [t0, t1, t2], atol=1e-12)


def test_decayed_history_toy() -> None:
    # N = 1, 0, 2 and δ = 0.5: H(0) = 0, H(1) = 0.5·1, H(2) = 0.5·(0.5 + 0) = 0.25
    counts = np.array([[1.0], [0.0], [2.0]])
    np.testing.assert_allclose(decayed_history(counts, 0.5)[:, 0], [0.0, 0.5, 0.25])


def test_sanctions_in_force_counts_resolutions_before_the_month() -> None:
    counts = np.zeros((3, len(COUNT_TYPES)))
    counts[1, TYPE_INDEX["new_un_sanctions"]] = 1
    np.testing.assert_allclose(sanctions_series(counts), [0.6, 0.6, 0.7])


def test_randomized_pit_toy() -> None:
    # y = 0 under Poisson(1): F(−1) = 0, F(0) = e^-1, so PIT = u·e^-1
    got = randomized_pit(np.array([0.0]), np.array([1.0]), np.array([0.5]))
    assert got[0] == pytest.approx(0.5 * math.exp(-1))


def test_crisis_needs_two_consecutive_months() -> None:
    paths = np.array([[0.5, 0.1, 0.5, 0.5], [0.5, 0.1, 0.5, 0.1], [0.4, 0.4, 0.0, 0.0]])
    assert crisis_crossed(paths, 0.4).tolist() == [True, False, True]


def test_hyper_rejects_bad_values() -> None:
    with pytest.raises(ValueError):
        Hyper(delta=1.0, rho=0.5, kappa=1.0)


def test_every_type_starts_with_an_intercept() -> None:
    # simulate._eta relies on the intercept being the first feature of every type
    from peninsula.crisis.model import FEATURES

    assert all(features[0] == "const" for features in FEATURES.values())
