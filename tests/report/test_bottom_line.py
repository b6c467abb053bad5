"""The bottom line: best and worst marks, trade-offs beyond Monte Carlo noise, layout data."""

from __future__ import annotations

import pytest

from peninsula.estimates import from_json, probability, spread
from peninsula.report import Report
from peninsula.report.content import Scorecard
from peninsula.report.sections.bottom_line import differs, headlines, marks, tradeoff
from peninsula.scenario.schema import Scenario
from peninsula.summary import wilson


def test_wilson_interval_matches_the_hand_computation() -> None:
    # p = 0.5, n = 100, z = 1.96: centre (0.5 + 0.0192)/1.0384 = 0.5; half-width
    # 1.96·sqrt(0.0025 + 0.000096)/1.0384 = 0.0962 -> (0.4038, 0.5962)
    assert wilson(0.5, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    # p = 0 keeps a positive upper bound: z²/(n + z²) = 3.8415/103.8415 = 0.0370
    assert wilson(0.0, 100) == pytest.approx((0.0, 0.0370), abs=1e-4)


def test_estimate_json_round_trips_and_says_what_its_interval_is() -> None:
    chance = probability(0.25, 400)
    data = chance.as_json()
    assert data["kind"] == "probability" and data["interval"]["type"] == "monte-carlo"
    assert data["interval"]["method"] == "wilson" and data["interval"]["level"] == 0.95
    assert from_json(data) == chance
    mean = spread(0.3, 0.1, 0.6, 400).as_json()
    assert mean["interval"] == {
        "type": "percentile",
        "level": 0.9,
        "low": 0.1,
        "high": 0.6,
        "percentiles": [5, 95],
    }


def test_marks_follow_the_better_direction_and_ties_as_shown() -> None:
    deal = {
        "a": probability(0.71, 2000),
        "b": probability(0.7104, 2000),  # both read 71%: both best
        "c": probability(0.16, 2000),
        "d": probability(0.40, 2000),
    }
    assert marks(deal, "higher") == {"a": "best", "b": "best", "c": "worst", "d": ""}
    crisis = {"a": probability(0.06, 2000), "b": probability(0.34, 2000)}
    assert marks(crisis, "lower") == {"a": "best", "b": "worst"}
    same = {"a": probability(0.42, 2000), "b": probability(0.4204, 2000)}
    assert marks(same, "lower") == {"a": "", "b": ""}


def test_differences_within_monte_carlo_noise_are_not_trade_offs() -> None:
    # n = 400: 0.50 has (0.451, 0.549) and 0.53 has (0.481, 0.578): overlapping, no difference;
    # 0.60 has (0.551, 0.647): no overlap with 0.50's, a difference
    assert not differs(probability(0.50, 400), probability(0.53, 400))
    assert differs(probability(0.50, 400), probability(0.60, 400))
    assert not differs(spread(0.29, 0.1, 0.5, 400), spread(0.30, 0.1, 0.5, 400))
    assert differs(spread(0.29, 0.1, 0.5, 400), spread(0.42, 0.3, 0.5, 400))


def test_trade_off_sentence_names_gains_and_costs(korea: Scenario) -> None:
    base = {
        "deal": probability(0.56, 2000),
        "sidelined.flag": probability(0.42, 2000),
        "nonpro.erosion": spread(0.29, 0.14, 0.47, 2000),
        "p_crisis": probability(0.34, 10000),
    }
    freeze = {
        "deal": probability(0.71, 2000),
        "sidelined.flag": probability(0.425, 2000),  # within noise: not mentioned
        "nonpro.erosion": spread(0.42, 0.36, 0.52, 2000),
        "p_crisis": probability(0.06, 10000),
    }
    shown = headlines(korea)
    assert tradeoff("freeze", freeze, base, shown) == (
        "Against the status quo: a likelier deal (71% vs 56%) and a lower crisis risk "
        "(6% vs 34%), but more non-proliferation erosion (0.42 vs 0.29)."
    )
    assert tradeoff("same", base, base, shown).startswith("No clear difference")
    assert tradeoff("status-quo", base, base, shown).startswith("The baseline")
    # a difference on the sidelining names the actor as the scenario does
    fewer = {**freeze, "sidelined.flag": probability(0.30, 2000)}
    assert "South Korea sidelined less often (30% vs 42%)" in tradeoff("x", fewer, base, shown)


def test_the_report_opens_with_the_scorecard(small_report: Report, korea: Scenario) -> None:
    first = small_report.sections[0]
    assert first.id == "bottom-line"
    card = next(b for b in first.blocks if isinstance(b, Scorecard))
    assert [c.label for c in card.columns] == [h.label for h in headlines(korea)]
    assert [c.label for c in card.columns][1] == "South Korea sidelined"
    assert {c.section for c in card.columns} == {"policies", "crisis"}
    assert len(card.rows) == 1 + len(korea.policies)  # the status quo and every policy
    assert "as of 2025-09-30" in card.caption and "24 sampled worlds" in card.caption
    for column_index in range(len(card.columns)):
        cells = [row.cells[column_index] for row in card.rows]
        if len({c.value for c in cells}) > 1:
            assert any(c.mark == "best" for c in cells) and any(c.mark == "worst" for c in cells)
    assert all(row.tradeoff.endswith(".") for row in card.rows)


def test_scorecard_says_crisis_risk_rests_on_judged_effects_and_its_track_record(
    small_report: Report,
) -> None:
    from peninsula.crisis.escalation import bundled_escalation, caveat

    card = next(b for b in small_report.sections[0].blocks if isinstance(b, Scorecard))
    assert "each policy's effects as the scenario states them, which are judgement" in card.note
    warning = caveat(bundled_escalation())
    assert warning and card.note.endswith(warning)
