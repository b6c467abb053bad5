"""``peninsula report``: a self-contained briefing on a scenario (HTML, Markdown, JSON).

Python API::

    from peninsula.report import generate_report, ReportSettings
    paths = generate_report("korea-2025", "out", ReportSettings(runs=200, seed=1))

``build_report`` gives the content (a :class:`Report`) without writing anything.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peninsula.report.build import SECTIONS, Progress, build_report, content_hash
    from peninsula.report.content import Report, Section
    from peninsula.report.output import HTML, JSON, MARKDOWN, staged_output, write_report
    from peninsula.report.settings import ReportSettings
    from peninsula.scenario.schema import Scenario

#: Where each public name lives. Imported on first use (PEP 562), not with the package: the
#: process that draws the report's figures in the background (``output.Figures``) imports
#: ``peninsula.report.charts``, and importing the package's every section — the crisis
#: section alone brings statsmodels — cost it 1.9 s of CPU before its first figure.
_HOMES = {
    "SECTIONS": "peninsula.report.build",
    "Progress": "peninsula.report.build",
    "build_report": "peninsula.report.build",
    "content_hash": "peninsula.report.build",
    "Report": "peninsula.report.content",
    "Section": "peninsula.report.content",
    "HTML": "peninsula.report.output",
    "JSON": "peninsula.report.output",
    "MARKDOWN": "peninsula.report.output",
    "staged_output": "peninsula.report.output",
    "write_report": "peninsula.report.output",
    "ReportSettings": "peninsula.report.settings",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def generate_report(
    scenario: str | Path | Scenario,
    out: str | Path,
    settings: ReportSettings | None = None,
    progress: Progress | None = None,
    figure_workers: int = 0,
) -> list[Path]:
    """Build the briefing on ``scenario`` and write it to the directory ``out``.

    ``figure_workers``: background processes that draw the PNG figures while the sections
    compute (:class:`peninsula.report.output.Figures`; the CLI asks for one when it may use
    two CPUs). 0, the default, draws them in this process: a library call should not start
    processes, which ``spawn`` would start by re-running an unguarded ``__main__``. The files
    are the same whatever the number.

    Raises :class:`peninsula.errors.NotFoundError` for an unknown scenario and a
    :class:`peninsula.errors.PeninsulaError` naming the path if ``out`` is not writable; in
    both cases, and on any other failure, nothing new is left in ``out``.
    """
    from peninsula import load_scenario
    from peninsula.report.build import build_report
    from peninsula.report.output import Figures, staged_output, write_report
    from peninsula.scenario.schema import Scenario

    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    with staged_output(Path(out)) as staging, Figures(figure_workers) as figures:
        # Each section's PNG figures are drawn in the background as soon as it is finished.
        report = build_report(loaded, settings, progress, built_section=figures.submit)
        if progress is not None:
            progress(
                "Rendering HTML, Markdown and JSON", len(report.sections), len(report.sections)
            )
        return write_report(report, staging, figures)


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
