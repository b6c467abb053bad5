"""The forecasts section with the real models."""

from __future__ import annotations

import pytest

from peninsula.report.sections.forecasts import build_forecasts
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario


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
