"""Bounded memory (issue 13, item 10): impossible sizes are refused up front with an estimate."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clirun import run_cli
from peninsula import load_scenario
from peninsula.ensemble.experiment import DEFAULT_CHUNK, run_experiments
from peninsula.errors import InputError
from peninsula.memory import budget_bytes


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "korea-2025", "--runs", "10000000"],
        ["simulate", "korea-2018", "--paths", "1000000000"],
        ["report", "korea-2025", "--runs", "10000000"],
    ],
)
def test_huge_requests_are_refused_at_once_with_the_estimate(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if argv[0] == "report":
        argv = [*argv, "--out", str(tmp_path / "out")]
    started = time.perf_counter()
    code, _, err = run_cli(argv, capsys)
    assert code == 2, err
    assert "of memory" in err and "at most about" in err and "Traceback" not in err
    assert time.perf_counter() - started < 60  # refused up front, not after the work
    assert not (tmp_path / "out").exists()


def test_the_limit_can_be_set_and_the_largest_fitting_size_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PENINSULA_MEMORY_LIMIT", "2MB")
    assert budget_bytes() == 2 << 20
    korea = load_scenario("korea-2025")
    with pytest.raises(InputError, match=r"at most about ([\d,]+) runs") as caught:
        run_experiments(korea, 100_000, 0, ("compromise",))
    largest = int(str(caught.value).split("at most about ")[1].split()[0].replace(",", ""))
    assert 10 < largest < 100_000
    assert len(run_experiments(korea, largest, 0, ("compromise",)).inputs) == largest


def test_bad_limit_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PENINSULA_MEMORY_LIMIT", "lots")
    with pytest.raises(InputError, match="PENINSULA_MEMORY_LIMIT"):
        budget_bytes()


def test_big_scenarios_get_smaller_chunks(tmp_path: Path) -> None:
    # 120 actors on one issue: one world needs 8 x (2 x 120^3 + 16 x (120^2 + 8 x 120))
    # = 29,614,080 bytes (EUM's third-party terms dominate), so a chunk of 1024 worlds
    # (~30 GB) is cut to 268,435,456 // 29,614,080 = 9 worlds (256 MB target).
    actors = "\n".join(
        f"  - {{id: A{i}, name: A{i}, capability: {1 + i % 7}, "
        f"stances: {{deal: {{position: {i % 101}, salience: 0.5}}}}}}"
        for i in range(120)
    )
    path = tmp_path / "big.yaml"
    path.write_text(
        "metadata: {id: big, title: Big, as_of: 2025-01-01}\n"
        "issues:\n  - id: deal\n    label: Deal\n"
        "    scale: {anchors: [{at: 0, label: none}, {at: 100, label: all}]}\n"
        "    status_quo: {value: 50, uncertainty: [40, 60]}\n"
        f"actors:\n{actors}\n"
    )
    big = load_scenario(str(path))
    experiment = run_experiments(big, 3, 0, ("compromise",))
    chunk = experiment.metadata["chunk_size"]
    assert chunk == 9 < DEFAULT_CHUNK
