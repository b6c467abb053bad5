"""KTAB's SMP under reflection of every scale (x -> lower + upper - x): what mirrors, and why
the forecast sometimes cannot.

Nothing in the SMP's arithmetic prefers one end of a scale. Only its tie rules do: the lowest
of exactly tied challenge targets, the first of exactly tied menu options, KTAB's 4-decimal
rounding of a bargain that lands exactly half-way (``test_properties.py`` lists the cases
hypothesis found). On *generic* inputs, where such exact ties have probability zero, every
actor's position in every turn mirrors, and so do the number of turns and convergence: that is
the first property below, under KTAB's defaults and the other parameter sets.

The forecast summarises the final positions with KTAB's final PCE over *distinct* positions:
positions closer than ``posTol`` (10⁻³ of the range) count as one, the first position of a scan
standing for the others (KTAB's ``ueIndices``; we scan in position order,
:func:`~peninsula.models.smp.position_classes`). On the mirrored scale the scan starts from the
other end, so where two final positions are within ``posTol`` without being equal the classes,
and with them the PCE, can differ: in 1,500 random problems per parameter set the forecast then
missed its mirror by up to 0.09 points of 0-100 issue by issue, and by up to 6.7 points in one
joint two-issue run (a cluster of four near positions counted as one position on one scale and
two on the other). That is KTAB's clustering (in actor order it is not even invariant to
relabelling), not fixed here. Where every pair of final positions is either equal or at least
``posTol`` apart the forecast mirrors, and the weighted-median summary (``outcome=2``), which
needs no classes, always does.

Why the inputs come from a seed: hypothesis shrinks floats towards 0 and round numbers, i.e.
towards exactly the tied, non-generic inputs where the property does not hold. Drawing a seed
and generating continuous values from it keeps every example generic, while hypothesis still
chooses sizes, parameter sets and seeds. Small problems (2-6 actors, 1-2 issues): each example
is two forecasts of a few milliseconds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from peninsula.models.base import Forecast
from peninsula.models.smp import _POS_TOL, MODEL, SIMPLIFIED, position_classes
from peninsula.problem import BargainingProblem, FloatArray

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Float rounding only: mirrored runs agreed to 1.4e-14 points in 4,500 random runs.
TRAJECTORY_TOL = 1e-9
#: The final PCE amplifies float rounding of mirrored positions: up to 8e-7 points observed
#: (``PWCompInterp``), i.e. 1e-8 of the range.
OUTCOME_TOL = 1e-6

PARAMETER_SETS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "simplified": dict(SIMPLIFIED),
    "joint": {"joint": 1},
    "S2PMax": {"interp": "S2PMax"},
    "PWCompInterp": {"bargain_model": "PWCompInterp"},
    "MarkovIncentive": {"pce": "MarkovIncentive"},
    "Stochastic": {"state_transitions": "Stochastic"},
}


@st.composite
def generic_problems(draw: st.DrawFn) -> BargainingProblem:
    """1-2 rows of 2-6 actors on 1-2 issues of 0-100 scales, continuous random values from a
    drawn seed (see the module docstring); some actors indifferent to an issue (spectators)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    b, n, k = draw(st.integers(1, 2)), draw(st.integers(2, 6)), draw(st.integers(1, 2))
    salience = rng.uniform(0.05, 1.0, (b, n, k))
    salience[rng.random((b, n, k)) < 0.15] = 0.0
    salience[:, 0, :] = np.maximum(salience[:, 0, :], 0.05)  # someone cares about every issue
    return BargainingProblem(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        issue_ids=tuple(f"i{j}" for j in range(k)),
        position=rng.uniform(0, 100, (b, n, k)),
        salience=salience,
        capability=rng.uniform(0.1, 10.0, (b, n)),
        status_quo=rng.uniform(0, 100, (b, k)),
        lower=np.zeros(k),
        upper=np.full(k, 100.0),
    )


def mirrored(problem: BargainingProblem) -> BargainingProblem:
    ends = problem.lower + problem.upper
    return replace(problem, position=ends - problem.position, status_quo=ends - problem.status_quo)


def both(problem: BargainingProblem, params: dict[str, Any]) -> tuple[Forecast, Forecast]:
    # The same generator seed on both scales: stochastic transitions draw the same numbers.
    return (
        MODEL.forecast(problem, params, np.random.default_rng(7)),
        MODEL.forecast(mirrored(problem), params, np.random.default_rng(7)),
    )


