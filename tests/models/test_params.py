"""``--param MODEL.KEY=VALUE``, ``peninsula models --params`` and ``--rounds-out`` (issue #11,
deliverable 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clirun import run_cli
from peninsula.errors import InputError
from peninsula.models import eum, nash
from peninsula.models.params import parameter_defaults, parse_params
from peninsula.models.registry import available_models, get_model


def test_defaults_are_the_model_modules_tables() -> None:
    assert parameter_defaults(get_model("eum")) == eum.DEFAULTS
    assert parameter_defaults(get_model("nash")) == nash.DEFAULTS
    assert parameter_defaults(get_model("compromise")) == {}


def test_parse_params() -> None:
    assert parse_params(["eum.Q=0.5", "nash.utility=0", "eum.Q=0.25"]) == {
        "eum": {"Q": 0.25},
        "nash": {"utility": 0.0},
    }
    assert parse_params([]) == {}


def test_every_bad_spec_is_reported_at_once() -> None:
    with pytest.raises(InputError) as caught:
        parse_params(["eum", "nosuch.a=1", "eum.zz=1", "eum.Q=abc", "eum.Q=nan"])
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "--param eum",
        "--param nosuch.a=1",
        "--param eum.zz=1",
        "--param eum.Q=abc",
        "--param eum.Q=nan",
    ]
    assert "known: Q, T" in str(caught.value)


def test_a_parameter_for_a_model_not_run_is_an_error() -> None:
    with pytest.raises(InputError, match="not among the models run"):
        parse_params(["nash.utility=0"], models=["eum"])


def test_forecast_param_changes_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    # BdM's case: the default acceptance gives 9.45, least move (acceptance = 0) gives 7.
    args = ["forecast", "bdm-1994-emissions", "-m", "eum", "--json", "-"]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    assert json.loads(out)["issues"][0]["forecasts"][0]["outcome"] == pytest.approx(9.448, abs=1e-3)
    code, out, err = run_cli([*args, "--param", "eum.acceptance=0"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["params"] == {"eum": {"acceptance": 0.0}}
    assert report["issues"][0]["forecasts"][0]["outcome"] == pytest.approx(7.0)


def test_out_of_range_value_is_reported_by_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        ["forecast", "bdm-1994-emissions", "-m", "eum", "--param", "eum.Q=2"], capsys
    )
    assert code == 2 and "eum.Q: must lie in [0, 1]" in err


def test_models_params_lists_every_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["models", "--params"], capsys)
    assert code == 0, err
    for name in available_models():
        assert name in out
    assert "acceptance=1" in out and "disagreement=1" in out


def test_rounds_out_writes_every_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rounds.parquet"
    args = ["forecast", "bdm-1994-emissions", "-m", "eum", "-m", "median", "--json", "-"]
    code, out, err = run_cli([*args, "--rounds-out", str(path)], capsys)
    assert code == 0, err
    report = json.loads(out)
    table = pq.read_table(path).to_pylist()
    # eum ran 10 rounds (11 positions per actor), median is static (round 0): 10 × (11 + 1).
    assert len(table) == 10 * (11 + 1)
    by_key = {(r["model"], r["round"], r["actor"]): r["position"] for r in table}
    eum_entry = report["issues"][0]["forecasts"][0]
    for actor, values in eum_entry["positions_by_round"].items():
        for r, value in enumerate(values):
            assert by_key[("eum", r, actor)] == value
    assert by_key[("median", 0, "FRA")] == 10.0


def test_python_front_door_takes_params() -> None:
    import peninsula

    result = peninsula.forecast("bdm-1994-emissions", ["eum"], params={"eum": {"acceptance": 0}})
    assert float(result["eum"].outcome[0]) == pytest.approx(7.0)
    assert result.params == {"eum": {"acceptance": 0.0}}
    with pytest.raises(InputError, match="unknown parameter 'zz' of eum"):
        peninsula.forecast("bdm-1994-emissions", ["eum"], params={"eum": {"zz": 1}})
