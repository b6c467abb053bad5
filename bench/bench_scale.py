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

Part 3 runs the command a user runs, ``peninsula forecast SCENARIO --model smp``, on that
scenario (written to a temporary YAML file) in a child process: wall time, the child's CPU
time and its peak resident memory (``ru_maxrss``), with the load average of the machine
(issue 11: under 2 minutes on 2 cores, with a progress bar per turn and bounded memory).

    python bench/bench_scale.py                 # 200 actors, 16 rows, 64 MiB budget
    python bench/bench_scale.py --no-smp        # leave out SMP (parts 1 and 3)
    python bench/bench_scale.py --cli-only      # part 3 only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from peninsula.models.batching import forecast_in_chunks
from peninsula.models.registry import available_models, get_model
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.generate import generated_data, generated_scenario


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
    parser.add_argument("--no-smp", action="store_true", help="leave SMP out")
    parser.add_argument("--cli-only", action="store_true", help="part 3 only")
    args = parser.parse_args(argv)
    if args.cli_only:
        return {"cli_smp": cli_forecast(args.actors, args.issues, "smp")}

    problem = to_problem(generated_scenario(args.actors, args.issues, seed=0))
    print(f"Part 1: one forecast of {args.actors} actors x {args.issues} issues")
    timings = {}
    for name in available_models():
        if name == "smp" and args.no_smp:
            print(f"  {name:<11} skipped (--no-smp)")
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
    result: dict[str, Any] = {
        "timings": timings,
        "identical": identical,
        "peaks": (p_whole, p_chunk),
    }
    if not args.no_smp:
        result["cli_smp"] = cli_forecast(args.actors, args.issues, "smp")
    return result


#: The ``peninsula`` command, reporting at exit its own peak resident memory (``VmHWM`` of
#: /proc/self/status, Linux; the child's ``ru_maxrss`` would count the parent's memory
#: inherited at fork).
_CLI_WITH_PEAK = """
import atexit, sys
from pathlib import Path
def _peak():
    status = Path('/proc/self/status')
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith('VmHWM:'):
                sys.stderr.write('\\nPEAK_RSS_KIB ' + line.split()[1] + '\\n')
atexit.register(_peak)
from peninsula.cli import main
sys.argv = ['peninsula', *sys.argv[1:]]
main()
"""


def cli_forecast(actors: int, issues: int, model: str) -> dict[str, float]:
    """``peninsula forecast`` on a generated scenario in a child process: wall and CPU
    seconds, peak resident memory (MiB) and the load average before and after."""
    print(f"Part 3: peninsula forecast (generated {actors} x {issues}) --model {model}")
    before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(yaml.safe_dump(generated_data(actors, issues, 0), sort_keys=False))
        out = Path(tmp) / "forecast.json"
        command = [sys.executable, "-c", _CLI_WITH_PEAK, "forecast", str(path)]
        command += ["--model", model, "--json", str(out)]
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        report = json.loads(out.read_text())
    after = os.getloadavg()
    turns = [f["rounds"] for issue in report["issues"] for f in issue["forecasts"]]
    marks = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_RSS")]
    peak = float(marks[-1]) / 1024 if marks else float("nan")
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"  {wall:7.1f} s wall, {cpu:7.1f} s CPU, peak RSS {peak:6.0f} MiB; turns {turns}; "
        f"load average {before[0]:.1f} before, {after[0]:.1f} after"
    )
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mib": peak, "load_before": before[0]}


if __name__ == "__main__":
    main()
