"""The written files: self-contained HTML, Markdown with its figures, JSON with provenance."""

from __future__ import annotations

import json
import re
from pathlib import Path

from peninsula import __version__
from peninsula.report import ReportSettings, generate_report
from peninsula.report.build import content_hash
from peninsula.scenario.schema import Scenario

EXTERNAL_LOAD = re.compile(
    r"<(script|img|iframe|audio|video|source|embed)\b[^>]*\bsrc\s*=\s*[\"']?(https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//",
    re.IGNORECASE,
)


def test_all_three_outputs_are_written(written_report: Path) -> None:
    for name in ("report.html", "report.md", "report.json"):
        assert (written_report / name).stat().st_size > 0
    leftovers = [p for p in written_report.parent.iterdir() if p.name.startswith(".peninsula")]
    assert leftovers == []


def test_html_loads_nothing_from_the_network(written_report: Path) -> None:
    html = (written_report / "report.html").read_text(encoding="utf-8")
    assert EXTERNAL_LOAD.search(html) is None
    assert html.count("<script") >= 2  # plotly.js inline + one per chart
    assert "<script src" not in html.lower()
    assert html.count("Plotly.newPlot") >= 1
    # plotly.js is embedded exactly once
    assert html.count("plotly.js v") <= 2  # the bundle's own banner lines


def test_html_has_every_section_and_a_static_fallback_per_chart(
    written_report: Path, small_report: object
) -> None:
    html = (written_report / "report.html").read_text(encoding="utf-8")
    data = json.loads((written_report / "report.json").read_text())
    for section_id in data["sections"]:
        assert f'id="sec-{section_id}"' in html
    assert 'id="sec-sources"' in html
    charts = re.findall(r'<figure class="chart[^"]*" data-chart="([^"]+)"', html)
    assert charts
    assert html.count('<noscript><img src="data:image/png;base64,') == len(charts)


def test_markdown_references_existing_figures(written_report: Path) -> None:
    markdown = (written_report / "report.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert images
    for relative in images:
        assert (written_report / relative).read_bytes().startswith(b"\x89PNG")
    data = json.loads((written_report / "report.json").read_text())
    for section in data["sections"].values():
        assert f"## {section['title']}" in markdown


def test_json_carries_provenance(written_report: Path, korea: Scenario) -> None:
    data = json.loads((written_report / "report.json").read_text())
    assert data["peninsula_version"] == __version__
    assert data["scenario"]["id"] == "korea-2025"
    assert data["scenario"]["version"] == korea.metadata.version
    assert data["scenario"]["content_hash"] == content_hash(korea)
    assert data["settings"]["seed"] == 7 and data["settings"]["runs"] == 24
    usa = data["sections"]["scenario"]["numbers"]["actors"]["USA"]
    assert usa["capability"]["value"] == korea.actor("USA").capability.value
    assert [s["n"] for s in data["sources"]] == list(range(1, len(data["sources"]) + 1))


def test_same_seed_gives_identical_files(
    written_report: Path, korea: Scenario, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    generate_report(korea, again, ReportSettings(runs=24, seed=7))
    for name in ("report.json", "report.md", "report.html"):
        assert (again / name).read_bytes() == (written_report / name).read_bytes(), name
