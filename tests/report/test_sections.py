"""The engine-backed sections: each against a small fake engine function (patched where the
section imported it, so the section's reading of the contract is checked with hand-made
numbers) and against the real engine (so the section keeps working with what actually landed)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from peninsula import defaults
from peninsula.events.analysis import rolling_means
from peninsula.report.build import SECTIONS
from peninsula.report.content import Notice, Section, Table
from peninsula.report.sections import crisis, history, policies, sensitivity
from peninsula.report.sections.frames import Interval, read_summary
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario
from peninsula.summary import summary_frame, wilson

TINY = ReportSettings(runs=16, seed=3)


def run_section(
    section_id: str, scenario: Scenario, settings: ReportSettings, seed: int
) -> Section:
    spec = next(s for s in SECTIONS if s.id == section_id)
    return spec.builder(scenario, settings, seed)


def _table(section: Section, table_id: str) -> Table:
    return next(t for t in section.tables if t.id == table_id)


# --------------------------------------------------------------------------- summary frames
def test_both_engines_summaries_read_the_same_way(korea: Scenario) -> None:
    from peninsula.crisis import simulate_policies
    from peninsula.ensemble import run_experiments

    ensemble = run_experiments(korea, runs=8, seed=1).summary()
    crisis_summary = simulate_policies(korea, horizon=3, paths=20, seed=1).summary()
    for frame in (ensemble, crisis_summary):
        assert list(frame.index.names) == ["policy", "measure"]
        assert list(frame.columns[:3]) == ["mean", "low", "high"] and frame.attrs["interval"]
        read = read_summary(frame)
        policy, measure = frame.index[0]
        row = frame.loc[(policy, measure)]
        assert read[policy][measure] == Interval(row["mean"], row["low"], row["high"])
    # a probability's interval is the Wilson interval of the proportion (summary.wilson)
    p = crisis_summary.loc[("status-quo", "p_crisis")]
    assert (p["low"], p["high"]) == pytest.approx(wilson(p["mean"], 20))


def test_wilson_interval_hand_worked() -> None:
    # p = 0.5, n = 100, z² = 3.8415: centre = (0.5 + 0.0192) / 1.0384 = 0.5;
    # half = 1.96 · sqrt(0.0025 + 3.8415/40000) / 1.0384 = 1.96 · 0.050951 / 1.0384 = 0.09617
    low, high = wilson(0.5, 100)
    assert low == pytest.approx(0.40383, abs=1e-4) and high == pytest.approx(0.59617, abs=1e-4)
    # p = 0: the interval starts at 0 and is not degenerate (0, 3.8415/(100+3.8415) = 0.037)
    low, high = wilson(0.0, 100)
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(0.0370, abs=1e-3)


def test_interval_text() -> None:
    assert Interval(0.5, 0.25, 0.75).text(2) == "0.50 (0.25–0.75)"
    assert Interval(-0.1, -0.3, 0.2).text(1) == "−0.1 (−0.3 to 0.2)"
    assert Interval(0.2, 0.15, 0.26).text(0, 100, "%") == "20% (15–26%)"
    assert Interval(3.0, math.nan, math.nan).text(1) == "3.0"


def test_unreadable_summary_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a policy × measure summary"):
        read_summary(pd.DataFrame({"x": [1.0]}))


# --------------------------------------------------------------------------- policies
class _FakeExperiment:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def summary(self) -> pd.DataFrame:
        return self.frame


def test_policies_section_with_a_fake_ensemble(
    korea: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def run_experiments(scenario: Scenario, runs: int, seed: int, **kwargs: Any) -> Any:
        calls.append({"runs": runs, "seed": seed, **kwargs})
        rows = []
        for i, policy in enumerate(["status-quo", *(p.id for p in scenario.policies)]):
            rows += [
                (policy, "deal", 1.0, 1.0, 1.0),  # the same under every policy
                (policy, "sidelined.flag", 0.1 * i, 0.0, 1.0),
                (policy, "outcome.denuclearisation", 10.0 * i, 5.0 * i, 20.0 * i),
                (policy, "utility.USA", -0.1 * i, -0.2 * i, 0.0),
            ]
        # scrambled row order: the section must put the baseline first itself
        return _FakeExperiment(summary_frame(rows[::-1]))

    monkeypatch.setattr(policies, "run_experiments", run_experiments)
    section = run_section("policies", korea, ReportSettings(runs=50, seed=9), 123)
    assert calls == [
        {"runs": 50, "seed": 123, "models": ("eum",), "executor": "local", "workers": None}
    ]
    table = _table(section, "policy-comparison")
    assert table.columns[1] == "Status quo (no change)"
    assert table.columns[2] == korea.policies[0].label
    denuc = next(r for r in table.rows if r[0].text.startswith("Outcome: Denuclearisation"))
    # policy index 2 (second scenario policy): mean 20, band 10–40
    assert denuc[3].text == "20 (10–40)"
    sidelined = next(r for r in table.rows if r[0].text.startswith("South Korea sidelined"))
    assert "probability, 95% MC interval" in sidelined[0].text
    # Wilson, n = 50, z² = 3.8415: p = 0 gives (0, z²/(n+z²)) = (0, 0.071); p = 0.1 gives
    # centre (0.1 + 0.0384)/1.0768 = 0.1285 ± 1.96·sqrt(0.0018 + 0.000384)/1.0768 = 0.0851
    assert [c.text for c in sidelined[1:3]] == ["0% (0–7%)", "10% (4–21%)"]
    assert [c.text.split(" ")[0] for c in sidelined[3:]] == ["20%", "30%", "40%", "50%"]
    shares = next(c for c in section.charts if c.id == "chart-policy-shares")
    # the deal is 100% everywhere: nothing to compare, so only the sidelining is charted, the
    # actor by its scenario name ("South Korea (Lee Jae-myung government)", the bracket dropped)
    assert [s.name for s in shares.series] == ["South Korea sidelined"]
    assert "100% under every policy" in shares.description
    assert shares.series[0].y == pytest.approx((0.0, 10.0, 20.0, 30.0, 40.0, 50.0))
    numbers = section.numbers["summary"]
    utility = numbers["freeze-for-relief"]["utility.USA"]
    assert utility["kind"] == "mean" and utility["estimate"] == pytest.approx(-0.2)
    assert utility["interval"]["type"] == "percentile" and utility["interval"]["level"] == 0.9
    seoul = numbers["cvid-and-sanctions"]["sidelined.flag"]
    assert seoul["kind"] == "probability" and seoul["interval"]["type"] == "monte-carlo"
    assert (seoul["interval"]["low"], seoul["interval"]["high"]) == pytest.approx(
        (0.0435, 0.2136), abs=1e-4
    )
    assert "South Korea is sidelined most often under" in section.summary
    assert "Seoul is sidelined" not in section.summary and "Seoul" not in shares.title


def test_policies_section_with_the_real_ensemble(korea: Scenario) -> None:
    from peninsula.ensemble import run_experiments

    section = run_section("policies", korea, TINY, 11)
    expected = read_summary(run_experiments(korea, runs=16, seed=11).summary())
    assert section.numbers["policies"][0] == "status-quo"
    assert set(section.numbers["policies"]) == {"status-quo", *(p.id for p in korea.policies)}
    for policy, per in expected.items():
        for measure, value in per.items():
            got = section.numbers["summary"][policy][measure]
            assert got["estimate"] == pytest.approx(value.mean, nan_ok=True)
    assert len(_table(section, "policy-comparison").rows) == len(next(iter(expected.values())))
    assert {c.id for c in section.charts} >= {"chart-policy-outcomes", "chart-policy-utility"}


def test_a_scenario_without_a_sidelined_actor_gets_no_sidelining_measure_or_sentence() -> None:
    # COP21 (Stokman & Thomson 2015) sets no roles: the sidelining measures are omitted, and
    # with them every sentence, label and scorecard column about a sidelined actor.
    from peninsula.report.sections.bottom_line import build_bottom_line
    from peninsula.scenario.loader import load_scenario

    cop21 = load_scenario("cop21-2015")
    assert cop21.roles.sidelined is None
    section = run_section("policies", cop21, TINY, 1)
    shown = {m for per in section.numbers["summary"].values() for m in per}
    assert "deal" in shown and "utility.USA" in shown
    assert not any(m.startswith(("sidelined.", "seoul.")) for m in shown)
    assert "sidelined" not in repr(section).lower() and "seoul" not in repr(section).lower()
    bottom = build_bottom_line(cop21, TINY, [section])
    assert [c["measure"] for c in bottom.numbers["columns"]] == ["deal"]
    assert "sidelined" not in repr(bottom).lower()


# --------------------------------------------------------------------------- sensitivity
def _sobol(values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "S1": [v[0] for v in values.values()],
            "S1_conf": 0.05,
            "ST": [v[1] for v in values.values()],
            "ST_conf": 0.05,
        },
        index=pd.Index(list(values), name="input"),
    )
    return frame


def test_sensitivity_section_with_a_fake_engine(
    korea: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int, str]] = []

    def fake(scenario: Scenario, runs: int, seed: int, **kw: Any) -> pd.DataFrame:
        asked.append((runs, seed, kw["model"]))
        tables = {
            # constant over the sample: no variance to split
            "alliance.strain": _sobol({"PRK.capability": (math.nan, math.nan)}),
        }
        for measure in ("nonpro.erosion", "sidelined.flag"):
            # deliberately not sorted by ST
            tables[measure] = _sobol(
                {
                    "PRK.capability": (0.1, 0.2),
                    "USA.seoul_role.salience": (0.5, 0.7),
                    "denuclearisation.status_quo": (0.0, 0.05),
                }
            )
        return pd.concat(tables, names=["measure"])

    monkeypatch.setattr(sensitivity, "sensitivity_all", fake)
    section = run_section("sensitivity", korea, ReportSettings(runs=200), 5)
    assert asked == [(50, 5, "eum")]  # one call for every measure; base sample runs // 4
    table = _table(section, "sensitivity")
    assert [r[1].text for r in table.rows] == ["USA's salience on Seoul's role in the talks"] * 2
    assert [r[2].text for r in table.rows] == ["0.70", "0.70"]
    chart = section.charts[0]
    assert chart.series[0].name == "total effect (ST)"
    assert chart.series[0].y == (0.7, 0.2, 0.05)  # largest first
    assert len(section.charts) == 2  # the constant measure gets a sentence, not a chart
    assert any("same in every sampled world" in getattr(b, "text", "") for b in section.blocks)


def test_input_labels(korea: Scenario) -> None:
    assert sensitivity.input_label("PRK.capability", korea) == "PRK's capability"
    assert (
        sensitivity.input_label("denuclearisation.status_quo", korea)
        == "status quo of Denuclearisation terms"
    )
    assert sensitivity.input_label("relation.USA-KOR.strength", korea) == (
        "relation.USA-KOR.strength"
    )


def test_sensitivity_section_with_the_real_engine(korea: Scenario) -> None:
    section = run_section("sensitivity", korea, TINY, 2)
    assert section.numbers["base_runs"] == 16
    for measure, indices in section.numbers["measures"].items():
        assert measure in sensitivity.MEASURES
        totals = [v["ST"] for v in indices.values() if not math.isnan(v["ST"])]
        assert totals == sorted(totals, reverse=True)
    for chart in section.charts:
        assert chart.horizontal and len(chart.series[0].x) <= sensitivity.TOP


# --------------------------------------------------------------------------- crisis
def test_fan_percentiles_hand_worked() -> None:
    # 5 paths with values 0..4 in every month: percentiles by linear interpolation,
    # p05 = 0.2, p25 = 1, p50 = 2, p75 = 3, p95 = 3.8
    paths = np.repeat(np.arange(5.0)[:, None], 3, axis=1)
    bands = crisis.fan(paths)
    assert bands["p05"] == pytest.approx([0.2] * 3)
    assert bands["p50"] == pytest.approx([2.0] * 3)
    assert bands["p95"] == pytest.approx([3.8] * 3)


def test_months_after() -> None:
    assert crisis.months_after("2024-12", 3) == ("2025-01-01", "2025-02-01", "2025-03-01")
    assert crisis.months_after("", 2) == ("1", "2")


def test_crisis_section_with_a_fake_engine(
    korea: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Result:
        policies = ("freeze-for-relief", "status-quo")
        start = "2025-09"
        threshold = 0.4

        def __init__(self) -> None:
            self.labels = {"status-quo": "No change", "freeze-for-relief": "Freeze"}
            self.notes: dict[str, str] = {}
            self.tension = {
                "status-quo": np.full((10, 4), 0.5),
                "freeze-for-relief": np.tile(np.linspace(0.0, 0.9, 10)[:, None], (1, 4)),
            }

        def summary(self) -> pd.DataFrame:
            return summary_frame(
                [
                    ("status-quo", "p_nuclear_test", 0.3, 0.2, 0.4),
                    ("status-quo", "launches_per_year", 20.0, 10.0, 30.0),
                    ("freeze-for-relief", "p_nuclear_test", 0.1, 0.05, 0.2),
                    ("freeze-for-relief", "launches_per_year", 8.0, 2.0, 15.0),
                ]
            )

    seen: dict[str, Any] = {}

    def simulate_policies(scenario: Scenario, **kwargs: Any) -> Result:
        seen.update(kwargs)
        return Result()

    monkeypatch.setattr(crisis, "simulate_policies", simulate_policies)
    section = run_section("crisis", korea, ReportSettings(runs=100), 77)
    assert seen == {"horizon": 24, "paths": 500, "seed": 77, "executor": "local"}
    table = _table(section, "crisis")
    assert table.columns == (
        "Policy",
        "P(seventh nuclear test) · probability, 95% MC interval",
        "Missile launches per year · mean, 5th–95th percentile",
    )
    # The probability's interval is the Wilson interval for 10 paths, computed by the report:
    # p = 0.3: centre (0.3 + 0.1921)/1.3842 = 0.3555 ± 1.96·sqrt(0.021 + 0.0096)/1.3842 =
    # 0.2477, so 11–60%; p = 0.1: (0.1 + 0.1921)/1.3842 = 0.2110 ± 1.96·sqrt(0.009 +
    # 0.0096)/1.3842 = 0.1931, so 2–40%.
    assert [c.text for c in table.rows[0]] == ["No change", "30% (11–60%)", "20.0 (10.0–30.0)"]
    assert [c.text for c in table.rows[1]] == ["Freeze", "10% (2–40%)", "8.0 (2.0–15.0)"]
    fans = section.charts
    assert [c.id for c in fans] == ["chart-crisis-status-quo", "chart-crisis-freeze-for-relief"]
    assert fans[0].series[0].x[0] == "2025-10-01"  # month 1 is the month after the start
    assert fans[0].reference_lines == ((0.4, "crisis threshold"),)
    assert fans[0].y_range == fans[1].y_range  # one shared scale
    # paths 0, 0.1, ..., 0.9: p05 = 0.045 and p95 = 0.855 (interpolated) must fit, and so
    # must the threshold
    low, high = fans[0].y_range or (0.0, 0.0)
    assert low < 0.045 and high > 0.855
    assert "from 10% (“Freeze”) to 30% (“No change”)" in section.summary


def test_crisis_section_with_the_real_engine(korea: Scenario) -> None:
    section = run_section("crisis", korea, TINY, 4)
    assert section.numbers["paths"] == defaults.crisis_paths(16)
    fans = section.numbers["tension_fan"]
    assert set(fans) == {"status-quo", *(p.id for p in korea.policies)}
    for bands in fans.values():
        assert len(bands["p50"]) == TINY.horizon_months
        lows, mids, highs = map(np.asarray, (bands["p05"], bands["p50"], bands["p95"]))
        assert np.all(lows <= mids) and np.all(mids <= highs)
        assert np.all(lows >= -1.0) and np.all(highs <= 1.0)  # tension lies in (−1, 1)
    for per in section.numbers["summary"].values():
        chance = per["p_nuclear_test"]
        assert chance["kind"] == "probability" and 0.0 <= chance["estimate"] <= 1.0
        interval = chance["interval"]
        assert interval["low"] <= chance["estimate"] <= interval["high"]
    # korea-2025 starts at 2025-09; the data record the first simulated months since
    # (2025-10, 2025-11 ...: 1 B + 1 C, 1 B, 1 C, 2 B, 0, 1 B + 2 C to 2026-03)
    since = section.numbers["observed_since"]
    months = min(TINY.horizon_months, 6)
    assert since["first"] == "2025-10" and since["months"] == months
    assert since["observed"] == [2, 3, 4, 6, 6, 9][months - 1]
    assert since["simulated_p05"] <= since["simulated_mean"] <= since["simulated_p95"]
    assert 0.0 <= since["share_at_or_below"] <= 1.0


# --------------------------------------------------------------------------- history
def test_smoothed_is_event_weighted() -> None:
    # Month 1: 1 event, Goldstein −8 (conflict); month 2: no events; month 3: 3 events summing
    # to +6 (all cooperative). A 3-month window at month 3: (−8 + 6) / 4 events = −0.5;
    # net cooperation: (3 − 1) / 4 = 0.5. Month 2: only month 1's event: −8 and −1.
    index = pd.date_range("2020-01-01", periods=3, freq="MS")
    monthly = pd.DataFrame(
        {
            "events": [1, 0, 3],
            "verbal_coop": [0, 0, 2],
            "material_coop": [0, 0, 1],
            "verbal_conflict": [1, 0, 0],
            "material_conflict": [0, 0, 0],
            "goldstein_sum": [-8.0, 0.0, 6.0],
        },
        index=index,
    )
    trend = rolling_means(monthly, window=3)
    assert trend["goldstein_mean"].tolist() == pytest.approx([-8.0, -8.0, -0.5])
    assert trend["net_cooperation"].tolist() == pytest.approx([-1.0, -1.0, 0.5])


def test_history_section_with_the_real_tracker(korea: Scenario) -> None:
    from peninsula.events.analysis import dyad_series
    from peninsula.events.history import load_history

    section = run_section("history", korea, TINY, 0)
    events = load_history()
    monthly = dyad_series(
        events[events["date"] <= pd.Timestamp(korea.metadata.as_of)], "USA", "PRK"
    )
    months = section.numbers["months"]
    assert len(months) == len(monthly)
    assert sum(m["events"] for m in months.values()) == section.numbers["events"]
    assert section.numbers["events"] == int(monthly["events"].sum())
    goldstein = next(c for c in section.charts if c.id == "chart-history-goldstein")
    assert goldstein.x_kind == "date" and goldstein.annotations
    events = _table(section, "history-events")
    # every numbered marker on the chart is explained by at least one row of the table
    assert {a.text for a in goldstein.annotations} == {r[0].text for r in events.rows}
    assert all(r[3].link.startswith("http") for r in events.rows)


def test_history_stops_at_the_scenario_date(korea: Scenario) -> None:
    earlier = korea.model_copy(
        update={"metadata": korea.metadata.model_copy(update={"as_of": date(2018, 12, 31)})}
    )
    section = history.build_history(earlier, TINY, 0)
    assert "2018-06-01" <= max(section.numbers["months"]) <= "2018-12-01"
    assert all(e["date"] <= "2018-12-31" for e in section.numbers["key_events"])


def test_history_without_the_dyad_says_so(korea: Scenario) -> None:
    others = korea.model_copy(update={"roles": korea.roles.model_copy(update={"dyad": None})})
    section = history.build_history(others, TINY, 0)
    assert isinstance(section.blocks[0], Notice) and "roles.dyad" in section.blocks[0].text
    assert section.numbers["dyad"] is None


def test_history_section_has_lanes_and_coverage(korea: Scenario) -> None:
    from peninsula.events.history import LANES, load_history

    section = history.build_history(korea, TINY, 0)
    lanes = next(c for c in section.charts if c.id == "chart-history-lanes")
    names = [s.name for s in lanes.series]
    assert any("Leadership changes" in n for n in names)
    # one marker per event up to the scenario's date, all actors
    events = load_history()
    known = events[events["date"] <= pd.Timestamp(korea.metadata.as_of)]
    assert sum(len(s.x) for s in lanes.series) == len(known)
    assert sum(section.numbers["lanes"].values()) == len(known)
    assert list(section.numbers["lanes"]) == list(LANES)
    assert section.numbers["coverage"].startswith("Complete from 2017-01")
    leaders = _table(section, "history-leadership")
    # as of the korea scenario: Moon, Yoon, martial law, impeachment ... all with sources
    assert any("martial law" in r[2].text for r in leaders.rows)
    assert all(r[2].link.startswith("http") for r in leaders.rows)
