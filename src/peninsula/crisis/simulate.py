"""Vectorised Monte Carlo of the crisis model under policy options.

All paths advance together, one vectorised step per month, so 100,000 paths cost a few
dozen numpy calls per month. Work is cut into fixed-size chunks run by
:func:`peninsula.executors.run_chunked`; chunk ``c`` gets the ``c``-th child seed, and
*every policy reuses the same child seed* (common random numbers), so policy differences are
not blurred by Monte Carlo noise and the same seed gives the same bytes on any executor.

Policy ``effects`` (a mapping on each scenario policy, values are Quantities whose uncertainty is
sampled once per path) act on the fitted intensities:

- ``launch_rate_multiplier``: × intensity of missile launches (all classes) and satellite launches
- ``nuclear_test_multiplier``: × intensity of nuclear tests (default: the launch multiplier)
- ``talks_hazard_multiplier``: × odds that talks start in a month
- ``talks_end_multiplier``: × odds that talks under way end in a month
- ``exercise_rate_multiplier``: × intensity of major allied exercises
- ``sanctions_rate_multiplier``: × intensity of new UN resolutions and US designations
- ``russia_support_shift``: added to Russia's support index (clipped to [0, 1])
- ``china_support_shift``: added to China's index; *no fitted effect* (not a covariate, see
  ``model.FEATURES``): accepted and recorded, changes nothing

Parameter uncertainty: coefficients are drawn per path from their asymptotic normal
distribution; excitation coefficients are clipped to the stationarity region.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peninsula.crisis.model import (
    COUNT_TYPES,
    FEATURES,
    GOLDSTEIN,
    MISSILE_TYPES,
    SANCTIONS_STEP,
    STRATEGIC_TYPES,
    TALKS_GOLDSTEIN,
    TYPE_INDEX,
    CrisisParams,
    FloatArray,
    crisis_crossed,
    decayed_history,
    logistic,
    observed_states,
    sanctions_series,
)
from peninsula.errors import InputError, Located
from peninsula.scenario.policies import STATUS_QUO, STATUS_QUO_LABEL
from peninsula.summary import means_html, summary_frame, wilson

#: effect name → (lowest allowed, highest allowed, neutral value)
KNOWN_EFFECTS: dict[str, tuple[float, float, float]] = {
    "launch_rate_multiplier": (0.0, 100.0, 1.0),
    "nuclear_test_multiplier": (0.0, 100.0, 1.0),
    "talks_hazard_multiplier": (0.0, 100.0, 1.0),
    "talks_end_multiplier": (0.0, 100.0, 1.0),
    "exercise_rate_multiplier": (0.0, 100.0, 1.0),
    "sanctions_rate_multiplier": (0.0, 100.0, 1.0),
    "russia_support_shift": (-1.0, 1.0, 0.0),
    "china_support_shift": (-1.0, 1.0, 0.0),
}
#: Safeguard against explosive parameter draws: no type's monthly intensity may exceed this
#: (about twice the record month, 7 launch events in 2022-10); cells hit are counted.
MAX_RATE = 15.0
#: Excitation coefficients (on log(1 + H)) are clipped to the stationarity region |b| < 1 of the
#: log-linear Poisson autoregression (Fokianos & Tjøstheim 2011, their condition for the
#: one-lag model); beyond it λ grows superlinearly with its own past and paths explode.
EXCITATION_MAX = 0.99
DEFAULT_CHUNK = 5000
_LAUNCH_IDX = np.array([TYPE_INDEX[t] for t in (*MISSILE_TYPES, "satellite_launches")])
_MISSILE_IDX = np.array([TYPE_INDEX[t] for t in MISSILE_TYPES])
_NUC = TYPE_INDEX["nuclear_tests"]
_EX = TYPE_INDEX["allied_exercise"]
_UN = TYPE_INDEX["new_un_sanctions"]
_STRATEGIC_IDX = np.array([TYPE_INDEX[t] for t in STRATEGIC_TYPES])
_SANCTION_IDX = np.array([TYPE_INDEX["new_un_sanctions"], TYPE_INDEX["new_us_sanctions"]])


@dataclass(frozen=True)
class EffectSpec:
    """One policy's effects: per effect a nominal value and an optional sampler of its spread."""

    policy: str
    label: str
    values: Mapping[str, float]
    spreads: Mapping[str, tuple[str, float, float, float]]  # dist, a, b, c
    note: str | None = None


