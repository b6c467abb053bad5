"""Regenerate the KTAB ``smpc`` golden fixtures for the SMP tests.

Needs a built ``smpc`` (see ``tools/ktab/README.md``); never runs in CI. For every case and
parameter set it writes KTAB's XML input (so ``<ModelParameters>`` can be set), runs

    smpc --xml CASE.xml --logmin --connstr "Driver=QSQLITE;Database=CASE.db"

in a scratch directory, reads every actor's position per turn at full precision from the
SQLite table ``VectorPosition`` (the log prints only 0.1) and stores one JSON per run in
``tests/models/fixtures/ktab/``: inputs, parameters, the command, the final positions and the
per-turn trajectory, on KTAB's 0–100 scale.

Usage: ``.venv/bin/python tools/ktab/make_golden.py --smpc /work/ktab/src/examples/smp/smpc
--ktab-doc /work/ktab/src/examples/smp/doc``
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

import peninsula
from peninsula.models.smp import SIMPLIFIED, SMPParams, normalise_capability
from peninsula.scenario.arrays import to_problem

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "models" / "fixtures" / "ktab"
PARAM_SETS: dict[str, dict[str, float | str]] = {"default": {}, "simplified": SIMPLIFIED}
#: Further KTAB options, run on the small cases only (at most SMALL actors).
VARIANTS: dict[str, dict[str, float | str]] = {
    "variant-a": {
        "bargain_model": "InitRcvrInterp",
        "pce": "MarkovIncentive",
        "voting_rule": "PropCbc",
        "victory_prob": "Square",
    },
    "variant-b": {
        "bargain_model": "PWCompInterp",
        "interp": "S1P1",
        "big_r_range": "Max",
        "big_r_adjust": "Half",
        "third_party_commit": "NoCommit",
    },
    "variant-c": {
        "interp": "S2PMax",
        "voting_rule": "Cubic",
        "victory_prob": "Quartic",
        "big_r_range": "Min",
        "big_r_adjust": "TwoThirds",
    },
}
SMALL = 12
SEED = "03707583219545544125"  # irrelevant for deterministic transitions; fixed anyway


@dataclass
class Case:
    name: str
    source: str
    actors: list[str]
    dims: list[str]
    capability: list[float]
    position: list[list[float]]  # 0–100
    salience: list[list[float]]  # 0–100, row sums <= 100


def read_ktab_csv(path: Path) -> Case:
    """KTAB's CSV: header line (name, description, actors, dims), column line, actor rows."""
    with path.open(newline="") as handle:
        rows = [[c.strip() for c in r] for r in csv.reader(handle) if any(c.strip() for c in r)]
    n, d = int(rows[0][2]), int(rows[0][3])
    header = rows[1]
    dims = [header[3 + 2 * k] for k in range(d)]
    actors, cap, pos, sal = [], [], [], []
    for row in rows[2 : 2 + n]:
        actors.append(row[0])
        cap.append(float(row[2]))
        pos.append([float(row[3 + 2 * k]) for k in range(d)])
        sal.append([float(row[4 + 2 * k]) for k in range(d)])
    return Case(path.stem, f"KTAB examples/smp/doc/{path.name}", actors, dims, cap, pos, sal)


def korea_cases() -> list[Case]:
    """The five korea-2025 issues one by one, and all five jointly (saliences / 5). Actors
    with zero salience or capability are left out (KTAB rejects them; ours are spectators).
    Capabilities are given to smpc in the units our model uses (``normalise_capability``: mean
    100 over the actors in the run), so that the public model and smpc get the same numbers."""
    scenario = peninsula.load_scenario("korea-2025")
    problem = to_problem(scenario)
    x = problem.normalised_position()[0] * 100.0
    s = problem.salience[0] * 100.0
    raw = problem.effective_capability
    k = problem.n_issues
    cases = []
    for i, issue in enumerate(problem.issue_ids):
        c = normalise_capability(raw, problem.salience[:, :, [i]])[0]
        keep = [a for a in range(problem.n_actors) if s[a, i] > 0 and c[a] > 0]
        cases.append(
            Case(
                f"korea-2025-{issue}",
                f"peninsula scenario korea-2025, issue {issue}",
                [problem.actor_ids[a] for a in keep],
                [issue],
                [float(c[a]) for a in keep],
                [[float(x[a, i])] for a in keep],
                [[float(s[a, i])] for a in keep],
            )
        )
    c = normalise_capability(raw, problem.salience / k)[0]
    keep = [a for a in range(problem.n_actors) if s[a].sum() > 0 and c[a] > 0]
    cases.append(
        Case(
            "korea-2025-joint",
            "peninsula scenario korea-2025, all issues jointly, saliences divided by 5",
            [problem.actor_ids[a] for a in keep],
            list(problem.issue_ids),
            [float(c[a]) for a in keep],
            [[float(v) for v in x[a]] for a in keep],
            [[float(v) / k for v in s[a]] for a in keep],
        )
    )
    return cases


def random_case(name: str, seed: int, n: int, d: int) -> Case:
    """Like KTAB's ``SMPActor::randomize``: capability U(10, 200), an overall salience
    U(0.75, 0.99) split across dimensions in proportion to U(0.1, 1), positions U(0, 100);
    two decimals, as in KTAB's example files."""
    rng = np.random.default_rng(seed)
    cap = np.round(rng.uniform(10, 200, n), 2)
    pos = np.round(rng.uniform(0, 100, (n, d)), 2)
    split = rng.uniform(0.1, 1.0, (n, d))
    sal = np.floor(100 * rng.uniform(0.75, 0.99, (n, 1)) * split / split.sum(1, keepdims=True))
    sal = np.maximum(sal, 1.0)
    return Case(
        name,
        f"random: numpy default_rng({seed}), n={n}, d={d} (tools/ktab/make_golden.py)",
        [f"R{i:02d}" for i in range(n)],
        [f"D{k}" for k in range(d)],
        cap.tolist(),
        pos.tolist(),
        sal.tolist(),
    )


