"""Errors a user can act on.

Everything that is the user's fault (a bad file, an unknown name, a value out of range) is
raised as a :class:`PeninsulaError` whose message names the file, line and field. The CLI
prints the message and exits with status 2; it never shows a traceback for these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class PeninsulaError(Exception):
    """Base class of user-facing errors; ``str(error)`` is the complete message."""

    exit_code = 2


@dataclass(frozen=True)
class Located:
    """One problem at a place in a file: ``file:line: field: message``."""

    message: str
    file: Path | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class InputError(PeninsulaError):
    """One or more problems in user input, each located as precisely as possible."""

    def __init__(self, problems: Sequence[Located]) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems]
        head = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  " + "\n  ".join(lines)
        super().__init__(head)


class NotFoundError(PeninsulaError):
    """A named thing (scenario, policy, model, actor ...) does not exist."""