def effect_spec(policy: Any) -> EffectSpec:
    """Validate a Policy's ``effects``: unknown names or out-of-range values → InputError."""
    problems: list[Located] = []
    values: dict[str, float] = {}
    spreads: dict[str, tuple[str, float, float, float]] = {}
    for name, quantity in dict(policy.effects).items():
        where = f"policies[{policy.id}].effects.{name}"
        if name not in KNOWN_EFFECTS:
            problems.append(
                Located(f"unknown effect; known: {', '.join(KNOWN_EFFECTS)}", field=where)
            )
            continue
        low, high, _ = KNOWN_EFFECTS[name]
        lo, hi = quantity.span()
        if not (low <= lo and hi <= high):
            problems.append(
                Located(
                    f"value {quantity.value:g} (range {lo:g}..{hi:g}) outside [{low:g}, {high:g}]",
                    field=where,
                )
            )
            continue
        values[name] = float(quantity.value)
        unc = quantity.uncertainty
        if unc is not None:
            kind = unc.dist
            if kind == "uniform":
                spreads[name] = ("uniform", unc.low, unc.high, 0.0)
            elif kind == "triangular":
                mode = quantity.value if unc.mode is None else unc.mode
                spreads[name] = ("triangular", unc.low, mode, unc.high)
            else:
                spreads[name] = ("normal", quantity.value, unc.sd, 0.0)
    if problems:
        raise InputError(problems)
    note = None if values else "no crisis effects declared: simulated as the status quo"
    return EffectSpec(policy.id, policy.label, values, spreads, note)


def status_quo_spec() -> EffectSpec:
    return EffectSpec(STATUS_QUO, STATUS_QUO_LABEL, {}, {}, None)


def _effect_arrays(spec: EffectSpec, n: int, rng: np.random.Generator) -> dict[str, FloatArray]:
    """Per-path effect values; spreads sampled in a fixed order (sorted names) for determinism."""
    out: dict[str, FloatArray] = {}
    for name in sorted(KNOWN_EFFECTS):
        low, high, neutral = KNOWN_EFFECTS[name]
        if name in spec.spreads:
            kind, a, b, c = spec.spreads[name]
            if kind == "uniform":
                draw = rng.uniform(a, b, n)
            elif kind == "triangular":
                draw = rng.triangular(a, b, c, n) if c > a else np.full(n, a)
            else:
                draw = rng.normal(a, b, n)
            out[name] = np.clip(draw, low, high)
        else:
            out[name] = np.full(n, spec.values.get(name, neutral))
    if "nuclear_test_multiplier" not in spec.values:
        out["nuclear_test_multiplier"] = out["launch_rate_multiplier"]
    return out


@dataclass(frozen=True)
class InitialState:
    """Where simulation starts: the state after the last observed month."""

    month: str
    tension: float
    history: FloatArray  # (n_types,) H at the first simulated month
    talks: float
    sanctions: float
    russia: float
    china: float


def initial_state(
    params: CrisisParams,
    months: Sequence[str],
    counts: FloatArray,
    talks: FloatArray,
    russia: FloatArray,
    china: FloatArray,
) -> InitialState:
    """The model state after the last observed month."""
    _, tension = observed_states(counts, talks, russia, china, params.hyper)
    hist = decayed_history(counts, params.hyper.delta)
    return InitialState(
        month=months[-1],
        tension=float(tension[-1]),
        history=params.hyper.delta * (hist[-1] + counts[-1]),
        talks=float(talks[-1]),
        sanctions=float(sanctions_series(counts)[-1] + SANCTIONS_STEP * counts[-1, _UN]),
        russia=float(russia[-1]),
        china=float(china[-1]),
    )


