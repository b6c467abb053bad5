"""Section: Sobol sensitivity of each result (``peninsula.ensemble``)."""

from __future__ import annotations

from peninsula.report.content import Section, engine
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

TITLE = "Sensitivity: which assumptions drive each result"


def build_sensitivity(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    engine("peninsula.ensemble", "sobol_indices")
    raise NotImplementedError("wire to peninsula.ensemble")
