"""Forecast a batch in chunks whose memory fits a budget, for any model.

Every model is vectorised over the batch axis, so its working memory grows with the number of
rows it is given at once — for the dynamic models steeply with the number of actors (the
expected utility model holds a (rows, n(n−1)/2, n) array of vote contributions; 36 MB per row
at 200 actors). Rows are independent by the :class:`~peninsula.models.base.Forecast`
contract, so a batch can be cut into chunks of rows, forecast chunk by chunk and stacked
(:func:`~peninsula.models.base.stack_forecasts`) without changing any result.

How many rows fit is *measured*, not declared per model: the first row is forecast alone under
:mod:`tracemalloc` (numpy reports its array allocations to it), and its peak traced memory is
the per-row cost. The remaining rows then go in chunks of ``max(1, budget // (cost ×
workers))`` rows, ``workers`` chunks at a time on a thread pool (numpy releases the GIL in its
array loops, so two workers use two cores). Peak memory is therefore about ``budget``, or one
row's cost if a single row is larger than the budget (rows are not split further: a model's
issues need not be independent).

Results are identical to one unchunked call for every model whose rows do not share a random
stream — all deterministic models, which is every model registered today. A stochastic model
receives the same ``Generator`` in every chunk, in chunk order when ``workers == 1``.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from peninsula.defaults import BUDGET_MIB
from peninsula.models.base import Forecast, Model, stack_forecasts
from peninsula.problem import BargainingProblem

#: Default memory budget of one forecast call, in bytes (``defaults.BUDGET_MIB``).
DEFAULT_BUDGET = BUDGET_MIB * 2**20

Progress = Callable[[int, int], None]


def measure_row(
    model: Model,
    problem: BargainingProblem,
    params: Mapping[str, float] | None,
    rng: np.random.Generator | None,
) -> tuple[Forecast, int]:
    """Forecast the first row alone; return it and its peak traced memory in bytes."""
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        first = model.forecast(problem.take(slice(0, 1)), params, rng)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if not already:
            tracemalloc.stop()
    return first, max(peak - base, 1)


def rows_per_chunk(row_bytes: int, budget: int, workers: int = 1) -> int:
    """Rows of one chunk so that ``workers`` chunks in flight stay within ``budget``."""
    return max(1, budget // (row_bytes * max(1, workers)))


def forecast_in_chunks(
    model: Model,
    problem: BargainingProblem,
    params: Mapping[str, float] | None = None,
    rng: np.random.Generator | None = None,
    budget: int = DEFAULT_BUDGET,
    workers: int = 1,
    progress: Progress | None = None,
) -> Forecast:
    """``model.forecast(problem, params, rng)`` computed in memory-bounded chunks of rows.

    ``progress(done, total)`` is called after the measured first row and after every chunk
    (rows done so far, batch size). A batch of one row is not split; if the model reports its
    own progress (a ``forecast_with_progress(problem, params, rng, progress)`` method, as the
    SMP has: turns done of turns at most), ``progress`` follows that instead, so a single
    large forecast shows progress too. ``budget`` is in bytes.
    """
    if budget < 1:
        raise ValueError(f"budget must be positive, got {budget}")
    total = problem.batch_size
    if total == 1:  # nothing to split: no measurement (tracemalloc slows allocation-heavy code)
        stepwise = getattr(model, "forecast_with_progress", None)
        if progress is not None and stepwise is not None:
            reported: Forecast = stepwise(problem, params, rng, progress)
            return reported
        only = model.forecast(problem, params, rng)
        if progress is not None:
            progress(1, 1)
        return only
    first, row_bytes = measure_row(model, problem, params, rng)
    if progress is not None:
        progress(1, total)
    size = rows_per_chunk(row_bytes, budget, workers)
    bounds = [(start, min(start + size, total)) for start in range(1, total, size)]
    parts: list[Forecast] = [first]
    done = 1

    def run(bound: tuple[int, int]) -> Forecast:
        return model.forecast(problem.take(slice(*bound)), params, rng)

    if workers <= 1:
        results = map(run, bounds)
        for bound, part in zip(bounds, results, strict=True):
            parts.append(part)
            done += bound[1] - bound[0]
            if progress is not None:
                progress(done, total)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for bound, part in zip(bounds, pool.map(run, bounds), strict=True):
                parts.append(part)
                done += bound[1] - bound[0]
                if progress is not None:
                    progress(done, total)
    return stack_forecasts(parts)


def _issue_keys(problem: BargainingProblem, issue: int) -> NDArray[np.void]:
    """One opaque key per row: the bytes of everything a model may read for ``issue`` alone
    (its positions, saliences and status quo, and every actor-level field)."""
    b = problem.batch_size
    columns = np.concatenate(
        [
            problem.position[:, :, issue],
            problem.salience[:, :, issue],
            problem.status_quo[:, issue : issue + 1],
            problem.capability,
            problem.risk,
            problem.outside_option,
            problem.participating.astype(np.float64),
        ],
        axis=1,
    )
    columns = np.ascontiguousarray(columns, dtype=np.float64).reshape(b, -1)
    return columns.view(np.dtype((np.void, columns.dtype.itemsize * columns.shape[1])))[:, 0]


def distinct_rows(keys: NDArray[np.void]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """``(first, where)``: the first row of each distinct key, in row order, and for every row
    the index into ``first`` of the row with its key (``keys == keys[first][where]``)."""
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # distinct keys by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[np.ravel(inverse)]


def forecast_distinct_issues(
    model: Model,
    problem: BargainingProblem,
    params: Mapping[str, float] | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """``(outcome (B, k), converged (B, k))`` of a model whose issues are independent, each
    issue forecast once per *distinct* row of its own one-issue problem.

    Why: a Saltelli design (:mod:`peninsula.ensemble.sobol`) changes one input at a time, and
    an input belongs to one issue (a position, a salience, a status quo) or to every issue (a
    capability), so most rows repeat another row's problem on most issues — for korea-2025,
    of the 75 rows of a Saltelli block, about 22 differ on any one issue (55,550 distinct
    issue-rows of 187,500 in the default report). Forecasting the distinct ones and copying
    the results is the same computation done once instead of about three times. Valid for a
    model that does not link issues (``links_issues`` false: the contract
    the ensemble's per-issue reuse already relies on, :func:`peninsula.ensemble.experiment.
    run_chunk`) and whose rows are independent (:class:`~peninsula.models.base.Forecast`);
    identical to one full forecast for every deterministic model — every registered one
    (tested). A stochastic model would receive ``rng`` once per issue.

    Rows are compared by the exact bytes of their inputs, so two rows share a forecast only if
    the model could not tell them apart; NaN risks (no attitude given) compare equal.
    """
    b, k = problem.batch_size, problem.n_issues
    outcome = np.empty((b, k))
    converged = np.empty((b, k), dtype=bool)
    for issue, issue_id in enumerate(problem.issue_ids):
        first, where = distinct_rows(_issue_keys(problem, issue))
        part = model.forecast(problem.select_issues((issue_id,)).take(first), params, rng)
        outcome[:, issue] = part.outcome[where, 0]
        converged[:, issue] = part.converged[where]
    return outcome, converged
