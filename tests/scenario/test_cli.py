"""The scenario commands: list, show, validate, version."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import run_cli as _run
from peninsula import __version__

MINIMAL = Path(__file__).parent / "data" / "minimal.yaml"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--version"], capsys)
    assert code == 0
    assert __version__ in out


def test_scenarios_lists_the_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["scenarios"], capsys)
    assert code == 0
    assert "korea-2025" in out and "korea-2018" in out


def test_show_renders_actor_by_issue_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["show", "korea-2025"], capsys)
    assert code == 0
    for text in ("Positions", "Salience", "denuclearisation", "PRK", "freeze-for-relief"):
        assert text in out


def test_show_accepts_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["show", str(MINIMAL)], capsys)
    assert code == 0
    assert "Alpha" in out


def test_validate_reports_ok_and_failures_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.read_text().replace("capability: 40", "capability: -1"))
    code, out, err = _run(["validate", str(MINIMAL), str(bad)], capsys)
    assert code == 2
    assert "ok" in out and "minimal.yaml" in out
    assert "bad.yaml:25" in err.replace("\n", "")
    assert "Traceback" not in err


def test_unknown_scenario_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["show", "korea-2099"], capsys)
    assert code == 2
    assert "unknown scenario" in err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--help"], capsys)
    assert code == 0
    for command in ("scenarios", "show", "validate"):
        assert command in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "korea-2025", "--bogus"], "No such option: --bogus"),
        (["nosuchcommand"], "No such command 'nosuchcommand'"),
        (["report", "--runs", "many"], "Invalid value for '--runs'"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(args, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
