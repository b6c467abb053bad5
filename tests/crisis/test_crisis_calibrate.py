"""Calibration: maximum likelihood recovers known parameters; likelihoods agree."""

from __future__ import annotations

import numpy as np
import pytest

from peninsula.crisis.api import default_fit
from peninsula.crisis.calibrate import _fit_glm
from peninsula.crisis.data import load_monthly
from peninsula.crisis.model import total_loglik


def test_mle_recovers_parameters_of_a_simulated_poisson_autoregression() -> None:
    # Simulate the model's own count equation: log λ(t) = b0 + b1·T(t) + b2·log(1 + H(t)),
    # H(t+1) = δ (H(t) + N(t)), with a known exogenous covariate T; then fit it.
    rng = np.random.default_rng(42)
    n, delta = 4000, 0.6
    b_true = np.array([-0.7, 0.8, 0.5])
    cov = rng.uniform(-1, 1, n)
    h, y, x = 0.0, np.zeros(n), np.zeros((n, 3))
    for t in range(n):
        x[t] = (1.0, cov[t], np.log1p(h))
        y[t] = rng.poisson(np.exp(x[t] @ b_true))
        h = delta * (h + y[t])
    fit = _fit_glm(y, x, ("const", "tension", "self"), "poisson", "toy")
    se = np.sqrt(np.diag(fit.cov))
    assert fit.note is None
    assert np.all(np.abs(fit.beta - b_true) < 4 * se), (fit.beta, se)
    assert np.all(se < 0.15)


def test_zero_event_window_gets_half_an_event() -> None:
    fit = _fit_glm(np.zeros(50), np.ones((50, 1)), ("const",), "poisson", "toy")
    assert np.exp(fit.beta[0]) * 50 == pytest.approx(0.5)
    assert fit.note is not None


def test_bundled_fit_likelihood_matches_model_likelihood() -> None:
    result = default_fit()
    data = load_monthly()
    parts = total_loglik(
        result.params, data.counts, data.talks, data.russia, data.china, data.observed
    )
    assert sum(parts.values()) == pytest.approx(result.loglik, abs=1e-6)
    # every reported SE is finite and positive where the feature was kept
    kept = result.coefficients[result.coefficients["se"] > 0]
    assert np.all(np.isfinite(kept["se"]))
    # Poisson types: fitted totals equal observed totals (the intercept's score equation
    # Σ(y − μ) = 0); NB2's is Σ(y − μ)/(1 + αμ) = 0 instead, so it is excluded.
    poisson = ~result.goodness["type"].isin(list(result.params.dispersion))
    gof = result.goodness[poisson]
    np.testing.assert_allclose(gof["fitted"], gof["observed"], rtol=1e-4)
    assert result.params.dispersion["ballistic"] > 0
    assert -1 < result.params.threshold < 1


def test_negbin_mle_recovers_dispersion() -> None:
    # NB2 counts as a gamma–Poisson mixture with mean exp(0.5 + 0.7 x) and α = 0.6.
    rng = np.random.default_rng(7)
    n = 3000
    x = np.column_stack([np.ones(n), rng.uniform(-1, 1, n)])
    mu = np.exp(x @ np.array([0.5, 0.7]))
    y = rng.poisson(mu * rng.gamma(1 / 0.6, 0.6, n)).astype(float)
    fit = _fit_glm(y, x, ("const", "tension"), "negbin", "toy")
    se = np.sqrt(np.diag(fit.cov))
    assert np.all(np.abs(fit.beta - [0.5, 0.7]) < 4 * se)
    assert abs(fit.alpha - 0.6) < 4 * fit.alpha_se


def test_full_model_mle_recovers_parameters_from_its_own_simulation() -> None:
    # Simulate one long path (2,400 months) from the fitted model with fixed parameters,
    # refit every component at the true (δ, ρ, κ), and check the free coefficients lie within
    # 4 standard errors of the truth. Tension is not clipped here, so that the simulated and
    # the fitted model are the same model.
    from dataclasses import replace

    from peninsula.crisis.calibrate import fit_at
    from peninsula.crisis.data import MonthlyData
    from peninsula.crisis.simulate import initial_state, simulate_block, status_quo_spec

    true = replace(default_fit().params, tension_range=(-1.0, 1.0))
    data = load_monthly()
    init = initial_state(true, data.months, data.counts, data.talks, data.russia, data.china)
    n = 2400
    block = simulate_block(
        true, init, status_quo_spec(), n, 1, np.random.default_rng(2024), False, record=True
    )
    assert block.counts is not None and block.capped == 0
    sim = MonthlyData(
        months=tuple(f"{2000 + i // 12:04d}-{i % 12 + 1:02d}" for i in range(n)),
        counts=block.counts[0].astype(np.float64),
        talks=block.talks[0].astype(np.float64),
        russia=np.full(n, init.russia),
        china=np.full(n, init.china),
    )
    refit, fits = fit_at(sim, true.hyper, threshold=0.0)
    truths = {**true.beta, "talks_start": true.talks_start, "talks_end": true.talks_end}
    covs = {**true.cov, "talks_start": true.talks_start_cov, "talks_end": true.talks_end_cov}
    checked = 0
    for name, f in fits.items():
        truth = truths[name].copy()
        names = list(f.names)
        if "russia" in names:  # russia is constant along the path: it folds into the intercept
            truth[0] += truth[names.index("russia")] * init.russia
        se = np.sqrt(np.clip(np.diag(f.cov), 0.0, None))
        for j, feature in enumerate(names):
            free_in_truth = covs[name][j, j] > 0  # not dropped, not held at a bound
            if feature != "russia" and se[j] > 0 and free_in_truth:
                assert abs(f.beta[j] - truth[j]) < 4 * se[j], (name, feature, f.beta[j], truth[j])
                checked += 1
    assert checked >= 20  # free coefficients of 9 count types + the talks chain
    assert abs(refit.dispersion["ballistic"] - true.dispersion["ballistic"]) < 4 * (
        fits["ballistic"].alpha_se
    )


def test_regime_effects_recover_a_known_rate_ratio() -> None:
    # 600 simulated months: launches ~ Poisson(2) outside talks, Poisson(0.5) during talks
    # (every third month): the estimated ratio must lie within 3 SE of 0.25; the treaty regime
    # (months from 2024-07) never occurs in these months, so it is reported as not estimable.
    from peninsula.crisis.calibrate import regime_effects
    from peninsula.crisis.data import MonthlyData
    from peninsula.crisis.model import COUNT_TYPES, TYPE_INDEX

    n = 600
    rng = np.random.default_rng(3)
    talks = (np.arange(n) % 3 == 0).astype(float)
    counts = np.zeros((n, len(COUNT_TYPES)))
    counts[:, TYPE_INDEX["ballistic"]] = rng.poisson(np.where(talks > 0, 0.5, 2.0))
    counts[:, TYPE_INDEX["cruise"]] = rng.poisson(1.0, n)
    months = tuple(f"{1900 + i // 12:04d}-{i % 12 + 1:02d}" for i in range(n))
    data = MonthlyData(months, counts, talks, np.zeros(n), np.zeros(n))
    out = regime_effects(data).set_index(["outcome", "regime"])
    row = out.loc[("ballistic", "talks")]
    assert abs(row["rate_ratio"] - 0.25) < 3 * row["se"]
    assert out.loc[("launches", "russia_treaty"), "note"].startswith("not estimable")
