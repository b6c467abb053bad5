"""Assemble a briefing: run every section builder, then the summary and the assumptions list.

The core of ``peninsula report``: numbers in (a scenario, settings), content out (a
:class:`Report`); no files, no printing. Progress is reported through an optional callback so
the CLI can show a progress bar. Every section hands the one report seed to its engine
unchanged, exactly as the commands do (``peninsula compare``, ``crisis``, ``forecast``), so a
section shows the numbers its command prints with the same seed and sizes
(:mod:`peninsula.defaults`); adding a section never changes another section's numbers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peninsula import __version__
from peninsula.report.content import Paragraph, Report, Section, SourceEntry
from peninsula.report.sections import (
    assumptions,
    bottom_line,
    crisis,
    deals,
    forecasts,
    history,
    policies,
    sensitivity,
)
from peninsula.report.sections import scenario as question
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario, Source

Builder = Callable[[Scenario, ReportSettings, int], Section]
Progress = Callable[[str, int, int], None]
"""``progress(title, done, total)``: called before each section (done = sections finished)."""


@dataclass(frozen=True)
class SectionSpec:
    """A section in the briefing's order; its id and title live in the section's module."""

    id: str
    title: str
    builder: Builder


SECTIONS: tuple[SectionSpec, ...] = tuple(
    SectionSpec(module.ID, module.TITLE, builder)
    for module, builder in (
        (question, question.build_scenario),
        (history, history.build_history),
        (forecasts, forecasts.build_forecasts),
        (deals, deals.build_deals),
        (policies, policies.build_policies),
        (sensitivity, sensitivity.build_sensitivity),
        (crisis, crisis.build_crisis),
    )
)
TOTAL_STEPS = len(SECTIONS) + 1  # + assumptions and summary


def content_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON: identifies the exact inputs."""
    return hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()


def _summary(scenario: Scenario, sections: list[Section]) -> Section:
    lines = [f"**{s.title}.** {s.summary}" for s in sections if s.summary]
    return Section(
        id="summary",
        title="Summary",
        blocks=tuple(Paragraph(line) for line in lines),
        numbers={"sections": [s.id for s in sections]},
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
    built_section: Callable[[Section], None] | None = None,
) -> Report:
    """The briefing on ``scenario``: every section, a summary first and assumptions last.

    ``built_section(section)`` is called as each section is finished, so that its figures can
    be drawn while the next sections compute (:class:`peninsula.report.output.Figures`)."""
    settings = settings or ReportSettings()
    check_report_memory(scenario, settings)
    sections = SECTIONS if sections is None else sections
    built: list[Section] = []
    total = len(sections) + 1
    for index, spec in enumerate(sections):
        if progress is not None:
            progress(spec.title, index, total)
        built.append(spec.builder(scenario, settings, settings.seed))
        if built_section is not None:
            built_section(built[-1])
    if progress is not None:
        progress(assumptions.TITLE, len(sections), total)
    built.append(assumptions.build_assumptions(scenario, settings))
    if built_section is not None:
        built_section(built[-1])
    if progress is not None:
        progress("done", total, total)
    sources, omitted = _sources(scenario)
    return Report(
        title=f"Briefing: {scenario.metadata.title}",
        subtitle=_subtitle(scenario, built),
        sections=(
            bottom_line.build_bottom_line(scenario, settings, built),
            _summary(scenario, built),
            *built,
        ),
        sources=sources,
        meta=_meta(scenario, settings),
        omitted_sources=omitted,
    )


def _subtitle(scenario: Scenario, built: list[Section]) -> str:
    """The questions this briefing answers: who is sidelined only if the scenario names a
    sidelined actor (``roles.sidelined``), escalation only if the crisis section ran."""
    crisis_ran = any(s.id == crisis.ID and "skipped" not in s.numbers for s in built)
    questions = [
        "what outcome is likely",
        "under which policy",
        "how sure we are",
        *(["who is sidelined"] if scenario.roles.sidelined is not None else []),
        *(["how likely escalation is"] if crisis_ran else []),
    ]
    text = ", ".join(questions[:-1]) + ", and " + questions[-1] + "."
    return text[0].upper() + text[1:]


def check_report_memory(scenario: Scenario, settings: ReportSettings) -> None:
    """Refuse ``--runs`` before any section runs if the ensemble or the crisis paths it implies
    cannot fit in memory (issue 13, item 10): minutes of work must not end in an OOM kill."""
    from peninsula.crisis.simulate import check_memory as check_paths
    from peninsula.defaults import crisis_paths
    from peninsula.ensemble.experiment import check_memory as check_runs
    from peninsula.report.sections.policies import ensemble_models

    policies = len(scenario.policies) + 1
    check_runs(scenario, settings.runs, policies, len(ensemble_models(settings)))
    check_paths(crisis_paths(settings.runs), policies, settings.horizon_months)
