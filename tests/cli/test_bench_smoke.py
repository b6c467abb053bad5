"""Smoke test of bench/bench_cli.py with one repeat (no timing assertion)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_cli.py"


def test_bench_runs_once(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_cli", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.main(["--repeat", "1"])
    assert out["baseline_s"] > 0 and out["peninsula --help"] > 0
    assert "ratio" in capsys.readouterr().out
