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

    with console.status("fitting the crisis model on 2017–2024 …"):
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
    summary = cast(dict[Any, dict[str, float]], result.summary().to_dict("index"))
    table = Table(
        title=f"{loaded.metadata.title}: {horizon} months from {result.start}, "
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
    for p, note in result.notes.items():
        console.print(f"[yellow]note[/] {p}: {note}")
    if result.capped:
        console.print(
            f"[dim]{result.capped} (path, month, type) intensities hit the safety cap.[/]"
        )
    if plot is not None:
        from peninsula.crisis.plot import fan_chart

        written = fan_chart(result, plot)
        console.print(f"fan chart written to {written}")


def crisis_fit() -> None:
    """Print the crisis model's calibration: coefficients with SEs and goodness of fit."""
    _fit_tables()


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
    app.command("crisis-fit")(crisis_fit)
