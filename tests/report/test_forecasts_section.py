"""The forecasts section's trajectory summary, and the section itself once models exist."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from peninsula.report.sections.forecasts import build_forecasts, compromise_path
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario


def test_compromise_path_hand_worked() -> None:
    # Two actors, one issue, two rounds.
    # weights: A = capability 2 × salience 1 = 2; B = 1 × 0.5 = 0.5
    # round 0: (2·0 + 0.5·100) / 2.5 = 20;  round 1: (2·10 + 0.5·60) / 2.5 = 50 / 2.5 = 20
    trajectory = np.array([[[0.0], [100.0]], [[10.0], [60.0]]])
    weights = np.array([[2.0], [0.5]])
    assert compromise_path(trajectory, weights) == pytest.approx(np.array([[20.0], [20.0]]))


def test_issue_nobody_cares_about_is_nan_not_an_error() -> None:
    trajectory = np.zeros((3, 2, 2))
    weights = np.array([[1.0, 0.0], [1.0, 0.0]])
    path = compromise_path(trajectory, weights)
    assert np.all(path[:, 0] == 0.0) and np.all(np.isnan(path[:, 1]))


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (4, 3, 2), elements=st.floats(0, 100)),
    arrays(np.float64, (3, 2), elements=st.floats(0.01, 10)),
)
def test_compromise_lies_between_the_actors(trajectory: np.ndarray, weights: np.ndarray) -> None:
    # A weighted mean with positive weights never leaves the range of the positions.
    path = compromise_path(trajectory, weights)
    assert np.all(path >= trajectory.min(axis=1) - 1e-9)
    assert np.all(path <= trajectory.max(axis=1) + 1e-9)


def test_forecasts_section_with_the_real_models(korea: Scenario) -> None:
    from peninsula.models.registry import available_models, get_model
    from peninsula.scenario.arrays import to_problem

    section = build_forecasts(korea, ReportSettings(runs=1, models=("median", "eum")), seed=0)
    assert set(section.numbers["models"]) == {"median", "eum"}
    expected = get_model("median").forecast(to_problem(korea)).outcome[0]
    got = section.numbers["models"]["median"]["outcome"]
    assert [got[i] for i in korea.issue_ids] == pytest.approx(expected.tolist())
    # the static median model has no trajectory chart, the dynamic EUM has two
    ids = {c.id for c in section.charts}
    assert "chart-trajectory-eum" in ids and "chart-trajectory-median" not in ids
    assert "eum" in available_models()
