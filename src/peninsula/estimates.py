"""Estimates with the uncertainty that fits them, labelled for what it is.

A summary number in the briefing is one of two kinds, and each has its own interval:

* a **probability** (a yes/no outcome such as ``deal``, or crossing the crisis threshold): the
  share of Monte Carlo runs in which it happens, with the 95% **Monte Carlo interval** of that
  share, the Wilson (1927) score interval (:func:`peninsula.summary.wilson`, the project's one
  Wilson interval). It says how precisely the runs
  pin the probability down; the 5th–95th percentiles of 0/1 outcomes would only ever be 0 or 1.
* a **mean** of a continuous measure (a position, a utility change, launches per year): the
  mean over runs, with the **5th–95th percentile band** of the runs: the spread our
  uncertainty about the inputs implies, not sampling error.

The JSON form (``as_json``) is documented in ``docs/reference/report-json.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from peninsula.summary import wilson

Kind = Literal["probability", "mean"]


def percent(x: float) -> str:
    """A probability in whole percent, with one decimal near 0 and 1 where whole percent would
    round a bound that is not 0 or 1 to it (``0.2%``, ``99.8%``), so no interval reads 0–0%."""
    if 0.0005 <= x < 0.01 or 0.99 < x <= 0.9995:
        return f"{100 * x:.1f}"
    return f"{100 * x:.0f}"


@dataclass(frozen=True)
class Estimate:
    """A summary number with its interval; ``kind`` says which interval it is (module doc)."""

    kind: Kind
    value: float
    low: float
    high: float
    n: int

    @property
    def interval_kind(self) -> str:
        return "monte-carlo" if self.kind == "probability" else "percentile"

    @property
    def level(self) -> float:
        return 0.95 if self.kind == "probability" else 0.90

    def text(self, digits: int = 2) -> str:
        """``55% (53–57%)`` for a probability, ``0.29 (0.14–0.48)`` for a mean; the interval
        is left out where there is none (NaN)."""
        if self.kind == "probability":
            centre = f"{100 * self.value:.0f}%"
            if math.isnan(self.low) or math.isnan(self.high):
                return centre
            return f"{centre} ({percent(self.low)}–{percent(self.high)}%)"
        centre = f"{self.value:.{digits}f}"
        if math.isnan(self.low) or math.isnan(self.high):
            return centre.replace("-", "−")
        joint = " to " if self.low < 0 else "–"
        text = f"{centre} ({self.low:.{digits}f}{joint}{self.high:.{digits}f})"
        return text.replace("-", "−")

    def as_json(self) -> dict[str, Any]:
        """``{"kind", "estimate", "n", "interval": {"type", "level", "low", "high", ...}}``."""
        interval: dict[str, Any] = {
            "type": self.interval_kind,
            "level": self.level,
            "low": _number(self.low),
            "high": _number(self.high),
        }
        if self.kind == "probability":
            interval["method"] = "wilson"
        else:
            interval["percentiles"] = [5, 95]
        return {
            "kind": self.kind,
            "estimate": _number(self.value),
            "n": self.n,
            "interval": interval,
        }


def from_json(data: Mapping[str, Any]) -> Estimate:
    """The inverse of :meth:`Estimate.as_json` (null bounds become NaN)."""
    interval = data["interval"]

    def number(value: Any) -> float:
        return math.nan if value is None else float(value)

    return Estimate(
        data["kind"],
        number(data["estimate"]),
        number(interval["low"]),
        number(interval["high"]),
        int(data["n"]),
    )


def _number(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else float(value)


def probability(p: float, n: int) -> Estimate:
    """The share ``p`` of ``n`` runs, with its 95% Wilson Monte Carlo interval."""
    low, high = wilson(p, n)
    # The Wilson interval contains p̂; rounding can put an end 1e-17 past it (at p̂ = 0 or 1).
    return Estimate("probability", p, min(low, p), max(high, p), n)


def spread(mean: float, p05: float, p95: float, n: int) -> Estimate:
    """A mean over ``n`` runs with the 5th–95th percentiles of the runs."""
    return Estimate("mean", mean, p05, p95, n)
