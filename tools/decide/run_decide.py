"""Run the ``decide`` equal-gain exchange model on small inputs and write golden fixtures.

Reference only (never a CI dependency): ``foarsitter/decide-exchange-model`` (MIT), run from
source under Python 3.11 as described in ``tools/decide/README.md``. This script only *drives*
decide's public classes the way its CLI does; none of its code is copied into peninsula.

    /work/decide-venv/bin/python tools/decide/run_decide.py --decide-src /work/decide-src \\
        --out tests/models/data/decide_golden.json
    /work/decide-venv/bin/python tools/decide/run_decide.py --decide-src /work/decide-src \\
        --cop21 --out tests/models/data/decide_cop21.json

Inputs are generated here from fixed seeds (positions on 0–100 with two decimals, saliences on
0–1 with three decimals, capabilities 0.1–1 with two decimals) plus decide's own two-actor and
ten-actor cases and a four-actor case of two tied pairs; ``--cop21`` runs decide's own COP21
input, ``--case`` any input. For every input the fixture stores the inputs, the forecast after
each round and the realised exchanges of each round (supplier, supply issue, from → to, gain);
for COP21 also every voting position. decide is driven with the exact-arithmetic verdict where
its ``Decimal`` rounding would otherwise decide (``_tie_rule``, ``_exact_verdicts``;
``tools/decide/README.md``).
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
#: decide's own default number of rounds (``--iterations`` of its CLI).
COP21_ROUNDS = 10


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
            if case["salience"][ai][ii] is None:  # type: ignore[index]
                continue  # an absent actor-issue: no row, as in decide's own COP21 file
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


#: Gains equal when rounded to this many decimals are a tie (see ``_tie_rule``).
TIE_DECIMALS = 10


def _tie_rule(model: object) -> None:
    """Make decide's choice between tied gains deterministic and independent of rounding.

    decide realises the exchange at the head of its list after a stable sort by gain. Gains that
    are equal in exact arithmetic (common with whole-number inputs such as COP21's) come out of
    its 28-digit ``Decimal`` arithmetic a few units apart in the last digit, so without this
    rule the tie goes to whichever rounding error is larger (and with decide's default
    ``ALLOW_RANDOM`` to a coin flip). Here the list is sorted by the gain rounded to
    ``TIE_DECIMALS`` decimals and, among equal gains, by the order decide created the exchanges
    in (issue pairs in input order; within a pair the A-D pairs, then the B-C pairs, each by
    actor order). decide's arithmetic is untouched; only the order of its list is set.
    """
    from decimal import Decimal

    quantum = Decimal(1).scaleb(-TIE_DECIMALS)
    created = model.add_exchange  # type: ignore[attr-defined]
    counter = iter(range(10**9))

    def add_exchange(*args: object, **kwargs: object) -> object:
        exchange = created(*args, **kwargs)
        exchange.created = next(counter)
        return exchange

    def sort_exchanges() -> None:
        model.exchanges.sort(  # type: ignore[attr-defined]
            key=lambda e: (-Decimal(e.gain).quantize(quantum), e.created)
        )

    model.add_exchange = add_exchange  # type: ignore[attr-defined]
    model.sort_exchanges = sort_exchanges  # type: ignore[attr-defined]


#: Two numbers this close (0-100 points) are equal for the two verdicts of ``_exact_verdicts``.
AT = 1e-9


def _exact_verdicts() -> None:
    """Give decide's two comparisons of an outcome with a position their exact verdict.

    With whole-number inputs (COP21's) outcomes often equal a position exactly, and decide's
    28-digit ``Decimal`` sums (of saliences such as ``Decimal(0.7)``) land a few units of the
    last digits on either side, so its verdict follows the sign of a rounding error:

    - *which side of the outcome an actor is on* (``ActorIssue.is_left_to_nbs``,
      ``decide/model/base.py``; an actor at the outcome is "left"): here an actor within ``AT``
      of the outcome is at it;
    - *whether a move pushes the outcome past the demander* (``AbstractExchangeActor.check_nbs``):
      decide lets a move through unless the demander lies strictly between the outcome before
      and after it. After an exchange that stopped exactly at a demander, the next candidate's
      outcome is at that demander in exact arithmetic (so it passes). Here the outcomes decide
      computes for the check (``adjust_nbs``) are set onto the demander's position when within
      ``AT`` of it;
    - *whether a move stays within the scale* (``AbstractExchangeActor.is_move_valid``: the
      voting position within [0, 100] and the signed sum of the actor's moves at most 100):
      a move to a partner at 0 or 100, or summing to exactly 100, lands a rounding error
      either side. Here those are checked as if within ``AT`` of the bound they were on it.

    Every other number is decide's own.
    """
    from decimal import Decimal

    from decide.model.base import AbstractExchangeActor, ActorIssue

    if getattr(AbstractExchangeActor, "_peninsula_exact", False):
        return
    adjust = AbstractExchangeActor.adjust_nbs
    near = Decimal(AT)

    def adjust_nbs(self: object, position: object) -> object:
        nbs = adjust(self, position)  # type: ignore[arg-type]
        demander = self.opposite_actor.demand.position  # type: ignore[attr-defined]
        return demander if abs(nbs - demander) <= near else nbs

    def is_left_to_nbs(self: object, nbs: object) -> bool:
        self.left = self.position <= nbs + near  # type: ignore[attr-defined, operator]
        return self.left  # type: ignore[attr-defined, no-any-return]

    valid = AbstractExchangeActor.is_move_valid

    def is_move_valid(self: object, move: object) -> object:
        end = self.supply.position + move  # type: ignore[attr-defined, operator]
        if -near <= end < 0 or 100 < end <= 100 + near:
            move = (0 if end < 0 else 100) - self.supply.position  # type: ignore[attr-defined]
        moves = self.moves  # type: ignore[attr-defined]
        excess = sum(moves) - 100
        if moves and 0 < excess <= near:
            self.moves = [*moves[:-1], moves[-1] - excess]  # type: ignore[attr-defined]
        try:
            return valid(self, move)  # type: ignore[arg-type]
        finally:
            self.moves = moves  # type: ignore[attr-defined]

    AbstractExchangeActor.adjust_nbs = adjust_nbs  # type: ignore[method-assign]
    AbstractExchangeActor.is_move_valid = is_move_valid  # type: ignore[method-assign]
    ActorIssue.is_left_to_nbs = is_left_to_nbs  # type: ignore[method-assign, assignment]
    AbstractExchangeActor._peninsula_exact = True  # type: ignore[attr-defined]


def _drive(path: Path, rounds: int, voting: bool) -> dict[str, object]:
    """Run decide's equal-gain model on the input file ``path`` for ``rounds`` rounds, the way
    its CLI does, recording after each round its forecast, the realised exchanges (in order)
    and, with ``voting``, every actor's voting position per issue (0-100, absent pairs left
    out)."""
    from decide.data.modelfactory import ModelFactory
    from decide.data.reader import InputDataFile
    from decide.model.equalgain import EqualGainModel
    from decide.model.observers.observer import Observable
    from decide.model.utils import ModelLoop

    EqualGainModel.ALLOW_RANDOM = False  # no coin flips between tied gains (see _tie_rule)
    with tempfile.TemporaryDirectory() as tmp:
        model = ModelFactory(InputDataFile.open(path))(
            model_klass=EqualGainModel, randomized_value=0.0
        )
        _tie_rule(model)
        _exact_verdicts()
        observer = Observable(model_ref=model, output_directory=tmp)
        realised: list[dict[str, object]] = []
        positions: list[dict[str, dict[str, float]]] = []

        def execute_exchange(ex: object) -> None:
            realised.append(
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

        def end_loop(iteration: int, repetition: int) -> None:
            # Voting positions: decide has set every realised supplier to its y, and not yet
            # computed next round's start positions.
            positions.append(
                {
                    issue.name: {
                        actor.actor_id: float(ai.position) for actor, ai in stances.items()
                    }
                    for issue, stances in model.actor_issues.items()
                }
            )

        observer.execute_exchange = execute_exchange  # type: ignore[method-assign]
        observer.end_loop = end_loop  # type: ignore[method-assign]
        loop = ModelLoop(model, observer, 0)
        outcomes: list[dict[str, float]] = []
        exchanges: list[list[dict[str, object]]] = []
        for _ in range(rounds):
            realised.clear()
            loop.loop()
            outcomes.append({issue.name: float(v) for issue, v in model.nbs.items()})
            exchanges.append(list(realised))
    out: dict[str, object] = {"rounds": outcomes, "exchanges": exchanges}
    if voting:
        out["voting"] = positions
    return out


def _run(case: dict[str, object], rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        _decide_file(case, path)
        return {**case, **_drive(path, rounds, voting=False)}


def _cop21(decide_src: Path, rounds: int) -> dict[str, object]:
    """decide's own COP21 input (``data/input/cop21.csv``, the Stokman & Thomson (2015) data
    set of the built-in scenario ``cop21-2015``), run through decide unchanged: its 181
    actor-issue rows as decide reads them, and after each round decide's forecast, realised
    exchanges and voting positions. Actor-issue pairs missing from the file stay missing
    (decide leaves those actors out of the issue)."""
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
    run = _drive(path, rounds, voting=True)
    voting = run["voting"]
    return {
        "name": "decide-cop21",
        "source": "foarsitter/decide-exchange-model data/input/cop21.csv",
        "actors": actors,
        "issues": issues,
        "stances": stances,  # [actor, issue, position, salience (0-1), power]
        "rounds": run["rounds"],
        # per round, [actor][issue] in the order above (null: not in the file)
        "voting": [
            [[positions[i].get(a) for i in issues] for a in actors]
            for positions in voting  # type: ignore[attr-defined]
        ],
        # per round, in order: [gain, [actor, issue, from, to] for each of the two suppliers]
        "exchanges": [
            [
                [
                    e["gain"],
                    *([s[f] for f in ("actor", "issue", "from", "to")] for s in e["suppliers"]),
                ]
                for e in realised
            ]
            for realised in run["exchanges"]  # type: ignore[attr-defined]
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decide-src", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--rounds", type=int, help=f"rounds to run (default {ROUNDS}; {COP21_ROUNDS} with --cop21)"
    )
    parser.add_argument(
        "--cop21",
        action="store_true",
        help="write decide's own COP21 input and its forecasts instead of the golden cases",
    )
    parser.add_argument(
        "--case",
        type=Path,
        help="run one input given as JSON (actors, issues, position, salience with null for an "
        "absent pair, capability, optional lower/upper) and write decide's rounds for it",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.decide_src))
    if args.case:
        case = json.loads(args.case.read_text())
        result = _run(case, args.rounds or COP21_ROUNDS)
        args.out.write_text(
            json.dumps({"generator": "tools/decide/run_decide.py --case", **result})
        )
        return
    if args.cop21:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        case = _cop21(args.decide_src, args.rounds or COP21_ROUNDS)
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
        {  # two mirror-image pairs with exactly equal gains: decide's list puts the pair right
            # of the outcome on both issues with the pair left on both (group A with D) before
            # the pair on mixed sides (B with C), whatever the actors' order
            "name": "tie-order",
            "actors": ["B", "C", "A", "D"],
            "issues": ["p", "q"],
            "position": [[0.0, 100.0], [100.0, 0.0], [100.0, 100.0], [0.0, 0.0]],
            "salience": [[0.2, 0.8], [0.8, 0.2], [0.2, 0.8], [0.8, 0.2]],
            "capability": [1.0, 1.0, 1.0, 1.0],
        },
        _generated(1, 3, 2),
        _generated(2, 4, 3),
        _generated(3, 5, 3),
        _generated(4, 6, 4),
        _generated(5, 7, 5),
    ]
    results = [_run(case, args.rounds or ROUNDS) for case in cases]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"generator": "tools/decide/run_decide.py", "cases": results}) + "\n"
    )


if __name__ == "__main__":
    main()
