"""Small batches for the models' hand-worked cases (one-issue: EUM, SMP; many-issue: exchange)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from peninsula.problem import BargainingProblem

DECIDE_GOLDEN = Path(__file__).parent / "data" / "decide_golden.json"


def make_problem(
    position: list[list[float]],
    salience: list[list[float]] | None = None,
    capability: list[list[float]] | None = None,
    lower: float = 0.0,
    upper: float = 1.0,
) -> BargainingProblem:
    """One-issue problem from (B, n) lists."""
    pos = np.asarray(position, dtype=float)
    b, n = pos.shape
    sal = np.ones((b, n)) if salience is None else np.asarray(salience, dtype=float)
    cap = np.ones((b, n)) if capability is None else np.asarray(capability, dtype=float)
    return BargainingProblem(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        issue_ids=("x",),
        position=pos[:, :, None],
        salience=sal[:, :, None],
        capability=cap,
        status_quo=np.full((b, 1), lower),
        lower=np.array([lower]),
        upper=np.array([upper]),
    )


def many_issue_problem(
    position: list[list[float]],
    salience: list[list[float]],
    capability: list[float] | None = None,
    lower: list[float] | None = None,
    upper: list[float] | None = None,
) -> BargainingProblem:
    """A batch of one: ``position``/``salience`` are (n, k) lists."""
    pos = np.asarray(position, dtype=float)[None]
    n, k = pos.shape[1:]
    lo = np.zeros(k) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full(k, 100.0) if upper is None else np.asarray(upper, dtype=float)
    cap = np.ones(n) if capability is None else np.asarray(capability, dtype=float)
    return BargainingProblem(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        issue_ids=tuple(f"i{j}" for j in range(k)),
        position=pos,
        salience=np.asarray(salience, dtype=float)[None],
        capability=cap[None],
        status_quo=lo[None].copy(),
        lower=lo,
        upper=hi,
    )


def golden_case(name: str) -> dict[str, object]:
    cases = json.loads(DECIDE_GOLDEN.read_text())["cases"]
    return next(c for c in cases if c["name"] == name)


def golden_problem(case: dict[str, object]) -> BargainingProblem:
    k = len(case["issues"])  # type: ignore[arg-type]
    return many_issue_problem(
        case["position"],  # type: ignore[arg-type]
        case["salience"],  # type: ignore[arg-type]
        case["capability"],  # type: ignore[arg-type]
        case.get("lower", [0.0] * k),  # type: ignore[arg-type]
        case.get("upper", [100.0] * k),  # type: ignore[arg-type]
    )


def reorder_actors(
    problem: BargainingProblem, order: Sequence[int] | np.ndarray
) -> BargainingProblem:
    """``problem`` with its actors in ``order`` (every per-actor array relabelled alike)."""
    idx = np.asarray(order, dtype=int)
    return replace(
        problem,
        actor_ids=tuple(problem.actor_ids[i] for i in idx),
        position=problem.position[:, idx],
        salience=problem.salience[:, idx],
        capability=problem.capability[:, idx],
        risk=problem.risk[:, idx],
        outside_option=problem.outside_option[:, idx],
        participating=problem.participating[:, idx],
    )
