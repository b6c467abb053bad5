"""Forecast a scenario: run bargaining models on its nominal problem, record them round by round,
and score them against observed outcomes.

This is what ``peninsula forecast`` prints, what the report's forecasts section draws and what
``peninsula.forecast`` returns in a notebook: one function, :func:`forecast_scenario`, and one
result, :class:`ScenarioForecast`.

Seeding rule (shared by every caller): each model gets its own
``numpy.random.default_rng(seed)``, so a model's forecast does not depend on which other
models were run alongside it, nor in which order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from peninsula.defaults import SEED
from peninsula.errors import NotFoundError, PeninsulaError
from peninsula.models.base import ROUNDS_PARAM, Forecast, Model, influence_weights, weighted_mean
from peninsula.models.batching import DEFAULT_BUDGET, Progress, forecast_in_chunks
from peninsula.models.registry import available_models, get_model
from peninsula.problem import BargainingProblem, FloatArray
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.policies import STATUS_QUO, find_policy
from peninsula.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

#: Backtest baseline: the forecast "nothing changes" (each issue stays at its status quo).
NO_CHANGE = "no-change"


def mean_trajectory(problem: BargainingProblem, forecast: Forecast) -> FloatArray:
    """``(B, R + 1, k)`` capability × salience weighted mean position after each round.

    The compromise point of each round's positions (the compromise model; see
    :func:`~peninsula.models.base.weighted_mean`): a one-number summary of where the actors
    collectively stand as a dynamic model moves them. An issue nobody has weight on stays at
    its status quo, as in the compromise model.
    """
    b, steps, n, k = forecast.trajectory.shape
    weights = np.broadcast_to(influence_weights(problem)[:, None], (b, steps, n, k))
    fallback = np.broadcast_to(problem.status_quo[:, None, :], (b, steps, k))
    flat = weighted_mean(
        forecast.trajectory.reshape(b * steps, n, k),
        weights.reshape(b * steps, n, k),
        fallback.reshape(b * steps, k),
    )
    return flat.reshape(b, steps, k)


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast of the scenario (a batch of one) and its round-by-round summary."""

    model: Model
    forecast: Forecast
    mean_path: FloatArray  # (R + 1, k): mean_trajectory of the one row

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def outcome(self) -> FloatArray:
        """``(k,)`` forecast outcome per issue."""
        return np.asarray(self.forecast.outcome[0], dtype=np.float64)

    @property
    def trajectory(self) -> FloatArray:
        """``(R + 1, n, k)`` every actor's position after each round."""
        return np.asarray(self.forecast.trajectory[0], dtype=np.float64)

    @property
    def rounds(self) -> int:
        return int(self.forecast.rounds[0])

    @property
    def converged(self) -> bool:
        return bool(self.forecast.converged[0])


@dataclass(frozen=True)
class Backtest:
    """Absolute error of each model (and of "no change") on the issues with an observed
    outcome: ``mean_absolute_error[model]``, ``max_absolute_error[model]``."""

    issues: tuple[str, ...]
    mean_absolute_error: dict[str, float]
    max_absolute_error: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "issues": list(self.issues),
            "mean_absolute_error": dict(self.mean_absolute_error),
            "max_absolute_error": dict(self.max_absolute_error),
        }


