"""The public entry point: fit once on the bundled history, then simulate a scenario's policies."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from peninsula import defaults
from peninsula.crisis.calibrate import FitResult, fit, fit_at
from peninsula.crisis.data import MonthlyData, load_monthly
from peninsula.crisis.model import CrisisParams, missile_total
from peninsula.crisis.simulate import (
    DEFAULT_CHUNK,
    CrisisResult,
    EffectSpec,
    effect_spec,
    initial_state,
    simulate,
    status_quo_spec,
)
from peninsula.errors import PeninsulaError
from peninsula.scenario.policies import STATUS_QUO, select_policies
from peninsula.scenario.schema import Scenario


@functools.lru_cache(maxsize=4)
def default_fit(first: str = "2017-01", last: str | None = None) -> FitResult:
    """The model fitted on the bundled months ``first..last`` (default: all; cached)."""
    data = load_monthly()
    return fit(data.window(first, last or data.months[-1]))


@functools.lru_cache(maxsize=8)
def fit_through(last: str) -> CrisisParams:
    """The model as specified (``backtest.SPEC_HYPER``) fitted on the months up to ``last``."""
    from peninsula.crisis.backtest import SPEC_HYPER

    data = load_monthly()
    return fit_at(data.window(data.months[0], last), SPEC_HYPER)[0]


def policy_specs(scenario: Scenario, policies: Sequence[str] | None = None) -> list[EffectSpec]:
    """Status quo plus the named (default: all) scenario policies, effects validated."""
    return [
        status_quo_spec() if policy is None else effect_spec(policy)
        for _, policy in select_policies(scenario, policies)
    ]


#: The pair of actors the bundled monthly table describes (CAMEO codes, either order): the
#: simulator's rates are fitted on DPRK launches, tests and US/UN responses, so it says
#: nothing about a crisis between other actors.
DYAD = frozenset({"USA", "PRK"})


def not_applicable(scenario: Scenario) -> str:
    """Why the crisis simulator cannot serve ``scenario`` ("" if it can).

    It applies to a scenario whose tracked pair (``roles.dyad``) is the US and the DPRK and
    whose ``as_of`` date falls after the first bundled month (the simulation starts from the
    state observed up to then)."""
    return _refusal(scenario, load_monthly())


def _refusal(scenario: Scenario, data: MonthlyData) -> str:
    """:func:`not_applicable` against months already loaded."""
    dyad = scenario.roles.dyad
    if dyad is None or frozenset(dyad) != DYAD:
        named = (
            "names no tracked pair (`roles.dyad`)"
            if dyad is None
            else f"tracks {dyad[0]}–{dyad[1]}"
        )
        return (
            f"scenario {scenario.metadata.id} {named}; the crisis simulator is fitted on "
            "US–DPRK monthly event data only"
        )
    first = data.months[0]
    as_of = scenario.metadata.as_of.strftime("%Y-%m")
    if as_of < first:
        return (
            f"scenario {scenario.metadata.id} is dated {as_of}, before the crisis data begin "
            f"({first})"
        )
    return ""


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

    ``scenario`` is a :class:`~peninsula.scenario.schema.Scenario` or a name/path. The
    simulation starts at the scenario's ``as_of`` month, from the state observed up to then,
    with the model fitted on the months up to then only (or at the last bundled month, if
    ``as_of`` is later).
    """
    if isinstance(scenario, str | Path):
        from peninsula import load_scenario

        scenario = load_scenario(scenario)
    data = load_monthly()
    why = _refusal(scenario, data)
    if why:
        raise PeninsulaError(why)
    specs = policy_specs(scenario, policies)
    as_of = scenario.metadata.as_of.strftime("%Y-%m")
    start = min(as_of, data.months[-1])
    params = fit_through(start)
    window = data.window(data.months[0], start)
    init = initial_state(
        params, window.months, window.counts, window.talks, window.russia, window.china
    )
    return simulate(
        params,
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


def status_quo_forecast(as_of: str | None = None) -> Any:
    """The stacked-ensemble forecast from ``as_of`` (see ``backtest.stacked_forecast``)."""
    from peninsula.crisis.backtest import bundled_weights, stacked_forecast, structural_forecaster

    return stacked_forecast(load_monthly(), as_of, structural_forecaster(), bundled_weights())


@dataclass(frozen=True)
class ObservedSince:
    """What the data recorded in the simulated months that have since been observed, beside
    the status-quo simulation of those months: a scenario dated before the last data month
    is simulated from its date, and the reader should see how that fared."""

    first: str
    last: str
    months: int
    observed: int  # ballistic + cruise launch events recorded (the simulator's "missiles")
    simulated: NDArray[np.int64]  # per status-quo path, the same count over the same months

    @property
    def share_at_or_below(self) -> float:
        """Share of status-quo paths with at most the observed count (the randomised PIT's
        upper end): near 0 or 1 means the months since were outside what was simulated."""
        return float(np.mean(self.simulated <= self.observed))

    def sentence(self, horizon: int) -> str:
        """One sentence for the CLI and the report (they say the same thing)."""
        low, high = np.quantile(self.simulated, [0.05, 0.95])
        span = self.first if self.months == 1 else f"{self.first} to {self.last}"
        return (
            f"Observed since: the data record {span} ({self.months} of the {horizon} simulated "
            f"months), with {self.observed} ballistic or cruise launch events; the status-quo "
            f"simulation gave {float(self.simulated.mean()):.1f} for those months (5–95% of "
            f"paths {low:.0f}–{high:.0f}; {100 * self.share_at_or_below:.0f}% of paths at or "
            "below what was observed). The simulation did not see those months."
        )


def observed_since(result: CrisisResult, data: MonthlyData | None = None) -> ObservedSince | None:
    """The months of ``result`` that ``data`` (default: the bundled table) has observed, with
    the recorded and the status-quo-simulated launch counts over them; None when no simulated
    month is observed yet or the status quo was not simulated."""
    data = data if data is not None else load_monthly()
    if STATUS_QUO not in result.policies or result.start not in data.months:
        return None
    t = data.months.index(result.start)
    k = min(result.horizon, len(data.months) - 1 - t)
    if k <= 0:
        return None
    return ObservedSince(
        first=data.months[t + 1],
        last=data.months[t + k],
        months=k,
        observed=int(missile_total(data.observed[t + 1 : t + 1 + k]).sum()),
        simulated=np.asarray(result.missiles[STATUS_QUO][:, :k].sum(axis=1), dtype=np.int64),
    )


def nuclear_base_rates_to(as_of: str, horizon: int) -> list[tuple[str, float]]:
    """``backtest.nuclear_base_rates`` on the bundled months up to ``as_of`` (the simulation's
    start): the simple base rates shown beside the model's P(seventh nuclear test)."""
    from peninsula.crisis.backtest import nuclear_base_rates

    data = load_monthly()
    return nuclear_base_rates(data.window(data.months[0], min(as_of, data.months[-1])), horizon)


@functools.lru_cache(maxsize=8)
def regime_effects_to(last: str) -> Any:
    """``calibrate.regime_effects`` on the bundled months up to ``last`` (cached)."""
    from peninsula.crisis.calibrate import regime_effects

    data = load_monthly()
    return regime_effects(data.window(data.months[0], min(last, data.months[-1])))


#: Scenario effects the monthly history speaks to, and the regime estimate that informs each.
ESTIMABLE = {
    "launch_rate_multiplier": (
        "talks",
        "launches",
        "launch rate in months of talks vs none (2018–19 talks)",
    ),
}


def effect_provenance(scenario: Any, policies: Sequence[str] | None = None) -> list[dict[str, str]]:
    """Every declared policy effect with its provenance: judgement (the scenario file), and,
    where the history allows, the estimated rate ratio of the matching regime beside it —
    estimated on the months up to the scenario's date only, like the forecasts."""
    effects = regime_effects_to(scenario.metadata.as_of.strftime("%Y-%m"))
    wanted = set(policies) if policies else None
    out: list[dict[str, str]] = []
    for policy in scenario.policies:
        if wanted is not None and policy.id not in wanted:
            continue
        for name, quantity in dict(policy.effects).items():
            data = "no regime in the history speaks to it"
            if name in ESTIMABLE:
                regime, outcome, what = ESTIMABLE[name]
                row = effects[(effects["regime"] == regime) & (effects["outcome"] == outcome)]
                if len(row) and row["rate_ratio"].notna().iloc[0]:
                    r = row.iloc[0]
                    data = (
                        f"{what}: {r['rate_ratio']:.2f} (SE {r['se']:.2f}, "
                        f"95% {r['low95']:.2f}–{r['high95']:.2f}), an association"
                    )
                elif len(row):
                    data = f"{what}: {row['note'].iloc[0]}"
            out.append(
                {
                    "policy": str(policy.id),
                    "effect": str(name),
                    "value": f"{float(quantity.value):g}",
                    "source": "judgement (scenario file)",
                    "data": data,
                }
            )
    return out
