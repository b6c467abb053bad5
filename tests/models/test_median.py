"""Weighted median (Black 1948): hand-worked cases, the tie rule, exclusions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peninsula.errors import InputError
from peninsula.models.median import MODEL, weighted_median
from peninsula.problem import BargainingProblem

Make = Callable[..., BargainingProblem]


def test_clear_median(make_problem: Make) -> None:
    # Positions 10, 50, 90 with weights cap × sal = 1, 2, 1.5 (total 4.5, half 2.25).
    # Cumulative weight in position order: 1 (at 10), 3 (at 50) -> 50 is the first to reach 2.25.
    p = make_problem([10, 50, 90], capability=[1, 2, 1.5])
    assert MODEL.forecast(p).outcome[0, 0] == 50.0


def test_salience_enters_the_weight(make_problem: Make) -> None:
    # Capabilities 1, 2, 1.5 but salience 1, 0.25, 1: weights 1, 0.5, 1.5 (total 3, half 1.5).
    # Cumulative: 1 (at 10), 1.5 (at 50) -> exactly half: a tie between 50 and 90.
    p = make_problem([10, 50, 90], capability=[1, 2, 1.5], salience=[1, 0.25, 1])
    assert MODEL.forecast(p).outcome[0, 0] == 70.0  # midpoint (default tie = 0.5)
    assert MODEL.forecast(p, {"tie": 0.0}).outcome[0, 0] == 50.0  # lower weighted median
    assert MODEL.forecast(p, {"tie": 1.0}).outcome[0, 0] == 90.0  # upper weighted median


def test_tie_skips_zero_weight_actors(make_problem: Make) -> None:
    # Weights 2 (at 0), 0 (at 30: salience 0), 2 (at 100). Cumulative 2, 2, 4; half = 2.
    # The tie is between the weighted actors at 0 and 100, not the indifferent one at 30.
    p = make_problem([0, 30, 100], capability=[2, 5, 2], salience=[1, 0, 1])
    assert MODEL.forecast(p).outcome[0, 0] == 50.0


def test_excluded_actor_has_no_influence(make_problem: Make) -> None:
    # As test_clear_median, but the actor at 50 is excluded: weights 1, 0, 1.5 (half 1.25).
    # Cumulative: 1 (at 10), 1 (at 50), 2.5 (at 90) -> 90.
    p = make_problem([10, 50, 90], capability=[1, 2, 1.5], participating=[True, False, True])
    assert MODEL.forecast(p).outcome[0, 0] == 90.0


def test_nobody_weighted_keeps_status_quo(make_problem: Make) -> None:
    p = make_problem([10, 90], capability=[1, 1], salience=[0, 0], status_quo=33)
    assert MODEL.forecast(p).outcome[0, 0] == 33.0


def test_two_issues_are_independent(make_problem: Make) -> None:
    # Issue 0: weights 3, 1 at 20, 80 -> 20. Issue 1: same actors at 70, 10 -> 70.
    p = make_problem([[20, 70], [80, 10]], capability=[3, 1])
    np.testing.assert_array_equal(MODEL.forecast(p).outcome, [[20.0, 70.0]])


def test_vectorised_function_on_a_batch() -> None:
    # Row 0: weights 1,1,1 at 0, 10, 20 -> 10. Row 1: weights 5,1,1 -> 0.
    position = np.array([[[0.0], [10.0], [20.0]], [[0.0], [10.0], [20.0]]])
    weight = np.array([[[1.0], [1.0], [1.0]], [[5.0], [1.0], [1.0]]])
    out = weighted_median(position, weight, fallback=np.zeros((2, 1)))
    np.testing.assert_array_equal(out, [[10.0], [0.0]])


def test_bad_tie_parameter(make_problem: Make) -> None:
    p = make_problem([0, 1], capability=[1, 1])
    with pytest.raises(InputError, match="tie"):
        MODEL.forecast(p, {"tie": 2.0})
    with pytest.raises(InputError, match="unknown parameter 'ties'"):
        MODEL.forecast(p, {"ties": 0.0})


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.integers(0, 20).map(float), st.integers(0, 5).map(float)),
        min_size=1,
        max_size=7,
    ).filter(lambda v: sum(w for _, w in v) > 0),
    tie=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_minimises_weighted_absolute_distance(
    values: list[tuple[float, float]], tie: float
) -> None:
    """Independent definition: a weighted median minimises Σ w_i |x − p_i|; the minimum of
    this convex piecewise-linear function is attained at some actor's position."""
    pos = np.array([p for p, _ in values])
    w = np.array([w for _, w in values])
    x = weighted_median(pos[None, :, None], w[None, :, None], np.zeros((1, 1)), tie)[0, 0]

    def loss(point: float) -> float:
        return float((w * np.abs(point - pos)).sum())

    assert loss(x) == pytest.approx(min(loss(p) for p in pos), abs=1e-9)
