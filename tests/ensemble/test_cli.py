"""CLI: compare / sensitivity / discover print tables; user errors exit 2 without traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import run_cli as _run


def test_compare_prints_policy_table_and_saves(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    save = tmp_path / "exp"
    code, out, err = _run(
        ["compare", "korea-2025", "--runs", "40", "--model", "median", "--save", str(save)], capsys
    )
    assert code == 0, err
    for policy in ("status-quo", "freeze-for-relief", "bilateral-summitry"):
        assert policy in out
    assert "sidelined" in out and "5th–95th" in out
    assert (save / "results.parquet").is_file() and (save / "experiment.duckdb").is_file()


def test_compare_with_processes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        ["compare", "korea-2025", "-n", "30", "-m", "median", "--executor", "processes",
         "--workers", "2", "--measure", "deal"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "deal" in out


def test_compare_shows_yes_no_measures_as_probabilities(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(
        ["compare", "korea-2025", "-n", "30", "-m", "median", "--measure", "deal",
         "--measure", "nonpro.erosion"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    # deal is 0 or 1 per world: a share with its Monte Carlo interval, never a 0–1 band
    assert "0.00–1.00" not in out and "% MC" in out
    words = " ".join(out.split())  # the caption wraps with the terminal width
    assert "95% Monte Carlo" in words and "5th–95th percentile" in words


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "no-such-scenario"], "unknown scenario"),
        (["compare", "korea-2025", "--policy", "nope", "-n", "5"], "unknown policy 'nope'"),
        (["compare", "korea-2025", "--model", "nope", "-n", "5"], "unknown model 'nope'"),
        (["compare", "korea-2025", "-n", "5", "-m", "median", "--measure", "x"], "unknown measure"),
        (["compare", "korea-2025", "-n", "5", "--executor", "threads"], "unknown executor"),
        (["compare", "korea-2025", "-n", "0"], "at least 1"),
        (
            ["sensitivity", "korea-2025", "--measure", "nope", "-n", "4", "-m", "median"],
            "unknown measure",
        ),
        (
            [
                "discover",
                "korea-2025",
                "--policy",
                "nope",
                "--measure",
                "deal",
                "--threshold",
                "0.5",
            ],
            "unknown policy",
        ),
        (
            ["discover", "nowhere.yaml", "--policy", "p", "--measure", "deal", "--threshold", "0"],
            "nowhere.yaml",
        ),
    ],
)
def test_user_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(args, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_sensitivity_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        ["sensitivity", "korea-2025", "--measure", "outcome.denuclearisation", "-n", "16",
         "-m", "compromise", "--top", "3"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "USA.denuclearisation.position" in out and "ST" in out


def test_discover_reports_box(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        ["discover", "korea-2025", "--policy", "freeze-for-relief", "--measure",
         "nonpro.erosion", "--threshold", "0.45", "-n", "400", "-m", "nash"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "fails" in out and "coverage" in out and "density" in out


def test_old_seoul_measure_names_are_accepted_and_shown_under_the_new_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(
        ["compare", "korea-2025", "-n", "20", "-m", "median", "--measure", "seoul.sidelined",
         "--measure", "seoul.role"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    # the header is the new name split over two lines ("sidelined" / "flag"); no old name
    assert "flag" in out and "role" in out and "seoul" not in out
    assert "deprecat" not in (out + err).lower()  # accepted quietly: the help says it once
    code, out, err = _run(
        ["discover", "korea-2025", "--policy", "bilateral-summitry", "--measure",
         "seoul.utility_loss", "--threshold", "0.05", "-n", "60", "-m", "median"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "sidelined.utility_loss > 0.05" in " ".join(out.split())


def test_measure_help_names_the_deprecated_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    from peninsula.cli.ensemble import _RENAMED
    from peninsula.ensemble.measures import RENAMED_MEASURES

    # the help's sentence lists exactly the aliases the engine accepts
    for old, new in RENAMED_MEASURES.items():
        assert old in _RENAMED and new in _RENAMED
    for command in ("compare", "sensitivity", "discover"):
        code, out, _ = _run([command, "--help"], capsys)
        assert code == 0 and "seoul.sidelined" in " ".join(out.split())
