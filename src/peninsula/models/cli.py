"""``peninsula forecast``: every model's forecast of every issue of a scenario.

A thin edge over :mod:`peninsula.models`: load the scenario, apply the policy, call each model
once on the nominal problem (a batch of one), then print a table per issue or write JSON.
:func:`forecast_report` builds the JSON-ready result that both outputs render.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from peninsula.errors import NotFoundError, PeninsulaError
from peninsula.models.base import ROUNDS_PARAM, Forecast, influence_weights
from peninsula.models.batching import DEFAULT_BUDGET, Progress, forecast_in_chunks
from peninsula.models.registry import available_models, get_model
from peninsula.problem import BargainingProblem, FloatArray
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.schema import Scale, Scenario

console = Console()
err_console = Console(stderr=True)

#: The policy name meaning "no change" (the ensemble uses the same name).
STATUS_QUO_POLICY = "status-quo"
_TRAJECTORY_POINTS = 8
#: Backtest baseline: the forecast "nothing changes" (each issue stays at its status quo).
NO_CHANGE = "no-change"


def nearest_anchor(scale: Scale, value: float) -> tuple[float, str]:
    """The anchor of ``scale`` closest to ``value`` (the lower one on an exact tie)."""
    anchor = min(scale.anchors, key=lambda a: (abs(a.at - value), a.at))
    return anchor.at, anchor.label


def mean_trajectory(problem: BargainingProblem, forecast: Forecast) -> FloatArray:
    """``(B, R + 1, k)`` capability × salience weighted mean position per round.

    The compromise point of each round's positions (Achen 2006): a one-number summary of
    where the actors collectively stand as a dynamic model moves them. Where nobody has weight,
    the plain mean is used.
    """
    w = influence_weights(problem)[:, None, :, :]
    total = w.sum(axis=2)
    weighted = (w * forecast.trajectory).sum(axis=2) / np.where(total > 0, total, 1.0)
    plain = forecast.trajectory.mean(axis=2)
    return np.asarray(np.where(total > 0, weighted, plain), dtype=np.float64)


def _resolve_policy(scenario: Scenario, policy: str | None) -> str | None:
    if policy is None or policy == STATUS_QUO_POLICY:
        return None
    known = [p.id for p in scenario.policies]
    if policy not in known:
        names = ", ".join([STATUS_QUO_POLICY, *known])
        raise NotFoundError(
            f"unknown policy {policy!r} in scenario {scenario.metadata.id!r}; available: {names}"
        )
    return policy


def _resolve_issues(scenario: Scenario, issues: Sequence[str]) -> tuple[str, ...]:
    if not issues:
        return scenario.issue_ids
    unknown = [i for i in issues if i not in scenario.issue_ids]
    if unknown:
        raise NotFoundError(
            f"unknown issue {unknown[0]!r} in scenario {scenario.metadata.id!r}; "
            f"available: {', '.join(scenario.issue_ids)}"
        )
    return tuple(dict.fromkeys(issues))


def forecast_report(
    scenario: Scenario,
    models: Sequence[str] = (),
    issues: Sequence[str] = (),
    policy: str | None = None,
    seed: int = 0,
    rounds: int | None = None,
    budget: int = DEFAULT_BUDGET,
    on_model: Callable[[str], Progress | None] | None = None,
    params: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, Any]:
    """Run the chosen models on the scenario's nominal problem; a JSON-serialisable dict.

    Each model gets its own ``numpy.random.default_rng(seed)``, so a model's result does not
    depend on which other models were requested. Every model runs through
    :func:`~peninsula.models.batching.forecast_in_chunks` within ``budget`` bytes;
    ``on_model(name)`` may return a progress callback for that model (the CLI's bar).
    ``params`` maps a model name to its parameters (:func:`peninsula.models.params.parse_params`);
    they override ``rounds`` for that model.
    """
    names = tuple(dict.fromkeys(models)) or available_models()
    chosen = [get_model(name) for name in names]  # unknown names fail before any work
    issue_ids = _resolve_issues(scenario, issues)
    policy_id = _resolve_policy(scenario, policy)
    if rounds is not None and rounds < 1:
        raise PeninsulaError(f"--rounds must be >= 1, got {rounds}")
    problem = to_problem(scenario, policy_id).select_issues(issue_ids)
    by_id = {issue.id: issue for issue in scenario.issues}
    results = []
    used: dict[str, dict[str, float]] = {}
    for model in chosen:
        own: dict[str, float] = (
            {ROUNDS_PARAM: float(rounds)} if rounds is not None and model.dynamic else {}
        )
        own.update((params or {}).get(model.name, {}))
        used[model.name] = own
        progress = on_model(model.name) if on_model is not None else None
        forecast = forecast_in_chunks(
            model, problem, own or None, np.random.default_rng(seed), budget, progress=progress
        )
        results.append((model, forecast, mean_trajectory(problem, forecast)))
    out_issues = []
    for j, issue_id in enumerate(issue_ids):
        issue = by_id[issue_id]
        entries = []
        for model, forecast, means in results:
            value = float(forecast.outcome[0, j])
            at, label = nearest_anchor(issue.scale, value)
            moved = [
                a for a, m in zip(problem.actor_ids, forecast.moved[0, :, j], strict=True) if m
            ]
            entries.append(
                {
                    "model": model.name,
                    "label": model.label,
                    "dynamic": model.dynamic,
                    "outcome": value,
                    "nearest_anchor": {"at": at, "label": label},
                    "rounds": int(forecast.rounds[0]),
                    "converged": bool(forecast.converged[0]),
                    "moved": moved,
                    "mean_position_by_round": [float(v) for v in means[0, :, j]],
                    "positions_by_round": {
                        a: [float(v) for v in forecast.trajectory[0, :, i, j]]
                        for i, a in enumerate(problem.actor_ids)
                    },
                }
            )
        sq = float(problem.status_quo[0, j])
        out_issues.append(
            {
                "id": issue.id,
                "label": issue.label,
                "scale": {
                    "min": issue.scale.min,
                    "max": issue.scale.max,
                    "unit": issue.scale.unit,
                    "anchors": [{"at": a.at, "label": a.label} for a in issue.scale.anchors],
                },
                "status_quo": sq,
                "observed": None if issue.observed is None else issue.observed.value,
                "forecasts": entries,
            }
        )
    return {
        "scenario": scenario.metadata.id,
        "policy": policy_id or STATUS_QUO_POLICY,
        "seed": seed,
        "rounds": rounds,
        "models": list(names),
        "params": used,
        "issues": out_issues,
        "backtest": backtest(out_issues, names),
    }


def backtest(issues: Sequence[dict[str, Any]], models: Sequence[str]) -> dict[str, Any] | None:
    """Mean and largest absolute error of each model against the issues' observed outcomes,
    with the naive "nothing changes" forecast (the status quo) as a baseline to beat.
    ``None`` when no issue has an observed outcome."""
    scored = [i for i in issues if i["observed"] is not None]
    if not scored:
        return None
    errors: dict[str, list[float]] = {NO_CHANGE: []}
    errors.update({m: [] for m in models})
    for issue in scored:
        errors[NO_CHANGE].append(abs(issue["status_quo"] - issue["observed"]))
        for f in issue["forecasts"]:
            errors[f["model"]].append(abs(f["outcome"] - issue["observed"]))
    return {
        "issues": [i["id"] for i in scored],
        "mean_absolute_error": {m: float(np.mean(e)) for m, e in errors.items()},
        "max_absolute_error": {m: float(np.max(e)) for m, e in errors.items()},
    }


def _sampled_rounds(n_points: int) -> list[int]:
    """At most ``_TRAJECTORY_POINTS`` evenly spaced round indices, first and last included."""
    picks = np.linspace(0, n_points - 1, min(n_points, _TRAJECTORY_POINTS)).round().astype(int)
    return sorted({int(r) for r in picks})


def render(report: dict[str, Any], out: Console) -> None:
    """Print per issue a table of forecasts (with the nearest anchor label) and, for dynamic
    models, a compact trajectory: the weighted-mean position at a few evenly spaced rounds."""
    out.print(f"[bold]Forecasts[/] for {report['scenario']}, policy {report['policy']}")
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


@contextmanager
def _progress_bar() -> Iterator[Callable[[str], Progress]]:
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


def rounds_columns(report: dict[str, Any]) -> dict[str, list[Any]]:
    """Every actor's position in every round of every model and issue of a forecast report,
    as columns ``model, issue, round, actor, position`` (long format: one row per value).

    Static models contribute round 0 only; a dynamic model's rows stop at the last round it
    ran for the batch (converged actors repeat their final position, as in the trajectory)."""
    columns: dict[str, list[Any]] = {k: [] for k in ("model", "issue", "round", "actor")}
    columns["position"] = []
    for issue in report["issues"]:
        for entry in issue["forecasts"]:
            for actor, values in entry["positions_by_round"].items():
                for r, value in enumerate(values):
                    columns["model"].append(entry["model"])
                    columns["issue"].append(issue["id"])
                    columns["round"].append(r)
                    columns["actor"].append(actor)
                    columns["position"].append(value)
    return columns


def _write_rounds(report: dict[str, Any], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from peninsula.files import atomic_path

    columns = rounds_columns(report)
    table = pa.table(
        {
            "model": pa.array(columns["model"], pa.string()),
            "issue": pa.array(columns["issue"], pa.string()),
            "round": pa.array(columns["round"], pa.int32()),
            "actor": pa.array(columns["actor"], pa.string()),
            "position": pa.array(columns["position"], pa.float64()),
        }
    )
    metadata = {b"scenario": report["scenario"].encode(), b"policy": report["policy"].encode()}
    table = table.replace_schema_metadata(metadata)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def models_command(
    params: bool = typer.Option(False, "--params", help="List each model's parameters."),
) -> None:
    """List the registered bargaining models (and, with --params, their parameters)."""
    from peninsula.models.params import parameter_defaults

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
            defaults = parameter_defaults(m)
            row.append(", ".join(f"{k}={v:g}" for k, v in defaults.items()) or "—")
        table.add_row(*row)
    console.print(table)
    if params:
        console.print(
            "[dim]set with `peninsula forecast ... --param MODEL.KEY=VALUE`; "
            "meanings: docs/explanation/model-*.md[/]"
        )


def write_json_atomic(data: dict[str, Any], path: Path) -> None:
    """Write JSON to ``path`` via a temporary file in the same directory and ``os.replace``,
    so a reader never sees a half-written file."""
    text = json.dumps(data, indent=2) + "\n"
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise PeninsulaError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise PeninsulaError(f"cannot write {path}: {error.strerror or error}") from None


def forecast(
    scenario: str = typer.Argument(..., help="A built-in scenario name or a path to a YAML file."),
    model: list[str] = typer.Option(
        [], "--model", "-m", help="Model name (repeatable); default: every registered model."
    ),
    issue: list[str] = typer.Option([], "--issue", "-i", help="Issue id (repeatable)."),
    policy: str | None = typer.Option(
        None, "--policy", "-p", help=f"Apply a scenario policy first ('{STATUS_QUO_POLICY}': none)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of each model's random generator."),
    rounds: int | None = typer.Option(
        None, "--rounds", help="Maximum rounds for dynamic models (default: the model's)."
    ),
    json_out: str | None = typer.Option(
        None, "--json", help="Write machine-readable output to FILE ('-' for stdout)."
    ),
    budget: float = typer.Option(
        DEFAULT_BUDGET / 2**20, "--budget", help="Memory budget per model run, in MiB."
    ),
    param: list[str] = typer.Option(
        [],
        "--param",
        help="Model parameter MODEL.KEY=VALUE (repeatable); see `peninsula models --params`.",
    ),
    rounds_out: Path | None = typer.Option(
        None, "--rounds-out", help="Write every actor's position in every round to FILE (Parquet)."
    ),
) -> None:
    """Forecast where each issue settles under each bargaining model."""
    from peninsula.files import check_writable
    from peninsula.models.params import parse_params

    if not budget > 0:
        raise PeninsulaError(f"--budget must be positive, got {budget:g}")
    s = load_scenario(scenario)
    names = tuple(dict.fromkeys(model)) or available_models()
    params = parse_params(param, names)
    if rounds_out is not None:
        check_writable(rounds_out)
    with _progress_bar() as on_model:
        report = forecast_report(
            s, names, issue, policy, seed, rounds, int(budget * 2**20), on_model, params
        )
    if rounds_out is not None:
        _write_rounds(report, rounds_out)
        err_console.print(f"wrote {rounds_out}")
    if json_out == "-":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    render(report, console)
    if json_out is not None:
        write_json_atomic(report, Path(json_out))
        err_console.print(f"wrote {json_out}")


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
    app.command("models")(models_command)
