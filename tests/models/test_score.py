"""The scoreboard engine (``peninsula.models.score``) and ``peninsula score``.

Hand-worked errors and win counts, the pairing of the bootstrap (a constant difference has a
zero-width interval, which an unpaired bootstrap would not give), determinism, and the CLI on
the built-in case library.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from clirun import run_cli
from peninsula.models.score import STATUS_QUO, WEIGHTED_MEAN, Item, scenario_items, score
from peninsula.scenario.loader import load_scenario


def _item(issue: str, observed: float, **forecasts: float) -> Item:
    return Item("case", issue, 0.0, 100.0, observed, forecasts)


# Three issues on 0–100 scales. Errors (percent of the scale = units here):
#   model m:       |50 − 40| = 10, |20 − 30| = 10, |90 − 60| = 30   -> MAE 50/3
#   status quo:    |40 − 40| = 0,  |0 − 30| = 30,  |60 − 60| = 0    -> MAE 10
#   weighted mean: |45 − 40| = 5,  |25 − 30| = 5,  |70 − 60| = 10   -> MAE 20/3
ITEMS = [
    _item("a", 40, m=50, **{STATUS_QUO: 40, WEIGHTED_MEAN: 45}),
    _item("b", 30, m=20, **{STATUS_QUO: 0, WEIGHTED_MEAN: 25}),
    _item("c", 60, m=90, **{STATUS_QUO: 60, WEIGHTED_MEAN: 70}),
]


def test_hand_worked_errors_and_wins() -> None:
    board = score(ITEMS, ["m"], np.random.default_rng(0), resamples=500)
    m = board.models[0]
    assert [s.name for s in board.models] == ["m", STATUS_QUO, WEIGHTED_MEAN]
    assert m.mae == pytest.approx(50 / 3)
    sq = m.against(STATUS_QUO)
    assert sq.difference == pytest.approx(50 / 3 - 10)
    assert (sq.wins, sq.losses, sq.ties) == (1, 2, 0)  # only issue b: 10 < 30
    mean = m.against(WEIGHTED_MEAN)
    assert mean.difference == pytest.approx(10)
    assert (mean.wins, mean.losses, mean.ties) == (0, 3, 0)
    # A baseline against itself ties everywhere with a zero difference.
    own = board.models[1].against(STATUS_QUO)
    assert (own.difference, own.low, own.high, own.ties) == (0.0, 0.0, 0.0, 3)


def test_scale_units_are_percent_of_the_scale() -> None:
    # An issue on a 4–10 scale: an error of 0.6 years is 10% of the scale.
    item = Item("case", "x", 4.0, 10.0, 8.0, {"m": 8.6})
    assert item.error("m") == pytest.approx(10.0)


def test_bootstrap_is_paired() -> None:
    # The model is exactly 5 points worse than the weighted mean on every item, while the
    # items' errors themselves vary a lot: the paired interval of the difference is [5, 5];
    # the interval of the MAE itself is wide.
    items = [
        _item(str(j), 0, m=e + 5, **{STATUS_QUO: 50, WEIGHTED_MEAN: e})
        for j, e in enumerate([0.0, 10.0, 40.0, 80.0])
    ]
    board = score(items, ["m"], np.random.default_rng(1), resamples=400)
    c = board.models[0].against(WEIGHTED_MEAN)
    assert c.low == pytest.approx(5.0) and c.high == pytest.approx(5.0)
    assert board.models[0].high - board.models[0].low > 20
    assert board.models[0].low <= board.models[0].mae <= board.models[0].high


def test_same_generator_same_result() -> None:
    first = score(ITEMS, ["m"], np.random.default_rng(7), resamples=300)
    second = score(ITEMS, ["m"], np.random.default_rng(7), resamples=300)
    assert first == second


def test_no_items_is_an_error() -> None:
    with pytest.raises(ValueError, match="no items"):
        score([], ["m"], np.random.default_rng(0))


def test_scenario_items_only_for_observed_issues() -> None:
    items = scenario_items(load_scenario("bdm-1994-emissions"), ["median"])
    assert len(items) == 1
    (item,) = items
    assert item.observed == 8.83
    assert item.forecasts[STATUS_QUO] == 7.0
    assert item.forecasts["median"] == 7.0
    # Weighted mean of Table 1: (4·0.248 + 7·0.093 + 10·0.336) / 0.677 = 5.003 / 0.677.
    assert item.forecasts[WEIGHTED_MEAN] == pytest.approx(5.003 / 0.677)
    assert scenario_items(load_scenario("korea-2025"), ["median"]) == []


def test_cli_scores_the_builtin_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        ["score", "-m", "median", "-m", "nash", "--resamples", "200", "--json", "-"], capsys
    )
    assert code == 0, err
    report = json.loads(out)
    cases = {(i["scenario"], i["issue"]) for i in report["items"]}
    assert ("bdm-1994-emissions", "emission_year") in cases
    assert ("korea-2018", "denuclearisation") in cases
    names = [m["name"] for m in report["models"]]
    assert names == ["median", "nash", STATUS_QUO, WEIGHTED_MEAN]
    # The library: BdM's case, the two KTAB China cases, five korea-2018 issues and eight
    # COP21 issues.
    assert len(cases) == 16
    assert {s for s, _ in cases} == {
        "bdm-1994-emissions",
        "cop21-2015",
        "korea-2018",
        "ktab-china-2014-cnpc",
        "ktab-china-2014-policy",
    }


def test_cli_table_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["score", "bdm-1994-emissions", "-m", "eum"], capsys)
    assert code == 0, err
    assert "eum" in out and "weighted-mean" in out and "status-quo" in out
    code, out, err = run_cli(["score", "korea-2025"], capsys)
    assert code == 2 and "no observed outcomes" in err
    code, out, err = run_cli(["score", "-m", "nope"], capsys)
    assert code == 2 and "unknown model" in err


def test_published_forecasts_travel_with_the_item(capsys: pytest.CaptureFixture[str]) -> None:
    # BdM's own forecast, 9.05 years, against the outcome 8.83 on the 4-10 scale:
    # 100 * |9.05 - 8.83| / 6 = 3.667 % of the scale.
    (item,) = scenario_items(load_scenario("bdm-1994-emissions"), ["median"])
    (printed,) = item.published
    assert (printed.value, printed.low, printed.high) == (9.05, None, None)
    assert item.error_of(9.05) == pytest.approx(100 * 0.22 / 6)
    code, out, err = run_cli(
        ["score", "bdm-1994-emissions", "ktab-china-2014-cnpc", "-m", "median", "--json", "-"],
        capsys,
    )
    assert code == 0, err
    by_case = {i["scenario"]: i["published"] for i in json.loads(out)["items"]}
    (bdm,) = by_case["bdm-1994-emissions"]
    assert bdm["value"] == 9.05 and bdm["range"] is None
    assert bdm["error"] == pytest.approx(100 * 0.22 / 6)
    (ktab,) = by_case["ktab-china-2014-cnpc"]  # a printed range, no point: no error
    assert ktab["value"] is None and ktab["range"] == [20, 40] and ktab["error"] is None
    code, out, err = run_cli(["score", "bdm-1994-emissions", "-m", "median"], capsys)
    assert code == 0 and "printed in the cases' sources" in out and "9.05" in out
