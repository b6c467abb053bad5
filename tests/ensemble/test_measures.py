"""Measures on hand-worked toy problems (arithmetic in the comments)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from peninsula.ensemble.measures import (
    INDICATORS,
    RENAMED_MEASURES,
    MeasureConfig,
    canonical_measure,
    compute_measures,
    utility,
)
from peninsula.problem import BargainingProblem

# Two actors (USA, KOR), two issues on 0..100: denuclearisation (0 = CVID), force_posture.
#   USA ideal (30, 40), salience (0.5, 0.5);  KOR ideal (20, 90), salience (1.0, 0.5)
#   status quo (90, 75).
# The Korea scenarios' roles (korea-2025.yaml `roles`), spelled out: the defaults name nobody.
KOREA = MeasureConfig(
    deal_issues=("denuclearisation",),
    deal_parties=("USA", "PRK"),
    sidelined="KOR",
    sidelined_role_issue="seoul_role",
    us="USA",
    allies=("KOR", "JPN"),
    denuclearisation_issue="denuclearisation",
    sanctions_issue="sanctions_relief",
    security_issues={"force_posture": 1, "denuclearisation": -1},
)
CFG = replace(KOREA, allies=("KOR",))


def _world() -> BargainingProblem:
    return BargainingProblem(
        actor_ids=("USA", "KOR"),
        issue_ids=("denuclearisation", "force_posture"),
        position=np.array([[[30.0, 40.0], [20.0, 90.0]]] * 2),
        salience=np.array([[[0.5, 0.5], [1.0, 0.5]]] * 2),
        capability=np.array([[100.0, 30.0]] * 2),
        status_quo=np.array([[90.0, 75.0]] * 2),
        lower=np.array([0.0, 0.0]),
        upper=np.array([100.0, 100.0]),
    )


def test_utility_by_hand() -> None:
    world = _world()
    # U_USA(sq) = -(0.5*60 + 0.5*35)/100 / 1.0 = -0.475
    # U_KOR(sq) = -(1.0*70 + 0.5*15)/100 / 1.5 = -0.775/1.5 = -0.516667
    u = utility(world, world.status_quo)
    np.testing.assert_allclose(u[0], [-0.475, -0.775 / 1.5])


def test_measures_by_hand() -> None:
    world = _world()
    # Row 0: outcome (90, 40): denuclearisation stays, US posture falls to the US ideal.
    # Row 1: outcome = status quo.
    outcome = np.array([[90.0, 40.0], [90.0, 75.0]])
    m = compute_measures(world, world, outcome, CFG)
    # U_USA(x) = -(0.5*60 + 0)/100 = -0.3            -> dU_USA = -0.3 + 0.475 = 0.175
    # U_KOR(x) = -(1.0*70 + 0.5*50)/100/1.5 = -0.6333 -> dU_KOR = -0.6333 + 0.5167 = -0.116667
    np.testing.assert_allclose(m["utility.USA"], [0.175, 0.0], atol=1e-12)
    np.testing.assert_allclose(m["utility.KOR"], [-0.95 / 1.5 + 0.775 / 1.5, 0.0], atol=1e-12)
    # deal (key issue denuclearisation): |90 - 90| = 0 < 5 in both rows
    np.testing.assert_array_equal(m["deal"], [0.0, 0.0])
    # Seoul's loss = max(0, -dU_KOR) = 0.116667
    np.testing.assert_allclose(m["sidelined.utility_loss"], [0.175 / 1.5, 0.0], atol=1e-12)
    # alliance: allied loss 0.116667; strain = max(0, 0.175 - (-0.116667)) = 0.291667
    np.testing.assert_allclose(m["alliance.allied_loss"], [0.116667, 0.0], atol=1e-6)
    np.testing.assert_allclose(m["alliance.strain"], [0.291667, 0.0], atol=1e-6)
    # non-proliferation: distance from CVID (0) = 90/100
    np.testing.assert_allclose(m["nonpro.distance_from_cvid"], [0.9, 0.9])
    # arms race, KOR: denuclearisation shortfall max(0, -(20 - 90))/100 = 0.7 (weight 1.0);
    # posture shortfall max(0, 90 - 40)/100 = 0.5 (weight 0.5) -> (0.7 + 0.25)/1.5 = 0.633333
    # row 1: posture shortfall (90 - 75)/100 = 0.15 -> (0.7 + 0.075)/1.5 = 0.516667
    np.testing.assert_allclose(m["arms_race.deficit.KOR"], [0.95 / 1.5, 0.775 / 1.5])
    np.testing.assert_allclose(m["arms_race.pressure"], m["arms_race.deficit.KOR"])
    np.testing.assert_array_equal(m["outcome.force_posture"], [40.0, 75.0])
    # no sanctions or seoul_role issue in this toy: those measures are omitted, not guessed
    assert "nonpro.relief_granted" not in m and "sidelined.role" not in m


def test_deal_threshold_and_any_issue_fallback() -> None:
    world = _world()
    # denuclearisation moves by 6 (> 5% of 100) in row 0, by 4 in row 1
    outcome = np.array([[84.0, 75.0], [86.0, 75.0]])
    assert compute_measures(world, world, outcome, CFG)["deal"].tolist() == [1.0, 0.0]
    # a config whose deal issue is missing falls back to "any issue": posture moved by 10
    cfg = replace(CFG, deal_issues=("nonexistent",))
    outcome = np.array([[90.0, 65.0], [90.0, 75.0]])
    assert compute_measures(world, world, outcome, cfg)["deal"].tolist() == [1.0, 0.0]


def test_no_deal_when_a_party_would_lose() -> None:
    world = _world()
    # denuclearisation moves 90 -> 84 in both rows (a material move), posture 75 -> 95 in row 1.
    # Row 0: dU_USA = 0.5*(60-54)/100 = +0.03 >= 0, so the USA signs: deal.
    # Row 1: U_USA(x) = -(0.5*54 + 0.5*55)/100 = -0.545 < U_USA(sq) = -0.475: the USA walks away.
    outcome = np.array([[84.0, 75.0], [84.0, 95.0]])
    assert compute_measures(world, world, outcome, CFG)["deal"].tolist() == [1.0, 0.0]
    # Only KOR must sign: KOR gains in row 0 (6 closer on denuclearisation) and in row 1
    # (posture 95 is 5 from its ideal 90 instead of 15): dU_KOR = (6*1.0 + 10*0.5)/100/1.5 > 0.
    cfg = replace(CFG, deal_parties=("KOR",))
    assert compute_measures(world, world, outcome, cfg)["deal"].tolist() == [1.0, 1.0]


def test_sidelined_by_role_or_exclusion() -> None:
    # One issue, seoul_role on 0..100 (sidelined below the middle, 50).
    world = BargainingProblem(
        actor_ids=("USA", "KOR"),
        issue_ids=("seoul_role",),
        position=np.array([[[30.0], [100.0]]] * 3),
        salience=np.array([[[0.5], [1.0]]] * 3),
        capability=np.ones((3, 2)),
        status_quo=np.full((3, 1), 50.0),
        lower=np.array([0.0]),
        upper=np.array([100.0]),
    )
    excluded = replace(world, participating=np.array([[True, True], [True, True], [True, False]]))
    outcome = np.array([[40.0], [60.0], [60.0]])
    m = compute_measures(world, excluded, outcome, KOREA)
    assert m["sidelined.flag"].tolist() == [1.0, 0.0, 1.0]
    np.testing.assert_array_equal(m["sidelined.role"], [40.0, 60.0, 60.0])
    # KOR: U(x) = -|x - 100|/100; loss at 40 = 0.6 - 0.5 = 0.1, none at 60
    np.testing.assert_allclose(m["sidelined.utility_loss"], [0.1, 0.0, 0.0])
    # No JPN in the problem: the alliance uses the allies present (KOR only)
    assert "alliance.strain" in m and "arms_race.pressure" not in m


def test_relief_granted_counts_only_increases() -> None:
    world = BargainingProblem(
        actor_ids=("A", "B"),
        issue_ids=("denuclearisation", "sanctions_relief"),
        position=np.zeros((2, 2, 2)),
        salience=np.ones((2, 2, 2)),
        capability=np.ones((2, 2)),
        status_quo=np.array([[90.0, 30.0], [90.0, 30.0]]),
        lower=np.zeros(2),
        upper=np.full(2, 100.0),
    )
    m = compute_measures(world, world, np.array([[50.0, 70.0], [50.0, 10.0]]), KOREA)
    # relief: max(0, 70 - 30)/100 = 0.4; tightening (10 < 30) is no relief
    np.testing.assert_allclose(m["nonpro.relief_granted"], [0.4, 0.0])
    # erosion = (distance 0.5 + relief)/2
    np.testing.assert_allclose(m["nonpro.erosion"], [0.45, 0.25])
    # no Korea actors at all: their measures are absent, the rest still computed
    assert "sidelined.utility_loss" not in m and "alliance.strain" not in m
    assert m["utility.A"].shape == (2,)


@pytest.mark.parametrize("cvid_at", [None, 100.0])
def test_cvid_end_is_configurable(cvid_at: float | None) -> None:
    world = _world()
    cfg = replace(CFG, cvid_at=cvid_at)
    m = compute_measures(world, world, np.array([[20.0, 75.0]] * 2), cfg)
    expected = 0.2 if cvid_at is None else 0.8
    np.testing.assert_allclose(m["nonpro.distance_from_cvid"], [expected, expected])


def test_the_scenario_roles_are_the_configuration() -> None:
    from peninsula import load_scenario

    assert MeasureConfig.for_scenario(load_scenario("korea-2025")) == KOREA


def test_without_roles_only_the_generic_measures_are_computed() -> None:
    # A scenario that names no roles (the defaults): deal over any issue, outcomes and
    # utilities; nothing about a sidelined ally, alliances, proliferation or arms races.
    world = _world()
    m = compute_measures(world, world, np.array([[20.0, 75.0]] * 2), MeasureConfig())
    assert set(m) == {
        "deal",
        "outcome.denuclearisation",
        "outcome.force_posture",
        "utility.USA",
        "utility.KOR",
    }


def test_old_seoul_names_read_as_the_sidelined_measures() -> None:
    # The three measures renamed after the scenario role (roles.sidelined); any other name,
    # including an issue id that merely contains "seoul", is left alone.
    assert canonical_measure("seoul.sidelined") == "sidelined.flag"
    assert canonical_measure("seoul.role") == "sidelined.role"
    assert canonical_measure("seoul.utility_loss") == "sidelined.utility_loss"
    for name in ("deal", "outcome.seoul_role", "sidelined.flag", "seoul", "seoul.other"):
        assert canonical_measure(name) == name


def test_every_renamed_measure_is_computed_under_its_new_name_only() -> None:
    # One issue, the sidelined actor's role: all three sidelining measures are produced, each
    # under the name RENAMED_MEASURES maps to, none under an old seoul.* name.
    world = BargainingProblem(
        actor_ids=("USA", "KOR"),
        issue_ids=("seoul_role",),
        position=np.array([[[30.0], [100.0]]]),
        salience=np.array([[[0.5], [1.0]]]),
        capability=np.ones((1, 2)),
        status_quo=np.full((1, 1), 50.0),
        lower=np.array([0.0]),
        upper=np.array([100.0]),
    )
    names = set(compute_measures(world, world, np.array([[40.0]]), KOREA))
    assert set(RENAMED_MEASURES.values()) <= names
    assert not any(n.startswith("seoul.") for n in names)
    assert "sidelined.flag" in INDICATORS
