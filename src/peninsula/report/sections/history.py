"""Section: the relationship history from the event tracker (``peninsula.events``).

The sourced US–DPRK event history is aggregated into a monthly dyad series (both directions):
the mean Goldstein score of the month's events (Goldstein 1992, "A conflict-cooperation scale
for WEIS events data", J. Conflict Resolution 36: −10 most conflictual, +10 most cooperative)
and net cooperation, (cooperative − conflictual events) / events. Key events are the peaks the
tracker annotates; change points are where the series' level shifts (``ruptures``). A lane
chart places every event of the history (all actors, including US, ROK and Japanese leadership
changes) in its category's lane (``peninsula.events.history.CATEGORIES``), and the section says
up to which month the history is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from peninsula.report.content import (
    Annotation,
    Cell,
    Chart,
    Notice,
    Paragraph,
    Section,
    Series,
    Table,
    engine,
)
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

TITLE = "Relationship history"
DYAD = ("USA", "PRK")
PEAKS = 4  # most conflictual and most cooperative months each
WINDOW = 6  # months in the rolling mean


def _dates(found: Any) -> list[pd.Timestamp]:
    """Change points as timestamps, whatever container the engine returns them in."""
    if found is None:
        return []
    if isinstance(found, pd.DataFrame):
        found = found["date"] if "date" in found.columns else found.index
    if isinstance(found, pd.Series) and not pd.api.types.is_datetime64_any_dtype(found):
        found = found.index
    return [pd.Timestamp(x) for x in found]


def _text_column(frame: pd.DataFrame) -> str | None:
    for name in ("label", "annotation", "description", "event", "text"):
        if name in frame.columns:
            return name
    return None


def key_events(peaks: Any) -> list[dict[str, Any]]:
    """The annotated peaks as rows ``{date, text, goldstein, url}`` in date order."""
    if peaks is None:
        return []
    frame = peaks if isinstance(peaks, pd.DataFrame) else pd.DataFrame(peaks)
    if "date" not in frame.columns:
        frame = frame.reset_index().rename(columns={frame.index.name or "index": "date"})
    text = _text_column(frame)
    rows: list[dict[str, Any]] = []
    for _, row in frame.iterrows():
        when = pd.Timestamp(row["date"])
        period = pd.Timestamp(row["period"]) if "period" in frame.columns else when
        rows.append(
            {
                "date": when,
                "period": _iso(period),
                "kind": str(row.get("kind", "") or ""),
                "text": str(row[text]) if text else "",
                "goldstein": float(row["goldstein"]) if "goldstein" in frame.columns else None,
                "url": str(row.get("source_url", "") or ""),
            }
        )
    rows.sort(key=lambda r: r["date"])
    return rows


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def _iso(when: pd.Timestamp) -> str:
    return when.strftime("%Y-%m-%d")


def smoothed(monthly: pd.DataFrame, window: int = WINDOW) -> pd.DataFrame:
    """Event-weighted rolling means over ``window`` months (trailing): Goldstein score per event
    and net cooperation. Single months with one or two events swing from −10 to +10, so the
    trend is read from the rolling mean; windows without events are NaN (a gap), not 0."""
    events = monthly["events"].rolling(window, min_periods=1).sum()
    coop = (monthly["verbal_coop"] + monthly["material_coop"]).rolling(window, 1).sum()
    conflict = (monthly["verbal_conflict"] + monthly["material_conflict"]).rolling(window, 1).sum()
    goldstein = monthly["goldstein_sum"].rolling(window, min_periods=1).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "goldstein_mean": np.where(events > 0, goldstein / events, np.nan),
                "net_cooperation": np.where(events > 0, (coop - conflict) / events, np.nan),
            },
            index=monthly.index,
        )


def _line_chart(
    chart_id: str,
    title: str,
    y_label: str,
    monthly: pd.DataFrame,
    trend: pd.DataFrame,
    column: str,
    notes: Iterable[Annotation],
    description: str,
    y_range: tuple[float, float],
) -> Chart:
    active = monthly[monthly["events"] > 0]
    return Chart(
        id=chart_id,
        title=title,
        x_label="Month",
        y_label=y_label,
        series=(
            Series(
                "single month (months with events)",
                tuple(_iso(pd.Timestamp(d)) for d in active.index),
                tuple(float(v) for v in active[column]),
                "markers",
            ),
            Series(
                f"{WINDOW}-month rolling mean",
                tuple(_iso(pd.Timestamp(d)) for d in trend.index),
                tuple(float(v) for v in trend[column]),
            ),
        ),
        description=description,
        x_kind="date",
        annotations=tuple(notes),
        reference_lines=((0.0, "neutral"),),
        y_range=y_range,
    )


def _lane_chart(events: pd.DataFrame, lanes: tuple[str, ...], categories: dict[str, str]) -> Chart:
    """One row of markers per lane (numbered top to bottom as in the legend), one marker per
    event, so launches, exercises, resolutions, summits and leadership changes line up in time.
    The y axis is the lane's row number: the chart spec has no categorical y axis."""
    lane_of = events["category"].map(categories)
    series = []
    for row, lane in enumerate(lanes, 1):
        dates = events.loc[lane_of == lane, "date"]
        if dates.empty:
            continue
        series.append(
            Series(
                f"{row} {lane}",
                tuple(_iso(pd.Timestamp(d)) for d in dates),
                tuple(float(len(lanes) + 1 - row) for _ in dates),
                "markers",
            )
        )
    return Chart(
        id="chart-history-lanes",
        title="Events of the bundled history by lane",
        x_label="Date",
        y_label="Lane (row number from the top, see legend)",
        series=tuple(series),
        description="Each marker is one event of the sourced history, all actors, placed in "
        "its category's lane: launches and tests, military moves (exercises, deployments, "
        "incidents), the UN Security Council and sanctions, summits, talks and agreements, "
        "leadership changes in the US, South Korea and Japan, statements, other.",
        x_kind="date",
        y_range=(0.5, len(lanes) + 0.5),
    )


