"""Write a report's files atomically: all of them, or nothing new in the output directory.

Files are rendered in memory, written into a staging directory next to their destination
(same file system, so the final moves are renames), and moved into place only when every file
has been written. The staging directory is created *before* the long computation, so an
unwritable ``--out`` is reported at once, and it is removed on any failure.

The output directory may hold the user's own files (issue 13, item 9), so a report only ever
replaces files a report wrote: each run records its files in ``.peninsula-manifest.json``, an
existing file that is not in that list is never overwritten (the run stops, naming it) and
never deleted, and files of an earlier report that this one no longer makes are removed. The
root and the system directories (``/etc``, ``/usr`` ...) are refused outright. A staging
directory left by a run that was killed is removed by the next run in the same place, but only
if it carries our marker and the process that made it is gone.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from multiprocessing import get_context
from pathlib import Path

from peninsula.errors import PeninsulaError
from peninsula.files import staging_directory
from peninsula.report.charts import chart_csv, to_png
from peninsula.report.content import Chart, Report, Section
from peninsula.report.render_html import render_html
from peninsula.report.render_json import render_json
from peninsula.report.render_markdown import data_path, figure_path, render_markdown

STAGING_PREFIX = ".peninsula-report-"
STAGING_MARKER = ".peninsula-staging"  # inside a staging directory: the pid that made it
MANIFEST = ".peninsula-manifest.json"  # inside an output directory: the files we wrote
HTML, MARKDOWN, JSON = "report.html", "report.md", "report.json"
SYSTEM_DIRS = frozenset(
    Path(p)
    for p in ("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
              "/proc", "/run", "/sbin", "/sys", "/usr", "/var", "/opt", "/srv", "/home",
              "/root", "/mnt", "/media", "/snap")
)  # fmt: skip
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys", "/usr")


def background_workers() -> int:
    """Processes that draw figures beside the main one: 1 if this process may use two or
    more CPUs, else 0 (on one core a second process only adds its start-up)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return 1 if cpus >= 2 else 0


def _warm_up() -> None:
    """The worker's first task: import matplotlib while the main process computes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot


def _start_ignoring_interrupts(pool: ProcessPoolExecutor) -> None:
    """Start ``pool``'s worker with SIGINT ignored (inherited through ``exec``).

    Ctrl-C reaches the whole process group; the main process handles it (the pool is shut
    down on the way out), and a worker must not die printing a traceback, even while it is
    still importing, before any initializer could run. ``submit`` starts the worker there and
    then, so the main process ignores SIGINT only for that moment."""
    if threading.current_thread() is not threading.main_thread():
        pool.submit(_warm_up)  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool.submit(_warm_up)
    finally:
        signal.signal(signal.SIGINT, previous)


def _cancellable(future: Future[bytes]) -> Future[bytes]:
    """``future``, made safe to cancel while its worker may die.

    When a worker dies, the pool's management thread fails every pending future with
    ``set_exception``. Python 3.11 (3.11.7 here) does not expect one of them to have been
    cancelled meanwhile, as :meth:`Figures.png` does with the figures it draws itself: the call
    raises InvalidStateError, the thread prints a traceback and stops before its clean-up.
    CPython fixed this upstream by ignoring the error (gh-107219, PR 108974); this does the
    same for our futures, whose cancelled figure has nobody waiting for the exception. Set
    before the future can be cancelled, so no failure can slip between."""
    set_exception = future.set_exception

    def unless_cancelled(exception: BaseException | None) -> None:
        with suppress(InvalidStateError):  # cancelled: nobody waits for this figure
            set_exception(exception)

    future.set_exception = unless_cancelled  # type: ignore[method-assign]
    return future


class Figures:
    """The Markdown twin's PNG figures, drawn in a background process as sections finish.

    Why: matplotlib needs about as much CPU for the report's 24 figures as the sensitivity
    analysis for its numbers (3–4 s), and it needs nothing but the finished charts. Drawn in a
    second process while the main one computes the next sections (and renders the HTML), it
    costs no wall-clock time on two cores. ``workers=0`` draws everything in this process.

    The bytes are the same either way: :func:`~peninsula.report.charts.to_png` is a pure
    function of the chart (fixed PNG metadata), and the worker runs the same matplotlib.
    Workers are started with ``spawn``, as :class:`peninsula.executors.ProcessExecutor`'s and
    for the same reasons (the CLI's progress bar holds a thread). When the main process asks
    for a figure the worker has not started, it cancels it and draws it itself, so the two
    processes share the tail of the queue; if the worker dies, its figures are drawn here
    (and nothing is printed: :func:`_cancellable`).
    """

    def __init__(self, workers: int = 0) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[str, Future[bytes]] = {}
        if workers > 0:
            try:
                self._pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
                _start_ignoring_interrupts(self._pool)
            except OSError:  # no process to be had (limits): everything is drawn here
                self._drop_pool()

    def submit(self, section: Section) -> None:
        """Start drawing ``section``'s figures (a no-op without a background process)."""
        if self._pool is None:
            return
        try:
            for chart in section.charts:
                self._pending[figure_path(chart)] = _cancellable(self._pool.submit(to_png, chart))
        except BrokenProcessPool:  # the worker died: the rest are drawn here, when asked for
            self._drop_pool()

    def _drop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def png(self, chart: Chart) -> bytes:
        """The PNG of ``chart``: the background's if it has started it, else drawn here."""
        future = self._pending.pop(figure_path(chart), None)
        if future is None or future.cancel():
            return to_png(chart)
        try:
            return future.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): draw it here
            return to_png(chart)

    def close(self) -> None:
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Figures:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def render_files(report: Report, figures: Figures | None = None) -> dict[str, bytes]:
    """Relative path -> content for every output file (HTML, Markdown, JSON, and for the
    Markdown twin each chart's PNG and CSV; the HTML embeds its charts and data itself).

    ``figures`` may hold PNGs already being drawn in the background (:class:`Figures`); the
    text files are rendered first, so that the background has time to finish them, and the
    PNGs are then collected from the last to the first: the figures the background has not
    reached are drawn here meanwhile."""
    files = {
        HTML: render_html(report).encode("utf-8"),
        MARKDOWN: render_markdown(report).encode("utf-8"),
        JSON: render_json(report).encode("utf-8"),
    }
    charts = report.charts
    pngs = {}
    for chart in reversed(charts):
        pngs[figure_path(chart)] = figures.png(chart) if figures is not None else to_png(chart)
    for chart in charts:  # the same order of files as ever
        files[figure_path(chart)] = pngs[figure_path(chart)]
        files[data_path(chart)] = chart_csv(chart).encode("utf-8")
    return files


