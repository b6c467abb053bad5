"""CLI: ``peninsula simulate`` (crisis paths per policy) and ``peninsula crisis-fit``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from peninsula import defaults

console = Console()


def _fit_tables() -> None:
    from peninsula.crisis.api import default_fit

    with console.status("fitting the crisis model on every bundled month …"):
        result = default_fit()
    hyper = result.params.hyper
    console.print(
        f"[bold]Crisis model[/] fitted on {result.first}..{result.last} "
        f"({result.n_months} months): log-likelihood {result.loglik:.2f}; "
        f"δ={hyper.delta:g}, ρ={hyper.rho:g}, κ={hyper.kappa:g} (profile 95% sets: "
        + "; ".join(f"{k} ∈ {list(v)}" for k, v in result.profile_sets.items())
        + f"); crisis threshold T ≥ {result.params.threshold:.3f}"
    )
    table = Table(title="Coefficients (MLE, SE from the inverse information)")
    for column in ("component", "feature", "estimate", "SE", "z"):
        table.add_column(
            column, justify="right" if column not in ("component", "feature") else "left"
        )
    for row in result.coefficients.itertuples():
        if row.se == 0:
            what = "dropped" if row.estimate == 0 else f"{row.estimate:.3f} (at bound)"
            table.add_row(str(row.component), str(row.feature), what, "", "")
            continue
        table.add_row(
            str(row.component),
            str(row.feature),
            f"{row.estimate:.3f}",
            f"{row.se:.3f}",
            f"{row.z:.2f}",
        )
    console.print(table)
    gof = Table(title="Goodness of fit (one-step-ahead)")
    for column in (
        "type",
        "observed",
        "fitted",
        "deviance",
        "Pearson χ²",
        "df",
        "PIT KS p",
        "acf1",
    ):
        gof.add_column(column)
    for r in result.goodness.itertuples():
        gof.add_row(
            str(r.type),
            f"{r.observed:g}",
            f"{r.fitted:.1f}",
            f"{r.deviance:.1f}",
            f"{r.pearson_chi2:.1f}",
            f"{r.df_resid:g}",
            f"{r.pit_ks_p:.3f}",
            f"{r.resid_acf1:.2f}",
        )
    console.print(gof)
    annual = Table(title="Observed vs fitted per year")
    for column in result.annual.columns:
        annual.add_column(str(column))
    for values in result.annual.itertuples(index=False):
        annual.add_row(*[f"{v:g}" if isinstance(v, int) else f"{v:.1f}" for v in values])
    console.print(annual)
    for note in result.params.notes:
        console.print(f"[dim]note: {note}[/]")


def simulate_command(
    scenario: str = typer.Argument(None, help="Built-in scenario name or path to a YAML file."),
    policy: list[str] = typer.Option(
        None, "--policy", "-p", help="Policy id (repeatable); default: status quo + all."
    ),
    horizon: int = typer.Option(
        defaults.HORIZON_MONTHS, min=1, max=240, help="Months to simulate."
    ),
    paths: int = typer.Option(defaults.crisis_paths(), min=1, help="Monte Carlo paths per policy."),
    seed: int = typer.Option(defaults.SEED, help="Random seed (same seed, same numbers)."),
    plot: Path = typer.Option(None, help="Write a tension fan chart (.png or .html)."),
    executor: str = typer.Option("local", help="local, processes or dask."),
    workers: int = typer.Option(None, help="Workers for processes/dask."),
    fit_report: bool = typer.Option(False, "--fit-report", help="Print the calibration report."),
) -> None:
    """Simulate monthly crisis dynamics per policy: tension, launches, nuclear test, crisis risk."""
    if fit_report:
        _fit_tables()
        if scenario is None:
            return
    if scenario is None:
        from peninsula.errors import InputError, Located

        raise InputError([Located("give a SCENARIO name or path (or --fit-report)")])
    from peninsula import load_scenario

    if plot is not None:
        from peninsula.crisis.plot import check_plot_path

        check_plot_path(plot)  # before the run, not after it
    loaded = load_scenario(scenario)  # a bad file fails before any engine is imported
    from peninsula.crisis.api import simulate_policies
    from peninsula.estimates import percent
    from peninsula.executors import get_executor

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=console, transient=True) as bar,
        get_executor(executor, workers=workers) as pool,
    ):
        task = bar.add_task(f"simulating {horizon} months per policy (paths)", total=paths)
        result = simulate_policies(
            loaded,
            horizon=horizon,
            paths=paths,
            seed=seed,
            policies=policy or None,
            executor=pool,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    _forecast_table(loaded.metadata.as_of.strftime("%Y-%m"))
    summary = cast(dict[Any, dict[str, float]], result.summary().to_dict("index"))
    table = Table(
        title=f"{loaded.metadata.title}: {result.period}, "
        f"{result.paths:,} paths, {defaults.describe(seed)}",
        caption=(
            "P(...): share of paths, with its 95% Monte Carlo (Wilson) interval (MC); "
            "other columns: mean over paths (5th–95th percentile of paths)"
        ),
    )
    for column in (
        "policy",
        "launches/yr",
        "months of talks",
        "final tension",
        "P(nuclear test)",
        "P(crisis)",
    ):
        table.add_column(column)

    def band(p: str, m: str, digits: int) -> str:
        r = summary[(p, m)]
        return f"{r['mean']:.{digits}f} ({r['low']:.{digits}f}–{r['high']:.{digits}f})"

    def prob(p: str, m: str) -> str:
        # A probability with its 95% Monte Carlo (Wilson) interval, never a percentile band.
        r = summary[(p, m)]
        return f"{100 * r['mean']:.1f}% ({percent(r['low'])}–{percent(r['high'])}% MC)"

    for p in result.policies:
        table.add_row(
            f"{p}\n[dim]{result.labels[p]}[/]",
            band(p, "launches_per_year", 1),
            f"{summary[(p, 'months_of_talks')]['mean']:.1f}",
            band(p, "final_tension", 2),
            prob(p, "p_nuclear_test"),
            prob(p, "p_crisis"),
        )
    console.print(table)
    console.print(
        f"[dim]crisis = tension ≥ {result.threshold:.3f} (the Aug–Sep 2017 level) for 2 "
        "consecutive months; probabilities with 95% Monte Carlo intervals; bands include "
        "parameter uncertainty.[/]"
    )
    from peninsula.crisis.api import nuclear_base_rates_to

    rates = "; ".join(
        f"{label}: {100 * value:.1f}%"
        for label, value in nuclear_base_rates_to(result.start, horizon)
    )
    console.print(
        f"[dim]P(nuclear test) beside simple base rates over the same {horizon} months — {rates}. "
        "The model's figure draws its rate per path (one test in the window, log-rate SE ≈ 1), "
        "which is close to the first base rate.[/]"
    )
    from peninsula.crisis.escalation import brief, bundled_escalation, caveat

    escalation = bundled_escalation()
    console.print(f"[dim]{brief(escalation)}[/]")
    warning = caveat(escalation)
    if warning:
        console.print(f"[yellow]{warning}[/]")
    from peninsula.crisis.api import observed_since

    since = observed_since(result)
    if since is not None:
        console.print(since.sentence(horizon))
    for p, note in result.notes.items():
        console.print(f"[yellow]note[/] {p}: {note}")
    _effect_sources(loaded, result.policies)
    if result.capped:
        console.print(
            f"[dim]{result.capped} (path, month, type) intensities hit the safety cap.[/]"
        )
    if plot is not None:
        from peninsula.crisis.plot import fan_chart

        written = fan_chart(result, plot)
        console.print(f"fan chart written to {written}")


TARGET_LABELS = {
    "launches": "launch events (all)",
    "ballistic": "ballistic launch events",
    "cruise": "cruise-missile launch events",
    "nuclear_tests": "nuclear tests",
    "talks": "months with talks",
}


def _forecast_table(as_of: str) -> None:
    """The status-quo forecast users see: the stacked ensemble, with its tested skill."""
    from peninsula.crisis.api import status_quo_forecast

    forecast = status_quo_forecast(as_of)
    start = forecast["from"].iloc[0]
    table = Table(
        title=f"Status-quo forecast from {start} (stacked ensemble of the model and baselines, "
        "weights fitted on past windows; skill: peninsula crisis-backtest)"
    )
    for column in ("count", "next month", "next 3 months", "next 12 months"):
        table.add_column(column)
    for target, rows in forecast.groupby("target", sort=False):
        cells = [TARGET_LABELS.get(str(target), str(target))]
        for r in rows.sort_values("horizon").itertuples():
            seen = f"; [bold]observed {r.observed:.0f}[/]" if r.observed == r.observed else ""
            cells.append(f"{r.mean:.1f} ({r.p05}–{r.p95}); P(0) {r.p_zero:.2f}{seen}")
        table.add_row(*cells)
    console.print(table)
    seen_note = (
        "; observed: what the data recorded in that window since the scenario's date (the "
        "forecast did not see it)"
        if forecast["observed"].notna().any()
        else ""
    )
    console.print(
        "[dim]mean (5–95% interval)"
        + seen_note
        + "; the policy table below is the structural model's what-if "
        "per policy (its own skill is lower than the ensemble's: see the skill table).[/]"
    )


def _effect_sources(scenario: Any, policies: Any) -> None:
    """Label every policy effect: estimated from the history, or judgement."""
    from peninsula.crisis.api import effect_provenance

    rows = effect_provenance(scenario, policies)
    if not rows:
        return
    table = Table(title="Where each policy effect comes from")
    for column in ("policy", "effect", "value", "source", "data say"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["policy"], r["effect"], r["value"], r["source"], r["data"])
    console.print(table)


def crisis_fit() -> None:
    """Print the crisis model's calibration: coefficients with SEs and goodness of fit."""
    _fit_tables()


