"""Benchmark: one million expected-utility runs of korea-2025 across its policy options.

A *run* is one (sampled world, policy) pair: the model forecasts every issue of that world
under that policy and all outcome measures are computed. korea-2025 has 5 policies plus the
status quo, so 1,000,000 runs = 166,667 sampled worlds × 6 policies.

Target: ``run_experiments`` (vectorised chunks of 1,024 worlds, one model call per policy per
chunk, issues a policy leaves unchanged reused from the status quo) on the ``processes``
executor with 2 workers. Baseline: a serial per-run loop — for each world and policy, build a
batch-of-one problem, apply the policy, call the model, compute the measures — timed on a
subset of the same worlds and extrapolated linearly to the full count (a loop over a million
runs would take the better part of an hour). The baseline's numbers are checked against the
target's for the subset, so both do the same work.

    python bench/bench_ensemble.py            # 1,000,000 runs, eum, 2 worker processes
    python bench/bench_ensemble.py --quick    # 12,000 runs
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

import peninsula
from peninsula.ensemble.experiment import run_experiments
from peninsula.ensemble.measures import MeasureConfig, compute_measures
from peninsula.ensemble.sampling import build_problem, collect_inputs
from peninsula.models.registry import available_models, get_model
from peninsula.scenario.arrays import apply_policy, to_problem
from peninsula.scenario.policies import select_policies


def serial_loop(scenario: peninsula.Scenario, values: np.ndarray, model_name: str) -> np.ndarray:  # type: ignore[name-defined]
    """The naive baseline: one forecast per (world, policy). Returns measures (runs, m)."""
    inputs = collect_inputs(scenario)
    base = to_problem(scenario)
    model = get_model(model_name)
    config = MeasureConfig.for_scenario(scenario)
    rows = []
    for w in range(values.shape[0]):
        world = build_problem(base, inputs, values[w : w + 1])
        for _, policy in select_policies(scenario):
            applied = world if policy is None else apply_policy(world, policy)
            outcome = model.forecast(applied, None, np.random.default_rng(0)).outcome
            measures = compute_measures(world, applied, outcome, config)
            rows.append(np.concatenate([v for v in measures.values()]))
    return np.array(rows)


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (the pool's workers are
    joined when the executor closes, so their time is included)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000, help="(world, policy) runs")
    parser.add_argument("--baseline-runs", type=int, default=3_000, help="runs timed serially")
    parser.add_argument("--model", default="eum")
    parser.add_argument("--executor", default="processes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=1024)
    parser.add_argument("--scenario", default="korea-2025")
    parser.add_argument("--quick", action="store_true", help="12,000 runs, 600 baseline runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.baseline_runs = 12_000, 600
    model = args.model if args.model in available_models() else "compromise"
    if model != args.model:
        print(f"note: model {args.model!r} is not available; using {model!r}")
    scenario = peninsula.load_scenario(args.scenario)
    n_policies = len(scenario.policies) + 1
    worlds = math.ceil(args.runs / n_policies)
    runs = worlds * n_policies
    print(
        f"{args.scenario}: {worlds:,} sampled worlds × {n_policies} policies = {runs:,} runs "
        f"of {model!r}; executor {args.executor} ({args.workers} workers, "
        f"{os.cpu_count()} CPUs), chunks of {args.chunk_size}"
    )

    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    exp = run_experiments(
        scenario, worlds, seed=0, models=(model,), executor=args.executor,
        workers=args.workers, chunk_size=args.chunk_size,
    )  # fmt: skip
    target = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    target_rate = runs / target
    print(f"vectorised: {target:8.2f} s  {target_rate:12,.0f} runs/s")
    print(
        f"  CPU time (parent + workers): {cpu:.1f} s = {runs / cpu:,.0f} runs per CPU-second; "
        f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
        "(other work on the machine slows the wall-clock figure)"
    )

    base_worlds = max(1, math.ceil(args.baseline_runs / n_policies))
    names = [i.name for i in collect_inputs(scenario)]
    values = exp.inputs[names].to_numpy()[:base_worlds]
    start = time.perf_counter()
    naive = serial_loop(scenario, values, model)
    baseline = time.perf_counter() - start
    base_runs = base_worlds * n_policies
    base_rate = base_runs / baseline
    extrapolated = runs / base_rate
    print(
        f"serial loop: {baseline:7.2f} s for {base_runs:,} runs  {base_rate:10,.0f} runs/s  "
        f"→ {extrapolated:,.0f} s extrapolated to {runs:,} runs"
    )
    # same numbers: the target's rows for the same worlds, in (world, policy) order
    res = exp.results
    subset = res[res["run"] < base_worlds].sort_values(["run", "policy"], kind="stable")
    measures = list(exp.measures)
    agree = np.allclose(subset[measures].to_numpy(), naive, atol=1e-9, equal_nan=True)
    print(f"vectorised results equal the serial loop's on the subset: {agree}")
    ratio = extrapolated / target
    print(f"speed-up: {ratio:,.1f}×  (target: {runs:,} runs under 120 s: "
          f"{'met' if target < 120 else 'NOT met'})")  # fmt: skip
    return {
        "runs": float(runs),
        "target_s": target,
        "cpu_s": cpu,
        "target_runs_per_s": target_rate,
        "baseline_runs_per_s": base_rate,
        "ratio": ratio,
        "agree": float(agree),
    }


if __name__ == "__main__":
    main()
