"""The command line starts without its engines: ``--help`` and rejected input never import
the heavy numerical, plotting, database or cluster libraries (checked in a fresh interpreter,
since this test process has long imported them all)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy", "statsmodels", "duckdb", "plotly", "matplotlib", "dask")

PROBE = """
import json, sys
from peninsula.cli import main
try:
    main(json.loads(sys.argv[1]))
    code = 0
except SystemExit as done:
    code = done.code
heavy = json.loads(sys.argv[2])
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules),
                  "numpy": "numpy" in sys.modules, "pandas": "pandas" in sys.modules}))
"""


def _run(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    last = done.stdout.strip().splitlines()[-1]
    result: dict[str, object] = json.loads(last)
    return result


def test_help_imports_no_engine_library() -> None:
    result = _run(["--help"])
    assert result == {"code": 0, "loaded": [], "numpy": False, "pandas": False}


def test_validate_a_builtin_imports_no_engine_library() -> None:
    result = _run(["validate", "korea-2025"])
    assert result["code"] == 0 and result["loaded"] == [] and result["numpy"] is False


@pytest.mark.parametrize(
    "args",
    [
        ["forecast", "no-such-scenario"],
        ["compare", "no-such-scenario"],
        ["simulate", "no-such-scenario"],
        ["report", "no-such-scenario"],
        ["sensitivity", "no-such-scenario"],
        ["deals", "no-such-scenario"],
        ["events", "dyad", "USA", "PRK", "--freq", "fortnight"],
        ["forecast"],  # a usage error: missing argument
    ],
)
def test_rejected_input_imports_no_engine_library(args: list[str]) -> None:
    result = _run(args)
    assert result["code"] == 2 and result["loaded"] == [], result


def test_import_peninsula_is_light() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, peninsula; print(sorted(m for m in ('numpy', 'pandas', 'pydantic', "
            "'scipy', 'typer') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]"
