"""Assembling the report: sections in order, titles from the section modules, errors raised."""

from __future__ import annotations

import pytest

from peninsula.report.build import SECTIONS, SectionSpec, build_report, section_seeds
from peninsula.report.content import Report, Section
from peninsula.report.sections import crisis, history
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

REQUIRED = ("scenario", "history", "forecasts", "policies", "sensitivity", "crisis", "assumptions")


def test_every_required_section_is_present_in_order(small_report: Report) -> None:
    ids = [s.id for s in small_report.sections]
    assert ids[0] == "summary"
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


def test_section_seeds_are_fixed_and_distinct() -> None:
    assert section_seeds(7, 6) == section_seeds(7, 6)
    assert len(set(section_seeds(7, 6))) == 6
    # Adding sections at the end does not change the seeds of the existing ones.
    assert section_seeds(7, 8)[:6] == section_seeds(7, 6)
    assert section_seeds(8, 6) != section_seeds(7, 6)


def test_meta_records_provenance(small_report: Report, korea: Scenario) -> None:
    meta = small_report.meta
    assert meta["scenario"]["id"] == "korea-2025"
    assert meta["scenario"]["version"] == korea.metadata.version
    assert len(meta["scenario"]["content_hash"]) == 64
    assert meta["settings"]["runs"] == 24 and meta["settings"]["seed"] == 7