def unambiguous(final: FloatArray, joint: bool) -> bool:
    """No two final positions (0-100 units) closer than posTol without being equal: the
    distinct positions are the same classes whichever end the scan starts from. Distances as
    in :func:`position_classes` (Euclidean over the issues of a joint run, per issue else)."""
    x = final / 100.0
    groups = [x] if joint else [x[:, :, [j]] for j in range(x.shape[2])]
    for g in groups:
        gap = np.sqrt(((g[:, :, None, :] - g[:, None, :, :]) ** 2).sum(axis=-1))
        if ((gap > 1e-9) & (gap < _POS_TOL)).any():
            return False
    return True


@pytest.mark.parametrize("name", PARAMETER_SETS)
@SETTINGS
@given(problem=generic_problems())
def test_every_turn_mirrors(name: str, problem: BargainingProblem) -> None:
    f, g = both(problem, PARAMETER_SETS[name])
    np.testing.assert_array_equal(g.rounds, f.rounds)
    np.testing.assert_array_equal(g.converged, f.converged)
    np.testing.assert_allclose(g.trajectory, 100.0 - f.trajectory, atol=TRAJECTORY_TOL, rtol=0)


@pytest.mark.parametrize("name", ["defaults", "simplified", "joint", "S2PMax"])
@pytest.mark.parametrize("outcome", [0, 1])
@SETTINGS
@given(problem=generic_problems())
def test_forecast_mirrors_when_the_distinct_positions_are_unambiguous(
    name: str, outcome: int, problem: BargainingProblem
) -> None:
    params = {**PARAMETER_SETS[name], "outcome": outcome}
    f, g = both(problem, params)
    # About a third of random problems end with two positions within posTol (module docstring).
    assume(unambiguous(f.trajectory[:, -1], joint=name == "joint"))
    np.testing.assert_allclose(g.outcome, 100.0 - f.outcome, atol=OUTCOME_TOL, rtol=0)


@pytest.mark.parametrize("name", ["defaults", "simplified", "joint"])
@SETTINGS
@given(problem=generic_problems())
def test_weighted_median_summary_always_mirrors(name: str, problem: BargainingProblem) -> None:
    f, g = both(problem, {**PARAMETER_SETS[name], "outcome": 2})
    np.testing.assert_allclose(g.outcome, 100.0 - f.outcome, atol=OUTCOME_TOL, rtol=0)


def test_position_classes_follow_ktab_representatives_along_a_chain() -> None:
    # 0.5000, 0.5006, 0.5012 on [0, 1]: each neighbour within posTol = 0.001, the ends not.
    # KTAB's ueIndices compares each position with the representatives found so far: 0.5006
    # joins 0.5000, and 0.5012 (0.0012 from 0.5000) stands for itself. Before this was fixed
    # 0.5012 was assigned to 0.5006, itself no distinct position, so it dropped out of the
    # final PCE. Scanned from the other end (the mirrored scale) the chain splits the other
    # way: {0.5012, 0.5006} and {0.5000}.
    x = np.array([[[0.5000], [0.5006], [0.5012]]])
    on = np.ones((1, 3), dtype=bool)
    assert position_classes(x, on).tolist() == [[0, 0, 2]]
    assert position_classes(1.0 - x, on).tolist() == [[0, 2, 2]]


def test_positions_exactly_pos_tol_apart_are_distinct_on_both_scales() -> None:
    # KTAB rounds bargains to 4 decimals, so final positions exactly 10 × 10⁻⁴ apart are
    # common: here 0.8975 and 0.8985, mirrored 0.1025 and 0.1015 (as the mirrored run holds
    # them, k / 10⁴). Their float differences are 0.0010000000000000009 and
    # 0.000999999999999987: by KTAB's `diff < posTol` one pair would be one position and the
    # mirrored pair two, float rounding deciding. Exactly posTol apart is now "distinct".
    x = np.array([[[8975 / 1e4], [8985 / 1e4]]])
    mirror = np.array([[[1025 / 1e4], [1015 / 1e4]]])
    assert 1025 / 1e4 - 1015 / 1e4 < _POS_TOL < 8985 / 1e4 - 8975 / 1e4
    on = np.ones((1, 2), dtype=bool)
    assert position_classes(x, on).tolist() == [[0, 1]]
    assert position_classes(mirror, on).tolist() == [[0, 1]]
