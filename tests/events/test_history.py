"""The bundled history: validated on load, and the measured series matches the record."""

from __future__ import annotations

import pandas as pd
import pytest

from peninsula.errors import InputError
from peninsula.events.analysis import change_points, dyad_series
from peninsula.events.history import (
    COLUMNS,
    coverage_note,
    launch_events_by_month,
    load_history,
    parse_history,
)

HEADER = "date,source,target,cameo_code,goldstein,mentions,description,source_url\n"
HEADER_V2 = (
    "date,source,target,cameo_code,goldstein,mentions,category,description,source_url,"
    "source_kind,checked\n"
)


def test_history_contract() -> None:
    h = load_history()
    assert list(h.columns) == list(COLUMNS)
    assert str(h["date"].dtype) == "datetime64[ns]"
    assert h["goldstein"].dtype == "float64" and h["quad_class"].dtype == "int64"
    assert h["mentions"].dtype == "int64"
    assert len(h) >= 300
    assert set(h["category"]) >= {"launch", "leadership", "unsc", "summit", "exercise"}
    assert h["date"].is_monotonic_increasing
    assert h["root_code"].str.len().eq(2).all()
    assert set(h["quad_class"]) <= {1, 2, 3, 4}


def test_history_measured_series_matches_the_record() -> None:
    s = dyad_series(load_history(), "USA", "PRK", freq="month")
    g = s["goldstein_mean"]
    # 2017-08/09: "fire and fury", Guam threat, sixth nuclear test, "Rocket Man"
    assert g["2017-08-01"] < -2 and g["2017-09-01"] < -2
    # 2018-06: Singapore summit
    assert g["2018-06-01"] > 2
    # after Hanoi (2019-03 .. 2019-12): lower than the Singapore month
    after = s.loc["2019-03-01":"2019-12-01"]
    post_hanoi = after["goldstein_sum"].sum() / after["events"].sum()
    assert post_hanoi < g["2018-06-01"]
    # PELT finds the 2017 -> 2018 shift between late 2017 and mid 2018
    cps = change_points(s)
    assert any(pd.Timestamp("2017-10-01") <= c <= pd.Timestamp("2018-07-01") for c in cps)


def test_bad_history_row_names_file_line_field() -> None:
    text = HEADER + (
        "2017-08-08,USA,PRK,138,,1,fire and fury,https://example.org\n"
        "2017-08-09,USA,PRK,999,,1,bad code,https://example.org\n"
        "2017-13-01,USA,PRK,138,,1,bad date,https://example.org\n"
        "2017-08-10,USA,XXX,138,,1,bad actor,https://example.org\n"
        "2017-08-11,USA,PRK,138,abc,1,bad weight,https://example.org\n"
        "2017-08-12,USA,PRK,138,,1,no url,example.org\n"
    )
    with pytest.raises(InputError) as info:
        parse_history(text, "hist.csv")
    msg = str(info.value)
    assert "hist.csv:3: cameo_code" in msg
    assert "hist.csv:4: date" in msg
    assert "hist.csv:5: target" in msg
    assert "hist.csv:6: goldstein" in msg
    assert "hist.csv:7: source_url" in msg
    assert "hist.csv:2" not in msg


def test_empty_goldstein_comes_from_codebook() -> None:
    h = parse_history(HEADER + "2018-06-12,USA,PRK,057,,,summit,https://example.org\n", "x")
    assert h["goldstein"].tolist() == [8.0] and h["mentions"].tolist() == [1]


def test_launch_events_count_days_not_rows() -> None:
    """Two rows on one day (a launch coded toward the US and one toward Japan) are one launch
    event; months without launches inside the span are zero, not missing."""
    h = parse_history(
        HEADER_V2
        + "2022-01-05,PRK,USA,150,,1,launch,hypersonic missile,https://example.org,,\n"
        + "2022-01-05,PRK,JPN,150,,1,launch,same day toward Japan,https://example.org,,\n"
        + "2022-01-11,PRK,USA,150,,1,launch,second launch day,https://example.org,,\n"
        + "2022-02-10,USA,PRK,111,,1,statement,a statement,https://example.org,,\n"
        + "2022-03-24,PRK,USA,150,,1,launch,ICBM,https://example.org,,\n",
        "x.csv",
    )
    counts = launch_events_by_month(h)
    assert counts.to_dict() == {
        pd.Period("2022-01", "M"): 2,
        pd.Period("2022-02", "M"): 0,
        pd.Period("2022-03", "M"): 1,
    }


def test_bundled_launch_events_by_month() -> None:
    counts = launch_events_by_month(load_history())
    # 2019-08: 2, 6, 10, 16 and 24 August (CNS database, KST dates)
    assert counts[pd.Period("2019-08", "M")] == 5
    assert counts[pd.Period("2018-06", "M")] == 0  # the 2018 moratorium
    assert counts.index.min() == pd.Period("2017-01", "M")


def test_category_and_check_fields_are_validated() -> None:
    text = HEADER_V2 + (
        "2017-08-08,USA,PRK,138,,1,threat,fire and fury,https://example.org,,\n"
        "2017-08-09,USA,USA,138,,1,statement,self,https://example.org,,\n"
        "2017-08-10,USA,PRK,138,,1,statement,kind,https://example.org,blog,\n"
        "2017-08-11,USA,PRK,138,,1,statement,checked,https://example.org,wire,yesterday\n"
        "2017-08-12,KOR,KOR,1724,,1,leadership,martial law,https://example.org,wire,2026-11-29\n"
    )
    with pytest.raises(InputError) as info:
        parse_history(text, "h.csv")
    msg = str(info.value)
    assert "h.csv:2: category" in msg
    assert "h.csv:3: target" in msg
    assert "h.csv:4: source_kind" in msg
    assert "h.csv:5: checked" in msg
    assert "h.csv:6" not in msg


def test_legacy_header_still_reads() -> None:
    h = parse_history(HEADER + "2018-06-12,USA,PRK,057,,,summit,https://example.org\n", "x")
    assert h["category"].tolist() == ["other"] and h["checked"].tolist() == [""]
    assert coverage_note().startswith("Complete from 2017-01")
