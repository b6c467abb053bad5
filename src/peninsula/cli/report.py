"""``peninsula report``: the CLI edge of the report (progress bar, opening the browser)."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from peninsula import defaults
from peninsula.errors import InputError, Located

console = Console(stderr=True)


def report(
    scenario: str = typer.Argument("korea-2025", help="Built-in scenario name or YAML file."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Directory for the report files."),
    runs: int = typer.Option(defaults.RUNS, "--runs", help="Monte Carlo runs per policy."),
    seed: int = typer.Option(defaults.SEED, "--seed", help="Seed: same seed, same numbers."),
    horizon: int = typer.Option(
        defaults.HORIZON_MONTHS, "--horizon", help="Months the crisis section simulates."
    ),
    models: list[str] = typer.Option(
        [], "--model", "-m", help="Bargaining model(s) to include (default: all registered)."
    ),
    open_: bool = typer.Option(False, "--open", help="Open the HTML report in a browser."),
) -> None:
    """Write a self-contained briefing (report.html, report.md, report.json) on a scenario."""
    if runs < 1:
        # Checked here rather than with typer's ``min=``: a PeninsulaError exits 2 cleanly.
        raise InputError([Located(f"must be at least 1 (got {runs})", field="--runs")])
    if horizon < 1:
        raise InputError([Located(f"must be at least 1 (got {horizon})", field="--horizon")])
    from peninsula.scenario.loader import load_scenario

    loaded = load_scenario(scenario)  # a bad file fails before any engine is imported
    # Imported here so other commands do not pay for the report's imports at start-up.
    from peninsula.report import HTML, SECTIONS, ReportSettings, generate_report
    from peninsula.report.output import background_workers

    if models:
        # Unknown names fail now (NotFoundError, exit 2), not after minutes of computing.
        from peninsula.models.registry import get_model

        for name in models:
            get_model(name)
    settings = ReportSettings(
        runs=runs, seed=seed, models=tuple(models) or None, horizon_months=horizon
    )
    total = len(SECTIONS) + 2
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Loading scenario", total=total)

        def progress(title: str, done: int, _: int) -> None:
            bar.update(task, description=title, completed=min(done, total))

        # PNG figures drawn in a second process while the sections compute (if 2+ CPUs).
        paths = generate_report(loaded, out, settings, progress, background_workers())
    html = out / HTML
    from peninsula.crisis.api import not_applicable  # imported by the report already

    # The horizon is named only when the crisis section ran (not for a published case).
    simulated = horizon if not not_applicable(loaded) else None
    # soft_wrap: a long path stays on one line, so it can be copied (and matched in tests).
    console.print(
        f"[bold green]wrote[/] {len(paths)} files to {escape(str(out))}/ "
        f"({defaults.describe(seed, runs, simulated)}; open {escape(str(html))})",
        soft_wrap=True,
        highlight=False,
    )
    if open_:
        webbrowser.open(html.resolve().as_uri())


def register(app: typer.Typer) -> None:
    app.command("report")(report)
