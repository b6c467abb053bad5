"""The bundled monthly calibration dataset (an I/O edge: reads one CSV shipped with the package).

``data/dprk_monthly.csv`` has one row per month 2017-01..2024-12. Counts are *events*
(launch days), not missiles: a day with 23 missiles (2022-11-02) is one event. How every
column was coded, and where the counts are uncertain, is in ``data/SOURCES.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from peninsula.crisis.model import COUNT_TYPES
from peninsula.errors import InputError, Located

FloatArray = NDArray[np.float64]

COVARIATE_COLUMNS: tuple[str, ...] = ("talks", "russia_support", "china_support")
REQUIRED_COLUMNS: tuple[str, ...] = ("month", *COUNT_TYPES, *COVARIATE_COLUMNS, "source_url")
_BINARY = ("allied_exercise", "new_un_sanctions", "new_us_sanctions", "talks")
_INDEX = ("russia_support", "china_support")


@dataclass(frozen=True)
class MonthlyData:
    """Observed months: ``counts`` (T, n_types) in :data:`COUNT_TYPES` order, plus states."""

    months: tuple[str, ...]
    counts: FloatArray
    talks: FloatArray
    russia: FloatArray
    china: FloatArray

    def __len__(self) -> int:
        return len(self.months)

    def window(self, first: str, last: str) -> MonthlyData:
        """Months ``first``..``last`` inclusive (``YYYY-MM`` strings)."""
        keep = np.array([first <= m <= last for m in self.months])
        if not keep.any():
            raise InputError([Located(f"no data between {first} and {last}")])
        return MonthlyData(
            months=tuple(m for m, k in zip(self.months, keep, strict=True) if k),
            counts=self.counts[keep],
            talks=self.talks[keep],
            russia=self.russia[keep],
            china=self.china[keep],
        )

    def years(self) -> NDArray[np.int64]:
        return np.array([int(m[:4]) for m in self.months], dtype=np.int64)


def default_path() -> Path:
    return Path(str(resources.files("peninsula.crisis") / "data" / "dprk_monthly.csv"))


def load_monthly(path: str | Path | None = None) -> MonthlyData:
    """Read and validate the monthly dataset; problems name the file, line and column."""
    file = Path(path) if path is not None else default_path()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError([Located(f"cannot read: {error.strerror}", file=file)]) from error
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError([Located(f"missing column(s): {', '.join(missing)}", file=file, line=1)])
    problems: list[Located] = []
    months: list[str] = []
    counts: list[list[float]] = []
    covs: dict[str, list[float]] = {c: [] for c in COVARIATE_COLUMNS}
    for line, row in enumerate(reader, start=2):
        month = row["month"]
        if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
            problems.append(Located("month must be YYYY-MM", file, line, "month"))
        elif months and month <= months[-1]:
            problems.append(Located("months must increase", file, line, "month"))
        months.append(month)
        values: dict[str, float] = {}
        for column in (*COUNT_TYPES, *COVARIATE_COLUMNS):
            raw = row[column]
            try:
                value = float(raw)
            except (TypeError, ValueError):
                problems.append(Located(f"not a number: {raw!r}", file, line, column))
                value = 0.0
            if column in _INDEX:
                if not 0.0 <= value <= 1.0:
                    problems.append(Located("index must lie in [0, 1]", file, line, column))
            elif value < 0 or value != int(value):
                problems.append(Located("must be a non-negative integer", file, line, column))
            elif column in _BINARY and value > 1:
                problems.append(Located("must be 0 or 1", file, line, column))
            values[column] = value
        counts.append([values[c] for c in COUNT_TYPES])
        for c in COVARIATE_COLUMNS:
            covs[c].append(values[c])
    if problems:
        raise InputError(problems)
    if not months:
        raise InputError([Located("no rows", file=file)])
    return MonthlyData(
        months=tuple(months),
        counts=np.asarray(counts, dtype=np.float64),
        talks=np.asarray(covs["talks"], dtype=np.float64),
        russia=np.asarray(covs["russia_support"], dtype=np.float64),
        china=np.asarray(covs["china_support"], dtype=np.float64),
    )
