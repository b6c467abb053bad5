"""Section: policy comparison across the ensemble (``peninsula.ensemble``).

Each policy is evaluated in the same sampled worlds (``run_experiments``); the section shows the
mean and the 5th–95th percentile band of every outcome measure per policy (table), and charts
the ones a reader compares first: the chance of a deal and of the scenario's sidelined actor
(``roles.sidelined``, named as the scenario names it) being sidelined, each
issue's outcome, and who gains or loses (utility change per actor). The measures themselves are
defined in ``docs/explanation/policy-measures.md``.

For a yes/no measure (deal, sidelined) the percentile band of the 0/1 runs says nothing, so it
is a probability with its 95% Monte Carlo (Wilson) interval instead, in the table, the chart and
the JSON (:mod:`peninsula.estimates`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from peninsula import defaults
from peninsula.ensemble.experiment import run_experiments
from peninsula.ensemble.measures import is_indicator
from peninsula.estimates import Estimate, probability, spread
from peninsula.report.content import Band, Cell, Chart, Paragraph, Section, Series, Table
from peninsula.report.sections.frames import Interval, Summary, measures, read_summary
from peninsula.report.sections.scenario import actor_name, possessive
from peninsula.report.settings import ReportSettings
from peninsula.scenario.policies import order_policies, policy_label
from peninsula.scenario.schema import Scenario
from peninsula.summary import wilson

ID = "policies"
TITLE = "Policy comparison across the ensemble"


def ensemble_models(settings: ReportSettings) -> tuple[str, ...]:
    """The one model the ensemble and sensitivity sections run: the first ``--model`` given,
    else the contract's default (EUM). One model keeps the run time bounded; the forecasts
    section compares all of them on the nominal inputs."""
    return settings.models[:1] if settings.models else (defaults.ENSEMBLE_MODEL,)


SHARES = ("deal", "sidelined.flag")


def sidelined_name(scenario: Scenario) -> str:
    """How the report names the actor whose sidelining is measured (``roles.sidelined``, e.g.
    "South Korea"; :func:`~peninsula.report.sections.scenario.actor_name`). Only reached when
    the measures exist, i.e. when the scenario sets the role."""
    return actor_name(scenario, scenario.roles.sidelined, "the sidelined actor")


def patron_name(scenario: Scenario) -> str:
    """How the report names the patron of the alliance measures (``roles.patron``)."""
    return actor_name(scenario, scenario.roles.patron, "the patron")


def _short(name: str, scenario: Scenario) -> str:
    """The share chart's title phrase for ``name``: "a deal", "South Korea being sidelined"."""
    return "a deal" if name == "deal" else f"{sidelined_name(scenario)} being sidelined"


def _legend(name: str, scenario: Scenario) -> str:
    """Legend names in the share chart: short enough for a phone; the caption defines them."""
    return "Deal" if name == "deal" else f"{sidelined_name(scenario)} sidelined"


@dataclass(frozen=True)
class MeasureInfo:
    label: str
    unit: str
    share: bool = False  # a 0/1 indicator: its mean is a probability, shown in %
    digits: int = 2  # decimals worth showing (positions on a 0–100 scale: none)


