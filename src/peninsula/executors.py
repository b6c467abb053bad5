"""Where chunks of Monte Carlo work run: in-process, in local processes, or on a Dask cluster.

The contract that makes results reproducible is in :func:`run_chunked`: work is cut into
*fixed-size* chunks whose count depends only on ``n_total`` and ``chunk_size`` (never on the
number of workers), and chunk ``c`` receives the ``c``-th child of
``numpy.random.SeedSequence(seed).spawn(n_chunks)``. Every chunk is therefore a pure function
of its arguments, so the same seed gives identical bytes whatever the executor or worker count
(the approach recommended by NumPy's "Parallel random number generation" guide).

Executors only *place* work; they never change it. All three preserve task order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

from peninsula.errors import PeninsulaError

T = TypeVar("T")
R = TypeVar("R")

ExecutorKind = Literal["local", "processes", "dask"]
EXECUTOR_KINDS: tuple[str, ...] = ("local", "processes", "dask")


class Executor(Protocol):
    """Maps a picklable function over tasks, preserving order; a context manager."""

    kind: str
    workers: int

    def map(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> list[R]: ...

    def imap(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> Iterator[R]:
        """Like :meth:`map` but yields results in order as they become available."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class _Base:
    kind = "base"
    workers = 1

    def close(self) -> None:
        """Release pools or clients; idempotent."""

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class LocalExecutor(_Base):
    """Serial, in-process: each chunk is already vectorised over its rows with numpy."""

    kind = "local"

    def __init__(self) -> None:
        self.workers = 1

    def map(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> list[R]:
        return [fn(task) for task in tasks]

    def imap(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> Iterator[R]:
        return (fn(task) for task in tasks)


class ProcessExecutor(_Base):
    """A pool of local worker processes started with ``spawn``.

    ``spawn`` (not ``fork``) because forking a process that holds threads (BLAS, Dask, rich's
    refresh thread) can deadlock, and because it behaves the same on Linux, macOS and Windows.
    The pool is created lazily so that constructing an executor costs nothing.
    """

    kind = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def map(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> list[R]:
        return list(self.imap(fn, tasks))

    def imap(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> Iterator[R]:
        if not tasks:
            return iter(())
        # Everything is submitted at once; results are yielded in task order.
        return self._get_pool().map(fn, tasks)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(_Base):
    """A ``dask.distributed`` client: a remote scheduler, or a LocalCluster on loopback.

    With ``scheduler`` (e.g. ``"tcp://10.0.0.5:8786"``) the client connects to an existing
    cluster and never shuts it down. Without it, a ``LocalCluster`` of ``workers`` single-threaded
    worker *processes* is started on 127.0.0.1 with no dashboard: processes rather than threads
    because the models are numpy code with Python loops over rounds that hold the GIL.
    """

    kind = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        import dask
        import dask.distributed as dd

        # dask.distributed is untyped: go through Any.
        Client: Any = dd.Client
        LocalCluster: Any = dd.LocalCluster

        self._cluster: Any = None
        try:
            if scheduler is not None:
                self._client: Any = Client(scheduler, timeout="10s")
                info = self._client.scheduler_info()
                self.workers = max(1, len(info.get("workers", {})))
            else:
                self.workers = workers if workers is not None else (os.cpu_count() or 1)
                # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in new workers so that glibc returns
                # freed memory quickly. The models allocate and free multi-megabyte temporaries
                # every round, so the heap is trimmed and regrown constantly: measured 3x the
                # CPU time of the same work in a process pool. Keep glibc's default here.
                with dask.config.set(
                    {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
                ):
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address=None,
                    )
                self._client = Client(self._cluster)
        except OSError as error:
            self.close()
            raise PeninsulaError(
                f"cannot reach the Dask scheduler {scheduler!r}: {error}"
                if scheduler
                else f"cannot start a local Dask cluster: {error}"
            ) from error

    def map(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> list[R]:
        return list(self.imap(fn, tasks))

    def imap(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> Iterator[R]:
        if not tasks:
            return iter(())
        # pure=False: tasks with equal arguments must still each run (and keys stay unique).
        futures = self._client.map(fn, list(tasks), pure=False)
        return (future.result() for future in futures)

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def get_executor(
    kind: str = "local", workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """An executor by name: ``"local"``, ``"processes"`` or ``"dask"``.

    ``workers`` is the pool size (ignored by ``"local"``; default: the CPU count). ``scheduler``
    is a Dask scheduler address; giving one implies ``kind="dask"``.
    """
    if workers is not None and workers < 1:
        raise PeninsulaError(f"workers must be at least 1 (got {workers})")
    if scheduler is not None and kind != "dask":
        raise PeninsulaError("--scheduler needs the dask executor (--executor dask)")
    if kind == "local":
        return LocalExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise PeninsulaError(f"unknown executor {kind!r}; choose one of: {', '.join(EXECUTOR_KINDS)}")


def chunk_bounds(n_total: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``range(n_total)`` in fixed-size chunks.

    The last chunk may be shorter; the chunking depends only on the two arguments.
    """
    if n_total < 0:
        raise PeninsulaError(f"the number of runs must not be negative (got {n_total})")
    if chunk_size < 1:
        raise PeninsulaError(f"chunk size must be at least 1 (got {chunk_size})")
    return [(start, min(start + chunk_size, n_total)) for start in range(0, n_total, chunk_size)]


ChunkFn = Callable[[int, int, np.random.SeedSequence], T]


def _run_one(task: tuple[ChunkFn[Any], int, int, np.random.SeedSequence]) -> Any:
    fn, start, stop, seed_seq = task
    return fn(start, stop, seed_seq)


def iter_chunked(
    fn: ChunkFn[T],
    n_total: int,
    chunk_size: int,
    seed: int | np.random.SeedSequence,
    executor: Executor,
) -> Iterator[tuple[int, T]]:
    """Like :func:`run_chunked` but yields ``(rows done so far, chunk result)`` in chunk order,
    so that a caller can report progress while later chunks are still running."""
    bounds = chunk_bounds(n_total, chunk_size)
    for (_, stop), result in zip(
        bounds, executor.imap(_run_one, _tasks(fn, bounds, seed)), strict=True
    ):
        yield stop, result


def _tasks(
    fn: ChunkFn[T], bounds: list[tuple[int, int]], seed: int | np.random.SeedSequence
) -> list[tuple[ChunkFn[T], int, int, np.random.SeedSequence]]:
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    # spawn() on a copy: the caller's SeedSequence is not mutated, so a repeated call with the
    # same SeedSequence gives the same children.
    copy = np.random.SeedSequence(root.entropy, spawn_key=root.spawn_key, pool_size=root.pool_size)
    children = copy.spawn(len(bounds))
    return [(fn, start, stop, child) for (start, stop), child in zip(bounds, children, strict=True)]


def run_chunked(
    fn: ChunkFn[T],
    n_total: int,
    chunk_size: int,
    seed: int | np.random.SeedSequence,
    executor: Executor | str = "local",
) -> list[T]:
    """Call ``fn(start, stop, seed_sequence)`` for each fixed-size chunk; results in chunk order.

    ``fn`` must be a picklable module-level function (or ``functools.partial`` of one) for the
    process and Dask executors. ``executor`` may be an :class:`Executor` (left open) or a kind
    name (a fresh executor is created and closed).
    """
    tasks = _tasks(fn, chunk_bounds(n_total, chunk_size), seed)
    if isinstance(executor, str):
        with get_executor(executor) as owned:
            return owned.map(_run_one, tasks)
    return executor.map(_run_one, tasks)


def reference_chunk(start: int, stop: int, seed_seq: np.random.SeedSequence) -> np.ndarray:
    """A reference chunk function: row indices and standard-normal draws, ``(stop - start, 2)``.

    Module-level (so every executor can import it in its workers) and a pure function of its
    arguments; :func:`verify_executor` uses it to check that an executor reproduces local bytes.
    """
    rng = np.random.default_rng(seed_seq)
    rows = np.arange(start, stop, dtype=np.float64)
    return np.column_stack([rows, rng.standard_normal(stop - start)])


def verify_executor(
    executor: Executor, n_total: int = 1000, chunk_size: int = 64, seed: int = 0
) -> bool:
    """True if ``executor`` gives the same bytes as in-process execution.

    Useful before a long run on a remote Dask cluster whose workers may run other versions of
    numpy: different bytes mean results would not be reproducible locally.
    """
    local = np.concatenate(run_chunked(reference_chunk, n_total, chunk_size, seed, "local"))
    remote = np.concatenate(run_chunked(reference_chunk, n_total, chunk_size, seed, executor))
    return local.tobytes() == remote.tobytes()
