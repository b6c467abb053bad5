"""Shared fixtures: a small two-actor scenario with every kind of uncertainty."""

from __future__ import annotations

from typing import Any

import pytest

from peninsula.scenario.schema import Scenario


def toy_dict() -> dict[str, Any]:
    scale = {"anchors": [{"at": 0, "label": "low"}, {"at": 100, "label": "high"}]}
    return {
        "metadata": {"id": "toy", "title": "Toy", "as_of": "2025-01-01"},
        "issues": [
            {
                "id": "denuclearisation",
                "label": "D",
                "scale": scale,
                "status_quo": {"value": 90, "uncertainty": [80, 100]},
            },
            {"id": "force_posture", "label": "F", "scale": scale, "status_quo": 75},
        ],
        "actors": [
            {
                "id": "USA",
                "name": "US",
                "capability": {"value": 100, "uncertainty": {"dist": "normal", "sd": 10}},
                "risk": {"value": 0.2, "uncertainty": {"dist": "triangular", "low": -1, "high": 1}},
                "stances": {
                    "denuclearisation": {
                        "position": {"value": 30, "uncertainty": [10, 50]},
                        "salience": {"value": 0.5, "uncertainty": {"dist": "normal", "sd": 0.4}},
                    },
                    "force_posture": {"position": 40, "salience": 0.5},
                },
            },
            {
                "id": "KOR",
                "name": "ROK",
                "capability": 30,
                "outside_option": {"value": 0.5, "uncertainty": [0.2, 0.8]},
                "stances": {
                    "denuclearisation": {"position": 20, "salience": 1.0},
                    "force_posture": {
                        "position": {
                            "value": 90,
                            "uncertainty": {
                                "dist": "triangular",
                                "low": 80,
                                "high": 100,
                                "mode": 95,
                            },
                        },
                        "salience": 0.5,
                    },
                },
            },
        ],
        "relations": [
            {
                "between": ["USA", "KOR"],
                "kind": "alliance",
                "strength": {"value": 0.8, "uncertainty": [0.6, 1.0]},
            }
        ],
        "policies": [
            {"id": "exclude-kor", "label": "Exclude Seoul", "changes": [{"exclude": ["KOR"]}]},
            {
                "id": "us-hawk",
                "label": "US hawk",
                "changes": [{"actor": "USA", "issue": "denuclearisation", "position": 0}],
            },
        ],
    }


@pytest.fixture
def toy() -> Scenario:
    return Scenario.model_validate(toy_dict())
