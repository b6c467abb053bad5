"""KTAB's final-state position probabilities, for checking SMP's distinct positions.

``make_golden.py`` records positions only (``smpc --logmin``). This script runs ``smpc``
with its full log on a few golden inputs and records, for the last turn, every actor's
position (table ``VectorPosition``) and the probability KTAB logs for it (the last column of
its ``<actor>, prob :`` lines, printed to 4 decimals: ``SMPState::pDist(-1)`` over the
distinct positions of ``ueIndices``). ``tests/models/test_smp_golden.py`` checks that
:func:`peninsula.models.smp.position_probabilities` with ``ktab_order=True`` gives each
distinct position the probability KTAB logs.

    .venv/bin/python tools/ktab/final_pce.py \\
        --smpc /work/ktab/src/examples/smp/smpc --ktab-doc /work/ktab/src/examples/smp/doc

writes ``tests/models/fixtures/ktab_final_pce.json`` (about 6 minutes; SOE-Competitive's full
log needed over 4 GB in ``smpc``). KTAB is built as in ``README.md``; it is never a dependency
of the package or of CI.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import make_golden as mg

from peninsula.models.smp import SMPParams

OUT = Path(__file__).parents[2] / "tests/models/fixtures/ktab_final_pce.json"
#: (case, parameter set): inputs whose final positions include near positions (within
#: posTol) that form chains, where the choice of representatives matters.
RUNS = [("SOE-Policy", "default"), ("SOE-Policy", "simplified"), ("SOE-Competitive", "default")]
_PROB = re.compile(r"\] (.+), prob : (.*)$")


def run(smpc: Path, case: mg.Case, set_name: str, work: Path) -> dict[str, object]:
    params = SMPParams.from_mapping(mg.PARAM_SETS[set_name]).ktab_names()
    stem = f"{case.name}__{set_name}"
    (work / f"{stem}.xml").write_text(mg.to_xml(case, params))
    command = [str(smpc), "--xml", f"{stem}.xml", "--connstr", f"Driver=QSQLITE;Database={stem}"]
    done = subprocess.run(command, cwd=work, check=True, capture_output=True, timeout=3600)
    log = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    probs: dict[str, float] = {}
    for line in log.splitlines():
        match = _PROB.search(line)
        if match:  # later lines (later logs of the same table) overwrite earlier ones
            probs[match.group(1).strip()] = float(match.group(2).split()[-1])
    with sqlite3.connect(work / f"{stem}.db") as con:
        last = con.execute("SELECT MAX(Turn_t) FROM VectorPosition").fetchone()[0]
        rows = con.execute(
            "SELECT Act_i, Dim_k, Pos_Coord FROM VectorPosition WHERE Turn_t = ?", (last,)
        ).fetchall()
    final = [[0.0] * len(case.dims) for _ in case.actors]
    for a, k, v in rows:
        final[a][k] = v
    missing = [a for a in case.actors if a not in probs]
    if missing:
        raise RuntimeError(f"no final probability logged for {missing} in {stem}")
    return {
        "case": case.name,
        "parameter_set": set_name,
        "command": " ".join(["smpc", "--xml", f"{stem}.xml", "--connstr", f'"{command[-1]}"']),
        "actors": case.actors,
        "capability": case.capability,
        "salience": case.salience,
        "final": final,
        "ktab_probability": [probs[a] for a in case.actors],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smpc", type=Path, required=True)
    parser.add_argument("--ktab-doc", type=Path, required=True)
    args = parser.parse_args()
    cases = {c.name: c for c in mg.all_cases(args.ktab_doc)}
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run(args.smpc, cases[name], set_name, Path(tmp)) for name, set_name in RUNS]
    OUT.write_text(json.dumps({"source": "tools/ktab/final_pce.py", "runs": runs}, indent=1))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
