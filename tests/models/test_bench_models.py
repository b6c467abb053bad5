"""Smoke test of bench/bench_models.py at a tiny size (no timing assertion).

The benchmark's scalar loop is an independent implementation of the EUM, so agreement between
the two on the sample is a cross-check of the vectorised code, asserted here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_models.py"


def test_bench_models_runs_and_agrees(capsys) -> None:  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_models", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(["--forecasts", "40", "--loop-sample", "15", "--actors", "6"])
    assert result["sample"] == 15
    assert result["mismatched"] == 0
    assert result["identical"]
    assert "speed-up" in capsys.readouterr().out
