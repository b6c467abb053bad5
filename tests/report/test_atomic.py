"""Bad input gets a clear error and leaves no partial files behind (issue 7, item 6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from peninsula.errors import NotFoundError, PeninsulaError
from peninsula.report import ReportSettings, generate_report
from peninsula.report.build import SECTIONS, SectionSpec
from peninsula.scenario.schema import Scenario

FAST = ReportSettings(runs=2, seed=1)


@pytest.fixture
def scenario_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the engine-free scenario section: these tests are about files, not numbers."""
    monkeypatch.setattr("peninsula.report.build.SECTIONS", SECTIONS[:1])


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_unknown_scenario_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(NotFoundError, match="no-such-scenario"):
        generate_report("no-such-scenario", out, FAST)
    assert _tree(tmp_path) == set()


def test_out_that_is_a_file_is_refused(tmp_path: Path, korea: Scenario) -> None:
    out = tmp_path / "taken"
    out.write_text("not a directory")
    with pytest.raises(PeninsulaError, match=str(out)):
        generate_report(korea, out, FAST)
    assert out.read_text() == "not a directory"
    assert _tree(tmp_path) == {"taken"}


def test_out_below_a_file_is_refused(tmp_path: Path, korea: Scenario) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "sub" / "out"
    with pytest.raises(PeninsulaError, match="not a directory"):
        generate_report(korea, out, FAST)
    assert _tree(tmp_path) == {"file"}


def test_read_only_location_is_refused() -> None:
    # /proc refuses new entries even to root, unlike a chmod-ed directory.
    out = Path("/proc/peninsula-report-test")
    with pytest.raises(PeninsulaError, match="/proc/peninsula-report-test"):
        generate_report("korea-2025", out, FAST)
    assert not out.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_directory_is_refused(tmp_path: Path, korea: Scenario) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(PeninsulaError, match="locked"):
            generate_report(korea, locked / "out", FAST)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_failure_midway_leaves_an_existing_directory_untouched(
    tmp_path: Path, korea: Scenario, monkeypatch: pytest.MonkeyPatch, scenario_only: None
) -> None:
    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    (out / "report.html").write_text("previous report")
    (out / "figures" / "old.png").write_bytes(b"old")
    (out / "notes.txt").write_text("the user's own file")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def render_fails(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr("peninsula.report.output.render_markdown", render_fails)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        generate_report(korea, out, FAST)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".peninsula")]


def test_failure_midway_creates_no_directory(
    tmp_path: Path, korea: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    def section_fails(*args: object) -> None:
        raise RuntimeError("section crashed")

    spec = SectionSpec("scenario", "Probe", section_fails)  # type: ignore[arg-type]
    monkeypatch.setattr("peninsula.report.build.SECTIONS", (SECTIONS[0], spec))
    with pytest.raises(RuntimeError, match="section crashed"):
        generate_report(korea, tmp_path / "a" / "b" / "out", FAST)
    assert _tree(tmp_path) == set()


def test_rewriting_replaces_old_files_and_keeps_the_users(
    tmp_path: Path, korea: Scenario, scenario_only: None
) -> None:
    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "stale-chart.png").write_bytes(b"stale")
    (out / "notes.txt").write_text("mine")
    generate_report(korea, out, FAST)
    # A file in figures/ that no report wrote is the user's: kept (issue 13, item 9). Stale
    # figures of an earlier *report* are removed: tests/report/test_hardened.py.
    assert (out / "figures" / "stale-chart.png").read_bytes() == b"stale"
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".peninsula")]
    assert hidden == [".peninsula-manifest.json"]
