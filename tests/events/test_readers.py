"""Readers: each format on hand-written files, bad rows located, zips, corruption, streaming."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from peninsula.errors import InputError
from peninsula.events.readers import EventFile


def read_all(path: Path, fmt: str | None = None, **kw: object) -> tuple[list[dict], list]:
    f = EventFile(path, fmt, **kw)  # type: ignore[arg-type]
    rows: list[dict] = []
    bad: list = []
    for chunk in f.chunks():
        rows += chunk.batch.to_pylist()
        bad += chunk.bad
    return rows, bad


def test_gdelt1_rows_and_bad_rows_with_lines(fixtures: Path) -> None:
    rows, bad = read_all(fixtures / "gdelt1_sample.CSV")
    assert [r["line"] for r in rows] == [1, 2, 7, 8]
    first = rows[0]
    assert first["date"].isoformat() == "2017-08-08"
    assert (first["source"], first["target"], first["cameo_code"]) == ("USA", "PRK", "138")
    assert (first["root_code"], first["quad_class"], first["goldstein"]) == ("13", 3, -7.0)
    assert first["mentions"] == 12
    assert first["source_url"] == "https://example.org/fire-and-fury"
    assert first["event_id"] == "600000001"
    # Row 8: UN has no country code -> its actor code; empty GoldsteinScale -> codebook (-8.0)
    un = rows[3]
    assert (un["source"], un["goldstein"], un["quad_class"]) == ("IGOUNO", -8.0, 4)
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [
        (3, "date"),
        (4, "cameo_code"),
        (5, "goldstein"),
        (6, "wrong column count"),
    ]
    assert "20171332" in bad[0].reason and "'999'" in bad[1].reason and "'abc'" in bad[2].reason
    assert "expected 58, found 5" in bad[3].reason
    assert all(b.file.endswith("gdelt1_sample.CSV") for b in bad)


def test_gdelt1_backfile_57_columns(fixtures: Path) -> None:
    rows, bad = read_all(fixtures / "gdelt1_backfile_1994.csv")
    assert bad == []
    assert [(r["date"].isoformat(), r["cameo_code"], r["source_url"]) for r in rows] == [
        ("1994-06-21", "036", None),
        ("1994-10-21", "057", None),
    ]


def test_gdelt1_zip_equals_plain(fixtures: Path, gdelt_zip: Path) -> None:
    plain_rows, plain_bad = read_all(fixtures / "gdelt1_sample.CSV")
    zip_rows, zip_bad = read_all(gdelt_zip)
    assert zip_rows == plain_rows
    assert [b.line for b in zip_bad] == [b.line for b in plain_bad]
    assert zip_bad[0].file.endswith("20170808.export.CSV.zip:20170808.export.CSV")


def test_gdelt2_61_columns(fixtures: Path) -> None:
    f = EventFile(fixtures / "20190228120000.export.CSV")
    assert f.formats == ("gdelt2",)
    rows, bad = read_all(fixtures / "20190228120000.export.CSV")
    assert [(r["cameo_code"], r["goldstein"], r["mentions"]) for r in rows] == [
        ("043", 2.8, 30),
        ("125", -5.0, 45),
    ]
    assert [(b.line, "2019-02-28" in b.reason) for b in bad] == [(3, True)]


def test_icews_countries_mapped_and_codes_padded(fixtures: Path) -> None:
    rows, bad = read_all(fixtures / "icews_sample.tab")
    # header is line 1; line 5 has the impossible date 2018-06-31
    assert [r["line"] for r in rows] == [2, 3, 4, 6]
    assert [(r["source"], r["target"]) for r in rows] == [
        ("USA", "PRK"),
        ("PRK", "USA"),
        ("PRK", "KOR"),
        ("USA", "Atlantis"),  # unknown country name kept as written
    ]
    # "20" in ICEWS is CAMEO 020 (appeal, +3.0), not root 20; "46" is 046
    assert [r["cameo_code"] for r in rows] == ["057", "051", "020", "046"]
    assert rows[0]["goldstein"] == 8.0 and rows[0]["mentions"] == 1
    assert "Sign formal agreement" in rows[0]["description"]
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [(5, "date")]


def test_plain_csv(fixtures: Path) -> None:
    rows, bad = read_all(fixtures / "events_sample.csv")
    assert [r["line"] for r in rows] == [2, 3, 4, 6, 7]
    assert rows[0]["goldstein"] == -10.0  # empty -> codebook weight of 190
    assert rows[0]["description"] == "Sixth nuclear test, claimed thermonuclear"
    assert rows[2]["description"] == 'Trump at the UN: "Rocket Man"'
    assert rows[2]["mentions"] == 1  # empty mentions -> 1
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [(5, "mentions"), (8, "goldstein")]


def test_format_override_and_unknown_format(fixtures: Path) -> None:
    with pytest.raises(InputError, match="unknown format 'gdelt9'"):
        EventFile(fixtures / "gdelt1_sample.CSV", "gdelt9")
    with pytest.raises(InputError, match="expected 61 tab-separated columns, found 58"):
        EventFile(fixtures / "gdelt1_sample.CSV", "gdelt2")
    with pytest.raises(InputError, match="header must be"):
        EventFile(fixtures / "gdelt1_sample.CSV", "icews")


def test_undetectable_format(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_text("a\tb\tc\n")
    with pytest.raises(InputError, match=r"cannot tell the format.*--format"):
        EventFile(p)


def test_strict_stops_at_first_bad_row(fixtures: Path) -> None:
    f = EventFile(fixtures / "gdelt1_sample.CSV", strict=True)
    with pytest.raises(InputError, match=r"gdelt1_sample.CSV:3: date"):
        list(f.chunks())


def test_strict_wrong_column_count_has_line(fixtures: Path) -> None:
    p = fixtures / "cut.CSV"
    lines = (fixtures / "gdelt1_sample.CSV").read_text().splitlines()
    p.write_text("\n".join([lines[0], lines[1], lines[5], lines[6]]) + "\n")
    with pytest.raises(InputError, match=r"cut.CSV:3: wrong column count"):
        list(EventFile(p, strict=True).chunks())


def test_truncated_file_last_line_reported(fixtures: Path) -> None:
    data = (fixtures / "gdelt1_sample.CSV").read_bytes()
    p = fixtures / "truncated.CSV"
    p.write_bytes(data[: len(data) - 40])  # cut inside the last line (line 8)
    rows, bad = read_all(p)
    assert [r["line"] for r in rows] == [1, 2, 7]
    assert bad[-1].line == 8 and "wrong column count" in bad[-1].reason


def test_corrupt_zip(gdelt_zip: Path) -> None:
    data = bytearray(gdelt_zip.read_bytes())
    # flip bytes inside the compressed stream (after the 30-byte local header + name)
    for i in range(60, 90):
        data[i] ^= 0xFF
    gdelt_zip.write_bytes(bytes(data))
    with pytest.raises(InputError, match="corrupt or truncated"):
        list(EventFile(gdelt_zip).chunks())


def test_truncated_zip(gdelt_zip: Path) -> None:
    data = gdelt_zip.read_bytes()
    gdelt_zip.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="corrupt or truncated zip"):
        EventFile(gdelt_zip)


def test_empty_zip(tmp_path: Path) -> None:
    p = tmp_path / "empty.zip"
    with zipfile.ZipFile(p, "w"):
        pass
    with pytest.raises(InputError, match="holds no file"):
        EventFile(p)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_line_numbers_across_many_small_blocks(tmp_path: Path, seed: int) -> None:
    """Bad rows at random places in a file read in tiny blocks keep their exact lines."""
    rng = np.random.default_rng(seed)
    good = (Path(__file__).parent / "fixtures" / "gdelt1_sample.CSV").read_text().splitlines()[0]
    n = 400
    kinds = rng.choice(["ok", "cols", "date"], size=n, p=[0.9, 0.05, 0.05])
    lines = []
    for i, k in enumerate(kinds):
        fields = good.split("\t")
        fields[0] = str(i)
        if k == "cols":
            fields = fields[:10]
        elif k == "date":
            fields[1] = "2017AB08"
        lines.append("\t".join(fields))
    p = tmp_path / "many.CSV"
    p.write_text("\n".join(lines) + "\n")
    rows, bad = read_all(p, block_size=4096)
    want_ok = [i + 1 for i, k in enumerate(kinds) if k == "ok"]
    want_bad = [i + 1 for i, k in enumerate(kinds) if k != "ok"]
    assert [r["line"] for r in rows] == want_ok
    assert [int(r["event_id"]) + 1 for r in rows] == want_ok
    assert sorted(b.line for b in bad) == want_bad


def test_progress_counts_every_byte_once_even_after_a_restart(tmp_path: Path) -> None:
    good = (Path(__file__).parent / "fixtures" / "gdelt1_sample.CSV").read_text().splitlines()[0]
    lines = [good] * 300
    lines[200] = "\t".join(good.split("\t")[:5])  # wrong column count late in the file
    p = tmp_path / "p.CSV"
    p.write_text("\n".join(lines) + "\n")
    total = 0

    def count(n: int) -> None:
        nonlocal total
        total += n

    f = EventFile(p, block_size=4096)
    rows = sum(c.batch.num_rows for c in f.chunks(count))
    assert rows == 299
    assert total == p.stat().st_size


def test_forced_format_with_junk_first_line(tmp_path: Path) -> None:
    good = (Path(__file__).parent / "fixtures" / "gdelt1_sample.CSV").read_text().splitlines()[0]
    p = tmp_path / "junk.CSV"
    p.write_text("x\ty\n" + good + "\n" + "z\n")
    rows, bad = read_all(p, "gdelt1")
    assert [r["line"] for r in rows] == [2]
    assert [b.line for b in bad] == [1, 3]


def test_invalid_utf8_is_replaced_not_fatal(tmp_path: Path) -> None:
    good = (Path(__file__).parent / "fixtures" / "gdelt1_sample.CSV").read_bytes().splitlines()[0]
    p = tmp_path / "latin1.CSV"
    p.write_bytes(good + b"\n" + good.replace(b"fire-and-fury", b"caf\xe9") + b"\n")
    rows, bad = read_all(p)
    assert bad == []
    assert [r["source_url"] for r in rows] == [
        "https://example.org/fire-and-fury",
        "https://example.org/caf\ufffd",
    ]


def test_nan_and_inf_goldstein_are_bad(tmp_path: Path) -> None:
    p = tmp_path / "nan.csv"
    p.write_text(
        "date,source,target,cameo_code,goldstein,mentions,description,source_url\n"
        "2018-06-12,USA,PRK,057,nan,1,a,https://example.org\n"
        "2018-06-12,USA,PRK,057,-inf,1,b,https://example.org\n"
        "2018-06-12,USA,PRK,057,+7.5,1,c,https://example.org\n"
    )
    rows, bad = read_all(p)
    assert [r["goldstein"] for r in rows] == [7.5]
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [(2, "goldstein"), (3, "goldstein")]


def test_zip_with_two_members_of_different_formats(fixtures: Path) -> None:
    p = fixtures / "both.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(fixtures / "gdelt1_backfile_1994.csv", "a.csv")
        z.write(fixtures / "20190228120000.export.CSV", "b.export.CSV")
    f = EventFile(p)
    assert f.formats == ("gdelt1", "gdelt2")
    rows, bad = read_all(p)
    assert [r["event_id"] for r in rows] == ["100000001", "100000002", "800000001", "800000002"]
    assert [(b.file.endswith("both.zip:b.export.CSV"), b.line) for b in bad] == [(True, 3)]
