"""KTAB's Spatial Model of Politics (SMP), as KTAB's ``smpc`` computes it.

Source: the KAPSARC Toolkit for Behavioral Analysis (KTAB), KAPSARC (open source, MIT licence,
copyright 2015): the KAPSARC papers "An Introduction to the KAPSARC Toolkit for Behavioral
Analysis (KTAB)" and "Multidimensional Bargaining Using KTAB" (listed in KTAB's
``web/papers.html``), B. P. Wise, "Markov Voting with Incentives in KTAB" (draft,
``KTAB/kmodel/doc/markov-incentives.tex``) and the SMP tutorial
(``web/tutorial/SMPTutorial.html``). This module re-implements, array
by array, the C++ of ``examples/smp/libsrc`` (``SMPState::setAllAUtil``, ``doBCN``,
``probEduChlg``, ``bestChallenge``, ``interpolateBrgn``, ``updateBestBrgnPositions``,
``smpStopFn``, ``SMPModel::configExec``) and of ``kmodel`` (``Model::vote``, ``coalitions``,
``vProb``, ``condPCE``, ``markovUniformPCE``, ``markovIncentivePCE``, ``bigRfromProb``,
``estNRA``, ``Actor::vProbLittle``, ``thirdPartyVoteSU``). Every choice below is KTAB's unless
marked *ours*; the parameters default to KTAB's defaults (``Model``/``SMPModel`` members).
Golden outputs of ``smpc`` on 14 inputs are committed in ``tests/models/fixtures/ktab`` and
reproduced by ``tests/models/test_smp_golden.py``; the explanation page is
``docs/explanation/model-smp.md``.

Notation: ``n`` actors, ``d`` dimensions; positions ``x_i`` in [0, 1]^d (KTAB's scale 0–100
divided by 100), saliences ``s_ik`` with ``Σ_k s_ik <= 1``, capabilities ``c_i``. Ideals track
positions (KTAB's identity "accommodation" matrix, the only one its CSV input can express).

One turn ("bargain, challenge, negotiate"):

1. **Distances and risk.** ``D_ij = sqrt(Σ_k s_ik² (x_ik − x_jk)² / Σ_k s_ik²)`` (``bvDiff``),
   risk-neutral utility ``1 − D_ij``. A Probabilistic Condorcet Election (PCE) among all
   positions with capability-weighted votes gives each position a probability ``p_i``; actors
   with likely positions are estimated risk averse: ``R_i = (3 p_i − (p_max + 2 p_min)) /
   (2 (p_max − p_min))`` (``bigRfromProb``, range *Mid* = [−½, 1]). Actor ``h`` estimates ``i``'s
   attitude as ``(2 R_h + R_i)/3`` (``BigRAdjust::OneThird``) and utility is ``u = (1 − D)(1 +
   D R)`` (``bsUtil``).
2. **Challenges** (``probEduChlg`` with ``h = k = i``): ``i``'s contest with ``j`` gets votes
   from ``i`` and ``j`` (weight ``c·Σs``) and from each third party ``n``, who first guesses the
   little contest ``(i:j)`` with only itself added (``vProbLittle``) and then votes on the
   utility of siding with ``i`` or ``j`` (``thirdPartyVoteSU``; ``SemiCommit``: if its side
   wins it keeps its own position, if it loses it adopts the winner's). ``P_ij = C_ij / (C_ij +
   C_ji)``; the expected gain is ``(1 − s_j) 2u_ii + s_j (P_ij 2u_ii + P_ji 2u_ij) − (u_ii +
   u_ij)``. ``i`` targets the ``j`` with the largest gain above 1e-5.
3. **Bargains** (``interpolateBrgn``, ``S2P2``): per dimension ``b = ((w_i + 1e-6) x_i + w_j
   x_j) / (w_i + 1e-6 + w_j)`` with ``w = s_k² P²`` for the initiator and ``w_j = s_jk² (1 −
   P)²``, rounded to 4 decimals; ``InitOnlyInterp``: the initiator's view is the bargain.
4. **Choice** (``updateBestBrgnPositions``): every actor's queue holds the status quo and the
   bargains it is party to; each option is valued by every actor as the mean utility of all
   positions once it is implemented, a PCE with capability weights (``scalarPCE``, default
   ``Conditional``) gives each option a probability and the actor takes the most probable one
   (``Deterministic``) or draws one (``Stochastic``, through the given numpy Generator).
5. **Stop** (``smpStopFn`` as bound in ``configExec``): after at least 2 turns, once the sum
   over actors of the distance moved in the last turn is below 2% of the first turn's
   (+1e-4), or after 100 turns. (Once positions repeat those of an earlier turn exactly, the
   remaining turns are read off the cycle rather than computed: ``simulate``.)

Multi-issue scenarios (*ours*, how a scenario maps onto KTAB): by default (``joint=0``) every
issue is its own one-dimensional KTAB run, because a scenario's saliences are per-issue
intensities in [0, 1] while KTAB's multi-dimensional saliences are a budget (``Σ_k s_ik <= 1``)
and rescaling them changes every actor's commitment ``1 − s_j``. With ``joint=1`` all issues
form one KTAB problem, as KTAB treats a scenario's dimensions jointly, each actor's
salience on an issue divided by the number of issues. Actors with zero capability
or zero salience on every dimension (KTAB rejects both) are spectators: they keep their
position and have no influence. The model rescales capabilities to a mean of 100 over the
influential actors before the run (*ours*, ``normalise_capability``: KTAB's absolute floors
1e-8/1e-10 then act alike at any capability scale; KTAB's own examples use capabilities of that
order); ``simulate`` takes them as given, like ``smpc``.

The issue's forecast (``outcome``, *ours*, KTAB reports positions and their probabilities):
0 = the expectation of the final positions under KTAB's final-state PCE over distinct
positions (``SMPState::pDist(-1)``); 1 = the most probable final position; 2 = the capability
× salience weighted median of the final positions.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from peninsula.errors import InputError, Located
from peninsula.models.base import (
    Forecast,
    influence_weights,
    pad_trajectories,
    validate_problem,
)
from peninsula.models.median import weighted_median
from peninsula.problem import BargainingProblem, BoolArray, FloatArray

IntArray = NDArray[np.int64]


# ------------------------------------------------------------------------------ parameters
# Codes are KTAB's enum indices (kmodel.h, smp.h), so a parameter vector reads like the one
# KTAB's SMPModel::updateModelParameters takes.


class VictoryProb(IntEnum):
    """``VPModel``: P[i > j] from coalition strengths ``C^γ``."""

    LINEAR = 0
    SQUARE = 1
    QUARTIC = 2
    OCTIC = 3
    BINARY = 4


class VotingRule(IntEnum):
    """``VotingRule``: vote as a function of a utility difference."""

    BINARY = 0
    PROP_BIN = 1
    PROPORTIONAL = 2
    PROP_CUBIC = 3
    CUBIC = 4
    ASYM_PROSPECT = 5


class PCEModel(IntEnum):
    """``PCEModel``: probabilistic Condorcet election."""

    CONDITIONAL = 0
    MARKOV_INCENTIVE = 1
    MARKOV_UNIFORM = 2


class StateTransitions(IntEnum):
    DETERMINISTIC = 0
    STOCHASTIC = 1


class BigRRange(IntEnum):
    MIN = 0
    MID = 1
    MAX = 2


class BigRAdjust(IntEnum):
    NONE = 0
    ONE_THIRD = 1
    HALF = 2
    TWO_THIRDS = 3
    FULL = 4


class ThirdPartyCommit(IntEnum):
    NO_COMMIT = 0
    SEMI_COMMIT = 1
    FULL_COMMIT = 2


class InterVecBrgn(IntEnum):
    S1P1 = 0
    S2P2 = 1
    S2PMAX = 2


class BargainModel(IntEnum):
    INIT_ONLY = 0
    INIT_RCVR = 1
    PW_COMPROMISE = 2


#: KTAB's names (the strings of ``--xml`` ``<ModelParameters>``), per parameter.
KTAB_NAMES: dict[str, tuple[str, ...]] = {
    "victory_prob": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "voting_rule": ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
    "pce": ("Conditional", "MarkovIncentive", "MarkovUniform"),
    "state_transitions": ("Deterministic", "Stochastic"),
    "big_r_range": ("Min", "Mid", "Max"),
    "big_r_adjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
    "third_party_commit": ("NoCommit", "SemiCommit", "FullCommit"),
    "interp": ("S1P1", "S2P2", "S2PMax"),
    "bargain_model": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}
#: The XML tag of each parameter in KTAB's ``<ModelParameters>``.
KTAB_TAGS: dict[str, str] = {
    "victory_prob": "VictoryProbModel",
    "voting_rule": "VotingRule",
    "pce": "PCEModel",
    "state_transitions": "StateTransitions",
    "big_r_range": "BigRRange",
    "big_r_adjust": "BigRAdjust",
    "third_party_commit": "ThirdPartyCommit",
    "interp": "InterVecBrgn",
    "bargain_model": "BargnModel",
}


@dataclass(frozen=True)
class SMPParams:
    """The SMP's parameters; defaults are KTAB's (``Model``/``SMPModel`` member defaults and the
    constants of ``SMPModel::configExec``), except ``joint`` and ``outcome`` (*ours*)."""

    victory_prob: VictoryProb = VictoryProb.LINEAR
    voting_rule: VotingRule = VotingRule.PROPORTIONAL
    pce: PCEModel = PCEModel.CONDITIONAL
    state_transitions: StateTransitions = StateTransitions.DETERMINISTIC
    big_r_range: BigRRange = BigRRange.MID
    big_r_adjust: BigRAdjust = BigRAdjust.ONE_THIRD
    third_party_commit: ThirdPartyCommit = ThirdPartyCommit.SEMI_COMMIT
    interp: InterVecBrgn = InterVecBrgn.S2P2
    bargain_model: BargainModel = BargainModel.INIT_ONLY
    #: 0 = each issue its own KTAB run, 1 = all issues as one multi-dimensional KTAB run.
    joint: int = 0
    #: KTAB's turn cap (``maxIter``), minimum turns (``minIter``) and quiet ratio.
    max_rounds: int = 100
    min_rounds: int = 2
    stop_ratio: float = 0.02
    #: 0 = PCE expectation, 1 = most probable position, 2 = weighted median (*ours*).
    outcome: int = 0

    def __post_init__(self) -> None:
        problems: list[Located] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in KTAB_NAMES:
                size = len(KTAB_NAMES[f.name])
                if not (isinstance(value, int) and 0 <= value < size):
                    problems.append(
                        Located(
                            f"must be one of 0..{size - 1} ({', '.join(KTAB_NAMES[f.name])})",
                            field=f"smp.{f.name}",
                        )
                    )
        if self.joint not in (0, 1):
            problems.append(Located("must be 0 (separate) or 1 (joint)", field="smp.joint"))
        if self.outcome not in (0, 1, 2):
            problems.append(Located("must be 0, 1 or 2", field="smp.outcome"))
        if not (isinstance(self.max_rounds, int) and self.max_rounds >= 0):
            problems.append(Located("must be a whole number >= 0", field="smp.max_rounds"))
        if not (isinstance(self.min_rounds, int) and self.min_rounds >= 0):
            problems.append(Located("must be a whole number >= 0", field="smp.min_rounds"))
        if not (np.isfinite(self.stop_ratio) and self.stop_ratio >= 0):
            problems.append(Located("must be >= 0", field="smp.stop_ratio"))
        if problems:
            raise InputError(problems)

    @classmethod
    def from_mapping(cls, params: Mapping[str, float | str] | None) -> SMPParams:
        """Parameters from ``{name: value}``; enumerations take KTAB's index or KTAB's name
        (``{"pce": "MarkovUniform"}``). Unknown names and bad values are :class:`InputError`."""
        if not params:
            return cls()
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise InputError(
                [
                    Located(
                        f"unknown parameter {name!r} for model 'smp'; known: "
                        + ", ".join(sorted(known))
                    )
                    for name in unknown
                ]
            )
        values: dict[str, object] = {}
        problems: list[Located] = []
        for name, raw in params.items():
            if name in KTAB_NAMES and isinstance(raw, str):
                if raw not in KTAB_NAMES[name]:
                    problems.append(
                        Located(
                            f"unknown value {raw!r}; one of {', '.join(KTAB_NAMES[name])}",
                            field=f"smp.{name}",
                        )
                    )
                    continue
                values[name] = KTAB_NAMES[name].index(raw)
                continue
            try:
                number = float(raw)
            except (TypeError, ValueError):
                problems.append(Located(f"not a number: {raw!r}", field=f"smp.{name}"))
                continue
            if name == "stop_ratio":
                values[name] = number
            elif number.is_integer():
                values[name] = int(number)
            else:
                problems.append(
                    Located(f"must be a whole number, got {raw!r}", field=f"smp.{name}")
                )
        if problems:
            raise InputError(problems)
        made = cls(**values)  # type: ignore[arg-type]
        # Store enumerations as their enum types (ints were validated by __post_init__).
        converted = {
            f.name: type(getattr(cls(), f.name))(getattr(made, f.name))
            for f in fields(cls)
            if f.name in KTAB_NAMES
        }
        return cls(**{**{f.name: getattr(made, f.name) for f in fields(cls)}, **converted})

    def ktab_names(self) -> dict[str, str]:
        """``{XML tag: KTAB name}`` for KTAB's ``<ModelParameters>`` (used by the golden tools)."""
        return {KTAB_TAGS[name]: KTAB_NAMES[name][int(getattr(self, name))] for name in KTAB_NAMES}


