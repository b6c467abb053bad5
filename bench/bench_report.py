"""Benchmark: ``peninsula report korea-2025`` end to end, and the page load in Chromium.

Run on demand (needs /usr/bin/chromium for the page-load part: ``make browser-deps``)::

    python bench/bench_report.py            # the default report (2000 runs)
    python bench/bench_report.py --runs 200 # a quicker draft report

Targets (issue 14): the command under 10 s on 2 cores; the page loads (DOMContentLoaded to the
last chart drawn) in under 1 s in headless Chromium.

1. Times the CLI as a user runs it (a subprocess: imports, every section, rendering, writing),
   wall clock and CPU (user + system of the child), then the same work in-process with a
   per-stage breakdown (which section, rendering) so a regression can be placed.
2. Loads the written report.html in headless Chromium at 1280×800 and 390×844, five times
   each, and reads the time from DOMContentLoaded to the last chart drawn (the page script
   sets ``<html data-charts-drawn>``). Baseline in the same run: the same page with the full
   plotly.js bundle that the Python ``plotly`` package ships (what the report embedded before
   the partial bundle), so the ratio isolates the bundle's cost on this machine, today.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
SCREENS = ((1280, 800), (390, 844))


def time_cli(out: Path, runs: int) -> tuple[float, float]:
    """Wall and CPU seconds of ``peninsula report korea-2025 --out OUT --runs RUNS``."""
    exe = Path(sys.executable).with_name("peninsula")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [str(exe), "report", "korea-2025", "--out", str(out), "--runs", str(runs)],
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def stages(runs: int) -> list[tuple[str, float]]:
    """Seconds per stage of the same report, in-process."""
    from peninsula import load_scenario
    from peninsula.report import ReportSettings, build_report
    from peninsula.report.output import render_files

    marks: list[tuple[str, float]] = []
    scenario = load_scenario("korea-2025")
    start = time.perf_counter()

    def progress(title: str, done: int, total: int) -> None:
        marks.append((title, time.perf_counter()))

    report = build_report(scenario, ReportSettings(runs=runs), progress)
    built = time.perf_counter()
    render_files(report)
    rendered = time.perf_counter()
    result = []
    times = [t for _, t in marks]
    for (title, t0), t1 in zip(marks, [*times[1:], built], strict=True):
        if title != "done":
            result.append((title, t1 - t0))
    result.append(("rendering HTML, Markdown, JSON, PNG, CSV", rendered - built))
    result.append(("total in-process (without start-up)", rendered - start))
    return result


def full_bundle_copy(html: Path, target: Path) -> Path:
    """``html`` with the partial bundle swapped for the full plotly.js of the plotly package."""
    from plotly.offline import get_plotlyjs

    from peninsula.report.render_html import plotly_js

    text = html.read_text(encoding="utf-8")
    partial = plotly_js()
    assert partial in text
    target.write_text(text.replace(partial, get_plotlyjs()), encoding="utf-8")
    return target


Loads = dict[tuple[int, int], list[tuple[float, float]]]


def page_loads(html: Path, repeats: int = 5) -> Loads:
    """Per screen: (DOMContentLoaded to last chart, navigation start to last chart) in ms."""
    from playwright.sync_api import sync_playwright

    result: Loads = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless=new", "--no-sandbox"]
        )
        for width, height in SCREENS:
            times = []
            for _ in range(repeats):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(html.as_uri(), wait_until="load")
                page.wait_for_function(
                    "document.documentElement.dataset.chartsDrawn", timeout=60_000
                )
                marks = page.evaluate(
                    "[document.documentElement.dataset.chartsDrawn,"
                    " document.documentElement.dataset.chartsDrawnFromStart]"
                )
                times.append((float(marks[0]), float(marks[1])))
                page.close()
            result[(width, height)] = times
        browser.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        wall, cpu = time_cli(out, args.runs)
        verdict = "meets" if wall < 10 else "MISSES"
        print(f"peninsula report korea-2025 --runs {args.runs}: {wall:.1f} s wall, {cpu:.1f} s CPU")
        print(f"  target under 10 s on 2 cores: {verdict} (ratio {wall / 10:.2f})")
        for title, seconds in stages(args.runs):
            print(f"    {seconds:6.2f} s  {title}")
        html = out / "report.html"
        full = full_bundle_copy(html, Path(tmp) / "full.html")
        print(
            f"report.html {html.stat().st_size / 1e6:.2f} MB "
            f"(with the full plotly.js bundle: {full.stat().st_size / 1e6:.2f} MB)"
        )
        if not CHROMIUM.exists():
            print("no /usr/bin/chromium: page load not measured (make browser-deps)")
            return
        partial_times, full_times = page_loads(html), page_loads(full)
        for screen in SCREENS:
            ours = [statistics.median(t[i] for t in partial_times[screen]) for i in (0, 1)]
            theirs = [statistics.median(t[i] for t in full_times[screen]) for i in (0, 1)]
            verdict = "meets" if ours[0] < 1000 else "MISSES"
            print(
                f"page load {screen[0]}×{screen[1]} (median of 5): DOMContentLoaded to last "
                f"chart drawn {ours[0]:.0f} ms (full bundle {theirs[0]:.0f} ms), target 1 s: "
                f"{verdict}; navigation start to last chart {ours[1]:.0f} ms (full bundle "
                f"{theirs[1]:.0f} ms, ratio {ours[1] / theirs[1]:.2f})"
            )


if __name__ == "__main__":
    main()
