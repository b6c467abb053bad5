"""Hostile scenario text and careless --out values (issue 13, items 7-9).

The report is the session's small report with one section of hostile text added (the renderers
see exactly what a scenario's descriptions, labels and source URLs would give them).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import run_cli
from peninsula.errors import PeninsulaError
from peninsula.report import Report, staged_output, write_report
from peninsula.report.content import Bullets, Cell, Notice, Paragraph, Section, SourceEntry, Table
from peninsula.report.output import STAGING_PREFIX
from peninsula.report.render_html import render_html
from peninsula.report.render_markdown import render_markdown

EVIL = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[click](javascript:alert(3))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==)",
    "<a href='javascript:alert(5)'>x</a>",
    "[ref]: javascript:alert(6)",
    "<javascript:alert(7)>",
    "&#x3C;script&#x3E;alert(8)&#x3C;/script&#x3E;",
]
BAD_URLS = [
    "javascript:alert(9)",
    " JavaScript:alert(10)",
    "data:text/html,<script>alert(11)</script>",
    "vbscript:x",
    "file:///etc/passwd",
]


@pytest.fixture(scope="module")
def hostile(small_report: Report) -> Report:
    text = " ".join(EVIL)
    section = Section(
        id="hostile",
        title="Hostile <b>section</b>",
        blocks=(
            Paragraph(text),
            Bullets(items=tuple(EVIL), title="<i>t</i>"),
            Notice(text),
            Table(
                id="evil",
                caption="<script>alert(12)</script>",
                columns=("<b>c</b>", "link"),
                rows=tuple(
                    (Cell(e), Cell("go", link=u)) for e, u in zip(EVIL, BAD_URLS * 2, strict=False)
                ),
                note=text,
            ),
        ),
    )
    sources = tuple(
        SourceEntry(id=f"evil{i}", title=f"<script>alert({20 + i})</script>", url=u)
        for i, u in enumerate(BAD_URLS)
    )
    return dataclasses.replace(
        small_report,
        sections=(*small_report.sections, section),
        sources=(*small_report.sources, *sources),
    )


def _markup(html: str) -> str:
    """The page without the bodies of its scripts (plotly.js is code, not markup)."""
    return re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", html, flags=re.S)


def _hrefs(html: str) -> list[str]:
    tags = re.findall(r"<[a-z][^>]*>", _markup(html), flags=re.I)
    pattern = r"""\b(?:href|src|action|formaction)\s*=\s*["']?([^"'\s>]*)"""
    return [url for tag in tags for url in re.findall(pattern, tag, flags=re.I)]


# --- 7: HTML links and Content-Security-Policy -----------------------------------------------
def test_html_links_are_only_http_or_in_page(hostile: Report) -> None:
    html = render_html(hostile)
    for url in _hrefs(html):
        # the one data: link is each chart's CSV download (percent-encoded, never markup)
        assert url.startswith(("http://", "https://", "#", "data:text/csv;charset=utf-8,")), url


def test_html_has_no_markup_from_scenario_text(hostile: Report) -> None:
    html = render_html(hostile)
    body = _markup(html).split("<body>", 1)[1]
    tags = re.findall(r"<[a-z][^>]*>", body, flags=re.I)
    assert not [t for t in tags if re.search(r"\son[a-z]+\s*=", t, flags=re.I)]
    assert not [t for t in tags if re.match(r"<(img|b|i)\b", t)]
    scripts = re.findall(r"<script\b[^>]*>", body)
    # two programs (plotly.js, the page script); every other block is a chart's JSON data
    assert len([t for t in scripts if "application/json" not in t]) == 2
    assert len([t for t in scripts if 'class="plot-spec"' in t]) == len(hostile.charts)


def test_html_has_a_strict_content_security_policy(hostile: Report) -> None:
    html = render_html(hostile)
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta is not None
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in meta.group(1).split(";") if part.strip()
    )
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    # every program on the page is allowed by its hash, and nothing else is (the charts'
    # application/json data blocks are never executed)
    bodies = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(bodies) == 2
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in bodies
    }
    assert set(policy["script-src"]) == hashes
    assert meta.start() < html.index("<script")  # the policy comes before any script


