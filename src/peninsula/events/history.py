"""The bundled, sourced history of US–DPRK events (2017–2026) as a validated DataFrame.

Every row of ``data/us_dprk_history.csv`` is checked (date, actors, CAMEO code, weight,
mentions, category, description, source URL, source kind, date checked); a bad bundled row is a
packaging bug and raises an :class:`~peninsula.errors.InputError` naming file, line and field
rather than being skipped. Goldstein weights left empty are taken from the CAMEO codebook
(Goldstein 1992). How rows are dated, categorised and coded is written down in
``docs/reference/history-coding-guide.md``; the categories and their lanes are defined here so
that the CLI timeline and the report show the same grouping.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd

from peninsula.errors import InputError, Located
from peninsula.events.codebook import ActorCodes, Codebook, load_actors, load_codebook

HISTORY_FILE = "us_dprk_history.csv"
HEADER = (
    "date", "source", "target", "cameo_code", "goldstein", "mentions", "category",
    "description", "source_url", "source_kind", "checked",
)  # fmt: skip
# Files in the format before categories and source checks (user files may still use it): their
# rows get the category "other" and no check date.
LEGACY_HEADER = (
    "date", "source", "target", "cameo_code", "goldstein", "mentions", "description",
    "source_url",
)  # fmt: skip
COLUMNS = (
    "date", "source", "target", "cameo_code", "root_code", "goldstein", "quad_class",
    "mentions", "description", "source_url", "category", "source_kind", "checked",
)  # fmt: skip

# Event categories of the coding guide, each with the lane it is shown in (CLI and report).
CATEGORIES: dict[str, str] = {
    "launch": "Launches and tests",
    "nuclear_test": "Launches and tests",
    "weapons_display": "Launches and tests",
    "exercise": "Military moves",
    "deployment": "Military moves",
    "incident": "Military moves",
    "unsc": "UN Security Council and sanctions",
    "sanctions": "UN Security Council and sanctions",
    "summit": "Summits, talks and agreements",
    "talks": "Summits, talks and agreements",
    "agreement": "Summits, talks and agreements",
    "leadership": "Leadership changes",
    "statement": "Statements",
    "other": "Other",
}
LANES: tuple[str, ...] = tuple(dict.fromkeys(CATEGORIES.values()))
# Where a row's source stands (coding guide, "Sources"): primary documents and wire copy first.
SOURCE_KINDS = (
    "primary", "wire", "news", "analysis", "database", "aggregator", "encyclopedia",
)  # fmt: skip
# The history is complete from START; launches to LAUNCHES_THROUGH (the CNS missile test
# database as mirrored at nagix/nk-missile-tests a0cc658, last test 2026-04-19, plus sourced
# cruise missile launches), the other categories to OTHER_THROUGH (the last month searched).
START = "2017-01"
LAUNCHES_THROUGH = "2026-04"
OTHER_THROUGH = "2026-02"


def coverage_note() -> str:
    """One sentence saying up to which month the bundled history is complete."""
    return (
        f"Complete from {START}: launches to {LAUNCHES_THROUGH} (CNS missile test database "
        f"plus sourced cruise missile launches), other categories to {OTHER_THROUGH}."
    )


def parse_history(
    text: str,
    origin: str,
    codebook: Codebook | None = None,
    actors: ActorCodes | None = None,
) -> pd.DataFrame:
    """Parse and validate history rows; all problems are reported together."""
    book = codebook if codebook is not None else load_codebook()
    known = (actors if actors is not None else load_actors()).cameo_codes
    where = Path(origin)
    reader = csv.reader(io.StringIO(text))
    head = next(reader, None)
    names = tuple(h.strip() for h in head) if head is not None else ()
    if names not in (HEADER, LEGACY_HEADER):
        raise InputError([Located(f"header must be {','.join(HEADER)}", where, 1)])
    width = len(names)
    rows: list[dict[str, object]] = []
    problems: list[Located] = []
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != width:
            problems.append(Located(f"expected {width} columns, found {len(row)}", where, line))
            continue
        cells = dict(zip(names, (c.strip() for c in row), strict=True))
        d, src, tgt, code = cells["date"], cells["source"], cells["target"], cells["cameo_code"]
        g, m, desc, url = (
            cells["goldstein"],
            cells["mentions"],
            cells["description"],
            cells["source_url"],
        )
        category = cells.get("category", "other")
        kind, checked = cells.get("source_kind", ""), cells.get("checked", "")
        if _is_iso_day(d):
            day = date.fromisoformat(d)
        else:
            problems.append(Located(f"not an ISO date YYYY-MM-DD: {d!r}", where, line, "date"))
            continue
        bad = False
        for name, actor in (("source", src), ("target", tgt)):
            if actor not in known:
                problems.append(Located(f"unknown actor code {actor!r}", where, line, name))
                bad = True
        if code not in book:
            problems.append(Located(f"unknown CAMEO code {code!r}", where, line, "cameo_code"))
            continue
        root, book_g, quad = book.lookup(code)
        weight = book_g
        if g:
            try:
                weight = float(g)
            except ValueError:
                weight = math.nan
            if not math.isfinite(weight) or abs(weight) > 10:
                problems.append(
                    Located(f"not a number in [-10, 10]: {g!r}", where, line, "goldstein")
                )
                bad = True
        mentions = 1
        if m:
            if not m.isdigit() or int(m) < 1:
                problems.append(Located(f"not a positive integer: {m!r}", where, line, "mentions"))
                bad = True
            else:
                mentions = int(m)
        if not desc:
            problems.append(Located("empty", where, line, "description"))
            bad = True
        if not url.startswith(("https://", "http://")):
            problems.append(Located(f"not an http(s) URL: {url!r}", where, line, "source_url"))
            bad = True
        if category not in CATEGORIES:
            problems.append(Located(f"unknown category {category!r}", where, line, "category"))
            bad = True
        elif src == tgt and category != "leadership":
            problems.append(
                Located("source equals target outside a leadership change", where, line, "target")
            )
            bad = True
        if kind and kind not in SOURCE_KINDS:
            problems.append(Located(f"unknown source kind {kind!r}", where, line, "source_kind"))
            bad = True
        if checked and not _is_iso_day(checked):
            problems.append(
                Located(f"not an ISO date YYYY-MM-DD: {checked!r}", where, line, "checked")
            )
            bad = True
        if bad:
            continue
        rows.append(
            {
                "date": pd.Timestamp(day),
                "source": src,
                "target": tgt,
                "cameo_code": code,
                "root_code": root,
                "goldstein": weight,
                "quad_class": quad,
                "mentions": mentions,
                "description": desc,
                "source_url": url,
                "category": category,
                "source_kind": kind,
                "checked": checked,
            }
        )
    if problems:
        raise InputError(problems)
    df = with_event_dtypes(pd.DataFrame(rows, columns=list(COLUMNS)))
    for c in ("category", "source_kind", "checked"):
        df[c] = df[c].astype(object)
    return df.sort_values("date", kind="stable").reset_index(drop=True)


def _is_iso_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def launch_events_by_month(history: pd.DataFrame) -> pd.Series:
    """DPRK launch events per calendar month, every month from the first to the last row.

    A launch event is one local (Korean) calendar date on which the DPRK launched one or more
    missiles or rockets (ballistic, cruise, satellite launch vehicle): the definition agreed with
    the crisis data (``peninsula.crisis``), so the two can be compared month by month. Several
    rows on one date (e.g. a launch also coded toward Japan) count once.
    """
    launches = history[(history["category"] == "launch") & (history["source"] == "PRK")]
    days = pd.DatetimeIndex(launches["date"].drop_duplicates())
    months = days.to_period("M")
    counts = pd.Series(1, index=months).groupby(level=0).sum()
    if history.empty:
        return counts.astype("int64")
    span = pd.period_range(
        history["date"].min().to_period("M"), history["date"].max().to_period("M"), freq="M"
    )
    return counts.reindex(span, fill_value=0).astype("int64").rename("launch_events")


def with_event_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """The column dtypes every events DataFrame has (bundled history and store queries alike),
    so analysis code never sees a frame typed differently depending on where it came from."""
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    df["goldstein"] = df["goldstein"].astype("float64")
    df["quad_class"] = df["quad_class"].astype("int64")
    df["mentions"] = df["mentions"].astype("int64")
    for c in ("source", "target", "cameo_code", "root_code", "description", "source_url"):
        df[c] = df[c].astype(object)
    return df


def load_history(path: Path | None = None) -> pd.DataFrame:
    """The bundled US–DPRK event history (or the same format from ``path``).

    Columns: date (datetime64[ns]), source, target, cameo_code (str), root_code (str),
    goldstein (float), quad_class (int), mentions (int), description, source_url.
    """
    if path is not None:
        try:
            return parse_history(Path(path).read_text(encoding="utf-8"), str(path))
        except OSError as e:
            raise InputError([Located(f"cannot read: {e.strerror}", Path(path))]) from e
    ref = resources.files("peninsula.events") / "data" / HISTORY_FILE
    return parse_history(ref.read_text(encoding="utf-8"), f"peninsula/events/data/{HISTORY_FILE}")
