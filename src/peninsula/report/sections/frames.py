"""Read the engines' summary tables into one plain shape: policy -> measure -> interval.

The ensemble's ``Experiment.summary()`` and the crisis simulator's ``CrisisResult.summary()``
share one layout (:mod:`peninsula.summary`): index ``(policy, measure)``, columns ``mean``,
``low``, ``high``. The report reads exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from peninsula.scenario.schema import range_text
from peninsula.summary import check_summary


@dataclass(frozen=True)
class Interval:
    """A summary value with its band (NaN where the engine gives no band)."""

    mean: float
    low: float
    high: float

    def text(self, digits: int = 2, scale: float = 1.0, suffix: str = "") -> str:
        """``0.42 (0.30–0.55)``; the band is left out when the engine gave none."""
        return range_text(self.mean * scale, self.low * scale, self.high * scale, digits, suffix)


Summary = dict[str, dict[str, Interval]]


def read_summary(frame: pd.DataFrame) -> Summary:
    """policy -> measure -> :class:`Interval` from an engine's summary (the
    :mod:`peninsula.summary` layout); a ``ValueError`` if the frame has another layout."""
    check_summary(frame)
    result: Summary = {}
    keys = frame.index.to_list()
    values = frame[["mean", "low", "high"]].to_numpy(dtype=float)
    for (policy, measure), (mean, low, high) in zip(keys, values, strict=True):
        result.setdefault(str(policy), {})[str(measure)] = Interval(
            float(mean), float(low), float(high)
        )
    return result


def measures(summary: Summary) -> list[str]:
    """Every measure, in the order the engine first gives it."""
    return list(dict.fromkeys(m for per in summary.values() for m in per))
