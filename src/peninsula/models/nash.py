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
form and Newton's method stalls; bisection on the sign is exact at kinks too. 64 halvings of an
interval at most twice the scale's width reach float64 resolution (2⁻⁶⁴ · 200 ≈ 1e-17). A
hand-rolled vectorised bisection replaces ``scipy.optimize.brentq`` because brentq solves one
scalar equation per Python call, and the batch has ``B × k`` of them (measured: 100,000 rows ×
5 issues × 7 actors in about 3 s, against about 1.7 ms per row one at a time).
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
from peninsula.problem import BargainingProblem, BoolArray, FloatArray

DEFAULTS: dict[str, float] = {"utility": 0.0, "salience_exponent": 0.0, "iterations": 64.0}


def nash_solution(
    position: FloatArray,
    weight: FloatArray,
    status_quo: FloatArray,
    quadratic: bool = False,
    iterations: int = 64,
    chunk: int = 2048,
) -> FloatArray:
    """Asymmetric Nash bargaining outcome per (row, issue).

    ``position`` and ``weight`` are ``(B, n, k)`` (weight 0 = not a party), ``status_quo``
    ``(B, k)``. Returns ``(B, k)``; the status quo where no agreement benefits every party.
    Rows are processed ``chunk`` at a time so the bisection's temporaries stay in cache (rows
    are independent, so the result does not depend on ``chunk``).
    """
    out = np.empty(status_quo.shape, dtype=np.float64)
    for start in range(0, position.shape[0], chunk):
        rows = slice(start, start + chunk)
        out[rows] = _solve(position[rows], weight[rows], status_quo[rows], quadratic, iterations)
    return out


def _solve(
    position: FloatArray,
    weight: FloatArray,
    status_quo: FloatArray,
    quadratic: bool,
    iterations: int,
) -> FloatArray:
    party = weight > 0
    sq = status_quo[:, None, :]
    reach = np.abs(sq - position)  # a party gains iff |x - p_i| < reach_i
    # Party i gains on the open interval between sq and its mirror image m_i = 2 p_i - sq. The
    # intersection is non-empty iff every party is strictly on the same side of sq; deciding
    # that by comparison (not by intersecting rounded end points) is exact.
    mirror = 2.0 * position - sq
    anyone = np.asarray(party.any(axis=1))
    above = anyone & np.asarray(np.where(party, position > sq, True).all(axis=1))
    below = anyone & np.asarray(np.where(party, position < sq, True).all(axis=1))
    feasible: BoolArray = np.asarray(above | below)
    lo = np.where(below, np.where(party, mirror, -np.inf).max(axis=1), status_quo)
    hi = np.where(above, np.where(party, mirror, np.inf).min(axis=1), status_quo)
    # Only rows with an agreement are searched; elsewhere the status quo is returned anyway.
    active = party & feasible[:, None, :]
    w = np.where(active, weight, 0.0)
    # Inside party i's interval the linear gain r_i - d_i = |sq - p_i| - |x - p_i| equals
    # min(|x - sq|, |m_i - x|). That form keeps full relative precision near the ends (the
    # naive difference cancels to 0 when |p_i| >> |x - sq|). The quadratic gain
    # r² - d² = (r - d)(r + d) is differentiated as log(r - d) + log(r + d), never as a
    # product, which could underflow to 0 for tiny gains.
    # Non-parties: weight 0 over infinite gains, so their term is exactly 0 without masking.
    pad = np.where(active, 0.0, np.inf)
    reach = reach + pad

    def slope(x: FloatArray) -> FloatArray:
        xx = x[:, None, :]
        diff = xx - position
        lin = np.minimum(np.abs(xx - sq), np.abs(mirror - xx))
        lin += pad
        direction = np.sign(diff)
        direction *= w
        # At float resolution a bound may be hit (gain 0 -> ±inf, or inf - inf = NaN): the
        # comparison below is then False and just moves ``hi``.
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if quadratic:  # d/dx [log(r - d) + log(r + d)], d' = sign(x - p)
                term = direction * (1.0 / (reach + np.abs(diff)) - 1.0 / lin)
            else:  # d/dx log(r - d)
                term = -direction / lin
            return np.asarray(term.sum(axis=1))

    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        rising = slope(mid) > 0
        lo = np.where(rising, mid, lo)
        hi = np.where(rising, hi, mid)
    # The maximiser lies between the parties' extreme positions (outside them every gain moves
    # the same way); clipping there only removes rounding at degenerate, near-empty intervals.
    low_party = np.where(active, position, np.inf).min(axis=1)
    high_party = np.where(active, position, -np.inf).max(axis=1)
    solution = np.clip(0.5 * (lo + hi), np.minimum(low_party, high_party), high_party)
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
            raise InputError([Located("must be 0 (linear) or 1 (quadratic)", field="nash.utility")])
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
