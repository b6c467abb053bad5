"""Bargaining models: forecast where each issue of a scenario settles (issue #3).

Every model takes a :class:`~peninsula.problem.BargainingProblem` (a batch of ``B`` variants of
``n`` actors bargaining over ``k`` independent issues) and returns a
:class:`~peninsula.models.base.Forecast`. Models are registered by name in
:mod:`peninsula.models.registry`; adding a model is adding one module that defines ``MODEL``.
"""

from __future__ import annotations

from peninsula.models.base import Forecast, Model
from peninsula.models.registry import available_models, get_model, register

__all__ = ["Forecast", "Model", "available_models", "get_model", "register"]
