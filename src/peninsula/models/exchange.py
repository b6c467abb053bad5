"""Exchange model of issue linkage: actors trade votes across issues (equal-gain exchanges).

Every other model here bargains one issue at a time. The exchange model (Stokman & Van Oosten
1994, "The exchange of voting positions: an object-oriented model of policy networks", ch. 5
(pp. 105–128) of Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*,
Yale UP; restated in Arregui, Stokman & Thomson 2006, "Compromise, exchange and challenge in
the European Union", in Thomson et al. (eds.), *The European Union Decides*, Cambridge UP)
lets two actors who disagree on two issues, and care about them in different proportions, each
give ground on the issue that matters less to them in return for the other giving ground on
the issue that matters more: a package deal such as "freeze for sanctions relief".

The model, step by step (equation numbers are ours; positions are rescaled to 0–100 per issue,
as in Stokman & Van Oosten and in the ``decide`` implementation, so gains are comparable):

1. **Forecast** per issue ``d``: the capability × salience weighted mean of the voting
   positions (Stokman & Van Oosten's "expected outcome"; the compromise model's point)::

       O_d = Σ_i c_i s_id x_id / W_d,     W_d = Σ_i c_i s_id                          (1)

   Moving actor ``i`` by ``Δx`` on ``d`` therefore shifts the outcome by
   ``Δo = c_i s_id Δx / W_d`` (2).

2. **Candidates**: for every issue pair ``(p, q)`` and every two actors ``i, j`` who stand on
   opposite sides of the outcome on *both* issues (an actor at ``x ≤ O`` is "left", as in
   ``decide``). Only such pairs can both gain by moving towards each other.

3. **Roles**: each concedes ("supplies") on the issue it cares relatively less about. ``i``
   supplies ``p`` and demands ``q`` when ``s_ip / s_iq < s_jp / s_jq`` (cross-multiplied below);
   otherwise ``i`` supplies ``q``. Call ``u`` the supplier on ``p`` and ``v`` the one on ``q``.

4. **Equal-gain rate** (Stokman & Van Oosten's equal-gain solution). With utility linear in the
   distance to the outcome, weighted by salience, the gains are::

       g_u = s_uq Δo_q − s_up Δo_p,      g_v = s_vp Δo_p − s_vq Δo_q                  (3)

   and ``g_u = g_v`` fixes the exchange rate::

       Δo_q / Δo_p = r = (s_up + s_vp) / (s_uq + s_vq)                                (4)

   so ``g = Δo_p (s_uq s_vp − s_up s_vq) / (s_uq + s_vq)``, positive exactly when the roles of
   step 3 hold. The *random-rate* variant (parameter ``random_rate = ρ``; Stokman & Van
   Oosten's random-rate solution; ``decide``'s ``randomized_value``) draws the rate between
   the two break-even rates ``r_u = s_up / s_uq`` (all gain to ``v``) and ``r_v = s_vp / s_vq``
   (all gain to ``u``): ``r = (1 − ρ) r_eq + ρ (r_u + U (r_v − r_u))`` with ``U ~ U(0, 1)``
   from the caller's ``numpy.random.Generator``, one draw per candidate per round.

5. **Size** of the exchange: as large as the published constraints allow, i.e. the outcome
   shift ``Δo_p`` is the smallest of (each term on ``p``, or the ``q`` term divided by ``r``)

   - *no overshooting the partner*: ``u`` moves at most to ``v``'s position on ``p``,
     ``Δo_p ≤ c_u s_up |x_vp − y_up| / W_p``, and likewise for ``v`` on ``q`` (5a);
   - *no pushing the forecast past the demander*: the outcome on ``p`` moves at most to
     ``v``'s position, ``Δo_p ≤ (x_vp − O_p)·dir``, and likewise on ``q`` (5b);
   - *one direction only*: within a round an actor's moves on an issue all go the same way,
     towards the side of its partners; a candidate whose supplier has already reached or
     passed the demander's position is dropped (5c).

   Then ``Δx_u = Δo_p W_p / (c_u s_up)`` (inverse of (2)) and the same on ``q``.

6. **Greedy realisation** with recalculation: the candidate with the highest gain is realised
   (ties: lowest candidate index, i.e. issue pair then actor pair in input order), the two
   suppliers' voting positions and the two outcomes are updated, every remaining candidate is
   recomputed against the new voting positions and outcomes, candidates that became infeasible
   are dropped for the rest of the round, and the next best is realised, until none is left.

7. **New starting positions** between rounds (``decide``'s rule, after Stokman & Van Oosten):
   an actor who voted ``y`` on an issue where it started the round at ``x`` starts the next
   round at ``x + ((1 − s)·a + b)(y − x)`` with ``a = 0.4`` (``salience_weight``) and
   ``b = 0.1`` (``fixed_weight``): actors internalise more of a concession on issues they care
   little about. Rounds repeat until a round realises no exchange, the outcome moves less than
   ``tolerance`` (scale points on 0–100), or ``max_rounds``.

Our choices where the sources leave room (each documented in
``docs/explanation/model-exchange.md``):

- The forecast of a round is the weighted mean of the *voting* positions at the end of the
  round (``decide`` reports the same); ``trajectory[:, r]`` holds those voting positions.
- Constraint (5b) is checked against the current outcome including *every* exchange realised
  so far in the round, and blocks a move once the outcome has reached the demander. ``decide``
  (``AbstractExchangeActor.check_nbs`` in ``decide/model/base.py``) checks it against an
  outcome that only includes moves made towards the same demander, lets a move through from an
  outcome already at the demander, sizes a move that would cross the demander from the
  supplier's first recorded position towards it (``adjusted_nbs_by_position`` in
  ``decide/model/calculations.py``), and drops an exchange whose moves, before or after that
  check, break its ``is_move_valid`` (the signed sum of the supplier's successive candidate
  moves above 100, or a voting position outside 0–100). ``decide_bookkeeping=1`` reproduces
  those behaviours and decide's tie order (below), and with it our forecasts, voting positions
  and realised exchanges match decide's to 1e-9 on every golden input and on COP21
  (``tests/models/test_exchange_decide.py``); it is not the default.
- Comparisons that are exact in real arithmetic are made to 1e-9 (``AT_OUTCOME``,
  ``_AT_DEMANDER``): with whole-number inputs an actor often sits exactly at the outcome or an
  outcome exactly at a demander, and which side a float (or decide's ``Decimal``) sum lands on
  must not decide the verdict. ``tools/decide/run_decide.py`` drives decide the same way.
- Ties between gains (equal to 1e-12, relative) go to the first candidate in input order; with
  ``decide_bookkeeping=1``, gains equal to ``DECIDE_TIE_DECIMALS`` decimals go to the first in
  the order decide creates its exchanges (:func:`_decide_order`).
- A candidate dropped as infeasible stays dropped for the round (as in ``decide``); this also
  bounds a round to at most one step per candidate.
- The random-rate variant orders candidates by the smaller of the two gains.
- Actors with zero capability × salience on an issue (excluded by a policy, or silent on the
  issue) take no part in exchanges involving it.
- Issues are linked, so unlike every other model this one must see all issues at once
  (``ExchangeModel.links_issues``; the ensemble honours it).

Externalities (van Assen, Stokman & van Oosten 2003, "Conflict measures in cooperative
exchange models of collective decision-making", *Rationality and Society* 15(1): 85–112): each
realised exchange moves two outcomes, so every actor ``t`` gains or loses
``Σ_d s_td (|O_d − x_td| − |O'_d − x_td|)`` measured from its round-start position, with
``O`` and ``O'`` the outcomes before and after the exchange. :class:`ExchangeResult` stores it
for every actor and every realised exchange.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from peninsula.errors import InputError, Located
from peninsula.models.base import (
    ROUNDS_PARAM,
    Forecast,
    IntArray,
    ensure_rng,
    influence_weights,
    resolve_params,
    stack_forecasts,
    validate_problem,
    weighted_mean,
)
from peninsula.problem import BargainingProblem, BoolArray, FloatArray

#: Positions are rescaled to this range per issue (Stokman & Van Oosten; ``decide``).
SCALE = 100.0
#: Moves and gains at or below this size count as no exchange (``decide``'s threshold).
NEGLIGIBLE = 1e-10
#: Rows per block in :meth:`ExchangeModel.run` (a speed setting only; rows are independent).
CHUNK = 256
#: Rows per block when the random-rate variant draws: its draws are made block by block and
#: round by round, so the block size is part of what a seed reproduces; kept at the size the
#: variant first shipped with, so seeded random-rate results do not change with CHUNK.
RANDOM_RATE_CHUNK = 64
#: A round's list of live (row, candidate) cells is compacted once fewer than this share live.
COMPACT = 0.5
#: Gains this close (relative) are a tie, broken by candidate order.
TIE = 1e-12
#: An actor this close to the outcome (0-100 points) counts as at it, so "left" (step 2): with
#: whole-number inputs an actor often sits exactly at the weighted mean, and which side the
#: float sum lands on must not decide whether it can trade.
AT_OUTCOME = 1e-9
#: An outcome this close to the demander's position counts as at it (decide bookkeeping only).
_AT_DEMANDER = 1e-9
#: decide bookkeeping only: gains equal to this many decimals are a tie (as in
#: ``tools/decide/run_decide.py``, which makes decide's own choice between ties deterministic).
DECIDE_TIE_DECIMALS = 10


@dataclass(frozen=True)
class ExchangeParams:
    """Parameters of the exchange model (defaults: ``decide``'s equal-gain model)."""

    max_rounds: int = 10
    salience_weight: float = 0.4
    fixed_weight: float = 0.1
    random_rate: float = 0.0
    tolerance: float = 1e-6
    #: 0: constraint (5b) against the current outcome (ours); 1: against ``decide``'s outcome,
    #: which only counts earlier moves made towards the same demander (for reproducing it).
    decide_bookkeeping: float = 0.0

    @classmethod
    def from_mapping(cls, model: str, params: Mapping[str, float] | None) -> ExchangeParams:
        defaults = {f.name: float(getattr(cls(), f.name)) for f in fields(cls)}
        merged = resolve_params(model, params, defaults)
        problems: list[Located] = []
        if merged["max_rounds"] < 1 or merged["max_rounds"] != int(merged["max_rounds"]):
            problems.append(Located(f"model {model}: max_rounds must be a whole number >= 1"))
        for name in ("salience_weight", "fixed_weight", "random_rate"):
            if not 0.0 <= merged[name] <= 1.0:
                problems.append(Located(f"model {model}: {name} must lie in [0, 1]"))
        if merged["salience_weight"] + merged["fixed_weight"] > 1.0:
            problems.append(Located(f"model {model}: salience_weight + fixed_weight must be <= 1"))
        if merged["decide_bookkeeping"] not in (0.0, 1.0):
            problems.append(Located(f"model {model}: decide_bookkeeping must be 0 or 1"))
        if merged["tolerance"] < 0:
            problems.append(Located(f"model {model}: tolerance must be >= 0"))
        if problems:
            raise InputError(problems)
        return cls(
            max_rounds=int(merged["max_rounds"]),
            salience_weight=merged["salience_weight"],
            fixed_weight=merged["fixed_weight"],
            random_rate=merged["random_rate"],
            tolerance=merged["tolerance"],
            decide_bookkeeping=merged["decide_bookkeeping"],
        )


DEFAULTS: dict[str, float] = {
    f.name: float(getattr(ExchangeParams(), f.name)) for f in fields(ExchangeParams)
}
assert ROUNDS_PARAM in DEFAULTS


@dataclass(frozen=True)
class Candidates:
    """The static candidate list: one entry per (issue pair, actor pair), ``E`` in all."""

    first: IntArray  # (E,) actor index a (a < b)
    second: IntArray  # (E,) actor index b
    issue_p: IntArray  # (E,) issue index p (p < q)
    issue_q: IntArray  # (E,) issue index q

    @classmethod
    def build(cls, n: int, k: int) -> Candidates:
        pairs = [
            (a, b, p, q) for p, q in combinations(range(k), 2) for a, b in combinations(range(n), 2)
        ]
        arr = np.array(pairs, dtype=np.int64).reshape(-1, 4)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])

    @property
    def size(self) -> int:
        return int(self.first.shape[0])


