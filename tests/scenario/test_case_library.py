"""The case library behind ``peninsula score`` (issue #11, deliverable 5).

Every built-in case with an ``observed`` outcome validates, and its inputs are checked against
copies of the published tables that were made independently of peninsula's YAML:

- Efird, Lester & Wise (2016), Tables 2 (Policy Space, 26 actors) and 3 (Competitive Space,
  34 actors): (a) against KTAB's own machine-readable copies ``SOE-Policy.csv`` and
  ``SOE-Competitive.csv`` (lsyaseen/KTAB, examples/smp/doc), whose numbers are committed with
  the KTAB golden fixtures in ``tests/models/fixtures/ktab``; (b) against the tables' printed
  *Exercised Power* column (Influence × Salience / 100, rounded half up), transcribed below
  from the published PDF — a derived column, so a mistyped influence or salience fails it;
- Stokman & Thomson's (2015) COP21 data set (``cop21-2015``, 15 actors × 13 issues): against
  decide's own input file, as decide reads it, stored by ``tools/decide/run_decide.py --cop21``
  in ``tests/models/data/decide_cop21.json``; its outcomes lie on the data set's printed scale
  points (the mapping rule stated in the scenario file);
- Bueno de Mesquita (1994) Table 1 is checked in ``tests/models/test_eum_published.py``.

Also: the forecasts printed in the sources (``published_forecasts``) are read and validated.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from peninsula.errors import InputError
from peninsula.scenario.loader import builtin_names, load_scenario
from peninsula.scenario.schema import Scenario, cross_check

KTAB_FIXTURES = Path(__file__).parents[1] / "models" / "fixtures" / "ktab"
DECIDE_COP21 = Path(__file__).parents[1] / "models" / "data" / "decide_cop21.json"
# decide's input file renamed some actors and issues after 2016; the scenario keeps the ids of
# the 2015 spreadsheet (CoP21.xlsx). Names not listed are the same in both.
COP21_ACTOR_IDS = {
    "African_grp": "Africangrp",
    "AILAC2": "AILAC",
    "AOSISs": "AOSIS",
    "Arab_statess": "Arabstates",
    "LDCs_BGD": "LDC",
    "Umbrella_min": "Umbrellamin",
}
COP21_ISSUE_IDS = {
    "adapt_legal": "adaptlegal",
    "adapt_inst": "adaptinst",
    "finance_vol": "financevol",
    "finance_who": "financewho",
    "adapt_finance": "adaptfinance",
}

#: The built-in cases with observed outcomes (the library ``peninsula score`` runs).
LIBRARY = {
    "bdm-1994-emissions",
    "cop21-2015",
    "korea-2018",
    "ktab-china-2014-cnpc",
    "ktab-china-2014-policy",
}

# Exercised Power as printed in Efird, Lester & Wise (2016), in table order.
# Table 2 (Policy Space), pp. 125-126, XJ ... ZGB:
PRINTED_EP_POLICY = (
    30, 42, 14, 9, 28, 8, 6, 18, 6, 18, 14, 14, 11,
    40, 32, 36, 9, 16, 6, 4, 4, 3, 8, 8, 8, 8,
)  # fmt: skip
# Table 3 (Competitive Space), pp. 130-131, XJ ... foreign small-medium competitors:
PRINTED_EP_COMPETITIVE = (
    60, 33, 32, 32, 21, 30, 8, 6, 10, 24, 21, 20, 4, 23, 15, 12, 45,
    18, 8, 12, 4, 36, 5, 30, 4, 3, 0, 7, 7, 3, 2, 8, 5, 3,
)  # fmt: skip


def _columns(scenario: Scenario) -> tuple[list[float], list[float], list[float]]:
    """(capability, position, salience on 0-100) of a one-issue scenario, in file order."""
    (issue,) = scenario.issues
    stances = [actor.stances[issue.id] for actor in scenario.actors]
    return (
        [actor.capability.value for actor in scenario.actors],
        [s.position.value for s in stances],
        [round(100 * s.salience.value, 6) for s in stances],
    )


def test_the_library_is_every_builtin_with_outcomes() -> None:
    observed = {
        name
        for name in builtin_names()
        if any(issue.observed is not None for issue in load_scenario(name).issues)
    }
    assert observed == LIBRARY


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_case_validates_and_cites_every_outcome(name: str) -> None:
    scenario = load_scenario(name)
    assert cross_check(scenario) == []
    for issue in scenario.issues:
        if issue.observed is not None:
            assert issue.observed.source, f"{name}/{issue.id}: outcome without a source"
            assert issue.observed.note, f"{name}/{issue.id}: outcome without its reasoning"


@pytest.mark.parametrize(
    ("name", "fixture", "n_actors"),
    [("ktab-china-2014-policy", "SOE-Policy", 26), ("ktab-china-2014-cnpc", "SOE-Competitive", 34)],
)
def test_china_cases_equal_ktabs_own_copy(name: str, fixture: str, n_actors: int) -> None:
    capability, position, salience = _columns(load_scenario(name))
    ktab = json.loads((KTAB_FIXTURES / f"{fixture}__default.json").read_text())
    assert ktab["source"] == f"KTAB examples/smp/doc/{fixture}.csv"
    assert len(capability) == len(ktab["capability"]) == n_actors
    assert capability == ktab["capability"]
    assert position == [p[0] for p in ktab["position"]]
    assert salience == [s[0] for s in ktab["salience"]]


@pytest.mark.parametrize(
    ("name", "printed"),
    [
        ("ktab-china-2014-policy", PRINTED_EP_POLICY),
        ("ktab-china-2014-cnpc", PRINTED_EP_COMPETITIVE),
    ],
)
def test_china_cases_reproduce_the_printed_exercised_power(
    name: str, printed: tuple[int, ...]
) -> None:
    # Exercised Power = Influence × Salience / 100, printed as an integer rounded half up:
    # e.g. Table 2, EU Chamber of Commerce 5 × 50 / 100 = 2.5 -> 3; Table 3, Sinopec
    # 10 × 45 / 100 = 4.5 -> 5; Xi Jinping (Table 3) 100 × 60 / 100 = 60.
    capability, _, salience = _columns(load_scenario(name))
    derived = tuple(
        math.floor(c * s / 100 + 0.5) for c, s in zip(capability, salience, strict=True)
    )
    assert derived == printed


def test_cop21_equals_decides_own_copy() -> None:
    decide = json.loads(DECIDE_COP21.read_text())
    assert decide["source"] == "foarsitter/decide-exchange-model data/input/cop21.csv"
    expected = {
        (COP21_ACTOR_IDS.get(a, a), COP21_ISSUE_IDS.get(i, i)): (position, salience, power)
        for a, i, position, salience, power in decide["stances"]
    }
    assert len(expected) == 181  # of 15 x 13 = 195 pairs; the others are not in the file
    scenario = load_scenario("cop21-2015")
    given = {
        (actor.id, issue): (s.position.value, s.salience.value, actor.capability.value)
        for actor in scenario.actors
        for issue, s in actor.stances.items()
    }
    assert given == expected
    assert {a.id for a in scenario.actors} == {COP21_ACTOR_IDS.get(a, a) for a in decide["actors"]}
    assert [i.id for i in scenario.issues] == [COP21_ISSUE_IDS.get(i, i) for i in decide["issues"]]


def test_cop21_outcomes_follow_the_stated_mapping_rule() -> None:
    # Scored only where a printed scale point describes the Paris text; each outcome is one.
    scenario = load_scenario("cop21-2015")
    scored = {i.id: i.observed.value for i in scenario.issues if i.observed is not None}
    assert scored == {
        "differentiation": 50,  # Art. 2.2, word for word
        "legal": 70,  # Arts 4.2, 13.7, 13.11
        "adaptlegal": 80,  # Arts 7.9-7.10 (judgement)
        "adaptinst": 60,  # Art. 7.7(b)
        "financewho": 20,  # Arts 9.1-9.2
        "progress": 40,  # Art. 4.3 ("will")
        "amb2100": 80,  # Art. 4.1, net zero in the second half of the century
        "eaa": 20,  # decision 1/CP.21 para. 20, Art. 14
    }
    for issue in scenario.issues:
        points = {a.at for a in issue.scale.anchors}
        assert issue.status_quo.value in points, issue.id
        if issue.observed is not None:
            assert issue.observed.value in points, issue.id
            assert issue.observed.date.isoformat() == "2015-12-12"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_case_sources_are_citations_a_reader_can_follow(name: str) -> None:
    from peninsula.report.build import citation_problem

    sources = load_scenario(name).metadata.sources
    assert [(s.id, citation_problem(s)) for s in sources if citation_problem(s)] == []


def test_published_forecasts_are_data_beside_the_outcome() -> None:
    (bdm,) = load_scenario("bdm-1994-emissions").issues[0].published_forecasts
    assert (bdm.value, bdm.low, bdm.high) == (9.05, None, None)  # BdM (1994) p. 98
    (cnpc,) = load_scenario("ktab-china-2014-cnpc").issues[0].published_forecasts
    assert (cnpc.value, cnpc.low, cnpc.high) == (None, 20, 40)  # Efird et al. p. 141
    (policy,) = load_scenario("ktab-china-2014-policy").issues[0].published_forecasts
    assert policy.value == 30
    cop21 = {i.id: i.published_forecasts for i in load_scenario("cop21-2015").issues}
    assert [p.value for p in cop21["adaptinst"]] == [60]  # Sprinz & BdM (2015), abstract
    assert [p.value for p in cop21["progress"]] == [30]


_ISSUE = """
format_version: 1
metadata: {{id: t, title: t, as_of: 2020-01-01, sources: [{{id: s, title: s}}]}}
issues:
  - id: x
    label: x
    scale: {{anchors: [{{at: 0, label: lo}}, {{at: 100, label: hi}}]}}
    status_quo: 50
    published_forecasts: [{forecast}]
