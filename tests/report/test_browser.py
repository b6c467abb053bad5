"""The report in a real browser: Debian's Chromium driven by Playwright (issue 7, item 5).

Opens the self-contained HTML from a file:// URL with the network cut off, and checks that
there are no console errors or page errors, that every section is present, that every plotly
chart drew an SVG, and that the static fallbacks decode when scripts are disabled. Saves a
screenshot. Never downloads a browser: it uses /usr/bin/chromium (``make browser-deps``).
"""

from __future__ import annotations

import json
import os
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
DOCS_SCREENSHOT = Path(__file__).parents[2] / "docs" / "img" / "report-screenshot.png"
#: Set to a directory holding report.html to test that report (e.g. ``out`` after
#: ``make report``) instead of a small one built for the test.
REPORT_DIR = os.environ.get("PENINSULA_REPORT_DIR")
#: Set to 1 to copy the screenshot to docs/img/report-screenshot.png.
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
    page.wait_for_function(
        "() => [...document.querySelectorAll('.plotly-graph-div')]"
        ".every(d => d.classList.contains('js-plotly-plot') && d.querySelector('svg.main-svg'))",
        timeout=30_000,
    )
    data = json.loads((report_dir / "report.json").read_text())
    for section_id in [*data["sections"], "sources"]:
        assert page.locator(f"section#sec-{section_id} h2").count() == 1, section_id
    expected = page.locator("figure.chart").count()
    assert expected > 0
    drawn = page.locator(".js-plotly-plot svg.main-svg").evaluate_all(
        "svgs => new Set(svgs.map(s => s.closest('.plotly-graph-div').id)).size"
    )
    assert drawn == expected
    # Every chart's title and both axis titles are drawn as (non-empty) SVG text.
    titles = page.locator(".js-plotly-plot").evaluate_all(
        """divs => divs.map(d => [d.id, ...['.gtitle', '.xtitle', '.ytitle'].map(
            c => (d.querySelector(c) || {textContent: ''}).textContent.trim().length > 0)])"""
    )
    assert titles and all(all(flags) for _, *flags in titles), titles
    # Every section is visible and has content below its heading.
    for section_id in data["sections"]:
        section = page.locator(f"section#sec-{section_id}")
        assert section.is_visible(), section_id
        assert section.locator("p, table, figure, ul, .notice").count() > 0, section_id
    assert problems == []
    assert outside == []
    shots = Path(os.environ.get("PENINSULA_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    full = shots / "report-full.png"
    page.screenshot(path=str(full), full_page=True)
    print(f"screenshots: {shot} {full}")
    if UPDATE_SCREENSHOT:
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)
    context.close()


def test_static_fallbacks_show_without_javascript(browser: Any, report_dir: Path) -> None:
    context, page, outside = _offline_page(browser, javascript=False)
    page.goto((report_dir / "report.html").as_uri(), wait_until="load")
    images = page.locator("figure.chart noscript img, figure.chart img")
    count = images.count()
    assert count == page.locator("figure.chart").count() > 0
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 300 for w in widths), widths
    assert outside == []
    context.close()


def test_missing_browser_reason_is_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not root: no attempt to install, and the skip message says why and what to run.
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "make browser-deps" in _install_chromium()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "no apt-get" in _install_chromium()
