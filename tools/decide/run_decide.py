"""Run the ``decide`` equal-gain exchange model on small inputs and write golden fixtures.

Reference only (never a CI dependency): ``foarsitter/decide-exchange-model`` (MIT), run from
source under Python 3.11 as described in ``tools/decide/README.md``. This script only *drives*
decide's public classes the way its CLI does; none of its code is copied into peninsula.

    /work/decide-venv/bin/python tools/decide/run_decide.py --decide-src /work/decide-src \\
        --out tests/models/data/decide_golden.json
    /work/decide-venv/bin/python tools/decide/run_decide.py --decide-src /work/decide-src \\
        --cop21 --out tests/models/data/decide_cop21.json

Inputs are generated here from fixed seeds (positions on 0–100 with two decimals, saliences on
0–1 with three decimals, capabilities 0.1–1 with two decimals: non-integer values avoid exact
gain ties, which decide breaks at random) plus decide's own two-actor and ten-actor cases.
For every input the fixture stores the inputs, the forecast after each round and the realised
exchanges of each round (supplier, supply issue, from → to, gain).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROUNDS = 4


def _generated(seed: int, n: int, k: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    return {
        "name": f"random-{seed}-{n}x{k}",
        "actors": [f"A{i}" for i in range(n)],
        "issues": [f"I{j}" for j in range(k)],
        "position": np.round(rng.uniform(0, 100, (n, k)), 2).tolist(),
        "salience": np.round(rng.uniform(0.05, 1.0, (n, k)), 3).tolist(),
        "capability": np.round(rng.uniform(0.1, 1.0, n), 2).tolist(),
    }


def _decide_file(case: dict[str, object], path: Path) -> None:
    rows: list[list[object]] = []
    for a in case["actors"]:  # type: ignore[attr-defined]
        rows.append(["#A", a, a, ""])
    lower = case.get("lower") or [0.0] * len(case["issues"])  # type: ignore[arg-type]
    upper = case.get("upper") or [100.0] * len(case["issues"])  # type: ignore[arg-type]
    for ii, i in enumerate(case["issues"]):  # type: ignore[arg-type]
        rows += [["#P", i, i, i], ["#M", i, lower[ii]], ["#M", i, upper[ii]]]
    for ai, a in enumerate(case["actors"]):  # type: ignore[arg-type]
        for ii, i in enumerate(case["issues"]):  # type: ignore[arg-type]
            rows.append(
                [
                    "#D",
                    a,
                    i,
                    case["position"][ai][ii],  # type: ignore[index]
                    case["salience"][ai][ii],  # type: ignore[index]
                    case["capability"][ai],  # type: ignore[index]
                ]
            )
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", quotechar="'", quoting=csv.QUOTE_NONNUMERIC)
        writer.writerows(rows)


def _sample_data(decide_src: Path) -> dict[str, object]:
    """decide's own ten-actor, six-issue input (``data/input/sample_data.txt``)."""
    actors: list[str] = []
    issues: list[str] = []
    bounds: dict[str, list[float]] = {}
    stances: dict[tuple[str, str], tuple[float, float, float]] = {}
    path = decide_src / "data" / "input" / "sample_data.txt"
    for row in csv.reader(path.read_text().splitlines(), delimiter="\t", quotechar="'"):
        if row[0] == "#A":
            actors.append(row[1])
        elif row[0] == "#P":
            issues.append(row[1])
        elif row[0] == "#M":
            bounds.setdefault(row[1], []).append(float(row[2]))
        elif row[0] == "#D":
            stances[(row[1], row[2])] = (float(row[3]), float(row[4]), float(row[5]))
    return {
        "name": "decide-sample-data",
        "actors": actors,
        "issues": issues,
        "lower": [min(bounds[i]) for i in issues],
        "upper": [max(bounds[i]) for i in issues],
        "position": [[stances[(a, i)][0] for i in issues] for a in actors],
        "salience": [[stances[(a, i)][1] for i in issues] for a in actors],
        "capability": [stances[(a, issues[0])][2] for a in actors],
    }