def crisis_backtest(
    final_test: bool = typer.Option(
        False,
        "--final-test",
        help="Also score the test months (2025-01..2026-03, a second look for the revised "
        "ensemble) and any unseen months after 2026-03, each period apart. The protocol scores "
        "them once, after the specification is fixed; without this flag only 2019-2024 is "
        "scored.",
    ),
    paths: int = typer.Option(1000, min=50, help="Model paths per origin."),
    seed: int = typer.Option(0, help="Random seed."),
    out: Path = typer.Option(None, help="Also write the skill tables (all periods) as CSV."),
) -> None:
    """Rolling-origin evaluation: every monthly origin from 2019, 1/3/12-month horizons."""
    from peninsula.crisis.backtest import (
        memoised,
        rolling_origin,
        skill_table,
        structural_forecaster,
    )
    from peninsula.crisis.data import load_monthly
    from peninsula.crisis.escalation import escalation_rolling_origin, escalation_table

    data = load_monthly()
    through = data.months[-1] if final_test else "2024-12"
    model = memoised(structural_forecaster(paths=paths, seed=seed))
    with console.status("forecasting from every origin …"):
        ev = rolling_origin(data, model, score_through=through, seed=seed)
        escalation = escalation_rolling_origin(
            data, lambda d, t: model(d, t)["tension"], score_through=through
        )
    periods = ["selection", "validation"]
    if final_test:
        periods += [p for p in ("test", "unseen") if (ev.scores["period"] == p).any()]
    tables = []
    for period in periods:
        table = skill_table(ev, period)
        _skill(table, period)
        tables.append(table.assign(period=period))
    escalation_tables = []
    for period in periods:
        table = escalation_table(escalation, period)
        if len(table):
            _escalation(table, period)
            escalation_tables.append(table.assign(period=period))
    if out is not None:
        import pandas as pd

        from peninsula.crisis.backtest import USER_TARGETS
        from peninsula.files import write_text

        write_text(out, pd.concat(tables).to_csv(index=False, float_format="%.4f"))
        weights = ev.weights[ev.weights["target"].isin(USER_TARGETS)]
        weights_out = out.with_name("stack_weights.csv")
        write_text(weights_out, weights.to_csv(index=False, float_format="%.4f"))
        escalation_out = out.with_name("escalation_skill.csv")
        write_text(
            escalation_out,
            pd.concat(escalation_tables).to_csv(index=False, float_format="%.4f"),
        )
        console.print(
            f"skill tables written to {out}, stack weights to {weights_out}, the escalation "
            f"check to {escalation_out}"
        )
    console.print(
        "[dim]log = mean per origin of the log score summed over the targets (launches, "
        "ballistic, cruise, SLV, nuclear tests, months of talks, new sanctions; uncoded months "
        "skipped); Δ = forecaster − stack, SE = Newey–West HAC with lag h−1 (paired); CRPS "
        "lower is better; cover = share of outcomes in the central 90% interval; PIT p = "
        "Kolmogorov–Smirnov p-value of the randomised PIT against uniform (pooled over targets).[/]"
    )


