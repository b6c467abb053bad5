"""Scenario files: schema, loading with located errors, built-ins, conversion to arrays."""

from peninsula.scenario.arrays import apply_policy, to_problem
from peninsula.scenario.loader import builtin_names, load_scenario
from peninsula.scenario.schema import Scenario

__all__ = ["Scenario", "apply_policy", "builtin_names", "load_scenario", "to_problem"]
