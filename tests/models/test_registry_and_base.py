"""The registry (built-ins, plugins through entry points, errors) and the shared helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pytest

from peninsula.errors import InputError, NotFoundError
from peninsula.models import registry
from peninsula.models.base import (
    Forecast,
    Model,
    resolve_params,
    stack_forecasts,
    static_forecast,
    validate_problem,
)
from peninsula.problem import BargainingProblem

Make = Callable[..., BargainingProblem]


@dataclass(frozen=True)
class _Fixed:
    """A toy model that always forecasts the scale's midpoint."""

    name: str = "toy"
    label: str = "Toy"
    dynamic: bool = False

    def forecast(
        self,
        problem: BargainingProblem,
        params: Mapping[str, float] | None = None,
        rng: np.random.Generator | None = None,
    ) -> Forecast:
        mid = np.broadcast_to((problem.lower + problem.upper) / 2, problem.status_quo.shape)
        return static_forecast(problem, np.array(mid), self.name)


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test against the built-ins only, plugins not yet loaded (restored afterwards)."""
    monkeypatch.setattr(registry, "_REGISTRY", {m.name: m for m in registry.BUILTIN})
    monkeypatch.setattr(registry, "_plugins_loaded", False)


def test_builtin_models_satisfy_the_protocol() -> None:
    for name in registry.available_models():
        model = registry.get_model(name)
        assert isinstance(model, Model)
        assert model.name == name and model.label


def test_unknown_model_lists_the_available_ones() -> None:
    with pytest.raises(NotFoundError, match="unknown model 'nope'; available: median, "):
        registry.get_model("nope")


def test_register_adds_a_model(fresh_registry: None, make_problem: Make) -> None:
    registry.register(_Fixed())
    assert registry.available_models()[-1] == "toy"
    f = registry.get_model("toy").forecast(make_problem([0, 10], capability=[1, 1]))
    assert f.outcome[0, 0] == 50.0


def test_register_rejects_non_models() -> None:
    with pytest.raises(TypeError):
        registry.register(object())  # type: ignore[arg-type]


@dataclass(frozen=True)
class _EntryPoint:
    """What the registry reads from ``importlib.metadata.entry_points``: name, value, load()."""

    name: str
    value: str
    target: object

    def load(self) -> object:
        return self.target


def test_builtins_are_listed_explicitly_in_order(fresh_registry: None) -> None:
    assert registry.available_models() == ("median", "compromise", "nash", "eum", "smp", "exchange")


def test_entry_point_models_register_after_the_builtins(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch, make_problem: Make
) -> None:
    groups: list[str] = []

    def points(group: str) -> list[_EntryPoint]:
        groups.append(group)
        return [_EntryPoint("toy", "toyplugin:MODEL", _Fixed())]

    monkeypatch.setattr(registry, "entry_points", points)
    assert registry.available_models()[-1] == "toy"
    assert groups == ["peninsula.models"]
    f = registry.get_model("toy").forecast(make_problem([0, 10], capability=[1, 1]))
    assert f.outcome[0, 0] == 50.0  # the toy's midpoint of the 0-100 scale


def test_a_plugin_never_replaces_a_builtin(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    impostor = _Fixed(name="median")
    monkeypatch.setattr(
        registry, "entry_points", lambda group: [_EntryPoint("median", "x:M", impostor)]
    )
    assert registry.get_model("median") is not impostor


def test_an_entry_point_that_is_not_a_model_is_an_error(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        registry, "entry_points", lambda group: [_EntryPoint("bad", "bad:THING", object())]
    )
    with pytest.raises(TypeError, match=r"entry point 'bad' .* Model protocol"):
        registry.available_models()


def test_static_forecast_and_moved(make_problem: Make) -> None:
    p = make_problem([10, 20], capability=[1, 1])
    f = static_forecast(p, np.array([[15.0]]), "x")
    assert f.trajectory.shape == (1, 1, 2, 1)
    assert f.rounds.tolist() == [0] and f.converged.tolist() == [True]
    assert not f.moved.any()
    with pytest.raises(ValueError, match="outcome has shape"):
        static_forecast(p, np.array([15.0]), "x")


def test_stack_pads_short_trajectories_with_their_last_round() -> None:
    def fc(traj: list[float], rounds: int) -> Forecast:
        t = np.array(traj)[None, :, None, None]
        return Forecast("m", ("a",), ("i",), t[:, -1, 0], t, np.array([rounds]), np.array([True]))

    s = stack_forecasts([fc([0.0, 5.0], 1), fc([0.0, 1.0, 2.0, 3.0], 3)])
    assert s.trajectory[:, :, 0, 0].tolist() == [[0, 5, 5, 5], [0, 1, 2, 3]]
    assert s.rounds.tolist() == [1, 3]
    assert s.moved[:, 0, 0].tolist() == [True, True]
    assert s.take(np.array([1])).outcome.tolist() == [[3.0]]


def test_resolve_params() -> None:
    assert resolve_params("m", None, {"a": 1.0}) == {"a": 1.0}
    assert resolve_params("m", {"a": 2}, {"a": 1.0}) == {"a": 2.0}
    with pytest.raises(InputError, match="unknown parameter 'b' for model 'm'; known: a"):
        resolve_params("m", {"b": 2.0}, {"a": 1.0})


def test_validate_problem_names_the_field(make_problem: Make) -> None:
    p = make_problem([10, 20], capability=[1, 1])
    validate_problem(p)
    bad = BargainingProblem(
        actor_ids=p.actor_ids,
        issue_ids=p.issue_ids,
        position=np.array([[[np.nan], [20.0]]]),
        salience=np.array([[[1.5], [1.0]]]),
        capability=np.array([[-1.0, 1.0]]),
        status_quo=p.status_quo,
        lower=p.lower,
        upper=p.lower,
    )
    with pytest.raises(InputError) as error:
        validate_problem(bad, "median")
    message = str(error.value)
    for field in ("position", "salience", "capability", "issues.i0"):
        assert field in message