def _pm(d: float, se: float) -> str:
    return f"{d:+.3f} ({se:.3f})" if se == se else f"{d:+.3f} (—)"


#: How each period stands under the protocol (docs/explanation/crisis-model.md).
PERIOD_NOTES = {
    "selection": "used to choose the specification",
    "validation": "used to choose the revised ensemble: not out-of-sample for it",
    "test": "2025-01..2026-03 was scored once with the original specification; this is a "
    "second look at seen months, not a clean test",
    "unseen": "months after 2026-03, not seen when the revised ensemble was specified: its "
    "clean test (score once, report as it comes out)",
}


def _skill(table: Any, period: str) -> None:
    out = Table(
        title=f"Skill, {period} period (forecasts issued monthly; higher log is better)",
        caption=PERIOD_NOTES.get(period),
    )
    columns = ("h", "forecaster", "n", "log", "Δlog (SE)", "CRPS", "ΔCRPS (SE)", "cover90", "PIT p")
    for column in columns:
        out.add_column(column, justify="left" if column == "forecaster" else "right")
    for r in table.itertuples():
        out.add_row(
            str(r.horizon),
            str(r.forecaster),
            str(r.n),
            f"{r.log:.3f}",
            _pm(r.d_log, r.se_log),
            f"{r.crps:.3f}",
            _pm(r.d_crps, r.se_crps),
            f"{r.cover90:.2f}",
            f"{r.pit_ks_p:.3f}",
        )
    console.print(out)


