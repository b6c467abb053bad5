"""The backtest machinery on a small grid (the measured numbers live in the docs)."""

from __future__ import annotations

import numpy as np

from peninsula.crisis.backtest import run_backtest
from peninsula.crisis.data import load_monthly


def test_backtest_scores_are_finite_and_cover_the_test_years() -> None:
    grid = {"delta": (0.5,), "rho": (0.85,), "kappa": (40.0,)}
    result = run_backtest(load_monthly(), paths=400, seed=1, grid=grid)
    assert result.train == ("2017-01", "2021-12") and result.test == ("2022-01", "2024-12")
    assert list(result.annual.index) == [2022, 2023, 2024]
    assert np.all(np.isfinite(result.scores.to_numpy()))
    # observed annual launch events are the dataset's (2022 record year)
    assert result.annual.loc[2022, "observed"] > result.annual.loc[2024, "observed"]
    assert result.talks.loc[0, "observed_months"] == 0
    assert 0 <= result.tension.loc[0, "coverage_90"] <= 1
