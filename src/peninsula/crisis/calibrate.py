"""Maximum-likelihood calibration of the crisis model on the monthly history.

For fixed ``(δ, ρ, κ)`` every covariate is a known function of the observed past, so the
log-likelihood separates into one count GLM per event type (Poisson, or NB2 for the types in
``model.NEGBIN_TYPES``) plus two logistic regressions for the talks chain; each is fitted by
``statsmodels`` (IRLS; Newton for NB2), whose standard errors are the square
roots of the diagonal of the inverse observed information (for the canonical log and logit
links, observed = expected information). ``(δ, ρ, κ)`` are then chosen by profile likelihood
over a grid (Pawitan 2001, *In All Likelihood*, ch. 3); a grid value enters the 95% profile set
when ``2 (ℓ_max − ℓ) ≤ 3.84``.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import NDArray
from scipy import stats

from peninsula.crisis.data import MonthlyData
from peninsula.crisis.model import (
    COUNT_TYPES,
    FEATURES,
    NEGBIN_TYPES,
    TALKS_FEATURES,
    TYPE_INDEX,
    CrisisParams,
    FloatArray,
    Hyper,
    feature_matrix,
    observed_states,
    one_step_means,
    randomized_pit,
    talks_transitions,
)

DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    "delta": (0.3, 0.5, 0.7, 0.85),
    "rho": (0.5, 0.7, 0.85, 0.93),
    "kappa": (10.0, 20.0, 40.0, 80.0),
}
#: Excitation features and the bound of their coefficients (stationarity, see _fit_glm).
EXCITATION_FEATURES = ("self", "launches")
EXCITATION_BOUND = 0.99
#: A coefficient this large on the log scale means (quasi-)separation: drop the feature.
_SEPARATION = 12.0


@dataclass(frozen=True)
class _GLMFit:
    names: tuple[str, ...]
    beta: FloatArray
    cov: FloatArray
    llf: float
    deviance: float
    pearson: float
    df_resid: float
    note: str | None
    alpha: float = 0.0
    alpha_se: float = 0.0


def _fit_glm(
    y: FloatArray, x: FloatArray, names: Sequence[str], family: str, label: str
) -> _GLMFit:
    """Fit one GLM, dropping zero-variance or separating features (last first), with a note."""
    if len(y) == 0:
        # An empty risk set (e.g. talks never ended in a short window): an uninformative
        # logit/log-rate of 0 with unit variance, stated in the notes.
        return _GLMFit(
            tuple(names),
            np.zeros(len(names)),
            np.eye(len(names))[:, :] * np.array([1.0] + [0.0] * (len(names) - 1)),
            0.0,
            float("nan"),
            float("nan"),
            0.0,
            f"{label}: empty risk set in this window; coefficient 0 (SE 1)",
        )
    if family != "binomial" and float(y.sum()) == 0.0:
        # No event in the window: the MLE of the rate is 0 (log-rate -inf). Use half an event
        # (a Jeffreys-type continuity correction) with the Poisson delta-method variance of a
        # log-rate, 1/count, so that simulation still allows the event; stated in the notes.
        beta0 = np.zeros(len(names))
        beta0[0] = float(np.log(0.5 / len(y)))
        cov0 = np.zeros((len(names), len(names)))
        cov0[0, 0] = 2.0
        return _GLMFit(
            tuple(names),
            beta0,
            cov0,
            float(poisson_logpmf_zero(len(y), beta0[0])),
            float("nan"),
            float("nan"),
            float(len(y) - 1),
            f"{label}: no events in this window; rate set to 0.5 event per window",
        )
    keep = [i for i, n in enumerate(names) if n == "const" or np.ptp(x[:, i]) > 0]
    dropped = [names[i] for i in range(len(names)) if i not in keep]
    fixed: dict[int, float] = {}  # excitation coefficients held at the stationarity bound
    while True:
        fam = sm.families.Binomial() if family == "binomial" else sm.families.Poisson()
        free = [i for i in keep if i not in fixed]
        offset = sum((x[:, i] * b for i, b in fixed.items()), np.zeros(len(y)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if family == "negbin":
                    # NB2 by maximum likelihood (statsmodels' discrete NegativeBinomial); the
                    # last parameter is α, its SE from the same inverse Hessian.
                    res = sm.NegativeBinomial(
                        y, x[:, free], loglike_method="nb2", offset=offset
                    ).fit(disp=0, maxiter=500)
                    full = np.asarray(res.params, dtype=np.float64)
                    full_cov_nb = np.asarray(res.cov_params(), dtype=np.float64)
                    alpha, alpha_se = float(full[-1]), float(np.sqrt(full_cov_nb[-1, -1]))
                    beta, cov = full[:-1], full_cov_nb[:-1, :-1]
                else:
                    res = sm.GLM(y, x[:, free], family=fam, offset=offset).fit()
                    beta = np.asarray(res.params, dtype=np.float64)
                    cov = np.asarray(res.cov_params(), dtype=np.float64)
                    alpha, alpha_se = 0.0, 0.0
                size = np.where(np.isfinite(beta), np.abs(beta), np.inf)
                ok = float(np.max(size)) < _SEPARATION
                ok = ok and bool(np.all(np.isfinite(np.diag(cov))))
            except Exception:  # perfect separation or a singular design: drop the last feature
                ok = False
                size = np.zeros(len(free))
                size[-1] = np.inf
        if ok:
            # Constrained MLE: an excitation coefficient beyond the stationarity region of the
            # log-linear Poisson autoregression (|b| < 1, Fokianos & Tjøstheim 2011) is held at
            # the bound and the others refitted; the log-likelihood is concave, so this is the
            # maximum over the constrained set. Its SE is reported as 0 ("at bound").
            over = [
                (i, b)
                for i, b in zip(free, beta, strict=True)
                if names[i] in EXCITATION_FEATURES and abs(b) > EXCITATION_BOUND
            ]
            if over:
                i, b = max(over, key=lambda item: abs(item[1]))
                fixed[i] = float(np.sign(b) * EXCITATION_BOUND)
                continue
            break
        if len(free) == 1:
            break
        # Drop the feature with the largest |β| (the separating one), never the intercept.
        worst = max(
            (j for j in range(len(free)) if names[free[j]] != "const"), key=lambda j: size[j]
        )
        dropped.append(names[free[worst]])
        keep = [i for i in keep if i != free[worst]]
    full_beta = np.zeros(len(names))
    full_cov = np.zeros((len(names), len(names)))
    full_beta[free] = beta
    full_cov[np.ix_(free, free)] = cov
    for i, b in fixed.items():
        full_beta[i] = b
    notes = []
    if dropped:
        notes.append(f"dropped {', '.join(dropped)} (no variation or separation in this window)")
    if fixed:
        at_bound = ", ".join(names[i] for i in fixed)
        notes.append(f"{at_bound} held at the stationarity bound ±{EXCITATION_BOUND}")
    note = f"{label}: " + "; ".join(notes) if notes else None
    if family == "negbin":
        mu = np.exp(x @ full_beta)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(y > 0, y * np.log(y / mu), 0.0)
        # NB2 deviance and Pearson χ² with variance μ + α μ² (Cameron & Trivedi 2013, ch. 5).
        deviance = float(
            2 * np.sum(term - (y + 1 / alpha) * np.log((1 + alpha * y) / (1 + alpha * mu)))
        )
        pearson = float(np.sum((y - mu) ** 2 / (mu + alpha * mu**2)))
        df_resid = float(len(y) - len(free) - 1)
    else:
        deviance, pearson, df_resid = (
            float(res.deviance),
            float(res.pearson_chi2),
            float(res.df_resid),
        )
    return _GLMFit(
        alpha=alpha,
        alpha_se=alpha_se,
        names=tuple(names),
        beta=full_beta,
        cov=full_cov,
        llf=float(res.llf),
        deviance=deviance,
        pearson=pearson,
        df_resid=df_resid,
        note=note,
    )


def poisson_logpmf_zero(n: int, log_rate: float) -> float:
    """Log-likelihood of ``n`` zero counts at rate ``exp(log_rate)``: ``-n exp(log_rate)``."""
    return -n * float(np.exp(log_rate))


def crisis_threshold(data: MonthlyData, hyper: Hyper) -> float:
    """Tension of Aug–Sep 2017 (the lower of the two): the crisis-threshold proxy."""
    _, tension = observed_states(data.counts, data.talks, data.russia, data.china, hyper)
    picks = [i for i, m in enumerate(data.months) if m in ("2017-08", "2017-09")]
    if not picks:
        # Windows without 2017 fall back to the 95th percentile of observed tension.
        return float(np.quantile(tension, 0.95))
    return float(min(tension[i] for i in picks))


def fit_at(
    data: MonthlyData,
    hyper: Hyper,
    threshold: float | None = None,
    features: Mapping[str, tuple[str, ...]] = FEATURES,
) -> tuple[CrisisParams, dict[str, _GLMFit]]:
    """All GLMs at fixed ``(δ, ρ, κ)`` (``features``: each type's covariates)."""
    state, _ = observed_states(data.counts, data.talks, data.russia, data.china, hyper)
    fits: dict[str, _GLMFit] = {}
    observed = data.observed
    for name in COUNT_TYPES:
        x = feature_matrix(features[name], name, state)
        family = "negbin" if name in NEGBIN_TYPES else "poisson"
        y = observed[:, TYPE_INDEX[name]]
        coded = ~np.isnan(y)  # blank (not coded) months carry no likelihood
        fits[name] = _fit_glm(y[coded], x[coded], features[name], family, name)
    (xs, ys), (xe, ye) = talks_transitions(state.talks, state.tension_prev)
    fits["talks_start"] = _fit_glm(ys, xs, TALKS_FEATURES, "binomial", "talks_start")
    fits["talks_end"] = _fit_glm(ye, xe, TALKS_FEATURES, "binomial", "talks_end")
    _, tension = observed_states(data.counts, data.talks, data.russia, data.china, hyper)
    params = CrisisParams(
        tension_range=(float(min(0.0, tension.min())), float(tension.max())),
        hyper=hyper,
        features={n: features[n] for n in COUNT_TYPES},
        beta={n: fits[n].beta for n in COUNT_TYPES},
        cov={n: fits[n].cov for n in COUNT_TYPES},
        talks_start=fits["talks_start"].beta,
        talks_start_cov=fits["talks_start"].cov,
        talks_end=fits["talks_end"].beta,
        talks_end_cov=fits["talks_end"].cov,
        threshold=crisis_threshold(data, hyper) if threshold is None else threshold,
        notes=tuple(f.note for f in fits.values() if f.note),
        dispersion={n: fits[n].alpha for n in COUNT_TYPES if fits[n].alpha > 0},
    )
    return params, fits


@dataclass(frozen=True)
class FitResult:
    """The calibrated model and its diagnostics."""

    params: CrisisParams
    loglik: float
    n_months: int
    first: str
    last: str
    coefficients: pd.DataFrame  # component, feature, estimate, se, z
    profile: pd.DataFrame  # delta, rho, kappa, loglik
    goodness: pd.DataFrame  # per type: deviance, pearson, df_resid, pit_ks_p, acf1
    annual: pd.DataFrame  # year × (observed, fitted) per type group
    profile_sets: dict[str, tuple[float, ...]]

    @property
    def n_parameters(self) -> int:
        return int((self.coefficients["se"] > 0).sum()) + 3


def _pit_all(
    data: MonthlyData, mu: FloatArray, seed: int, dispersion: dict[str, float] | None = None
) -> FloatArray:
    u = np.random.default_rng(seed).random(data.counts.shape)
    alphas = dispersion or {}
    cols = [
        randomized_pit(data.counts[:, e], mu[:, e], u[:, e], alphas.get(name, 0.0))
        for e, name in enumerate(COUNT_TYPES)
    ]
    return np.column_stack(cols)


def fit(
    data: MonthlyData,
    grid: dict[str, tuple[float, ...]] | None = None,
    pit_seed: int = 0,
) -> FitResult:
    """Profile ``(δ, ρ, κ)`` over ``grid`` and fit every GLM at the best point."""
    grid = grid or DEFAULT_GRID
    rows: list[tuple[float, float, float, float]] = []
    best: tuple[float, Hyper] | None = None
    for delta, rho, kappa in itertools.product(grid["delta"], grid["rho"], grid["kappa"]):
        hyper = Hyper(delta, rho, kappa)
        _, fits = fit_at(data, hyper, threshold=0.0)
        ll = float(sum(f.llf for f in fits.values()))
        rows.append((delta, rho, kappa, ll))
        if best is None or ll > best[0]:
            best = (ll, hyper)
    assert best is not None
    params, fits = fit_at(data, best[1])
    profile = pd.DataFrame(rows, columns=["delta", "rho", "kappa", "loglik"])
    ll_max = float(profile["loglik"].max())
    sets: dict[str, tuple[float, ...]] = {}
    for name in ("delta", "rho", "kappa"):
        prof = profile.groupby(name)["loglik"].max()
        sets[name] = tuple(
            float(v)
            for v, ll in zip(prof.index, prof.to_numpy(), strict=True)
            if 2 * (ll_max - ll) <= 3.84
        )

    coef_rows = []
    for comp, f in fits.items():
        se = np.sqrt(np.clip(np.diag(f.cov), 0.0, None))
        for feat, b, s in zip(f.names, f.beta, se, strict=True):
            coef_rows.append((comp, feat, float(b), float(s), float(b / s) if s > 0 else np.nan))
        if f.alpha > 0:
            coef_rows.append((comp, "alpha (NB2)", f.alpha, f.alpha_se, f.alpha / f.alpha_se))
    coefficients = pd.DataFrame(coef_rows, columns=["component", "feature", "estimate", "se", "z"])

    mu = one_step_means(params, data.counts, data.talks, data.russia, data.china)
    pit = _pit_all(data, mu, pit_seed, dict(params.dispersion))
    alpha_row = np.array([params.dispersion.get(n, 0.0) for n in COUNT_TYPES])
    resid = (data.counts - mu) / np.sqrt(mu + alpha_row * mu**2)
    coded = ~np.isnan(data.observed)
    gof_rows = []
    for name in COUNT_TYPES:
        e = TYPE_INDEX[name]
        r = resid[coded[:, e], e]
        acf1 = float(np.corrcoef(r[:-1], r[1:])[0, 1]) if np.std(r) > 0 else float("nan")
        f = fits[name]
        gof_rows.append(
            (
                name,
                float(data.counts[coded[:, e], e].sum()),
                float(mu[coded[:, e], e].sum()),
                f.deviance,
                f.pearson,
                f.df_resid,
                float(stats.kstest(pit[:, e], "uniform").pvalue),
                acf1,
            )
        )
    goodness = pd.DataFrame(
        gof_rows,
        columns=[
            "type",
            "observed",
            "fitted",
            "deviance",
            "pearson_chi2",
            "df_resid",
            "pit_ks_p",
            "resid_acf1",
        ],
    )
    annual = annual_table(data, mu)
    return FitResult(
        params=params,
        loglik=float(sum(f.llf for f in fits.values())),
        n_months=len(data),
        first=data.months[0],
        last=data.months[-1],
        coefficients=coefficients,
        profile=profile,
        goodness=goodness,
        annual=annual,
        profile_sets=sets,
    )


def annual_table(data: MonthlyData, mu: FloatArray) -> pd.DataFrame:
    """Observed vs fitted (sum of one-step means) per year: missiles, tests, threats, talks."""
    years = data.years()
    missiles = [TYPE_INDEX[t] for t in ("ballistic", "cruise")]
    out = []
    for year in np.unique(years):
        rows = years == year
        out.append(
            (
                int(year),
                float(data.counts[rows][:, missiles].sum()),
                float(mu[rows][:, missiles].sum()),
                float(data.counts[rows, TYPE_INDEX["cruise"]].sum()),
                float(mu[rows, TYPE_INDEX["cruise"]].sum()),
                float(np.nansum(data.observed[rows, TYPE_INDEX["threats"]]))
                if not np.isnan(data.observed[rows, TYPE_INDEX["threats"]]).all()
                else float("nan"),
                float(mu[rows, TYPE_INDEX["threats"]].sum()),
            )
        )
    return pd.DataFrame(
        out,
        columns=[
            "year",
            "missiles_obs",
            "missiles_fit",
            "cruise_obs",
            "cruise_fit",
            "threats_obs",
            "threats_fit",
        ],
    )


def pooled_pit(data: MonthlyData, params: CrisisParams, seed: int = 0) -> NDArray[np.float64]:
    """Randomised PIT values of every (month, type) count under one-step-ahead means."""
    mu = one_step_means(params, data.counts, data.talks, data.russia, data.china)
    return _pit_all(data, mu, seed, dict(params.dispersion)).ravel()


#: Regimes whose association with launch rates the monthly history can estimate. ``talks``:
#: US–DPRK or inter-Korean high-level talks that month; ``new_sanctions``: a new UN resolution
#: or notable US designation in the previous month; ``russia_treaty``: months after the June
#: 2024 Comprehensive Strategic Partnership Treaty (2024-07 on).
REGIMES: tuple[str, ...] = ("talks", "new_sanctions", "russia_treaty")
TREATY_MONTH = "2024-07"


def regime_design(data: MonthlyData) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Columns ``const`` + :data:`REGIMES` per month, and which rows are usable (coded)."""
    obs = data.observed
    sanctions = obs[:, TYPE_INDEX["new_un_sanctions"]] + obs[:, TYPE_INDEX["new_us_sanctions"]]
    lagged = np.concatenate([[np.nan], sanctions[:-1]])
    treaty = np.array([m >= TREATY_MONTH for m in data.months], dtype=np.float64)
    x = np.column_stack([np.ones(len(data)), data.talks, (lagged > 0).astype(float), treaty])
    return x, ~np.isnan(lagged)


def regime_effects(data: MonthlyData) -> pd.DataFrame:
    """Incidence-rate ratios of launch events under each regime, NB2 GLM with SEs.

    ``log E[N(t)] = β0 + β1 talks(t) + β2 new_sanctions(t-1) + β3 treaty(t)`` fitted by
    statsmodels' NB2 maximum likelihood (Cameron & Trivedi 2013, ch. 3) for all launch events
    and per class. The rate ratio is ``exp(β)`` with the delta-method SE ``exp(β) SE(β)`` and a
    Wald 95% interval ``exp(β ± 1.96 SE)``. These are *associations* over one history (17
    months of talks, all in 2018–19; 19 post-treaty months), not causal effects: they inform,
    and bound, the judgement in the scenario's policy effects.
    """
    x, ok = regime_design(data)
    outcomes = {
        "launches": data.total_launches,
        "ballistic": data.observed[:, TYPE_INDEX["ballistic"]],
        "cruise": data.observed[:, TYPE_INDEX["cruise"]],
    }
    # talks and the treaty from every month; new sanctions only where US designations are
    # coded (the sanctions model also holds talks and the treaty)
    specs = {"talks": (0, 1, 3), "russia_treaty": (0, 1, 3), "new_sanctions": (0, 1, 2, 3)}
    rows = []
    for outcome, y in outcomes.items():
        for regime, wanted in specs.items():
            use = ~np.isnan(y) & (ok if regime == "new_sanctions" else True)
            target = REGIMES.index(regime) + 1
            # keep the intercept, the regime, and the other regimes that vary in these months
            cols = [c for c in wanted if c in (0, target) or np.ptp(x[use, c]) > 0]
            xs = x[np.ix_(use, cols)]
            j = cols.index(target)
            events = float(y[use][xs[:, j] > 0].sum())
            b, se = float("nan"), float("nan")
            note = ""
            if np.ptp(xs[:, j]) == 0:
                note = "not estimable: the regime does not vary in these months"
            elif events == 0:
                note = "not estimable: no events in the regime"
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        res = sm.NegativeBinomial(y[use], xs, loglike_method="nb2").fit(
                            disp=0, maxiter=500
                        )
                        b = float(np.asarray(res.params)[j])
                        se = float(np.sqrt(np.asarray(res.cov_params())[j, j]))
                    except (np.linalg.LinAlgError, ValueError):
                        pass
                if not (np.isfinite(se) and se < 10):
                    note = "not estimable: the fit does not converge"
            ok_fit = note == ""
            rows.append(
                {
                    "outcome": outcome,
                    "regime": regime,
                    "rate_ratio": float(np.exp(b)) if ok_fit else float("nan"),
                    "se": float(np.exp(b) * se) if ok_fit else float("nan"),
                    "low95": float(np.exp(b - 1.96 * se)) if ok_fit else float("nan"),
                    "high95": float(np.exp(b + 1.96 * se)) if ok_fit else float("nan"),
                    "z": b / se if ok_fit else float("nan"),
                    "months_in_regime": int(xs[:, j].sum()),
                    "events_in_regime": int(events),
                    "months": int(use.sum()),
                    "note": note,
                }
            )
    return pd.DataFrame(rows)
