"""Section: crisis risks per policy (``peninsula.crisis``)."""

from __future__ import annotations

from peninsula.report.content import Section, engine
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

TITLE = "Crisis risks per policy"


def build_crisis(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    engine("peninsula.crisis", "simulate_policies")
    raise NotImplementedError("wire to peninsula.crisis")
