"""KTAB's Spatial Model of Politics (SMP), one issue at a time.

Sources: B. Wise, L. Lester, B. Efird et al., "The KAPSARC Toolkit for Behavioral Analysis
(KTAB)", KAPSARC 2015–2017, and the open KTAB code (``examples/smp``: ``SMPState::doBCN``,
``SMPState::probEduChlg``; ``kutils``: ``Model::vProb``, ``Model::markovPCE``,
``Model::condPCE``). KTAB models a collective decision as *Probabilistic Condorcet Elections*
(PCE): every pairwise contest between two options is won by the coalition that prefers it with
a probability that grows with the coalition's strength. The explanation page is
``docs/explanation/model-smp.md``. This is a one-dimensional re-implementation of the SMP's
bargaining cycle, vectorised over the batch; it reads KTAB's definitions and simplifies
where noted (*simplification*).

Notation: positions ``x`` and ideals ``x̂`` as fractions of the issue range, ``c`` effective
capability, ``s`` salience, ``w = c s``. Utility of actor ``a`` for a position ``y``:
``v = 1 − |y − x̂_a|`` shaped by the risk attitude ``ρ_a`` with a quadratic in the spirit of
KTAB's risk-adjusted utilities, ``u = v (1 + ρ (1 − v))`` (*choice*: ``ρ = +1`` concave = risk
averse, ``ρ = −1`` convex = risk seeking, ``u`` stays in [0, 1]). ``ρ_a`` is minus the
scenario's risk attitude (whose +1 means acceptant); 0 where the scenario is silent
(*simplification*: KTAB can also estimate risk attitudes BdM-style).

Each round (KTAB's "bargain, challenge, negotiate" cycle):

1. **Votes and coalitions.** Actor ``k`` votes on ``i`` vs ``j`` with ``V_k = vote(w_k,
   u_k(x_i) − u_k(x_j))`` (rule ``vote_rule``: proportional ``w Δu`` — KTAB's default
   ``VotingRule::Proportional`` — binary ``w sign(Δu)`` or cubic ``w Δu³``). The coalition for
   ``i`` has strength ``C_ij = ε + Σ_k max(V_k, 0)`` and against it ``C_ji = ε + Σ_k max(−V_k,
   0)``; ``P_ij = C_ij^γ / (C_ij^γ + C_ji^γ)`` (KTAB's ``VPModel``: ``γ = 1`` Linear — the default
   in ``doBCN`` — 2 Square, 4 Quartic). *Simplification*: third parties commit their full
   vote, where KTAB's default (``SemiCommit``) first estimates each third party's stake from a
   "little" two-party contest.
2. **Challenges** (``probEduChlg`` with ``h = k = i``): ``i``'s expected gain from challenging
   ``j`` over the status quo is ``Δ_ij = (1 − s_j) 2u_i(x_i) + s_j [P_ij 2u_i(x_i) + (1 − P_ij)
   2u_i(x_j)] − [u_i(x_i) + u_i(x_j)]``: ``j`` gives in with probability ``1 − s_j``, otherwise
   the two fight and the loser adopts the winner's position. Each actor targets the ``j`` with
   the largest ``Δ_ij > 0`` (none if no challenge pays).
3. **Bargains.** A challenge by ``i`` of ``j`` becomes a bargain in which both adopt the expected
   result of the challenge, ``x_b = (1 − s_j) x_i + s_j (P_ij x_i + (1 − P_ij) x_j)``
   (*simplification* of KTAB's interpolated bargains).
4. **Choosing.** Each actor ``k`` holds a queue of options: the status quo, the bargain it
   initiated and those proposed to it. The value of an option to actor ``a`` is its mean
   utility over all positions once the bargain is implemented (``brgnUtil`` in ``doBCN``).
   Options compete in a PCE with capability weights (``scalarPCE``; ``pce`` 0 = Markov
   ``markovPCE``, our default, 1 = conditional ``condPCE``); ``k`` takes the most probable one
   (KTAB's deterministic state transition, used in ``doBCN``). Everyone moves
   simultaneously; with ``ideal_tracking`` (1, KTAB's default identity "accommodation")
   ideals follow positions.
5. **Stop** when no position moves more than ``tol``, when the RMS change falls below
   ``stop_ratio`` times the first round's (KTAB's ``smpc`` rule, 1/100), or after
   ``max_rounds``.

The issue's forecast (``outcome``): 0 = the PCE-probability-weighted mean of the final
positions (KTAB reports each position's probability of prevailing; its expectation is a
continuous summary suited to Monte Carlo); 1 = the most probable position; 2 = the weighted
median. Actors with ``c s = 0`` (or excluded by a policy) are spectators: they neither vote,
challenge nor get challenged, and their positions do not enter the value of a state, so they
cannot move the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from peninsula.errors import InputError, Located
from peninsula.models.base import Forecast, resolve_params, validate_problem
from peninsula.models.median import weighted_median
from peninsula.problem import BargainingProblem, BoolArray, FloatArray

IntArray = NDArray[np.int64]

DEFAULTS: dict[str, float] = {
    "vote_rule": 0.0,
    "gamma": 1.0,
    "pce": 0.0,
    "ideal_tracking": 1.0,
    "max_rounds": 20.0,
    "tol": 1e-9,
    "stop_ratio": 0.01,
    "outcome": 0.0,
}
CHUNK = 1024
_MIN_COALITION = 1e-10  # KTAB's minCltn, here relative to the total weight
_PCE_ITERATIONS = 500
_PCE_TOL = 1e-12
#: Gains and probabilities closer than this are ties: rounding must not decide a discrete choice
#: (otherwise rescaling all capabilities or reordering actors could change the result).
_TIE = 1e-9


# ------------------------------------------------------------------------------- components


def utility(y: FloatArray, ideal: FloatArray, rho: FloatArray) -> FloatArray:
    """``U[b, a, m] = u_a(y_m)``: risk-shaped utility (module docstring) of positions ``y``
    (B, M) for actors with ideals ``ideal`` (B, n) and risk shapes ``rho`` (B, n)."""
    v = np.clip(1.0 - np.abs(y[:, None, :] - ideal[:, :, None]), 0.0, 1.0)
    return v * (1.0 + rho[:, :, None] * (1.0 - v))


def _shaped(du: FloatArray, rule: int) -> FloatArray:
    """Vote per unit weight for a utility difference (KTAB ``VotingRule``): proportional
    ``Δu`` (default), binary ``sign(Δu)`` or cubic ``Δu³``. All are odd and increasing, so a
    vote against ``m`` over ``m2`` is a vote for ``m2`` over ``m``."""
    if rule == 1:
        return np.sign(du)
    if rule == 2:
        return du**3
    return du


def victory_probability(u: FloatArray, weight: FloatArray, rule: int, gamma: float) -> FloatArray:
    """``P[b, m, m2]``: probability that option ``m`` beats ``m2`` in a pairwise contest.

    ``u`` (B, n, M) utilities of the voters for the options, ``weight`` (B, n) vote weights.
    Coalition strengths are the summed positive / negative votes plus a tiny floor (KTAB's
    ``minCltn``), raised to ``gamma`` (KTAB's VPModel). The votes are odd in ``Δu``, so the
    coalition against ``m`` over ``m2`` is the coalition for ``m2`` over ``m``: one pass.
    """
    du = _shaped(u[:, :, :, None] - u[:, :, None, :], rule)  # [b, voter, m, m2]
    np.maximum(du, 0.0, out=du)
    pro = np.einsum("bk,bkmn->bmn", weight, du)
    floor = _MIN_COALITION * np.maximum(weight.sum(axis=1), _MIN_COALITION)[:, None, None]
    pro += floor
    con = np.swapaxes(pro, 1, 2)
    if gamma != 1.0:
        pro, con = pro**gamma, con**gamma
    return np.asarray(pro / (pro + con))


def pce(pv: FloatArray, available: BoolArray, markov: bool) -> FloatArray:
    """Probability of each option (…, M) from pairwise victory probabilities ``pv`` (…, M, M),
    restricted to the ``available`` options.

    Markov (KTAB ``markovPCE``): the fixed point of ``p_m = (1/N) Σ_m' pv(m, m') (p_m + p_m')``
    over the N available options, iterated with damping from the uniform distribution.
    Conditional (``condPCE``): ``p_m ∝ Π_m' pv(m, m')``, the chance ``m`` beats all others.
    """
    mask = available[..., None, :] & available[..., :, None]
    pvm = pv * mask  # (multiplying by a boolean mask is much faster than np.where here)
    count = available.sum(axis=-1, keepdims=True).astype(np.float64)
    safe = np.maximum(count, 1.0)
    if not markov:
        logp = np.where(mask, np.log(np.maximum(pv, 1e-300)), 0.0).sum(axis=-1)
        logp = np.where(available, logp, -np.inf)
        top = logp.max(axis=-1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        p = np.where(available, np.exp(logp - top), 0.0)
        total = p.sum(axis=-1, keepdims=True)
        return np.asarray(p / np.where(total > 0, total, 1.0))
    rowsum = pvm.sum(axis=-1)
    # The fixed point solves (N − rowsum_m) p_m − Σ_m' pv(m, m') p_m' = 0 with Σ p = 1: the
    # columns of that matrix sum to zero (pv(m, m') + pv(m', m) = 1), so adding the all-ones
    # row constraint e aᵀ gives a regular system. Unavailable options get the row p_m = 0.
    avail_f = available.astype(np.float64)
    diagonal = np.where(available, count - rowsum, 1.0)
    system = mask - pvm  # −pv(m, m') plus the constraint rows a_m a_m'
    m_opts = pv.shape[-1]
    system.reshape(*system.shape[:-2], m_opts * m_opts)[..., :: m_opts + 1] += diagonal
    try:
        p = np.linalg.solve(system, avail_f[..., None])[..., 0]
    except np.linalg.LinAlgError:
        # Some system is singular: solve one by one, iterating only the singular ones, so a
        # row's result never depends on the other rows of the batch.
        m = pv.shape[-1]
        flat_sys, flat_rhs = system.reshape(-1, m, m), avail_f.reshape(-1, m)
        flat_pvm, flat_rowsum = pvm.reshape(-1, m, m), rowsum.reshape(-1, m)
        flat_avail, flat_safe = available.reshape(-1, m), safe.reshape(-1, 1)
        out = np.empty_like(flat_rhs)
        for row in range(flat_sys.shape[0]):
            try:
                out[row] = np.linalg.solve(flat_sys[row], flat_rhs[row])
            except np.linalg.LinAlgError:
                out[row] = _markov_iterate(
                    flat_pvm[row], flat_rowsum[row], flat_avail[row], flat_safe[row]
                )
        p = out.reshape(avail_f.shape)
    return np.asarray(np.where(available, np.clip(p, 0.0, 1.0), 0.0))


def _markov_iterate(
    pvm: FloatArray, rowsum: FloatArray, available: BoolArray, safe: FloatArray
) -> FloatArray:
    """KTAB's own damped iteration of the Markov PCE (fallback for singular systems)."""
    p = np.where(available, 1.0 / safe, 0.0)
    for _ in range(_PCE_ITERATIONS):
        q = (p * rowsum + np.einsum("...mk,...k->...m", pvm, p)) / safe
        q = np.where(available, q, 0.0)
        new = 0.5 * (p + q)
        change = float(np.abs(new - p).max(initial=0.0))
        p = new
        if change < _PCE_TOL:
            break
    return p


