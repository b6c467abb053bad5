"""Section: the relationship history from the event tracker (``peninsula.events``).

The bundled, sourced event history is aggregated into a monthly series of the scenario's
tracked pair (``roles.dyad``, both directions):
the mean Goldstein score of the month's events (Goldstein 1992, "A conflict-cooperation scale
for WEIS events data", J. Conflict Resolution 36: −10 most conflictual, +10 most cooperative)
and net cooperation, (cooperative − conflictual events) / events. Key events are the peaks the
tracker annotates; change points are where the series' level shifts (``ruptures``). A lane
chart places every event of the history (all actors, including the leadership changes it
records) in its category's lane (``peninsula.events.history.CATEGORIES``), and the section says
up to which month the history is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from peninsula.events.analysis import dyad_report, rolling_means
from peninsula.events.history import CATEGORIES, LANES, coverage_note, load_history
from peninsula.report.content import (
    Annotation,
    Cell,
    Chart,
    Notice,
    Paragraph,
    Section,
    Series,
    Table,
)
from peninsula.report.sections.scenario import actor_name
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

ID = "history"
TITLE = "Relationship history"
PEAKS = 4  # most conflictual and most cooperative months each
WINDOW = 6  # months in the rolling mean


def key_events(peaks: pd.DataFrame) -> list[dict[str, Any]]:
    """The annotated peaks (:func:`~peninsula.events.analysis.annotate_peaks`) as rows
    ``{date, period, kind, text, goldstein, url}`` in date order."""
    rows: list[dict[str, Any]] = [
        {
            "date": pd.Timestamp(row["date"]),
            "period": _iso(pd.Timestamp(row["period"])),
            "kind": str(row["kind"] or ""),
            "text": _text(row.get("description")),
            "goldstein": float(row["goldstein"]),
            "url": _text(row.get("source_url")),
        }
        for _, row in peaks.iterrows()
    ]
    rows.sort(key=lambda r: r["date"])
    return rows


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def _iso(when: Any) -> str:
    return pd.Timestamp(when).strftime("%Y-%m-%d")


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
                tuple(_iso(d) for d in active.index),
                tuple(float(v) for v in active[column]),
                "markers",
            ),
            Series(
                f"{WINDOW}-month rolling mean",
                tuple(_iso(d) for d in trend.index),
                tuple(float(v) for v in trend[column]),
            ),
        ),
        description=description,
        x_kind="date",
        annotations=tuple(notes),
        reference_lines=((0.0, "neutral"),),
        y_range=y_range,
    )


def leadership_countries(scenario: Scenario, events: pd.DataFrame) -> str:
    """Whose leadership changes the history records, in order of first appearance, named as
    the scenario names them ("United States, South Korea and Japan" for korea-2025; a code
    the scenario lacks as it is): read from the events, so the text fits any history."""
    leaders = events.loc[events["category"] == "leadership"].sort_values("date", kind="stable")
    names = [actor_name(scenario, str(code)) for code in dict.fromkeys(leaders["source"])]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _lane_chart(
    events: pd.DataFrame,
    lanes: tuple[str, ...],
    categories: dict[str, str],
    leaders: str,
) -> Chart:
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
        + (f"leadership changes ({leaders})" if leaders else "leadership changes")
        + ", statements, other.",
        x_kind="date",
        y_range=(0.5, len(lanes) + 0.5),
    )


def build_history(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    if scenario.roles.dyad is None:
        return Section(
            id=ID,
            title=TITLE,
            blocks=(
                Notice(
                    "This scenario names no tracked pair of actors (`roles.dyad`), so there is "
                    "no event history to show.",
                    kind="caution",
                ),
            ),
            numbers={"dyad": None},
            summary="",
        )
    a, b = scenario.roles.dyad
    # The briefing is "as of" the scenario's date: later events were not known then.
    history = load_history()
    events = history[history["date"] <= pd.Timestamp(scenario.metadata.as_of)]
    dyad = dyad_report(
        history,
        a,
        b,
        "month",
        until=scenario.metadata.as_of,
        source="bundled history",
        peaks=PEAKS,
        per_period=2,
        change_column="net_cooperation",
    )
    monthly, pair, breaks = dyad.series, dyad.events, list(dyad.change_points)
    peaks = key_events(dyad.peaks)
    trend = rolling_means(monthly, WINDOW)
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
    blocks.append(Paragraph(coverage_note()))
    countries = leadership_countries(scenario, events)
    blocks.append(_lane_chart(events, LANES, CATEGORIES, countries))
    leaders = events[events["category"] == "leadership"]
    if not leaders.empty:
        blocks.append(
            Table(
                "history-leadership",
                f"Leadership changes: {countries} (the leadership lane)",
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
    low, high = dyad.extremes()
    sums, counts = monthly["goldstein_sum"], monthly["events"]
    return Section(
        id=ID,
        title=TITLE,
        blocks=tuple(blocks),
        numbers={
            "dyad": [a, b],
            "events": len(pair),
            "coverage": coverage_note(),
            "lanes": {
                lane: int((events["category"].map(CATEGORIES) == lane).sum()) for lane in LANES
            },
            "months": {
                _iso(d): {
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
            f"The most cooperative month was {_iso(high)[:7]} "
            f"(total Goldstein {_signed(float(sums[high]))} over "
            f"{int(counts[high])} events), the most hostile "
            f"{_iso(low)[:7]} ({_signed(float(sums[low]))} over "
            f"{int(counts[low])} events); {len(breaks)} change points."
        ),
    )
