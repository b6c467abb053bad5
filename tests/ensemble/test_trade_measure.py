"""The ensemble's trade measure: whether a policy's declared trade is realised in each world."""

from __future__ import annotations

import numpy as np

from peninsula.ensemble.experiment import run_experiments
from peninsula.ensemble.sampling import build_problem, collect_inputs
from peninsula.models.deals import trade_realised
from peninsula.models.exchange import MODEL
from peninsula.scenario.arrays import apply_policy, to_problem
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.policies import find_policy


def test_trade_measure_matches_a_recomputation_from_the_sampled_inputs() -> None:
    scenario = load_scenario("korea-2025")
    policy = find_policy(scenario, "freeze-for-relief")
    assert policy is not None and policy.trade is not None
    experiment = run_experiments(
        scenario, 32, seed=4, models=("exchange", "compromise"), policies=(policy.id,)
    )
    results = experiment.results
    by_model = {m: part for m, part in results.groupby("model", observed=True)}
    happened = by_model["exchange"].sort_values("run")["trade.freeze-for-relief"].to_numpy()
    assert set(np.unique(happened)) <= {0.0, 1.0}
    # Models that do not trade across issues have no such measure (NaN, not a guessed 0).
    assert by_model["compromise"]["trade.freeze-for-relief"].isna().all()
    # Rebuild the same worlds from the recorded inputs, apply the policy, run the model.
    inputs = collect_inputs(scenario)
    values = experiment.inputs.sort_values("run")[[i.name for i in inputs]].to_numpy()
    worlds = apply_policy(build_problem(to_problem(scenario), inputs, values), policy)
    expected = trade_realised(MODEL.run(worlds), worlds, policy.trade)
    np.testing.assert_array_equal(happened, expected)