class UnwritableOutputError(PeninsulaError):
    """The output directory cannot be created or written to."""


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")


def check_out(out: Path) -> None:
    """Refuse the root, the system directories and anything inside the system trees."""
    try:
        resolved = out.resolve()
    except OSError:
        resolved = Path(os.path.abspath(out))
    inside = any(resolved.is_relative_to(tree) for tree in SYSTEM_TREES)
    if resolved in SYSTEM_DIRS or inside:
        raise UnwritableOutputError(
            f"refusing to write the report to {out}: {resolved} is a system directory; "
            "give a folder of your own, e.g. --out out"
        )


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False  # alive (someone else's) or unknowable: leave it
    return False


def clean_stale_staging(home: Path) -> None:
    """Remove staging directories of killed runs in ``home``: ours (marker) and dead (pid)."""
    try:
        candidates = [p for p in home.iterdir() if p.name.startswith(STAGING_PREFIX)]
    except OSError:
        return
    for candidate in candidates:
        marker = candidate / STAGING_MARKER
        try:
            if candidate.is_symlink() or not candidate.is_dir():
                continue
            pid = int(marker.read_text().strip())
        except (OSError, ValueError):
            continue  # not ours (no marker): never touched
        if pid != os.getpid() and _process_gone(pid):
            shutil.rmtree(candidate, ignore_errors=True)


def _staging_dir(out: Path) -> Path:
    check_out(out)
    if out.exists() and not out.is_dir():
        raise UnwritableOutputError(
            f"cannot write the report to {out}: it exists and is not a directory"
        )
    home = out if out.is_dir() else _nearest_existing(out.parent)
    if not home.is_dir():
        raise UnwritableOutputError(f"cannot write the report to {out}: {home} is not a directory")
    clean_stale_staging(home)
    try:
        staging = staging_directory(home, STAGING_PREFIX)
        (staging / STAGING_MARKER).write_text(f"{os.getpid()}\n")
        return staging
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
        """Move every staged file into ``out``; returns the destination paths.

        Only files a report wrote are replaced or removed (see the module docstring); if any
        file to be written exists and is not ours, nothing is moved and the run fails.
        """
        (self.path / STAGING_MARKER).unlink(missing_ok=True)
        written = sorted(
            p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()
        )
        try:
            if not self.out.exists():
                _write_manifest(self.path, written)
                self.out.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.path, self.out)
                return [self.out / p for p in written]
            previous = _previous_files(self.out)
            foreign = [p for p in written if (self.out / p).exists() and p not in previous]
            if foreign:
                raise UnwritableOutputError(
                    f"cannot write the report to {self.out}: {self.out / foreign[0]} exists and "
                    "was not written by a peninsula report; move it or choose another --out"
                )
            for relative in written:
                destination = self.out / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.path / relative, destination)
            for stale in sorted(previous - set(written)):
                (self.out / stale).unlink(missing_ok=True)
            _write_manifest(self.out, written)
            return [self.out / p for p in written]
        except OSError as error:
            raise UnwritableOutputError(f"cannot write the report to {self.out}: {error}") from None

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _write_manifest(directory: Path, written: list[str]) -> None:
    from peninsula import files

    files.write_json(directory / MANIFEST, {"format": "peninsula-report-files/1", "files": written})


def _previous_files(out: Path) -> set[str]:
    """Files an earlier report wrote in ``out`` (its manifest; safe paths only)."""
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return _legacy_files(out)
    if not isinstance(listed, list):
        return set()
    return {
        p
        for p in listed
        if isinstance(p, str) and not Path(p).is_absolute() and ".." not in Path(p).parts
    }


def _legacy_files(out: Path) -> set[str]:
    """A report written before manifests existed: its three files are ours (figures are not
    claimed, so a user's picture in figures/ can never be taken for a stale one)."""
    try:
        meta = json.loads((out / JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if isinstance(meta, dict) and meta.get("format") == "peninsula-report/1":
        return {HTML, MARKDOWN, JSON}
    return set()


@contextmanager
def staged_output(out: Path) -> Iterator[Staging]:
    """Stage output for ``out``; anything left staged (failure or success) is removed on exit."""
    staging = Staging(Path(out))
    try:
        yield staging
    finally:
        staging.discard()


def write_report(report: Report, staging: Staging, figures: Figures | None = None) -> list[Path]:
    """Render all files in memory, stage them, then move them into place."""
    staging.write(render_files(report, figures))
    return staging.commit()
