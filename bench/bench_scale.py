"""Benchmark: every model on a generated 200-actor, 5-issue scenario, and a memory budget.

Part 1 times each model's forecast of the nominal problem (a batch of one) of
``generated_scenario(200, 5)``, with the traced peak memory (tracemalloc) of the call.

Part 2 forecasts a batch of ``--rows`` variants (every row the nominal problem with positions
jittered by ±5) with the expected utility model, once in one call and once through
``forecast_in_chunks`` with ``--budget`` MiB and 2 workers, and reports both peaks, both
times and whether the outcomes are identical (they must be: rows are independent). Since
``eum.chunk_rows`` the model bounds its own work array, so both peaks are close (measured 29 Nov
2026: 70 and 69 MiB; 542 MiB in one call before it); the generic chunker is the safety net for
any model that does not.

    python bench/bench_scale.py                 # 200 actors, 16 rows, 64 MiB budget
    python bench/bench_scale.py --smp           # include SMP in part 1 (minutes today)
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from dataclasses import replace
from typing import Any

import numpy as np

from peninsula.models.batching import forecast_in_chunks
from peninsula.models.registry import available_models, get_model
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.generate import generated_scenario


def traced(call: Any) -> tuple[Any, float, float]:
    """``(result, seconds, peak MiB)`` of ``call()`` under tracemalloc."""
    tracemalloc.start()
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actors", type=int, default=200)
    parser.add_argument("--issues", type=int, default=5)
    parser.add_argument("--rows", type=int, default=16)
    parser.add_argument("--budget", type=float, default=64.0, help="MiB")
    parser.add_argument("--smp", action="store_true", help="also time SMP in part 1")
    args = parser.parse_args(argv)

    problem = to_problem(generated_scenario(args.actors, args.issues, seed=0))
    print(f"Part 1: one forecast of {args.actors} actors x {args.issues} issues")
    timings = {}
    for name in available_models():
        if name == "smp" and not args.smp:
            print(f"  {name:<11} skipped (pass --smp)")
            continue
        model = get_model(name)
        _, seconds, peak = traced(lambda m=model: m.forecast(problem))
        timings[name] = (seconds, peak)
        print(f"  {name:<11} {seconds:7.2f} s   peak {peak:8.1f} MiB")

    rng = np.random.default_rng(1)
    rows = args.rows
    jitter = rng.uniform(-5, 5, (rows, args.actors, args.issues))
    batch = replace(
        problem,
        position=np.clip(problem.position + jitter, 0, 100),
        salience=np.repeat(problem.salience, rows, axis=0),
        capability=np.repeat(problem.capability, rows, axis=0),
        status_quo=np.repeat(problem.status_quo, rows, axis=0),
        risk=np.repeat(problem.risk, rows, axis=0),
        outside_option=np.repeat(problem.outside_option, rows, axis=0),
        participating=np.repeat(problem.participating, rows, axis=0),
    )
    eum = get_model("eum")
    budget = int(args.budget * 2**20)
    print(f"Part 2: eum on a batch of {rows} rows, one call vs a {args.budget:g} MiB budget")
    whole, t_whole, p_whole = traced(lambda: eum.forecast(batch))
    chunked, t_chunk, p_chunk = traced(
        lambda: forecast_in_chunks(eum, batch, budget=budget, workers=2)
    )
    identical = bool(np.array_equal(whole.outcome, chunked.outcome))
    print(f"  one call   {t_whole:7.2f} s   peak {p_whole:8.1f} MiB")
    print(f"  chunked    {t_chunk:7.2f} s   peak {p_chunk:8.1f} MiB   identical: {identical}")
    print(f"  memory ratio {p_whole / p_chunk:.1f}x, time ratio {t_chunk / t_whole:.2f}x")
    return {"timings": timings, "identical": identical, "peaks": (p_whole, p_chunk)}


if __name__ == "__main__":
    main()
