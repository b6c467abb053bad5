"""Smoke test of bench/bench_smp.py at a tiny size, without smpc (no timing assertion): the
batch and the single calls must give the same forecasts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_smp.py"


def test_bench_smp_runs_and_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_smp", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(["--quick", "--no-smpc", "--forecasts", "30"])
    assert result["agree"]
    assert result["cases"] == []
    out = capsys.readouterr().out
    assert "comparison skipped" in out and "speed-up" in out
