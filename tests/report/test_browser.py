"""The report in a real browser: Debian's Chromium driven by Playwright (issue 7, item 5).

Opens the self-contained HTML from a file:// URL with the network cut off, and checks that
there are no console errors or page errors, that every section is present, that every plotly
chart drew an SVG, and that the static fallbacks decode when scripts are disabled. Saves a
screenshot. Never downloads a browser: it uses /usr/bin/chromium (``make browser-deps``).
"""

from __future__ import annotations

import json
import shutil
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
DOCS_SCREENSHOT = Path(__file__).parents[2] / "docs" / "img" / "report-screenshot.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (make browser-deps, as root)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _offline_page(browser: Any, javascript: bool = True) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    outside: list[str] = []

    def block(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    # The report must not need the network: anything but file: and data: URLs is refused.
    context.route("http*://**", block)
    return context, context.new_page(), outside


def test_report_renders_without_errors(browser: Any, written_report: Path, tmp_path: Path) -> None:
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
    page.goto((written_report / "report.html").as_uri(), wait_until="load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.plotly-graph-div')]"
        ".every(d => d.classList.contains('js-plotly-plot') && d.querySelector('svg.main-svg'))",
        timeout=30_000,
    )
    data = json.loads((written_report / "report.json").read_text())
    for section_id in [*data["sections"], "sources"]:
        assert page.locator(f"section#sec-{section_id} h2").count() == 1, section_id
    expected = page.locator("figure.chart").count()
    assert expected > 0
    drawn = page.locator(".js-plotly-plot svg.main-svg").evaluate_all(
        "svgs => new Set(svgs.map(s => s.closest('.plotly-graph-div').id)).size"
    )
    assert drawn == expected
    # A chart's title and axis titles are drawn as SVG text.
    first = page.locator(".js-plotly-plot").first
    assert first.locator(".gtitle").count() == 1
    assert first.locator(".xtitle").count() == 1 and first.locator(".ytitle").count() == 1
    for section in data["sections"].values():
        if section["status"] == "unavailable":
            assert page.get_by_text("Not yet available", exact=False).count() >= 1
    assert problems == []
    assert outside == []
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    if not DOCS_SCREENSHOT.exists():
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)
    context.close()


def test_static_fallbacks_show_without_javascript(browser: Any, written_report: Path) -> None:
    context, page, outside = _offline_page(browser, javascript=False)
    page.goto((written_report / "report.html").as_uri(), wait_until="load")
    images = page.locator("figure.chart noscript img, figure.chart img")
    count = images.count()
    assert count == page.locator("figure.chart").count() > 0
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 300 for w in widths), widths
    assert outside == []
    context.close()
