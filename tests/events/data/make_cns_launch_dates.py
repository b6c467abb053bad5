"""Print the local (KST) launch dates of the CNS missile test database, 2017-01 to 2026-04.

Usage (not run in CI; needs a copy of the mirror):
    git -C nk-missile-tests show a0cc65874d36a4a0fdf16b73919d23a3a8f5dac5:data/test.en.json > t.json
    python tests/events/data/make_cns_launch_dates.py t.json
The output (after the header comment) is ``cns_launch_dates_a0cc658.txt``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys


def local_dates(records: list[dict[str, str]]) -> list[str]:
    timed: dict[tuple[str, str], str] = {}
    local: list[str] = []
    for r in records:
        if r["time"] != "unknown":
            hh, mm = (int(x) for x in r["time"].split()[0].split(":"))
            utc = dt.datetime.fromisoformat(r["date"]) + dt.timedelta(hours=hh, minutes=mm)
            timed.setdefault(
                (r["date"], r["description"][:40]), (utc + dt.timedelta(hours=9)).date().isoformat()
            )
    for r in records:
        if r["date"] == "2017-05-14" and r["missile"] == "hwasong-12":
            local.append("2017-05-14")  # KST date given with a UTC time in the database
        elif r["time"] != "unknown":
            hh, mm = (int(x) for x in r["time"].split()[0].split(":"))
            utc = dt.datetime.fromisoformat(r["date"]) + dt.timedelta(hours=hh, minutes=mm)
            local.append((utc + dt.timedelta(hours=9)).date().isoformat())
        else:
            local.append(timed.get((r["date"], r["description"][:40]), r["date"]))
    return sorted({d for d in local if "2017-01-01" <= d <= "2026-04-30"})


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        data = json.load(fh)
    rows = [r for b in data["timeBins"] for r in b["data"]]
    print("\n".join(local_dates(rows)))
