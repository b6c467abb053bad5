"""docs/how-to/use-from-python.md runs as written, top to bottom, as one session.

The page's sizes are names (RUNS, PATHS, OUT) so this test can run it small and fast; the
assertions check what the page says about each result.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

PAGE = Path(__file__).parents[2] / "docs" / "how-to" / "use-from-python.md"


def test_the_walk_through_runs_and_says_true_things(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)
    assert len(blocks) == 7
    session: dict[str, Any] = {"RUNS": 8, "PATHS": 50, "OUT": tmp_path / "out"}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), session)
    korea = session["korea"]
    assert repr(korea) in PAGE.read_text()  # the documented one-line summary
    assert "<table>" in korea._repr_html_()
    frame = session["frame"]
    assert list(frame.index.names) == ["model", "issue"] and len(frame) == 3 * len(korea.issues)
    assert session["eum"].outcome.shape == (len(korea.issues),)
    assert session["least_move"].params == {"eum": {"acceptance": 0.0}}
    rounds = session["rounds"]
    steps = session["least_move"]["eum"].trajectory.shape[0]
    assert len(rounds["position"]) == steps * len(korea.actors) * len(korea.issues)
    summary = session["summary"]
    assert list(summary.columns[:3]) == ["mean", "low", "high"]
    assert "<table" in session["experiment"]._repr_html_()
    assert list(session["risks"].columns[:3]) == ["mean", "low", "high"]
    assert "chart-forecast-outcomes" in session["figures"]
    assert session["policy_charts"] and len(session["fans"]) == len(session["crisis"].policies)
    written = {p.name for p in session["paths"]}
    assert {"report.html", "report.md", "report.json"} <= written
