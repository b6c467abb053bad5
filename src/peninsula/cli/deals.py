"""``peninsula deals``: the exchange model's package deals for a scenario, in words.

A thin edge over :func:`peninsula.models.deals.deals_report`: parse, call, render.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def deals(
    scenario: str = typer.Argument(..., help="A built-in scenario name or a path to a YAML file."),
    policy: str | None = typer.Option(
        None, "--policy", "-p", help="Apply a scenario policy first ('status-quo': none)."
    ),
    rounds: int = typer.Option(
        1,
        "--rounds",
        min=1,
        help="Rounds of the exchange model (1: Stokman & Van Oosten's one-round model).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the model's random generator."),
    json_out: str | None = typer.Option(
        None, "--json", help="Write machine-readable output to FILE ('-' for stdout)."
    ),
) -> None:
    """List the vote trades (package deals) the exchange model realises, and the policy's trade."""
    from peninsula.files import check_writable, write_json
    from peninsula.scenario.loader import load_scenario

    if json_out not in (None, "-"):
        check_writable(Path(json_out))
    loaded = load_scenario(scenario)  # a bad name fails before the engine is imported
    from peninsula.models.deals import deals_report

    report = deals_report(loaded, policy, rounds, seed)
    if json_out == "-":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
        return
    where = f"policy {report.policy}" if report.policy else "no policy (status quo)"
    console.print(
        f"[bold]Package deals in {report.scenario}[/], {where}: exchange model "
        f"(Stokman & Van Oosten 1994, equal gain), {len(report.exchanges)} exchanges; "
        f"{report.stopping()}. Gains: salience × points on 0–100 scales.",
        highlight=False,
    )
    current = 0
    for number, exchange in enumerate(report.exchanges, start=1):
        if exchange.round != current:
            current = exchange.round
            console.print(f"[bold]Round {current}[/]")
        console.print(f"  {number:>3}. {report.describe(exchange)}", highlight=False)
    for package in report.packages:
        if len(package.issues) >= 3:
            a, b = (list(report.actor_names)[i] for i in package.actors)
            verdict = "both gain" if package.pareto else "NOT both better off"
            console.print(
                f"  package: {a} and {b} trade over {len(package.issues)} issues in round "
                f"{package.round} ({verdict} under their own saliences: "
                f"{package.utility[0]:+.2f}, {package.utility[1]:+.2f})",
                highlight=False,
            )
    for trade in report.trades:
        first, second = trade.trade.concessions.items()
        if trade.happened:
            numbers = ", ".join(f"#{i + 1}" for i in trade.exchanges)
            console.print(
                f"[green]✓[/] {trade.trade.label} ({trade.policy}) is among them: {numbers}; "
                f"{second[1]} moves {trade.rate:.2f} points per point of {first[1]}",
                highlight=False,
            )
        else:
            console.print(
                f"[red]✗[/] {trade.trade.label} ({trade.policy}) is not among them: "
                f"{trade.diagnosis}",
                highlight=False,
            )
    if json_out is not None:
        write_json(Path(json_out), report.to_dict())
        err_console.print(f"wrote {json_out}")


def register(app: typer.Typer) -> None:
    app.command("deals")(deals)
