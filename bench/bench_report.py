"""Benchmark: ``peninsula report korea-2025`` end to end, and the page load in Chromium.

Run on demand (needs /usr/bin/chromium for the page-load part: ``make browser-deps``)::

    python bench/bench_report.py            # the default report (2000 runs)
    python bench/bench_report.py --runs 200 # a quicker draft report

Targets (issue 14): the command under 10 s on 2 cores; the page loads (DOMContentLoaded to the
last chart drawn) in under 1 s in headless Chromium.

1. Times the CLI as a user runs it (a subprocess: imports, every section, rendering, writing),
   wall clock and CPU (user + system of the command and of its figure worker), with the load
   average before and after: the machine may be shared, and CPU time is the less
   load-sensitive figure.
2. Baseline in the same run: the same report, in-process, computed the way it was before
   issue 14's speed work, switched back on piece by piece — every Saltelli row forecast on
   every issue, every measure's Sobol' indices bootstrapped, SALib's own sampler, plotly
   figures built with their template, PNG figures drawn in the main process — against the
   same call as the CLI makes it now. Prints both times and their ratio, and checks that the
   two wrote byte-identical files (the speed-up changes no number, figure or byte).
3. A per-stage breakdown of today's path (which section, rendering) to place a regression.
4. Loads the written report.html in headless Chromium at 1280×800 and 390×844, five times
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

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


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@contextmanager
def before_issue_14() -> Iterator[None]:
    """The report's code paths as they were before the speed work, restored by patching."""
    import warnings

    from SALib.sample import sobol as salib_sample

    import peninsula.ensemble.sobol as sobol
    import peninsula.report.charts as charts

    plain_evaluator, plain_plotly = sobol._scenario_evaluator, charts.to_plotly
    plain_sensitivity_all = sobol.sensitivity_all

    def salib_design(d: int, n: int, seed: int) -> Any:
        problem = sobol._salib_problem([f"x{j}" for j in range(d)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return salib_sample.sample(problem, n, calc_second_order=False, seed=seed)

    def every_row(*args: Any, **kwargs: Any) -> Any:
        return plain_evaluator(*args, **{**kwargs, "distinct": False})

    def every_measure(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("measures", None)
        return plain_sensitivity_all(*args, **kwargs)

    def with_template(chart: Any, template: bool = True) -> Any:
        return plain_plotly(chart, template=True)

    with (
        patch.object(sobol, "unit_design", salib_design),
        patch.object(sobol, "_scenario_evaluator", every_row),
        patch("peninsula.report.sections.sensitivity.sensitivity_all", every_measure),
        patch.object(charts, "to_plotly", with_template),
    ):
        yield


def time_in_process(out: Path, runs: int, baseline: bool) -> tuple[float, float]:
    """Wall and CPU seconds of ``generate_report`` in this process, as the CLI calls it now
    (figures in a background process when 2 CPUs are usable) or as it was (``baseline``)."""
    from peninsula import load_scenario
    from peninsula.report import ReportSettings, generate_report
    from peninsula.report.output import background_workers

    scenario = load_scenario("korea-2025")
    settings = ReportSettings(runs=runs)
    start, cpu = time.perf_counter(), _cpu()
    if baseline:
        with before_issue_14():
            generate_report(scenario, out, settings, figure_workers=0)
    else:
        generate_report(scenario, out, settings, figure_workers=background_workers())
    return time.perf_counter() - start, _cpu() - cpu


def same_files(first: Path, second: Path) -> list[str]:
    """Relative paths whose bytes differ between two report directories (or exist in one)."""
    names = {p.relative_to(first) for p in first.rglob("*") if p.is_file()}
    names |= {p.relative_to(second) for p in second.rglob("*") if p.is_file()}
    return sorted(
        str(n)
        for n in names
        if not (first / n).is_file()
        or not (second / n).is_file()
        or (first / n).read_bytes() != (second / n).read_bytes()
    )


def stages(runs: int) -> list[tuple[str, float]]:
    """Seconds per stage of the same report, in-process, everything in this one process (the
    CLI draws the PNG figures in a second process, alongside the sections)."""
    from peninsula import load_scenario
    from peninsula.report import ReportSettings, build_report
    from peninsula.report.charts import to_png
    from peninsula.report.render_html import render_html
    from peninsula.report.render_json import render_json
    from peninsula.report.render_markdown import render_markdown

    marks: list[tuple[str, float]] = []
    scenario = load_scenario("korea-2025")
    start = time.perf_counter()

    def progress(title: str, done: int, total: int) -> None:
        marks.append((title, time.perf_counter()))

    report = build_report(scenario, ReportSettings(runs=runs), progress)
    built = time.perf_counter()
    render_html(report), render_markdown(report), render_json(report)
    texts = time.perf_counter()
    for chart in report.charts:
        to_png(chart)
    rendered = time.perf_counter()
    result = []
    times = [t for _, t in marks]
    for (title, t0), t1 in zip(marks, [*times[1:], built], strict=True):
        if title != "done":
            result.append((title, t1 - t0))
    result.append(("rendering HTML, Markdown, JSON", texts - built))
    result.append((f"drawing {len(report.charts)} PNG figures (matplotlib)", rendered - texts))
    result.append(("total in-process (without start-up)", rendered - start))
    return result


def full_bundle_copy(html: Path, target: Path) -> Path:
    """``html`` with the partial bundle swapped for the full plotly.js of the plotly package."""
    from plotly.offline import get_plotlyjs

    from peninsula.report.render_html import content_security_policy, plotly_js

    text = html.read_text(encoding="utf-8")
    partial = plotly_js()
    assert partial in text
    policy = content_security_policy(text)
    assert policy in text
    swapped = text.replace(partial, get_plotlyjs())
    # The page's CSP lists its scripts by hash: the full bundle needs its own hash, or the
    # browser refuses to run it and no chart is ever drawn.
    target.write_text(swapped.replace(policy, content_security_policy(swapped)), encoding="utf-8")
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
                # Polled with evaluate (CDP, outside the page's CSP): the report's strict CSP
                # refuses the string predicate wait_for_function would compile.
                deadline = time.monotonic() + 60
                drawn = "() => document.documentElement.dataset.chartsDrawn"
                while not page.evaluate(drawn) and time.monotonic() < deadline:
                    page.wait_for_timeout(20)
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
    print(f"cores: {os.cpu_count()}, load average (1 min): {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        wall, cpu = time_cli(out, args.runs)
        verdict = "meets" if wall < 10 else "MISSES"
        print(
            f"peninsula report korea-2025 --runs {args.runs}: {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"(load average after: {os.getloadavg()[0]:.1f})"
        )
        print(f"  target under 10 s on 2 cores: {verdict} (ratio {wall / 10:.2f})")
        then = time_in_process(Path(tmp) / "baseline", args.runs, baseline=True)
        now = time_in_process(Path(tmp) / "now", args.runs, baseline=False)
        print(
            f"in-process, same run: before the speed work {then[0]:.1f} s wall, {then[1]:.1f} s "
            f"CPU; now {now[0]:.1f} s wall, {now[1]:.1f} s CPU; ratio now/before "
            f"{now[0] / then[0]:.2f} wall, {now[1] / then[1]:.2f} CPU "
            f"(load average: {os.getloadavg()[0]:.1f})"
        )
        differ = same_files(Path(tmp) / "baseline", Path(tmp) / "now")
        print(
            "  files byte-identical to the baseline's"
            if not differ
            else f"  FILES DIFFER from the baseline's: {', '.join(differ)}"
        )
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
