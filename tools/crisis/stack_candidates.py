"""Design experiment behind the revised stack (not part of the package; run on demand).

Reproduces the candidate table of docs/explanation/crisis-model.md ("Revised specification"):
every candidate stack is built from the same member forecasts (the engine's baselines and the
structural model, 1,000 paths, seed 0, at every origin 2018-01..) and scored on the selection
(origins 2019-21) and validation (2022-24) periods only; the final test is never scored here.
For each period and horizon it prints ``stack − best baseline`` on the log score and
``best baseline − stack`` on the CRPS (positive = the stack is ahead; "best" is the best of
the ten baselines on that score, chosen after the fact).

    .venv/bin/python tools/crisis/stack_candidates.py [CANDIDATE ...]   # ~5 min on 2 cores

Member pmfs are kept in float32 to save memory, so the chosen candidate's figures can differ
from ``peninsula crisis-backtest`` in the third decimal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
import pandas as pd

from peninsula.crisis import backtest as bt
from peninsula.crisis.data import load_monthly

NB = ("negbin_mean", "negbin_last6", "negbin_last12")
PO = ("poisson_last6", "poisson_last12")
M = ("model",)
ALL_BASELINES = M + NB + PO + ("negbin_last3", "poisson_mean", "bootstrap12")


def _per(h: int) -> int:
    return h


def _one(h: int) -> int:
    return 1


CANDIDATES: dict[str, dict[str, object]] = {
    "original (commit 9222d82)": dict(members=M + NB),
    "CRPS weights": dict(members=M + NB, objective="crps"),
    "combined weights": dict(members=M + NB, objective="both"),
    "+Poisson 6/12, log": dict(members=M + NB + PO),
    "+Poisson 6/12, CRPS": dict(members=M + NB + PO, objective="crps"),
    "+Poisson 6/12, combined": dict(members=M + NB + PO, objective="both"),
    "all forecasters, combined": dict(members=ALL_BASELINES, objective="both"),
    "original, half-life 12": dict(members=M + NB, halflife=12.0),
    "original, half-life 24": dict(members=M + NB, halflife=24.0),
    "combined, half-life 12": dict(members=M + NB, objective="both", halflife=12.0),
    "+Poisson, combined, half-life 12": dict(members=M + NB + PO, objective="both", halflife=12.0),
    "original, quantile averaging": dict(members=M + NB, combine="quantile"),
    "+Poisson, CRPS, no shrinkage": dict(members=M + NB + PO, objective="crps", shrink=0.0),
    "+Poisson, combined, no shrinkage": dict(members=M + NB + PO, objective="both", shrink=0.0),
    "+Poisson, combined, shrink 2": dict(members=M + NB + PO, objective="both", shrink=2.0),
    "+Poisson, CRPS, shrink 2": dict(members=M + NB + PO, objective="crps", shrink=2.0),
    "+Poisson, combined, 1-month weights (CHOSEN)": dict(
        members=M + NB + PO, objective="both", fit=_one
    ),
    "+Poisson, CRPS, 1-month weights": dict(members=M + NB + PO, objective="crps", fit=_one),
    "original members, combined, 1-month weights": dict(members=M + NB, objective="both", fit=_one),
    "+Poisson, combined, weights from min(h, 3)": dict(
        members=M + NB + PO, objective="both", fit=lambda h: min(h, 3)
    ),
    "+Poisson, combined, 1-month weights, shrink 2": dict(
        members=M + NB + PO, objective="both", fit=_one, shrink=2.0
    ),
    "+Poisson, ¼ log ¾ CRPS, 1-month weights": dict(
        members=M + NB + PO, objective="both", mix=0.25, fit=_one
    ),
    "+Poisson, CRPS, 1-month weights, no shrinkage": dict(
        members=M + NB + PO, objective="crps", fit=_one, shrink=0.0
    ),
    "+Poisson +bootstrap, combined, 1-month weights": dict(
        members=M + NB + PO + ("bootstrap12",), objective="both", fit=_one
    ),
    "+Poisson +NB last 3 +Poisson mean, combined, 1-month weights": dict(
        members=M + NB + PO + ("negbin_last3", "poisson_mean"), objective="both", fit=_one
    ),
    "chosen, sharpened p^1.2": dict(members=M + NB + PO, objective="both", fit=_one, tau=1.2),
    "chosen, sharpened p^1.4": dict(members=M + NB + PO, objective="both", fit=_one, tau=1.4),
}

Key = tuple[int, str, int]


def collect() -> tuple[list[str], dict[Key, tuple[float, dict[str, np.ndarray]]]]:
    data = load_monthly()
    series = bt.target_series(data)
    model = bt.structural_forecaster(paths=1000, seed=0)
    out: dict[Key, tuple[float, dict[str, np.ndarray]]] = {}
    for t, month in enumerate(data.months):
        if month < bt.FIRST_ORIGIN:
            continue
        sims = model(data, t)
        for target in bt.TARGETS:
            x = series[target][: t + 1]
            x = x[~np.isnan(x)]
            if len(x) == 0:
                continue
            for h in bt.HORIZONS:
                pmfs = bt.baseline_pmfs(x, h)
                pmfs["model"] = bt.mc_pmf(sims[target][:, :h].sum(axis=1), h * float(x.mean()))
                y = bt.window_sum(series[target], t, h)
                out[(t, target, h)] = (y, {k: v.astype(np.float32) for k, v in pmfs.items()})
    return list(data.months), out


def weights(known: list, members: tuple[str, ...], objective: str, mix: float, dw: np.ndarray):
    ys = np.array([y for _, y, _ in known])
    dens = np.array([[p[k][int(y)] for k in members] for _, y, p in known], dtype=np.float64)
    m = len(members)
    w_log = np.full(m, 1.0 / m)
    for _ in range(200):  # EM with forecast weights dw
        w_log = w_log * ((dens / (dens @ w_log)[:, None]) * dw[:, None]).mean(axis=0)
        w_log /= w_log.sum()
    if objective == "log":
        return w_log
    cdfs = np.array([[np.cumsum(p[k]) for k in members] for _, _, p in known], dtype=np.float64)
    step = (ys[:, None] <= np.arange(bt.K_MAX + 1)[None, :]).astype(np.float64)
    a = np.einsum("i,ikj,ilj->kl", dw, cdfs, cdfs) / len(ys)
    b = np.einsum("i,ikj,ij->k", dw, cdfs, step) / len(ys)
    w_crps = bt.simplex_quadratic(a, b)
    return w_crps if objective == "crps" else mix * w_log + (1 - mix) * w_crps


def run(
    months: list[str],
    pmfs_at: dict[Key, tuple[float, dict[str, np.ndarray]]],
    members: tuple[str, ...],
    objective: str = "log",
    shrink: float = 6.0,
    mix: float = 0.5,
    halflife: float | None = None,
    combine: str = "linear",
    fit: Callable[[int], int] = _per,
    tau: float = 1.0,
) -> pd.DataFrame:
    rows = []
    past: dict[tuple[str, int], list] = {}
    for (t, target, h), (y, pmfs) in sorted(pmfs_at.items()):
        hf = fit(h)
        known = [(s, yy, p) for s, yy, p in past.get((target, hf), []) if s + hf <= t]
        m = len(members)
        if len(known) >= bt.MIN_STACK:
            ages = np.array([t - s for s, _, _ in known], dtype=np.float64)
            dw = np.ones(len(known)) if halflife is None else 0.5 ** (ages / halflife)
            w = weights(known, members, objective, mix, dw / dw.mean())
            w = (len(known) * w + shrink / m) / (len(known) + shrink)
        else:
            w = np.full(m, 1.0 / m)
        if combine == "linear":
            stack = sum(wk * pmfs[k].astype(np.float64) for wk, k in zip(w, members, strict=True))
        else:  # Vincentization: average the members' quantile functions
            u = (np.arange(2000) + 0.5) / 2000
            q = sum(
                wk * np.searchsorted(np.cumsum(pmfs[k].astype(np.float64)), u)
                for wk, k in zip(w, members, strict=True)
            )
            stack = np.bincount(np.clip(np.rint(q).astype(int), 0, bt.K_MAX), minlength=161)
            stack = 0.99 * stack / stack.sum() + 0.01 * pmfs["poisson_mean"]
        stack = np.asarray(stack, dtype=np.float64) / np.sum(stack)
        if tau != 1.0:
            stack = stack**tau / np.sum(stack**tau)
            stack = 0.99 * stack + 0.01 * pmfs["poisson_mean"].astype(np.float64)
        if np.isnan(y):
            continue
        past.setdefault((target, h), []).append((t, y, pmfs))
        period = bt.period_of(months[t + 1], months[t + h])
        if period is None or months[t + h] > "2024-12" or months[t] < "2018-12":
            continue
        scored = {"stack": stack}
        scored.update({k: pmfs[k].astype(np.float64) for k in bt.BASELINES})
        for name, p in scored.items():
            p = p / p.sum()
            rows.append((months[t], period, h, name, bt.log_score(p, y), bt.crps(p, y)))
    return pd.DataFrame(rows, columns=["origin", "period", "horizon", "forecaster", "log", "crps"])


def gaps(scores: pd.DataFrame) -> str:
    per = scores.groupby(["period", "horizon", "forecaster", "origin"])[["log", "crps"]].sum()
    mean = per.groupby(level=[0, 1, 2]).mean()
    cells = []
    for (period, h), block in mean.groupby(level=[0, 1]):
        block = block.droplevel([0, 1])
        base = block.drop(index="stack")
        d_log = block.loc["stack", "log"] - base["log"].max()
        d_crps = base["crps"].min() - block.loc["stack", "crps"]
        cells.append(f"{str(period)[:3]} {h}: {d_log:+.2f} / {d_crps:+.2f}")
    return " | ".join(cells)


def main(names: list[str]) -> None:
    months, pmfs_at = collect()
    for name in names or list(CANDIDATES):
        print(f"{name}: {gaps(run(months, pmfs_at, **CANDIDATES[name]))}", flush=True)  # type: ignore[arg-type]


if __name__ == "__main__":
    np.seterr(divide="ignore")
    main(sys.argv[1:])