@dataclass(frozen=True)
class Block:
    """Simulated paths of one chunk under one policy."""

    tension: NDArray[np.float32]  # (n, horizon)
    missiles: NDArray[np.int16]  # (n, horizon) missile launch events
    talks: NDArray[np.bool_]  # (n, horizon)
    nuclear: NDArray[np.int16]  # (n,) nuclear tests within the horizon
    capped: int  # (path, month, type) cells that hit MAX_RATE
    counts: NDArray[np.float32] | None = None  # (n, horizon, n_types) if recorded


def _draw_betas(
    params: CrisisParams, n: int, rng: np.random.Generator, uncertain: bool
) -> dict[str, FloatArray]:
    """Coefficients per path, shape (p, n): the MLE, or draws from N(β̂, I⁻¹).

    Stored feature-major so that each coefficient row is contiguous in the hot loop.
    """
    out: dict[str, FloatArray] = {}
    items: list[tuple[str, FloatArray, FloatArray]] = [
        (name, params.beta[name], params.cov[name]) for name in COUNT_TYPES
    ]
    items += [
        ("talks_start", params.talks_start, params.talks_start_cov),
        ("talks_end", params.talks_end, params.talks_end_cov),
    ]
    for name, beta, cov in items:
        if uncertain:
            # A square root of the PSD covariance via eigh (dropped features have zero
            # rows/columns, so Cholesky would fail).
            vals, vecs = np.linalg.eigh(cov)
            root = vecs * np.sqrt(np.clip(vals, 0.0, None))
            draws = beta[:, None] + root @ rng.standard_normal((len(beta), n))
        else:
            draws = np.repeat(beta[:, None], n, axis=1)
        if name in params.features:
            for j, feature in enumerate(params.features[name]):
                if feature in ("self", "launches"):
                    np.clip(draws[j], -EXCITATION_MAX, EXCITATION_MAX, out=draws[j])
        out[name] = np.ascontiguousarray(draws)
    return out


