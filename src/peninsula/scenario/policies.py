"""A scenario's policy options and the baseline every comparison starts from.

The baseline is not a policy in the scenario file: it is "no change", the scenario as it
stands, under the id :data:`STATUS_QUO`. Every engine (forecast, ensemble, crisis simulator)
and the report look policies up here, so an unknown name gets one message everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from peninsula.errors import NotFoundError
from peninsula.scenario.schema import Policy, Scenario

#: The id of the baseline: no policy applied.
STATUS_QUO = "status-quo"
STATUS_QUO_LABEL = "Status quo (no change)"


def policy_ids(scenario: Scenario) -> tuple[str, ...]:
    """The baseline, then the scenario's policies in file order."""
    return (STATUS_QUO, *(p.id for p in scenario.policies))


def find_policy(scenario: Scenario, policy_id: str | None) -> Policy | None:
    """The scenario's policy ``policy_id``; ``None`` for the baseline (or no id at all)."""
    if policy_id is None or policy_id == STATUS_QUO:
        return None
    for policy in scenario.policies:
        if policy.id == policy_id:
            return policy
    raise NotFoundError(
        f"unknown policy {policy_id!r} in scenario {scenario.metadata.id!r}; "
        f"available: {', '.join(policy_ids(scenario))}"
    )


def select_policies(
    scenario: Scenario, names: Sequence[str] | None = None
) -> tuple[tuple[str, Policy | None], ...]:
    """``(id, policy)`` pairs of the named policies in the given order, or of all of them
    (baseline first) when no names are given; an unknown name fails before any work."""
    wanted = policy_ids(scenario) if not names else tuple(names)
    return tuple((name, find_policy(scenario, name)) for name in wanted)


def policy_label(scenario: Scenario, policy_id: str) -> str:
    """A reader's name for a policy id (an id the scenario does not know is shown as is)."""
    if policy_id == STATUS_QUO:
        return STATUS_QUO_LABEL
    for policy in scenario.policies:
        if policy.id == policy_id:
            return policy.label
    return policy_id


def order_policies(scenario: Scenario, names: Sequence[str]) -> list[str]:
    """The baseline first, then the scenario's policies in file order, then any others."""
    given = list(dict.fromkeys(names))
    rank = {policy_id: i for i, policy_id in enumerate(policy_ids(scenario))}
    return sorted(given, key=lambda p: (rank.get(p, len(rank)), given.index(p)))
