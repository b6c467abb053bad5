"""KTAB's Spatial Model of Politics: hand-worked cases and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peninsula.errors import InputError
from peninsula.models import smp
from peninsula.models.base import stack_forecasts
from peninsula.models.registry import get_model
from peninsula.problem import BargainingProblem

from .builders import make_problem


def test_utility_risk_shapes() -> None:
    # v = 1 − |y − x̂|; u = v (1 + ρ (1 − v)). y = ½, x̂ = 0: v = ½.
    # ρ = 0 → ½; ρ = 1 (averse, concave) → ½ · 1½ = ¾; ρ = −1 (seeking) → ½ · ½ = ¼.
    u = smp.utility(np.array([[0.5]]), np.zeros((1, 3)), np.array([[0.0, 1.0, -1.0]]))
    assert u[0, :, 0] == pytest.approx([0.5, 0.75, 0.25])


def test_victory_probability_hand_worked() -> None:
    # Two voters with weights (2, ½) on options (0: u = (1, 0)), (1: u = (0, 1)):
    # proportional votes for 0 over 1: +2 and −½ → P = 2 / 2½ = 0.8 (Linear);
    # Square: 4 / (4 + ¼) = 16/17; binary: votes ±w, same here as proportional (|Δu| = 1).
    u = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    w = np.array([[2.0, 0.5]])
    assert smp.victory_probability(u, w, 0, 1.0)[0, 0, 1] == pytest.approx(0.8)
    assert smp.victory_probability(u, w, 0, 2.0)[0, 0, 1] == pytest.approx(16 / 17)
    assert smp.victory_probability(u, w, 1, 1.0)[0, 0, 1] == pytest.approx(0.8)
    assert smp.victory_probability(u, w, 0, 1.0)[0, 0, 0] == pytest.approx(0.5)


def test_markov_pce_two_options_equals_pairwise() -> None:
    # With two options the Markov fixed point p_0 = ½[pv00 · 2p_0 + pv01 (p_0 + p_1)] gives
    # p_0 = pv01; conditional: p ∝ (pv00 pv01, pv10 pv11) = (½·0.3, ½·0.7) → the same.
    pv = np.array([[[0.5, 0.3], [0.7, 0.5]]])
    avail = np.ones((1, 2), dtype=bool)
    assert smp.pce(pv, avail, True)[0] == pytest.approx([0.3, 0.7])
    assert smp.pce(pv, avail, False)[0] == pytest.approx([0.3, 0.7])


def test_markov_pce_three_options_hand_worked() -> None:
    # Option 0 beats 1 and 2 with 0.8, 1 beats 2 with 0.5. Fixed point of
    # p_m = (1/3) Σ_m' pv(m, m') (p_m + p_m'); check it by substituting back, and that an
    # unavailable option gets zero and the others renormalise to the two-option answer.
    pv = np.array([[[0.5, 0.8, 0.8], [0.2, 0.5, 0.5], [0.2, 0.5, 0.5]]])
    p = smp.pce(pv, np.ones((1, 3), dtype=bool), True)[0]
    again = np.array([sum(pv[0, m, k] * (p[m] + p[k]) for k in range(3)) / 3 for m in range(3)])
    assert again == pytest.approx(p)
    assert p.sum() == pytest.approx(1.0) and p[0] > p[1] == pytest.approx(p[2])
    p2 = smp.pce(pv, np.array([[True, True, False]]), True)[0]
    assert p2 == pytest.approx([0.8, 0.2, 0.0])


def test_two_actor_bargain_hand_worked() -> None:
    # Actor 0 at 0 (c = 2, s = 1), actor 1 at 1 (c = 1, s = ½); ρ = 0, ideals = positions.
    # Votes on (0:1) with w = c s = (2, ½): +2 and −½ → P_01 = 0.8, P_10 = 0.2.
    # Δ_01 = (1 − s_1) 2u_0(0) + s_1 [P_01 2u_0(0) + P_10 2u_0(1)] − [u_0(0) + u_0(1)]
    #      = ½·2 + ½·(1.6 + 0) − 1 = 0.8 > 0 → 0 challenges 1.
    # Δ_10 = (1 − s_0) 2 + s_0 [0.2·2 + 0] − 1 = −0.6 → 1 does not challenge.
    # Bargain: x_b = (1 − s_1) 0 + s_1 (0.8 · 0 + 0.2 · 1) = 0.1 for both.
    # Option contest (capability weights 2, 1), state values = mean utility of both positions:
    # SQ (0, 1): ½ for each actor. Bargain (0.1, 0.1): 0.9 for actor 0, 0.1 for actor 1.
    # Votes for the bargain: 2·0.4 = 0.8, against: 1·0.4 → P = 2/3 > ½: both take it.
    # Round 2: both at 0.1, nothing to challenge → converged after 1 round. Forecast 0.1.
    problem = make_problem([[0.0, 1.0]], [[1.0, 0.5]], [[2.0, 1.0]])
    forecast = get_model("smp").forecast(problem)
    assert forecast.trajectory[0, 1, :, 0] == pytest.approx([0.1, 0.1])
    assert forecast.rounds[0] == 1 and forecast.converged[0]
    assert forecast.outcome[0, 0] == pytest.approx(0.1)


def test_equal_rivals_stalemate() -> None:
    # Two identical actors at 0 and 1: P = ½, Δ = 0·2 + (½·2 + ½·0) − 1 = 0, no challenge pays.
    forecast = get_model("smp").forecast(make_problem([[0.0, 1.0]]))
    assert np.all(forecast.trajectory[0, -1, :, 0] == [0.0, 1.0])
    assert forecast.rounds[0] == 0 and forecast.converged[0]
    assert forecast.outcome[0, 0] == pytest.approx(0.5)  # PCE ½/½ expectation


def test_unanimous_issue_stays_put() -> None:
    problem = make_problem([[40.0, 40.0, 40.0]], lower=0, upper=100)
    forecast = get_model("smp").forecast(problem)
    assert forecast.outcome[0, 0] == pytest.approx(40.0)
    assert np.all(forecast.trajectory == 40.0)


def test_korea_scenario_converges_within_bounds() -> None:
    import peninsula
    from peninsula.scenario.arrays import to_problem

    problem = to_problem(peninsula.load_scenario("korea-2025"))
    forecast = get_model("smp").forecast(problem)
    assert np.all(forecast.trajectory >= problem.lower)
    assert np.all(forecast.trajectory <= problem.upper)
    assert forecast.converged.all()


@pytest.mark.parametrize("params", [{"gamma": 3.0}, {"vote_rule": 5.0}, {"pce": 0.5}, {"x": 1}])
def test_bad_params_are_input_errors(params: dict[str, float]) -> None:
    with pytest.raises(InputError):
        get_model("smp").forecast(make_problem([[0.0, 1.0]]), params)


# ----------------------------------------------------------------------------- invariants

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARAM_CHOICES = st.fixed_dictionaries(
    {
        "vote_rule": st.sampled_from([0.0, 1.0, 2.0]),
        "gamma": st.sampled_from([1.0, 2.0, 4.0]),
        "pce": st.sampled_from([0.0, 1.0]),
        "ideal_tracking": st.sampled_from([0.0, 1.0]),
        "outcome": st.sampled_from([0.0, 1.0, 2.0]),
    }
)


@st.composite
def random_problem(draw: st.DrawFn) -> BargainingProblem:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    b, n = draw(st.integers(1, 3)), draw(st.integers(2, 6))
    grid = draw(st.booleans())
    pos = rng.integers(0, 5, (b, n)) * 25.0 if grid else rng.uniform(0, 100, (b, n))
    return make_problem(
        pos.tolist(),
        rng.uniform(0.05, 1, (b, n)).tolist(),
        rng.uniform(0.1, 5, (b, n)).tolist(),
        lower=0.0,
        upper=100.0,
    )


@SETTINGS
@given(random_problem(), PARAM_CHOICES)
def test_positions_within_bounds_and_outcome_in_span(
    problem: BargainingProblem, params: dict[str, float]
) -> None:
    forecast = get_model("smp").forecast(problem, params)
    assert np.all(forecast.trajectory >= 0.0) and np.all(forecast.trajectory <= 100.0)
    final = forecast.trajectory[:, -1, :, 0]
    assert np.all(forecast.outcome[:, 0] >= final.min(axis=1) - 1e-9)
    assert np.all(forecast.outcome[:, 0] <= final.max(axis=1) + 1e-9)


@SETTINGS
@given(random_problem(), PARAM_CHOICES, st.floats(0, 100))
def test_powerless_actor_cannot_move_the_outcome(
    problem: BargainingProblem, params: dict[str, float], where: float
) -> None:
    b, n, _ = problem.position.shape
    extended = make_problem(
        np.concatenate([problem.position[:, :, 0], np.full((b, 1), where)], axis=1).tolist(),
        np.concatenate([problem.salience[:, :, 0], np.zeros((b, 1))], axis=1).tolist(),
        np.concatenate([problem.capability, np.zeros((b, 1))], axis=1).tolist(),
        lower=0.0,
        upper=100.0,
    )
    model = get_model("smp")
    base, more = model.forecast(problem, params), model.forecast(extended, params)
    assert np.allclose(base.outcome, more.outcome, atol=1e-7)
    assert np.allclose(base.trajectory[:, -1], more.trajectory[:, -1, :n], atol=1e-7)


@SETTINGS
@given(random_problem(), PARAM_CHOICES)
def test_batch_equals_per_row_and_is_deterministic(
    problem: BargainingProblem, params: dict[str, float]
) -> None:
    model = get_model("smp")
    whole = model.forecast(problem, params, np.random.default_rng(1))
    again = model.forecast(problem, params, np.random.default_rng(2))
    assert whole.trajectory.tobytes() == again.trajectory.tobytes()
    assert whole.outcome.tobytes() == again.outcome.tobytes()
    rows = stack_forecasts(
        [model.forecast(problem.take(slice(i, i + 1)), params) for i in range(problem.batch_size)]
    )
    assert np.allclose(whole.outcome, rows.outcome, atol=1e-9)
    assert np.allclose(whole.trajectory, rows.trajectory, atol=1e-9)
    assert np.array_equal(whole.rounds, rows.rounds)


def test_markov_pce_singular_system_falls_back_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # Force the batched solve to fail: each row must then give the same answer as alone.
    pv = np.array([[[0.5, 0.3], [0.7, 0.5]], [[0.5, 0.9], [0.1, 0.5]]])
    avail = np.ones((2, 2), dtype=bool)
    expected = smp.pce(pv, avail, True)
    real_solve = np.linalg.solve

    def fussy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim > 2:
            raise np.linalg.LinAlgError("singular")
        return real_solve(a, b)

    monkeypatch.setattr(np.linalg, "solve", fussy)
    assert smp.pce(pv, avail, True) == pytest.approx(expected)


# ------------------------------------------------- independent scalar re-implementation


def _round_scalar(x: list[float], s: list[float], c: list[float]) -> list[float]:
    """One SMP round written with Python scalars from the module docstring (defaults:
    proportional votes, γ = 1, Markov PCE solved by KTAB's own damped iteration, ρ = 0,
    ideals = positions). Independent of the vectorised code, for cross-checking it."""
    n = len(x)
    w = [c[i] * s[i] for i in range(n)]
    active = [wi > 0 for wi in w]

    def u(a: int, y: float) -> float:
        return max(0.0, 1.0 - abs(y - x[a]))

    def p_win(vals: list[list[float]], weights: list[float], m: int, m2: int) -> float:
        floor = 1e-10 * max(sum(weights), 1e-10)
        pro = floor + sum(weights[k] * max(vals[k][m] - vals[k][m2], 0.0) for k in range(n))
        con = floor + sum(weights[k] * max(vals[k][m2] - vals[k][m], 0.0) for k in range(n))
        return pro / (pro + con)

    pos_vals = [[u(a, x[i]) for i in range(n)] for a in range(n)]
    target: list[int | None] = [None] * n
    bargain = list(x)
    for i in range(n):
        best, best_gain = None, 1e-9
        for j in range(n):
            if j == i or not (active[i] and active[j]) or abs(x[i] - x[j]) <= 1e-9:
                continue
            pij = p_win(pos_vals, w, i, j)
            uii, uij = u(i, x[i]), u(i, x[j])
            gain = (1 - s[j]) * 2 * uii + s[j] * (pij * 2 * uii + (1 - pij) * 2 * uij) - (uii + uij)
            if gain > best_gain + 1e-9 or (
                best is not None and abs(gain - best_gain) <= 1e-9 and x[j] < x[best]
            ):
                best, best_gain = j, max(gain, best_gain)
        if best is not None:
            target[i] = best
            pij = p_win(pos_vals, w, i, best)
            bargain[i] = (1 - s[best]) * x[i] + s[best] * (pij * x[i] + (1 - pij) * x[best])
    n_act = max(sum(active), 1)

    def state_value(a: int, m: int | None) -> float:
        total = 0.0
        for k in range(n):
            if not active[k]:
                continue
            where = x[k]
            if m is not None and k in (m, target[m]):
                where = bargain[m]
            total += u(a, where)
        return total / n_act

    new = list(x)
    for k in range(n):
        options: list[int | None] = [None]
        options += [m for m in range(n) if target[m] is not None and k in (m, target[m])]
        if len(options) == 1 or not active[k]:
            continue
        vals = [[state_value(a, m) for m in options] for a in range(n)]
        size = len(options)
        pv = [[p_win(vals, c, m, m2) for m2 in range(size)] for m in range(size)]
        p = [1.0 / size] * size
        for _ in range(2000):
            q = [sum(pv[m][m2] * (p[m] + p[m2]) for m2 in range(size)) / size for m in range(size)]
            p = [(a + b) / 2 for a, b in zip(p, q, strict=True)]
        top = max(p)
        pick = next(i for i in range(size) if p[i] >= top - 1e-9)
        chosen = options[pick]
        if chosen is not None:
            new[k] = bargain[chosen]
    return new


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 5))
def test_round_matches_scalar_reimplementation(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    s = rng.uniform(0.05, 1, n)
    c = rng.uniform(0.1, 3, n)
    vectorised = smp.smp_round(
        x[None],
        x[None],
        s[None],
        c[None],
        np.zeros((1, n)),
        np.ones((1, n), dtype=bool),
        smp.DEFAULTS,
    )[0]
    assert vectorised == pytest.approx(_round_scalar(x.tolist(), s.tolist(), c.tolist()), abs=1e-9)
