"""peninsula: reproducible, testable models of multi-party geopolitical crises."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from peninsula.errors import InputError, PeninsulaError

try:
    __version__ = version("peninsula")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"


if TYPE_CHECKING:
    from peninsula.scenario.schema import Scenario


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and validate a built-in scenario by name, or a scenario file by path.

    Raises :class:`InputError` (naming file, line and field) for an invalid file and
    :class:`peninsula.errors.NotFoundError` for an unknown name.
    """
    from peninsula.scenario.loader import load_scenario as _load

    return _load(name_or_path)


__all__ = ["InputError", "PeninsulaError", "__version__", "load_scenario"]
