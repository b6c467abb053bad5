"""The bundled monthly dataset (an I/O edge: reads and rewrites one CSV shipped with the package).

``data/dprk_monthly.csv`` has one row per month from 2017-01. Launch columns count *launch
events* (distinct KST dates, see :mod:`peninsula.crisis.sources`), not missiles, and are
rebuilt from their sources by :func:`update_table` (``peninsula crisis-data update FILE``);
every row lists its launch dates (``launch_dates``) and sources (``source_url``). How the other
columns were coded, and where they are uncertain, is in ``data/SOURCES.md``.

A blank cell means *not coded* (the sources were not checked for that month). It is allowed
only in the judgement-coded columns (:data:`OPTIONAL_COLUMNS`); :class:`MonthlyData` keeps it
as NaN in ``raw`` and, for the structural model's state recursions, replaces it in ``counts``
by the mean of the column's previous twelve coded months (causal, so backtests see no future).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from peninsula.crisis import sources
from peninsula.crisis.model import COUNT_TYPES
from peninsula.errors import InputError, Located

FloatArray = NDArray[np.float64]

COVARIATE_COLUMNS: tuple[str, ...] = ("talks", "russia_support", "china_support")
LAUNCH_COLUMNS: tuple[str, ...] = ("launches", "ballistic", "cruise", "satellite_launches")
COLUMNS: tuple[str, ...] = (
    "month",
    "launches",
    *COUNT_TYPES,
    *COVARIATE_COLUMNS,
    "launch_dates",
    "source_url",
)
REQUIRED_COLUMNS = COLUMNS
#: Judgement-coded columns that may be blank (= not coded) in a month.
OPTIONAL_COLUMNS: tuple[str, ...] = ("new_us_sanctions", "threats", "conciliatory")
_BINARY = ("allied_exercise", "new_un_sanctions", "new_us_sanctions", "talks")
_INDEX = ("russia_support", "china_support")
_CLASS_COLUMN = {"ballistic": "ballistic", "cruise": "cruise", "satellite": "satellite_launches"}


@dataclass(frozen=True)
class MonthlyData:
    """Observed months: counts (T, n_types) in :data:`COUNT_TYPES` order, plus states.

    ``counts`` has blanks imputed (see the module docstring); ``raw`` keeps them as NaN.
    ``launches`` is the total of launch events (a date with two classes counts once).
    """

    months: tuple[str, ...]
    counts: FloatArray
    talks: FloatArray
    russia: FloatArray
    china: FloatArray
    raw: FloatArray | None = None
    launches: FloatArray | None = None
    launch_dates: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.months)

    @property
    def observed(self) -> FloatArray:
        """Counts with blanks as NaN (``counts`` when nothing is blank)."""
        return self.counts if self.raw is None else self.raw

    @property
    def total_launches(self) -> FloatArray:
        """Launch events per month (distinct dates); without the column, the class sum."""
        if self.launches is not None:
            return self.launches
        from peninsula.crisis.model import launch_class_sum

        return launch_class_sum(self.counts)

    def window(self, first: str, last: str) -> MonthlyData:
        """Months ``first``..``last`` inclusive (``YYYY-MM`` strings)."""
        keep = np.array([first <= m <= last for m in self.months])
        if not keep.any():
            raise InputError([Located(f"no data between {first} and {last}")])
        return self.rows(keep)

    def rows(self, keep: NDArray[np.bool_]) -> MonthlyData:
        return MonthlyData(
            months=tuple(m for m, k in zip(self.months, keep, strict=True) if k),
            counts=self.counts[keep],
            talks=self.talks[keep],
            russia=self.russia[keep],
            china=self.china[keep],
            raw=None if self.raw is None else self.raw[keep],
            launches=None if self.launches is None else self.launches[keep],
            launch_dates=tuple(d for d, k in zip(self.launch_dates, keep, strict=True) if k)
            if self.launch_dates
            else (),
        )

    def years(self) -> NDArray[np.int64]:
        return np.array([int(m[:4]) for m in self.months], dtype=np.int64)


def impute_causal(raw: FloatArray, lookback: int = 12) -> FloatArray:
    """Blank (NaN) cells → mean of the column's previous ``lookback`` coded months (0 if none)."""
    out = raw.copy()
    for e in range(raw.shape[1]):
        col = raw[:, e]
        for t in np.flatnonzero(np.isnan(col)):
            past = col[:t][~np.isnan(col[:t])][-lookback:]
            out[t, e] = float(past.mean()) if len(past) else 0.0
    return out


