"""Policy comparison under uncertainty: sampled worlds, levers, measures, sensitivity, discovery.

Public API (see docs/explanation/policy-measures.md and sensitivity-and-discovery.md):

- :func:`run_experiments` → :class:`Experiment` (``.summary()``, ``.results``, ``.inputs``)
- :func:`sensitivity` → Sobol indices per input (module ``sobol``: a module named
  ``sensitivity`` would shadow the function of the same name on this package)
- :func:`discover` → PRIM boxes where a policy fails a threshold
- :mod:`peninsula.ensemble.executors` → ``get_executor``, ``run_chunked``

Heavy modules are imported on first use so that ``import peninsula.ensemble.executors`` (used by
the crisis simulator inside worker processes) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peninsula.ensemble.discovery import discover
    from peninsula.ensemble.experiment import Experiment, run_experiments
    from peninsula.ensemble.sobol import sensitivity, sensitivity_all, sobol_indices
    from peninsula.ensemble.store import load_experiment, save_experiment

_LAZY = {
    "run_experiments": "peninsula.ensemble.experiment",
    "Experiment": "peninsula.ensemble.experiment",
    "sensitivity": "peninsula.ensemble.sobol",
    "sensitivity_all": "peninsula.ensemble.sobol",
    "sobol_indices": "peninsula.ensemble.sobol",
    "discover": "peninsula.ensemble.discovery",
    "save_experiment": "peninsula.ensemble.store",
    "load_experiment": "peninsula.ensemble.store",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'peninsula.ensemble' has no attribute {name!r}")


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