@dataclass(frozen=True)
class ExchangeResult:
    """Forecast plus every realised exchange, batch-first and padded to ``S`` exchanges.

    Per row ``count[b]`` exchanges were realised, in order; entries past it are padding
    (indices ``-1``, numbers ``NaN``). Positions and outcomes are in issue units; gains are
    salience × scale points on the 0–100 scale (the unit of Stokman & Van Oosten and ``decide``).

    Attributes:
        forecast: the :class:`Forecast` (outcome and voting positions per round).
        count: ``(B,)`` realised exchanges per row.
        round: ``(B, S)`` round (1-based) in which each exchange was realised.
        supplier_p, supplier_q: ``(B, S)`` actor conceding on ``issue_p`` / on ``issue_q``.
        issue_p, issue_q: ``(B, S)`` the two issues of the exchange.
        from_p, to_p: ``(B, S)`` the ``issue_p`` supplier's voting position before and after.
        from_q, to_q: ``(B, S)`` the same for the ``issue_q`` supplier.
        shift_p, shift_q: ``(B, S)`` signed outcome shifts on the two issues (issue units).
        gain_p, gain_q: ``(B, S)`` utility gain of the ``issue_p`` / ``issue_q`` supplier.
        rate: ``(B, S)`` exchange rate ``Δo_q / Δo_p`` in 0–100 scale points.
        outcome_before_p, outcome_before_q: ``(B, S)`` the two outcomes just before the exchange.
        externality: ``(B, S, n)`` every actor's utility change from the exchange (parties too).
    """

    forecast: Forecast
    count: IntArray
    round: IntArray
    supplier_p: IntArray
    supplier_q: IntArray
    issue_p: IntArray
    issue_q: IntArray
    from_p: FloatArray
    to_p: FloatArray
    from_q: FloatArray
    to_q: FloatArray
    shift_p: FloatArray
    shift_q: FloatArray
    gain_p: FloatArray
    gain_q: FloatArray
    rate: FloatArray
    outcome_before_p: FloatArray
    outcome_before_q: FloatArray
    externality: FloatArray


