"""``peninsula deals``: realised exchanges in words, the declared trade, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clirun import run_cli as _run
from peninsula.errors import InputError
from peninsula.models.deals import deals_report
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.policies import find_policy

TWO_ISSUES = """\
format_version: 1
metadata:
  id: two-issues
  title: Two issues
  as_of: 2025-01-01
issues:
  - id: relief
    label: Relief
    scale: {anchors: [{at: 0, label: none}, {at: 100, label: all}]}
    status_quo: 0
  - id: freeze
    label: Freeze
    scale: {anchors: [{at: 0, label: none}, {at: 100, label: full}]}
    status_quo: 0
actors:
  - id: US
    name: Washington
    capability: 1
    stances:
      relief: {position: 0, salience: 0.1}
      freeze: {position: 0, salience: 0.9}
  - id: NK
    name: Pyongyang
    capability: 1
    stances:
      relief: {position: 100, salience: 0.6}
      freeze: {position: 100, salience: 0.5}
policies:
  - id: deal
    label: The deal
    trade:
      label: freeze for relief
      concessions: {US: relief, NK: freeze}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def test_two_actor_trade_in_words(tmp_path: Path) -> None:
    """decide's two-actor case with named issues: US (relief .1, freeze .9) concedes on relief
    0→100, NK moves on the freeze 100→80; gain 5 each (see test_exchange.py for the
    arithmetic); the declared trade is the realised one, at rate Δo_freeze/Δo_relief = 1/2."""
    report = deals_report(load_scenario(_write(tmp_path, TWO_ISSUES)))
    assert len(report.exchanges) == 1
    text = report.describe(report.exchanges[0])
    assert text == "US concedes on Relief 0→100 for NK moving on Freeze 100→80; gain 5.00 each"
    (trade,) = report.trades
    assert trade.happened and trade.exchanges == (0,)
    assert trade.rate == pytest.approx(0.5)
    assert trade.shifts == pytest.approx({"relief": 100 / 7, "freeze": -50 / 7})


def test_reversed_trade_is_diagnosed(tmp_path: Path) -> None:
    """Declare the trade the wrong way round: the saliences make US concede on relief."""
    text = TWO_ISSUES.replace("{US: relief, NK: freeze}", "{US: freeze, NK: relief}")
    (trade,) = deals_report(load_scenario(_write(tmp_path, text))).trades
    assert not trade.happened
    assert "run the other way" in trade.diagnosis
    assert "US conceded on relief" in trade.diagnosis


def test_korea_2025_freeze_for_relief_runs_the_other_way() -> None:
    """Under the scenario's saliences PRK values denuclearisation relatively more than the US
    does (1.0/0.7 vs 0.7/0.6), so the exchange model has the US concede on denuclearisation."""
    scenario = load_scenario("korea-2025")
    usa, prk = scenario.actor("USA").stances, scenario.actor("PRK").stances
    ratio_us = usa["sanctions_relief"].salience.value / usa["denuclearisation"].salience.value
    ratio_prk = prk["sanctions_relief"].salience.value / prk["denuclearisation"].salience.value
    assert ratio_us > ratio_prk  # the US cares relatively more about sanctions relief
    report = deals_report(scenario, "freeze-for-relief")
    (trade,) = report.trades
    assert trade.policy == "freeze-for-relief" and not trade.happened
    assert "run the other way" in trade.diagnosis


def test_korea_2018_dual_suspension_happens() -> None:
    report = deals_report(load_scenario("korea-2018"))
    dual = next(t for t in report.trades if t.policy == "dual-suspension")
    assert dual.happened
    exchange = report.exchanges[dual.exchanges[0]]
    assert {(s.actor, s.issue) for s in exchange.sides} == {
        ("USA", "force_posture"),
        ("PRK", "denuclearisation"),
    }
    assert exchange.sides[0].gain == pytest.approx(exchange.sides[1].gain)


