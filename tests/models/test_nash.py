"""Nash bargaining solution: the status-quo variant (``disagreement = 0``, the textbook threat
point) and the default breakdown variant (capability × salience weights, quadratic loss).
Hand-worked cases with the arithmetic in comments, an independent scipy root, properties."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peninsula.errors import InputError
from peninsula.models.nash import MODEL, nash_solution
from peninsula.problem import BargainingProblem

Make = Callable[..., BargainingProblem]

#: The status-quo variant as it was the default before issue #11: linear utility, w = c.
SQ: dict[str, float] = {"disagreement": 0.0, "utility": 0.0, "salience_exponent": 0.0}


def test_symmetric_linear_solution_is_at_the_kink(make_problem: Make) -> None:
    # sq = 0, parties at 40 and 100, weights 1, 1. Gains: g1 = 40 − |x − 40|, g2 = 100 − |x − 100|.
    # On (0, 40]: g1 = g2 = x, log-product 2·log x increases. On [40, 80): g1 = 80 − x, g2 = x,
    # derivative −1/(80 − x) + 1/x < 0 for x > 40. So x* = 40.
    p = make_problem([40, 100], capability=[1, 1], status_quo=0)
    assert MODEL.forecast(p, SQ).outcome[0, 0] == pytest.approx(40.0, abs=1e-9)


def test_asymmetric_weights(make_problem: Make) -> None:
    # As above with capabilities 1 and 3: on [40, 80) the first-order condition
    # −1/(80 − x) + 3/x = 0 gives 3(80 − x) = x, x* = 60.
    p = make_problem([40, 100], capability=[1, 3], status_quo=0)
    assert MODEL.forecast(p, SQ).outcome[0, 0] == pytest.approx(60.0, abs=1e-9)


def test_quadratic_utility(make_problem: Make) -> None:
    # Gains g1 = 40² − (x − 40)² = x(80 − x), g2 = 100² − (x − 100)² = x(200 − x).
    # d/dx [2 log x + log(80 − x) + log(200 − x)] = 0
    # -> 2(80 − x)(200 − x) = x(200 − x) + x(80 − x) -> 4x² − 840x + 32000 = 0
    # -> x² − 210x + 8000 = 0 -> x = (210 − 110) / 2 = 50 (the root 160 is infeasible).
    p = make_problem([40, 100], capability=[1, 1], status_quo=0)
    assert MODEL.forecast(p, {**SQ, "utility": 1.0}).outcome[0, 0] == pytest.approx(50.0, abs=1e-9)


def test_opposite_sides_keep_the_status_quo(make_problem: Make) -> None:
    # One party wants less than sq = 50, the other more: any move hurts someone.
    p = make_problem([20, 80], capability=[1, 1], status_quo=50)
    assert MODEL.forecast(p, SQ).outcome[0, 0] == 50.0


def test_party_at_status_quo_vetoes(make_problem: Make) -> None:
    p = make_problem([30, 80], capability=[1, 5], status_quo=30)
    assert MODEL.forecast(p, SQ).outcome[0, 0] == 30.0


def test_indifferent_and_excluded_actors_do_not_veto(make_problem: Make) -> None:
    # The actor at 0 is indifferent (salience 0), the one at 5 is excluded: neither is a party,
    # so the result is that of test_symmetric_linear_solution_is_at_the_kink.
    p = make_problem(
        [40, 100, 0, 5],
        capability=[1, 1, 9, 9],
        salience=[1, 1, 0, 1],
        participating=[True, True, True, False],
        status_quo=10,
    )
    # sq = 10 now: g1 = 30 − |x − 40| on (10, 70), g2 = 90 − |x − 100|. On (10, 40]: both equal
    # x − 10 (increasing); on [40, 70): −1/(70 − x) + 1/(x − 10) < 0 for x > 40. x* = 40.
    assert MODEL.forecast(p, SQ).outcome[0, 0] == pytest.approx(40.0, abs=1e-9)


def test_salience_exponent(make_problem: Make) -> None:
    # Salience 0.25 and 1. With exponent 0 (the SQ variant) salience only rescales utility, which
    # the Nash solution ignores: x* = 40 as in the symmetric case. With exponent 1 the weights
    # are 0.25 and 1: on [40, 80) −0.25/(80 − x) + 1/x = 0 -> 0.25x = 80 − x -> x* = 64.
    p = make_problem([40, 100], capability=[1, 1], salience=[0.25, 1.0], status_quo=0)
    assert MODEL.forecast(p, SQ).outcome[0, 0] == pytest.approx(40.0, abs=1e-9)
    assert MODEL.forecast(p, {**SQ, "salience_exponent": 1.0}).outcome[0, 0] == pytest.approx(
        64.0, abs=1e-9
    )


def test_mirror_image(make_problem: Make) -> None:
    # Reflecting the scale (x -> 100 − x) reflects the solution: 100 − 60 = 40.
    p = make_problem([60, 0], capability=[1, 3], status_quo=100)
    assert MODEL.forecast(p, SQ).outcome[0, 0] == pytest.approx(40.0, abs=1e-9)


def test_vectorised_function_mixed_batch() -> None:
    # Row 0 is the asymmetric case (-> 60), row 1 a two-sided one (-> status quo 50).
    position = np.array([[[40.0], [100.0]], [[20.0], [80.0]]])
    weight = np.array([[[1.0], [3.0]], [[1.0], [1.0]]])
    out = nash_solution(position, weight, np.array([[0.0], [50.0]]))
    np.testing.assert_allclose(out, [[60.0], [50.0]], atol=1e-9)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"utility": 2.0}, "nash.utility"),
        ({"salience_exponent": -1.0}, "nash.salience_exponent"),
        ({"iterations": 0.0}, "nash.iterations"),
        ({"disagreement": 0.5}, "nash.disagreement"),
    ],
)
def test_bad_parameters(make_problem: Make, params: dict[str, float], field: str) -> None:
    with pytest.raises(InputError, match=field):
        MODEL.forecast(make_problem([0, 1], capability=[1, 1]), params)


@settings(max_examples=60, deadline=None)
@given(
    # Subnormal positions (< 2.2e-308) are excluded: an interval of a few subnormals has no
    # interior point for bisection to return.
    positions=st.lists(st.floats(0, 100, allow_subnormal=False), min_size=2, max_size=5),
    data=st.data(),
    quadratic=st.booleans(),
)
def test_beats_a_brute_force_grid(
    positions: list[float], data: st.DataObject, quadratic: bool
) -> None:
    """Independent check: the Nash product at the solution is at least the best of a fine grid
    over the whole scale (infeasible points score −inf)."""
    n = len(positions)
    caps = data.draw(st.lists(st.floats(0.1, 10), min_size=n, max_size=n))
    sq = data.draw(st.floats(0, 100, allow_subnormal=False))
    pos = np.array(positions)
    w = np.array(caps)
    x = nash_solution(pos[None, :, None], w[None, :, None], np.array([[sq]]), quadratic)[0, 0]

    def objective(points: np.ndarray) -> np.ndarray:
        # Log-gains as log(r - d) [+ log(r + d) if quadratic], with the linear gain r - d written as
        # |x - sq| or |2p - sq - x| on the two sides of p, so that no cancellation turns a
        # tiny positive gain into 0 (hypothesis found positions like 1e-35).
        x = points[:, None]
        d = np.abs(x - pos)
        r = np.abs(sq - pos)
        same_side = np.sign(x - sq) == np.sign(pos - sq)
        linear = np.where(
            d <= r,
            np.where(same_side, np.minimum(np.abs(x - sq), np.abs(2 * pos - sq - x)), 0.0),
            r - d,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            log_gain = np.log(linear) + (np.log(r + d) if quadratic else 0.0)  # no underflow
            value = (w * log_gain).sum(axis=1)
        return np.where((linear > 0).all(axis=1), value, -np.inf)

    grid = np.linspace(0, 100, 20001)
    best = objective(grid).max()
    if np.isfinite(best):
        assert objective(np.array([x]))[0] >= best - 1e-9
    else:  # no grid point benefits everyone: the status quo stays (or a sliver was missed)
        assert x == sq or objective(np.array([x]))[0] > -np.inf


# ------------------------------------------------------------- the breakdown variant (default)


def test_two_symmetric_actors_meet_at_the_midpoint(make_problem: Make) -> None:
    # Scale 0–100, actors at 0 and 100, equal c and s: each one's worst end is the other's
    # position (D = 100), gains 100² − x² and 100² − (100 − x)²; symmetric, so x* = 50.
    # The status quo (20) plays no part: nobody holds a veto.
    p = make_problem([0, 100], capability=[1, 1], status_quo=20)
    assert MODEL.forecast(p).outcome[0, 0] == pytest.approx(50.0, abs=1e-9)


def test_two_actors_asymmetric_against_an_independent_root(make_problem: Make) -> None:
    # Weights c·s = 2 and 1, positions 0 and 1 on [0, 1]: maximise
    # 2 log(1 − x²) + log(1 − (1 − x)²); first-order condition
    # −4x / (1 − x²) + 2(1 − x) / (x (2 − x)) = 0, solved here by scipy's brentq.
    from scipy.optimize import brentq

    def foc(x: float) -> float:
        return -4 * x / (1 - x * x) + 2 * (1 - x) / (x * (2 - x))

    expected = brentq(foc, 1e-9, 1 - 1e-9, xtol=1e-14)
    p = make_problem([0, 1], capability=[2, 1], status_quo=0.5, lower=0, upper=1)
    assert MODEL.forecast(p).outcome[0, 0] == pytest.approx(expected, abs=1e-9)
    assert 0.39 < expected < 0.40  # closer to the stronger actor, not at the mean (1/3)


def test_equal_breakdown_distances_give_the_weighted_mean(make_problem: Make) -> None:
    # Closed form: actors at 40 and 60 on 0–100 have the same D = 60 and, by symmetry of the
    # gains about 50, G_1(x) = G_2(x) only at x = 50; with equal weights the first-order
    # condition Σ w (x − p) / G = 0 gives the weighted mean 50 exactly.
    p = make_problem([40, 60], capability=[3, 3], salience=[0.5, 0.5], status_quo=0)
    assert MODEL.forecast(p).outcome[0, 0] == pytest.approx(50.0, abs=1e-9)


def test_far_breakdown_tends_to_the_weighted_mean(make_problem: Make) -> None:
    # The link to the compromise model claimed in nash.py: the first-order condition
    # Σ w (x − p) / (D² − (x − p)²) = 0 tends to Σ w (x − p) = 0 as every D grows. Weights
    # c·s = 0.5, 2, 2.4 at 40, 55, 60: mean (20 + 110 + 144) / 4.9 = 55.918... On the scale
    # 0–100 the D differ (60, 55, 60) and the solution is off the mean. With the ends at ±L
    # the D_i still differ by up to the spread (20), so 1/D_i² differ relatively by about
    # 2·20/L and the error shrinks like spread²/L: about 100 times per factor 100 in L.
    positions, capability, salience = [40, 55, 60], [1, 2, 3], [0.5, 1.0, 0.8]
    mean = (0.5 * 40 + 2 * 55 + 2.4 * 60) / 4.9
    near = make_problem(positions, capability=capability, salience=salience, status_quo=50)
    assert abs(MODEL.forecast(near).outcome[0, 0] - mean) > 0.05
    errors = []
    for far_end in (1e3, 1e5, 1e7):
        far = make_problem(
            positions,
            capability=capability,
            salience=salience,
            status_quo=50,
            lower=-far_end,
            upper=far_end,
        )
        errors.append(abs(MODEL.forecast(far).outcome[0, 0] - mean))
    assert errors[0] < 0.1
    assert errors[1] < errors[0] / 50 and errors[2] < errors[1] / 50
    assert errors[2] < 1e-4


def test_actors_on_both_sides_of_the_status_quo_still_agree(make_problem: Make) -> None:
    # The case the status-quo variant freezes (parties at 20 and 80 around sq = 50): the
    # breakdown variant moves off the status quo when the weights are unequal. Weights 3 and
    # 1, D = 80 for both; FOC −3(x − 20)/(80² − (x − 20)²) − (x − 80)/(80² − (x − 80)²) = 0.
    from scipy.optimize import brentq

    def foc(x: float) -> float:
        return -3 * (x - 20) / (6400 - (x - 20) ** 2) - (x - 80) / (6400 - (x - 80) ** 2)

    p = make_problem([20, 80], capability=[3, 1], status_quo=50)
    assert MODEL.forecast(p, SQ).outcome[0, 0] == 50.0
    assert MODEL.forecast(p).outcome[0, 0] == pytest.approx(brentq(foc, 20.001, 79.999), abs=1e-7)


@settings(max_examples=80, deadline=None)
@given(
    positions=st.lists(st.floats(0, 100, allow_subnormal=False), min_size=2, max_size=6),
    data=st.data(),
    quadratic=st.booleans(),
)
def test_breakdown_solution_is_pareto_and_optimal(
    positions: list[float], data: st.DataObject, quadratic: bool
) -> None:
    """Properties: the solution lies in the hull of the parties' positions (in one dimension
    that is the Pareto set: outside it, moving towards the hull helps everyone) and its Nash
    product is at least that of every point of a fine grid over the scale."""
    from peninsula.models.nash import breakdown_solution

    n = len(positions)
    w = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=n, max_size=n)))
    pos = np.array(positions)
    lower, upper = np.array([0.0]), np.array([100.0])
    x = breakdown_solution(pos[None, :, None], w[None, :, None], lower, upper, quadratic)[0, 0]
    assert pos.min() - 1e-9 <= x <= pos.max() + 1e-9
    reach = np.maximum(pos - 0.0, 100.0 - pos)

    def objective(points: np.ndarray) -> np.ndarray:
        d = np.abs(points[:, None] - pos)
        gain = reach**2 - d**2 if quadratic else reach - d
        with np.errstate(divide="ignore"):
            return np.asarray((w * np.log(np.maximum(gain, 0.0))).sum(axis=1))

    grid = np.linspace(0, 100, 20001)
    assert objective(np.array([x]))[0] >= objective(grid).max() - 1e-7
