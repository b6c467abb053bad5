"""Section: policy comparison across the ensemble (``peninsula.ensemble``)."""

from __future__ import annotations

from peninsula.report.content import Section, engine
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

TITLE = "Policy comparison across the ensemble"


def build_policies(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    engine("peninsula.ensemble", "run_experiments")
    raise NotImplementedError("wire to peninsula.ensemble")
