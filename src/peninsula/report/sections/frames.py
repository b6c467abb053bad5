"""Read the engines' summary tables into one plain shape: policy -> measure -> interval.

The ensemble's ``Experiment.summary()`` and the crisis simulator's ``CrisisResult.summary()``
are both "policy × measure with mean and a band" (see the contracts), but a DataFrame can hold
that in several layouts: long rows (``policy, measure, mean, p05, p95``), a (policy, measure)
row index, or (measure, statistic) column pairs. The report only needs the numbers, so it reads
any of them here, in one place, rather than depending on one layout.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

#: Column names the engines may use for the central value and the 90% band.
CENTRE = ("mean", "median", "p50", "estimate", "value")
LOW = ("p05", "p5", "q05", "low", "lower", "p025", "p10", "mc_low")
HIGH = ("p95", "q95", "high", "upper", "p975", "p90", "mc_high")
POLICY = ("policy", "policy_id")
MEASURE = ("measure", "metric", "quantity")


@dataclass(frozen=True)
class Interval:
    """A summary value with its band (NaN where the engine gives no band)."""

    mean: float
    low: float
    high: float

    def text(self, digits: int = 2, scale: float = 1.0, suffix: str = "") -> str:
        """``0.42 (0.30–0.55)``; the band is left out when the engine gave none."""
        centre = f"{self.mean * scale:.{digits}f}{suffix}"
        if math.isnan(self.low) or math.isnan(self.high):
            return centre
        low, high = self.low * scale, self.high * scale
        joint = " to " if low < 0 else "–"
        return f"{centre} ({low:.{digits}f}{joint}{high:.{digits}f}{suffix})".replace("-", "−")

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "p05": self.low, "p95": self.high}


Summary = dict[str, dict[str, Interval]]


def _pick(names: Iterable[Any], wanted: tuple[str, ...]) -> Any:
    lookup = {str(n).lower(): n for n in names}
    for want in wanted:
        if want in lookup:
            return lookup[want]
    return None


def _first_number(row: Mapping[Any, Any], wanted: tuple[str, ...]) -> float:
    """The first of the ``wanted`` columns that holds a number (engines leave a percentile
    band empty where it means nothing, e.g. for a 0/1 measure, and give another band)."""
    lookup = {str(n).lower(): n for n in row}
    for want in wanted:
        if want in lookup:
            try:
                value = float(row[lookup[want]])
            except (TypeError, ValueError):
                continue
            if not math.isnan(value):
                return value
    return float("nan")


def _interval(row: Mapping[Any, Any]) -> Interval | None:
    centre = _pick(row.keys(), CENTRE)
    if centre is None:
        return None
    return Interval(float(row[centre]), _first_number(row, LOW), _first_number(row, HIGH))


def read_summary(frame: pd.DataFrame) -> Summary:
    """policy -> measure -> :class:`Interval`, whatever the DataFrame's layout.

    Raises ``ValueError`` if no layout fits (a genuine mismatch with the contract).
    """
    result: Summary = {}
    flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    if isinstance(flat.columns, pd.MultiIndex):
        # (measure, statistic) column pairs with one row per policy.
        frame_cols = frame.columns
        for policy, row in frame.iterrows():
            for measure in dict.fromkeys(frame_cols.get_level_values(0)):
                stats = row[measure]
                interval = _interval(stats.to_dict())
                if interval is not None:
                    result.setdefault(str(policy), {})[str(measure)] = interval
        if result:
            return result
    else:
        policy_col, measure_col = _pick(flat.columns, POLICY), _pick(flat.columns, MEASURE)
        if policy_col is not None and measure_col is not None:
            for _, row in flat.iterrows():
                interval = _interval(row.to_dict())
                if interval is not None:
                    result.setdefault(str(row[policy_col]), {})[str(row[measure_col])] = interval
            if result:
                return result
        if policy_col is not None:
            # Wide: one row per policy, one column per measure (no band).
            nan = float("nan")
            for _, row in flat.iterrows():
                for column, value in row.items():
                    if column == policy_col or not _is_number(value):
                        continue
                    result.setdefault(str(row[policy_col]), {})[str(column)] = Interval(
                        float(value), nan, nan
                    )
            if result:
                return result
    raise ValueError(f"cannot read a policy × measure summary from columns {list(frame.columns)}")


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool | str)


def measures(summary: Summary) -> list[str]:
    """Every measure, in the order the engine first gives it."""
    return list(dict.fromkeys(m for per in summary.values() for m in per))


def jsonable_summary(summary: Summary) -> dict[str, dict[str, dict[str, float]]]:
    return {p: {m: i.as_dict() for m, i in per.items()} for p, per in summary.items()}
