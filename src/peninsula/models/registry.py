"""Models by name: ``get_model("nash")``, ``available_models()``.

The built-in models are listed here explicitly, in the order :func:`available_models` reports
them. Models from other packages join through the ``peninsula.models`` entry point group
(``importlib.metadata``): a distribution declares, e.g. in its ``pyproject.toml``::

    [project.entry-points."peninsula.models"]
    mymodel = "mypackage.mymodule:MODEL"

and every such object that implements :class:`~peninsula.models.base.Model` is registered
under its ``name`` after the built-ins (a built-in name is never replaced by a plugin).
"""

from __future__ import annotations

from importlib.metadata import entry_points

from peninsula.errors import NotFoundError
from peninsula.models import compromise, eum, exchange, median, nash, smp
from peninsula.models.base import Model

#: Entry point group through which other packages add models.
ENTRY_POINT_GROUP = "peninsula.models"

BUILTIN: tuple[Model, ...] = (
    median.MODEL,
    compromise.MODEL,
    nash.MODEL,
    eum.MODEL,
    smp.MODEL,
    exchange.MODEL,
)

# The registry is the one piece of module state: a name → model table filled from BUILTIN,
# then from the entry points on first use, then by explicit register() calls.
_REGISTRY: dict[str, Model] = {model.name: model for model in BUILTIN}
_plugins_loaded = False


def _load_plugins() -> None:
    """Register the models other distributions declare (once; a broken plugin propagates)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        model = point.load()
        if not isinstance(model, Model):
            raise TypeError(
                f"entry point {point.name!r} ({point.value}) in group {ENTRY_POINT_GROUP!r} "
                "does not implement the Model protocol"
            )
        _REGISTRY.setdefault(model.name, model)


def register(model: Model) -> Model:
    """Add (or replace) a model under ``model.name``; returns it (usable as a decorator)."""
    _load_plugins()
    if not isinstance(model, Model):
        raise TypeError(f"{model!r} does not implement the Model protocol")
    _REGISTRY[model.name] = model
    return model


def available_models() -> tuple[str, ...]:
    """Names of the registered models: the built-ins, then plugins, then ``register`` calls."""
    _load_plugins()
    return tuple(_REGISTRY)


def get_model(name: str) -> Model:
    """The model registered as ``name``; unknown names list the available ones."""
    _load_plugins()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(available_models()) or "(none)"
        raise NotFoundError(f"unknown model {name!r}; available: {known}") from None
