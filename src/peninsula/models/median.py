"""Weighted median: Black's median voter with capability × salience weights.

Black (1948, "On the rationale of group decision-making", *J. Political Economy* 56: 23–34)
showed that with single-peaked preferences on one dimension the median ideal point beats every
alternative in pairwise majority votes. Weighting each actor by effective capability × salience
(the weight of the compromise model, :mod:`peninsula.models.compromise`) turns "majority
of voters" into "majority of weighted influence": the forecast is the position ``x*`` such that
actors with at least half the total weight sit at or below ``x*`` and at least half at or above.

Tie rule (parameter ``tie``, default 0.5). If the weight at or below some position ``p_j``
equals exactly half the total, every point of ``[p_j, p_{j+1}]`` is a weighted median. The
forecast is then ``p_j + tie · (p_{j+1} − p_j)``: ``tie = 0`` is the lower weighted median,
``0.5`` the midpoint (the default: symmetric under reflecting the scale), ``1`` the upper one.
"Exactly half" is judged with a relative tolerance of ``1e-9`` of the total weight so that the
rule does not depend on the order in which floating-point weights are summed.

If no actor has positive weight on an issue (all excluded or indifferent) the status quo stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from peninsula.errors import InputError, Located
from peninsula.models.base import (
    Forecast,
    influence_weights,
    resolve_params,
    static_forecast,
    validate_problem,
)
from peninsula.problem import BargainingProblem, FloatArray

DEFAULTS: dict[str, float] = {"tie": 0.5}
_REL_TOL = 1e-9


def weighted_median(
    position: FloatArray, weight: FloatArray, fallback: FloatArray, tie: float = 0.5
) -> FloatArray:
    """Weighted median along axis 1 of ``(B, n, k)`` arrays; ``fallback`` ``(B, k)`` where the
    total weight is zero. Vectorised: one sort and one cumulative sum for the whole batch."""
    order = np.argsort(position, axis=1, kind="stable")
    pos = np.take_along_axis(position, order, axis=1)
    w = np.take_along_axis(weight, order, axis=1)
    cum = np.cumsum(w, axis=1)
    total = cum[:, -1:, :]
    half = 0.5 * total
    tol = _REL_TOL * total
    n = position.shape[1]
    # Lower median: first sorted actor where the cumulative weight reaches half the total.
    lower_idx = np.minimum(np.argmax(cum >= half - tol, axis=1), n - 1)
    # Upper median: first sorted actor where the cumulative weight strictly exceeds half.
    # Equal to the lower one unless the weight below splits exactly in half (a tie).
    upper_idx = np.minimum(np.argmax(cum > half + tol, axis=1), n - 1)
    lo = np.take_along_axis(pos, lower_idx[:, None, :], axis=1)[:, 0, :]
    hi = np.take_along_axis(pos, upper_idx[:, None, :], axis=1)[:, 0, :]
    median = lo + tie * (hi - lo)
    return np.where(total[:, 0, :] > 0, median, fallback)


@dataclass(frozen=True)
class WeightedMedian:
    """Black's weighted median voter model (static)."""

    name: str = "median"
    label: str = "Weighted median (Black 1948)"
    dynamic: bool = False

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        p = resolve_params(self.name, params, DEFAULTS)
        if not 0.0 <= p["tie"] <= 1.0:
            raise InputError([Located("must lie in [0, 1]", field="median.tie")])
        validate_problem(problem, self.name)
        outcome = weighted_median(
            problem.position, influence_weights(problem), problem.status_quo, p["tie"]
        )
        return static_forecast(problem, outcome, self.name)


MODEL = WeightedMedian()
