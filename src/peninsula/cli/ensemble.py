"""CLI: ``peninsula compare``, ``peninsula sensitivity`` and ``peninsula discover``.

A thin edge over :mod:`peninsula.ensemble`: parse options, show a progress bar with ETA on
stderr, print rich tables on stdout, optionally save the experiment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from peninsula import defaults
from peninsula.errors import PeninsulaError

if TYPE_CHECKING:
    import pandas as pd

    from peninsula.scenario.schema import Scenario

console = Console()
err_console = Console(stderr=True)

#: Measures shown by ``compare`` unless ``--measure`` is given (those the scenario has).
HEADLINE = (
    "deal",
    "sidelined.flag",
    "sidelined.utility_loss",
    "alliance.strain",
    "nonpro.erosion",
    "arms_race.pressure",
)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar with ETA (on stderr, so stdout stays a clean table)."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _fmt(value: Any) -> str:
    if value != value:  # NaN (no pandas import on the CLI's start-up path)
        return "—"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def _cell(row: pd.Series, measure: str) -> str:
    """A yes/no measure as a probability with its 95% Monte Carlo interval; any other as the
    mean with the 5th–95th percentile of sampled worlds below it."""
    from peninsula.ensemble.measures import is_indicator
    from peninsula.estimates import percent, probability

    if is_indicator(measure):
        chance = probability(float(row["mean"]), int(row["n"]))
        low, high = percent(chance.low), percent(chance.high)
        return f"{100 * chance.value:.0f}%\n[dim]{low}–{high}% MC[/]"
    return f"{_fmt(row['mean'])}\n[dim]{_fmt(row['low'])}–{_fmt(row['high'])}[/]"


def _header(measure: str) -> str:
    """``outcome.force_posture`` → ``force_posture``; ``sidelined.flag`` → two lines."""
    if measure.startswith("outcome."):
        return measure.removeprefix("outcome.")
    return measure.replace(".", "\n", 1)


def summary_table(summary: pd.DataFrame, measures: Sequence[str], title: str) -> Table:
    """Policy × measure: mean and the 90% interval across sampled worlds."""
    table = Table(
        title=title,
        caption=(
            "yes/no measures: probability, and below it its 95% Monte Carlo (Wilson) interval "
            "(MC); other measures: mean, and below it the 5th–95th percentile across sampled "
            "worlds"
        ),
    )
    table.add_column("policy", style="bold", overflow="fold", min_width=12)
    for measure in measures:
        table.add_column(_header(measure), justify="right", no_wrap=True)
    for policy in summary.index.get_level_values("policy").unique():
        part = summary.loc[policy]
        table.add_row(policy, *(_cell(part.loc[m], m) for m in measures))
    return table


def _widen() -> None:
    if not console.is_terminal:  # piped or captured: do not squeeze tables into 80 columns
        console.width = max(console.width, 120)


def _load(scenario: str) -> Scenario:
    from peninsula.scenario.loader import load_scenario

    return load_scenario(scenario)


#: ``--measure`` help: the deprecated names are accepted, and said so once, here.
_RENAMED = (
    "The old names seoul.sidelined, seoul.role and seoul.utility_loss are accepted "
    "(deprecated) for sidelined.flag, sidelined.role and sidelined.utility_loss."
)


def _measure_names(names: Sequence[str]) -> list[str]:
    from peninsula.ensemble.measures import canonical_measure

    return [canonical_measure(name) for name in names]


def _parse_executor(executor: str) -> str:
    if executor not in ("local", "processes", "dask"):
        raise PeninsulaError(f"unknown executor {executor!r}; choose local, processes or dask")
    return executor


def compare(
    scenario: str = typer.Argument(..., help="Built-in scenario name or path to a YAML file."),
    runs: int = typer.Option(
        defaults.RUNS, "--runs", "-n", help="Sampled worlds (each runs every policy)."
    ),
    seed: int = typer.Option(defaults.SEED, "--seed", help="Random seed: same seed, same numbers."),
    executor: str = typer.Option("local", "--executor", help="local, processes or dask."),
    workers: int | None = typer.Option(None, "--workers", help="Worker processes (default: CPUs)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."
    ),
    model: list[str] = typer.Option(
        [defaults.ENSEMBLE_MODEL], "--model", "-m", help="Model(s) to run; repeatable."
    ),
    policy: list[str] = typer.Option(
        [], "--policy", "-p", help="Only these policies (repeatable); default: all + status-quo."
    ),
    measure: list[str] = typer.Option(
        [],
        "--measure",
        help=f"Measures to show (repeatable); default: the headline measures. {_RENAMED}",
    ),
    method: str = typer.Option("lhs", "--sampling", help="lhs, sobol or random."),
    save: Path | None = typer.Option(None, "--save", help="Save the experiment to this directory."),
) -> None:
    """Compare a scenario's policies across sampled worlds: a policy × measure table."""
    loaded = _load(scenario)  # a bad file fails before any engine is imported
    from peninsula.ensemble.experiment import run_experiments

    if save is not None:
        from peninsula.ensemble.store import check_save_path

        check_save_path(save)  # before the run, not after it
    _widen()
    if scheduler is not None and executor == "local":
        executor = "dask"
    with progress_bar(f"{loaded.metadata.id}: sampling worlds") as update:
        experiment = run_experiments(
            loaded,
            runs,
            seed,
            models=tuple(model),
            executor=_parse_executor(executor),
            workers=workers,
            progress=update,
            policies=tuple(policy) or None,
            method=method,
            scheduler=scheduler,
        )
    measure = _measure_names(measure)
    known = experiment.measures
    unknown = [m for m in measure if m not in known]
    if unknown:
        raise PeninsulaError(f"unknown measure {unknown[0]!r}; known: {', '.join(known)}")
    shown = list(measure) or [m for m in HEADLINE if m in known]
    outcomes = [m for m in known if m.startswith("outcome.")]
    n_policies = len(experiment.policies)
    for name in experiment.models:
        summary = experiment.summary(name)
        console.print(
            summary_table(
                summary, shown, f"{loaded.metadata.id} · model {name} · {runs} worlds × "
                f"{n_policies} policies · {defaults.describe(seed)}",
            )
        )  # fmt: skip
        if not measure:
            console.print(summary_table(summary, outcomes, f"Expected outcome per issue ({name})"))
    if save is not None:
        from peninsula.ensemble.store import save_experiment

        path = save_experiment(experiment, save)
        err_console.print(f"saved to {path}")


