"""Rolling-origin engine: scores, baselines, the pool and the HAC standard error."""

from __future__ import annotations

import numpy as np
from scipy import stats

from peninsula.crisis import backtest as bt
from peninsula.crisis.data import load_monthly


def test_crps_of_a_point_mass_is_the_absolute_error() -> None:
    # For a pmf that is all mass at 2, Σ_k (F(k) − 1{y ≤ k})² = number of k in [2, y) = |y − 2|.
    pmf = np.zeros(bt.K_MAX + 1)
    pmf[2] = 1.0
    assert bt.crps(pmf, 5.0) == 3.0
    assert bt.crps(pmf, 0.0) == 2.0


def test_log_score_matches_scipy() -> None:
    pmf = bt.poisson_pmf(2.5)
    assert np.isclose(bt.log_score(pmf, 3), stats.poisson.logpmf(3, 2.5))


def test_negbin_sum_of_months_has_the_right_mean_and_variance() -> None:
    # monthly NB2 mean 1, α 0.5 → 3-month sum: mean 3, variance 3 (1 + 0.5) = 4.5.
    pmf = bt.negbin_pmf(3.0, 0.5 / 3)
    k = np.arange(bt.K_MAX + 1)
    mean = pmf @ k
    assert np.isclose(mean, 3.0) and np.isclose(pmf @ (k - mean) ** 2, 4.5, rtol=1e-3)


def test_bootstrap_is_the_exact_convolution() -> None:
    # last months 0, 0, 1, 1 → one month ~ Bernoulli(½); two months ~ Binomial(2, ½).
    pmf = bt.bootstrap_pmf(np.array([0.0, 0.0, 1.0, 1.0]), 2)
    assert np.allclose(pmf[:3], [0.25, 0.5, 0.25]) and pmf[3:].sum() == 0


def test_pool_weights_find_the_better_member() -> None:
    rng = np.random.default_rng(0)
    good = rng.uniform(0.3, 0.5, 200)
    bad = rng.uniform(0.0, 0.05, 200)
    w = bt.pool_weights(np.column_stack([bad, good]))
    assert w[1] > 0.9 and np.isclose(w.sum(), 1.0)


def test_hac_se_reduces_to_the_iid_se_at_lag_zero() -> None:
    d = np.array([1.0, -1.0, 2.0, 0.0])
    assert np.isclose(bt.hac_se(d, 0), np.std(d) / np.sqrt(4))


def test_baselines_use_only_the_past() -> None:
    # persistence at h=3 is a Poisson at the sum of the last three months.
    past = np.array([5.0, 0.0, 1.0, 2.0, 0.0])
    pmfs = bt.baseline_pmfs(past, 3)
    assert np.allclose(pmfs["persistence"], bt.poisson_pmf(3.0))
    assert np.allclose(pmfs["poisson_mean"], bt.poisson_pmf(3 * past.mean()))


def test_rolling_origin_locks_the_final_test_and_scores_paired_rows() -> None:
    data = load_monthly().window("2017-01", "2025-06")
    ev = bt.rolling_origin(data, None, targets=("launches",), horizons=(1,), first_origin="2021-06")
    assert set(ev.scores["period"]) <= {"selection", "validation"}
    counts = ev.scores.groupby("forecaster").size()
    assert counts.nunique() == 1  # every forecaster scored on the same origins
    table = bt.skill_table(ev, "validation")
    assert np.isclose(table.loc[table["forecaster"] == "stack", "d_log"].iloc[0], 0.0)
    opened = bt.rolling_origin(
        data,
        None,
        targets=("launches",),
        horizons=(1,),
        first_origin="2024-06",
        score_through="2025-06",
    )
    assert "test" in set(opened.scores["period"])


def test_report_blocks_show_the_ensemble_its_skill_and_labelled_effects() -> None:
    from peninsula import load_scenario
    from peninsula.report.content import Bullets, Table
    from peninsula.report.sections.crisis import skill_blocks

    blocks = skill_blocks(load_scenario("korea-2025"))
    tables = {b.id: b for b in blocks if isinstance(b, Table)}
    assert tables["crisis-forecast"].caption.startswith("Status-quo forecast from 2025-10")
    skill = bt.bundled_skill()
    stack = skill[(skill["period"] == "validation") & (skill["forecaster"] == "stack")]
    first = tables["crisis-skill"].rows[0]
    assert first[2].text == f"{stack['log'].iloc[0]:.2f}"  # the bundled table, 1 month
    bullets = next(b for b in blocks if isinstance(b, Bullets))
    assert any("estimated" in item for item in bullets.items)
    assert any("judgement" in item for item in bullets.items)
