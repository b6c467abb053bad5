"""Save and reload experiments: Parquet files plus one DuckDB database, with provenance.

Layout of an experiment directory::

    metadata.json      seed, runs, models, policies, parameters, scenario hash, versions
    scenario.json      the scenario as validated (canonical JSON; its sha256 is the hash)
    inputs.parquet     one row per sampled world
    results.parquet    one row per (policy, model, world)
    summary.parquet    (model, policy, measure) -> mean, low, high, mcse, n
    experiment.duckdb  the same three tables plus ``metadata`` (key, JSON value)

Why both: Parquet is the portable interchange format (pandas, polars, R, Spark read it);
DuckDB lets an analyst query across the tables with SQL without loading them into memory.

Writes are atomic: everything goes to a temporary directory next to the target, which is
renamed into place only when complete, so a crash never leaves a half-written experiment.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from peninsula.ensemble.experiment import Experiment
from peninsula.ensemble.measures import RENAMED_MEASURES
from peninsula.errors import InputError, Located, PeninsulaError
from peninsula.files import atomic_directory
from peninsula.scenario.schema import Scenario

TABLES = ("inputs", "results", "summary")
PACKAGES = (
    "peninsula",
    "numpy",
    "scipy",
    "pandas",
    "SALib",
    "prim",
    "dask",
    "distributed",
    "duckdb",
    "pyarrow",
    "pydantic",
)
FORMAT = "peninsula-experiment/1"


def canonical_json(scenario: Scenario) -> str:
    """The scenario as canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the canonical JSON: identical content → identical hash, whatever the YAML
    layout or comments."""
    return hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _summary_table(experiment: Experiment) -> pd.DataFrame:
    return experiment.summary_all().reset_index()


def check_save_path(path: str | Path) -> Path:
    """Refuse a ``--save`` path we may not write (before the run, not after it)."""
    from peninsula import files

    target = Path(path)
    foreign = target.exists() and not (target / "metadata.json").is_file()
    if foreign and (not target.is_dir() or any(target.iterdir())):
        raise PeninsulaError(
            f"{target}: exists and is not a peninsula experiment; choose another --save path"
        )
    files.check_writable(target.parent / f".{target.name}.probe")
    return target


def save_experiment(experiment: Experiment, path: str | Path) -> Path:
    """Write ``experiment`` to directory ``path`` atomically; returns the path.

    An existing *experiment* directory is replaced; any other existing path is an error (we
    never delete what we did not write).
    """
    target = check_save_path(path)
    with atomic_directory(target) as staging:
        _write(experiment, staging)
    return target


def _write(experiment: Experiment, directory: Path) -> None:
    import duckdb

    tables = {
        "inputs": experiment.inputs,
        "results": experiment.results,
        "summary": _summary_table(experiment),
    }
    metadata = {
        "format": FORMAT,
        **experiment.metadata,
        "scenario_hash": scenario_hash(experiment.scenario),
        "versions": package_versions(),
    }
    (directory / "metadata.json").write_text(
        json.dumps(metadata, indent=2, sort_keys=True), encoding="utf-8"
    )
    (directory / "scenario.json").write_text(canonical_json(experiment.scenario), encoding="utf-8")
    for name, frame in tables.items():
        frame.to_parquet(directory / f"{name}.parquet", index=False)
    con = duckdb.connect(str(directory / "experiment.duckdb"))
    try:
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
        con.execute("CREATE TABLE metadata (key VARCHAR, value JSON)")
        con.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [(k, json.dumps(v, sort_keys=True)) for k, v in sorted(metadata.items())],
        )
    finally:
        con.close()


def load_metadata(path: str | Path) -> dict[str, Any]:
    file = Path(path) / "metadata.json"
    if not file.is_file():
        raise InputError(
            [Located("not a peninsula experiment (no metadata.json)", file=Path(path))]
        )
    data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise InputError(
            [
                Located(
                    f"unsupported experiment format {data.get('format')!r}",
                    file=file,
                    field="format",
                )
            ]
        )
    return data


def load_experiment(path: str | Path, source: str = "parquet") -> Experiment:
    """Reload a saved experiment from its Parquet files (default) or its DuckDB database.

    The scenario hash is checked against ``scenario.json`` so that a tampered or mismatched
    scenario is detected.
    """
    directory = Path(path)
    metadata = load_metadata(directory)
    raw = (directory / "scenario.json").read_text(encoding="utf-8")
    scenario = Scenario.model_validate_json(raw)
    if scenario_hash(scenario) != metadata["scenario_hash"]:
        raise InputError(
            [
                Located(
                    "scenario.json does not match the recorded scenario_hash",
                    file=directory / "scenario.json",
                )
            ]
        )
    if source == "parquet":
        tables = {name: pd.read_parquet(directory / f"{name}.parquet") for name in TABLES}
    elif source == "duckdb":
        tables = _read_duckdb(directory / "experiment.duckdb", metadata)
    else:
        raise PeninsulaError(f"unknown source {source!r}; choose parquet or duckdb")
    stored = {k: v for k, v in metadata.items() if k not in ("format", "scenario_hash", "versions")}
    # An experiment saved before the sidelining measures were renamed (``seoul.*``) loads
    # under the current names, so the same measure names work on old and new experiments.
    results = tables["results"].rename(columns=dict(RENAMED_MEASURES))
    return Experiment(
        scenario=scenario,
        inputs=tables["inputs"],
        results=results,
        metadata=stored,
        provenance={k: metadata[k] for k in ("scenario_hash", "versions")},
    )


def _read_duckdb(file: Path, metadata: dict[str, Any]) -> dict[str, pd.DataFrame]:
    import duckdb

    con = duckdb.connect(str(file), read_only=True)
    try:
        tables = {name: con.execute(f"SELECT * FROM {name}").df() for name in TABLES}
    finally:
        con.close()
    results = tables["results"]
    # DuckDB ENUMs come back as categoricals already; make the category order the stored one.
    for column, key in (("policy", "policies"), ("model", "models")):
        labels = results[column].astype(str).to_numpy()
        results[column] = pd.Categorical(labels, categories=metadata[key], ordered=False)
    return tables
