"""The report in a real browser, read as a reader would: Debian's Chromium driven by Playwright.

Opens the self-contained HTML from a file:// URL with the network cut off, and checks that
there are no console errors or page errors, that every section is present and every chart is
drawn; that the bottom line (the policy scorecard) is whole in the first screen at 1280×800
and at 390×844, and that the page never scrolls sideways at either width; that every chart's
"download CSV" link downloads a CSV that parses and holds the chart's data; that the page
works under a strict Content-Security-Policy (no network, no eval); that with scripts disabled
every chart says so and still offers its data; and that the file is under 2 MB. Saves
screenshots at both widths (``PENINSULA_UPDATE_SCREENSHOT=1`` copies them to docs/img/). Never
downloads a browser: it uses /usr/bin/chromium (``make browser-deps``).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DOCS_IMG = Path(__file__).parents[2] / "docs" / "img"
#: The two screens the bottom line must fit: a laptop and a phone (iPhone 12–15 size).
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
MAX_BYTES = 2_000_000
#: Set to a directory holding report.html to test that report (e.g. ``out`` after
#: ``make report``) instead of a small one built for the test.
REPORT_DIR = os.environ.get("PENINSULA_REPORT_DIR")
#: Set to 1 to copy the screenshots to docs/img/report-desktop.png and report-phone.png.
UPDATE_SCREENSHOT = os.environ.get("PENINSULA_UPDATE_SCREENSHOT") == "1"

pytestmark = pytest.mark.browser


def _install_chromium() -> str:
    """Install Debian's chromium as ``make browser-deps`` does; returns why it could not."""
    if os.name != "posix" or os.geteuid() != 0:
        return "not root, so it cannot be installed here (run `make browser-deps` as root)"
    if shutil.which("apt-get") is None:
        return "no apt-get to install Debian's chromium package with"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"`{' '.join(command)}` failed: {error}"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-300:]}"
    return "" if CHROMIUM.exists() else "apt-get installed chromium but not at /usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Any:
    if not CHROMIUM.exists():
        why = _install_chromium()
        if not CHROMIUM.exists():
            # The only acceptable skip: no browser and no way to get one. Say why loudly.
            message = f"browser test skipped: /usr/bin/chromium is missing and {why}"
            print(message)
            pytest.skip(message)
    # Chromium is there, so a missing Playwright is an installation error, not a skip.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report_dir(request: pytest.FixtureRequest) -> Path:
    if REPORT_DIR:
        return Path(REPORT_DIR).resolve()
    written: Path = request.getfixturevalue("written_report")
    return written


