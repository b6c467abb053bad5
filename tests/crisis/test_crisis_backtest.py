"""Rolling-origin engine: scores, baselines, the pool and the HAC standard error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
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
    # launch events, next month: 2025-10 recorded 2 (dprk_monthly.csv); 12 months: not yet
    launches = tables["crisis-forecast"].rows[0]
    assert launches[1].text.endswith("· observed 2") and "observed" not in launches[3].text
    skill = bt.bundled_skill()
    stack = skill[(skill["period"] == "validation") & (skill["forecaster"] == "stack")]
    rows = tables["crisis-skill"].rows
    first = rows[0]
    assert first[2].text == f"{stack['log'].iloc[0]:.2f}"  # the bundled table, 1 month
    assert first[5].text == f"{stack['crps'].iloc[0]:.2f}"
    # the first look at 2025-01..2026-03 (original specification) stays beside the second look
    old = bt.bundled_first_look()
    old_stack = old[(old["period"] == "test") & (old["forecaster"] == "stack")]
    first_look = [r for r in rows if "first look" in r[0].text]
    assert first_look and first_look[0][2].text == f"{old_stack['log'].iloc[0]:.2f}"
    assert any("second look" in r[0].text for r in rows)
    bullets = next(b for b in blocks if isinstance(b, Bullets))
    assert any("estimated" in item for item in bullets.items)
    assert any("judgement" in item for item in bullets.items)


def test_crps_pool_weights_hand_worked() -> None:
    # Members: A = all mass at 0, B = all mass at 2. With weight a on A the pool's cdf is
    # F(0) = F(1) = a, F(k ≥ 2) = 1. Outcome 1: CRPS = (a − 0)² + (a − 1)², minimal at a = ½.
    # Outcome 0: CRPS = 2 (a − 1)², minimal at a = 1.
    a = np.zeros(bt.K_MAX + 1)
    a[0] = 1.0
    b = np.zeros(bt.K_MAX + 1)
    b[2] = 1.0
    cdfs = np.cumsum(np.stack([a, b]), axis=1)[None, :, :]
    assert np.allclose(bt.crps_pool_weights(cdfs, np.array([1.0])), [0.5, 0.5], atol=1e-6)
    assert np.allclose(bt.crps_pool_weights(cdfs, np.array([0.0])), [1.0, 0.0], atol=1e-6)
    # the pool's CRPS at ½ is ¼ + ¼ = ½, computed by the score itself
    assert np.isclose(bt.crps(0.5 * a + 0.5 * b, 1.0), 0.5)


def test_stack_weights_lie_on_the_simplex() -> None:
    rng = np.random.default_rng(1)
    for _ in range(20):
        n, m = 12, 4
        pmfs = rng.dirichlet(np.ones(bt.K_MAX + 1) * 0.05, size=(n, m))
        ys = rng.integers(0, 5, n).astype(float)
        cdfs = np.cumsum(pmfs, axis=2)
        step = (ys[:, None] <= np.arange(bt.K_MAX + 1)).astype(float)
        dens = pmfs[np.arange(n), :, ys.astype(int)] + 1e-12
        w = bt.stack_weights(
            dens, np.einsum("ikj,ilj->ikl", cdfs, cdfs), np.einsum("ikj,ij->ik", cdfs, step)
        )
        assert np.isclose(w.sum(), 1.0) and (w >= 0).all()


def test_stack_weights_use_no_future_data() -> None:
    # The weights at every origin up to 2023-06 are the same whether or not the months after
    # 2023-06 are in the data: they are fitted on outcomes known at the origin only.
    data = load_monthly()
    targets, horizons = ("launches", "cruise"), (1, 12)
    full = bt.rolling_origin(data, None, targets, horizons, first_origin="2021-01").weights
    cut = bt.rolling_origin(
        data.window("2017-01", "2023-06"), None, targets, horizons, first_origin="2021-01"
    ).weights
    merged = cut.merge(full, on=["origin", "target", "horizon", "member"], suffixes=("_cut", ""))
    assert len(merged) == len(cut) > 0
    assert np.allclose(merged["weight_cut"], merged["weight"])
    # and they moved away from equal weights once outcomes were known
    assert full["weight"].std() > 0.01
    sums = full.groupby(["origin", "target", "horizon"])["weight"].sum()
    assert np.allclose(sums, 1.0)


def test_jeffreys_base_rate_hand_worked() -> None:
    # 0 events in 3 months, next month: 1 − (3/4)^½ = 1 − 0.8660 = 0.1340.
    assert np.isclose(bt.jeffreys_p_any(0.0, 3, 1), 1 - np.sqrt(0.75))
    # 1 test in 105 months, next 36: P(0) = (105/141)^1.5 = 0.6426, i.e. P(any) = 0.3574; the
    # same as the gamma–Poisson predictive, a negative binomial (size 1.5, p = 105/141).
    assert np.isclose(bt.jeffreys_p_any(1.0, 105, 36), 0.3574, atol=1e-4)
    assert np.isclose(bt.jeffreys_p_any(1.0, 105, 36), 1 - stats.nbinom.pmf(0, 1.5, 105 / 141))


def test_nuclear_base_rates_count_the_months_since_the_last_test() -> None:
    # 2017-01..2018-12 holds one test (2017-09): 24 months, and 15 months after it.
    rates = dict(bt.nuclear_base_rates(load_monthly().window("2017-01", "2018-12"), 12))
    labels = list(rates)
    assert "1 test(s) in 24 months" in labels[0] and "15 months since" in labels[1]
    assert np.isclose(rates[labels[1]], 1 - (15 / 27) ** 0.5)


def test_shipped_weights_regenerate_from_the_shipped_data() -> None:
    # The documented command (crisis-backtest --final-test --out ...) writes the weights of every
    # origin; those of the first 12 origins (2018-01..2018-12) are recomputed here with the same
    # settings (seed 0, 1,000 model paths) on the bundled months up to 2018-12 (later months
    # cannot enter them) and must match the shipped file to its four decimals.
    data = load_monthly().window("2017-01", "2018-12")
    ev = bt.rolling_origin(
        data, bt.structural_forecaster(), bt.USER_TARGETS, score_through="0000-00"
    )
    shipped = bt.bundled_weights()
    merged = ev.weights.merge(shipped, on=["origin", "target", "horizon", "member"])
    assert len(merged) == len(ev.weights) == 12 * len(bt.USER_TARGETS) * 3 * len(bt.STACK_MEMBERS)
    assert np.allclose(merged["weight_x"], merged["weight_y"], atol=6e-5)


def test_months_after_the_seen_test_are_scored_apart() -> None:
    # 2025-01..2026-03 was seen before the revision; windows wholly after it are the unseen
    # test, and a window straddling the two belongs to neither.
    assert bt.period_of("2025-04", "2026-03") == "test"
    assert bt.period_of("2026-04", "2026-06") == "unseen"
    assert bt.period_of("2026-02", "2026-04") is None


def test_report_shows_labelled_nuclear_base_rates() -> None:
    from peninsula.report.content import Paragraph
    from peninsula.report.sections.crisis import _nuclear_base_rates

    # korea-2025 starts at 2025-09: 1 test in 105 months → 1 − (105/141)^1.5 = 35.7% over 36
    # months; 0 tests in the 96 months after 2017-09 → 1 − (96/132)^0.5 = 14.7%.
    (block,) = _nuclear_base_rates("2025-09", 36)
    assert isinstance(block, Paragraph)
    assert "35.7%" in block.text and "14.7%" in block.text and "not forecasts" in block.text


def test_report_shows_unseen_rows_once_they_are_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    from peninsula import load_scenario
    from peninsula.report.content import Table
    from peninsula.report.sections import crisis as section

    shipped = bt.bundled_skill()
    unseen = shipped[shipped["period"] == "test"].assign(period="unseen")
    monkeypatch.setattr(section, "bundled_skill", lambda: pd.concat([shipped, unseen]))
    blocks = section.skill_blocks(load_scenario("korea-2025"))
    rows = next(b for b in blocks if isinstance(b, Table) and b.id == "crisis-skill").rows
    labels = [r[0].text for r in rows]
    assert labels.count("after 2026-03, unseen (revised specification)") == 3  # 1, 3, 12 months
