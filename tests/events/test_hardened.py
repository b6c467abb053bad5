"""Real event files read right (issue 13, items 12-16), each defect with its regression test.

Rows are the real-format fixture rows, mutated in code; ``test_fuzz_readers.py`` covers the
class of inputs each test stands for with hypothesis.
"""

from __future__ import annotations

import csv
import gzip
import io
import sqlite3
from pathlib import Path

import pytest

from clirun import run_cli
from peninsula.errors import InputError
from peninsula.events.codebook import load_codebook
from peninsula.events.readers import EventFile
from peninsula.events.store import EventStore

FIXTURES = Path(__file__).parent / "fixtures"
GDELT2 = FIXTURES / "20190228120000.export.CSV"
ICEWS = FIXTURES / "icews_sample.tab"

# GDELT's QuadClass of a CAMEO root code, written out independently of the bundled codebook:
# 01-05 verbal cooperation, 06-09 material cooperation, 10-14 verbal conflict, 15-20
# material conflict (GDELT 1.0 Event Codebook, "QuadClass"; the column in real GDELT 2.0
# exports agrees on every row, e.g. 09 "investigate" is 2 and 14 "protest" is 3).
GDELT_QUAD = {
    f"{r:02d}": 1 if r <= 5 else 2 if r <= 9 else 3 if r <= 14 else 4 for r in range(1, 21)
}


def read_all(path: Path, fmt: str | None = None) -> tuple[list[dict], list]:
    rows: list[dict] = []
    bad: list = []
    for chunk in EventFile(path, fmt).chunks():
        rows += chunk.batch.to_pylist()
        bad += chunk.bad
    return rows, bad


def gdelt2_row(**changes: str) -> str:
    """The first real-format GDELT 2.0 fixture row with some columns replaced."""
    from peninsula.events.readers.gdelt2 import COLUMNS_61

    fields = GDELT2.read_text().splitlines()[0].split("\t")
    for name, value in changes.items():
        fields[COLUMNS_61.index(name)] = value
    return "\t".join(fields)


def icews_text(rows: list[dict[str, str]], bom: bool = False) -> str:
    """An ICEWS file: the fixture header and rows, each row the first fixture row + changes."""
    lines = ICEWS.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    base = dict(zip(header, lines[1].split("\t"), strict=True))
    out = ["\t".join(header)] + ["\t".join({**base, **r}[h] for h in header) for r in rows]
    return ("\ufeff" if bom else "") + "\n".join(out) + "\n"


# --- 12: quad class ---------------------------------------------------------------------------
def test_bundled_quad_classes_follow_gdelt() -> None:
    book = load_codebook()
    wrong = [
        (code, book.lookup(code)[2])
        for code in book.codes.to_pylist()
        if book.lookup(code)[2] != GDELT_QUAD[code[:2]]
    ]
    assert wrong == []


@pytest.mark.parametrize(("code", "quad"), [("090", 2), ("094", 2), ("141", 3), ("145", 3)])
def test_quad_class_without_a_column_uses_gdelts_mapping(
    tmp_path: Path, code: str, quad: int
) -> None:
    p = tmp_path / "e.csv"
    p.write_text(
        "date,source,target,cameo_code,goldstein,mentions,description,source_url\n"
        f"2019-02-28,USA,PRK,{code},,1,x,\n"
    )
    rows, bad = read_all(p)
    assert bad == [] and rows[0]["quad_class"] == quad


def test_quad_class_comes_from_the_files_own_column(tmp_path: Path) -> None:
    p = tmp_path / "20190228120000.export.CSV"
    lines = [
        gdelt2_row(GLOBALEVENTID="1", EventCode="090", QuadClass="2"),
        gdelt2_row(GLOBALEVENTID="2", EventCode="043", QuadClass="3"),  # file disagrees: file wins
        gdelt2_row(GLOBALEVENTID="3", EventCode="141", QuadClass=""),  # blank: GDELT's mapping
        gdelt2_row(GLOBALEVENTID="4", EventCode="043", QuadClass="7"),  # not 1-4: a bad row
    ]
    p.write_text("\n".join(lines) + "\n")
    rows, bad = read_all(p)
    assert [(r["event_id"], r["quad_class"]) for r in rows] == [("1", 2), ("2", 3), ("3", 3)]
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [(4, "quad_class")]


