"""The streaming machinery every event reader shares.

A reader never holds a whole file: ``pyarrow.csv.open_csv`` parses it block by block
(``block_size`` bytes, multi-threaded), each block is validated and normalised with vectorised
``pyarrow.compute`` kernels, and a :class:`Chunk` (one RecordBatch of the normalised schema +
the bad rows of that block) is yielded. Zip archives are streamed member by member through
``zipfile`` (decompression on the fly).

Line numbers. Rows with the wrong number of columns are removed by pyarrow's
``invalid_row_handler``, which knows the physical line only when parsing single-threaded.
Clean files (the common case) are therefore parsed multi-threaded, where line = row index;
as soon as one such row appears, the reader re-opens the file single-threaded, skips the rows
it has already emitted (all before the first invalid row, so their numbers were exact) and
continues with exact line numbers. Fields are read unquoted for tab-separated formats (GDELT
and ICEWS never quote), so one row is one physical line.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from peninsula.errors import InputError, Located
from peninsula.events.codebook import ActorCodes, Codebook

DEFAULT_BLOCK = 4 << 20

NORMALISED = pa.schema(
    [
        pa.field("date", pa.date32()),
        pa.field("source", pa.string()),
        pa.field("target", pa.string()),
        pa.field("cameo_code", pa.string()),
        pa.field("root_code", pa.string()),
        pa.field("goldstein", pa.float64()),
        pa.field("quad_class", pa.int8()),
        pa.field("mentions", pa.int32()),
        pa.field("description", pa.string()),
        pa.field("source_url", pa.string()),
        pa.field("event_id", pa.string()),
        pa.field("line", pa.int64()),
    ]
)
"""Normalised event schema; ``line`` is the physical line in the origin file (1-based)."""

_NUMBER = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"
_INTEGER = r"^\s*\+?\d+\s*$"


@dataclass(frozen=True)
class BadRow:
    """A row that was not ingested, and why."""

    file: str
    line: int | None
    reason: str
    text: str = ""

    def located(self) -> Located:
        return Located(self.reason, file=Path(self.file), line=self.line)

    def __str__(self) -> str:
        return str(self.located())


@dataclass
class Chunk:
    """One block of a file: its valid rows (normalised) and its bad rows."""

    origin: str
    batch: pa.RecordBatch
    bad: list[BadRow] = field(default_factory=list)


@dataclass(frozen=True)
class Raw:
    """Columns a format extracts from a parsed block, still as strings, before validation.

    ``goldstein``/``mentions`` may be None (format has no such column: codebook weight / 1).
    """

    date: pa.Array
    source: pa.Array
    target: pa.Array
    code: pa.Array
    goldstein: pa.Array | None
    mentions: pa.Array | None
    description: pa.Array | None
    source_url: pa.Array | None
    event_id: pa.Array | None
    quad_class: pa.Array | None = None  # the file's own QuadClass (GDELT); None: the codebook


@dataclass(frozen=True)
class Layout:
    """How to parse one format: delimiter, header, column names per accepted column count."""

    name: str
    delimiter: str
    quoted: bool
    header: bool
    columns: dict[int, tuple[str, ...]]
    needed: tuple[str, ...]
    date_format: str
    extract: Callable[[pa.RecordBatch, ActorCodes], Raw]
    min_code_digits: int = 2  # GDELT/ICEWS event codes have 3-4 digits: "20" means "020"
    trim: bool = True  # strip blanks around fields (GDELT fields never have any: skip the cost)


class _Restart(Exception):  # noqa: N818 - control flow, not an error
    """Internal: an invalid row appeared while parsing multi-threaded; re-read exactly."""


class Tap(io.RawIOBase):
    """A read-only stream wrapper that hashes and counts the bytes passing through, and hands
    on valid UTF-8: every invalid byte becomes U+FFFD.

    The repair happens here, before pyarrow, because pyarrow decodes the text of a row with
    the wrong column count strictly to give it to ``invalid_row_handler``: one latin-1 byte
    in such a row raised inside pyarrow (printed as a traceback, and the file refused). Valid
    rows would get the same U+FFFD from :func:`_as_text` anyway. Hash and progress count the
    file's own bytes.
    """

    def __init__(self, raw: IO[bytes], on_bytes: Callable[[int], None] | None) -> None:
        super().__init__()
        self._raw = raw
        self._on_bytes = on_bytes
        self.sha256 = hashlib.sha256()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = bytearray()
        self._eof = False

    def readable(self) -> bool:
        return True

    def _fill(self, size: int) -> None:
        data = self._raw.read(size)
        if data:
            self.sha256.update(data)
            if self._on_bytes is not None:
                self._on_bytes(len(data))
            if data.isascii() and not self._decoder.getstate()[0]:  # common: nothing to repair
                self._pending += data
            else:
                self._pending += self._decoder.decode(data).encode("utf-8")
        else:
            self._pending += self._decoder.decode(b"", final=True).encode("utf-8")
            self._eof = True

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._pending) < size):
            self._fill(size if size > 0 else 1 << 20)
        if size < 0:
            size = len(self._pending)
        out = bytes(self._pending[:size])
        del self._pending[:size]
        return out

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


# --- opening files (plain or zip) -----------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One stream of a file: the file itself, one member of a zip archive, or a gzip stream."""

    path: Path
    member: str | None
    size: int
    gzipped: bool = False

    @property
    def origin(self) -> str:
        return f"{self.path}:{self.member}" if self.member else str(self.path)

    def open(self) -> IO[bytes]:
        if self.gzipped:
            return gzip.open(self.path, "rb")  # type: ignore[return-value]
        if self.member is None:
            return open(self.path, "rb")
        archive = zipfile.ZipFile(self.path)
        return archive.open(self.member)


