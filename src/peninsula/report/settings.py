"""What a report run is asked to do: the Monte Carlo size, the seed and the models."""

from __future__ import annotations

from dataclasses import dataclass

# Chosen so the whole default report (every engine) takes well under 2 minutes on 2 cores;
# the measurement is recorded in docs/how-to/write-a-report.md.
DEFAULT_RUNS = 2000
DEFAULT_SEED = 20250930


@dataclass(frozen=True)
class ReportSettings:
    """``runs``: Monte Carlo samples per policy; ``seed``: the one seed every section derives
    its randomness from (same seed, same numbers); ``executor``/``workers``: how the ensemble
    spreads work (results do not depend on them)."""

    runs: int = DEFAULT_RUNS
    seed: int = DEFAULT_SEED
    models: tuple[str, ...] | None = None
    executor: str = "local"
    workers: int | None = None
    horizon_months: int = 24

    def __post_init__(self) -> None:
        if self.runs < 1:
            raise ValueError("runs must be at least 1")
