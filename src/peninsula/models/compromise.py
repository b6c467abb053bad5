"""Compromise model: the capability × salience weighted mean of the actors' positions.

    x* = Σ_i c_i s_i p_i / Σ_i c_i s_i

where ``c_i`` is effective capability and ``s_i`` salience. The name and the model are those of
the EU decision-making studies in Thomson, Stokman, Achen & König (eds.), *The European Union
Decides* (Cambridge UP, 2006); the reference usually given for it is Achen's chapter 4 there,
"Institutional realism and bargaining models".

Why a weighted mean is a bargaining outcome (our derivation; Achen's chapter could not be read
here beyond its opening pages, so no equation of his is cited for it): maximise the asymmetric
Nash product ``Σ_i c_i log(K − s_i (x − p_i)²)`` (bargaining power ``c_i``, quadratic loss
weighted by salience, a disagreement loss ``K`` common to all). Its first-order condition
``Σ_i c_i s_i (x − p_i) / (K − s_i (x − p_i)²) = 0`` tends to ``Σ_i c_i s_i (x − p_i) = 0``, the
weighted mean, as ``K`` grows large against the losses on the table: the compromise model is
the Nash solution when failing to agree is very costly for everyone alike. The ``nash`` model
computes the exact solution for a disagreement point at the end of the scale, and
``tests/models/test_nash.py`` checks that it tends to this mean as the scale's ends move away.

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
