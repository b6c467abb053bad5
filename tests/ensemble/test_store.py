"""Results store: reloading reproduces every table; provenance is recorded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import peninsula
from peninsula.ensemble import load_experiment, run_experiments, save_experiment
from peninsula.ensemble.store import scenario_hash
from peninsula.errors import InputError, PeninsulaError


@pytest.fixture(scope="module")
def experiment():  # type: ignore[no-untyped-def]
    korea = peninsula.load_scenario("korea-2025")
    return run_experiments(korea, 40, seed=3, models=("median", "compromise"), chunk_size=16)


@pytest.mark.parametrize("source", ["parquet", "duckdb"])
def test_round_trip_reproduces_every_table(experiment, tmp_path: Path, source: str) -> None:  # type: ignore[no-untyped-def]
    path = save_experiment(experiment, tmp_path / "exp")
    loaded = load_experiment(path, source=source)
    pd.testing.assert_frame_equal(loaded.inputs, experiment.inputs, check_exact=True)
    pd.testing.assert_frame_equal(loaded.results, experiment.results, check_exact=True)
    pd.testing.assert_frame_equal(loaded.summary_all(), experiment.summary_all(), check_exact=True)
    assert loaded.metadata == experiment.metadata
    assert loaded.scenario == experiment.scenario


def test_metadata_records_provenance(experiment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = save_experiment(experiment, tmp_path / "exp")
    meta = json.loads((path / "metadata.json").read_text())
    assert meta["seed"] == 3 and meta["runs"] == 40 and meta["models"] == ["median", "compromise"]
    assert {"peninsula", "numpy", "scipy", "SALib", "duckdb"} <= set(meta["versions"])
    # the hash is sha256 of the stored canonical JSON
    digest = hashlib.sha256((path / "scenario.json").read_bytes()).hexdigest()
    assert meta["scenario_hash"] == digest == scenario_hash(experiment.scenario)
    con = duckdb.connect(str(path / "experiment.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        count = con.execute("SELECT count(*) FROM results").fetchone()
    finally:
        con.close()
    assert tables == {"inputs", "results", "summary", "metadata"}
    assert count is not None and count[0] == len(experiment.results)


def test_hash_depends_on_content_only() -> None:
    a = peninsula.load_scenario("korea-2025")
    b = peninsula.load_scenario("korea-2025")
    assert scenario_hash(a) == scenario_hash(b)
    assert scenario_hash(a) != scenario_hash(peninsula.load_scenario("korea-2018"))


def test_overwrite_and_refusals(experiment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = save_experiment(experiment, tmp_path / "exp")
    save_experiment(experiment, path)  # replacing an experiment is fine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp"]  # no temp dirs left behind
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(PeninsulaError, match="not a peninsula experiment"):
        save_experiment(experiment, foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"
    with pytest.raises(InputError, match=r"no metadata\.json"):
        load_experiment(foreign)


def test_tampered_scenario_is_detected(experiment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = save_experiment(experiment, tmp_path / "exp")
    data = json.loads((path / "scenario.json").read_text())
    data["metadata"]["title"] = "changed"
    (path / "scenario.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match="scenario_hash"):
        load_experiment(path)


def test_an_experiment_saved_with_the_old_seoul_names_loads_under_the_new_names(
    experiment, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = save_experiment(experiment, tmp_path / "exp")
    # what an earlier version wrote: the sidelining measures under their seoul.* names
    results = pd.read_parquet(path / "results.parquet")
    old = {"sidelined.flag": "seoul.sidelined", "sidelined.role": "seoul.role"}
    results.rename(columns=old).to_parquet(path / "results.parquet")
    loaded = load_experiment(path)
    assert "seoul.sidelined" not in loaded.measures
    pd.testing.assert_frame_equal(loaded.results, experiment.results, check_exact=True)
