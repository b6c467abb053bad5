"""Bargaining models: forecast where each issue of a scenario settles (issue #3).

Every model takes a :class:`~peninsula.problem.BargainingProblem` (a batch of ``B`` variants of
``n`` actors bargaining over ``k`` independent issues) and returns a
:class:`~peninsula.models.base.Forecast`. The built-in models are listed in
:mod:`peninsula.models.registry` (other packages add theirs through the ``peninsula.models``
entry point group). The capability × salience weights and weighted mean every model and
summary shares are :func:`influence_weights` and :func:`weighted_mean`;
:func:`forecast_scenario` runs models on a scenario (``peninsula forecast``, the report).
"""

from __future__ import annotations

from peninsula.models.base import Forecast, Model, influence_weights, weighted_mean
from peninsula.models.forecast import ScenarioForecast, forecast_scenario, mean_trajectory
from peninsula.models.registry import available_models, get_model, register

__all__ = [
    "Forecast",
    "Model",
    "ScenarioForecast",
    "available_models",
    "forecast_scenario",
    "get_model",
    "influence_weights",
    "mean_trajectory",
    "register",
    "weighted_mean",
]