def to_xml(case: Case, params: dict[str, str]) -> str:
    tags = "".join(f"    <{t}>{v}</{t}>\n" for t, v in params.items())
    dims = "".join(f"    <dName>{escape(d)}</dName>\n" for d in case.dims)
    actors = []
    for a, name in enumerate(case.actors):
        coords = "".join(f"<dCoord>{v!r}</dCoord>" for v in case.position[a])
        sals = "".join(f"<dSal>{v!r}</dSal>" for v in case.salience[a])
        actors.append(
            f"    <Actor><name>{escape(name)}</name><description>{escape(name)}</description>"
            f"<capability>{case.capability[a]!r}</capability>"
            f"<Position>{coords}</Position><Salience>{sals}</Salience></Actor>\n"
        )
    first = escape(case.actors[0])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Scenario>\n'
        f"  <name>{escape(case.name)}</name>\n  <desc>{escape(case.source)}</desc>\n"
        f"  <prngSeed>{SEED}</prngSeed>\n  <ModelParameters>\n{tags}  </ModelParameters>\n"
        f"  <Dimensions>\n{dims}  </Dimensions>\n  <Actors>\n{''.join(actors)}  </Actors>\n"
        "  <IdealAdjustment><iaPair>"
        f"<adjustingIdeal>{first}</adjustingIdeal><referencePos>{first}</referencePos>"
        "<adjust>1.0</adjust></iaPair></IdealAdjustment>\n</Scenario>\n"
    )


def run_smpc(smpc: Path, case: Case, set_name: str, work: Path) -> dict[str, object]:
    params = SMPParams.from_mapping({**PARAM_SETS, **VARIANTS}[set_name]).ktab_names()
    stem = f"{case.name}__{set_name}"
    xml = work / f"{stem}.xml"
    xml.write_text(to_xml(case, params))
    db = work / f"{stem}.db"
    db.unlink(missing_ok=True)
    command = [
        str(smpc),
        "--xml",
        xml.name,
        "--logmin",
        "--connstr",
        f"Driver=QSQLITE;Database={stem}",  # smpc appends ".db"
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=work, check=True, capture_output=True, timeout=3600)
    seconds = time.perf_counter() - start
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT Turn_t, Act_i, Dim_k, Pos_Coord FROM VectorPosition ORDER BY Turn_t"
        ).fetchall()
    if not rows:
        raise RuntimeError(f"smpc wrote no positions for {stem}; see the log in {work}")
    turns = max(r[0] for r in rows) + 1
    n, d = len(case.actors), len(case.dims)
    traj = np.full((turns, n, d), np.nan)
    for t, a, k, v in rows:
        traj[t, a, k] = v
    return {
        "case": case.name,
        "source": case.source,
        "parameter_set": set_name,
        "ktab_parameters": params,
        "command": " ".join(
            [
                "smpc",
                "--xml",
                f"{stem}.xml",
                "--logmin",
                "--connstr",
                f'"Driver=QSQLITE;Database={stem}"',
            ]
        ),
        "smpc_seconds": round(seconds, 3),
        "actors": case.actors,
        "dimensions": case.dims,
        "capability": case.capability,
        "position": case.position,
        "salience": case.salience,
        "turns": turns - 1,
        "final": traj[-1].tolist(),
        "trajectory": traj.tolist(),
    }


def all_cases(doc: Path) -> list[Case]:
    cases = [
        read_ktab_csv(doc / name)
        for name in (
            "SOE-Policy.csv",
            "SOE-Competitive.csv",
            "dummyData-a040.csv",
            "dummyData_3Dim.csv",
            "dummyData_6Dim.csv",
        )
    ]
    cases += korea_cases()
    cases += [
        random_case("random-n08-d1", 101, 8, 1),
        random_case("random-n10-d2", 202, 10, 2),
        random_case("random-n12-d4", 303, 12, 4),
    ]
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smpc", type=Path, required=True)
    parser.add_argument("--ktab-doc", type=Path, required=True)
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--sets", default="", help="comma-separated parameter sets (default all)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    only = {c for c in args.only.split(",") if c}
    with tempfile.TemporaryDirectory(prefix="smpc-golden-") as tmp:
        work = Path(tmp)
        conf = args.smpc.parent / "smpc-logger.conf"
        if conf.exists():
            (work / conf.name).write_text(conf.read_text())
        for case in all_cases(args.ktab_doc):
            if only and case.name not in only:
                continue
            sets = list(PARAM_SETS)
            if len(case.actors) <= SMALL:
                sets += list(VARIANTS)
            for set_name in sets:
                if args.sets and set_name not in args.sets.split(","):
                    continue
                result = run_smpc(args.smpc.resolve(), case, set_name, work)
                path = OUT / f"{case.name}__{set_name}.json"
                path.write_text(json.dumps(result, indent=None, separators=(",", ":")) + "\n")
                print(f"{path.name}: {result['turns']} turns, {result['smpc_seconds']} s")
                for leftover in work.glob("*.db"):
                    leftover.unlink()


if __name__ == "__main__":
    main()
