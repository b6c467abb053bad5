"""Exchange model: decide's worked cases, hand-worked cases, equal-gain and package properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peninsula.errors import InputError
from peninsula.models.exchange import (
    MODEL,
    ExchangeParams,
    opening_offers,
    packages,
    run_exchange,
)
from peninsula.models.registry import get_model
from peninsula.problem import BargainingProblem

from .builders import golden_case, golden_problem
from .builders import many_issue_problem as problem

# decide/tests/test_rex.py: two actors at 0 and 100, saliences 10/90 and 60/50 (here / 100).
REX = problem([[0, 0], [100, 100]], [[0.1, 0.9], [0.6, 0.5]])


def test_decide_two_actor_case_opening_values() -> None:
    offers = opening_offers(REX)
    # (1): issue 1 (0·10 + 100·60) / 70 = 85 5/7; issue 2 (0·90 + 100·50) / 140 = 35 5/7.
    assert offers.outcome[0] == pytest.approx([85 + 5 / 7, 35 + 5 / 7], abs=1e-12)
    # Actor-1's p/q salience ratio 10/90 < 60/50: it concedes on issue 1, Actor-2 on issue 2.
    assert offers.supplier_p[0, 0] == 0 and offers.supplier_q[0, 0] == 1
    # Actor-1 moving all the way to 100 moves issue 1's outcome by 100 - 85 5/7 = 100/7:
    # Actor-1 loses 10 · 100/7 = 1000/7, Actor-2 gains 60 · 100/7 = 6000/7 (saliences × 100).
    assert 10 * offers.full_shift_p[0, 0] == pytest.approx(1000 / 7, abs=1e-9)
    assert 60 * offers.full_shift_p[0, 0] == pytest.approx(6000 / 7, abs=1e-9)
    # Actor-2 moving all the way to 0 moves issue 2 by 250/7: Actor-1 gains 90 · 250/7.
    assert 90 * offers.full_shift_q[0, 0] == pytest.approx(22500 / 7, abs=1e-9)
    assert 50 * offers.full_shift_q[0, 0] == pytest.approx(12500 / 7, abs=1e-9)


def test_decide_two_actor_case_realised_exchange() -> None:
    result = MODEL.run(REX, {"max_rounds": 1})
    # (4): r = (10 + 60) / (90 + 50) = 1/2. Δo_1 = min(100/7, (250/7) / (1/2)) = 100/7,
    # Δo_2 = 50/7. Gain = 90·50/7 - 10·100/7 = 500 = 60·100/7 - 50·50/7 (saliences × 100).
    assert result.count[0] == 1
    assert 100 * result.gain_p[0, 0] == pytest.approx(500, abs=1e-9)
    assert 100 * result.gain_q[0, 0] == pytest.approx(500, abs=1e-9)
    assert (result.from_p[0, 0], result.to_p[0, 0]) == pytest.approx((0, 100))
    # Actor-2 moves Δx = Δo W / (c s) = (50/7) · 1.4 / 0.5 = 20: 100 → 80.
    assert (result.from_q[0, 0], result.to_q[0, 0]) == pytest.approx((100, 80))
    # New outcomes: 100 and 80 · 50/140 = 200/7 (decide's first round gives the same).
    assert result.forecast.outcome[0] == pytest.approx([100, 200 / 7], abs=1e-12)
    assert result.rate[0, 0] == pytest.approx(0.5)


def test_decide_ten_actor_fixture_first_exchanges() -> None:
    """decide/model/test/test_model.py on decide's data/input/sample_data.txt."""
    sample = golden_problem(golden_case("decide-sample-data"))
    offers = opening_offers(sample)
    # decide counts 240 candidate pairs (groups A×D plus B×C over the 15 issue pairs).
    assert int(offers.opposite.sum()) == 240
    result = MODEL.run(sample, {"max_rounds": 1})
    assert result.gain_p[0, 0] == pytest.approx(1.973684210526315789, abs=1e-9)
    assert result.gain_p[0, 1] == pytest.approx(1.792636308765341023, abs=1e-9)
    assert result.gain_q[0, :2] == pytest.approx(result.gain_p[0, :2], abs=1e-12)


