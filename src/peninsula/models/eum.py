"""Bueno de Mesquita's expected utility model, as formalised by Scholz, Calbert & Smith (2011).

Sources: B. Bueno de Mesquita, "Political forecasting: an expected utility method", ch. 4
(pp. 71–104) of Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*, Yale
UP 1994; J. B. Scholz, G. J. Calbert & G. A. Smith, "Unravelling Bueno De Mesquita's group
decision model", *Proc. 3rd Int. Conf. on Agents and Artificial Intelligence* (ICAART 2011),
pp. 18–30, doi:10.5220/0003121500180030 (referred to as SCS below; the section and equation
numbers in brackets are that paper's; its journal version, *J. Theoretical Politics* 23(4):
510–531, 2011, was not read here and may number them differently). The intuition and the
equations are in ``docs/explanation/model-eum.md``.

One issue at a time, positions ``x`` measured as fractions of a distance scale (the issue's
range by default, so ``d_ij = |x_i − x_j| ∈ [0, 1]``), with ``w_k = c_k s_k`` (effective
capability × salience). Each round:

1. **Probability of success** (SCS §4 eqs. 30–31, BdM's vote): actor ``k`` casts
   ``v_k^{ij} = w_k (|x_k − x_j| − |x_k − x_i|)`` votes for ``i`` over ``j``, and
   ``P_ij = Σ_k max(v_k^{ij}, 0) / Σ_k |v_k^{ij}|`` (so ``P_ij + P_ji = 1``; ``1/2`` if nobody
   cares). Votes use linear distances (risk-neutral voting, as in open replications of SCS).
2. **Utilities** (SCS §3.1 eqs. 15, 16, 22–24) of ``i`` with risk exponent ``r``:
   ``U^s = 2 − 4(½ − ½d_ij)^r`` (success), ``U^f = 2 − 4(½ + ½d_ij)^r`` (failure),
   ``U^sq = 2 − 4(½)^r`` (status quo), ``U^b = 2 − 4(½ − ¼(|x_i − μ| + d_ij))^r`` (things get
   better), ``U^w = 2 − 4(½ + ¼(|x_i − μ| + d_ij))^r`` (worse); ``μ`` is the current forecast.
3. **Expected utility of i challenging j** (SCS §2 eqs. 5–7, as restated in §3.1 eq. 25a):
   ``E(ΔU_ij) = s_j[P_ij U^s + (1 − P_ij) U^f] + (1 − s_j) U^s − Q U^sq − (1 − Q)[T U^b +
   (1 − T) U^w]``: ``j`` resists with probability ``s_j``; ``Q`` is the probability that the
   status quo persists if ``i`` does not challenge, ``T`` the probability that an unforced change
   is an improvement for ``i``. Defaults ``Q = T = 1`` (as in open replications of SCS); with
   ``Q = 1`` the ``T`` term drops out.
4. **Risk** (SCS §5 eqs. 32–34): with every ``r = 1``, actor ``i``'s *danger* is
   ``S_i = Σ_{j≠i} E_j(ΔU_ji)``, how much the others expect to gain by challenging it;
   ``R_i = (2 S_i − max S − min S) / (max S − min S) ∈ [−1, 1]`` and
   ``r_i = (1 − R_i/3) / (1 + R_i/3) ∈ [½, 2]``. An actor holding a dangerous position is read as
   risk-acceptant. Steps 2–3 are then repeated with these ``r_i``.
5. **Offers** (SCS §6.1): receiver ``i`` compares ``a = E^i(ΔU_ij)`` (its own gain from challenging
   ``j``) with ``e = E^i(ΔU_ji)`` (its estimate of ``j``'s gain from challenging it, computed with
   ``i``'s risk exponent, BdM's "from i's perspective"). *Conflict* ``e > a > 0``: ``i`` expects to
   lose and moves to ``x_j``. *Compromise* ``e > 0 > a``, ``e > |a|``: ``i`` moves the fraction
   ``|a/e|`` of the way to ``x_j``. *Capitulation* ``e > 0 > a``, ``|a| ≥ e``: ``i`` moves to
   ``x_j``. Otherwise ``j`` has no credible offer for ``i``.
6. **Acceptance**: each actor gives in to the most credible offer, the one whose proposer
   expects the most from it (largest ``e``); exactly equal offers are averaged (our choice;
   ``acceptance = 3`` takes BdM's own tie rule instead, the least move). BdM (1994), as
   quoted by SCS §6.2: "those better able to enforce their wishes ... make their proposals
   stick; given equally enforceable proposals, players move the least". Exact ties are not
   rare: two proposers at one position make equally credible offers to anyone (``e`` depends
   on the proposer only through its position), and actors meet often. Everyone moves
   simultaneously. Iterate until no influential actor moves or ``max_rounds``.

The issue's forecast is the weighted median (weights ``c s``) of the final positions: BdM's
convention of reading the outcome off the median voter after bargaining.

Choices the publications leave open, each a parameter (``params`` keys, defaults first):

- ``perspective`` (0): 0 = ``e`` is ``i``'s estimate with ``i``'s risk exponent (BdM 1994);
  1 = ``e`` is ``j``'s own expected utility with ``j``'s exponent (as some replications do).
- ``acceptance`` (1): 1 = the most credible offer, the one with the largest ``e`` (BdM's
  "better able to enforce their wishes"; the default because it is the reading that reproduces
  BdM's published forecast on his own case: 9.45 against his 9.05, see
  ``docs/explanation/model-eum.md``); 0 = the offer that moves the receiver least (SCS's
  operational summary of the same passage; on BdM's case actors creep towards 7 by small
  compromises and the forecast stays at the initial median, 7.0); 2 = the order of offer
  types in SCS's own code (lost confrontations first, then the compromise with the lowest
  weighted-average point, then capitulation: :func:`choose_by_type`; its "lowest" prefers
  one end of the scale, so this is the one choice under which reflecting the scale does not
  reflect the forecast); 3 = the most credible offer and, among equally credible ones, the
  least move (BdM's tie rule in full; 8.60 on his case, where several proposers share a
  position).
- ``probability`` (0): 0 = equation 30, each pair's votes over that pair's total; 1 = over the
  total of every pair's votes, as SCS's code does (:func:`vote_probability`).
- ``vote_risk`` (0): 0 = votes use linear distances; 1 = each voter raises distances to its
  own risk exponent once the exponents are estimated, as SCS's code does.
- ``capitulation`` (1): 1 = an actor in the capitulation region moves to the proposer (SCS's
  text); 0 = it does not (SCS's code tests a condition that never holds).

With ``acceptance = 2, probability = 1, vote_risk = 1, capitulation = 0`` the model computes
what SCS's code computes: on BdM's emission-standards case every actor's position in every one
of 10 rounds agrees to 5e-13 with the Python port jmckib/bdm-scholz-expected-utility-model
(run side by side, not shipped), and the medians are within 0.1 of SCS's Table 2 in 7 of 8
rounds (``tests/models/test_eum_published.py``).
- ``mu`` (0): the reference point ``μ`` of ``U^b``/``U^w``: 0 = weighted median, 1 = weighted
  mean. Irrelevant when ``Q = 1``.
- ``endogenous_risk`` (1): 1 = ``r_i`` from step 4; 0 = everyone risk-neutral (``r = 1``).
- ``scenario_risk`` (0): 1 = where the scenario gives an actor's risk attitude
  (−1 averse … +1 acceptant) use it as ``R_i`` instead of the estimate.
- ``distance_scale`` (0): 0 = distances as fractions of the issue's range; 1 = of the spread
  of the influential actors' initial positions (open replications normalise by
  ``max x − min x``).
- ``max_rounds`` (10), ``tol`` (1e-9, in fractions of the scale): a round in which no
  influential actor moves more than ``tol`` ends the run (converged).

``rounds`` counts the rounds in which some influential actor moved; ``converged`` says a
round without such a move was reached within ``max_rounds``. The batch is processed in chunks
of at most ``CHUNK`` rows, fewer when the actors are many (:func:`chunk_rows` keeps the (rows,
n(n−1)/2, n) vote array within ``WORK_BYTES``: 512 rows at 10 actors, 2 at 200); the chunk
size depends only on ``n``, so results do not depend on it. Python loops run over issues,
chunks and rounds only; everything else is array arithmetic.

Influence: an actor with ``c s = 0`` (or excluded by a policy) casts no votes, makes no offers
and does not count in the risk normalisation, so it cannot move anyone else; it can still be
moved, but does not keep the run going (the others would creep on below ``tol`` and could tip
a choice: hypothesis found a 20-point case). A challenge needs capability behind it; SCS are
silent on this edge case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from peninsula.errors import InputError, Located
from peninsula.models.base import (
    Forecast,
    influence_weights,
    resolve_params,
    validate_problem,
)
from peninsula.models.median import weighted_median
from peninsula.problem import BargainingProblem, BoolArray, FloatArray

IntArray = NDArray[np.int64]

DEFAULTS: dict[str, float] = {
    "Q": 1.0,
    "T": 1.0,
    "max_rounds": 10.0,
    "tol": 1e-9,
    "perspective": 0.0,
    "acceptance": 1.0,
    "mu": 0.0,
    "endogenous_risk": 1.0,
    "scenario_risk": 0.0,
    "distance_scale": 0.0,
    "probability": 0.0,
    "vote_risk": 0.0,
    "capitulation": 1.0,
}
_FLAGS = (
    "perspective",
    "mu",
    "endogenous_risk",
    "scenario_risk",
    "distance_scale",
    "probability",
    "vote_risk",
    "capitulation",
)
#: ``acceptance`` values: least move, most credible offer, SCS's code's order of offer types,
#: most credible offer with BdM's tie rule (the least move among equally credible ones).
_ACCEPTANCE = (0.0, 1.0, 2.0, 3.0)
#: Most rows processed together (small problems: amortises Python overhead).
CHUNK = 512
#: Memory allowed for the (rows, n(n−1)/2, n) float64 vote array of one chunk: 64 MiB.
WORK_BYTES = 64 * 2**20


def chunk_rows(n: int) -> int:
    """Rows per chunk for ``n`` actors: ``CHUNK``, or fewer so the vote array of one chunk
    stays within ``WORK_BYTES`` (at 200 actors one row's array is 31.8 MB: 2 rows)."""
    per_row = 8 * n * max(n * (n - 1) // 2, 1)
    return max(1, min(CHUNK, WORK_BYTES // per_row))


_EPS = 1e-12
_NO_OFFER = 1e300  # score of an offer that does not exist (finite, so no inf − inf)


# ------------------------------------------------------------------------- model components


@lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Pairs ``(i, j)``, ``i < j``, grouped by offset ``j − i`` (the order used by
    :func:`win_probability`)."""
    first = [i for offset in range(1, n) for i in range(n - offset)]
    second = [i + offset for offset in range(1, n) for i in range(n - offset)]
    return np.array(first, dtype=np.intp), np.array(second, dtype=np.intp)


def win_probability(
    x: FloatArray, w: FloatArray, d: FloatArray | None = None, work: FloatArray | None = None
) -> FloatArray:
    """``P[b, i, j]``: probability that ``i`` prevails over ``j`` (SCS §4).

    ``x`` (B, n) positions as fractions of the scale, ``w`` (B, n) vote weights ``c s``.
    ``P_ij = Σ_k max(v_k, 0) / Σ_k |v_k|`` with ``v_k = w_k (|x_k − x_j| − |x_k − x_i|)``.
    Uses ``Σ|v| = 2 Σ max(v, 0) − Σ v`` and ``Σ_k v_k = A_j − A_i`` with ``A_i = Σ_k w_k
    |x_k − x_i|`` so only one (B, n, n, n) pass is needed. ``½`` where nobody has a preference.
    ``d`` (B, n, n) may pass the distances ``|x_i − x_j|`` if already computed, ``work`` a
    scratch buffer of shape (B, n (n − 1) / 2, n) reused across rounds.
    """
    b, n = x.shape
    upper_i, upper_j = _pairs(n)
    if d is None:
        d = np.abs(x[:, :, None] - x[:, None, :])  # d[b, k, i] = |x_k − x_i|
    # Only pairs i < j: P_ji = 1 − P_ij. d is symmetric, and max(d_kj − d_ki, 0) =
    # max(d_jk, d_ik) − d_ik, so Σ_k w_k max(v, 0)/… needs one elementwise pass:
    # top[b, pair, k] = max(d_jk, d_ik), then num = top·w − A_i. Pairs are grouped by offset
    # j − i, so each group is the maximum of two slices of d written straight into the buffer
    # (no gathers: they dominated the profile).
    shape = (b, len(upper_i), n)
    top = work if work is not None and work.shape == shape else np.empty(shape)
    start = 0
    for offset in range(1, n):
        stop = start + n - offset
        np.maximum(d[:, offset:, :], d[:, : n - offset, :], out=top[:, start:stop, :])
        start = stop
    a = np.einsum("bk,bki->bi", w, d)  # A_i = Σ_k w_k d_ki
    # Contraction over k as one batched matrix-vector product: (B, pairs, n) @ (B, n, 1).
    num = np.matmul(top, w[:, :, None])[:, :, 0] - a[:, upper_i]
    net = a[:, upper_j] - a[:, upper_i]  # Σ_k v_k^{ij} = A_j − A_i
    # Votes against i: Σ max(−v, 0) = num − net. Snap rounding residue to exact zeros so that
    # unanimous support gives exactly P = 1 whatever the order of the actors.
    scale = _EPS * np.maximum(w.sum(axis=1), _EPS)[:, None]
    neg = num - net
    num *= num > scale
    neg *= neg > scale
    den = num + neg
    nobody = den <= 0.0
    p_ij = (num + 0.5 * nobody) / (den + nobody)  # ½ where nobody has a preference
    prob = np.full((b, n * n), 0.5)
    prob[:, upper_i * n + upper_j] = p_ij
    prob[:, upper_j * n + upper_i] = 1.0 - p_ij
    return prob.reshape(b, n, n)


def vote_probability(
    d: FloatArray, w: FloatArray, r: FloatArray | None = None, all_pairs: bool = False
) -> FloatArray:
    """``P[b, i, j]`` by the general formula, for the alternatives to equation 30.

    ``v_k^{ij} = w_k (d_kj^{r_k} − d_ki^{r_k})`` with each voter's own risk exponent ``r_k``
    (``r`` (B, n), ``None`` = linear votes) and ``P_ij = Σ_k max(v_k^{ij}, 0) / D`` where ``D``
    is the pair's own total ``Σ_k |v_k^{ij}|`` (equation 30) or, with ``all_pairs``, the
    total over every ordered pair of actors ``Σ_k Σ_{a,b} |v_k^{ab}|`` — the denominator of
    SCS's code as ported by jmckib/bdm-scholz-expected-utility-model, which makes every
    probability small and ``P_ij + P_ji < 1``. The all-pairs total runs over pairs of actors
    with influence (``w > 0``): every actor has some in SCS's cases, and a powerless actor
    must not change anyone's probability (module docstring, *Influence*). ``½`` where
    ``D = 0``. One (B, n, n, n) array: meant for the optional variants, not the default path
    (:func:`win_probability`).
    """
    dp = d if r is None else np.power(d, r[:, :, None])  # dp[b, k, i] = d_ki^{r_k}
    votes = w[:, :, None, None] * (dp[:, :, None, :] - dp[:, :, :, None])  # [b, k, i, j]
    num = np.maximum(votes, 0.0).sum(axis=1)
    total = np.abs(votes).sum(axis=1)
    if all_pairs:  # pairs of actors with influence only: a powerless actor must not matter
        active = (w > 0.0).astype(np.float64)
        den = np.einsum("bij,bi,bj->b", total, active, active)[:, None, None]
    else:
        den = total
    scale = _EPS * np.maximum(w.sum(axis=1), _EPS)[:, None, None]
    cares = den > scale
    return np.asarray(np.where(cares, num / np.where(cares, den, 1.0), 0.5))


def _pow_half(base: FloatArray, r: FloatArray) -> FloatArray:
    """``2 − 4 base^r`` (SCS §3's utility transform), ``r`` broadcast against ``base``."""
    return 2.0 - 4.0 * np.power(np.maximum(base, 0.0), r)


def expected_utilities(
    d: FloatArray,
    dmu: FloatArray,
    s: FloatArray,
    prob: FloatArray,
    r: FloatArray | None,
    q: float,
    t: float,
    need_perc: bool = True,
    complementary: bool = True,
) -> tuple[FloatArray, FloatArray | None]:
    """``(E_own, E_perc)``, both (B, n, n), from the row actor's perspective (SCS eq. 25a).

    ``E_own[i, j] = E^i(ΔU_ij)``: ``i``'s expected gain from challenging ``j``.
    ``E_perc[i, j] = E^i(ΔU_ji)``: ``i``'s estimate of ``j``'s gain from challenging ``i``
    (with ``i``'s risk exponent; ``None`` unless ``need_perc``). ``d`` (B, n, n) distances,
    ``dmu`` (B, n) distance of each actor to ``μ``, ``s`` (B, n) saliences, ``prob`` from
    :func:`win_probability`, ``r`` (B, n) risk exponents or ``None`` for all ones (closed
    forms: ``U^s = 2d``, ``U^f = −2d``, ``U^sq = 0``).

    Rearranged to save array passes: ``s_j[P U^s + (1 − P) U^f] + (1 − s_j) U^s =
    U^s − s_j (1 − P_ij)(U^s − U^f)``, and for ``E_perc`` the challenger's failure probability
    ``1 − P_ji`` (which is ``P_ij`` when ``complementary``, as with equation 30; SCS's code's
    all-pairs denominator breaks that, ``probability = 1``)
    is ``1 − P_ji = P_ij``.
    """
    s_j = s[:, None, :]
    s_i = s[:, :, None]
    perc: FloatArray | None = None
    fail_j = prob if complementary else 1.0 - np.swapaxes(prob, 1, 2)  # 1 − P_ji
    if r is None:
        us = 2.0 * d
        gap = 2.0 * us  # U^s − U^f = 4d
        own = us - (s_j * (1.0 - prob)) * gap
        if need_perc:
            perc = us - (s_i * fail_j) * gap
    else:
        rr = r[:, :, None]
        half = 0.5 * d
        low = np.power(np.subtract(0.5, half), rr)  # (½ − ½d)^r
        high = np.power(np.add(half, 0.5, out=half), rr)  # (½ + ½d)^r
        gap = np.subtract(high, low, out=high)
        gap *= 4.0  # U^s − U^f
        low *= -4.0
        low += (2.0 - q * (2.0 - 4.0 * np.power(0.5, r)))[:, :, None]  # U^s − Q U^sq
        base = low
        own = base - (s_j * (1.0 - prob)) * gap
        if need_perc:
            perc = base - (s_i * fail_j) * gap
    if q < 1.0:
        # U^b / U^w of the challenger: for E_own the challenger is i (row), for E_perc it is j.
        span_i = 0.25 * (dmu[:, :, None] + d)
        if r is None:
            ub_i, uw_i = 4.0 * span_i, -4.0 * span_i
        else:
            rr = r[:, :, None]
            ub_i, uw_i = _pow_half(0.5 - span_i, rr), _pow_half(0.5 + span_i, rr)
        own = own - (1.0 - q) * (t * ub_i + (1.0 - t) * uw_i)
        if perc is not None:
            span_j = 0.25 * (dmu[:, None, :] + d)
            if r is None:
                ub_j, uw_j = 4.0 * span_j, -4.0 * span_j
            else:
                ub_j, uw_j = _pow_half(0.5 - span_j, rr), _pow_half(0.5 + span_j, rr)
            perc = perc - (1.0 - q) * (t * ub_j + (1.0 - t) * uw_j)
    return own, perc


def risk_exponents(own_r1: FloatArray, active: BoolArray) -> FloatArray:
    """``r`` (B, n) from the danger levels under ``r = 1`` (SCS §5, BdM's ``R_i``).

    ``S_i = Σ_{j active, j≠i} E_j(ΔU_ji)``; ``R_i`` rescales ``S`` to [−1, 1] between the
    least and most endangered *active* actors; ``r_i = (1 − R_i/3)/(1 + R_i/3)``. If all
    dangers are equal, ``R = 0`` and ``r = 1``.
    """
    n = own_r1.shape[1]
    off_diag = ~np.eye(n, dtype=bool)
    challenger = active[:, :, None] & off_diag  # [b, j, i]: j may challenge i
    danger = np.where(challenger, own_r1, 0.0).sum(axis=1)  # S_i
    return risk_from_danger(danger, active)


def danger_risk_neutral(
    d: FloatArray, s: FloatArray, prob: FloatArray, active: BoolArray
) -> FloatArray:
    """``S_i`` (B, n) in closed form when ``r = 1`` and ``Q = 1`` (the default path).

    ``E^j(ΔU_ji) = 2 d_ij (1 − 2 s_i (1 − P_ji)) = 2 d_ij (1 − 2 s_i P_ij)``, so
    ``S_i = 2 (Σ_j a_j d_ij − 2 s_i Σ_j a_j d_ij P_ij)`` with ``a_j`` = 1 for active
    challengers (``d_ii = 0`` drops ``j = i``): two matrix-vector products instead of a full
    (B, n, n) evaluation of equation (3).
    """
    act = active.astype(np.float64)[:, :, None]
    spread = np.matmul(d, act)[:, :, 0]
    won = np.matmul(d * prob, act)[:, :, 0]
    return np.asarray(2.0 * (spread - 2.0 * s * won))


def risk_from_danger(danger: FloatArray, active: BoolArray) -> FloatArray:
    """``r`` (B, n) from danger levels ``S`` (B, n): SCS §5's ``R_i`` and BdM's exponent."""
    hi = np.where(active, danger, -np.inf).max(axis=1, keepdims=True)
    lo = np.where(active, danger, np.inf).min(axis=1, keepdims=True)
    none = ~active.any(axis=1, keepdims=True)
    hi = np.where(none, 0.0, hi)
    lo = np.where(none, 0.0, lo)
    spread = hi - lo
    ok = spread > _EPS
    big_r = np.where(ok, (2.0 * danger - hi - lo) / np.where(ok, spread, 1.0), 0.0)
    big_r = np.clip(big_r, -1.0, 1.0)
    return np.asarray(risk_from_attitude(big_r))


def risk_from_attitude(big_r: FloatArray) -> FloatArray:
    """BdM's map from risk attitude ``R ∈ [−1, 1]`` to exponent ``r = (1 − R/3)/(1 + R/3)``."""
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


def choose_moves(
    x: FloatArray,
    toward: FloatArray,
    own: FloatArray,
    challenger_eu: FloatArray,
    eligible: BoolArray,
    least_move: bool,
    capitulation: bool = True,
    tie_least_move: bool = False,
) -> FloatArray:
    """New positions (B, n) after every actor accepts its best offer (SCS §6).

    ``toward[b, i, j] = x_j − x_i``; ``own[i, j] = a``, ``challenger_eu[i, j] = e`` as in the
    module docstring; ``eligible[i, j]``: ``j`` is active and ``x_j ≠ x_i``. An offer from ``j``
    to ``i`` exists if it is eligible, ``e > 0`` and ``a < e``; it moves ``i`` the fraction 1
    (conflict lost, capitulation) or ``|a|/e`` (compromise) towards ``x_j``. Expected utilities
    within ``_EPS`` of zero or of each other count as equal: the table is discontinuous at
    ``a = 0`` and rounding residue must not decide (the result would depend on actor order).
    Offers tied on the acceptance rule's score are averaged; with ``tie_least_move`` (and
    the most credible offer) the least move among them is taken first (BdM's tie rule).
    """
    # Masked selects (np.where, putmask) on unpredictable masks are ~10x slower than
    # arithmetic here, so masks are applied by multiplying with booleans.
    limit = challenger_eu - _EPS
    valid = challenger_eu > _EPS
    valid &= own < limit
    valid &= eligible
    # A lost conflict (a > 0) or a capitulation (a < 0, |a| >= e) moves i all the way to x_j.
    full = own <= np.negative(limit, out=limit)  # −a >= e (within _EPS)
    if not capitulation:  # drop the capitulation region (a < 0, |a| >= e)
        valid &= ~(full & (own < -_EPS))
    full |= own > _EPS
    # Fraction of the way to x_j: 1 for a lost conflict or a capitulation, |a|/e for a
    # compromise (finite everywhere; invalid entries are discarded below).
    frac = np.abs(own)
    frac /= np.maximum(challenger_eu, _EPS)
    np.minimum(frac, 1.0, out=frac)
    np.maximum(frac, full, out=frac)
    # Best offer by the acceptance rule (score: how far i moves, or minus the proposer's e).
    score = np.abs(toward) * frac if least_move else -challenger_eu
    score += (~valid) * _NO_OFFER
    best = _min_last_axis(score)[:, :, None]
    tied = score <= best + 1e-12 * (1.0 + np.abs(best))
    tied &= valid
    if tie_least_move and not least_move:  # BdM: among equally credible offers, the least move
        move = np.abs(toward) * frac
        move += (~tied) * _NO_OFFER
        least = _min_last_axis(move)[:, :, None]
        tied &= move <= least + 1e-12 * (1.0 + least)
    return _land(x, frac, tied)


def _land(x: FloatArray, frac: FloatArray, tied: BoolArray) -> FloatArray:
    """New positions (B, n): the mean of the points ``(1 − f_ij) x_i + f_ij x_j`` of the
    offers ``tied[b, i, j]`` that ``i`` accepts; ``x_i`` where it accepts none.

    Exact ties are averaged, so the result does not depend on the order of the actors (equal
    and opposite offers cancel out). The arithmetic is arranged so that a full move lands
    *exactly* on the proposer's position (``0 · x_i + 1 · x_j``, where ``x_i + (x_j − x_i)``
    can miss it by one ulp) and several offers to one point land exactly on it (their mean
    is taken relative to the lowest accepted point). Actors that meet then coincide bitwise, and
    the structural tie they create — two challengers at one position make equally credible
    offers to a third (``e`` depends on the challenger only through its position) — is seen
    as a tie. Missed by an ulp it was not: ``(½ − ½ d)^r`` with ``r < 1`` has an infinite
    slope at ``d = 1``, which turned a 1-ulp difference in ``d`` into 5e-8 in ``e``, and which
    offer won then depended on rounding (and on the direction of the scale: a reflected issue
    did not give the reflected forecast).
    """
    target = x[:, None, :] * frac
    target += x[:, :, None] * (1.0 - frac)
    ones = np.ones(tied.shape[2])
    count = tied @ ones  # matmul sums the short last axis ~3x faster than .sum
    # np.where here measured faster than masking by arithmetic (0.86 against 1.68 ms a chunk).
    low = _min_last_axis(np.where(tied, target, np.inf))
    low = np.where(count > 0.0, low, x)
    target -= low[:, :, None]
    target *= tied
    return np.asarray(low + (target @ ones) / np.maximum(count, 1.0))


def choose_by_type(
    x: FloatArray,
    toward: FloatArray,
    own: FloatArray,
    challenger_eu: FloatArray,
    eligible: BoolArray,
    capitulation: bool,
) -> FloatArray:
    """New positions (B, n) under the order of offer types of SCS's code (``acceptance = 2``).

    As ported by jmckib/bdm-scholz-expected-utility-model: a receiver that has lost a
    confrontation (``e > a > 0``) moves to the nearest such challenger; otherwise, among
    compromises (``e > 0 > a``, ``e > |a|``) it takes the one whose weighted-average point
    ``(|a| x_i + e x_j) / (|a| + e)`` is *lowest* on the scale and moves ``|a|/e`` of the way
    to ``x_j``; otherwise, if ``capitulation``, it capitulates to the nearest proposer. (SCS's
    code tests a capitulation condition that never holds: ``capitulation = 0``.) Exact ties
    are averaged, as in :func:`choose_moves`.
    """
    a, e = own, challenger_eu
    lost = eligible & (e > a + _EPS) & (a > _EPS)
    gives = eligible & (e > _EPS) & (a < -_EPS)
    compromise = gives & (e > -a + _EPS)
    capitulate = gives & ~compromise if capitulation else np.zeros_like(gives)
    dist = np.abs(toward)
    # The three types are disjoint: a compromise moves |a|/e of the way, the others all of it.
    frac = np.where(compromise, np.minimum(np.abs(a) / np.maximum(e, _EPS), 1.0), 1.0)
    key = (np.abs(a) * x[:, :, None] + e * x[:, None, :]) / np.maximum(np.abs(a) + e, _EPS)
    chosen = np.zeros_like(eligible)
    decided = np.zeros(x.shape, dtype=bool)
    for mask, score in ((lost, dist), (compromise, key), (capitulate, dist)):
        masked = np.where(mask, score, _NO_OFFER)
        best = masked.min(axis=2, keepdims=True)
        tied = mask & (masked <= best + 1e-12 * (1.0 + np.abs(best)))
        take = tied.any(axis=2) & ~decided
        chosen |= tied & take[:, :, None]
        decided |= take
    return _land(x, frac, chosen)


def _min_last_axis(a: FloatArray) -> FloatArray:
    """``a.min(axis=2)`` for a (B, n, n) array as n elementwise minima: numpy's reduction
    along a short last axis is several times slower than n contiguous-length passes."""
    best = a[:, :, 0].copy()
    for j in range(1, a.shape[2]):
        np.minimum(best, a[:, :, j], out=best)
    return best


def _reference_point(x: FloatArray, w: FloatArray, use_mean: bool) -> FloatArray:
    """``μ`` (B,): weighted median (default) or weighted mean of the current positions."""
    total = w.sum(axis=1)
    if use_mean:
        safe = np.where(total > 0, total, 1.0)
        return np.asarray(np.where(total > 0, (w * x).sum(axis=1) / safe, x.mean(axis=1)))
    median = weighted_median(x[:, :, None], w[:, :, None], x.mean(axis=1)[:, None])
    return np.asarray(median[:, 0])


def run_issue(
    x0: FloatArray,
    salience: FloatArray,
    weight: FloatArray,
    scenario_r: FloatArray,
    p: Mapping[str, float],
) -> tuple[FloatArray, IntArray, BoolArray]:
    """Run the EUM on one issue. Returns trajectory (B, R+1, n), rounds (B,), converged (B,).

    ``x0`` (B, n) positions as fractions of the distance scale, ``salience`` and ``weight``
    (``c s``) (B, n), ``scenario_r`` (B, n) risk exponents fixed by the scenario (NaN = estimate).
    Rows that have converged are frozen; the loop stops when all have converged.
    """
    b = x0.shape[0]
    q, t, tol = float(p["Q"]), float(p["T"]), float(p["tol"])
    max_rounds = int(p["max_rounds"])
    active = weight > 0.0
    fixed_r = np.isfinite(scenario_r)
    x = x0.copy()
    traj = [x0.copy()]
    rounds = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    work = np.empty((b, x0.shape[1] * (x0.shape[1] - 1) // 2, x0.shape[1]))
    all_pairs = p["probability"] == 1.0
    vote_risk = p["vote_risk"] == 1.0
    general = all_pairs or vote_risk
    for step in range(1, max_rounds + 1):
        toward = x[:, None, :] - x[:, :, None]  # x_j − x_i
        d = np.abs(toward)
        # Utilities saturate at distance 1: with distance_scale = 1 a powerless actor can sit
        # beyond the scale, and moves (interpolations) can overshoot it by a rounding error
        # (1 + 2e-16 seen with 200 actors), which would make (½ − ½d)^r NaN.
        d_u = np.minimum(d, 1.0)
        if general:  # votes of the risk pass are linear (every r = 1)
            prob = vote_probability(d_u, weight, None, all_pairs)
        else:
            prob = win_probability(x, weight, d, work)
        dmu = np.zeros_like(x)
        if q < 1.0:
            mu = _reference_point(x, weight, p["mu"] == 1.0)
            dmu = np.minimum(np.abs(x - mu[:, None]), 1.0)
        if p["endogenous_risk"] == 1.0 and q == 1.0 and not all_pairs:
            r = risk_from_danger(danger_risk_neutral(d_u, salience, prob, active), active)
        elif p["endogenous_risk"] == 1.0:
            own1, _ = expected_utilities(d_u, dmu, salience, prob, None, q, t, need_perc=False)
            r = risk_exponents(own1, active)
        else:
            r = np.ones_like(x)
        r = np.where(fixed_r, scenario_r, r)
        own_perspective = p["perspective"] == 1.0
        if vote_risk:  # SCS's code: each voter weighs distances with its own exponent
            prob = vote_probability(d_u, weight, r, all_pairs)
        own, perc = expected_utilities(
            d_u, dmu, salience, prob, r, q, t, not own_perspective, complementary=not all_pairs
        )
        challenger_eu = np.swapaxes(own, 1, 2) if own_perspective or perc is None else perc
        eligible = d > tol
        eligible &= active[:, None, :]
        if p["acceptance"] == 2.0:
            new = choose_by_type(x, toward, own, challenger_eu, eligible, p["capitulation"] == 1.0)
        else:
            new = choose_moves(
                x,
                toward,
                own,
                challenger_eu,
                eligible,
                p["acceptance"] == 0.0,
                p["capitulation"] == 1.0,
                p["acceptance"] == 3.0,
            )
        # The run goes on while an influential actor moves: a powerless one that is still being
        # moved must not keep it going (the others would creep on below tol and could tip a
        # choice: it would move them after all).
        moved = np.abs(new - x)
        moved *= active
        changed = moved.max(axis=1) > tol
        changed &= ~converged
        x = np.where(changed[:, None], new, x)
        rounds = np.where(changed, step, rounds)
        converged |= ~changed
        traj.append(x.copy())
        if converged.all():
            break
    return np.stack(traj, axis=1), rounds, converged


def _check(p: Mapping[str, float]) -> None:
    problems = []
    for key in ("Q", "T"):
        if not 0.0 <= p[key] <= 1.0:
            problems.append(Located("must lie in [0, 1]", field=f"eum.{key}"))
    if not (p["max_rounds"] >= 0 and float(p["max_rounds"]).is_integer()):
        problems.append(Located("must be a whole number >= 0", field="eum.max_rounds"))
    if not p["tol"] >= 0:
        problems.append(Located("must be >= 0", field="eum.tol"))
    for key in _FLAGS:
        if p[key] not in (0.0, 1.0):
            problems.append(Located("must be 0 or 1", field=f"eum.{key}"))
    if p["acceptance"] not in _ACCEPTANCE:
        problems.append(Located("must be 0, 1, 2 or 3", field="eum.acceptance"))
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class ExpectedUtility:
    """Bueno de Mesquita's expected utility model (dynamic), per Scholz et al. (2011)."""

    name: str = "eum"
    label: str = "Expected utility (Bueno de Mesquita 1994; Scholz et al. 2011)"
    dynamic: bool = True

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        """Forecast every issue; deterministic, so ``rng`` is accepted and unused."""
        p = resolve_params(self.name, params, DEFAULTS)
        _check(p)
        validate_problem(problem, self.name)
        b, n, k = problem.position.shape
        weights = influence_weights(problem)
        scenario_r = np.full((b, n), np.nan)
        if p["scenario_risk"] == 1.0:
            scenario_r = risk_from_attitude(np.clip(problem.risk, -1.0, 1.0))
        # Positions of every round, written chunk by chunk into one preallocated array (a row
        # that stopped early repeats its last round); trimmed to the longest run at the end.
        full = np.empty((b, int(p["max_rounds"]) + 1, n, k))
        rounds = np.zeros(b, dtype=np.int64)
        converged = np.ones(b, dtype=bool)
        for issue in range(k):
            lower, upper = float(problem.lower[issue]), float(problem.upper[issue])
            pos = problem.position[:, :, issue]
            origin = np.full((b, 1), lower)
            if p["distance_scale"] == 1.0:
                # Spread of the influential actors only (a powerless actor must not matter),
                # measured from the lowest of them, so that the two extremes sit at exactly 0
                # and 1 (d = 1 bitwise, in the issue and in its mirror image alike: (½ − ½d)^r
                # with r < 1 turns a rounding error δ in d into √δ in utility).
                act = weights[:, :, issue] > 0
                low = np.where(act, pos, np.inf).min(axis=1)
                spread = np.where(act, pos, -np.inf).max(axis=1) - low
                wide = np.isfinite(spread) & (spread > 0)
                scale = np.where(wide, spread, upper - lower)[:, None]
                origin = np.where(wide, low, lower)[:, None]
            else:
                scale = np.full((b, 1), upper - lower)
            x0 = (pos - origin) / scale
            step = chunk_rows(n)
            for lo in range(0, b, step):
                rows = slice(lo, lo + step)
                traj, chunk_rounds, chunk_converged = run_issue(
                    x0[rows],
                    problem.salience[rows, :, issue],
                    weights[rows, :, issue],
                    scenario_r[rows],
                    p,
                )
                ran = traj.shape[1]
                full[rows, :ran, :, issue] = traj
                full[rows, ran:, :, issue] = traj[:, -1:]
                np.maximum(rounds[rows], chunk_rounds, out=rounds[rows])
                converged[rows] &= chunk_converged
            # Back to issue units; moves are interpolations, so clipping only removes rounding.
            view = full[:, :, :, issue]
            view *= scale[:, None, :]
            view += origin[:, None, :]
            np.clip(view, lower, upper, out=view)
        length = int(rounds.max(initial=0)) + 1
        trajectory = full if length == full.shape[1] else full[:, :length].copy()
        outcome = weighted_median(trajectory[:, -1], weights, problem.status_quo)
        return Forecast(
            model=self.name,
            actor_ids=problem.actor_ids,
            issue_ids=problem.issue_ids,
            outcome=outcome,
            trajectory=trajectory,
            rounds=rounds,
            converged=converged,
        )


MODEL = ExpectedUtility()
