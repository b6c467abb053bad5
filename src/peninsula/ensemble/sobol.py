"""Which assumptions drive each result: variance-based (Sobol') sensitivity indices.

First-order index ``S1_j = V[E(Y | X_j)] / V(Y)`` — the share of the measure's variance
explained by input ``j`` alone; total index ``ST_j = E[V(Y | X_~j)] / V(Y)`` — its share
including every interaction (Sobol' 2001; Saltelli et al. 2010, "Variance based sensitivity
analysis of model output", the estimators SALib implements). Confidence intervals are SALib's
bootstrap intervals.

Design: SALib samples the *unit* hypercube (Saltelli's extension of Sobol' sequences,
``N × (d + 2)`` points without second-order terms) and every column is mapped through the
input's inverse CDF (:meth:`UncertainInput.ppf`). Sobol' indices are defined per input
variable, and a strictly monotone transform of one input changes neither its conditional
expectations nor variances, so the indices on the unit cube are the indices of the scenario's
real distributions — and triangular and truncated normal inputs need no special support.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from peninsula import defaults
from peninsula.ensemble.experiment import Progress, check_models
from peninsula.ensemble.measures import MeasureConfig, canonical_measure, compute_measures
from peninsula.ensemble.sampling import UncertainInput, build_problem, collect_inputs, to_values
from peninsula.errors import NotFoundError, PeninsulaError
from peninsula.problem import FloatArray
from peninsula.scenario.arrays import apply_policy, to_problem
from peninsula.scenario.policies import find_policy
from peninsula.scenario.schema import Scenario

COLUMNS = ["S1", "S1_conf", "ST", "ST_conf"]
Evaluate = Callable[[FloatArray], dict[str, FloatArray]]


def _salib_problem(names: Sequence[str]) -> dict[str, object]:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def unit_design(d: int, n: int, seed: int) -> FloatArray:
    """Saltelli's design on ``[0, 1]^d`` as SALib's ``sobol.sample`` lays it out: ``n × (d + 2)``
    rows, block ``i`` being ``A_i``, then ``A_i`` with column ``j`` from ``B_i`` for each ``j``,
    then ``B_i``, where ``[A | B]`` is the scrambled Sobol' sequence in ``2 d`` dimensions.

    The same base sequence SALib draws (``scipy.stats.qmc.Sobol(2 d, scramble=True,
    seed=seed)``), arranged with array indexing. Not SALib's sampler itself because that copies
    the ``n (d + 2) d`` elements one at a time in Python: 0.9 s for the default report's
    500 × 75 × 73 design, against milliseconds here. The bytes are SALib's (its scaling to
    the unit bounds multiplies by 1 and adds 0), which ``test_unit_design_is_salibs`` checks.
    """
    from scipy.stats import qmc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "n should be a power of 2": a documented trade-off
        base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, :d], base[:, d:]
    design = np.repeat(a[:, None, :], d + 2, axis=1)  # (n, d + 2, d): every row starts as A_i
    columns = np.arange(d)
    design[:, 1 + columns, columns] = b  # row 1 + j takes column j from B_i
    design[:, d + 1, :] = b
    return np.ascontiguousarray(design.reshape(n * (d + 2), d), dtype=np.float64)


def salib_seed(seed: int) -> int:
    """A seed for SALib's analyser that is never 0, derived from ``seed`` (same seed, same one).

    ``SALib.analyze.sobol.analyze`` tests ``if seed:``, so seed 0 (our default) meant "no
    seed" and the bootstrap intervals changed from run to run.
    """
    return int(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint32)[0]) + 1


def analyse(names: Sequence[str], y: FloatArray, seed: int, conf_level: float) -> pd.DataFrame:
    """Sobol' S1/ST with bootstrap confidence half-widths; NaN if ``y`` does not vary."""
    from SALib.analyze import sobol as sobol_analyze

    table = pd.DataFrame(np.nan, index=pd.Index(list(names), name="input"), columns=COLUMNS)
    finite = np.isfinite(y)
    if not finite.all() or np.ptp(y) == 0:
        return table  # a constant measure has no variance to apportion
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol_analyze.analyze(
            _salib_problem(names),
            y,
            calc_second_order=False,
            conf_level=conf_level,
            seed=salib_seed(seed),
        )
    for column in COLUMNS:
        table[column] = np.asarray(si[column], dtype=np.float64)
    return table


