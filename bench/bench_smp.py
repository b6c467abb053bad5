"""Benchmark: our KTAB-faithful SMP against KTAB's own ``smpc``, and batch against single calls.

Targets (issue 11): the faithful SMP at least 20x faster than ``smpc --logmin`` per forecast on
identical inputs, measured side by side in one run; a batch of 1,000 Korea-issue forecasts at
least 10x faster than 1,000 single calls.

1. **Against smpc** (only if the binary is found: ``--smpc PATH`` or ``$KTAB_SMPC``; otherwise
   this part is skipped and says so). Inputs are the committed golden fixtures
   (``tests/models/fixtures/ktab``, every input by default), run under KTAB's defaults.
   ``smpc`` is timed as a process
   (``--xml``, ``--logmin``, SQLite, as in ``tools/ktab/make_golden.py``; start-up included,
   that is what one KTAB forecast costs); ours is timed as one call of
   ``peninsula.models.smp.simulate`` (best of ``--repeat``), and per forecast within a batch of
   ``--batch`` perturbed copies (positions jittered by 2 points), the way Monte Carlo runs it.
2. **Batch vs single calls**: ``--forecasts`` (1,000) Monte Carlo draws of the korea-2025
   denuclearisation issue (positions ±5 points, capabilities ×U(0.8, 1.2)) through the public
   model, once as one batch and once as one ``forecast`` call per draw; the results must agree.

    python bench/bench_smp.py                       # full size
    python bench/bench_smp.py --quick               # smaller, for a smoke run
    python bench/bench_smp.py --baseline OLD/src    # also time another version's single calls
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import peninsula
from peninsula.models import smp
from peninsula.models.base import stack_forecasts
from peninsula.problem import BargainingProblem
from peninsula.scenario.arrays import to_problem

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "models" / "fixtures" / "ktab"
#: Every golden input (its KTAB-default run), smallest first.
CASES = (
    "korea-2025-seoul_role",
    "korea-2025-normalisation",
    "korea-2025-force_posture",
    "korea-2025-sanctions_relief",
    "korea-2025-denuclearisation",
    "korea-2025-joint",
    "dummyData_3Dim",
    "random-n08-d1",
    "random-n10-d2",
    "random-n12-d4",
    "SOE-Policy",
    "dummyData_6Dim",
    "SOE-Competitive",
    "dummyData-a040",
)


def _golden_tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_golden", ROOT / "tools" / "ktab" / "make_golden.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_golden"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def find_smpc(given: str | None) -> Path | None:
    for candidate in (given, os.environ.get("KTAB_SMPC"), shutil.which("smpc")):
        if candidate and Path(candidate).is_file():
            return Path(candidate).resolve()
    return None


def time_smpc(smpc: Path, golden: dict[str, Any], repeat: int) -> float:
    """Best wall time of ``smpc --xml … --logmin`` on the golden's inputs (KTAB defaults)."""
    tool = _golden_tool()
    case = tool.Case(
        golden["case"],
        golden["source"],
        golden["actors"],
        golden["dimensions"],
        golden["capability"],
        golden["position"],
        golden["salience"],
    )
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="bench-smpc-") as tmp:
        work = Path(tmp)
        conf = smpc.parent / "smpc-logger.conf"
        if conf.exists():
            (work / conf.name).write_text(conf.read_text())
        (work / "case.xml").write_text(tool.to_xml(case, smp.SMPParams().ktab_names()))
        for attempt in range(repeat):
            command = [str(smpc), "--xml", "case.xml", "--logmin", "--connstr"]
            command.append(f"Driver=QSQLITE;Database=run{attempt}")
            start = time.perf_counter()
            subprocess.run(command, cwd=work, check=True, capture_output=True, timeout=3600)
            best = min(best, time.perf_counter() - start)
    return best


def baseline_model(src: str) -> Any:
    """Another version's ``peninsula/models/smp.py`` (e.g. the commit before a change,
    ``git archive COMMIT src | tar -x -C DIR``, then ``--baseline DIR/src``), loaded beside
    ours so that both are timed in the same run, under the same load."""
    path = Path(src) / "peninsula" / "models" / "smp.py"
    spec = importlib.util.spec_from_file_location("smp_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["smp_baseline"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def time_ours(
    golden: dict[str, Any], repeat: int, batch: int, baseline: Any = None
) -> tuple[float, float, int, float | None]:
    """(best single-call seconds, seconds per forecast in a batch, turns, the baseline's best
    single call) on the golden. Ours and the baseline alternate call by call, so that both
    see the same load."""
    x = np.array(golden["position"])[None] / 100.0
    s = np.array(golden["salience"])[None] / 100.0
    c = np.array(golden["capability"])[None]
    best, base, turns = float("inf"), float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        run = smp.simulate(x, s, c)
        best = min(best, time.perf_counter() - start)
        turns = int(run.rounds[0])
        if baseline is not None:
            start = time.perf_counter()
            baseline.simulate(x, s, c)
            base = min(base, time.perf_counter() - start)
    rng = np.random.default_rng(7)
    xb = np.clip(np.repeat(x, batch, 0) + rng.normal(0.0, 0.02, (batch, *x.shape[1:])), 0, 1)
    start = time.perf_counter()
    smp.simulate(xb, np.repeat(s, batch, 0), np.repeat(c, batch, 0))
    per = (time.perf_counter() - start) / batch
    return best, per, turns, (None if baseline is None else base)


