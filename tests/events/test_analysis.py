"""Dyad series, change points and peak annotation on hand-worked cases and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peninsula.errors import InputError
from peninsula.events.analysis import (
    SERIES_COLUMNS,
    annotate_peaks,
    change_points,
    dyad_series,
    regimes,
)


def frame(rows: list[tuple[str, str, str, str, float, int]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["date", "source", "target", "cameo_code", "goldstein",
                                     "quad_class"])  # fmt: skip
    df["date"] = pd.to_datetime(df["date"])
    df["mentions"] = 1
    df["description"] = [f"event {i}" for i in range(len(df))]
    df["source_url"] = "https://example.org"
    return df


TINY = frame(
    [
        ("2020-01-05", "USA", "PRK", "057", 8.0, 1),
        ("2020-01-20", "PRK", "USA", "138", -7.0, 3),
        ("2020-03-02", "USA", "PRK", "163", -8.0, 4),
        ("2020-03-03", "CHN", "PRK", "042", 1.9, 1),  # other dyad: ignored
        ("2020-03-09", "PRK", "USA", "061", 6.4, 2),
    ]
)


def test_monthly_undirected_hand_worked() -> None:
    s = dyad_series(TINY, "USA", "PRK", freq="month")
    assert list(s.columns) == list(SERIES_COLUMNS)
    assert [d.strftime("%Y-%m-%d") for d in s.index] == ["2020-01-01", "2020-02-01", "2020-03-01"]
    # Jan: +8.0 (q1) and -7.0 (q3): 2 events, sum 1.0, mean 0.5, net (1 - 1) / 2 = 0
    # Feb: empty -> zeros
    # Mar: -8.0 (q4) and +6.4 (q2): sum -1.6, mean -0.8, net (1 - 1) / 2 = 0
    assert s["events"].tolist() == [2, 0, 2]
    assert s["verbal_coop"].tolist() == [1, 0, 0]
    assert s["material_coop"].tolist() == [0, 0, 1]
    assert s["verbal_conflict"].tolist() == [1, 0, 0]
    assert s["material_conflict"].tolist() == [0, 0, 1]
    assert s["goldstein_sum"].tolist() == pytest.approx([1.0, 0.0, -1.6])
    assert s["goldstein_mean"].tolist() == pytest.approx([0.5, 0.0, -0.8])
    assert s["net_cooperation"].tolist() == pytest.approx([0.0, 0.0, 0.0])


def test_directed_hand_worked() -> None:
    s = dyad_series(TINY, "USA", "PRK", freq="month", directed=True)
    # USA->PRK only: Jan +8.0 (coop), Feb empty, Mar -8.0 (conflict)
    assert s["events"].tolist() == [1, 0, 1]
    assert s["goldstein_mean"].tolist() == pytest.approx([8.0, 0.0, -8.0])
    assert s["net_cooperation"].tolist() == pytest.approx([1.0, 0.0, -1.0])
    back = dyad_series(TINY, "PRK", "USA", freq="month", directed=True)
    assert back["goldstein_mean"].tolist() == pytest.approx([-7.0, 0.0, 6.4])


def test_weekly_and_yearly_periods() -> None:
    w = dyad_series(TINY, "USA", "PRK", freq="week")
    # 2020-01-05 is a Sunday -> week starting Monday 2019-12-30; last 2020-03-09 (Monday)
    assert w.index[0] == pd.Timestamp("2019-12-30") and w.index[-1] == pd.Timestamp("2020-03-09")
    assert (w.index.day_of_week == 0).all()
    assert len(w) == 11 and w["events"].sum() == 4
    y = dyad_series(TINY, "USA", "PRK", freq="year")
    assert y.index.tolist() == [pd.Timestamp("2020-01-01")]
    assert y["goldstein_sum"].iloc[0] == pytest.approx(8.0 - 7.0 - 8.0 + 6.4)
    d = dyad_series(TINY, "USA", "PRK", freq="day")
    assert len(d) == (pd.Timestamp("2020-03-09") - pd.Timestamp("2020-01-05")).days + 1


def test_bad_freq_and_empty_dyad() -> None:
    with pytest.raises(InputError, match="--freq"):
        dyad_series(TINY, "USA", "PRK", freq="fortnight")
    empty = dyad_series(TINY, "USA", "RUS")
    assert empty.empty and list(empty.columns) == list(SERIES_COLUMNS)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 700),
            st.sampled_from(["USA", "PRK", "KOR"]),
            st.sampled_from(["USA", "PRK", "KOR"]),
            st.sampled_from([1, 2, 3, 4]),
            st.floats(-10, 10),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["day", "week", "month", "year"]),
)
def test_series_invariants(rows: list, freq: str) -> None:
    df = frame(
        [
            (
                (pd.Timestamp("2018-01-01") + pd.Timedelta(days=d)).strftime("%Y-%m-%d"),
                s,
                t,
                "010",
                g,
                q,
            )
            for d, s, t, q, g in rows
        ]
    )
    s = dyad_series(df, "USA", "PRK", freq=freq)
    pair = df[((df.source == "USA") & (df.target == "PRK")) | ((df.source == "PRK") &
                                                            (df.target == "USA"))]  # fmt: skip
    assert s["events"].sum() == len(pair)
    quads = s[["verbal_coop", "material_coop", "verbal_conflict", "material_conflict"]]
    assert (quads.sum(axis=1) == s["events"]).all()
    assert s["goldstein_sum"].sum() == pytest.approx(pair["goldstein"].sum(), abs=1e-6)
    assert ((s["net_cooperation"] >= -1) & (s["net_cooperation"] <= 1)).all()
    assert s.index.is_monotonic_increasing and s.index.is_unique
    if len(pair):
        assert s["events"].iloc[0] > 0 and s["events"].iloc[-1] > 0


def test_change_points_on_a_step() -> None:
    rng = np.random.default_rng(7)
    values = np.r_[np.full(20, -5.0), np.full(15, 4.0), np.full(20, -2.0)]
    values += rng.normal(0, 0.8, values.size)
    idx = pd.date_range("2017-01-01", periods=values.size, freq="MS")
    s = pd.DataFrame({"goldstein_mean": values, "events": 1}, index=idx)
    cps = change_points(s)
    assert list(cps) == [idx[20], idx[35]]
    r = regimes(s, cps)
    assert r["periods"].tolist() == [20, 15, 20]
    assert r["mean"].tolist() == pytest.approx([-5.0, 4.0, -2.0], abs=0.5)


def test_change_points_none_on_noise_and_short() -> None:
    rng = np.random.default_rng(3)
    idx = pd.date_range("2017-01-01", periods=60, freq="MS")
    s = pd.DataFrame({"goldstein_mean": rng.normal(0, 1, 60)}, index=idx)
    assert len(change_points(s)) == 0
    assert len(change_points(s.iloc[:3])) == 0
    with pytest.raises(InputError, match="no column"):
        change_points(s, column="nope")


def test_annotate_peaks_picks_driving_events() -> None:
    s = dyad_series(TINY, "USA", "PRK", freq="month")
    notes = annotate_peaks(s, TINY, top=1, per_period=1)
    # most conflictual month: March (-0.8), its most negative event is -8.0 (163);
    # most cooperative: January (+0.5), driven by +8.0 (057). CHN->PRK never appears.
    assert notes[["kind", "cameo_code"]].values.tolist() == [
        ["conflict", "163"],
        ["cooperation", "057"],
    ]
    assert notes["period"].tolist() == [pd.Timestamp("2020-03-01"), pd.Timestamp("2020-01-01")]
    assert "CHN" not in set(notes["source"])
