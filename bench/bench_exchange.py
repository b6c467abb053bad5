"""Benchmark: the exchange model (issue #15) on korea-2025, one forecast and a Monte Carlo batch.

Targets (issue #15): one exchange-model forecast of korea-2025 (7 actors, 5 issues, all 10
issue pairs, rounds until the model stops: the default 10-round cap, since korea-2025 does not
settle earlier) in under 10 ms; 100,000 Monte Carlo forecasts in under 60 s on 2 cores; and the
ratio to a per-forecast loop (``MODEL.forecast`` called once per sampled world, batch of one)
measured in the same run.

Times are reported as wall clock and as process CPU time: on a shared machine the wall clock
includes waiting for a core, CPU time does not; the load average is printed before and after.
The loop baseline runs on a subset of the worlds (``--loop-sample``) and is extrapolated
linearly (worlds are independent); the subset is also compared with the batch results, which
cross-checks the two paths.

    python bench/bench_exchange.py            # full size
    python bench/bench_exchange.py --quick    # 4,000 forecasts, 100 in the loop
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from peninsula.ensemble.sampling import sample_problem
from peninsula.models.exchange import MODEL
from peninsula.problem import BargainingProblem
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.loader import load_scenario

SCENARIO = "korea-2025"


def _forecast_block(block: BargainingProblem) -> tuple[np.ndarray, float]:
    start = time.process_time()
    outcome = MODEL.forecast(block).outcome
    return outcome, time.process_time() - start


def one_forecast(repeats: int) -> dict[str, float]:
    problem = to_problem(load_scenario(SCENARIO))
    MODEL.forecast(problem)  # warm-up (imports, first allocations)
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        result = MODEL.run(problem)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return {
        "wall_ms": 1000 * statistics.median(wall),
        "cpu_ms": 1000 * statistics.median(cpu),
        "rounds": float(result.forecast.rounds[0]),
        "exchanges": float(result.count[0]),
        "candidates": 21.0 * 10.0,
    }


def monte_carlo(count: int, workers: int, loop_sample: int) -> dict[str, float]:
    problem, _, _ = sample_problem(load_scenario(SCENARIO), count, seed=2026)
    # Batch path on `workers` processes, each taking a contiguous half of the worlds.
    per = -(-count // workers)
    blocks = [problem.take(slice(lo, lo + per)) for lo in range(0, count, per)]
    wall = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_forecast_block, blocks))
    batch_wall = time.perf_counter() - wall
    outcome = np.concatenate([p[0] for p in parts])
    batch_cpu = sum(p[1] for p in parts)
    # Per-forecast loop on a subset, in this process, one world at a time.
    rows = np.linspace(0, count - 1, loop_sample).astype(int)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    loop_outcome = np.concatenate(
        [MODEL.forecast(problem.take(slice(r, r + 1))).outcome for r in rows]
    )
    loop_wall = time.perf_counter() - start_wall
    loop_cpu = time.process_time() - start_cpu
    agree = float(np.abs(loop_outcome - outcome[rows]).max())
    return {
        "count": float(count),
        "batch_wall_s": batch_wall,
        "batch_cpu_ms_per_forecast": 1000 * batch_cpu / count,
        "loop_wall_ms_per_forecast": 1000 * loop_wall / loop_sample,
        "loop_cpu_ms_per_forecast": 1000 * loop_cpu / loop_sample,
        "loop_extrapolated_wall_s": loop_wall / loop_sample * count,
        "max_abs_difference": agree,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="4,000 worlds, 100 in the loop")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--loop-sample", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    count, loop_sample = (4000, 100) if args.quick else (args.count, args.loop_sample)

    print(f"load average before: {' / '.join(f'{v:.2f}' for v in os.getloadavg())} (1/5/15 min)")
    single = one_forecast(args.repeats)
    print(
        f"one forecast of {SCENARIO} (7 actors, 5 issues, 10 issue pairs, "
        f"{single['rounds']:.0f} rounds, {single['exchanges']:.0f} exchanges): "
        f"{single['wall_ms']:.2f} ms wall, {single['cpu_ms']:.2f} ms CPU (median of "
        f"{args.repeats}; target < 10 ms)"
    )
    mc = monte_carlo(count, args.workers, loop_sample)
    speedup_wall = mc["loop_extrapolated_wall_s"] / mc["batch_wall_s"]
    speedup_cpu = mc["loop_cpu_ms_per_forecast"] / mc["batch_cpu_ms_per_forecast"]
    print(
        f"{count:,} Monte Carlo forecasts on {args.workers} processes: "
        f"{mc['batch_wall_s']:.1f} s wall ({mc['batch_cpu_ms_per_forecast']:.2f} ms CPU per "
        f"forecast; target < 60 s)"
    )
    print(
        f"per-forecast loop ({loop_sample} worlds, one process): "
        f"{mc['loop_wall_ms_per_forecast']:.2f} ms wall, "
        f"{mc['loop_cpu_ms_per_forecast']:.2f} ms CPU per forecast, "
        f"{mc['loop_extrapolated_wall_s']:.0f} s extrapolated to {count:,}"
    )
    print(
        f"batch vs loop: {speedup_wall:.1f}x wall (2 processes vs 1), "
        f"{speedup_cpu:.1f}x CPU per forecast; "
        f"largest difference between the two paths {mc['max_abs_difference']:.2e}"
    )
    print(f"load average after: {' / '.join(f'{v:.2f}' for v in os.getloadavg())} (1/5/15 min)")


if __name__ == "__main__":
    main()
