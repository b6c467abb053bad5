"""Outcome measures of one forecast batch: pure functions, arrays in, arrays out.

Every measure is defined by formula in ``docs/explanation/policy-measures.md``; the symbols
below follow that page. For run ``b``, issue ``i`` with scale ``[l_i, u_i]`` and range
``r_i = u_i - l_i``, actor ``a`` with ideal point ``p_ai`` and salience ``s_ai``:

* utility (spatial, salience-weighted, as in Bueno de Mesquita's expected-utility model and
  KTAB's SMP, normalised so it lies in [-1, 0]):
  ``U_a(x) = - sum_i s_ai |x_i - p_ai| / r_i  /  sum_i s_ai``
* utility change: ``dU_a = U_a(outcome) - U_a(status quo)``.

Preferences and the status quo are those of the *sampled world without the policy*: a policy is
a lever that changes what an actor demands at the table, not what it values, so the US is not
credited with "getting what it asked for" when a policy merely changes its demand.

The actors and issues the named measures refer to (the deal parties, the ally whose sidelining
is measured, the patron and its allies, the non-proliferation and security issues) are the
scenario's ``roles`` (:class:`~peninsula.scenario.schema.Roles`), read through
:meth:`MeasureConfig.for_scenario`; a measure whose role is unset is omitted (never guessed).
The sidelining measures are named after that role (``sidelined.*``, the actor
``roles.sidelined``); the names they had before, ``seoul.*``, are still accepted wherever a user
types a measure name (:func:`canonical_measure`), never written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peninsula.problem import BargainingProblem, FloatArray
from peninsula.scenario.schema import Scenario

#: The yes/no measures: 1 in a world where the event happens, else 0. Their mean over worlds
#: is a probability, whose uncertainty is a Monte Carlo interval (``peninsula.estimates``);
#: the 5th–95th percentiles of 0/1 values say nothing (only ever 0 or 1).
INDICATORS = ("deal", "sidelined.flag")

#: Deprecated measure names (the flagship scenario's wording, before the measures followed the
#: scenario's ``roles``) -> their current names. Accepted as input, never written.
RENAMED_MEASURES: Mapping[str, str] = {
    "seoul.sidelined": "sidelined.flag",
    "seoul.role": "sidelined.role",
    "seoul.utility_loss": "sidelined.utility_loss",
}


def canonical_measure(name: str) -> str:
    """The current name of a measure a user typed: a deprecated ``seoul.*`` name maps to its
    ``sidelined.*`` name (:data:`RENAMED_MEASURES`); any other name is returned unchanged."""
    return RENAMED_MEASURES.get(name, name)


def is_indicator(measure: str) -> bool:
    """Whether ``measure`` is a yes/no measure: one of :data:`INDICATORS`, or a
    ``trade.<policy>`` (1 where the exchange model realises the policy's trade, else 0)."""
    return measure in INDICATORS or measure.startswith("trade.")


@dataclass(frozen=True)
class MeasureConfig:
    """Which actors and issues the named measures refer to, and the thresholds.

    The defaults name no actor or issue: build one from a scenario's ``roles`` with
    :meth:`for_scenario`.

    Attributes:
        deal_threshold: an issue "moves materially" when ``|x_i - q_i| > deal_threshold * r_i``.
        deal_issues: issues whose material move makes a deal (any of them); when none of them
            exists in the scenario (or the tuple is empty), any issue counts.
        deal_parties: actors whose signature a deal needs: each must gain (weakly) over the
            status quo, or it walks away. Ids missing from a scenario are ignored.
        sidelined: the actor whose sidelining is measured (``roles.sidelined``);
            sidelined_role_issue: the issue that is its role in the talks.
        sidelined_below: role outcome below which that actor counts as sidelined (None: the
            middle of the scale).
        us, allies: the patron and its allies for alliance strain and arms-race pressure.
        denuclearisation_issue, cvid_at: issue and scale point of complete denuclearisation.
        sanctions_issue: issue whose increase from the status quo is sanctions relief.
        security_issues: issue -> +1 if higher values make the allies more secure, -1 if less.
    """

    deal_threshold: float = 0.05
    deal_issues: tuple[str, ...] = ()
    deal_parties: tuple[str, ...] = ()
    sidelined: str | None = None
    sidelined_role_issue: str | None = None
    sidelined_below: float | None = None
    us: str | None = None
    allies: tuple[str, ...] = ()
    denuclearisation_issue: str | None = None
    cvid_at: float | None = None  # None: the lower end of the scale
    sanctions_issue: str | None = None
    security_issues: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def for_scenario(cls, scenario: Scenario, **overrides: Any) -> MeasureConfig:
        """The scenario's ``roles`` as a measure configuration (thresholds at their defaults
        unless overridden)."""
        roles = scenario.roles
        fields: dict[str, Any] = {
            "deal_issues": roles.deal_issues,
            "deal_parties": roles.deal_parties,
            "sidelined": roles.sidelined,
            "sidelined_role_issue": roles.sidelined_role_issue,
            "us": roles.patron,
            "allies": roles.allies,
            "denuclearisation_issue": roles.denuclearisation_issue,
            "sanctions_issue": roles.sanctions_issue,
            "security_issues": dict(roles.security_issues),
        }
        return cls(**{**fields, **overrides})


def utility(problem: BargainingProblem, x: FloatArray) -> FloatArray:
    """``(B, n)`` salience-weighted spatial utility of outcome ``x`` (B, k), in [-1, 0].

    An actor with zero total salience is indifferent to everything: utility 0.
    """
    span = problem.upper - problem.lower
    distance = np.abs(x[:, None, :] - problem.position) / span  # (B, n, k)
    weight = problem.salience.sum(axis=2)
    loss = (problem.salience * distance).sum(axis=2)
    return np.asarray(-np.divide(loss, weight, out=np.zeros_like(loss), where=weight > 0))


def _issue(problem: BargainingProblem, issue_id: str | None) -> int | None:
    return problem.issue_ids.index(issue_id) if issue_id in problem.issue_ids else None


def _actor(problem: BargainingProblem, actor_id: str | None) -> int | None:
    return problem.actor_ids.index(actor_id) if actor_id in problem.actor_ids else None


def compute_measures(
    world: BargainingProblem,
    applied: BargainingProblem,
    outcome: FloatArray,
    config: MeasureConfig | None = None,
) -> dict[str, FloatArray]:
    """All measures for one forecast batch, each a ``(B,)`` array, in a fixed order.

    Args:
        world: the sampled worlds without the policy (preferences, status quo).
        applied: the same worlds with the policy applied (who participates).
        outcome: the model's ``(B, k)`` forecast for ``applied``.
        config: ids and thresholds (:meth:`MeasureConfig.for_scenario`); the default names no
            actor or issue, so only the generic measures (deal over any issue, outcomes,
            utilities) are computed.
    """
    cfg = config or MeasureConfig()
    out: dict[str, FloatArray] = {}
    sq = world.status_quo

    delta = utility(world, outcome) - utility(world, sq)  # (B, n)
    out["deal"] = _deal(world, outcome, delta, cfg)

    for i, issue_id in enumerate(world.issue_ids):
        out[f"outcome.{issue_id}"] = outcome[:, i].copy()

    for a, actor_id in enumerate(world.actor_ids):
        out[f"utility.{actor_id}"] = delta[:, a].copy()

    _sidelined(world, applied, outcome, delta, cfg, out)
    _alliance(world, delta, cfg, out)
    _nonproliferation(world, outcome, cfg, out)
    _arms_race(world, outcome, cfg, out)
    return out


def _deal(
    world: BargainingProblem, outcome: FloatArray, delta: FloatArray, cfg: MeasureConfig
) -> FloatArray:
    """1 where a key issue moves materially *and* every deal party is no worse off than today.

    The bargaining models say where talks would settle, not whether the parties sign; the
    participation constraint (individual rationality, Nash 1950: no party accepts less than its
    disagreement payoff) is what turns a forecast into a deal. Tolerance 1e-12 absorbs rounding.
    """
    moved = np.abs(outcome - world.status_quo) > cfg.deal_threshold * (world.upper - world.lower)
    considered = [i for i in (_issue(world, d) for d in cfg.deal_issues) if i is not None]
    # No configured deal issue in this scenario (or none configured): any issue counts.
    cols = considered or list(range(world.n_issues))
    parties = [a for a in (_actor(world, p) for p in cfg.deal_parties) if a is not None]
    signed = (delta[:, parties] >= -1e-12).all(axis=1)
    return np.asarray(moved[:, cols].any(axis=1) & signed, dtype=np.float64)


def _sidelined(
    world: BargainingProblem,
    applied: BargainingProblem,
    outcome: FloatArray,
    delta: FloatArray,
    cfg: MeasureConfig,
    out: dict[str, FloatArray],
) -> None:
    a = _actor(world, cfg.sidelined)
    if a is None:
        return
    out["sidelined.utility_loss"] = np.maximum(0.0, -delta[:, a])
    i = _issue(world, cfg.sidelined_role_issue)
    if i is None:
        return
    out["sidelined.role"] = outcome[:, i].copy()
    cut = (
        (world.lower[i] + world.upper[i]) / 2
        if cfg.sidelined_below is None
        else cfg.sidelined_below
    )
    sidelined = (outcome[:, i] < cut) | ~applied.participating[:, a]
    out["sidelined.flag"] = sidelined.astype(np.float64)


def _alliance(
    world: BargainingProblem, delta: FloatArray, cfg: MeasureConfig, out: dict[str, FloatArray]
) -> None:
    us = _actor(world, cfg.us)
    allies = [a for a in (_actor(world, x) for x in cfg.allies) if a is not None]
    if not allies:
        return
    allied = delta[:, allies]
    out["alliance.allied_loss"] = np.maximum(0.0, -allied).mean(axis=1)
    if us is not None:
        out["alliance.strain"] = np.maximum(0.0, delta[:, us] - allied.mean(axis=1))


def _nonproliferation(
    world: BargainingProblem, outcome: FloatArray, cfg: MeasureConfig, out: dict[str, FloatArray]
) -> None:
    d = _issue(world, cfg.denuclearisation_issue)
    s = _issue(world, cfg.sanctions_issue)
    if d is not None:
        cvid = world.lower[d] if cfg.cvid_at is None else cfg.cvid_at
        span = world.upper[d] - world.lower[d]
        out["nonpro.distance_from_cvid"] = np.abs(outcome[:, d] - cvid) / span
    if s is not None:
        span = world.upper[s] - world.lower[s]
        out["nonpro.relief_granted"] = (
            np.maximum(0.0, outcome[:, s] - world.status_quo[:, s]) / span
        )
    if d is not None and s is not None:
        out["nonpro.erosion"] = 0.5 * (
            out["nonpro.distance_from_cvid"] + out["nonpro.relief_granted"]
        )


def _arms_race(
    world: BargainingProblem, outcome: FloatArray, cfg: MeasureConfig, out: dict[str, FloatArray]
) -> None:
    issues = [
        (i, sign)
        for i, sign in ((_issue(world, k), v) for k, v in cfg.security_issues.items())
        if i is not None
    ]
    allies = [(x, a) for x, a in ((x, _actor(world, x)) for x in cfg.allies) if a is not None]
    if not issues or not allies:
        return
    idx = np.array([i for i, _ in issues])
    sign = np.array([float(s) for _, s in issues])
    span = (world.upper - world.lower)[idx]
    deficits = []
    for actor_id, a in allies:
        ideal = world.position[:, a, idx]
        sal = world.salience[:, a, idx]
        # one-sided shortfall in the "less secure" direction, as a fraction of the range
        shortfall = np.maximum(0.0, sign * (ideal - outcome[:, idx])) / span
        weight = sal.sum(axis=1)
        deficit = np.divide(
            (sal * shortfall).sum(axis=1), weight, out=np.zeros(world.batch_size), where=weight > 0
        )
        out[f"arms_race.deficit.{actor_id}"] = deficit
        deficits.append(deficit)
    out["arms_race.pressure"] = np.asarray(np.mean(deficits, axis=0), dtype=np.float64)
