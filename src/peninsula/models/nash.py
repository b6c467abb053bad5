"""Nash bargaining solution with the status quo as disagreement point.

Nash (1950, "The bargaining problem", *Econometrica* 18: 155–162) characterises the agreement
that maximises the product of the parties' gains over the disagreement point; the asymmetric
(generalised) form of Kalai (1977) raises each gain to a bargaining-power exponent. Here, on
each issue separately,

    x* = argmax_x  Σ_i w_i · log(u_i(x) − u_i(sq))      subject to  u_i(x) > u_i(sq) for all i

with ``w_i = c_i · s_i^γ`` (capability; ``γ = salience_exponent``, default 0 so that
``w_i = c_i``) and either linear (``utility = 0``, the default) or quadratic (``utility = 1``)
loss: ``u_i(x) = −s_i |x − p_i|`` or ``u_i(x) = −s_i (x − p_i)²``.

Who bargains. The parties are the participating actors with positive capability *and* positive
salience: an indifferent actor (salience 0) gains nothing from any agreement, so including it
would make every agreement infeasible. Excluded actors have no influence.

Individual rationality. The solution must give every party a strict gain over the status quo.
The feasible set is the intersection of the intervals ``|x − p_i| < |sq − p_i|``; each has the
status quo at one end, so it is non-empty only if every party lies strictly on the *same side*
of the status quo. Otherwise (someone sits at the status quo, or parties want to move it in
opposite directions) no agreement benefits everyone, the disagreement point is the outcome and
the forecast is the status quo. This unanimity is the model's defining feature and its main
weakness on contested issues (see docs/explanation/model-nash.md).

Salience. Multiplying ``u_i`` by ``s_i`` scales party ``i``'s gains by a constant, which does
not move the maximiser (Nash's scale-invariance axiom), so with ``γ = 0`` salience only decides
who is a party. ``γ = 1`` weights bargaining power by salience as the compromise model does.

Computation. The objective is strictly concave on the feasible interval ``(L, U)`` (a sum of
logs of positive concave functions), its derivative ``g(x) = Σ_i w_i · d/dx log(gain_i)`` is
strictly decreasing, tends to ``+∞`` at ``L`` and ``−∞`` at ``U``. The maximiser is the unique
sign change of ``g`` and is found by bisection, vectorised over every (batch row, issue) pair at
once. With linear utility ``g`` jumps at the actors' positions (kinks), where there is no closed
form and Newton's method stalls; bisection on the sign is exact at kinks too. 100 halvings of an
interval no wider than the scale reach float64 resolution. A hand-rolled vectorised bisection
replaces ``scipy.optimize.brentq`` because brentq solves one scalar equation per call, and the
batch has ``B × k`` of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from peninsula.errors import InputError, Located
from peninsula.models.base import (
    Forecast,
    resolve_params,
    static_forecast,
    validate_problem,
)
from peninsula.problem import BargainingProblem, FloatArray

DEFAULTS: dict[str, float] = {"utility": 0.0, "salience_exponent": 0.0, "iterations": 100.0}


def nash_solution(
    position: FloatArray,
    weight: FloatArray,
    status_quo: FloatArray,
    quadratic: bool = False,
    iterations: int = 100,
) -> FloatArray:
    """Asymmetric Nash bargaining outcome per (row, issue).

    ``position`` and ``weight`` are ``(B, n, k)`` (weight 0 = not a party), ``status_quo``
    ``(B, k)``. Returns ``(B, k)``; the status quo where no agreement benefits every party.
    """
    party = weight > 0
    sq = status_quo[:, None, :]
    reach = np.abs(sq - position)  # a party gains iff |x - p_i| < reach_i
    # Feasible interval: intersection over parties of (p_i - reach_i, p_i + reach_i).
    low = np.where(party, position - reach, -np.inf).max(axis=1)
    high = np.where(party, position + reach, np.inf).min(axis=1)
    feasible = party.any(axis=1) & (low < high)
    lo = np.where(feasible, low, status_quo)
    hi = np.where(feasible, high, status_quo)
    w = np.where(party, weight, 0.0)

    def slope(x: FloatArray) -> FloatArray:
        diff = x[:, None, :] - position
        if quadratic:
            gain = reach**2 - diff**2
            d_gain = -2.0 * diff
        else:
            gain = reach - np.abs(diff)
            d_gain = -np.sign(diff)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(party, w * d_gain / gain, 0.0)
        return np.asarray(term.sum(axis=1))

    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        rising = slope(mid) > 0
        lo = np.where(rising, mid, lo)
        hi = np.where(rising, hi, mid)
    solution = 0.5 * (lo + hi)
    return np.where(feasible, solution, status_quo)


@dataclass(frozen=True)
class NashBargaining:
    """Asymmetric Nash bargaining solution, status quo as disagreement point (static)."""

    name: str = "nash"
    label: str = "Nash bargaining solution (Nash 1950)"
    dynamic: bool = False

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        p = resolve_params(self.name, params, DEFAULTS)
        if p["utility"] not in (0.0, 1.0):
            raise InputError(
                [Located("must be 0 (linear) or 1 (quadratic)", field="nash.utility")]
            )
        if not p["salience_exponent"] >= 0:
            raise InputError([Located("must be >= 0", field="nash.salience_exponent")])
        if not 1 <= p["iterations"] <= 2000:
            raise InputError([Located("must lie in [1, 2000]", field="nash.iterations")])
        validate_problem(problem, self.name)
        salience = problem.salience
        capability = problem.effective_capability[:, :, None]
        # Parties: positive capability and positive salience (see module docstring).
        weight = np.where(salience > 0, capability * salience ** p["salience_exponent"], 0.0)
        outcome = nash_solution(
            problem.position,
            weight,
            problem.status_quo,
            quadratic=p["utility"] == 1.0,
            iterations=int(p["iterations"]),
        )
        return static_forecast(problem, outcome, self.name)


MODEL = NashBargaining()
