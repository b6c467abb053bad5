"""Sources a reader can follow: real citations only, never a repository path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peninsula import load_scenario
from peninsula.report import ReportSettings, build_report
from peninsula.report.build import SECTIONS, citation_problem
from peninsula.report.render_html import render_html
from peninsula.report.render_markdown import render_markdown
from peninsula.scenario.schema import Scenario, Source


@pytest.mark.parametrize(
    ("source", "why"),
    [
        (Source(id="a", title="Status of World Nuclear Forces", publisher="FAS"), ""),
        (Source(id="a", title="Chronology", url="https://www.armscontrol.org/x"), ""),
        (
            Source(id="a", title="News analysis", publisher="shared/context/seed-article.txt"),
            "publisher is a file path",
        ),
        (Source(id="a", title="see docs/explanation/korea.md", publisher="p"), "title is a file"),
        (Source(id="a", title="Notes", url="file:///home/me/notes.txt"), "not a web address"),
        (Source(id="a", title="Notes", url="ftp://example.org/notes"), "not a web address"),
        (Source(id="a", title="Unattributed article"), "neither a publisher nor a web address"),
    ],
)
def test_citation_problem(source: Source, why: str) -> None:
    problem = citation_problem(source)
    assert (why in problem) if why else problem == ""


@pytest.mark.parametrize("name", ["korea-2025", "korea-2018"])
def test_builtin_scenarios_cite_only_real_sources(name: str) -> None:
    scenario = load_scenario(name)
    assert [
        (s.id, citation_problem(s)) for s in scenario.metadata.sources if citation_problem(s)
    ] == []


def test_written_sources_have_no_repository_paths(written_report: Path) -> None:
    data = json.loads((written_report / "report.json").read_text())
    assert data["sources_omitted"] == []
    for source in data["sources"]:
        assert source["title"] and (source["publisher"] or source["url"]), source
        assert "shared/" not in json.dumps(source) and ".txt" not in json.dumps(source)
    html = (written_report / "report.html").read_text(encoding="utf-8")
    assert "seed-article" not in html and "shared/context" not in html


def test_a_non_citation_is_left_out_of_the_list_and_the_text(korea: Scenario) -> None:
    bad = Source(id="notes", title="My notes", publisher="shared/context/notes.txt")
    sources = (bad, *korea.metadata.sources)
    # Cite it from an actor's capability, as a scenario author might.
    usa = korea.actor("USA")
    cited = usa.capability.model_copy(update={"source": ("notes", *usa.capability.source)})
    actors = tuple(
        a.model_copy(update={"capability": cited}) if a.id == "USA" else a for a in korea.actors
    )
    scenario = korea.model_copy(
        update={
            "metadata": korea.metadata.model_copy(update={"sources": sources}),
            "actors": actors,
        }
    )
    only_scenario = tuple(s for s in SECTIONS if s.id == "scenario")
    report = build_report(scenario, ReportSettings(runs=8), sections=only_scenario)
    assert [s.id for s in report.sources] == [s.id for s in korea.metadata.sources]
    assert report.omitted_sources == (
        ("notes", "its publisher is a file path (shared/context/notes.txt), not a publication"),
    )
    html, markdown = render_html(report), render_markdown(report)
    assert "[notes]" not in html and "[notes]" not in markdown
    assert "shared/context/notes.txt" in html  # named once, in the note saying why it is out
    assert "Left out of this list" in html and "Left out of this list" in markdown
