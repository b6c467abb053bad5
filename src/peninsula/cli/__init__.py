"""The ``peninsula`` command line: a thin layer over the Python API.

Each capability contributes its commands from its own module here (``cli/events.py`` ...);
this module only assembles them and turns user-facing errors into a message and exit status 2.
The command modules live here rather than inside their engine packages so that ``peninsula
--help`` and a rejected command never import an engine: each command imports what it runs
when it runs (``bench/bench_cli.py`` measures the start-up; ``tests/cli`` checks which heavy
libraries stay unimported).
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

import peninsula
from peninsula.errors import PeninsulaError

err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peninsula {peninsula.__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """peninsula: reproducible models of a live geopolitical crisis."""


#: The command modules, in the order ``peninsula --help`` lists their commands.
MODULES = ("scenario", "report", "models", "score", "crisis", "events", "ensemble", "deals")
#: The module that registers each command (tests/cli/test_startup.py checks this against
#: what the modules register). A command run by name needs only its own module: ``peninsula
#: validate`` then neither imports nor (with bytecode caching off) compiles the other seven,
#: and typer builds one group of 4 commands instead of 19.
COMMANDS = {
    "scenarios": "scenario",
    "show": "scenario",
    "validate": "scenario",
    "generate": "scenario",
    "report": "report",
    "forecast": "models",
    "models": "models",
    "score": "score",
    "simulate": "crisis",
    "crisis-fit": "crisis",
    "crisis-backtest": "crisis",
    "crisis-effects": "crisis",
    "crisis-data": "crisis",
    "events": "events",
    "compare": "ensemble",
    "sensitivity": "ensemble",
    "discover": "ensemble",
    "deals": "deals",
}


def build_app(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """The command line with the commands of ``modules`` (all by default), always registered
    in :data:`MODULES` order so that ``--help`` lists them the same way every time."""
    app = typer.Typer(
        name="peninsula",
        help="Model a multi-party crisis from a scenario file: forecasts, risks, reports.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    # Plain imports, one per module, so that a reader sees every command module from here.
    if "scenario" in modules:
        from peninsula.cli import scenario

        scenario.register(app)
    if "report" in modules:
        from peninsula.cli import report

        report.register(app)
    if "models" in modules:
        from peninsula.cli import models

        models.register(app)
    if "score" in modules:
        from peninsula.cli import score

        score.register(app)
    if "crisis" in modules:
        from peninsula.cli import crisis

        crisis.register(app)
    if "events" in modules:
        from peninsula.cli import events

        events.register(app)
    if "ensemble" in modules:
        from peninsula.cli import ensemble

        ensemble.register(app)
    if "deals" in modules:
        from peninsula.cli import deals

        deals.register(app)
    return app


def app_for(argv: list[str]) -> typer.Typer:
    """The command line ``argv`` needs: only the named command's module when the first
    argument names a command, else every command (``--help``, ``--version``, a typo that
    deserves click's list of commands)."""
    module = COMMANDS.get(argv[0]) if argv else None
    return build_app((module,) if module is not None else MODULES)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; user errors print a clear message and exit with status 2."""
    try:
        # Outside standalone mode typer *returns* the exit code of a `typer.Exit` it caught,
        # including the 130 it turns Ctrl-C into; dropping it would make an interrupted run
        # exit 0, as if it had succeeded.
        args = sys.argv[1:] if argv is None else list(argv)
        code = app_for(args)(args=args, standalone_mode=False)
    except PeninsulaError as error:
        err_console.print(
            f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True
        )
        sys.exit(error.exit_code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as usage:  # click's usage errors arrive here in non-standalone mode
        # Recognised by shape, not class: recent typer releases vendor click (typer._click),
        # so `click.ClickException` is not the class typer raises.
        show, usage_code = getattr(usage, "show", None), getattr(usage, "exit_code", None)
        if callable(show) and isinstance(usage_code, int):
            show()
            sys.exit(usage_code)
        raise
    if type(code) is int and code != 0:  # a command's own return value is not an exit code
        if code == 130:
            err_console.print("interrupted")
        sys.exit(code)
