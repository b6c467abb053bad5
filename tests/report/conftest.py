"""Shared fixtures: one small report (few Monte Carlo runs) built once per test worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from peninsula import load_scenario
from peninsula.report import Report, ReportSettings, build_report, staged_output, write_report
from peninsula.scenario.schema import Scenario

SMALL = ReportSettings(runs=24, seed=7)


@pytest.fixture(scope="session")
def korea() -> Scenario:
    return load_scenario("korea-2025")


@pytest.fixture(scope="session")
def small_report(korea: Scenario) -> Report:
    return build_report(korea, SMALL)


@pytest.fixture(scope="session")
def written_report(tmp_path_factory: pytest.TempPathFactory, small_report: Report) -> Path:
    """A directory holding report.html/.md/.json and figures/ for the small run (written the
    way ``generate_report`` writes it, without computing the report a second time)."""
    out = tmp_path_factory.mktemp("report") / "out"
    with staged_output(out) as staging:
        write_report(small_report, staging)
    return out
