"""Package deals in words: the exchange model's realised exchanges for one scenario and policy.

The engine behind ``peninsula deals`` and the report's "Deals" section (both render what
:func:`deals_report` returns). It runs the exchange model (:mod:`peninsula.models.exchange`;
Stokman & Van Oosten 1994) on the scenario's nominal values, lists every realised exchange in
the scenario's own labels, groups them into packages per pair of actors and round, and checks
whether the trade a policy declares (``trade:`` in the scenario file, e.g. "freeze for
sanctions relief" = USA concedes on sanctions relief, PRK on denuclearisation) is among them and
at what rate.

Units: positions and outcome shifts are in the issue's own units; gains and third-party effects
are salience × scale points on the 0–100 scale (Stokman & Van Oosten's utility, linear in the
distance to the outcome), so "gain 3.1" means e.g. an issue of salience 0.5 moving 6.2 points
towards the actor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from peninsula.models.base import Forecast, Model, influence_weights
from peninsula.models.exchange import MODEL, ExchangeResult, Package, opening_offers, packages
from peninsula.problem import BargainingProblem
from peninsula.scenario.arrays import to_problem
from peninsula.scenario.policies import find_policy
from peninsula.scenario.schema import Scenario, Trade

#: Third-party effects smaller than this (in gain units) are left out of the sentence.
NOTABLE = 0.05


@dataclass(frozen=True)
class Concession:
    """One side of an exchange: ``actor`` moves its voting position on ``issue``."""

    actor: str
    issue: str
    start: float
    end: float
    outcome_shift: float  # signed shift of the issue's forecast, issue units
    gain: float


@dataclass(frozen=True)
class Exchange:
    """One realised exchange (round, both concessions, everyone's utility change)."""

    round: int
    sides: tuple[Concession, Concession]
    rate: float  # outcome shift on side 1's issue per point on side 0's issue (0–100 scales)
    effects: dict[str, float]  # actor id -> utility change, parties included


@dataclass(frozen=True)
class TradeCheck:
    """Whether a declared trade happened: matching exchanges and their combined terms."""

    policy: str
    trade: Trade
    exchanges: tuple[int, ...]  # indices into DealsReport.exchanges
    shifts: dict[str, float] = field(default_factory=dict)  # issue id -> net outcome shift
    #: Points (0–100 scale) the second-named party's issue moves per point of the first's.
    rate: float = float("nan")
    #: Why not, when it did not happen (from the opening candidates, step 2–3 of the model).
    diagnosis: str = ""

    @property
    def happened(self) -> bool:
        return bool(self.exchanges)


@dataclass(frozen=True)
class DealsReport:
    scenario: str
    policy: str | None
    actor_names: dict[str, str]
    issue_labels: dict[str, str]
    exchanges: tuple[Exchange, ...]
    packages: tuple[Package, ...]
    trades: tuple[TradeCheck, ...]
    rounds: int
    converged: bool
    outcome: dict[str, float]
    #: Rounds asked for (``rounds`` is how many ran).
    max_rounds: int = 1
    #: Largest move of the forecast in the last round run, in points on a 0–100 scale.
    last_change: float = 0.0

    def stopping(self) -> str:
        """How the run ended, in words: one round asked, converged, or stopped at the limit.

        The exchange model need not settle (``docs/explanation/model-exchange.md``); decide,
        the reference implementation, has no stopping rule at all and runs a fixed number of
        rounds (10 by default), so a run that stops at the limit says so and by how much the
        forecast was still moving.
        """
        if self.max_rounds == 1 and self.rounds == 1 and not self.converged:
            return "round 1 only (Stokman & Van Oosten's one-round model; --rounds N for more)"
        if self.converged:
            return f"converged after {self.rounds} round(s)"
        return (
            f"stopped after {self.rounds} rounds without converging: the last round still moved "
            f"the forecast by up to {self.last_change:.2f} points (0–100 scale)"
        )

    def describe(self, exchange: Exchange) -> str:
        """``"USA concedes on Sanctions relief 35→41 for PRK moving on ... ; gain 0.08 each;
        JPN −0.02, CHN +0.01"``."""
        a, b = exchange.sides
        gains = (
            f"gain {a.gain:.2f} each"
            if abs(a.gain - b.gain) <= 1e-9 * max(1.0, abs(a.gain))
            else f"gains {a.actor} {a.gain:.2f}, {b.actor} {b.gain:.2f}"
        )
        third = [
            (actor, value)
            for actor, value in exchange.effects.items()
            if actor not in (a.actor, b.actor) and abs(value) >= NOTABLE
        ]
        third.sort(key=lambda item: -abs(item[1]))
        others = ", ".join(f"{actor} {_signed(value)}" for actor, value in third)
        return (
            f"{a.actor} concedes on {self.issue_labels[a.issue]} {a.start:.0f}→{a.end:.0f} "
            f"for {b.actor} moving on {self.issue_labels[b.issue]} {b.start:.0f}→{b.end:.0f}; "
            f"{gains}" + (f"; {others}" if others else "")
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the report and ``--json`` use it)."""
        return {
            "scenario": self.scenario,
            "policy": self.policy,
            "rounds": self.rounds,
            "max_rounds": self.max_rounds,
            "converged": self.converged,
            "last_change": self.last_change,
            "outcome": self.outcome,
            "exchanges": [
                {
                    "round": e.round,
                    "text": self.describe(e),
                    "rate": e.rate,
                    "sides": [
                        {
                            "actor": s.actor,
                            "issue": s.issue,
                            "from": s.start,
                            "to": s.end,
                            "outcome_shift": s.outcome_shift,
                            "gain": s.gain,
                        }
                        for s in e.sides
                    ],
                    "effects": e.effects,
                }
                for e in self.exchanges
            ],
            "trades": [
                {
                    "policy": t.policy,
                    "label": t.trade.label,
                    "concessions": dict(t.trade.concessions),
                    "happened": t.happened,
                    "exchanges": list(t.exchanges),
                    "outcome_shifts": t.shifts,
                    "rate": t.rate if t.happened else None,
                    "diagnosis": t.diagnosis,
                }
                for t in self.trades
            ],
        }

    def net_effects(self) -> dict[str, float]:
        """Each actor's summed utility change over all realised exchanges (the report's chart)."""
        total = dict.fromkeys(self.actor_names, 0.0)
        for e in self.exchanges:
            for actor, value in e.effects.items():
                total[actor] += value
        return total


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '−'}{abs(value):.2f}"


def _exchanges(result: ExchangeResult, problem: BargainingProblem) -> list[Exchange]:
    actors, issues = problem.actor_ids, problem.issue_ids
    span = problem.upper - problem.lower
    out: list[Exchange] = []
    for s in range(int(result.count[0])):
        ip, iq = int(result.issue_p[0, s]), int(result.issue_q[0, s])
        side_p = Concession(
            actor=actors[int(result.supplier_p[0, s])],
            issue=issues[ip],
            start=float(result.from_p[0, s]),
            end=float(result.to_p[0, s]),
            outcome_shift=float(result.shift_p[0, s]),
            gain=float(result.gain_p[0, s]),
        )
        side_q = Concession(
            actor=actors[int(result.supplier_q[0, s])],
            issue=issues[iq],
            start=float(result.from_q[0, s]),
            end=float(result.to_q[0, s]),
            outcome_shift=float(result.shift_q[0, s]),
            gain=float(result.gain_q[0, s]),
        )
        shift_p = abs(side_p.outcome_shift) * 100 / float(span[ip])
        shift_q = abs(side_q.outcome_shift) * 100 / float(span[iq])
        out.append(
            Exchange(
                round=int(result.round[0, s]),
                sides=(side_p, side_q),
                rate=shift_q / shift_p if shift_p > 0 else float("nan"),
                effects={
                    actor: float(result.externality[0, s, a]) for a, actor in enumerate(actors)
                },
            )
        )
    return out


def find_trade(
    exchanges: Sequence[Exchange], trade: Trade, policy: str, problem: BargainingProblem
) -> TradeCheck:
    """The realised exchanges in which each party concedes on the issue the trade names."""
    wanted = set(trade.concessions.items())
    matches = tuple(
        i
        for i, e in enumerate(exchanges)
        if {(side.actor, side.issue) for side in e.sides} == wanted
    )
    shifts: dict[str, float] = {}
    for i in matches:
        for side in exchanges[i].sides:
            shifts[side.issue] = shifts.get(side.issue, 0.0) + side.outcome_shift
    (_, first_issue), (_, second_issue) = trade.concessions.items()
    span = dict(zip(problem.issue_ids, problem.upper - problem.lower, strict=True))
    rate = float("nan")
    if matches and shifts.get(first_issue):
        rate = abs(shifts[second_issue] / float(span[second_issue])) / abs(
            shifts[first_issue] / float(span[first_issue])
        )
    diagnosis = "" if matches else _diagnose(problem, trade)
    between = [e for e in exchanges if {side.actor for side in e.sides} == set(trade.concessions)]
    if not matches and between:
        gave: dict[str, list[str]] = {}
        for e in between:
            for side in e.sides:
                gave.setdefault(side.actor, [])
                if side.issue not in gave[side.actor]:
                    gave[side.actor].append(side.issue)
        diagnosis += "; they did trade with each other: " + ", ".join(
            f"{actor} conceded on {' and '.join(issues)}" for actor, issues in gave.items()
        )
    return TradeCheck(
        policy=policy,
        trade=trade,
        exchanges=matches,
        shifts=shifts,
        rate=rate,
        diagnosis=diagnosis,
    )


def _diagnose(problem: BargainingProblem, trade: Trade) -> str:
    """Why a declared trade is not among the realised exchanges, from the opening candidates."""
    (first, first_issue), (second, second_issue) = trade.concessions.items()
    actors, issues = problem.actor_ids, problem.issue_ids
    if first not in actors or second not in actors:
        return "one of its parties is not in this scenario"
    a, b = sorted((actors.index(first), actors.index(second)))
    p, q = sorted((issues.index(first_issue), issues.index(second_issue)))
    offers = opening_offers(problem)
    cand = offers.candidates
    column = int(
        np.flatnonzero(
            (cand.first == a) & (cand.second == b) & (cand.issue_p == p) & (cand.issue_q == q)
        )[0]
    )
    if not problem.participating[0, [a, b]].all():
        return "one of its parties is excluded from the talks by the policy"
    if not offers.opposite[0, column]:
        return (
            f"{first} and {second} are not on opposite sides of the forecast on both "
            f"{first_issue} and {second_issue}, so neither can gain from moving towards the other"
        )
    supplier_p = actors[int(offers.supplier_p[0, column])]
    concedes_on = {supplier_p: issues[p], actors[int(offers.supplier_q[0, column])]: issues[q]}
    if concedes_on[first] != first_issue:
        return (
            f"their saliences make it run the other way: {first} cares relatively more about "
            f"{first_issue} than {second} does, so the model has {first} concede on "
            f"{concedes_on[first]} and {second} on {concedes_on[second]}"
        )
    if offers.feasible[0, column]:
        return (
            f"it was a candidate (opening gain {offers.gain[0, column]:.2f} each) but exchanges "
            "with higher gains used up the room on its issues first"
        )
    return "the opening candidate is infeasible (no room left to move without overshooting)"


def trade_realised(
    result: ExchangeResult, problem: BargainingProblem, trade: Trade
) -> NDArray[np.float64]:
    """``(B,)``: 1 where the trade is among a row's realised exchanges (any round), else 0.

    The ensemble's trade measure (one per declared trade), vectorised over the batch. A trade
    naming an actor or issue missing from ``problem`` never happens (0).
    """
    (first, first_issue), (second, second_issue) = trade.concessions.items()
    actors, issues = problem.actor_ids, problem.issue_ids
    if not {first, second} <= set(actors) or not {first_issue, second_issue} <= set(issues):
        return np.zeros(problem.batch_size)
    a, b = actors.index(first), actors.index(second)
    da, db = issues.index(first_issue), issues.index(second_issue)
    forward = (result.supplier_p == a) & (result.issue_p == da)
    forward &= (result.supplier_q == b) & (result.issue_q == db)
    backward = (result.supplier_p == b) & (result.issue_p == db)
    backward &= (result.supplier_q == a) & (result.issue_q == da)
    return np.asarray((forward | backward).any(axis=1), dtype=np.float64)


def forecast_with_trades(
    model: Model,
    problem: BargainingProblem,
    params: Mapping[str, float] | None,
    rng: np.random.Generator,
    trades: Sequence[tuple[str, Trade]],
) -> tuple[Forecast, dict[str, NDArray[np.float64]]]:
    """A model's forecast and, per declared trade, the ensemble measure ``trade.<policy id>``.

    For a model with realised exchanges (one that links issues and offers ``run``, i.e. the
    exchange model) the measure is :func:`trade_realised`; for any other model it is NaN (the
    model trades nothing across issues, so "did the trade happen" has no answer, not "no").
    The policy comparison and the Sobol' analysis both call this, so they agree.
    """
    run = getattr(model, "run", None)
    if run is None or not getattr(model, "links_issues", False):
        forecast = model.forecast(problem, params, rng)
        nan = np.full(problem.batch_size, np.nan)
        return forecast, {f"trade.{pid}": nan.copy() for pid, _ in trades}
    result: ExchangeResult = run(problem, params, rng)
    found = {f"trade.{pid}": trade_realised(result, problem, trade) for pid, trade in trades}
    return result.forecast, found


def declared_trades(scenario: Scenario, policy: str | None) -> list[tuple[str, Trade]]:
    """The chosen policy's trade if it declares one, else every trade the scenario declares."""
    chosen = find_policy(scenario, policy)
    if chosen is not None and chosen.trade is not None:
        return [(chosen.id, chosen.trade)]
    return [(p.id, p.trade) for p in scenario.policies if p.trade is not None]