#: Defaults as ``{name: number}`` (enumerations as KTAB's indices), like the other models'
#: ``DEFAULTS``; ``SMPParams`` is the validated form.
DEFAULTS: dict[str, float] = {
    f.name: float(getattr(SMPParams(), f.name)) for f in fields(SMPParams)
}

#: The parameter set matching the simplifications of our earlier SMP (full third-party
#: commitment, uniform Markov PCE, no mutual risk adjustment); every golden case is also
#: generated and tested under it.
SIMPLIFIED: dict[str, float | str] = {
    "third_party_commit": "FullCommit",
    "pce": "MarkovUniform",
    "big_r_adjust": "None",
}

# KTAB's constants.
_MIN_C = 1e-8  # Model::coalitions minC
_MIN_CLTN = 1e-10  # probEduChlg minCltn
_BIN_TOL = 1e-8  # Model::vote sTol
_MIN_SIG_EDU = 1e-5  # bestChallenge minSigEDU
_MIN_W = 1e-6  # interpBrgn minW
_MIN_SIG_DELTA = 1e-4  # configExec minSigDelta
_POS_TOL = 1e-3  # SMPModel::posTol (equivalent positions)
#: A gap counts as below ``posTol`` only if it is below by more than this (*ours*; see
#: :func:`position_classes`): far above float rounding of positions in [0, 1], far below
#: KTAB's 4-decimal grid.
_POS_EPS = 1e-9
_PCE_MAX_ITER = 1000
#: Two challenges whose gains differ by less than this are a tie (*ours*: KTAB compares exactly
#: and keeps the lowest actor index; we prefer the lowest position, then the lowest index, so a
#: summation-order difference cannot decide and relabelling distinct actors changes nothing).
_TIE = 1e-12
#: Mean capability of the influential actors after rescaling (see module docstring).
_CAP_SCALE = 100.0


# ------------------------------------------------------------------------------- primitives


@functools.lru_cache(maxsize=64)
def _eye(m: int) -> BoolArray:
    """A read-only boolean identity (cached: built once per size, used several times a turn)."""
    eye = np.eye(m, dtype=bool)
    eye.flags.writeable = False
    return eye


def vote(rule: VotingRule, weight: FloatArray, du: FloatArray) -> FloatArray:
    """``Model::vote``: influence an actor of ``weight`` exerts for a utility difference ``du``."""
    if rule == VotingRule.PROPORTIONAL:
        return np.asarray(weight * du)
    if rule == VotingRule.CUBIC:
        return np.asarray(weight * du**3)
    if rule == VotingRule.PROP_CUBIC:
        return np.asarray(weight * (0.5 * du + 0.5 * du**3))
    binary = np.clip(du / _BIN_TOL, -1.0, 1.0)
    if rule == VotingRule.BINARY:
        return np.asarray(weight * binary)
    if rule == VotingRule.PROP_BIN:
        return np.asarray(weight * (0.8 * du + 0.2 * binary))
    # ASymProsp: the response to a gain is 2/3 of the response to a loss.
    return np.asarray(np.where(du < 0, weight * du, np.where(du > 0, 2.0 * weight * du / 3.0, 0.0)))