def _escalation(table: Any, period: str) -> None:
    out = Table(
        title=f"Escalation check, {period} period: P(crisis within h months) against simple "
        "rules (Brier lower is better, log higher)",
        caption="specified before it was first scored (commit fe3dc0a): a first look in every "
        "period; the model's structure was fixed on the counts to 2021",
    )
    columns = ("h", "forecaster", "n", "crossings", "mean p", "Brier", "ΔBrier (SE)", "log")
    for column in columns + ("Δlog (SE)",):
        out.add_column(column, justify="left" if column == "forecaster" else "right")
    for r in table.itertuples():
        out.add_row(
            str(r.horizon),
            str(r.forecaster),
            str(r.n),
            str(r.crossings),
            f"{r.mean_p:.2f}",
            f"{r.brier:.3f}",
            _pm(r.d_brier, r.se_brier),
            f"{r.log:.3f}",
            _pm(r.d_log, r.se_log),
        )
    console.print(out)
    console.print(
        "[dim]crossings = origins whose next h months held two consecutive months of observed "
        "tension at or above the crisis threshold; model = share of the structural model's "
        "status-quo paths that cross; climatology = share of earlier windows that crossed; "
        "state = the same among earlier origins on the same side of the threshold; Δ = "
        "forecaster − model, SE = Newey–West HAC with lag h−1 (paired).[/]"
    )