def korea_draws(count: int, seed: int) -> BargainingProblem:
    """``count`` Monte Carlo draws of the korea-2025 denuclearisation issue."""
    base = to_problem(peninsula.load_scenario("korea-2025")).select_issues(("denuclearisation",))
    rng = np.random.default_rng(seed)
    n = base.n_actors
    position = np.repeat(base.position, count, 0) + rng.uniform(-5, 5, (count, n, 1))
    return BargainingProblem(
        actor_ids=base.actor_ids,
        issue_ids=base.issue_ids,
        position=np.clip(position, base.lower, base.upper),
        salience=np.repeat(base.salience, count, 0),
        capability=np.repeat(base.capability, count, 0) * rng.uniform(0.8, 1.2, (count, n)),
        status_quo=np.repeat(base.status_quo, count, 0),
        lower=base.lower,
        upper=base.upper,
        participating=np.repeat(base.participating, count, 0),
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smpc", default=None, help="path to KTAB's smpc (or $KTAB_SMPC)")
    parser.add_argument("--no-smpc", action="store_true", help="skip the comparison with smpc")
    parser.add_argument("--forecasts", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200, help="batch size for per-forecast cost")
    parser.add_argument("--repeat", type=int, default=15, help="single calls of ours (best of)")
    parser.add_argument("--smpc-repeat", type=int, default=3, help="smpc runs (best of)")
    parser.add_argument("--cases", default=",".join(CASES), help="golden inputs (default: all)")
    parser.add_argument("--quick", action="store_true", help="100 draws, 2 small cases")
    parser.add_argument(
        "--baseline", default=None, help="src/ of another version: its single calls timed too"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.forecasts, args.batch, args.repeat, args.smpc_repeat = 100, 20, 1, 1
        args.cases = "korea-2025-denuclearisation,random-n12-d4"
    result: dict[str, Any] = {"cases": [], "load_average": os.getloadavg()}
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))

    smpc = None if args.no_smpc else find_smpc(args.smpc)
    print("1. per forecast, ours vs KTAB smpc --logmin (KTAB defaults, identical inputs)")
    if smpc is None:
        print("   smpc not found (--smpc or $KTAB_SMPC): comparison skipped")
    else:
        print(f"   smpc: {smpc}")
        base = baseline_model(args.baseline) if args.baseline else None
        header = "   {:30s} {:>4s} {:>3s} {:>5s} {:>10s} {:>10s} {:>12s} {:>8s} {:>8s}"
        extra = "" if base is None else f" {'before ms':>10s} {'x before':>8s}"
        print(
            header.format(
                "case", "n", "d", "turns", "smpc ms", "ours ms", "ours/batch", "x 1call", "x batch"
            )
            + extra
        )
        for name in args.cases.split(","):
            golden = json.loads((FIXTURES / f"{name}__default.json").read_text())
            t_ktab = time_smpc(smpc, golden, args.smpc_repeat)
            t_one, t_batch, turns, t_base = time_ours(golden, args.repeat, args.batch, base)
            row = {
                "case": name,
                "actors": len(golden["actors"]),
                "dims": len(golden["dimensions"]),
                "turns": turns,
                "smpc_s": t_ktab,
                "ours_single_s": t_one,
                "ours_batch_per_forecast_s": t_batch,
                "speedup_single": t_ktab / t_one,
                "speedup_batch": t_ktab / t_batch,
            }
            if t_base is not None:
                row.update(baseline_single_s=t_base, baseline_speedup_single=t_ktab / t_base)
            result["cases"].append(row)
            print(
                f"   {name:30s} {row['actors']:4d} {row['dims']:3d} {turns:5d} "
                f"{t_ktab * 1e3:10.1f} {t_one * 1e3:10.2f} {t_batch * 1e3:12.3f} "
                f"{row['speedup_single']:8.1f} {row['speedup_batch']:8.1f}"
                + ("" if t_base is None else f" {t_base * 1e3:10.2f} {t_ktab / t_base:8.1f}")
            )

    print(f"2. {args.forecasts} korea-2025 denuclearisation draws: one batch vs single calls")
    problem = korea_draws(args.forecasts, 20251129)
    model = smp.MODEL
    start = time.perf_counter()
    whole = model.forecast(problem)
    t_batch = time.perf_counter() - start
    start = time.perf_counter()
    singles = [model.forecast(problem.take(slice(b, b + 1))) for b in range(problem.batch_size)]
    t_single = time.perf_counter() - start
    rows = stack_forecasts(singles)
    agree = bool(np.allclose(whole.outcome, rows.outcome, atol=1e-9))
    result.update(
        batch_s=t_batch, singles_s=t_single, batch_speedup=t_single / t_batch, agree=agree
    )
    print(
        f"   batch {t_batch:.2f} s, single calls {t_single:.2f} s: "
        f"speed-up {t_single / t_batch:.1f}x (target 10x); results agree: {agree}"
    )
    if result["cases"]:
        worst = min(result["cases"], key=lambda row: row["speedup_single"])
        print(
            f"   slowest single call relative to smpc: {worst['case']}, "
            f"{worst['speedup_single']:.1f}x (target 20x)"
        )
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
    return result


if __name__ == "__main__":
    main()
