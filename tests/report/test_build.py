"""Assembling the report: sections in order, missing engines explained, real errors raised."""

from __future__ import annotations

import pytest

from peninsula.report.build import SECTIONS, SectionSpec, build_report, section_seeds
from peninsula.report.content import EngineUnavailable, Notice, Paragraph, Report, Section
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

REQUIRED = ("scenario", "history", "forecasts", "policies", "sensitivity", "crisis", "assumptions")


def test_every_required_section_is_present_in_order(small_report: Report) -> None:
    ids = [s.id for s in small_report.sections]
    assert ids[:2] == ["bottom-line", "summary"]
    assert [i for i in ids if i in REQUIRED] == list(REQUIRED)


def test_unavailable_sections_say_so_and_why(small_report: Report) -> None:
    for section in small_report.sections:
        notices = [b for b in section.blocks if isinstance(b, Notice)]
        if section.status == "unavailable":
            assert section.reason
            assert any(n.text.startswith("Not yet available") for n in notices)
            assert not section.charts
        else:
            assert section.blocks


def _spec(builder: object) -> SectionSpec:
    return SectionSpec("probe", "Probe", "What the probe would show.", builder)  # type: ignore[arg-type]


def test_missing_engine_becomes_a_notice(korea: Scenario) -> None:
    def missing(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
        raise EngineUnavailable("the engine module `peninsula.probe` is not built yet")

    report = build_report(korea, ReportSettings(runs=2), sections=(_spec(missing),))
    probe = next(s for s in report.sections if s.id == "probe")
    assert probe.status == "unavailable"
    assert "peninsula.probe" in probe.reason
    assert isinstance(probe.blocks[0], Paragraph)
    summary = next(s for s in report.sections if s.id == "summary")
    assert "Probe" in summary.numbers["missing"]
    assumptions = next(s for s in report.sections if s.id == "assumptions")
    assert assumptions.numbers["missing_sections"] == ["probe"]


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
