"""The one table layout for "policy × measure, a mean and an interval".

The ensemble (:meth:`peninsula.ensemble.Experiment.summary`) and the crisis simulator
(:meth:`peninsula.crisis.CrisisResult.summary`) both answer "how does each policy do on each
measure, and how sure are we" with a DataFrame of this layout, which the CLI tables, the report
and a notebook read without knowing which engine made it:

- index ``(policy, measure)``;
- columns ``mean``, ``low``, ``high`` first: the central value and the interval the engine
  stands behind (``frame.attrs["interval"]`` says which interval that is), then any columns
  of the engine's own (``mcse``, ``n``, ``p50``, ``mc_low`` ...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

INDEX = ("policy", "measure")
COLUMNS = ("mean", "low", "high")


def summary_frame(
    rows: Sequence[tuple[Any, ...]], extra: Sequence[str] = (), interval: str = ""
) -> pd.DataFrame:
    """A summary from rows ``(policy, measure, mean, low, high, *extra)``."""
    frame = pd.DataFrame(list(rows), columns=[*INDEX, *COLUMNS, *extra]).set_index(list(INDEX))
    frame.attrs["interval"] = interval
    return frame


def check_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` if it has the layout; a ``ValueError`` naming what is missing otherwise."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if tuple(frame.index.names) != INDEX or missing:
        raise ValueError(
            f"not a policy × measure summary: index {list(frame.index.names)}, "
            f"columns {list(frame.columns)} (need index {list(INDEX)}, columns {list(COLUMNS)})"
        )
    return frame


def means_html(heading: str, frame: pd.DataFrame) -> str:
    """A notebook view of a summary: the heading, then the means as a policy × measure table
    (the intervals stay in the frame itself)."""
    means = check_summary(frame)["mean"].unstack("measure").round(3)
    return f"<p>{heading} (means; <code>.summary()</code> has the intervals)</p>" + str(
        means.to_html()
    )


def wilson(p: float, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``p`` estimated from ``n`` runs.

    Wilson (1927), "Probable inference, the law of succession, and statistical inference",
    JASA 22: (p̂ + z²/2N ± z·sqrt(p̂(1−p̂)/N + z²/4N²)) / (1 + z²/N). Unlike p̂ ± z·se it stays
    inside [0, 1] and is not degenerate at p̂ = 0 or 1, which matters for rare crises.
    """
    if n <= 0 or math.isnan(p):
        return (math.nan, math.nan)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))
