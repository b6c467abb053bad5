"""Section: the US–DPRK relationship history from the event tracker (``peninsula.events``)."""

from __future__ import annotations

from peninsula.report.content import Section, engine
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

TITLE = "Relationship history"


def build_history(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    engine("peninsula.events.history", "load_history")
    engine("peninsula.events.analysis", "dyad_series")
    raise NotImplementedError("wire to peninsula.events")
