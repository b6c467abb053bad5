"""Assemble a briefing: run every section builder, then the summary and the assumptions list.

The core of ``peninsula report``: numbers in (a scenario, settings), content out (a
:class:`Report`); no files, no printing. Progress is reported through an optional callback so
the CLI can show a progress bar. Each section receives its own seed, spawned from the one
report seed in a fixed order, so adding a section never changes another section's numbers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from peninsula import __version__
from peninsula.report.content import (
    EngineUnavailable,
    Paragraph,
    Report,
    Section,
    SourceEntry,
    unavailable,
)
from peninsula.report.sections.assumptions import build_assumptions
from peninsula.report.sections.bottom_line import build_bottom_line
from peninsula.report.sections.crisis import build_crisis
from peninsula.report.sections.forecasts import build_forecasts
from peninsula.report.sections.history import build_history
from peninsula.report.sections.policies import build_policies
from peninsula.report.sections.scenario import build_scenario
from peninsula.report.sections.sensitivity import build_sensitivity
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario, Source

Builder = Callable[[Scenario, ReportSettings, int], Section]
Progress = Callable[[str, int, int], None]
"""``progress(title, done, total)``: called before each section (done = sections finished)."""


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    intro: str
    builder: Builder


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "scenario",
        "The question, actors and issues",
        "Who bargains over what, with which capabilities and stakes.",
        build_scenario,
    ),
    SectionSpec(
        "history",
        "Relationship history",
        "How the US–DPRK relationship has moved, from the sourced event history: monthly "
        "cooperation–conflict scores (Goldstein scale) with the key events annotated.",
        build_history,
    ),
    SectionSpec(
        "forecasts",
        "Bargaining forecasts",
        "Where each bargaining model expects the issues to settle from today's positions, "
        "and how positions move round by round.",
        build_forecasts,
    ),
    SectionSpec(
        "policies",
        "Policy comparison across the ensemble",
        "Each policy option evaluated over many sampled worlds (every uncertain input drawn "
        "from its range): outcomes and who gains or loses, with intervals.",
        build_policies,
    ),
    SectionSpec(
        "sensitivity",
        "Sensitivity: which assumptions drive each result",
        "Variance-based (Sobol) sensitivity: which uncertain inputs explain most of the spread "
        "in each result.",
        build_sensitivity,
    ),
    SectionSpec(
        "crisis",
        "Crisis risks per policy",
        "A self-exciting event model calibrated on the history, run forward under each "
        "policy: tension paths (fan charts) and the probability of crossing crisis thresholds.",
        build_crisis,
    ),
)
TOTAL_STEPS = len(SECTIONS) + 1  # + assumptions and summary


def content_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON: identifies the exact inputs."""
    return hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()


def section_seeds(seed: int, count: int) -> list[int]:
    """One independent 63-bit seed per section, spawned from the report seed (fixed order)."""
    children = np.random.SeedSequence(seed).spawn(count)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


def run_section(
    spec: SectionSpec, scenario: Scenario, settings: ReportSettings, seed: int
) -> Section:
    """Build one section; an engine that is not built yet gives an explicit notice instead."""
    try:
        return spec.builder(scenario, settings, seed)
    except EngineUnavailable as missing:
        return unavailable(spec.id, spec.title, spec.intro, str(missing))


def _summary(scenario: Scenario, sections: list[Section]) -> Section:
    lines = [f"**{s.title}.** {s.summary}" for s in sections if s.status == "ok" and s.summary]
    missing = [s.title for s in sections if s.status != "ok"]
    blocks: list[Any] = [Paragraph(line) for line in lines]
    if missing:
        blocks.append(
            Paragraph(
                "Not yet available in this build: " + "; ".join(missing) + ". Those sections "
                "say why below and fill in as their engines land."
            )
        )
    return Section(
        id="summary",
        title="Summary",
        blocks=tuple(blocks),
        numbers={"available": [s.id for s in sections if s.status == "ok"], "missing": missing},
        summary=scenario.metadata.title,
    )


#: A file path such as ``shared/context/notes.txt`` or ``docs/x.md``: something only a
#: checkout of some repository has, which a reader of the briefing cannot follow.
_REPOSITORY_PATH = re.compile(r"(^|[\s(\[])(\.{0,2}/)?[\w.-]+(/[\w.-]+)+\.[A-Za-z]{1,5}\b")


def citation_problem(source: Source) -> str:
    """Why ``source`` is not a citation a reader can follow ("" if it is one).

    A citation names its title and who published it, or gives a web address; a file path
    inside a repository is neither, and a link that is not ``http(s)`` opens nothing for the
    reader of a mailed briefing."""
    fields = {"title": source.title, "publisher": source.publisher or "", "url": source.url or ""}
    for name, text in fields.items():
        if _REPOSITORY_PATH.search(text) and not text.lower().startswith(("http://", "https://")):
            return f"its {name} is a file path ({text}), not a publication"
    if source.url and not source.url.lower().startswith(("http://", "https://")):
        return f"its url is not a web address ({source.url})"
    if not source.title.strip():
        return "it has no title"
    if not (source.publisher or source.url):
        return "it names neither a publisher nor a web address"
    return ""


def _sources(scenario: Scenario) -> tuple[tuple[SourceEntry, ...], tuple[tuple[str, str], ...]]:
    """The citations to list, and the (id, reason) of scenario sources left out of the list."""
    listed, omitted = [], []
    for s in scenario.metadata.sources:
        problem = citation_problem(s)
        if problem:
            omitted.append((s.id, problem))
            continue
        listed.append(
            SourceEntry(
                id=s.id,
                title=s.title,
                publisher=s.publisher or "",
                url=s.url or "",
                date=s.date.isoformat() if s.date else "",
            )
        )
    return tuple(listed), tuple(omitted)


def _meta(scenario: Scenario, settings: ReportSettings) -> dict[str, Any]:
    meta = scenario.metadata
    return {
        "peninsula_version": __version__,
        "scenario": {
            "id": meta.id,
            "title": meta.title,
            "version": meta.version,
            "as_of": meta.as_of.isoformat(),
            "content_hash": content_hash(scenario),
        },
        "settings": {
            "runs": settings.runs,
            "seed": settings.seed,
            "models": list(settings.models) if settings.models else None,
            "horizon_months": settings.horizon_months,
        },
    }


def build_report(
    scenario: Scenario,
    settings: ReportSettings | None = None,
    progress: Progress | None = None,
    sections: tuple[SectionSpec, ...] | None = None,
) -> Report:
    """The briefing on ``scenario``: every section, a summary first and assumptions last."""
    settings = settings or ReportSettings()
    sections = SECTIONS if sections is None else sections
    seeds = section_seeds(settings.seed, len(sections))
    built: list[Section] = []
    total = len(sections) + 1
    for index, (spec, seed) in enumerate(zip(sections, seeds, strict=True)):
        if progress is not None:
            progress(spec.title, index, total)
        built.append(run_section(spec, scenario, settings, seed))
    if progress is not None:
        progress("Assumptions and limitations", len(sections), total)
    built.append(build_assumptions(scenario, settings, built))
    if progress is not None:
        progress("done", total, total)
    sources, omitted = _sources(scenario)
    return Report(
        title=f"Briefing: {scenario.metadata.title}",
        subtitle=(
            "What outcome is likely, under which policy, how sure we are, who is sidelined, "
            "and how likely escalation is."
        ),
        sections=(build_bottom_line(scenario, settings, built), _summary(scenario, built), *built),
        sources=sources,
        meta=_meta(scenario, settings),
        omitted_sources=omitted,
    )
