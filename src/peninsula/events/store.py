"""The embedded event store: one DuckDB file holding every ingested event.

Why DuckDB: an embedded, columnar, multi-threaded SQL engine that ingests Arrow batches
without copying, spills to disk under a memory limit, and answers a dyad group-by over
tens of millions of rows in milliseconds; nothing to install or run beside Python.

Guarantees:

- **Transactional**: each file is ingested in one transaction; any error (corrupt zip,
  ``--strict`` bad row, Ctrl-C) rolls back, so the store is exactly as before.
- **Idempotent**: the SHA-256 of each file's bytes is recorded in ``ingested_files``; the
  same content is never ingested twice. Rows are also de-duplicated across files by a
  ``row_key``: a hash of the source's event id when the format has one (GDELT
  GLOBALEVENTID, ICEWS Event ID), else a hash of the whole normalised row.
- **Nothing silently dropped**: every bad row is stored in ``rejected_rows`` (file, line,
  reason) and counted in the report.
- **Replaceable**: by default the first stored version of an event stays; ``replace=True``
  makes a file's rows replace stored rows of the same events (same key) and every row of an
  earlier ingest of the same path, so a clean copy can undo a damaged one.
- **Only DuckDB, never the network**: ``--db`` must be a DuckDB file (its header is sniffed
  before DuckDB opens it: DuckDB would otherwise try to load, and download, an extension to
  read an SQLite file), and extension autoloading and autoinstalling are switched off.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd
import platformdirs
import pyarrow as pa

from peninsula.errors import InputError, Located, PeninsulaError
from peninsula.events.codebook import ActorCodes, Codebook
from peninsula.events.history import with_event_dtypes
from peninsula.events.readers import EventFile
from peninsula.events.readers.base import NORMALISED, BadRow
from peninsula.files import atomic_path

MEMORY_LIMIT = "512MB"  # DuckDB buffer pool; the reader and Python add ~0.5 GB
THREADS = 2
KEEP_BAD = 1000  # bad rows kept in the in-memory report; all go to ``rejected_rows``

EVENT_COLUMNS = (
    "date", "source", "target", "cameo_code", "root_code", "goldstein", "quad_class",
    "mentions", "description", "source_url",
)  # fmt: skip

_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS file_ids START 1;
CREATE TABLE IF NOT EXISTS ingested_files (
    file_id INTEGER PRIMARY KEY,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    probe VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    formats VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_added BIGINT NOT NULL,
    rows_bad BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS events (
    row_key UBIGINT NOT NULL,
    date DATE NOT NULL,
    source VARCHAR,
    target VARCHAR,
    cameo_code VARCHAR NOT NULL,
    root_code VARCHAR NOT NULL,
    goldstein DOUBLE NOT NULL,
    quad_class TINYINT NOT NULL,
    mentions INTEGER NOT NULL,
    description VARCHAR,
    source_url VARCHAR,
    event_id BIGINT,
    file_id INTEGER NOT NULL,
    line BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected_rows (
    file_id INTEGER NOT NULL,
    origin VARCHAR NOT NULL,
    line BIGINT,
    reason VARCHAR NOT NULL,
    text VARCHAR
);
"""


def default_path() -> Path:
    """``events.duckdb`` in the user's data directory (platformdirs)."""
    return Path(platformdirs.user_data_dir("peninsula")) / "events.duckdb"


@dataclass
class IngestReport:
    """What one ``ingest`` did."""

    path: Path
    sha256: str = ""
    formats: tuple[str, ...] = ()
    skipped: bool = False  # the same content was ingested before
    rows_read: int = 0
    added: int = 0
    duplicates: int = 0
    bad: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)  # the first KEEP_BAD


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file (after an 8-byte checksum)


def check_store_file(path: Path) -> None:
    """Refuse anything at ``path`` that is not a DuckDB database (a missing file is fine)."""
    if not path.exists():
        return
    if path.is_dir():
        raise InputError([Located("is a directory, not a DuckDB event store", path)])
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as e:
        raise InputError([Located(f"cannot read: {e.strerror}", path)]) from None
    if head[8:12] != DUCKDB_MAGIC:
        raise InputError(
            [
                Located(
                    "not a DuckDB event store (give a new file name, or a store made by "
                    "`peninsula events ingest`)",
                    path,
                )
            ]
        )


