"""Reproducibility and files (issue 13, items 11 and 17-20): each defect's regression test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from clirun import run_cli
from peninsula.ensemble.sampling import UncertainInput
from peninsula.ensemble.sobol import sobol_indices
from peninsula.scenario.schema import Uniform

DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# --- 17: seed 0 is a seed -------------------------------------------------------------------------
def test_seed_zero_gives_the_same_confidence_intervals_every_time() -> None:
    inputs = [
        UncertainInput(f"x{i}", "", (), 0.5, Uniform(low=0.0, high=1.0), (0.0, 1.0))
        for i in range(3)
    ]

    def f(x: np.ndarray) -> dict[str, np.ndarray]:
        return {"y": x[:, 0] + 2 * x[:, 1] ** 2 + x[:, 0] * x[:, 2]}

    first = sobol_indices(f, inputs, 64, seed=0)["y"]
    again = sobol_indices(f, inputs, 64, seed=0)["y"]
    assert first.equals(again)  # SALib's analyser read seed 0 as "no seed": intervals moved
    other = sobol_indices(f, inputs, 64, seed=1)["y"]
    assert not first.equals(other)


def test_sensitivity_cli_with_the_default_seed_is_reproducible(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["sensitivity", "korea-2025", "--measure", "outcome.denuclearisation", "--runs", "8"]
    argv += ["--model", "compromise", "--top", "3"]
    first = run_cli(argv, capsys)
    assert first[0] == 0, first[2]
    assert run_cli(argv, capsys) == first


# --- 18: files follow the umask ----------------------------------------------------------------
def test_forecast_json_follows_the_umask(
    tmp_path: Path, umask_022: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.json"
    code, _, err = run_cli(["forecast", "korea-2025", "-m", "median", "--json", str(out)], capsys)
    assert code == 0, err
    assert _mode(out) == 0o644
    os.umask(0o077)
    out.unlink()
    assert run_cli(["forecast", "korea-2025", "-m", "median", "--json", str(out)], capsys)[0] == 0
    assert _mode(out) == 0o600


def test_dyad_plot_and_csv_follow_the_umask(
    tmp_path: Path, umask_022: None, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, png = tmp_path / "s.csv", tmp_path / "s.png"
    argv = ["events", "dyad", "USA", "PRK", "--history", "--peaks", "0"]
    code, _, err = run_cli([*argv, "--csv", str(csv), "--plot", str(png)], capsys)
    assert code == 0, err
    assert (_mode(csv), _mode(png)) == (0o644, 0o644)


# --- 19 (and 18): simulate --plot embeds plotly ---
def test_simulate_html_plot_is_self_contained(
    tmp_path: Path, umask_022: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fan.html"
    argv = ["simulate", "korea-2018", "-p", "status-quo", "--paths", "20", "--horizon", "3"]
    code, _, err = run_cli([*argv, "--plot", str(out)], capsys)
    assert code == 0, err
    html = out.read_text()
    assert not re.search(r"<script[^>]+src=", html)  # nothing fetched: works offline
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js is inline
    assert _mode(out) == 0o644


# --- 11: output paths are checked before the run ---
@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "korea-2018", "--paths", "500", "--horizon", "12", "--plot"],
        ["forecast", "korea-2025", "--json"],
        ["events", "dyad", "USA", "PRK", "--history", "--csv"],
        ["events", "dyad", "USA", "PRK", "--history", "--plot"],
        ["events", "export", "--db", "unused.duckdb"],
        ["compare", "korea-2025", "--runs", "50", "--save"],
    ],
)
def test_unwritable_output_is_refused_before_the_run(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    target = str(blocker / ("out.png" if "--plot" in argv else "out.json"))
    if argv[:2] == ["events", "export"]:
        argv = ["events", "export", target, "--db", str(tmp_path / "none.duckdb")]
    else:
        argv = [*argv, target]
    code, out, err = run_cli(argv, capsys)
    assert code == 2, err
    assert "a-file" in err and "Traceback" not in err
    assert out.strip() == ""  # nothing computed or printed before the refusal


# --- 20: docs run only what pip installs; dyad options validated ----------------------------------
def test_compare_policies_how_to_runs_no_duckdb_cli() -> None:
    text = (DOCS / "how-to" / "compare-policies.md").read_text()
    blocks = re.findall(r"```(?:bash|sh|console)\n(.*?)```", text, flags=re.S)
    commands = [line.split()[0] for b in blocks for line in b.splitlines() if line.strip()]
    assert "duckdb" not in commands
    assert set(commands) <= {"peninsula", "python", "pip", "make", "cd", "ls"}, commands


@pytest.mark.parametrize(
    ("option", "value"),
    [("--penalty", "nan"), ("--penalty", "inf"), ("--penalty", "-1"), ("--peaks", "-5")],
)
def test_dyad_refuses_meaningless_numbers(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["events", "dyad", "USA", "PRK", "--history", option, value], capsys)
    assert code == 2, err
    assert option in err and "Traceback" not in err
