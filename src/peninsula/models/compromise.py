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
    weighted_mean,
)
from peninsula.problem import BargainingProblem

DEFAULTS: dict[str, float] = {}


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
