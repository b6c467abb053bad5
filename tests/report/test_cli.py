"""``peninsula report`` on the command line: files written, clear errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import run_cli as _run


def test_report_writes_the_three_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scenario and forecast sections suffice to check the command; the engines' sections
    # are covered by test_sections.py and the full report by test_output.py.
    from peninsula.report.build import SECTIONS

    monkeypatch.setattr("peninsula.report.build.SECTIONS", SECTIONS[:3])
    out = tmp_path / "briefing"
    code, _, err = _run(
        ["report", "korea-2025", "--out", str(out), "--runs", "3", "--seed", "5"], capsys
    )
    assert code == 0, err
    assert "wrote" in err and str(out) in err
    assert "seed 5 · 3 runs · 24-month horizon;" in err
    data = json.loads((out / "report.json").read_text())
    assert data["settings"] == data["settings"] | {"runs": 3, "seed": 5}
    assert (out / "report.html").exists() and (out / "report.md").exists()


def test_a_published_case_reports_no_crisis_horizon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No crisis section ran (bdm-1994 is not a US–DPRK scenario), so no horizon is named."""
    out = tmp_path / "bdm"
    code, _, err = _run(
        ["report", "bdm-1994-emissions", "--out", str(out), "--runs", "3", "--seed", "5"], capsys
    )
    assert code == 0, err
    assert "(seed 5 · 3 runs; open " in err and "horizon" not in err
    assert "crisis horizon" not in (out / "report.md").read_text()


def test_unknown_scenario_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = _run(["report", "korea-2052", "--out", str(out)], capsys)
    assert code == 2
    assert "unknown scenario 'korea-2052'" in err and "korea-2025" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_unwritable_out_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the directory should be")
    code, _, err = _run(["report", "korea-2025", "--out", str(blocker / "out")], capsys)
    assert code == 2
    assert "cannot write the report" in err and str(blocker) in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_runs_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        ["report", "korea-2025", "--out", str(tmp_path / "o"), "--runs", "0"], capsys
    )
    assert code == 2
    assert "--runs" in err
    assert not (tmp_path / "o").exists()


def test_out_that_is_a_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "report.html"
    taken.write_text("someone's file")
    code, _, err = _run(["report", "korea-2025", "--out", str(taken), "--runs", "2"], capsys)
    assert code == 2
    assert "not a directory" in err and str(taken) in err
    assert "Traceback" not in err
    assert taken.read_text() == "someone's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_unknown_model_fails_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = _run(["report", "--out", str(out), "--model", "oracle"], capsys)
    assert code == 2
    assert "unknown model 'oracle'" in err and "eum" in err
    assert not out.exists()