def describe(name: str, scenario: Scenario) -> MeasureInfo:
    """A reader's label and unit for an ensemble measure name (``outcome.seoul_role`` ...)."""
    head, _, rest = name.partition(".")
    sidelined = sidelined_name(scenario) if head == "sidelined" else ""
    issues = {i.id: i for i in scenario.issues}
    actors = {a.id: a for a in scenario.actors}
    if name == "deal":
        return MeasureInfo(
            "Deal (key issue moves >5% of its range and the deal parties gain)", "%", True
        )
    if name == "sidelined.flag":
        return MeasureInfo(f"{sidelined} sidelined", "%", True)
    if head == "outcome" and rest in issues:
        issue = issues[rest]
        return MeasureInfo(f"Outcome: {issue.label}", f"{issue.scale.unit}", digits=0)
    if head == "utility" and rest in actors:
        return MeasureInfo(f"Utility change: {actors[rest].name}", "utility, −1 to 1")
    known = {
        "sidelined.role": (f"{sidelined}'s role in the outcome", "0–100 scale"),
        "sidelined.utility_loss": (f"{sidelined}'s utility loss", "utility, 0–1"),
        "alliance.allied_loss": ("Allies' mean utility loss", "utility, 0–1"),
        "alliance.strain": (
            f"Alliance strain ({possessive(patron_name(scenario))} gain over its allies')",
            "utility, 0–1",
        ),
        "nonpro.distance_from_cvid": ("Distance from complete denuclearisation", "share of range"),
        "nonpro.relief_granted": ("Sanctions relief granted", "share of range"),
        "nonpro.erosion": ("Non-proliferation erosion", "0–1"),
        "arms_race.pressure": ("Allies' arms-race pressure", "0–1"),
    }
    if name in known:
        label, unit = known[name]
        return MeasureInfo(label, unit, digits=0 if name == "sidelined.role" else 2)
    if head == "trade":
        policy = next((p for p in scenario.policies if p.id == rest), None)
        what = policy.trade.label if policy is not None and policy.trade is not None else rest
        return MeasureInfo(f"Trade happens: {what} (exchange model)", "%", True)
    if head == "arms_race" and rest.startswith("deficit."):
        who = rest.removeprefix("deficit.")
        return MeasureInfo(f"Security deficit: {actors[who].name if who in actors else who}", "0–1")
    return MeasureInfo(name.replace("_", " ").replace(".", ": "), "value")


def estimate(name: str, value: Interval, runs: int) -> Estimate:
    """A yes/no measure's share as a probability (Wilson Monte Carlo interval), any other
    measure's mean with its 5th–95th percentile band (see :mod:`peninsula.estimates`)."""
    if is_indicator(name):
        return probability(value.mean, runs)
    return spread(value.mean, value.low, value.high, runs)


def estimates(summary: Summary, runs: int) -> dict[str, dict[str, dict[str, Any]]]:
    """policy -> measure -> the estimate's JSON form (``docs/reference/report-json.md``)."""
    return {
        policy: {name: estimate(name, value, runs).as_json() for name, value in per.items()}
        for policy, per in summary.items()
    }


def run_ensemble(scenario: Scenario, settings: ReportSettings, seed: int) -> Summary:
    """The one place this section calls the ensemble engine."""
    experiment = run_experiments(
        scenario,
        runs=settings.runs,
        seed=seed,
        models=ensemble_models(settings),
        executor=settings.executor,
        workers=settings.workers,
    )
    return read_summary(experiment.summary())


def _table(scenario: Scenario, summary: Summary, policies: list[str], runs: int) -> Table:
    rows = []
    for name in measures(summary):
        info = describe(name, scenario)
        unit = f": {info.unit}" if "(" in info.unit else f" ({info.unit})"
        kind = "probability, 95% MC interval" if info.share else "mean, 5th–95th percentile"
        cells = [Cell(f"{info.label}{unit} · {kind}")]
        for policy in policies:
            value = summary[policy].get(name)
            text = estimate(name, value, runs).text(info.digits) if value is not None else "—"
            cells.append(Cell(text))
        rows.append(tuple(cells))
    return Table(
        "policy-comparison",
        "Every measure per policy: yes/no measures as probabilities with their 95% Monte Carlo "
        "interval; other measures as the mean with the 5th–95th percentile of sampled worlds",
        ("Measure", *(policy_label(scenario, p) for p in policies)),
        tuple(rows),
        note=(
            f"Probabilities ({_yes_no(scenario, summary)}) are the share of the {runs} sampled "
            "worlds in which the event happens; their interval is the 95% Monte Carlo (Wilson) "
            "interval, how precisely the runs estimate that share. For the other measures the "
            "interval is the spread over sampled worlds (5th–95th percentile), not sampling "
            "error. Utility changes are relative to the status quo outcome; negative means the "
            "actor loses."
        ),
    )


