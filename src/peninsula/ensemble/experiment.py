"""Run every policy of a scenario, under every chosen model, across sampled worlds.

The unit of work is a *chunk* of sampled worlds (fixed size, see
:mod:`peninsula.executors`). Inside a chunk everything is vectorised: the chunk's
worlds are sampled as one Latin hypercube (so an experiment is a *replicated* LHS, one
replicate per chunk), each policy is applied to the whole ``(chunk, n, k)`` batch with
``apply_policy``, and each model is called once per policy on that batch. Results therefore
depend on ``seed``, ``chunk_size`` and ``method`` only — never on the executor or worker count.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from peninsula import defaults
from peninsula.ensemble.measures import MeasureConfig, compute_measures
from peninsula.ensemble.sampling import (
    UncertainInput,
    build_problem,
    collect_inputs,
    sample_inputs,
)
from peninsula.errors import NotFoundError, PeninsulaError
from peninsula.executors import Executor, get_executor, iter_chunked
from peninsula.problem import BargainingProblem, BoolArray, FloatArray
from peninsula.scenario.arrays import apply_policy, to_problem
from peninsula.scenario.policies import select_policies
from peninsula.scenario.schema import Policy, Scenario, Trade
from peninsula.summary import means_html, summary_frame

DEFAULT_CHUNK = 1024

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Plan:
    """Everything a chunk needs; small and picklable (sent to every worker)."""

    base: BargainingProblem
    inputs: tuple[UncertainInput, ...]
    policies: tuple[tuple[str, Policy | None], ...]
    models: tuple[str, ...]
    params: Mapping[str, Mapping[str, float]]
    method: str
    config: MeasureConfig
    reuse_issues: bool = True
    #: Trades the scenario's policies declare, ``(policy id, trade)``: each gives a measure
    #: ``trade.<policy id>`` (1 where a model that links issues realises it, else 0; NaN for
    #: models that do not trade across issues).
    trades: tuple[tuple[str, Trade], ...] = ()


@dataclass(frozen=True)
class ChunkResult:
    inputs: FloatArray  # (c, d)
    measure_names: tuple[str, ...]
    measures: FloatArray  # (P, M, c, m)
    converged: FloatArray  # (P, M, c)


def _derive(seq: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """A child stream without mutating ``seq`` (so re-running a chunk gives the same bytes)."""
    return np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, *key))


def _unchanged_issues(world: BargainingProblem, applied: BargainingProblem) -> list[bool]:
    """Per issue: is the policy's problem identical to the world's on that issue?

    Actor-level fields (capability, risk, outside option, participation) touch every issue.
    """
    same_actors = (
        np.array_equal(world.capability, applied.capability)
        and np.array_equal(world.risk, applied.risk, equal_nan=True)
        and np.array_equal(world.outside_option, applied.outside_option, equal_nan=True)
        and np.array_equal(world.participating, applied.participating)
    )
    if not same_actors:
        return [False] * world.n_issues
    return [
        np.array_equal(world.position[:, :, i], applied.position[:, :, i])
        and np.array_equal(world.salience[:, :, i], applied.salience[:, :, i])
        and np.array_equal(world.status_quo[:, i], applied.status_quo[:, i])
        for i in range(world.n_issues)
    ]


def _forecast(
    plan: _Plan,
    model_name: str,
    problem: BargainingProblem,
    seq: np.random.SeedSequence,
) -> tuple[FloatArray, BoolArray]:
    """``(outcome (B, k), converged (B,))`` of one model on one batch."""
    from peninsula.models.registry import get_model

    forecast = get_model(model_name).forecast(
        problem, plan.params.get(model_name), np.random.default_rng(seq)
    )
    return forecast.outcome, forecast.converged


def _links_issues(model_name: str) -> bool:
    """Whether a model's forecast of one issue depends on the others (``links_issues``)."""
    from peninsula.models.registry import get_model

    return bool(getattr(get_model(model_name), "links_issues", False))


def _forecast_linked(
    plan: _Plan,
    model_name: str,
    problem: BargainingProblem,
    seq: np.random.SeedSequence,
) -> tuple[FloatArray, BoolArray, dict[str, FloatArray]]:
    """Like :func:`_forecast` for a model that links issues, plus the ``trade.<policy>``
    measures (whether each declared trade is among its realised exchanges)."""
    from peninsula.models.deals import forecast_with_trades
    from peninsula.models.registry import get_model

    forecast, found = forecast_with_trades(
        get_model(model_name),
        problem,
        plan.params.get(model_name),
        np.random.default_rng(seq),
        plan.trades,
    )
    return forecast.outcome, forecast.converged, found