def build_history(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    history = engine(
        "peninsula.events.history", "load_history", "CATEGORIES", "LANES", "coverage_note"
    )
    analysis = engine("peninsula.events.analysis", "dyad_series", "change_points", "annotate_peaks")
    a, b = DYAD
    if not {a, b} <= set(scenario.actor_ids):
        return Section(
            id="history",
            title=TITLE,
            blocks=(
                Notice(
                    f"The bundled event history covers the {a}–{b} dyad; this scenario has no "
                    "such pair of actors, so there is no history to show.",
                    kind="caution",
                ),
            ),
            numbers={"dyad": None},
            summary="",
        )
    events = history.load_history()
    # The briefing is "as of" the scenario's date: later events were not known then.
    events = events[events["date"] <= pd.Timestamp(scenario.metadata.as_of)]
    monthly = analysis.dyad_series(events, a, b, freq="month")
    pair = events[
        ((events["source"] == a) & (events["target"] == b))
        | ((events["source"] == b) & (events["target"] == a))
    ]
    peaks = key_events(analysis.annotate_peaks(monthly, pair, top=PEAKS, per_period=2))
    breaks = _dates(analysis.change_points(monthly, column="net_cooperation"))
    trend = smoothed(monthly)
    # One numbered marker per peak month, keyed to the "#" column of the events table.
    numbers = {period: n for n, period in enumerate(sorted({r["period"] for r in peaks}), 1)}
    first, last = monthly.index.min(), monthly.index.max()
    blocks: list[Any] = [
        Paragraph(
            f"{len(pair)} sourced {a}–{b} events from {_iso(first)[:7]} to {_iso(last)[:7]} "
            f"(the scenario's date, {scenario.metadata.as_of.isoformat()}), both directions, "
            "aggregated by month. Goldstein scores run from −10 (military "
            "attack) to +10 (military assistance). Single months with one or two events swing "
            f"widely, so the line is the {WINDOW}-month event-weighted rolling mean."
        ),
        _line_chart(
            "chart-history-goldstein",
            f"{a}–{b} relations by month: Goldstein score, key months numbered",
            "Mean Goldstein score per event (−10 to +10)",
            monthly,
            trend,
            "goldstein_mean",
            (Annotation(period, str(n)) for period, n in numbers.items()),
            "Dots: mean Goldstein score of each month's events between "
            f"{a} and {b}; line: {WINDOW}-month event-weighted rolling mean. Numbered lines mark "
            "the most conflictual and most cooperative months; their events are listed below.",
            (-10.5, 10.5),
        ),
        _line_chart(
            "chart-history-net-cooperation",
            f"{a}–{b} net cooperation by month, with change points",
            "Net cooperation (share of events, −1 to +1)",
            monthly,
            trend,
            "net_cooperation",
            (Annotation(_iso(d), "change point") for d in breaks),
            "(Cooperative − conflictual events) / events: dots for single months, the line "
            f"for the {WINDOW}-month rolling value. Dotted lines are the change points where the "
            "level of the monthly series shifts (PELT).",
            (-1.05, 1.05),
        ),
    ]
    blocks.append(Paragraph(history.coverage_note()))
    blocks.append(_lane_chart(events, history.LANES, history.CATEGORIES))
    leaders = events[events["category"] == "leadership"]
    if not leaders.empty:
        blocks.append(
            Table(
                "history-leadership",
                "Leadership changes in the US, South Korea and Japan (the leadership lane)",
                ("Date", "Country", "Event"),
                tuple(
                    (
                        Cell(_iso(pd.Timestamp(r["date"]))),
                        Cell(str(r["source"])),
                        Cell(str(r["description"]), link=str(r["source_url"])),
                    )
                    for _, r in leaders.iterrows()
                ),
            )
        )
    if peaks:
        blocks.append(
            Table(
                "history-events",
                "Key events: the strongest events of the most conflictual and most cooperative "
                "months, linked to their sources",
                ("#", "Date", "Peak", "Event", "Goldstein score"),
                tuple(
                    (
                        Cell(str(numbers[r["period"]])),
                        Cell(_iso(r["date"])),
                        Cell(r["kind"] or "—"),
                        Cell(r["text"], link=r["url"]),
                        Cell(_signed(r["goldstein"]) if r["goldstein"] is not None else "—"),
                    )
                    for r in peaks
                ),
            )
        )
    # Extremes by the month's total Goldstein score, not its mean: a month with one sanctions
    # announcement has a mean of -8 but is not more hostile than August 2017's threats and tests.
    low = monthly["goldstein_sum"].idxmin()
    high = monthly["goldstein_sum"].idxmax()
    return Section(
        id="history",
        title=TITLE,
        blocks=tuple(blocks),
        numbers={
            "dyad": [a, b],
            "events": len(pair),
            "coverage": history.coverage_note(),
            "lanes": {
                lane: int((events["category"].map(history.CATEGORIES) == lane).sum())
                for lane in history.LANES
            },
            "months": {
                _iso(pd.Timestamp(d)): {
                    "events": int(row["events"]),
                    "goldstein_mean": float(row["goldstein_mean"]),
                    "net_cooperation": float(row["net_cooperation"]),
                }
                for d, row in monthly.iterrows()
            },
            "change_points": [_iso(d) for d in breaks],
            "key_events": [
                {
                    "date": _iso(r["date"]),
                    "text": r["text"],
                    "goldstein": r["goldstein"],
                    "url": r["url"] or None,
                }
                for r in peaks
            ],
        },
        summary=(
            f"The most cooperative month was {_iso(pd.Timestamp(high))[:7]} "
            f"(total Goldstein {_signed(monthly.loc[high, 'goldstein_sum'])} over "
            f"{int(monthly.loc[high, 'events'])} events), the most hostile "
            f"{_iso(pd.Timestamp(low))[:7]} ({_signed(monthly.loc[low, 'goldstein_sum'])} over "
            f"{int(monthly.loc[low, 'events'])} events); {len(breaks)} change points."
        ),
    )
