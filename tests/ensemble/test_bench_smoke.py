"""Smoke test of bench/bench_ensemble.py at a tiny size (no timing assertion)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_ensemble.py"


def test_bench_main_runs_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_ensemble", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.main(
        ["--runs", "60", "--baseline-runs", "12", "--executor", "local", "--model", "median",
         "--chunk-size", "4"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "runs/s" in out and "speed-up" in out
    assert figures["runs"] == 60 and figures["agree"] == 1.0
