"""Section: which uncertain inputs drive each result (``peninsula.ensemble.sensitivity_all``).

Variance-based (Sobol) sensitivity: the first-order index S1 of an input is the share of a
result's variance it explains alone, the total index ST the share it explains including its
interactions with other inputs (Saltelli et al. 2010, "Variance based sensitivity analysis of
model output", Comput. Phys. Commun. 181, eqs. (b) and (f) of Table 2). Inputs whose ST is near
zero could be fixed at their nominal value without changing the result.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pandas as pd

from peninsula.ensemble.sobol import sensitivity_all, varied_inputs
from peninsula.report.content import Band, Cell, Chart, Paragraph, Section, Series, Table
from peninsula.report.sections.policies import describe, ensemble_models
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

ID = "sensitivity"
TITLE = "Sensitivity: which assumptions drive each result"
#: The results whose drivers the report explains (the ensemble's measure names).
MEASURES = ("nonpro.erosion", "sidelined.flag", "alliance.strain")
TOP = 8


def input_label(name: str, scenario: Scenario) -> str:
    """A reader's name for an ensemble input (``USA.seoul_role.salience`` → "USA's salience
    on Seoul's role in the talks", the issue by its label in the scenario); unknown patterns
    are returned as they are."""
    issues = {i.id: i.label for i in scenario.issues}
    actors = set(scenario.actor_ids)
    parts = name.split(".")
    if len(parts) == 2 and parts[0] in issues and parts[1] == "status_quo":
        return f"status quo of {issues[parts[0]]}"
    if len(parts) == 2 and parts[0] in actors:
        return f"{parts[0]}'s {parts[1].replace('_', ' ')}"
    if len(parts) == 3 and parts[0] in actors and parts[1] in issues:
        return f"{parts[0]}'s {parts[2].replace('_', ' ')} on {issues[parts[1]]}"
    return name


def sensitivity_runs(runs: int) -> int:
    """Sobol base sample size: Saltelli's scheme costs N·(D+2) model runs for D inputs, so the
    report uses a fraction of the ensemble's runs (at least 16) to keep its run time bounded."""
    return max(16, runs // 4)


def run_sensitivity(
    scenario: Scenario, settings: ReportSettings, seed: int, measures: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """The one place this section calls the sensitivity engine: measure -> (input × S1,
    S1_conf, ST, ST_conf). ``sensitivity_all`` evaluates the model once for every measure."""
    with warnings.catch_warnings():
        # SALib warns about measures that are constant over the sample (e.g. a deal in
        # every world); the section reports those as "no variance" instead.
        warnings.filterwarnings("ignore", message="Constant values encountered")
        table = sensitivity_all(
            scenario,
            runs=sensitivity_runs(settings.runs),
            seed=seed,
            model=ensemble_models(settings)[0],
            measures=measures,  # SALib's bootstrap only for the measures the section shows
        )
    found = set(table.index.get_level_values(0))
    return {m: pd.DataFrame(table.xs(m, level=0)) for m in measures if m in found}


def _value(row: pd.Series, name: str) -> float:
    value = row.get(name, math.nan)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def ranked(frame: pd.DataFrame) -> list[tuple[str, dict[str, float]]]:
    """Inputs by total-order index, largest first: (input name, {S1, S1_conf, ST, ST_conf})."""
    rows = []
    for name, row in frame.iterrows():
        values = {k: _value(row, k) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        rows.append((str(name), values))
    rows.sort(key=lambda item: -(item[1]["ST"] if not math.isnan(item[1]["ST"]) else -1.0))
    return rows


def _chart(
    measure: str, label: str, top: list[tuple[str, dict[str, float]]], labels: dict[str, str]
) -> Chart:
    names = tuple(labels.get(name, name) for name, _ in top)

    def series(key: str, title: str) -> Series:
        centre = tuple(v[key] for _, v in top)
        conf = tuple(v[f"{key}_conf"] for _, v in top)
        low = tuple(c - e if not math.isnan(e) else c for c, e in zip(centre, conf, strict=True))
        high = tuple(c + e if not math.isnan(e) else c for c, e in zip(centre, conf, strict=True))
        return Series(title, names, centre, "bar", (Band(low, high, "95% confidence"),))

    return Chart(
        id=f"chart-sensitivity-{measure.replace('.', '-')}",
        title=f"What drives “{label}”: the {len(top)} most influential inputs",
        x_label="Uncertain input",
        y_label="Sobol index (share of variance, 0–1)",
        series=(series("ST", "total effect (ST)"), series("S1", "first order (S1)")),
        description=(
            f"Share of the variance of “{label}” explained by each input alone (S1) and with "
            "its interactions (ST); error bars are the bootstrap 95% confidence intervals. A "
            "slightly negative S1 is estimation noise around zero."
        ),
        x_kind="category",
        horizontal=True,
    )


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


#: Why the section can be empty: a published case (bdm-1994-emissions, cop21-2015) states
#: point values only, and a scenario without the roles the measures need has none of the
#: results explained here. The briefing must still be written, saying why and how to fill it.
NO_INPUTS = (
    "This scenario states no uncertainty range for any input the bargaining models read "
    "(positions, saliences, capabilities, status quo), so there is no variance to apportion. "
    "Give the quantities you doubt an `uncertainty` (docs/reference/scenario-format.md) to see "
    "which of them drive the results."
)
NO_MEASURES = (
    "None of the results this section explains ({}) is defined for this scenario: they need "
    "its `roles` (the sidelined actor, the patron and its allies, the non-proliferation issue)."
)


def _empty(settings: ReportSettings, why: str) -> Section:
    numbers = {"base_runs": sensitivity_runs(settings.runs), "measures": {}, "skipped": why}
    return Section(id=ID, title=TITLE, blocks=(Paragraph(why),), numbers=numbers, summary="")


def build_sensitivity(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    if not varied_inputs(scenario):
        return _empty(settings, NO_INPUTS)
    frames = run_sensitivity(scenario, settings, seed, MEASURES)
    if not frames:
        return _empty(settings, NO_MEASURES.format(", ".join(MEASURES)))
    blocks: list[Any] = [
        Paragraph(
            "Sobol indices split the variance of a result among the uncertain inputs: S1 is "
            "what an input explains alone, ST what it explains including interactions. Inputs "
            "at the top of each chart are the assumptions most worth checking; inputs with ST "
            f"near zero hardly matter. Base sample: {sensitivity_runs(settings.runs)} "
            "(Saltelli scheme), status quo policy."
        )
    ]
    numbers: dict[str, Any] = {"base_runs": sensitivity_runs(settings.runs), "measures": {}}
    rows = []
    summaries = []
    constant: list[str] = []
    for measure, frame in frames.items():
        order = ranked(frame)
        top = order[:TOP]
        label = describe(measure, scenario).label
        numbers["measures"][measure] = {name: values for name, values in order}
        if not top or all(math.isnan(v["ST"]) for _, v in top):
            # A result that does not vary over the sampled inputs has no variance to split.
            constant.append(label)
            continue
        names = {name: input_label(name, scenario) for name, _ in top}
        blocks.append(_chart(measure, label, top, names))
        head, values = top[0]
        head = names[head]
        rows.append(
            (
                Cell(label),
                Cell(head),
                Cell(f"{values['ST']:.2f}"),
                Cell(", ".join(names[name] for name, _ in top[1:3]) or "—"),
            )
        )
        summaries.append(f"{label} depends most on {head} (ST {values['ST']:.2f})")
    if constant:
        blocks.append(
            Paragraph(
                "No sensitivity to report for "
                + ", ".join(f"“{c}”" for c in constant)
                + ": the result is the same in every sampled world."
            )
        )
    blocks.insert(
        1,
        Table(
            "sensitivity",
            "The input that drives each result most (largest total-order Sobol index)",
            ("Result", "Main driver", "ST", "Next drivers"),
            tuple(rows),
        ),
    )
    return Section(
        id=ID,
        title=TITLE,
        blocks=tuple(blocks),
        numbers=numbers,
        summary=sentence("; ".join(summaries)) if summaries else "",
    )