def _yes_no(scenario: Scenario, summary: Summary) -> str:
    """The headline yes/no measures the table shows, as its note names them ("deal, South
    Korea sidelined"); a scenario without a sidelined actor has only the deal."""
    shown = measures(summary)
    return ", ".join("deal" if n == "deal" else _legend(n, scenario) for n in SHARES if n in shown)


def _share_chart(
    scenario: Scenario, summary: Summary, policies: list[str], runs: int
) -> Chart | None:
    names: list[str] = []
    constant: list[str] = []
    for name in SHARES:
        values = [summary[p][name].mean for p in policies if name in summary[p]]
        if not values:
            continue
        # A share that no policy changes has nothing to compare: the table still shows it.
        (names if max(values) - min(values) >= 0.005 else constant).append(name)
    if not names:
        return None
    same = "".join(
        f" {describe(n, scenario).label}: {100 * summary[policies[0]][n].mean:.0f}% under "
        "every policy (not charted)."
        for n in constant
    )
    labels = tuple(policy_label(scenario, p) for p in policies)
    series = []
    for name in names:
        values = [
            summary[p].get(name, Interval(math.nan, math.nan, math.nan)).mean for p in policies
        ]
        bounds = [wilson(v, runs) for v in values]
        series.append(
            Series(
                _legend(name, scenario),
                labels,
                tuple(100 * v for v in values),
                "bar",
                (
                    Band(
                        tuple(100 * b[0] for b in bounds),
                        tuple(100 * b[1] for b in bounds),
                        "95% Monte Carlo interval",
                    ),
                ),
            )
        )
    return Chart(
        id="chart-policy-shares",
        title="How often each policy leads to "
        + ", and to ".join(_short(n, scenario) for n in names),
        x_label="Policy",
        y_label="Share of sampled worlds (%)",
        series=tuple(series),
        description=(
            f"Share of the {runs} sampled worlds in which the event happens; error bars are the "
            "95% Monte Carlo (Wilson) interval of that share. "
            + " ".join(
                f"{_legend(n, scenario)}: "
                f"{_definition(describe(n, scenario).label, _legend(n, scenario))}."
                for n in names
                if describe(n, scenario).label != _legend(n, scenario)
            )
            + same
        ),
        x_kind="category",
        y_range=(0.0, 100.0),
        horizontal=True,
    )


def _definition(label: str, name: str) -> str:
    """``Deal (key issue moves ...)`` defined under the legend name ``Deal``: the bracket."""
    if label.startswith(name + " (") and label.endswith(")"):
        return label[len(name) + 2 : -1]
    return label


