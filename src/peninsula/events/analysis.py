"""Measuring a relationship from events: dyad series, regime shifts and their driving events.

Pure functions (DataFrames in, DataFrames out; no I/O). The measures are the standard ones
of event-data research:

- counts per CAMEO quad class (verbal/material cooperation/conflict, as in GDELT);
- the Goldstein (1992) conflict-cooperation weight, summed and averaged per period
  (the mean removes the effect of news volume, the sum keeps intensity);
- net cooperation = (cooperative - conflictual events) / events, in [-1, 1]
  (the "net cooperation" index of Goldstein & Pevehouse 1997, here on counts);
- change points with PELT (Killick, Fearnhead & Eckley 2012, JASA 107(500)) from
  ``ruptures`` (Truong, Oudre & Vayatis 2020), see :func:`change_points`.

:func:`dyad_report` (events in memory) and :func:`store_dyad_report` (events in a DuckDB
store) put these together into one :class:`DyadReport`; ``peninsula events dyad`` and the
report's history section both render one, so they measure a relationship the same way.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from peninsula.errors import InputError, Located

Freq = Literal["day", "week", "month", "year"]
_PERIOD = {"day": "D", "week": "W-SUN", "month": "M", "year": "Y"}
SERIES_COLUMNS = (
    "events", "verbal_coop", "material_coop", "verbal_conflict", "material_conflict",
    "goldstein_sum", "goldstein_mean", "net_cooperation",
)  # fmt: skip
_QUAD = {1: "verbal_coop", 2: "material_coop", 3: "verbal_conflict", 4: "material_conflict"}


def period_code(freq: str) -> str:
    if freq not in _PERIOD:
        raise InputError(
            [Located(f"must be one of {', '.join(_PERIOD)}, got {freq!r}", field="--freq")]
        )
    return _PERIOD[freq]


def period_end(start: pd.Timestamp, freq: str) -> date:
    """Last day of the ``freq`` period starting at ``start``."""
    end: date = pd.Timestamp(start).to_period(period_code(freq)).end_time.date()
    return end


def dyad_events(events: pd.DataFrame, a: str, b: str, directed: bool = False) -> pd.DataFrame:
    """The rows of ``events`` from ``a`` to ``b`` (and ``b`` to ``a`` unless ``directed``)."""
    mask = (events["source"] == a) & (events["target"] == b)
    if not directed:
        mask |= (events["source"] == b) & (events["target"] == a)
    return events.loc[mask]


def dyad_series(
    events: pd.DataFrame,
    a: str,
    b: str,
    freq: str = "month",
    directed: bool = False,
) -> pd.DataFrame:
    """Per-period relationship measures between ``a`` and ``b``.

    Index: the start of every period (day, week starting Monday, month, year) from the first
    to the last event of the dyad, empty periods included with zeros. Columns: see
    :data:`SERIES_COLUMNS`; ``goldstein_mean`` and ``net_cooperation`` are 0 for empty
    periods. ``series.attrs`` records a, b, freq and directed for :func:`annotate_peaks`.
    """
    code = period_code(freq)
    rows = dyad_events(events, a, b, directed)
    periods = pd.to_datetime(rows["date"]).dt.to_period(code).dt.to_timestamp(how="start")
    frame = pd.DataFrame(
        {
            "period": periods.to_numpy(),
            "quad": rows["quad_class"].to_numpy(dtype="int64"),
            "goldstein": rows["goldstein"].to_numpy(dtype="float64"),
        }
    )
    grouped = frame.groupby("period")
    counts = frame.groupby(["period", "quad"]).size().unstack(fill_value=0)
    agg = pd.DataFrame({"events": grouped.size()})
    for q, name in _QUAD.items():
        agg[name] = counts[q] if q in counts.columns else 0
    agg["goldstein_sum"] = grouped["goldstein"].sum()
    return series_from_counts(agg, freq, {"a": a, "b": b, "freq": freq, "directed": directed})


def series_from_counts(
    counts: pd.DataFrame, freq: str, attrs: dict[str, object] | None = None
) -> pd.DataFrame:
    """Complete per-period counts into a dyad series (shared with the SQL path of the store).

    ``counts``: index = period starts (only periods with events), columns ``events``, the four
    quad-class counts and ``goldstein_sum``. Adds the empty periods between the first and the
    last one, then ``goldstein_mean`` and ``net_cooperation``.
    """
    code = period_code(freq)
    if counts.empty:
        full = pd.DatetimeIndex([], name="period").as_unit("ns")
    else:
        starts = pd.DatetimeIndex(counts.index)
        span = pd.period_range(
            starts.min().to_period(code), starts.max().to_period(code), freq=code
        )
        full = pd.DatetimeIndex(span.to_timestamp(how="start"), name="period").as_unit("ns")
    counts = counts.set_axis(pd.DatetimeIndex(counts.index).as_unit("ns"))
    out = pd.DataFrame(index=full)
    for name in ("events", *_QUAD.values()):
        out[name] = counts[name].reindex(full, fill_value=0).astype("int64")
    out["goldstein_sum"] = counts["goldstein_sum"].reindex(full, fill_value=0.0).astype("float64")
    n = out["events"].to_numpy()
    safe = np.where(n > 0, n, 1)
    out["goldstein_mean"] = np.where(n > 0, out["goldstein_sum"].to_numpy() / safe, 0.0)
    coop = (out["verbal_coop"] + out["material_coop"]).to_numpy()
    conf = (out["verbal_conflict"] + out["material_conflict"]).to_numpy()
    out["net_cooperation"] = np.where(n > 0, (coop - conf) / safe, 0.0)
    out.index.name = "period"
    if attrs:
        out.attrs.update(attrs)
    return out


def default_penalty(values: np.ndarray) -> float:
    """BIC-type penalty for the l2 cost: 2 * sigma^2 * log(n).

    sigma is estimated robustly from first differences (median absolute deviation,
    sigma = MAD / (0.6745 * sqrt(2))) so that the shifts themselves do not inflate it;
    this is the usual choice for PELT with a mean-shift cost (Killick et al. 2012, sec. 3;
    Truong et al. 2020, sec. 6.1). Floored so that a flat series gives a finite penalty.
    """
    n = len(values)
    if n < 3:
        return math.inf
    diffs = np.abs(np.diff(values))
    sigma = float(np.median(diffs)) / (0.6745 * math.sqrt(2.0))
    if sigma <= 0:
        sigma = float(np.std(values)) or 1.0
    return 2.0 * sigma**2 * math.log(n)


def change_points(
    series: pd.DataFrame,
    column: str = "goldstein_mean",
    penalty: float | None = None,
    min_size: int = 2,
    model: str = "l2",
) -> pd.DatetimeIndex:
    """Starts of new regimes in ``series[column]`` found by PELT (``ruptures.Pelt``).

    Why PELT with the ``l2`` cost: the question is "when did the *level* of the relationship
    change?", i.e. shifts in the mean of a short (tens to hundreds of periods), noisy series.
    ``l2`` is the least-squares mean-shift cost; PELT finds the exact optimum of
    cost + penalty x (number of changes) in linear expected time. ``rbf`` detects any change
    of distribution but needs more points per segment than monthly diplomacy offers and
    reacts to variance changes caused by news volume. ``penalty`` defaults to
    :func:`default_penalty`; ``min_size`` is the shortest regime in periods.
    """
    import ruptures

    if column not in series.columns:
        raise InputError([Located(f"no column {column!r} in the series", field="column")])
    values = series[column].to_numpy(dtype="float64")
    n = len(values)
    if n < 2 * min_size:
        return pd.DatetimeIndex([], name="period")
    pen = default_penalty(values) if penalty is None else float(penalty)
    if not math.isfinite(pen):
        return pd.DatetimeIndex([], name="period")
    algo = ruptures.Pelt(model=model, min_size=min_size, jump=1).fit(values.reshape(-1, 1))
    ends: list[int] = [int(e) for e in algo.predict(pen=pen)]
    starts = [e for e in ends if e < n]
    return pd.DatetimeIndex(series.index[starts], name="period")


def regimes(
    series: pd.DataFrame, breaks: pd.DatetimeIndex, column: str = "goldstein_mean"
) -> pd.DataFrame:
    """One row per regime between change points: start, end (last period), periods, mean."""
    positions = series.index.get_indexer(breaks)
    cuts = [0, *[int(p) for p in positions], len(series)]
    rows = []
    for lo, hi in itertools.pairwise(cuts):
        part = series.iloc[lo:hi]
        rows.append(
            {
                "start": part.index[0],
                "end": part.index[-1],
                "periods": hi - lo,
                "events": int(part["events"].sum()),
                "mean": float(part[column].mean()),
            }
        )
    return pd.DataFrame(rows, columns=["start", "end", "periods", "events", "mean"])


def peak_periods(
    series: pd.DataFrame, top: int = 3, column: str = "goldstein_mean"
) -> list[tuple[str, pd.Timestamp, float]]:
    """``(kind, period start, value)`` of the ``top`` lowest (conflict, value < 0) and highest
    (cooperation, value > 0) periods with events."""
    active = series[series["events"] > 0][column]
    out: list[tuple[str, pd.Timestamp, float]] = []
    for period, value in active.nsmallest(top).items():
        if value < 0:
            out.append(("conflict", pd.Timestamp(str(period)), float(value)))
    for period, value in active.nlargest(top).items():
        if value > 0:
            out.append(("cooperation", pd.Timestamp(str(period)), float(value)))
    return out


def annotate_peaks(
    series: pd.DataFrame,
    events: pd.DataFrame,
    top: int = 3,
    per_period: int = 3,
    column: str = "goldstein_mean",
) -> pd.DataFrame:
    """The events behind the ``top`` most conflictual and most cooperative periods.

    Peaks are the periods with the lowest (conflict) and highest (cooperation) ``column``
    among periods with events; for each, the ``per_period`` events pulling hardest in that
    direction (lowest / highest Goldstein weight x mentions) are returned. ``events`` are
    restricted to the dyad recorded in ``series.attrs`` (by :func:`dyad_series`).
    """
    cols = ["kind", "period", "value", "date", "source", "target", "cameo_code",
            "goldstein", "mentions", "description", "source_url"]  # fmt: skip
    freq = str(series.attrs.get("freq", "month"))
    code = period_code(freq)
    if "a" in series.attrs and "b" in series.attrs:
        events = dyad_events(
            events, str(series.attrs["a"]), str(series.attrs["b"]),
            bool(series.attrs.get("directed", False)),
        )  # fmt: skip
    chosen = peak_periods(series, top, column)
    if not chosen or events.empty:
        return pd.DataFrame(columns=cols)
    period_of = pd.to_datetime(events["date"]).dt.to_period(code).dt.to_timestamp(how="start")
    out: list[pd.DataFrame] = []
    for kind, period, value in chosen:
        rows = events[(period_of == period).to_numpy()].copy()
        pull = rows["goldstein"] * rows["mentions"]
        rows = rows.assign(_pull=pull).sort_values(
            "_pull", ascending=(kind == "conflict"), kind="stable"
        )
        rows = rows.head(per_period).drop(columns="_pull")
        rows.insert(0, "value", value)
        rows.insert(0, "period", [period] * len(rows))
        rows.insert(0, "kind", kind)
        out.append(rows)
    if not out:
        return pd.DataFrame(columns=cols)
    result = pd.concat(out, ignore_index=True)
    return result[[c for c in cols if c in result.columns]]


def rolling_means(series: pd.DataFrame, window: int = 6) -> pd.DataFrame:
    """Event-weighted trailing means over ``window`` periods: Goldstein score per event and net
    cooperation. Single months with one or two events swing from −10 to +10, so a trend is
    read from the rolling mean; windows without events are NaN (a gap), not 0."""
    events = series["events"].rolling(window, min_periods=1).sum()
    coop = (series["verbal_coop"] + series["material_coop"]).rolling(window, 1).sum()
    conflict = (series["verbal_conflict"] + series["material_conflict"]).rolling(window, 1).sum()
    goldstein = series["goldstein_sum"].rolling(window, min_periods=1).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "goldstein_mean": np.where(events > 0, goldstein / events, np.nan),
                "net_cooperation": np.where(events > 0, (coop - conflict) / events, np.nan),
            },
            index=series.index,
        )


@dataclass(frozen=True)
class DyadReport:
    """How the relationship between ``a`` and ``b`` moved, period by period.

    Attributes:
        series: per-period measures (:func:`dyad_series`); ``change_column`` is the series
            whose level shifts are detected.
        events: the dyad's events available for annotation (all of them, or only those of
            the peak periods when read from a store).
        change_points: starts of new regimes (:func:`change_points`), ``regimes`` the
            segments between them (:func:`regimes`).
        peaks: the events behind the most conflictual and cooperative periods
            (:func:`annotate_peaks`), one row per event.
    """

    a: str
    b: str
    freq: str
    directed: bool
    source: str
    series: pd.DataFrame
    events: pd.DataFrame
    change_column: str
    change_points: pd.DatetimeIndex
    regimes: pd.DataFrame
    peaks: pd.DataFrame

    @property
    def empty(self) -> bool:
        return bool(self.series.empty)

    def extremes(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Periods with the lowest and highest *total* Goldstein score: a month with one
        sanctions announcement has a mean of −8 but is not more hostile than a month of
        threats and tests, so extremes go by the sum, not the mean."""
        total = self.series["goldstein_sum"]
        low: Any = total.idxmin()
        high: Any = total.idxmax()
        return pd.Timestamp(low), pd.Timestamp(high)

    def to_frame(self) -> pd.DataFrame:
        """The per-period series (index: period start)."""
        return self.series.copy()

    def __repr__(self) -> str:
        arrow = "→" if self.directed else "↔"
        return (
            f"<DyadReport {self.a}{arrow}{self.b} by {self.freq}: {len(self.series)} periods, "
            f"{int(self.series['events'].sum()) if not self.empty else 0} events, "
            f"{len(self.change_points)} change points ({self.source})>"
        )

    def _repr_html_(self) -> str:
        head = f"<p><b>{self.a}{'→' if self.directed else '↔'}{self.b}</b> by {self.freq}</p>"
        return head + str(self.series.tail(12).to_html())


