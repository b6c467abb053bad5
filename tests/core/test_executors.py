"""Executors place work but never change it: same seed → same bytes for any executor/workers.

Chunk functions run in spawned workers must be importable there, so the tests use the
package's own ``reference_chunk`` (a module in ``tests/`` is not importable by a worker when
pytest runs with ``--import-mode=importlib``).
"""

from __future__ import annotations

import operator

import numpy as np
import pytest

from peninsula.errors import PeninsulaError
from peninsula.executors import (
    chunk_bounds,
    get_executor,
    reference_chunk,
    run_chunked,
    verify_executor,
)


def _bytes(parts: list[np.ndarray]) -> bytes:
    return np.concatenate(parts).tobytes()


def test_chunk_bounds_cover_range_in_fixed_chunks() -> None:
    # 10 runs in chunks of 4: [0,4), [4,8), [8,10).
    assert chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_bounds(0, 4) == []


@pytest.mark.parametrize("kind", ["local", "processes"])
def test_map_preserves_order(kind: str) -> None:
    with get_executor(kind, workers=2 if kind == "processes" else None) as ex:
        assert ex.map(operator.neg, [3, 1, 2, 5]) == [-3, -1, -2, -5]
        assert list(ex.imap(operator.neg, [4, 6])) == [-4, -6]


def test_rows_are_indexed_and_seeded_per_chunk() -> None:
    parts = run_chunked(reference_chunk, 25, 10, seed=7, executor="local")
    out = np.concatenate(parts)
    assert out[:, 0].tolist() == list(range(25))
    # chunk c uses child c of SeedSequence(7): recompute chunk 1 independently.
    child = np.random.SeedSequence(7).spawn(3)[1]
    expected = np.random.default_rng(child).standard_normal(10)
    np.testing.assert_array_equal(out[10:20, 1], expected)
    # a different seed changes the numbers; the same SeedSequence object reused does not
    assert _bytes(run_chunked(reference_chunk, 25, 10, seed=8, executor="local")) != _bytes(parts)
    seq = np.random.SeedSequence(7)
    first = _bytes(run_chunked(reference_chunk, 25, 10, seed=seq, executor="local"))
    again = _bytes(run_chunked(reference_chunk, 25, 10, seed=seq, executor="local"))
    assert first == again == _bytes(parts)


@pytest.mark.parametrize("workers", [1, 2])
def test_processes_match_local_bytes(workers: int) -> None:
    reference = _bytes(run_chunked(reference_chunk, 37, 8, seed=123, executor="local"))
    with get_executor("processes", workers=workers) as ex:
        got = _bytes(run_chunked(reference_chunk, 37, 8, seed=123, executor=ex))
        assert verify_executor(ex)
    assert got == reference


@pytest.mark.slow
def test_dask_scheduler_address_matches_local_bytes() -> None:
    from dask.distributed import LocalCluster

    reference = _bytes(run_chunked(reference_chunk, 37, 8, seed=123, executor="local"))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        get_executor("dask", scheduler=cluster.scheduler_address) as ex,
    ):
        assert ex.workers == 2
        got = _bytes(run_chunked(reference_chunk, 37, 8, seed=123, executor=ex))
    assert got == reference


def test_bad_executor_arguments_are_user_errors() -> None:
    with pytest.raises(PeninsulaError, match="unknown executor"):
        get_executor("threads")
    with pytest.raises(PeninsulaError, match="at least 1"):
        get_executor("processes", workers=0)
    with pytest.raises(PeninsulaError, match="dask"):
        get_executor("local", scheduler="tcp://127.0.0.1:1")
