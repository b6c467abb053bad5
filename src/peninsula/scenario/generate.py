"""Generated scenarios for scale tests: many actors, several issues, reproducible from a seed.

Not a model of any real crisis: positions are uniform on a 0–100 scale, saliences uniform on
[0.1, 1], capabilities log-uniform over two orders of magnitude (a few strong actors, many
weak ones, as in real stakeholder lists), status quos uniform. Used to check that every model
and the forecast path cope with hundreds of actors (issue #11, deliverable 6); large test data
is generated in code, never shipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from peninsula.scenario.schema import Scenario


def generated_data(n_actors: int, n_issues: int, seed: int = 0) -> dict[str, Any]:
    """The scenario as plain data (what a YAML file would hold)."""
    if n_actors < 2 or n_issues < 1:
        raise ValueError("a generated scenario needs at least 2 actors and 1 issue")
    rng = np.random.default_rng(seed)
    position = rng.uniform(0, 100, (n_actors, n_issues)).round(1)
    salience = rng.uniform(0.1, 1.0, (n_actors, n_issues)).round(2)
    capability = (10 ** rng.uniform(0, 2, n_actors)).round(2)
    status_quo = rng.uniform(0, 100, n_issues).round(1)
    issues = [
        {
            "id": f"issue{j + 1}",
            "label": f"Generated issue {j + 1}",
            "scale": {
                "min": 0,
                "max": 100,
                "anchors": [{"at": 0, "label": "one end"}, {"at": 100, "label": "other end"}],
            },
            "status_quo": {"value": float(status_quo[j])},
        }
        for j in range(n_issues)
    ]
    actors = [
        {
            "id": f"A{i + 1:03d}",
            "name": f"Generated actor {i + 1}",
            "capability": {"value": float(capability[i])},
            "stances": {
                f"issue{j + 1}": {
                    "position": {"value": float(position[i, j])},
                    "salience": {"value": float(salience[i, j])},
                }
                for j in range(n_issues)
            },
        }
        for i in range(n_actors)
    ]
    return {
        "format_version": 1,
        "metadata": {
            "id": f"generated-{n_actors}x{n_issues}-s{seed}",
            "title": f"Generated scenario: {n_actors} actors, {n_issues} issues (seed {seed})",
            "as_of": dt.date(2026, 1, 1),
            "description": "Random numbers for scale tests; not a model of any real case.",
        },
        "issues": issues,
        "actors": actors,
    }


def generated_scenario(n_actors: int, n_issues: int, seed: int = 0) -> Scenario:
    """A validated :class:`Scenario` with ``n_actors`` actors and ``n_issues`` issues."""
    return Scenario.model_validate(generated_data(n_actors, n_issues, seed))
