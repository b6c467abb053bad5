"""Run the ``peninsula`` CLI in-process, as a user would, for the CLI tests of every area.

Lives beside the test packages (pytest puts ``tests/`` on ``sys.path``), so each area's
``test_cli.py`` imports it instead of keeping its own copy.
"""

from __future__ import annotations

import pytest

from peninsula.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``peninsula ARGS`` (``main`` always exits)."""
    with pytest.raises(SystemExit) as done:
        main(args)
        raise SystemExit(0)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err
