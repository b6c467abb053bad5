"""Section: crisis risks per policy (``peninsula.crisis.simulate_policies``).

The crisis simulator runs a self-exciting event model forward under each policy and returns
simulated tension paths. The section draws one fan chart per policy (median, 50% and 90%
bands of the paths, month by month: the fan-chart convention of the Bank of England's
inflation reports, Britton, Fisher & Whitley 1998) and tabulates the simulator's risk measures
per policy (probability of a seventh nuclear test, missile launches per year, probability of
crossing the crisis threshold), with their bands.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from peninsula import defaults
from peninsula.crisis import CrisisResult, simulate_policies
from peninsula.crisis.api import (
    ObservedSince,
    not_applicable,
    nuclear_base_rates_to,
    observed_since,
    regime_effects_to,
    status_quo_forecast,
)
from peninsula.crisis.backtest import bundled_first_look, bundled_skill
from peninsula.crisis.escalation import PERIOD_LABELS, bundled_escalation, caveat
from peninsula.crisis.simulate import months_after_text
from peninsula.estimates import Estimate, probability, spread
from peninsula.report.content import (
    Band,
    Bullets,
    Cell,
    Chart,
    Notice,
    Paragraph,
    Section,
    Series,
    Table,
)
from peninsula.report.sections.frames import Interval, Summary, measures, read_summary
from peninsula.report.settings import ReportSettings
from peninsula.scenario.policies import order_policies, policy_label
from peninsula.scenario.schema import Scenario

ID = "crisis"
TITLE = "Crisis risks per policy"
FAN = (5.0, 25.0, 50.0, 75.0, 95.0)
TENSION_UNIT = "−1 calm to +1 hostile"


def run_crisis(scenario: Scenario, settings: ReportSettings, seed: int) -> CrisisResult:
    """The one place this section calls the crisis engine."""
    return simulate_policies(
        scenario,
        horizon=settings.horizon_months,
        paths=defaults.crisis_paths(settings.runs),
        seed=seed,
        executor=settings.executor,
    )


def fan(paths: np.ndarray) -> dict[str, list[float]]:
    """Per month, the percentiles of the simulated paths (``paths`` is (n_paths, horizon))."""
    values = np.percentile(np.asarray(paths, dtype=float), FAN, axis=0)
    return {f"p{int(q):02d}": row.tolist() for q, row in zip(FAN, values, strict=True)}


def months_after(start: str, horizon: int) -> tuple[str, ...]:
    """ISO dates of the ``horizon`` months after ``start`` (``YYYY-MM``): month 1 is the first
    simulated month. Falls back to plain month numbers if ``start`` is not a month."""
    try:
        first: Any = pd.Period(start, freq="M") + 1
    except (ValueError, TypeError):
        first = None
    if first is None or pd.isna(first):
        return tuple(str(m) for m in range(1, horizon + 1))
    return tuple((first + m).start_time.strftime("%Y-%m-%d") for m in range(horizon))


def _fan_chart(
    policy: str,
    label: str,
    bands: dict[str, list[float]],
    months: tuple[str, ...],
    threshold: float | None,
    y_range: tuple[float, float],
) -> Chart:
    dated = not months or "-" in months[0]
    return Chart(
        id=f"chart-crisis-{policy}",
        title=f"Tension paths: {label}",
        x_label="Month" if dated else "Months from the scenario date (months)",
        y_label=f"Tension (index, {TENSION_UNIT})",
        series=(
            Series(
                "median path",
                months,
                tuple(bands["p50"]),
                bands=(
                    Band(tuple(bands["p05"]), tuple(bands["p95"]), "90% of paths"),
                    Band(tuple(bands["p25"]), tuple(bands["p75"]), "50% of paths"),
                ),
            ),
        ),
        description=(
            f"Fan chart of the simulated tension paths under “{label}”: the line is the median "
            "path, the light band holds 90% of the paths and the dark band 50%; the dotted line "
            "is the crisis threshold (the level of August–September 2017)."
        ),
        x_kind="date" if dated else "linear",
        reference_lines=((threshold, "crisis threshold"),) if threshold is not None else (),
        y_range=y_range,
        compact=True,
    )


#: The simulator's measures: reader's label, shown as a percentage?, what the band is.
KNOWN = {
    "p_nuclear_test": ("P(seventh nuclear test)", True),
    "p_crisis": ("P(crisis threshold crossed)", True),
    "launches_per_year": ("Missile launches per year", False),
    "months_of_talks": ("Months with talks under way", False),
    "final_tension": ("Tension at the horizon (−1 to +1)", False),
}


def measure_label(name: str) -> tuple[str, bool]:
    """A reader's label for a crisis measure, and whether it is a probability (shown in %)."""
    if name in KNOWN:
        return KNOWN[name]
    lower = name.lower()
    probability = lower.startswith(("p_", "prob", "p(")) or "probability" in lower
    return name.replace("_", " "), probability