def test_outcome_constraint_binds_hand_worked() -> None:
    """Three actors; constraint (5b) stops the outcome at the demander's position.

    Issue p: a0 = 0 (s .2), a1 = 60 (s .8), a2 = 100 (s .1); W = 1.1, O = 58/1.1 = 52.727.
    Issue q: a0 = 0 (s .8), a1 = 100 (s .2), a2 = 0 (s .1);  W = 1.1, O = 20/1.1 = 18.182.
    a2 is on a1's side of p and a0's side of q, so only a0–a1 can trade. a0 (ratio .2/.8)
    concedes on p, a1 on q; r = (.2 + .8) / (.8 + .2) = 1.
    Caps on Δo_p: a0 moving to 60 gives .2·60/1.1 = 12/1.1, but the outcome may only reach
    a1's 60: 60 - 58/1.1 = 8/1.1 (binds). On q: a1 moving to 0 gives .2·100/1.1 = 20/1.1 and
    the outcome may fall to a0's 0: 20/1.1. So Δo_p = Δo_q = 8/1.1.
    Gain: .8·8/1.1 - .2·8/1.1 = 4.8/1.1 for both. Moves: (8/1.1)·1.1/.2 = 40 each:
    a0 0 → 40 on p, a1 100 → 60 on q. Outcomes: p exactly 60, q = 12/1.1.
    a2 gains .1·8/1.1 on p (outcome moves towards 100) and .1·8/1.1 on q: 1.6/1.1.
    """
    p = problem([[0, 0], [60, 100], [100, 0]], [[0.2, 0.8], [0.8, 0.2], [0.1, 0.1]])
    result = MODEL.run(p, {"max_rounds": 1})
    assert result.count[0] == 1
    assert result.gain_p[0, 0] == pytest.approx(4.8 / 1.1)
    assert result.gain_q[0, 0] == pytest.approx(4.8 / 1.1)
    assert (result.to_p[0, 0], result.to_q[0, 0]) == pytest.approx((40, 60))
    assert result.forecast.outcome[0] == pytest.approx([60, 12 / 1.1])
    assert result.externality[0, 0, 2] == pytest.approx(1.6 / 1.1)
    # The parties' exact utility change equals their gain (no outcome crosses them).
    assert result.externality[0, 0, :2] == pytest.approx([4.8 / 1.1, 4.8 / 1.1])


def test_new_start_positions_between_rounds() -> None:
    """Step 7: x' = x + ((1 - s)·0.4 + 0.1)(y - x). After round 1 of the two-actor case
    Actor-1 starts at 0 + (0.9·0.4 + 0.1)·100 = 46 on issue 1, Actor-2 at
    100 + (0.5·0.4 + 0.1)(80 - 100) = 94 on issue 2; round 2's opening outcomes follow (1)."""
    after = opening_offers(problem([[46, 0], [100, 94]], [[0.1, 0.9], [0.6, 0.5]])).outcome[0]
    two = MODEL.run(REX, {"max_rounds": 2, "tolerance": 0})
    # Round 2 starts from the new positions: its first exchange's "before" outcomes are them.
    second = int(np.flatnonzero(two.round[0] == 2)[0])
    assert two.outcome_before_p[0, second] == pytest.approx(after[0])
    assert two.outcome_before_q[0, second] == pytest.approx(after[1])


def test_package_over_three_issues_and_pareto() -> None:
    """Two actors opposed on three issues trade on two issue pairs in one round: one package."""
    p = problem(
        [[0, 0, 0], [100, 100, 100]],
        [[0.2, 0.9, 0.8], [0.9, 0.1, 0.2]],
    )
    result = MODEL.run(p, {"max_rounds": 1})
    deals = packages(result, p)
    assert len(deals) == 1
    deal = deals[0]
    assert len(deal.issues) == 3 and len(deal.exchanges) >= 2
    assert deal.pareto
    # a0 (at 0 everywhere) concedes all 200/11 of issue 0's room (-.2·200/11) and gets issue 1
    # and issue 2 moved 10 towards it (+.9·10 + .8·10).
    assert deal.utility[0] == pytest.approx(0.9 * 10 + 0.8 * 10 - 0.2 * 200 / 11)
    # With two actors there is no third party: each party's summed externality is its own
    # utility change, which must equal the package utility (same outcome shifts, same x).
    assert deal.third_party == pytest.approx(list(deal.utility))


