"""Convert a validated :class:`Scenario` into a :class:`BargainingProblem` and apply policies.

Policies are applied to the arrays rather than to the scenario objects so that the same code
serves one forecast and a Monte Carlo batch of sampled worlds (issue: policies are *levers*
applied after uncertainties are sampled, so ``multiply`` and ``add`` act on each sample).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from peninsula.problem import BargainingProblem, FloatArray
from peninsula.scenario.policies import find_policy
from peninsula.scenario.schema import (
    ActorChange,
    ExcludeChange,
    Policy,
    Scenario,
    StatusQuoChange,
)


def to_problem(scenario: Scenario, policy: str | Policy | None = None) -> BargainingProblem:
    """The scenario's nominal values as a batch of one, with ``policy`` applied if given
    (a policy id, :data:`~peninsula.scenario.policies.STATUS_QUO` or ``None`` for no change).

    An actor with no stance on an issue is treated as indifferent to it: salience 0 and
    position at the status quo (so it neither pulls the outcome nor loses from it).
    """
    n, k = len(scenario.actors), len(scenario.issues)
    position = np.empty((1, n, k))
    salience = np.zeros((1, n, k))
    status_quo = np.array([[issue.status_quo.value for issue in scenario.issues]])
    for a, actor in enumerate(scenario.actors):
        for i, issue in enumerate(scenario.issues):
            stance = actor.stances.get(issue.id)
            if stance is None:
                position[0, a, i] = status_quo[0, i]
            else:
                position[0, a, i] = stance.position.value
                salience[0, a, i] = stance.salience.value
    problem = BargainingProblem(
        actor_ids=scenario.actor_ids,
        issue_ids=scenario.issue_ids,
        position=position,
        salience=salience,
        capability=np.array([[a.capability.value for a in scenario.actors]]),
        status_quo=status_quo,
        lower=np.array([issue.scale.min for issue in scenario.issues]),
        upper=np.array([issue.scale.max for issue in scenario.issues]),
        risk=np.array([[np.nan if a.risk is None else a.risk.value for a in scenario.actors]]),
        outside_option=np.array(
            [
                [
                    np.nan if a.outside_option is None else a.outside_option.value
                    for a in scenario.actors
                ]
            ]
        ),
    )
    if policy is None:
        return problem
    chosen = find_policy(scenario, policy) if isinstance(policy, str) else policy
    return problem if chosen is None else apply_policy(problem, chosen)


def apply_policy(problem: BargainingProblem, policy: Policy) -> BargainingProblem:
    """Apply a policy's changes, in order, to every row of the batch; returns a new problem.

    Results are clipped to each field's admissible range (positions to the issue's scale,
    salience and outside options to [0, 1], risk to [-1, 1], capability to >= 0), because an
    ``add`` or ``multiply`` on a sampled value can otherwise leave the meaningful range.
    """
    arrays: dict[str, FloatArray] = {
        "position": problem.position.copy(),
        "salience": problem.salience.copy(),
        "capability": problem.capability.copy(),
        "status_quo": problem.status_quo.copy(),
        "risk": problem.risk.copy(),
        "outside_option": problem.outside_option.copy(),
    }
    participating = problem.participating.copy()
    for change in policy.changes:
        if isinstance(change, ExcludeChange):
            for actor_id in change.exclude:
                participating[:, problem.actor_ids.index(actor_id)] = False
        elif isinstance(change, StatusQuoChange):
            i = problem.issue_ids.index(change.issue)
            arrays["status_quo"][:, i] = change.status_quo.apply(arrays["status_quo"][:, i])
        else:
            _apply_actor_change(problem, arrays, change)
    lower, upper = problem.lower, problem.upper
    return replace(
        problem,
        position=np.clip(arrays["position"], lower, upper),
        salience=np.clip(arrays["salience"], 0.0, 1.0),
        capability=np.maximum(arrays["capability"], 0.0),
        status_quo=np.clip(arrays["status_quo"], lower, upper),
        risk=np.clip(arrays["risk"], -1.0, 1.0),
        outside_option=np.clip(arrays["outside_option"], 0.0, 1.0),
        participating=participating,
    )


def _apply_actor_change(
    problem: BargainingProblem, arrays: dict[str, FloatArray], change: ActorChange
) -> None:
    a = problem.actor_ids.index(change.actor)
    if change.issue is not None:
        i = problem.issue_ids.index(change.issue)
        for name in ("position", "salience"):
            adjust = getattr(change, name)
            if adjust is not None:
                arrays[name][:, a, i] = adjust.apply(arrays[name][:, a, i])
        return
    for name in ("capability", "risk", "outside_option"):
        adjust = getattr(change, name)
        if adjust is None:
            continue
        current = arrays[name][:, a]
        if name != "capability":
            # An unset risk/outside option is NaN; a relative change starts from neutral.
            neutral = 0.0 if name == "risk" else np.nan
            current = np.where(np.isnan(current), neutral, current)
        arrays[name][:, a] = adjust.apply(current)
