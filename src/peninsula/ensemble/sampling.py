"""Sampled worlds: every ``uncertainty`` in a scenario becomes a named input with a distribution.

Why this design
---------------
Analysts disagree about the inputs, so a forecast must be read across many plausible worlds.
Each uncertain quantity in the scenario (actor capability, risk and outside option; stance
position and salience; issue status quo; relation strength; policy effects) is one *input*
named by where it lives, e.g. ``PRK.capability`` or ``PRK.sanctions_relief.salience``.

Points of the unit hypercube come from ``scipy.stats.qmc`` — Latin hypercube (McKay, Beckman
& Conover 1979) by default, or scrambled Sobol' sequences (Sobol' 1967; Owen scrambling) — and
are mapped to each input's distribution by its inverse CDF (the standard way to impose
marginals on a space-filling design). Normal uncertainties are *truncated* to the field's
admissible range (an issue's scale, [0, 1] for salience ...) because values outside it have no
meaning; the inverse CDF of the truncated normal keeps the design's stratification.

Relation strengths and policy effects are sampled and recorded (so discovery can use them) but
do not enter the bargaining problem: no model reads them. ``affects_problem`` says which do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import stats
from scipy.stats import qmc

from peninsula.errors import PeninsulaError
from peninsula.problem import BargainingProblem, FloatArray
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.schema import Normal, Quantity, Scenario, Triangular, Uniform

SamplingMethod = Literal["lhs", "sobol", "random"]
SAMPLING_METHODS: tuple[str, ...] = ("lhs", "sobol", "random")

#: Which array of the :class:`BargainingProblem` an input overwrites (or "" for none).
Field = Literal["position", "salience", "capability", "status_quo", "risk", "outside_option", ""]


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain number of the scenario.

    Attributes:
        name: dotted path, e.g. ``"KOR.force_posture.position"``.
        field: the problem array it overwrites (``""`` if none: relations, policy effects).
        index: position in that array without the batch axis: ``(a,)``, ``(a, i)`` or ``(i,)``.
        nominal: the scenario's value.
        dist: the scenario's uncertainty (Uniform, Triangular or Normal).
        valid: the field's admissible range; normal samples are truncated to it.
    """

    name: str
    field: Field
    index: tuple[int, ...]
    nominal: float
    dist: Uniform | Triangular | Normal
    valid: tuple[float, float]

    @property
    def affects_problem(self) -> bool:
        return self.field != ""

    @property
    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value a sample can take (normal: the truncation range)."""
        if isinstance(self.dist, Normal):
            return self.valid
        return float(self.dist.low), float(self.dist.high)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF: map uniforms in [0, 1) to this input's distribution."""
        d = self.dist
        if isinstance(d, Uniform):
            return np.asarray(d.low + u * (d.high - d.low), dtype=np.float64)
        if isinstance(d, Triangular):
            width = d.high - d.low
            if width == 0:
                return np.full_like(u, d.low, dtype=np.float64)
            mode = self.nominal if d.mode is None else d.mode
            c = (mode - d.low) / width
            return np.asarray(stats.triang.ppf(u, c, loc=d.low, scale=width), dtype=np.float64)
        lo, hi = self.valid
        if not lo < hi:
            return np.full_like(u, lo, dtype=np.float64)
        a, b = (lo - self.nominal) / d.sd, (hi - self.nominal) / d.sd
        x = np.asarray(stats.truncnorm.ppf(u, a, b, loc=self.nominal, scale=d.sd), dtype=np.float64)
        # Far in a tail the ppf can round just outside (or to NaN at u = 1): stay in range.
        return np.clip(np.nan_to_num(x, nan=hi), lo, hi)


def _add(
    out: list[UncertainInput],
    q: Quantity | None,
    name: str,
    field: Field,
    index: tuple[int, ...],
    valid: tuple[float, float],
) -> None:
    if q is None or q.uncertainty is None:
        return
    out.append(UncertainInput(name, field, index, float(q.value), q.uncertainty, valid))


