"""Benchmark: the vectorised crisis Monte Carlo vs a per-path Python loop.

Run on demand::

    python bench/bench_crisis.py            # 100,000 paths × 36 months × 5 policies
    python bench/bench_crisis.py --quick    # 5,000 paths

Target (issue #6): 100,000 paths of 36 months under 5 policies in under 10 s on 2 cores.
Target (issue #12): the full rolling-origin evaluation (every monthly origin 2018-01..2026-03,
horizons 1/3/12, all targets, ten baselines, the structural model refitted and simulated 1,000
paths at every origin, the stack) in under 60 s on 2 cores; timed beside the same evaluation
without the structural model (baselines and stack only) as the in-run baseline. The
script times the vectorised simulator in-process ("local") and with the "processes" executor
(2 workers), then a naive per-path loop (the same equations, one path and one month at a time
with Python floats) on a subset of paths, extrapolates that loop linearly to the full size
(stated in the output) and prints the ratio.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from peninsula import load_scenario
from peninsula.crisis.api import default_fit, policy_specs
from peninsula.crisis.data import load_monthly
from peninsula.crisis.model import (
    COUNT_TYPES,
    FEATURES,
    GOLDSTEIN,
    MISSILE_TYPES,
    SANCTIONS_STEP,
    STRATEGIC_TYPES,
    TALKS_GOLDSTEIN,
    TYPE_INDEX,
    CrisisParams,
)
from peninsula.crisis.simulate import (
    MAX_RATE,
    EffectSpec,
    InitialState,
    _effect_arrays,
    initial_state,
    simulate,
)


def _loop_path(
    params: CrisisParams,
    init: InitialState,
    eff: dict[str, float],
    horizon: int,
    rng: np.random.Generator,
) -> tuple[list[float], int]:
    """One path, month by month, type by type: the naive baseline."""
    h = params.hyper
    tension, talks, sanctions = init.tension, init.talks, init.sanctions
    russia = min(1.0, max(0.0, init.russia + eff["russia_support_shift"]))
    china = min(1.0, max(0.0, init.china + eff["china_support_shift"]))
    hist = [float(v) for v in init.history]
    path: list[float] = []
    missiles = 0
    strategic = [TYPE_INDEX[t] for t in STRATEGIC_TYPES]
    lo, hi = params.tension_range
    for _ in range(horizon):
        bs, be = params.talks_start, params.talks_end
        t_cov = min(hi, max(lo, tension))
        if talks > 0.5:
            p_end = 1 / (1 + math.exp(-(be[0] + be[1] * t_cov)))
            talks = 0.0 if rng.random() < p_end else 1.0
        else:
            z = bs[0] + bs[1] * t_cov + math.log(max(eff["talks_hazard_multiplier"], 1e-300))
            talks = 1.0 if rng.random() < 1 / (1 + math.exp(-z)) else 0.0
        counts = [0.0] * len(COUNT_TYPES)
        values = {
            "const": 1.0,
            "tension": t_cov,
            "talks": talks,
            "sanctions": sanctions,
            "russia": russia,
            "china": china,
            "exercise": 0.0,
            "launches": math.log1p(sum(hist[i] for i in strategic)),
        }
        ex = TYPE_INDEX["allied_exercise"]
        eta = sum(
            b * values[f]
            for b, f in zip(
                params.beta["allied_exercise"], FEATURES["allied_exercise"], strict=True
            )
        )
        lam = math.exp(eta) * eff["exercise_rate_multiplier"]
        counts[ex] = 1.0 if rng.random() < 1 - math.exp(-lam) else 0.0
        values["exercise"] = counts[ex]
        for name in COUNT_TYPES:
            e = TYPE_INDEX[name]
            if e == ex:
                continue
            values["self"] = math.log1p(hist[e])
            eta = sum(b * values[f] for b, f in zip(params.beta[name], FEATURES[name], strict=True))
            lam = min(math.exp(min(eta, math.log(MAX_RATE))), MAX_RATE)
            if name in MISSILE_TYPES or name == "satellite_launches":
                lam *= eff["launch_rate_multiplier"]
            elif name == "nuclear_tests":
                lam *= eff["nuclear_test_multiplier"]
            elif name in ("new_un_sanctions", "new_us_sanctions"):
                lam *= eff["sanctions_rate_multiplier"]
            alpha = params.dispersion.get(name, 0.0)
            if alpha > 0:
                lam *= rng.gamma(1.0 / alpha, alpha)
            counts[e] = float(rng.poisson(min(lam, MAX_RATE)))
        score = sum(w * c for w, c in zip(GOLDSTEIN, counts, strict=True)) + TALKS_GOLDSTEIN * talks
        tension = h.rho * tension + (1 - h.rho) * math.tanh(-score / h.kappa)
        hist = [h.delta * (a + c) for a, c in zip(hist, counts, strict=True)]
        sanctions += SANCTIONS_STEP * counts[TYPE_INDEX["new_un_sanctions"]]
        missiles += int(sum(counts[TYPE_INDEX[t]] for t in MISSILE_TYPES))
        path.append(tension)
    return path, missiles


def _loop(
    params: CrisisParams,
    init: InitialState,
    specs: list[EffectSpec],
    horizon: int,
    paths: int,
    seed: int,
) -> float:
    rng = np.random.default_rng(seed)
    total = 0
    for spec in specs:
        eff_arrays = _effect_arrays(spec, 1, rng)
        eff = {k: float(v[0]) for k, v in eff_arrays.items()}
        for _ in range(paths):
            _, m = _loop_path(params, init, eff, horizon, rng)
            total += m
    return total / (paths * len(specs))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--horizon", type=int, default=36)
    parser.add_argument("--loop-paths", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="5,000 paths, 30 loop paths")
    parser.add_argument("--no-processes", action="store_true", help="skip the processes run")
    parser.add_argument(
        "--no-backtest", action="store_true", help="skip the rolling-origin evaluation"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.paths, args.loop_paths = 5_000, 30
    scenario = load_scenario("korea-2025")
    specs = policy_specs(scenario)[:5]
    t0 = time.perf_counter()
    fit = default_fit()
    t_fit = time.perf_counter() - t0
    data = load_monthly()
    params = fit.params
    init = initial_state(params, data.months, data.counts, data.talks, data.russia, data.china)
    print(f"fit (profile grid + GLMs, once, cached): {t_fit:.2f} s")
    cells = args.paths * args.horizon * len(specs)

    t0, c0 = time.perf_counter(), time.process_time()
    local = simulate(params, init, specs, horizon=args.horizon, paths=args.paths, seed=0)
    t_local, c_local = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"vectorised, local:      {args.paths:,} paths × {args.horizon} months × "
        f"{len(specs)} policies = {cells:,} path-months in {t_local:.2f} s wall "
        f"({c_local:.2f} s CPU of this process; wall ≫ CPU means other jobs share the cores)"
    )
    result = {"local": t_local}
    if not args.no_processes:
        from peninsula.executors import get_executor

        with get_executor("processes", workers=2) as pool:
            t0 = time.perf_counter()
            proc = simulate(
                params, init, specs, horizon=args.horizon, paths=args.paths, seed=0, executor=pool
            )
            t_proc = time.perf_counter() - t0
        same = all(local.tension[p].tobytes() == proc.tension[p].tobytes() for p in local.policies)
        print(f"vectorised, processes×2: {t_proc:.2f} s (identical to local: {same})")
        result["processes"] = t_proc

    t0, c0 = time.perf_counter(), time.process_time()
    _loop(params, init, specs, args.horizon, args.loop_paths, seed=0)
    t_loop_sub, c_loop_sub = time.perf_counter() - t0, time.process_time() - c0
    scale = args.paths / args.loop_paths
    t_loop, c_loop = t_loop_sub * scale, c_loop_sub * scale
    print(
        f"per-path Python loop:   {args.loop_paths:,} paths × {len(specs)} policies in "
        f"{t_loop_sub:.2f} s wall ({c_loop_sub:.2f} s CPU) → extrapolated linearly to "
        f"{args.paths:,} paths: {t_loop:.1f} s wall ({c_loop:.1f} s CPU)"
    )
    best = min(result.values())
    print(f"ratio loop / vectorised, wall (best executor): {t_loop / best:.0f}×")
    print(f"ratio loop / vectorised, CPU (local):          {c_loop / c_local:.0f}×")
    print(f"target < 10 s wall: {'met' if best < 10 else 'NOT met'} ({best:.2f} s)")
    result["local_cpu"] = c_local
    result["loop_extrapolated"] = t_loop
    if not args.no_backtest:
        result.update(_backtest())
    return result


def _backtest() -> dict[str, float]:
    """Time the full rolling-origin evaluation, and the same without the structural model."""
    from peninsula.crisis.backtest import rolling_origin, structural_forecaster

    data = load_monthly()
    t0, c0 = time.perf_counter(), time.process_time()
    full = rolling_origin(data, structural_forecaster(paths=1000), score_through="9999-12")
    t_full, c_full = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    rolling_origin(data, None, score_through="9999-12")
    t_base = time.perf_counter() - t0
    print(
        f"rolling origin, full:   {full.scores['origin'].nunique()} origins, "
        f"{len(full.scores):,} scored forecasts in {t_full:.2f} s wall ({c_full:.2f} s CPU); "
        f"without the model {t_base:.2f} s (model share {1 - t_base / t_full:.0%})"
    )
    print(f"target < 60 s wall: {'met' if t_full < 60 else 'NOT met'} ({t_full:.2f} s)")
    return {"backtest": t_full, "backtest_baselines_only": t_base}


if __name__ == "__main__":
    main()