def _gather(values: FloatArray, actor: IntArray, issue: IntArray, k: int) -> FloatArray:
    """``values[b, actor[b, e], issue[b, e]]`` for ``(B, n, k)`` values and ``(B, E)`` indices."""
    b = values.shape[0]
    row = np.arange(b).reshape(b, *([1] * (actor.ndim - 1))) * (values.size // max(b, 1))
    # np.take on the flat array: the same as take_along_axis, a fraction of its overhead.
    out: FloatArray = np.take(values, row + actor * k + issue)
    return out


@dataclass
class _Round:
    """Per-round quantities of the candidates that do not change within the round."""

    alive: BoolArray  # (b, E)
    u: IntArray  # (b, E) supplier on p
    v: IntArray  # (b, E) supplier on q
    target_p: FloatArray  # (b, E) v's round-start position on p (u moves towards it)
    target_q: FloatArray  # (b, E) u's round-start position on q
    dir_p: FloatArray  # (b, E) ±1: direction of u's move and of the outcome on p
    dir_q: FloatArray
    lever_p: FloatArray  # (b, E) c_u s_up / W_p: outcome shift per unit move of u
    lever_q: FloatArray
    rate: FloatArray  # (b, E) Δo_q / Δo_p
    s_up: FloatArray
    s_uq: FloatArray
    s_vp: FloatArray
    s_vq: FloatArray
    start_up: FloatArray  # (b, E) u's round-start position on p
    start_vq: FloatArray


def _setup_round(
    x: FloatArray,
    outcome: FloatArray,
    salience: FloatArray,
    weight: FloatArray,
    cand: Candidates,
    random_rate: float,
    rng: np.random.Generator,
    restrict: bool = True,
) -> tuple[_Round, Candidates]:
    """Steps 2–4 for a batch of rows at the start of a round (``x``: round-start positions).

    With ``restrict`` only the candidates on opposite sides in some row are kept (step 2
    leaves about a third of them), and the returned :class:`Candidates` is that subset.
    """
    total = weight.sum(axis=1)  # (b, k)
    lever = weight / np.where(total > 0, total, 1.0)[:, None, :]  # (2): Δo per unit move
    a_, b_, p, q = cand.first, cand.second, cand.issue_p, cand.issue_q
    o_p, o_q = outcome[:, p], outcome[:, q]
    # Step 2: opposite sides of the outcome on both issues (x <= O is "left", as in decide,
    # to rounding: an actor exactly at the outcome stays left however the sum rounds), and
    # both actors with weight on both issues.
    o_p, o_q = o_p + AT_OUTCOME, o_q + AT_OUTCOME
    alive = ((x[:, a_, p] <= o_p) != (x[:, b_, p] <= o_p)) & (
        (x[:, a_, q] <= o_q) != (x[:, b_, q] <= o_q)
    )
    alive &= (lever[:, a_, p] > 0) & (lever[:, a_, q] > 0)
    alive &= (lever[:, b_, p] > 0) & (lever[:, b_, q] > 0)
    # The random rate's draws are made for every candidate, so a row's draws do not depend on
    # which candidates the other rows of the batch keep.
    draw = rng.random(alive.shape) if random_rate > 0 else None
    if restrict:
        keep = np.flatnonzero(alive.any(axis=0))
        cand = Candidates(a_[keep], b_[keep], p[keep], q[keep])
        a_, b_, p, q = cand.first, cand.second, cand.issue_p, cand.issue_q
        alive = alive[:, keep]
        draw = None if draw is None else draw[:, keep]
    # Step 3: a supplies p when s_ap / s_aq < s_bp / s_bq (cross-multiplied; saliences > 0).
    a_supplies_p = salience[:, a_, p] * salience[:, b_, q] < salience[:, b_, p] * salience[:, a_, q]
    u = np.where(a_supplies_p, a_, b_).astype(np.int64)
    v = np.where(a_supplies_p, b_, a_).astype(np.int64)
    # One gather per (supplier, issue) fetches position, lever and salience together.
    values = np.stack([x, lever, salience], axis=-1).reshape(-1, 3)  # (b·n·k, 3)
    base = np.arange(x.shape[0])[:, None] * (x.shape[1] * x.shape[2])
    at_u, at_v = base + u * x.shape[2], base + v * x.shape[2]
    up, uq, vp, vq = (
        np.take(values, at, axis=0) for at in (at_u + p, at_u + q, at_v + p, at_v + q)
    )
    target_p, target_q = vp[..., 0], uq[..., 0]
    dir_p = np.sign(target_p - up[..., 0])
    dir_q = np.sign(target_q - vq[..., 0])
    lever_p, lever_q = up[..., 1], vq[..., 1]
    s_up, s_uq, s_vp, s_vq = up[..., 2], uq[..., 2], vp[..., 2], vq[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (s_up + s_vp) / (s_uq + s_vq)  # (4)
        if draw is not None:
            r_u = s_up / s_uq  # u breaks even
            r_v = s_vp / s_vq  # v breaks even
            rate = (1 - random_rate) * rate + random_rate * (r_u + draw * (r_v - r_u))
    alive &= np.isfinite(rate) & (rate > 0)
    return _Round(
        alive=alive,
        u=u,
        v=v,
        target_p=target_p,
        target_q=target_q,
        dir_p=dir_p,
        dir_q=dir_q,
        lever_p=lever_p,
        lever_q=lever_q,
        rate=np.where(alive, rate, 1.0),
        s_up=s_up,
        s_uq=s_uq,
        s_vp=s_vp,
        s_vq=s_vq,
        start_up=up[..., 0],
        start_vq=vq[..., 0],
    ), cand


@dataclass
class _Demanders:
    """``decide``'s bookkeeping of constraint (5b), for reproducing it (``decide_bookkeeping=1``).

    ``decide`` checks (5b) for "u supplies p to v" against the round-start outcome moved only by
    ``u``'s own current position and by the first recorded position of every other actor that
    conceded on ``p`` *to v* earlier in the round. ``shift[b, v, p]`` sums those recorded moves'
    outcome shifts; ``recorded[b, v, p, m]`` is ``m``'s recorded position (NaN: none).
    """

    start: FloatArray  # (b, k) round-start outcome
    shift: FloatArray  # (b, n, k)
    recorded: FloatArray  # (b, n, k, n)
    #: ``(b, E)`` sum of the candidate moves decide keeps in each side's move list: it keeps the
    #: old candidate move whenever the side's supplier concedes on the same issue elsewhere, and
    #: drops the exchange once that signed sum exceeds 100 (its ``is_move_valid``).
    history_u: FloatArray
    history_v: FloatArray

    def basis(
        self,
        actor: IntArray,
        demander: IntArray,
        issue: IntArray,
        y_actor: FloatArray,
        start_actor: FloatArray,
        lever: FloatArray,
        k: int,
        n: int,
    ) -> tuple[FloatArray, FloatArray]:
        """decide's two outcomes for checking (5b), as ``(current, recorded)``.

        ``current`` counts ``actor`` at its current position (decide's ``adjust_nbs``, which
        decides *whether* the move crosses the demander); ``recorded`` counts it at its own
        first recorded position towards this demander if it has one (decide's
        ``adjusted_nbs_by_position`` applies the recorded positions after the actor's own, so
        its size of the move to the demander starts from there).
        """
        flat_shift = self.shift.reshape(self.shift.shape[0], -1)
        moved = np.take_along_axis(flat_shift, demander * k + issue, axis=1)
        flat_rec = self.recorded.reshape(self.recorded.shape[0], -1)
        own = np.take_along_axis(flat_rec, (demander * k + issue) * n + actor, axis=1)
        own_shift = np.where(np.isnan(own), 0.0, lever * (own - start_actor))
        at_issue = np.take_along_axis(self.start, issue, axis=1)
        current = at_issue + moved - own_shift + lever * (y_actor - start_actor)
        recorded = np.where(np.isnan(own), current, at_issue + moved)
        return current, recorded

    def record(
        self,
        rows: IntArray,
        mover: IntArray,
        demander: IntArray,
        issue: IntArray,
        position: FloatArray,
        start: FloatArray,
        lever: FloatArray,
    ) -> None:
        first = np.isnan(self.recorded[rows, demander, issue, mover])
        r, m, d, i = rows[first], mover[first], demander[first], issue[first]
        self.recorded[r, d, i, m] = position[first]
        self.shift[r, d, i] += lever[first] * (position[first] - start[first])

    def take(self, idx: NDArray[np.intp]) -> _Demanders:
        return _Demanders(
            self.start[idx],
            self.shift[idx],
            self.recorded[idx],
            self.history_u[idx],
            self.history_v[idx],
        )


def _decide_shift(
    rnd: _Round,
    demanders: _Demanders,
    cap: tuple[FloatArray, FloatArray],
    supplier_at: tuple[FloatArray, FloatArray],
    issues: tuple[IntArray, IntArray],
    k: int,
    n: int,
) -> tuple[FloatArray, BoolArray]:
    """Step 5 as ``decide`` sizes it (``decide_bookkeeping=1``), in units of ``Δo_p``.

    decide first sizes the exchange by (5a) (``EqualGainExchange.calculate``), then checks
    (5b) side by side, the supplier of ``q`` first (its exchange's ``i``), then the supplier of
    ``p`` (``AbstractExchangeActor.check_nbs``, ``decide/model/base.py``): a side's move is
    resized only when the demander lies strictly beyond the outcome before the move and
    strictly before the outcome after it; from an outcome already at or past the demander the
    move goes through unchanged. The new size brings the outcome to the demander, counting the
    supplier at its recorded position when it has one (:meth:`_Demanders.basis`), so it can
    differ from the remaining distance. Reproduced here only; the default keeps (5b) binding.

    Returns the size and whether the moves as first sized (before 5b) pass decide's checks.
    """
    (cap_p, cap_q), (y_u, y_v), (pp, qq) = cap, supplier_at, issues
    shift = np.minimum(cap_p, cap_q / rnd.rate)
    # decide checks the moves so sized before it looks at (5b), and drops the exchange there.
    valid = _decide_moves_valid(rnd, demanders, shift, y_u, y_v)
    now_q, rec_q = demanders.basis(rnd.v, rnd.u, qq, y_v, rnd.start_vq, rnd.lever_q, k, n)
    slack_q = (rnd.target_q - now_q) * rnd.dir_q
    crosses = (slack_q > _AT_DEMANDER) & (rnd.rate * shift > slack_q + _AT_DEMANDER)
    shift = np.where(crosses, np.abs(rnd.target_q - rec_q) / rnd.rate, shift)
    now_p, rec_p = demanders.basis(rnd.u, rnd.v, pp, y_u, rnd.start_up, rnd.lever_p, k, n)
    slack_p = (rnd.target_p - now_p) * rnd.dir_p
    crosses = (slack_p > _AT_DEMANDER) & (shift > slack_p + _AT_DEMANDER)
    out: FloatArray = np.where(crosses, np.abs(rnd.target_p - rec_p), shift)
    return out, valid


def _decide_moves_valid(
    rnd: _Round, demanders: _Demanders, shift: FloatArray, y_u: FloatArray, y_v: FloatArray
) -> BoolArray:
    """decide's ``is_move_valid`` for both sides of moves of size ``shift`` (``Δo_p``).

    The signed sum of the moves decide keeps for the side (:class:`_Demanders`) stays at most
    100 and the voting position within [0, 100], both to rounding; the move itself and the
    gain exceed ``NEGLIGIBLE``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        signed_u = rnd.dir_p * shift / rnd.lever_p
        signed_v = rnd.dir_q * rnd.rate * shift / rnd.lever_q
    valid: BoolArray = (rnd.s_uq * rnd.rate - rnd.s_up) * shift > NEGLIGIBLE
    for history, start, signed in (
        (demanders.history_u, y_u, signed_u),
        (demanders.history_v, y_v, signed_v),
    ):
        after = start + signed
        valid &= (np.abs(signed) > NEGLIGIBLE) & (history + signed <= SCALE + _AT_DEMANDER)
        valid &= (after >= -_AT_DEMANDER) & (after <= SCALE + _AT_DEMANDER)
    return valid


def _evaluate(
    rnd: _Round,
    y: FloatArray,
    outcome: FloatArray,
    cand: Candidates,
    k: int,
    demanders: _Demanders | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    """Step 5 for every candidate: outcome shifts, gains and feasibility at the current state.

    Returns ``(shift_p, shift_q, gain_u, gain_v, key, feasible)`` (unsigned shifts).
    """
    pp = np.broadcast_to(cand.issue_p, rnd.u.shape)
    qq = np.broadcast_to(cand.issue_q, rnd.u.shape)
    y_u, y_v = _gather(y, rnd.u, pp, k), _gather(y, rnd.v, qq, k)
    room_p = (rnd.target_p - y_u) * rnd.dir_p  # (5c) must stay > 0
    room_q = (rnd.target_q - y_v) * rnd.dir_q
    cap_p = rnd.lever_p * room_p  # (5a)
    cap_q = rnd.lever_q * room_q
    if demanders is None:
        slack_p = (rnd.target_p - outcome[:, cand.issue_p]) * rnd.dir_p  # (5b)
        slack_q = (rnd.target_q - outcome[:, cand.issue_q]) * rnd.dir_q
        shift_p = np.minimum(np.minimum(cap_p, slack_p), np.minimum(cap_q, slack_q) / rnd.rate)
    else:
        shift_p, first_valid = _decide_shift(
            rnd, demanders, (cap_p, cap_q), (y_u, y_v), (pp, qq), k, y.shape[1]
        )
    shift_q = rnd.rate * shift_p
    gain_u = rnd.s_uq * shift_q - rnd.s_up * shift_p  # (3)
    gain_v = rnd.s_vp * shift_p - rnd.s_vq * shift_q
    with np.errstate(divide="ignore", invalid="ignore"):
        move_u = shift_p / rnd.lever_p
        move_v = shift_q / rnd.lever_q
    key = np.minimum(gain_u, gain_v)
    within = np.ones(key.shape, dtype=bool)
    if demanders is not None:
        within = first_valid & _decide_moves_valid(rnd, demanders, shift_p, y_u, y_v)
    feasible = (
        within
        & rnd.alive
        & (room_p > NEGLIGIBLE)
        & (room_q > NEGLIGIBLE)
        & (move_u > NEGLIGIBLE)
        & (move_v > NEGLIGIBLE)
        & (key > NEGLIGIBLE)
    )
    return shift_p, shift_q, gain_u, gain_v, key, feasible


def _new_start(x: FloatArray, y: FloatArray, salience: FloatArray, p: ExchangeParams) -> FloatArray:
    """Step 7: ``x + ((1 − s)·a + b)(y − x)``."""
    return x + ((1.0 - salience) * p.salience_weight + p.fixed_weight) * (y - x)


def run_exchange(
    problem: BargainingProblem,
    params: ExchangeParams | None = None,
    rng: np.random.Generator | None = None,
    name: str = "exchange",
    *,
    general: bool = False,
) -> ExchangeResult:
    """Run the exchange model on a batch; see the module docstring for every step.

    ``general`` forces the step-by-step reference path (:func:`_evaluate`) that the
    ``decide_bookkeeping`` mode uses; the default path (:func:`_round_fast`) computes the same
    numbers with fewer array operations per step, and a test holds the two equal.
    """
    params = params or ExchangeParams()
    forecast, records = _simulate(problem, params, ensure_rng(rng), name, general, describe=True)
    span = problem.upper - problem.lower
    return _collect(forecast, records, problem.batch_size, problem.n_actors, problem.lower, span)


def _simulate(
    problem: BargainingProblem,
    params: ExchangeParams,
    rng: np.random.Generator,
    name: str,
    general: bool,
    describe: bool,
) -> tuple[Forecast, list[dict[str, NDArray[np.generic]]]]:
    """The rounds of :func:`run_exchange`; with ``describe`` also each round's exchanges.

    Describing the exchanges (who, gains, every actor's externality) does not feed back into
    the rounds and draws nothing from ``rng``, so a forecast alone skips it (about a fifth of
    a Monte Carlo batch's time).
    """
    batch, n, k = problem.position.shape
    span = problem.upper - problem.lower
    x = (problem.position - problem.lower) / span * SCALE  # (B, n, k) round-start positions
    salience = problem.salience
    weight = influence_weights(problem)  # c·s, zero for excluded actors
    fallback = (problem.status_quo - problem.lower) / span * SCALE
    cand = Candidates.build(n, k)

    frames: list[FloatArray] = [x.copy()]
    rounds = np.zeros(batch, dtype=np.int64)
    converged = np.zeros(batch, dtype=bool)
    running = np.ones(batch, dtype=bool)
    last_outcome = weighted_mean(x, weight, fallback)
    records: list[dict[str, NDArray[np.generic]]] = []  # one per round

    for round_no in range(1, params.max_rounds + 1):
        rows = np.flatnonzero(running)
        y_all = frames[-1].copy()
        if rows.size == 0:
            break
        xr, wr, sr = x[rows], weight[rows], salience[rows]
        start_outcome = weighted_mean(xr, wr, fallback[rows])
        rnd, kept = _setup_round(xr, start_outcome, sr, wr, cand, params.random_rate, rng)
        if params.decide_bookkeeping or general:
            y, steps = _round_general(rnd, xr, start_outcome, kept, params, wr, fallback[rows])
        else:
            y, steps = _round_fast(rnd, xr, start_outcome, kept)
        realised = np.bincount(steps["loc"], minlength=rows.size)
        if describe:
            records.append(_describe(steps, rnd, kept, xr, sr, rows, round_no))
        y_all[rows] = y
        frames.append(y_all)
        end_outcome = weighted_mean(y, wr, fallback[rows])
        change = np.abs(end_outcome - last_outcome[rows]).max(axis=1)
        last_outcome[rows] = end_outcome
        rounds[rows] = round_no
        done = (realised == 0) | (change < params.tolerance)
        converged[rows[done]] = True
        running[rows[done]] = False
        x[rows] = _new_start(xr, y, sr, params)

    trajectory = np.stack(frames, axis=1)
    # Rows that stopped early: repeat their final voting positions (the Forecast contract).
    for r in range(1, trajectory.shape[1]):
        stopped = rounds < r
        trajectory[stopped, r] = trajectory[stopped, r - 1]
    forecast = Forecast(
        model=name,
        actor_ids=problem.actor_ids,
        issue_ids=problem.issue_ids,
        outcome=problem.lower + last_outcome / SCALE * span,
        trajectory=problem.lower + trajectory / SCALE * span,
        rounds=rounds,
        converged=converged,
    )
    return forecast, records


_STEP_FIELDS = ("loc", "e", "from_p", "to_p", "from_q", "to_q", "before_p", "before_q", "shift")


def _steps(chunks: dict[str, list[NDArray[np.generic]]]) -> dict[str, NDArray[np.generic]]:
    if not chunks["loc"]:
        empty: dict[str, NDArray[np.generic]] = {f: np.zeros(0) for f in _STEP_FIELDS}
        empty["loc"] = np.zeros(0, dtype=np.intp)
        empty["e"] = np.zeros(0, dtype=np.intp)
        return empty
    return {f: np.concatenate(chunks[f]) for f in _STEP_FIELDS}


def _clamp(
    value: FloatArray, target: FloatArray, direction: FloatArray, tolerance: float = np.inf
) -> FloatArray:
    """Never past the demander's position by rounding (constraint 5a is exact in reals).

    Only an overshoot of at most ``tolerance`` is pulled back (decide's mode, whose sizing can
    go past the demander on purpose).
    """
    over = (value - target) * direction
    return np.where((over > 0) & (over <= tolerance), target, value)


def _round_fast(
    rnd: _Round, x: FloatArray, start_outcome: FloatArray, cand: Candidates
) -> tuple[FloatArray, dict[str, NDArray[np.generic]]]:
    """Steps 5–6 for one round, on a flat list of the live (row, candidate) cells.

    The caps of (5a) and (5b) are rewritten as ``A − B·value`` with both sides in units of
    ``Δo_p`` (the ``q`` side divided by ``r``), so a step is a handful of whole-array operations,
    the same arithmetic as :func:`_evaluate`. A candidate dropped as infeasible stays dropped for
    the round (step 6), so the work is only over the cells still live: on korea-2025 samples
    about a tenth of a block's (row, candidate) cells are live on average over a round's steps.
    The list is compacted whenever half of it has died. The cells are in row, then candidate
    order, so each row's best is a segmented maximum and its first cell at the maximum is the
    first candidate in input order (the tie rule of step 6).
    """
    m, n, k = x.shape
    e_count = cand.size
    r = rnd.rate
    coef_u = r * rnd.s_uq - rnd.s_up  # gain of u per unit Δo_p, (3) with Δo_q = r Δo_p
    coef_v = rnd.s_vp - rnd.s_vq * r
    key_coef = np.minimum(coef_u, coef_v)
    cell = np.flatnonzero(rnd.alive & (key_coef > 0))  # into the (m, E) layout
    if cell.size == 0:
        return x.copy(), _steps({f: [] for f in _STEP_FIELDS})
    row = cell // e_count
    e = cell - row * e_count
    ip, iq = cand.issue_p[e], cand.issue_q[e]

    def pick(values: FloatArray) -> FloatArray:
        out: FloatArray = values.reshape(-1)[cell]
        return out

    lever_p, lever_q, target_p, target_q = (
        pick(rnd.lever_p),
        pick(rnd.lever_q),
        pick(rnd.target_p),
        pick(rnd.target_q),
    )
    dir_p, dir_q, rate = pick(rnd.dir_p), pick(rnd.dir_q), pick(r)
    # Per cell and side (p, q), in units of Δo_p: the cap of (5a) is ca − cb·(supplier's
    # position), the cap of (5b) is sa − sb·(outcome).
    ca = np.stack([lever_p * target_p * dir_p, lever_q * target_q * dir_q / rate])  # (2, K)
    cb = np.stack([lever_p * dir_p, lever_q * dir_q / rate])
    sa = np.stack([target_p * dir_p, target_q * dir_q / rate])
    sb = np.stack([dir_p, dir_q / rate])
    with np.errstate(divide="ignore", invalid="ignore"):
        # Feasible iff both moves and the smaller gain exceed NEGLIGIBLE: one threshold on Δo_p.
        kc = pick(key_coef)
        threshold = NEGLIGIBLE * np.maximum(np.maximum(lever_p, lever_q / rate), 1.0 / kc)
        # Per cell and side: outcome shift per unit Δo_p, position move per unit Δo_p, the
        # demander's position (the clamp of 5a) and the side's direction.
        info = np.stack(
            [
                np.stack([dir_p, dir_q * rate], axis=-1),
                np.stack([dir_p / lever_p, dir_q * rate / lever_q], axis=-1),
                np.stack([dir_p * target_p, dir_q * target_q], axis=-1),
                np.stack([dir_p, dir_q], axis=-1),
            ],
            axis=-1,
        )  # (K, 2, 4)
    nk = n * k
    # Flat positions of the two suppliers in y.ravel() and of the two issues in outcome.ravel().
    u, v = rnd.u.reshape(-1)[cell], rnd.v.reshape(-1)[cell]
    at_y = np.stack([row * nk + u * k + ip, row * nk + v * k + iq])  # (2, K)
    at_o = np.stack([row * k + ip, row * k + iq])
    slot = np.arange(cell.size)  # into info, fixed for the round
    y = x.reshape(-1).copy()
    outcome = start_outcome.reshape(-1).copy()
    chunks: dict[str, list[NDArray[np.generic]]] = {f: [] for f in _STEP_FIELDS}
    single: list[tuple[int, int, float, float, float, float, float, float, float]] = []

    def segments(rows: IntArray) -> tuple[IntArray, IntArray]:
        """Where each row's run of cells starts, and each cell's run number."""
        new = np.empty(rows.size, dtype=bool)
        new[0] = True
        np.not_equal(rows[1:], rows[:-1], out=new[1:])
        return np.flatnonzero(new), np.cumsum(new) - 1

    starts, seg = segments(row)
    live = np.ones(cell.size, dtype=bool)
    while True:
        cap = np.minimum(ca - cb * np.take(y, at_y), sa - sb * np.take(outcome, at_o))
        shift = np.minimum(cap[0], cap[1])
        live &= shift > threshold  # candidates that became infeasible are dropped for the round
        key = np.where(live, shift * kc, -np.inf)
        top = np.maximum.reduceat(key, starts)  # > 0 where a row has a feasible candidate
        has = top > 0
        if not has.any():
            break
        if starts.size == 1:
            # One row left (always so for a single forecast): the same arithmetic on Python
            # floats, which costs a fraction of a dozen numpy calls on one-element arrays.
            t = float(top[0])
            c = int(np.argmax(key >= t - TIE * max(1.0, t)))
            step1 = float(shift[c])
            (o_u, m_u, t_u, d_u), (o_v, m_v, t_v, d_v) = info[slot[c]].tolist()
            i_u, i_v = at_y[:, c].tolist()
            j_u, j_v = at_o[:, c].tolist()
            b_u, b_v = float(y[i_u]), float(y[i_v])
            a_u = d_u * min(d_u * (b_u + m_u * step1), t_u)
            a_v = d_v * min(d_v * (b_v + m_v * step1), t_v)
            y[i_u], y[i_v] = a_u, a_v
            ob_u, ob_v = float(outcome[j_u]), float(outcome[j_v])
            outcome[j_u], outcome[j_v] = ob_u + o_u * step1, ob_v + o_v * step1
            live[c] = False
            single.append((int(row[c]), int(e[c]), b_u, a_u, b_v, a_v, ob_u, ob_v, step1))
            continue
        # Gains equal up to rounding are a tie; ties go to the first candidate (issue pair,
        # then actor pair, in input order), which is also where decide's list puts them.
        limit = np.where(has, top - TIE * np.maximum(1.0, top), np.inf)
        hits = np.flatnonzero(key >= limit[seg])
        first = np.empty(hits.size, dtype=bool)
        first[0] = True
        hit_seg = seg[hits]
        np.not_equal(hit_seg[1:], hit_seg[:-1], out=first[1:])
        best = hits[first]  # one cell per row with a feasible candidate, in row order
        step = shift[best]
        chosen = info[slot[best]]  # (a, 2, 4): both sides of the chosen candidate
        moved_at = at_y[:, best].T  # (a, 2) flat positions of the two suppliers
        before = y[moved_at]
        direction = chosen[..., 3]
        # Clamp at the demander's position (5a holds exactly in reals; this guards rounding).
        after = direction * np.minimum(
            direction * (before + chosen[..., 1] * step[:, None]), chosen[..., 2]
        )
        y[moved_at] = after
        out_at = at_o[:, best].T
        out_before = outcome[out_at]
        outcome[out_at] = out_before + chosen[..., 0] * step[:, None]
        live[best] = False
        for name, value in (
            ("loc", row[best]),
            ("e", e[best]),
            ("from_p", before[:, 0]),
            ("to_p", after[:, 0]),
            ("from_q", before[:, 1]),
            ("to_q", after[:, 1]),
            ("before_p", out_before[:, 0]),
            ("before_q", out_before[:, 1]),
            ("shift", step),
        ):
            chunks[name].append(value)
        if live.sum() < COMPACT * live.size:
            # Drop the dead cells (copying the lists costs about a step, so they ride along,
            # masked, until half have died).
            keep = np.flatnonzero(live)
            if keep.size == 0:
                break
            ca, cb, sa, sb = ca[:, keep], cb[:, keep], sa[:, keep], sb[:, keep]
            at_y, at_o, threshold, kc = at_y[:, keep], at_o[:, keep], threshold[keep], kc[keep]
            row, e, slot = row[keep], e[keep], slot[keep]
            live = np.ones(keep.size, dtype=bool)
            starts, seg = segments(row)
    if single:
        # Steps taken with one row left came last; append them in order after the batch ones.
        for name, column in zip(_STEP_FIELDS, zip(*single, strict=True), strict=True):
            chunks[name].append(np.array(column))
    return y.reshape(m, n, k), _steps(chunks)


def _decide_order(x: FloatArray, outcome: FloatArray, cand: Candidates) -> IntArray:
    """``(b, E)`` rank of each candidate in the order ``decide`` creates its exchanges.

    ``AbstractModel.determine_groups_and_calculate_exchanges`` (``decide/model/base.py``) walks
    the issue pairs in input order and, for each, pairs every actor right of the outcome on
    both issues with every actor left of it on both (group A with D), then every actor left on
    ``p`` only with every actor left on ``q`` only (B with C), each by actor order. Among tied
    gains decide (as driven by ``tools/decide/run_decide.py``) realises the first so created.
    """
    n = x.shape[1]
    a_, b_, p, q = cand.first, cand.second, cand.issue_p, cand.issue_q
    left_p = x[:, a_, p] <= outcome[:, p] + AT_OUTCOME
    left_q = x[:, a_, q] <= outcome[:, q] + AT_OUTCOME
    mixed = left_p != left_q  # a in B or C, b in the other
    a_first = left_p == mixed  # a in A (right on both) or in B (left on p only)
    first = np.where(a_first, a_, b_)
    second = np.where(a_first, b_, a_)
    pair = p * (int(q.max(initial=0)) + 1) + q
    out: IntArray = ((pair * 2 + mixed) * n + first) * n + second
    return out


def _round_general(
    rnd: _Round,
    x: FloatArray,
    start_outcome: FloatArray,
    cand: Candidates,
    params: ExchangeParams,
    weight: FloatArray,
    fallback: FloatArray,
) -> tuple[FloatArray, dict[str, NDArray[np.generic]]]:
    """Steps 5–6 for one round, step by step through :func:`_evaluate` (also decide's mode)."""
    m, n, k = x.shape
    y = x.copy()
    outcome = start_outcome.copy()
    local = np.arange(m)
    demanders = (
        _Demanders(
            start_outcome.copy(),
            np.zeros((m, n, k)),
            np.full((m, n, k, n), np.nan),
            np.zeros((m, cand.size)),
            np.zeros((m, cand.size)),
        )
        if params.decide_bookkeeping
        else None
    )
    chunks: dict[str, list[NDArray[np.generic]]] = {f: [] for f in _STEP_FIELDS}
    sub = rnd
    rank = _decide_order(x, start_outcome, cand) if demanders is not None else None
    while local.size:
        shift_p, shift_q, _, _, key, feasible = _evaluate(
            sub,
            y[local],
            outcome[local],
            cand,
            k,
            None if demanders is None else demanders.take(local),
        )
        sub.alive = feasible  # infeasible candidates are dropped for the round
        has = feasible.any(axis=1)
        if not has.all():
            keep = np.flatnonzero(has)
            local, sub = local[keep], _subset(sub, keep)
            rank = None if rank is None else rank[keep]
            shift_p, shift_q, key, feasible = (
                shift_p[keep],
                shift_q[keep],
                key[keep],
                feasible[keep],
            )
        if local.size == 0:
            break
        scored = np.where(feasible, key, -np.inf)
        if rank is None:
            top = scored.max(axis=1, keepdims=True)
            best = np.argmax(scored >= top - TIE * np.maximum(1.0, np.abs(top)), axis=1)
        else:
            # decide's list order (the tie rule of tools/decide/run_decide.py): the gain to
            # DECIDE_TIE_DECIMALS decimals, then the order decide created the exchanges in.
            rounded = np.round(scored, DECIDE_TIE_DECIMALS)
            tied = rounded == rounded.max(axis=1, keepdims=True)
            best = np.argmin(np.where(tied, rank, np.iinfo(np.int64).max), axis=1)
        at = np.arange(local.size)
        e = best
        u, v = sub.u[at, e], sub.v[at, e]
        ip, iq = cand.issue_p[e], cand.issue_q[e]
        dp, dq = shift_p[at, e], shift_q[at, e]
        before_p, before_q = y[local, u, ip], y[local, v, iq]
        # Never past the demander's position by rounding (5a holds exactly in reals); decide's
        # sizing of (5b) can go past it (see _decide_shift), and then so do we.
        tolerance = _AT_DEMANDER if demanders is not None else np.inf
        after_p = _clamp(
            before_p + sub.dir_p[at, e] * dp / sub.lever_p[at, e],
            sub.target_p[at, e],
            sub.dir_p[at, e],
            tolerance,
        )
        after_q = _clamp(
            before_q + sub.dir_q[at, e] * dq / sub.lever_q[at, e],
            sub.target_q[at, e],
            sub.dir_q[at, e],
            tolerance,
        )
        old_outcome = outcome[local].copy()
        y[local, u, ip] = after_p
        y[local, v, iq] = after_q
        outcome[local] = weighted_mean(y[local], weight[local], fallback[local])
        sub.alive[at, e] = False
        if demanders is not None:
            for side_actor, side_issue, side_dir, side_lever, side_shift, hist in (
                (sub.u, cand.issue_p, sub.dir_p, sub.lever_p, shift_p, demanders.history_u),
                (sub.v, cand.issue_q, sub.dir_q, sub.lever_q, shift_q, demanders.history_v),
            ):
                same = ((side_actor == u[:, None]) & (side_issue[None, :] == ip[:, None])) | (
                    (side_actor == v[:, None]) & (side_issue[None, :] == iq[:, None])
                )
                with np.errstate(divide="ignore", invalid="ignore"):
                    kept = np.where(same, side_dir * side_shift / side_lever, 0.0)
                hist[local] += np.nan_to_num(kept)
            lev_p, lev_q = sub.lever_p[at, e], sub.lever_q[at, e]
            demanders.record(local, u, v, ip, after_p, sub.start_up[at, e], lev_p)
            demanders.record(local, v, u, iq, after_q, sub.start_vq[at, e], lev_q)
        for name, value in (
            ("loc", local),
            ("e", e),
            ("from_p", before_p),
            ("to_p", after_p),
            ("from_q", before_q),
            ("to_q", after_q),
            ("before_p", old_outcome[at, ip]),
            ("before_q", old_outcome[at, iq]),
            ("shift", dp),
        ):
            chunks[name].append(value)
    return y, _steps(chunks)


def _describe(
    steps: dict[str, NDArray[np.generic]],
    rnd: _Round,
    cand: Candidates,
    x: FloatArray,
    salience: FloatArray,
    rows: NDArray[np.intp],
    round_no: int,
) -> dict[str, NDArray[np.generic]]:
    """One round's realised exchanges: who, which issues, shifts, gains (3), externalities."""
    loc = steps["loc"].astype(np.intp)
    e = steps["e"].astype(np.intp)
    shift_p = steps["shift"].astype(np.float64)
    rate = rnd.rate[loc, e]
    shift_q = rate * shift_p
    ip, iq = cand.issue_p[e], cand.issue_q[e]
    signed_p = rnd.dir_p[loc, e] * shift_p
    signed_q = rnd.dir_q[loc, e] * shift_q
    # van Assen et al. (2003): every actor's utility change from the two outcome shifts,
    # measured from its round-start position.
    externality = np.zeros((loc.size, x.shape[1]))
    for issue, before, signed in (
        (ip, steps["before_p"], signed_p),
        (iq, steps["before_q"], signed_q),
    ):
        xt = x[loc, :, issue]
        st = salience[loc, :, issue]
        o0 = np.asarray(before, dtype=np.float64)[:, None]
        externality += st * (np.abs(o0 - xt) - np.abs(o0 + signed[:, None] - xt))
    return {
        "row": rows[loc],
        "round": np.full(loc.size, round_no),
        "u": rnd.u[loc, e],
        "v": rnd.v[loc, e],
        "ip": ip,
        "iq": iq,
        "from_p": steps["from_p"],
        "to_p": steps["to_p"],
        "from_q": steps["from_q"],
        "to_q": steps["to_q"],
        "shift_p": signed_p,
        "shift_q": signed_q,
        "gain_p": rnd.s_uq[loc, e] * shift_q - rnd.s_up[loc, e] * shift_p,
        "gain_q": rnd.s_vp[loc, e] * shift_p - rnd.s_vq[loc, e] * shift_q,
        "rate": rate,
        "before_p": steps["before_p"],
        "before_q": steps["before_q"],
        "ext": externality,
    }


def _subset(rnd: _Round, idx: NDArray[np.intp]) -> _Round:
    return _Round(**{f.name: getattr(rnd, f.name)[idx] for f in fields(_Round)})


def _collect(
    forecast: Forecast,
    records: list[dict[str, NDArray[np.generic]]],
    batch: int,
    n: int,
    lower: FloatArray,
    span: FloatArray,
) -> ExchangeResult:
    """Pad the per-round records into ``(B, S)`` arrays, in realisation order per row."""
    if records:
        flat = {name: np.concatenate([r[name] for r in records]) for name in records[0]}
    else:
        flat = {
            name: np.zeros(0, dtype=np.int64) for name in ("row", "round", "u", "v", "ip", "iq")
        }
    rows = flat["row"].astype(np.intp)
    # Stable sort by row keeps each row's realisation order (rounds are appended in order and
    # steps within a round in order).
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    count = np.bincount(rows, minlength=batch).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(count)[:-1]]) if batch else np.zeros(0, dtype=np.int64)
    slot = np.arange(rows.size) - starts[rows]
    s = int(count.max()) if batch and rows.size else 0

    def ints(name: str) -> IntArray:
        out = np.full((batch, s), -1, dtype=np.int64)
        out[rows, slot] = flat[name][order]
        return out

    def floats(name: str) -> FloatArray:
        out = np.full((batch, s), np.nan)
        if name in flat:
            out[rows, slot] = flat[name][order]
        return out

    ext = np.full((batch, s, n), np.nan)
    if "ext" in flat:
        ext[rows, slot] = flat["ext"][order]
    ip, iq = ints("ip"), ints("iq")
    lo_p, lo_q = lower[np.maximum(ip, 0)], lower[np.maximum(iq, 0)]
    sp_p, sp_q = span[np.maximum(ip, 0)] / SCALE, span[np.maximum(iq, 0)] / SCALE
    return ExchangeResult(
        forecast=forecast,
        count=count,
        round=ints("round"),
        supplier_p=ints("u"),
        supplier_q=ints("v"),
        issue_p=ip,
        issue_q=iq,
        from_p=lo_p + floats("from_p") * sp_p,
        to_p=lo_p + floats("to_p") * sp_p,
        from_q=lo_q + floats("from_q") * sp_q,
        to_q=lo_q + floats("to_q") * sp_q,
        shift_p=floats("shift_p") * sp_p,
        shift_q=floats("shift_q") * sp_q,
        gain_p=floats("gain_p"),
        gain_q=floats("gain_q"),
        rate=floats("rate"),
        outcome_before_p=lo_p + floats("before_p") * sp_p,
        outcome_before_q=lo_q + floats("before_q") * sp_q,
        externality=ext,
    )


@dataclass(frozen=True)
class Package:
    """All exchanges two actors realised with each other in one round, taken as one deal.

    Pairwise exchanges between the same two actors on different issue pairs add up to a package
    over three or more issues (e.g. relief *and* normalisation for a freeze). ``utility`` is
    each party's exact utility change from the package's exchanges, each measured against the
    outcome just before it (``Σ s_id (|O_d − x_id| − |O_d + Δ_d − x_id|)``), from the party's
    *stated* positions and saliences in the problem rather than the model's moving start
    positions. The Pareto check asks whether each party gains under its own saliences
    (Stokman & Van Oosten's rationale for an exchange). In round 1 it holds by construction
    (the exact change is at least the linear gain of (3): the demander's side is exact under
    (5b) and the supplier's loss is at most ``s·Δo``); in later rounds, whose start positions
    have moved away from the stated ones, it can fail, and then it says so.
    """

    round: int
    actors: tuple[int, int]
    exchanges: tuple[int, ...]  # positions in the row's realised list
    issues: tuple[int, ...]
    shift: dict[int, float]  # net outcome shift per issue, issue units
    utility: tuple[float, float]
    third_party: FloatArray  # (n,) summed externalities (parties' entries included)

    @property
    def pareto(self) -> bool:
        return self.utility[0] > 0 and self.utility[1] > 0


def packages(result: ExchangeResult, problem: BargainingProblem, row: int = 0) -> list[Package]:
    """Group one row's realised exchanges into packages (same two actors, same round)."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    for s in range(int(result.count[row])):
        pair = sorted((int(result.supplier_p[row, s]), int(result.supplier_q[row, s])))
        groups.setdefault((int(result.round[row, s]), pair[0], pair[1]), []).append(s)
    span = problem.upper - problem.lower
    out: list[Package] = []
    for (rnd, a, b), members in groups.items():
        shift: dict[int, float] = {}
        utility = [0.0, 0.0]
        for s in members:
            for issue, start, moved in (
                (result.issue_p[row, s], result.outcome_before_p[row, s], result.shift_p[row, s]),
                (result.issue_q[row, s], result.outcome_before_q[row, s], result.shift_q[row, s]),
            ):
                d = int(issue)
                shift[d] = shift.get(d, 0.0) + float(moved)
                for side, actor in enumerate((a, b)):
                    x = float(problem.position[row, actor, d])
                    weight = float(problem.salience[row, actor, d]) * SCALE / float(span[d])
                    utility[side] += weight * (abs(start - x) - abs(start + moved - x))
        out.append(
            Package(
                round=rnd,
                actors=(a, b),
                exchanges=tuple(members),
                issues=tuple(sorted(shift)),
                shift=shift,
                utility=(utility[0], utility[1]),
                third_party=np.nansum(result.externality[row, members], axis=0),
            )
        )
    return out


@dataclass(frozen=True)
class OpeningOffers:
    """Every candidate exchange at the start of the first round, ``(B, E)`` arrays.

    ``full_shift_p`` is the outcome shift on ``issue_p`` if its supplier moved all the way to
    its partner's position (the left side of constraint 5a), in 0–100 scale points; ``shift_p``
    and ``shift_q`` are the equal-gain exchange's actual shifts and ``gain`` its gain (0 where
    the candidate is not feasible). ``candidates`` gives ``issue_p``/``issue_q`` per column.
    """

    candidates: Candidates
    outcome: FloatArray  # (B, k) forecast (1) at the initial positions, 0–100 scale
    opposite: BoolArray  # (B, E) on opposite sides of the outcome on both issues (step 2)
    feasible: BoolArray
    supplier_p: IntArray
    supplier_q: IntArray
    full_shift_p: FloatArray
    full_shift_q: FloatArray
    rate: FloatArray
    shift_p: FloatArray
    shift_q: FloatArray
    gain: FloatArray


def opening_offers(
    problem: BargainingProblem,
    params: ExchangeParams | None = None,
    rng: np.random.Generator | None = None,
) -> OpeningOffers:
    """Steps 1–5 once, at the initial positions: what every pair could trade, and for how much."""
    params = params or ExchangeParams()
    span = problem.upper - problem.lower
    x = (problem.position - problem.lower) / span * SCALE
    weight = influence_weights(problem)
    fallback = (problem.status_quo - problem.lower) / span * SCALE
    cand = Candidates.build(problem.n_actors, problem.n_issues)
    outcome = weighted_mean(x, weight, fallback)
    rnd, _ = _setup_round(
        x, outcome, problem.salience, weight, cand, params.random_rate, ensure_rng(rng), False
    )
    shift_p, shift_q, gain_u, _, _, feasible = _evaluate(rnd, x, outcome, cand, problem.n_issues)
    full_p = rnd.lever_p * np.abs(rnd.target_p - rnd.start_up)
    full_q = rnd.lever_q * np.abs(rnd.target_q - rnd.start_vq)
    return OpeningOffers(
        candidates=cand,
        outcome=outcome,
        opposite=rnd.alive,
        feasible=feasible,
        supplier_p=rnd.u,
        supplier_q=rnd.v,
        full_shift_p=np.where(rnd.alive, full_p, 0.0),
        full_shift_q=np.where(rnd.alive, full_q, 0.0),
        rate=rnd.rate,
        shift_p=np.where(feasible, shift_p, 0.0),
        shift_q=np.where(feasible, shift_q, 0.0),
        gain=np.where(feasible, gain_u, 0.0),
    )


def concat_results(parts: Sequence[ExchangeResult]) -> ExchangeResult:
    """Join results of consecutive blocks of rows (padding the exchange axis to the longest)."""
    longest = max(int(p.round.shape[1]) for p in parts)

    def pad(name: str, fill: float) -> NDArray[np.generic]:
        arrays = []
        for part in parts:
            a = getattr(part, name)
            extra = longest - a.shape[1]
            if extra:
                shape = (a.shape[0], extra, *a.shape[2:])
                a = np.concatenate([a, np.full(shape, fill, dtype=a.dtype)], axis=1)
            arrays.append(a)
        return np.concatenate(arrays, axis=0)

    ints = ("round", "supplier_p", "supplier_q", "issue_p", "issue_q")
    values = {
        f.name: pad(f.name, -1 if f.name in ints else np.nan)
        for f in fields(ExchangeResult)
        if f.name not in ("forecast", "count")
    }
    return ExchangeResult(
        forecast=stack_forecasts([p.forecast for p in parts]),
        count=np.concatenate([p.count for p in parts]),
        **values,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class ExchangeModel:
    """Stokman & Van Oosten's exchange model (equal-gain; random-rate with ``random_rate > 0``)."""

    name: str = "exchange"
    label: str = "Exchange of voting positions (Stokman & Van Oosten 1994)"
    dynamic: bool = True
    #: Unlike every other model, an issue's forecast depends on the other issues (exchanges
    #: link them), so callers must not forecast it issue by issue (the ensemble checks this).
    links_issues: bool = True

    def run(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> ExchangeResult:
        """The forecast together with every realised exchange (for ``peninsula deals``)."""
        chosen = ExchangeParams.from_mapping(self.name, params)
        validate_problem(problem, self.name)
        blocks = _blocks(problem, chosen)
        if len(blocks) == 1:
            return run_exchange(problem, chosen, rng, self.name)
        return concat_results([run_exchange(b, chosen, rng, self.name) for b in blocks])

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        """The forecast of :meth:`run`, without describing the exchanges (the ensemble's call)."""
        chosen = ExchangeParams.from_mapping(self.name, params)
        validate_problem(problem, self.name)
        # ensure_rng per block, as run() does through run_exchange (same draws as run()).
        parts = [
            _simulate(block, chosen, ensure_rng(rng), self.name, False, describe=False)[0]
            for block in _blocks(problem, chosen)
        ]
        return parts[0] if len(parts) == 1 else stack_forecasts(parts)


def _blocks(problem: BargainingProblem, params: ExchangeParams) -> list[BargainingProblem]:
    """Blocks of rows for :class:`ExchangeModel` (a speed setting only; rows are independent).

    Large enough to spread each step's fixed cost over many rows, small enough that a round's
    steps (as many as its busiest row needs) are not set by a rare slow row and that the arrays
    stay in cache: 256 rows measured fastest on korea-2025 samples (against 64, 128, 512 and
    1024; ``bench/bench_exchange.py``).
    """
    block = CHUNK if params.random_rate == 0 else RANDOM_RATE_CHUNK
    if problem.batch_size <= block:
        return [problem]
    return [problem.take(slice(lo, lo + block)) for lo in range(0, problem.batch_size, block)]


MODEL = ExchangeModel()
