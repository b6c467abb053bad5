"""Shared builder for small hand-worked bargaining problems."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from peninsula.problem import BargainingProblem

MakeProblem = Callable[..., BargainingProblem]


def build_problem(
    positions: Sequence[float] | Sequence[Sequence[float]],
    capability: Sequence[float],
    salience: Sequence[float] | None = None,
    status_quo: float = 0.0,
    participating: Sequence[bool] | None = None,
    lower: float = 0.0,
    upper: float = 100.0,
) -> BargainingProblem:
    """One row (B = 1), one issue unless ``positions`` is a list of per-actor issue lists."""
    pos = np.asarray(positions, dtype=float)
    if pos.ndim == 1:
        pos = pos[:, None]
    n, k = pos.shape
    sal = np.ones((n, k)) if salience is None else np.asarray(salience, dtype=float)
    if sal.ndim == 1:
        sal = np.repeat(sal[:, None], k, axis=1)
    part = np.ones(n, dtype=bool) if participating is None else np.asarray(participating)
    return BargainingProblem(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        issue_ids=tuple(f"i{j}" for j in range(k)),
        position=pos[None],
        salience=sal[None],
        capability=np.asarray(capability, dtype=float)[None],
        status_quo=np.full((1, k), float(status_quo)),
        lower=np.full(k, lower),
        upper=np.full(k, upper),
        participating=part[None].astype(bool),
    )


@pytest.fixture
def make_problem() -> MakeProblem:
    return build_problem
