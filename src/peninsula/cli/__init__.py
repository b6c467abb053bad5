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

app = typer.Typer(
    name="peninsula",
    help="Model a multi-party crisis from a scenario file: forecasts, risks, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peninsula {peninsula.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """peninsula: reproducible models of a live geopolitical crisis."""


# --- command registrations (one line per capability module) ---
from peninsula.cli.scenario import register as _register_scenario  # noqa: E402

_register_scenario(app)
from peninsula.cli.report import register as _register_report  # noqa: E402

_register_report(app)
from peninsula.cli.models import register as _register_models  # noqa: E402

_register_models(app)
from peninsula.cli.score import register as _register_score  # noqa: E402

_register_score(app)
from peninsula.cli.crisis import register as _register_crisis  # noqa: E402

_register_crisis(app)
from peninsula.cli.events import register as _register_events  # noqa: E402

_register_events(app)
from peninsula.cli.ensemble import register as _register_ensemble  # noqa: E402

_register_ensemble(app)
from peninsula.cli.deals import register as _register_deals  # noqa: E402

_register_deals(app)
# --- end of command registrations ---


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; user errors print a clear message and exit with status 2."""
    try:
        # Outside standalone mode typer *returns* the exit code of a `typer.Exit` it caught,
        # including the 130 it turns Ctrl-C into; dropping it would make an interrupted run
        # exit 0, as if it had succeeded.
        code = app(args=argv, standalone_mode=False)
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
