"""Policies are declarative changes; applied to arrays they must do exactly what they say."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from peninsula.problem import BargainingProblem
from peninsula.scenario import load_scenario
from peninsula.scenario.arrays import apply_policy, to_problem
from peninsula.scenario.schema import Policy

MINIMAL = Path(__file__).parent / "data" / "minimal.yaml"


def _policy(*changes: dict[str, object]) -> Policy:
    return Policy.model_validate({"id": "p", "label": "p", "changes": list(changes)})


def test_to_problem_reads_nominal_values() -> None:
    problem = to_problem(load_scenario(str(MINIMAL)))
    assert problem.position.shape == (1, 2, 1)
    np.testing.assert_array_equal(problem.position[0, :, 0], [20, 80])
    np.testing.assert_array_equal(problem.salience[0, :, 0], [0.8, 0.5])
    np.testing.assert_array_equal(problem.capability[0], [60, 40])
    np.testing.assert_array_equal(problem.status_quo[0], [50])
    assert np.isnan(problem.risk).all()


def test_set_add_multiply_and_clip() -> None:
    problem = to_problem(load_scenario(str(MINIMAL)))
    changed = apply_policy(
        problem,
        _policy(
            {"actor": "A", "issue": "deal", "position": {"add": 15}},  # 20 + 15 = 35
            {"actor": "B", "issue": "deal", "salience": {"multiply": 3}},  # 0.5 * 3 = 1.5 -> 1
            {"actor": "B", "capability": 10},  # set
            {"issue": "deal", "status_quo": {"add": -70}},  # 50 - 70 = -20 -> 0
        ),
    )
    assert changed.position[0, 0, 0] == 35
    assert changed.salience[0, 1, 0] == 1.0
    assert changed.capability[0, 1] == 10
    assert changed.status_quo[0, 0] == 0
    assert problem.position[0, 0, 0] == 20, "the original problem must not change"


def test_setting_an_unset_outside_option() -> None:
    problem = to_problem(load_scenario(str(MINIMAL)))
    changed = apply_policy(problem, _policy({"actor": "A", "outside_option": 0.4}))
    assert changed.outside_option[0, 0] == 0.4
    assert np.isnan(changed.outside_option[0, 1])


def test_exclusion_zeroes_effective_capability() -> None:
    problem = to_problem(load_scenario(str(MINIMAL)), "p1")
    np.testing.assert_array_equal(problem.effective_capability[0], [60, 0])


def _batch(b: int, seed: int) -> BargainingProblem:
    rng = np.random.default_rng(seed)
    return BargainingProblem(
        actor_ids=("A", "B", "C"),
        issue_ids=("x", "y"),
        position=rng.uniform(0, 100, (b, 3, 2)),
        salience=rng.uniform(0, 1, (b, 3, 2)),
        capability=rng.uniform(0, 50, (b, 3)),
        status_quo=rng.uniform(0, 100, (b, 2)),
        lower=np.zeros(2),
        upper=np.full(2, 100.0),
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    add=st.floats(-300, 300),
    factor=st.floats(-5, 5),
)
def test_any_policy_keeps_every_value_admissible(seed: int, add: float, factor: float) -> None:
    problem = _batch(4, seed)
    changed = apply_policy(
        problem,
        _policy(
            {
                "actor": "A",
                "issue": "x",
                "position": {"add": add},
                "salience": {"multiply": factor},
            },
            {"actor": "B", "capability": {"multiply": factor}},
            {"actor": "C", "risk": {"add": add}},
            {"issue": "y", "status_quo": {"multiply": factor}},
        ),
    )
    assert ((changed.position >= 0) & (changed.position <= 100)).all()
    assert ((changed.salience >= 0) & (changed.salience <= 1)).all()
    assert (changed.capability >= 0).all()
    assert ((changed.status_quo >= 0) & (changed.status_quo <= 100)).all()
    set_risk = changed.risk[~np.isnan(changed.risk)]  # NaN means "unset" and stays allowed
    assert ((set_risk >= -1) & (set_risk <= 1)).all()
    assert not np.isnan(changed.risk[:, 2]).any()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), b=st.integers(1, 6))
def test_policy_on_a_batch_equals_policy_on_each_row(seed: int, b: int) -> None:
    problem = _batch(b, seed)
    policy = _policy(
        {"actor": "A", "issue": "x", "position": {"multiply": 0.5}}, {"exclude": ["C"]}
    )
    whole = apply_policy(problem, policy)
    for row in range(b):
        single = apply_policy(problem.take(slice(row, row + 1)), policy)
        np.testing.assert_array_equal(single.position[0], whole.position[row])
        np.testing.assert_array_equal(single.participating[0], whole.participating[row])