def smp_round(
    x: FloatArray,
    ideal: FloatArray,
    salience: FloatArray,
    capability: FloatArray,
    rho: FloatArray,
    active: BoolArray,
    p: Mapping[str, float],
) -> FloatArray:
    """One bargain-challenge-negotiate round; returns the new positions (B, n)."""
    b, n = x.shape
    rule, gamma, markov = int(p["vote_rule"]), float(p["gamma"]), p["pce"] == 0.0
    tol = float(p["tol"])
    weight = capability * salience
    u = utility(x, ideal, rho)  # [b, a, i] = u_a(x_i)
    prob = victory_probability(u, weight, rule, gamma)  # [b, i, j]
    u_own = np.diagonal(u, axis1=1, axis2=2)[:, :, None]  # u_i(x_i)
    s_j = salience[:, None, :]
    contest = prob * 2.0 * u_own + (1.0 - prob) * 2.0 * u
    gain = (1.0 - s_j) * 2.0 * u_own + s_j * contest - (u_own + u)
    distinct = np.abs(x[:, :, None] - x[:, None, :]) > tol
    can = distinct & active[:, :, None] & active[:, None, :] & (gain > _TIE)
    # Best target; ties go to the lowest position, so actor order does not matter.
    score = np.where(can, gain, -np.inf)
    top = score.max(axis=2, keepdims=True)
    tied = can & (score >= top - _TIE)
    target = np.argmin(np.where(tied, x[:, None, :], np.inf), axis=2)  # [b, i]
    has = np.take_along_axis(can, target[:, :, None], axis=2)[:, :, 0]
    x_t = np.take_along_axis(x, target, axis=1)
    s_t = np.take_along_axis(salience, target, axis=1)
    p_it = np.take_along_axis(prob, target[:, :, None], axis=2)[:, :, 0]
    bargain = (1.0 - s_t) * x + s_t * (p_it * x + (1.0 - p_it) * x_t)  # x_b of i's bargain

    # Value of each state to each actor: mean utility over the active actors' positions.
    n_active = np.maximum(active.sum(axis=1), 1)[:, None]
    u_act = np.where(active[:, None, :], u, 0.0)
    base = u_act.sum(axis=2) / n_active  # [b, a] status quo
    u_bargain = utility(bargain, ideal, rho)  # [b, a, m] = u_a(x_b of m's bargain)
    u_target = np.take_along_axis(u, np.broadcast_to(target[:, None, :], u.shape), axis=2)
    value_m = base[:, :, None] + (2.0 * u_bargain - u - u_target) / n_active[:, :, None]
    values = np.concatenate([base[:, :, None], value_m], axis=2)  # option 0 = status quo
    pv = victory_probability(values, capability, rule, gamma)  # [b, m, m2], M = n + 1

    # Options of actor k: status quo, its own bargain, bargains whose target is k.
    eye = np.eye(n, dtype=bool)
    proposed_to = has[:, None, :] & (target[:, None, :] == np.arange(n)[None, :, None])
    own = eye[None] & has[:, None, :]
    available = np.concatenate(
        [np.ones((b, n, 1), dtype=bool), (own | proposed_to) & active[:, :, None]], axis=2
    )
    probs = pce(np.broadcast_to(pv[:, None], (b, n, n + 1, n + 1)), available, markov)
    # Most probable option; options within _TIE of the best count as tied and the first wins:
    # the status quo (index 0) is kept on a tie.
    scored = np.where(available, probs, -1.0)
    top_p = scored.max(axis=2, keepdims=True)
    choice = np.argmax(scored >= top_p - _TIE, axis=2)
    chosen = np.take_along_axis(bargain, np.maximum(choice - 1, 0), axis=1)
    return np.where(choice > 0, chosen, x)


