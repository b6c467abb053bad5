"""``peninsula score``: every model against recorded outcomes (thin edge over
:mod:`peninsula.models.score`). Engines are imported inside the command, when it runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from peninsula import defaults


def _report(board: Any) -> dict[str, Any]:
    """The scoreboard as JSON-ready data (the table and the per-item errors)."""
    return {
        "unit": "absolute error in percent of each issue's scale",
        "resamples": board.resamples,
        "level": board.level,
        "items": [
            {
                "scenario": i.scenario,
                "issue": i.issue,
                "observed": i.observed,
                "scale": [i.lower, i.upper],
                "forecasts": dict(i.forecasts),
                "published": [
                    {
                        "model": p.model,
                        "value": p.value,
                        "range": None if p.low is None else [p.low, p.high],
                        "error": None if p.value is None else i.error_of(p.value),
                    }
                    for p in i.published
                ],
            }
            for i in board.items
        ],
        "models": [
            {
                "name": m.name,
                "mae": m.mae,
                "interval": [m.low, m.high],
                "against": {
                    c.baseline: {
                        "difference": c.difference,
                        "interval": [c.low, c.high],
                        "wins": c.wins,
                        "losses": c.losses,
                        "ties": c.ties,
                    }
                    for c in m.comparisons
                },
            }
            for m in board.models
        ],
    }


def _render(board: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from peninsula.models.score import BASELINES

    out = Console()
    cases = sorted({i.scenario for i in board.items})
    pct = round(100 * board.level)
    table = Table(
        title=f"Scoreboard: {len(board.items)} observed outcomes in {len(cases)} scenarios "
        f"({', '.join(cases)}); errors in % of each issue's scale, {pct}% paired bootstrap "
        f"intervals ({board.resamples} resamples)",
        title_justify="left",
    )
    table.add_column("model")
    table.add_column("MAE", justify="right")
    for baseline in BASELINES:
        table.add_column(f"Δ vs {baseline}", justify="right")
        table.add_column("W/L/T", justify="right")
    for m in board.models:
        cells = [m.name, f"{m.mae:.1f} [{m.low:.1f}, {m.high:.1f}]"]
        for baseline in BASELINES:
            c = m.against(baseline)
            if c.baseline == m.name:
                cells += ["—", "—"]
            else:
                cells += [
                    f"{c.difference:+.1f} [{c.low:+.1f}, {c.high:+.1f}]",
                    f"{c.wins}/{c.losses}/{c.ties}",
                ]
        table.add_row(*cells)
    out.print(table)
    errors = board.errors
    detail = Table(title="[dim]error per item (% of scale)[/]", title_justify="left")
    detail.add_column("scenario / issue")
    detail.add_column("observed", justify="right")
    for m in board.models:
        detail.add_column(m.name, justify="right")
    for j, item in enumerate(board.items):
        detail.add_row(
            f"{item.scenario} / {item.issue}",
            f"{item.observed:g}",
            *[f"{errors[m.name][j]:.1f}" for m in board.models],
        )
    out.print(detail)
    printed = [(item, p) for item in board.items for p in item.published]
    if printed:
        models = [m.name for m in board.models]
        beside = Table(
            title="[dim]forecasts printed in the cases' sources, beside the models' "
            "(issue units)[/]",
            title_justify="left",
        )
        for column in ("scenario / issue", "published by"):
            beside.add_column(column)
        for column in ("printed", "error %", "observed", *models):
            beside.add_column(column, justify="right")
        for item, p in printed:
            point = "" if p.value is None else f"{p.value:g}"
            span = "" if p.low is None else f"{p.low:g}–{p.high:g}"
            beside.add_row(
                f"{item.scenario} / {item.issue}",
                p.model,
                " ".join(x for x in (point, f"({span})" if point and span else span) if x),
                "" if p.value is None else f"{item.error_of(p.value):.1f}",
                f"{item.observed:g}",
                *[f"{item.forecasts[name]:.2f}" for name in models],
            )
        out.print(beside)
    out.print(
        "[dim]Δ = MAE(model) − MAE(baseline), negative = better than the baseline; "
        "W/L/T = items where the model's error is smaller / larger / equal[/]"
    )


def score(
    scenarios: list[str] = typer.Argument(
        None, help="Scenarios (built-in names or files); default: every built-in with outcomes."
    ),
    model: list[str] = typer.Option(
        [], "--model", "-m", help="Model name (repeatable); default: every registered model."
    ),
    seed: int = typer.Option(
        defaults.SEED, "--seed", help="Seed of the models' and the bootstrap's generators."
    ),
    resamples: int = typer.Option(defaults.RESAMPLES, "--resamples", help="Bootstrap resamples."),
    level: float = typer.Option(0.9, "--level", help="Interval coverage, in (0, 1)."),
    json_out: str | None = typer.Option(
        None, "--json", help="Write machine-readable output to FILE ('-' for stdout)."
    ),
    param: list[str] = typer.Option(
        [], "--param", help="Model parameter MODEL.KEY=VALUE (repeatable)."
    ),
) -> None:
    """Score every model against the recorded outcomes of a case library."""
    import numpy as np

    from peninsula.errors import PeninsulaError
    from peninsula.files import write_json
    from peninsula.models.params import parse_params
    from peninsula.models.registry import available_models, get_model
    from peninsula.models.score import scenario_items
    from peninsula.models.score import score as run_score
    from peninsula.scenario.loader import builtin_names, load_scenario

    names = tuple(dict.fromkeys(model)) or available_models()
    for name in names:
        get_model(name)  # unknown names fail before any work
    params = parse_params(param, names)
    if resamples < 1:
        raise PeninsulaError(f"--resamples must be >= 1, got {resamples}")
    if not 0 < level < 1:
        raise PeninsulaError(f"--level must lie in (0, 1), got {level}")
    chosen = list(scenarios or builtin_names())
    items = []
    for name in chosen:
        items += scenario_items(load_scenario(name), names, seed, params)
    if not items:
        raise PeninsulaError(f"no observed outcomes in {', '.join(chosen)}: nothing to score")
    board = run_score(items, names, np.random.default_rng(seed), resamples, level)
    report = _report(board)
    if json_out == "-":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    _render(board)
    if json_out is not None:
        write_json(Path(json_out), report)


def register(app: typer.Typer) -> None:
    app.command("score")(score)
