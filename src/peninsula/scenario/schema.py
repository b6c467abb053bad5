"""The scenario format: a pydantic schema for YAML files describing a multi-party crisis.

A scenario is *data*, not code: actors with capability, per-issue positions and salience,
issues on a bounded scale with labelled anchors, relations between actors and policy options
as declarative changes. Every number may carry a ``source`` (an id from ``metadata.sources``)
and an ``uncertainty`` (a range or distribution) for Monte Carlo work.

Structural checks (types, bounds, unknown keys) are done by pydantic; checks that relate one
part of the file to another (unknown actor ids, positions outside an issue's scale, duplicate
ids) are done by :func:`cross_check`, which returns problems with exact field paths so the
loader can point at the file and line.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

FORMAT_VERSION = 1

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", min_length=1, max_length=64),
]
FieldPath = tuple[str | int, ...]

MAX_MAGNITUDE = 1e12
"""Largest absolute value of any number in a scenario (our choice, a judgement).

Numbers are strict: a real int or float, never a boolean (YAML ``yes``) or a numeric string
(``"100"``), finite, and at most 10^12 in size. The bound leaves room for any capability
measure in use (CINC shares, GDP or military spending in dollars, ~10^13 for the largest GDP
is the one that does not fit; give it in millions) while keeping the models' arithmetic
(capability × salience × squared distance, summed over actors) far from float64 overflow.
"""

Number = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)
]
"""A number as written in a scenario file; see :data:`MAX_MAGNITUDE`."""


class _Strict(BaseModel):
    """Base: unknown keys are errors (a typo must never be silently ignored), values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- uncertainty
class Uniform(_Strict):
    """Every value in ``[low, high]`` equally plausible."""

    dist: Literal["uniform"] = "uniform"
    low: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def bounds(self, value: float) -> tuple[float, float]:
        return self.low, self.high


class Triangular(_Strict):
    """Most plausible at ``mode`` (default: the quantity's value); never outside [low, high]."""

    dist: Literal["triangular"]
    low: Number
    high: Number
    mode: Number | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie in [low, high]")
        return self

    def bounds(self, value: float) -> tuple[float, float]:
        return self.low, self.high


class Normal(_Strict):
    """Normal around the quantity's value with standard deviation ``sd``.

    Samples are truncated to the field's admissible range (e.g. an issue's scale), because a
    position outside the scale has no meaning.
    """

    dist: Literal["normal"]
    sd: Annotated[Number, Field(gt=0)]

    def bounds(self, value: float) -> tuple[float, float]:
        return value - 3 * self.sd, value + 3 * self.sd


def _range_shorthand(raw: Any) -> Any:
    """Accept ``uncertainty: [low, high]`` as a uniform range."""
    if isinstance(raw, list | tuple):
        if len(raw) != 2:
            raise ValueError("a range shorthand must be [low, high]")
        return {"dist": "uniform", "low": raw[0], "high": raw[1]}
    if isinstance(raw, dict) and "dist" not in raw:
        return {"dist": "uniform", **raw}
    return raw


Uncertainty = Annotated[
    Uniform | Triangular | Normal,
    Field(discriminator="dist"),
    BeforeValidator(_range_shorthand),
]


# --------------------------------------------------------------------------- quantities
def _bare_number(raw: Any) -> Any:
    """Accept a bare number where a quantity is expected: ``capability: 90``."""
    if isinstance(raw, bool):
        raise ValueError("expected a number, not a boolean")
    if isinstance(raw, int | float):
        return {"value": raw}
    if not isinstance(raw, dict | BaseModel):
        raise ValueError(f"expected a number or a mapping with 'value' (got {raw!r})")
    return raw


def _source_list(raw: Any) -> Any:
    if isinstance(raw, str):
        return (raw,)
    return raw


SourceRefs = Annotated[tuple[Identifier, ...], BeforeValidator(_source_list)]