# --- 8: Markdown escapes raw HTML and unsafe links ---------------------------------------------
def test_markdown_carries_no_raw_html_or_unsafe_link(hostile: Report) -> None:
    md = render_markdown(hostile)
    assert not re.search(r"<\s*(script|img|a|b|i)\b", md, flags=re.I)
    assert "&#x3C;script" not in md  # entities are escaped too, so they show as text
    for url in re.findall(r"(?<!\\)\]\(([^)]*)\)", md):  # an escaped \]( is no link
        assert url.startswith(("http://", "https://", "figures/")), url
    assert not re.search(r"^\s*\[[^\]]*\]:\s*\S", md, flags=re.M)  # no link definitions
    for scheme in ("javascript:", "vbscript:", "data:text", "file:"):
        assert not re.search(rf"(?<!\\)\]\({scheme}", md, flags=re.I)


def test_markdown_keeps_ordinary_emphasis_and_http_links(small_report: Report) -> None:
    md = render_markdown(small_report)
    assert "**" in md and "](https://" in md


# --- 9: the output directory ---------------------------------------------------------------------
def _write(report: Report, out: Path) -> list[Path]:
    with staged_output(out) as staging:
        return write_report(report, staging)


def test_users_own_file_in_figures_survives(small_report: Report, tmp_path: Path) -> None:
    out = tmp_path / "full"
    (out / "figures").mkdir(parents=True)
    mine = out / "figures" / "my-notes.txt"
    mine.write_text("mine")
    _write(small_report, out)
    _write(small_report, out)  # and again over the previous report
    assert mine.read_text() == "mine"
    assert (out / "report.html").exists()


def test_users_own_report_named_file_is_not_overwritten(
    small_report: Report, tmp_path: Path
) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "report.md").write_text("my own report")
    with pytest.raises(PeninsulaError, match=r"report\.md"):
        _write(small_report, out)
    assert (out / "report.md").read_text() == "my own report"
    assert sorted(p.name for p in out.iterdir()) == ["report.md"]


def test_stale_figures_of_an_earlier_report_are_removed(
    small_report: Report, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _write(small_report, out)
    first = small_report.charts[0].id
    fewer = dataclasses.replace(
        small_report,
        sections=tuple(
            dataclasses.replace(
                s, blocks=tuple(b for b in s.blocks if getattr(b, "id", "") != first)
            )
            for s in small_report.sections
        ),
    )
    _write(fewer, out)
    assert not (out / "figures" / f"{first}.png").exists()


@pytest.mark.parametrize("out", ["/", "/etc", "/usr/share/x", "/proc/self"])
def test_system_directories_are_refused_before_any_work(
    out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["report", "korea-2025", "--runs", "5", "--out", out], capsys)
    assert code == 2 and "system directory" in err and "Traceback" not in err


def test_stale_staging_folders_of_dead_runs_are_cleaned_and_only_ours(
    small_report: Report, tmp_path: Path
) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(done.stdout)
    ours = tmp_path / f"{STAGING_PREFIX}abc123"
    ours.mkdir()
    (ours / ".peninsula-staging").write_text(f"{dead_pid}\n")
    (ours / "report.html").write_text("half")
    alive = tmp_path / f"{STAGING_PREFIX}live"
    alive.mkdir()
    (alive / ".peninsula-staging").write_text(f"{os.getpid()}\n")  # a run still going
    users = tmp_path / f"{STAGING_PREFIX}users-own"
    users.mkdir()
    (users / "keep.txt").write_text("not ours")
    _write(small_report, tmp_path / "out")
    assert not ours.exists()
    assert alive.exists() and (users / "keep.txt").exists()
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".peninsula-s")]
    assert leftovers == []