def estimate(name: str, value: Interval, paths: int) -> Estimate:
    """A probability (share of paths) with its Wilson Monte Carlo interval, computed here from
    the share and the number of paths; any other measure's mean with its percentile band."""
    if measure_label(name)[1]:
        return probability(value.mean, paths)
    return spread(value.mean, value.low, value.high, paths)


def estimates(summary: Summary, paths: int) -> dict[str, dict[str, dict[str, Any]]]:
    """policy -> measure -> the estimate's JSON form (``docs/reference/report-json.md``)."""
    return {
        policy: {name: estimate(name, value, paths).as_json() for name, value in per.items()}
        for policy, per in summary.items()
    }


def _table(
    scenario: Scenario,
    summary: Summary,
    policies: list[str],
    labels: dict[str, str],
    paths: int,
) -> Table:
    names = measures(summary)
    rows = []
    for policy in policies:
        cells = [Cell(labels.get(policy) or policy_label(scenario, policy))]
        for name in names:
            value = summary[policy].get(name)
            if value is None:
                cells.append(Cell("—"))
                continue
            digits = 2 if name == "final_tension" else 1  # tension lies in (−1, 1)
            cells.append(Cell(estimate(name, value, paths).text(digits)))
        rows.append(tuple(cells))
    columns = [
        f"{label} · {'probability, 95% MC interval' if chance else 'mean, 5th–95th percentile'}"
        for label, chance in (measure_label(n) for n in names)
    ]
    return Table(
        "crisis",
        "Crisis risks per policy over the simulated horizon",
        ("Policy", *columns),
        tuple(rows),
        note=(
            f"Probabilities: the share of the {paths} simulated paths, with the 95% Monte Carlo "
            "(Wilson) interval of that share. Other measures: the mean over paths, with the "
            "5th–95th percentile of paths (the spread of outcomes, not sampling error)."
        ),
    )


def build_crisis(scenario: Scenario, settings: ReportSettings, seed: int) -> Section:
    why = not_applicable(scenario)
    if why:  # e.g. a published bargaining case: the briefing is written without this section
        return Section(
            id=ID,
            title=TITLE,
            blocks=(Notice(f"No crisis simulation: {why}.", kind="caution"),),
            numbers={"skipped": why},
            summary="",
        )
    return crisis_section(scenario, run_crisis(scenario, settings, seed))