def run_chunk(plan: _Plan, start: int, stop: int, seq: np.random.SeedSequence) -> ChunkResult:
    """Sample ``stop - start`` worlds and evaluate every (policy, model) pair on them.

    Issues are independent in every model except those that declare ``links_issues`` (the
    exchange model), so an issue a policy leaves untouched has the status quo's forecast: with
    ``plan.reuse_issues`` the status quo is
    forecast issue by issue once and each policy only re-forecasts the issues it changes. The
    result is identical to forecasting every policy on every issue (tested), only faster.
    """
    values = sample_inputs(plan.inputs, stop - start, _derive(seq, 0), plan.method)
    world = build_problem(plan.base, plan.inputs, values)
    k = world.n_issues
    names: tuple[str, ...] = ()
    blocks: list[list[FloatArray]] = []
    converged: list[list[FloatArray]] = []
    baseline: dict[int, tuple[FloatArray, BoolArray]] = {}  # model -> per-issue (B,k),(B,k)
    for p, (_, policy) in enumerate(plan.policies):
        applied = world if policy is None else apply_policy(world, policy)
        unchanged = _unchanged_issues(world, applied) if plan.reuse_issues else [False] * k
        row, conv = [], []
        for m, model_name in enumerate(plan.models):
            # A model that links issues (the exchange model trades across them) must see every
            # issue at once: per-issue reuse would forecast it without any exchange.
            reuse = plan.reuse_issues and not _links_issues(model_name)
            if reuse and m not in baseline:
                per_issue = [
                    _forecast(
                        plan, model_name, world.select_issues((issue,)), _derive(seq, 2, m, i)
                    )
                    for i, issue in enumerate(world.issue_ids)
                ]
                baseline[m] = (
                    np.column_stack([o[:, 0] for o, _ in per_issue]),
                    np.column_stack([c for _, c in per_issue]),
                )
            trades = {f"trade.{pid}": np.full(stop - start, np.nan) for pid, _ in plan.trades}
            if reuse:
                outcome = baseline[m][0].copy()
                ok: BoolArray = np.asarray(baseline[m][1][:, unchanged].all(axis=1))
                todo = tuple(world.issue_ids[i] for i in range(k) if not unchanged[i])
                if todo:
                    out, c = _forecast(
                        plan, model_name, applied.select_issues(todo), _derive(seq, 1, p, m)
                    )
                    outcome[:, [not u for u in unchanged]] = out
                    ok = np.asarray(ok & c)
            elif _links_issues(model_name):
                outcome, ok, found = _forecast_linked(
                    plan, model_name, applied, _derive(seq, 1, p, m)
                )
                trades.update(found)
            else:
                outcome, ok = _forecast(plan, model_name, applied, _derive(seq, 1, p, m))
            measures = compute_measures(world, applied, outcome, plan.config)
            measures.update(trades)
            names = tuple(measures)
            row.append(np.column_stack(list(measures.values())))
            conv.append(np.asarray(ok, dtype=np.float64))
        blocks.append(row)
        converged.append(conv)
    return ChunkResult(values, names, np.array(blocks), np.array(converged))


@dataclass
class Experiment:
    """The outcome of :func:`run_experiments`.

    Attributes:
        inputs: one row per sampled world: ``run`` and one column per uncertain input.
        results: one row per (policy, model, run): measures and ``converged``.
        metadata: seed, runs, models, policies, method, chunk size, measure config.
        provenance: set when loaded from disk: the scenario hash and package versions.
    """

    scenario: Scenario
    inputs: pd.DataFrame
    results: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def policies(self) -> tuple[str, ...]:
        return tuple(self.metadata["policies"])

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.metadata["models"])

    @property
    def measures(self) -> tuple[str, ...]:
        skip = {"policy", "model", "run", "converged"}
        return tuple(c for c in self.results.columns if c not in skip)

    def summary(self, model: str | None = None) -> pd.DataFrame:
        """Policy × measure table for one model (default: the first).

        The :mod:`peninsula.summary` layout: index ``(policy, measure)``; columns ``mean``,
        ``low``, ``high`` (the 5th and 95th percentiles of the measure across worlds), ``mcse``
        (Monte Carlo standard error of the mean, sd/sqrt(n): conservative for Latin hypercube
        samples) and ``n``.
        """
        chosen = self.models[0] if model is None else model
        if chosen not in self.models:
            raise NotFoundError(f"model {chosen!r} was not run; run: {', '.join(self.models)}")
        return summarise(self.results[self.results["model"] == chosen], self.measures)

    def summary_all(self) -> pd.DataFrame:
        """Like :meth:`summary` for every model, index ``(model, policy, measure)``."""
        parts = {m: self.summary(m) for m in self.models}
        return pd.concat(parts, names=["model"])

    def to_frame(self) -> pd.DataFrame:
        """The summary of every model (index ``(model, policy, measure)``); the per-world
        measures are :attr:`results`, the sampled inputs :attr:`inputs`."""
        return self.summary_all()

    def __repr__(self) -> str:
        m = self.metadata
        return (
            f"<Experiment {self.scenario.metadata.id}: {m.get('runs')} worlds × "
            f"{len(self.policies)} policies × {len(self.models)} models, seed {m.get('seed')}>"
        )

    def _repr_html_(self) -> str:
        return means_html(
            f"<b>Policy comparison</b> of <code>{self.scenario.metadata.id}</code>: "
            f"{self.metadata.get('runs')} sampled worlds, model {self.models[0]}, seed "
            f"{self.metadata.get('seed')}",
            self.summary(),
        )