def _offline_page(
    browser: Any, javascript: bool = True, size: tuple[int, int] = (1280, 900)
) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(
        java_script_enabled=javascript,
        viewport={"width": size[0], "height": size[1]},
        accept_downloads=True,
    )
    outside: list[str] = []

    def block(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    # The report must not need the network: anything but file: and data: URLs is refused.
    context.route("http*://**", block)
    return context, context.new_page(), outside


def test_report_renders_without_errors(browser: Any, report_dir: Path, tmp_path: Path) -> None:
    context, page, outside = _offline_page(browser)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto((report_dir / "report.html").as_uri(), wait_until="load")
    page.wait_for_function("document.documentElement.dataset.chartsDrawn", timeout=30_000)
    data = json.loads((report_dir / "report.json").read_text())
    for section_id in [*data["sections"], "sources"]:
        assert page.locator(f"section#sec-{section_id} h2").count() == 1, section_id
    expected = page.locator("figure.chart").count()
    assert expected > 0
    drawn = page.locator(".js-plotly-plot svg.main-svg").evaluate_all(
        "svgs => new Set(svgs.map(s => s.closest('.js-plotly-plot').id)).size"
    )
    assert drawn == expected
    # Every chart has its HTML title, and both axis titles are drawn as (non-empty) SVG text.
    titles = page.locator("figure.chart").evaluate_all(
        """figs => figs.map(f => [f.dataset.chart, ...['h3.chart-title', '.xtitle', '.ytitle'].map(
            c => (f.querySelector(c) || {textContent: ''}).textContent.trim().length > 0)])"""
    )
    assert titles and all(all(flags) for _, *flags in titles), titles
    # Every section is visible and has content below its heading.
    for section_id in data["sections"]:
        section = page.locator(f"section#sec-{section_id}")
        assert section.is_visible(), section_id
        assert section.locator("p, table, figure, ul, .notice").count() > 0, section_id
    assert problems == []
    assert outside == []
    context.close()


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def _open(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_function("document.documentElement.dataset.chartsDrawn", timeout=30_000)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_bottom_line_is_in_the_first_screen_and_nothing_scrolls_sideways(
    browser: Any, report_dir: Path, tmp_path: Path, screen: str
) -> None:
    width, height = SCREENS[screen]
    context, page, outside = _offline_page(browser, size=(width, height))
    problems = _watch(page)
    _open(page, (report_dir / "report.html").as_uri())
    # The whole scorecard (every policy's figures and trade-off, the crisis risk column)
    # lies inside the first screen, without scrolling.
    box = page.locator("table.scorecard").bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (screen, box)
    rows = page.locator("table.scorecard tbody tr")
    assert rows.count() >= 2
    for i in range(rows.count()):
        row = rows.nth(i).bounding_box()
        assert row is not None and row["y"] + row["height"] <= height, (screen, i, row)
    headers = page.locator("table.scorecard thead th a").all_inner_texts()
    assert "Crisis risk" in headers, headers
    # Best and worst are marked, by a glyph as well as by colour.
    assert page.locator("table.scorecard td.best").count() > 0
    assert page.locator("table.scorecard td.worst").count() > 0
    assert "★" in page.locator("table.scorecard").inner_text()
    # Every figure links to the section that explains it, and that section exists.
    targets = page.locator("table.scorecard td a").evaluate_all("as => as.map(a => a.hash)")
    assert targets and all(page.locator(t).count() == 1 for t in set(targets)), set(targets)
    # The page never scrolls sideways (charts, tables and the scorecard fit the width).
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1] == width, scroll
    for ident in page.locator(".js-plotly-plot").evaluate_all("ds => ds.map(d => d.id)"):
        right = page.evaluate(f"document.getElementById('{ident}').getBoundingClientRect().right")
        assert right <= width, (ident, right)
    assert problems == [] and outside == []
    shots = Path(os.environ.get("PENINSULA_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / f"report-{screen}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    if UPDATE_SCREENSHOT:
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG / shot.name)
    context.close()


def test_every_chart_csv_download_parses(browser: Any, report_dir: Path) -> None:
    context, page, outside = _offline_page(browser)
    _open(page, (report_dir / "report.html").as_uri())
    links = page.locator("figure.chart a.csv")
    assert links.count() == page.locator("figure.chart").count() > 0
    for i in range(links.count()):
        link = links.nth(i)
        chart = link.evaluate("a => a.closest('figure').dataset.chart")
        link.scroll_into_view_if_needed()
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == f"{chart}.csv"
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
        header, body = rows[0], rows[1:]
        assert header[0] == "series" and len(header) >= 3, (chart, header)
        assert body and all(len(r) == len(header) for r in body), chart
        # the value column is numbers (or empty where the chart has a gap)
        assert all(r[2] == "" or float(r[2]) == float(r[2]) for r in body), chart
        # as many rows as points in the drawn chart's named series
        # ... one row per point of every drawn series (the shaded bands are columns, not rows)
        points = page.evaluate(
            f"""() => document.getElementById('{chart}').data
                .filter(t => t.fill !== 'toself').reduce((n, t) => n + t.x.length, 0)"""
        )
        assert len(body) == points, (chart, len(body), points)
    assert outside == []
    context.close()


def _with_strict_csp(html: str) -> str:
    """The page with a Content-Security-Policy that allows nothing from the network, no eval,
    and only the page's own two scripts (by hash): what a mail client or a hardened viewer
    may impose."""
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    policy = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:"
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html.replace("<head>", "<head>" + meta, 1)


def test_works_under_a_strict_content_security_policy(
    browser: Any, report_dir: Path, tmp_path: Path
) -> None:
    strict = tmp_path / "report.html"
    strict.write_text(
        _with_strict_csp((report_dir / "report.html").read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    context, page, outside = _offline_page(browser)
    problems = _watch(page)
    _open(page, strict.as_uri())
    drawn = page.locator(".js-plotly-plot svg.main-svg").evaluate_all(
        "svgs => new Set(svgs.map(s => s.closest('.js-plotly-plot').id)).size"
    )
    assert drawn == page.locator("figure.chart").count() > 0
    assert problems == [] and outside == []
    context.close()


def test_printing_keeps_charts_and_tables_whole_and_on_the_page(
    browser: Any, report_dir: Path
) -> None:
    context, page, outside = _offline_page(browser)
    _open(page, (report_dir / "report.html").as_uri())
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(300)
    widths = page.locator(".js-plotly-plot svg.main-svg").evaluate_all(
        "svgs => svgs.map(s => s.getBoundingClientRect().width)"
    )
    # An A4/Letter page holds about 700 CSS px between Chromium's default margins.
    assert widths and max(widths) <= 700, widths
    whole = page.evaluate(
        """() => ['figure.chart', 'table.scorecard tr', 'section#sec-policies tr'].map(
            q => getComputedStyle(document.querySelector(q)).breakInside)"""
    )
    assert whole == ["avoid", "avoid", "avoid"], whole
    assert page.locator("nav.toc").is_hidden()
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert outside == []
    context.close()


def test_report_is_light_enough_to_mail(report_dir: Path) -> None:
    size = (report_dir / "report.html").stat().st_size
    assert size < MAX_BYTES, f"report.html is {size:,} bytes"


def test_without_javascript_each_chart_says_so_and_offers_its_data(
    browser: Any, report_dir: Path
) -> None:
    context, page, outside = _offline_page(browser, javascript=False)
    page.goto((report_dir / "report.html").as_uri(), wait_until="load")
    figures = page.locator("figure.chart").count()
    assert figures > 0
    assert page.locator("figure.chart p.noscript").count() == figures
    assert page.locator("figure.chart a.csv").count() == figures
    assert page.locator("figure.chart a.csv").first.is_visible()
    assert outside == []
    context.close()


def test_missing_browser_reason_is_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not root: no attempt to install, and the skip message says why and what to run.
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "make browser-deps" in _install_chromium()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "no apt-get" in _install_chromium()