def crisis_section(scenario: Scenario, result: CrisisResult) -> Section:
    """The section for a simulation already run (also :mod:`peninsula.plots`)."""
    summary = read_summary(result.summary())
    tension = {str(k): np.asarray(v, dtype=float) for k, v in result.tension.items()}
    policies = [str(p) for p in getattr(result, "policies", ())] or list(tension) or list(summary)
    policies = order_policies(scenario, policies)
    labels = {p: policy_label(scenario, p) for p in policies}
    labels.update({str(k): str(v) for k, v in getattr(result, "labels", {}).items() if v})
    threshold = getattr(result, "threshold", None)
    threshold = float(threshold) if threshold is not None else None
    bands = {p: fan(tension[p]) for p in policies if p in tension}
    lows = [min(b["p05"]) for b in bands.values()] + ([threshold] if threshold is not None else [])
    highs = [max(b["p95"]) for b in bands.values()] + ([threshold] if threshold is not None else [])
    pad = 0.05 * (max(highs) - min(lows)) if bands else 0.0
    y_range = (min(lows) - pad, max(highs) + pad) if bands else (0.0, 1.0)
    horizon = len(next(iter(bands.values()))["p50"]) if bands else int(result.horizon)
    start = str(getattr(result, "start", ""))
    months = months_after(start, horizon)
    paths = int(next(iter(tension.values())).shape[0]) if tension else 0
    since = _since(result)
    blocks: list[Any] = [
        Paragraph(
            f"{paths} simulated paths per policy over {months_after_text(start, horizon)}"
            + ", with the policy's effects on the fitted event rates (every policy reuses the "
            "same random numbers, so differences between policies are not Monte Carlo noise). "
            "Tension runs from −1 (calm) to +1 (hostile). All fan charts share one vertical "
            "scale, so their heights compare directly."
        ),
        _table(scenario, summary, [p for p in policies if p in summary], labels, paths),
        *_nuclear_base_rates(start, horizon),
        *([Paragraph(since.sentence(horizon))] if since is not None else []),
        *skill_blocks(scenario),
    ]
    notes = getattr(result, "notes", {}) or {}
    if notes:
        blocks.append(
            Bullets(
                tuple(f"{labels.get(p, p)}: {n}" for p, n in notes.items()),
                "How each policy enters the crisis model",
            )
        )
    for policy in policies:
        if policy in bands:
            blocks.append(
                _fan_chart(policy, labels[policy], bands[policy], months, threshold, y_range)
            )
    return Section(
        id=ID,
        title=TITLE,
        blocks=tuple(blocks),
        numbers={
            "paths": paths,
            "horizon_months": horizon,
            "start": start or None,
            "threshold": threshold,
            "summary": estimates(summary, paths),
            "tension_fan": {p: {"months": list(months), **b} for p, b in bands.items()},
            "observed_since": _since_numbers(since),
        },
        summary=_summary_text(summary, policies, labels),
    )


def _nuclear_base_rates(start: str, horizon: int) -> list[Any]:
    """Simple base rates beside the model's P(seventh nuclear test) (labelled, not a forecast)."""
    try:
        rates = nuclear_base_rates_to(start, horizon)
    except (ValueError, KeyError, IndexError):  # a result without a data month as its start
        return []
    text = "; ".join(f"{label}: {100 * value:.1f}%" for label, value in rates)
    return [
        Paragraph(
            f"For comparison with P(seventh nuclear test) over {horizon} months, simple base "
            f"rates (not forecasts of this model) — {text}. The model draws its nuclear-test "
            "rate per path from one test in its window (log-rate SE about 1), which puts it "
            "close to the first."
        )
    ]


def _since(result: CrisisResult) -> ObservedSince | None:
    """How the status-quo simulation fared on simulated months the data have since observed."""
    if not hasattr(result, "missiles"):  # a result without launch paths (e.g. a stand-in)
        return None
    return observed_since(result)


def _since_numbers(since: ObservedSince | None) -> dict[str, Any] | None:
    if since is None:
        return None
    low, high = np.quantile(since.simulated, [0.05, 0.95])
    return {
        "first": since.first,
        "last": since.last,
        "months": since.months,
        "observed": since.observed,
        "simulated_mean": float(since.simulated.mean()),
        "simulated_p05": float(low),
        "simulated_p95": float(high),
        "share_at_or_below": since.share_at_or_below,
    }


