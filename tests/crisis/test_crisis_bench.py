"""Smoke test of the benchmark script (tiny size, no timing assertion)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_crisis.py"


def test_bench_runs_tiny() -> None:
    spec = importlib.util.spec_from_file_location("bench_crisis", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.main(
        ["--paths", "200", "--horizon", "4", "--loop-paths", "3", "--no-processes", "--no-backtest"]
    )
    assert set(out) == {"local", "local_cpu", "loop_extrapolated"}
