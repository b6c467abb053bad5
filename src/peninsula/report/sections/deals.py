"""Section: package deals (``peninsula.models.deals``, the exchange model).

The same content as ``peninsula deals``: for the status quo and for every policy that declares
a trade, the vote trades the exchange model realises in its first round (Stokman & Van Oosten
1994), in words, and whether the policy's trade is among them; plus a chart of who gains and
who loses from all the realised exchanges together (each actor's summed utility change,
van Assen, Stokman & van Oosten 2003). Only the strongest exchanges are listed; the JSON twin
holds them all.
"""

from __future__ import annotations

from typing import Any

from peninsula.models.deals import DealsReport, deals_report
from peninsula.report.content import Bullets, Chart, Paragraph, Section, Series
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario

ID = "deals"
TITLE = "Package deals: who trades what"

#: Exchanges listed per policy (the strongest first); the JSON twin has every one.
LISTED = 6


def _trade_lines(report: DealsReport) -> list[str]:
    lines = []
    for trade in report.trades:
        first, second = trade.trade.concessions.items()
        if trade.happened:
            numbers = ", ".join(f"#{i + 1}" for i in trade.exchanges)
            lines.append(
                f"**{trade.trade.label}** ({trade.policy}) happens ({numbers}): "
                f"{second[1]} moves {trade.rate:.2f} points per point of {first[1]}."
            )
        else:
            lines.append(
                f"**{trade.trade.label}** ({trade.policy}) does not happen: {trade.diagnosis}."
            )
    return lines


def _chart(scenario: Scenario, reports: list[DealsReport]) -> Chart:
    names = tuple(a.name for a in scenario.actors)
    series = tuple(
        Series(
            r.policy or "status quo",
            names,
            tuple(r.net_effects()[a.id] for a in scenario.actors),
            "bar",
        )
        for r in reports
    )
    return Chart(
        id="chart-deals-effects",
        title="Who gains and who loses from the realised exchanges",
        x_label="Actor",
        y_label="Summed utility change (salience × points on 0–100 scales)",
        series=series,
        description=(
            "Each actor's utility change summed over every exchange the model realises in its "
            "first round, parties and third parties alike (van Assen, Stokman & van Oosten "
            "2003): positive means the trades move the outcomes towards the actor."
        ),
        x_kind="category",
        horizontal=True,
    )


def build_deals(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    policies: list[str | None] = [None]
    policies += [p.id for p in scenario.policies if p.trade is not None]
    reports = [deals_report(scenario, policy, rounds=1, seed=seed) for policy in policies]
    blocks: list[Any] = [
        Paragraph(
            "The exchange model (Stokman & Van Oosten 1994) lets two actors who disagree on two "
            "issues, and care about them in different proportions, each give ground on the "
            "issue that matters less to them. Each line is one trade: who moves which voting "
            "position, the equal gain of both (salience × points on a 0–100 scale) and what "
            "it does to the other actors. Method: docs/explanation/model-exchange.md."
        )
    ]
    for report in reports:
        where = f"Policy {report.policy}" if report.policy else "Status quo"
        lines = [f"#{i + 1}: {report.describe(e)}" for i, e in enumerate(report.exchanges[:LISTED])]
        more = len(report.exchanges) - LISTED
        if more > 0:
            lines.append(f"… and {more} smaller exchanges (all in the JSON twin).")
        if not lines:
            lines = ["No exchange is profitable for any pair of actors."]
        blocks.append(Bullets(tuple(lines), title=f"{where}: {len(report.exchanges)} exchanges"))
        trade_lines = _trade_lines(report) if report.policy else []
        if trade_lines:
            blocks.append(Paragraph(" ".join(trade_lines)))
    if any(r.exchanges for r in reports):
        blocks.append(_chart(scenario, reports))
    happened = [t for r in reports if r.policy for t in r.trades if t.happened]
    declared = [t for r in reports if r.policy for t in r.trades]
    summary = (
        f"{len(reports[0].exchanges)} vote trades under the status quo; "
        f"{len(happened)} of {len(declared)} declared policy trades happen."
        if declared
        else f"{len(reports[0].exchanges)} vote trades under the status quo."
    )
    return Section(
        id=ID,
        title=TITLE,
        blocks=tuple(blocks),
        numbers={"seed": seed, "reports": [r.to_dict() for r in reports]},
        summary=summary,
    )
