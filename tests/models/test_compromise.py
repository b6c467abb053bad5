"""Compromise model (Achen 2006): capability × salience weighted mean, hand-worked."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from peninsula.errors import InputError
from peninsula.models.compromise import MODEL
from peninsula.problem import BargainingProblem

Make = Callable[..., BargainingProblem]


def test_weighted_mean(make_problem: Make) -> None:
    # Weights cap × sal = 1×1, 2×0.5, 1.5×1 = 1, 1, 1.5 (sum 3.5).
    # Mean = (10·1 + 50·1 + 90·1.5) / 3.5 = (10 + 50 + 135) / 3.5 = 195 / 3.5 = 55.714285...
    p = make_problem([10, 50, 90], capability=[1, 2, 1.5], salience=[1, 0.5, 1])
    assert MODEL.forecast(p).outcome[0, 0] == pytest.approx(195 / 3.5)


def test_excluded_actor_drops_out(make_problem: Make) -> None:
    # Excluding the actor at 90: (10·1 + 50·1) / 2 = 30.
    p = make_problem(
        [10, 50, 90],
        capability=[1, 2, 1.5],
        salience=[1, 0.5, 1],
        participating=[True, True, False],
    )
    assert MODEL.forecast(p).outcome[0, 0] == pytest.approx(30.0)


def test_nobody_weighted_keeps_status_quo(make_problem: Make) -> None:
    p = make_problem([10, 90], capability=[0, 0], status_quo=42)
    assert MODEL.forecast(p).outcome[0, 0] == 42.0


def test_takes_no_parameters(make_problem: Make) -> None:
    with pytest.raises(InputError, match="unknown parameter"):
        MODEL.forecast(make_problem([0, 1], capability=[1, 1]), {"alpha": 1.0})
