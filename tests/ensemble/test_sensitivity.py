"""Sobol' indices through our wrapper on functions whose indices are known analytically."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import peninsula
from peninsula.ensemble import sensitivity
from peninsula.ensemble.measures import MeasureConfig
from peninsula.ensemble.sampling import UncertainInput, collect_inputs, to_values
from peninsula.ensemble.sobol import (
    _scenario_evaluator,
    sensitivity_all,
    sobol_indices,
    unit_design,
)
from peninsula.errors import NotFoundError
from peninsula.scenario.schema import Normal, Triangular, Uniform

PI = float(np.pi)


def _uniform(name: str, low: float, high: float) -> UncertainInput:
    return UncertainInput(name, "", (), (low + high) / 2, Uniform(low=low, high=high), (low, high))


def test_ishigami_indices() -> None:
    # Ishigami (a = 7, b = 0.1), X_i ~ U(-pi, pi). Analytic values (Saltelli et al. 2008,
    # "Global Sensitivity Analysis: The Primer", §4.9; Ishigami & Homma 1990):
    #   V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446
    #   S1 = (0.3139, 0.4424, 0),  ST = (0.5576, 0.4424, 0.2437)
    a, b = 7.0, 0.1
    inputs = [_uniform(f"x{i}", -PI, PI) for i in range(1, 4)]

    def ishigami(x: np.ndarray) -> dict[str, np.ndarray]:
        y = np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
        return {"y": y}

    table = sobol_indices(ishigami, inputs, 4096, seed=1)["y"]
    np.testing.assert_allclose(table["S1"], [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(table["ST"], [0.5576, 0.4424, 0.2437], atol=0.04)
    assert (table["S1_conf"] > 0).all() and (table["ST_conf"] > 0).all()


def test_additive_model_through_non_uniform_distributions() -> None:
    # Y = X1 + 2 X2 + 0 X3 with X1 ~ U(0, 1) (var 1/12), X2 ~ N(0.5, 0.1) truncated to [0, 1]
    # (±5 sd: var ~ 0.01), X3 ~ Tri(0, 1, mode 0.5). V = 1/12 + 4 * 0.01 = 0.12333.
    # Additive, so S1 = ST: (0.0833/0.1233, 0.04/0.1233, 0) = (0.6757, 0.3243, 0).
    inputs = [
        _uniform("x1", 0, 1),
        UncertainInput("x2", "", (), 0.5, Normal(dist="normal", sd=0.1), (0.0, 1.0)),
        UncertainInput("x3", "", (), 0.5, Triangular(dist="triangular", low=0, high=1), (0.0, 1.0)),
    ]

    def linear(x: np.ndarray) -> dict[str, np.ndarray]:
        return {"y": x[:, 0] + 2 * x[:, 1] + 0 * x[:, 2]}

    table = sobol_indices(linear, inputs, 2048, seed=3)["y"]
    np.testing.assert_allclose(table["S1"], [0.6757, 0.3243, 0.0], atol=0.03)
    np.testing.assert_allclose(table["ST"], [0.6757, 0.3243, 0.0], atol=0.03)


def test_constant_output_gives_nan_not_an_error() -> None:
    table = sobol_indices(lambda x: {"y": np.ones(len(x))}, [_uniform("x", 0, 1)], 8, 0)["y"]
    assert table.isna().all().all()


def test_scenario_measure_ignores_other_issues() -> None:
    # The compromise (weighted mean) of force_posture depends only on force_posture stances
    # and capabilities: every denuclearisation input must have ST exactly 0, because the
    # Saltelli estimator sums f(A) - f(A_B^j) differences that are identically zero.
    scenario = peninsula.load_scenario("korea-2025")
    table = sensitivity(scenario, "outcome.force_posture", 64, seed=0, model="compromise")
    others = [n for n in table.index if ".denuclearisation." in n]
    assert others and (table.loc[others, "ST"] == 0).all()
    assert table["ST"].iloc[0] > 0.05  # something drives it
    relevant = {n for n in table.index if "force_posture" in n or n.endswith("capability")}
    assert set(table.index[table["ST"] > 0.01]) <= relevant


def test_unknown_measure_lists_known_ones() -> None:
    scenario = peninsula.load_scenario("korea-2025")
    with pytest.raises(NotFoundError, match=r"unknown measure 'nope'.*nonpro\.erosion"):
        sensitivity(scenario, "nope", 8, seed=0, model="median")


# ------------------------------------------------------------ the report's speed (issue 14)


@pytest.mark.parametrize(("d", "n", "seed"), [(1, 4, 0), (3, 8, 0), (5, 17, 3), (73, 32, 0)])
def test_unit_design_is_salibs(d: int, n: int, seed: int) -> None:
    # Reference implementation: SALib's own sampler (its Python loop) on the unit cube.
    import warnings

    from SALib.sample import sobol as salib_sample

    names = [f"x{j}" for j in range(d)]
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = salib_sample.sample(problem, n, calc_second_order=False, seed=seed)
    ours = unit_design(d, n, seed)
    assert ours.shape == expected.shape == (n * (d + 2), d)
    assert ours.tobytes() == np.asarray(expected, dtype=np.float64).tobytes()


def test_distinct_issue_evaluation_gives_the_plain_numbers() -> None:
    # The korea scenario's Saltelli design, evaluated with the expected-utility model the
    # report uses: forecasting each issue once per distinct row must give every measure's
    # exact bytes of the plain path (every row forecast on every issue).
    scenario = peninsula.load_scenario("korea-2025")
    inputs = [i for i in collect_inputs(scenario) if i.affects_problem]
    config = MeasureConfig.for_scenario(scenario)
    values = to_values(inputs, unit_design(len(inputs), 6, 0))
    chunk = 200  # several chunks, and Saltelli blocks (75 rows) that straddle them

    def evaluated(distinct: bool) -> dict[str, np.ndarray]:
        evaluate = _scenario_evaluator(
            scenario, inputs, None, "eum", config, chunk, 0, None, distinct=distinct
        )
        return evaluate(values)

    fast, plain = evaluated(True), evaluated(False)
    assert list(fast) == list(plain)
    for measure in plain:
        assert fast[measure].tobytes() == plain[measure].tobytes(), measure


def test_chosen_measures_have_the_same_indices_as_in_the_full_table() -> None:
    scenario = peninsula.load_scenario("korea-2025")
    every = sensitivity_all(scenario, 16, seed=2, model="compromise")
    chosen = ("nonpro.erosion", "outcome.force_posture")
    some = sensitivity_all(scenario, 16, seed=2, model="compromise", measures=chosen)
    assert sorted(set(some.index.get_level_values(0))) == sorted(chosen)
    for measure in chosen:
        pd.testing.assert_frame_equal(
            some.xs(measure, level=0), every.xs(measure, level=0), check_exact=True
        )
    none = sensitivity_all(scenario, 16, seed=2, model="compromise", measures=("nope",))
    assert none.empty


def test_old_seoul_measure_names_give_the_sidelined_measures_indices() -> None:
    # A deprecated name is read as the new one: same indices, reported under the new name.
    scenario = peninsula.load_scenario("korea-2025")
    new = sensitivity(scenario, "sidelined.utility_loss", 8, seed=1, model="compromise")
    old = sensitivity(scenario, "seoul.utility_loss", 8, seed=1, model="compromise")
    pd.testing.assert_frame_equal(old, new, check_exact=True)
    some = sensitivity_all(scenario, 8, seed=1, model="compromise", measures=("seoul.role",))
    assert set(some.index.get_level_values(0)) == {"sidelined.role"}
