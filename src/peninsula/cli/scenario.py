"""CLI commands for scenarios: ``scenarios``, ``show``, ``validate`` and ``generate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from peninsula.errors import PeninsulaError

if TYPE_CHECKING:
    from rich.table import Table

    from peninsula.scenario.schema import Scenario

console = Console()


def scenarios() -> None:
    """List the built-in scenarios."""
    from rich.table import Table  # here, not at the top: validate prints no table

    table = Table(title="Built-in scenarios")
    for column in ("name", "title", "as of", "actors", "issues", "policies"):
        table.add_column(column)
    from peninsula.scenario.loader import builtin_names, load_scenario

    for name in builtin_names():
        s = load_scenario(name)
        table.add_row(
            name,
            s.metadata.title,
            s.metadata.as_of.isoformat(),
            str(len(s.actors)),
            str(len(s.issues)),
            str(len(s.policies)),
        )
    console.print(table)


def _issues_table(s: Scenario) -> Table:
    from rich.table import Table

    table = Table(title="Issues (scale, anchors, status quo)", show_lines=True)
    for column in ("issue", "scale", "anchors", "status quo"):
        table.add_column(column)
    for issue in s.issues:
        anchors = "\n".join(f"{a.at:g}: {a.label}" for a in issue.scale.anchors)
        table.add_row(
            f"[bold]{issue.id}[/]\n{issue.label}",
            f"{issue.scale.min:g}–{issue.scale.max:g}",
            anchors,
            issue.status_quo.text(),
        )
    return table


def _matrix(s: Scenario, field: str, digits: int) -> Table:
    from rich.table import Table

    title = "Positions (ideal points)" if field == "position" else "Salience (0–1)"
    table = Table(title=f"{title}: actors × issues")
    table.add_column("actor")
    table.add_column("capability", justify="right")
    for issue in s.issues:
        table.add_column(issue.id, justify="right")
    for actor in s.actors:
        cells = []
        for issue in s.issues:
            stance = actor.stances.get(issue.id)
            cells.append(getattr(stance, field).text(digits) if stance else "—")
        table.add_row(f"{actor.id} [dim]{actor.name}[/]", actor.capability.text(), *cells)
    return table


def _relations_table(s: Scenario) -> Table:
    from rich.table import Table

    table = Table(title="Relations")
    for column in ("between", "kind", "strength", "note"):
        table.add_column(column)
    for r in s.relations:
        table.add_row(" – ".join(r.between), r.kind, r.strength.text(2), r.description)
    return table


def _policies_table(s: Scenario) -> Table:
    from rich.table import Table

    table = Table(title="Policy options (levers)", show_lines=True)
    for column in ("policy", "changes"):
        table.add_column(column)
    for p in s.policies:
        changes = "\n".join(_describe_change(c) for c in p.changes)
        table.add_row(f"[bold]{p.id}[/]\n{p.label}", changes)
    return table


def _describe_change(change: object) -> str:
    data = change.model_dump(exclude_none=True) if hasattr(change, "model_dump") else {}
    return ", ".join(f"{k}={_short(v)}" for k, v in data.items())


def _short(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "/".join(str(v) for v in value)
    return str(value)


def show(
    scenario: str = typer.Argument(..., help="A built-in scenario name or a path to a YAML file."),
) -> None:
    """Render a scenario: issues, actors × issues positions and salience, relations, policies."""
    from peninsula.scenario.loader import load_scenario

    s = load_scenario(scenario)
    m = s.metadata
    console.print(f"[bold]{m.title}[/]  [dim]{m.id} v{m.version}, as of {m.as_of}[/]")
    if m.description:
        console.print(m.description.strip())
    console.print(_issues_table(s))
    console.print(_matrix(s, "position", 0))
    console.print(_matrix(s, "salience", 2))
    if s.relations:
        console.print(_relations_table(s))
    if s.policies:
        console.print(_policies_table(s))
    console.print(f"[dim]{len(m.sources)} sources; numbers cite them by id (see the YAML).[/]")


def validate(
    files: list[Path] = typer.Argument(..., help="Scenario files to check."),
) -> None:
    """Validate scenario files; prints every problem with file, line and field (exit 2 if any)."""
    from peninsula.scenario.loader import load_scenario

    failures: list[str] = []
    for file in files:
        try:
            s = load_scenario(str(file))
        except PeninsulaError as error:
            failures.append(str(error))
            continue
        console.print(f"[green]ok[/] {file}: {len(s.actors)} actors, {len(s.issues)} issues")
    if failures:
        raise _ValidationFailedError(failures)


class _ValidationFailedError(PeninsulaError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))


def generate(
    out: Path = typer.Argument(..., help="YAML file to write."),
    actors: int = typer.Option(200, "--actors", help="Number of actors (>= 2)."),
    issues: int = typer.Option(5, "--issues", help="Number of issues (>= 1)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random numbers."),
) -> None:
    """Write a generated scenario (random numbers, for scale tests) to a YAML file."""
    import yaml

    from peninsula.files import check_writable, write_text
    from peninsula.scenario.generate import generated_data

    if actors < 2 or issues < 1:
        raise PeninsulaError("--actors must be >= 2 and --issues >= 1")
    check_writable(out)
    data = generated_data(actors, issues, seed)
    header = "# Generated by `peninsula generate`: random numbers for scale tests, no real case.\n"
    write_text(out, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    console.print(f"wrote {out}: {actors} actors, {issues} issues (seed {seed})")


def register(app: typer.Typer) -> None:
    app.command("scenarios")(scenarios)
    app.command("show")(show)
    app.command("validate")(validate)
    app.command("generate")(generate)
