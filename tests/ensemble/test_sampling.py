"""Sampling: every uncertainty is found, samples respect their bounds, LHS stratifies, seeds
reproduce."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import peninsula
from peninsula.ensemble.sampling import (
    UncertainInput,
    collect_inputs,
    sample_problem,
    unit_sample,
)
from peninsula.scenario.loader import builtin_names
from peninsula.scenario.schema import Normal, Scenario, Triangular, Uniform


def _count_uncertainties(node: object) -> int:
    """Independent count: mappings with an ``uncertainty`` key anywhere in the raw YAML."""
    if isinstance(node, dict):
        return int("uncertainty" in node) + sum(_count_uncertainties(v) for v in node.values())
    if isinstance(node, list):
        return sum(_count_uncertainties(v) for v in node)
    return 0


def test_every_uncertainty_of_korea_2025_is_an_input() -> None:
    from importlib.resources import files

    raw = yaml.safe_load(
        (files("peninsula.scenario") / "builtin" / "korea-2025.yaml").read_text("utf-8")
    )
    inputs = collect_inputs(peninsula.load_scenario("korea-2025"))
    assert len(inputs) == _count_uncertainties(raw)
    names = {i.name for i in inputs}
    assert {"PRK.capability", "PRK.sanctions_relief.salience", "PRK.outside_option"} <= names
    assert "denuclearisation.status_quo" in names
    assert len(names) == len(inputs)


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_samples_stay_inside_declared_ranges(name: str) -> None:
    scenario = peninsula.load_scenario(name)
    problem, values, inputs = sample_problem(scenario, 200, seed=1)
    for j, inp in enumerate(inputs):
        low, high = inp.bounds
        assert values[:, j].min() >= low - 1e-9 and values[:, j].max() <= high + 1e-9, inp.name
    assert np.all((problem.salience >= 0) & (problem.salience <= 1))
    assert np.all((problem.position >= problem.lower) & (problem.position <= problem.upper))


def test_samples_land_in_the_right_cells(toy: Scenario) -> None:
    problem, values, inputs = sample_problem(toy, 50, seed=3)
    col = {inp.name: values[:, j] for j, inp in enumerate(inputs)}
    usa, kor = 0, 1
    np.testing.assert_array_equal(problem.capability[:, usa], col["USA.capability"])
    np.testing.assert_array_equal(problem.risk[:, usa], col["USA.risk"])
    np.testing.assert_array_equal(problem.outside_option[:, kor], col["KOR.outside_option"])
    np.testing.assert_array_equal(problem.position[:, usa, 0], col["USA.denuclearisation.position"])
    np.testing.assert_array_equal(problem.salience[:, usa, 0], col["USA.denuclearisation.salience"])
    np.testing.assert_array_equal(problem.status_quo[:, 0], col["denuclearisation.status_quo"])
    # certain values stay nominal
    assert np.all(problem.capability[:, kor] == 30)
    assert np.all(problem.position[:, kor, 0] == 20)
    # a normal on salience (0.5 ± 0.4) is truncated to [0, 1]
    assert col["USA.denuclearisation.salience"].min() >= 0
    assert col["USA.denuclearisation.salience"].max() <= 1


def test_same_seed_same_bytes_other_seed_differs(toy: Scenario) -> None:
    a = sample_problem(toy, 64, seed=11)[1]
    b = sample_problem(toy, 64, seed=11)[1]
    c = sample_problem(toy, 64, seed=12)[1]
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), d=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_latin_hypercube_hits_every_stratum_once(n: int, d: int, seed: int) -> None:
    u = unit_sample(n, d, "lhs", np.random.default_rng(seed))
    for j in range(d):
        strata = np.floor(u[:, j] * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n))


@st.composite
def _input(draw: st.DrawFn) -> UncertainInput:
    lo = draw(st.floats(-100, 100))
    width = draw(st.floats(0, 100))
    hi = lo + width
    nominal = draw(st.floats(lo, hi)) if width > 0 else lo
    kind = draw(st.sampled_from(["uniform", "triangular", "normal"]))
    dist: Uniform | Triangular | Normal
    if kind == "uniform":
        dist = Uniform(low=lo, high=hi)
    elif kind == "triangular":
        dist = Triangular(dist="triangular", low=lo, high=hi)
    else:
        dist = Normal(dist="normal", sd=draw(st.floats(0.01, 50)))
    return UncertainInput("x", "position", (0, 0), nominal, dist, (lo, hi))


@settings(max_examples=80, deadline=None)
@given(inp=_input(), seed=st.integers(0, 2**32 - 1))
def test_inverse_cdf_stays_within_bounds_and_is_monotone(inp: UncertainInput, seed: int) -> None:
    u = np.sort(np.random.default_rng(seed).random(200))
    x = inp.ppf(u)
    low, high = inp.bounds
    tol = 1e-9 * max(1.0, abs(low), abs(high))
    assert np.all(x >= low - tol) and np.all(x <= high + tol)
    assert np.all(np.diff(x) >= -tol)


def test_triangular_mode_defaults_to_the_value() -> None:
    # Triangular(0, 10) with the mode at the nominal 2: the median solves F(m) = 0.5 with
    # F(x) = x^2 / (10 * 2) on [0, 2] (F(2) = 0.2) and 1 - (10 - x)^2 / (10 * 8) above:
    # (10 - m)^2 = 40  ->  m = 10 - sqrt(40) = 3.675.
    inp = UncertainInput(
        "x", "position", (0, 0), 2.0, Triangular(dist="triangular", low=0, high=10), (0, 10)
    )
    assert inp.ppf(np.array([0.5]))[0] == pytest.approx(10 - np.sqrt(40))
