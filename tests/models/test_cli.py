"""``peninsula forecast``: tables, JSON output, clean errors (exit status 2)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clirun import run_cli as _run
from peninsula import defaults, load_scenario
from peninsula.models.registry import get_model
from peninsula.scenario.arrays import to_problem


def test_table_lists_each_model_with_its_anchor(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        ["forecast", "korea-2018", "-m", "median", "-m", "compromise", "--issue", "seoul_role"],
        capsys,
    )
    assert code == 0, err
    assert "median" in out and "compromise" in out and "nash" not in out
    assert "Seoul's role" in out and "Denuclearisation" not in out
    assert "observed 45" in out and "error" in out  # korea-2018 has observed outcomes


def test_json_to_stdout_matches_the_models(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["forecast", "korea-2025", "--json", "-"], capsys)
    assert code == 0, err
    data = json.loads(out)
    scenario = load_scenario("korea-2025")
    problem = to_problem(scenario)
    assert data["scenario"] == "korea-2025" and data["policy"] == "status-quo"
    assert [i["id"] for i in data["issues"]] == list(scenario.issue_ids)
    for j, issue in enumerate(data["issues"]):
        for f in issue["forecasts"]:
            rng = np.random.default_rng(defaults.SEED)  # the shared default seed
            expected = get_model(f["model"]).forecast(problem, rng=rng)
            assert f["outcome"] == pytest.approx(expected.outcome[0, j])
            assert len(f["mean_position_by_round"]) == expected.trajectory.shape[1]
            assert set(f["positions_by_round"]) == set(scenario.actor_ids)


def test_json_file_with_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = load_scenario("korea-2025")
    policy = scenario.policies[0].id
    target = tmp_path / "f.json"
    code, out, err = _run(
        ["forecast", "korea-2025", "-m", "compromise", "--policy", policy, "--json", str(target)],
        capsys,
    )
    assert code == 0, err
    assert "compromise" in out and "wrote" in err
    data = json.loads(target.read_text())
    expected = get_model("compromise").forecast(to_problem(scenario, policy)).outcome[0]
    got = [issue["forecasts"][0]["outcome"] for issue in data["issues"]]
    np.testing.assert_allclose(got, expected)
    assert data["policy"] == policy
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temp file left behind


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nope"], "unknown model 'nope'; available: median"),
        (["--issue", "nope"], "unknown issue 'nope'"),
        (["--policy", "nope"], "unknown policy 'nope'"),
        (["--rounds", "0"], "--rounds must be >= 1"),
    ],
)
def test_unknown_names_are_clean_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["forecast", "korea-2025", *args], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_unwritable_json_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plain").write_text("a file, not a folder")
    code, _, err = _run(
        ["forecast", "korea-2025", "-m", "median", "--json", str(tmp_path / "plain" / "f.json")],
        capsys,
    )
    assert code == 2 and "cannot write" in err and "Traceback" not in err


def test_nearest_anchor_ties_go_to_the_lower_anchor() -> None:
    scale = load_scenario("korea-2025").issues[0].scale
    ats = sorted(a.at for a in scale.anchors)
    assert scale.nearest_anchor(ats[0] - 1000).at == ats[0]
    assert scale.nearest_anchor(ats[-1] + 1000).at == ats[-1]
    # Exactly between two anchors: the lower one.
    assert scale.nearest_anchor((ats[0] + ats[1]) / 2).at == ats[0]


def test_rounds_caps_dynamic_models(capsys: pytest.CaptureFixture[str]) -> None:
    from peninsula.models.registry import available_models

    dynamic = [m for m in available_models() if get_model(m).dynamic]
    assert dynamic == ["eum", "smp", "exchange"]
    args = ["forecast", "korea-2025", "--rounds", "2", "--json", "-"]
    for name in [*dynamic, "median"]:
        args += ["-m", name]
    code, out, err = _run(args, capsys)
    assert code == 0, err
    for issue in json.loads(out)["issues"]:
        for f in issue["forecasts"]:
            assert f["rounds"] <= 2
            assert len(f["mean_position_by_round"]) <= 3
            if f["model"] == "median":  # static models ignore --rounds
                assert f["rounds"] == 0


def test_backtest_against_observed_outcomes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["forecast", "korea-2018", "-m", "compromise", "--json", "-"], capsys)
    assert code == 0, err
    data = json.loads(out)
    bt = data["backtest"]
    assert bt["issues"] == list(load_scenario("korea-2018").issue_ids)
    # Baseline from the scenario file: status quo 75, 5, 60, 78, 12 vs observed 70, 15, 45,
    # 55, 25 -> |errors| 5, 10, 15, 23, 13 -> mean 66 / 5 = 13.2, max 23.
    assert bt["mean_absolute_error"]["no-change"] == pytest.approx(13.2)
    assert bt["max_absolute_error"]["no-change"] == pytest.approx(23.0)
    errors = [abs(i["forecasts"][0]["outcome"] - i["observed"]) for i in data["issues"]]
    assert bt["mean_absolute_error"]["compromise"] == pytest.approx(sum(errors) / 5)
    # korea-2025 has no observed outcomes: no backtest.
    code, out, _ = _run(["forecast", "korea-2025", "-m", "median", "--json", "-"], capsys)
    assert json.loads(out)["backtest"] is None
