"""PRIM recovers a planted box; the Experiment glue picks the right rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import peninsula
from peninsula.ensemble import discover, run_experiments
from peninsula.ensemble.discovery import prim_box
from peninsula.ensemble.experiment import Experiment
from peninsula.errors import NotFoundError


def test_prim_finds_a_planted_box() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((4000, 4)), columns=["a", "b", "c", "d"])
    # failures exactly inside a > 0.6 and b < 0.3 (12% of the space)
    y = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    limits, stats, _ = prim_box(x, y, min_density=0.9)
    assert set(limits.index) == {"a", "b"}  # c, d unrestricted
    assert limits.loc["a", "min"] == pytest.approx(0.6, abs=0.03)
    assert limits.loc["b", "max"] == pytest.approx(0.3, abs=0.03)
    assert stats["density"] >= 0.9 and stats["coverage"] >= 0.85


def _synthetic_experiment() -> Experiment:
    rng = np.random.default_rng(1)
    n = 3000
    inputs = pd.DataFrame({"run": np.arange(n), "p": rng.random(n), "q": rng.random(n)})
    # policy "hawk" fails (measure > 0.5) when p > 0.7; the other policy never fails
    results = pd.DataFrame(
        {
            "policy": pd.Categorical(["hawk"] * n + ["dove"] * n, categories=["hawk", "dove"]),
            "model": pd.Categorical(["m"] * (2 * n)),
            "run": np.concatenate([np.arange(n), np.arange(n)]),
            "loss": np.concatenate([(inputs["p"] > 0.7).astype(float), np.zeros(n)]),
            "converged": True,
        }
    )
    scenario = peninsula.load_scenario("korea-2018")
    meta = {"policies": ["hawk", "dove"], "models": ["m"], "problem_inputs": ["p", "q"]}
    return Experiment(scenario, inputs, results, meta)


def test_discover_on_an_experiment() -> None:
    exp = _synthetic_experiment()
    found = discover(exp, "hawk", "loss", 0.5, min_density=0.99)
    assert found.base_rate == pytest.approx((exp.inputs["p"] > 0.7).mean())
    assert list(found.limits.index) == ["p"]
    assert found.limits.loc["p", "min"] == pytest.approx(0.7, abs=0.03)
    assert found.density > 0.95 and found.coverage > 0.9
    # the default (density >= 0.8) trades density for coverage: a wider box
    wide = discover(exp, "hawk", "loss", 0.5)
    assert wide.coverage >= found.coverage and wide.density >= 0.8
    # below-threshold failures of the other policy: none, so no box
    none = discover(exp, "dove", "loss", 0.5)
    assert not none.found and none.limits.empty
    with pytest.raises(NotFoundError, match="unknown policy"):
        discover(exp, "nope", "loss", 0.5)
    with pytest.raises(NotFoundError, match="unknown measure"):
        discover(exp, "hawk", "nope", 0.5)


def test_discover_on_korea_names_scenario_inputs() -> None:
    korea = peninsula.load_scenario("korea-2025")
    exp = run_experiments(korea, 600, seed=2, models=("nash",), policies=["freeze-for-relief"])
    median = exp.results["nonpro.erosion"].median()
    found = discover(exp, "freeze-for-relief", "nonpro.erosion", float(median))
    assert 0.4 < found.base_rate < 0.6
    assert len(found.limits) >= 1
    assert set(found.limits.index) <= set(exp.inputs.columns)
    assert found.density > found.base_rate  # the box concentrates failures
