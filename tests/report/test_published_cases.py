"""A briefing on any built-in scenario: the published bargaining cases (point values only, no
US–DPRK dyad) must get a report whose empty sections say why, not an error.

Before the fix ``peninsula report bdm-1994-emissions`` and ``cop21-2015`` exited 2 ("the
scenario has no uncertain inputs to analyse"), and once past that, the crisis section
simulated DPRK launches for a 1994 EU directive ("no data between 2017-01 and 1994-01").
"""

from __future__ import annotations

import pytest

from peninsula import load_scenario
from peninsula.crisis.api import not_applicable, simulate_policies
from peninsula.ensemble.sobol import varied_inputs
from peninsula.errors import PeninsulaError
from peninsula.report import ReportSettings, build_report
from peninsula.report.content import Notice, Paragraph, Scorecard
from peninsula.report.render_html import render_html
from peninsula.report.render_json import report_numbers
from peninsula.report.render_markdown import render_markdown
from peninsula.report.sections import crisis, sensitivity

TINY = ReportSettings(runs=8, seed=3)


@pytest.mark.parametrize("name", ["bdm-1994-emissions", "cop21-2015"])
def test_a_published_case_gets_a_whole_briefing(name: str) -> None:
    scenario = load_scenario(name)
    assert varied_inputs(scenario) == ()  # the premise: the case states point values only
    report = build_report(scenario, TINY)
    by_id = {s.id: s for s in report.sections}
    assert {"sensitivity", "crisis", "forecasts"} <= set(by_id)

    sens = by_id["sensitivity"]
    assert sens.numbers["measures"] == {}
    assert sens.numbers["skipped"] == sensitivity.NO_INPUTS
    assert [type(b) for b in sens.blocks] == [Paragraph]

    cri = by_id["crisis"]
    assert "US–DPRK" in cri.numbers["skipped"]
    assert isinstance(cri.blocks[0], Notice) and name in cri.blocks[0].text


@pytest.mark.parametrize("name", ["bdm-1994-emissions", "cop21-2015"])
def test_no_crisis_horizon_in_the_header_without_a_crisis_simulation(name: str) -> None:
    """Before, the header read "… · seed 3 · 24-month crisis horizon · peninsula …" for a
    1994 EU directive whose crisis section is a "no crisis simulation" notice."""
    report = build_report(load_scenario(name), TINY)
    assert report.crisis_horizon() is None
    markdown, html = render_markdown(report), render_html(report)
    assert "crisis horizon" not in markdown and "crisis horizon" not in html
    header = markdown.split("## Contents")[0]
    assert "8 Monte Carlo runs · seed 3 · peninsula " in header  # the line still reads
    assert "8 Monte Carlo runs · seed 3\n · peninsula " in html
    card = report.sections[0].blocks[0]
    assert isinstance(card, Scorecard)
    assert [c.label for c in card.columns] == ["Deal"]
    assert "erosion" not in card.note  # nor its scale, for a column the card does not have
    # report.json keeps its format: the settings say what was asked, the section why it
    # did not run (docs/reference/report-json.md).
    data = report_numbers(report)
    assert data["settings"]["horizon_months"] == TINY.horizon_months
    assert "horizon_months" not in data["sections"]["crisis"]["numbers"]
    assert data["sections"]["crisis"]["numbers"]["skipped"] == not_applicable(load_scenario(name))


def test_the_crisis_simulator_serves_the_us_dprk_scenarios_only() -> None:
    assert not_applicable(load_scenario("korea-2025")) == ""
    assert not_applicable(load_scenario("korea-2018")) == ""
    bdm = load_scenario("bdm-1994-emissions")
    assert "roles.dyad" in not_applicable(bdm)
    with pytest.raises(PeninsulaError, match="US–DPRK"):
        simulate_policies(bdm, paths=10, horizon=2)


def test_a_us_dprk_scenario_dated_before_the_data_is_refused() -> None:
    korea = load_scenario("korea-2025")
    early = korea.model_copy(
        update={
            "metadata": korea.metadata.model_copy(
                update={"as_of": korea.metadata.as_of.replace(year=2015)}
            )
        }
    )
    assert "before the crisis data begin (2017-01)" in not_applicable(early)
    section = crisis.build_crisis(early, TINY, 1)
    assert section.numbers["skipped"] == not_applicable(early)


def test_the_sensitivity_section_without_the_measures_it_explains(monkeypatch) -> None:
    """A scenario with uncertain inputs but none of the roles behind the three measures."""
    korea = load_scenario("korea-2025")
    monkeypatch.setattr(sensitivity, "run_sensitivity", lambda *args: {})
    section = sensitivity.build_sensitivity(korea, TINY, 1)
    assert section.numbers["measures"] == {}
    assert "roles" in section.numbers["skipped"]


def test_a_us_dprk_briefing_names_the_horizon_it_simulated(small_report) -> None:
    """The header's horizon is the crisis section's own (here the default 24 months)."""
    assert small_report.crisis_horizon() == 24
    crisis_numbers = next(s for s in small_report.sections if s.id == "crisis").numbers
    assert crisis_numbers["horizon_months"] == 24
    header = render_markdown(small_report).split("## Contents")[0]
    assert "· seed 7 · 24-month crisis horizon · peninsula " in header
    assert "· seed 7 · 24-month crisis horizon\n · peninsula " in render_html(small_report)
    card = small_report.sections[0].blocks[0]
    assert isinstance(card, Scorecard) and "erosion is a mean (0–1)" in card.note


def test_the_header_follows_the_horizon_asked_for() -> None:
    from peninsula.report.build import SECTIONS

    only_crisis = tuple(s for s in SECTIONS if s.id == crisis.ID)
    settings = ReportSettings(runs=8, seed=3, horizon_months=7)
    report = build_report(load_scenario("korea-2025"), settings, sections=only_crisis)
    assert report.crisis_horizon() == 7
    assert "· seed 3 · 7-month crisis horizon · " in render_markdown(report)