def file_probe(path: Path, size: int) -> str:
    """A cheap fingerprint (size + first and last MiB) to spot a file seen before."""
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as f:
        h.update(f.read(1 << 20))
        if size > 2 << 20:
            f.seek(-(1 << 20), os.SEEK_END)
            h.update(f.read(1 << 20))
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


class EventStore:
    """A DuckDB event store at ``path`` (default: :func:`default_path`)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        read_only: bool = False,
        memory_limit: str = MEMORY_LIMIT,
        threads: int = THREADS,
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        if read_only and not self.path.exists():
            raise InputError(
                [Located("no event store here (run `events ingest` first)", self.path)]
            )
        check_store_file(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(
                str(self.path),
                read_only=read_only,
                config={
                    "memory_limit": memory_limit,
                    "threads": threads,
                    "preserve_insertion_order": False,
                    "autoinstall_known_extensions": False,
                    "autoload_known_extensions": False,
                },
            )
        except (duckdb.Error, OSError) as e:
            raise PeninsulaError(f"{self.path}: cannot open the event store: {e}") from e
        if not read_only:
            self.con.execute(_SCHEMA)

    # -- context manager ----------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- ingestion ----------------------------------------------------------------------------
    def _seen(self, sha: str) -> bool:
        rows = self.con.execute("SELECT 1 FROM ingested_files WHERE sha256 = ?", [sha]).fetchall()
        return bool(rows)

    def _scalar(self, sql: str, params: object = None) -> Any:
        rows = self.con.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    def ingest(
        self,
        path: Path,
        fmt: str | None = None,
        *,
        strict: bool = False,
        codebook: Codebook | None = None,
        actors: ActorCodes | None = None,
        on_bytes: Callable[[int], None] | None = None,
        block_size: int | None = None,
        replace: bool = False,
    ) -> IngestReport:
        """Ingest one file in one transaction; see the module docstring for guarantees.

        ``replace``: this file's rows replace stored rows of the same events and all rows of
        an earlier ingest of the same path (the default keeps the first version).
        """
        path = Path(path)
        kwargs = {} if block_size is None else {"block_size": block_size}
        source = EventFile(path, fmt, codebook=codebook, actors=actors, strict=strict, **kwargs)
        report = IngestReport(path=path, formats=source.formats)
        size = path.stat().st_size
        probe = file_probe(path, size)
        if source.is_zip:
            report.sha256 = file_sha256(path)
        else:
            known = self._scalar("SELECT sha256 FROM ingested_files WHERE probe = ?", [probe])
            if known is not None and file_sha256(path) == known:
                report.sha256 = known
        if report.sha256 and self._seen(report.sha256) and not replace:
            report.skipped = True
            if on_bytes is not None:
                on_bytes(source.size)
            return report
        con = self.con
        con.execute("BEGIN TRANSACTION")
        failure: list[BaseException] = []
        with tempfile.TemporaryDirectory(prefix="peninsula-rejects-") as scratch:
            rejects = Path(scratch) / "rejects.parquet"
            try:
                fid = self._scalar("SELECT nextval('file_ids')")
                before = self._scalar("SELECT count(*) FROM events")
                rejects_written = self._stream_into_events(
                    source, fid, report, on_bytes, rejects, failure
                )
                if rejects_written:
                    con.execute(
                        f"INSERT INTO rejected_rows SELECT {int(fid)}, origin, line, reason, "
                        f"text FROM read_parquet('{_sql_str(str(rejects))}')"
                    )
                if replace:
                    before -= self._replace_older(path, fid)
                self._finish_ingest(path, source, report, probe, size, fid, before, replace)
            except BaseException as error:
                con.execute("ROLLBACK")
                if failure:  # raised inside the batch stream: DuckDB wrapped it, unwrap
                    raise failure[0] from None
                if isinstance(error, duckdb.Error):
                    raise PeninsulaError(f"{path}: event store error: {error}") from error
                raise
        return report

    def _stream_into_events(
        self,
        source: EventFile,
        fid: int,
        report: IngestReport,
        on_bytes: Callable[[int], None] | None,
        rejects: Path,
        failure: list[BaseException],
    ) -> bool:
        """One ``INSERT ... SELECT`` that pulls the reader's batches as an Arrow stream.

        A single statement lets DuckDB write row groups straight to disk as it goes
        (memory stays flat in one transaction, whatever the file size) and parallelise the
        insert. Bad rows are spilled to a scratch Parquet file (bounded memory too) and
        copied into ``rejected_rows`` afterwards, in the same transaction.
        """
        import pyarrow.parquet as pq

        writer: pq.ParquetWriter | None = None

        def batches() -> Iterator[pa.RecordBatch]:
            nonlocal writer
            try:
                for chunk in source.chunks(on_bytes):
                    report.rows_read += chunk.batch.num_rows + len(chunk.bad)
                    if chunk.bad:
                        report.bad += len(chunk.bad)
                        room = KEEP_BAD - len(report.bad_rows)
                        if room > 0:
                            report.bad_rows.extend(chunk.bad[:room])
                        table = pa.table(
                            {
                                "origin": [b.file for b in chunk.bad],
                                "line": pa.array([b.line for b in chunk.bad], pa.int64()),
                                "reason": [b.reason for b in chunk.bad],
                                "text": [b.text for b in chunk.bad],
                            }
                        )
                        if writer is None:
                            writer = pq.ParquetWriter(rejects, table.schema)
                        writer.write_table(table)
                    if chunk.batch.num_rows:
                        yield chunk.batch
            except BaseException as error:
                failure.append(error)
                raise

        key_ns = "+".join(source.formats)
        stream = pa.RecordBatchReader.from_batches(NORMALISED, batches())  # noqa: F841 (SQL)
        try:
            self.con.execute(
                f"""
                INSERT INTO events
                SELECT CASE WHEN event_id IS NOT NULL THEN hash($ns, event_id)
                       ELSE hash(date, source, target, cameo_code, goldstein, mentions,
                                 description, source_url) END,
                       {", ".join(EVENT_COLUMNS)}, TRY_CAST(event_id AS BIGINT), $fid, line
                FROM stream
                """,
                {"ns": key_ns, "fid": fid},
            )
        finally:
            if writer is not None:
                writer.close()
        if failure:
            raise failure[0]
        return writer is not None

    def _replace_older(self, path: Path, fid: int) -> int:
        """Delete stored rows this file replaces; returns how many were deleted."""
        con = self.con
        before = self._scalar("SELECT count(*) FROM events WHERE file_id <> $fid", {"fid": fid})
        con.execute(
            """DELETE FROM events WHERE file_id <> $fid AND (
                   row_key IN (SELECT row_key FROM events WHERE file_id = $fid)
                   OR file_id IN (SELECT file_id FROM ingested_files WHERE path = $path))""",
            {"fid": fid, "path": str(path.resolve())},
        )
        after = self._scalar("SELECT count(*) FROM events WHERE file_id <> $fid", {"fid": fid})
        return int(before - after)

    def _finish_ingest(
        self,
        path: Path,
        source: EventFile,
        report: IngestReport,
        probe: str,
        size: int,
        fid: int,
        before: int,
        replace: bool = False,
    ) -> None:
        """Commit the file: de-duplicate, record it, COMMIT (or ROLLBACK if seen)."""
        con = self.con
        if not report.sha256:
            report.sha256 = source.sha256_streamed or file_sha256(path)
        if self._seen(report.sha256) and not replace:  # same bytes raced in under another probe
            con.execute("ROLLBACK")
            report.skipped = True
            return
        # De-duplicate: drop this file's rows whose key is stored already (older files),
        # and rows repeating within the file (keep the first line). Source event ids
        # (GDELT GLOBALEVENTID, ICEWS Event ID) are unique within a file by construction,
        # so the within-file check only scans rows without one (CSV).
        older = "row_key IN (SELECT row_key FROM events WHERE file_id <> $fid)"
        repeats = """rowid IN (
                SELECT rowid FROM (
                    SELECT rowid, row_number() OVER (PARTITION BY row_key ORDER BY line) AS k
                    FROM events WHERE file_id = $fid AND event_id IS NULL
                ) WHERE k > 1)"""
        condition = f"({older} OR {repeats})" if before else repeats
        con.execute(f"DELETE FROM events WHERE file_id = $fid AND {condition}", {"fid": fid})
        after = self._scalar("SELECT count(*) FROM events")
        report.added = int(after - before)
        report.duplicates = report.rows_read - report.bad - report.added
        con.execute(
            "INSERT INTO ingested_files (file_id, path, sha256, probe, size, formats, "
            "rows_read, rows_added, rows_bad) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                fid,
                str(path.resolve()),
                report.sha256,
                probe,
                size,
                ",".join(source.formats),
                report.rows_read,
                report.added,
                report.bad,
            ],
        )
        con.execute("COMMIT")

    # -- queries ------------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM events"))

    def files(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM ingested_files ORDER BY file_id").df()

    def rejected(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM rejected_rows ORDER BY file_id, line").df()

    def _dyad_where(
        self, a: str, b: str, since: date | None, until: date | None, directed: bool
    ) -> tuple[str, dict[str, object]]:
        where = "(source = $a AND target = $b)"
        if not directed:
            where += " OR (source = $b AND target = $a)"
        where = f"({where})"
        params: dict[str, object] = {"a": a, "b": b}
        if since is not None:
            where += " AND date >= $since"
            params["since"] = since
        if until is not None:
            where += " AND date <= $until"
            params["until"] = until
        return where, params

    def dyad_events(
        self,
        a: str,
        b: str,
        *,
        since: date | None = None,
        until: date | None = None,
        directed: bool = False,
    ) -> pd.DataFrame:
        """Events between ``a`` and ``b`` (both directions unless ``directed``), by date."""
        where, params = self._dyad_where(a, b, since, until, directed)
        table = self.con.sql(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE {where} ORDER BY date, line",
            params=params,
        ).to_arrow_table()
        return to_frame(table)

    def dyad_series(
        self,
        a: str,
        b: str,
        freq: str = "month",
        *,
        since: date | None = None,
        until: date | None = None,
        directed: bool = False,
    ) -> pd.DataFrame:
        """Same result as ``analysis.dyad_series(self.dyad_events(...))``, aggregated in SQL.

        Only one row per period leaves DuckDB, so a monthly series over tens of millions of
        stored events takes milliseconds instead of moving every dyad event into pandas.
        """
        from peninsula.events.analysis import period_code, series_from_counts

        period_code(freq)
        unit = {"day": "day", "week": "week", "month": "month", "year": "year"}[freq]
        where, params = self._dyad_where(a, b, since, until, directed)
        quads = ", ".join(
            f"count(*) FILTER (WHERE quad_class = {q}) AS {name}"
            for q, name in (
                (1, "verbal_coop"),
                (2, "material_coop"),
                (3, "verbal_conflict"),
                (4, "material_conflict"),
            )
        )
        counts = self.con.sql(
            f"SELECT CAST(date_trunc('{unit}', date) AS TIMESTAMP) AS period, "
            f"count(*) AS events, {quads}, sum(goldstein) AS goldstein_sum "
            f"FROM events WHERE {where} GROUP BY 1 ORDER BY 1",
            params=params,
        ).df()
        counts = counts.set_index("period")
        attrs = {"a": a, "b": b, "freq": freq, "directed": directed}
        return series_from_counts(counts, freq, attrs)

    def export(self, out: Path) -> int:
        """Write every event to a Parquet file (atomically); returns the row count."""
        with atomic_path(Path(out)) as tmp:
            self.con.execute(
                f"COPY (SELECT {', '.join(EVENT_COLUMNS)}, event_id FROM events "
                f"ORDER BY date, file_id, line) TO '{_sql_str(str(tmp))}' (FORMAT parquet)"
            )
        return self.count()


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def to_frame(table: object) -> pd.DataFrame:
    """Arrow table of store rows -> DataFrame with the ``load_history`` dtypes."""
    assert isinstance(table, pa.Table)
    df: pd.DataFrame = table.to_pandas()
    return with_event_dtypes(df)