def analyse_dyad(
    series: pd.DataFrame,
    events: pd.DataFrame,
    *,
    source: str = "",
    peaks: int = 3,
    per_period: int = 3,
    penalty: float | None = None,
    change_column: str = "goldstein_mean",
) -> DyadReport:
    """Change points, regimes and annotated peaks of a dyad ``series`` (:func:`dyad_series`)."""
    attrs = series.attrs
    if series.empty:
        breaks = pd.DatetimeIndex([], name="period")
    else:
        breaks = change_points(series, column=change_column, penalty=penalty)
    notes = (
        annotate_peaks(series, events, top=peaks, per_period=per_period)
        if peaks > 0 and not events.empty and not series.empty
        else pd.DataFrame()
    )
    return DyadReport(
        a=str(attrs.get("a", "")),
        b=str(attrs.get("b", "")),
        freq=str(attrs.get("freq", "month")),
        directed=bool(attrs.get("directed", False)),
        source=source,
        series=series,
        events=events,
        change_column=change_column,
        change_points=breaks,
        regimes=regimes(series, breaks, change_column) if not series.empty else pd.DataFrame(),
        peaks=notes,
    )


def dyad_report(
    events: pd.DataFrame,
    a: str,
    b: str,
    freq: str = "month",
    *,
    directed: bool = False,
    since: date | None = None,
    until: date | None = None,
    source: str = "",
    **options: Any,
) -> DyadReport:
    """The relationship between ``a`` and ``b`` in ``events`` between ``since`` and ``until``
    (inclusive); ``options`` go to :func:`analyse_dyad`."""
    period_code(freq)
    if since is not None:
        events = events[events["date"] >= pd.Timestamp(since)]
    if until is not None:
        events = events[events["date"] <= pd.Timestamp(until)]
    series = dyad_series(events, a, b, freq=freq, directed=directed)
    pair = dyad_events(events, a, b, directed)
    return analyse_dyad(series, pair, source=source, **options)


