"""Model parameters from the command line: ``--param MODEL.KEY=VALUE``.

Every model module declares its parameters and their defaults in one place, its module-level
``DEFAULTS`` (a name → number table; flags are 0/1). This module reads those tables — so a new
model's parameters are listed and validated without registering them twice — and parses the
user's ``MODEL.KEY=VALUE`` strings against them. Ranges are checked by the model itself when
it runs (each model's own validation names the field, e.g. ``eum.Q: must lie in [0, 1]``).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence

from peninsula.errors import InputError, Located
from peninsula.models.base import Model
from peninsula.models.registry import available_models, get_model


def parameter_defaults(model: Model) -> dict[str, float]:
    """The parameters ``model`` accepts with their defaults (its module's ``DEFAULTS``)."""
    module = sys.modules.get(type(model).__module__)
    table = getattr(module, "DEFAULTS", None) if module is not None else None
    return dict(table) if isinstance(table, Mapping) else {}


def parse_params(
    specs: Sequence[str], models: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    """``["eum.Q=0.5", "nash.utility=0"]`` → ``{"eum": {"Q": 0.5}, "nash": {"utility": 0.0}}``.

    Every problem is reported at once: a spec not of the form ``MODEL.KEY=VALUE``, an unknown
    model, a model not among ``models`` (the ones being run; a parameter that would be
    silently ignored is an error), an unknown key (the message lists the known ones) or a
    value that is not a finite number. A key given twice keeps the last value.
    """
    running = tuple(models) if models is not None else available_models()
    parsed: dict[str, dict[str, float]] = {}
    problems: list[Located] = []
    for spec in specs:
        head, sep, raw = spec.partition("=")
        model_name, dot, key = head.strip().partition(".")
        where = f"--param {spec}"
        if not sep or not dot or not model_name or not key:
            problems.append(Located("expected MODEL.KEY=VALUE, e.g. eum.Q=0.5", field=where))
            continue
        if model_name not in available_models():
            known = ", ".join(available_models())
            problems.append(Located(f"unknown model {model_name!r}; known: {known}", field=where))
            continue
        if model_name not in running:
            problems.append(
                Located(f"model {model_name!r} is not among the models run", field=where)
            )
            continue
        defaults = parameter_defaults(get_model(model_name))
        if key not in defaults:
            known = ", ".join(sorted(defaults)) or "(none)"
            problems.append(
                Located(f"unknown parameter {key!r} of {model_name}; known: {known}", field=where)
            )
            continue
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(Located(f"value {raw!r} is not a finite number", field=where))
            continue
        parsed.setdefault(model_name, {})[key] = value
    if problems:
        raise InputError(problems)
    return parsed
