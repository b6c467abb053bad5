"""The bottom line, shown first: a scorecard of the policies on the headline measures.

Built from the numbers the policy-comparison and crisis sections already computed (no engine
is run twice): for every policy, the chance of a deal, of the scenario's sidelined actor
(``roles.sidelined``, by its name in the scenario) being sidelined, the mean
non-proliferation erosion and the chance of crossing the crisis threshold, each with its
interval (:mod:`peninsula.estimates`), the best and worst policy marked on each, and the
policy's trade-off against the status quo in one sentence. Each figure links to the section
that explains it.

What counts as a difference: two probabilities differ when their 95% Monte Carlo intervals do
not overlap (a conservative reading, so Monte Carlo noise never reads as a trade-off); two means
when they differ by more than :data:`MEAN_TOLERANCE` on their 0–1 scale. Best and worst are by
estimate as shown (ties marked together), nothing marked when all policies read the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from peninsula.estimates import Estimate, from_json, percent
from peninsula.report.content import (
    Paragraph,
    Scorecard,
    ScoreCell,
    ScoreColumn,
    ScoreRow,
    Section,
)
from peninsula.report.sections.policies import sidelined_name
from peninsula.report.settings import ReportSettings
from peninsula.scenario.policies import STATUS_QUO, order_policies, policy_label
from peninsula.scenario.schema import Scenario

ID = "bottom-line"
TITLE = "Bottom line"
#: A difference in a 0–1 mean smaller than this is not called a trade-off.
MEAN_TOLERANCE = 0.02


@dataclass(frozen=True)
class Headline:
    """A headline measure: where its numbers are, how to name it, which way is better."""

    section: str
    measure: str
    label: str
    detail: str
    better: Literal["higher", "lower"]
    more: str  # "a likelier deal": the phrase for a higher value
    less: str
    best: str  # "likeliest deal": the phrase for the best policy


def headlines(scenario: Scenario) -> tuple[Headline, ...]:
    """The scorecard's headline measures, worded for ``scenario`` (the sidelined actor by its
    name); a headline whose measure the scenario lacks is dropped by the caller."""
    who = sidelined_name(scenario)
    return (
        Headline(
            "policies",
            "deal",
            "Deal",
            "probability · 95% MC interval",
            "higher",
            "a likelier deal",
            "a less likely deal",
            "Likeliest deal",
        ),
        Headline(
            "policies",
            "sidelined.flag",
            f"{who} sidelined",
            "probability · 95% MC interval",
            "lower",
            f"{who} sidelined more often",
            f"{who} sidelined less often",
            f"{who} least sidelined",
        ),
        Headline(
            "policies",
            "nonpro.erosion",
            "Non-proliferation erosion",
            "mean, 0–1 · 5th–95th percentile",
            "lower",
            "more non-proliferation erosion",
            "less non-proliferation erosion",
            "least non-proliferation erosion",
        ),
        Headline(
            "crisis",
            "p_crisis",
            "Crisis risk",
            "P(crisis threshold crossed) · 95% MC interval",
            "lower",
            "a higher crisis risk",
            "a lower crisis risk",
            "lowest crisis risk",
        ),
    )


def _value(estimate: Estimate) -> str:
    return (
        f"{100 * estimate.value:.0f}%"
        if estimate.kind == "probability"
        else f"{estimate.value:.2f}"
    )


def _interval(estimate: Estimate) -> str:
    if math.isnan(estimate.low) or math.isnan(estimate.high):
        return ""
    if estimate.kind == "probability":
        return f"{percent(estimate.low)}–{percent(estimate.high)}%"
    return f"{estimate.low:.2f}–{estimate.high:.2f}".replace("-", "−")


def marks(values: Mapping[str, Estimate], better: str) -> dict[str, Literal["", "best", "worst"]]:
    """Best and worst policy by estimate. Ties are judged on the figures as shown (whole
    percentages, two decimals), so two policies that read the same carry the same mark;
    nothing is marked when every policy reads the same."""
    shown = {p: _value(v) for p, v in values.items()}
    rounded = {p: float(text.rstrip("%")) for p, text in shown.items()}
    if not rounded or len(set(rounded.values())) == 1:
        return {p: "" for p in values}
    top, bottom = max(rounded.values()), min(rounded.values())
    best, worst = (top, bottom) if better == "higher" else (bottom, top)
    return {p: "best" if v == best else "worst" if v == worst else "" for p, v in rounded.items()}


def differs(a: Estimate, b: Estimate) -> bool:
    """Whether ``a`` and ``b`` differ by more than Monte Carlo noise (module doc)."""
    if a.kind == "probability":
        return a.low > b.high or b.low > a.high
    return abs(a.value - b.value) > MEAN_TOLERANCE


def tradeoff(
    policy: str,
    row: Mapping[str, Estimate],
    base: Mapping[str, Estimate],
    measures: Sequence[Headline],
) -> str:
    """The policy against the status quo in one sentence: what it buys and what it costs on
    the headline ``measures``."""
    if policy == STATUS_QUO:
        return "The baseline: no change of policy; the other rows compare with it."
    gains: list[str] = []
    costs: list[str] = []
    for headline in measures:
        mine, theirs = row.get(headline.measure), base.get(headline.measure)
        if mine is None or theirs is None or not differs(mine, theirs):
            continue
        higher = mine.value > theirs.value
        phrase = headline.more if higher else headline.less
        text = f"{phrase} ({_value(mine)} vs {_value(theirs)})"
        good = higher == (headline.better == "higher")
        (gains if good else costs).append(text)
    if not gains and not costs:
        return "No clear difference from the status quo on these measures."
    if not costs:
        return "Against the status quo: " + _join(gains) + ", at no clear cost on these measures."
    if not gains:
        return "Against the status quo: " + _join(costs) + ", with no clear gain."
    return "Against the status quo: " + _join(gains) + ", but " + _join(costs) + "."


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _crisis_note(shown: Sequence[Headline]) -> str:
    """What the crisis-risk column rests on, where a reader of the scorecard sees it: the
    policies' effects are judgement (the interval is Monte Carlo noise only), and the model's
    latest escalation track record when a simple rule beat it."""
    if not any(h.measure == "p_crisis" for h in shown):
        return ""
    from peninsula.crisis.escalation import bundled_escalation, caveat

    warning = caveat(bundled_escalation())
    return (
        " Crisis risk comes from the crisis model under each policy's effects as the scenario "
        "states them, which are judgement; its interval is Monte Carlo noise only."
        + (f" {warning}" if warning else "")
    )


def build_bottom_line(
    scenario: Scenario, settings: ReportSettings, sections: Sequence[Section]
) -> Section:
    by_id = {s.id: s for s in sections}
    numbers: dict[str, dict[str, Estimate]] = {}
    available = [h for h in headlines(scenario) if h.section in by_id]
    for headline in available:
        summary: Mapping[str, Any] = by_id[headline.section].numbers.get("summary", {})
        for policy, per in summary.items():
            if headline.measure in per:
                numbers.setdefault(policy, {})[headline.measure] = from_json(per[headline.measure])
    shown = [h for h in available if any(h.measure in row for row in numbers.values())]
    policies = order_policies(scenario, list(numbers))
    if not policies or not shown:
        return Section(ID, TITLE, (Paragraph("No policy comparison was computed."),))
    columns = tuple(ScoreColumn(h.label, h.detail, h.section, h.better) for h in shown)
    marked = {
        h.measure: marks(
            {p: numbers[p][h.measure] for p in policies if h.measure in numbers[p]}, h.better
        )
        for h in shown
    }
    base = numbers.get(STATUS_QUO, {})
    rows = []
    for policy in policies:
        cells = []
        for h in shown:
            estimate = numbers[policy].get(h.measure)
            if estimate is None:
                cells.append(ScoreCell("—"))
                continue
            cells.append(
                ScoreCell(_value(estimate), _interval(estimate), marked[h.measure][policy])
            )
        rows.append(
            ScoreRow(
                policy_label(scenario, policy),
                tuple(cells),
                tradeoff(policy, numbers[policy], base, shown),
            )
        )
    runs = by_id["policies"].numbers.get("runs") if "policies" in by_id else None
    paths = by_id["crisis"].numbers.get("paths") if "crisis" in by_id else None
    counts = []
    if runs:
        counts.append(f"{runs} sampled worlds per policy")
    if paths:
        counts.append(f"{paths} simulated crisis paths per policy")
    as_of = scenario.metadata.as_of.isoformat()
    caption = f"Scenario as of {as_of}" + "".join(f" · {c}" for c in counts)
    card = Scorecard(
        "scorecard",
        caption,
        columns,
        tuple(rows),
        note=(
            "★ best and ▼ worst policy on each measure. Percentages are probabilities with "
            "their 95% Monte Carlo interval"
            + (
                "; erosion is a mean (0–1) with the 5th–95th percentile of sampled worlds"
                if any(h.measure == "nonpro.erosion" for h in shown)
                else ""
            )
            + ". A trade-off is named only where the difference is larger than Monte Carlo "
            "noise." + _crisis_note(shown)
        ),
    )
    sentence = _headline(scenario, numbers, policies, shown)
    return Section(
        ID,
        TITLE,
        (card, Paragraph(sentence)) if sentence else (card,),
        numbers={
            "as_of": as_of,
            "runs": runs,
            "crisis_paths": paths,
            "columns": [
                {"measure": h.measure, "label": h.label, "section": h.section, "better": h.better}
                for h in shown
            ],
            "policies": {
                policy: {
                    "label": row.policy,
                    "tradeoff": row.tradeoff,
                    "estimates": {
                        h.measure: numbers[policy][h.measure].as_json()
                        for h in shown
                        if h.measure in numbers[policy]
                    },
                    "marks": {h.measure: marked[h.measure].get(policy, "") for h in shown},
                }
                for policy, row in zip(policies, rows, strict=True)
            },
        },
        summary=sentence,
    )


def _headline(
    scenario: Scenario,
    numbers: Mapping[str, Mapping[str, Estimate]],
    policies: Sequence[str],
    headlines: Sequence[Headline],
) -> str:
    """One sentence: the best policy on each headline measure."""
    parts = []
    for h in headlines:
        values = {p: numbers[p][h.measure] for p in policies if h.measure in numbers[p]}
        if not values:
            continue
        pick = max if h.better == "higher" else min
        best = pick(values, key=lambda p: values[p].value)
        parts.append(f"{h.best}: “{policy_label(scenario, best)}” ({_value(values[best])})")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "." if parts else ""
