"""Scenario files: schema, loading with located errors, built-ins, policies, arrays."""

from peninsula.scenario.arrays import apply_policy, to_problem
from peninsula.scenario.loader import builtin_names, load_scenario
from peninsula.scenario.policies import (
    STATUS_QUO,
    find_policy,
    policy_ids,
    policy_label,
    select_policies,
)
from peninsula.scenario.schema import Quantity, Scenario, range_text

__all__ = [
    "STATUS_QUO",
    "Quantity",
    "Scenario",
    "apply_policy",
    "builtin_names",
    "find_policy",
    "load_scenario",
    "policy_ids",
    "policy_label",
    "range_text",
    "select_policies",
    "to_problem",
]
