"""The report serves any scenario: actors are named from the scenario (its roles, its actors)
or the data, never by korea-2025's ids in generic text.

Before, every briefing read "capability (0–100, USA = 100)", "Low values are the US-alliance
ends of the scales (CVID, full sanctions, Seoul excluded, …)", "Alliance strain (US gain over
allies')" and "leadership changes in the US, South Korea and Japan", whatever its scenario.
"""

from __future__ import annotations

import pytest

from peninsula import load_scenario
from peninsula.events.history import load_history
from peninsula.report import ReportSettings, build_report
from peninsula.report.content import Chart, Notice, Table
from peninsula.report.render_markdown import render_markdown
from peninsula.report.sections.history import leadership_countries
from peninsula.report.sections.policies import describe
from peninsula.report.sections.scenario import build_scenario, possessive
from peninsula.scenario.schema import Scenario

TINY = ReportSettings(runs=8, seed=3)
#: Words of the Korea case that a briefing on an EU directive of 1994 has no business using.
KOREA_WORDS = ("Korea", "Seoul", "Japan", "CVID", "alliance", "Alliance", "USA", "US ", "US-")


def _text_without_notices(name: str) -> str:
    """The Markdown briefing, minus the notices that say why a section is empty (the crisis
    one rightly names the US–DPRK data the simulator is fitted on)."""
    report = build_report(load_scenario(name), TINY)
    notices = [b.text for s in report.sections for b in s.blocks if isinstance(b, Notice)]
    text = render_markdown(report)
    for notice in notices:
        text = text.replace(notice, "")
    return text


def test_a_briefing_on_another_case_has_no_korea_wording() -> None:
    text = _text_without_notices("bdm-1994-emissions")
    assert [w for w in KOREA_WORDS if w in text] == []
    # Nor the questions it cannot answer: no sidelined actor, no crisis simulation.
    subtitle = text.split("\n\n")[1]
    assert subtitle == "*What outcome is likely, under which policy, and how sure we are.*"


def test_korea_keeps_its_subtitle(small_report) -> None:
    assert small_report.subtitle == (
        "What outcome is likely, under which policy, how sure we are, who is sidelined, "
        "and how likely escalation is."
    )


def _with_patron(korea: Scenario, patron: str) -> Scenario:
    return korea.model_copy(update={"roles": korea.roles.model_copy(update={"patron": patron})})


def test_alliance_strain_names_the_scenarios_patron(korea: Scenario) -> None:
    assert describe("alliance.strain", korea).label == (
        "Alliance strain (United States' gain over its allies')"
    )
    # The same measure for another patron: its name comes from the scenario's actors.
    assert describe("alliance.strain", _with_patron(korea, "CHN")).label == (
        "Alliance strain (China's gain over its allies')"
    )
    assert possessive("Netherlands") == "Netherlands'" and possessive("Japan") == "Japan's"


def test_leadership_changes_are_named_from_the_history(korea: Scenario) -> None:
    history = load_history()
    assert leadership_countries(korea, history) == "United States, South Korea and Japan"
    # As of June 2018 the history has no Japanese change yet (Suga: September 2020); the
    # first two are Trump (USA, 2017-01-20) and Park's removal (KOR, 2017-03-10).
    early = history[history["date"] <= "2018-06-01"]
    assert leadership_countries(korea, early) == "United States and South Korea"
    # A scenario without those actors sees the codes the data use.
    bdm = load_scenario("bdm-1994-emissions")
    assert leadership_countries(bdm, history) == "USA, KOR and JPN"
    assert leadership_countries(bdm, history.iloc[0:0]) == ""


def _actors_and_positions(scenario: Scenario) -> tuple[Table, Chart]:
    section = build_scenario(scenario, TINY, seed=0)
    table = next(t for t in section.tables if t.id == "actors")
    chart = next(c for c in section.charts if c.id == "chart-positions")
    return table, chart


@pytest.mark.parametrize(
    ("name", "caption", "first", "axis", "y_range"),
    [
        # korea-2025: USA = 100, integer capabilities, 0–100 scales padded by 3
        ("korea-2025", "capability (relative, USA = 100)", "100", "0–100", (-3.0, 103.0)),
        # cop21-2015: shares of 1 (Africangrp 0.25), which whole numbers would round to 0
        ("cop21-2015", "capability (relative, China = 1)", "0.25", "0–100", (-3.0, 103.0)),
        # bdm-1994: years 4–10 (pad 0.03 × 6 = 0.18), NLD 0.08
        ("bdm-1994-emissions", "capability (relative, DEU = 0.16)", "0.08", "4–10", (3.82, 10.18)),
    ],
)
def test_capability_and_position_scales_are_the_scenarios(
    name: str, caption: str, first: str, axis: str, y_range: tuple[float, float]
) -> None:
    table, chart = _actors_and_positions(load_scenario(name))
    assert caption in table.caption
    assert table.rows[0][2].text == first
    assert chart.y_label == f"Position (issue scale, {axis})"
    assert chart.y_range == pytest.approx(y_range)
    assert "Seoul" not in chart.description and "US" not in chart.description
