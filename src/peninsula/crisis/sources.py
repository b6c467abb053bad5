"""Launch events from their sources: the CNS missile test database and a sourced supplement.

Definition (agreed with the bundled event history, ``events/data/us_dprk_history.csv``): a
*launch event* is one distinct calendar date, in Korean local time (KST, UTC+9), on which the
DPRK launched one or more missiles or rockets. A month's count is the number of such dates.
Classes: ``ballistic`` (including hypersonic, SRBM/MRBM/IRBM/ICBM/SLBM and the KN-25 guided
rocket), ``cruise`` and ``satellite`` (satellite launch vehicle). A date with several classes
counts once in the total and once in each class present; a date whose class no source states
(class ``other``) counts in the total only.

Sources, in order:

1. The CNS North Korea Missile Test Database (James Martin Center for Nonproliferation Studies
   for NTI), as exported in ``data/test.en.json`` of the ``nagix/nk-missile-tests`` mirror: one
   row per ballistic missile or SLV, dated in UTC with the launch time when known. Rows are
   moved to their KST date; a row without a time takes the KST date of a timed row of the same
   UTC date (the same salvo), else its own date. SLV rows are those of the Unha, Taepodong-1
   and Chollima-1 vehicles; every other row, including CNS's class "unknown", is ballistic
   (CNS records missiles of at least 300 km / 500 kg and their kin), unless the supplement
   says otherwise.
2. ``data/launch_supplement.csv``: dated launches CNS does not hold (cruise missiles) and
   corrections of CNS's "unknown" class, each with the page it was checked against.

Everything here is pure (parsed records in, counts out); reading files is the caller's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peninsula.errors import InputError, Located

CLASSES: tuple[str, ...] = ("ballistic", "cruise", "satellite")
OTHER = "other"
CNS_URL = "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/"
MIRROR_URL = "https://github.com/nagix/nk-missile-tests"
#: CNS missile keys of satellite launch vehicles (``data/missile.en.json`` of the mirror, type
#: "SLV").
SLV_KEYS = frozenset({"unha", "unha-3", "taepodong-1", "chollima-1"})
KST = dt.timedelta(hours=9)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})\s*\(UTC\)$")
#: CNS rows whose ``date`` is already the Korean date although a UTC time is given (checked
#: against the launch reports): (CNS date, CNS time) → KST date. Found by the history check.
KST_DATE_FIXES: dict[tuple[str, str], dt.date] = {
    # Hwasong-12, launched 05:28 KST on 14 May 2017 (20:28 UTC on the 13th)
    ("2017-05-14", "20:28 (UTC)"): dt.date(2017, 5, 14),
}
_CODE = {"ballistic": "B", "cruise": "C", "satellite": "S", OTHER: "O"}


@dataclass(frozen=True)
class Launch:
    """One source row, on its KST date."""

    date: dt.date
    klass: str
    source: str  # "CNS" or a URL


def cns_launches(document: Mapping[str, Any], file: Path | None = None) -> list[Launch]:
    """Rows of a CNS ``test.en.json`` export, moved to their Korean local date."""
    problems: list[Located] = []
    rows: list[tuple[dt.date, dt.date | None, str]] = []  # utc date, kst date if timed, key
    bins = document.get("timeBins") if isinstance(document, Mapping) else None
    if not isinstance(bins, list):
        raise InputError([Located("not a CNS export: no 'timeBins' list", file=file)])
    for b, block in enumerate(bins):
        for r, row in enumerate(block.get("data", []) if isinstance(block, Mapping) else []):
            where = f"timeBins[{b}].data[{r}]"
            text = str(row.get("date", "")) if isinstance(row, Mapping) else ""
            if re.fullmatch(r"(19\d\d)-\d\d", text):
                continue  # 1980s-90s rows dated to the month only: long before any table month
            try:
                day = dt.date.fromisoformat(text)
                key = str(row["missile"])
            except (KeyError, TypeError, ValueError):
                problems.append(
                    Located("needs 'date' (YYYY-MM-DD) and 'missile'", file, None, where)
                )
                continue
            time_text = str(row.get("time", "unknown")).strip()
            match = _TIME.match(time_text)
            kst = KST_DATE_FIXES.get((text, time_text))
            if match and kst is None:
                stamp = dt.datetime.combine(day, dt.time(int(match[1]), int(match[2])))
                kst = (stamp + KST).date()
            rows.append((day, kst, key))
    if problems:
        raise InputError(problems)
    timed: dict[dt.date, set[dt.date]] = {}
    for utc, kst, _ in rows:
        if kst is not None:
            timed.setdefault(utc, set()).add(kst)
    out: list[Launch] = []
    for utc, kst, key in rows:
        if kst is None:
            same = timed.get(utc, set())
            kst = min(same) if len(same) == 1 else utc
        klass = "satellite" if key in SLV_KEYS else ("unknown" if key == "unknown" else "ballistic")
        out.append(Launch(kst, klass, "CNS"))
    return out


def read_supplement(path: Path | None = None) -> list[Launch]:
    """The bundled (or given) supplement: ``date,class,source_url,note``."""
    file = path or Path(__file__).parent / "data" / "launch_supplement.csv"
    text = file.read_text(encoding="utf-8")
    out: list[Launch] = []
    problems: list[Located] = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            day = dt.date.fromisoformat(row["date"])
        except (TypeError, ValueError):
            problems.append(Located("date must be YYYY-MM-DD", file, line, "date"))
            continue
        if row["class"] not in (*CLASSES, OTHER):
            problems.append(
                Located(f"class must be one of {(*CLASSES, OTHER)}", file, line, "class")
            )
            continue
        if not (row.get("source_url") or "").startswith("http"):
            problems.append(Located("every supplement row needs its source URL", file, line))
            continue
        out.append(Launch(day, row["class"], row["source_url"]))
    if problems:
        raise InputError(problems)
    return out


@dataclass(frozen=True)
class LaunchDay:
    """One launch event: a KST date, its classes and its sources."""

    date: dt.date
    classes: frozenset[str]
    sources: tuple[str, ...]

    @property
    def month(self) -> str:
        return self.date.strftime("%Y-%m")

    @property
    def code(self) -> str:
        """``YYYY-MM-DD/B+C``: the date and its classes (B ballistic, C cruise, S SLV, O other)."""
        return f"{self.date.isoformat()}/" + "+".join(
            _CODE[c] for c in (*CLASSES, OTHER) if c in self.classes
        )


def launch_days(cns: Iterable[Launch], supplement: Iterable[Launch]) -> list[LaunchDay]:
    """Merge the sources into launch events (one per KST date).

    A supplement row of class ``satellite`` or ``other`` on a date where CNS has only rows of
    class "unknown" replaces that class; any other supplement row adds its class to the date.
    A CNS "unknown" with no such correction is ballistic.
    """
    classes: dict[dt.date, set[str]] = {}
    sources: dict[dt.date, list[str]] = {}
    for launch in cns:
        classes.setdefault(launch.date, set()).add(launch.klass)
        sources.setdefault(launch.date, []).append(CNS_URL)
    for launch in supplement:
        have = classes.setdefault(launch.date, set())
        if launch.klass in ("satellite", OTHER) and have == {"unknown"}:
            have.clear()
        have.add(launch.klass)
        sources.setdefault(launch.date, []).append(launch.source)
    out = []
    for day in sorted(classes):
        found = {"ballistic" if c == "unknown" else c for c in classes[day]}
        out.append(LaunchDay(day, frozenset(found), tuple(dict.fromkeys(sources[day]))))
    return out


def monthly_counts(days: Sequence[LaunchDay], months: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per month: ``launches`` (dates), one count per class, the dated codes and the sources."""
    out: dict[str, dict[str, Any]] = {
        m: {"launches": 0, **{c: 0 for c in CLASSES}, "dates": [], "sources": []} for m in months
    }
    for day in days:
        row = out.get(day.month)
        if row is None:
            continue
        row["launches"] += 1
        for c in CLASSES:
            row[c] += int(c in day.classes)
        row["dates"].append(day.code)
        row["sources"].extend(s for s in day.sources if s not in row["sources"])
    return out


