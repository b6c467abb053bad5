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
from peninsula.report.content import Notice, Paragraph
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
