"""Benchmark: vectorised expected utility model vs a straightforward per-forecast Python loop.

Target (issue #3): 100,000 EUM forecasts of a 10-actor issue over 10 rounds in under 10 s on
2 cores, and at least 50x a per-forecast Python loop measured in the same run.

The loop baseline is an independent scalar implementation of the same algorithm (Scholz et al.
2011: Q = T = 1, endogenous risk, least-move acceptance (``acceptance = 0``, not the default
since issue #11), weighted-median forecast), written with plain Python floats and lists.
Running it on all 100,000 forecasts would take many minutes, so it is timed on a subset
(``--loop-sample``, default 200) and extrapolated linearly (each forecast is independent, so
the cost is linear in their number); the output says so. The subset is also compared with the
vectorised results, which cross-checks the two implementations.

    python bench/bench_models.py            # full size
    python bench/bench_models.py --quick    # 2,000 forecasts, 20 in the loop
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from peninsula.models.base import stack_forecasts
from peninsula.models.eum import CHUNK, MODEL
from peninsula.problem import BargainingProblem


def random_problems(count: int, actors: int, seed: int) -> BargainingProblem:
    """``count`` random one-issue problems on a 0–100 scale (seeded)."""
    rng = np.random.default_rng(seed)
    return BargainingProblem(
        actor_ids=tuple(f"a{i}" for i in range(actors)),
        issue_ids=("issue",),
        position=rng.uniform(0.0, 100.0, (count, actors, 1)),
        salience=rng.uniform(0.0, 1.0, (count, actors, 1)),
        capability=rng.uniform(0.0, 1.0, (count, actors)),
        status_quo=rng.uniform(0.0, 100.0, (count, 1)),
        lower=np.array([0.0]),
        upper=np.array([100.0]),
    )


def forecast_threaded(problem: BargainingProblem, params: dict[str, float], threads: int) -> Any:
    """The same vectorised forecast, split into ``CHUNK``-aligned blocks run on a thread pool.

    numpy releases the GIL inside its array loops, so blocks run on separate cores. Blocks are
    aligned to the model's own chunk size, so the numbers are identical to the one-call result.
    """
    from concurrent.futures import ThreadPoolExecutor

    b = problem.batch_size
    per = -(-b // threads)
    per = -(-per // CHUNK) * CHUNK
    blocks = [problem.take(slice(lo, lo + per)) for lo in range(0, b, per)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        parts = list(pool.map(lambda block: MODEL.forecast(block, params), blocks))
    return stack_forecasts(parts)


# ------------------------------------------------------------------ naive scalar baseline


def _weighted_median(x: list[float], w: list[float], fallback: float) -> float:
    """Lower/upper weighted median midpoint, same tie rule as peninsula.models.median."""
    order = sorted(range(len(x)), key=lambda i: x[i])
    total = sum(w)
    if total <= 0:
        return fallback
    half, tol = 0.5 * total, 1e-9 * total
    cum, lo, hi = 0.0, None, None
    for i in order:
        cum += w[i]
        if lo is None and cum >= half - tol:
            lo = x[i]
        if hi is None and cum > half + tol:
            hi = x[i]
    lo = x[order[-1]] if lo is None else lo
    hi = x[order[-1]] if hi is None else hi
    return lo + 0.5 * (hi - lo)


def eum_loop(
    x0: Sequence[float], s: Sequence[float], w: Sequence[float], max_rounds: int, tol: float
) -> tuple[list[float], float]:
    """One EUM forecast with Python scalars; positions as fractions of the scale."""
    n = len(x0)
    x = list(x0)
    active = [wi > 0 for wi in w]
    eps = 1e-12 * max(sum(w), 1e-12)
    for _ in range(max_rounds):
        d = [[abs(x[i] - x[j]) for j in range(n)] for i in range(n)]
        prob = [[0.5] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                num = den = 0.0
                for k in range(n):
                    v = w[k] * (d[k][j] - d[k][i])
                    if v > 0:
                        num += v
                    den += abs(v)
                neg = den - num
                num = num if num > eps else 0.0
                neg = neg if neg > eps else 0.0
                if num + neg > 0:
                    prob[i][j] = num / (num + neg)

        def eu(
            i: int,
            j: int,
            r: float,
            challenger: int,
            target: int,
            d: list[list[float]] = d,
            prob: list[list[float]] = prob,
        ) -> float:
            # E(ΔU) of `challenger` vs `target` with exponent r (Q = 1: no U^b / U^w term).
            us = 2 - 4 * (0.5 - 0.5 * d[i][j]) ** r
            uf = 2 - 4 * (0.5 + 0.5 * d[i][j]) ** r
            usq = 2 - 4 * 0.5**r
            p = prob[challenger][target]
            return float(s[target] * (p * us + (1 - p) * uf) + (1 - s[target]) * us - usq)

        danger = [
            sum(eu(j, i, 1.0, j, i) for j in range(n) if j != i and active[j]) for i in range(n)
        ]
        live = [danger[i] for i in range(n) if active[i]]
        hi, lo = (max(live), min(live)) if live else (0.0, 0.0)
        r = []
        for i in range(n):
            big_r = (2 * danger[i] - hi - lo) / (hi - lo) if hi - lo > 1e-12 else 0.0
            big_r = min(1.0, max(-1.0, big_r))
            r.append((1 - big_r / 3) / (1 + big_r / 3))
        new = list(x)
        for i in range(n):
            offers = []
            for j in range(n):
                if not active[j] or d[i][j] <= tol:
                    continue
                a = eu(i, j, r[i], i, j)
                e = eu(i, j, r[i], j, i)
                a = a if abs(a) > 1e-12 else 0.0
                e = e if abs(e) > 1e-12 else 0.0
                if e > 0 and a < e - 1e-12:
                    frac = 1.0 if a > 0 else min(1.0, abs(a) / e)
                    offers.append(frac * (x[j] - x[i]))
            if offers:
                best = min(abs(m) for m in offers)
                tied = [m for m in offers if abs(m) <= best + 1e-12 * (1 + best)]
                new[i] = x[i] + sum(tied) / len(tied)
        if max(abs(new[i] - x[i]) for i in range(n)) <= tol:
            break
        x = new
    return x, _weighted_median(x, list(w), math.nan)


# --------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forecasts", type=int, default=100_000)
    parser.add_argument("--actors", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--loop-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20250930)
    parser.add_argument("--threads", type=int, default=2, help="threads for the second timing")
    parser.add_argument("--quick", action="store_true", help="2,000 forecasts, 20 looped")
    args = parser.parse_args(argv)
    if args.quick:
        args.forecasts, args.loop_sample = 2_000, 20
    sample = min(args.loop_sample, args.forecasts)

    problem = random_problems(args.forecasts, args.actors, args.seed)
    # The scalar loop implements the least-move acceptance rule (acceptance = 0).
    params = {"max_rounds": float(args.rounds), "acceptance": 0.0}
    start, cpu = time.perf_counter(), time.process_time()
    forecast = MODEL.forecast(problem, params)
    t_vec, c_vec = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    threaded = forecast_threaded(problem, params, args.threads)
    t_thr = time.perf_counter() - start
    identical = bool(
        np.array_equal(threaded.outcome, forecast.outcome)
        and np.array_equal(threaded.trajectory, forecast.trajectory)
    )

    x = problem.position[:, :, 0] / 100.0
    s = problem.salience[:, :, 0]
    w = problem.capability * s
    start, cpu = time.perf_counter(), time.process_time()
    looped = [
        eum_loop(x[i].tolist(), s[i].tolist(), w[i].tolist(), args.rounds, 1e-9)
        for i in range(sample)
    ]
    t_loop_sample = time.perf_counter() - start
    c_loop_sample = time.process_time() - cpu
    t_loop = t_loop_sample / sample * args.forecasts
    c_loop = c_loop_sample / sample * args.forecasts

    final_vec = forecast.trajectory[:sample, -1, :, 0] / 100.0
    final_loop = np.array([f for f, _ in looped])
    outcome_loop = np.array([o for _, o in looped]) * 100.0
    mismatched = int(
        np.sum(
            ~np.all(np.isclose(final_vec, final_loop, atol=1e-7), axis=1)
            | ~np.isclose(forecast.outcome[:sample, 0], outcome_loop, atol=1e-5)
        )
    )
    ratio = t_loop / t_vec
    ratio_thr = t_loop / t_thr
    print(
        f"EUM, {args.forecasts:,} forecasts x {args.actors} actors x {args.rounds} rounds "
        f"(mean rounds run {forecast.rounds.mean():.2f}, converged {forecast.converged.mean():.1%})"
    )
    print(f"  vectorised (numpy, one thread):       {t_vec:8.2f} s  (CPU {c_vec:.2f} s)")
    print(
        f"  per-forecast Python loop:             {t_loop:8.2f} s  (CPU {c_loop:.2f} s; "
        f"extrapolated from {sample} forecasts timed at {t_loop_sample:.2f} s)"
    )
    print(
        f"  vectorised, {args.threads} threads:                {t_thr:8.2f} s "
        f"(identical to one call: {identical})"
    )
    print(f"  speed-up (one thread / {args.threads} threads):     {ratio:8.1f}x / {ratio_thr:.1f}x")
    print(f"  speed-up in CPU time (one thread):    {c_loop / c_vec:8.1f}x")
    print(f"  loop vs vectorised disagreements:     {mismatched} of {sample}")
    return {
        "vectorised_s": t_vec,
        "vectorised_cpu_s": c_vec,
        "loop_cpu_s": c_loop,
        "loop_s": t_loop,
        "loop_sample_s": t_loop_sample,
        "sample": sample,
        "threaded_s": t_thr,
        "ratio": ratio,
        "ratio_threaded": ratio_thr,
        "identical": identical,
        "mismatched": mismatched,
    }


if __name__ == "__main__":
    main()
