"""Benchmark: GDELT 1.0 ingestion into the DuckDB event store, and a monthly dyad query.

Run on demand::

    python bench/bench_events.py              # 10,000,000 rows
    python bench/bench_events.py --rows 2000000
    python bench/bench_events.py --quick      # 200,000 rows

A realistic GDELT 1.0 daily file (58 tab-separated columns, no header, the layout of the
GDELT 1.0 event codebook) is generated with numpy + pyarrow (vectorised, written in chunks of
1M rows) into a temporary directory. The script then measures, in the same process:

- ``peninsula.events.store.EventStore.ingest`` (target: >= 500,000 rows/s on 2 cores),
- peak resident memory (target: < 2 GB),
- a monthly USA-PRK dyad series over the full store (target: < 1 s),
- a naive baseline: ``pandas.read_csv`` of the whole file + filter + group-by month,

and prints times and ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# Actor countries with rough GDELT frequencies (USA dominates GDELT coverage).
_COUNTRIES = [
    ("USA", "UNITED STATES", "US", 38.0, -97.0, 0.22),
    ("CHN", "CHINA", "CH", 35.0, 105.0, 0.08),
    ("RUS", "RUSSIA", "RS", 60.0, 100.0, 0.07),
    ("GBR", "UNITED KINGDOM", "UK", 54.0, -2.0, 0.06),
    ("PRK", "NORTH KOREA", "KN", 40.0, 127.0, 0.04),
    ("KOR", "SOUTH KOREA", "KS", 37.0, 127.5, 0.04),
    ("JPN", "JAPAN", "JA", 36.0, 138.0, 0.04),
    ("IND", "INDIA", "IN", 20.0, 77.0, 0.05),
    ("FRA", "FRANCE", "FR", 46.0, 2.0, 0.04),
    ("DEU", "GERMANY", "GM", 51.0, 9.0, 0.04),
    ("IRN", "IRAN", "IR", 32.0, 53.0, 0.04),
    ("ISR", "ISRAEL", "IS", 31.5, 34.75, 0.04),
    ("", "", "", 0.0, 0.0, 0.24),  # GDELT rows often lack a country code for an actor
]
_TYPES = ["", "GOV", "MIL", "BUS", "MED", "CVL", "LEG", "COP"]
# (event code, root code, quad class, goldstein) — a realistic mix of CAMEO codes.
_EVENTS = [
    ("010", "01", 1, 0.0), ("036", "03", 1, 4.0), ("040", "04", 1, 1.0), ("042", "04", 1, 1.9),
    ("043", "04", 1, 2.8), ("051", "05", 1, 3.4), ("057", "05", 1, 8.0), ("0211", "02", 1, 3.4),
    ("061", "06", 2, 6.4), ("071", "07", 2, 7.4), ("081", "08", 2, 5.0), ("090", "09", 3, -2.0),
    ("111", "11", 3, -2.0), ("112", "11", 3, -2.0), ("120", "12", 3, -4.0), ("130", "13", 3, -4.4),
    ("138", "13", 3, -7.0), ("141", "14", 3, -6.5), ("150", "15", 4, -7.2),
    ("163", "16", 4, -8.0), ("172", "17", 4, -5.0), ("173", "17", 4, -5.0),
    ("190", "19", 4, -10.0), ("193", "19", 4, -10.0),
]  # fmt: skip
_EVENT_P = np.array(
    [14, 4, 10, 6, 6, 3, 2, 2, 2, 1, 1, 3, 4, 4, 2, 2, 1, 2, 1, 1, 2, 1, 3, 2], dtype=float
)


def generate_gdelt1(path: Path, rows: int, seed: int = 0, chunk: int = 1_000_000) -> int:
    """Write ``rows`` synthetic GDELT 1.0 events to ``path``; returns the bytes written.

    Vectorised: every column of a chunk is a numpy index into a small pool of strings,
    materialised with ``pyarrow.Array.take`` and written by pyarrow's C++ CSV writer, so 10M
    rows take well under a minute.
    """
    rng = np.random.default_rng(seed)
    ctry = pa.array([c[0] for c in _COUNTRIES])
    names = pa.array([c[1] for c in _COUNTRIES])
    fips = pa.array([c[2] for c in _COUNTRIES])
    lat = np.array([c[3] for c in _COUNTRIES])
    lon = np.array([c[4] for c in _COUNTRIES])
    cp = np.array([c[5] for c in _COUNTRIES])
    cp /= cp.sum()
    types = pa.array(_TYPES)
    ev_code = pa.array([e[0] for e in _EVENTS])
    ev_base = pa.array([e[0][:3] for e in _EVENTS])
    ev_root = pa.array([e[1] for e in _EVENTS])
    ev_quad = np.array([e[2] for e in _EVENTS], dtype=np.int8)
    ev_gold = np.array([e[3] for e in _EVENTS])
    ep = _EVENT_P / _EVENT_P.sum()
    day0 = np.datetime64("2015-01-01")
    ndays = int((np.datetime64("2025-12-31") - day0).astype(int))
    empty = pa.array([""])
    opts = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    written = 0
    with pacsv.CSVWriter(path, _schema(), write_options=opts) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            days = day0 + rng.integers(0, ndays, n).astype("timedelta64[D]")
            ymd = days.astype("datetime64[D]").astype(str)
            sqldate = np.char.replace(ymd, "-", "")
            year = days.astype("datetime64[Y]").astype(int) + 1970
            month = days.astype("datetime64[M]").astype(int) % 12 + 1
            a1 = rng.choice(len(_COUNTRIES), n, p=cp)
            a2 = rng.choice(len(_COUNTRIES), n, p=cp)
            t1 = rng.integers(0, len(_TYPES), n)
            t2 = rng.integers(0, len(_TYPES), n)
            ev = rng.choice(len(_EVENTS), n, p=ep)
            a1code = pa.compute.binary_join_element_wise(ctry.take(a1), types.take(t1), "")
            a2code = pa.compute.binary_join_element_wise(ctry.take(a2), types.take(t2), "")
            e = empty.take(np.zeros(n, dtype=np.int64))
            ment = rng.geometric(0.3, n).astype(np.int32)
            ids = np.arange(start, start + n, dtype=np.int64) + 400_000_000
            url_id = rng.integers(100_000, 999_999, n).astype(str)
            urls = pa.compute.binary_join_element_wise(
                "http://www.example-news.com/world/", pa.array(sqldate), "/story-", url_id, ""
            )
            cols = [
                pa.array(ids),
                pa.array(sqldate),
                pa.array((year * 100 + month).astype(np.int32)),
                pa.array(year.astype(np.int32)),
                pa.array(np.round(year + (month - 1) / 12.0 + 0.01, 4)),
                a1code, names.take(a1), ctry.take(a1), e, e, e, e, types.take(t1), e, e,
                a2code, names.take(a2), ctry.take(a2), e, e, e, e, types.take(t2), e, e,
                pa.array(rng.integers(0, 2, n).astype(np.int8)),
                ev_code.take(ev), ev_base.take(ev), ev_root.take(ev),
                pa.array(ev_quad[ev]), pa.array(ev_gold[ev]),
                pa.array(ment), pa.array(np.maximum(1, ment // 2).astype(np.int32)),
                pa.array(ment), pa.array(np.round(rng.normal(-1.0, 3.0, n), 4)),
                pa.array(np.full(n, 1, np.int8)), names.take(a1), fips.take(a1),
                fips.take(a1), pa.array(lat[a1]), pa.array(lon[a1]), fips.take(a1),
                pa.array(np.full(n, 1, np.int8)), names.take(a2), fips.take(a2),
                fips.take(a2), pa.array(lat[a2]), pa.array(lon[a2]), fips.take(a2),
                pa.array(np.full(n, 1, np.int8)), names.take(a1), fips.take(a1),
                fips.take(a1), pa.array(lat[a1]), pa.array(lon[a1]), fips.take(a1),
                pa.array(sqldate), urls,
            ]  # fmt: skip
            writer.write_batch(pa.RecordBatch.from_arrays(cols, schema=_schema()))
    written = path.stat().st_size
    return written


def _schema() -> pa.Schema:
    types = [pa.int64(), pa.string(), pa.int32(), pa.int32(), pa.float64()]
    types += [pa.string()] * 20
    types += [pa.int8(), pa.string(), pa.string(), pa.string(), pa.int8(), pa.float64()]
    types += [pa.int32(), pa.int32(), pa.int32(), pa.float64()]
    for _ in range(3):
        types += [pa.int8(), pa.string(), pa.string(), pa.string()]
        types += [pa.float64(), pa.float64(), pa.string()]
    types += [pa.string(), pa.string()]
    assert len(types) == 58
    return pa.schema([pa.field(f"c{i}", t) for i, t in enumerate(types)])


class _PeakRSS:
    """Samples this process's resident memory every 50 ms (psutil if present).

    ``ru_maxrss`` alone cannot separate phases of one process, so we sample the current RSS
    during each measured phase; ``ru_maxrss`` (lifetime peak) is printed as well.
    """

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil

            self._proc: object | None = psutil.Process()
        except ImportError:  # pragma: no cover - psutil is optional
            self._proc = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        if self._proc is not None:
            return int(self._proc.memory_info().rss)  # type: ignore[attr-defined]
        with open("/proc/self/statm") as f:  # pragma: no cover
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.05)

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def _pandas_baseline(path: Path) -> tuple[float, float, int]:
    """The naive approach: read the whole file with pandas, filter the dyad, group by month.

    Returns (wall seconds, CPU seconds, months)."""
    import pandas as pd

    t0, c0 = time.perf_counter(), time.process_time()
    df = pd.read_csv(
        path,
        sep="\t",
        header=None,
        usecols=[1, 7, 17, 26, 29, 30],
        names=None,
        dtype={1: str, 7: str, 17: str, 26: str, 29: "Int64", 30: float},
        keep_default_na=False,
        na_values=[""],
    )
    df.columns = ["date", "source", "target", "code", "quad", "goldstein"]
    pair = ((df.source == "USA") & (df.target == "PRK")) | (
        (df.source == "PRK") & (df.target == "USA")
    )
    sub = df[pair].copy()
    sub["month"] = pd.to_datetime(sub["date"], format="%Y%m%d").dt.to_period("M")
    out = sub.groupby("month").agg(events=("code", "size"), goldstein_mean=("goldstein", "mean"))
    return time.perf_counter() - t0, time.process_time() - c0, len(out)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark; returns the measured figures (used by the smoke test)."""
    from peninsula.events.analysis import dyad_series
    from peninsula.events.store import EventStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="200,000 rows")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-baseline", action="store_true", help="skip the pandas baseline")
    args = parser.parse_args(argv)
    rows = 200_000 if args.quick else args.rows
    out: dict[str, float] = {"rows": float(rows)}
    with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
        data = Path(tmp) / "20250101.export.CSV"
        t0 = time.perf_counter()
        size = generate_gdelt1(data, rows, seed=args.seed)
        print(f"generated {rows:,} GDELT 1.0 rows ({size / 1e6:,.0f} MB) in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        db = Path(tmp) / "events.duckdb"
        with _PeakRSS() as mem, EventStore(db) as store:
            load = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            report = store.ingest(data, fmt="gdelt1")
            t_ingest, c_ingest = time.perf_counter() - t0, time.process_time() - c0
        out["ingest_s"] = t_ingest
        out["ingest_rows_per_s"] = rows / t_ingest
        out["ingest_peak_rss_mb"] = mem.peak / 1e6
        out["ingest_cpu_s"] = c_ingest
        print(f"ingest: {report.added:,} rows added, {report.bad:,} bad, in {t_ingest:.2f} s "
              f"= {rows / t_ingest:,.0f} rows/s (target >= 500,000); "
              f"peak RSS {mem.peak / 1e6:,.0f} MB (target < 2,000 MB)")  # fmt: skip
        print(
            f"ingest CPU time {c_ingest:.2f} s (all threads) = {rows / c_ingest:,.0f} rows per "
            f"CPU-second; 1-min load average at start {load:.1f} on {os.cpu_count()} CPUs"
        )
        with EventStore(db) as store:
            t0 = time.perf_counter()
            series = store.dyad_series("USA", "PRK", "month")
            t_query = time.perf_counter() - t0
            t0 = time.perf_counter()
            events = store.dyad_events("USA", "PRK")
            dyad_series(events, "USA", "PRK", freq="month")
            t_fetch = time.perf_counter() - t0
        out["query_s"] = t_query
        out["fetch_and_pandas_s"] = t_fetch
        print(f"monthly USA-PRK series in SQL: {int(series['events'].sum()):,} events, "
              f"{len(series)} months in {t_query:.3f} s (target < 1 s); fetching the "
              f"events + pandas dyad_series instead: {t_fetch:.3f} s")  # fmt: skip
        if not args.no_baseline:
            with _PeakRSS() as mem:
                t_base, c_base, months = _pandas_baseline(data)
            out["baseline_s"] = t_base
            out["baseline_cpu_s"] = c_base
            out["baseline_peak_rss_mb"] = mem.peak / 1e6
            total = t_ingest + t_query
            print(
                f"pandas baseline (read_csv of 6 columns + filter + groupby): {t_base:.2f} s "
                f"wall, {c_base:.2f} s CPU, {months} months, peak RSS {mem.peak / 1e6:,.0f} MB"
            )
            print(
                f"ratios: baseline / (ingest + query) = {t_base / total:.2f}x wall, "
                f"{c_base / c_ingest:.2f}x CPU (baseline CPU / ingest CPU); "
                f"baseline / query on the store = {t_base / t_query:,.0f}x"
            )
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        print(f"process lifetime peak RSS (ru_maxrss): {maxrss:,.0f} MB")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
