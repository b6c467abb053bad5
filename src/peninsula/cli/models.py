"""``peninsula forecast`` and ``peninsula models``: every model's forecast of every issue of a
scenario, and the list of models with their parameters.

A thin edge over :func:`peninsula.models.forecast.forecast_scenario`: parse the options, call
it (with a progress bar), then print a table per issue, write its JSON
(``ScenarioForecast.to_dict``) or every round as Parquet (``ScenarioForecast.rounds_columns``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    param: list[str] = typer.Option(
        [],
        "--param",
        help="Model parameter MODEL.KEY=VALUE (repeatable); see `peninsula models --params`.",
    ),
    rounds_out: Path | None = typer.Option(
        None, "--rounds-out", help="Write every actor's position in every round to FILE (Parquet)."
    ),
    budget: float = typer.Option(
        defaults.BUDGET_MIB, "--budget", help="Memory budget of each model run, in MiB."
    ),
) -> None:
    """Forecast where each issue settles under each bargaining model."""
    from peninsula.errors import PeninsulaError
    from peninsula.scenario.loader import load_scenario

    if not budget > 0:
        raise PeninsulaError(f"--budget must be positive, got {budget:g}")
    if json_out not in (None, "-"):
        check_writable(Path(json_out))
    if rounds_out is not None:
        check_writable(rounds_out)
    loaded = load_scenario(scenario)  # a bad file fails before any engine is imported
    from peninsula.models.forecast import forecast_scenario
    from peninsula.models.params import parse_params
    from peninsula.models.registry import available_models

    names = tuple(dict.fromkeys(model)) or available_models()
    params = parse_params(param, names)
    with _progress_bar() as on_model:
        result = forecast_scenario(
            loaded, names, issue, policy, seed, rounds, params, int(budget * 2**20), on_model
        )
    if rounds_out is not None:
        _write_rounds(
            result.rounds_columns(), result.scenario.metadata.id, result.policy, rounds_out
        )
        err_console.print(f"wrote {rounds_out}")
    report = result.to_dict()
    if json_out == "-":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    render(report, console)
    if json_out is not None:
        write_json(Path(json_out), report)
        err_console.print(f"wrote {json_out}")


@contextmanager
def _progress_bar() -> Iterator[Callable[[str], Callable[[int, int], None]]]:
    """A rich progress bar on stderr, one task per model (hidden when stderr is not a
    terminal, so pipes and tests see clean output)."""
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )

    def on_model(name: str) -> Callable[[int, int], None]:
        task = bar.add_task(f"forecast {name}", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return update

    with bar:
        yield on_model


def _write_rounds(columns: dict[str, list[Any]], scenario: str, policy: str, path: Path) -> None:
    """Write ``ScenarioForecast.rounds_columns()`` as Parquet, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from peninsula.files import atomic_path

    table = pa.table(
        {
            "model": pa.array(columns["model"], pa.string()),
            "issue": pa.array(columns["issue"], pa.string()),
            "round": pa.array(columns["round"], pa.int32()),
            "actor": pa.array(columns["actor"], pa.string()),
            "position": pa.array(columns["position"], pa.float64()),
        }
    )
    table = table.replace_schema_metadata(
        {b"scenario": scenario.encode(), b"policy": policy.encode()}
    )
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def models_command(
    params: bool = typer.Option(False, "--params", help="List each model's parameters."),
) -> None:
    """List the registered bargaining models (and, with --params, their parameters)."""
    from peninsula.models.params import parameter_defaults
    from peninsula.models.registry import available_models, get_model

    table = Table(title="Bargaining models", title_justify="left")
    table.add_column("model")
    table.add_column("kind")
    table.add_column("label", ratio=1)
    if params:
        table.add_column("parameters (default)", ratio=1)
    for name in available_models():
        m = get_model(name)
        row = [name, "dynamic" if m.dynamic else "static", m.label]
        if params:
            defaults_ = parameter_defaults(m)
            row.append(", ".join(f"{k}={v:g}" for k, v in defaults_.items()) or "—")
        table.add_row(*row)
    console.print(table)
    if params:
        console.print(
            "[dim]set with `peninsula forecast ... --param MODEL.KEY=VALUE`; "
            "meanings: docs/explanation/model-*.md[/]"
        )


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
    app.command("models")(models_command)