def default_path() -> Path:
    return Path(__file__).parent / "data" / "dprk_monthly.csv"


def _read_rows(file: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError([Located(f"cannot read: {error.strerror}", file=file)]) from error
    reader = csv.DictReader(text.splitlines())
    fields = list(reader.fieldnames or [])
    missing = [c for c in REQUIRED_COLUMNS if c not in fields]
    if missing:
        raise InputError([Located(f"missing column(s): {', '.join(missing)}", file=file, line=1)])
    return fields, list(reader)


def load_monthly(path: str | Path | None = None) -> MonthlyData:
    """Read and validate the monthly dataset; problems name the file, line and column."""
    file = Path(path) if path is not None else default_path()
    _, rows = _read_rows(file)
    problems: list[Located] = []
    months: list[str] = []
    counts: list[list[float]] = []
    launches: list[float] = []
    dates: list[str] = []
    covs: dict[str, list[float]] = {c: [] for c in COVARIATE_COLUMNS}
    for line, row in enumerate(rows, start=2):
        month = row["month"]
        if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
            problems.append(Located("month must be YYYY-MM", file, line, "month"))
        elif months and month <= months[-1]:
            problems.append(Located("months must increase", file, line, "month"))
        months.append(month)
        values: dict[str, float] = {}
        for column in ("launches", *COUNT_TYPES, *COVARIATE_COLUMNS):
            raw = (row[column] or "").strip()
            if raw == "" and column in OPTIONAL_COLUMNS:
                values[column] = float("nan")
                continue
            try:
                value = float(raw)
            except (TypeError, ValueError):
                what = "blank (only allowed in " + ", ".join(OPTIONAL_COLUMNS) + ")"
                problems.append(
                    Located(what if raw == "" else f"not a number: {raw!r}", file, line, column)
                )
                value = 0.0
            if column in _INDEX:
                if not 0.0 <= value <= 1.0:
                    problems.append(Located("index must lie in [0, 1]", file, line, column))
            elif value < 0 or value != int(value):
                problems.append(Located("must be a non-negative integer", file, line, column))
            elif column in _BINARY and value > 1:
                problems.append(Located("must be 0 or 1", file, line, column))
            values[column] = value
        classes = [values[c] for c in ("ballistic", "cruise", "satellite_launches")]
        if values["launches"] < max(classes) or values["launches"] > sum(classes) + _others(row):
            problems.append(
                Located(
                    "launches must lie between the largest class and the class sum (+ other)",
                    file,
                    line,
                    "launches",
                )
            )
        counts.append([values[c] for c in COUNT_TYPES])
        launches.append(values["launches"])
        dates.append(row.get("launch_dates") or "")
        for c in COVARIATE_COLUMNS:
            covs[c].append(values[c])
    if problems:
        raise InputError(problems)
    if not months:
        raise InputError([Located("no rows", file=file)])
    table = np.asarray(counts, dtype=np.float64)
    return MonthlyData(
        months=tuple(months),
        counts=impute_causal(table),
        talks=np.asarray(covs["talks"], dtype=np.float64),
        russia=np.asarray(covs["russia_support"], dtype=np.float64),
        china=np.asarray(covs["china_support"], dtype=np.float64),
        raw=table if np.isnan(table).any() else None,
        launches=np.asarray(launches, dtype=np.float64),
        launch_dates=tuple(dates),
    )


def _others(row: dict[str, str]) -> int:
    """Launch dates of class ``other`` listed in the row (counted in the total only)."""
    return sum(1 for d in (row.get("launch_dates") or "").split() if d.endswith("/O"))


# --------------------------------------------------------------------------- update path
@dataclass(frozen=True)
class UpdateReport:
    """What :func:`update_table` changed: months rebuilt, months appended, cells changed."""

    first: str
    last: str
    appended: tuple[str, ...]
    changed: tuple[tuple[str, str, str, str], ...]  # month, column, old, new
    text: str


def update_table(
    cns_file: Path,
    table: Path | None = None,
    through: str | None = None,
    supplement: Path | None = None,
) -> UpdateReport:
    """Rebuild the launch columns of ``table`` from a CNS export plus the supplement.

    Months up to ``through`` (default: the month of the export's last launch) are rebuilt;
    months past the table's end are appended with the hand-coded columns blank and the support
    indices carried forward — the report lists them so a coder can fill them. Returns the new
    CSV text and what changed; the caller writes it.
    """
    table = table or default_path()
    try:
        document = json.loads(cns_file.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError([Located(f"cannot read: {error.strerror}", file=cns_file)]) from error
    except json.JSONDecodeError as error:
        raise InputError([Located(f"not JSON: {error.msg}", cns_file, error.lineno)]) from error
    cns = sources.cns_launches(document, cns_file)
    extra = sources.read_supplement(supplement)
    days = sources.launch_days(cns, extra)
    if not days:
        raise InputError([Located("no launches in the export", file=cns_file)])
    last_source = max(launch.date for launch in cns).strftime("%Y-%m")
    through = through or last_source
    fields, rows = _read_rows(table)
    by_month = {row["month"]: row for row in rows}
    first = rows[0]["month"]
    months = sources.months_between(first, through)
    counts = sources.monthly_counts(days, months)
    appended: list[str] = []
    changed: list[tuple[str, str, str, str]] = []
    previous = rows[0]
    out_rows: list[dict[str, str]] = []
    for month in months:
        row = by_month.get(month)
        if row is None:
            # hand-coded columns start blank (the loader refuses the required ones until a
            # coder fills them); the support indices carry forward
            row = {c: "" for c in fields}
            row["month"] = month
            row["russia_support"] = previous["russia_support"]
            row["china_support"] = previous["china_support"]
            appended.append(month)
        new = dict(row)
        got = counts[month]
        new["launches"] = str(got["launches"])
        for klass, column in _CLASS_COLUMN.items():
            new[column] = str(got[klass])
        new["launch_dates"] = " ".join(got["dates"])
        kept = [u for u in (row.get("source_url") or "").split() if u not in (sources.CNS_URL,)]
        kept = [u for u in kept if "wikipedia.org/wiki/List_of_North_Korean_missile" not in u]
        new["source_url"] = " ".join(dict.fromkeys([sources.CNS_URL, *got["sources"], *kept]))
        for column in (*LAUNCH_COLUMNS, "launch_dates"):
            if (row.get(column) or "") != new[column] and month not in appended:
                changed.append((month, column, row.get(column) or "", new[column]))
        out_rows.append(new)
        previous = new
    out_rows.extend(row for row in rows if row["month"] > through)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in out_rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return UpdateReport(months[0], months[-1], tuple(appended), tuple(changed), buffer.getvalue())


def table_launch_dates(data: MonthlyData) -> dict[str, list[str]]:
    """``month → launch dates`` as listed in the table's ``launch_dates`` column."""
    return {m: d.split() for m, d in zip(data.months, data.launch_dates, strict=True)}


def read_history_rows(path: Path | None = None) -> list[dict[str, str]]:
    """Rows of the bundled event history (``events/data/us_dprk_history.csv``) or of ``path``."""
    file = path or Path(str(resources.files("peninsula.events") / "data" / "us_dprk_history.csv"))
    try:
        return list(csv.DictReader(file.read_text(encoding="utf-8").splitlines()))
    except OSError as error:
        raise InputError([Located(f"cannot read: {error.strerror}", file=file)]) from error


def history_disagreements(
    data: MonthlyData, history: Sequence[dict[str, str]]
) -> list[sources.Disagreement]:
    """Months whose launch count differs between the table and the event history."""
    dates = sources.history_launch_dates(history)
    covered = [m for m in data.months if m <= max([*dates, data.months[0]])]
    return sources.check_against_history(table_launch_dates(data), dates, covered)
