"""Forecasts of a scenario dated before the last data month: which months are simulated, and
how the forecast fared on those the data have since observed.

Expected counts are read off ``crisis/data/dprk_monthly.csv`` by hand (columns ``launches``,
``ballistic``, ``cruise``): 2025-10 2 (1 B, 1 C), 2025-11 1 (B), 2025-12 1 (C), 2026-01 2 (B, B),
2026-02 0, 2026-03 3 (1 B, 2 C).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from peninsula.crisis.api import observed_since, simulate_policies, status_quo_forecast
from peninsula.crisis.data import load_monthly
from peninsula.crisis.simulate import months_after_text


def test_period_names_the_months_simulated_not_the_last_observed_one() -> None:
    # 24 months after 2025-09: 2025-10 (month 1) .. 2027-09 (month 24).
    assert months_after_text("2025-09", 24) == "the 24 months after 2025-09 (2025-10 to 2027-09)"
    # one month, across a year end
    assert months_after_text("2024-12", 1) == "the 1 month after 2024-12 (2025-01 to 2025-01)"


def test_period_without_a_month_start_says_only_the_length() -> None:
    assert months_after_text("", 12) == "12 months"
    assert months_after_text("origin", 3) == "3 months after origin"


def test_ensemble_forecast_shows_what_was_observed_in_windows_the_data_cover() -> None:
    f = status_quo_forecast("2025-09").set_index(["target", "horizon"])
    assert f.loc[("launches", 1), "from"] == "2025-10"
    assert f.loc[("launches", 1), "observed"] == 2  # 2025-10
    assert f.loc[("launches", 3), "observed"] == 4  # 2025-10..12: 2 + 1 + 1
    assert f.loc[("ballistic", 3), "observed"] == 2  # 1 + 1 + 0
    assert f.loc[("cruise", 3), "observed"] == 2  # 1 + 0 + 1
    # 2025-10..2026-09 runs past the data (2026-03): not observed, so not shown
    assert math.isnan(f.loc[("launches", 12), "observed"])
    assert math.isnan(f.loc[("launches", 12), "observed_cdf"])
    # the forecast's own P(X <= observed): a probability, larger for a larger count
    cdf = f["observed_cdf"].dropna()
    assert ((cdf > 0) & (cdf <= 1)).all()


def test_forecast_from_the_last_data_month_has_nothing_observed() -> None:
    f = status_quo_forecast(None)
    assert f["observed"].isna().all()


def test_observed_since_compares_the_status_quo_paths_with_the_recorded_months() -> None:
    result = simulate_policies("korea-2025", policies=["status-quo"], horizon=24, paths=300, seed=1)
    since = observed_since(result)
    assert since is not None
    assert (since.first, since.last, since.months) == ("2025-10", "2026-03", 6)
    # ballistic + cruise dates over 2025-10..2026-03: 2 + 1 + 1 + 2 + 0 + 3 = 9
    assert since.observed == 9
    expected = result.missiles["status-quo"][:, :6].sum(axis=1)
    np.testing.assert_array_equal(since.simulated, expected)
    assert since.share_at_or_below == pytest.approx(float(np.mean(expected <= 9)))
    text = since.sentence(24)
    assert "2025-10 to 2026-03 (6 of the 24 simulated months)" in text
    assert "9 ballistic or cruise launch events" in text


def test_observed_since_is_none_without_observed_months_or_status_quo() -> None:
    data = load_monthly()
    short = data.window(data.months[0], "2025-09")  # the data end where the simulation starts
    result = simulate_policies("korea-2025", policies=["status-quo"], horizon=3, paths=50, seed=1)
    assert observed_since(result, short) is None
    no_sq = simulate_policies(
        "korea-2025", policies=["freeze-for-relief"], horizon=3, paths=50, seed=1
    )
    assert observed_since(no_sq) is None
