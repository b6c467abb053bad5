"""Assembling the report: sections in order, titles from the section modules, errors raised."""

from __future__ import annotations

import pytest

from peninsula.report.build import SECTIONS, SectionSpec, build_report
from peninsula.report.content import Report, Section
from peninsula.report.sections import crisis, history
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

REQUIRED = (
    "scenario",
    "history",
    "forecasts",
    "deals",
    "policies",
    "sensitivity",
    "crisis",
    "assumptions",
)


def test_every_required_section_is_present_in_order(small_report: Report) -> None:
    ids = [s.id for s in small_report.sections]
    assert ids[:2] == ["bottom-line", "summary"]
    assert [i for i in ids if i in REQUIRED] == list(REQUIRED)


def test_every_section_has_content(small_report: Report) -> None:
    for section in small_report.sections:
        assert section.blocks, section.id


def test_titles_come_from_the_section_modules(small_report: Report) -> None:
    titles = {s.id: s.title for s in small_report.sections}
    assert titles["history"] == history.TITLE and titles["crisis"] == crisis.TITLE
    assert [s.title for s in SECTIONS] == [titles[s.id] for s in SECTIONS]


def _spec(builder: object) -> SectionSpec:
    return SectionSpec("probe", "Probe", builder)  # type: ignore[arg-type]


def test_a_genuine_engine_error_is_not_hidden(korea: Scenario) -> None:
    def broken(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
        raise ZeroDivisionError("bug in an engine")

    with pytest.raises(ZeroDivisionError):
        build_report(korea, ReportSettings(runs=2), sections=(_spec(broken),))


def test_progress_reports_every_step(korea: Scenario) -> None:
    calls: list[tuple[str, int, int]] = []
    spec = SECTIONS[0]  # the scenario section: no engine, fast
    build_report(korea, ReportSettings(runs=2), lambda *a: calls.append(a), sections=(spec,))
    assert calls[0] == (spec.title, 0, 2)
    assert calls[-1] == ("done", 2, 2)
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)


def test_every_section_gets_the_report_seed(korea: Scenario) -> None:
    seen: list[int] = []

    def probe(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
        seen.append(seed)
        return Section("probe", "Probe", ())

    build_report(korea, ReportSettings(runs=2, seed=41), sections=(_spec(probe), _spec(probe)))
    assert seen == [41, 41]  # what `peninsula compare --seed 41` would hand the engine
