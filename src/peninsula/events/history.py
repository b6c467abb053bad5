"""The bundled, sourced history of US–DPRK events (2017–2025) as a validated DataFrame.

Every row of ``data/us_dprk_history.csv`` is checked (date, actors, CAMEO code, weight,
mentions, description, source URL); a bad bundled row is a packaging bug and raises an
:class:`~peninsula.errors.InputError` naming file, line and field rather than being skipped.
Goldstein weights left empty are taken from the CAMEO codebook (Goldstein 1992).
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
    "date", "source", "target", "cameo_code", "goldstein", "mentions", "description",
    "source_url",
)  # fmt: skip
COLUMNS = (
    "date", "source", "target", "cameo_code", "root_code", "goldstein", "quad_class",
    "mentions", "description", "source_url",
)  # fmt: skip


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
    if head is None or tuple(h.strip() for h in head) != HEADER:
        raise InputError([Located(f"header must be {','.join(HEADER)}", where, 1)])
    rows: list[dict[str, object]] = []
    problems: list[Located] = []
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(HEADER):
            problems.append(Located(f"expected 8 columns, found {len(row)}", where, line))
            continue
        d, src, tgt, code, g, m, desc, url = (c.strip() for c in row)
        try:
            day = date.fromisoformat(d)
            if len(d) != 10:
                raise ValueError(d)
        except ValueError:
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
            }
        )
    if problems:
        raise InputError(problems)
    df = with_event_dtypes(pd.DataFrame(rows, columns=list(COLUMNS)))
    return df.sort_values("date", kind="stable").reset_index(drop=True)


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
