"""The DuckDB store: idempotent, transactional, de-duplicating, nothing silently dropped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from peninsula.errors import InputError
from peninsula.events.store import EventStore, default_path


def snapshot(store: EventStore) -> tuple[int, int, int]:
    return (store.count(), len(store.files()), len(store.rejected()))


def test_default_path_in_user_data_dir() -> None:
    p = default_path()
    assert p.name == "events.duckdb" and "peninsula" in str(p)


def test_ingest_counts_and_rejects(tmp_path: Path, fixtures: Path) -> None:
    with EventStore(tmp_path / "e.duckdb") as store:
        r = store.ingest(fixtures / "gdelt1_sample.CSV")
        assert (r.rows_read, r.added, r.bad, r.duplicates) == (8, 4, 4, 0)
        assert [b.line for b in r.bad_rows] == [3, 4, 5, 6]
        rejected = store.rejected()
        assert rejected["line"].tolist() == [3, 4, 5, 6]
        assert (
            rejected["reason"]
            .str.startswith(("date", "cameo_code", "goldstein", "wrong column count"))
            .all()
        )
        files = store.files()
        assert files[["rows_read", "rows_added", "rows_bad"]].iloc[0].tolist() == [8, 4, 4]


def test_reingest_adds_nothing(tmp_path: Path, fixtures: Path, gdelt_zip: Path) -> None:
    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(fixtures / "gdelt1_sample.CSV")
        before = snapshot(store)
        again = store.ingest(fixtures / "gdelt1_sample.CSV")
        assert again.skipped and again.added == 0
        assert snapshot(store) == before
        # The same events in a zip (different bytes): every row is a duplicate by event id.
        z = store.ingest(gdelt_zip)
        assert not z.skipped and (z.added, z.duplicates, z.bad) == (0, 4, 4)
        assert store.count() == before[0]
        assert store.ingest(gdelt_zip).skipped


def test_same_content_other_name_is_skipped(tmp_path: Path, fixtures: Path) -> None:
    copy = tmp_path / "copy.csv"
    copy.write_bytes((fixtures / "events_sample.csv").read_bytes())
    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(fixtures / "events_sample.csv")
        assert store.ingest(copy).skipped


def test_duplicate_rows_within_a_csv_file(tmp_path: Path, fixtures: Path) -> None:
    with EventStore(tmp_path / "e.duckdb") as store:
        r = store.ingest(fixtures / "events_sample.csv")
        # 7 data rows: 2 bad, line 7 repeats line 2 exactly -> 4 distinct events
        assert (r.rows_read, r.bad, r.added, r.duplicates) == (7, 2, 4, 1)


def test_overlapping_csv_files(tmp_path: Path, fixtures: Path) -> None:
    other = tmp_path / "more.csv"
    lines = (fixtures / "events_sample.csv").read_text().splitlines()
    extra = "2019-02-28,USA,PRK,125,,1,Hanoi summit ends early,https://example.org/hanoi"
    other.write_text("\n".join([lines[0], lines[1], lines[5], extra]) + "\n")
    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(fixtures / "events_sample.csv")
        r = store.ingest(other)
        assert (r.added, r.duplicates) == (1, 2)
        assert store.count() == 5


def test_corrupt_zip_leaves_store_unchanged(
    tmp_path: Path, fixtures: Path, gdelt_zip: Path
) -> None:
    data = bytearray(gdelt_zip.read_bytes())
    for i in range(60, 90):
        data[i] ^= 0xFF
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(fixtures / "events_sample.csv")
        before = snapshot(store)
        with pytest.raises(InputError, match="corrupt or truncated"):
            store.ingest(bad)
        assert snapshot(store) == before


def test_strict_rolls_back(tmp_path: Path, fixtures: Path) -> None:
    with EventStore(tmp_path / "e.duckdb") as store:
        with pytest.raises(InputError, match=":3: date"):
            store.ingest(fixtures / "gdelt1_sample.CSV", strict=True)
        assert snapshot(store) == (0, 0, 0)
        # and a later non-strict ingest of the same file is not blocked
        assert store.ingest(fixtures / "gdelt1_sample.CSV").added == 4


def test_interrupt_mid_file_rolls_back(tmp_path: Path) -> None:
    """An error after rows were inserted (here: Ctrl-C from the progress callback)."""
    src = (Path(__file__).parent / "fixtures" / "gdelt1_sample.CSV").read_text().splitlines()[0]
    fields = src.split("\t")
    big = tmp_path / "big.CSV"
    with open(big, "w") as f:
        for i in range(5000):
            fields[0] = str(i)
            f.write("\t".join(fields) + "\n")
    seen = 0

    def interrupt(n: int) -> None:
        nonlocal seen
        seen += n
        if seen > big.stat().st_size // 2:
            raise KeyboardInterrupt

    with EventStore(tmp_path / "e.duckdb") as store:
        with pytest.raises(KeyboardInterrupt):
            store.ingest(big, block_size=16384, on_bytes=interrupt)
        assert snapshot(store) == (0, 0, 0)
        assert store.ingest(big).added == 5000


def test_parquet_round_trip(tmp_path: Path, fixtures: Path) -> None:
    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(fixtures / "gdelt1_sample.CSV")
        store.ingest(fixtures / "icews_sample.tab")
        out = tmp_path / "out" / "events.parquet"
        n = store.export(out)
        everything = store.con.sql("SELECT * FROM events ORDER BY date, file_id, line").df()
    table = pq.read_table(out)
    assert n == table.num_rows == len(everything) == 8
    back = table.to_pandas()
    assert back["event_id"].tolist() == everything["event_id"].tolist()
    assert back["goldstein"].tolist() == everything["goldstein"].tolist()
    assert [str(d) for d in back["date"]] == [str(d.date()) for d in everything["date"]]
    assert not list(out.parent.glob(".*tmp"))  # no temporary file left behind


def test_dyad_events_query(tmp_path: Path, fixtures: Path) -> None:
    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(fixtures / "gdelt1_sample.CSV")
        both = store.dyad_events("USA", "PRK")
        assert both["date"].dt.strftime("%Y-%m-%d").tolist() == [
            "2017-08-08", "2017-08-09", "2018-06-12",
        ]  # fmt: skip
        assert str(both["date"].dtype) == "datetime64[ns]"
        directed = store.dyad_events("USA", "PRK", directed=True)
        assert directed["source"].tolist() == ["USA", "USA"]
        since = store.dyad_events("USA", "PRK", since=pd.Timestamp("2017-08-09").date())
        assert len(since) == 2
        until = store.dyad_events("USA", "PRK", until=pd.Timestamp("2017-08-08").date())
        assert len(until) == 1


def test_read_only_missing_store(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no event store"):
        EventStore(tmp_path / "missing.duckdb", read_only=True)


@pytest.mark.parametrize("freq", ["day", "week", "month", "year"])
@pytest.mark.parametrize("directed", [False, True])
def test_sql_series_equals_pandas_series(
    tmp_path: Path, fixtures: Path, freq: str, directed: bool
) -> None:
    from peninsula.events.analysis import dyad_series

    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(fixtures / "gdelt1_sample.CSV")
        store.ingest(fixtures / "icews_sample.tab")
        store.ingest(fixtures / "events_sample.csv")
        for a, b in (("USA", "PRK"), ("PRK", "USA"), ("USA", "RUS")):
            sql = store.dyad_series(a, b, freq, directed=directed)
            events = store.dyad_events(a, b, directed=directed)
            pandas = dyad_series(events, a, b, freq=freq, directed=directed)
            pd.testing.assert_frame_equal(sql, pandas)
            assert sql.attrs == pandas.attrs
