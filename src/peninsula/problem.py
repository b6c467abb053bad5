"""The numeric core's input: a bargaining problem as arrays, batch dimension first.

Every model, the ensemble and the crisis simulator consume this one structure, so a scenario
is converted once (``peninsula.scenario.arrays.to_problem``) and everything downstream is
numbers in, numbers out. A single scenario is a batch of one (``B == 1``).

Shapes (``B`` samples, ``n`` actors, ``k`` issues):

==================  ===========  ======================================================
field               shape        meaning
==================  ===========  ======================================================
position            (B, n, k)    each actor's ideal point on each issue's scale
salience            (B, n, k)    how much the issue matters to the actor, in [0, 1]
capability          (B, n)       relative power to influence outcomes, >= 0
status_quo          (B, k)       where each issue stands if no agreement is reached
risk                (B, n)       risk attitude in [-1, 1]; NaN where the scenario is silent
outside_option      (B, n)       utility of walking away, in [0, 1]; NaN where silent
participating       (B, n)       False for actors excluded from the talks by a policy
lower, upper        (k,)         the ends of each issue's scale
==================  ===========  ======================================================

An excluded actor keeps its preferences (so its utility loss can be measured) but has no
influence: models must treat its effective capability as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class BargainingProblem:
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    position: FloatArray
    salience: FloatArray
    capability: FloatArray
    status_quo: FloatArray
    lower: FloatArray
    upper: FloatArray
    risk: FloatArray = field(default_factory=lambda: np.empty((0, 0)))
    outside_option: FloatArray = field(default_factory=lambda: np.empty((0, 0)))
    participating: BoolArray = field(default_factory=lambda: np.empty((0, 0), dtype=bool))

    def __post_init__(self) -> None:
        b, n, k = self.position.shape
        defaults = {
            "risk": np.full((b, n), np.nan),
            "outside_option": np.full((b, n), np.nan),
            "participating": np.ones((b, n), dtype=bool),
        }
        for name, default in defaults.items():
            if getattr(self, name).size == 0:
                object.__setattr__(self, name, default)
        expected = {
            "salience": (b, n, k),
            "capability": (b, n),
            "status_quo": (b, k),
            "lower": (k,),
            "upper": (k,),
            "risk": (b, n),
            "outside_option": (b, n),
            "participating": (b, n),
        }
        for name, shape in expected.items():
            actual = getattr(self, name).shape
            if actual != shape:
                raise ValueError(f"{name} has shape {actual}, expected {shape}")
        if len(self.actor_ids) != n or len(self.issue_ids) != k:
            raise ValueError("actor_ids/issue_ids do not match the array shapes")

    @property
    def batch_size(self) -> int:
        return int(self.position.shape[0])

    @property
    def n_actors(self) -> int:
        return int(self.position.shape[1])

    @property
    def n_issues(self) -> int:
        return int(self.position.shape[2])

    @property
    def effective_capability(self) -> FloatArray:
        """Capability with excluded actors set to zero, shape (B, n)."""
        return np.where(self.participating, self.capability, 0.0)

    def select_issues(self, issue_ids: tuple[str, ...]) -> BargainingProblem:
        """The same problem restricted to some issues (in the given order)."""
        index = [self.issue_ids.index(i) for i in issue_ids]
        return replace(
            self,
            issue_ids=tuple(issue_ids),
            position=self.position[:, :, index],
            salience=self.salience[:, :, index],
            status_quo=self.status_quo[:, index],
            lower=self.lower[index],
            upper=self.upper[index],
        )

    def take(self, rows: NDArray[np.intp] | slice) -> BargainingProblem:
        """A sub-batch (rows of the batch dimension)."""
        return replace(
            self,
            position=self.position[rows],
            salience=self.salience[rows],
            capability=self.capability[rows],
            status_quo=self.status_quo[rows],
            risk=self.risk[rows],
            outside_option=self.outside_option[rows],
            participating=self.participating[rows],
        )

    def normalised_position(self) -> FloatArray:
        """Positions rescaled to [0, 1] per issue, shape (B, n, k): models compare distances."""
        return (self.position - self.lower) / (self.upper - self.lower)