def test_parameters_are_checked() -> None:
    with pytest.raises(InputError):
        MODEL.forecast(REX, {"random_rate": 2.0})
    with pytest.raises(InputError):
        MODEL.forecast(REX, {"max_rounds": 0.5})
    with pytest.raises(InputError):
        MODEL.forecast(REX, {"no_such": 1.0})


def test_registered() -> None:
    assert get_model("exchange") is MODEL
    assert MODEL.dynamic


def test_issues_are_linked() -> None:
    """On one issue there is nothing to trade: the forecast is the compromise point (1). So
    the model declares links_issues and the ensemble never forecasts it issue by issue."""
    assert MODEL.links_issues
    sample = golden_problem(golden_case("decide-sample-data"))
    one = sample.select_issues(sample.issue_ids[:1])
    alone = MODEL.forecast(one).outcome
    assert alone == pytest.approx(get_model("compromise").forecast(one).outcome)
    together = MODEL.forecast(sample, {"max_rounds": 1}).outcome[:, :1]
    assert not np.allclose(alone, together)


def test_random_rate_is_seeded_and_between_break_even_rates() -> None:
    sample = golden_problem(golden_case("decide-sample-data"))
    params = ExchangeParams(max_rounds=2, random_rate=1.0)
    one = run_exchange(sample, params, np.random.default_rng(7))
    again = run_exchange(sample, params, np.random.default_rng(7))
    other = run_exchange(sample, params, np.random.default_rng(8))
    assert one.forecast.outcome.tobytes() == again.forecast.outcome.tobytes()
    assert one.forecast.outcome.tobytes() != other.forecast.outcome.tobytes()
    equal = run_exchange(sample, ExchangeParams(max_rounds=2), np.random.default_rng(7))
    assert not np.allclose(one.forecast.outcome, equal.forecast.outcome)
    valid = ~np.isnan(one.gain_p)
    # Any rate strictly between the break-even rates leaves both parties better off.
    assert np.all(one.gain_p[valid] > 0) and np.all(one.gain_q[valid] > 0)


def test_excluded_actor_takes_no_part() -> None:
    p = problem([[0, 0], [100, 100], [100, 0]], [[0.1, 0.9], [0.6, 0.5], [0.9, 0.1]])
    out = p.__class__(**{**p.__dict__, "participating": np.array([[True, False, True]])})
    result = MODEL.run(out, {"max_rounds": 3})
    used = np.concatenate([result.supplier_p[0], result.supplier_q[0]])
    assert 1 not in used


@st.composite
def random_problems(draw: st.DrawFn) -> BargainingProblem:
    n = draw(st.integers(2, 5))
    k = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return problem(
        rng.uniform(0, 100, (n, k)).tolist(),
        rng.uniform(0.05, 1, (n, k)).tolist(),
        rng.uniform(0.1, 1, n).tolist(),
    )


@settings(max_examples=60, deadline=None)
@given(random_problems())
def test_equal_gain_property(p: BargainingProblem) -> None:
    """Stokman & Van Oosten's equal-gain solution: both parties gain, and gain the same."""
    result = MODEL.run(p, {"max_rounds": 3})
    valid = ~np.isnan(result.gain_p[0])
    gain_p, gain_q = result.gain_p[0, valid], result.gain_q[0, valid]
    assert np.all(gain_p > 0)
    assert gain_p == pytest.approx(gain_q, rel=1e-9, abs=1e-12)
    # No supplier overshoots: each moves towards, and not past, where it started the move from.
    for frm, to in ((result.from_p, result.to_p), (result.from_q, result.to_q)):
        assert np.all(np.abs(to[0, valid] - frm[0, valid]) > 0)
    # Round 1 starts at the stated positions: each party's exact utility change from each
    # exchange is at least its linear gain (3), so every package is Pareto-improving.
    first = valid & (result.round[0] == 1)
    for s in np.flatnonzero(first):
        exact = result.externality[0, s]
        assert exact[result.supplier_p[0, s]] >= result.gain_p[0, s] - 1e-9
        assert exact[result.supplier_q[0, s]] >= result.gain_q[0, s] - 1e-9
    for deal in packages(result, p):
        if deal.round == 1:
            assert deal.pareto