def simulate_block(
    params: CrisisParams,
    init: InitialState,
    spec: EffectSpec,
    horizon: int,
    n: int,
    rng: np.random.Generator,
    parameter_uncertainty: bool = True,
    record: bool = False,
) -> Block:
    """Simulate ``n`` paths of ``horizon`` months, all paths advanced together each month.

    ``record=True`` also keeps every type's count of every month (for tests and diagnostics).

    Internally arrays are type-major, (n_types, n), so every per-type row is contiguous.
    """
    n_types = len(COUNT_TYPES)
    eff = _effect_arrays(spec, n, rng)
    betas = _draw_betas(params, n, rng, parameter_uncertainty)
    hyper = params.hyper
    tension = np.full(n, init.tension)
    hist = np.repeat(np.asarray(init.history, dtype=np.float64)[:, None], n, axis=1)
    talks = np.full(n, init.talks)
    sanctions = np.full(n, init.sanctions)
    russia = np.clip(init.russia + eff["russia_support_shift"], 0.0, 1.0)
    china = np.clip(init.china + eff["china_support_shift"], 0.0, 1.0)
    log_start = np.log(np.maximum(eff["talks_hazard_multiplier"], 1e-300))
    log_end = np.log(np.maximum(eff["talks_end_multiplier"], 1e-300))
    multiplier = np.ones((n_types, n))
    multiplier[_LAUNCH_IDX] = eff["launch_rate_multiplier"]
    multiplier[_NUC] = eff["nuclear_test_multiplier"]
    multiplier[_EX] = eff["exercise_rate_multiplier"]
    multiplier[_SANCTION_IDX] = eff["sanctions_rate_multiplier"]
    dispersion = [(TYPE_INDEX[k], a) for k, a in sorted(params.dispersion.items()) if a > 0]
    drawn = [TYPE_INDEX[name] for name in COUNT_TYPES if TYPE_INDEX[name] != _EX]

    out_t = np.empty((n, horizon), dtype=np.float32)
    out_m = np.empty((n, horizon), dtype=np.int16)
    out_k = np.empty((n, horizon), dtype=bool)
    nuclear = np.zeros(n, dtype=np.int16)
    capped = 0
    lam = np.empty((n_types, n))
    counts = np.empty((n_types, n))
    recorded = np.empty((n, horizon, n_types), dtype=np.float32) if record else None
    for t in range(horizon):
        # 1. talks: two-state chain with logistic hazards (model eq. 3)
        t_cov = params.covariate_tension(tension)
        start, end = betas["talks_start"], betas["talks_end"]
        z_start = start[0] + start[1] * t_cov + log_start
        z_end = end[0] + end[1] * t_cov + log_end
        u = rng.random(n)
        talks = np.where(talks > 0.5, u >= logistic(z_end), u < logistic(z_start)).astype(float)
        # 2. allied exercise first (a covariate of the DPRK's launches the same month).
        # Shared covariate rows are computed once per month; each type's linear predictor is
        # a multiply-add over its features (the same numbers as model.feature_matrix).
        columns: dict[str, FloatArray] = {
            "tension": t_cov,
            "talks": talks,
            "sanctions": sanctions,
            "russia": russia,
            "china": china,
            "launches": np.log1p(hist[_STRATEGIC_IDX].sum(axis=0)),
        }
        lam_ex = (
            np.exp(_eta("allied_exercise", betas, columns, hist, params.features)) * multiplier[_EX]
        )
        exercise = (rng.random(n) < -np.expm1(-lam_ex)).astype(float)
        columns["exercise"] = exercise
        # 3. every other type: Poisson (NB2 where fitted) with log-linear intensity (eq. 1)
        for e in drawn:
            lam[e] = _eta(COUNT_TYPES[e], betas, columns, hist, params.features)
        lam[_EX] = 0.0
        np.minimum(lam, 50.0, out=lam)
        np.exp(lam, out=lam)
        lam *= multiplier
        for e, alpha in dispersion:
            # NB2 as a gamma–Poisson mixture: λ·G with G ~ Gamma(1/α, scale α), mean 1.
            lam[e] *= rng.gamma(1.0 / alpha, alpha, n)
        capped += int(np.count_nonzero(lam > MAX_RATE))
        np.minimum(lam, MAX_RATE, out=lam)
        lam[_EX] = 0.0
        counts[:] = rng.poisson(lam)
        counts[_EX] = exercise
        # 4. state updates: tension (eq. 2), kernel history, sanctions in force (eq. 4)
        score = GOLDSTEIN @ counts + TALKS_GOLDSTEIN * talks
        tension = hyper.rho * tension + (1.0 - hyper.rho) * np.tanh(-score / hyper.kappa)
        hist += counts
        hist *= hyper.delta
        sanctions = sanctions + SANCTIONS_STEP * counts[_UN]
        out_t[:, t] = tension
        out_m[:, t] = counts[_MISSILE_IDX].sum(axis=0)
        out_k[:, t] = talks > 0.5
        nuclear += counts[_NUC].astype(np.int16)
        if recorded is not None:
            recorded[:, t, :] = counts.T
    return Block(out_t, out_m, out_k, nuclear, capped, recorded)


def _eta(
    name: str,
    betas: Mapping[str, FloatArray],
    columns: Mapping[str, FloatArray],
    hist: FloatArray,
    features: Mapping[str, tuple[str, ...]] = FEATURES,
) -> FloatArray:
    """Linear predictor ``β_e · x_e`` per path (``betas[name]`` is (p, n), ``hist`` (types, n))."""
    beta = betas[name]
    eta: FloatArray = beta[0].copy()  # every type's first feature is the intercept
    for j, feature in enumerate(features[name][1:], start=1):
        if feature == "self":
            eta += beta[j] * np.log1p(hist[TYPE_INDEX[name]])
        else:
            eta += beta[j] * columns[feature]
    return eta


