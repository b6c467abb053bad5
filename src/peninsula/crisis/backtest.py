"""Rolling-origin evaluation of the crisis forecasts against simple baselines (pure numpy).

Design (Tashman 2000, *Int. J. Forecasting* 16:437, "rolling-origin evaluation"): at every
month-end origin ``t`` each forecaster is fitted on the months up to ``t`` only (an expanding
window) and issues a predictive distribution for the *count in the next ``h`` months*
(``h`` = 1, 3, 12; the sum over months ``t+1..t+h``) of each target: launch events (all and by
class), nuclear tests, months with talks, new sanctions. Forecasts are scored by the
logarithmic score (Good 1952) and the ranked probability / continuous ranked probability score
for counts (CRPS, Gneiting & Raftery 2007, eq. 21: ``Σ_k (F(k) − 1{y ≤ k})²``), both proper;
calibration by the randomised PIT (Czado, Gneiting & Held 2009) and the coverage of central 90%
intervals. Differences between two forecasters are *paired* (same origins, same outcomes) and
their standard errors are Newey–West (1987) HAC with lag ``h − 1``, since ``h``-month windows of
neighbouring origins overlap.

Forecasters (every one sees only the months up to the origin):

- ``poisson_mean`` / ``negbin_mean``: Poisson / NB2 at the mean of all months so far (in an
  expanding window the all-history mean *is* the running mean, so the two named baselines of
  the issue are one). NB2 dispersion by the method of moments on the monthly counts; a sum of
  ``h`` i.i.d. NB2(size r) months is NB2(size ``h r``).
- ``poisson_last{3,6,12}`` / ``negbin_last{3,6,12}``: the same at the mean of the last 3, 6, 12
  months (dispersion from the whole window).
- ``bootstrap12``: the ViEWS benchmark (Hegre et al. 2019, *J. Peace Res.* 56:155): each future
  month is a draw with replacement from the last 12 observed months; the ``h``-month sum's
  distribution is computed exactly by convolution.
- ``persistence``: Poisson at the count of the last ``h`` months.
- ``model``: the structural self-exciting model (:mod:`peninsula.crisis.model`), refitted at
  every origin with its structure (features, ``δ, ρ, κ``) fixed on data to 2021, simulated
  ``paths`` times ``h`` months ahead with the support indices held at their origin values.
- ``stack``: a linear pool of the members :data:`STACK_MEMBERS` (Hall & Mitchell 2007; Geweke
  & Amisano 2011). Its weights are fitted at each origin on the forecasts whose outcome was
  already known — past windows only — namely the members' **one-month** forecasts (origins
  ``s < t``), and the same weights pool every horizon. They are the mean of the log-score-optimal
  weights (EM for mixture weights) and the CRPS-optimal weights (a quadratic programme on the
  simplex), so the pool is fitted to both scores the issue asks about; equal weights until six
  outcomes are known, then shrunk toward equal weights by :data:`STACK_SHRINK` pseudo-forecasts.
  The design was revised after the validation period (commit "SPECIFICATION REVISED before
  rescoring"; docs/explanation/crisis-model.md, "Revised specification").

*Our choices:* every predictive pmf lives on 0..:data:`K_MAX`; pmfs that can put zero mass on
an outcome (a zero mean, the bootstrap, the model's Monte Carlo histogram) are mixed with 1% of
a Poisson at the running mean (floor 0.01/month), so every log score is finite; a zero mean is
floored at 0.01 events a month. The structural model's "launches" forecast is the sum of its
class forecasts (a date with two classes counts twice there, once in the data: 2 of 111 months).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from peninsula.crisis.data import MonthlyData
from peninsula.crisis.model import (
    FEATURES,
    TYPE_INDEX,
    CrisisParams,
    FloatArray,
    Hyper,
    launch_class_sum,
)

TARGETS: tuple[str, ...] = (
    "launches",
    "ballistic",
    "cruise",
    "satellite_launches",
    "nuclear_tests",
    "talks",
    "sanctions",
)
HORIZONS: tuple[int, ...] = (1, 3, 12)
K_MAX = 160
#: Periods by the *origin*; a forecast belongs to a period when its whole target window does.
PERIODS: dict[str, tuple[str, str]] = {
    "selection": ("2019-01", "2021-12"),
    "validation": ("2022-01", "2024-12"),
    "test": ("2025-01", "2026-03"),
    # months the revised stack (commit "SPECIFICATION REVISED before rescoring") had not seen
    # when it was specified: its clean test, scored apart from the seen "test" months
    "unseen": ("2026-04", "9999-12"),
}
FIRST_ORIGIN = "2018-01"  # forecasts from here train the stack; scoring starts in 2019
MIN_STACK = 6
#: The stack's members and the shrinkage of its weights toward equal weights (a prior worth
#: this many forecasts). **Revised specification** (the first was commit 9222d82): chosen on
#: the selection (origins 2019–2021) *and* validation (2022–24) periods, after the original
#: stack (members model + NB2 mean/last 6/last 12, log-score weights fitted per horizon) was
#: behind the best baseline on the CRPS at every horizon in validation. The candidates
#: compared are listed in docs/explanation/crisis-model.md ("Revised specification").
STACK_MEMBERS: tuple[str, ...] = (
    "model",
    "negbin_mean",
    "negbin_last6",
    "negbin_last12",
    "poisson_last6",
    "poisson_last12",
)
STACK_SHRINK = 6.0
#: The stack's weights are fitted on the members' forecasts at this horizon and pool every
#: horizon: one-month outcomes are known a month after the origin and do not overlap, while
#: twelve-month ones are known a year late and overlap eleven months in twelve (25 validation
#: origins hold about two independent years), so per-horizon weights learn a regime change
#: (2022) a year late.
STACK_FIT_HORIZON = 1
FLOOR = 0.01
BASELINES: tuple[str, ...] = (
    "poisson_mean",
    "negbin_mean",
    "poisson_last3",
    "negbin_last3",
    "poisson_last6",
    "negbin_last6",
    "poisson_last12",
    "negbin_last12",
    "bootstrap12",
    "persistence",
)
#: The structural model's specification, fixed on data up to 2021-12 (see
#: docs/explanation/crisis-model.md, "Honest protocol"): hyper-parameters by profile
#: likelihood on 2017-01..2021-12 and the feature sets of ``model.FEATURES``.
SPEC_HYPER = Hyper(delta=0.7, rho=0.85, kappa=20.0)
_GRID = np.arange(K_MAX + 1, dtype=np.float64)


# --------------------------------------------------------------------------- targets
def target_series(data: MonthlyData) -> dict[str, FloatArray]:
    """Monthly series of every target; NaN where the month is not coded."""
    obs = data.observed
    un = obs[:, TYPE_INDEX["new_un_sanctions"]]
    us = obs[:, TYPE_INDEX["new_us_sanctions"]]
    return {
        "launches": np.asarray(data.total_launches, dtype=np.float64),
        "ballistic": obs[:, TYPE_INDEX["ballistic"]],
        "cruise": obs[:, TYPE_INDEX["cruise"]],
        "satellite_launches": obs[:, TYPE_INDEX["satellite_launches"]],
        "nuclear_tests": obs[:, TYPE_INDEX["nuclear_tests"]],
        "talks": np.asarray(data.talks, dtype=np.float64),
        "sanctions": un + us,
    }


def window_sum(series: FloatArray, t: int, h: int) -> float:
    """Sum of months ``t+1..t+h`` (NaN if any is missing or beyond the data)."""
    if t + h >= len(series):
        return float("nan")
    return float(series[t + 1 : t + h + 1].sum())


# --------------------------------------------------------------------------- pmfs
def poisson_pmf(mean: float) -> FloatArray:
    return np.asarray(stats.poisson.pmf(_GRID, max(mean, FLOOR)), dtype=np.float64)


def negbin_pmf(mean: float, alpha: float) -> FloatArray:
    """NB2 pmf with mean ``mean`` and dispersion ``alpha`` (variance μ + α μ²); Poisson at 0."""
    mean = max(mean, FLOOR)
    if alpha <= 1e-9:
        return poisson_pmf(mean)
    size = 1.0 / alpha
    return np.asarray(stats.nbinom.pmf(_GRID, size, size / (size + mean)), dtype=np.float64)


def moment_dispersion(x: FloatArray) -> float:
    """NB2 α by the method of moments, ``max(0, (s² − m) / m²)``."""
    if len(x) < 2:
        return 0.0
    m, v = float(np.mean(x)), float(np.var(x, ddof=1))
    return max(0.0, (v - m) / m**2) if m > 0 else 0.0


def _floored(pmf: FloatArray, running_mean: float) -> FloatArray:
    out = 0.99 * pmf + 0.01 * poisson_pmf(running_mean)
    return np.asarray(out / out.sum(), dtype=np.float64)


def bootstrap_pmf(last: FloatArray, h: int) -> FloatArray:
    """Exact pmf of the sum of ``h`` draws with replacement from ``last`` (ViEWS benchmark)."""
    single = np.bincount(last.astype(np.int64), minlength=1).astype(np.float64)
    single /= single.sum()
    out = np.zeros(K_MAX + 1)
    out[0] = 1.0
    for _ in range(h):
        out = np.convolve(out, single)[: K_MAX + 1]
    return out


def baseline_pmfs(past: FloatArray, h: int) -> dict[str, FloatArray]:
    """Every baseline's pmf of the next ``h`` months' count, from the months ``past``."""
    n = len(past)
    mean = float(past.mean())
    alpha = moment_dispersion(past)
    out: dict[str, FloatArray] = {
        "poisson_mean": poisson_pmf(h * mean),
        # a sum of h i.i.d. NB2(size r) is NB2(size h r): α_h = α / h at mean h μ
        "negbin_mean": negbin_pmf(h * mean, alpha / h),
    }
    for k in (3, 6, 12):
        m_k = float(past[-k:].mean()) if n else 0.0
        out[f"poisson_last{k}"] = poisson_pmf(h * m_k)
        out[f"negbin_last{k}"] = negbin_pmf(h * m_k, alpha / h)
    out["bootstrap12"] = _floored(bootstrap_pmf(past[-12:], h), h * mean)
    out["persistence"] = poisson_pmf(float(past[-h:].sum()) if n >= h else h * mean)
    return out


def mc_pmf(draws: FloatArray, running_mean: float) -> FloatArray:
    """Monte Carlo histogram of integer draws on 0..K_MAX, floored (see the module docstring)."""
    hist = np.bincount(np.clip(draws.astype(np.int64), 0, K_MAX), minlength=K_MAX + 1)
    return _floored(hist / hist.sum(), running_mean)


# --------------------------------------------------------------------------- scores
def log_score(pmf: FloatArray, y: float) -> float:
    return float(np.log(pmf[int(y)])) if y <= K_MAX else float(np.log(1e-300))


def crps(pmf: FloatArray, y: float) -> float:
    """Ranked probability score of a count (Gneiting & Raftery 2007, eq. 21, on 0..K_MAX)."""
    cdf = np.cumsum(pmf)
    return float(np.sum((cdf - (y <= _GRID)) ** 2))


def pit_and_cover(pmf: FloatArray, y: float, u: float) -> tuple[float, bool]:
    """Randomised PIT ``F(y−1) + u p(y)`` and whether ``y`` lies in the central 90% interval."""
    cdf = np.cumsum(pmf)
    below = float(cdf[int(y) - 1]) if y >= 1 else 0.0
    lo = int(np.searchsorted(cdf, 0.05))
    hi = int(np.searchsorted(cdf, 0.95))
    return below + u * float(pmf[int(y)]), lo <= y <= hi


def pool_weights(dens: FloatArray, iterations: int = 200) -> FloatArray:
    """Linear-pool weights maximising ``Σ_i log Σ_k w_k p_ik`` (EM for mixture weights).

    ``dens`` is (n_forecasts, n_members), each member's predictive probability of the outcome.
    The objective is concave in ``w`` on the simplex, so EM converges to the optimum.
    """
    m = dens.shape[1]
    w = np.full(m, 1.0 / m)
    for _ in range(iterations):
        mix = dens @ w
        w = w * (dens / mix[:, None]).mean(axis=0)
        w /= w.sum()
    return w


def crps_pool_weights(cdfs: FloatArray, outcomes: FloatArray) -> FloatArray:
    """Linear-pool weights minimising the mean CRPS of the pool on past forecasts.

    ``cdfs`` is (n_forecasts, n_members, K+1), each member's predictive cdf on 0..K;
    ``outcomes`` the n observed counts. The pool's cdf is ``Σ_k w_k F_k``, so its CRPS,
    ``Σ_j (Σ_k w_k F_kj − 1{y ≤ j})²``, is a convex quadratic ``wᵀ A w − 2 bᵀ w + c`` in ``w``;
    it is minimised on the simplex by SLSQP (scipy). ``A`` is positive semi-definite, so a local
    minimum is global.
    """
    n = cdfs.shape[0]
    step = (outcomes[:, None] <= _GRID[None, :]).astype(np.float64)
    a = np.einsum("ikj,ilj->kl", cdfs, cdfs) / n
    b = np.einsum("ikj,ij->k", cdfs, step) / n
    return simplex_quadratic(a, b)


def simplex_quadratic(a: FloatArray, b: FloatArray) -> FloatArray:
    """``argmin wᵀ a w − 2 bᵀ w`` over the probability simplex (SLSQP from equal weights)."""
    from scipy import optimize

    m = len(b)
    result = optimize.minimize(
        lambda w: float(w @ a @ w - 2.0 * b @ w),
        np.full(m, 1.0 / m),
        jac=lambda w: 2.0 * (a @ w) - 2.0 * b,
        bounds=[(0.0, 1.0)] * m,
        constraints=[{"type": "eq", "fun": lambda w: float(w.sum()) - 1.0}],
        method="SLSQP",
    )
    w = np.clip(np.asarray(result.x, dtype=np.float64), 0.0, None)
    return np.asarray(w / w.sum(), dtype=np.float64)


def stack_weights(dens: FloatArray, gram: FloatArray, cross: FloatArray) -> FloatArray:
    """The stack's weights from ``n`` past forecasts of ``m`` members, before shrinkage: the mean
    of the log-score-optimal (:func:`pool_weights` on ``dens``, (n, m)) and the CRPS-optimal
    weights (from the sufficient statistics of :func:`crps_pool_weights`: ``gram`` (n, m, m)
    holds each forecast's ``Σ_j F_kj F_lj`` and ``cross`` (n, m) its ``Σ_j F_kj 1{y ≤ j}``).

    Both objectives are convex in ``w``, so the midpoint of the two optima is, on each score,
    no worse than the average of the two optima's scores (Jensen): a compromise that cannot be
    far off on either score when the optima are close, chosen (among log-only and CRPS-only)
    on the selection and validation periods.
    """
    w_log = pool_weights(dens)
    w_crps = simplex_quadratic(gram.mean(axis=0), cross.mean(axis=0))
    w = 0.5 * (w_log + w_crps)
    return np.asarray(w / w.sum(), dtype=np.float64)


def hac_se(d: FloatArray, lag: int) -> float:
    """Newey–West standard error of the mean of ``d`` with Bartlett weights up to ``lag``.

    NaN when there are fewer than ``2 (lag + 1)`` forecasts: with so few the overlapping
    windows leave too little information for any standard error (e.g. 12-month forecasts in
    the 15-month final test).
    """
    n = len(d)
    if n < max(2, 2 * (lag + 1)):
        return float("nan")
    e = d - d.mean()
    var = float(e @ e) / n
    for j in range(1, min(lag, n - 1) + 1):
        var += 2.0 * (1.0 - j / (lag + 1)) * float(e[j:] @ e[:-j]) / n
    return float(np.sqrt(max(var, 0.0) / n))


# --------------------------------------------------------------------------- the engine
ModelForecast = Callable[[MonthlyData, int], dict[str, FloatArray]]


def structural_forecaster(
    paths: int = 1000,
    seed: int = 0,
    hyper: Hyper = SPEC_HYPER,
    features: Mapping[str, tuple[str, ...]] = FEATURES,
) -> ModelForecast:
    """The structural model as a forecaster: refit on ``data[:t+1]``, simulate 12 months.

    Returns, per target, the (paths, 12) simulated monthly counts, and under ``"tension"`` the
    simulated tension (for the escalation check, :mod:`peninsula.crisis.escalation`).
    """
    from peninsula.crisis.calibrate import fit_at
    from peninsula.crisis.simulate import initial_state, simulate_block, status_quo_spec

    def forecast(data: MonthlyData, t: int) -> dict[str, FloatArray]:
        window = data.rows(np.arange(len(data)) <= t)
        params: CrisisParams = fit_at(window, hyper, threshold=0.0, features=features)[0]
        init = initial_state(
            params, window.months, window.counts, window.talks, window.russia, window.china
        )
        rng = np.random.default_rng([seed, t])
        block = simulate_block(params, init, status_quo_spec(), 12, paths, rng, True, record=True)
        assert block.counts is not None
        c = block.counts.astype(np.float64)
        return {
            "launches": launch_class_sum(c),
            "ballistic": c[..., TYPE_INDEX["ballistic"]],
            "cruise": c[..., TYPE_INDEX["cruise"]],
            "satellite_launches": c[..., TYPE_INDEX["satellite_launches"]],
            "nuclear_tests": c[..., TYPE_INDEX["nuclear_tests"]],
            "talks": block.talks.astype(np.float64),
            "sanctions": c[..., TYPE_INDEX["new_un_sanctions"]]
            + c[..., TYPE_INDEX["new_us_sanctions"]],
            "tension": block.tension.astype(np.float64),
        }

    return forecast


def memoised(model: ModelForecast) -> ModelForecast:
    """``model`` with its forecasts kept per (data, origin), so that the count backtest and the
    escalation check draw the same simulated paths and the model runs once per origin."""
    # Keyed by identity, holding the data too, so that an id cannot be reused by other data.
    memo: dict[tuple[int, int], tuple[MonthlyData, dict[str, FloatArray]]] = {}

    def forecast(data: MonthlyData, t: int) -> dict[str, FloatArray]:
        key = (id(data), t)
        if key not in memo or memo[key][0] is not data:
            memo[key] = (data, model(data, t))
        return memo[key][1]

    return forecast


@dataclass(frozen=True)
class Evaluation:
    """Every scored forecast (one row per origin × target × horizon × forecaster)."""

    scores: pd.DataFrame  # origin, period, target, horizon, forecaster, y, log, crps, pit, cover
    weights: pd.DataFrame  # origin, target, horizon, member, weight (the stack's)
    last_month: str
    scored_through: str


def period_of(first_month: str, last_month: str) -> str | None:
    """The period holding a target window ``first_month..last_month`` entirely, if any."""
    for name, (lo, hi) in PERIODS.items():
        if lo <= first_month and last_month <= hi:
            return name
    return None


def _add_months(month: str, k: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) - 1 + k
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def rolling_origin(
    data: MonthlyData,
    model: ModelForecast | None = None,
    targets: Sequence[str] = TARGETS,
    horizons: Sequence[int] = HORIZONS,
    first_origin: str = FIRST_ORIGIN,
    score_through: str = "2024-12",
    seed: int = 0,
) -> Evaluation:
    """Forecast from every origin, score every forecast whose window ends by ``score_through``.

    ``score_through`` is the protocol's lock: the final test (2025 on) is scored only when the
    caller moves it past 2024-12 (``peninsula crisis-backtest --final-test``).
    """
    series = target_series(data)
    months = data.months
    origins = [t for t, m in enumerate(months) if m >= first_origin]
    rng = np.random.default_rng(seed)
    members = tuple(m for m in STACK_MEMBERS if m != "model" or model is not None)
    rows: list[tuple[object, ...]] = []
    weight_rows: list[tuple[object, ...]] = []
    # per target: the members' scored STACK_FIT_HORIZON-month forecasts, (origin, density of
    # the outcome (m,), Σ_j F_k F_l (m, m), Σ_j F_k 1{y ≤ j} (m,)): the stack's training data
    past: dict[str, list[tuple[int, FloatArray, FloatArray, FloatArray]]] = {}
    for t in origins:
        sims = model(data, t) if model is not None else None
        for target in targets:
            x = series[target][: t + 1]
            x = x[~np.isnan(x)]
            if len(x) == 0:
                continue
            run_mean = float(x.mean())
            known = [k for k in past.get(target, []) if k[0] + STACK_FIT_HORIZON <= t]
            if len(known) >= MIN_STACK:
                w = stack_weights(
                    np.vstack([k[1] for k in known]),
                    np.stack([k[2] for k in known]),
                    np.vstack([k[3] for k in known]),
                )
                n_known = len(known)
                w = (n_known * w + STACK_SHRINK / len(members)) / (n_known + STACK_SHRINK)
            else:
                w = np.full(len(members), 1.0 / len(members))
            for h in sorted(set(horizons) | {STACK_FIT_HORIZON}):
                pmfs = baseline_pmfs(x, h)
                if sims is not None:
                    draws = sims[target][:, :h].sum(axis=1)
                    pmfs["model"] = mc_pmf(draws, h * run_mean)
                stack = sum(wk * pmfs[mk] for wk, mk in zip(w, members, strict=True))
                pmfs["stack"] = np.asarray(stack, dtype=np.float64)
                y = window_sum(series[target], t, h)
                if h == STACK_FIT_HORIZON and not np.isnan(y):
                    cdfs = np.cumsum(np.vstack([pmfs[mk] for mk in members]), axis=1)
                    step = (y <= _GRID).astype(np.float64)
                    past.setdefault(target, []).append(
                        (
                            t,
                            np.array([pmfs[mk][min(int(y), K_MAX)] for mk in members]),
                            cdfs @ cdfs.T,
                            cdfs @ step,
                        )
                    )
                if h not in horizons:
                    continue
                weight_rows.extend(
                    (months[t], target, h, mk, float(wk)) for wk, mk in zip(w, members, strict=True)
                )
                if np.isnan(y):
                    continue
                first, last = months[t + 1], months[t + h]
                period = period_of(first, last)
                if period is None or last > score_through or months[t] < "2018-12":
                    continue
                u = float(rng.random())
                for name, pmf in pmfs.items():
                    pit, cover = pit_and_cover(pmf, y, u)
                    rows.append(
                        (
                            months[t],
                            period,
                            target,
                            h,
                            name,
                            y,
                            log_score(pmf, y),
                            crps(pmf, y),
                            pit,
                            cover,
                        )
                    )
    scores = pd.DataFrame(
        rows,
        columns=[
            "origin",
            "period",
            "target",
            "horizon",
            "forecaster",
            "y",
            "log",
            "crps",
            "pit",
            "cover",
        ],
    )
    weights = pd.DataFrame(weight_rows, columns=["origin", "target", "horizon", "member", "weight"])
    return Evaluation(scores, weights, months[-1], score_through)


def skill_table(
    evaluation: Evaluation,
    period: str,
    reference: str = "stack",
    targets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean log score and CRPS per forecaster and horizon over ``period`` (targets pooled per
    origin: the per-origin sum over ``targets``), with the paired difference to ``reference``
    and its HAC standard error; plus 90% coverage and the PIT's KS p-value."""
    s = evaluation.scores
    s = s[s["period"] == period]
    if targets is not None:
        s = s[s["target"].isin(targets)]
    out = []
    for h_key, by_h in s.groupby("horizon"):
        h = int(str(h_key))
        per = by_h.groupby(["forecaster", "origin"])[["log", "crps"]].sum()
        ref = per.loc[reference]
        for name, block in per.groupby(level=0):
            block = block.droplevel(0).loc[ref.index]
            d_log = (block["log"] - ref["log"]).to_numpy()
            d_crps = (block["crps"] - ref["crps"]).to_numpy()
            rows = by_h[by_h["forecaster"] == name]
            out.append(
                {
                    "horizon": h,
                    "forecaster": name,
                    "n": len(block),
                    "log": float(block["log"].mean()),
                    "d_log": float(d_log.mean()),
                    "se_log": hac_se(d_log, h - 1),
                    "crps": float(block["crps"].mean()),
                    "d_crps": float(d_crps.mean()),
                    "se_crps": hac_se(d_crps, h - 1),
                    "cover90": float(rows["cover"].mean()),
                    "pit_ks_p": float(stats.kstest(rows["pit"], "uniform").pvalue),
                }
            )
    return pd.DataFrame(out).sort_values(["horizon", "log"], ascending=[True, False])


def jeffreys_p_any(events: float, months: int, horizon: int) -> float:
    """P(at least one event in the next ``horizon`` months) for a Poisson rate with the Jeffreys
    prior (rate^−½), after ``events`` in ``months``: the posterior is Gamma(k + ½, n) and the
    predictive count negative binomial, so P(0) = (n / (n + h))^(k + ½) (Gelman et al. 2013,
    *Bayesian Data Analysis*, 3rd ed., §2.6)."""
    return float(1.0 - (months / (months + horizon)) ** (events + 0.5))


def nuclear_base_rates(data: MonthlyData, horizon: int) -> list[tuple[str, float]]:
    """Simple base rates for P(a nuclear test within ``horizon`` months) from ``data``'s
    months, to show beside the structural model's: the Jeffreys posterior predictive on all
    months, and on the months after the last test (a Poisson process has no memory, so the
    months since an event are an unbiased exposure; the window's start in 2017-01, eight
    months before a test, is not)."""
    tests = np.asarray(data.observed[:, TYPE_INDEX["nuclear_tests"]], dtype=np.float64)
    n, k = len(tests), float(tests.sum())
    out = [
        (
            f"Jeffreys base rate, {int(k)} test(s) in {n} months "
            f"({data.months[0]}..{data.months[-1]})",
            jeffreys_p_any(k, n, horizon),
        )
    ]
    hits = np.flatnonzero(tests > 0)
    if len(hits):
        since = n - 1 - int(hits[-1])
        out.append(
            (
                f"Jeffreys base rate, 0 tests in the {since} months since the last "
                f"({data.months[int(hits[-1])]})",
                jeffreys_p_any(0.0, since, horizon),
            )
        )
    return out


USER_TARGETS: tuple[str, ...] = ("launches", "ballistic", "cruise", "nuclear_tests", "talks")


def bundled_path(name: str) -> Path:
    return Path(__file__).parent / "data" / name


def bundled_skill() -> pd.DataFrame:
    """The skill tables as scored by ``peninsula crisis-backtest --final-test --out`` (a
    committed fixture: ``data/skill_table.csv``)."""
    return pd.read_csv(bundled_path("skill_table.csv"))


def bundled_first_look() -> pd.DataFrame:
    """The skill tables of the *original* specification (commit 9222d82) as scored once, the
    first look at 2025-01..2026-03 (commit 0c62c27): ``data/skill_table_first_look.csv``, kept
    beside the revised specification's tables, whose test rows are a second look."""
    return pd.read_csv(bundled_path("skill_table_first_look.csv"))


def bundled_weights() -> pd.DataFrame:
    """The stack's weights at every origin, from the same run (``data/stack_weights.csv``)."""
    return pd.read_csv(bundled_path("stack_weights.csv"), dtype={"origin": str})


def stacked_forecast(
    data: MonthlyData,
    as_of: str | None = None,
    model: ModelForecast | None = None,
    weights: pd.DataFrame | None = None,
    horizons: Sequence[int] = HORIZONS,
    targets: Sequence[str] = USER_TARGETS,
) -> pd.DataFrame:
    """The forecast users see: the stack's predictive distribution from the origin ``as_of``
    (default and at most: the last data month), conditioned on the months up to it.

    The pool weights are those fitted on past windows at that origin: read from ``weights``
    (e.g. :func:`bundled_weights`) when they hold the origin, else recomputed by running the
    rolling origin up to it.

    ``observed`` is what ``data`` recorded in the forecast's window when every month of it is
    in the data and coded (NaN otherwise): a scenario dated before the last data month is
    forecast as of its date, and a reader should see how that forecast fared on the months
    that have happened since. ``observed_cdf`` is the forecast's P(X ≤ observed).
    """
    last = min(as_of or data.months[-1], data.months[-1])
    window = data.window(data.months[0], last)
    origin = window.months[-1]
    have = weights is not None and bool((weights["origin"] == origin).any())
    if not have:
        weights = rolling_origin(window, model, targets, horizons, score_through="0000-00").weights
    assert weights is not None
    w_now = weights[weights["origin"] == origin]
    series = target_series(window)
    after = target_series(data)
    t = len(window) - 1  # the origin's index in ``data`` too (``window`` starts at month 0)
    sims = model(window, len(window) - 1) if model is not None else None
    rows = []
    for target in targets:
        x = series[target]
        x = x[~np.isnan(x)]
        for h in horizons:
            observed = window_sum(after[target], t, h)
            pmfs = baseline_pmfs(x, h)
            if sims is not None:
                pmfs["model"] = mc_pmf(sims[target][:, :h].sum(axis=1), h * float(x.mean()))
            ww = w_now[(w_now["target"] == target) & (w_now["horizon"] == h)]
            pool = {str(k): float(v) for k, v in zip(ww["member"], ww["weight"], strict=True)}
            pmf = np.zeros(K_MAX + 1)
            for member, weight in pool.items():
                pmf += weight * pmfs[member]
            pmf /= pmf.sum()
            cdf = np.cumsum(pmf)
            rows.append(
                {
                    "target": target,
                    "horizon": h,
                    "from": _add_months(origin, 1),
                    "to": _add_months(origin, h),
                    "mean": float(pmf @ _GRID),
                    "p05": int(np.searchsorted(cdf, 0.05)),
                    "median": int(np.searchsorted(cdf, 0.5)),
                    "p95": int(np.searchsorted(cdf, 0.95)),
                    "p_zero": float(pmf[0]),
                    "model_weight": pool.get("model", 0.0),
                    "observed": observed,
                    "observed_cdf": (
                        float(cdf[min(int(observed), K_MAX)])
                        if observed == observed
                        else float("nan")
                    ),
                }
            )
    return pd.DataFrame(rows)
