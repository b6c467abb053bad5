"""Content objects: charts must be labelled; engines missing vs engines broken."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from peninsula.report.content import Cell, Chart, EngineUnavailable, Series, Table, engine


def _series() -> tuple[Series, ...]:
    return (Series("a", (1, 2), (3.0, 4.0)),)


def test_chart_needs_title_and_axis_labels() -> None:
    with pytest.raises(ValueError, match="title"):
        Chart("c", "", "Round (number)", "Position (0–100)", _series(), "d")
    with pytest.raises(ValueError, match="title"):
        Chart("c", "T", "Round (number)", " ", _series(), "d")


def test_numeric_axis_label_must_give_a_unit() -> None:
    with pytest.raises(ValueError, match="unit"):
        Chart("c", "T", "Round", "Position (0–100)", _series(), "d")
    with pytest.raises(ValueError, match="unit"):
        Chart("c", "T", "Round (number)", "Position", _series(), "d")
    # A category axis has no unit: the labels are the categories.
    Chart(
        "c",
        "T",
        "Issue",
        "Position (0–100)",
        (Series("a", ("x", "y"), (1.0, 2.0)),),
        "d",
        x_kind="category",
    )


def test_series_and_table_shapes_are_checked() -> None:
    with pytest.raises(ValueError):
        Series("a", (1, 2, 3), (1.0, 2.0))
    with pytest.raises(ValueError):
        Table("t", "c", ("a", "b"), ((Cell("only one"),),))


def test_missing_peninsula_module_is_unavailable() -> None:
    with pytest.raises(EngineUnavailable, match="not built yet"):
        engine("peninsula.no_such_engine.api", "run")


def test_missing_function_is_unavailable() -> None:
    with pytest.raises(EngineUnavailable, match="`no_such_function`"):
        engine("peninsula.scenario", "load_scenario", "no_such_function")
    assert engine("peninsula.scenario", "load_scenario").load_scenario is not None


def test_engine_with_a_missing_dependency_is_a_real_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An engine that exists but imports something not installed must not be hidden as
    # "not yet available": that is an installation error the user has to see.
    (tmp_path / "broken_engine_for_test.py").write_text("import not_installed_package_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        engine("broken_engine_for_test", "run")
    sys.modules.pop("broken_engine_for_test", None)