def skill_blocks(scenario: Scenario) -> list[Any]:
    """The forecast users should read (the stacked ensemble, from the scenario's date), its
    tested skill beside the structural model's, and which policy effects the data estimate."""

    def pm(d: float, se: float) -> str:
        return f"{d:+.2f} ± {se:.2f}" if se == se else f"{d:+.2f} (too few forecasts for an SE)"

    rows = []
    looks = (
        ("validation", "validation (2022–24)", bundled_skill()),
        (
            "test",
            "test 2025-01..2026-03, first look (original specification)",
            bundled_first_look(),
        ),
        ("test", "same months, second look (revised specification)", bundled_skill()),
        # empty until an updated table and a rescoring add months after 2026-03
        ("unseen", "after 2026-03, unseen (revised specification)", bundled_skill()),
    )
    for period, label, skill in looks:
        for h in sorted(set(skill["horizon"])):
            g = skill[(skill["period"] == period) & (skill["horizon"] == h)]
            if g.empty:
                continue
            stack = g[g["forecaster"] == "stack"].iloc[0]
            model = g[g["forecaster"] == "model"].iloc[0]
            others = g[~g["forecaster"].isin(["stack", "model"])]
            base = others.sort_values("log").iloc[-1]
            base_c = others.sort_values("crps").iloc[0]
            rows.append(
                (
                    Cell(label),
                    Cell(f"{int(h)} month{'s' if int(h) > 1 else ''}"),
                    Cell(f"{float(stack['log']):.2f}"),
                    Cell(pm(float(model["d_log"]), float(model["se_log"]))),
                    Cell(
                        f"{base['forecaster']}: {pm(float(base['d_log']), float(base['se_log']))}"
                    ),
                    Cell(f"{float(stack['crps']):.2f}"),
                    Cell(
                        f"{base_c['forecaster']}: "
                        f"{pm(-float(base_c['d_crps']), float(base_c['se_crps']))}"
                    ),
                )
            )
    forecast = status_quo_forecast(scenario.metadata.as_of.strftime("%Y-%m"))
    f_rows = []
    for target, g in forecast.groupby("target", sort=False):
        cells = [Cell(str(target).replace("_", " "))]
        ordered_rows = list(g.sort_values("horizon").itertuples())
        for r in ordered_rows:
            digits = 2 if float(r.mean) < 0.1 else 1
            seen = f" · observed {r.observed:.0f}" if r.observed == r.observed else ""
            cells.append(Cell(f"{float(r.mean):.{digits}f} ({r.p05}–{r.p95}){seen}"))
        cells.append(Cell(f"{100 * (1 - float(ordered_rows[-1].p_zero)):.0f}%"))
        f_rows.append(tuple(cells))
    effects = regime_effects_to(scenario.metadata.as_of.strftime("%Y-%m"))
    bullets = [
        f"{str(r['regime']).replace('_', ' ')}: launch events × {float(r['rate_ratio']):.2f} "
        f"(SE {float(r['se']):.2f}, 95% {float(r['low95']):.2f}–{float(r['high95']):.2f}; "
        f"{int(r['months_in_regime'])} months) — estimated"
        if r["rate_ratio"] == r["rate_ratio"]
        else f"{str(r['regime']).replace('_', ' ')}: not estimable from the months to the "
        f"scenario's date ({int(r['months_in_regime'])} months in the regime)"
        for _, r in effects[effects["outcome"] == "launches"].iterrows()
    ]
    bullets.append(
        "Every policy's effects in the scenario file (launch, talks, exercise and sanctions "
        "multipliers) are judgement; the estimates above are associations that bound them."
    )
    return [
        Table(
            "crisis-forecast",
            f"Status-quo forecast from {forecast['from'].iloc[0]}: stacked ensemble",
            ("Count", "Next month", "Next 3 months", "Next 12 months", "P(≥ 1 in 12 months)"),
            tuple(f_rows),
            note="Mean (5–95% interval)"
            + (
                "; observed: what the data recorded in that window after the scenario's date "
                "(the forecast did not see it)"
                if forecast["observed"].notna().any()
                else ""
            )
            + ". A linear pool of the structural model and negative "
            "binomial and Poisson baselines, weights fitted on past windows only; this, not the "
            "per-policy table, is the forecast. The per-policy table is the structural model's "
            "what-if.",
        ),
        Table(
            "crisis-skill",
            "Forecast skill, rolling origin (per forecast origin, summed over the seven counts: "
            "mean log score, higher is better; mean CRPS, lower is better)",
            (
                "Period",
                "Horizon",
                "Stack log score",
                "Structural model − stack (log)",
                "Best baseline − stack (log)",
                "Stack CRPS",
                "Stack − best baseline (CRPS)",
            ),
            tuple(rows),
            note="Forecasts issued every month; differences are paired, ± one Newey–West "
            "standard error; positive = better than the stack on the log score, and = the stack "
            "better on the CRPS. The model's structure was fixed on data to 2021 and the "
            "2025-01..2026-03 test scored once with the original stack; the stack was then "
            "revised on the 2019–24 results and those months rescored: a second look at seen "
            "months, not a test (docs/explanation/crisis-model.md).",
        ),
        _escalation_table(),
        Bullets(tuple(bullets), "Policy effects: estimated from the history, and judgement"),
    ]


