"""Content objects: charts must be labelled, series and tables well shaped."""

from __future__ import annotations

import pytest

from peninsula.report.content import Cell, Chart, Series, Table


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
