"""The last section: a plain list of the assumptions and limitations behind the numbers.

Part of the list is fixed (what every run of peninsula assumes); part is computed from the
scenario and the run (how many inputs rest on the maintainers' judgement, the Monte Carlo
error at this number of runs, which engines were not available).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from peninsula.report.content import Bullets, Paragraph, Section
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Quantity, Scenario

ID = "assumptions"
TITLE = "Assumptions and limitations"
JUDGEMENT_WORDS = ("judgement", "judgment")

GENERAL = (
    "Positions and salience are coded by the scenario's authors from the cited sources onto "
    "0–100 scales; different coders would choose somewhat different numbers. The ranges "
    "express that disagreement and are sampled in the ensemble.",
    "Bargaining models assume actors bargain over each issue; they forecast where positions "
    "settle, not whether talks happen or when.",
    "Capabilities are relative, on the scenario's own scale (the actors table names its "
    "top), and weigh the sources' measures of power by judgement; they are not measured "
    "quantities.",
    "Policies are levers applied to every sampled world in the same way; a policy's real "
    "effect on actors' positions is itself uncertain.",
    "Event data record what was reported, not everything that happened; tone scores (Goldstein "
    "scale) weight event types, not their real importance.",
    "Probabilities are model-based frequencies over sampled worlds, not calibrated forecasts "
    "unless the crisis section reports a backtest.",
)


def _quantities(scenario: Scenario) -> Iterator[Quantity]:
    for issue in scenario.issues:
        yield issue.status_quo
    for actor in scenario.actors:
        yield actor.capability
        for optional in (actor.risk, actor.outside_option):
            if optional is not None:
                yield optional
        for stance in actor.stances.values():
            yield stance.position
            yield stance.salience
    for relation in scenario.relations:
        yield relation.strength


def judgement_sources(scenario: Scenario) -> set[str]:
    """Source ids whose title says they are the authors' own coding judgement."""
    return {
        s.id
        for s in scenario.metadata.sources
        if any(word in s.title.lower() for word in JUDGEMENT_WORDS)
    }


def monte_carlo_error(runs: int) -> float:
    """Largest standard error of an estimated probability, sqrt(p(1-p)/N) at p = 1/2."""
    return 0.5 / math.sqrt(runs)


def build_assumptions(scenario: Scenario, settings: ReportSettings) -> Section:
    quantities = list(_quantities(scenario))
    uncertain = sum(q.uncertainty is not None for q in quantities)
    judgement = judgement_sources(scenario)
    judged = sum(bool(judgement & set(q.source)) for q in quantities)
    unsourced = sum(not q.source for q in quantities)
    silent = [
        f"{a.id} on {i.id}"
        for a in scenario.actors
        for i in scenario.issues
        if i.id not in a.stances
    ]
    error = monte_carlo_error(settings.runs)
    specific = [
        f"{len(quantities)} input numbers; {uncertain} carry an uncertainty range, "
        f"{len(quantities) - uncertain} are treated as known exactly.",
        f"{judged} numbers rest at least partly on the authors' coding judgement "
        f"({', '.join(sorted(judgement)) or 'no such source declared'}); {unsourced} cite no "
        "source at all.",
        f"With {settings.runs} Monte Carlo runs per policy, an estimated probability has a "
        f"standard error of at most {error:.3f} ({100 * error:.1f} percentage points); "
        "intervals are percentiles of the sampled worlds, not confidence intervals of a mean.",
    ]
    if silent:
        specific.append(
            "Actors without a stance are indifferent (salience 0, position at the status quo): "
            + ", ".join(silent)
            + "."
        )
    blocks: list[Paragraph | Bullets] = [
        Paragraph(
            "Every number in this briefing follows from the scenario file and the models' "
            "assumptions. Read the results with these in mind."
        ),
        Bullets(GENERAL, "Assumptions of the method"),
        Bullets(tuple(specific), "This scenario and this run"),
    ]
    return Section(
        id=ID,
        title=TITLE,
        blocks=tuple(blocks),
        numbers={
            "inputs": len(quantities),
            "uncertain_inputs": uncertain,
            "judgement_inputs": judged,
            "unsourced_inputs": unsourced,
            "monte_carlo_max_standard_error": error,
        },
    )
