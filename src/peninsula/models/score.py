"""The scoreboard: every model against recorded outcomes, beside two naive baselines.

A model earns its place only if it forecasts real outcomes better than forecasts that need no
model at all. Two baselines:

- ``status-quo``: nothing changes, each issue stays at its status quo;
- ``weighted-mean``: the capability × salience weighted mean of the actors' positions (the
  compromise model of Thomson, Stokman, Achen & König (eds.), *The European Union Decides*,
  2006; :mod:`peninsula.models.compromise`).

The unit of scoring is one issue of one scenario with an ``observed`` outcome (an *item*).
Errors are absolute errors in **percent of the issue's scale** (``100 |forecast − observed| /
(max − min)``) so that issues measured in years and on 0–100 scales can be pooled.

For each model: the mean absolute error (MAE) over items, and for each baseline the mean
difference ``MAE(model) − MAE(baseline)`` with a **paired bootstrap** percentile interval
(items are resampled with replacement, the same resample for the model and the baseline, so
the interval reflects how much the comparison depends on which cases happen to be in the
library), and win counts (items where the model's error is strictly smaller, larger, or equal
within ``1e-9``). With few items the intervals are wide; that is the point of showing them.

Pure: scenarios and arrays in, dataclasses out; randomness only through the ``Generator``
given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from peninsula.defaults import SEED
from peninsula.models.base import influence_weights, weighted_mean
from peninsula.models.registry import get_model
from peninsula.problem import FloatArray
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.schema import Scenario

STATUS_QUO = "status-quo"
WEIGHTED_MEAN = "weighted-mean"
BASELINES = (STATUS_QUO, WEIGHTED_MEAN)
#: Two errors closer than this (percent of the scale) are a tie.
TIE = 1e-9


@dataclass(frozen=True)
class Published:
    """A forecast printed in the source of a case (data, not a model): a point, a range or
    both, in issue units. Shown beside the models; not part of the bootstrap, since only a few
    items carry one."""

    model: str
    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Item:
    """One issue of one scenario with a recorded outcome, and every forecast of it.

    ``forecasts`` maps a model (or baseline) name to its forecast in issue units;
    ``published`` holds the forecasts printed in the case's own source, if any.
    """

    scenario: str
    issue: str
    lower: float
    upper: float
    observed: float
    forecasts: Mapping[str, float]
    published: tuple[Published, ...] = ()

    def error(self, name: str) -> float:
        """Absolute error of ``name``'s forecast in percent of the issue's scale."""
        return self.error_of(self.forecasts[name])

    def error_of(self, forecast: float) -> float:
        """Absolute error of a forecast in issue units, in percent of the issue's scale."""
        return 100.0 * abs(forecast - self.observed) / (self.upper - self.lower)


@dataclass(frozen=True)
class Comparison:
    """A model against one baseline over the same items."""

    baseline: str
    difference: float  # MAE(model) − MAE(baseline); negative = the model is better
    low: float
    high: float
    wins: int
    losses: int
    ties: int


@dataclass(frozen=True)
class ModelScore:
    name: str
    mae: float
    low: float  # bootstrap interval of the MAE itself
    high: float
    comparisons: tuple[Comparison, ...]

    def against(self, baseline: str) -> Comparison:
        return next(c for c in self.comparisons if c.baseline == baseline)


@dataclass(frozen=True)
class Scoreboard:
    items: tuple[Item, ...]
    models: tuple[ModelScore, ...]  # the models first, then the baselines
    resamples: int
    level: float

    @property
    def errors(self) -> dict[str, FloatArray]:
        """Per name, the (items,) array of errors in percent of the scale."""
        return {m.name: _errors(self.items, m.name) for m in self.models}


def scenario_items(
    scenario: Scenario,
    models: Sequence[str],
    seed: int = SEED,
    params: Mapping[str, Mapping[str, float]] | None = None,
) -> list[Item]:
    """Run ``models`` on the scenario's nominal problem; one :class:`Item` per issue with an
    ``observed`` outcome (none if the scenario records none). Each model gets its own
    ``default_rng(seed)``; ``params`` maps a model name to its parameters."""
    scored = [j for j, issue in enumerate(scenario.issues) if issue.observed is not None]
    if not scored:
        return []
    problem = to_problem(scenario)
    outcomes: dict[str, FloatArray] = {
        STATUS_QUO: problem.status_quo[0],
        WEIGHTED_MEAN: weighted_mean(
            problem.position, influence_weights(problem), problem.status_quo
        )[0],
    }
    for name in models:
        model = get_model(name)
        chosen = (params or {}).get(name)
        outcomes[name] = model.forecast(problem, chosen, np.random.default_rng(seed)).outcome[0]
    items = []
    for j in scored:
        issue = scenario.issues[j]
        assert issue.observed is not None
        items.append(
            Item(
                scenario=scenario.metadata.id,
                issue=issue.id,
                lower=issue.scale.min,
                upper=issue.scale.max,
                observed=issue.observed.value,
                forecasts={name: float(values[j]) for name, values in outcomes.items()},
                published=tuple(
                    Published(p.model, p.value, p.low, p.high) for p in issue.published_forecasts
                ),
            )
        )
    return items


def _errors(items: Sequence[Item], name: str) -> FloatArray:
    return np.array([item.error(name) for item in items], dtype=np.float64)


def score(
    items: Sequence[Item],
    models: Sequence[str],
    rng: np.random.Generator,
    resamples: int = 2000,
    level: float = 0.9,
) -> Scoreboard:
    """Score ``models`` (and the two baselines) on ``items``.

    One matrix of bootstrap indices (``resamples`` × items, drawn from ``rng``) is shared by
    every model and baseline, which makes the comparisons paired. Intervals are the
    ``(1 ∓ level)/2`` percentiles of the resampled statistics.
    """
    if not items:
        raise ValueError("no items to score: no scenario records an observed outcome")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    names = [*dict.fromkeys(models), *BASELINES]
    n = len(items)
    errors = {name: _errors(items, name) for name in names}
    picks = rng.integers(0, n, size=(resamples, n))
    tail = 100.0 * (1.0 - level) / 2.0
    boot = {name: errors[name][picks].mean(axis=1) for name in names}

    def interval(values: FloatArray) -> tuple[float, float]:
        low, high = np.percentile(values, [tail, 100.0 - tail])
        return float(low), float(high)

    scores = []
    for name in names:
        comparisons = []
        for baseline in BASELINES:
            diff = errors[name] - errors[baseline]
            low, high = interval(boot[name] - boot[baseline])
            comparisons.append(
                Comparison(
                    baseline=baseline,
                    difference=float(diff.mean()),
                    low=low,
                    high=high,
                    wins=int((diff < -TIE).sum()),
                    losses=int((diff > TIE).sum()),
                    ties=int((np.abs(diff) <= TIE).sum()),
                )
            )
        low, high = interval(boot[name])
        scores.append(
            ModelScore(
                name=name,
                mae=float(errors[name].mean()),
                low=low,
                high=high,
                comparisons=tuple(comparisons),
            )
        )
    return Scoreboard(items=tuple(items), models=tuple(scores), resamples=resamples, level=level)