class DyadStore(Protocol):
    """What :func:`store_dyad_report` needs of an event store (``events.store.EventStore``)."""

    def dyad_series(
        self,
        a: str,
        b: str,
        freq: str = "month",
        *,
        since: date | None = None,
        until: date | None = None,
        directed: bool = False,
    ) -> pd.DataFrame: ...

    def dyad_events(
        self,
        a: str,
        b: str,
        *,
        since: date | None = None,
        until: date | None = None,
        directed: bool = False,
    ) -> pd.DataFrame: ...


def store_dyad_report(
    store: DyadStore,
    a: str,
    b: str,
    freq: str = "month",
    *,
    directed: bool = False,
    since: date | None = None,
    until: date | None = None,
    source: str = "",
    peaks: int = 3,
    **options: Any,
) -> DyadReport:
    """Like :func:`dyad_report` for a store: the series is aggregated in the database and only
    the events of the peak periods are fetched, so a store of millions of events is fine."""
    period_code(freq)
    series = store.dyad_series(a, b, freq, since=since, until=until, directed=directed)
    parts = [
        store.dyad_events(
            a, b, since=start.date(), until=period_end(start, freq), directed=directed
        )
        for _, start, _ in (peak_periods(series, peaks) if peaks > 0 else [])
    ]
    events = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return analyse_dyad(series, events, source=source, peaks=peaks, **options)
