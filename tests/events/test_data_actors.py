"""Integrity of the bundled actor codes (``events/data/actor_codes.csv``)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import peninsula

DATA = Path(peninsula.__file__).parent / "events" / "data"
HEADER = ["cameo", "iso3", "name", "kind", "icews_name"]


@pytest.fixture(scope="module")
def actors() -> dict[str, dict[str, str]]:
    with (DATA / "actor_codes.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["cameo"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate CAMEO actor code"
    return {r["cameo"]: r for r in rows}


def test_header_is_exact() -> None:
    with (DATA / "actor_codes.csv").open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == HEADER


@pytest.mark.parametrize(
    ("cameo", "icews"),
    [
        ("USA", "United States"),
        ("PRK", "North Korea"),
        ("KOR", "South Korea"),
        ("JPN", "Japan"),
        ("CHN", "China"),
        ("RUS", "Russian Federation"),
    ],
)
def test_required_countries(actors: dict[str, dict[str, str]], cameo: str, icews: str) -> None:
    row = actors[cameo]
    assert row["iso3"] == cameo  # CAMEO country codes are ISO 3166-1 alpha-3
    assert row["kind"] == "country"
    assert icews in row["icews_name"].split("|")


def test_united_nations(actors: dict[str, dict[str, str]]) -> None:
    un = actors["IGOUNO"]
    assert un["iso3"] == "" and un["kind"] == "igo" and un["name"] == "United Nations"


def test_fields_well_formed(actors: dict[str, dict[str, str]]) -> None:
    for code, r in actors.items():
        assert re.fullmatch(r"[A-Z]{3}(?:[A-Z]{3})*", code), code
        assert r["kind"] in {"country", "igo", "region"}, r
        assert r["name"], r
        if r["kind"] == "country":
            assert re.fullmatch(r"[A-Z]{3}", r["iso3"]) and r["icews_name"], r
        else:
            assert r["iso3"] == "", r
    icews = [r["icews_name"] for r in actors.values() if r["icews_name"]]
    assert len(icews) == len(set(icews)), "ICEWS names must map back to one code"


def test_common_other_actors(actors: dict[str, dict[str, str]]) -> None:
    for code in ("GBR", "FRA", "DEU", "IND", "IRN", "SYR", "UKR", "TWN", "VNM", "SGP", "EUR"):
        assert code in actors, code
