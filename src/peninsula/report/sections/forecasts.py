"""Section: bargaining forecasts per model, with trajectories (``peninsula.models``).

Every registered model forecasts the scenario's nominal problem (no policy change). Dynamic
models (EUM, SMP) also move actors' positions round by round; their trajectory is summarised
per round by the capability × salience weighted mean position, the compromise point of
Achen (2006, "Evaluating political decision-making models", eq. 1), which is where the
positions of that round would settle if bargaining stopped there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from peninsula.report.content import (
    Annotation,
    Cell,
    Chart,
    EngineUnavailable,
    Paragraph,
    Section,
    Series,
    Table,
    engine,
)
from peninsula.report.settings import ReportSettings
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.schema import Scenario

TITLE = "Bargaining forecasts"
FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def run_models(
    scenario: Scenario, names: tuple[str, ...] | None, seed: int
) -> dict[str, dict[str, Any]]:
    """The one place this section calls the models engine: name -> outcome, trajectory."""
    registry = engine("peninsula.models.registry", "get_model", "available_models")
    chosen = tuple(names) if names else tuple(registry.available_models())
    if not chosen:
        raise EngineUnavailable("no bargaining model is registered in `peninsula.models` yet")
    problem = to_problem(scenario)
    results: dict[str, dict[str, Any]] = {}
    generators = np.random.default_rng(seed).spawn(len(chosen))
    for name, rng in zip(chosen, generators, strict=True):
        model = registry.get_model(name)
        forecast = model.forecast(problem, rng=rng)
        results[name] = {
            # The label without its citation: "Expected utility (Bueno de Mesquita ...)".
            "label": (str(getattr(model, "label", "") or name)).split(" (")[0],
            "outcome": np.asarray(forecast.outcome, dtype=float)[0],
            "trajectory": np.asarray(forecast.trajectory, dtype=float)[0],
            "rounds": int(np.max(np.asarray(forecast.rounds))),
            "converged": bool(np.all(np.asarray(forecast.converged))),
        }
    return results


def compromise_path(trajectory: FloatArray, weights: FloatArray) -> FloatArray:
    """Per round and issue, sum_i w_i x_i / sum_i w_i over actors (Achen 2006, eq. 1).

    ``trajectory`` is (R+1, n, k) positions and ``weights`` (n, k) capability × salience.
    Issues nobody cares about (all weights 0) get NaN rather than a division by zero.
    """
    total = weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        path: FloatArray = (trajectory * weights[None]).sum(axis=1) / total[None]
    return np.where(total[None] > 0, path, np.nan)


def _outcome_chart(scenario: Scenario, results: dict[str, dict[str, Any]]) -> Chart:
    labels = tuple(i.label for i in scenario.issues)
    series = [
        Series("status quo", labels, tuple(i.status_quo.value for i in scenario.issues), "markers")
    ]
    series += [
        Series(name, labels, tuple(float(v) for v in r["outcome"]), "markers")
        for name, r in results.items()
    ]
    return Chart(
        id="chart-forecast-outcomes",
        title="Forecast outcome on each issue, by model (no policy change)",
        x_label="Issue",
        y_label="Forecast position (issue scale, 0–100)",
        series=tuple(series),
        description=(
            "Each marker is one model's forecast settlement; the first marker is today's status "
            "quo. Agreement between models is a sign the result does not hinge on one model's "
            "assumptions."
        ),
        x_kind="category",
        y_range=(-3.0, 103.0),
    )


def stop_note(result: dict[str, Any]) -> tuple[str, str] | None:
    """For a dynamic model that stopped without converging: the chart mark at its last round
    and a sentence for the caption. ``None`` when it converged (the path ends at a rest point)."""
    if result["converged"]:
        return None
    rounds = result["rounds"]
    return (
        f"stopped at round {rounds}, not converged",
        f"The model stopped after {rounds} rounds without converging: positions were still "
        "moving, so the last round shows where bargaining was cut off, not a settled outcome.",
    )


def _trajectory_charts(
    scenario: Scenario, name: str, result: dict[str, Any], weights: FloatArray
) -> list[Chart]:
    trajectory = result["trajectory"]
    rounds = tuple(range(trajectory.shape[0]))
    path = compromise_path(trajectory, weights)
    stopped = stop_note(result)
    marks = (Annotation(rounds[-1], stopped[0]),) if stopped else ()
    compromise = Chart(
        id=f"chart-trajectory-{name}",
        title=f"{result['label']}: where the positions would settle, round by round"
        + (" (stopped before converging)" if stopped else ""),
        x_label="Bargaining round (number)",
        y_label="Weighted mean position (issue scale, 0–100)",
        series=tuple(
            Series(issue.label, rounds, tuple(float(v) for v in path[:, i]))
            for i, issue in enumerate(scenario.issues)
        ),
        description=(
            f"The {name} model's trajectory: for each issue, the capability × salience weighted "
            "mean of the actors' positions after each round (Achen's compromise point)."
            + (f" {stopped[1]}" if stopped else "")
        ),
        y_range=(-3.0, 103.0),
        annotations=marks,
    )
    first = scenario.issues[0]
    actors = Chart(
        id=f"chart-trajectory-{name}-{first.id}",
        title=f"{result['label']}: each actor's position on {first.label.lower()}, round by round"
        + (" (stopped before converging)" if stopped else ""),
        x_label="Bargaining round (number)",
        y_label=f"Position ({first.scale.min:g}–{first.scale.max:g} issue scale)",
        series=tuple(
            Series(actor.id, rounds, tuple(float(v) for v in trajectory[:, a, 0]))
            for a, actor in enumerate(scenario.actors)
        ),
        description=(
            f"How the {name} model moves each actor on the first issue, {first.label} "
            f"({first.scale.unit})." + (f" {stopped[1]}" if stopped else "")
        ),
        y_range=(first.scale.min - 3, first.scale.max + 3),
        annotations=marks,
    )
    return [compromise, actors]


def _table(scenario: Scenario, results: dict[str, dict[str, Any]]) -> Table:
    rows = []
    for i, issue in enumerate(scenario.issues):
        cells = [Cell(issue.label), Cell(f"{issue.status_quo.value:.0f}", issue.status_quo.source)]
        for result in results.values():
            value = float(result["outcome"][i])
            cells.append(Cell(f"{value:.0f}: {issue.scale.nearest_anchor(value).label}"))
        rows.append(tuple(cells))
    unsettled = [
        f"{name} (after {r['rounds']} rounds)" for name, r in results.items() if not r["converged"]
    ]
    return Table(
        "forecasts",
        "Forecast outcome per issue and model, with the nearest labelled anchor",
        ("Issue", "Status quo", *results),
        tuple(rows),
        note=(
            "Stopped without converging, so their forecast is the last round's positions: "
            + ", ".join(unsettled)
            + "."
            if unsettled
            else ""
        ),
    )


def build_forecasts(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    results = run_models(scenario, settings.models, seed)
    problem = to_problem(scenario)
    weights = problem.effective_capability[0][:, None] * problem.salience[0]
    blocks: list[Any] = [
        Paragraph(
            "Each model forecasts where the issues settle from the scenario's nominal inputs, "
            "with no policy change. Models differ in how bargaining works: the weighted median "
            "and compromise models are static; the expected-utility (EUM) and spatial (SMP) "
            "models let actors challenge and move each other round by round."
        ),
        _table(scenario, results),
        _outcome_chart(scenario, results),
    ]
    for name, result in results.items():
        if result["trajectory"].shape[0] > 1:
            blocks += _trajectory_charts(scenario, name, result, weights)
    spread = np.ptp(np.array([r["outcome"] for r in results.values()]), axis=0)
    widest = scenario.issues[int(np.argmax(spread))]
    summary = (
        f"{len(results)} models; they disagree most on {widest.label.lower()} "
        f"(spread {float(spread.max()):.0f} points on a 0–100 scale)."
    )
    return Section(
        id="forecasts",
        title=TITLE,
        blocks=tuple(blocks),
        numbers={
            "issues": list(scenario.issue_ids),
            "models": {
                name: {
                    "outcome": dict(zip(scenario.issue_ids, r["outcome"].tolist(), strict=True)),
                    "rounds": r["rounds"],
                    "converged": r["converged"],
                    "compromise_path": compromise_path(r["trajectory"], weights).tolist(),
                }
                for name, r in results.items()
            },
        },
        summary=summary,
    )
