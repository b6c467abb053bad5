"""The defaults every entry point shares: the CLI commands, the report and the Python API.

One seed, one Monte Carlo size and one horizon, so that ``peninsula compare`` and the report's
policy comparison (or ``peninsula crisis`` and the report's crisis section) print the same
numbers unless the user asks otherwise. Both print these settings with their results.
"""

from __future__ import annotations

#: Seed of every random generator (same seed, same numbers); the date of the korea-2025
#: scenario, chosen once so published figures can be reproduced.
SEED = 20250930
#: Sampled worlds per policy in the ensemble. Chosen so the whole default report (every engine)
#: takes well under 2 minutes on 2 cores (measured in docs/how-to/write-a-report.md).
RUNS = 2000
#: Months the crisis simulator runs forward.
HORIZON_MONTHS = 24
#: Crisis paths per policy: the simulator is cheap next to the bargaining ensemble, so more.
CRISIS_PATHS_PER_RUN = 5
#: Model the ensemble, sensitivity and discovery run when none is chosen.
ENSEMBLE_MODEL = "eum"
#: Memory budget of one model run on a batch, in MiB (peninsula.models.batching).
BUDGET_MIB = 512
#: Bootstrap resamples of the scoreboard (peninsula score).
RESAMPLES = 2000


def crisis_paths(runs: int = RUNS) -> int:
    """Simulated crisis paths per policy for an ensemble of ``runs`` worlds (at least 200)."""
    return max(200, CRISIS_PATHS_PER_RUN * runs)


def describe(seed: int = SEED, runs: int | None = None, horizon: int | None = None) -> str:
    """The settings line printed with results: ``seed 20250930 · 2000 runs · 24 months``."""
    parts = [f"seed {seed}"]
    if runs is not None:
        parts.append(f"{runs} runs")
    if horizon is not None:
        parts.append(f"{horizon}-month horizon")
    return " · ".join(parts)
