"""run_experiments: same seed → identical tables whatever the executor; summaries are sane."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import peninsula
from peninsula.ensemble import run_experiments
from peninsula.errors import NotFoundError
from peninsula.executors import get_executor
from peninsula.models.registry import available_models
from peninsula.scenario.schema import Scenario


@pytest.fixture(scope="module")
def korea() -> Scenario:
    return peninsula.load_scenario("korea-2025")


def _run(scenario: Scenario, executor: object = "local", **kw: object) -> pd.DataFrame:
    exp = run_experiments(
        scenario, 90, seed=5, models=("median", "nash"), executor=executor, chunk_size=32, **kw
    )
    return exp.results


def test_identical_across_executors_and_workers(korea: Scenario) -> None:
    reference = _run(korea)
    with get_executor("processes", workers=2) as ex:
        pd.testing.assert_frame_equal(_run(korea, ex), reference, check_exact=True)
    with get_executor("processes", workers=1) as ex:
        pd.testing.assert_frame_equal(_run(korea, ex), reference, check_exact=True)


@pytest.mark.slow
def test_identical_on_a_dask_local_cluster(korea: Scenario) -> None:
    reference = _run(korea)
    with get_executor("dask", workers=2) as ex:
        pd.testing.assert_frame_equal(_run(korea, ex), reference, check_exact=True)


def test_seed_changes_results(korea: Scenario) -> None:
    a = run_experiments(korea, 40, seed=1, models=("median",))
    b = run_experiments(korea, 40, seed=2, models=("median",))
    assert not a.inputs.equals(b.inputs)


@pytest.mark.parametrize("model", available_models())
def test_reusing_unchanged_issues_gives_the_same_numbers(korea: Scenario, model: str) -> None:
    # The models contract: issues are independent, so reuse must be exact.
    fast = run_experiments(korea, 24, seed=9, models=(model,), chunk_size=12)
    full = run_experiments(korea, 24, seed=9, models=(model,), chunk_size=12, reuse_issues=False)
    pd.testing.assert_frame_equal(fast.results, full.results, check_exact=True)


def test_tables_and_summary(korea: Scenario) -> None:
    exp = run_experiments(korea, 64, seed=0, models=("compromise",))
    policies = ["status-quo", *(p.id for p in korea.policies)]
    assert list(exp.policies) == policies
    assert len(exp.results) == 64 * len(policies)
    assert len(exp.inputs) == 64
    summary = exp.summary()
    assert set(summary.index.get_level_values("policy")) == set(policies)
    assert {"deal", "sidelined.flag", "alliance.strain", "nonpro.erosion"} <= set(
        summary.index.get_level_values("measure")
    )
    # (the mean need not lie inside the 90% interval for skewed measures; low <= high must)
    assert (summary["low"] <= summary["high"]).all()
    # independent recomputation of one cell
    rows = exp.results[exp.results["policy"] == "freeze-for-relief"]["nonpro.erosion"]
    cell = summary.loc[("freeze-for-relief", "nonpro.erosion")]
    assert cell["mean"] == pytest.approx(rows.mean())
    assert cell["mcse"] == pytest.approx(rows.std(ddof=1) / np.sqrt(64))
    # excluding Seoul always sidelines it
    sidelined = summary.loc[("bilateral-summitry", "sidelined.flag"), "mean"]
    assert sidelined == 1.0


def test_status_quo_policy_equals_no_change(korea: Scenario) -> None:
    # The status-quo lever keeps the world unchanged: its forecasts must equal a direct model
    # call on the recorded sampled inputs.
    from peninsula.ensemble.sampling import build_problem, collect_inputs
    from peninsula.models.registry import get_model
    from peninsula.scenario.arrays import to_problem

    exp = run_experiments(korea, 16, seed=4, models=("compromise",), policies=["status-quo"])
    inputs = collect_inputs(korea)
    values = exp.inputs[[i.name for i in inputs]].to_numpy()
    world = build_problem(to_problem(korea), inputs, values)
    outcome = get_model("compromise").forecast(world).outcome
    got = exp.results[[f"outcome.{i}" for i in korea.issue_ids]].to_numpy()
    np.testing.assert_allclose(got, outcome)


def test_progress_reports_every_chunk(korea: Scenario) -> None:
    calls: list[tuple[int, int]] = []
    run_experiments(
        korea, 50, 0, models=("median",), chunk_size=20, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(0, 50), (20, 50), (40, 50), (50, 50)]


def test_unknown_names_are_user_errors(korea: Scenario) -> None:
    with pytest.raises(NotFoundError, match="unknown model"):
        run_experiments(korea, 10, 0, models=("nope",))
    with pytest.raises(NotFoundError, match="unknown policy 'nope'"):
        run_experiments(korea, 10, 0, models=("median",), policies=["nope"])
