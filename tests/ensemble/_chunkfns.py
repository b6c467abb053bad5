"""Module-level chunk functions for executor tests (must be importable by spawned workers)."""

from __future__ import annotations

import numpy as np


def draw(start: int, stop: int, seed_seq: np.random.SeedSequence) -> np.ndarray:
    """Row-indexed random draws: the bytes depend only on the chunk and its seed."""
    rng = np.random.default_rng(seed_seq)
    return np.column_stack([np.arange(start, stop), rng.standard_normal(stop - start)])


def square(x: int) -> int:
    return x * x
