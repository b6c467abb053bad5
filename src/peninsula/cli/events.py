"""``peninsula events``: ingest event files, measure a dyad, print the bundled timeline."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from peninsula.errors import InputError, Located
from peninsula.files import check_writable, write_atomic

if TYPE_CHECKING:
    import pandas as pd

    from peninsula.events.analysis import DyadReport

console = Console()
err = Console(stderr=True)
events_app = typer.Typer(
    help="Event data: ingest GDELT/ICEWS/CSV into a DuckDB store, measure a relationship.",
    no_args_is_help=True,
)

DB_HELP = "Event store (DuckDB file); default: events.duckdb in the user data directory."


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError([Located(f"not a date YYYY-MM-DD: {text!r}", field=option)]) from None


@events_app.command("ingest")
def ingest(
    files: list[Path] = typer.Argument(..., help="Event files (.csv/.CSV/.txt/.tab/.zip)."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="gdelt1, gdelt2, icews or csv (default: detect)."
    ),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad row (exit 2)."),
    show: int = typer.Option(20, "--show-bad", help="How many bad rows to list per file."),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="This file's rows replace stored versions of the same events "
        "(e.g. after a damaged copy was ingested first).",
    ),
) -> None:
    """Ingest event files into the store (one transaction per file, idempotent)."""
    from peninsula.events.store import EventStore

    with EventStore(db) as store:
        for path in files:
            if not path.exists():
                raise InputError([Located("no such file", file=path)])
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task(escape(path.name), total=None)

                def advance(n: int, task: TaskID = task, bar: Progress = bar) -> None:
                    bar.advance(task, n)

                from peninsula.events.readers import EventFile

                bar.update(task, total=EventFile.total_bytes(path))
                report = store.ingest(path, fmt, strict=strict, on_bytes=advance, replace=replace)
            name = escape(str(path))
            if report.skipped:
                console.print(f"{name}: already ingested (same content), nothing added")
                continue
            console.print(
                f"{name} ({', '.join(report.formats) or 'empty'}): "
                f"{report.rows_read:,} rows read, "
                f"[green]{report.added:,} added[/], {report.duplicates:,} duplicates, "
                f"[{'red' if report.bad else 'green'}]{report.bad:,} bad[/]",
                soft_wrap=True,
            )
            for bad in report.bad_rows[:show]:
                console.print(f"  [red]bad row[/] {escape(str(bad))}", soft_wrap=True)
            if report.bad > show:
                console.print(
                    f"  ... {report.bad - show:,} more (all in the store's rejected_rows table)"
                )
        console.print(f"store {escape(str(store.path))}: {store.count():,} events")


def _reject_unknown_actors(codes: tuple[str, str], source: str) -> None:
    """An empty series for a code nobody knows is a typo, not a quiet relationship.

    Only checked when nothing matched: event files use many CAMEO actor codes beyond the
    bundled list, and those are fine whenever they have events.
    """
    from peninsula.events.codebook import load_actors

    actors = load_actors()
    known = actors.cameo_codes
    problems = [
        Located(
            f"unknown actor code '{code}': not in the actor codes and no events in {source}; "
            f"known codes include {', '.join(sorted(known))}",
            field=field,
        )
        for code, field in zip(codes, ("A", "B"), strict=True)
        if not actors.is_known(code)
    ]
    if problems:
        raise InputError(problems)


@events_app.command("dyad")
def dyad(
    a: str = typer.Argument(..., help="CAMEO actor code, e.g. USA."),
    b: str = typer.Argument(..., help="CAMEO actor code, e.g. PRK."),
    freq: str = typer.Option("month", "--freq", help="day, week, month or year."),
    since: str | None = typer.Option(None, "--since", help="First date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Last date (YYYY-MM-DD)."),
    directed: bool = typer.Option(False, "--directed", help="Only events from A to B."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    history: bool = typer.Option(
        False, "--history", help="Use the bundled US–DPRK history instead of a store."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write a chart (.png or .html)."),
    csv: Path | None = typer.Option(None, "--csv", help="Write the series as CSV."),
    peaks: int = typer.Option(
        3, "--peaks", min=0, help="Annotate this many peaks each way (0: none)."
    ),
    penalty: float | None = typer.Option(
        None, "--penalty", help="Change-point penalty (default: BIC-type, see docs)."
    ),
) -> None:
    """Measure the relationship between A and B period by period, with its regime shifts."""
    from peninsula.events import analysis

    first, last = _day(since, "--since"), _day(until, "--until")
    a, b = a.strip().upper(), b.strip().upper()
    if plot is not None and plot.suffix.lower() not in (".png", ".html"):
        raise InputError([Located("must end in .png or .html", file=plot, field="--plot")])
    if penalty is not None and not (math.isfinite(penalty) and penalty >= 0):
        raise InputError(
            [Located(f"must be a finite number >= 0, got {penalty}", field="--penalty")]
        )
    analysis.period_code(freq)
    if history and db is not None:
        raise InputError([Located("give --db or --history, not both", field="--history")])
    for target in (csv, plot):
        if target is not None:
            check_writable(target)
    options: dict[str, Any] = {
        "directed": directed, "since": first, "until": last, "peaks": peaks, "penalty": penalty
    }  # fmt: skip
    if history:
        from peninsula.events.history import load_history

        report = analysis.dyad_report(
            load_history(), a, b, freq, source="bundled US–DPRK history", **options
        )
    else:
        from peninsula.events.store import EventStore, default_path

        path = db if db is not None else default_path()
        if not path.exists():
            raise InputError(
                [
                    Located(
                        "no event store here: run `peninsula events ingest FILE` first, "
                        "or use --history for the bundled history",
                        file=path,
                    )
                ]
            )
        with EventStore(path, read_only=True) as store:
            report = analysis.store_dyad_report(store, a, b, freq, source=str(path), **options)
    _render_dyad(report)
    if csv is not None:
        write_atomic(csv, lambda tmp: report.series.to_csv(tmp, index_label="period"))
        console.print(f"wrote {escape(str(csv))}")
    if plot is not None:
        arrow = "→" if directed else "↔"
        title = f"{a} {arrow} {b}: Goldstein mean by {freq}"
        write_atomic(
            plot,
            lambda tmp: _plot(report.series, report.change_points, title, tmp, plot.suffix.lower()),
        )
        console.print(f"wrote {escape(str(plot))}")


def _render_dyad(report: DyadReport) -> None:
    import pandas as pd

    series, freq, source = report.series, report.freq, report.source
    arrow = "→" if report.directed else "↔"
    if report.empty:
        _reject_unknown_actors((report.a, report.b), source)
        console.print(
            f"no events between {escape(report.a)} and {escape(report.b)} in {escape(source)}"
        )
        return
    table = Table(title=f"{report.a} {arrow} {report.b} by {freq} ({escape(source)})")
    for col in ("period", "events", "coop v/m", "conflict v/m", "Goldstein mean", "net coop"):
        table.add_column(col, justify="right")
    fmt_period = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[freq]
    for period, row in series.iterrows():
        # Every period is listed, quiet ones too (zero events): a gap in the table would hide
        # how long a silence lasted. A period without events has no mean score: "—".
        label = pd.Timestamp(period).strftime(fmt_period)  # type: ignore[arg-type]
        counts = (
            str(int(row["events"])),
            f"{int(row['verbal_coop'])}/{int(row['material_coop'])}",
            f"{int(row['verbal_conflict'])}/{int(row['material_conflict'])}",
        )
        if row["events"] == 0:
            table.add_row(label, *counts, "[dim]—[/]", "[dim]—[/]", style="dim")
            continue
        g = row["goldstein_mean"]
        colour = "green" if g > 0 else "red" if g < 0 else "white"
        table.add_row(label, *counts, f"[{colour}]{g:+.2f}[/]", f"{row['net_cooperation']:+.2f}")
    console.print(table)
    if len(report.change_points):
        console.print("[bold]Regimes[/] (PELT change points on the Goldstein mean):")
        for _, r in report.regimes.iterrows():
            console.print(
                f"  {r['start']:%Y-%m-%d} – {r['end']:%Y-%m-%d}: mean {r['mean']:+.2f} "
                f"over {r['periods']} periods, {r['events']} events"
            )
    else:
        console.print("No regime change detected.")
    if not report.peaks.empty:
        from peninsula.events.codebook import load_codebook

        book = load_codebook()
        console.print("[bold]Peaks and the events driving them:[/]")
        for (kind, period, value), group in report.peaks.groupby(
            ["kind", "period", "value"], sort=False
        ):
            when = pd.Timestamp(str(period))
            console.print(f"  {kind} {when:{fmt_period}} ({value:+.2f}):")
            for _, ev in group.iterrows():
                what = ev["description"] if isinstance(ev["description"], str) else ""
                if not what:  # GDELT has no text: the CAMEO label and the article
                    url = ev["source_url"] if isinstance(ev["source_url"], str) else ""
                    code = str(ev["cameo_code"])
                    what = (book.label(code) if code in book else code) + f" {url}"
                console.print(
                    f"    {ev['date']:%Y-%m-%d} {ev['source']}→{ev['target']} "
                    f"{ev['cameo_code']} ({ev['goldstein']:+.1f}) {escape(what)}",
                    soft_wrap=True,
                )


def _plot(series: pd.DataFrame, breaks: pd.DatetimeIndex, title: str, out: Path, kind: str) -> None:
    if kind == ".html":
        import plotly.graph_objects as go

        fig = go.Figure()
        colours = ["#2a7" if v >= 0 else "#c33" for v in series["goldstein_mean"]]
        fig.add_bar(
            x=series.index, y=series["goldstein_mean"], name="Goldstein mean", marker_color=colours
        )
        fig.add_scatter(
            x=series.index, y=series["net_cooperation"] * 10, name="net coop ×10", mode="lines"
        )
        for b in breaks:
            fig.add_vline(x=b, line_dash="dash", line_color="grey")
        fig.update_layout(title=title, yaxis_title="Goldstein (−10 … +10)")
        fig.write_html(out, include_plotlyjs=True, full_html=True)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4), dpi=120)
    values = series["goldstein_mean"]
    width = {"day": 0.8, "week": 5, "month": 25, "year": 300}.get(
        str(series.attrs.get("freq", "month")), 25
    )
    ax.bar(series.index, values, width=width,
           color=["#2a7" if v >= 0 else "#c33" for v in values])  # fmt: skip
    for b in breaks:
        ax.axvline(b, color="grey", linestyle="--", linewidth=1)  # type: ignore[arg-type]
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_title(title)
    ax.set_ylabel("Goldstein mean (−10 … +10)")
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)


@events_app.command("timeline")
def timeline(
    since: str | None = typer.Option(None, "--since", help="First date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Last date (YYYY-MM-DD)."),
    actor: list[str] = typer.Option([], "--actor", help="Only events involving this actor."),
    category: list[str] = typer.Option(
        [], "--category", help="Only this category (launch, leadership, unsc, summit, ...)."
    ),
    wide: bool = typer.Option(False, "--wide", help="Show CAMEO labels beside the codes."),
) -> None:
    """Print the bundled, sourced US–DPRK event history, lane by lane."""
    import pandas as pd

    from peninsula.events.codebook import load_codebook
    from peninsula.events.history import CATEGORIES, LANES, coverage_note, load_history

    first, last = _day(since, "--since"), _day(until, "--until")
    wanted_categories = {c.strip().lower() for c in category}
    unknown = sorted(wanted_categories - set(CATEGORIES))
    if unknown:
        raise InputError(
            [
                Located(
                    f"unknown category {unknown[0]!r}; one of {', '.join(CATEGORIES)}",
                    field="--category",
                )
            ]
        )
    h = load_history()
    if first is not None:
        h = h[h["date"] >= pd.Timestamp(first)]
    if last is not None:
        h = h[h["date"] <= pd.Timestamp(last)]
    if actor:
        wanted = {x.strip().upper() for x in actor}
        h = h[h["source"].isin(wanted) | h["target"].isin(wanted)]
    if wanted_categories:
        h = h[h["category"].isin(wanted_categories)]
    book = load_codebook()
    console.print(f"[bold]US–DPRK event history[/] ({len(h)} events). {coverage_note()}")
    lanes = h["category"].map(CATEGORIES)
    for lane in LANES:
        rows = h[lanes == lane]
        if rows.empty:
            continue
        table = Table(title=f"{lane} ({len(rows)})", show_lines=False)
        table.add_column("date", no_wrap=True, min_width=10)
        for col in ("kind", "actors", "CAMEO", "G", "what happened", "checked"):
            table.add_column(col, overflow="fold")
        for _, r in rows.iterrows():
            g = r["goldstein"]
            colour = "green" if g > 0 else "red" if g < 0 else "white"
            code = str(r["cameo_code"])
            table.add_row(
                f"{r['date']:%Y-%m-%d}",
                str(r["category"]),
                f"{r['source']}→{r['target']}",
                f"{code} {escape(book.label(code))}" if wide else code,
                f"[{colour}]{g:+.1f}[/]",
                escape(str(r["description"])),
                "yes" if r["checked"] else "no",
            )
        console.print(table)
    counts = lanes.value_counts()
    console.print("Lanes: " + ", ".join(f"{lane} {int(counts.get(lane, 0))}" for lane in LANES))


@events_app.command("export")
def export(
    out: Path = typer.Argument(..., help="Parquet file to write."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Export every event of the store to Parquet."""
    from peninsula.events.store import EventStore, default_path

    check_writable(out)
    path = db if db is not None else default_path()
    if not path.exists():
        raise InputError([Located("no event store here", file=path)])
    with EventStore(path, read_only=True) as store:
        n = store.export(out)
    console.print(f"wrote {n:,} events to {escape(str(out))}")


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
