"""The ``simulate`` and ``crisis-fit`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from peninsula.cli import main


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_simulate_prints_table_and_writes_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fan.png"
    code = _run(["simulate", "korea-2018", "--paths", "200", "--horizon", "6", "--plot", str(out)])
    assert code == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    text = capsys.readouterr().out
    assert "dual-" in text and "P(crisis)" in text


def test_simulate_html_plot(tmp_path: Path) -> None:
    out = tmp_path / "fan.html"
    assert (
        _run(
            [
                "simulate",
                "korea-2025",
                "-p",
                "status-quo",
                "--paths",
                "50",
                "--horizon",
                "3",
                "--plot",
                str(out),
            ]
        )
        == 0
    )
    assert "plotly" in out.read_text()


def test_bad_policy_and_bad_plot_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["simulate", "korea-2025", "-p", "nope", "--paths", "10"]) == 2
    assert "unknown policy" in capsys.readouterr().err
    assert (
        _run(
            [
                "simulate",
                "korea-2025",
                "--paths",
                "10",
                "--horizon",
                "2",
                "--plot",
                str(tmp_path / "x.gif"),
            ]
        )
        == 2
    )


def test_crisis_fit_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["crisis-fit"]) == 0
    text = capsys.readouterr().out
    assert "Coefficients" in text and "Goodness of fit" in text


def test_missing_scenario_and_bad_executor_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["simulate"]) == 2
    assert "SCENARIO" in capsys.readouterr().err
    assert _run(["simulate", "korea-2018", "--paths", "5", "--executor", "bogus"]) == 2
