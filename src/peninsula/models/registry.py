"""Models by name: ``get_model("nash")``, ``available_models()``.

The built-in models live one per module in this package, each defining a module-level
``MODEL``; they are imported on first use, in the order of ``_MODULES`` (which is the
registration order reported by :func:`available_models`). A module that does not exist (yet)
is skipped; any other import error is a real bug and propagates.
"""

from __future__ import annotations

import importlib

from peninsula.errors import NotFoundError
from peninsula.models.base import Model

_MODULES = ("median", "compromise", "nash", "eum", "smp", "exchange")

# The registry is the one piece of module state: a name → model table filled at import time
# (built-ins) or by explicit register() calls. Models themselves are immutable.
_REGISTRY: dict[str, Model] = {}
_loaded = False


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module_name in _MODULES:
        qualified = f"{__package__}.{module_name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as error:
            if error.name == qualified:
                continue  # not written yet: skip only this exact module
            raise
        model = getattr(module, "MODEL", None)
        if model is not None and model.name not in _REGISTRY:
            _REGISTRY[model.name] = model


def register(model: Model) -> Model:
    """Add (or replace) a model under ``model.name``; returns it (usable as a decorator)."""
    _load_builtins()
    if not isinstance(model, Model):
        raise TypeError(f"{model!r} does not implement the Model protocol")
    _REGISTRY[model.name] = model
    return model


def available_models() -> tuple[str, ...]:
    """Names of the registered models, in registration order."""
    _load_builtins()
    return tuple(_REGISTRY)


def get_model(name: str) -> Model:
    """The model registered as ``name``; unknown names list the available ones."""
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(available_models()) or "(none)"
        raise NotFoundError(f"unknown model {name!r}; available: {known}") from None
