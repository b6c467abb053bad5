"""peninsula: reproducible, testable models of multi-party geopolitical crises."""

from importlib.metadata import PackageNotFoundError, version

from peninsula.errors import InputError, PeninsulaError

try:
    __version__ = version("peninsula")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"


def load_scenario(name_or_path: str):  # type: ignore[no-untyped-def]
    """Load and validate a built-in scenario by name, or a scenario file by path."""
    from peninsula.scenario.loader import load_scenario as _load

    return _load(name_or_path)


__all__ = ["InputError", "PeninsulaError", "__version__", "load_scenario"]
