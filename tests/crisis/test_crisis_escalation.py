"""The escalation check (P(crisis) against simple rules): hand-worked outcomes, baselines and
scores, and that no forecast uses months after its origin."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peninsula.crisis.backtest import SPEC_HYPER, memoised
from peninsula.crisis.calibrate import crisis_threshold
from peninsula.crisis.data import MonthlyData
from peninsula.crisis.escalation import (
    baseline_probabilities,
    brier,
    crossings,
    escalation_rolling_origin,
    escalation_table,
    jeffreys,
    log_score,
    observed_tension,
)
from peninsula.crisis.model import COUNT_TYPES, TYPE_INDEX, FloatArray


def test_crossings_need_two_consecutive_months_inside_the_window() -> None:
    tension = np.array([0.0, 0.6, 0.6, 0.0, 0.6, 0.0, 0.6, 0.6])
    # h = 2, threshold 0.5: origin 0 sees months 1-2 (0.6, 0.6) -> crossing; origin 1 sees
    # months 2-3 (0.6, 0.0) -> none (month 1 is before the window); 2: (0.0, 0.6); 3: (0.6,
    # 0.0); 4: (0.0, 0.6); 5: (0.6, 0.6) -> crossing; 6 and 7 run past the data.
    got = crossings(tension, 0.5, 2)
    np.testing.assert_array_equal(got[:6], [1, 0, 0, 0, 0, 1])
    assert np.isnan(got[6:]).all()


def test_baselines_hand_worked() -> None:
    tension = np.array([0.0, 0.6, 0.6, 0.0, 0.6, 0.0, 0.6, 0.6])
    outcome = crossings(tension, 0.5, 2)
    above = [bool(v >= 0.5) for v in tension]
    # origin 5, h = 2: known windows are origins 0..3 (s + 2 <= 5): outcomes 1, 0, 0, 0.
    # climatology (1 + 1/2) / (4 + 1) = 0.3. Origin 5 is below the threshold; of the known
    # origins 0 and 3 are below too, with outcomes 1 and 0: (1 + 1/2) / (2 + 1) = 0.5.
    got = baseline_probabilities(outcome, above, 5, 2)
    assert got["climatology"] == pytest.approx(0.3)
    assert got["state"] == pytest.approx(0.5)
    # origin 1: nothing known yet -> 1/2 for both
    assert baseline_probabilities(outcome, above, 1, 2) == {"climatology": 0.5, "state": 0.5}


def test_scores_hand_worked() -> None:
    assert jeffreys(0, 1000) == pytest.approx(0.5 / 1001)  # a unanimous "no" is not certain
    assert brier(0.3, 1.0) == pytest.approx(0.49)
    assert log_score(0.3, 1.0) == pytest.approx(math.log(0.3))
    assert log_score(0.3, 0.0) == pytest.approx(math.log(0.7))


def _synthetic(seed: int = 0) -> MonthlyData:
    """2017-01..2020-12 with a burst of launches in mid-2017 (the threshold's months) and in
    2019, so that tension crosses the threshold in a spell."""
    months = tuple(f"{y}-{m:02d}" for y in range(2017, 2021) for m in range(1, 13))
    n = len(months)
    rng = np.random.default_rng(seed)
    counts = np.zeros((n, len(COUNT_TYPES)))
    rate = np.full(n, 0.5)
    rate[4:9] = 4.0  # 2017-05..09
    rate[27:33] = 5.0  # 2019-04..09
    counts[:, TYPE_INDEX["ballistic"]] = rng.poisson(rate)
    counts[:, TYPE_INDEX["threats"]] = rng.poisson(rate / 2)
    return MonthlyData(months, counts, np.zeros(n), np.zeros(n), np.zeros(n))


def _persistence(data: MonthlyData, t: int) -> FloatArray:
    """A stand-in model that sees only months up to ``t``: every path stays at T(t)."""
    level = observed_tension(data.rows(np.arange(len(data)) <= t))[-1]
    return np.full((4, 12), level)


def test_rolling_origin_rows_and_the_stand_in_model() -> None:
    data = _synthetic()
    scores = escalation_rolling_origin(data, _persistence, horizons=(3,))
    assert set(scores["forecaster"]) == {"model", "climatology", "state"}
    assert scores["origin"].min() == "2018-12"  # selection windows start 2019-01
    assert scores["period"].unique().tolist() == ["selection"]  # windows end by 2020-12
    tension = observed_tension(data)
    threshold = crisis_threshold(data, SPEC_HYPER)
    model = scores[scores["forecaster"] == "model"]
    for row in model.itertuples():
        t = data.months.index(str(row.origin))
        # 4 paths at T(t): all cross or none -> 4.5/5 or 0.5/5
        assert row.p == pytest.approx(0.9 if tension[t] >= threshold else 0.1)
    assert ((scores["p"] > 0) & (scores["p"] < 1)).all()
    table = escalation_table(scores, "selection")
    ref = table[table["forecaster"] == "model"].iloc[0]
    assert ref["d_brier"] == 0.0 and ref["d_log"] == 0.0
    assert set(table["forecaster"]) == {"model", "climatology", "state"}


def test_no_forecast_uses_months_after_its_origin() -> None:
    data = _synthetic()
    cut = data.months.index("2019-12")
    later = data.counts.copy()
    later[cut + 1 :, TYPE_INDEX["ballistic"]] += 7  # a made-up surge after the cut
    changed = MonthlyData(data.months, later, data.talks, data.russia, data.china)
    a = escalation_rolling_origin(data, _persistence, horizons=(3,))
    b = escalation_rolling_origin(changed, _persistence, horizons=(3,))
    early = a["origin"] <= data.months[cut]
    assert early.any()
    np.testing.assert_array_equal(a.loc[early, "p"], b.loc[b["origin"] <= data.months[cut], "p"])


def test_memoised_model_runs_once_per_origin() -> None:
    calls: list[int] = []

    def model(data: MonthlyData, t: int) -> dict[str, FloatArray]:
        calls.append(t)
        return {"tension": np.zeros((2, 12))}

    data = _synthetic()
    cached = memoised(model)
    first = cached(data, 5)
    assert cached(data, 5) is first and calls == [5]
    cached(data, 6)
    assert calls == [5, 6]


def test_shipped_escalation_table_regenerates_from_the_shipped_data() -> None:
    # The fixture was written by `peninsula crisis-backtest --final-test --out ...` (seed 0,
    # 1,000 model paths). The rules' rows need no model: recompute every period. The model's
    # rows: recompute the test period (origins 2024-12..2025-12, 13 refits) with the same
    # forecaster and compare to the fixture's four decimals.
    from peninsula.crisis.backtest import structural_forecaster
    from peninsula.crisis.data import load_monthly
    from peninsula.crisis.escalation import bundled_escalation

    data = load_monthly()
    shipped = bundled_escalation()
    rules = escalation_rolling_origin(data, None, score_through=data.months[-1])
    for period in ("selection", "validation", "test"):
        for h in (3, 12):
            for name in ("climatology", "state"):
                got = rules[
                    (rules["period"] == period)
                    & (rules["horizon"] == h)
                    & (rules["forecaster"] == name)
                ]
                row = shipped[
                    (shipped["period"] == period)
                    & (shipped["horizon"] == h)
                    & (shipped["forecaster"] == name)
                ].iloc[0]
                assert len(got) == row["n"] and got["y"].sum() == row["crossings"]
                assert got["brier"].mean() == pytest.approx(row["brier"], abs=6e-5)
                assert got["log"].mean() == pytest.approx(row["log"], abs=6e-5)
    model = structural_forecaster()
    scores = escalation_rolling_origin(
        data,
        lambda d, t: model(d, t)["tension"],
        first_scored="2024-12",
        score_through=data.months[-1],
    )
    for h in (3, 12):
        got = scores[
            (scores["period"] == "test")
            & (scores["horizon"] == h)
            & (scores["forecaster"] == "model")
        ]
        row = shipped[
            (shipped["period"] == "test")
            & (shipped["horizon"] == h)
            & (shipped["forecaster"] == "model")
        ].iloc[0]
        assert len(got) == row["n"]
        assert got["p"].mean() == pytest.approx(row["mean_p"], abs=6e-5)
        assert got["brier"].mean() == pytest.approx(row["brier"], abs=6e-5)


def test_report_shows_the_escalation_check_from_the_fixture() -> None:
    from peninsula import load_scenario
    from peninsula.crisis.escalation import bundled_escalation
    from peninsula.report.content import Table
    from peninsula.report.sections.crisis import skill_blocks

    table = next(
        b
        for b in skill_blocks(load_scenario("korea-2025"))
        if isinstance(b, Table) and b.id == "crisis-escalation"
    )
    shipped = bundled_escalation()
    model = shipped[(shipped["period"] == "validation") & (shipped["forecaster"] == "model")]
    row = next(r for r in table.rows if r[0].text == "2022–24" and r[1].text == "12 months")
    m12 = model[model["horizon"] == 12].iloc[0]
    assert row[2].text == f"{int(m12['crossings'])} of {int(m12['n'])}"
    assert row[4].text == f"{m12['brier']:.3f}"
    # the best rule is named with its paired difference to the model
    rules = shipped[
        (shipped["period"] == "validation")
        & (shipped["horizon"] == 12)
        & (shipped["forecaster"] != "model")
    ].sort_values("brier")
    assert row[5].text.startswith(f"{rules.iloc[0]['forecaster']}: {rules.iloc[0]['d_brier']:+.3f}")


def test_brief_names_the_best_rule_per_period() -> None:
    import pandas as pd

    from peninsula.crisis.escalation import brief

    table = pd.DataFrame(
        [
            ("validation", 12, "model", 25, 25, 0.77, 0.126),
            ("validation", 12, "state", 25, 25, 0.46, 0.354),
            ("validation", 12, "climatology", 25, 25, 0.25, 0.561),
            ("validation", 3, "model", 34, 24, 0.72, 0.117),
        ],
        columns=["period", "horizon", "forecaster", "n", "crossings", "mean_p", "brier"],
    )
    text = brief(table)
    assert "2022–24: Brier 0.126 against 0.354 for the best simple rule (state)" in text
    assert "crises in 25 of 25 windows, mean P 0.77" in text
    assert "2019–21" not in text  # no rows for that period
    assert brief(table[table["horizon"] == 3], horizon=12) == ""


def test_caveat_only_when_a_rule_beat_the_model_in_the_latest_period() -> None:
    import pandas as pd

    from peninsula.crisis.escalation import caveat

    columns = ["period", "horizon", "forecaster", "n", "crossings", "mean_p", "brier"]
    better = pd.DataFrame(
        [
            ("validation", 12, "model", 25, 25, 0.77, 0.126),
            ("validation", 12, "state", 25, 25, 0.46, 0.354),
        ],
        columns=columns,
    )
    assert caveat(better) == ""
    # the latest period with rows decides: here the test period, where the rule did better
    worse = pd.concat(
        [
            better,
            pd.DataFrame(
                [
                    ("test", 12, "model", 4, 0, 0.79, 0.620),
                    ("test", 12, "state", 4, 0, 0.29, 0.084),
                ],
                columns=columns,
            ),
        ]
    )
    text = caveat(worse)
    assert "2025-01..2026-03" in text and "mean P(crisis) was 0.79 and no crisis came" in text
    assert "(state) scored better (Brier 0.084 against 0.620)" in text


def test_report_summary_carries_the_caveat_beside_p_crisis() -> None:
    from peninsula.crisis.escalation import bundled_escalation, caveat
    from peninsula.report.sections.crisis import _summary_text
    from peninsula.report.sections.frames import Interval

    warning = caveat(bundled_escalation())
    summary = {"status-quo": {"p_crisis": Interval(0.5, 0.4, 0.6)}}
    text = _summary_text(summary, ["status-quo"], {"status-quo": "No change"})
    assert warning and text.endswith(warning)


def test_unseen_months_once_scored_are_the_latest_track_record() -> None:
    # when an updated table adds months after 2026-03, their rows decide the caveat
    import pandas as pd

    from peninsula.crisis.escalation import brief, caveat

    columns = ["period", "horizon", "forecaster", "n", "crossings", "mean_p", "brier"]
    table = pd.DataFrame(
        [
            ("test", 12, "model", 4, 0, 0.79, 0.620),
            ("test", 12, "state", 4, 0, 0.29, 0.084),
            ("unseen", 12, "model", 6, 1, 0.40, 0.150),
            ("unseen", 12, "state", 6, 1, 0.20, 0.200),
        ],
        columns=columns,
    )
    assert caveat(table) == ""  # the model did better in the newest period
    assert "after 2026-03: Brier 0.150 against 0.200" in brief(table)


def test_months_appended_after_2026_03_are_scored_as_the_unseen_period() -> None:
    # The update path (crisis-data update, then crisis-backtest --final-test): months after the
    # bundled table end up in the "unseen" period of both the count backtest and this check,
    # never in the seen test. Twelve made-up quiet months 2026-04..2027-03 are appended.
    from peninsula.crisis import backtest as bt
    from peninsula.crisis.data import load_monthly

    data = load_monthly()
    extra = 12
    months = data.months + tuple(
        f"{2026 + (3 + k) // 12}-{(3 + k) % 12 + 1:02d}" for k in range(extra)
    )
    assert months[-extra] == "2026-04" and months[-1] == "2027-03"
    pad = np.zeros((extra, data.counts.shape[1]))
    longer = MonthlyData(
        months,
        np.vstack([data.counts, pad]),
        np.concatenate([data.talks, np.zeros(extra)]),
        np.concatenate([data.russia, np.full(extra, data.russia[-1])]),
        np.concatenate([data.china, np.full(extra, data.china[-1])]),
    )
    counts = bt.rolling_origin(
        longer,
        None,
        targets=("launches",),
        horizons=(1, 3),
        first_origin="2025-06",
        score_through=months[-1],
    )
    unseen = counts.scores[counts.scores["period"] == "unseen"]
    # origins 2026-03..2027-02 for 1 month, 2026-03..2026-12 for 3 months
    assert unseen.groupby("horizon")["origin"].nunique().to_dict() == {1: 12, 3: 10}
    escalation = escalation_rolling_origin(
        longer, None, first_scored="2025-06", score_through=months[-1]
    )
    late = escalation[escalation["period"] == "unseen"]
    assert late.groupby("horizon")["origin"].nunique().to_dict() == {3: 10, 12: 1}
    assert late["origin"].min() == "2026-03"  # its window starts in 2026-04