def _chunk(
    start: int,
    stop: int,
    seed: np.random.SeedSequence,
    *,
    params: CrisisParams,
    init: InitialState,
    specs: tuple[EffectSpec, ...],
    horizon: int,
    parameter_uncertainty: bool,
) -> list[Block]:
    """One chunk for every policy, each policy restarting from the same child seed (CRN)."""
    return [
        simulate_block(
            params,
            init,
            spec,
            horizon,
            stop - start,
            np.random.default_rng(seed),
            parameter_uncertainty,
        )
        for spec in specs
    ]


BANDS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


def months_after_text(start: str, horizon: int) -> str:
    """The months simulated after the last observed month ``start`` (``YYYY-MM``), in words:
    "the 24 months after 2025-09 (2025-10 to 2027-09)"; just "24 months after START" if
    ``start`` is not a month."""
    if not start:
        return f"{horizon} months"
    try:
        last = pd.Period(start, freq="M")
    except (ValueError, TypeError):
        return f"{horizon} months after {start}"
    first, end = last + 1, last + horizon
    months = "month" if horizon == 1 else "months"
    return f"the {horizon} {months} after {last} ({first} to {end})"


@dataclass(frozen=True)
class CrisisResult:
    """Simulated paths per policy. Arrays are (paths, horizon) unless noted."""

    policies: tuple[str, ...]
    labels: Mapping[str, str]
    notes: Mapping[str, str]
    start: str
    horizon: int
    threshold: float
    tension: Mapping[str, FloatArray]
    missiles: Mapping[str, NDArray[np.int16]]
    talks: Mapping[str, NDArray[np.bool_]]
    nuclear: Mapping[str, NDArray[np.int16]]  # (paths,)
    capped: int
    seed: int

    @property
    def paths(self) -> int:
        return int(self.tension[self.policies[0]].shape[0])

    @property
    def period(self) -> str:
        """The simulated months in words: ``start`` is the last *observed* month, so "24 months
        from 2025-09" would read as if September were simulated; this says "the 24 months
        after 2025-09 (2025-10 to 2027-09)"."""
        return months_after_text(self.start, self.horizon)

    def crisis(self, policy: str) -> NDArray[np.bool_]:
        """Paths whose tension stays at/above the threshold for two consecutive months."""
        return crisis_crossed(np.asarray(self.tension[policy], dtype=np.float64), self.threshold)

    def tension_bands(self, policy: str, quantiles: Sequence[float] = BANDS) -> FloatArray:
        """Quantiles of tension per month, shape (len(quantiles), horizon)."""
        return np.asarray(np.quantile(self.tension[policy], quantiles, axis=0), dtype=np.float64)

    def to_frame(self) -> pd.DataFrame:
        """The policy × measure summary (:meth:`summary`); the paths are the arrays."""
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"<CrisisResult {len(self.policies)} policies × {self.paths} paths, "
            f"{self.period}, seed {self.seed}>"
        )

    def _repr_html_(self) -> str:
        return means_html(
            f"<b>Crisis simulation</b>: {self.paths} paths, {self.period}, seed {self.seed}",
            self.summary(),
        )

    def summary(self) -> pd.DataFrame:
        """Policy × measure (:mod:`peninsula.summary` layout). ``low``–``high``: the 5–95%
        quantiles of the paths for a count or a level, the 95% Wilson interval for a
        probability; ``p50`` the median path value; ``mc_low``–``mc_high`` the 95% Monte Carlo
        interval of the mean (of the proportion, for a probability)."""
        rows: list[tuple[Any, ...]] = []
        n = self.paths
        for policy in self.policies:
            per_year = self.missiles[policy].sum(axis=1) * 12.0 / self.horizon
            talk_months = self.talks[policy].sum(axis=1).astype(float)
            final = np.asarray(self.tension[policy][:, -1], dtype=np.float64)
            for measure, values in (
                ("launches_per_year", per_year),
                ("months_of_talks", talk_months),
                ("final_tension", final),
            ):
                mean = float(values.mean())
                se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
                p05, p50, p95 = map(float, np.quantile(values, (0.05, 0.5, 0.95)))
                rows.append(
                    (policy, measure, mean, p05, p95, p50, mean - 1.96 * se, mean + 1.96 * se)
                )
            for measure, hits in (
                ("p_nuclear_test", self.nuclear[policy] > 0),
                ("p_crisis", self.crisis(policy)),
            ):
                p = float(hits.mean())
                lo, hi = wilson(p, n)
                rows.append((policy, measure, p, lo, hi, np.nan, lo, hi))
        return summary_frame(
            rows,
            ("p50", "mc_low", "mc_high"),
            "5–95% of simulated paths; 95% Wilson interval for probabilities",
        )


