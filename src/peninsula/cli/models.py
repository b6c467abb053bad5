"""``peninsula forecast``: every model's forecast of every issue of a scenario.

A thin edge over :func:`peninsula.models.forecast.forecast_scenario`: parse the options, call
it, then print a table per issue or write its JSON (``ScenarioForecast.to_dict``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from peninsula import defaults
from peninsula.files import check_writable, write_json

console = Console()
err_console = Console(stderr=True)

_TRAJECTORY_POINTS = 8


def _sampled_rounds(n_points: int) -> list[int]:
    """At most ``_TRAJECTORY_POINTS`` evenly spaced round indices, first and last included."""
    count = min(n_points, _TRAJECTORY_POINTS)
    if count <= 1:
        return [0]
    picks = (round(i * (n_points - 1) / (count - 1)) for i in range(count))
    return sorted(set(picks))


def render(report: dict[str, Any], out: Console) -> None:
    """Print per issue a table of forecasts (with the nearest anchor label) and, for dynamic
    models, a compact trajectory: the weighted-mean position at a few evenly spaced rounds."""
    out.print(
        f"[bold]Forecasts[/] for {report['scenario']}, policy {report['policy']} "
        f"[dim]({defaults.describe(report['seed'])})[/]"
    )
    for issue in report["issues"]:
        scale = issue["scale"]
        sq = issue["status_quo"]
        title = (
            f"[bold]{issue['label']}[/] [dim]{issue['id']}, {scale['min']:g}–{scale['max']:g}, "
            f"status quo {sq:g}"
        )
        if issue["observed"] is not None:
            title += f", observed {issue['observed']:g}"
        table = Table(title=title + "[/]", title_justify="left")
        table.add_column("model")
        table.add_column("forecast", justify="right")
        table.add_column("Δ sq", justify="right")
        table.add_column("nearest anchor", ratio=1)
        table.add_column("rounds", justify="right")
        observed = issue["observed"]
        if observed is not None:
            table.add_column("error", justify="right")
        for f in issue["forecasts"]:
            anchor = f["nearest_anchor"]
            rounds = str(f["rounds"]) + ("" if f["converged"] else "!")
            cells = [
                f["model"],
                f"{f['outcome']:.1f}",
                f"{f['outcome'] - sq:+.1f}",
                f"[dim]{anchor['at']:g}:[/] {anchor['label']}",
                rounds if f["dynamic"] else "static",
            ]
            if observed is not None:
                cells.append(f"{f['outcome'] - observed:+.1f}")
            table.add_row(*cells)
        out.print(table)
        moving = [f for f in issue["forecasts"] if len(f["mean_position_by_round"]) > 1]
        if moving:
            longest = max(len(f["mean_position_by_round"]) for f in moving)
            picks = _sampled_rounds(longest)
            traj = Table(title="[dim]weighted-mean position by round[/]", title_justify="left")
            traj.add_column("model")
            for r in picks:
                traj.add_column(f"r{r}", justify="right")
            for f in moving:
                values = f["mean_position_by_round"]
                cells = [f"{values[min(r, len(values) - 1)]:.1f}" for r in picks]
                traj.add_row(f["model"], *cells)
            out.print(traj)
    bt = report.get("backtest")
    if bt:
        from peninsula.models.forecast import NO_CHANGE

        table = Table(
            title=f"Backtest against {len(bt['issues'])} observed outcomes "
            f"(baseline '{NO_CHANGE}': every issue stays at its status quo)",
            title_justify="left",
        )
        table.add_column("model")
        table.add_column("mean |error|", justify="right")
        table.add_column("max |error|", justify="right")
        for name, mae in bt["mean_absolute_error"].items():
            table.add_row(name, f"{mae:.1f}", f"{bt['max_absolute_error'][name]:.1f}")
        out.print(table)
    notes = "rounds: '!' = stopped at the round limit without converging"
    if any(issue["observed"] is not None for issue in report["issues"]):
        notes += "; error = forecast − observed outcome (scenario's `observed`)"
    out.print(f"[dim]{notes}[/]")


def forecast(
    scenario: str = typer.Argument(..., help="A built-in scenario name or a path to a YAML file."),
    model: list[str] = typer.Option(
        [], "--model", "-m", help="Model name (repeatable); default: every registered model."
    ),
    issue: list[str] = typer.Option([], "--issue", "-i", help="Issue id (repeatable)."),
    policy: str | None = typer.Option(
        None,
        "--policy",
        "-p",
        help="Apply a scenario policy first (default: none, the status quo).",
    ),
    seed: int = typer.Option(defaults.SEED, "--seed", help="Seed of each model's generator."),
    rounds: int | None = typer.Option(
        None, "--rounds", help="Maximum rounds for dynamic models (default: the model's)."
    ),
    json_out: str | None = typer.Option(
        None, "--json", help="Write machine-readable output to FILE ('-' for stdout)."
    ),
) -> None:
    """Forecast where each issue settles under each bargaining model."""
    from peninsula.scenario.loader import load_scenario

    if json_out not in (None, "-"):
        check_writable(Path(json_out))
    loaded = load_scenario(scenario)  # a bad file fails before any engine is imported
    from peninsula.models.forecast import forecast_scenario

    result = forecast_scenario(loaded, model, issue, policy, seed, rounds)
    report = result.to_dict()
    if json_out == "-":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    render(report, console)
    if json_out is not None:
        write_json(Path(json_out), report)
        err_console.print(f"wrote {json_out}")


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
