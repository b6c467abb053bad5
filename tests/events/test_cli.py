"""``peninsula events ...`` end to end through the real entry point (exit codes, files)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from peninsula.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ingest_dyad_export(
    tmp_path: Path, fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "e.duckdb")
    code, out, _ = run(capsys, "events", "ingest", str(fixtures / "gdelt1_sample.CSV"),
                       str(fixtures / "icews_sample.tab"), "--db", db)  # fmt: skip
    assert code == 0
    assert "8 rows read" in out and "4 added" in out and "4 bad" in out
    assert "gdelt1_sample.CSV:3: date" in out
    code, out, _ = run(capsys, "events", "ingest", str(fixtures / "gdelt1_sample.CSV"), "--db", db)
    assert code == 0 and "already ingested" in out
    csv = tmp_path / "series.csv"
    png = tmp_path / "series.png"
    code, out, _ = run(capsys, "events", "dyad", "usa", "PRK", "--db", db, "--csv", str(csv),
                       "--plot", str(png))  # fmt: skip
    assert code == 0, out
    series = pd.read_csv(csv, index_col="period", parse_dates=True)
    # GDELT: Aug 2017 (-7, -7), Jun 2018 (+8); ICEWS: Jun 2018 (+8, +3.4), Jul 2018 (+1)
    assert series.loc["2017-08-01", "events"] == 2
    assert series.loc["2018-06-01", "events"] == 3
    assert series.loc["2018-06-01", "goldstein_mean"] == pytest.approx((8 + 8 + 3.4) / 3)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    parquet = tmp_path / "all.parquet"
    code, out, _ = run(capsys, "events", "export", str(parquet), "--db", db)
    assert code == 0 and pq.read_table(parquet).num_rows == 8


def test_dyad_history_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "usa-prk.html"
    code, out, _ = run(capsys, "events", "dyad", "USA", "PRK", "--history", "--since",
                       "2017-01-01", "--until", "2019-12-31", "--plot", str(html))  # fmt: skip
    assert code == 0
    assert "Regimes" in out and "Peaks" in out
    text = html.read_text()
    assert "<html" in text and "plotly" in text.lower()


def test_dyad_table_lists_quiet_months_with_zero_events(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The bundled history has USA–PRK events in 2021-10 and 2022-01 and none in between.
    code, out, _ = run(capsys, "events", "dyad", "USA", "PRK", "--history", "--since",
                       "2021-10-01", "--until", "2022-01-31")  # fmt: skip
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith(("│ 2021-", "│ 2022-"))]
    assert [r.split("│")[1].strip() for r in rows] == ["2021-10", "2021-11", "2021-12", "2022-01"]
    quiet = [r.split("│")[2:7] for r in rows[1:3]]
    assert all([c.strip() for c in q] == ["0", "0/0", "0/0", "—", "—"] for q in quiet)


def test_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "events", "timeline", "--since", "2018-06-01", "--until",
                       "2018-06-30", "--actor", "USA")  # fmt: skip
    assert code == 0 and "2018-06-12" in out and not re.search(r"2017-\d\d-\d\d", out)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["events", "dyad", "USA", "PRK", "--history", "--freq", "hour"], "--freq"),
        (["events", "dyad", "USA", "PRK", "--history", "--since", "2017-02-30"], "--since"),
        (["events", "dyad", "USA", "PRK", "--db", "/nonexistent/x.duckdb"], "no event store"),
        (["events", "dyad", "USA", "PRK", "--history", "--plot", "x.pdf"], ".png or .html"),
        (["events", "ingest", "/nonexistent/file.CSV", "--db", "DB"], "no such file"),
        (["events", "dyad", "USA", "XYZ", "--history"], "unknown actor code 'XYZ'"),
    ],
)
def test_clean_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [str(tmp_path / "e.duckdb") if a == "DB" else a for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_known_actor_without_events_is_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    # GBR is in the actor codes but the bundled history has no USA-GBR events.
    code, out, _ = run(capsys, "events", "dyad", "USA", "GBR", "--history")
    assert code == 0 and "no events between USA and GBR" in out


def test_strict_and_corrupt_zip_exit_2(
    tmp_path: Path, fixtures: Path, gdelt_zip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "e.duckdb")
    code, _, err = run(capsys, "events", "ingest", str(fixtures / "gdelt1_sample.CSV"),
                       "--db", db, "--strict")  # fmt: skip
    assert code == 2 and "gdelt1_sample.CSV:3: date" in err
    data = gdelt_zip.read_bytes()
    gdelt_zip.write_bytes(data[: len(data) - 30])
    code, _, err = run(capsys, "events", "ingest", str(gdelt_zip), "--db", db)
    assert code == 2 and "corrupt or truncated" in err


def test_timeline_shows_lanes_and_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "events", "timeline", "--since", "2024-12-01", "--until",
                       "2025-04-30", "--category", "leadership")  # fmt: skip
    assert code == 0
    # martial law (3 Dec), Yoon impeached (14 Dec), Han impeached (27 Dec), Trump (20 Jan),
    # Yoon removed (4 Apr)
    for day in ("2024-12-03", "2024-12-14", "2024-12-27", "2025-01-20", "2025-04-04"):
        assert day in out
    assert "Leadership changes 5" in out and "Complete from 2017-01" in out
    code, _, err = run(capsys, "events", "timeline", "--category", "gossip")
    assert code == 2 and "unknown category 'gossip'" in err
