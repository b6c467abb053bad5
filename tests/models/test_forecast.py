"""``models.forecast``: the round-by-round compromise path, the backtest and the one seeding
rule shared by ``peninsula forecast``, the report and the Python API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from peninsula import load_scenario
from peninsula.errors import NotFoundError
from peninsula.models.base import Forecast
from peninsula.models.forecast import NO_CHANGE, forecast_scenario, mean_trajectory
from peninsula.problem import BargainingProblem
from peninsula.report.sections.forecasts import build_forecasts
from peninsula.report.settings import ReportSettings

from .conftest import build_problem

Make = Callable[..., BargainingProblem]


def _forecast(trajectory: np.ndarray, problem: BargainingProblem) -> Forecast:
    """A forecast whose (R + 1, n, k) trajectory is given (one row)."""
    t = np.asarray(trajectory, dtype=float)[None]
    return Forecast(
        "probe",
        problem.actor_ids,
        problem.issue_ids,
        t[:, -1].mean(axis=1),
        t,
        np.array([t.shape[1] - 1]),
        np.array([True]),
    )


def test_mean_trajectory_hand_worked(make_problem: Make) -> None:
    # Two actors, one issue, two rounds.
    # weights: A = capability 2 × salience 1 = 2; B = 1 × 0.5 = 0.5
    # round 0: (2·0 + 0.5·100) / 2.5 = 20;  round 1: (2·10 + 0.5·60) / 2.5 = 50 / 2.5 = 20
    problem = make_problem([0, 100], capability=[2, 1], salience=[1, 0.5])
    trajectory = np.array([[[0.0], [100.0]], [[10.0], [60.0]]])
    path = mean_trajectory(problem, _forecast(trajectory, problem))
    assert path[0] == pytest.approx(np.array([[20.0], [20.0]]))


def test_an_issue_nobody_cares_about_stays_at_the_status_quo(make_problem: Make) -> None:
    # Issue i1 has salience 0 for both actors: no compromise, so the status quo (30) stays,
    # the same rule as the compromise model.
    problem = make_problem([[0, 50], [0, 70]], capability=[1, 1], status_quo=30.0)
    problem = replace(problem, salience=np.array([[[1.0, 0.0], [1.0, 0.0]]]))
    trajectory = np.zeros((3, 2, 2))
    path = mean_trajectory(problem, _forecast(trajectory, problem))[0]
    assert np.all(path[:, 0] == 0.0) and np.all(path[:, 1] == 30.0)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (4, 3, 2), elements=st.floats(0, 100)),
    arrays(np.float64, (3,), elements=st.floats(0.01, 10)),
)
def test_the_compromise_lies_between_the_actors(trajectory: np.ndarray, cap: np.ndarray) -> None:
    # A weighted mean with positive weights never leaves the range of the positions.
    problem = build_problem(trajectory[0], capability=cap)
    path = mean_trajectory(problem, _forecast(trajectory, problem))[0]
    assert np.all(path >= trajectory.min(axis=1) - 1e-9)
    assert np.all(path <= trajectory.max(axis=1) + 1e-9)


def test_backtest_against_no_change_hand_worked() -> None:
    # korea-2018: status quo 75, 5, 60, 78, 12 vs observed 70, 15, 45, 55, 25
    # -> |errors| 5, 10, 15, 23, 13 -> mean 66 / 5 = 13.2, max 23.
    result = forecast_scenario(load_scenario("korea-2018"), ["compromise"])
    backtest = result.backtest()
    assert backtest is not None
    assert backtest.mean_absolute_error[NO_CHANGE] == pytest.approx(13.2)
    assert backtest.max_absolute_error[NO_CHANGE] == pytest.approx(23.0)
    assert forecast_scenario(load_scenario("korea-2025"), ["median"]).backtest() is None


def test_a_model_does_not_depend_on_the_others_run_with_it() -> None:
    korea = load_scenario("korea-2025")
    alone = forecast_scenario(korea, ["smp"], seed=5)["smp"].outcome
    together = forecast_scenario(korea, ["median", "eum", "smp"], seed=5)["smp"].outcome
    assert alone.tolist() == together.tolist()


def test_the_report_and_the_forecast_function_agree() -> None:
    korea = load_scenario("korea-2025")
    section = build_forecasts(korea, ReportSettings(runs=1, models=("median", "eum")), seed=7)
    result = forecast_scenario(korea, ["median", "eum"], seed=7)
    for name in ("median", "eum"):
        got = section.numbers["models"][name]
        assert [got["outcome"][i] for i in korea.issue_ids] == result[name].outcome.tolist()
        assert got["compromise_path"] == result[name].mean_path.tolist()


def test_results_as_a_frame_and_unknown_names() -> None:
    result = forecast_scenario(load_scenario("korea-2025"), ["median", "compromise"])
    frame = result.to_frame()
    assert frame.index.names == ["model", "issue"] and len(frame) == 2 * len(result.issue_ids)
    assert frame.loc[("median", result.issue_ids[0]), "outcome"] == result["median"].outcome[0]
    assert "<table" in result._repr_html_()
    with pytest.raises(NotFoundError, match="unknown policy 'nope' in scenario 'korea-2025'"):
        forecast_scenario(load_scenario("korea-2025"), policy="nope")