def _run(case: dict[str, object], rounds: int) -> dict[str, object]:
    from decide.data.modelfactory import ModelFactory
    from decide.data.reader import InputDataFile
    from decide.model.equalgain import EqualGainModel
    from decide.model.observers.observer import Observable
    from decide.model.utils import ModelLoop

    EqualGainModel.ALLOW_RANDOM = False  # deterministic ties (first in decide's sorted list)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        _decide_file(case, path)
        data = InputDataFile.open(path)
        model = ModelFactory(data)(model_klass=EqualGainModel, randomized_value=0.0)
        observer = Observable(model_ref=model, output_directory=tmp)
        exchanges_per_round: list[list[dict[str, object]]] = []

        class Recorder:
            def __init__(self) -> None:
                self.realised: list[dict[str, object]] = []

        recorder = Recorder()
        original = observer.execute_exchange

        def execute_exchange(realized: object) -> None:
            ex = realized
            recorder.realised.append(
                {
                    "gain": float(ex.gain),  # type: ignore[attr-defined]
                    "issues": [ex.p.name, ex.q.name],  # type: ignore[attr-defined]
                    "suppliers": [
                        {
                            "actor": side.actor.actor_id,
                            "issue": side.supply.issue.name,
                            "from": float(side.supply.position),
                            "to": float(side.y),
                        }
                        for side in (ex.i, ex.j)  # type: ignore[attr-defined]
                    ],
                }
            )
            original(realized)

        observer.execute_exchange = execute_exchange  # type: ignore[method-assign]
        loop = ModelLoop(model, observer, 0)
        outcomes: list[dict[str, float]] = []
        for _ in range(rounds):
            recorder.realised = []
            loop.loop()
            outcomes.append({issue.name: float(v) for issue, v in model.nbs.items()})
            exchanges_per_round.append(recorder.realised)
    return {**case, "rounds": outcomes, "exchanges": exchanges_per_round}


def _cop21(decide_src: Path, rounds: int) -> dict[str, object]:
    """decide's own COP21 input (``data/input/cop21.csv``, the Stokman & Thomson (2015) data
    set of the built-in scenario ``cop21-2015``), run through decide unchanged: its 181
    actor-issue rows as decide reads them, and decide's forecast after each round. Actor-issue
    pairs missing from the file stay missing (decide leaves those actors out of the issue)."""
    from decide.data.modelfactory import ModelFactory
    from decide.data.reader import InputDataFile
    from decide.model.equalgain import EqualGainModel
    from decide.model.observers.observer import Observable
    from decide.model.utils import ModelLoop

    path = decide_src / "data" / "input" / "cop21.csv"
    actors: list[str] = []
    issues: list[str] = []
    stances: list[list[object]] = []
    for row in csv.reader(path.read_text().splitlines(), delimiter="\t", quotechar="'"):
        if row[0] == "#A":
            actors.append(row[1])
        elif row[0] == "#P":
            issues.append(row[1])
        elif row[0] == "#D":
            stances.append([row[1], row[2], float(row[3]), float(row[4]), float(row[5])])
    EqualGainModel.ALLOW_RANDOM = False
    with tempfile.TemporaryDirectory() as tmp:
        model = ModelFactory(InputDataFile.open(path))(
            model_klass=EqualGainModel, randomized_value=0.0
        )
        loop = ModelLoop(model, Observable(model_ref=model, output_directory=tmp), 0)
        outcomes: list[dict[str, float]] = []
        for _ in range(rounds):
            loop.loop()
            outcomes.append({issue.name: float(v) for issue, v in model.nbs.items()})
    return {
        "name": "decide-cop21",
        "source": "foarsitter/decide-exchange-model data/input/cop21.csv",
        "actors": actors,
        "issues": issues,
        "stances": stances,  # [actor, issue, position, salience (0-1), power]
        "rounds": outcomes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decide-src", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--cop21",
        action="store_true",
        help="write decide's own COP21 input and its forecasts instead of the golden cases",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.decide_src))
    if args.cop21:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        case = _cop21(args.decide_src, args.rounds)
        args.out.write_text(
            json.dumps({"generator": "tools/decide/run_decide.py --cop21", **case}) + "\n"
        )
        return
    cases = [
        {  # decide/tests/test_rex.py, saliences rescaled to 0-1 (10/90 and 60/50 -> /100)
            "name": "decide-test-rex",
            "actors": ["Actor-1", "Actor-2"],
            "issues": ["Issue-1", "Issue-2"],
            "position": [[0.0, 0.0], [100.0, 100.0]],
            "salience": [[0.1, 0.9], [0.6, 0.5]],
            "capability": [1.0, 1.0],
        },
        _sample_data(args.decide_src),
        _generated(1, 3, 2),
        _generated(2, 4, 3),
        _generated(3, 5, 3),
        _generated(4, 6, 4),
        _generated(5, 7, 5),
    ]
    results = [_run(case, args.rounds) for case in cases]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"generator": "tools/decide/run_decide.py", "cases": results}) + "\n"
    )


if __name__ == "__main__":
    main()
