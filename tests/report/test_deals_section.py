"""Report section "Package deals": the same content as ``peninsula deals``, and its chart."""

from __future__ import annotations

import json

import pytest

from peninsula.models.deals import deals_report
from peninsula.report.content import Bullets, Chart
from peninsula.report.sections.deals import build_deals
from peninsula.report.settings import ReportSettings
from peninsula.scenario.loader import load_scenario


def test_deals_section_matches_the_cli_engine() -> None:
    scenario = load_scenario("korea-2018")
    section = build_deals(scenario, ReportSettings(), seed=0)
    engine = deals_report(scenario, None, rounds=1, seed=0)
    bullets = [b for b in section.blocks if isinstance(b, Bullets)]
    # Status quo first, then one block per policy that declares a trade (dual-suspension).
    assert len(bullets) == 1 + sum(p.trade is not None for p in scenario.policies)
    assert bullets[0].items[0] == f"#1: {engine.describe(engine.exchanges[0])}"
    (chart,) = [b for b in section.blocks if isinstance(b, Chart)]
    status_quo = chart.series[0]
    effects = engine.net_effects()
    assert status_quo.y == pytest.approx(tuple(effects[a.id] for a in scenario.actors))
    # The JSON twin is strict JSON and holds every exchange, not only the listed ones.
    numbers = json.loads(json.dumps(section.numbers, allow_nan=False))
    assert len(numbers["reports"][0]["exchanges"]) == len(engine.exchanges)
    assert "dual-suspension" in section.summary or "declared" in section.summary


def test_trade_measure_is_labelled_as_a_share() -> None:
    from peninsula.report.sections.policies import describe

    info = describe("trade.freeze-for-relief", load_scenario("korea-2025"))
    assert info.share and info.unit == "%"
    assert "freeze for sanctions relief" in info.label