def _grouped_chart(
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    description: str,
    scenario: Scenario,
    summary: Summary,
    policies: list[str],
    names: list[str],
    categories: list[str],
    y_range: tuple[float, float] | None = None,
) -> Chart | None:
    if not names:
        return None
    series = []
    for policy in policies:
        values = [summary[policy].get(n) for n in names]
        nan = Interval(math.nan, math.nan, math.nan)
        filled = [v if v is not None else nan for v in values]
        series.append(
            Series(
                policy_label(scenario, policy),
                tuple(categories),
                tuple(v.mean for v in filled),
                "markers",
                (Band(tuple(v.low for v in filled), tuple(v.high for v in filled), "5–95%"),),
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        x_label=x_label,
        y_label=y_label,
        series=tuple(series),
        description=description,
        x_kind="category",
        y_range=y_range,
    )


def build_policies(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    summary = run_ensemble(scenario, settings, seed)
    return policies_section(scenario, summary, settings.runs, ensemble_models(settings)[0])


def policies_section(scenario: Scenario, summary: Summary, runs: int, model: str) -> Section:
    """The section for an ensemble summary already computed (also :mod:`peninsula.plots`)."""
    policies = order_policies(scenario, list(summary))
    all_measures = measures(summary)
    outcome_names = [f"outcome.{i}" for i in scenario.issue_ids if f"outcome.{i}" in all_measures]
    utility_names = [f"utility.{a}" for a in scenario.actor_ids if f"utility.{a}" in all_measures]
    blocks: list[Any] = [
        Paragraph(
            f"Every policy is applied to the same {runs} sampled worlds (each uncertain "
            "input drawn from its range), and the model "
            f"({model}) forecasts each. For a yes/no outcome the interval is the 95% Monte "
            "Carlo interval of its probability; for any other measure it is the 5th–95th "
            "percentile over those worlds: the spread our uncertainty about the inputs implies, "
            "not sampling error."
        ),
        _table(scenario, summary, policies, runs),
    ]
    charts = [
        _share_chart(scenario, summary, policies, runs),
        _grouped_chart(
            "chart-policy-outcomes",
            "Forecast outcome on each issue under each policy (mean and 5–95% band)",
            "Issue",
            "Forecast position (issue scale, 0–100)",
            "Markers are the mean forecast over the sampled worlds; bars the 5th–95th "
            "percentiles. Compare a policy's markers with the status quo's.",
            scenario,
            summary,
            policies,
            outcome_names,
            [scenario.issue(n.removeprefix("outcome.")).label for n in outcome_names],
            (-3.0, 103.0),
        ),
        _grouped_chart(
            "chart-policy-utility",
            "Who gains and who loses: utility change per actor under each policy",
            "Actor",
            "Utility change vs status quo (utility, −1 to 1)",
            "Above zero the actor prefers the forecast outcome to today's status quo; below "
            "zero it loses. Bars are the 5th–95th percentiles over the sampled worlds.",
            scenario,
            summary,
            policies,
            utility_names,
            [n.removeprefix("utility.") for n in utility_names],
        ),
    ]
    blocks += [c for c in charts if c is not None]
    return Section(
        id=ID,
        title=TITLE,
        blocks=tuple(blocks),
        numbers={
            "runs": runs,
            "models": [model],
            "policies": policies,
            "summary": estimates(summary, runs),
        },
        summary=_summary_text(scenario, summary, policies),
    )


def _extreme(
    scenario: Scenario, summary: Summary, policies: list[str], name: str, text: str
) -> str | None:
    """``text`` about the policy with the highest share of ``name``, or a "whatever the
    policy" sentence when every policy gives about the same share (nothing to choose)."""
    values = {p: summary[p][name].mean for p in policies if name in summary[p]}
    if not values:
        return None
    top = max(values.values())
    if top - min(values.values()) < 0.005:
        return f"{text} in {100 * top:.0f}% of sampled worlds whatever the policy"
    best = " and ".join(
        f"“{policy_label(scenario, p)}”" for p, v in values.items() if top - v < 0.005
    )
    return f"{text} most often under {best} ({100 * top:.0f}%)"


def _summary_text(scenario: Scenario, summary: Summary, policies: list[str]) -> str:
    parts = [
        part
        for part in (
            _extreme(
                scenario,
                summary,
                policies,
                "deal",
                "a deal (a material move both principals accept) comes",
            ),
            _extreme(
                scenario,
                summary,
                policies,
                "sidelined.flag",
                f"{sidelined_name(scenario)} is sidelined",
            ),
        )
        if part
    ]
    erosion = {
        p: summary[p]["nonpro.erosion"].mean for p in policies if "nonpro.erosion" in summary[p]
    }
    if erosion:
        least = min(erosion, key=erosion.__getitem__)
        parts.append(
            f"non-proliferation erodes least under “{policy_label(scenario, least)}” "
            f"({erosion[least]:.2f} on a 0–1 scale)"
        )
    if not parts:
        return f"{len(policies)} policies compared over {len(measures(summary))} measures."
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]