def collect_inputs(scenario: Scenario) -> tuple[UncertainInput, ...]:
    """Every uncertain quantity of the scenario, in file order (issues, actors, relations,
    policies)."""
    inf = float("inf")
    out: list[UncertainInput] = []
    issue_index = {issue.id: i for i, issue in enumerate(scenario.issues)}
    for i, issue in enumerate(scenario.issues):
        scale = (float(issue.scale.min), float(issue.scale.max))
        _add(out, issue.status_quo, f"{issue.id}.status_quo", "status_quo", (i,), scale)
    for a, actor in enumerate(scenario.actors):
        _add(out, actor.capability, f"{actor.id}.capability", "capability", (a,), (0.0, inf))
        _add(out, actor.risk, f"{actor.id}.risk", "risk", (a,), (-1.0, 1.0))
        _add(
            out, actor.outside_option, f"{actor.id}.outside_option", "outside_option", (a,),
            (0.0, 1.0),
        )  # fmt: skip
        for issue_id, stance in actor.stances.items():
            i = issue_index[issue_id]
            scale = (float(scenario.issues[i].scale.min), float(scenario.issues[i].scale.max))
            base = f"{actor.id}.{issue_id}"
            _add(out, stance.position, f"{base}.position", "position", (a, i), scale)
            _add(out, stance.salience, f"{base}.salience", "salience", (a, i), (0.0, 1.0))
    for relation in scenario.relations:
        left, right = relation.between
        name = f"relation.{left}-{right}.strength"
        _add(out, relation.strength, name, "", (), (-1.0, 1.0))
    for policy in scenario.policies:
        for key, quantity in policy.effects.items():
            _add(out, quantity, f"policy.{policy.id}.{key}", "", (), (-inf, inf))
    names = [inp.name for inp in out]
    if len(set(names)) != len(names):  # e.g. two relations between the same pair
        seen: dict[str, int] = {}
        renamed = []
        for inp in out:
            count = seen.get(inp.name, 0)
            seen[inp.name] = count + 1
            renamed.append(replace(inp, name=f"{inp.name}#{count}") if count else inp)
        out = renamed
    return tuple(out)


def unit_sample(n: int, d: int, method: str, rng: np.random.Generator) -> FloatArray:
    """``(n, d)`` points of the unit hypercube.

    ``lhs``: Latin hypercube (each input's n strata hit exactly once). ``sobol``: scrambled
    Sobol' points (best when n is a power of two; scipy warns otherwise, which we silence
    because a chunk's size is fixed by the caller). ``random``: plain Monte Carlo.
    """
    if d == 0:
        return np.empty((n, 0))
    if method == "lhs":
        return np.asarray(qmc.LatinHypercube(d, rng=rng).random(n), dtype=np.float64)
    if method == "sobol":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return np.asarray(qmc.Sobol(d, rng=rng).random(n), dtype=np.float64)
    if method == "random":
        return rng.random((n, d))
    raise PeninsulaError(
        f"unknown sampling method {method!r}; choose one of: {', '.join(SAMPLING_METHODS)}"
    )


def to_values(inputs: Sequence[UncertainInput], unit: FloatArray) -> FloatArray:
    """Map unit-cube points ``(n, d)`` column by column through each input's inverse CDF."""
    values = np.empty_like(unit)
    for j, inp in enumerate(inputs):
        values[:, j] = inp.ppf(unit[:, j])
    return values


def sample_inputs(
    inputs: Sequence[UncertainInput],
    n: int,
    seed: int | np.random.SeedSequence | np.random.Generator,
    method: str = "lhs",
) -> FloatArray:
    """``(n, d)`` sampled input values, reproducible from ``seed``."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return to_values(inputs, unit_sample(n, len(inputs), method, rng))


def build_problem(
    base: BargainingProblem, inputs: Sequence[UncertainInput], values: FloatArray
) -> BargainingProblem:
    """A batch ``(n, ...)`` of problems: the nominal problem repeated, each input's column
    overwritten by its samples. ``base`` is ``to_problem(scenario)`` (a batch of one)."""
    n = values.shape[0]
    arrays: dict[str, FloatArray] = {
        name: np.repeat(getattr(base, name), n, axis=0)
        for name in ("position", "salience", "capability", "status_quo", "risk", "outside_option")
    }
    for j, inp in enumerate(inputs):
        if not inp.affects_problem:
            continue
        key: tuple[slice | int, ...] = (slice(None), *inp.index)
        arrays[inp.field][key] = values[:, j]
    _align_unstated_positions(base, arrays)
    return replace(
        base,
        position=arrays["position"],
        salience=arrays["salience"],
        capability=arrays["capability"],
        status_quo=arrays["status_quo"],
        risk=arrays["risk"],
        outside_option=arrays["outside_option"],
        participating=np.repeat(base.participating, n, axis=0),
    )


def _align_unstated_positions(base: BargainingProblem, arrays: dict[str, FloatArray]) -> None:
    """Actors without a stance sit at the status quo with salience 0 (as in ``to_problem``):
    when the status quo is sampled they must follow it, or they would hold a spurious position."""
    silent = base.salience[0] == 0  # (n, k); true stances with salience exactly 0 behave alike
    if not silent.any():
        return
    nominal_sq = base.status_quo[0]
    at_sq = silent & (base.position[0] == nominal_sq[None, :])
    a_idx, i_idx = np.nonzero(at_sq)
    arrays["position"][:, a_idx, i_idx] = arrays["status_quo"][:, i_idx]


def sample_problem(
    scenario: Scenario,
    n: int,
    seed: int | np.random.SeedSequence | np.random.Generator,
    method: str = "lhs",
) -> tuple[BargainingProblem, FloatArray, tuple[UncertainInput, ...]]:
    """Sample ``n`` worlds: ``(problem batch, input values (n, d), inputs)``."""
    inputs = collect_inputs(scenario)
    values = sample_inputs(inputs, n, seed, method)
    return build_problem(to_problem(scenario), inputs, values), values, inputs
