"""The bundled monthly dataset against the published annual figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peninsula.crisis.data import load_monthly
from peninsula.crisis.model import MISSILE_TYPES, TYPE_INDEX
from peninsula.errors import InputError


def _annual(year: int) -> float:
    data = load_monthly()
    rows = data.years() == year
    return float(data.counts[rows][:, [TYPE_INDEX[t] for t in MISSILE_TYPES]].sum())


def test_shape_and_months() -> None:
    data = load_monthly()
    assert len(data) == 96
    assert data.months[0] == "2017-01" and data.months[-1] == "2024-12"


@pytest.mark.parametrize(
    ("year", "low", "high"),
    # korea-facts.md / CNS: 2017 ~16–20 events, 2018 none, 2019 ~13, 2022 record ~37.
    [(2017, 15, 20), (2018, 0, 0), (2019, 12, 14), (2022, 33, 40), (2023, 18, 26)],
)
def test_annual_launch_events_match_published_ranges(year: int, low: float, high: float) -> None:
    assert low <= _annual(year) <= high


def test_one_nuclear_test_in_september_2017() -> None:
    data = load_monthly()
    nuc = data.counts[:, TYPE_INDEX["nuclear_tests"]]
    assert nuc.sum() == 1 and data.months[int(np.argmax(nuc))] == "2017-09"


def test_bad_csv_names_file_line_and_column(tmp_path: Path) -> None:
    source = load_monthly.__globals__["default_path"]().read_text().splitlines()
    source[3] = source[3].replace("2017-03,", "2017-03,x", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(source))
    with pytest.raises(InputError, match=r"bad\.csv:4: srbm_cruise"):
        load_monthly(bad)
