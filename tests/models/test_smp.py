"""KTAB's Spatial Model of Politics: hand-worked pieces, parameters and invariants.

The end-to-end comparison with KTAB's ``smpc`` is ``test_smp_golden.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peninsula.errors import InputError
from peninsula.models import smp
from peninsula.models.base import stack_forecasts
from peninsula.models.registry import get_model

from .builders import make_problem

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------ primitives


def test_voting_rules_hand_worked() -> None:
    w, du = np.array(2.0), np.array([-0.5, 0.0, 0.25])
    assert smp.vote(smp.VotingRule.PROPORTIONAL, w, du) == pytest.approx([-1.0, 0.0, 0.5])
    assert smp.vote(smp.VotingRule.BINARY, w, du) == pytest.approx([-2.0, 0.0, 2.0])
    # PropBin: w (0.8 du + 0.2 sign): 2 (−0.4 − 0.2) = −1.2; 2 (0.2 + 0.2) = 0.8
    assert smp.vote(smp.VotingRule.PROP_BIN, w, du) == pytest.approx([-1.2, 0.0, 0.8])
    # Cubic: 2 du³ = −0.25, 0.03125; PropCbc: 2 (½ du + ½ du³) = −0.625, 0.265625
    assert smp.vote(smp.VotingRule.CUBIC, w, du) == pytest.approx([-0.25, 0.0, 0.03125])
    assert smp.vote(smp.VotingRule.PROP_CUBIC, w, du) == pytest.approx([-0.625, 0.0, 0.265625])
    # ASymProsp: a loss counts fully, a gain 2/3: −1, 0, 1/3
    assert smp.vote(smp.VotingRule.ASYM_PROSPECT, w, du) == pytest.approx([-1.0, 0.0, 1 / 3])


def test_coalitions_and_victory_probability_hand_worked() -> None:
    # Voters with capability (2, ½) on options 0 (u = 1, 0) and 1 (u = 0, 1): the coalition for
    # 0 over 1 is 1e-8 + 2, against it 1e-8 + ½ → Linear P = 0.8; Square 4/(4 + ¼) = 16/17.
    u = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    c = smp.coalitions(u, np.array([[2.0, 0.5]]), smp.VotingRule.PROPORTIONAL)
    np.testing.assert_allclose(c[0], [[1e-8, 2.0 + 1e-8], [0.5 + 1e-8, 1e-8]], rtol=1e-12)
    assert smp.victory_probability(c, smp.VictoryProb.LINEAR)[0, 0, 1] == pytest.approx(0.8)
    assert smp.victory_probability(c, smp.VictoryProb.SQUARE)[0, 0, 1] == pytest.approx(16 / 17)
    # Binary: 2 >= 1.1 · ½, a sure win (1 against 1e-6).
    binary = smp.victory_probability(c, smp.VictoryProb.BINARY)[0]
    assert binary[0, 1] == pytest.approx(1 / (1 + 1e-6)) and binary[1, 0] == pytest.approx(
        1e-6, rel=1e-3
    )
    assert smp.victory_probability(c, smp.VictoryProb.LINEAR)[0, 0, 0] == 0.5


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.integers(2, 6), st.sampled_from(list(smp.VictoryProb)))
def test_victory_probabilities_are_complementary(seed: int, m: int, model: smp.VictoryProb) -> None:
    rng = np.random.default_rng(seed)
    u = rng.uniform(0, 1, (2, 4, m))
    c = smp.coalitions(u, rng.uniform(0.1, 5, (2, 4)), smp.VotingRule.PROPORTIONAL)
    p = smp.victory_probability(c, model)
    np.testing.assert_allclose(p + np.swapaxes(p, 1, 2), 1.0, atol=1e-12)


def test_pce_two_options_is_the_pairwise_probability() -> None:
    # Conditional: p ∝ (½ · 0.3, 0.7 · ½). Markov uniform: p_0 = ½ [½ · 2 p_0 + 0.3 (p_0 + p_1)]
    # → p_0 = 0.3. Markov incentive: only 1 has an incentive to challenge 0 (0.7 · C_10) and
    # 0 to challenge 1 (0.3 · C_01); with C = (3, 7) the chain also gives p = (0.3, 0.7)...
    pv = np.array([[[0.5, 0.3], [0.7, 0.5]]])
    c = np.array([[[1e-8, 3.0], [7.0, 1e-8]]])
    avail = np.ones((1, 2), dtype=bool)
    assert smp.pce(pv, c, avail, smp.PCEModel.CONDITIONAL)[0] == pytest.approx([0.3, 0.7])
    assert smp.pce(pv, c, avail, smp.PCEModel.MARKOV_UNIFORM)[0] == pytest.approx(
        [0.3, 0.7], abs=1e-5
    )
    # ... checked by substitution: stationary p of the incentive chain (see markovIncentivePCE):
    # challenge probabilities χ(i→j) ∝ C_ij P_ij per column j: χ(1→0) = 4.9/(4.9+ε) ≈ 1,
    # χ(0→1) = 0.9/0.9 ≈ 1; q_0 = P_00 · 2 p_0 χ00 + P_01 (p_0 χ10 + p_1 χ01) = 0.3 (p_0 + p_1)
    # → p_0 = 0.3.
    assert smp.pce(pv, c, avail, smp.PCEModel.MARKOV_INCENTIVE)[0] == pytest.approx(
        [0.3, 0.7], abs=1e-6
    )


def test_conditional_pce_three_options_hand_worked() -> None:
    # Π_j P_ij: (½ · 0.8 · 0.8, 0.2 · ½ · 0.5, 0.2 · 0.5 · ½) = (0.32, 0.05, 0.05) / 0.42
    pv = np.array([[[0.5, 0.8, 0.8], [0.2, 0.5, 0.5], [0.2, 0.5, 0.5]]])
    c = np.ones((1, 3, 3))
    p = smp.pce(pv, c, np.ones((1, 3), dtype=bool), smp.PCEModel.CONDITIONAL)[0]
    assert p == pytest.approx([0.32 / 0.42, 0.05 / 0.42, 0.05 / 0.42])
    # Option 2 unavailable: (½ · 0.8, 0.2 · ½) / 0.5 = (0.8, 0.2), and p_2 = 0.
    p2 = smp.pce(pv, c, np.array([[True, True, False]]), smp.PCEModel.CONDITIONAL)[0]
    assert p2 == pytest.approx([0.8, 0.2, 0.0])


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.integers(2, 7), st.sampled_from(list(smp.PCEModel)))
def test_pce_is_a_distribution_and_markov_is_a_fixed_point(
    seed: int, m: int, model: smp.PCEModel
) -> None:
    rng = np.random.default_rng(seed)
    u = rng.uniform(0, 1, (3, 5, m))
    c = smp.coalitions(u, rng.uniform(0.1, 5, (3, 5)), smp.VotingRule.PROPORTIONAL)
    pv = smp.victory_probability(c, smp.VictoryProb.LINEAR)
    avail = rng.random((3, m)) < 0.8
    avail[:, 0] = True
    p = smp.pce(pv, c, avail, model)
    assert np.all(p >= 0) and np.all(p[~avail] == 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    if model == smp.PCEModel.MARKOV_UNIFORM:
        # p_i = (1/N) Σ_j P_ij (p_i + p_j) over the N available options, to KTAB's 1e-6.
        for row in range(3):
            a = np.flatnonzero(avail[row])
            q = [sum(pv[row, i, j] * (p[row, i] + p[row, j]) for j in a) / a.size for i in a]
            np.testing.assert_allclose(q, p[row, a], atol=1e-5)


def test_big_r_ranges_hand_worked() -> None:
    # p = (0.1, 0.3, 0.6): Mid maps p_min → −½ and p_max → 1, linear between:
    # (3 · 0.3 − (0.6 + 0.2)) / (2 · 0.5) = 0.1. Min: (0, 0.4, 1). Max: (−1, −0.2, 1).
    p = np.array([[0.1, 0.3, 0.6]])
    active = np.ones((1, 3), dtype=bool)
    assert smp.big_r(p, active, smp.BigRRange.MID)[0] == pytest.approx([-0.5, 0.1, 1.0])
    assert smp.big_r(p, active, smp.BigRRange.MIN)[0] == pytest.approx([0.0, 0.4, 1.0])
    assert smp.big_r(p, active, smp.BigRRange.MAX)[0] == pytest.approx([-1.0, -0.2, 1.0])
    # Equal probabilities (KTAB would divide by zero): everyone risk neutral.
    assert smp.big_r(np.full((1, 3), 1 / 3), active, smp.BigRRange.MID)[0] == pytest.approx(0)


def test_estimated_risk_and_utility_hand_worked() -> None:
    rh, ri = np.array(0.6), np.array(-0.3)
    assert smp.est_nra(rh, ri, smp.BigRAdjust.ONE_THIRD) == pytest.approx(0.3)  # (1.2 − 0.3)/3
    assert smp.est_nra(rh, ri, smp.BigRAdjust.HALF) == pytest.approx(0.15)
    assert smp.est_nra(rh, ri, smp.BigRAdjust.TWO_THIRDS) == pytest.approx(0.0)
    assert smp.est_nra(rh, ri, smp.BigRAdjust.FULL) == pytest.approx(-0.3)
    assert smp.est_nra(rh, ri, smp.BigRAdjust.NONE) == pytest.approx(0.6)
    # (1 − d)(1 + d R): d = ½, R = 1 → ¾ (risk averse, concave); R = −½ → ⅜; ends 1 and 0.
    d = np.array([0.0, 0.5, 0.5, 1.0])
    r = np.array([1.0, 1.0, -0.5, 1.0])
    assert smp.bs_util(d, r) == pytest.approx([1.0, 0.75, 0.375, 0.0])


def test_salience_weighted_distance_hand_worked() -> None:
    # Ideal (0, 0) with saliences (0.6, 0.2) to (0.5, 1): sqrt((0.3² + 0.2²) / (0.36 + 0.04))
    # = sqrt(0.13 / 0.4) = sqrt(0.325).
    ideal = np.array([[[0.0, 0.0]]])
    pos = np.array([[[0.5, 1.0]]])
    sal = np.array([[[0.6, 0.2]]])
    assert smp.distance(ideal, pos, sal)[0, 0, 0] == pytest.approx(np.sqrt(0.325))


def test_bargain_interpolation_endpoints_and_rounding() -> None:
    t_i, t_j, one = np.array(0.2), np.array(0.8), np.array(1.0)
    # A sure winner (P_i = 1, P_j = 0) keeps its position and the loser adopts it (to 1e-6).
    b_i, b_j = smp.interpolate(t_i, one, one, t_j, one, 0 * one, smp.InterVecBrgn.S2P2)
    assert (b_i, b_j) == (pytest.approx(0.2), pytest.approx(0.2))
    # Nobody cares (s = 0): both stay where they are (the 1e-6 keeps 0/0 away).
    b_i, b_j = smp.interpolate(t_i, 0 * one, one, t_j, 0 * one, one, smp.InterVecBrgn.S2P2)
    assert (b_i, b_j) == (pytest.approx(0.2), pytest.approx(0.8))
    # S2P2 with s = 1, P = (0.75, 0.25): w = (0.5625, 0.0625) → (0.5625 · 0.2 + 0.0625 · 0.8)
    # / 0.625 = 0.26 for both (up to 1e-6), rounded to 4 decimals.
    half = np.array(0.75)
    b_i, b_j = smp.interpolate(t_i, one, half, t_j, one, 1 - half, smp.InterVecBrgn.S2P2)
    assert b_i == pytest.approx(0.26) and b_j == pytest.approx(0.26)
    assert float(b_i * 1e4) == pytest.approx(round(float(b_i * 1e4)))
    # S1P1: w = (0.75, 0.25) → 0.2 · 0.75 + 0.8 · 0.25 = 0.35
    b_i, _ = smp.interpolate(t_i, one, half, t_j, one, 1 - half, smp.InterVecBrgn.S1P1)
    assert b_i == pytest.approx(0.35)


def _three_actor_contest(commit: smp.ThirdPartyCommit) -> float:
    """i at 0, j at 1, third party n at ¼; one dimension, s = 1, c = 1, risk neutral."""
    prm = smp.SMPParams(third_party_commit=commit)
    one = np.array(1.0)
    return float(
        smp._contest(
            one,
            0 * one,
            0 * one,
            one,
            np.array([0.75]),
            np.array([0.25]),
            np.array([1.0]),
            one,
            one,
            np.array([1.0]),
            np.array([True]),
            prm,
        )
    )


def test_third_party_commitment_hand_worked() -> None:
    # Principals: i votes +1, j votes −1. n's little contest: it prefers i by 0.75 − 0.25 = ½,
    # so P(i wins) = 1.5 / 2.5 = 0.6.
    # SemiCommit: u(ik > j) = 2u_ni + u_nn = 2.5, u(j > ik) = 3u_nj = 0.75, u(i > jk) = 3u_ni
    # = 2.25, u(jk > i) = 2u_nj + u_nn = 1.5; joining i: 0.6 · 2.5 + 0.4 · 0.75 = 1.8, joining
    # j: 0.6 · 2.25 + 0.4 · 1.5 = 1.95 → n votes −0.15: P = 1 / 2.15.
    assert _three_actor_contest(smp.ThirdPartyCommit.SEMI_COMMIT) == pytest.approx(1 / 2.15)
    # FullCommit (3u either way) and NoCommit (2u + u_nn either way): no stake, P = ½.
    assert _three_actor_contest(smp.ThirdPartyCommit.FULL_COMMIT) == pytest.approx(0.5)
    assert _three_actor_contest(smp.ThirdPartyCommit.NO_COMMIT) == pytest.approx(0.5)


# ------------------------------------------------------------------------------ parameters


def test_defaults_are_ktabs() -> None:
    assert smp.SMPParams().ktab_names() == {
        "VictoryProbModel": "Linear",
        "VotingRule": "Prop",
        "PCEModel": "Conditional",
        "StateTransitions": "Deterministic",
        "BigRRange": "Mid",
        "BigRAdjust": "OneThird",
        "ThirdPartyCommit": "SemiCommit",
        "InterVecBrgn": "S2P2",
        "BargnModel": "InitOnlyInterp",
    }
    prm = smp.SMPParams()
    assert (prm.max_rounds, prm.min_rounds, prm.stop_ratio) == (100, 2, 0.02)
    assert smp.SMPParams.from_mapping(smp.DEFAULTS) == prm  # the numeric form round-trips


def test_params_by_code_or_ktab_name() -> None:
    by_name = smp.SMPParams.from_mapping({"pce": "MarkovUniform", "max_rounds": 7.0})
    by_code = smp.SMPParams.from_mapping({"pce": 2.0, "max_rounds": 7})
    assert by_name == by_code and by_name.pce is smp.PCEModel.MARKOV_UNIFORM
    with pytest.raises(AttributeError):
        by_name.pce = smp.PCEModel.CONDITIONAL  # type: ignore[misc]


@pytest.mark.parametrize(
    "params",
    [
        {"pce": 3.0},
        {"pce": "Markov"},
        {"voting_rule": 0.5},
        {"joint": 2.0},
        {"max_rounds": -1.0},
        {"stop_ratio": -0.1},
        {"gamma": 2.0},
    ],
)
def test_bad_params_are_input_errors(params: dict[str, float]) -> None:
    with pytest.raises(InputError):
        get_model("smp").forecast(make_problem([[0.0, 1.0, 0.5]]), params)


# ------------------------------------------------------------------------- whole runs


def test_unanimous_issue_stays_put() -> None:
    problem = make_problem([[40.0, 40.0, 40.0]], lower=0, upper=100)
    forecast = get_model("smp").forecast(problem)
    assert forecast.outcome[0, 0] == pytest.approx(40.0)
    assert np.all(forecast.trajectory == 40.0)


def test_turn_cap_and_stop_rule() -> None:
    # With max_rounds = 1 the run stops at the cap, not converged; by default KTAB's quiet
    # rule ends it (at least 2 turns).
    problem = make_problem(
        [[0.0, 30.0, 100.0, 60.0]], [[0.9, 0.5, 0.8, 0.3]], [[3.0, 1.0, 2.0, 1.0]], upper=100
    )
    capped = get_model("smp").forecast(problem, {"max_rounds": 1})
    assert capped.rounds[0] == 1 and not capped.converged[0]
    full = get_model("smp").forecast(problem)
    assert full.converged[0] and 2 <= full.rounds[0] < 100


def test_korea_scenario_converges_within_bounds() -> None:
    import peninsula
    from peninsula.scenario.arrays import to_problem

    problem = to_problem(peninsula.load_scenario("korea-2025"))
    for joint in (0, 1):
        forecast = get_model("smp").forecast(problem, {"joint": joint})
        assert np.all(forecast.trajectory >= problem.lower)
        assert np.all(forecast.trajectory <= problem.upper)
        # One by one every issue settles; jointly, under KTAB's defaults, the five issues keep
        # cycling until the 100-turn cap (smpc does the same: fixture korea-2025-joint).
        assert forecast.converged.all() == (joint == 0)


@st.composite
def random_batch(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    b, n, d = draw(st.integers(1, 3)), draw(st.integers(3, 6)), draw(st.integers(1, 3))
    x = rng.uniform(0, 1, (b, n, d))
    s = rng.uniform(0.05, 1, (b, n, d))
    s = s / s.sum(axis=2, keepdims=True) * rng.uniform(0.5, 1, (b, n, 1))
    return x, s, rng.uniform(10, 200, (b, n))


@SETTINGS
@given(random_batch(), st.sampled_from([{}, smp.SIMPLIFIED]))
def test_batch_equals_per_row(
    batch: tuple[np.ndarray, np.ndarray, np.ndarray], params: dict[str, float | str]
) -> None:
    x, s, c = batch
    prm = smp.SMPParams.from_mapping(params)
    whole = smp.simulate(x, s, c, prm)
    for row in range(x.shape[0]):
        alone = smp.simulate(x[row : row + 1], s[row : row + 1], c[row : row + 1], prm)
        np.testing.assert_allclose(
            whole.trajectory[row, -1], alone.trajectory[0, -1], atol=1e-9, rtol=0
        )
        assert whole.rounds[row] == alone.rounds[0]
    assert np.all((whole.trajectory >= 0) & (whole.trajectory <= 1))


def test_stochastic_transitions_follow_the_generator() -> None:
    problem = make_problem(
        [[0.0, 20.0, 45.0, 70.0, 100.0]] * 4,
        [[0.9, 0.4, 0.6, 0.5, 0.8]] * 4,
        [[3.0, 1.0, 1.5, 2.0, 2.5]] * 4,
        upper=100,
    )
    params = {"state_transitions": "Stochastic"}
    model = get_model("smp")
    a = model.forecast(problem, params, np.random.default_rng(5))
    b = model.forecast(problem, params, np.random.default_rng(5))
    assert a.trajectory.tobytes() == b.trajectory.tobytes()
    draws = [model.forecast(problem, params, np.random.default_rng(s)) for s in range(6)]
    finals = {f.trajectory[r, -1].round(6).tobytes() for f in draws for r in range(4)}
    assert len(finals) > 1  # the draws differ between rows and seeds
    deterministic = model.forecast(problem, {}, np.random.default_rng(1))
    again = model.forecast(problem, {}, np.random.default_rng(2))
    assert deterministic.trajectory.tobytes() == again.trajectory.tobytes()


@pytest.mark.parametrize(
    "params",
    [
        {"bargain_model": "InitRcvrInterp"},
        {"bargain_model": "PWCompInterp"},
        {"interp": "S2PMax", "voting_rule": "ASymProsp", "victory_prob": "Binary"},
        {"pce": "MarkovIncentive", "big_r_range": "Max", "third_party_commit": "NoCommit"},
    ],
)
def test_other_ktab_options_run_and_stay_in_bounds(params: dict[str, str]) -> None:
    problem = make_problem(
        [[0.0, 20.0, 45.0, 70.0, 100.0], [10.0, 90.0, 50.0, 50.0, 30.0]],
        [[0.9, 0.4, 0.6, 0.5, 0.8], [0.3, 0.3, 0.9, 0.2, 0.5]],
        [[3.0, 1.0, 1.5, 2.0, 2.5], [1.0, 1.0, 1.0, 4.0, 0.5]],
        upper=100,
    )
    forecast = get_model("smp").forecast(problem, params)
    assert np.all((forecast.trajectory >= 0) & (forecast.trajectory <= 100))
    assert np.all(np.isfinite(forecast.outcome))
    rows = stack_forecasts(
        [get_model("smp").forecast(problem.take(slice(r, r + 1)), params) for r in range(2)]
    )
    np.testing.assert_allclose(forecast.outcome, rows.outcome, atol=1e-9)


@pytest.mark.parametrize(
    "params", [{}, {"pce": "MarkovIncentive", "bargain_model": "InitRcvrInterp"}, smp.SIMPLIFIED]
)
def test_blocks_give_the_same_run(
    monkeypatch: pytest.MonkeyPatch, params: dict[str, float | str]
) -> None:
    # Large problems compute challenges, coalitions and menus in blocks of rows; force tiny
    # blocks here (one row of a block at a time): the run must be the same to the last bit.
    rng = np.random.default_rng(3)
    x, s, c = (
        rng.uniform(0, 1, (2, 9, 2)),
        rng.uniform(0.1, 0.5, (2, 9, 2)),
        rng.uniform(1, 9, (2, 9)),
    )
    c[1, 4] = 0.0  # a spectator
    prm = smp.SMPParams.from_mapping(params)
    whole = smp.simulate(x, s, c, prm)
    monkeypatch.setattr(smp, "_BLOCK_ELEMENTS", 50)
    blocked = smp.simulate(x, s, c, prm)
    assert whole.trajectory.tobytes() == blocked.trajectory.tobytes()


def test_stochastic_choices_follow_the_menu_probabilities() -> None:
    # 4,000 copies of one state: each actor's draws must match its menu's PCE probabilities
    # (within 5 binomial standard errors), and the deterministic choice is the most probable.
    rng = np.random.default_rng(11)
    n, rows = 5, 4000
    x = np.repeat(rng.uniform(0, 1, (1, n, 1)), rows, 0)
    s = np.repeat(rng.uniform(0.3, 0.9, (1, n, 1)), rows, 0)
    c = np.repeat(rng.uniform(50, 150, (1, n)), rows, 0)
    active = np.ones((rows, n), dtype=bool)
    stochastic = smp.SMPParams(state_transitions=smp.StateTransitions.STOCHASTIC)
    turn = smp._turn(x, s, c, active, stochastic, np.random.default_rng(0))
    probs = turn.probability[0]  # identical rows, identical menus
    for actor in range(n):
        for item in np.flatnonzero(probs[actor] > 0):
            share = float((turn.choice[:, actor] == item).mean())
            p = float(probs[actor, item])
            assert abs(share - p) <= 5 * np.sqrt(p * (1 - p) / rows) + 1e-12
    det = smp._turn(x[:1], s[:1], c[:1], active[:1], smp.SMPParams(), np.random.default_rng(0))
    assert np.array_equal(det.choice[0], np.argmax(probs, axis=1))


@SETTINGS
@given(random_batch())
def test_runs_stop_exactly_where_ktabs_rule_says(
    batch: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    # smpStopFn: after turn t >= 2 stop once Σ_i |x_i(t) − x_i(t−1)| < 0.02 (Σ_i |x_i(1) −
    # x_i(0)| + 1e-4), else go on (up to 100 turns).
    x, s, c = batch
    run = smp.simulate(x, s, c)
    for row in range(x.shape[0]):
        t_end = int(run.rounds[row])
        path = run.trajectory[row, : t_end + 1]
        moved = np.sqrt(((path[1:] - path[:-1]) ** 2).sum(axis=-1)).sum(axis=-1)
        quiet = moved / (moved[0] + 1e-4) < 0.02
        assert not quiet[1 : t_end - 1].any()  # turns 2 .. t_end − 1 were not quiet
        assert run.converged[row] == (t_end >= 2 and bool(quiet[t_end - 1]))
        assert run.converged[row] or t_end == 100


def test_chunked_batch_equals_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = make_problem(
        [[0.0, 20.0, 45.0, 70.0], [10.0, 90.0, 50.0, 30.0], [5.0, 5.0, 95.0, 60.0]],
        [[0.9, 0.4, 0.6, 0.5], [0.3, 0.3, 0.9, 0.5], [0.8, 0.7, 0.6, 0.2]],
        [[3.0, 1.0, 1.5, 2.0], [1.0, 1.0, 1.0, 4.0], [2.0, 1.0, 3.0, 1.0]],
        upper=100,
    )
    whole = get_model("smp").forecast(problem)
    monkeypatch.setattr(smp, "_CHUNK_ELEMENTS", 64)  # 4 actors: one row per chunk
    chunked = get_model("smp").forecast(problem)
    assert chunked.trajectory.tobytes() == whole.trajectory.tobytes()
    assert chunked.outcome.tobytes() == whole.outcome.tobytes()


def _turn_by_turn(x: np.ndarray, s: np.ndarray, c: np.ndarray, prm: smp.SMPParams) -> smp.Run:
    """Reference for the cycle shortcut: every turn computed (``_turn``), KTAB's stop rule
    (smpStopFn) applied row by row."""
    active = (c > 0) & (s.sum(axis=-1) > 0)
    rng = np.random.default_rng(0)  # unused: deterministic transitions
    rows = []
    for b in range(x.shape[0]):
        states, first, turns, quiet = [x[b : b + 1]], 0.0, 0, False
        while turns < prm.max_rounds:
            turns += 1
            step = smp._turn(states[-1], s[b : b + 1], c[b : b + 1], active[b : b + 1], prm, rng)
            moved = float(np.sqrt(((step.position - states[-1]) ** 2).sum(axis=-1)).sum())
            first = moved + 1e-4 if turns == 1 else first
            states.append(step.position)
            if turns >= prm.min_rounds and moved / first < prm.stop_ratio:
                quiet = True
                break
        rows.append((np.concatenate(states), turns, quiet))
    length = max(r[0].shape[0] for r in rows)
    trajectory = np.stack(
        [np.concatenate([r[0], np.repeat(r[0][-1:], length - r[0].shape[0], 0)]) for r in rows]
    )
    return smp.Run(trajectory, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    max_rounds=st.integers(1, 40),
    min_rounds=st.integers(0, 5),
    stop_ratio=st.sampled_from([0.0, 0.02, 0.3]),
)
def test_cycle_shortcut_gives_every_turn(
    seed: int, max_rounds: int, min_rounds: int, stop_ratio: float
) -> None:
    # Positions on a coarse grid and low saliences make runs cycle (a turn repeats the
    # positions of an earlier one); simulate then reads the remaining turns off the cycle.
    # They must be exactly the turns computed one by one, with the same stop.
    rng = np.random.default_rng(seed)
    b, n, d = 3, int(rng.integers(3, 8)), int(rng.integers(1, 3))
    x = np.round(rng.uniform(0, 1, (b, n, d)) * 4) / 4
    s = rng.uniform(0.05, 1, (b, n, d))
    s *= rng.uniform(0.05, 0.5, (b, n, 1)) / s.sum(axis=-1, keepdims=True)
    c = rng.uniform(1, 100, (b, n))
    prm = smp.SMPParams(max_rounds=max_rounds, min_rounds=min_rounds, stop_ratio=stop_ratio)
    fast, slow = smp.simulate(x, s, c, prm), _turn_by_turn(x, s, c, prm)
    assert np.array_equal(fast.rounds, slow.rounds)
    assert np.array_equal(fast.converged, slow.converged)
    assert fast.trajectory.tobytes() == slow.trajectory.tobytes()


def test_cycle_end_reads_the_stop_rule_off_the_cycle() -> None:
    # Moves of turns 1..4 (one row): 1, 0.5, 0.001, 0.5; first = 1 + 1e-4. Positions after
    # turn 4 equal those after turn 2 (period 2), so turn 5 moves as turn 3 (0.001: quiet,
    # 0.001 / 1.0001 < 0.02), turn 6 as turn 4 (0.5: not), turn 7 as turn 3 again.
    moves = [np.array([m]) for m in (1.0, 0.5, 0.001, 0.5)]
    first = np.array([1.0001])
    prm = smp.SMPParams(min_rounds=2)
    assert smp._cycle_end(2, 4, 0, moves, first, prm) == (5, True)
    later = smp.SMPParams(min_rounds=6)  # turn 5 is too early to stop; turn 7 is quiet
    assert smp._cycle_end(2, 4, 0, moves, first, later) == (7, True)
    never = smp.SMPParams(stop_ratio=1e-4, max_rounds=30)  # nothing quiet: the turn cap
    assert smp._cycle_end(2, 4, 0, moves, first, never) == (30, False)


def test_progress_reports_every_turn_and_threads_change_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A single-row forecast reports turns (summed over the five issue runs, each counted as
    # max_rounds once it stops), ending at 5 × 100; the issues on a thread pool give the same
    # bytes as one after another.
    import peninsula
    from peninsula.models.batching import forecast_in_chunks
    from peninsula.scenario.arrays import to_problem

    problem = to_problem(peninsula.load_scenario("korea-2025"))
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(smp, "_PARALLEL_ELEMENTS", 10**12)  # sequential
    seen = forecast_in_chunks(smp.MODEL, problem, progress=lambda d, t: calls.append((d, t)))
    assert {t for _, t in calls} == {5 * 100}
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1][0] == 5 * 100
    assert len(calls) >= 5 + int(seen.rounds[0])  # at least every turn of the longest run
    monkeypatch.setattr(smp, "_PARALLEL_ELEMENTS", 0)  # every issue on the pool
    threaded = smp.MODEL.forecast(problem)
    assert threaded.outcome.tobytes() == seen.outcome.tobytes()
    assert threaded.trajectory.tobytes() == seen.trajectory.tobytes()
