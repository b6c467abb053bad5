"""The bundled monthly dataset: coverage, the agreed launch definition, sources and the update."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from peninsula.crisis import sources
from peninsula.crisis.data import load_monthly, update_table
from peninsula.crisis.model import TYPE_INDEX
from peninsula.errors import InputError


def _annual(year: int) -> float:
    data = load_monthly()
    return float(data.total_launches[data.years() == year].sum())


def test_coverage_through_march_2026() -> None:
    data = load_monthly()
    assert data.months[0] == "2017-01" and data.months[-1] == "2026-03"
    assert len(data) == 111


@pytest.mark.parametrize(
    ("year", "low", "high"),
    # CNS ballistic launch days (korea-facts-sourced.md §2a) + cruise dates of the supplement:
    # 2017 15 + 1, 2018 none, 2019 14 (incl. 2019-04-17), 2022 ~37 events (delfi/Yonhap).
    [(2017, 16, 16), (2018, 0, 0), (2019, 14, 14), (2022, 34, 40)],
)
def test_annual_launch_events_match_published_ranges(year: int, low: float, high: float) -> None:
    assert low <= _annual(year) <= high


def test_the_2019_04_17_launch_is_counted_in_no_class() -> None:
    data = load_monthly()
    i = data.months.index("2019-04")
    assert data.total_launches[i] == 1 and "2019-04-17/O" in data.launch_dates[i]
    assert data.counts[i, TYPE_INDEX["ballistic"]] == 0


def test_2025_launch_dates_from_the_sources() -> None:
    dates = " ".join(load_monthly().launch_dates)
    for code in (
        "2025-01-06/B",
        "2025-01-14/B",
        "2025-01-25/C",
        "2025-03-10/B",
        "2025-05-08/B",
        "2025-10-22/B",
        "2025-10-28/C",
    ):
        assert code in dates


def test_a_date_with_two_classes_counts_once_in_the_total() -> None:
    data = load_monthly()
    i = data.months.index("2022-11")
    assert "2022-11-02/B+C" in data.launch_dates[i]
    b, c = data.counts[i, TYPE_INDEX["ballistic"]], data.counts[i, TYPE_INDEX["cruise"]]
    assert data.total_launches[i] == b + c - 1


def test_blank_judgement_cells_are_imputed_causally() -> None:
    data = load_monthly()
    assert data.raw is not None and np.isnan(data.raw[-1, TYPE_INDEX["threats"]])
    past = data.raw[-27:-15, TYPE_INDEX["threats"]]  # the twelve coded months of 2024
    assert np.isclose(data.counts[-15, TYPE_INDEX["threats"]], past.mean())


def test_cns_rows_move_to_the_korean_date() -> None:
    doc = {
        "timeBins": [
            {
                "data": [
                    {"date": "2019-07-24", "time": "20:34 (UTC)", "missile": "hwasong-11a"},
                    {"date": "2019-07-24", "time": "unknown", "missile": "hwasong-11a"},
                    {"date": "2023-05-31", "time": "00:00 (UTC)", "missile": "chollima-1"},
                ]
            }
        ]
    }
    days = sources.launch_days(sources.cns_launches(doc), [])
    assert [d.code for d in days] == ["2019-07-25/B", "2023-05-31/S"]


def test_update_rebuilds_the_bundled_table(tmp_path: Path) -> None:
    # A CNS export holding only the 2025 ballistic launches reproduces the bundled 2025 rows
    # (the cruise dates come from the supplement).
    rows = [
        {"date": d, "time": t, "missile": "unknown"}
        for d, t in [
            ("2025-01-06", "03:01 (UTC)"),
            ("2025-01-14", "00:30 (UTC)"),
            ("2025-03-10", "04:50 (UTC)"),
            ("2025-05-07", "23:10 (UTC)"),
            ("2025-10-21", "23:10 (UTC)"),
            ("2025-11-07", "03:34 (UTC)"),
        ]
    ]
    export = tmp_path / "test.en.json"
    export.write_text(json.dumps({"timeBins": [{"data": rows}]}))
    report = update_table(export, through="2025-12")
    out = tmp_path / "new.csv"
    out.write_text(report.text)
    new, old = load_monthly(out), load_monthly()
    n = new.months.index("2025-12") + 1
    assert np.array_equal(new.total_launches[n - 12 : n], old.total_launches[n - 12 : n])
    assert report.changed  # the pre-2025 months lost their CNS launches: reported


def test_bad_csv_names_file_line_and_column(tmp_path: Path) -> None:
    source = load_monthly.__globals__["default_path"]().read_text().splitlines()
    source[3] = source[3].replace("2017-03,", "2017-03,x", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(source))
    with pytest.raises(InputError, match=r"bad\.csv:4: launches"):
        load_monthly(bad)


def test_history_check_flags_a_disagreeing_month() -> None:
    table = {"2019-04": ["2019-04-17/O"], "2019-05": ["2019-05-04/B", "2019-05-09/B"]}
    history = sources.history_launch_dates(
        [
            {
                "date": "2019-05-04",
                "source": "PRK",
                "cameo_code": "150",
                "description": "short-range missiles fired",
            }
        ]
    )
    found = sources.check_against_history(table, history, ["2019-04", "2019-05"])
    assert [(d.month, d.table, d.history) for d in found] == [("2019-04", 1, 0), ("2019-05", 2, 1)]
    assert found[1].only_table == ("2019-05-09",)


def test_history_check_uses_the_history_category_column_when_present() -> None:
    rows = [
        {
            "date": "2024-01-05",
            "source": "PRK",
            "cameo_code": "150",
            "category": "incident",
            "description": "North Korea fires more than 200 artillery rounds",
        },
        {
            "date": "2024-01-14",
            "source": "PRK",
            "cameo_code": "150",
            "category": "launch",
            "description": "Hypersonic IRBM",
        },
    ]
    assert sources.history_launch_dates(rows) == {"2024-01": {"2024-01-14"}}