def crisis_effects() -> None:
    """Launch-rate ratios under talks, new sanctions and the 2024 Russia treaty (NB2 GLM)."""
    from peninsula.crisis.calibrate import regime_effects
    from peninsula.crisis.data import load_monthly

    data = load_monthly()
    table = Table(
        title=f"Estimated regime effects on launch events, {data.months[0]}..{data.months[-1]}"
    )
    for column in ("outcome", "regime", "rate ratio (SE)", "95% CI", "months", "status"):
        table.add_column(column)
    for r in regime_effects(data).itertuples():
        if r.note:
            table.add_row(
                str(r.outcome), str(r.regime), "—", "—", str(r.months_in_regime), str(r.note)
            )
            continue
        table.add_row(
            str(r.outcome),
            str(r.regime),
            f"{r.rate_ratio:.2f} ({r.se:.2f})",
            f"{r.low95:.2f}–{r.high95:.2f}",
            str(r.months_in_regime),
            "estimated (association)",
        )
    console.print(table)
    console.print(
        "[dim]Estimated from the monthly history: associations, not causal effects. Effects "
        "the history cannot speak to (talks hazard, exercises, sanctions rates, China) stay "
        "judgement in each scenario's policy effects.[/]"
    )


data_app = typer.Typer(help="The bundled monthly crisis dataset: update it, check it.")


@data_app.command("update")
def data_update(
    file: Path = typer.Argument(..., help="CNS export: test.en.json of nagix/nk-missile-tests."),
    through: str = typer.Option(
        None, help="Last month to rebuild (YYYY-MM); default: the export's last launch."
    ),
    out: Path = typer.Option(None, help="Write here instead of the bundled table."),
) -> None:
    """Rebuild the launch columns from a CNS export plus the sourced cruise-missile supplement."""
    from peninsula.crisis.data import default_path, update_table
    from peninsula.files import write_text

    report = update_table(file, through=through)
    target = out or default_path()
    write_text(target, report.text)
    console.print(f"rebuilt {report.first}..{report.last}; written to {target}")
    for month, column, old, new in report.changed:
        console.print(f"  changed {month} {column}: {old or '∅'} → {new or '∅'}")
    if report.appended:
        console.print(
            f"[yellow]appended[/] {', '.join(report.appended)}: code nuclear_tests, "
            "allied_exercise, new_un_sanctions and talks by hand (blank fails to load); "
            "new_us_sanctions, threats, conciliatory may stay blank (= not coded)."
        )


@data_app.command("check")
def data_check(
    history: Path = typer.Option(None, help="Event history CSV; default: the bundled one."),
) -> None:
    """Flag months whose launch count differs from the bundled event history."""
    from peninsula.crisis.data import history_disagreements, load_monthly, read_history_rows

    found = history_disagreements(load_monthly(), read_history_rows(history))
    if not found:
        console.print("every month agrees with the event history")
        return
    table = Table(title="Months whose launch-event count differs from the event history")
    for column in ("month", "table", "history", "only in table", "only in history"):
        table.add_column(column)
    for d in found:
        table.add_row(
            d.month, str(d.table), str(d.history), " ".join(d.only_table), " ".join(d.only_history)
        )
    console.print(table)
    # SystemExit, not typer.Exit: in non-standalone mode click would swallow Exit's code.
    raise SystemExit(1)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
    app.command("crisis-fit")(crisis_fit)
    app.command("crisis-backtest")(crisis_backtest)
    app.command("crisis-effects")(crisis_effects)
    app.add_typer(data_app, name="crisis-data")
