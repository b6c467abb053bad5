"""Writing files and folders so that a reader never sees half of one.

Every file peninsula writes goes through :func:`atomic_path`: the content is written to a
temporary file in the destination's own folder (so the final rename stays on one file system
and is atomic, POSIX ``rename(2)``), given the permissions an ordinary ``open()`` would give
under the user's umask (``mkstemp`` creates files 0600, which surprised users who share
results), and renamed into place only when writing succeeded. On any failure, including
``KeyboardInterrupt``, the temporary file is removed and the destination is left as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peninsula.errors import PeninsulaError


def _umask() -> int:
    # os.umask can only be read by setting it; restore it at once. Not thread-safe in theory,
    # but peninsula writes files from the main thread only.
    current = os.umask(0o022)
    os.umask(current)
    return current


def check_writable(path: Path) -> Path:
    """Fail early, before a long computation, if ``path`` cannot be written as a file.

    Checks that the parent folder exists (or can be created) and is writable, and that the
    path is not an existing directory. Returns the path unchanged so it can be used inline.
    """
    if path.is_dir():
        raise PeninsulaError(f"cannot write {path}: it is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    probe = parent
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise PeninsulaError(f"cannot write {path}: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise PeninsulaError(f"cannot write {path}: {probe} is not writable")
    return path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on normal exit, move it into place.

    The caller writes the temporary file by any means (``to_parquet``, ``savefig``, ``open``).
    ``OSError`` from creating or renaming becomes a :class:`PeninsulaError` naming ``path``.
    """
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise PeninsulaError(f"cannot write {path}: {error.strerror or error}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise PeninsulaError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it into place."""
    with atomic_path(path) as tmp:
        write(tmp)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON with a trailing newline, atomically."""
    write_text(path, json.dumps(data, indent=2) + "\n")


def staging_directory(home: Path, prefix: str) -> Path:
    """A new empty folder inside ``home`` to assemble a multi-file output in, before it is
    renamed into place (same file system). ``mkdtemp`` makes it private (0700); since it may
    become the output itself it gets the permissions ``mkdir`` would give under the umask."""
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=home))
    staging.chmod(0o777 & ~_umask())
    return staging


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """Yield an empty staging folder next to ``path``; on normal exit it replaces ``path``
    (an existing folder is moved aside, then removed). On failure it is removed and ``path``
    is left as it was. The caller decides whether an existing ``path`` may be replaced."""
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = staging_directory(parent, f".{path.name}.tmp-")
    except OSError as error:
        raise PeninsulaError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        yield staging
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=parent))
            os.replace(path, old / "x")
            os.replace(staging, path)
            shutil.rmtree(old)
        else:
            os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
