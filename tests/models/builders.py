"""One-issue batches for the dynamic models' hand-worked cases (shared by EUM and SMP tests)."""

from __future__ import annotations

import numpy as np

from peninsula.problem import BargainingProblem


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
