"""Section: bargaining forecasts per model, with trajectories (``peninsula.models``).

Every registered model forecasts the scenario's nominal problem (no policy change), through
:func:`peninsula.models.forecast.forecast_scenario` as ``peninsula forecast`` does. Dynamic
models (EUM, SMP) also move actors' positions round by round; their trajectory is summarised
per round by the capability × salience weighted mean position
(:func:`~peninsula.models.forecast.mean_trajectory`, Achen's compromise point), which is where
the positions of that round would settle if bargaining stopped there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from peninsula.models.forecast import ModelForecast, ScenarioForecast, forecast_scenario
from peninsula.report.content import Annotation, Cell, Chart, Paragraph, Section, Series, Table
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

ID = "forecasts"
TITLE = "Bargaining forecasts"


def run_models(scenario: Scenario, settings: ReportSettings, seed: int) -> ScenarioForecast:
    """The one place this section calls the models engine (``peninsula forecast``'s function
    and seeding rule, so the section and the command print the same numbers)."""
    return forecast_scenario(scenario, settings.models or (), seed=seed)


def _label(result: ModelForecast) -> str:
    """The model's label without its citation: "Expected utility (Bueno de Mesquita ...)"."""
    return (result.model.label or result.name).split(" (")[0]


def _outcome_chart(scenario: Scenario, results: ScenarioForecast) -> Chart:
    labels = tuple(i.label for i in scenario.issues)
    series = [
        Series("status quo", labels, tuple(i.status_quo.value for i in scenario.issues), "markers")
    ]
    series += [
        Series(r.name, labels, tuple(float(v) for v in r.outcome), "markers")
        for r in results.results
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


def stop_note(result: ModelForecast) -> tuple[str, str] | None:
    """For a dynamic model that stopped without converging: the chart mark at its last round
    and a sentence for the caption. ``None`` when it converged (the path ends at a rest point)."""
    if result.converged:
        return None
    rounds = result.rounds
    return (
        f"stopped at round {rounds}, not converged",
        f"The model stopped after {rounds} rounds without converging: positions were still "
        "moving, so the last round shows where bargaining was cut off, not a settled outcome.",
    )


def _trajectory_charts(scenario: Scenario, result: ModelForecast) -> list[Chart]:
    name, label = result.name, _label(result)
    trajectory = result.trajectory
    rounds = tuple(range(trajectory.shape[0]))
    path = result.mean_path
    stopped = stop_note(result)
    marks = (Annotation(rounds[-1], stopped[0]),) if stopped else ()
    compromise = Chart(
        id=f"chart-trajectory-{name}",
        title=f"{label}: where the positions would settle, round by round"
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
        title=f"{label}: each actor's position on {first.label.lower()}, round by round"
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


def _table(scenario: Scenario, results: ScenarioForecast) -> Table:
    rows = []
    for i, issue in enumerate(scenario.issues):
        cells = [Cell(issue.label), Cell(f"{issue.status_quo.value:.0f}", issue.status_quo.source)]
        for result in results.results:
            value = float(result.outcome[i])
            cells.append(Cell(f"{value:.0f}: {issue.scale.nearest_anchor(value).label}"))
        rows.append(tuple(cells))
    unsettled = [f"{r.name} (after {r.rounds} rounds)" for r in results.results if not r.converged]
    return Table(
        "forecasts",
        "Forecast outcome per issue and model, with the nearest labelled anchor",
        ("Issue", "Status quo", *results.models),
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
    return forecasts_section(scenario, run_models(scenario, settings, seed))


def forecasts_section(scenario: Scenario, results: ScenarioForecast) -> Section:
    """The section for forecasts already made (also :mod:`peninsula.plots`)."""
    seed = results.seed
    blocks: list[Any] = [
        Paragraph(
            "Each model forecasts where the issues settle from the scenario's nominal inputs, "
            "with no policy change. Models differ in how bargaining works: the weighted median "
            "and compromise models are static; the expected-utility (EUM) and spatial (SMP) "
            "models let actors challenge and move each other round by round; the exchange "
            "model lets them trade concessions across issues (see Package deals)."
        ),
        _table(scenario, results),
        _outcome_chart(scenario, results),
    ]
    for result in results.results:
        if result.trajectory.shape[0] > 1:
            blocks += _trajectory_charts(scenario, result)
    spread = np.ptp(np.array([r.outcome for r in results.results]), axis=0)
    widest = scenario.issues[int(np.argmax(spread))]
    summary = (
        f"{len(results.results)} models; they disagree most on {widest.label.lower()} "
        f"(spread {float(spread.max()):.0f} points on a 0–100 scale)."
    )
    return Section(
        id=ID,
        title=TITLE,
        blocks=tuple(blocks),
        numbers={
            "issues": list(scenario.issue_ids),
            "seed": seed,
            "models": {
                r.name: {
                    "outcome": dict(zip(scenario.issue_ids, r.outcome.tolist(), strict=True)),
                    "rounds": r.rounds,
                    "converged": r.converged,
                    "compromise_path": r.mean_path.tolist(),
                }
                for r in results.results
            },
        },
        summary=summary,
    )
