"""The built-in scenarios load, cover what the brief names, and cite a source for every number."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from peninsula import load_scenario
from peninsula.scenario import builtin_names
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.schema import Quantity, Scenario

BRIEF_ACTORS = {"USA", "PRK", "KOR", "JPN", "CHN", "RUS"}
BRIEF_ISSUES = {"denuclearisation", "sanctions_relief", "seoul_role", "force_posture"}


def _quantities(node: Any, path: str = "") -> list[tuple[str, Quantity]]:
    if isinstance(node, Quantity):
        return [(path, node)]
    found: list[tuple[str, Quantity]] = []
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += _quantities(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            found += _quantities(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            found += _quantities(item, f"{path}.{key}")
    return found


def test_both_builtins_are_listed() -> None:
    assert {"korea-2025", "korea-2018"} <= set(builtin_names())


@pytest.mark.parametrize("name", ["korea-2025", "korea-2018"])
def test_builtin_covers_the_brief(name: str) -> None:
    s = load_scenario(name)
    assert set(s.actor_ids) >= BRIEF_ACTORS
    assert set(s.issue_ids) >= BRIEF_ISSUES
    for actor_id in BRIEF_ACTORS:
        assert set(s.actor(actor_id).stances) >= BRIEF_ISSUES, actor_id


@pytest.mark.parametrize("name", ["korea-2025", "korea-2018"])
def test_every_number_names_a_source(name: str) -> None:
    s = load_scenario(name)
    quantities = _quantities(s)
    assert len(quantities) > 50
    unsourced = [path for path, q in quantities if not q.source]
    assert unsourced == []
    for relation in s.relations:
        assert relation.strength.source


def test_korea_2025_has_the_policies_the_brief_names() -> None:
    policies = {p.id for p in load_scenario("korea-2025").policies}
    assert policies == {
        "cvid-and-sanctions",
        "freeze-for-relief",
        "recognise-nuclear-state",
        "bilateral-summitry",
        "multilateral-framework",
    }


def test_korea_2018_records_observed_outcomes_for_backtests() -> None:
    s = load_scenario("korea-2018")
    assert all(issue.observed is not None for issue in s.issues)


def test_denuclearisation_scale_runs_from_cvid_to_recognition() -> None:
    scale = load_scenario("korea-2025").issue("denuclearisation").scale
    assert "CVID" in scale.nearest_anchor(0).label
    assert "freeze" in scale.nearest_anchor(48).label.lower()
    assert "nuclear-weapon state" in scale.nearest_anchor(100).label


def test_bilateral_summitry_sidelines_seoul() -> None:
    s = load_scenario("korea-2025")
    problem = to_problem(s, "bilateral-summitry")
    participating = dict(zip(s.actor_ids, problem.participating[0], strict=True))
    assert participating["USA"] and participating["PRK"]
    assert not participating["KOR"]
    # Sidelined actors keep their preferences, so their losses can still be measured.
    np.testing.assert_array_equal(problem.position[0, 2], to_problem(s).position[0, 2])


def test_scenarios_are_immutable(korea: Scenario | None = None) -> None:
    s = load_scenario("korea-2025")
    with pytest.raises(Exception, match="frozen"):
        s.actors[0].capability.value = 1  # type: ignore[misc]
