"""``peninsula report``: a self-contained briefing on a scenario (HTML, Markdown, JSON).

Python API::

    from peninsula.report import generate_report, ReportSettings
    paths = generate_report("korea-2025", "out", ReportSettings(runs=200, seed=1))

``build_report`` gives the content (a :class:`Report`) without writing anything.
"""

from __future__ import annotations

from pathlib import Path

from peninsula.report.build import SECTIONS, Progress, build_report, content_hash
from peninsula.report.content import Report, Section
from peninsula.report.output import HTML, JSON, MARKDOWN, staged_output, write_report
from peninsula.report.settings import ReportSettings
from peninsula.scenario.schema import Scenario


def generate_report(
    scenario: str | Path | Scenario,
    out: str | Path,
    settings: ReportSettings | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Build the briefing on ``scenario`` and write it to the directory ``out``.

    Raises :class:`peninsula.errors.NotFoundError` for an unknown scenario and a
    :class:`peninsula.errors.PeninsulaError` naming the path if ``out`` is not writable; in
    both cases, and on any other failure, nothing new is left in ``out``.
    """
    from peninsula import load_scenario

    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    with staged_output(Path(out)) as staging:
        report = build_report(loaded, settings, progress)
        if progress is not None:
            progress(
                "Rendering HTML, Markdown and JSON", len(report.sections), len(report.sections)
            )
        return write_report(report, staging)


__all__ = [
    "HTML",
    "JSON",
    "MARKDOWN",
    "SECTIONS",
    "Report",
    "ReportSettings",
    "Section",
    "build_report",
    "content_hash",
    "generate_report",
    "staged_output",
    "write_report",
]