def run_issue(
    x0: FloatArray,
    salience: FloatArray,
    capability: FloatArray,
    rho: FloatArray,
    p: Mapping[str, float],
) -> tuple[FloatArray, FloatArray, IntArray, BoolArray]:
    """Run the SMP on one issue: (trajectory (B, R+1, n), final ideals, rounds, converged)."""
    b = x0.shape[0]
    active = capability * salience > 0.0
    x, ideal = x0.copy(), x0.copy()
    traj = [x0.copy()]
    rounds = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    first_rms = np.zeros(b)
    tol, ratio = float(p["tol"]), float(p["stop_ratio"])
    for step in range(1, int(p["max_rounds"]) + 1):
        new = smp_round(x, ideal, salience, capability, rho, active, p)
        delta = new - x
        rms = np.sqrt((delta**2).mean(axis=1))
        if step == 1:
            first_rms = rms
        changed = (np.abs(delta).max(axis=1) > tol) & ~converged
        x = np.where(changed[:, None], new, x)
        if p["ideal_tracking"] == 1.0:
            ideal = x.copy()
        rounds = np.where(changed, step, rounds)
        small = (step > 1) & (rms <= ratio * first_rms)
        converged |= ~changed | small
        traj.append(x.copy())
        if converged.all():
            break
    return np.stack(traj, axis=1), ideal, rounds, converged


