"""The model interface shared by every bargaining model, and helpers they all need.

A model is anything with ``name``, ``label``, ``dynamic`` and a ``forecast`` method (the
:class:`Model` protocol). It works on a whole batch at once, issue by issue, on each issue's own
scale, and returns a :class:`Forecast`: the predicted outcome plus every actor's position per
round, so that static models (median, mean, Nash) and dynamic ones (expected utility, SMP) can be
compared and plotted through one structure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from peninsula.errors import InputError, Located
from peninsula.problem import BargainingProblem, BoolArray, FloatArray

IntArray = NDArray[np.int64]

#: Parameter name under which dynamic models take their maximum number of rounds (the CLI's
#: ``--rounds`` passes it only to models with ``dynamic == True``).
ROUNDS_PARAM = "max_rounds"

#: Two positions closer than this (in issue units) count as the same position.
MOVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Forecast:
    """A model's forecast for a batch of problems.

    Attributes:
        model: registry name of the model that produced it.
        actor_ids, issue_ids: labels of the ``n`` and ``k`` axes.
        outcome: ``(B, k)`` predicted outcome of each issue, in issue units.
        trajectory: ``(B, R + 1, n, k)`` actors' positions per round; round 0 is the initial
            position. Static models have ``R == 0``. After a row converges its last round is
            repeated up to ``R`` so the batch is rectangular.
        rounds: ``(B,)`` number of rounds each row actually ran.
        converged: ``(B,)`` whether each row reached its stopping rule (static models: True).
    """

    model: str
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    outcome: FloatArray
    trajectory: FloatArray
    rounds: IntArray
    converged: BoolArray

    @property
    def batch_size(self) -> int:
        return int(self.outcome.shape[0])

    @property
    def moved(self) -> BoolArray:
        """``(B, n, k)``: whether each actor's final position differs from its initial one."""
        return np.asarray(np.abs(self.trajectory[:, -1] - self.trajectory[:, 0]) > MOVE_TOLERANCE)

    def take(self, rows: NDArray[np.intp] | slice) -> Forecast:
        """A sub-batch of this forecast (rows of the batch dimension)."""
        return Forecast(
            model=self.model,
            actor_ids=self.actor_ids,
            issue_ids=self.issue_ids,
            outcome=self.outcome[rows],
            trajectory=self.trajectory[rows],
            rounds=self.rounds[rows],
            converged=self.converged[rows],
        )


