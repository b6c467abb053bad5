"""Nash bargaining solution: the capability × salience weighted, asymmetric form.

Nash (1950, "The bargaining problem", *Econometrica* 18: 155–162) characterises the agreement
that maximises the product of the parties' gains over the disagreement point; the asymmetric
(generalised) form of Kalai (1977, "Nonsymmetric Nash solutions and replications of 2-person
bargaining", *Int. J. Game Theory* 6) raises each gain to a bargaining-power exponent. Here,
on each issue separately,

    x* = argmax_x  Σ_i w_i · log(u_i(x) − u_i(d_i))

with ``w_i = c_i · s_i^γ`` (capability × salience by default, ``γ = salience_exponent = 1``:
the weights of the compromise model of Thomson, Stokman, Achen & König (eds.), *The European
Union Decides*, Cambridge UP 2006, :mod:`peninsula.models.compromise`) and quadratic loss by
default (``utility = 1``): ``u_i(x) = −s_i (x − p_i)²``; ``utility = 0`` gives linear loss
``u_i(x) = −s_i |x − p_i|``.

The disagreement point ``d_i`` (parameter ``disagreement``) decides what the model says with
many actors:

- ``disagreement = 1`` (default), **breakdown**: if talks fail, each party gets the worst
  outcome the issue's scale allows it (the end of the scale farthest from its position). *Our
  choice*, made so that the model links to the compromise model: when failure is costly for
  everyone, every agreement on the scale is individually rational, so no party holds a veto,
  and as failure grows very costly the solution tends to the compromise model's weighted mean
  (:mod:`peninsula.models.compromise`; tested). That the compromise model approximates the
  Nash solution is the reading usually attributed to Achen (2006, ch. 4 of the book,
  "Institutional realism and bargaining models"); his chapter could not be read here beyond
  its opening pages, so which disagreement point he uses is not checked and nothing below is
  attributed to an equation of his. With quadratic loss the first-order condition is
  ``Σ_i c_i s_i (x − p_i) / G_i(x) = 0`` with ``G_i = D_i² − (x − p_i)²`` the party's gain
  over breakdown (``D_i`` its distance to the far end of the scale). Where the ``G_i`` are
  equal (failure equally far for all) this is the capability × salience weighted mean, and as
  the ends of the scale move away every ``G_i`` approaches ``D_i²`` with ``D_i`` nearly equal,
  so the solution tends to that mean. Otherwise the ``G_i`` pull the solution towards the
  parties for which the agreement is closest to their breakdown, i.e. who have most to lose.
  No party loses at every ``x``: each gains everywhere on the scale except at its own worst
  end, so nobody has to be dropped.
- ``disagreement = 0``, **status quo**: ``d_i = q`` for all. A party gains only on the open
  interval between ``q`` and its mirror image ``2 p_i − q``; these intervals intersect only if
  every party lies strictly on the same side of ``q``. Otherwise no agreement benefits every
  party, the forecast is ``q`` (the model's unanimity rule), which on an issue with actors on
  both sides of the status quo (most real cases) makes it a copy of "nothing changes". Kept
  as a parameter because it is the textbook definition (Nash 1950 with ``q`` as the threat
  point) and what this model computed before issue #11.

Who bargains. The parties are the participating actors with positive capability *and* positive
salience: an indifferent actor gains nothing from any agreement. Excluded actors have no
influence.

Computation. On the feasible interval the objective is strictly concave (a sum of logs of
positive concave functions) and its derivative ``g(x) = Σ_i w_i · d/dx log(gain_i)`` is
strictly decreasing, so the maximiser is its unique sign change, found by bisection
vectorised over every (batch row, issue) pair. The maximiser lies between the parties'
extreme positions (outside them every gain moves the same way), which bounds the search for
the breakdown variant. With linear utility ``g`` jumps at the actors' positions (kinks), where
there is no closed form and Newton's method stalls; bisection on the sign is exact at kinks
too. 64 halvings of an interval at most twice the scale's width reach float64 resolution. A
hand-rolled vectorised bisection replaces ``scipy.optimize.brentq`` because brentq solves one
scalar equation per Python call, and the batch has ``B × k`` of them.
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

DEFAULTS: dict[str, float] = {
    "utility": 1.0,
    "salience_exponent": 1.0,
    "disagreement": 1.0,
    "iterations": 64.0,
}


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


def breakdown_solution(
    position: FloatArray,
    weight: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    quadratic: bool = True,
    iterations: int = 64,
    chunk: int = 2048,
) -> FloatArray:
    """Asymmetric Nash outcome per (row, issue) with the breakdown disagreement point.

    ``position`` and ``weight`` are ``(B, n, k)`` (weight 0 = not a party), ``lower`` and
    ``upper`` ``(k,)`` the scale. Each party's disagreement utility is that of the end of the
    scale farthest from it, ``D_i = max(p_i − lower, upper − p_i)``, so its gain is
    ``D_i − |x − p_i|`` (linear) or ``D_i² − (x − p_i)²`` (quadratic), positive on the whole
    scale but for its own worst end. Returns ``(B, k)``; NaN where nobody is a party (the
    caller substitutes the status quo). Rows are independent, so the result does not depend
    on ``chunk``.
    """
    out = np.empty(position.shape[::2], dtype=np.float64)
    for start in range(0, position.shape[0], chunk):
        rows = slice(start, start + chunk)
        out[rows] = _solve_breakdown(
            position[rows], weight[rows], lower, upper, quadratic, iterations
        )
    return out


def _solve_breakdown(
    position: FloatArray,
    weight: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    quadratic: bool,
    iterations: int,
) -> FloatArray:
    party = weight > 0
    reach = np.maximum(position - lower, upper - position)  # D_i
    w = np.where(party, weight, 0.0)
    lo = np.where(party, position, np.inf).min(axis=1)
    hi = np.where(party, position, -np.inf).max(axis=1)
    nobody = ~party.any(axis=1)
    lo = np.where(nobody, 0.0, lo)
    hi = np.where(nobody, 0.0, hi)
    # Bisection on the open hull (lo, hi): g(lo) >= 0 >= g(hi), since below every party all
    # gains rise with x and above every party all fall.
    a, b = lo.copy(), hi.copy()
    for _ in range(iterations):
        mid = 0.5 * (a + b)
        diff = mid[:, None, :] - position
        dist = np.abs(diff)
        with np.errstate(divide="ignore", invalid="ignore"):
            if quadratic:  # d/dx log(D² − diff²) = −2 diff / ((D − |diff|)(D + |diff|))
                term = -2.0 * w * diff / ((reach - dist) * (reach + dist))
            else:  # d/dx log(D − |diff|) = −sign(diff) / (D − |diff|)
                term = -w * np.sign(diff) / (reach - dist)
        # A party at the far end of the scale from ``mid`` has gain 0 there only at the
        # hull's end points, which bisection never evaluates; non-parties have w = 0.
        term = np.where(party, term, 0.0)
        rising = term.sum(axis=1) > 0
        a = np.where(rising, mid, a)
        b = np.where(rising, b, mid)
    return np.where(nobody, np.nan, 0.5 * (a + b))


@dataclass(frozen=True)
class NashBargaining:
    """Capability × salience weighted Nash bargaining solution (static)."""

    name: str = "nash"
    label: str = "Nash bargaining solution (Nash 1950; Kalai 1977)"
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
        if p["disagreement"] not in (0.0, 1.0):
            raise InputError(
                [Located("must be 0 (status quo) or 1 (breakdown)", field="nash.disagreement")]
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
        if p["disagreement"] == 1.0:
            solved = breakdown_solution(
                problem.position,
                weight,
                problem.lower,
                problem.upper,
                quadratic=p["utility"] == 1.0,
                iterations=int(p["iterations"]),
            )
            outcome = np.where(np.isnan(solved), problem.status_quo, solved)
        else:
            outcome = nash_solution(
                problem.position,
                weight,
                problem.status_quo,
                quadratic=p["utility"] == 1.0,
                iterations=int(p["iterations"]),
            )
        return static_forecast(problem, outcome, self.name)


MODEL = NashBargaining()
