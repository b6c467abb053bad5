"""Monte Carlo: invariants, determinism across executors, policy monotonicity, bad effects."""

from __future__ import annotations

import numpy as np
import pytest

from peninsula import load_scenario
from peninsula.crisis import simulate_policies
from peninsula.crisis.api import default_fit, policy_specs
from peninsula.crisis.simulate import (
    InitialState,
    effect_spec,
    simulate,
    status_quo_spec,
)
from peninsula.errors import InputError, NotFoundError
from peninsula.scenario.schema import Policy


def _init() -> InitialState:
    from peninsula.crisis.data import load_monthly
    from peninsula.crisis.simulate import initial_state

    d = load_monthly()
    p = default_fit().params
    return initial_state(p, d.months, d.counts, d.talks, d.russia, d.china)


def test_probabilities_and_bands() -> None:
    result = simulate_policies("korea-2025", horizon=12, paths=600, seed=3)
    summary = result.summary()
    probs = summary.xs("p_crisis", level="measure")["mean"]
    assert ((probs >= 0) & (probs <= 1)).all()
    assert (summary.xs("p_nuclear_test", level="measure")["mean"].between(0, 1)).all()
    band = summary.dropna(subset=["p50"])  # counts and levels: low/high are path quantiles
    assert (band["low"] <= band["p50"]).all() and (band["p50"] <= band["high"]).all()
    assert (summary["low"] <= summary["mean"] + 1e-12).all()
    assert (summary["mc_low"] <= summary["mean"] + 1e-12).all()
    for policy in result.policies:
        q = result.tension_bands(policy)
        assert np.all(np.diff(q, axis=0) >= -1e-12)
        assert result.tension[policy].shape == (600, 12)
        assert np.all(np.abs(result.tension[policy]) < 1)
    assert result.policies[0] == "status-quo"


def test_same_seed_same_bytes_for_any_executor_and_chunk_order() -> None:
    a = simulate_policies("korea-2018", horizon=6, paths=300, seed=11, chunk_size=100)
    b = simulate_policies(
        "korea-2018", horizon=6, paths=300, seed=11, chunk_size=100, executor="processes"
    )
    for p in a.policies:
        assert a.tension[p].tobytes() == b.tension[p].tobytes()
        assert a.missiles[p].tobytes() == b.missiles[p].tobytes()
    c = simulate_policies("korea-2018", horizon=6, paths=300, seed=12, chunk_size=100)
    assert a.tension["status-quo"].tobytes() != c.tension["status-quo"].tobytes()


def test_progress_batches_give_the_same_bytes() -> None:
    seen: list[tuple[int, int]] = []
    a = simulate_policies("korea-2018", horizon=5, paths=430, seed=4, chunk_size=50)
    b = simulate_policies(
        "korea-2018",
        horizon=5,
        paths=430,
        seed=4,
        chunk_size=50,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (430, 430) and len(seen) == 9  # one call per chunk of 50 paths
    for p in a.policies:
        assert a.tension[p].tobytes() == b.tension[p].tobytes()


def test_higher_launch_multiplier_means_more_launches() -> None:
    params = default_fit().params
    specs = [
        effect_spec(Policy(id=f"m{i}", label="x", effects={"launch_rate_multiplier": m}))
        for i, m in enumerate((0.25, 1.0, 4.0))
    ]
    result = simulate(params, _init(), specs, horizon=12, paths=2000, seed=5)
    means = [result.missiles[s.policy].sum(axis=1).mean() for s in specs]
    assert means[0] < means[1] < means[2]


def test_zero_launch_multiplier_means_no_missiles_or_nuclear_tests() -> None:
    spec = effect_spec(Policy(id="z", label="z", effects={"launch_rate_multiplier": 0.0}))
    result = simulate(default_fit().params, _init(), [spec], horizon=12, paths=500, seed=1)
    assert result.missiles["z"].sum() == 0 and result.nuclear["z"].sum() == 0


def test_talks_multiplier_raises_months_of_talks() -> None:
    specs = [
        effect_spec(Policy(id=f"t{i}", label="x", effects={"talks_hazard_multiplier": m}))
        for i, m in enumerate((0.2, 5.0))
    ]
    result = simulate(default_fit().params, _init(), specs, horizon=24, paths=2000, seed=2)
    assert result.talks["t0"].mean() < result.talks["t1"].mean()


def test_policy_without_effects_is_status_quo_with_a_note() -> None:
    spec = effect_spec(Policy(id="plain", label="plain"))
    assert spec.note is not None and "status quo" in spec.note
    params = default_fit().params
    result = simulate(params, _init(), [status_quo_spec(), spec], horizon=6, paths=200, seed=0)
    assert result.tension["plain"].tobytes() == result.tension["status-quo"].tobytes()


@pytest.mark.parametrize(
    ("effects", "message"),
    [
        ({"launch_rate_multiplier": -1.0}, "outside"),
        ({"warp_drive": 1.0}, "unknown effect"),
        ({"russia_support_shift": {"value": 0.5, "uncertainty": [0.0, 2.0]}}, "outside"),
    ],
)
def test_bad_effects_raise_input_error(effects: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        effect_spec(Policy(id="bad", label="bad", effects=effects))


def test_unknown_policy_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="status-quo"):
        policy_specs(load_scenario("korea-2025"), ["nope"])


def test_every_builtin_policy_declares_valid_effects() -> None:
    for name in ("korea-2025", "korea-2018"):
        specs = policy_specs(load_scenario(name))
        assert all(s.note is None for s in specs[1:]), name