def range_text(value: float, low: float, high: float, digits: int = 0, suffix: str = "") -> str:
    """``30 (10–55)``: a number with its range, the one way peninsula writes one (CLI, report).

    The range is left out when it is NaN; between two negative ends "to" reads better than an
    en dash (``−0.80 to −0.30``); minus signs are typographic (U+2212).
    """
    text = f"{value:.{digits}f}{suffix}"
    if not (math.isnan(low) or math.isnan(high)):
        joint = " to " if low < 0 else "–"
        text += f" ({low:.{digits}f}{joint}{high:.{digits}f}{suffix})"
    return text.replace("-", "−")


class Quantity(_Strict):
    """A number of the scenario: its nominal value, the sources it rests on, and (optionally)
    the uncertainty the ensemble samples it from."""

    value: Number
    source: SourceRefs = ()
    uncertainty: Uncertainty | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _finite_and_inside(self) -> Quantity:
        if not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        if isinstance(self.uncertainty, Uniform | Triangular):
            low, high = self.uncertainty.bounds(self.value)
            if not low <= self.value <= high:
                raise ValueError(
                    f"value {self.value} lies outside its own uncertainty range [{low}, {high}]"
                )
        return self

    def span(self) -> tuple[float, float]:
        """The smallest and largest value this quantity can take (its nominal value if certain)."""
        if self.uncertainty is None:
            return self.value, self.value
        return self.uncertainty.bounds(self.value)

    def text(self, digits: int = 0) -> str:
        """``30 (10–55)``: the nominal value and, if uncertain, the range the ensemble samples."""
        if self.uncertainty is None:
            return range_text(self.value, math.nan, math.nan, digits)
        return range_text(self.value, *self.span(), digits)


#: A quantity as a field of the scenario file: a bare number is accepted as ``{value: n}``.
QuantityField = Annotated[Quantity, BeforeValidator(_bare_number)]


# --------------------------------------------------------------------------- metadata
class Source(_Strict):
    """A citable source; numbers refer to it by ``id``."""

    id: Identifier
    title: str
    url: str | None = None
    publisher: str | None = None
    date: dt.date | None = None
    accessed: dt.date | None = None


class Metadata(_Strict):
    id: Identifier
    title: str
    version: str = "1"
    as_of: dt.date
    description: str = ""
    authors: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()


# --------------------------------------------------------------------------- issues
class Anchor(_Strict):
    """A labelled point of an issue's scale, e.g. ``0: complete denuclearisation``."""

    at: Number
    label: str


class Scale(_Strict):
    min: Number = 0.0
    max: Number = 100.0
    unit: str = "position"
    anchors: Annotated[tuple[Anchor, ...], Field(min_length=2)]

    @model_validator(mode="after")
    def _anchors_span_scale(self) -> Scale:
        if not self.min < self.max:
            raise ValueError(f"scale min ({self.min}) must be below max ({self.max})")
        points = [a.at for a in self.anchors]
        if points != sorted(points) or len(set(points)) != len(points):
            raise ValueError("anchors must be listed in strictly increasing order of 'at'")
        if points[0] != self.min or points[-1] != self.max:
            raise ValueError(
                f"anchors must label both ends of the scale ({self.min} and {self.max}); "
                f"got {points[0]} and {points[-1]}"
            )
        return self

    def nearest_anchor(self, position: float) -> Anchor:
        """The labelled anchor closest to ``position`` (ties go to the lower anchor)."""
        return min(self.anchors, key=lambda a: (abs(a.at - position), a.at))


class Observation(_Strict):
    """Where an issue actually stood at a later date: the yardstick of a backtest."""

    value: Number
    date: dt.date
    source: SourceRefs = ()
    note: str | None = None


class PublishedForecast(_Strict):
    """A forecast printed in the source that published the case (e.g. Bueno de Mesquita's own
    9.05 years for the 1994 emission-standards case), kept as data so that peninsula's models
    can be shown beside it. A point (``value``), a printed range (``low``-``high``), or both."""

    model: str
    value: Number | None = None
    low: Number | None = None
    high: Number | None = None
    source: SourceRefs = ()
    note: str | None = None

    @model_validator(mode="after")
    def _point_or_range(self) -> PublishedForecast:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high' for a printed range, or neither")
        if self.value is None and self.low is None:
            raise ValueError("a published forecast needs a 'value' or a 'low'-'high' range")
        if self.low is not None and self.high is not None:
            if self.low > self.high:
                raise ValueError(f"'low' ({self.low:g}) must not exceed 'high' ({self.high:g})")
            if self.value is not None and not self.low <= self.value <= self.high:
                raise ValueError("'value' must lie inside the printed range")
        return self


