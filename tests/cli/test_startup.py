"""The command line starts without its engines: ``--help`` and rejected input never import
the heavy numerical, plotting, database or cluster libraries (checked in a fresh interpreter,
since this test process has long imported them all)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
import typer.main

from peninsula.cli import COMMANDS, MODULES, app_for, build_app

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
                  "numpy": "numpy" in sys.modules, "pandas": "pandas" in sys.modules,
                  "cli": sorted(m for m in sys.modules if m.startswith("peninsula.cli.")),
                  "rich.table": "rich.table" in sys.modules}))
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
    assert {k: result[k] for k in ("code", "loaded", "numpy", "pandas")} == {
        "code": 0,
        "loaded": [],
        "numpy": False,
        "pandas": False,
    }
    assert result["cli"] == sorted(f"peninsula.cli.{m}" for m in MODULES)  # lists them all


def test_validate_a_builtin_imports_no_engine_library() -> None:
    result = _run(["validate", "korea-2025"])
    assert result["code"] == 0 and result["loaded"] == [] and result["numpy"] is False
    # Only the module of the command it runs, and no table printer (validate prints none).
    assert result["cli"] == ["peninsula.cli.scenario"] and result["rich.table"] is False


def _names(app: typer.Typer) -> list[str]:
    """The commands of ``app`` in the order ``--help`` lists them (typer keeps their order)."""
    return list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_each_command_is_run_from_the_module_that_registers_it() -> None:
    """cli.COMMANDS (which module ``main`` imports for a command) is what the modules do."""
    registered = {m: _names(build_app((m,))) for m in MODULES}
    assert {c: m for m, names in registered.items() for c in names} == COMMANDS
    # All of them for ``--help``, listed in the same order whichever command ran before.
    everything = _names(build_app())
    assert sorted(everything) == sorted(COMMANDS)
    _names(app_for(["report"]))
    assert _names(build_app()) == everything
    assert _names(app_for(["validate", "x.yaml"])) == registered["scenario"]
    assert _names(app_for(["--help"])) == _names(app_for(["valdate"])) == _names(build_app())


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