def sobol_indices(
    evaluate: Evaluate,
    inputs: Sequence[UncertainInput],
    n: int,
    seed: int,
    conf_level: float = 0.95,
    keep: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Sobol' indices of every output of a vectorised ``evaluate(values (N, d)) -> {name: (N,)}``.

    ``inputs`` give names and distributions; ``n`` is SALib's base sample size ``N`` (a power
    of two is best); the function is evaluated ``n × (d + 2)`` times. ``keep`` names the
    outputs to analyse (default: all): SALib's bootstrap costs about as much per output as
    the model runs of a small scenario, so a caller that shows three of 24 measures asks for
    those three (each output's indices are computed alone, so the others are unchanged).
    """
    if n < 2:
        raise PeninsulaError(f"the Sobol' base sample needs at least 2 runs (got {n})")
    if not inputs:
        raise PeninsulaError("the scenario has no uncertain inputs to analyse")
    unit = unit_design(len(inputs), n, seed)
    outputs = evaluate(to_values(inputs, unit))
    names = [i.name for i in inputs]
    return {
        key: analyse(names, np.asarray(y, dtype=np.float64), seed, conf_level)
        for key, y in outputs.items()
        if keep is None or key in keep
    }


def _scenario_evaluator(
    scenario: Scenario,
    inputs: Sequence[UncertainInput],
    policy: str | None,
    model: str,
    config: MeasureConfig,
    chunk_size: int,
    seed: int,
    progress: Progress | None = None,
    distinct: bool = True,
) -> Evaluate:
    """``evaluate(values)``: every measure of the scenario's model in the worlds ``values``.

    With ``distinct`` (default) a model that does not link issues forecasts each issue only
    once per distinct world of that issue (:func:`~peninsula.models.batching.
    forecast_distinct_issues`): in a Saltelli design most rows differ from their block's base
    row in an input of another issue, so this is about three times less model work for the
    same numbers (``distinct=False`` is the plain path, kept for the test that says so).
    """
    from peninsula.ensemble.experiment import bytes_per_world
    from peninsula.memory import fitting_chunk
    from peninsula.models.batching import forecast_distinct_issues
    from peninsula.models.deals import forecast_with_trades
    from peninsula.models.registry import get_model

    chosen = find_policy(scenario, policy)
    base = to_problem(scenario)
    forecaster = get_model(model)
    # a big scenario is evaluated in smaller chunks (fixed byte target, same on every machine)
    chunk_size = fitting_chunk(
        bytes_per_world(len(scenario.actors), len(scenario.issues)), chunk_size
    )
    # trade.<policy> measures only for a model that trades across issues (the exchange model).
    declared = [
        (p.id, p.trade)
        for p in scenario.policies
        if p.trade is not None and getattr(forecaster, "links_issues", False)
    ]
    per_issue = distinct and not getattr(forecaster, "links_issues", False)

    def evaluate(values: FloatArray) -> dict[str, FloatArray]:
        parts: list[dict[str, FloatArray]] = []
        for start in range(0, values.shape[0], chunk_size):
            world = build_problem(base, inputs, values[start : start + chunk_size])
            applied = world if chosen is None else apply_policy(world, chosen)
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(start,)))
            if per_issue:  # no trade measures: declared is empty for such a model
                outcome, _ = forecast_distinct_issues(forecaster, applied, None, rng)
                trades: dict[str, FloatArray] = {}
            else:
                forecast, trades = forecast_with_trades(forecaster, applied, None, rng, declared)
                outcome = forecast.outcome
            measures = compute_measures(world, applied, outcome, config)
            measures.update(trades)  # trade.<policy>: NaN for models that do not link issues
            parts.append(measures)
            if progress is not None:
                progress(min(start + chunk_size, values.shape[0]), values.shape[0])
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    return evaluate


def varied_inputs(scenario: Scenario) -> tuple[UncertainInput, ...]:
    """The uncertain inputs a sensitivity analysis varies: those that enter the bargaining
    problem (relation strengths and policy effects are read by no model, so their indices
    would be exactly zero). Empty for a scenario that states no uncertainty ranges."""
    return tuple(i for i in collect_inputs(scenario) if i.affects_problem)


def sensitivity_all(
    scenario: Scenario,
    runs: int,
    seed: int,
    policy: str | None = None,
    *,
    model: str = defaults.ENSEMBLE_MODEL,
    config: MeasureConfig | None = None,
    conf_level: float = 0.95,
    chunk_size: int = 4096,
    progress: Progress | None = None,
    measures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Sobol' indices of every measure (or of ``measures``; a deprecated ``seoul.*`` name is
    read as its ``sidelined.*`` name): index ``(measure, input)``, columns S1..ST_conf.

    Only inputs that enter the bargaining problem are varied (relation strengths and policy
    effects are read by no model, so their indices would be exactly zero).
    """
    check_models([model])
    inputs = list(varied_inputs(scenario))
    evaluate = _scenario_evaluator(
        scenario,
        inputs,
        policy,
        model,
        config or MeasureConfig.for_scenario(scenario),
        chunk_size,
        seed,
        progress,
    )
    wanted = None if measures is None else [canonical_measure(m) for m in measures]
    tables = sobol_indices(evaluate, inputs, runs, seed, conf_level, wanted)
    if not tables:  # none of ``measures`` is computed for this scenario
        index = pd.MultiIndex.from_arrays([[], []], names=["measure", "input"])
        return pd.DataFrame(columns=COLUMNS, index=index, dtype=np.float64)
    return pd.concat(tables, names=["measure"])


def sensitivity(
    scenario: Scenario,
    measure: str,
    runs: int,
    seed: int,
    policy: str | None = None,
    *,
    model: str = defaults.ENSEMBLE_MODEL,
    config: MeasureConfig | None = None,
    conf_level: float = 0.95,
    chunk_size: int = 4096,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Sobol' indices of one measure under one policy (default: the status quo); a deprecated
    ``seoul.*`` measure name is read as its ``sidelined.*`` name.

    Returns a DataFrame indexed by input name with columns ``S1, S1_conf, ST, ST_conf``
    (``*_conf``: half-width of the ``conf_level`` bootstrap interval), sorted by ``ST``.
    The model is evaluated ``runs × (d + 2)`` times (``d`` uncertain inputs).
    """
    check_models([model])
    measure = canonical_measure(measure)
    cfg = config or MeasureConfig.for_scenario(scenario)
    inputs = list(varied_inputs(scenario))
    probe = _scenario_evaluator(scenario, inputs, policy, model, cfg, chunk_size, seed)
    nominal = np.array([[i.nominal for i in inputs]])
    known = list(probe(nominal))
    if measure not in known:
        raise NotFoundError(f"unknown measure {measure!r}; known: {', '.join(known)}")
    full = _scenario_evaluator(scenario, inputs, policy, model, cfg, chunk_size, seed, progress)

    def only(values: FloatArray) -> dict[str, FloatArray]:
        return {measure: full(values)[measure]}

    table = sobol_indices(only, inputs, runs, seed, conf_level)[measure]
    return table.sort_values("ST", ascending=False, na_position="last")