def _check(p: Mapping[str, float]) -> None:
    problems = []
    if p["vote_rule"] not in (0.0, 1.0, 2.0):
        problems.append(Located("must be 0, 1 or 2", field="smp.vote_rule"))
    if p["gamma"] not in (1.0, 2.0, 4.0):
        problems.append(Located("must be 1, 2 or 4", field="smp.gamma"))
    for key in ("pce", "ideal_tracking"):
        if p[key] not in (0.0, 1.0):
            problems.append(Located("must be 0 or 1", field=f"smp.{key}"))
    if p["outcome"] not in (0.0, 1.0, 2.0):
        problems.append(Located("must be 0, 1 or 2", field="smp.outcome"))
    if not (p["max_rounds"] >= 0 and float(p["max_rounds"]).is_integer()):
        problems.append(Located("must be a whole number >= 0", field="smp.max_rounds"))
    for key in ("tol", "stop_ratio"):
        if not p[key] >= 0:
            problems.append(Located("must be >= 0", field=f"smp.{key}"))
    if problems:
        raise InputError(problems)


def _pad(traj: FloatArray, length: int) -> FloatArray:
    missing = length - traj.shape[1]
    if missing <= 0:
        return traj
    return np.concatenate([traj, np.repeat(traj[:, -1:], missing, axis=1)], axis=1)


