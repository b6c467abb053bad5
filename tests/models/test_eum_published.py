"""The expected utility model on its own published case (issue #11, deliverable 2).

Bueno de Mesquita (1994) Table 1, the EC emission standards for medium-sized cars, shipped as
the built-in scenario ``bdm-1994-emissions``. Published: BdM's stabilised forecast 9.05 years
(BdM 1994, p. 98), the outcome 8.83; Scholz, Calbert & Smith (2011) Table 2 give the median
voter position by round under Q = 1: 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6.
"""

from __future__ import annotations

import numpy as np
import pytest

from peninsula.models import eum
from peninsula.models.base import influence_weights
from peninsula.models.median import weighted_median
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.loader import load_scenario

BDM_FORECAST = 9.05
BDM_OUTCOME = 8.83
SCS_TABLE2_MEDIANS = (8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6)


@pytest.fixture(scope="module")
def emissions():  # type: ignore[no-untyped-def]
    return to_problem(load_scenario("bdm-1994-emissions"))


def _medians(problem, params=None):  # type: ignore[no-untyped-def]
    forecast = eum.MODEL.forecast(problem, params)
    w = influence_weights(problem)
    rounds = forecast.trajectory.shape[1]
    medians = [
        float(weighted_median(forecast.trajectory[:, r], w, problem.status_quo)[0, 0])
        for r in range(rounds)
    ]
    return forecast, medians


def test_scenario_is_table_1(emissions) -> None:  # type: ignore[no-untyped-def]
    # Table 1 as printed: c·s weights put 0.8·0.08 + 0.2·0.03 + 0.8·0.16 + 1.0·0.05 = 0.248 at
    # 4 years, 0.4·0.08 + 0.1·0.05 + 0.7·0.08 = 0.093 at 7 and 0.6·0.16·2 + 0.9·0.16 = 0.336
    # at 10 (total 0.677): the weighted median is 7 (0.248 < 0.3385 < 0.341).
    w = influence_weights(emissions)[0, :, 0]
    x = emissions.position[0, :, 0]
    assert w[x == 4].sum() == pytest.approx(0.248)
    assert w[x == 7].sum() == pytest.approx(0.093)
    assert w[x == 10].sum() == pytest.approx(0.336)
    assert weighted_median(emissions.position, influence_weights(emissions), emissions.status_quo)[
        0, 0
    ] == pytest.approx(7.0)


def test_default_forecast_within_half_a_year_of_bdm(emissions) -> None:  # type: ignore[no-untyped-def]
    # The acceptance criterion: |forecast − 9.05| ≤ 0.5 (measured: 9.45).
    forecast = eum.MODEL.forecast(emissions)
    assert abs(float(forecast.outcome[0, 0]) - BDM_FORECAST) <= 0.5


def test_least_move_acceptance_stays_at_the_initial_median(emissions) -> None:  # type: ignore[no-untyped-def]
    # The former default (acceptance = 0, least move) is kept as a parameter; on this case
    # actors creep towards 7 by small compromises (France and Italy jump to 7 in round 1) and
    # the forecast stays at the initial median, 7: 2.05 years from BdM's 9.05.
    forecast = eum.MODEL.forecast(emissions, {"acceptance": 0.0})
    assert float(forecast.outcome[0, 0]) == pytest.approx(7.0)
    assert forecast.trajectory[0, 1, 4, 0] == pytest.approx(7.0)  # France: 10 -> 7


def test_bdm_tie_rule_also_lands_within_half_a_year(emissions) -> None:  # type: ignore[no-untyped-def]
    # acceptance = 3: BdM's sentence in full ("given equally enforceable proposals, players move
    # the least") instead of averaging equally credible offers. On this case several proposers
    # share a position (4, 7 and 10 years), so the tie rule decides often: 8.60 (measured),
    # also within half a year of BdM's 9.05 and nearer the outcome, 8.83, than the default.
    default = float(eum.MODEL.forecast(emissions).outcome[0, 0])
    tie_rule = float(eum.MODEL.forecast(emissions, {"acceptance": 3.0}).outcome[0, 0])
    assert abs(tie_rule - BDM_FORECAST) <= 0.5
    assert abs(tie_rule - BDM_OUTCOME) < abs(default - BDM_OUTCOME)
    assert tie_rule != pytest.approx(default, abs=0.1)  # the tie rule matters on this case


