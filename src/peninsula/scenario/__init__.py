"""Scenario files: schema, loading with located errors, built-ins, policies.

Turning a scenario into arrays is :mod:`peninsula.scenario.arrays` (``to_problem``,
``apply_policy``); it is not imported here so that loading and validating a file stays free of
numpy.
"""

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
    "builtin_names",
    "find_policy",
    "load_scenario",
    "policy_ids",
    "policy_label",
    "range_text",
    "select_policies",
]
