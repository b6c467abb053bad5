"""Crisis simulator: a self-exciting monthly event model fitted on the history since 2017.

``simulate_policies(scenario, horizon=36, paths=10000, seed=0, policies=None, executor="local")``
returns a :class:`CrisisResult` (``.tension`` per policy, ``.summary()``). See
docs/explanation/crisis-model.md for the equations and their sources.
"""

from peninsula.crisis.api import default_fit, simulate_policies
from peninsula.crisis.simulate import CrisisResult

__all__ = ["CrisisResult", "default_fit", "simulate_policies"]