def _with_progress(
    fn: Callable[[int, int, np.random.SeedSequence], list[Block]],
    paths: int,
    chunk_size: int,
    seed: int,
    executor: Any,
    progress: Callable[[int, int], None],
) -> list[list[Block]]:
    from peninsula.executors import iter_chunked

    chunks: list[list[Block]] = []
    for done, result in iter_chunked(fn, paths, chunk_size, seed, executor):
        chunks.append(result)
        progress(done, paths)
    return chunks


def bytes_per_path(policies: int, horizon: int) -> float:
    """Memory of one simulated path in the result: per policy and month a float32 tension,
    an int16 count and a flag, held twice (chunks and their concatenation), with margin."""
    return 2.0 * policies * horizon * (4 + 2 + 1) * 1.5 + 64.0 * policies


def check_memory(paths: int, policies: int, horizon: int) -> None:
    """Refuse ``paths`` up front if the simulated paths cannot fit in memory."""
    from peninsula.memory import check_fits

    check_fits(paths, bytes_per_path(policies, horizon), 0.0, "paths", "--paths")


def simulate(
    params: CrisisParams,
    init: InitialState,
    specs: Sequence[EffectSpec],
    horizon: int = 36,
    paths: int = 10_000,
    seed: int = 0,
    executor: Any = "local",
    chunk_size: int = DEFAULT_CHUNK,
    parameter_uncertainty: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> CrisisResult:
    """Run every policy's paths through ``run_chunked`` (identical for any executor).

    With ``progress``, chunks come back through ``iter_chunked`` (same chunks, same child seeds)
    and ``progress(paths_done, paths)`` is called after each, so the result is identical with
    or without progress.
    """
    from peninsula.executors import get_executor, run_chunked

    if horizon < 1 or paths < 1:
        raise InputError([Located("horizon and paths must be at least 1")])
    check_memory(paths, len(specs), horizon)
    fn: Callable[[int, int, np.random.SeedSequence], list[Block]] = functools.partial(
        _chunk,
        params=params,
        init=init,
        specs=tuple(specs),
        horizon=horizon,
        parameter_uncertainty=parameter_uncertainty,
    )
    if progress is None:
        chunks = run_chunked(fn, paths, chunk_size, seed, executor)
    elif isinstance(executor, str):
        with get_executor(executor) as owned:
            chunks = _with_progress(fn, paths, chunk_size, seed, owned, progress)
    else:
        chunks = _with_progress(fn, paths, chunk_size, seed, executor, progress)
    ids = tuple(s.policy for s in specs)

    def cat(attr: str, i: int) -> Any:
        return np.concatenate([getattr(c[i], attr) for c in chunks], axis=0)

    return CrisisResult(
        policies=ids,
        labels={s.policy: s.label for s in specs},
        notes={s.policy: s.note for s in specs if s.note},
        start=init.month,
        horizon=horizon,
        threshold=params.threshold,
        tension={p: cat("tension", i) for i, p in enumerate(ids)},
        missiles={p: cat("missiles", i) for i, p in enumerate(ids)},
        talks={p: cat("talks", i) for i, p in enumerate(ids)},
        nuclear={p: cat("nuclear", i) for i, p in enumerate(ids)},
        capped=int(sum(b.capped for c in chunks for b in c)),
        seed=seed,
    )