# --------------------------------------------------------------------------- history check
#: A row of the event history is a DPRK launch when the DPRK is the source, the CAMEO code is
#: 15x (demonstrate military power) and the description names a missile, rocket, projectile,
#: guided weapon or satellite launch (parades and exercises are not launches).
_LAUNCH_WORDS = re.compile(
    r"missile|rocket|projectile|guided weapon|satellite launch|launch vehicle|hwasong|fires? ",
    re.IGNORECASE,
)
_NOT_LAUNCH = re.compile(r"parade|exhibit|unveil|engine test|ground test", re.IGNORECASE)


def history_launch_dates(rows: Iterable[Mapping[str, str]]) -> dict[str, set[str]]:
    """Launch dates (ISO) per month in event-history rows (``date, source, cameo_code, ...``).

    Rows with a ``category`` column are launches when it says ``launch`` (the history's own
    coding); without one, the CAMEO code and the description decide (see ``_LAUNCH_WORDS``).
    """
    out: dict[str, set[str]] = {}
    for row in rows:
        if row.get("source") != "PRK":
            continue
        category = row.get("category")
        if category is not None:
            if category.strip().lower() != "launch":
                continue
        else:
            text = str(row.get("description", ""))
            if not str(row.get("cameo_code", "")).startswith("15"):
                continue
            if not _LAUNCH_WORDS.search(text) or _NOT_LAUNCH.search(text):
                continue
        date = str(row["date"])[:10]
        out.setdefault(date[:7], set()).add(date)
    return out


@dataclass(frozen=True)
class Disagreement:
    """A month whose launch count differs between the monthly table and the event history."""

    month: str
    table: int
    history: int
    only_table: tuple[str, ...]
    only_history: tuple[str, ...]


def check_against_history(
    table_dates: Mapping[str, Sequence[str]], history: Mapping[str, set[str]], months: Sequence[str]
) -> list[Disagreement]:
    """Months (within ``months``) whose number of launch dates differs between the two."""
    out = []
    for month in months:
        mine = {d.split("/")[0] for d in table_dates.get(month, ())}
        theirs = history.get(month, set())
        if len(mine) != len(theirs):
            out.append(
                Disagreement(
                    month,
                    len(mine),
                    len(theirs),
                    tuple(sorted(mine - theirs)),
                    tuple(sorted(theirs - mine)),
                )
            )
    return out


def months_between(first: str, last: str) -> list[str]:
    """``YYYY-MM`` months from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
