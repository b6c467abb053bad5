"""Section 1: the question, the actors and issues, relations and policy options, all cited.

Needs no engine: it reads the validated scenario. Every number cell cites the source ids the
scenario gives for it, rendered as ``[n]`` against the numbered source list.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from peninsula.report.content import Band, Cell, Chart, Paragraph, Section, Series, Table
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import (
    ActorChange,
    Adjust,
    ExcludeChange,
    Policy,
    Quantity,
    Scenario,
    StatusQuoChange,
)

ID = "scenario"
TITLE = "The question, actors and issues"


def actor_name(scenario: Scenario, actor_id: str | None, missing: str = "") -> str:
    """How running text names an actor the scenario supplies (a role such as
    ``roles.sidelined``, a country in the event data): its display name without a trailing
    qualifier in brackets ("South Korea (Lee Jae-myung government)" → "South Korea"), so that
    labels stay short; its id when the scenario has no such actor; ``missing`` for no id.
    Generic code names actors only through here, never by a built-in scenario's ids."""
    if actor_id is None:
        return missing
    actor = next((a for a in scenario.actors if a.id == actor_id), None)
    if actor is None:
        return actor_id
    return actor.name.split(" (")[0].strip() or actor.id


def possessive(name: str) -> str:
    """``"South Korea"`` → ``"South Korea's"``, ``"United States"`` → ``"United States'"``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def capability_scale(scenario: Scenario) -> tuple[str, float]:
    """The actor with the largest nominal capability and its value: capabilities are relative
    on each scenario's own scale (``USA = 100`` in korea-2025, shares of 1 in cop21-2015), so
    the report states the scale by its top instead of assuming one."""
    top = max(scenario.actors, key=lambda a: a.capability.value)
    return top.id, top.capability.value


def quantity_text(q: Quantity | None, digits: int = 0) -> str:
    """:meth:`Quantity.text`, or a dash for a number the scenario leaves unset."""
    return "—" if q is None else q.text(digits)


def quantity_cell(q: Quantity | None, digits: int = 0) -> Cell:
    return Cell(quantity_text(q, digits), tuple(q.source) if q is not None else ())


def quantity_numbers(q: Quantity | None) -> dict[str, Any] | None:
    if q is None:
        return None
    low, high = q.span()
    return {"value": q.value, "low": low, "high": high, "sources": list(q.source)}


def _adjust_text(what: str, adjust: Adjust | None) -> str | None:
    if adjust is None:
        return None
    if adjust.set is not None:
        return f"{what} → {adjust.set:g}"
    if adjust.add is not None:
        return f"{what} {adjust.add:+g}"
    return f"{what} ×{adjust.multiply:g}"


def change_text(change: ActorChange | StatusQuoChange | ExcludeChange) -> str:
    """One policy change in words, e.g. ``USA on denuclearisation: position → 0``."""
    if isinstance(change, ExcludeChange):
        return "left out of the talks: " + ", ".join(change.exclude)
    if isinstance(change, StatusQuoChange):
        return _adjust_text(f"status quo of {change.issue}", change.status_quo) or ""
    parts = [
        _adjust_text(name, getattr(change, name))
        for name in ("position", "salience", "capability", "risk", "outside_option")
    ]
    where = f"{change.actor} on {change.issue}" if change.issue else change.actor
    return f"{where}: " + ", ".join(p for p in parts if p)


def policy_changes(policy: Policy) -> str:
    texts = [change_text(c) for c in policy.changes]
    texts += [f"effect {name} = {quantity_text(q, 2)}" for name, q in policy.effects.items()]
    return "; ".join(texts) or "no change (baseline)"


def _issues_table(s: Scenario) -> Table:
    rows = []
    for issue in s.issues:
        anchors = "; ".join(f"{a.at:g} = {a.label}" for a in issue.scale.anchors)
        rows.append(
            (
                Cell(f"{issue.label} ({issue.id})"),
                Cell(f"{issue.scale.min:g}–{issue.scale.max:g}: {issue.scale.unit}"),
                Cell(anchors),
                quantity_cell(issue.status_quo),
            )
        )
    return Table(
        "issues",
        "Issues: scale, labelled anchors and status quo (range sampled in the ensemble)",
        ("Issue", "Scale", "Anchors", "Status quo"),
        tuple(rows),
    )


def _actors_table(s: Scenario) -> Table:
    top, value = capability_scale(s)
    digits = 0 if value >= 10 else 2  # shares of 1 (cop21-2015) would all round to 0 or 1
    rows = tuple(
        (
            Cell(f"{a.name} ({a.id})"),
            Cell(a.group or "—"),
            quantity_cell(a.capability, digits),
            quantity_cell(a.outside_option, 2),
            quantity_cell(a.risk, 2),
        )
        for a in s.actors
    )
    return Table(
        "actors",
        f"Actors: capability (relative, {top} = {value:g}), outside option and risk attitude",
        ("Actor", "Group", "Capability", "Outside option (0–1)", "Risk attitude (−1–1)"),
        rows,
        note="A dash means the scenario leaves the value unset; models then use their default.",
    )


def _stance_table(s: Scenario, field: str, caption: str, digits: int) -> Table:
    rows = []
    for actor in s.actors:
        cells = [Cell(actor.id)]
        for issue in s.issues:
            stance = actor.stances.get(issue.id)
            cells.append(quantity_cell(getattr(stance, field), digits) if stance else Cell("—"))
        rows.append(tuple(cells))
    return Table(
        f"{field}s",
        caption,
        ("Actor",) + tuple(i.label for i in s.issues),
        tuple(rows),
        note="A dash means the actor takes no stance on the issue (salience 0).",
    )


def _relations_table(s: Scenario) -> Table:
    rows = tuple(
        (
            Cell(" – ".join(r.between)),
            Cell(r.kind),
            quantity_cell(r.strength, 2),
            Cell(r.description or "—", tuple(r.source)),
        )
        for r in s.relations
    )
    return Table(
        "relations",
        "Relations between actors (strength from −1 hostile to +1 allied)",
        ("Between", "Kind", "Strength", "Basis"),
        rows,
    )


def _policies_table(s: Scenario) -> Table:
    rows = tuple(
        (
            Cell(f"{p.label} ({p.id})"),
            Cell(p.description or "—", tuple(p.source)),
            Cell(policy_changes(p)),
        )
        for p in s.policies
    )
    return Table(
        "policies",
        "Policy options compared in this report",
        ("Policy", "What it means", "Changes"),
        rows,
    )


def _positions_chart(s: Scenario) -> Chart:
    series = []
    for actor in s.actors:
        issues = [i for i in s.issues if i.id in actor.stances]
        if not issues:
            continue
        stances = [actor.stances[i.id].position for i in issues]
        spans = np.array([q.span() for q in stances])
        series.append(
            Series(
                name=actor.id,
                x=tuple(i.label for i in issues),
                y=tuple(q.value for q in stances),
                mode="markers",
                bands=(Band(tuple(spans[:, 0]), tuple(spans[:, 1]), "range"),),
            )
        )
    # All issues must appear in the same order on the category axis: pad actors' series.
    labels = tuple(i.label for i in s.issues)
    padded = []
    for one in series:
        lookup = dict(zip(one.x, range(len(one.x)), strict=True))
        rows = [lookup.get(label) for label in labels]
        band = one.bands[0]

        def pick(values: tuple[float, ...], rows: list[int | None] = rows) -> tuple[float, ...]:
            return tuple(float("nan") if r is None else values[r] for r in rows)

        padded.append(
            Series(
                one.name,
                labels,
                pick(one.y),
                "markers",
                (Band(pick(band.low), pick(band.high), band.label),),
            )
        )
    low = min(i.scale.min for i in s.issues)
    high = max(i.scale.max for i in s.issues)
    pad = 0.03 * (high - low)
    return Chart(
        id="chart-positions",
        title="Where each actor stands on each issue (nominal position and range)",
        x_label="Issue",
        y_label=f"Position (issue scale, {low:g}–{high:g})",
        series=tuple(padded),
        description=(
            "Markers show each actor's ideal point on each issue; bars show the range the "
            "scenario allows. What low and high values mean differs by issue: see the issue "
            "anchors in the table above."
        ),
        x_kind="category",
        y_range=(low - pad, high + pad),
    )


def numbers(s: Scenario) -> dict[str, Any]:
    return {
        "question": s.metadata.description.strip(),
        "issues": {
            i.id: {
                "label": i.label,
                "scale": [i.scale.min, i.scale.max],
                "status_quo": quantity_numbers(i.status_quo),
            }
            for i in s.issues
        },
        "actors": {
            a.id: {
                "name": a.name,
                "capability": quantity_numbers(a.capability),
                "outside_option": quantity_numbers(a.outside_option),
                "risk": quantity_numbers(a.risk),
                "stances": {
                    issue: {
                        "position": quantity_numbers(st.position),
                        "salience": quantity_numbers(st.salience),
                    }
                    for issue, st in a.stances.items()
                },
            }
            for a in s.actors
        },
        "relations": [
            {"between": list(r.between), "kind": r.kind, "strength": quantity_numbers(r.strength)}
            for r in s.relations
        ],
        "policies": [p.id for p in s.policies],
    }


def build_scenario(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    """The question and the inputs, as tables citing their sources."""
    meta = scenario.metadata
    question = meta.description.strip() or meta.title
    blocks = (
        Paragraph(f"**The question.** {question}"),
        Paragraph(
            f"Scenario `{meta.id}` version {meta.version}, as of {meta.as_of.isoformat()}: "
            f"{len(scenario.actors)} actors bargain over {len(scenario.issues)} issues; "
            f"{len(scenario.policies)} policy options are compared. Numbers in brackets are "
            "the ranges sampled in the ensemble; [n] cites the numbered sources at the end."
        ),
        _issues_table(scenario),
        _actors_table(scenario),
        _stance_table(
            scenario, "position", "Positions: each actor's ideal point on each issue (0–100)", 0
        ),
        _stance_table(
            scenario, "salience", "Salience: how much each issue matters to each actor (0–1)", 2
        ),
        _positions_chart(scenario),
        _relations_table(scenario),
        _policies_table(scenario),
    )
    return Section(
        id=ID,
        title=TITLE,
        blocks=blocks,
        numbers=numbers(scenario),
        summary=question,
    )
