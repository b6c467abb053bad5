"""Integrity of the bundled CAMEO event codebook (``events/data/cameo_eventcodes.csv``).

The file is read with the standard ``csv`` module, independently of the package's own
loader, so these tests check the data itself. Expected values come from the CAMEO manual
v1.1b3 (Schrodt 2012) and GDELT's ``CAMEO.goldsteinscale.txt`` (Goldstein 1992 weights),
looked up by hand; see ``events/data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import peninsula

DATA = Path(peninsula.__file__).parent / "events" / "data"
HEADER = ["code", "label", "root_code", "goldstein", "quad_class"]


def _rows() -> list[dict[str, str]]:
    with (DATA / "cameo_eventcodes.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def by_code(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in rows}


def test_header_is_exact() -> None:
    with (DATA / "cameo_eventcodes.csv").open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == HEADER


def test_codes_are_unique_digit_strings(rows: list[dict[str, str]]) -> None:
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    for c in codes:
        assert re.fullmatch(r"\d{2,4}", c), c


def test_full_codebook_size(rows: list[dict[str, str]]) -> None:
    # CAMEO v1.1b3: 20 roots, ~ 290 two/three/four-digit sub-codes (GDELT lists 310).
    assert len(rows) >= 290


def test_all_twenty_roots_present(by_code: dict[str, dict[str, str]]) -> None:
    roots = {c for c in by_code if len(c) == 2}
    assert roots == {f"{i:02d}" for i in range(1, 21)}


def test_every_root_has_its_not_specified_code(by_code: dict[str, dict[str, str]]) -> None:
    # Each root "XY" has a generic "XY0" code (e.g. 010, 190, 200).
    for i in range(1, 21):
        assert f"{i:02d}0" in by_code


def test_hierarchy_is_consistent(by_code: dict[str, dict[str, str]]) -> None:
    for code, r in by_code.items():
        assert r["root_code"] == code[:2], code
        assert r["root_code"] in by_code, code
        if len(code) == 4:
            assert code[:3] in by_code, f"{code} has no parent {code[:3]}"


def test_leading_zeros_kept(by_code: dict[str, dict[str, str]]) -> None:
    for code in ("01", "010", "0211", "036", "042", "057", "0874"):
        assert code in by_code
    assert "211" not in by_code and "10" in by_code  # "10" is the DEMAND root, not 010


def test_goldstein_in_range(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert -10.0 <= float(r["goldstein"]) <= 10.0, r


@pytest.mark.parametrize(
    ("code", "weight"),
    [
        # Hand-checked against GDELT CAMEO.goldsteinscale.txt.
        ("010", 0.0),
        ("036", 4.0),
        ("042", 1.9),
        ("043", 2.8),
        ("057", 8.0),
        ("0874", 10.0),
        ("111", -2.0),
        ("138", -7.0),
        ("150", -7.2),
        ("163", -8.0),
        ("172", -5.0),
        ("190", -10.0),
        ("2042", -10.0),
    ],
)
def test_goldstein_hand_checked(
    by_code: dict[str, dict[str, str]], code: str, weight: float
) -> None:
    assert float(by_code[code]["goldstein"]) == pytest.approx(weight)


def test_quad_classes_follow_root(rows: list[dict[str, str]]) -> None:
    # GDELT QuadClass: 01-05 verbal coop, 06-09 material coop, 10-14 verbal conflict,
    # 15-20 material conflict (as GDELT's own QuadClass column has it, issue 13 item 12).
    for r in rows:
        root = int(r["root_code"])
        expected = 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4
        assert int(r["quad_class"]) == expected, r


def test_cooperation_weights_positive_on_average(rows: list[dict[str, str]]) -> None:
    # Sanity of the Goldstein scale: material cooperation is on average the most positive
    # class and material conflict the most negative.
    def mean(q: int) -> float:
        ws = [float(r["goldstein"]) for r in rows if int(r["quad_class"]) == q]
        return sum(ws) / len(ws)

    assert mean(2) > mean(1) > 0 > mean(3) > mean(4)


def test_labels_clean(rows: list[dict[str, str]]) -> None:
    for r in rows:
        label = r["label"]
        assert label and label == label.strip() and "  " not in label, r
    assert {r["code"]: r["label"] for r in rows}["0211"] == "Appeal for economic cooperation"