@runtime_checkable
class Model(Protocol):
    """What the registry, the CLI, the ensemble and the report rely on."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def dynamic(self) -> bool: ...

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast: ...


# ----------------------------------------------------------------------------------- helpers


def influence_weights(problem: BargainingProblem) -> FloatArray:
    """``(B, n, k)`` effective capability × salience: the weight of an actor on an issue.

    Excluded actors (``participating`` False) get weight zero, so they have no influence.
    """
    return problem.effective_capability[:, :, None] * problem.salience


def weighted_mean(position: FloatArray, weight: FloatArray, fallback: FloatArray) -> FloatArray:
    """``Σ_i w_i p_i / Σ_i w_i`` over the actor axis (axis 1) of ``(B, n, k)`` arrays.

    With capability × salience weights (:func:`influence_weights`) this is the compromise
    model's point (see :mod:`peninsula.models.compromise` for its source and why it is a
    bargaining outcome). Where nobody has weight on an issue there is no
    compromise to speak of and the ``(B, k)`` ``fallback`` is returned: the compromise model
    and the round-by-round summary of a trajectory both pass the status quo ("nothing moves").
    """
    total = weight.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    mean = (weight * position).sum(axis=1) / safe
    # Rounding can put the mean a hair outside the positions' span; clip it back in.
    big = np.where(weight > 0, position, -np.inf).max(axis=1)
    small = np.where(weight > 0, position, np.inf).min(axis=1)
    mean = np.clip(mean, np.minimum(small, big), np.maximum(small, big))
    return np.asarray(np.where(total > 0, mean, fallback), dtype=np.float64)


def static_forecast(problem: BargainingProblem, outcome: FloatArray, name: str) -> Forecast:
    """Wrap the outcome of a one-shot model as a :class:`Forecast` with ``R == 0``.

    The trajectory is the actors' initial positions only; nobody "moves" in a static model.
    """
    b = problem.batch_size
    outcome = np.asarray(outcome, dtype=np.float64)
    if outcome.shape != (b, problem.n_issues):
        raise ValueError(f"outcome has shape {outcome.shape}, expected {(b, problem.n_issues)}")
    return Forecast(
        model=name,
        actor_ids=problem.actor_ids,
        issue_ids=problem.issue_ids,
        outcome=outcome,
        trajectory=np.array(problem.position[:, None, :, :], dtype=np.float64),
        rounds=np.zeros(b, dtype=np.int64),
        converged=np.ones(b, dtype=bool),
    )


def pad_trajectories(trajectories: Sequence[FloatArray]) -> FloatArray:
    """Concatenate ``(B_j, R_j + 1, n, k)`` trajectories along B, repeating each one's last
    round up to the longest ``R`` (the contract: after convergence the last row repeats)."""
    longest = max(t.shape[1] for t in trajectories)
    padded = []
    for t in trajectories:
        missing = longest - t.shape[1]
        if missing:
            t = np.concatenate([t, np.repeat(t[:, -1:], missing, axis=1)], axis=1)
        padded.append(t)
    return np.concatenate(padded, axis=0)


def stack_forecasts(forecasts: Sequence[Forecast]) -> Forecast:
    """Join forecasts of the same model and labels along the batch axis.

    Used to compare the batch path with the per-row path, and by executors that compute a
    batch in chunks. Trajectories of different lengths are padded with their final round.
    """
    if not forecasts:
        raise ValueError("stack_forecasts needs at least one forecast")
    first = forecasts[0]
    for f in forecasts[1:]:
        if (f.model, f.actor_ids, f.issue_ids) != (first.model, first.actor_ids, first.issue_ids):
            raise ValueError("cannot stack forecasts of different models or labels")
    return Forecast(
        model=first.model,
        actor_ids=first.actor_ids,
        issue_ids=first.issue_ids,
        outcome=np.concatenate([f.outcome for f in forecasts], axis=0),
        trajectory=pad_trajectories([f.trajectory for f in forecasts]),
        rounds=np.concatenate([f.rounds for f in forecasts]),
        converged=np.concatenate([f.converged for f in forecasts]),
    )


def resolve_params(
    model: str, params: Mapping[str, float] | None, defaults: Mapping[str, float]
) -> dict[str, float]:
    """Defaults overridden by ``params``; an unknown parameter name is an :class:`InputError`
    (a typo must not silently fall back to the default)."""
    merged = dict(defaults)
    if not params:
        return merged
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        known = ", ".join(sorted(defaults)) or "(none)"
        raise InputError(
            [
                Located(f"unknown parameter {name!r} for model {model!r}; known: {known}")
                for name in unknown
            ]
        )
    for key, value in params.items():
        merged[key] = float(value)
    return merged


def ensure_rng(rng: np.random.Generator | None, seed: int = 0) -> np.random.Generator:
    """The given generator, or a fresh one from a fixed seed (never global state)."""
    return rng if rng is not None else np.random.default_rng(seed)


def validate_problem(problem: BargainingProblem, model: str = "") -> None:
    """Reject numbers no model can use, with a message naming the offending field.

    Checks: all arrays finite (risk/outside option may be NaN = unset), salience in [0, 1],
    capability >= 0, each issue's ``lower < upper``. Shapes are checked by the problem itself.
    """
    who = f"model {model}: " if model else ""
    problems: list[Located] = []
    for name in ("position", "salience", "capability", "status_quo", "lower", "upper"):
        values = getattr(problem, name)
        if not np.all(np.isfinite(values)):
            problems.append(Located(f"{who}contains NaN or infinite values", field=name))
    if np.any(problem.salience < 0) or np.any(problem.salience > 1):
        problems.append(Located(f"{who}salience must lie in [0, 1]", field="salience"))
    if np.any(problem.capability < 0):
        problems.append(Located(f"{who}capability must be >= 0", field="capability"))
    bad = [
        i
        for i, (lo, hi) in enumerate(zip(problem.lower, problem.upper, strict=True))
        if not lo < hi
    ]
    for i in bad:
        problems.append(
            Located(f"{who}scale min must be below max", field=f"issues.{problem.issue_ids[i]}")
        )
    if problems:
        raise InputError(problems)