def test_round_medians_beside_scholz_table_2(emissions) -> None:  # type: ignore[no-untyped-def]
    # Where our choices can be compared with SCS's: the first round and the rounds in which
    # their median holds steady (2–5, 9.9). Tolerance 0.6 years (a tenth of the 4–10 scale):
    # SCS print one decimal and their own code departs from their text in the offer rule and
    # the probability denominator (docs/explanation/model-eum.md names each choice), so
    # only agreement in level and direction is claimed, not identity. Rounds 6–8 (SCS's
    # median falls back to 7.4 and climbs again) are not reproduced: our run has converged.
    _, medians = _medians(emissions)
    assert medians[0] == pytest.approx(7.0)
    assert abs(medians[1] - SCS_TABLE2_MEDIANS[0]) <= 0.6
    for r in range(3, 6):
        assert abs(medians[r] - SCS_TABLE2_MEDIANS[r - 1]) <= 0.6
    # The median never moves away from BdM's direction (later dates) in our run.
    assert np.all(np.diff(medians) >= -1e-9)


#: The parameters under which the model computes what SCS's own code computes.
SCS_CODE = {"acceptance": 2.0, "probability": 1.0, "vote_risk": 1.0, "capitulation": 0.0}
SCS_TABLE2_MEANS = (7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6)


def test_scs_code_settings_reproduce_table_2(emissions) -> None:  # type: ignore[no-untyped-def]
    # With SCS's code's choices (docs/explanation/model-eum.md, choices 1–4) the medians agree
    # with Table 2 within 0.1 (one printed decimal, rounded or truncated) in every round but
    # the second, where Table 2 prints 9.9 and the model gives 9.61 (so does the Python port
    # of SCS's code, jmckib/bdm-scholz-expected-utility-model, run side by side on 29 Nov
    # 2026: every position of every round agreed to 5e-13). The capability × salience
    # weighted mean position by round agrees within 0.1 in all eight rounds.
    forecast, medians = _medians(emissions, {**SCS_CODE, "max_rounds": 8.0})
    w = influence_weights(emissions)[0, :, 0]
    means = (forecast.trajectory[0, :, :, 0] * w).sum(axis=1) / w.sum()
    for r in range(1, 9):
        assert abs(means[r] - SCS_TABLE2_MEANS[r - 1]) <= 0.1
        if r != 2:
            assert abs(medians[r] - SCS_TABLE2_MEDIANS[r - 1]) <= 0.1
    assert medians[2] == pytest.approx(9.61, abs=0.01)
    # SCS's median does not settle: it falls back to 7.4 in round 6 and climbs again.
    assert medians[6] < 7.5 < medians[8]


def test_all_pairs_probability_is_small_and_not_complementary() -> None:
    # Three equal voters at 0, ½, 1 (d as fractions). Per-pair votes (equation 30) give
    # P_01 = 1/3 (test_eum.py). All ordered pairs: Σ_k Σ_{a,b} |d_kb − d_ka| = for voter 0:
    # pairs (0,½),(0,1),(½,1) → ½ + 1 + ½ = 2, twice (both orders) = 4; voter ½: ½ + ½ + 0 = 1,
    # ×2 = 2; voter 1: 4. Total 10. Votes for 0 over ½: voter 0 gives ½ → P_01 = 0.5 / 10.
    x = np.array([[0.0, 0.5, 1.0]])
    d = np.abs(x[:, :, None] - x[:, None, :])
    w = np.ones((1, 3))
    prob = eum.vote_probability(d, w, None, all_pairs=True)[0]
    assert prob[0, 1] == pytest.approx(0.05)
    assert prob[1, 0] == pytest.approx(0.1)  # voters ½ (½) and 1 (½): 1 / 10
    assert prob[0, 1] + prob[1, 0] < 1
    # Per pair, the general formula equals the default path's.
    np.testing.assert_allclose(eum.vote_probability(d, w), eum.win_probability(x, w), atol=1e-12)