def _escalation_table() -> Table:
    """P(crisis) scored against simple rules (``crisis/escalation.py``, bundled fixture)."""
    table = bundled_escalation()
    rows = []
    for period, label in PERIOD_LABELS.items():
        for h in sorted(set(table["horizon"])):
            g = table[(table["period"] == period) & (table["horizon"] == h)]
            if g.empty:
                continue
            model = g[g["forecaster"] == "model"].iloc[0]
            rules = g[g["forecaster"] != "model"].sort_values("brier")
            best = rules.iloc[0]
            se = float(best["se_brier"])
            diff = f"{float(best['d_brier']):+.3f}" + (
                f" ± {se:.3f}" if se == se else " (too few origins for an SE)"
            )
            rows.append(
                (
                    Cell(label),
                    Cell(f"{int(h)} months"),
                    Cell(f"{int(model['crossings'])} of {int(model['n'])}"),
                    Cell(f"{float(model['mean_p']):.2f}"),
                    Cell(f"{float(model['brier']):.3f}"),
                    Cell(f"{best['forecaster']}: {diff}"),
                )
            )
    return Table(
        "crisis-escalation",
        "Escalation check: the model's P(crisis within h months) from every monthly origin, "
        "against simple rules (Brier score, lower is better)",
        (
            "Period",
            "Horizon",
            "Origins whose window held a crisis",
            "Model's mean P(crisis)",
            "Model Brier",
            "Best rule − model (Brier)",
        ),
        tuple(rows),
        note="A crisis is two consecutive months of observed tension (the model's index run on "
        "the recorded months) at or above the threshold. Rules: climatology (share of earlier "
        "windows with a crisis) and the same conditioned on whether tension is above the "
        "threshold now; a negative difference means the rule did better. Specified before it "
        "was first scored, so every period is a first look; crises came in two spells "
        "(2017-09..2018-01, 2022-11..2024-10), so the evidence rests on few episodes.",
    )


def _summary_text(summary: Summary, policies: list[str], labels: dict[str, str]) -> str:
    probabilities = [n for n in measures(summary) if measure_label(n)[1]]
    if not probabilities:
        return f"{len(policies)} policies simulated."
    parts = []
    for name in probabilities:
        values = {p: summary[p][name].mean for p in policies if name in summary.get(p, {})}
        if not values:
            continue
        low, high = min(values, key=values.__getitem__), max(values, key=values.__getitem__)
        label = measure_label(name)[0]
        if math.isclose(values[low], values[high], abs_tol=0.005):
            parts.append(f"{label} is about {100 * values[low]:.0f}% whatever the policy")
        else:
            parts.append(
                f"{label} ranges from {100 * values[low]:.0f}% (“{labels.get(low, low)}”) "
                f"to {100 * values[high]:.0f}% (“{labels.get(high, high)}”)"
            )
    if not parts:
        return f"{len(policies)} policies simulated."
    warning = caveat(bundled_escalation()) if "p_crisis" in probabilities else ""
    return "; ".join(parts) + "." + (f" {warning}" if warning else "")
