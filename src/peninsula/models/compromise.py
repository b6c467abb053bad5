"""Compromise model: the capability × salience weighted mean of the actors' positions.

Achen (2006, "Institutional realism and bargaining models", ch. 4 of Thomson, Stokman, Achen
and König (eds.), *The European Union Decides*, Cambridge UP) derives it as an approximation
to the asymmetric Nash bargaining solution: with quadratic losses ``s_i (x − p_i)²`` measured
against a disagreement outcome that is bad for everyone, the first-order condition
``Σ_i c_i s_i (x − p_i) = 0`` gives

    x* = Σ_i c_i s_i p_i / Σ_i c_i s_i

where ``c_i`` is capability and ``s_i`` salience. In the book's comparative evaluation this simple
"compromise model" is among the most accurate predictors of EU legislative outcomes.

Excluded actors have zero effective capability. If no actor has positive weight on an issue
the status quo stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from peninsula.models.base import (
    Forecast,
    influence_weights,
    resolve_params,
    static_forecast,
    validate_problem,
)
from peninsula.problem import BargainingProblem, FloatArray

DEFAULTS: dict[str, float] = {}


def weighted_mean(position: FloatArray, weight: FloatArray, fallback: FloatArray) -> FloatArray:
    """``Σ w p / Σ w`` along axis 1 of ``(B, n, k)``; ``fallback`` ``(B, k)`` where ``Σ w = 0``."""
    total = weight.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    mean = (weight * position).sum(axis=1) / safe
    # Rounding can put the mean a hair outside the positions' span; clip it back in.
    big = np.where(weight > 0, position, -np.inf).max(axis=1)
    small = np.where(weight > 0, position, np.inf).min(axis=1)
    mean = np.clip(mean, np.minimum(small, big), np.maximum(small, big))
    return np.where(total > 0, mean, fallback)


@dataclass(frozen=True)
class Compromise:
    """Achen's compromise (weighted mean) model (static)."""

    name: str = "compromise"
    label: str = "Compromise / weighted mean (Achen 2006)"
    dynamic: bool = False

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        resolve_params(self.name, params, DEFAULTS)
        validate_problem(problem, self.name)
        outcome = weighted_mean(problem.position, influence_weights(problem), problem.status_quo)
        return static_forecast(problem, outcome, self.name)


MODEL = Compromise()
