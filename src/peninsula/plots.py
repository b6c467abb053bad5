"""The report's figures, from results computed in Python (interactive plotly figures).

Each function builds the same report section the briefing would show from a result you
already have, and returns its charts as plotly figures keyed by chart id (the ids of
``report.json``), so a notebook shows exactly the report's figures::

    import peninsula
    from peninsula import plots

    korea = peninsula.load_scenario("korea-2025")
    figures = plots.forecast_figures(peninsula.forecast(korea))
    figures["chart-forecast-outcomes"]          # displays in Jupyter

For a static image use ``figure.write_image`` (needs kaleido) or ``peninsula.report`` (PNGs
via matplotlib).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from peninsula.report.charts import to_plotly
from peninsula.report.content import Section
from peninsula.report.sections import crisis, forecasts, history, policies
from peninsula.report.sections import scenario as question
from peninsula.report.sections.frames import read_summary
from peninsula.report.settings import ReportSettings

if TYPE_CHECKING:
    from peninsula.crisis.simulate import CrisisResult
    from peninsula.ensemble.experiment import Experiment
    from peninsula.models.forecast import ScenarioForecast
    from peninsula.scenario.schema import Scenario


def figures(section: Section) -> dict[str, Any]:
    """Every chart of a report section as a plotly figure, keyed by chart id."""
    return {chart.id: to_plotly(chart) for chart in section.charts}


def scenario_figures(scenario: Scenario) -> dict[str, Any]:
    """Where each actor stands on each issue (the report's first section)."""
    return figures(question.build_scenario(scenario, ReportSettings(), 0))


def history_figures(scenario: Scenario) -> dict[str, Any]:
    """The tracked pair's relationship by month (``roles.dyad``), as in the report."""
    return figures(history.build_history(scenario, ReportSettings(), 0))


def forecast_figures(result: ScenarioForecast) -> dict[str, Any]:
    """Forecast outcomes per model and, for dynamic models, the round-by-round paths."""
    return figures(forecasts.forecasts_section(result.scenario, result))


def policy_figures(experiment: Experiment, model: str | None = None) -> dict[str, Any]:
    """How often each policy leads to a deal, each issue's outcome and who gains, per policy."""
    chosen = model or experiment.models[0]
    summary = read_summary(experiment.summary(chosen))
    runs = int(experiment.metadata.get("runs", 0))
    return figures(policies.policies_section(experiment.scenario, summary, runs, chosen))


def crisis_figures(scenario: Scenario, result: CrisisResult) -> dict[str, Any]:
    """One tension fan chart per policy on a shared scale, with the crisis threshold."""
    return figures(crisis.crisis_section(scenario, result))
