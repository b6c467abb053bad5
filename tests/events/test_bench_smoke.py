"""Smoke test of bench/bench_events.py at a tiny size (no timing assertion)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_events.py"


def test_bench_runs_tiny(capsys) -> None:  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_events", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_events"] = module
    spec.loader.exec_module(module)
    out = module.main(["--rows", "3000"])
    assert out["rows"] == 3000 and out["ingest_rows_per_s"] > 0 and "baseline_s" in out
    text = capsys.readouterr().out
    assert "rows/s" in text and "ratio" in text
