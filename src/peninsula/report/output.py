"""Write a report's files atomically: all of them, or nothing new in the output directory.

Files are rendered in memory, written into a staging directory next to their destination
(same file system, so the final moves are renames), and moved into place only when every file
has been written. The staging directory is created *before* the long computation, so an
unwritable ``--out`` is reported at once, and it is removed on any failure.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from peninsula.errors import PeninsulaError
from peninsula.files import staging_directory
from peninsula.report.charts import to_png
from peninsula.report.content import Report
from peninsula.report.render_html import render_html
from peninsula.report.render_json import render_json
from peninsula.report.render_markdown import figure_path, render_markdown

STAGING_PREFIX = ".peninsula-report-"
HTML, MARKDOWN, JSON = "report.html", "report.md", "report.json"


def render_files(report: Report) -> dict[str, bytes]:
    """Relative path -> content for every output file (HTML, Markdown, JSON, figure PNGs)."""
    pngs = {chart.id: to_png(chart) for chart in report.charts}
    files = {
        HTML: render_html(report, pngs).encode("utf-8"),
        MARKDOWN: render_markdown(report).encode("utf-8"),
        JSON: render_json(report).encode("utf-8"),
    }
    for chart in report.charts:
        files[figure_path(chart)] = pngs[chart.id]
    return files


class UnwritableOutputError(PeninsulaError):
    """The output directory cannot be created or written to."""


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")


def _staging_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise UnwritableOutputError(
            f"cannot write the report to {out}: it exists and is not a directory"
        )
    home = out if out.is_dir() else _nearest_existing(out.parent)
    if not home.is_dir():
        raise UnwritableOutputError(f"cannot write the report to {out}: {home} is not a directory")
    try:
        return staging_directory(home, STAGING_PREFIX)
    except OSError as error:
        reason = os.strerror(error.errno or errno.EACCES)
        message = f"cannot write the report to {out}: {reason} ({home})"
        raise UnwritableOutputError(message) from None


class Staging:
    """A staging directory for ``out``; :meth:`commit` moves the files into place."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = _staging_dir(out)

    def write(self, files: Mapping[str, bytes]) -> None:
        for relative, content in files.items():
            target = self.path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    def commit(self) -> list[Path]:
        """Move every staged file into ``out``; returns the destination paths."""
        written = sorted(p.relative_to(self.path) for p in self.path.rglob("*") if p.is_file())
        try:
            if not self.out.exists():
                self.out.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.path, self.out)
                return [self.out / p for p in written]
            for entry in sorted(self.path.iterdir()):
                destination = self.out / entry.name
                if entry.is_dir() and destination.is_dir():
                    # A directory we own (figures/) is swapped whole, so stale files go too.
                    old = self.path / f".old-{entry.name}"
                    os.replace(destination, old)
                    os.replace(entry, destination)
                else:
                    os.replace(entry, destination)
            return [self.out / p for p in written]
        except OSError as error:
            raise UnwritableOutputError(f"cannot write the report to {self.out}: {error}") from None

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


@contextmanager
def staged_output(out: Path) -> Iterator[Staging]:
    """Stage output for ``out``; anything left staged (failure or success) is removed on exit."""
    staging = Staging(Path(out))
    try:
        yield staging
    finally:
        staging.discard()


def write_report(report: Report, staging: Staging) -> list[Path]:
    """Render all files in memory, stage them, then move them into place."""
    staging.write(render_files(report))
    return staging.commit()