# --- 13: ICEWS countries ----------------------------------------------------------------------
def test_every_icews_country_name_is_mapped_and_missing_is_null(tmp_path: Path) -> None:
    pairs = [
        ("Nigeria", "NGA"),
        ("Brazil", "BRA"),
        ("Democratic Republic of Congo", "COD"),
        ("Occupied Palestinian Territory", "PSE"),
        ("Russian Federation", "RUS"),
        ("Turkey", "TUR"),
        ("NA", None),
        ("", None),
    ]
    p = tmp_path / "i.tab"
    p.write_text(
        icews_text([{"Event ID": str(i), "Source Country": n} for i, (n, _) in enumerate(pairs)])
    )
    rows, bad = read_all(p)
    assert bad == []
    assert [r["source"] for r in rows] == [code for _, code in pairs]
    assert all(r["target"] == "PRK" for r in rows)


def test_sub_state_actors_keep_their_country_and_sector(tmp_path: Path) -> None:
    p = tmp_path / "i.tab"
    row = {
        "Source Name": "Police (Nigeria)",
        "Source Sectors": "Police",
        "Source Country": "Nigeria",
    }
    p.write_text(icews_text([row]))
    rows, _ = read_all(p)
    assert rows[0]["source"] == "NGA"
    assert "Police (Nigeria) [Police]" in rows[0]["description"]


def test_dyad_finds_icews_events_of_any_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "i.tab"
    p.write_text(icews_text([{"Source Country": "Nigeria", "Target Country": "United States"}]))
    db = str(tmp_path / "e.duckdb")
    assert run_cli(["events", "ingest", str(p), "--db", db], capsys)[0] == 0
    code, out, err = run_cli(["events", "dyad", "USA", "NGA", "--db", db, "--peaks", "0"], capsys)
    assert code == 0, err
    assert "2018-06" in out and "no events" not in out


# --- 14: BOM, gzip, empty files, directories ----------------------------------------------------
@pytest.mark.parametrize("fmt", [None, "icews"])
def test_icews_with_a_byte_order_mark(tmp_path: Path, fmt: str | None) -> None:
    p = tmp_path / "bom.tab"
    p.write_text(icews_text([{}, {"Event ID": "2"}], bom=True), encoding="utf-8")
    rows, bad = read_all(p, fmt)
    assert bad == [] and [r["event_id"] for r in rows] == ["26765001", "2"]


@pytest.mark.parametrize("fmt", [None, "gdelt2"])
def test_gzip_is_read_like_the_plain_file(tmp_path: Path, fmt: str | None) -> None:
    p = tmp_path / "20190228120000.export.CSV.gz"
    p.write_bytes(gzip.compress(GDELT2.read_bytes()))
    rows, bad = read_all(p, fmt)
    plain_rows, plain_bad = read_all(GDELT2)
    assert rows == plain_rows and len(rows) == 2
    assert [(b.line, b.reason) for b in bad] == [(b.line, b.reason) for b in plain_bad]


def test_corrupt_gzip_is_located_and_shows_no_binary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(gzip.compress(GDELT2.read_bytes()))
    data[30:60] = bytes(30)  # damage the deflate stream
    p = tmp_path / "x.CSV.gz"
    p.write_bytes(bytes(data))
    code, out, err = run_cli(
        ["events", "ingest", str(p), "--db", str(tmp_path / "e.duckdb")], capsys
    )
    assert code == 2 and "Traceback" not in err
    assert "x.CSV.gz" in err and "\ufffd" not in out + err


def test_binary_file_with_format_does_not_echo_garbage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "x.bin"
    p.write_bytes(bytes(range(256)) * 4)
    code, _out, err = run_cli(
        ["events", "ingest", str(p), "--format", "icews", "--db", str(tmp_path / "e.duckdb")],
        capsys,
    )
    assert code == 2 and "Traceback" not in err
    assert "\ufffd" not in err and "\\x" not in err


def test_empty_file_is_zero_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "empty.CSV"
    p.write_bytes(b"")
    assert read_all(p) == ([], [])
    code, out, err = run_cli(
        ["events", "ingest", str(p), "--db", str(tmp_path / "e.duckdb")], capsys
    )
    assert code == 0, err
    assert "0 rows read" in out