def _outcome(
    final: FloatArray,
    ideal: FloatArray,
    salience: FloatArray,
    capability: FloatArray,
    rho: FloatArray,
    fallback: FloatArray,
    p: Mapping[str, float],
) -> FloatArray:
    """Forecast (B,) of one issue from the final positions (fractions of the range)."""
    weight = capability * salience
    active = weight > 0.0
    if p["outcome"] == 2.0:
        return weighted_median(final[:, :, None], weight[:, :, None], fallback[:, None])[:, 0]
    u = utility(final, ideal, rho)
    pv = victory_probability(u, weight, int(p["vote_rule"]), float(p["gamma"]))
    probs = pce(pv, active, p["pce"] == 0.0)
    if p["outcome"] == 1.0:
        scored = np.where(active, probs, -1.0)
        near = scored >= scored.max(axis=1, keepdims=True) - _TIE
        # Ties between positions: the lowest position (order-free).
        best = np.argmin(np.where(near, final, np.inf), axis=1)
        value = np.take_along_axis(final, best[:, None], axis=1)[:, 0]
    else:
        value = (probs * final).sum(axis=1)
        lo = np.where(active, final, np.inf).min(axis=1)
        hi = np.where(active, final, -np.inf).max(axis=1)
        value = np.clip(value, np.minimum(lo, hi), np.maximum(lo, hi))
    return np.where(active.any(axis=1), value, fallback)


@dataclass(frozen=True)
class SpatialModelOfPolitics:
    """KTAB's Spatial Model of Politics (dynamic), one issue at a time."""

    name: str = "smp"
    label: str = "Spatial Model of Politics (KTAB, KAPSARC)"
    dynamic: bool = True

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        """Forecast every issue; deterministic state transitions, so ``rng`` is unused."""
        p = resolve_params(self.name, params, DEFAULTS)
        _check(p)
        validate_problem(problem, self.name)
        b, _, k = problem.position.shape
        capability = problem.effective_capability
        rho = -np.nan_to_num(np.clip(problem.risk, -1.0, 1.0), nan=0.0)
        trajs, outcomes, all_rounds, all_conv = [], [], [], []
        for issue in range(k):
            lower, upper = float(problem.lower[issue]), float(problem.upper[issue])
            scale = upper - lower
            x0 = (problem.position[:, :, issue] - lower) / scale
            sal = problem.salience[:, :, issue]
            sq = (problem.status_quo[:, issue] - lower) / scale
            parts_t, parts_o, parts_r, parts_c = [], [], [], []
            for lo in range(0, b, CHUNK):
                rows = slice(lo, lo + CHUNK)
                traj, ideal, rounds, conv = run_issue(
                    x0[rows], sal[rows], capability[rows], rho[rows], p
                )
                parts_o.append(
                    _outcome(
                        traj[:, -1], ideal, sal[rows], capability[rows], rho[rows], sq[rows], p
                    )
                )
                parts_t.append(traj)
                parts_r.append(rounds)
                parts_c.append(conv)
            length = max(t.shape[1] for t in parts_t)
            traj_all = np.concatenate([_pad(t, length) for t in parts_t], axis=0)
            trajs.append(np.clip(lower + traj_all * scale, lower, upper))
            outcomes.append(np.clip(lower + np.concatenate(parts_o) * scale, lower, upper))
            all_rounds.append(np.concatenate(parts_r))
            all_conv.append(np.concatenate(parts_c))
        rounds = np.max(np.stack(all_rounds, axis=1), axis=1).astype(np.int64)
        converged = np.all(np.stack(all_conv, axis=1), axis=1)
        length = int(rounds.max(initial=0)) + 1
        trajectory = np.stack([_pad(t, length)[:, :length] for t in trajs], axis=-1)
        return Forecast(
            model=self.name,
            actor_ids=problem.actor_ids,
            issue_ids=problem.issue_ids,
            outcome=np.stack(outcomes, axis=1),
            trajectory=trajectory,
            rounds=rounds,
            converged=converged,
        )


MODEL = SpatialModelOfPolitics()