def coalitions(u: FloatArray, weight: FloatArray, rule: VotingRule) -> FloatArray:
    """``Model::coalitions``: ``C[..., i, j]`` = strength of the coalition for option ``i``
    over ``j`` from voters' utilities ``u`` (..., voters, M) and weights (..., voters).

    KTAB scans the lower triangle ``i > j``: ``C_ij`` sums the positive votes ``v_k(i:j)`` and
    ``C_ji`` minus the negative ones, each starting from 1e-8 (the diagonal is 1e-8). For odd
    rules that is ``Σ_k max(v_k(i:j), 0)`` everywhere; for the asymmetric ``ASymProsp`` the
    lower triangle gets the 2/3 response. The (..., voter, i, j) vote differences are made a
    block of rows ``i`` at a time (``_BLOCK_ELEMENTS``).
    """
    m = u.shape[-1]
    step = max(1, _BLOCK_ELEMENTS // max(u.size, 1))  # a row i of the block has u.size entries
    if step >= m:
        c = _coalition_rows(u, weight, rule, 0, m, None)
    else:
        work = np.empty((*u.shape[:-1], step, m))  # reused by every block
        c = np.empty((*u.shape[:-2], m, m))
        for lo in range(0, m, step):
            hi = min(lo + step, m)
            c[..., lo:hi, :] = _coalition_rows(u, weight, rule, lo, hi, work[..., : hi - lo, :])
    c += _MIN_C
    return np.asarray(np.where(_eye(m), _MIN_C, c))


def _coalition_rows(
    u: FloatArray, weight: FloatArray, rule: VotingRule, lo: int, hi: int, out: FloatArray | None
) -> FloatArray:
    """Rows ``lo:hi`` of :func:`coalitions` before its floor 1e-8 (``out``: scratch space for
    the vote differences)."""
    du = np.subtract(u[..., :, lo:hi, None], u[..., :, None, :], out=out)  # [..., voter, i, j]
    if rule == VotingRule.ASYM_PROSPECT:
        pos = np.maximum(du, 0.0)
        c = np.einsum("...k,...kij->...ij", weight, pos)
        lower = np.arange(lo, hi)[:, None] > np.arange(u.shape[-1])[None, :]
        return np.asarray(np.where(lower, 2.0 * c / 3.0, c))
    if rule == VotingRule.PROPORTIONAL:
        np.maximum(du, 0.0, out=du)
        return np.asarray(np.einsum("...k,...kij->...ij", weight, du))
    v = vote(rule, weight[..., :, None, None], du)
    return np.asarray(np.maximum(v, 0.0).sum(axis=-3))


def victory_probability(c: FloatArray, model: VictoryProb) -> FloatArray:
    """``Model::vProb``: ``P[..., i, j]`` that option ``i`` beats ``j`` (diagonal ½)."""
    cji = np.swapaxes(c, -1, -2)
    if model == VictoryProb.BINARY:
        thresh, min_x = 1.10, 1e-6
        r = c / (c + cji)
        mid = (r * (thresh + 1.0) - 1.0) / (thresh - 1.0)
        x1 = np.where(c >= thresh * cji, 1.0, np.where(cji >= thresh * c, min_x, mid))
        x2 = np.where(c >= thresh * cji, min_x, np.where(cji >= thresh * c, 1.0, 1.0 - mid))
    elif model == VictoryProb.LINEAR:
        x1, x2 = c, cji
    else:
        power = {VictoryProb.SQUARE: 2, VictoryProb.QUARTIC: 4}.get(model, 8)
        x1, x2 = c**power, cji**power
    p = x1 / (x1 + x2)
    m = c.shape[-1]
    return np.asarray(np.where(_eye(m), 0.5, p))


def pce(pv: FloatArray, c: FloatArray, available: BoolArray, model: PCEModel) -> FloatArray:
    """Probability of each option (..., M) from victory probabilities ``pv`` and coalition
    strengths ``c`` (..., M, M), among the ``available`` options (..., M) (others get 0).

    ``Conditional`` (``condPCE``): ``p_i ∝ Π_j P_ij``. ``MarkovUniform``
    (``markovUniformPCE``): the fixed point of ``p_i = (1/N) Σ_j P_ij (p_i + p_j)``;
    ``MarkovIncentive`` (``markovIncentivePCE``, "Markov Voting with Incentives in KTAB"):
    challengers are drawn in proportion to ``C_ij P_ij``. Both Markov chains are iterated as
    KTAB does (start uniform, average with the update, stop when no entry changes by more than
    1e-6 resp. 1e-8), each problem of the batch stopping on its own.
    """
    mask = available[..., :, None] & available[..., None, :]
    if model == PCEModel.CONDITIONAL:
        p = np.where(mask, pv, 1.0).prod(axis=-1)
        p = np.where(available, p, 0.0)
        return np.asarray(p / p.sum(axis=-1, keepdims=True))
    count = available.sum(axis=-1, keepdims=True).astype(np.float64)
    p0 = np.where(available, 1.0 / np.maximum(count, 1.0), 0.0)
    pvm = np.where(mask, pv, 0.0)
    m = pv.shape[-1]
    eye = _eye(m)
    # Both chains are linear, q = M p: uniform M = (diag(Σ_j P_ij) + P) / N; incentive
    # (q_i = Σ_j P_ij (p_i χ_ji + p_j χ_ij), χ_ij = chance that i challenges j):
    # M = diag(Σ_j P_ij χ_ji) + P ∘ χ.
    if model == PCEModel.MARKOV_UNIFORM:
        tol = 1e-6
        chain = (np.where(eye, pvm.sum(axis=-1)[..., None], 0.0) + pvm) / np.maximum(count, 1.0)[
            ..., None
        ]
    else:
        tol = 1e-8
        incentive = np.where(mask, c * pv, 0.0) + np.where(eye & available[..., None], 1e-10, 0.0)
        total = incentive.sum(axis=-2, keepdims=True)
        challenge = incentive / np.where(total > 0, total, 1.0)
        inflow = (pvm * np.swapaxes(challenge, -1, -2)).sum(axis=-1)
        chain = np.where(eye, inflow[..., None], 0.0) + pvm * challenge
    return _iterate_chain(chain, p0, tol)


#: Steps of the Markov iteration computed per convergence check (powers of the update), for
#: chains of up to ``_BLOCK_MAX_OPTIONS`` options (beyond, the powers cost more than the steps).
_BLOCK = 16
_BLOCK_MAX_OPTIONS = 12


def _iterate_stepwise(step: FloatArray, p0: FloatArray, tol: float) -> FloatArray:
    """``_iterate_chain`` one step at a time (large chains)."""
    p = p0
    running = np.ones(p0.shape[:-1], dtype=bool)
    for _ in range(_PCE_MAX_ITER):
        new = (step @ p[..., :, None])[..., 0]
        change = 2.0 * np.abs(new - p).max(axis=-1)
        p = np.where(running[..., None], new, p)
        running &= change > tol
        if not running.any():
            break
    return np.asarray(p)


def _iterate_chain(chain: FloatArray, p0: FloatArray, tol: float) -> FloatArray:
    """KTAB's damped iteration ``p ← (p + M p)/2`` from ``p0``, stopping (per problem) after
    the first step whose change ``max|M p − p|`` is at most ``tol``. The update is linear, so
    ``_BLOCK`` steps are taken at once with the powers of ``A = (I + M)/2``; the step at which
    each problem stops is the same as KTAB's (up to rounding in the last bits)."""
    m = chain.shape[-1]
    step = (np.eye(m) + chain) / 2.0
    if m > _BLOCK_MAX_OPTIONS:
        return _iterate_stepwise(step, p0, tol)
    powers = step[..., None, :, :]
    while powers.shape[-3] < _BLOCK:
        last = powers[..., -1:, :, :]
        powers = np.concatenate([powers, last @ powers], axis=-3)
    p = p0
    result = p0.copy()
    running = np.ones(p0.shape[:-1], dtype=bool)
    for _ in range(0, _PCE_MAX_ITER, _BLOCK):
        seq = (powers @ p[..., None, :, None])[..., 0]  # (..., K, m): the next K steps
        prev = np.concatenate([p[..., None, :], seq[..., :-1, :]], axis=-2)
        change = 2.0 * np.abs(seq - prev).max(axis=-1)  # = max|M p - p| of each step
        done = change <= tol
        first = np.argmax(done, axis=-1)
        newly = running & done.any(axis=-1)
        if newly.any():
            picked = np.take_along_axis(seq, first[..., None, None], axis=-2)[..., 0, :]
            result = np.where(newly[..., None], picked, result)
        running &= ~newly
        if not running.any():
            break
        p = seq[..., -1, :]
    return np.asarray(np.where(running[..., None], p, result))


def big_r(
    p: FloatArray, active: BoolArray, rng_mode: BigRRange, everyone: bool = False
) -> FloatArray:
    """``Model::bigRfromProb``: risk attitudes from the positions' probabilities (likely
    positions → risk averse). All equal probabilities (KTAB divides by zero) give 0.
    ``everyone``: the caller knows every actor is active (skips the masks, same numbers)."""
    if everyone:
        p_min = p.min(axis=-1, keepdims=True)
        p_max = p.max(axis=-1, keepdims=True)
        spread = p_max - p_min
        if (spread > 1e-300).all():
            if rng_mode == BigRRange.MIN:
                return np.asarray((p - p_min) / spread)
            if rng_mode == BigRRange.MID:
                return np.asarray((3 * p - (p_max + 2 * p_min)) / (2 * spread))
            return np.asarray((2 * p - (p_max + p_min)) / spread)
    p_min = np.where(active, p, np.inf).min(axis=-1, keepdims=True)
    p_max = np.where(active, p, -np.inf).max(axis=-1, keepdims=True)
    spread = p_max - p_min
    ok = spread > 1e-300
    safe = np.where(ok, spread, 1.0)
    if rng_mode == BigRRange.MIN:
        r = (p - p_min) / safe
    elif rng_mode == BigRRange.MID:
        r = (3 * p - (p_max + 2 * p_min)) / (2 * safe)
    else:
        r = (2 * p - (p_max + p_min)) / safe
    return np.asarray(np.where(ok & active, r, 0.0))


def est_nra(r_h: FloatArray, r_i: FloatArray, adjust: BigRAdjust) -> FloatArray:
    """``Model::estNRA``: ``h``'s estimate of ``i``'s risk attitude."""
    if adjust == BigRAdjust.FULL:
        return np.asarray(r_i + 0.0 * r_h)
    if adjust == BigRAdjust.TWO_THIRDS:
        return np.asarray((r_h + 2.0 * r_i) / 3.0)
    if adjust == BigRAdjust.HALF:
        return np.asarray((r_h + r_i) / 2)
    if adjust == BigRAdjust.ONE_THIRD:
        return np.asarray((2.0 * r_h + r_i) / 3.0)
    return np.asarray(r_h + 0.0 * r_i)


def bs_util(distance: FloatArray, risk: FloatArray) -> FloatArray:
    """``SMPModel::bsUtil``: ``(1 − d)(1 + d R)`` (``(1 − d)(1 + R)`` past ``d > 1``)."""
    return np.asarray((1.0 - distance) * (1.0 + np.minimum(distance, 1.0) * risk))


def distance(ideal: FloatArray, pos: FloatArray, sal: FloatArray) -> FloatArray:
    """``SMPModel::bvDiff``: ``D[..., i, j]``, salience-weighted RMS distance from ``i``'s ideal
    (..., n, d) to positions ``pos`` (..., M, d), with ``i``'s saliences (..., n, d)."""
    diff = (ideal[..., :, None, :] - pos[..., None, :, :]) * sal[..., :, None, :]
    ss = (sal * sal).sum(axis=-1)
    safe = np.where(ss > 0, ss, 1.0)
    return np.asarray(np.sqrt((diff * diff).sum(axis=-1) / safe[..., :, None]))


def interpolate(
    t_i: FloatArray,
    s_i: FloatArray,
    p_i: FloatArray,
    t_j: FloatArray,
    s_j: FloatArray,
    p_j: FloatArray,
    method: InterVecBrgn,
) -> tuple[FloatArray, FloatArray]:
    """``SMPActor::interpolateBrgn`` per dimension: the bargain's positions for initiator and
    receiver from their positions ``t``, saliences ``s`` and victory probabilities ``p``.

    ``S1P1``/``S2P2``: weights ``w = s^n p^m``; the initiator gets ``((w_i + ε) t_i + w_j t_j) /
    (w_i + ε + w_j)``, the receiver ``(w_i t_i + (w_j + ε) t_j) / (…)``, ε = 1e-6, both rounded
    to 4 decimals (KTAB's ``round4``, against spurious precision). ``S2PMax``: each moves towards
    the other by the other's excess victory probability, salience-weighted.
    """
    if method == InterVecBrgn.S2PMAX:
        di = np.maximum(p_j - p_i, 0.0)
        dj = np.maximum(p_i - p_j, 0.0)
        si2, sj2 = s_i * s_i, s_j * s_j
        dik = (di * sj2) / ((di * sj2) + _MIN_W + ((1 - di) * si2))
        djk = (dj * si2) / ((dj * si2) + _MIN_W + ((1 - dj) * sj2))
        return t_i + dik * (t_j - t_i), t_j + djk * (t_i - t_j)
    power = 1 if method == InterVecBrgn.S1P1 else 2
    w_i = s_i**power * p_i**power
    w_j = s_j**power * p_j**power
    den = w_i + _MIN_W + w_j
    b_i = ((w_i + _MIN_W) * t_i + w_j * t_j) / den
    b_j = (w_i * t_i + (_MIN_W + w_j) * t_j) / den

    def round4(v: FloatArray) -> FloatArray:
        # KTAB: (int)(0.5 + x * 10000) / 10000, truncation toward zero.
        return np.asarray(np.trunc(0.5 + v * 10000.0) / 10000.0)

    return round4(b_i), round4(b_j)


# ------------------------------------------------------------------------------- the model

#: Elements of the largest temporaries of one block of work. Every cube-sized quantity of a
#: turn — the challenges' (B, i, j, third party) arrays, the (B, voter, i, j) vote differences
#: of a coalition, the actors' menus — is computed a block of rows at a time (at least one
#: row: B·n² elements), so a turn needs O(B·n²·d) memory plus a few such blocks, reused from
#: block to block, whatever the number of actors (*ours*: KTAB loops over actors; whole-cube
#: numpy arrays would need O(B·n³)). Results do not depend on the block size (tested).
_BLOCK_ELEMENTS = 1 << 16


@dataclass(frozen=True)
class _Turn:
    """What one turn leaves for the next and for the outcome."""

    position: FloatArray  # (B, n, d)
    risk: FloatArray  # (B, n) R_i of the state the turn started from
    choice: IntArray  # (B, n) the menu item each actor took (0 = status quo)
    options: int  # 1 + M menu items in all
    menu: IntArray  # (B, n, K) each actor's menu items (see _menu_pce)
    menu_probability: FloatArray  # (B, n, K) their PCE probabilities

    @property
    def probability(self) -> FloatArray:
        """(B, n, 1 + M) PCE over each actor's menu, 0 off the menu."""
        b, n, _ = self.menu.shape
        dense = np.zeros((b, n, self.options))
        np.put_along_axis(dense, self.menu, self.menu_probability, axis=2)
        return dense


@dataclass(frozen=True)
class _Actors:
    """What stays the same in every turn of a run (per batch row): saliences, capabilities,
    who is active, and what derives from these alone (computed once, not once a turn)."""

    sal: FloatArray  # (B, n, d)
    ss: FloatArray  # (B, n, 1) Σ_k s_ik², 1 where it is 0 (bvDiff's denominator)
    cap: FloatArray  # (B, n), 0 for spectators
    active: BoolArray  # (B, n)
    everyone: bool  # every actor of every row is active (masks can be skipped)
    n_active: FloatArray  # (B, 1) number of active actors (at least 1)
    s_tot: FloatArray  # (B, n) Σ_k s_ik
    w: FloatArray  # (B, n) c_i Σ_k s_ik: principals' and third parties' weight
    pairs: BoolArray  # (B, n, n) i and j both active, i ≠ j

    @classmethod
    def of(cls, sal: FloatArray, cap: FloatArray, active: BoolArray) -> _Actors:
        n = cap.shape[1]
        ss = (sal * sal).sum(axis=-1)
        s_tot = sal.sum(axis=-1)
        cap = np.where(active, cap, 0.0)
        off = ~_eye(n)[None]
        return cls(
            sal=sal,
            ss=np.where(ss > 0, ss, 1.0)[:, :, None],
            cap=cap,
            active=active,
            everyone=bool(active.all()),
            n_active=np.maximum(active.sum(axis=1), 1).astype(np.float64)[:, None],
            s_tot=s_tot,
            w=cap * s_tot,
            pairs=active[:, :, None] & active[:, None, :] & off,
        )

    def take(self, rows: IntArray) -> _Actors:
        return _Actors.of(self.sal[rows], self.cap[rows], self.active[rows])


def _distance(ideal: FloatArray, pos: FloatArray, sal: FloatArray, ss: FloatArray) -> FloatArray:
    """:func:`distance` with ``ss`` = Σ_k s_ik² (…, n, 1) given (it is fixed for a run)."""
    diff = ideal[..., :, None, :] - pos[..., None, :, :]
    diff *= sal[..., :, None, :]
    diff *= diff
    total = diff.sum(axis=-1)
    total /= ss
    return np.asarray(np.sqrt(total, out=total))


def _risk(
    dist: FloatArray, act: _Actors, prm: SMPParams
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``setAllAUtil``: risk-neutral utilities ``1 − D``, risk attitudes ``R`` (B, n) from a
    PCE among all current positions, and ``R[b, h, i]`` = h's estimate of i's attitude."""
    neutral = 1.0 - dist
    c = coalitions(neutral, act.cap, prm.voting_rule)
    pv = victory_probability(c, prm.victory_prob)
    if act.everyone and prm.pce == PCEModel.CONDITIONAL:  # pce() without masks
        p = pv.prod(axis=-1)
        p /= p.sum(axis=-1, keepdims=True)
    else:
        p = pce(pv, c, act.active, prm.pce)
    risk = big_r(p, act.active, prm.big_r_range, act.everyone)
    r_hi = est_nra(risk[:, :, None], risk[:, None, :], prm.big_r_adjust)  # [b, h, i]
    return neutral, risk, r_hi


def _contest(
    u_ii: FloatArray | float,
    u_ij: FloatArray,
    u_ji: FloatArray,
    u_jj: FloatArray | float,
    u_ni: FloatArray,
    u_nj: FloatArray,
    u_nn: FloatArray | float,
    w_i: FloatArray,
    w_j: FloatArray,
    w_n: FloatArray,
    third: BoolArray | tuple[int, int],
    prm: SMPParams,
    work: tuple[FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """``probEduChlg``'s victory probability ``P[i > j]`` as estimated by some ``h`` whose
    utilities are given: principals' votes, then each third party's (``vProbLittle`` and
    ``thirdPartyVoteSU``). Principal arrays (...), third-party arrays (..., n). ``third``
    marks who votes as a third party, or is ``(lo, hi)`` for a block of initiators ``lo:hi``
    against all targets (arrays (B, i, j, n)): then everyone but ``i`` and ``j`` does, and
    spectators must have weight 0.

    The third-party arrays are the largest of a turn (a block of B·i·j·n). With ``work`` (two
    arrays of their shape) the temporaries are written there and into ``u_nj`` (which is then
    overwritten): a turn reuses the same memory block after block rather than allocating and
    faulting in fresh pages for each operation (same arithmetic)."""
    rule = prm.voting_rule
    ci = vote(rule, w_i, u_ii - u_ij)
    cj = vote(rule, w_j, u_ji - u_jj)
    chij = _MIN_CLTN + np.maximum(ci, 0.0) + np.maximum(cj, 0.0)
    chji = _MIN_CLTN + np.maximum(-ci, 0.0) + np.maximum(-cj, 0.0)
    if prm.third_party_commit != ThirdPartyCommit.SEMI_COMMIT:
        # Full and no commitment value joining either side alike (3u_ni vs 3u_ni, 3u_nj vs
        # 3u_nj; 2u + u_nn likewise): third parties' votes are exactly 0.
        return np.asarray(chij / (chij + chji))
    if work is None:
        shape = np.broadcast_shapes(np.shape(u_ni), np.shape(u_nj))
        work = (np.empty(shape), np.empty(shape))
        u_nj = np.array(np.broadcast_to(u_nj, shape), dtype=np.float64)  # ours to overwrite
    first, second = work
    cn = _vote_into(rule, w_n, np.subtract(u_ni, u_nj, out=first))
    cni = np.maximum(cn, 0.0, out=second)
    cnj = np.subtract(cni, cn, out=first)  # = max(−cn, 0), exactly
    cni += chij[..., None]
    cnj += chji[..., None]
    cnj += cni
    pin = np.divide(cni, cnj, out=cni)  # P_in = cni / (cni + cnj)
    # SemiCommit: u(ik > j) = 2u_ni + u_nn, u(j > ik) = 3u_nj, u(i > jk) = 3u_ni,
    # u(jk > i) = 2u_nj + u_nn; the vote is on the difference of the two expectations,
    # P_in (u_nn − u_ni) + P_jn (u_nj − u_nn).
    lose = np.subtract(1.0, pin, out=cnj)
    lose *= np.subtract(u_nj, u_nn, out=u_nj)
    pin *= u_nn - u_ni
    vk = _vote_into(rule, w_n, np.add(pin, lose, out=lose))
    if isinstance(third, tuple):
        # Initiators lo:hi of a block against every target j (B, i, j, n): the third parties
        # are all n but i and j (spectators' weight is 0, so their votes are 0 already).
        lo, hi = third
        every = np.arange(vk.shape[-1])
        vk[:, :, every, every] = 0.0  # n = j
        vk[:, np.arange(hi - lo), :, np.arange(lo, hi)] = 0.0  # n = i
    else:
        vk *= third  # only active third parties (n ≠ i, j) vote
    gain = np.maximum(vk, 0.0, out=second).sum(axis=-1)
    np.negative(vk, out=vk)
    np.maximum(vk, 0.0, out=vk)
    chij = chij + gain
    chji = chji + vk.sum(axis=-1)
    return np.asarray(chij / (chij + chji))


def _vote_into(rule: VotingRule, weight: FloatArray, du: FloatArray) -> FloatArray:
    """:func:`vote` that may overwrite ``du`` (a temporary of the caller's)."""
    if rule == VotingRule.PROPORTIONAL:
        return np.multiply(du, weight, out=du)
    return vote(rule, weight, du)


def _gain(p: FloatArray, u_ki: FloatArray | float, u_kj: FloatArray, s_j: FloatArray) -> FloatArray:
    """``probEduChlg``'s expected change in ``k``'s utility from ``i`` challenging ``j``."""
    vict = u_ki + u_ki
    contest = p * vict + (1.0 - p) * (u_kj + u_kj)
    return np.asarray((1.0 - s_j) * vict + s_j * contest - (u_ki + u_kj))


def _challenges(
    neutral: FloatArray,
    near: FloatArray,
    r_hi: FloatArray,
    u_own: FloatArray,
    u_at: FloatArray,
    act: _Actors,
    prm: SMPParams,
) -> FloatArray:
    """``P[b, i, j]``: i's estimate (``h = k = i``) that its challenge of j succeeds, with
    every third party n voting. The (B, i, j, n) arrays are made a block of initiators at a
    time: ``U_i(n, j) = (1 − D_nj)(1 + min(D_nj, 1) R_in)`` (``bsUtil`` with i's estimate of
    n's risk attitude), ``U_i(n, i)`` = ``u_at``, ``U_i(i, j)`` = ``u_own``, ``U_i(j, j) = 1``.
    """
    b, n, _ = u_own.shape
    neutral_t = np.swapaxes(neutral, 1, 2)[:, None]  # [b, 1, j, n] = 1 − D_nj
    near_t = np.swapaxes(near, 1, 2)[:, None]  # min(D_nj, 1)
    w_n = act.w[:, None, None, :]
    p_ij = np.empty((b, n, n))
    step = min(n, max(1, _BLOCK_ELEMENTS // max(b * n * n, 1)))
    buffers = np.empty((3, b, step, n, n))  # reused by every block
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        u_nj, *work = buffers[:, :, : hi - lo]
        np.multiply(near_t, r_hi[:, lo:hi, None, :], out=u_nj)
        u_nj += 1.0
        u_nj *= neutral_t  # [b, i, j, n] = U_i(n, j)
        p_ij[:, lo:hi] = _contest(
            1.0,
            u_own[:, lo:hi],
            u_at[:, lo:hi],
            1.0,
            u_at[:, lo:hi, None, :],
            u_nj,
            1.0,
            act.w[:, lo:hi, None],
            act.w[:, None, :],
            w_n,
            (lo, hi),
            prm,
            (work[0], work[1]),
        )
    return p_ij


def _menu_pce(
    pv: FloatArray, c: FloatArray, available: BoolArray, model: PCEModel
) -> tuple[IntArray, BoolArray, FloatArray]:
    """Each actor's PCE over its own menu: ``available`` (B, n, 1 + M) marks the options on
    actor a's menu, ``pv`` and ``c`` (B, 1 + M, 1 + M) are the contests among all options.
    Returns ``menu`` (B, n, K) the options of each menu in ascending order (K the longest
    menu; shorter menus padded), ``listed`` (B, n, K) which entries are real, and their
    probabilities (B, n, K), 0 on padding.

    A menu holds the status quo and the bargains its actor is party to, so menus are short
    (K ≪ M) unless many actors target the same one: gathering each menu's contests costs
    O(B·n·K²) where the full (B, n, 1 + M, 1 + M) grid would be O(B·n³). Actors are taken a
    block at a time. Small problems (the whole grid within ``_BLOCK_ELEMENTS``) take every
    option as every actor's menu, unlisted ones masked: fewer numpy calls, same numbers."""
    b, n, m_opts = available.shape
    if b * n * m_opts * m_opts <= _BLOCK_ELEMENTS:
        every = np.broadcast_to(np.arange(m_opts), (b, n, m_opts))
        return every, available, pce(pv[:, None], c[:, None], available, model)
    k = int(available.sum(axis=2).max())
    menu = np.argsort(~available, axis=2, kind="stable")[:, :, :k]  # available first, in order
    rows = np.arange(b)[:, None, None, None]
    listed = available[rows[..., 0], np.arange(n)[None, :, None], menu]
    probs = np.empty((b, n, k))
    step = max(1, _BLOCK_ELEMENTS // max(b * k * k, 1))
    for lo in range(0, n, step):
        mine = menu[:, lo : lo + step]
        p_q, q_p = mine[:, :, :, None], mine[:, :, None, :]
        grid = pv[rows, p_q, q_p]
        strength = c[rows, p_q, q_p] if model == PCEModel.MARKOV_INCENTIVE else grid
        probs[:, lo : lo + step] = pce(grid, strength, listed[:, lo : lo + step], model)
    return np.asarray(menu, dtype=np.int64), listed, probs


def _turn(
    x: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    active: BoolArray,
    prm: SMPParams,
    rng: np.random.Generator,
) -> _Turn:
    """One turn of ``SMPState::doBCN`` for a batch; returns the new positions."""
    return _step(x, _Actors.of(sal, cap, active), prm, rng)


def _step(x: FloatArray, act: _Actors, prm: SMPParams, rng: np.random.Generator | None) -> _Turn:
    """One turn of ``SMPState::doBCN`` for a batch whose fixed inputs are ``act``."""
    b, n, d = x.shape
    sal, active = act.sal, act.active
    idx = np.arange(n)
    bi = np.arange(b)[:, None]
    dist = _distance(x, x, sal, act.ss)  # [b, i, j]
    neutral, risk, r_hi = _risk(dist, act, prm)
    # Utilities U_h(a, p) = (1 − D_ap)(1 + min(D_ap, 1) R_ha) (bsUtil), as needed: never the
    # whole (B, h, a, p) cube. U_h(a, a) = 1.
    near = np.minimum(dist, 1.0)
    r_own = r_hi[:, idx, idx]  # R_ii
    u_own = neutral * (1.0 + near * r_own[:, :, None])  # [b, i, p] = U_i(i, p)
    u_at = np.swapaxes(neutral * (1.0 + near * np.swapaxes(r_hi, 1, 2)), 1, 2)  # U_h(a, h)
    s_tot = act.s_tot

    # --- challenges from i's own perspective (h = k = i), all targets j at once: [b, i, j]
    p_ij = _challenges(neutral, near, r_hi, u_own, u_at, act, prm)
    gain = _gain(p_ij, 1.0, u_own, s_tot[:, None, :])
    valid = act.pairs & (gain > _MIN_SIG_EDU)
    score = np.where(valid, gain, -np.inf)
    best = score.max(axis=2, keepdims=True)
    tied = valid & (score >= best - _TIE * np.maximum(np.abs(best), 1.0))
    if (tied.sum(axis=2) > 1).any():
        # Among tied targets: the lowest position (lexicographic), then the lowest index.
        rank = _lexicographic_rank(x)
        target = np.argmin(np.where(tied, rank[:, None, :], n + 1), axis=2)  # [b, i]
    else:
        target = np.argmax(score, axis=2)
    has = valid.any(axis=2)
    p_it = p_ij[bi, idx[None, :], target]
    x_t = x[bi, target]  # [b, i, d]
    s_t = sal[bi, target]
    pi = p_it[:, :, None]
    init_i, rcvr_i = interpolate(x, sal, pi, x_t, s_t, 1.0 - pi, prm.interp)

    initiator: IntArray | None = None  # None: option m's initiator is actor m
    if prm.bargain_model != BargainModel.INIT_ONLY:
        # j's view (h = j, k = i): J's estimate of the effect on I of I->J. KTAB then uses the
        # *expected gain* (get<1>) where the comment says "probability" — reproduced as is.
        # U_t(i, t), U_t(t, i), U_t(n, i), U_t(n, t) for t = target[i]; U_t(a, a) = 1.
        tt = target
        rows = idx[None, :]
        r_t = r_hi[bi, tt]  # [b, i, n] = R_tn
        dist_t = np.swapaxes(dist, 1, 2)  # [b, p, a] = D_ap
        uu_ij = bs_util(dist[bi, rows, tt], r_hi[bi, tt, rows])
        uu_ji = bs_util(dist[bi, tt, rows], r_hi[bi, tt, tt])
        uu_ni = bs_util(dist_t, r_t)  # [b, i, n] = U_t(n, i)
        uu_nj = bs_util(dist_t[bi, tt], r_t)  # [b, i, n] = U_t(n, t)
        third_j = (
            active[:, None, :]
            & (idx[None, None, :] != rows[:, :, None])
            & (idx[None, None, :] != tt[:, :, None])
        )
        w = act.w
        w_t = np.take_along_axis(w, tt, axis=1)
        p_j = _contest(
            1.0, uu_ij, uu_ji, 1.0, uu_ni, uu_nj, 1.0, w, w_t, w[:, None, :], third_j, prm
        )
        s_tt = np.take_along_axis(s_tot, tt, axis=1)
        pj = _gain(p_j, 1.0, uu_ij, s_tt)[:, :, None]
        init_j, rcvr_j = interpolate(x, sal, pj, x_t, s_t, 1.0 - pj, prm.interp)
        if prm.bargain_model == BargainModel.PW_COMPROMISE:
            # KTAB weighs i's view by c_i Σs_i and j's view by c_i Σs_j (scj is read from the
            # second bargain's *initiator*, i.e. i: reproduced as is).
            wi = (act.cap * s_tot)[:, :, None]
            wj = (act.cap * s_tt)[:, :, None]
            total = wi + wj
            safe = np.where(total > 0, total, 1.0)  # 0 only for spectators, never offered
            options_init = (wi * init_i + wj * init_j) / safe
            options_rcvr = (wi * rcvr_i + wj * rcvr_j) / safe
            receiver, offered = target, has
        else:
            options_init = np.stack([init_i, init_j], axis=2).reshape(b, 2 * n, d)
            options_rcvr = np.stack([rcvr_i, rcvr_j], axis=2).reshape(b, 2 * n, d)
            initiator = np.tile(np.repeat(idx, 2), (b, 1))
            receiver = np.repeat(target, 2, axis=1)
            offered = np.repeat(has, 2, axis=1)
    else:
        options_init, options_rcvr = init_i, rcvr_i
        receiver, offered = target, has

    # --- value of each option to each actor a: mean utility of all positions once implemented
    n_act = act.n_active
    sq_sum = (u_own if act.everyone else np.where(active[:, None, :], u_own, 0.0)).sum(axis=2)
    m_opts = options_init.shape[1]
    both = np.concatenate([options_init, options_rcvr], axis=1)
    u_new = bs_util(_distance(x, both, sal, act.ss), risk[:, :, None])  # [b, a, 2m]
    u_init_new, u_rcvr_new = u_new[:, :, :m_opts], u_new[:, :, m_opts:]
    if initiator is None:
        u_init_old = u_own  # [b, a, m] = U_a(a, initiator m) with initiator m = m
        from_init = idx[None, :]
    else:
        u_init_old = u_own[bi[:, :, None], idx[None, :, None], initiator[:, None, :]]
        from_init = initiator
    u_rcvr_old = u_own[bi[:, :, None], idx[None, :, None], receiver[:, None, :]]
    value = (sq_sum[:, :, None] - u_init_old - u_rcvr_old + u_init_new + u_rcvr_new) / n_act[
        :, :, None
    ]
    values = np.concatenate([(sq_sum / n_act)[:, :, None], value], axis=2)  # [b, a, 1 + M]
    c = coalitions(values, act.cap, prm.voting_rule)  # [b, 1 + M, 1 + M]
    pv = victory_probability(c, prm.victory_prob)
    offered = np.asarray(offered, dtype=bool)
    mine = offered[:, None, :] & (
        (from_init[:, None, :] == idx[None, :, None]) | (receiver[:, None, :] == idx[None, :, None])
    )
    if not act.everyone:
        mine &= active[:, :, None]
    available = np.concatenate([np.ones((b, n, 1), dtype=bool), mine], axis=2)
    menu, listed, probs = _menu_pce(pv, c, available, prm.pce)
    if prm.state_transitions == StateTransitions.STOCHASTIC:
        assert rng is not None, "stochastic transitions draw from a Generator"
        cum = np.cumsum(probs, axis=2)
        draw = rng.random((b, n, 1)) * cum[:, :, -1:]
        pick = np.minimum((cum <= draw).sum(axis=2), menu.shape[2] - 1)
        # never pick an unlisted (zero-probability) entry
        pick = np.where(listed[bi, idx[None, :], pick], pick, 0)
    else:
        pick = np.argmax(probs, axis=2)  # first maximum, as ndxMaxAbs
    choice = menu[bi, idx[None, :], pick]
    opt = np.maximum(choice - 1, 0)
    chosen_init = options_init[bi, opt]
    chosen_rcvr = options_rcvr[bi, opt]
    is_init = (opt if initiator is None else initiator[bi, opt]) == idx[None, :]
    moved = np.where(is_init[:, :, None], chosen_init, chosen_rcvr)
    new = np.where((choice > 0)[:, :, None], moved, x)
    return _Turn(
        position=np.asarray(new),
        risk=risk,
        choice=np.asarray(choice, dtype=np.int64),
        options=available.shape[2],
        menu=menu,
        menu_probability=probs,
    )


@dataclass(frozen=True)
class Run:
    """A batch of SMP runs: ``trajectory`` (B, T + 1, n, d) in [0, 1] (rows that stopped early
    repeat their last state), ``rounds`` (B,) turns run, ``converged`` (B,) stopped by the quiet
    rule rather than the turn cap."""

    trajectory: FloatArray
    rounds: IntArray
    converged: BoolArray


def normalise_capability(capability: FloatArray, salience: FloatArray) -> FloatArray:
    """Capabilities (B, n) rescaled to a mean of 100 over each row's influential actors (*ours*,
    applied by the model before ``simulate``): KTAB's absolute floors (1e-8, 1e-10) then act
    alike whatever units a scenario uses, and scaling all capabilities changes nothing."""
    cap = np.asarray(capability, dtype=np.float64)
    active = (cap > 0) & (np.asarray(salience).sum(axis=-1) > 0)
    mean = np.where(active, cap, 0.0).sum(axis=1) / np.maximum(active.sum(axis=1), 1)
    return np.asarray(
        np.where(active, cap * _CAP_SCALE / np.where(mean > 0, mean, 1.0)[:, None], 0.0)
    )


#: ``progress(turns done, turns at most)``, called after every turn of :func:`simulate`.
TurnProgress = Callable[[int, int], None]


def simulate(
    position: FloatArray,
    salience: FloatArray,
    capability: FloatArray,
    params: SMPParams | None = None,
    rng: np.random.Generator | None = None,
    progress: TurnProgress | None = None,
) -> Run:
    """Run KTAB's SMP on a batch: ``position`` (B, n, d) in [0, 1], ``salience`` (B, n, d)
    with every actor's sum <= 1, ``capability`` (B, n) >= 0. Actors with zero capability or
    zero total salience are spectators (see module docstring). ``progress(turn, max_rounds)``
    is called after each turn computed and once at the end with ``max_rounds``.

    **Cycles** (*ours*, exact): with deterministic transitions a turn is a function of the
    positions alone (saliences and capabilities are fixed), so once a row's positions equal,
    bit for bit, those of an earlier turn, every later turn repeats the turns in between and
    is not computed again: the row's remaining turns, its moves and KTAB's stop rule are read
    off the cycle. A run that cycles until the 100-turn cap (the joint korea-2025 run, period
    2 from turn 5) then costs the turns up to the first repetition. A row's turn does not
    depend on the other rows of the batch, so this holds row by row.
    """
    prm = params or SMPParams()
    track = prm.state_transitions == StateTransitions.DETERMINISTIC
    if rng is None and not track:  # (a Generator costs more than a small turn: only if drawn)
        rng = np.random.default_rng(0)
    x = np.array(position, dtype=np.float64)
    sal = np.asarray(salience, dtype=np.float64)
    cap = np.asarray(capability, dtype=np.float64)
    b, n, d = x.shape
    active = (cap > 0) & (sal.sum(axis=-1) > 0)
    everyone = _Actors.of(sal, cap, active)
    states = [x.copy()]
    moves: list[FloatArray] = []  # moves[t - 1]: KTAB's stateDist of turn t, (B,)
    rounds = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    running = np.ones(b, dtype=bool)
    first = np.zeros(b)
    current = x
    act, act_rows = everyone, np.arange(b)
    # A fingerprint of each row's positions per turn (a fixed weighted sum: equal positions
    # give equal fingerprints; equal fingerprints are confirmed on the positions themselves).
    weights = 1.0 + np.arange(n * d) / max(n * d, 1)
    prints = np.empty((prm.max_rounds + 1, b))
    prints[0] = (x.reshape(b, -1) * weights).sum(axis=1)
    cycles: dict[int, tuple[int, int, int]] = {}  # row: (t0, t, last turn), state_t == state_t0
    for turn in range(1, prm.max_rounds + 1):
        rows = np.flatnonzero(running)
        if rows.size == 0:
            break
        if rows.size != act_rows.size:  # some rows stopped: their fixed inputs go too
            act, act_rows = everyone.take(rows), rows
        if rows.size == b:
            new = _step(current, act, prm, rng).position
        else:
            new = current.copy()
            new[rows] = _step(current[rows], act, prm, rng).position
        moved = np.sqrt(((new - current) ** 2).sum(axis=-1)).sum(axis=-1)  # stateDist
        if turn == 1:
            first = moved + _MIN_SIG_DELTA
        rounds[rows] = turn
        quiet = (turn >= prm.min_rounds) & (moved / first < prm.stop_ratio)
        stop = running & (quiet | (turn >= prm.max_rounds))
        converged |= running & quiet
        running &= ~stop
        current = new
        states.append(current)
        moves.append(moved)
        if track and running.any():
            prints[turn] = (current.reshape(b, -1) * weights).sum(axis=1)
            same = prints[:turn] == prints[turn]  # [t0, row]
            for row in map(int, np.flatnonzero(running & same.any(axis=0))):
                for t0 in map(int, np.flatnonzero(same[:, row])):
                    if np.array_equal(states[t0][row], current[row]):
                        end, quiet_end = _cycle_end(t0, turn, row, moves, first, prm)
                        cycles[row] = (t0, turn, end)
                        rounds[row] = end
                        converged[row] = quiet_end
                        running[row] = False
                        break
        if progress is not None:
            progress(turn, prm.max_rounds)
    trajectory = np.stack(states, axis=1)
    last = int(rounds.max()) if b else 0
    if last + 1 > trajectory.shape[1]:  # a cycle runs on past the last turn computed
        pad = np.repeat(trajectory[:, -1:], last + 1 - trajectory.shape[1], axis=1)
        trajectory = np.concatenate([trajectory, pad], axis=1)
    for row, (t0, t, end) in cycles.items():
        period = t - t0
        for later in range(t + 1, end + 1):  # state_{t + k} = state_{t0 + k mod period}
            trajectory[row, later] = states[t0 + (later - t) % period][row]
        trajectory[row, end + 1 :] = trajectory[row, end]
    if progress is not None:
        progress(prm.max_rounds, prm.max_rounds)
    return Run(trajectory=trajectory, rounds=rounds, converged=converged)


def _cycle_end(
    t0: int, t: int, row: int, moves: list[FloatArray], first: FloatArray, prm: SMPParams
) -> tuple[int, bool]:
    """``(last turn, by the quiet rule)`` for a row whose positions after turn ``t`` equal
    those after turn ``t0 < t``: turn ``t + k`` moves as turn ``t0 + 1 + (k − 1) mod (t −
    t0)`` did, and the run ends at the first later turn where KTAB's stop rule holds."""
    period = t - t0
    turn = t
    while turn < prm.max_rounds:
        turn += 1
        moved = moves[t0 + (turn - t - 1) % period][row]  # moves[s - 1] is turn s's
        if turn >= prm.min_rounds and moved / first[row] < prm.stop_ratio:
            return turn, True
    return turn, False


def position_classes(
    position: FloatArray, active: BoolArray, *, ktab_order: bool = False
) -> IntArray:
    """``rep`` (B, n): for each active actor the representative of its class of equivalent
    positions; ``rep == index`` marks the distinct positions. Inactive: -1.

    KTAB's ``ueIndices`` (``KBase``, called by ``State::setUENdx`` with ``SMPState::equivNdx``):
    actors are scanned in turn; an actor whose position is within ``posTol`` (unweighted
    Euclidean) of a representative found earlier joins the first such representative,
    otherwise it becomes a representative itself. So every actor's class is a distinct
    position that enters the final PCE, also where positions form a chain (a within posTol of
    b, b of c, but not a of c: c then stands for itself).

    Two choices are *ours*. KTAB scans in actor order; we scan in lexicographic order of the
    positions, so that which of two nearly equal positions stands for both does not depend on
    how actors are listed (this order is not reflection-symmetric: mirroring the scale makes
    the highest of two near positions the representative; see ``docs/explanation/model-smp.md``).
    And "within posTol" means closer than ``posTol`` by more than ``_POS_EPS``: KTAB rounds
    bargains to 4 decimals, so two final positions exactly ``posTol`` = 10 × 10⁻⁴ apart are
    common, and float rounding of their difference (KTAB compares ``diff < posTol`` in doubles)
    would otherwise decide, differently for the mirrored scale, whether they are one position.
    ``ktab_order=True`` scans in actor order instead, as ``smpc`` does (to compare with it).
    """
    b, n, _ = position.shape
    if ktab_order:
        rank = np.broadcast_to(np.arange(n, dtype=np.int64), (b, n))
    else:
        rank = _lexicographic_rank(position)
    order = np.argsort(rank, axis=1)  # actors in position order
    gap = np.sqrt(((position[:, :, None, :] - position[:, None, :, :]) ** 2).sum(axis=-1))
    near = gap < _POS_TOL - _POS_EPS
    rows = np.arange(b)
    rep = np.full((b, n), -1, dtype=np.int64)
    is_rep = np.zeros((b, n), dtype=bool)
    for step in range(n):
        a = order[:, step]
        candidate = is_rep & near[rows, a]  # representatives found so far within posTol of a
        # Representatives are found in position order, so the first found is the lowest rank.
        first = np.argmin(np.where(candidate, rank, n + 1), axis=1)
        joins = candidate.any(axis=1)
        on = active[rows, a]
        rep[rows, a] = np.where(on, np.where(joins, first, a), -1)
        is_rep[rows, a] = on & ~joins
    return rep


def _lexicographic_rank(x: FloatArray) -> IntArray:
    """Rank (B, n) of each actor when positions are sorted lexicographically (ties: index)."""
    b, n, d = x.shape
    idx = np.arange(n)
    order = np.broadcast_to(idx, (b, n)).copy()
    for k in reversed(range(d)):
        vals = np.take_along_axis(x[:, :, k], order, axis=1)
        order = np.take_along_axis(order, np.argsort(vals, axis=1, kind="stable"), axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(idx, (b, n)), axis=1)
    return np.asarray(rank, dtype=np.int64)


def position_probabilities(
    position: FloatArray,
    salience: FloatArray,
    capability: FloatArray,
    params: SMPParams | None = None,
    *,
    ktab_order: bool = False,
) -> FloatArray:
    """``SMPState::pDist(-1)`` and ``posProb``: probability (B, n) that each actor's position
    prevails, from a PCE over the distinct positions (:func:`position_classes`, scanned in
    actor order with ``ktab_order``) in which every actor votes with its own risk-aware
    utilities. Actors sharing a class all get its representative's probability (as in KTAB, a
    row may then sum to more than 1); spectators get 0."""
    prm = params or SMPParams()
    x = np.asarray(position, dtype=np.float64)
    sal = np.asarray(salience, dtype=np.float64)
    cap = np.asarray(capability, dtype=np.float64)
    n = x.shape[1]
    active = (cap > 0) & (sal.sum(axis=-1) > 0)
    act = _Actors.of(sal, cap, active)
    dist = _distance(x, x, sal, act.ss)
    _, _, r_hi = _risk(dist, act, prm)
    idx = np.arange(n)
    own = bs_util(dist, r_hi[:, idx, idx][:, :, None])  # [b, i, j] = U_i(i, j)
    rep = position_classes(x, active, ktab_order=ktab_order)
    unique = active & (rep == idx)
    c = coalitions(own, act.cap, prm.voting_rule)
    pv = victory_probability(c, prm.victory_prob)
    p = pce(pv, c, unique, prm.pce)
    return np.asarray(np.where(active, np.take_along_axis(p, np.maximum(rep, 0), axis=1), 0.0))


# ------------------------------------------------------------------------ the Model adapter


@dataclass(frozen=True)
class SpatialModelOfPolitics:
    """KTAB's Spatial Model of Politics (dynamic)."""

    name: str = "smp"
    label: str = "Spatial Model of Politics (KTAB, KAPSARC)"
    dynamic: bool = True

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        """Forecast every issue (one by one, or jointly with ``joint=1``); ``rng`` drives the
        stochastic state transitions only."""
        return self.forecast_with_progress(problem, params, rng, None)

    def forecast_with_progress(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None,
        rng: np.random.Generator | None,
        progress: TurnProgress | None,
    ) -> Forecast:
        """:meth:`forecast`, calling ``progress(turns done, turns at most)`` after every turn
        (summed over the issues' runs; a run that stops early counts as all its turns done).

        The issues' runs are independent (``joint = 0``): with deterministic transitions and
        large problems they run on a thread pool, one issue per core (numpy releases the GIL
        in its array loops), with identical results. Stochastic runs share ``rng`` in issue
        order and stay sequential."""
        prm = SMPParams.from_mapping(params)
        validate_problem(problem, self.name)
        if rng is None and prm.state_transitions == StateTransitions.STOCHASTIC:
            rng = np.random.default_rng(0)
        b, n, k = problem.position.shape
        lower, upper = problem.lower, problem.upper
        x = problem.normalised_position()
        cap = np.asarray(problem.effective_capability, dtype=np.float64)
        groups = [list(range(k))] if prm.joint == 1 else [[i] for i in range(k)]
        done = [0] * len(groups)
        lock = threading.Lock()

        def run_group(g: int) -> tuple[list[int], Run, FloatArray, FloatArray]:
            issues = groups[g]
            sal = problem.salience[:, :, issues] / len(issues)
            cap_k = normalise_capability(cap, sal)

            def step(turn: int, _: int) -> None:
                if progress is not None:
                    with lock:
                        done[g] = turn
                        progress(sum(done), len(groups) * prm.max_rounds)

            return issues, _chunked(x[:, :, issues], sal, cap_k, prm, rng, step), sal, cap_k

        workers = min(len(groups), os.cpu_count() or 1)
        parallel = (
            workers > 1
            and prm.state_transitions == StateTransitions.DETERMINISTIC
            and b * n * n >= _PARALLEL_ELEMENTS
        )
        if parallel:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                parts = list(pool.map(run_group, range(len(groups))))
        else:
            parts = [run_group(g) for g in range(len(groups))]
        length = max(run.trajectory.shape[1] for _, run, _, _ in parts)
        traj = np.empty((b, length, n, k))
        outcome = np.empty((b, k))
        rounds = np.zeros(b, dtype=np.int64)
        converged = np.ones(b, dtype=bool)
        for issues, run, sal, cap_k in parts:
            t = run.trajectory  # after its last turn a run stays put (Forecast's contract)
            traj[:, : t.shape[1], :, issues] = t
            traj[:, t.shape[1] :, :, issues] = t[:, -1:]
            rounds = np.maximum(rounds, run.rounds)
            converged &= run.converged
            final = run.trajectory[:, -1]
            outcome[:, issues] = _outcome(final, sal, cap_k, problem, issues, prm)
        scale = upper - lower
        trajectory = np.clip(lower + traj * scale, lower, upper)
        trajectory[:, 0] = problem.position  # round 0 exactly as given
        # KTAB rounds bargains to 1e-4 of the range, which can put a position up to 5e-5 of
        # the range outside the span of the stated positions: the forecast is kept inside it.
        influential = (
            problem.participating[:, :, None]
            & (problem.effective_capability[:, :, None] > 0)
            & (problem.salience > 0)
        )
        low = np.where(influential, problem.position, np.inf).min(axis=1)
        high = np.where(influential, problem.position, -np.inf).max(axis=1)
        result = lower + outcome * scale
        result = np.where(influential.any(axis=1), np.clip(result, low, high), problem.status_quo)
        return Forecast(
            model=self.name,
            actor_ids=problem.actor_ids,
            issue_ids=problem.issue_ids,
            outcome=result,
            trajectory=trajectory,
            rounds=rounds,
            converged=converged,
        )


#: Batch rows per chunk, so that the (B, n, n) arrays of a turn and one row of a block
#: (B·n² elements) stay near ``_CHUNK_ELEMENTS`` floats.
_CHUNK_ELEMENTS = 1_000_000

#: Issues run on a thread pool when a turn's (B, n, n) arrays have at least this many
#: elements (below it, thread overhead outweighs the work).
_PARALLEL_ELEMENTS = 2_500


def _chunked(
    x: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    prm: SMPParams,
    rng: np.random.Generator | None,
    progress: TurnProgress | None = None,
) -> Run:
    b, n = cap.shape
    size = max(1, _CHUNK_ELEMENTS // max(n * n, 1))
    if b <= size:
        return simulate(x, sal, cap, prm, rng, progress)
    runs = [
        simulate(x[lo : lo + size], sal[lo : lo + size], cap[lo : lo + size], prm, rng)
        for lo in range(0, b, size)
    ]
    return Run(
        trajectory=pad_trajectories([r.trajectory for r in runs]),
        rounds=np.concatenate([r.rounds for r in runs]),
        converged=np.concatenate([r.converged for r in runs]),
    )


def _outcome(
    final: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    problem: BargainingProblem,
    issues: list[int],
    prm: SMPParams,
) -> FloatArray:
    """Forecast (B, len(issues)) in [0, 1] from the final positions (``outcome``).

    The expectation (or the most probable position) on an issue counts only the distinct
    final positions held by at least one actor with salience on that issue (*ours*: in a joint
    run an actor indifferent to an issue is moved on it by others' bargains, but its stance
    there is nobody's policy). Where there is none, the status quo.
    """
    n = final.shape[1]
    active = (cap > 0) & (sal.sum(axis=-1) > 0)
    lower, upper = problem.lower[issues], problem.upper[issues]
    sq = (problem.status_quo[:, issues] - lower) / (upper - lower)
    salient = active[:, :, None] & (problem.salience[:, :, issues] > 0)  # (B, n, k)
    if prm.outcome == 2:
        return weighted_median(final, influence_weights(problem)[:, :, issues], sq)
    probs = position_probabilities(final, sal, cap, prm)
    rep = position_classes(final, active)
    idx = np.arange(n)
    member = rep[:, :, None] == idx[None, None, :]  # [b, actor, class]
    class_salient = (member[:, :, :, None] & salient[:, :, None, :]).any(axis=1)  # [b, j, k]
    unique = active & (rep == idx)
    weight = np.where(unique[:, :, None] & class_salient, probs[:, :, None], 0.0)
    total = weight.sum(axis=1)
    if prm.outcome == 1:
        best = np.argmax(weight, axis=1)  # (B, k)
        value = np.take_along_axis(final, best[:, None, :], axis=1)[:, 0]
    else:
        value = (weight * final).sum(axis=1) / np.where(total > 0, total, 1.0)
    return np.asarray(np.where(total > 0, value, sq))


MODEL = SpatialModelOfPolitics()
