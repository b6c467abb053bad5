"""A monthly, state-dependent, self-exciting count model of the Korean crisis (pure numpy).

Equations (every symbol is monthly; ``t`` indexes months):

1. **Counts.** For each event type ``e`` (:data:`COUNT_TYPES`)::

       N_e(t) | past ~ Poisson(λ_e(t))
       log λ_e(t) = β_e · x_e(t)

   A discrete-time, exponential-kernel Hawkes process (Hawkes 1971, *Biometrika* 58:83) with a
   log link: the self/cross-excitation terms enter ``x_e(t)`` as
   ``log(1 + H_e'(t))`` with the decayed history ``H_e'(t) = Σ_{s<t} δ^{t-s} N_e'(s)``. The
   ``log(1 + ·)`` of past counts is the log-linear Poisson autoregression of Fokianos & Tjøstheim
   (2011, *J. Multivariate Anal.* 102:563), whose one-lag model is stable for a coefficient in
   (-1, 1) instead of exploding like ``exp(α N)``; by analogy (an assumption for this kernel-sum
   version) excitation coefficients are kept in [-0.99, 0.99]. The exponential kernel makes
   ``H`` a one-line recursion ``H(t+1) = δ (H(t) + N(t))``.
   *Why a log link rather than Hawkes' linear link:* several covariates must be able to *lower*
   an intensity (talks lower launch rates), which a linear link only allows with positivity
   constraints; the log link keeps every λ positive and makes each type a Poisson GLM for fixed
   ``δ, ρ, κ`` (McCullagh & Nelder 1989), so maximum likelihood and standard errors come from a
   maintained GLM library.
   *Assumption:* at most one excitation term per type (its own history, or the aggregate of
   strategic launches, or the same-month allied exercise) plus state covariates — 96 months
   cannot identify a full 11 × 11 excitation matrix. The features of each type are in
   :data:`FEATURES`. ``sanctions`` (in force) and ``china`` are available features but are not
   used: both are step functions that changed only between eras (2017, 2018, 2019, 2022), so
   their coefficients were collinear with the eras (|β| > 7 with the wrong signs in trials).

   *Overdispersion:* ``ballistic`` uses the NB2 negative binomial (variance ``μ + α μ²``,
   Cameron & Trivedi 2013) instead of the Poisson (:data:`NEGBIN_TYPES`).
   *Extrapolation guard (assumption):* the tension covariate is clipped to the range seen in
   calibration (:meth:`CrisisParams.covariate_tension`).

2. **Tension.** ``S(t) = Σ_e w_e N_e(t) + w_talks · talks(t)`` is the month's Goldstein sum,
   with ``w_e`` the Goldstein (1992, *J. Conflict Resolut.* 36:369) weight of the CAMEO code an
   event of type ``e`` is coded as (:data:`CAMEO_CODE`, values from the CAMEO codebook, Gerner
   et al. 2002). Tension is an exponentially weighted average of the squashed hostility::

       T(t) = ρ T(t-1) + (1 - ρ) tanh(-S(t) / κ),   T(-1) = 0

   so ``T ∈ (-1, 1)``, positive = hostile. *Assumption:* the ``tanh`` saturation (a month with
   thirty launches is not ten times as tense as one with three) and the EWMA memory ``ρ``; both
   ``ρ`` and the scale ``κ`` are estimated by profile likelihood.

3. **Talks** are a two-state Markov chain with logistic hazards (an assumption)::

       P(start at t | no talks at t-1) = logistic(γ_0 + γ_1 T(t-1))
       P(end at t   | talks at t-1)    = logistic(η_0 + η_1 T(t-1))

4. **Sanctions in force** ``= 0.6 + 0.1 × (UNSC resolutions adopted since 2017-01)``: six
   sanctions resolutions were in force at 2017-01 (1718, 1874, 2087, 2094, 2270, 2321), each
   new one adds 0.1 (an assumption: resolutions counted, not weighted).

5. **Crisis threshold** (the documented proxy for "unintended war"): tension at or above the
   lower of its August and September 2017 levels ("fire and fury", the Guam threat, the sixth
   nuclear test) for at least two consecutive months.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

FloatArray = NDArray[np.float64]

COUNT_TYPES: tuple[str, ...] = (
    "ballistic",
    "cruise",
    "nuclear_tests",
    "satellite_launches",
    "allied_exercise",
    "new_un_sanctions",
    "new_us_sanctions",
    "threats",
    "conciliatory",
)
TYPE_INDEX: dict[str, int] = {name: i for i, name in enumerate(COUNT_TYPES)}
MISSILE_TYPES: tuple[str, ...] = ("ballistic", "cruise")
#: Launch classes of the agreed launch-event definition (``crisis.sources``).
LAUNCH_TYPES: tuple[str, ...] = (*MISSILE_TYPES, "satellite_launches")
#: DPRK strategic tests: the aggregate that excites other launch types and UN sanctions.
STRATEGIC_TYPES: tuple[str, ...] = (*MISSILE_TYPES, "nuclear_tests", "satellite_launches")
_MISSILE_IDX = np.array([TYPE_INDEX[t] for t in MISSILE_TYPES])
_STRATEGIC_IDX = np.array([TYPE_INDEX[t] for t in STRATEGIC_TYPES])

#: CAMEO code each event type is coded as (Gerner, Schrodt, Yilmaz & Abu-Jabr 2002, CAMEO
#: codebook). A missile, satellite or nuclear test and an allied exercise are "150 demonstrate
#: military power"; sanctions "163 impose embargo, boycott or sanctions"; threats "138 threaten
#: to use military force"; conciliatory statements "030 express intent to cooperate"; a month of
#: talks "046 engage in negotiation".
CAMEO_CODE: dict[str, str] = {
    "ballistic": "150",
    "cruise": "150",
    "nuclear_tests": "150",
    "satellite_launches": "150",
    "allied_exercise": "150",
    "new_un_sanctions": "163",
    "new_us_sanctions": "163",
    "threats": "138",
    "conciliatory": "030",
}
#: Goldstein (1992) weights of those CAMEO codes, as listed in the CAMEO codebook.
GOLDSTEIN_OF_CODE: dict[str, float] = {
    "150": -7.2,
    "163": -8.0,
    "138": -7.0,
    "030": 4.0,
    "046": 7.0,
}
GOLDSTEIN: FloatArray = np.array([GOLDSTEIN_OF_CODE[CAMEO_CODE[t]] for t in COUNT_TYPES])
TALKS_GOLDSTEIN = GOLDSTEIN_OF_CODE["046"]
SANCTIONS_BASE = 0.6
SANCTIONS_STEP = 0.1

#: Covariates of each type's log-intensity (see the module docstring). Names:
#: ``const``; ``tension`` = T(t-1); ``talks`` = talks(t); ``sanctions`` = sanctions in force;
#: ``russia``/``china`` = support indices; ``self`` = log(1 + H_e); ``launches`` =
#: log(1 + Σ_strategic H); ``exercise`` = allied exercise in month t.
FEATURES: dict[str, tuple[str, ...]] = {
    "ballistic": ("const", "tension", "talks", "self", "exercise", "russia"),
    "cruise": ("const", "talks", "self", "russia"),
    "nuclear_tests": ("const",),
    "satellite_launches": ("const", "russia"),
    "allied_exercise": ("const", "talks"),
    "new_un_sanctions": ("const", "launches", "russia"),
    "new_us_sanctions": ("const", "tension", "talks"),
    "threats": ("const", "tension", "talks", "self"),
    "conciliatory": ("const", "tension", "talks"),
}
TALKS_FEATURES: tuple[str, ...] = ("const", "tension")
#: Types given a negative-binomial (NB2) count law: launch days of short-range missiles come in
#: bursts (2019-08, 2022-10) that a Poisson cannot hold; the likelihood-ratio test on the
#: bundled data favours NB2 (ℓ −115.0 → −109.5 for one extra parameter). Others stay Poisson.
NEGBIN_TYPES: tuple[str, ...] = ("ballistic",)
#: Types simulated before the DPRK's own counts in a month (they are covariates of them).
EXOGENOUS_FIRST: tuple[str, ...] = ("allied_exercise",)


@dataclass(frozen=True)
class Hyper:
    """Kernel decay ``δ``, tension memory ``ρ`` and tension scale ``κ`` (profiled, not GLM)."""

    delta: float
    rho: float
    kappa: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.delta < 1.0 and 0.0 <= self.rho < 1.0 and self.kappa > 0.0):
            raise ValueError(f"need 0 <= delta, rho < 1 and kappa > 0, got {self}")


@dataclass(frozen=True)
class State:
    """What the intensities depend on, for one month; arrays share a leading shape (paths,)."""

    tension_prev: FloatArray
    talks: FloatArray
    sanctions: FloatArray
    russia: FloatArray
    china: FloatArray
    exercise: FloatArray
    history: FloatArray  # (..., n_types) decayed history H(t)


@dataclass(frozen=True)
class CrisisParams:
    """Fitted parameters: per-type coefficients (aligned with ``features``) and covariances."""

    hyper: Hyper
    features: Mapping[str, tuple[str, ...]]
    beta: Mapping[str, FloatArray]
    cov: Mapping[str, FloatArray]
    talks_start: FloatArray
    talks_start_cov: FloatArray
    talks_end: FloatArray
    talks_end_cov: FloatArray
    threshold: float
    notes: tuple[str, ...] = field(default=())
    #: NB2 dispersion α per type (variance μ + α μ²); absent or 0 = Poisson.
    dispersion: Mapping[str, float] = field(default_factory=dict)
    #: Range of tension seen in calibration; the *covariate* T(t-1) is clipped to it (the
    #: state itself is not), so intensities never extrapolate the log-linear fit beyond the
    #: data (an assumption; without it tension near 1 gave e^{6.6} × the threat rate).
    tension_range: tuple[float, float] = (-1.0, 1.0)

    def covariate_tension(self, tension: FloatArray) -> FloatArray:
        """``T(t-1)`` as it enters intensities and hazards: clipped to ``tension_range``."""
        return np.clip(tension, self.tension_range[0], self.tension_range[1])


# --------------------------------------------------------------------------- recursions
def goldstein_sum(counts: FloatArray, talks: FloatArray) -> FloatArray:
    """``S(t) = Σ_e w_e N_e(t) + w_talks talks(t)`` (Goldstein 1992 weights); shape (...,)."""
    return np.asarray(counts @ GOLDSTEIN + TALKS_GOLDSTEIN * talks, dtype=np.float64)


def tension_step(previous: FloatArray, score: FloatArray, hyper: Hyper) -> FloatArray:
    """``T(t) = ρ T(t-1) + (1-ρ) tanh(-S(t)/κ)`` (equation 2)."""
    return np.asarray(
        hyper.rho * previous + (1.0 - hyper.rho) * np.tanh(-score / hyper.kappa),
        dtype=np.float64,
    )


def tension_series(
    counts: FloatArray, talks: FloatArray, hyper: Hyper, start: float = 0.0
) -> FloatArray:
    """Tension after each observed month, ``T(0..n-1)``, from ``T(-1) = start``."""
    scores = goldstein_sum(counts, talks)
    out = np.empty(len(scores))
    level = np.asarray(start, dtype=np.float64)
    for t, s in enumerate(scores):
        level = tension_step(level, np.asarray(s), hyper)
        out[t] = float(level)
    return out


def decayed_history(counts: FloatArray, delta: float) -> FloatArray:
    """``H(t) = Σ_{s<t} δ^{t-s} N(s)`` for every month, via ``H(t+1) = δ (H(t) + N(t))``."""
    out = np.zeros_like(counts, dtype=np.float64)
    for t in range(1, len(counts)):
        out[t] = delta * (out[t - 1] + counts[t - 1])
    return out


def sanctions_series(counts: FloatArray) -> FloatArray:
    """Sanctions in force during each month: base + step × UN resolutions adopted before it."""
    un = counts[:, TYPE_INDEX["new_un_sanctions"]]
    before = np.concatenate([[0.0], np.cumsum(un)[:-1]])
    return np.asarray(SANCTIONS_BASE + SANCTIONS_STEP * before, dtype=np.float64)


def feature_matrix(names: Sequence[str], type_name: str, state: State) -> FloatArray:
    """Stack the named covariates of ``type_name`` into shape (..., len(names))."""
    e = TYPE_INDEX[type_name]
    columns: list[FloatArray] = []
    for name in names:
        if name == "const":
            columns.append(np.ones_like(state.tension_prev))
        elif name == "tension":
            columns.append(state.tension_prev)
        elif name == "talks":
            columns.append(state.talks)
        elif name == "sanctions":
            columns.append(state.sanctions)
        elif name == "russia":
            columns.append(state.russia)
        elif name == "china":
            columns.append(state.china)
        elif name == "exercise":
            columns.append(state.exercise)
        elif name == "self":
            columns.append(np.log1p(state.history[..., e]))
        elif name == "launches":
            columns.append(np.log1p(state.history[..., _STRATEGIC_IDX].sum(axis=-1)))
        else:
            raise ValueError(f"unknown feature {name!r}")
    return np.stack(columns, axis=-1)


def observed_states(
    counts: FloatArray,
    talks: FloatArray,
    russia: FloatArray,
    china: FloatArray,
    hyper: Hyper,
) -> tuple[State, FloatArray]:
    """The state of every observed month and the tension series ``T(0..n-1)``."""
    tension = tension_series(counts, talks, hyper)
    state = State(
        tension_prev=np.concatenate([[0.0], tension[:-1]]),
        talks=talks.astype(np.float64),
        sanctions=sanctions_series(counts),
        russia=russia.astype(np.float64),
        china=china.astype(np.float64),
        exercise=counts[:, TYPE_INDEX["allied_exercise"]].astype(np.float64),
        history=decayed_history(counts, hyper.delta),
    )
    return state, tension


def _clipped(state: State, params: CrisisParams) -> State:
    return replace(state, tension_prev=params.covariate_tension(state.tension_prev))


# --------------------------------------------------------------------------- likelihoods
def poisson_loglik(y: FloatArray, log_mu: FloatArray) -> float:
    """``Σ [y log μ - μ - log y!]``."""
    return float(np.sum(y * log_mu - np.exp(log_mu) - special.gammaln(y + 1.0)))


def negbin_loglik(y: FloatArray, log_mu: FloatArray, alpha: float) -> float:
    """NB2 log-likelihood (Cameron & Trivedi 2013, ch. 3): variance ``μ + α μ²``.

    ``log Γ(y + 1/α) − log Γ(1/α) − log y! + (1/α) log(1/(1+αμ)) + y log(αμ/(1+αμ))``;
    tends to the Poisson as ``α → 0``.
    """
    if alpha <= 0:
        return poisson_loglik(y, log_mu)
    return float(np.sum(count_logpmf(y, np.exp(log_mu), alpha)))


def count_logpmf(y: FloatArray, mu: FloatArray, alpha: float) -> FloatArray:
    """Log-pmf of a Poisson (``alpha == 0``) or NB2 count with mean ``mu``."""
    if alpha <= 0:
        return np.asarray(stats.poisson.logpmf(y, mu), dtype=np.float64)
    size = 1.0 / alpha
    return np.asarray(stats.nbinom.logpmf(y, size, size / (size + mu)), dtype=np.float64)


def count_cdf(y: FloatArray, mu: FloatArray, alpha: float) -> FloatArray:
    """CDF of a Poisson (``alpha == 0``) or NB2 count with mean ``mu``."""
    if alpha <= 0:
        return np.asarray(stats.poisson.cdf(y, mu), dtype=np.float64)
    size = 1.0 / alpha
    return np.asarray(stats.nbinom.cdf(y, size, size / (size + mu)), dtype=np.float64)


def bernoulli_loglik(y: FloatArray, logit_p: FloatArray) -> float:
    """``Σ [y log p + (1-y) log(1-p)]`` with ``p = logistic(logit_p)``, computed stably."""
    return float(np.sum(y * logit_p - np.logaddexp(0.0, logit_p)))


def talks_transitions(
    talks: FloatArray, tension_prev: FloatArray
) -> tuple[tuple[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]:
    """Risk sets of the talks chain: ((X_start, y_start), (X_end, y_end)) for months 1..n-1."""
    prev, now, tens = talks[:-1], talks[1:], tension_prev[1:]
    x = np.column_stack([np.ones_like(tens), tens])
    off, on = prev == 0, prev == 1
    return (x[off], now[off]), (x[on], 1.0 - now[on])


def total_loglik(
    params: CrisisParams,
    counts: FloatArray,
    talks: FloatArray,
    russia: FloatArray,
    china: FloatArray,
    observed: FloatArray | None = None,
) -> dict[str, float]:
    """Log-likelihood of an observed history, per component (each type and the talks chain).

    Conditional on month 0's talks state; the counts' likelihood is exact given the history
    because every covariate is a known function of the past and of talks(t), exercise(t).
    ``observed`` (counts with NaN where a month is not coded) drops those cells from the
    likelihood; the states use ``counts`` (imputed).
    """
    state = _clipped(observed_states(counts, talks, russia, china, params.hyper)[0], params)
    y_all = counts if observed is None else observed
    out: dict[str, float] = {}
    for name in COUNT_TYPES:
        x = feature_matrix(params.features[name], name, state)
        y = y_all[:, TYPE_INDEX[name]]
        coded = ~np.isnan(y)
        out[name] = negbin_loglik(
            y[coded], (x @ params.beta[name])[coded], params.dispersion.get(name, 0.0)
        )
    (xs, ys), (xe, ye) = talks_transitions(state.talks, state.tension_prev)
    out["talks_start"] = bernoulli_loglik(ys, xs @ params.talks_start)
    out["talks_end"] = bernoulli_loglik(ye, xe @ params.talks_end)
    return out


def one_step_means(
    params: CrisisParams,
    counts: FloatArray,
    talks: FloatArray,
    russia: FloatArray,
    china: FloatArray,
) -> FloatArray:
    """Fitted one-step-ahead means λ_e(t), shape (n, n_types)."""
    state = _clipped(observed_states(counts, talks, russia, china, params.hyper)[0], params)
    cols = [
        np.exp(feature_matrix(params.features[n], n, state) @ params.beta[n]) for n in COUNT_TYPES
    ]
    return np.column_stack(cols)


def randomized_pit(y: FloatArray, mu: FloatArray, u: FloatArray, alpha: float = 0.0) -> FloatArray:
    """Randomised probability integral transform of counts (Czado, Gneiting & Held 2009,
    *Biometrics* 65:1254): ``F(y-1) + u (F(y) - F(y-1))``, uniform on (0,1) if the model is right.
    Poisson, or NB2 with dispersion ``alpha``.
    """
    lower = count_cdf(y - 1.0, mu, alpha)
    upper = count_cdf(y, mu, alpha)
    return np.asarray(lower + u * (upper - lower), dtype=np.float64)


def crisis_crossed(tension: FloatArray, threshold: float, run: int = 2) -> NDArray[np.bool_]:
    """Whether each path (rows) stays at or above ``threshold`` for ``run`` consecutive months."""
    above = tension >= threshold
    streak = np.zeros(above.shape[0], dtype=np.int64)
    hit = np.zeros(above.shape[0], dtype=bool)
    for t in range(above.shape[1]):
        streak = np.where(above[:, t], streak + 1, 0)
        hit |= streak >= run
    return hit


def logistic(x: FloatArray) -> FloatArray:
    return np.asarray(special.expit(x), dtype=np.float64)


def poisson_interval(mu: float, level: float) -> tuple[int, int]:
    """Central ``level`` interval of a Poisson(mu) (for baseline coverage)."""
    tail = (1.0 - level) / 2.0
    return int(stats.poisson.ppf(tail, mu)), int(stats.poisson.ppf(1.0 - tail, mu))


def missile_total(counts: FloatArray) -> FloatArray:
    """Missile launch events (all classes) per row; ``counts`` (..., n_types)."""
    return np.asarray(counts[..., _MISSILE_IDX].sum(axis=-1), dtype=np.float64)


def log_factorial(n: float) -> float:
    return math.lgamma(n + 1.0)


_LAUNCH_IDX = np.array([TYPE_INDEX[t] for t in LAUNCH_TYPES])


def launch_class_sum(counts: FloatArray) -> FloatArray:
    """Launch events of all classes per row (a date with two classes counts twice here; the
    table's ``launches`` column counts it once)."""
    return np.asarray(counts[..., _LAUNCH_IDX].sum(axis=-1), dtype=np.float64)
