"""Golden comparison with the reference implementation of the equal-gain exchange model.

``tests/models/data/decide_golden.json`` holds ``foarsitter/decide-exchange-model`` (MIT) run on
decide's own two- and ten-actor inputs and on five generated inputs (3×2 up to 7×5 actors ×
issues), four rounds each; ``tools/decide/run_decide.py`` made it (command in its docstring).
Our model runs with ``decide_bookkeeping=1`` (decide's accounting of constraint 5b; see
``peninsula.models.exchange``) and must reproduce every round's forecast and every realised
exchange: the same pairs, issues, gains and voting positions, in the same order.

One round is left out, for a stated reason: in round 4 of ``random-5-7x5`` a candidate's
outcome sits exactly at its demander's position after an earlier exchange; decide's Decimal
arithmetic lands 1e-27 short of it and drops the candidate, while in the mirror situation in
``random-4-6x4`` round 1 it lands on the other side and lets the move through (which we
reproduce). Which way a 1e-27 rounding error falls is not something to reproduce.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from peninsula.models.exchange import MODEL

from .builders import golden_problem

DATA = Path(__file__).parent / "data" / "decide_golden.json"
CASES: list[dict[str, Any]] = json.loads(DATA.read_text())["cases"]
KNOWN_ROUNDING_TIE: set[tuple[str, int]] = set()


def _normalised(value: float, lower: float, upper: float) -> float:
    return (value - lower) / (upper - lower) * 100


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_decide_round_by_round(case: dict[str, Any]) -> None:
    p = golden_problem(case)
    rounds = len(case["rounds"])
    result = MODEL.run(p, {"max_rounds": rounds, "tolerance": 0, "decide_bookkeeping": 1})
    w = p.capability[0][:, None] * p.salience[0]
    lo, hi = p.lower, p.upper
    checked = 0
    for r in range(1, rounds + 1):
        if (case["name"], r) in KNOWN_ROUNDING_TIE:
            continue
        voting = _normalised(result.forecast.trajectory[0, r], lo, hi)  # type: ignore[arg-type]
        ours = (w * voting).sum(axis=0) / w.sum(axis=0)
        theirs = [case["rounds"][r - 1][issue] for issue in case["issues"]]
        assert ours == pytest.approx(theirs, abs=1e-9), f"round {r}"
        mine = np.flatnonzero(result.round[0] == r)
        expected = case["exchanges"][r - 1]
        assert len(mine) == len(expected), f"round {r}"
        for s, ref in zip(mine, expected, strict=True):
            assert result.gain_p[0, s] == pytest.approx(ref["gain"], abs=1e-9)
            assert result.gain_q[0, s] == pytest.approx(ref["gain"], abs=1e-9)
            ip, iq = int(result.issue_p[0, s]), int(result.issue_q[0, s])
            ours_moves = {
                (
                    case["actors"][int(result.supplier_p[0, s])],
                    case["issues"][ip],
                ): (
                    _normalised(result.from_p[0, s], lo[ip], hi[ip]),
                    _normalised(result.to_p[0, s], lo[ip], hi[ip]),
                ),
                (
                    case["actors"][int(result.supplier_q[0, s])],
                    case["issues"][iq],
                ): (
                    _normalised(result.from_q[0, s], lo[iq], hi[iq]),
                    _normalised(result.to_q[0, s], lo[iq], hi[iq]),
                ),
            }
            for side in ref["suppliers"]:
                moved = ours_moves[(side["actor"], side["issue"])]
                assert moved == pytest.approx((side["from"], side["to"]), abs=1e-9)
        checked += 1
    assert checked >= rounds - 1


def test_default_bookkeeping_differs_only_where_5b_binds_across_exchanges() -> None:
    """Small cases, where no two exchanges share an issue's outcome, agree in both modes."""
    for name in ("decide-test-rex", "random-1-3x2"):
        case = next(c for c in CASES if c["name"] == name)
        p = golden_problem(case)
        ours = MODEL.forecast(p, {"max_rounds": 4, "tolerance": 0})
        theirs = MODEL.forecast(p, {"max_rounds": 4, "tolerance": 0, "decide_bookkeeping": 1})
        assert ours.outcome == pytest.approx(theirs.outcome, abs=1e-9)
