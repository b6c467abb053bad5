"""Streaming readers of event files, one module per format, all yielding one schema.

``read_events(path, fmt=None)`` detects the format (or takes ``fmt``), streams the file
(zip archives member by member) and yields :class:`~peninsula.events.readers.base.Chunk`
objects: a pyarrow RecordBatch of :data:`~peninsula.events.readers.base.NORMALISED` rows and
the bad rows of that block, each with file, line and reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from peninsula.errors import InputError, Located
from peninsula.events.codebook import ActorCodes, Codebook, load_actors, load_codebook
from peninsula.events.readers import gdelt1, gdelt2, icews, plain
from peninsula.events.readers.base import (
    BINARY_HINT,
    DEFAULT_BLOCK,
    NORMALISED,
    BadRow,
    Chunk,
    Layout,
    Member,
    Tap,
    check_header,
    count_columns,
    first_line,
    looks_binary,
    members,
    read_member,
)

FORMATS: dict[str, Layout] = {
    gdelt1.NAME: gdelt1.LAYOUT,
    gdelt2.NAME: gdelt2.LAYOUT,
    icews.NAME: icews.LAYOUT,
    plain.NAME: plain.LAYOUT,
}

__all__ = [
    "FORMATS",
    "NORMALISED",
    "BadRow",
    "Chunk",
    "EventFile",
    "detect_format",
]


def detect_format(member: Member, line: str) -> str:
    """Guess the format of a stream from its first line (and name)."""
    if looks_binary(line):
        raise InputError([Located(BINARY_HINT, file=Path(member.origin), line=1)])
    if line.startswith("Event ID\t"):
        return icews.NAME
    if line.lstrip("\ufeff").lower().startswith("date,"):
        return plain.NAME
    tabs = count_columns(line, "\t")
    if tabs in gdelt1.LAYOUT.columns:
        return gdelt1.NAME
    if tabs in gdelt2.LAYOUT.columns:
        return gdelt2.NAME
    raise InputError(
        [
            Located(
                f"cannot tell the format: the first line has {tabs} tab-separated fields "
                f"(GDELT 1.0: 57 or 58, GDELT 2.0: 61; ICEWS and CSV start with a header); "
                f"give --format ({', '.join(FORMATS)})",
                file=Path(member.origin),
                line=1,
            )
        ]
    )


class EventFile:
    """One event file (plain or zip) ready to stream; ``fmt`` None = detect.

    After a complete iteration, ``sha256_streamed`` holds the SHA-256 of the bytes read
    (plain files only; a zip is hashed separately by the store).
    """

    def __init__(
        self,
        path: Path,
        fmt: str | None = None,
        *,
        codebook: Codebook | None = None,
        actors: ActorCodes | None = None,
        strict: bool = False,
        block_size: int = DEFAULT_BLOCK,
    ) -> None:
        if fmt is not None and fmt not in FORMATS:
            raise InputError(
                [Located(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", field="--format")]
            )
        self.path = path
        self.members = members(path)
        self.codebook = codebook if codebook is not None else load_codebook()
        self.actors = actors if actors is not None else load_actors()
        self.strict = strict
        self.block_size = block_size
        self._plan: list[tuple[Member, Layout, int]] = []
        for m in self.members:
            line = first_line(m)
            if line is None:
                continue  # an empty file (or zip member) holds zero events, not an error
            name = fmt or detect_format(m, line)
            layout = FORMATS[name]
            if layout.header:
                check_header(m, line, layout.columns[next(iter(layout.columns))], layout.delimiter)
                ncols = next(iter(layout.columns))
            else:
                if looks_binary(line):
                    raise InputError([Located(BINARY_HINT, file=Path(m.origin), line=1)])
                ncols = count_columns(line, layout.delimiter)
                if fmt is not None and ncols < min(layout.columns) // 2:
                    # Format forced and the first line is junk (a few fields): read with the
                    # newest layout so that line becomes one reported bad row, not a refusal.
                    # A near-miss (58 fields for GDELT 2.0) is still refused: wrong format.
                    ncols = max(layout.columns)
                if ncols not in layout.columns:
                    want = " or ".join(str(k) for k in layout.columns)
                    raise InputError(
                        [
                            Located(
                                f"{name}: expected {want} tab-separated columns, found {ncols}",
                                file=Path(m.origin),
                                line=1,
                            )
                        ]
                    )
            self._plan.append((m, layout, ncols))
        self.formats = tuple(sorted({p[1].name for p in self._plan}))
        self.size = sum(m.size for m in self.members)
        self._taps: list[Tap] = []

    @staticmethod
    def total_bytes(path: Path) -> int | None:
        """Bytes a progress bar will see: the file, or the uncompressed zip members."""
        try:
            return sum(m.size for m in members(path))
        except InputError:
            return None

    @property
    def is_zip(self) -> bool:
        """True for an archive (zip or gzip): its bytes are hashed separately by the store."""
        return self.members[0].member is not None or self.members[0].gzipped

    def chunks(self, on_bytes: Callable[[int], None] | None = None) -> Iterator[Chunk]:
        self._taps = []
        for member, layout, ncols in self._plan:
            yield from read_member(
                member,
                layout,
                ncols,
                self.codebook,
                self.actors,
                strict=self.strict,
                block_size=self.block_size,
                on_bytes=on_bytes,
                taps=self._taps,
            )

    @property
    def sha256_streamed(self) -> str | None:
        if self.is_zip or not self._taps:
            return None
        return self._taps[-1].sha256.hexdigest()