def test_cli_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["deals", "korea-2018"], capsys)
    assert code == 0, err
    assert "Round 1" in out and "concedes on" in out and "dual-suspension" in out
    code, out, err = _run(["deals", "korea-2025", "-p", "freeze-for-relief", "--json", "-"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["policy"] == "freeze-for-relief"
    assert data["trades"][0]["happened"] is False
    assert all(e["sides"][0]["gain"] > 0 for e in data["exchanges"])


def test_deals_say_when_the_model_stopped_without_converging(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from peninsula.models.exchange import MODEL
    from peninsula.scenario.arrays import to_problem

    one = deals_report(load_scenario("korea-2018"))
    assert one.stopping().startswith("round 1 only")
    report = deals_report(load_scenario("korea-2018"), rounds=3)
    assert (report.rounds, report.converged) == (3, False)
    # Independently: the forecasts after 2 and after 3 rounds, as the model returns them.
    problem = to_problem(load_scenario("korea-2018"))
    before, after = (MODEL.forecast(problem, {"max_rounds": r}).outcome[0] for r in (2, 3))
    span = problem.upper - problem.lower
    assert report.last_change == pytest.approx(float(np.max(np.abs(after - before) / span * 100)))
    assert report.last_change > 0.1
    assert report.stopping() == (
        "stopped after 3 rounds without converging: the last round still moved the forecast "
        f"by up to {report.last_change:.2f} points (0–100 scale)"
    )
    code, out, err = _run(["deals", "korea-2018", "--rounds", "3", "--json", "-"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["rounds"], data["max_rounds"], data["converged"]) == (3, 3, False)
    code, out, err = _run(["deals", "korea-2018", "--rounds", "3"], capsys)
    assert "without converging" in " ".join(out.split())


def test_cli_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["deals", "korea-2025", "--policy", "nope"], capsys)
    assert code == 2 and "unknown policy 'nope'" in err and "Traceback" not in err


def test_trade_with_unknown_ids_is_located(tmp_path: Path) -> None:
    text = TWO_ISSUES.replace("{US: relief, NK: freeze}", "{US: relief, XX: freeze}")
    with pytest.raises(InputError) as caught:
        load_scenario(_write(tmp_path, text))
    assert "unknown actor 'XX'" in str(caught.value)
    three = TWO_ISSUES.replace("{US: relief, NK: freeze}", "{US: relief}")
    with pytest.raises(InputError) as caught:
        load_scenario(_write(tmp_path, three))
    assert "exactly two actors" in str(caught.value)


def test_trade_realised_is_vectorised_over_the_batch() -> None:
    """Row by row it agrees with the deals report's own check (korea-2018, dual suspension)."""
    import numpy as np

    from peninsula.ensemble.sampling import sample_problem
    from peninsula.models.deals import trade_realised
    from peninsula.models.exchange import MODEL

    scenario = load_scenario("korea-2018")
    policy = find_policy(scenario, "dual-suspension")
    assert policy is not None and policy.trade is not None
    trade = policy.trade
    problem = sample_problem(scenario, 12, np.random.default_rng(5))[0]
    result = MODEL.run(problem, {"max_rounds": 1})
    happened = trade_realised(result, problem, trade)
    for row in range(12):
        alone = MODEL.run(problem.take(slice(row, row + 1)), {"max_rounds": 1})
        pairs = {
            (
                problem.actor_ids[int(alone.supplier_p[0, s])],
                problem.issue_ids[int(alone.issue_p[0, s])],
                problem.actor_ids[int(alone.supplier_q[0, s])],
                problem.issue_ids[int(alone.issue_q[0, s])],
            )
            for s in range(int(alone.count[0]))
        }
        expected = any({(u, i), (v, j)} == set(trade.concessions.items()) for u, i, v, j in pairs)
        assert happened[row] == float(expected)
    assert 0 < happened.sum() < 12  # the sample contains both outcomes
