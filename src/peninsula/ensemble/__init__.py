"""Policy comparison under uncertainty: sampled worlds, levers, measures, sensitivity, discovery.

Public API (see docs/explanation/policy-measures.md and sensitivity-and-discovery.md):

- :func:`run_experiments` → :class:`Experiment` (``.summary()``, ``.results``, ``.inputs``)
- :func:`sensitivity` → Sobol indices per input (module ``sobol``: a module named
  ``sensitivity`` would shadow the function of the same name on this package)
- :func:`discover` → PRIM boxes where a policy fails a threshold
- :func:`save_experiment`, :func:`load_experiment` → an experiment on disk (Parquet)

Where the chunks run (in-process, processes, Dask) is :mod:`peninsula.executors`, shared with
the crisis simulator.
"""

from __future__ import annotations

from peninsula.ensemble.discovery import discover
from peninsula.ensemble.experiment import Experiment, run_experiments
from peninsula.ensemble.sobol import sensitivity, sensitivity_all, sobol_indices
from peninsula.ensemble.store import load_experiment, save_experiment

__all__ = [
    "Experiment",
    "discover",
    "load_experiment",
    "run_experiments",
    "save_experiment",
    "sensitivity",
    "sensitivity_all",
    "sobol_indices",
]
