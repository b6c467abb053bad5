"""Rolling-origin check of the escalation forecast, P(crisis), against simple rules (pure numpy).

The simulator's headline answer to "how likely is escalation?" is P(crisis): the share of
paths whose tension stays at or above the crisis threshold (the lower of the August and
September 2017 levels) for two consecutive simulated months. The count forecasts are scored in
:mod:`peninsula.crisis.backtest`; this scores the crossing itself, in the same rolling-origin
design (Tashman 2000): at every month-end origin ``t`` each forecaster sees the months up to
``t`` only and gives the probability that the *observed* tension index — the same recursion
(model equation 2) run on the recorded months, with the specification's ``δ, ρ, κ`` — stays
at or above the threshold for two consecutive months within ``t+1..t+h``.

Forecasters (specified before any of them was scored on the bundled data):

- ``model``: the share of the structural model's simulated paths that cross (its status-quo
  simulation from the origin, refitted on the months up to it: the paths the count backtest
  draws), as ``(k + ½) / (paths + 1)`` so that a unanimous simulation is not a certainty;
- ``climatology``: the share of earlier origins (their whole window observed by ``t``) whose
  window held a crossing, Jeffreys-smoothed, ``(k + ½) / (n + 1)``;
- ``state``: the same share among earlier origins in the same *current state* as ``t`` (the
  origin's observed tension at or above the threshold, or not): climatology conditioned on
  where tension stands now, the rule a sceptic would reach for when crises come in spells.

Scores (both proper, Gneiting & Raftery 2007): the Brier score ``(p − y)²`` (lower is better)
and the logarithmic score ``y log p + (1 − y) log(1 − p)`` (higher is better); differences to
the model are paired by origin, with Newey–West standard errors at lag ``h − 1`` (overlapping
windows). With crises coming in two spells (2017-09..2018-01 and 2022-11..2024-10 on the
specification's index), the effective sample is small and the standard errors say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from peninsula.crisis.backtest import SPEC_HYPER, bundled_path, hac_se, period_of
from peninsula.crisis.calibrate import crisis_threshold
from peninsula.crisis.data import MonthlyData
from peninsula.crisis.model import FloatArray, Hyper, crisis_crossed, observed_states

HORIZONS: tuple[int, ...] = (3, 12)
FIRST_SCORED = "2018-12"  # the count backtest's first scored origin

#: A model forecaster for this check: the (paths, months) simulated tension from origin ``t``.
TensionForecast = Callable[[MonthlyData, int], FloatArray]


def observed_tension(data: MonthlyData, hyper: Hyper = SPEC_HYPER) -> FloatArray:
    """The tension index of every recorded month (model equation 2 on the data)."""
    return observed_states(data.counts, data.talks, data.russia, data.china, hyper)[1]


def crossings(tension: FloatArray, threshold: float, horizon: int) -> FloatArray:
    """Per origin ``t``: 1.0 if ``tension[t+1..t+horizon]`` holds two consecutive months at or
    above ``threshold``, 0.0 if not, NaN if the window runs past the data."""
    n = len(tension)
    out = np.full(n, np.nan)
    for t in range(n - horizon):
        out[t] = float(crisis_crossed(tension[None, t + 1 : t + horizon + 1], threshold)[0])
    return out


def jeffreys(hits: float, n: int) -> float:
    """``(k + ½) / (n + 1)``: the Jeffreys posterior mean of a proportion (½ with no data)."""
    return (hits + 0.5) / (n + 1.0)


def baseline_probabilities(
    outcome: FloatArray, above: Sequence[bool], t: int, horizon: int
) -> dict[str, float]:
    """``climatology`` and ``state`` at origin ``t`` from the outcomes of earlier origins ``s``
    whose window ``s+1..s+horizon`` ended by ``t`` (``s + horizon ≤ t``)."""
    known = max(t - horizon + 1, 0)
    y = outcome[:known]
    same = np.asarray(above[:known], dtype=bool) == bool(above[t])
    return {
        "climatology": jeffreys(float(np.nansum(y)), int(np.sum(~np.isnan(y)))),
        "state": jeffreys(float(np.nansum(y[same])), int(np.sum(~np.isnan(y[same])))),
    }


def brier(p: float, y: float) -> float:
    return (p - y) ** 2


def log_score(p: float, y: float) -> float:
    return float(np.log(p) if y > 0.5 else np.log1p(-p))


def escalation_rolling_origin(
    data: MonthlyData,
    model: TensionForecast | None = None,
    horizons: Sequence[int] = HORIZONS,
    hyper: Hyper = SPEC_HYPER,
    first_scored: str = FIRST_SCORED,
    score_through: str = "2024-12",
) -> pd.DataFrame:
    """One row per scored origin × horizon × forecaster: ``p``, outcome ``y``, Brier and log
    score. ``score_through`` locks the later months, as in the count backtest."""
    tension = observed_tension(data, hyper)
    threshold = crisis_threshold(data, hyper)
    above = [bool(v >= threshold) for v in tension]
    outcomes = {h: crossings(tension, threshold, h) for h in horizons}
    months = data.months
    rows: list[tuple[object, ...]] = []
    for t, month in enumerate(months):
        if month < first_scored:
            continue
        windows = {
            h: (months[t + 1], months[t + h])
            for h in horizons
            if not np.isnan(outcomes[h][t])
            and period_of(months[t + 1], months[t + h]) is not None
            and months[t + h] <= score_through
        }
        if not windows:
            continue
        sims = model(data, t) if model is not None else None
        for h, (first, last) in windows.items():
            y = float(outcomes[h][t])
            probs = baseline_probabilities(outcomes[h], above, t, h)
            if sims is not None:
                hits = crisis_crossed(np.asarray(sims[:, :h], dtype=np.float64), threshold)
                probs = {"model": jeffreys(float(hits.sum()), len(hits)), **probs}
            for name, p in probs.items():
                rows.append(
                    (month, period_of(first, last), h, name, p, y, brier(p, y), log_score(p, y))
                )
    return pd.DataFrame(
        rows, columns=["origin", "period", "horizon", "forecaster", "p", "y", "brier", "log"]
    )


def escalation_table(scores: pd.DataFrame, period: str, reference: str = "model") -> pd.DataFrame:
    """Per horizon and forecaster over ``period``: origins, crossings observed, mean forecast
    probability, Brier and log score, and the paired difference to ``reference`` (forecaster
    − reference) with its HAC standard error."""
    s = scores[scores["period"] == period]
    out = []
    for h_key, by_h in s.groupby("horizon"):
        h = int(str(h_key))
        per = by_h.set_index(["forecaster", "origin"])
        if reference not in per.index.get_level_values(0):
            continue
        ref = per.loc[reference]
        for name in per.index.get_level_values(0).unique():
            block = per.loc[name].loc[ref.index]
            d_brier = (block["brier"] - ref["brier"]).to_numpy()
            d_log = (block["log"] - ref["log"]).to_numpy()
            out.append(
                {
                    "horizon": h,
                    "forecaster": str(name),
                    "n": len(block),
                    "crossings": int(block["y"].sum()),
                    "mean_p": float(block["p"].mean()),
                    "brier": float(block["brier"].mean()),
                    "d_brier": float(d_brier.mean()),
                    "se_brier": hac_se(d_brier, h - 1),
                    "log": float(block["log"].mean()),
                    "d_log": float(d_log.mean()),
                    "se_log": hac_se(d_log, h - 1),
                }
            )
    return pd.DataFrame(out)


def bundled_escalation() -> pd.DataFrame:
    """The escalation tables as scored by ``peninsula crisis-backtest --final-test --out`` (a
    committed fixture: ``data/escalation_skill.csv``; specification commit fe3dc0a preceded
    the first scoring)."""
    return pd.read_csv(bundled_path("escalation_skill.csv"))


#: The periods as users read them.
PERIOD_LABELS: dict[str, str] = {
    "selection": "2019–21",
    "validation": "2022–24",
    "test": "2025-01..2026-03",
    "unseen": "after 2026-03",
}


def brief(table: pd.DataFrame, horizon: int = 12) -> str:
    """One line beside P(crisis) in ``peninsula simulate``: the model's Brier score against the
    best simple rule's, per period, from an escalation table (e.g. :func:`bundled_escalation`)."""
    parts = []
    for period, label in PERIOD_LABELS.items():
        g = table[(table["period"] == period) & (table["horizon"] == horizon)]
        if g.empty or "model" not in set(g["forecaster"]):
            continue
        model = g[g["forecaster"] == "model"].iloc[0]
        best = g[g["forecaster"] != "model"].sort_values("brier").iloc[0]
        parts.append(
            f"{label}: Brier {float(model['brier']):.3f} against {float(best['brier']):.3f} for "
            f"the best simple rule ({best['forecaster']}), crises in {int(model['crossings'])} "
            f"of {int(model['n'])} windows, mean P {float(model['mean_p']):.2f}"
        )
    if not parts:
        return ""
    return (
        f"Escalation check of the model's P(crisis within {horizon} months), rolling origin "
        "(peninsula crisis-backtest; lower Brier is better) — " + "; ".join(parts) + "."
    )


def caveat(table: pd.DataFrame, horizon: int = 12) -> str:
    """A warning to print beside P(crisis) when, in the latest period of an escalation table,
    a simple rule scored better than the model ("" otherwise): the number a reader quotes
    should carry its most recent track record."""
    for period in reversed(PERIOD_LABELS):
        g = table[(table["period"] == period) & (table["horizon"] == horizon)]
        if g.empty or "model" not in set(g["forecaster"]):
            continue
        model = g[g["forecaster"] == "model"].iloc[0]
        best = g[g["forecaster"] != "model"].sort_values("brier").iloc[0]
        if float(best["brier"]) >= float(model["brier"]):
            return ""
        crises = int(model["crossings"])
        came = "no crisis came" if crises == 0 else f"crises came in {crises} of them"
        return (
            f"Before quoting P(crisis): from the {int(model['n'])} origins in "
            f"{PERIOD_LABELS[period]} whose {horizon}-month windows can be scored, the model's "
            f"mean P(crisis) was {float(model['mean_p']):.2f} and {came}; a simple rule "
            f"({best['forecaster']}) scored better (Brier {float(best['brier']):.3f} against "
            f"{float(model['brier']):.3f})."
        )
    return ""
