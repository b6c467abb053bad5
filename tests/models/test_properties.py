"""Invariants every registered model must satisfy (hypothesis), parametrised over the registry.

Models that land later (eum, smp) are picked up automatically through ``available_models()``.
The invariants come from the issue: the forecast lies in the span of the influential actors'
positions, relabelling/reordering actors changes nothing, reflecting every scale reflects the
forecast (all but SMP), scaling all capabilities changes nothing, a unanimous issue stays put,
a seed determines the result, and the batch path equals the per-row path.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peninsula.models.base import Forecast, stack_forecasts
from peninsula.models.registry import available_models, get_model
from peninsula.problem import BargainingProblem

from .builders import reorder_actors

MODELS = available_models()
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TOL = 1e-6


@st.composite
def problems(draw: st.DrawFn, max_batch: int = 3) -> BargainingProblem:
    """Random problems on 0–100 scales; every (row, issue) has at least one participating actor
    with positive capability × salience. Positions are drawn from a coarse grid half the time so
    that ties (equal positions, exact half weights) are common."""
    b = draw(st.integers(1, max_batch))
    n = draw(st.integers(2, 6))
    k = draw(st.integers(1, 3))
    grid = draw(st.booleans())
    pos_values = st.integers(0, 10).map(lambda v: 10.0 * v) if grid else st.floats(0, 100)

    def arr(strategy: st.SearchStrategy[float], shape: tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape))
        return np.array(draw(st.lists(strategy, min_size=size, max_size=size))).reshape(shape)

    position = arr(pos_values, (b, n, k))
    salience = arr(st.one_of(st.just(0.0), st.floats(0.05, 1.0)), (b, n, k))
    capability = arr(st.floats(0.1, 10.0), (b, n))
    status_quo = arr(pos_values, (b, k))
    participating = arr(st.booleans(), (b, n)).astype(bool)
    risk = arr(st.one_of(st.just(float("nan")), st.floats(-1, 1)), (b, n))
    # Guarantee an influential participant everywhere: actor 0 or the first participant.
    participating[~participating.any(axis=1), 0] = True
    first = participating.argmax(axis=1)
    rows = np.arange(b)
    salience[rows, first, :] = np.maximum(salience[rows, first, :], 0.05)
    return BargainingProblem(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        issue_ids=tuple(f"i{j}" for j in range(k)),
        position=position,
        salience=salience,
        capability=capability,
        status_quo=status_quo,
        lower=np.zeros(k),
        upper=np.full(k, 100.0),
        risk=risk,
        participating=participating,
    )


def _run(name: str, problem: BargainingProblem, seed: int = 0) -> Forecast:
    return get_model(name).forecast(problem, rng=np.random.default_rng(seed))


def test_registry_has_the_static_models() -> None:
    assert MODELS[:3] == ("median", "compromise", "nash")


@pytest.mark.parametrize("name", MODELS)
@PROPERTY_SETTINGS
@given(problem=problems())
def test_shapes_and_labels(name: str, problem: BargainingProblem) -> None:
    f = _run(name, problem)
    b, n, k = problem.position.shape
    assert f.model == name
    assert f.actor_ids == problem.actor_ids and f.issue_ids == problem.issue_ids
    assert f.outcome.shape == (b, k) and np.all(np.isfinite(f.outcome))
    assert f.trajectory.ndim == 4 and f.trajectory.shape[0] == b
    assert f.trajectory.shape[2:] == (n, k)
    # Round 0 = the initial positions (up to rounding if a model works on a normalised scale).
    np.testing.assert_allclose(f.trajectory[:, 0], problem.position, atol=1e-9, rtol=0)
    assert f.rounds.shape == (b,) and np.issubdtype(f.rounds.dtype, np.integer)
    assert np.all((f.rounds >= 0) & (f.rounds <= f.trajectory.shape[1] - 1))
    assert f.converged.shape == (b,) and f.converged.dtype == np.bool_
    assert f.moved.shape == (b, n, k)
    if not get_model(name).dynamic:
        assert f.trajectory.shape[1] == 1 and not f.moved.any()


@pytest.mark.parametrize("name", MODELS)
@PROPERTY_SETTINGS
@given(problem=problems())
def test_forecast_within_span_of_influential_positions(
    name: str, problem: BargainingProblem
) -> None:
    f = _run(name, problem)
    influential = problem.participating[:, :, None] & (problem.salience > 0)
    low = np.where(influential, problem.position, np.inf).min(axis=1)
    high = np.where(influential, problem.position, -np.inf).max(axis=1)
    assert np.all(f.outcome >= low - TOL) and np.all(f.outcome <= high + TOL)


@pytest.mark.parametrize("name", MODELS)
@PROPERTY_SETTINGS
@given(problem=problems(), data=st.data())
def test_permuting_actors_changes_nothing(
    name: str, problem: BargainingProblem, data: st.DataObject
) -> None:
    perm = np.array(data.draw(st.permutations(range(problem.n_actors))))
    permuted = reorder_actors(problem, perm)
    f, g = _run(name, problem), _run(name, permuted)
    np.testing.assert_allclose(g.outcome, f.outcome, atol=TOL, rtol=0)
    assert g.actor_ids == permuted.actor_ids
    # Each actor's final position is the same, whatever its index.
    np.testing.assert_allclose(g.trajectory[:, -1], f.trajectory[:, -1][:, perm], atol=TOL)


#: SMP is left out here; ``test_smp_reflection.py`` states and tests what does mirror. Two
#: reasons of KTAB's (not fixed: they are KTAB's choices or ours for matching it):
#: - an actor takes the most probable option of its queue (Deterministic transitions), and
#:   exact ties between options are broken by rounding: with two equally capable actors on
#:   one issue (in one dimension salience does not enter the distance) staying put and the
#:   bargain can tie, and an actor at 0 against one at 53.5 moves while the mirrored actor at
#:   100 against 46.5 stays (hypothesis, 2026-11-29). This problem's grid inputs make such
#:   exact ties common;
#: - the forecast counts distinct final positions, grouping those within posTol (1e-3 of the
#:   range) by a scan from the lowest position (``smp.position_classes``, KTAB's ueIndices);
#:   on the mirrored scale the scan starts from the other end. On generic inputs every turn
#:   mirrors, and the forecast does unless two final positions are within posTol without
#:   being equal (then it missed by up to 0.09 points issue by issue in 1,500 problems).
REFLECTION_SYMMETRIC = tuple(name for name in MODELS if name != "smp")


@pytest.mark.parametrize("name", REFLECTION_SYMMETRIC)
@PROPERTY_SETTINGS
@given(problem=problems())
def test_reflecting_the_scales_reflects_the_forecast(name: str, problem: BargainingProblem) -> None:
    # Nothing in these models prefers one end of a scale: mirror every position and the status
    # quo about the middle of each issue's scale (x -> lower + upper - x) and every actor's
    # final position and the forecast mirror.
    ends = problem.lower + problem.upper
    mirrored = replace(
        problem, position=ends - problem.position, status_quo=ends - problem.status_quo
    )
    f, g = _run(name, problem), _run(name, mirrored)
    np.testing.assert_allclose(g.trajectory[:, -1], ends - f.trajectory[:, -1], atol=TOL, rtol=0)
    np.testing.assert_allclose(g.outcome, ends - f.outcome, atol=TOL, rtol=0)


def _mirrored(problem: BargainingProblem) -> BargainingProblem:
    ends = problem.lower + problem.upper
    return replace(problem, position=ends - problem.position, status_quo=ends - problem.status_quo)


#: The other values of the static models' and the exchange model's parameters (EUM's open
#: choices have their own reflection test in ``test_eum.py``). Left out, because it prefers an
#: end of the scale by construction: ``exchange.decide_bookkeeping = 1`` (decide's move limits
#: and tie order; it fails this test). Each listed set passed 300 examples when added.
REFLECTION_VARIANTS: list[tuple[str, dict[str, float]]] = [
    ("nash", {"disagreement": 0.0}),
    ("nash", {"utility": 0.0}),
    ("nash", {"disagreement": 0.0, "utility": 0.0, "salience_exponent": 0.0}),
    ("nash", {"salience_exponent": 2.0}),
    ("exchange", {"random_rate": 0.5}),
    ("exchange", {"salience_weight": 0.2, "fixed_weight": 0.3}),
]


@pytest.mark.parametrize(
    ("name", "params"), REFLECTION_VARIANTS, ids=[f"{n}-{p}" for n, p in REFLECTION_VARIANTS]
)
@PROPERTY_SETTINGS
@given(problem=problems())
def test_reflection_under_other_parameters(
    name: str, params: dict[str, float], problem: BargainingProblem
) -> None:
    # As above, for the parameters' other values. The random-rate exchange draws its rates
    # from the same seed on both scales.
    ends = problem.lower + problem.upper
    f = get_model(name).forecast(problem, params, rng=np.random.default_rng(3))
    g = get_model(name).forecast(_mirrored(problem), params, rng=np.random.default_rng(3))
    np.testing.assert_allclose(g.trajectory[:, -1], ends - f.trajectory[:, -1], atol=TOL, rtol=0)
    np.testing.assert_allclose(g.outcome, ends - f.outcome, atol=TOL, rtol=0)


@PROPERTY_SETTINGS
@given(problem=problems(), tie=st.sampled_from([0.0, 0.25, 1.0]))
def test_median_tie_rule_reflects_to_its_complement(problem: BargainingProblem, tie: float) -> None:
    # At an exact half-weight split the median forecasts lower + tie · (upper − lower median);
    # mirrored, the lower median is the original's upper one, so tie t becomes 1 − t (only the
    # default 0.5 is its own mirror, as test_reflecting_the_scales_reflects_the_forecast shows).
    ends = problem.lower + problem.upper
    f = get_model("median").forecast(problem, {"tie": tie})
    g = get_model("median").forecast(_mirrored(problem), {"tie": 1.0 - tie})
    np.testing.assert_allclose(g.outcome, ends - f.outcome, atol=TOL, rtol=0)


@pytest.mark.parametrize("name", MODELS)
@PROPERTY_SETTINGS
@given(problem=problems(), c=st.sampled_from([0.01, 0.5, 3.7, 1000.0]))
def test_scaling_capabilities_changes_nothing(
    name: str, problem: BargainingProblem, c: float
) -> None:
    scaled = replace(problem, capability=problem.capability * c)
    f, g = _run(name, problem), _run(name, scaled)
    np.testing.assert_allclose(g.outcome, f.outcome, atol=TOL, rtol=0)


@pytest.mark.parametrize("name", MODELS)
@PROPERTY_SETTINGS
@given(problem=problems(), spot=st.floats(0, 100))
def test_unanimous_issue_stays_put(name: str, problem: BargainingProblem, spot: float) -> None:
    unanimous = replace(problem, position=np.full_like(problem.position, spot))
    f = _run(name, unanimous)
    np.testing.assert_allclose(f.outcome, spot, atol=TOL, rtol=0)
    assert not f.moved.any()


@pytest.mark.parametrize("name", MODELS)
@PROPERTY_SETTINGS
@given(problem=problems(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_bytes(name: str, problem: BargainingProblem, seed: int) -> None:
    f, g = _run(name, problem, seed), _run(name, problem, seed)
    for field in ("outcome", "trajectory", "rounds", "converged"):
        assert getattr(f, field).tobytes() == getattr(g, field).tobytes(), field


@pytest.mark.parametrize("name", MODELS)
@PROPERTY_SETTINGS
@given(problem=problems(max_batch=4), seed=st.integers(0, 1000))
def test_batch_equals_per_row(name: str, problem: BargainingProblem, seed: int) -> None:
    batch = _run(name, problem, seed)
    rows = stack_forecasts(
        [_run(name, problem.take(np.array([b])), seed) for b in range(problem.batch_size)]
    )
    np.testing.assert_allclose(batch.outcome, rows.outcome, atol=1e-9, rtol=0)
    assert np.array_equal(batch.rounds, rows.rounds)
    assert np.array_equal(batch.converged, rows.converged)
    np.testing.assert_allclose(
        stack_forecasts([batch, rows]).trajectory[: problem.batch_size],
        stack_forecasts([rows, batch]).trajectory[problem.batch_size :],
        atol=1e-9,
        rtol=0,
    )