class Issue(_Strict):
    id: Identifier
    label: str
    description: str = ""
    scale: Scale
    status_quo: QuantityField
    observed: Observation | None = None
    published_forecasts: tuple[PublishedForecast, ...] = ()


# --------------------------------------------------------------------------- actors
class Stance(_Strict):
    """An actor's ideal point on one issue and how much the issue matters to it (0-1)."""

    position: QuantityField
    salience: QuantityField


class Actor(_Strict):
    id: Identifier
    name: str
    group: str = ""
    description: str = ""
    capability: QuantityField
    risk: QuantityField | None = None
    outside_option: QuantityField | None = None
    stances: dict[Identifier, Stance] = Field(default_factory=dict)


RelationKind = Literal["alliance", "partnership", "alignment", "rivalry", "adversary"]


class Relation(_Strict):
    """A standing relationship between two actors; ``strength`` in [-1, 1] (hostile..allied)."""

    between: tuple[Identifier, Identifier]
    kind: RelationKind
    strength: QuantityField
    description: str = ""
    source: SourceRefs = ()


# --------------------------------------------------------------------------- policies
class Adjust(_Strict):
    """A relative change: exactly one of ``set``, ``add`` or ``multiply``."""

    set: Number | None = None
    add: Number | None = None
    multiply: Number | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Adjust:
        given = [k for k in ("set", "add", "multiply") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of set, add or multiply")
        return self

    def apply(self, current: Any) -> Any:
        """Apply to a float or numpy array; returns the same kind."""
        # numpy only where arrays are adjusted: loading and validating a file never needs it.
        import numpy as np

        if self.set is not None:
            # full_like, not ``current * 0 + set``: an unset (NaN) value must become ``set``.
            return (
                np.full_like(current, self.set, dtype=float)
                if isinstance(current, np.ndarray)
                else self.set
            )
        if self.add is not None:
            return current + self.add
        assert self.multiply is not None
        return current * self.multiply


def _bare_set(raw: Any) -> Any:
    if isinstance(raw, bool):
        raise ValueError("expected a number or {set|add|multiply: number}")
    if isinstance(raw, int | float):
        return {"set": raw}
    return raw


Change = Annotated[Adjust, BeforeValidator(_bare_set)]


class ActorChange(_Strict):
    """Change one actor: its capability/risk/outside option, or its stance on one issue."""

    actor: Identifier
    issue: Identifier | None = None
    position: Change | None = None
    salience: Change | None = None
    capability: Change | None = None
    risk: Change | None = None
    outside_option: Change | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ActorChange:
        stance = self.position is not None or self.salience is not None
        actor_level = any(v is not None for v in (self.capability, self.risk, self.outside_option))
        if stance and self.issue is None:
            raise ValueError("a position or salience change needs an 'issue'")
        if self.issue is not None and actor_level:
            raise ValueError(
                "capability, risk and outside_option are per actor: give them without 'issue'"
            )
        if not stance and not actor_level:
            raise ValueError("the change changes nothing")
        return self


class StatusQuoChange(_Strict):
    issue: Identifier
    status_quo: Change


class ExcludeChange(_Strict):
    """Actors left out of the talks: they keep their preferences but lose all influence."""

    exclude: Annotated[tuple[Identifier, ...], Field(min_length=1)]


def _change_kind(raw: Any) -> str | None:
    if isinstance(raw, dict):
        for key in ("exclude", "status_quo", "actor"):
            if key in raw:
                return f"{key}-change"
        return None
    tags: dict[type, str] = {
        ExcludeChange: "exclude-change",
        StatusQuoChange: "status_quo-change",
        ActorChange: "actor-change",
    }
    return tags.get(type(raw))


# Tags are not field names, so that error locations never point into a key of the change.
PolicyChange = Annotated[
    Annotated[ActorChange, Tag("actor-change")]
    | Annotated[StatusQuoChange, Tag("status_quo-change")]
    | Annotated[ExcludeChange, Tag("exclude-change")],
    Discriminator(
        _change_kind,
        custom_error_type="unknown_change",
        custom_error_message="a change needs one of the keys 'actor', 'status_quo' or 'exclude'",
    ),
]


class Trade(_Strict):
    """The package deal a policy is about: which actor concedes on which issue.

    ``concessions`` maps each of the two parties to the issue it gives ground on, e.g.
    ``{USA: sanctions_relief, PRK: denuclearisation}`` for "freeze for sanctions relief".
    ``peninsula deals`` looks for this trade among the exchange model's realised exchanges.
    """

    label: str
    concessions: dict[Identifier, Identifier]

    @model_validator(mode="after")
    def _two_parties(self) -> Trade:
        if len(self.concessions) != 2:
            raise ValueError("a trade names exactly two actors, each with the issue it concedes on")
        if len(set(self.concessions.values())) != 2:
            raise ValueError("the two parties of a trade concede on two different issues")
        return self


class Policy(_Strict):
    """A named policy option: declarative changes applied to the scenario (a lever)."""

    id: Identifier
    label: str
    description: str = ""
    changes: tuple[PolicyChange, ...] = ()
    effects: dict[Identifier, QuantityField] = Field(default_factory=dict)
    source: SourceRefs = ()
    trade: Trade | None = None


# --------------------------------------------------------------------------- scenario
class Roles(_Strict):
    """Which actors and issues the named policy measures and the history refer to.

    Generic code (the ensemble's measures, the report) reads roles from here, never from
    hard-coded ids; a measure whose role a scenario leaves unset is simply not computed
    (docs/explanation/policy-measures.md defines each measure).
    """

    deal_parties: tuple[Identifier, ...] = ()
    deal_issues: tuple[Identifier, ...] = ()
    sidelined: Identifier | None = None
    sidelined_role_issue: Identifier | None = None
    patron: Identifier | None = None
    allies: tuple[Identifier, ...] = ()
    denuclearisation_issue: Identifier | None = None
    sanctions_issue: Identifier | None = None
    security_issues: dict[Identifier, Literal[-1, 1]] = Field(default_factory=dict)
    dyad: tuple[Identifier, Identifier] | None = None

    def actor_fields(self) -> Iterator[tuple[FieldPath, str]]:
        """``(path, actor id)`` of every actor this block names."""
        for index, actor_id in enumerate(self.deal_parties):
            yield ("roles", "deal_parties", index), actor_id
        for name in ("sidelined", "patron"):
            value = getattr(self, name)
            if value is not None:
                yield ("roles", name), value
        for index, actor_id in enumerate(self.allies):
            yield ("roles", "allies", index), actor_id

    def issue_fields(self) -> Iterator[tuple[FieldPath, str]]:
        """``(path, issue id)`` of every issue this block names."""
        for index, issue_id in enumerate(self.deal_issues):
            yield ("roles", "deal_issues", index), issue_id
        for name in ("sidelined_role_issue", "denuclearisation_issue", "sanctions_issue"):
            value = getattr(self, name)
            if value is not None:
                yield ("roles", name), value
        for issue_id in self.security_issues:
            yield ("roles", "security_issues", issue_id), issue_id


class Scenario(_Strict):
    format_version: Literal[1] = 1
    metadata: Metadata
    issues: Annotated[tuple[Issue, ...], Field(min_length=1)]
    actors: Annotated[tuple[Actor, ...], Field(min_length=2)]
    relations: tuple[Relation, ...] = ()
    policies: tuple[Policy, ...] = ()
    roles: Roles = Field(default_factory=Roles)

    def __repr__(self) -> str:
        # The pydantic default prints every field: 32 KB for korea-2025 in a notebook.
        m = self.metadata
        return (
            f"<Scenario {m.id!r} (as of {m.as_of.isoformat()}): {len(self.actors)} actors, "
            f"{len(self.issues)} issues, {len(self.policies)} policies>"
        )

    def _repr_html_(self) -> str:
        from html import escape

        m = self.metadata
        rows = "".join(
            f"<tr><td>{escape(i.id)}</td><td>{escape(i.label)}</td>"
            f"<td>{escape(i.status_quo.text())}</td></tr>"
            for i in self.issues
        )
        return (
            f"<p><b>{escape(m.title)}</b> (<code>{escape(m.id)}</code>, as of "
            f"{m.as_of.isoformat()}): {len(self.actors)} actors "
            f"({escape(', '.join(self.actor_ids))}), {len(self.policies)} policies</p>"
            f"<table><tr><th>issue</th><th>label</th><th>status quo</th></tr>{rows}</table>"
        )

    # Convenience look-ups -------------------------------------------------------------
    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(f"unknown actor {actor_id!r}; known: {', '.join(self.actor_ids)}")

    def issue(self, issue_id: str) -> Issue:
        for i in self.issues:
            if i.id == issue_id:
                return i
        raise KeyError(f"unknown issue {issue_id!r}; known: {', '.join(self.issue_ids)}")


# --------------------------------------------------------------------------- cross checks
Problem = tuple[FieldPath, str]


def _duplicates(items: tuple[Any, ...], where: FieldPath) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            yield where + (index, "id"), f"duplicate id {item.id!r}"
        seen.add(item.id)


def _in_range(
    quantity: Quantity, low: float, high: float, path: FieldPath, what: str
) -> Iterator[Problem]:
    if not low <= quantity.value <= high:
        yield path + ("value",), f"{what} {quantity.value:g} is outside [{low:g}, {high:g}]"
    elif isinstance(quantity.uncertainty, Uniform | Triangular):
        u_low, u_high = quantity.span()
        if u_low < low or u_high > high:
            yield (
                path + ("uncertainty",),
                f"{what} uncertainty [{u_low:g}, {u_high:g}] reaches outside [{low:g}, {high:g}]",
            )


def _sources(refs: tuple[str, ...], known: set[str], path: FieldPath) -> Iterator[Problem]:
    for ref in refs:
        if ref not in known:
            yield path, f"unknown source {ref!r} (declare it under metadata.sources)"


def _quantity_sources(node: Any, known: set[str], path: FieldPath) -> Iterator[Problem]:
    """Every ``source`` anywhere in the tree must name a declared source."""
    if isinstance(node, Quantity):
        yield from _sources(node.source, known, path + ("source",))
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if name == "source" and isinstance(value, tuple):
                yield from _sources(value, known, path + ("source",))
            else:
                yield from _quantity_sources(value, known, path + (name,))
    elif isinstance(node, tuple):
        for index, item in enumerate(node):
            yield from _quantity_sources(item, known, path + (index,))
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _quantity_sources(item, known, path + (key,))


def _check_actor(actor: Actor, index: int, scenario: Scenario) -> Iterator[Problem]:
    base: FieldPath = ("actors", index)
    if actor.capability.span()[0] < 0:
        yield base + ("capability", "value"), "capability must not be negative"
    if actor.risk is not None:
        yield from _in_range(actor.risk, -1, 1, base + ("risk",), "risk attitude")
    if actor.outside_option is not None:
        yield from _in_range(
            actor.outside_option, 0, 1, base + ("outside_option",), "outside option"
        )
    for issue_id, stance in actor.stances.items():
        path = base + ("stances", issue_id)
        if issue_id not in scenario.issue_ids:
            yield path, f"unknown issue {issue_id!r}; known: {', '.join(scenario.issue_ids)}"
            continue
        scale = scenario.issue(issue_id).scale
        yield from _in_range(
            stance.position, scale.min, scale.max, path + ("position",), "position"
        )
        yield from _in_range(stance.salience, 0, 1, path + ("salience",), "salience")


def _check_policy(policy: Policy, index: int, scenario: Scenario) -> Iterator[Problem]:
    base: FieldPath = ("policies", index, "changes")
    actors, issues = set(scenario.actor_ids), set(scenario.issue_ids)
    if policy.trade is not None:
        for party, conceded in policy.trade.concessions.items():
            where: FieldPath = ("policies", index, "trade", "concessions", party)
            if party not in actors:
                yield where, f"unknown actor {party!r}"
            if conceded not in issues:
                yield where, f"unknown issue {conceded!r}"
    for c_index, change in enumerate(policy.changes):
        path = base + (c_index,)
        if isinstance(change, ExcludeChange):
            for a_index, actor_id in enumerate(change.exclude):
                if actor_id not in actors:
                    yield path + ("exclude", a_index), f"unknown actor {actor_id!r}"
            continue
        if isinstance(change, ActorChange) and change.actor not in actors:
            yield path + ("actor",), f"unknown actor {change.actor!r}"
        issue_id = change.issue
        if issue_id is not None and issue_id not in issues:
            yield path + ("issue",), f"unknown issue {issue_id!r}"
            continue
        if issue_id is None:
            continue
        scale = scenario.issue(issue_id).scale
        target = change.status_quo if isinstance(change, StatusQuoChange) else change.position
        if (
            target is not None
            and target.set is not None
            and not scale.min <= target.set <= scale.max
        ):
            field = "status_quo" if isinstance(change, StatusQuoChange) else "position"
            yield (
                path + (field, "set"),
                f"position {target.set:g} is outside [{scale.min:g}, {scale.max:g}]",
            )
        salience = change.salience if isinstance(change, ActorChange) else None
        if salience is not None and salience.set is not None and not 0 <= salience.set <= 1:
            yield path + ("salience", "set"), "salience must lie in [0, 1]"


def cross_check(scenario: Scenario) -> list[Problem]:
    """Checks across the file: ids that must exist or be unique, values inside their issue's scale.

    Returns ``(field path, message)`` pairs; an empty list means the scenario is consistent.
    """
    problems: list[Problem] = []
    problems += _duplicates(scenario.issues, ("issues",))
    problems += _duplicates(scenario.actors, ("actors",))
    problems += _duplicates(scenario.policies, ("policies",))
    problems += _duplicates(scenario.metadata.sources, ("metadata", "sources"))
    for index, issue in enumerate(scenario.issues):
        sq_path: FieldPath = ("issues", index, "status_quo")
        problems += _in_range(
            issue.status_quo, issue.scale.min, issue.scale.max, sq_path, "status quo"
        )
        if (
            issue.observed is not None
            and not issue.scale.min <= issue.observed.value <= issue.scale.max
        ):
            problems.append(
                (("issues", index, "observed", "value"), "observed outcome is outside the scale")
            )
        for f_index, published in enumerate(issue.published_forecasts):
            for field in ("value", "low", "high"):
                point = getattr(published, field)
                if point is not None and not issue.scale.min <= point <= issue.scale.max:
                    problems.append(
                        (
                            ("issues", index, "published_forecasts", f_index, field),
                            "published forecast is outside the scale",
                        )
                    )
    for index, actor in enumerate(scenario.actors):
        problems += _check_actor(actor, index, scenario)
    known_actors = set(scenario.actor_ids)
    for index, relation in enumerate(scenario.relations):
        for side, actor_id in enumerate(relation.between):
            if actor_id not in known_actors:
                problems.append(
                    (("relations", index, "between", side), f"unknown actor {actor_id!r}")
                )
        if relation.between[0] == relation.between[1]:
            problems.append(
                (("relations", index, "between"), "a relation needs two different actors")
            )
        problems += _in_range(
            relation.strength, -1, 1, ("relations", index, "strength"), "strength"
        )
    for index, policy in enumerate(scenario.policies):
        problems += _check_policy(policy, index, scenario)
    known_issues = set(scenario.issue_ids)
    for path, actor_id in scenario.roles.actor_fields():
        if actor_id not in known_actors:
            problems.append((path, f"unknown actor {actor_id!r}"))
    for path, issue_id in scenario.roles.issue_fields():
        if issue_id not in known_issues:
            problems.append((path, f"unknown issue {issue_id!r}"))
    known_sources = {s.id for s in scenario.metadata.sources}
    problems += _quantity_sources(scenario, known_sources, ())
    return problems
