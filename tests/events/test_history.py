"""The bundled history: validated on load, and the measured series matches the record."""

from __future__ import annotations

import pandas as pd
import pytest

from peninsula.errors import InputError
from peninsula.events.analysis import change_points, dyad_series
from peninsula.events.history import COLUMNS, load_history, parse_history

HEADER = "date,source,target,cameo_code,goldstein,mentions,description,source_url\n"


def test_history_contract() -> None:
    h = load_history()
    assert list(h.columns) == list(COLUMNS)
    assert str(h["date"].dtype) == "datetime64[ns]"
    assert h["goldstein"].dtype == "float64" and h["quad_class"].dtype == "int64"
    assert h["mentions"].dtype == "int64"
    assert len(h) >= 120
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
