"""PNG figures drawn in a background process (issue 14's speed target) are the same bytes."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import replace

import pytest

from peninsula.report import Report
from peninsula.report.charts import to_png
from peninsula.report.content import Section
from peninsula.report.output import Figures, background_workers


def _few_charts(report: Report, count: int = 2) -> Section:
    """A section holding ``count`` of the report's charts (the first and the last, ...)."""
    charts = report.charts
    chosen = [charts[0], charts[-1], charts[len(charts) // 2]][:count]
    return replace(report.sections[0], id="few", blocks=tuple(chosen))


def test_background_figures_are_the_bytes_drawn_here(small_report: Report) -> None:
    section = _few_charts(small_report)
    with Figures(1) as figures:
        figures.submit(section)
        # Asked for in reverse, as render_files does: the last may still be queued (then it
        # is drawn here), the first is the worker's.
        drawn = {c.id: figures.png(c) for c in reversed(section.charts)}
    for chart in section.charts:
        assert drawn[chart.id] == to_png(chart), chart.id


def test_without_a_worker_figures_are_drawn_here(small_report: Report) -> None:
    section = _few_charts(small_report, 1)
    with Figures(0) as figures:
        figures.submit(section)  # no-op
        assert figures.png(section.charts[0]) == to_png(section.charts[0])


def test_a_dead_worker_costs_only_time(small_report: Report) -> None:
    section = _few_charts(small_report, 1)
    figures = Figures(1)
    try:
        figures.submit(section)
        pool = figures._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # the worker dies (e.g. OOM-killed)
            process.kill()
        assert figures.png(section.charts[0]) == to_png(section.charts[0])
    finally:
        figures.close()


def test_background_workers_is_zero_or_one() -> None:
    assert background_workers() in (0, 1)


def test_the_figure_worker_does_not_import_the_sections() -> None:
    # The worker imports peninsula.report.charts to unpickle charts and draw them; the
    # package's sections (and statsmodels, pandas, SALib) must stay out of its start-up.
    code = (
        "import sys, peninsula.report.charts, peninsula.report.content; "
        "print(sorted(m for m in ('statsmodels', 'pandas', 'SALib', 'peninsula.report.build') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_after_the_worker_died_new_figures_are_drawn_here(small_report: Report) -> None:
    section = _few_charts(small_report, 1)
    figures = Figures(1)
    try:
        pool = figures._pool
        assert pool is not None
        for process in list(pool._processes.values()):
            process.kill()
            process.join()
        figures.submit(section)  # the pool is broken by now, or breaks meanwhile
        for chart in section.charts:
            assert figures.png(chart) == to_png(chart)
    finally:
        figures.close()


def test_a_worker_dying_after_a_cancel_prints_nothing(
    small_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.11's process pool fails every pending future when its worker dies; one that
    ``png`` had cancelled (drawn here instead) made that raise InvalidStateError in the pool's
    management thread, which printed a traceback and stopped its clean-up half-way."""
    uncaught: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: uncaught.append(args.exc_value))
    charts = tuple(replace(small_report.charts[0], id=f"copy-{i}") for i in range(6))
    section = replace(small_report.sections[0], id="copies", blocks=charts)
    figures = Figures(1)
    try:
        figures.submit(section)  # the worker is still importing matplotlib: all queued
        drawn = {charts[-1].id: figures.png(charts[-1])}  # cancelled there, drawn here
        pool = figures._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # then the worker dies
            process.kill()
        drawn |= {c.id: figures.png(c) for c in charts[:-1]}
    finally:
        figures.close()  # joins the pool's management thread: its failure is in by now
    assert uncaught == []
    assert all(drawn[c.id] == to_png(c) for c in charts)
