"""The public entry point: fit once on the bundled history, then simulate a scenario's policies."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from peninsula import defaults
from peninsula.crisis.calibrate import FitResult, fit
from peninsula.crisis.data import load_monthly
from peninsula.crisis.simulate import (
    DEFAULT_CHUNK,
    CrisisResult,
    EffectSpec,
    effect_spec,
    initial_state,
    simulate,
    status_quo_spec,
)
from peninsula.scenario.policies import select_policies
from peninsula.scenario.schema import Scenario


@functools.lru_cache(maxsize=4)
def default_fit(first: str = "2017-01", last: str = "2024-12") -> FitResult:
    """The model fitted on the bundled months ``first..last`` (deterministic, so cached)."""
    return fit(load_monthly().window(first, last))


def policy_specs(scenario: Scenario, policies: Sequence[str] | None = None) -> list[EffectSpec]:
    """Status quo plus the named (default: all) scenario policies, effects validated."""
    return [
        status_quo_spec() if policy is None else effect_spec(policy)
        for _, policy in select_policies(scenario, policies)
    ]


def simulate_policies(
    scenario: Scenario | str | Path,
    horizon: int = defaults.HORIZON_MONTHS,
    paths: int = defaults.crisis_paths(),
    seed: int = defaults.SEED,
    policies: Sequence[str] | None = None,
    executor: Any = "local",
    chunk_size: int = DEFAULT_CHUNK,
    parameter_uncertainty: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> CrisisResult:
    """Simulate tension, launches, talks and nuclear tests per policy from the scenario's date.

    ``scenario`` is a :class:`~peninsula.scenario.schema.Scenario` or a name/path. The model is
    fitted on all bundled months (2017–2024); the simulation starts from the observed state at
    the scenario's ``as_of`` month (or the last bundled month, if ``as_of`` is later).
    """
    if isinstance(scenario, str | Path):
        from peninsula import load_scenario

        scenario = load_scenario(scenario)
    specs = policy_specs(scenario, policies)
    result = default_fit()
    data = load_monthly()
    as_of = scenario.metadata.as_of.strftime("%Y-%m")
    window = data.window(data.months[0], min(as_of, data.months[-1]))
    init = initial_state(
        result.params, window.months, window.counts, window.talks, window.russia, window.china
    )
    return simulate(
        result.params,
        init,
        specs,
        horizon=horizon,
        paths=paths,
        seed=seed,
        executor=executor,
        chunk_size=chunk_size,
        parameter_uncertainty=parameter_uncertainty,
        progress=progress,
    )
