"""The tutorial's YAML examples work as the tutorial says they do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peninsula import load_scenario
from peninsula.errors import InputError
from peninsula.scenario.arrays import to_problem

TUTORIAL = Path(__file__).parents[2] / "docs" / "tutorial" / "write-your-own-scenario.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", TUTORIAL.read_text(), flags=re.S)


def test_the_fishery_scenario_validates(tmp_path: Path) -> None:
    path = tmp_path / "fishery.yaml"
    path.write_text(BLOCKS[0])
    scenario = load_scenario(str(path))
    assert scenario.actor_ids == ("NORTH", "SOUTH", "MEDIATOR")
    problem = to_problem(scenario, policy="no-mediator")
    assert problem.position.shape == (1, 3, 1)
    assert problem.effective_capability[0, 2] == 0


def test_the_broken_fishery_error_is_as_documented(tmp_path: Path) -> None:
    path = tmp_path / "fishery.yaml"
    text = BLOCKS[0].replace("quota: {position: {value: 50,", "quota: {position: {value: 150,")
    path.write_text(text)
    documented = re.search(r"error: fishery\.yaml:(\d+): (\S+): (.*)", TUTORIAL.read_text())
    assert documented is not None
    with pytest.raises(InputError) as caught:
        load_scenario(str(path))
    (problem,) = caught.value.problems
    assert problem.line == int(documented.group(1))
    assert problem.field == documented.group(2)
    assert problem.message == documented.group(3)


def test_the_variant_extends_the_builtin(tmp_path: Path) -> None:
    path = tmp_path / "variant.yaml"
    path.write_text(BLOCKS[1])
    scenario = load_scenario(str(path))
    assert scenario.actor("RUS").capability.value == 50
    assert scenario.actor("PRK").stances["sanctions_relief"].salience.value == 0.4
    assert scenario.actor("PRK").stances["sanctions_relief"].position.value == 100
    assert len(scenario.policies) == len(load_scenario("korea-2025").policies)


def test_the_documented_forecasts_match_the_models(tmp_path: Path) -> None:
    """Section 6's table: the numbers are worked by hand in the tutorial; the models agree."""
    from peninsula.models.registry import get_model

    path = tmp_path / "fishery.yaml"
    path.write_text(BLOCKS[0])
    scenario = load_scenario(str(path))
    nominal, bilateral = to_problem(scenario), to_problem(scenario, policy="no-mediator")
    text = TUTORIAL.read_text()
    for name in ("median", "compromise", "nash"):
        documented = re.search(rf"^\| {name} \| ([\d.]+) \|", text, flags=re.M)
        assert documented is not None
        outcome = get_model(name).forecast(nominal).outcome[0, 0]
        assert round(float(outcome), 1) == float(documented.group(1))
    assert round(float(get_model("compromise").forecast(bilateral).outcome[0, 0]), 1) == 53.0