def _last_change(result: ExchangeResult, problem: BargainingProblem) -> float:
    """Largest forecast move (0–100 points) in the last round run (row 0)."""
    forecast = result.forecast
    ran = int(forecast.rounds[0])
    weight = influence_weights(problem)[0]
    total = np.where(weight.sum(axis=0) > 0, weight.sum(axis=0), 1.0)
    before, after = (
        (weight * forecast.trajectory[0, r]).sum(axis=0) / total for r in (ran - 1, ran)
    )
    span = problem.upper - problem.lower
    return float(np.max(np.abs(after - before) / span * 100, initial=0.0))


def deals_report(
    scenario: Scenario,
    policy: str | None = None,
    rounds: int = 1,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
) -> DealsReport:
    """Run the exchange model on the scenario (with ``policy`` applied) and describe the deals.

    ``policy`` None (or ``"status-quo"``) means no policy; an unknown id is a NotFoundError.
    ``rounds`` defaults to 1, Stokman & Van Oosten's one-round model: later rounds start from
    the new start positions (step 7) and list further, smaller exchanges. ``params`` sets the
    model's other parameters (``random_rate`` ...).
    """
    chosen_policy = find_policy(scenario, policy)  # None for the status quo; unknown: error
    policy = None if chosen_policy is None else chosen_policy.id
    problem = to_problem(scenario, policy)
    chosen = {**(params or {}), "max_rounds": float(rounds)}
    result = MODEL.run(problem, chosen, np.random.default_rng(seed))
    exchanges = _exchanges(result, problem)
    trades = tuple(
        find_trade(exchanges, trade, pid, problem)
        for pid, trade in declared_trades(scenario, policy)
    )
    return DealsReport(
        scenario=scenario.metadata.id,
        policy=policy,
        actor_names={a.id: a.name for a in scenario.actors},
        issue_labels={i.id: i.label for i in scenario.issues},
        exchanges=tuple(exchanges),
        packages=tuple(packages(result, problem)),
        trades=trades,
        rounds=int(result.forecast.rounds[0]),
        converged=bool(result.forecast.converged[0]),
        max_rounds=rounds,
        last_change=_last_change(result, problem),
        outcome={
            issue: float(result.forecast.outcome[0, j]) for j, issue in enumerate(problem.issue_ids)
        },
    )
