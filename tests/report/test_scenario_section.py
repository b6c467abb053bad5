"""The scenario section: the question and every input number, each citing its sources."""

from __future__ import annotations

import re

from peninsula.report.content import Report, Section
from peninsula.report.sections.scenario import build_scenario, change_text, quantity_text
from peninsula.report.settings import ReportSettings
from peninsula.scenario.policies import find_policy
from peninsula.scenario.schema import Scenario

# "30", "30 (10–55)" or "−0.60 (−0.80 to −0.30)"
NUMBER = re.compile(r"^−?\d+(\.\d+)?( \(−?[\d.]+(–| to )−?[\d.]+\))?$")


def _section(korea: Scenario) -> Section:
    return build_scenario(korea, ReportSettings(runs=1), seed=0)


def test_question_is_the_scenario_description(korea: Scenario) -> None:
    section = _section(korea)
    assert section.numbers["question"] == korea.metadata.description.strip()
    assert korea.metadata.description.split()[0] in section.blocks[0].text  # type: ignore[union-attr]


def test_every_number_cell_cites_a_declared_source(korea: Scenario) -> None:
    declared = {s.id for s in korea.metadata.sources}
    cited = 0
    for table in _section(korea).tables:
        for row in table.rows:
            for cell in row:
                if NUMBER.match(cell.text):
                    # korea-2025 sources every number, so every number cell must cite
                    assert cell.sources, f"{table.id}: {cell.text!r} cites nothing"
                    cited += 1
                assert set(cell.sources) <= declared
    assert cited > 7 * 5 * 2  # at least all positions and saliences


def test_position_table_matches_the_scenario(korea: Scenario) -> None:
    table = next(t for t in _section(korea).tables if t.id == "positions")
    usa = next(row for row in table.rows if row[0].text == "USA")
    stance = korea.actor("USA").stances["denuclearisation"]
    # USA denuclearisation: value 30, uniform [10, 55] -> "30 (10–55)"
    assert usa[1].text == "30 (10–55)" == quantity_text(stance.position)
    assert usa[1].sources == stance.position.source
    un = next(row for row in table.rows if row[0].text == "UN")
    assert un[3].text == "—"  # the UN takes no stance on Seoul's role


def test_policy_changes_read_as_words(korea: Scenario) -> None:
    bilateral = find_policy(korea, "bilateral-summitry")
    assert bilateral is not None
    texts = [change_text(c) for c in bilateral.changes]
    assert texts[0] == "left out of the talks: KOR, JPN, CHN, RUS, UN"
    assert texts[1] == "USA on seoul_role: position → 10"
    assert texts[2] == "USA on normalisation: salience +0.2"


def test_sources_are_numbered_in_scenario_order(small_report: Report, korea: Scenario) -> None:
    numbers = small_report.source_numbers()
    assert list(numbers) == [s.id for s in korea.metadata.sources]
    assert list(numbers.values()) == list(range(1, len(korea.metadata.sources) + 1))
