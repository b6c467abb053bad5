"""Scenario discovery: under which input conditions does a policy fail?

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
high-dimensional data"; used for scenario discovery by Bryant & Lempert 2010), peels thin
slices (``peel_alpha`` of the remaining points) off the input space to find a box where the
cases of interest are concentrated. Two numbers describe a box (Bryant & Lempert 2010):

* coverage = (cases of interest inside the box) / (all cases of interest)
* density  = (cases of interest inside the box) / (all cases inside the box)

We use the maintained ``prim`` package (Project Platypus, the PRIM of the EMA Workbench split
out), which installs cleanly on Python 3.11 with numpy 2; it needs no plotting to run.

Box choice along the peeling trajectory: the box with the largest coverage among those whose
density is at least ``min_density``; if no box is that dense, the densest one. Restrictions
whose quasi-p-value exceeds ``max_qp`` (default 0.05) are then dropped, as Bryant & Lempert
recommend, so the box names only conditions that are unlikely to be chance.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peninsula.ensemble.experiment import Experiment
from peninsula.ensemble.measures import canonical_measure
from peninsula.errors import NotFoundError, PeninsulaError


@dataclass(frozen=True)
class Discovery:
    """The result of :func:`discover`.

    Attributes:
        limits: restricted inputs only, index = input, columns ``min``, ``max`` (box bounds),
            ``low``, ``high`` (the input's sampled range) and ``qp`` (PRIM's quasi-p-value:
            small = the restriction is unlikely to be chance).
        coverage, density, mass: of the chosen box (mass = share of all worlds inside it).
        base_rate: share of worlds where the policy fails (density of the whole space).
        cases: number of failing worlds; n: number of worlds.
        trajectory: the peeling trajectory (coverage, density, mass, res dim per step).
    """

    policy: str
    measure: str
    threshold: float
    above: bool
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    base_rate: float
    cases: int
    n: int
    trajectory: pd.DataFrame

    @property
    def found(self) -> bool:
        return self.cases > 0


def failures(values: np.ndarray, threshold: float, above: bool) -> np.ndarray:
    """Boolean cases of interest: the measure is strictly above (or below) the threshold."""
    return np.asarray(values > threshold if above else values < threshold)


def prim_box(
    x: pd.DataFrame,
    y: np.ndarray,
    min_density: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_qp: float | None = 0.05,
) -> tuple[pd.DataFrame, dict[str, float], pd.DataFrame]:
    """Run PRIM on inputs ``x`` and boolean ``y``; returns (limits, stats, trajectory)."""
    import prim

    y = np.asarray(y, dtype=bool)
    constant = [c for c in x.columns if x[c].nunique() <= 1]
    x = x.drop(columns=constant)
    logging.getLogger("prim").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, threshold=None, peel_alpha=peel_alpha, mass_min=mass_min)
        box = finder.find_box()
        trajectory = box.peeling_trajectory.copy()
        dense = trajectory.index[trajectory["density"] >= min_density]
        if len(dense):
            step = int(trajectory.loc[dense, "coverage"].idxmax())
        else:
            step = int(trajectory["density"].idxmax())
        box.select(step)
        if max_qp is not None:
            # Bryant & Lempert's significance check: a restriction whose quasi-p-value is
            # large is probably chance; dropping it gives a simpler box at little cost.
            # Drop the least significant one at a time: the others' values change after each.
            while len(box.limits) > 1:
                qp = box.limits["qp values"]
                if qp.max() <= max_qp:
                    break
                box.drop_restriction(qp.idxmax())
        limits = box.limits.rename(columns={"qp values": "qp"})
        stats = {k: float(getattr(box, k)) for k in ("coverage", "density", "mass")}
    restricted = [
        name
        for name in limits.index
        if limits.loc[name, "min"] > x[name].min() or limits.loc[name, "max"] < x[name].max()
    ]
    limits = limits.loc[restricted, ["min", "max", "qp"]].astype(float)
    limits.insert(2, "low", [float(x[n].min()) for n in restricted])
    limits.insert(3, "high", [float(x[n].max()) for n in restricted])
    limits.index.name = "input"
    return limits, stats, trajectory


def discover(
    experiment: Experiment,
    policy: str,
    measure: str,
    threshold: float,
    above: bool = True,
    *,
    model: str | None = None,
    min_density: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_qp: float | None = 0.05,
) -> Discovery:
    """Find the box of uncertain inputs where ``policy`` fails: ``measure`` above (or below)
    ``threshold``. Only inputs that enter the bargaining problem are offered to PRIM. A
    deprecated ``seoul.*`` measure name is read as its ``sidelined.*`` name."""
    measure = canonical_measure(measure)
    if policy not in experiment.policies:
        raise NotFoundError(f"unknown policy {policy!r}; known: {', '.join(experiment.policies)}")
    if measure not in experiment.measures:
        raise NotFoundError(f"unknown measure {measure!r}; known: {', '.join(experiment.measures)}")
    chosen = experiment.models[0] if model is None else model
    if chosen not in experiment.models:
        raise NotFoundError(f"model {chosen!r} was not run; run: {', '.join(experiment.models)}")
    res = experiment.results
    rows = res[(res["policy"] == policy) & (res["model"] == chosen)].sort_values("run")
    y = failures(rows[measure].to_numpy(dtype=np.float64), threshold, above)
    columns = experiment.metadata.get("problem_inputs") or [
        c for c in experiment.inputs.columns if c != "run"
    ]
    x = experiment.inputs.set_index("run").loc[rows["run"].to_numpy(), columns]
    x = x.reset_index(drop=True)
    n, cases = len(y), int(y.sum())
    empty = pd.DataFrame(columns=["min", "max", "low", "high", "qp"], dtype=float)
    if n == 0:
        raise PeninsulaError("the experiment has no runs")
    if cases == 0 or cases == n:
        # Nothing to separate: no failing world, or every world fails (the box is everything).
        share = cases / n
        return Discovery(
            policy, measure, threshold, above, empty, float(cases > 0), share, 1.0, share,
            cases, n, pd.DataFrame(),
        )  # fmt: skip
    limits, stats, trajectory = prim_box(x, y, min_density, peel_alpha, mass_min, max_qp)
    return Discovery(
        policy=policy,
        measure=measure,
        threshold=threshold,
        above=above,
        limits=limits,
        coverage=stats["coverage"],
        density=stats["density"],
        mass=stats["mass"],
        base_rate=cases / n,
        cases=cases,
        n=n,
        trajectory=trajectory,
    )