def test_directory_is_named_as_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        ["events", "ingest", str(tmp_path), "--db", str(tmp_path / "e.duckdb")], capsys
    )
    assert code == 2
    assert "is a directory" in err and "no such file" not in err
    with pytest.raises(InputError, match="is a directory"):
        EventFile(tmp_path)


# --- 15: replacing a file's rows -------------------------------------------------------------
def test_replace_swaps_damaged_rows_for_clean_ones(tmp_path: Path) -> None:
    clean = icews_text([{"Source Name": "Kim Jong-Un", "Event Text": "Zusammenkünfte"}])
    damaged = tmp_path / "copy.tab"
    damaged.write_bytes(clean.encode("utf-8").decode("latin-1").encode("utf-8"))  # mojibake
    good = tmp_path / "clean.tab"
    good.write_text(clean, encoding="utf-8")
    with EventStore(tmp_path / "e.duckdb") as store:
        store.ingest(damaged)
        first = store.ingest(good)
        assert first.added == 0  # default: the first version of an event stays
        report = store.ingest(good, replace=True)
        assert report.added == 1 and store.count() == 1
        text = store.con.execute("SELECT description FROM events").fetchone()[0]
    assert "Zusammenkünfte" in text


def test_replace_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "e.duckdb")
    assert run_cli(["events", "ingest", str(ICEWS), "--db", db], capsys)[0] == 0
    code, _out, _ = run_cli(["events", "ingest", str(ICEWS), "--db", db, "--replace"], capsys)
    assert code == 0
    with EventStore(Path(db), read_only=True) as store:
        assert store.count() == 4  # replaced, not doubled


# --- 16: --db must be a DuckDB store, and DuckDB never reaches for the network ---------------
def test_db_that_is_a_json_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    j = tmp_path / "j.json"
    j.write_text('{"a": 1}\n')
    code, _out, err = run_cli(["events", "ingest", str(ICEWS), "--db", str(j)], capsys)
    assert code == 2 and "not a DuckDB" in err
    assert j.read_text() == '{"a": 1}\n'


def test_db_that_is_sqlite_is_refused_before_duckdb_opens_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = tmp_path / "s.db"
    with sqlite3.connect(s) as con:
        con.execute("CREATE TABLE t (a)")
    for argv in (["events", "ingest", str(ICEWS)], ["events", "dyad", "USA", "PRK"]):
        code, _, err = run_cli([*argv, "--db", str(s)], capsys)
        assert code == 2 and "not a DuckDB" in err, err


def test_store_never_autoloads_or_installs_extensions(tmp_path: Path) -> None:
    with EventStore(tmp_path / "e.duckdb") as store:
        settings = dict(
            store.con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoinstall_known_extensions', 'autoload_known_extensions')"
            ).fetchall()
        )
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }


def test_ingest_report_rows_read_matches_csv_rows(tmp_path: Path) -> None:
    """Sanity for the fuzz suite's bookkeeping: every data line is read or reported bad."""
    p = tmp_path / "i.tab"
    p.write_text(icews_text([{"Event ID": str(i)} for i in range(5)]))
    n = sum(1 for _ in csv.reader(io.StringIO(p.read_text()), delimiter="\t")) - 1
    with EventStore(tmp_path / "e.duckdb") as store:
        report = store.ingest(p)
    assert report.rows_read == n == 5


# --- found by the fuzz suite ----------------------------------------------------------------------
def test_negative_mentions_are_a_bad_row(tmp_path: Path) -> None:
    p = tmp_path / "e.csv"
    p.write_text(
        "date,source,target,cameo_code,goldstein,mentions,description,source_url\n"
        "2019-02-28,USA,PRK,043,,-11,x,\n"
    )
    rows, bad = read_all(p)
    assert rows == [] and [(b.line, b.reason.split(":")[0]) for b in bad] == [(2, "mentions")]


def test_short_row_with_a_latin1_byte_is_a_bad_row_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    raised: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", raised.append)  # pyarrow raised in its handler
    good = GDELT2.read_bytes().splitlines()[0]
    p = tmp_path / "20190228120000.export.CSV"
    p.write_bytes(good + b"\n" + b"1\tZusammenk\xfcnfte\n" + good + b"\n")
    rows, bad = read_all(p)
    assert raised == []
    assert len(rows) == 2 and [(b.line, b.reason.split(":")[0]) for b in bad] == [
        (2, "wrong column count")
    ]
    assert "Zusammenk\ufffdnfte" in bad[0].text