def members(path: Path) -> list[Member]:
    """The streams of ``path``: itself, the data members of a zip archive, or a gzip stream."""
    try:
        info = path.stat()
    except OSError as e:
        raise InputError([Located(f"cannot read: {e.strerror}", file=path)]) from e
    if stat.S_ISDIR(info.st_mode):
        raise InputError(
            [Located("is a directory, not an event file (give the files in it)", file=path)]
        )
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or a device (/dev/zero) has no end to read up to and cannot be re-read for
        # exact line numbers or hashed for idempotence: refuse it up front.
        raise InputError([Located("not a regular file", file=path)])
    size = info.st_size
    if is_gzip(path):
        return [Member(path, None, _gzip_size(path, size), gzipped=True)]
    if not is_zip(path):
        return [Member(path, None, size)]
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise InputError([Located(f"corrupt or truncated zip archive ({e})", file=path)]) from e
    if not infos:
        raise InputError([Located("zip archive holds no file", file=path)])
    return [Member(path, i.filename, i.file_size) for i in infos]


def _is_container(path: Path, suffix: str, magic: bytes) -> bool:
    """``path`` has the container's suffix, or starts with its magic bytes (a renamed file)."""
    if path.suffix.lower() == suffix:
        return True
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:
        return False


def is_gzip(path: Path) -> bool:
    return _is_container(path, ".gz", b"\x1f\x8b")


def _gzip_size(path: Path, size: int) -> int:
    """Uncompressed size from the gzip trailer (ISIZE, modulo 2^32: for progress only)."""
    if size < 18:
        return size
    with open(path, "rb") as f:
        f.seek(-4, io.SEEK_END)
        return int.from_bytes(f.read(4), "little") or size


def is_zip(path: Path) -> bool:
    return _is_container(path, ".zip", b"PK\x03\x04")


def first_line(member: Member, limit: int = 1 << 16) -> str | None:
    """The first line of a stream (for format detection), decoded leniently; None if empty.

    A UTF-8 byte-order mark (which Windows tools write before ICEWS headers) is dropped.
    """
    try:
        with member.open() as f:
            head = f.read(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        reason = "corrupt or truncated file"
        if member.gzipped:
            reason = "corrupt or truncated gzip file"
        raise InputError([Located(reason, file=Path(member.origin))]) from e
    if not head:
        return None
    line = head.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    return line.removeprefix("\ufeff")


def looks_binary(line: str) -> bool:
    """True if a first line is not text (a compressed or binary file read as text)."""
    return "\ufffd" in line or any(ord(ch) < 32 and ch != "\t" for ch in line)


BINARY_HINT = (
    "not a text event file: the first line is binary data "
    "(.zip and .gz archives are read directly; other compression is not)"
)


# --- validation ------------------------------------------------------------------------------


def _trimmed(a: pa.Array) -> pa.Array:
    """Trim whitespace; blank -> null (the CSV reader already turned empty fields to null)."""
    a = pc.utf8_trim_whitespace(a)
    return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)


