"""Benchmark: start-up of the command line, as a ratio to a bare Python start in the same run.

Target (issue #10): ``peninsula --help`` and ``peninsula validate korea-2025`` under 0.3 s wall
each on 2 cores. Absolute times depend on the machine and its load, so every figure is also
given as a ratio to ``python -c pass`` timed in the same run, alternating with the commands
(the median of ``--repeat`` runs each). What the commands import is checked by
tests/cli/test_startup.py; this only times them. With ``PYTHONDONTWRITEBYTECODE`` set (the
header line says so) no ``.pyc`` is kept for an editable install, so every start also compiles
the peninsula modules it imports (one reason a command imports only its own module).

    python bench/bench_cli.py               # 7 repeats
    python bench/bench_cli.py --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

TARGET_S = 0.3
PEN = str(Path(sys.executable).with_name("peninsula"))
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "peninsula --help": [PEN, "--help"],
    "peninsula validate korea-2025": [PEN, "validate", "korea-2025"],
}


def _wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # warm the file cache once
        _wall(command)
    for _ in range(args.repeat):
        for name, command in COMMANDS.items():
            times[name].append(_wall(command))
    median = {name: statistics.median(values) for name, values in times.items()}
    baseline = median["python -c pass"]
    out: dict[str, float] = {"baseline_s": baseline}
    caching = "off" if sys.flags.dont_write_bytecode else "on"
    print(f"bytecode caching {caching}; median of {args.repeat} alternating runs")
    print(f"{'command':32} {'median s':>9} {'ratio':>7}  target < {TARGET_S} s")
    for name, value in median.items():
        ratio = value / baseline
        verdict = "" if name == "python -c pass" else ("ok" if value < TARGET_S else "over")
        print(f"{name:32} {value:9.3f} {ratio:7.1f}  {verdict}")
        out[name] = value
    return out


if __name__ == "__main__":
    main()