actors:
  - {{id: a, name: a, capability: 1, stances: {{x: {{position: 0, salience: 1}}}}}}
  - {{id: b, name: b, capability: 1, stances: {{x: {{position: 100, salience: 1}}}}}}
"""


@pytest.mark.parametrize(
    ("forecast", "message"),
    [
        ("{model: m}", "needs a 'value' or a 'low'-'high' range"),
        ("{model: m, low: 10}", "give both 'low' and 'high'"),
        ("{model: m, low: 40, high: 20}", "must not exceed"),
        ("{model: m, value: 50, low: 10, high: 20}", "inside the printed range"),
        ("{model: m, value: 120}", "published forecast is outside the scale"),
        ("{model: m, value: 5, source: nope}", "unknown source 'nope'"),
    ],
)
def test_malformed_published_forecasts_are_refused(
    tmp_path: Path, forecast: str, message: str
) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(_ISSUE.format(forecast=forecast))
    with pytest.raises(InputError, match=message):
        load_scenario(str(path))


def test_a_wellformed_published_range_loads(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(_ISSUE.format(forecast="{model: m, value: 15, low: 10, high: 20, source: s}"))
    (published,) = load_scenario(str(path)).issues[0].published_forecasts
    assert (published.value, published.low, published.high, published.source) == (
        15,
        10,
        20,
        ("s",),
    )