def sensitivity_cmd(
    scenario: str = typer.Argument(..., help="Built-in scenario name or path to a YAML file."),
    measure: str = typer.Option(
        "nonpro.erosion", "--measure", help=f"Measure to explain. {_RENAMED}"
    ),
    policy: str | None = typer.Option(None, "--policy", "-p", help="Policy (default: status-quo)."),
    runs: int = typer.Option(512, "--runs", "-n", help="Sobol' base sample N (power of 2 best)."),
    seed: int = typer.Option(defaults.SEED, "--seed"),
    model: str = typer.Option(defaults.ENSEMBLE_MODEL, "--model", "-m"),
    top: int = typer.Option(15, "--top", help="Show the inputs with the largest total index."),
) -> None:
    """Sobol' first- and total-order indices (SALib) of one measure."""
    from peninsula.scenario.policies import STATUS_QUO

    loaded = _load(scenario)
    from peninsula.ensemble.sobol import sensitivity

    [measure] = _measure_names([measure])
    _widen()
    with progress_bar(f"{loaded.metadata.id}: Sobol' design") as update:
        table = sensitivity(loaded, measure, runs, seed, policy, model=model, progress=update)
    if table["ST"].isna().all():
        console.print(f"{measure} does not vary across the sampled worlds: nothing to apportion.")
        return
    out = Table(
        title=f"Sobol' indices of {measure} ({policy or STATUS_QUO}, model {model}, N={runs}, "
        f"{defaults.describe(seed)})",
        caption="± = half-width of the 95% bootstrap interval",
    )
    for column in ("input", "S1", "ST"):
        out.add_column(column, justify="left" if column == "input" else "right")
    for name, row in table.head(top).iterrows():
        out.add_row(
            str(name),
            f"{row['S1']:.3f} ± {row['S1_conf']:.3f}",
            f"{row['ST']:.3f} ± {row['ST_conf']:.3f}",
        )
    console.print(out)


def discover_cmd(
    scenario: str = typer.Argument(..., help="Built-in scenario name or path to a YAML file."),
    policy: str = typer.Option(..., "--policy", "-p", help="The policy to stress."),
    measure: str = typer.Option(
        ..., "--measure", help=f"The measure that defines failure. {_RENAMED}"
    ),
    threshold: float = typer.Option(..., "--threshold", help="Failure threshold on the measure."),
    above: bool = typer.Option(
        True, "--above/--below", help="Fails when above (default) or below."
    ),
    runs: int = typer.Option(4000, "--runs", "-n"),
    seed: int = typer.Option(defaults.SEED, "--seed"),
    model: str = typer.Option(defaults.ENSEMBLE_MODEL, "--model", "-m"),
    executor: str = typer.Option("local", "--executor"),
    workers: int | None = typer.Option(None, "--workers"),
    min_density: float = typer.Option(0.8, "--min-density", help="Preferred box density."),
) -> None:
    """PRIM scenario discovery: the input conditions under which a policy fails."""
    loaded = _load(scenario)
    from peninsula.ensemble.discovery import discover
    from peninsula.ensemble.experiment import run_experiments

    _widen()
    with progress_bar(f"{loaded.metadata.id}: sampling worlds") as update:
        experiment = run_experiments(
            loaded,
            runs,
            seed,
            models=(model,),
            executor=_parse_executor(executor),
            workers=workers,
            progress=update,
            policies=(policy,),
        )
    [measure] = _measure_names([measure])
    result = discover(experiment, policy, measure, threshold, above, min_density=min_density)
    side = ">" if above else "<"
    console.print(
        f"[bold]{policy}[/] fails ({measure} {side} {threshold:g}) in {result.cases} of "
        f"{result.n} worlds ({result.base_rate:.1%})."
    )
    if result.cases == 0 or result.cases == result.n:
        console.print("Nothing to separate: no box to report.")
        return
    table = Table(
        title=f"PRIM box: coverage {result.coverage:.2f}, density {result.density:.2f}, "
        f"mass {result.mass:.2f}",
        caption="coverage: share of failures inside the box; density: share of the box failing",
    )
    for column in ("input", "box", "sampled range", "quasi-p"):
        table.add_column(column, justify="left" if column == "input" else "right")
    for name, row in result.limits.iterrows():
        table.add_row(
            str(name),
            f"{row['min']:.3g} – {row['max']:.3g}",
            f"{row['low']:.3g} – {row['high']:.3g}",
            f"{row['qp']:.2g}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``compare``, ``sensitivity`` and ``discover`` to the ``peninsula`` app."""
    app.command("compare")(compare)
    app.command("sensitivity")(sensitivity_cmd)
    app.command("discover")(discover_cmd)
