"""Integrity of the curated US–DPRK event history (``events/data/us_dprk_history.csv``).

Besides format checks, the history must carry the dated facts of the record (cited in
``/docs/explanation/event-history.md``) and reproduce the documented arc of the
relationship: conflict in 2017, warmth in 2018, the stall after Hanoi in 2019. The monthly
figures here are computed with the standard library only, independently of
``peninsula.events.analysis``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import pytest

import peninsula

DATA = Path(peninsula.__file__).parent / "events" / "data"
CRISIS = Path(peninsula.__file__).parent / "crisis" / "data" / "dprk_monthly.csv"
CNS_DATES = Path(__file__).parent / "data" / "cns_launch_dates_a0cc658.txt"
HEADER = [
    "date",
    "source",
    "target",
    "cameo_code",
    "goldstein",
    "mentions",
    "category",
    "description",
    "source_url",
    "source_kind",
    "checked",
]
# The coding guide (docs/reference/history-coding-guide.md), restated independently of
# peninsula.events.history: the period, the categories and the code each category may use.
FIRST, LAST = dt.date(2017, 1, 1), dt.date(2026, 4, 30)
CODES = {
    "launch": {"150"},
    "nuclear_test": {"150"},
    "weapons_display": {"130"},
    "unsc": {"163", "129", "0254", "090"},
    "sanctions": {"163", "1711"},
    "leadership": {"010", "1724"},
    "exercise": {"150", "087", "0356"},
}

Row = dict[str, str]


def _read(name: str) -> list[Row]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def history() -> list[Row]:
    return _read("us_dprk_history.csv")


@pytest.fixture(scope="module")
def codebook() -> dict[str, Row]:
    return {r["code"]: r for r in _read("cameo_eventcodes.csv")}


def _weight(row: Row, codebook: dict[str, Row]) -> float:
    return float(row["goldstein"] or codebook[row["cameo_code"]]["goldstein"])


def test_header_is_exact() -> None:
    with (DATA / "us_dprk_history.csv").open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == HEADER


def test_enough_rows(history: list[Row]) -> None:
    assert len(history) >= 300


def test_dates_iso_in_range_and_sorted(history: list[Row]) -> None:
    dates = []
    for r in history:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]), r
        d = dt.date.fromisoformat(r["date"])
        assert FIRST <= d <= LAST, r
        dates.append(d)
    assert dates == sorted(dates)


def test_every_year_covered(history: list[Row]) -> None:
    years = {r["date"][:4] for r in history}
    assert years == {str(y) for y in range(2017, 2027)}


def test_categories_use_the_codes_of_the_guide(history: list[Row]) -> None:
    for r in history:
        allowed = CODES.get(r["category"])
        if allowed is not None:
            assert r["cameo_code"] in allowed, r


def _launch_days(history: list[Row]) -> set[str]:
    return {r["date"] for r in history if r["category"] == "launch" and r["source"] == "PRK"}


def _per_month(days: set[str]) -> dict[str, int]:
    months: dict[str, int] = defaultdict(int)
    for d in days:
        months[d[:7]] += 1
    return months


def test_every_cns_launch_day_has_a_launch_row(history: list[Row]) -> None:
    """The primary list (CNS database, KST dates) is fully in the history; every other launch
    row is a sourced cruise missile launch (not in CNS, which records ballistic missiles)."""
    cns = {line for line in CNS_DATES.read_text().splitlines() if line and line[0] != "#"}
    days = _launch_days(history)
    assert len(cns) == 114
    assert cns <= days, sorted(cns - days)
    for r in history:
        if r["category"] == "launch" and r["date"] not in cns:
            assert "cruise" in r["description"].lower() or "guided weapons" in r["description"], r


def test_no_month_with_launches_lacks_a_launch_row(history: list[Row]) -> None:
    """Launches are the guide's monthly category: every month of the period in which the CNS
    database records a launch has at least as many launch rows as CNS launch days."""
    cns = {line for line in CNS_DATES.read_text().splitlines() if line and line[0] != "#"}
    mine = _per_month(_launch_days(history))
    for month, n in _per_month(cns).items():
        assert mine.get(month, 0) >= n, month


def test_every_year_has_spring_and_summer_exercise_rows(history: list[Row]) -> None:
    """Exercises are annual (guide): each year 2017-2025 has an exercise row (start,
    suspension, postponement or end) in January-June and in July-December."""
    halves = {
        (r["date"][:4], r["date"][5:7] > "06") for r in history if r["category"] == "exercise"
    }
    for year in range(2017, 2026):
        assert (str(year), False) in halves and (str(year), True) in halves, year


@pytest.mark.parametrize(
    ("first", "last", "n", "why"),
    [
        # Yonhap (en.yna.co.kr/view/AEN20220131000252325): the 30 Jan Hwasong-12 was the
        # seventh launch of January 2022 (six ballistic days and the 25 Jan cruise missiles).
        ("2022-01-01", "2022-01-30", 7, "seventh launch of January 2022"),
        # TRT World, 26 Jan 2025: the 25 Jan cruise missiles were the third test of 2025.
        ("2025-01-01", "2025-01-25", 3, "third missile test of 2025"),
        # Kyodo, 30 Jan 2024: the third cruise missile launch in a week (24, 28, 30 Jan).
        ("2024-01-24", "2024-01-30", 3, "third cruise missile launch in a week"),
        # CNN via KESQ, 17 Aug 2022: the Onchon cruise missiles were the 18th launch of 2022.
        ("2022-01-01", "2022-08-17", 18, "18th launch of 2022"),
    ],
)
def test_launch_counts_match_published_tallies(
    history: list[Row], first: str, last: str, n: int, why: str
) -> None:
    days = {d for d in _launch_days(history) if first <= d <= last}
    assert len(days) == n, why


def test_launch_events_per_month_equal_the_crisis_data(history: list[Row]) -> None:
    """Agreed definition: a launch event is one local calendar date with one or more DPRK
    missile or rocket launches. Compared month by month where the crisis table has a launch
    event column; the table on this branch predates the definition, so this runs once the
    crisis branch (which adds `launches`) is merged."""
    with CRISIS.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    column = next((c for c in ("launches", "launch_events") if c in rows[0]), None)
    if column is None:
        pytest.skip("crisis/data/dprk_monthly.csv has no launch event column on this branch")
    mine = _per_month(_launch_days(history))
    differ = {
        r["month"]: (int(r[column]), mine.get(r["month"], 0))
        for r in rows
        if "2017-01" <= r["month"] <= "2026-04" and int(r[column]) != mine.get(r["month"], 0)
    }
    unexplained = {m: v for m, v in differ.items() if m not in KNOWN_CRISIS_DIFFERENCES}
    assert not unexplained, unexplained


# Months where the crisis table and this file knowingly differ, left for the lead to reconcile
# after both branches merge; delete an entry once it agrees. None at present: the crisis branch
# (241e9f8) agrees month by month to 2026-03, its last month (this file also has 2026-04).
KNOWN_CRISIS_DIFFERENCES: dict[str, str] = {}


def test_codes_exist_in_codebook(history: list[Row], codebook: dict[str, Row]) -> None:
    for r in history:
        assert r["cameo_code"] in codebook, r  # also proves leading zeros were kept


def test_actors_exist(history: list[Row]) -> None:
    actors = {r["cameo"] for r in _read("actor_codes.csv")}
    for r in history:
        assert r["source"] in actors and r["target"] in actors, r
        # only leadership changes are domestic (KOR -> KOR); every other event is dyadic
        assert (r["source"] == r["target"]) == (r["category"] == "leadership"), r


def test_goldstein_and_mentions(history: list[Row]) -> None:
    for r in history:
        if r["goldstein"]:
            assert -10.0 <= float(r["goldstein"]) <= 10.0, r
        assert r["mentions"].isdigit() and int(r["mentions"]) >= 1, r


def test_every_row_sourced_and_described(history: list[Row]) -> None:
    for r in history:
        assert re.fullmatch(r"https?://[\w.-]+\.[a-z]{2,}(:\d+)?/\S*", r["source_url"]), r
        assert len(r["description"]) >= 15 and "\n" not in r["description"], r


def test_check_dates_and_source_kinds(history: list[Row]) -> None:
    """A row is checked only against a source that was opened; an encyclopedia page alone
    never counts (guide: Wikipedia only beside another source). Every launch row is checked."""
    for r in history:
        if r["checked"]:
            assert FIRST <= dt.date.fromisoformat(r["checked"]) <= dt.date(2026, 11, 29), r
            assert r["source_kind"] != "encyclopedia", r
        if r["category"] in ("launch", "leadership", "nuclear_test"):
            assert r["checked"], r
    assert sum(bool(r["checked"]) for r in history) >= 380


def test_no_duplicate_events(history: list[Row]) -> None:
    keys = [(r["date"], r["source"], r["target"], r["cameo_code"]) for r in history]
    assert len(keys) == len(set(keys))
    # one launch row per launch day, whatever its target
    launches = [r["date"] for r in history if r["category"] == "launch"]
    assert len(launches) == len(set(launches))


@pytest.mark.parametrize(
    ("date", "source", "target", "code"),
    [
        ("2017-07-04", "PRK", "USA", "150"),  # Hwasong-14, first ICBM test
        ("2017-07-28", "PRK", "USA", "150"),  # second Hwasong-14
        ("2017-08-05", "IGOUNO", "PRK", "163"),  # UNSCR 2371
        ("2017-08-08", "USA", "PRK", "138"),  # "fire and fury"
        ("2017-08-09", "PRK", "USA", "138"),  # Guam "enveloping fire"
        ("2017-09-03", "PRK", "USA", "150"),  # sixth nuclear test
        ("2017-09-11", "IGOUNO", "PRK", "163"),  # UNSCR 2375
        ("2017-09-19", "USA", "PRK", "138"),  # "Rocket Man" UN speech
        ("2017-11-29", "PRK", "USA", "150"),  # Hwasong-15
        ("2017-12-22", "IGOUNO", "PRK", "163"),  # UNSCR 2397
        ("2018-04-27", "KOR", "PRK", "057"),  # Panmunjom Declaration
        ("2018-06-12", "USA", "PRK", "057"),  # Singapore joint statement
        ("2018-06-12", "PRK", "USA", "057"),
        ("2018-09-19", "KOR", "PRK", "057"),  # Pyongyang Joint Declaration
        ("2019-02-28", "USA", "PRK", "127"),  # Hanoi ends without a deal
        ("2019-06-30", "USA", "PRK", "042"),  # Trump steps into the North at Panmunjom
        ("2019-10-05", "PRK", "USA", "164"),  # Stockholm talks break down
        ("2020-06-16", "PRK", "KOR", "1712"),  # liaison office blown up
        ("2022-10-04", "PRK", "JPN", "150"),  # IRBM over Japan
        ("2022-11-18", "PRK", "USA", "150"),  # Hwasong-17
        ("2023-04-13", "PRK", "USA", "150"),  # Hwasong-18, first solid-fuel ICBM
        ("2023-04-26", "USA", "KOR", "057"),  # Washington Declaration
        ("2023-11-21", "PRK", "USA", "150"),  # Malligyong-1 satellite
        ("2024-06-19", "RUS", "PRK", "057"),  # Comprehensive Strategic Partnership treaty
        ("2024-10-31", "PRK", "USA", "150"),  # Hwasong-19
        # the corrections of issue 16
        ("2017-03-06", "USA", "PRK", "154"),  # THAAD's first elements (not 03-07)
        ("2017-09-22", "PRK", "USA", "138"),  # "dotard", KST date, a threat
        ("2017-11-20", "USA", "PRK", "163"),  # state sponsor of terrorism: sanctions
        ("2021-01-09", "PRK", "USA", "138"),  # 8th Party Congress weapons plan: threat
        ("2022-12-26", "PRK", "KOR", "196"),  # drone incursion: violates the armistice
        ("2020-10-10", "PRK", "USA", "130"),  # parade: display, not a launch
        # events that were missing
        ("2017-07-04", "CHN", "PRK", "0256"),  # freeze for freeze
        ("2018-09-14", "KOR", "PRK", "050"),  # liaison office opens
        ("2019-03-02", "USA", "PRK", "087"),  # Key Resolve / Foal Eagle ended
        ("2024-12-03", "KOR", "KOR", "1724"),  # martial law
        ("2024-12-04", "PRK", "RUS", "057"),  # treaty in force
        ("2025-02-07", "USA", "PRK", "100"),  # Trump-Ishiba statement
        ("2025-03-10", "PRK", "KOR", "150"),  # close-range ballistic missiles
        ("2025-04-04", "KOR", "KOR", "010"),  # Yoon removed
        ("2025-05-08", "PRK", "KOR", "150"),  # SRBM salvo
        ("2025-09-04", "CHN", "PRK", "043"),  # Xi-Kim talks
        # Treasury designation rounds (Washington dates) and the 9th Party Congress
        ("2017-06-29", "USA", "PRK", "163"),  # Bank of Dandong
        ("2017-09-26", "USA", "PRK", "163"),  # eight banks, 26 bank representatives
        ("2018-02-23", "USA", "PRK", "163"),  # the largest shipping round
        ("2019-09-13", "USA", "PRK", "163"),  # Lazarus, Bluenoroff, Andariel
        ("2022-05-27", "USA", "PRK", "163"),  # Far Eastern Bank, Bank Sputnik
        ("2025-11-04", "USA", "PRK", "163"),  # bankers laundering cybercrime proceeds
        ("2025-11-14", "KOR", "USA", "057"),  # joint fact sheet: nuclear-powered submarines
        ("2026-02-25", "PRK", "USA", "100"),  # 9th Congress: ties depend on the US
    ],
)
def test_key_dated_facts(
    history: list[Row], date: str, source: str, target: str, code: str
) -> None:
    assert any(
        (r["date"], r["source"], r["target"], r["cameo_code"]) == (date, source, target, code)
        for r in history
    ), (date, source, target, code)


def _usa_prk_monthly(history: list[Row], codebook: dict[str, Row]) -> dict[str, list[float]]:
    months: dict[str, list[float]] = defaultdict(list)
    for r in history:
        if {r["source"], r["target"]} == {"USA", "PRK"}:
            months[r["date"][:7]].append(_weight(r, codebook))
    return months


def test_narrative_2017_crisis_months_conflictual(
    history: list[Row], codebook: dict[str, Row]
) -> None:
    m = _usa_prk_monthly(history, codebook)
    # Aug/Sep 2017: threats, ICBMs, nuclear test -> strongly negative Goldstein sums
    # (five or more material/verbal-conflict events at -7 to -8 each).
    for month in ("2017-08", "2017-09"):
        assert sum(m[month]) < -30, month
        assert sum(w < 0 for w in m[month]) >= 5, month


def test_narrative_2018_06_cooperative(history: list[Row], codebook: dict[str, Row]) -> None:
    m = _usa_prk_monthly(history, codebook)
    assert m["2018-06"] and all(w > 0 for w in m["2018-06"])
    assert sum(m["2018-06"]) > 20  # two 057 signings alone give 2 x 8.0


def test_narrative_yearly_arc(history: list[Row], codebook: dict[str, Row]) -> None:
    m = _usa_prk_monthly(history, codebook)

    def mean(months: list[str]) -> float:
        ws = [w for k in months for w in m.get(k, [])]
        return sum(ws) / len(ws)

    y2017 = mean([f"2017-{i:02d}" for i in range(1, 13)])
    y2018 = mean([f"2018-{i:02d}" for i in range(1, 13)])
    after_hanoi = mean([f"2019-{i:02d}" for i in range(3, 13)])
    assert y2017 < -3 < 0 < y2018  # crisis, then warmth
    assert after_hanoi < 0  # the stall: launches resume, talks break down
    assert after_hanoi > y2017  # ... but not back to the 2017 crisis level


def test_sources_file_lists_every_data_file() -> None:
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for name in ("cameo_eventcodes.csv", "actor_codes.csv", "us_dprk_history.csv"):
        assert name in text


def test_loader_contract_if_available(history: list[Row]) -> None:
    """The package loader (issue #4 contract) returns every curated row, typed."""
    hist = pytest.importorskip("peninsula.events.history")
    df = hist.load_history()
    assert len(df) == len(history)
    assert set(df.columns) >= {
        "date",
        "source",
        "target",
        "cameo_code",
        "root_code",
        "goldstein",
        "quad_class",
        "mentions",
        "description",
        "source_url",
    }
    assert str(df["date"].dtype) == "datetime64[ns]"
    # Goldstein filled from the codebook: the Singapore signing (057) weighs +8.0.
    singapore = df[(df["date"] == "2018-06-12") & (df["cameo_code"] == "057")]
    assert len(singapore) == 2 and (singapore["goldstein"] == 8.0).all()