def summarise(results: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """Mean, 5th/95th percentiles (``low``, ``high``), MC standard error and count per
    (policy, measure), in the :mod:`peninsula.summary` layout."""
    rows = []
    for policy, group in results.groupby("policy", sort=False, observed=True):
        data = group[list(measures)].to_numpy(dtype=np.float64)
        n = np.sum(~np.isnan(data), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nanmean(data, axis=0)
            p05, p95 = np.nanpercentile(data, [5, 95], axis=0)
            sd = np.nanstd(data, axis=0, ddof=1)
            mcse = sd / np.sqrt(n)
        for j, name in enumerate(measures):
            rows.append((policy, name, mean[j], p05[j], p95[j], mcse[j], int(n[j])))
    return summary_frame(rows, ("mcse", "n"), "5th–95th percentile across sampled worlds")


def check_models(models: Sequence[str]) -> tuple[str, ...]:
    from peninsula.models.registry import get_model

    if not models:
        raise PeninsulaError("choose at least one model")
    for name in models:
        get_model(name)  # NotFoundError lists the available ones
    return tuple(models)


def bytes_per_run(n_actors: int, n_issues: int, n_inputs: int, cells: int) -> float:
    """Memory one sampled world costs in the finished experiment (see ``peninsula.memory``).

    ``cells`` is policies × models. Each cell keeps ~``n + k + 16`` float64 measures, held
    about three times over (chunk arrays, their concatenation, the results frame), plus the
    world's sampled inputs (three copies too).
    """
    measures = n_actors + n_issues + 16
    return 1.5 * (cells * (24.0 * measures + 32.0) + 24.0 * n_inputs)


def bytes_per_world(n_actors: int, n_issues: int) -> float:
    """Working memory of one world inside a chunk: the pairwise models hold a handful of
    ``(n, n, k)`` float64 arrays per world, and EUM's third-party terms one ``(n(n-1)/2, n)``
    array per issue (measured: 512 worlds of 200 actors asked numpy for 15.2 GiB at once)."""
    n, k = n_actors, n_issues
    return 8.0 * (2.0 * n**3 + 16.0 * k * (n * n + 8 * n))


def check_memory(scenario: Scenario, runs: int, n_policies: int, n_models: int) -> None:
    """Refuse ``runs`` worlds up front if the results cannot fit in memory."""
    from peninsula.memory import check_fits

    n, k = len(scenario.actors), len(scenario.issues)
    per_run = bytes_per_run(n, k, len(collect_inputs(scenario)), n_policies * n_models)
    check_fits(runs, per_run, 0.0, "runs", "--runs")


def run_experiments(
    scenario: Scenario,
    runs: int = defaults.RUNS,
    seed: int = defaults.SEED,
    models: Sequence[str] = (defaults.ENSEMBLE_MODEL,),
    executor: str | Executor = "local",
    workers: int | None = None,
    progress: Progress | None = None,
    *,
    policies: Sequence[str] | None = None,
    params: Mapping[str, Mapping[str, float]] | None = None,
    method: str = "lhs",
    chunk_size: int = DEFAULT_CHUNK,
    config: MeasureConfig | None = None,
    scheduler: str | None = None,
    reuse_issues: bool = True,
) -> Experiment:
    """Sample ``runs`` worlds and forecast every policy under every model in each of them.

    ``runs`` counts sampled worlds; the number of model runs is ``runs × policies × models``.
    ``progress(done, total)`` is called with the number of worlds finished after each chunk.
    Same ``seed`` (and ``chunk_size``, ``method``) → identical results for any executor.
    ``reuse_issues=False`` forecasts every policy on every issue instead of reusing the status
    quo's forecast of issues a policy leaves unchanged (same numbers, slower).
    """
    if runs < 1:
        raise PeninsulaError(f"--runs must be at least 1 (got {runs})")
    cfg = config or MeasureConfig.for_scenario(scenario)
    plan = _Plan(
        base=to_problem(scenario),
        inputs=collect_inputs(scenario),
        policies=select_policies(scenario, policies),
        models=check_models(models),
        params=dict(params or {}),
        method=method,
        config=cfg,
        reuse_issues=reuse_issues,
        # trade.<policy> measures only when a model that trades across issues is run (for the
        # others in the same run they are NaN; the measure set is one per experiment).
        trades=tuple((p.id, p.trade) for p in scenario.policies if p.trade is not None)
        if any(_links_issues(m) for m in models)
        else (),
    )
    if method not in ("lhs", "sobol", "random"):
        raise PeninsulaError(f"unknown sampling method {method!r}; choose lhs, sobol or random")
    from peninsula.memory import check_fits, fitting_chunk

    n, k = len(scenario.actors), len(scenario.issues)
    cells = len(plan.policies) * len(plan.models)
    check_fits(runs, bytes_per_run(n, k, len(plan.inputs), cells), 0.0, "runs", "--runs")
    # A big scenario gets smaller chunks (fixed byte target: the same on every machine).
    chunk_size = fitting_chunk(bytes_per_world(n, k) * len(plan.models), chunk_size)
    fn = functools.partial(run_chunk, plan)
    owned = isinstance(executor, str)
    ex = get_executor(executor, workers, scheduler) if isinstance(executor, str) else executor
    chunks: list[ChunkResult] = []
    try:
        if progress is not None:
            progress(0, runs)
        for done, result in iter_chunked(fn, runs, chunk_size, seed, ex):
            chunks.append(result)
            if progress is not None:
                progress(done, runs)
    finally:
        if owned:
            ex.close()
    metadata = {
        "scenario": scenario.metadata.id,
        "seed": seed,
        "runs": runs,
        "models": list(plan.models),
        "policies": [name for name, _ in plan.policies],
        "method": method,
        "chunk_size": chunk_size,
        "params": {k: dict(v) for k, v in plan.params.items()},
        "measure_config": _config_dict(cfg),
        "problem_inputs": [i.name for i in plan.inputs if i.affects_problem],
        "executor": ex.kind,
        "workers": ex.workers,
    }
    inputs, results = _assemble(plan, chunks, runs)
    return Experiment(scenario=scenario, inputs=inputs, results=results, metadata=metadata)


def _config_dict(cfg: MeasureConfig) -> dict[str, Any]:
    """JSON-ready: tuples become lists and the mapping a dict, so a reload compares equal."""
    out = {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.__dict__.items()}
    out["security_issues"] = dict(cfg.security_issues)
    return out


def _categorical(codes: Any, categories: pd.Index) -> Any:
    return pd.Categorical.from_codes(codes, categories=categories)


def _assemble(
    plan: _Plan, chunks: list[ChunkResult], runs: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = chunks[0].measure_names
    values = np.concatenate([c.inputs for c in chunks], axis=0)
    inputs = pd.DataFrame(values, columns=[i.name for i in plan.inputs])
    inputs.insert(0, "run", np.arange(runs, dtype=np.int64))
    measures = np.concatenate([c.measures for c in chunks], axis=2)  # (P, M, runs, m)
    converged = np.concatenate([c.converged for c in chunks], axis=2)  # (P, M, runs)
    n_pol, n_mod = measures.shape[:2]
    policy_names = [name for name, _ in plan.policies]
    flat = measures.reshape(n_pol * n_mod * runs, len(names))
    results = pd.DataFrame(flat, columns=list(names))
    results.insert(
        0,
        "policy",
        _categorical(np.repeat(np.arange(n_pol), n_mod * runs), categories=pd.Index(policy_names)),
    )
    results.insert(
        1,
        "model",
        _categorical(
            np.tile(np.repeat(np.arange(n_mod), runs), n_pol),
            categories=pd.Index(list(plan.models)),
        ),
    )
    results.insert(2, "run", np.tile(np.arange(runs, dtype=np.int64), n_pol * n_mod))
    results["converged"] = converged.reshape(-1) > 0.5
    return inputs, results