@settings(max_examples=40, deadline=None)
@given(random_problems(), st.sampled_from([0.0, 0.5]))
def test_fast_path_equals_step_by_step_path(p: BargainingProblem, random_rate: float) -> None:
    """The default path rewrites the caps for speed; it must realise the same exchanges."""
    params = ExchangeParams(max_rounds=3, random_rate=random_rate)
    fast = run_exchange(p, params, np.random.default_rng(1))
    slow = run_exchange(p, params, np.random.default_rng(1), general=True)
    assert np.array_equal(fast.count, slow.count)
    assert np.array_equal(fast.supplier_p, slow.supplier_p)
    assert np.array_equal(fast.issue_q, slow.issue_q)
    np.testing.assert_allclose(fast.forecast.outcome, slow.forecast.outcome, atol=1e-9)
    np.testing.assert_allclose(fast.gain_p, slow.gain_p, atol=1e-9)
    np.testing.assert_allclose(fast.externality, slow.externality, atol=1e-9)


def test_batch_rows_are_independent() -> None:
    """A batch gives each row what it gives alone (rows stop at different rounds)."""
    sample = golden_problem(golden_case("decide-sample-data"))
    both = BargainingProblem(
        actor_ids=sample.actor_ids,
        issue_ids=sample.issue_ids,
        position=np.concatenate([sample.position, sample.position[:, ::-1]]),
        salience=np.concatenate([sample.salience, sample.salience[:, ::-1]]),
        capability=np.concatenate([sample.capability, sample.capability[:, ::-1]]),
        status_quo=np.concatenate([sample.status_quo, sample.status_quo]),
        lower=sample.lower,
        upper=sample.upper,
    )
    batch = MODEL.run(both, {"max_rounds": 4})
    for row in range(2):
        alone = MODEL.run(both.take(slice(row, row + 1)), {"max_rounds": 4})
        n = int(alone.count[0])
        assert batch.count[row] == n
        np.testing.assert_allclose(batch.gain_p[row, :n], alone.gain_p[0, :n], atol=1e-12)
        np.testing.assert_allclose(batch.forecast.outcome[row], alone.forecast.outcome[0])


def test_blocks_of_rows_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """ExchangeModel.run splits big batches into CHUNK-row blocks: a speed setting only."""
    import peninsula.models.exchange as exchange

    rng = np.random.default_rng(3)
    batch = BargainingProblem(
        actor_ids=tuple(f"a{i}" for i in range(4)),
        issue_ids=("x", "y", "z"),
        position=rng.uniform(0, 100, (5, 4, 3)),
        salience=rng.uniform(0.05, 1, (5, 4, 3)),
        capability=rng.uniform(0.1, 1, (5, 4)),
        status_quo=np.zeros((5, 3)),
        lower=np.zeros(3),
        upper=np.full(3, 100.0),
    )
    whole = MODEL.run(batch, {"max_rounds": 3})
    monkeypatch.setattr(exchange, "CHUNK", 2)
    blocks = MODEL.run(batch, {"max_rounds": 3})
    assert np.array_equal(whole.count, blocks.count)
    np.testing.assert_array_equal(whole.forecast.outcome, blocks.forecast.outcome)
    width = whole.gain_p.shape[1]
    np.testing.assert_array_equal(whole.gain_p, blocks.gain_p[:, :width])
    np.testing.assert_array_equal(whole.externality, blocks.externality[:, :width])
