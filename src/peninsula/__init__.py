"""peninsula: reproducible, testable models of multi-party geopolitical crises.

The journey, in the order a notebook takes it (docs/how-to/use-from-python.md)::

    import peninsula

    korea = peninsula.load_scenario("korea-2025")      # a validated Scenario
    peninsula.forecast(korea)                           # every bargaining model, per issue
    peninsula.compare(korea, runs=200)                  # policies across sampled worlds
    peninsula.simulate(korea, paths=1000)               # crisis risk per policy
    peninsula.briefing(korea, "out")                    # the HTML/Markdown/JSON report

Every result has ``to_frame()`` (pandas) and an HTML summary for notebooks;
:mod:`peninsula.plots` draws the report's figures from them. Defaults (seed, runs, horizon)
are :mod:`peninsula.defaults`, the same as the command line's.

Each function imports its engine when called, so ``import peninsula`` stays light (the
command line starts without loading any engine).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peninsula import defaults
from peninsula.errors import InputError, NotFoundError, PeninsulaError

if TYPE_CHECKING:
    from peninsula.crisis.simulate import CrisisResult
    from peninsula.ensemble.experiment import Experiment
    from peninsula.models.forecast import ScenarioForecast
    from peninsula.report.content import Report
    from peninsula.scenario.schema import Scenario


def __getattr__(name: str) -> Any:
    # The version is read from the installed metadata only when asked for:
    # importlib.metadata costs about a third of the command line's start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("peninsula")
        except PackageNotFoundError:  # running from a source tree without installation
            return "0.0.0+unknown"
    raise AttributeError(f"module 'peninsula' has no attribute {name!r}")


def _scenario(scenario: Scenario | str | Path) -> Scenario:
    from peninsula.scenario.schema import Scenario

    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and validate a built-in scenario by name, or a scenario file by path.

    Raises :class:`InputError` (naming file, line and field) for an invalid file and
    :class:`NotFoundError` for an unknown name.
    """
    from peninsula.scenario.loader import load_scenario as load

    return load(name_or_path)


def forecast(
    scenario: Scenario | str | Path,
    models: Sequence[str] = (),
    *,
    policy: str | None = None,
    issues: Sequence[str] = (),
    seed: int = defaults.SEED,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, float]] | None = None,
) -> ScenarioForecast:
    """Every chosen bargaining model's forecast of each issue (``peninsula forecast``).

    ``params`` maps a model to its parameters, e.g. ``{"eum": {"acceptance": 0}}`` (the
    ``--param eum.acceptance=0`` of the CLI; names and defaults: ``peninsula models --params``).
    """
    from peninsula.models.forecast import forecast_scenario
    from peninsula.models.params import parse_params

    chosen = tuple(dict.fromkeys(models))
    # Validate names exactly as the CLI does (all problems at once, before any work).
    specs = [f"{m}.{k}={v}" for m, values in (params or {}).items() for k, v in values.items()]
    checked = parse_params(specs, chosen or None)
    return forecast_scenario(_scenario(scenario), chosen, issues, policy, seed, rounds, checked)


def compare(
    scenario: Scenario | str | Path,
    runs: int = defaults.RUNS,
    seed: int = defaults.SEED,
    *,
    models: Sequence[str] = (defaults.ENSEMBLE_MODEL,),
    policies: Sequence[str] | None = None,
    executor: str = "local",
    workers: int | None = None,
) -> Experiment:
    """Every policy in the same ``runs`` sampled worlds (``peninsula compare``)."""
    from peninsula.ensemble.experiment import run_experiments

    return run_experiments(
        _scenario(scenario),
        runs,
        seed,
        models=models,
        executor=executor,
        workers=workers,
        policies=policies,
    )


def simulate(
    scenario: Scenario | str | Path,
    horizon: int = defaults.HORIZON_MONTHS,
    paths: int = defaults.crisis_paths(),
    seed: int = defaults.SEED,
    *,
    policies: Sequence[str] | None = None,
) -> CrisisResult:
    """Crisis paths per policy from the scenario's date (``peninsula simulate``)."""
    from peninsula.crisis.api import simulate_policies

    return simulate_policies(
        _scenario(scenario), horizon=horizon, paths=paths, seed=seed, policies=policies
    )


def briefing(
    scenario: Scenario | str | Path,
    out: str | Path | None = None,
    *,
    runs: int = defaults.RUNS,
    seed: int = defaults.SEED,
    models: Sequence[str] | None = None,
    horizon: int = defaults.HORIZON_MONTHS,
) -> Report | list[Path]:
    """The briefing (``peninsula report``): its content when ``out`` is None, else the files
    written to the folder ``out``. (Not called ``report``: that name is the
    :mod:`peninsula.report` package, which would shadow it once imported.)"""
    from peninsula.report import ReportSettings, build_report, generate_report

    settings = ReportSettings(
        runs=runs, seed=seed, models=tuple(models) if models else None, horizon_months=horizon
    )
    if out is None:
        return build_report(_scenario(scenario), settings)
    return generate_report(_scenario(scenario), out, settings)


__all__ = [
    "InputError",
    "NotFoundError",
    "PeninsulaError",
    "__version__",
    "compare",
    "defaults",
    "forecast",
    "load_scenario",
    "simulate",
]
