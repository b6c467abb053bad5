"""What a report run is asked to do: the Monte Carlo size, the seed, the models, the horizon.

The defaults are :mod:`peninsula.defaults`, the same as every command's.
"""

from __future__ import annotations

from dataclasses import dataclass

from peninsula import defaults


@dataclass(frozen=True)
class ReportSettings:
    """``runs``: Monte Carlo samples per policy; ``seed``: the one seed every section passes to
    its engine (same seed, same numbers); ``executor``/``workers``: how the ensemble spreads
    work (results do not depend on them); ``horizon_months``: the crisis simulation's length."""

    runs: int = defaults.RUNS
    seed: int = defaults.SEED
    models: tuple[str, ...] | None = None
    executor: str = "local"
    workers: int | None = None
    horizon_months: int = defaults.HORIZON_MONTHS

    def __post_init__(self) -> None:
        if self.runs < 1:
            raise ValueError("runs must be at least 1")