def _numbers(texts: pa.Array, regex: str, target: pa.DataType) -> tuple[pa.Array, pa.Array]:
    """(values, bad mask) of a string column; nulls (empty fields) are missing, not bad."""
    try:
        values = pc.cast(texts, target)
        return values, pa.array(np.zeros(len(texts), dtype=bool))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(texts, regex)
        bad = pc.fill_null(pc.invert(ok), False)
        clean = pc.if_else(bad, pa.scalar(None, pa.string()), texts)
        if target == pa.int32():
            clean = pc.utf8_trim(clean, " +")
            values = pc.cast(pc.cast(clean, pa.int64()), target, safe=False)
        else:
            values = pc.cast(clean, target)
        return values, bad


def _as_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Binary columns -> UTF-8 strings; invalid bytes become U+FFFD (text is kept, and a
    mangled date or code then fails validation as a located bad row)."""
    columns = []
    for column in batch.columns:
        try:
            columns.append(pc.cast(column, pa.string()))
        except pa.ArrowInvalid:
            values = [None if v is None else v.decode("utf-8", "replace")
                      for v in column.to_pylist()]  # fmt: skip
            columns.append(pa.array(values, pa.string()))
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


@dataclass
class _Lines:
    """Tracks physical line numbers across batches, given the lines pyarrow skipped."""

    next_line: int
    skipped: list[int] = field(default_factory=list)

    def take(self, n: int) -> np.ndarray:
        """Line numbers of the next ``n`` rows pyarrow kept."""
        pending = sorted(s for s in self.skipped if s >= self.next_line)
        span = np.arange(self.next_line, self.next_line + n + len(pending), dtype=np.int64)
        if pending:
            span = span[~np.isin(span, np.array(pending, dtype=np.int64))]
        lines = span[:n]
        if n:
            self.next_line = int(lines[-1]) + 1
        self.skipped[:] = [s for s in pending if s >= self.next_line]
        return lines


def _validate(
    batch: pa.RecordBatch,
    lines: np.ndarray,
    layout: Layout,
    codebook: Codebook,
    actors: ActorCodes,
    origin: str,
) -> Chunk:
    raw = layout.extract(batch, actors)
    n = batch.num_rows
    clean = _trimmed if layout.trim else (lambda a: a)
    day_text = clean(raw.date)
    ts = pc.strptime(day_text, format=layout.date_format, unit="s", error_is_null=True)
    # strptime rolls impossible days over (2018-06-31 -> 2018-07-01): check the day survived.
    assert layout.date_format.endswith("%d")
    dd = pc.if_else(pc.is_null(ts), "00", pc.utf8_slice_codeunits(day_text, -2))
    rolled = pc.not_equal(pc.day(ts), pc.cast(dd, pa.int64()))
    ts = pc.if_else(pc.fill_null(rolled, True), pa.scalar(None, ts.type), ts)
    bad_date = pc.is_null(ts)
    code = clean(raw.code)
    if layout.min_code_digits > 2:
        code = pc.utf8_lpad(code, layout.min_code_digits, "0")
    idx = pc.index_in(code, value_set=codebook.codes)
    missing = pc.is_null(idx)
    if pc.any(missing).as_py():
        # Some files drop the leading zero of codes ("42" for "042"): restore it.
        padded = pc.binary_join_element_wise("0", code, "")
        pidx = pc.index_in(padded, value_set=codebook.codes)
        use = pc.and_(missing, pc.is_valid(pidx))
        code = pc.if_else(use, padded, code)
        idx = pc.coalesce(idx, pidx)
        missing = pc.is_null(idx)
    bad_code = missing
    root = pc.take(codebook.root_codes, idx)
    book_g = pc.take(codebook.goldstein, idx)
    quad = pc.take(codebook.quad_class, idx)
    if raw.quad_class is not None:
        # The file's own QuadClass wins (GDELT may refine its mapping); blank -> codebook.
        quad_text = clean(raw.quad_class)
        own_ok = pc.is_in(quad_text, value_set=pa.array(["1", "2", "3", "4"]))
        bad_quad = pc.fill_null(pc.and_(pc.is_valid(quad_text), pc.invert(own_ok)), False)
        own = pc.cast(pc.if_else(own_ok, quad_text, pa.scalar(None, pa.string())), pa.int8())
        quad = pc.coalesce(own, quad)
    else:
        bad_quad = pa.array(np.zeros(n, dtype=bool))
    if raw.goldstein is not None:
        gold, bad_gold = _numbers(clean(raw.goldstein), _NUMBER, pa.float64())
        # pyarrow's cast accepts "nan"/"inf": out of range, like 11
        out_range = pc.fill_null(pc.invert(pc.less_equal(pc.abs(gold), 10.0)), False)
        bad_gold = pc.or_(bad_gold, out_range)
        gold = pc.coalesce(gold, book_g)
    else:
        gold, bad_gold = book_g, pa.array(np.zeros(n, dtype=bool))
    if raw.mentions is not None:
        ment, bad_ment = _numbers(clean(raw.mentions), _INTEGER, pa.int32())
        # the fast cast path accepts "-11": a mention count is never negative
        bad_ment = pc.or_(bad_ment, pc.fill_null(pc.less(ment, 0), False))
        ment = pc.coalesce(ment, pa.scalar(1, pa.int32()))
    else:
        ment, bad_ment = pa.array(np.ones(n, dtype=np.int32)), pa.array(np.zeros(n, dtype=bool))
    bad = pc.or_(pc.or_(pc.or_(bad_date, bad_code), pc.or_(bad_gold, bad_ment)), bad_quad)
    bad_rows: list[BadRow] = []
    if pc.any(bad).as_py():
        where = pc.indices_nonzero(bad).to_numpy()
        dates = raw.date.take(where).to_pylist()
        codes = raw.code.take(where).to_pylist()
        golds = raw.goldstein.take(where).to_pylist() if raw.goldstein is not None else None
        ments = raw.mentions.take(where).to_pylist() if raw.mentions is not None else None
        quads = raw.quad_class.take(where).to_pylist() if raw.quad_class is not None else None
        flags = [
            f.take(where).to_pylist() for f in (bad_date, bad_code, bad_gold, bad_ment, bad_quad)
        ]
        for j, i in enumerate(where):
            if flags[0][j]:
                reason = f"date: bad date {dates[j] or ''!r} (expected {layout.date_format})"
            elif flags[1][j]:
                reason = f"cameo_code: unknown CAMEO code {codes[j] or ''!r}"
            elif flags[2][j]:
                value = golds[j] if golds is not None else ""
                reason = f"goldstein: not a number in [-10, 10]: {value!r}"
            elif flags[4][j] and not flags[3][j]:
                value = quads[j] if quads is not None else ""
                reason = f"quad_class: must be 1, 2, 3 or 4: {value!r}"
            else:
                value = ments[j] if ments is not None else ""
                reason = f"mentions: not a non-negative integer: {value!r}"
            bad_rows.append(BadRow(origin, int(lines[i]), reason))
        keep = pc.invert(bad)
    else:
        keep = None

    def opt(a: pa.Array | None) -> pa.Array:
        return a if a is not None else pa.nulls(n, pa.string())

    columns = [
        pc.cast(ts, pa.date32()),
        clean(raw.source),
        clean(raw.target),
        code,
        root,
        gold,
        quad,
        ment,
        clean(opt(raw.description)),
        clean(opt(raw.source_url)),
        opt(raw.event_id),
        pa.array(lines, pa.int64()),
    ]
    out = pa.RecordBatch.from_arrays(columns, schema=NORMALISED)
    if keep is not None:
        out = out.filter(keep)
    return Chunk(origin, out, bad_rows)


# --- the reading loop ------------------------------------------------------------------------


def count_columns(line: str, delimiter: str) -> int:
    return line.count(delimiter) + 1


def read_member(
    member: Member,
    layout: Layout,
    ncols: int,
    codebook: Codebook,
    actors: ActorCodes,
    *,
    strict: bool = False,
    block_size: int = DEFAULT_BLOCK,
    on_bytes: Callable[[int], None] | None = None,
    taps: list[Tap] | None = None,
) -> Iterator[Chunk]:
    """Stream one file (or zip member) as validated, normalised chunks."""
    seen = 0

    def first(n: int) -> None:
        nonlocal seen
        seen += n
        if on_bytes is not None:
            on_bytes(n)

    def again(n: int) -> None:
        # The exact pass re-reads the file: report only bytes beyond the first pass.
        nonlocal seen
        fresh = max(0, n - seen)
        seen = max(0, seen - n)
        if fresh and on_bytes is not None:
            on_bytes(fresh)

    try:
        yield from _read_pass(
            member, layout, ncols, codebook, actors, strict, block_size, first, taps,
            exact=False, skip=0,
        )  # fmt: skip
    except _Restart as restart:
        yield from _read_pass(
            member, layout, ncols, codebook, actors, strict, block_size, again, taps,
            exact=True, skip=restart.args[0],
        )  # fmt: skip


def _read_pass(
    member: Member,
    layout: Layout,
    ncols: int,
    codebook: Codebook,
    actors: ActorCodes,
    strict: bool,
    block_size: int,
    on_bytes: Callable[[int], None] | None,
    taps: list[Tap] | None,
    *,
    exact: bool,
    skip: int,
) -> Iterator[Chunk]:
    names = layout.columns[ncols]
    needed = [c for c in layout.needed if c in names]
    origin = member.origin
    skipped: list[int] = []
    invalid: list[BadRow] = []

    def on_invalid(row: Any) -> str:
        if not exact:
            invalid.append(BadRow(origin, None, ""))
            return "skip"
        text = row.text if len(row.text) <= 200 else row.text[:200] + "..."
        reason = f"wrong column count: expected {ncols}, found {row.actual_columns}"
        invalid.append(BadRow(origin, row.number, reason, text))
        skipped.append(row.number)
        return "skip"

    read_options = pacsv.ReadOptions(
        column_names=list(names),
        skip_rows=1 if layout.header else 0,
        use_threads=not exact,
        block_size=block_size,
        encoding="utf8",
    )
    parse_options = pacsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char='"' if layout.quoted else False,
        double_quote=layout.quoted,
        newlines_in_values=False,
        ignore_empty_lines=False,
        invalid_row_handler=on_invalid,
    )
    convert_options = pacsv.ConvertOptions(
        include_columns=needed,
        # binary, not string: one stray non-UTF-8 byte must not make pyarrow refuse the file
        column_types={c: pa.binary() for c in needed},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    raw = member.open()
    tap = Tap(raw, on_bytes)
    if taps is not None:
        taps.append(tap)
    tracker = _Lines(next_line=2 if layout.header else 1, skipped=skipped)
    emitted = 0
    try:
        reader = pacsv.open_csv(
            tap,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        for batch in reader:
            if not exact and invalid:
                raise _Restart(emitted)
            lines = tracker.take(batch.num_rows)
            # Rows pyarrow removed (wrong column count) before the end of this batch.
            bad_now = [b for b in invalid if b.line is not None and b.line < tracker.next_line]
            if bad_now:
                invalid[:] = [b for b in invalid if b.line is None or b.line >= tracker.next_line]
            if skip:
                # Rows already emitted by the multi-threaded pass (all before any bad row).
                cut = min(skip, batch.num_rows)
                batch, lines, skip = batch.slice(cut), lines[cut:], skip - cut
                if batch.num_rows == 0:
                    continue
            chunk = _validate(_as_text(batch), lines, layout, codebook, actors, origin)
            chunk.bad = sorted(bad_now + chunk.bad, key=lambda b: b.line or 0)
            if strict and chunk.bad:
                raise InputError([chunk.bad[0].located()])
            emitted += batch.num_rows
            yield chunk
        if not exact and invalid:
            raise _Restart(emitted)
        if invalid:
            if strict:
                raise InputError([invalid[0].located()])
            empty = pa.RecordBatch.from_pylist([], schema=NORMALISED)
            yield Chunk(origin, empty, list(invalid))
    except (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile) as e:
        raise InputError([Located("corrupt or truncated archive", file=Path(origin))]) from e
    except pa.ArrowInvalid as e:
        raise InputError([Located(f"cannot parse: {e}", file=Path(origin))]) from e
    finally:
        tap.close()


def check_header(member: Member, line: str, expected: Sequence[str], delimiter: str) -> None:
    if looks_binary(line):
        raise InputError([Located(BINARY_HINT, file=Path(member.origin), line=1)])
    got = [h.strip().strip('"') for h in line.split(delimiter)]
    if [g.lower() for g in got] != [e.lower() for e in expected]:
        raise InputError(
            [
                Located(
                    f"header must be {delimiter.join(expected)!r}, found {line[:200]!r}",
                    file=Path(member.origin),
                    line=1,
                )
            ]
        )
