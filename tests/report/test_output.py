"""The written files: self-contained HTML, Markdown with its figures, JSON with provenance."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from peninsula import __version__
from peninsula.report import Report, ReportSettings, generate_report
from peninsula.report.build import content_hash
from peninsula.report.charts import chart_csv
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
    assert "<script src" not in html.lower()
    # Two executable scripts (plotly.js, the page script); every other block is JSON data.
    executable = [s for s in re.findall(r"<script([^>]*)>", html) if "application/json" not in s]
    assert len(executable) == 2
    assert html.count("Plotly.newPlot") == 1  # in the page script, once
    assert html.count("plotly.js (basic - minified) v") == 1  # the partial bundle, once
    assert "data:image/png" not in html  # no duplicated fallback images


def test_html_has_every_section_and_per_chart_data_and_csv(
    written_report: Path, small_report: Report
) -> None:
    html = (written_report / "report.html").read_text(encoding="utf-8")
    data = json.loads((written_report / "report.json").read_text())
    for section_id in data["sections"]:
        assert f'id="sec-{section_id}"' in html
    assert 'id="sec-sources"' in html
    charts = re.findall(r'<figure class="chart[^"]*" data-chart="([^"]+)"', html)
    assert charts == [c.id for c in small_report.charts]
    specs = re.findall(
        r'<script type="application/json" class="plot-spec" data-for="([^"]+)">(.*?)</script>',
        html,
        re.DOTALL,
    )
    assert [ident for ident, _ in specs] == charts
    for ident, text in specs:
        spec = json.loads(text)
        assert spec["data"] and "template" not in spec["layout"], ident
    # One CSV download per chart, and it is exactly the chart's data (decoded from the URL).
    links = re.findall(r'<a class="csv" download="([^"]+)\.csv" href="([^"]+)"', html)
    assert [ident for ident, _ in links] == charts
    for (ident, href), chart in zip(links, small_report.charts, strict=True):
        prefix = "data:text/csv;charset=utf-8,"
        assert href.startswith(prefix)
        assert unquote(unescape(href)[len(prefix) :]) == chart_csv(chart), ident


def test_markdown_references_existing_figures(written_report: Path) -> None:
    markdown = (written_report / "report.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert images
    for relative in images:
        assert (written_report / relative).read_bytes().startswith(b"\x89PNG")
    tables = re.findall(r"\[data as CSV\]\(([^)]+)\)", markdown)
    assert [t.removesuffix(".csv") for t in tables] == [i.removesuffix(".png") for i in images]
    for relative in tables:
        assert (written_report / relative).read_text(encoding="utf-8").startswith("series,")
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


def test_json_labels_every_interval_for_what_it_is(written_report: Path) -> None:
    """The documented schema (docs/reference/report-json.md): every summary number says its
    kind; yes/no measures are probabilities with a Monte Carlo interval, never a 0–1 band."""
    data = json.loads((written_report / "report.json").read_text())
    assert data["format"] == "peninsula-report/3"
    seen = {"probability": 0, "mean": 0}
    for section in ("policies", "crisis"):
        for per in data["sections"][section]["numbers"]["summary"].values():
            for measure, estimate in per.items():
                assert set(estimate) == {"kind", "estimate", "n", "interval"}, measure
                interval = estimate["interval"]
                seen[estimate["kind"]] += 1
                if estimate["kind"] == "probability":
                    assert interval["type"] == "monte-carlo" and interval["level"] == 0.95
                    # a Wilson interval at n runs is narrower than the whole 0–1 range
                    assert interval["high"] - interval["low"] < 1.0, measure
                    assert interval["low"] <= estimate["estimate"] <= interval["high"]
                else:
                    assert interval["type"] == "percentile" and interval["percentiles"] == [5, 95]
                assert "p05" not in estimate and "p95" not in estimate
    assert seen["probability"] and seen["mean"]
    yes_no = data["sections"]["policies"]["numbers"]["summary"]["status-quo"]
    assert yes_no["deal"]["kind"] == yes_no["sidelined.flag"]["kind"] == "probability"
    bottom = data["sections"]["bottom-line"]["numbers"]
    assert bottom["as_of"] == data["scenario"]["as_of"] and bottom["runs"] == 24
    for row in bottom["policies"].values():
        assert set(row["marks"]) == {c["measure"] for c in bottom["columns"]}
        assert all(m in ("", "best", "worst") for m in row["marks"].values())