@dataclass(frozen=True)
class ScenarioForecast:
    """Every chosen model's forecast of a scenario under one policy."""

    scenario: Scenario
    policy: str
    seed: int
    max_rounds: int | None
    problem: BargainingProblem
    results: tuple[ModelForecast, ...]
    #: Per model, the parameters it was run with beyond its defaults (``--param``, ``--rounds``).
    params: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.results)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return self.problem.issue_ids

    def __getitem__(self, model: str) -> ModelForecast:
        for result in self.results:
            if result.name == model:
                return result
        raise NotFoundError(f"model {model!r} was not run; run: {', '.join(self.models)}")

    def backtest(self) -> Backtest | None:
        """Each model against the issues' observed outcomes, with the naive "nothing changes"
        forecast (the status quo) as the baseline to beat; ``None`` when nothing is observed."""
        by_id = {issue.id: issue for issue in self.scenario.issues}
        scored = [
            (j, by_id[i].observed.value)  # type: ignore[union-attr]
            for j, i in enumerate(self.issue_ids)
            if by_id[i].observed is not None
        ]
        if not scored:
            return None
        errors: dict[str, list[float]] = {NO_CHANGE: []}
        errors.update({r.name: [] for r in self.results})
        for j, observed in scored:
            errors[NO_CHANGE].append(abs(float(self.problem.status_quo[0, j]) - observed))
            for r in self.results:
                errors[r.name].append(abs(float(r.outcome[j]) - observed))
        return Backtest(
            issues=tuple(self.issue_ids[j] for j, _ in scored),
            mean_absolute_error={m: float(np.mean(e)) for m, e in errors.items()},
            max_absolute_error={m: float(np.max(e)) for m, e in errors.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per issue every model's outcome, nearest anchor and trajectory
        (the format of ``peninsula forecast --json``, see docs/how-to/forecast.md)."""
        by_id = {issue.id: issue for issue in self.scenario.issues}
        actors = self.problem.actor_ids
        out_issues = []
        for j, issue_id in enumerate(self.issue_ids):
            issue = by_id[issue_id]
            entries = []
            for r in self.results:
                value = float(r.outcome[j])
                anchor = issue.scale.nearest_anchor(value)
                entries.append(
                    {
                        "model": r.name,
                        "label": r.model.label,
                        "dynamic": r.model.dynamic,
                        "outcome": value,
                        "nearest_anchor": {"at": anchor.at, "label": anchor.label},
                        "rounds": r.rounds,
                        "converged": r.converged,
                        "moved": [
                            a for a, m in zip(actors, r.forecast.moved[0, :, j], strict=True) if m
                        ],
                        "mean_position_by_round": [float(v) for v in r.mean_path[:, j]],
                        "positions_by_round": {
                            a: [float(v) for v in r.trajectory[:, i, j]]
                            for i, a in enumerate(actors)
                        },
                    }
                )
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
                    "status_quo": float(self.problem.status_quo[0, j]),
                    "observed": None if issue.observed is None else issue.observed.value,
                    "forecasts": entries,
                }
            )
        backtest = self.backtest()
        return {
            "scenario": self.scenario.metadata.id,
            "policy": self.policy,
            "seed": self.seed,
            "rounds": self.max_rounds,
            "models": list(self.models),
            "params": {m: dict(p) for m, p in self.params.items()},
            "issues": out_issues,
            "backtest": None if backtest is None else backtest.to_dict(),
        }

    def rounds_columns(self) -> dict[str, list[Any]]:
        """Every actor's position in every round of every model and issue, as columns
        ``model, issue, round, actor, position`` (long format, one row per value: what
        ``peninsula forecast --rounds-out`` writes). Static models contribute round 0 only; a
        dynamic model's rows run to the last round it ran (converged actors repeat their
        final position, as in its trajectory)."""
        columns: dict[str, list[Any]] = {
            "model": [],
            "issue": [],
            "round": [],
            "actor": [],
            "position": [],
        }
        actors = self.problem.actor_ids
        for r in self.results:
            path = r.trajectory  # (R + 1, n, k)
            for j, issue_id in enumerate(self.issue_ids):
                for i, actor in enumerate(actors):
                    values = path[:, i, j]
                    columns["model"] += [r.name] * len(values)
                    columns["issue"] += [issue_id] * len(values)
                    columns["round"] += list(range(len(values)))
                    columns["actor"] += [actor] * len(values)
                    columns["position"] += [float(v) for v in values]
        return columns

    def to_frame(self) -> pd.DataFrame:
        """One row per (model, issue): outcome, status quo, nearest anchor, rounds, converged."""
        import pandas as pd

        by_id = {issue.id: issue for issue in self.scenario.issues}
        rows = []
        for r in self.results:
            for j, issue_id in enumerate(self.issue_ids):
                value = float(r.outcome[j])
                rows.append(
                    {
                        "model": r.name,
                        "issue": issue_id,
                        "outcome": value,
                        "status_quo": float(self.problem.status_quo[0, j]),
                        "nearest_anchor": by_id[issue_id].scale.nearest_anchor(value).label,
                        "rounds": r.rounds,
                        "converged": r.converged,
                    }
                )
        return pd.DataFrame(rows).set_index(["model", "issue"])

    def __repr__(self) -> str:
        return (
            f"<ScenarioForecast {self.scenario.metadata.id} policy={self.policy} seed={self.seed}: "
            f"{len(self.results)} models × {len(self.issue_ids)} issues>"
        )

    def _repr_html_(self) -> str:
        table = self.to_frame()["outcome"].unstack("model").round(1)
        head = (
            f"<p><b>Forecast</b> of <code>{self.scenario.metadata.id}</code>, policy "
            f"<code>{self.policy}</code>, seed {self.seed}</p>"
        )
        return head + str(table.to_html())


def _select_issues(scenario: Scenario, issues: Sequence[str]) -> tuple[str, ...]:
    if not issues:
        return scenario.issue_ids
    unknown = [i for i in issues if i not in scenario.issue_ids]
    if unknown:
        raise NotFoundError(
            f"unknown issue {unknown[0]!r} in scenario {scenario.metadata.id!r}; "
            f"available: {', '.join(scenario.issue_ids)}"
        )
    return tuple(dict.fromkeys(issues))


def forecast_scenario(
    scenario: Scenario,
    models: Sequence[str] = (),
    issues: Sequence[str] = (),
    policy: str | None = None,
    seed: int = SEED,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, float]] | None = None,
    budget: int = DEFAULT_BUDGET,
    on_model: Callable[[str], Progress | None] | None = None,
) -> ScenarioForecast:
    """Run the chosen models (default: every registered one) on the scenario's nominal
    problem with ``policy`` applied (default: the status quo); ``rounds`` caps dynamic models.

    ``params`` maps a model name to its parameters
    (:func:`peninsula.models.params.parse_params`); they override ``rounds`` for that model.
    Every model runs through :func:`~peninsula.models.batching.forecast_in_chunks` within
    ``budget`` bytes; ``on_model(name)`` may return a progress callback for that model (the
    CLI's progress bar). Unknown models, issues and policies fail before any work with the
    available names.
    """
    names = tuple(dict.fromkeys(models)) or available_models()
    chosen = [get_model(name) for name in names]
    issue_ids = _select_issues(scenario, issues)
    found = find_policy(scenario, policy)
    if rounds is not None and rounds < 1:
        raise PeninsulaError(f"--rounds must be >= 1, got {rounds}")
    problem = to_problem(scenario, found).select_issues(issue_ids)
    results = []
    used: dict[str, dict[str, float]] = {}
    for model in chosen:
        own: dict[str, float] = (
            {ROUNDS_PARAM: float(rounds)} if rounds is not None and model.dynamic else {}
        )
        own.update((params or {}).get(model.name, {}))
        used[model.name] = own
        progress = on_model(model.name) if on_model is not None else None
        rng = np.random.default_rng(seed)
        forecast = forecast_in_chunks(model, problem, own or None, rng, budget, progress=progress)
        results.append(ModelForecast(model, forecast, mean_trajectory(problem, forecast)[0]))
    return ScenarioForecast(
        scenario=scenario,
        policy=STATUS_QUO if found is None else found.id,
        seed=seed,
        max_rounds=rounds,
        problem=problem,
        results=tuple(results),
        params=used,
    )
