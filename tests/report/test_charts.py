"""Charts: every figure in the report is titled and labelled, and renders both ways."""

from __future__ import annotations

import csv
import io
import math

from peninsula.report.charts import (
    PALETTE,
    chart_csv,
    error_lengths,
    layout_size,
    plotly_spec,
    to_plotly,
    to_png,
)
from peninsula.report.content import Annotation, Band, Chart, Report, Series

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_palette_is_okabe_ito_without_repeats() -> None:
    okabe_ito = {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert set(PALETTE) == okabe_ito and len(PALETTE) == len(okabe_ito)


def _kinds() -> list[Chart]:
    x = (0, 1, 2)
    band = Band((0.0, 1.0, 2.0), (2.0, 3.0, 4.0), "90% interval")
    return [
        Chart(
            "line",
            "Line",
            "Round (number)",
            "Position (0–100)",
            (Series("a", x, (1.0, 2.0, 3.0), bands=(band,)),),
            "d",
        ),
        Chart(
            "dates",
            "Dates",
            "Month (date)",
            "Goldstein score (−10–10)",
            (Series("a", ("2018-01-01", "2018-02-01", "2018-03-01"), (1.0, -2.0, 3.0)),),
            "d",
            x_kind="date",
            annotations=(Annotation("2018-02-01", "summit"),),
        ),
        Chart(
            "bars",
            "Bars",
            "Policy",
            "Share (%)",
            (
                Series("a", ("p", "q", "r"), (1.0, 2.0, 3.0), "bar", (band,)),
                Series("b", ("p", "q", "r"), (2.0, 1.0, 3.0), "bar"),
            ),
            "d",
            x_kind="category",
            horizontal=True,
            reference_lines=((2.5, "threshold"),),
        ),
        Chart(
            "markers",
            "Markers",
            "Issue",
            "Position (0–100)",
            (Series("a", ("p", "q", "r"), (1.0, 2.0, 3.0), "markers", (band,)),),
            "d",
            x_kind="category",
        ),
    ]


def test_every_kind_renders_to_png_and_plotly() -> None:
    for chart in _kinds():
        assert to_png(chart).startswith(PNG_MAGIC)
        figure = to_plotly(chart)
        layout = figure.layout
        # The title is an HTML heading above the plot (it wraps on a phone and cannot
        # overlap the y-axis title), so the figure itself has none.
        assert layout.title.text is None
        assert layout.xaxis.title.text and layout.yaxis.title.text


def test_png_is_reproducible() -> None:
    chart = _kinds()[0]
    assert to_png(chart) == to_png(chart)


def test_every_report_chart_has_title_labels_and_units(small_report: Report) -> None:
    charts = small_report.charts
    assert charts, "the scenario section alone has a chart"
    ids = [c.id for c in charts]
    assert len(ids) == len(set(ids)), "chart ids are unique (they are HTML ids)"
    for chart in charts:
        figure = to_plotly(chart)
        assert chart.title.strip()
        assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text
        assert "(" in chart.y_label


def test_error_bars_are_never_negative() -> None:
    # upper 1.0 below a centre 1.0 + 1e-17 by rounding: length 0, not a matplotlib error;
    # a missing band (NaN) stays NaN (no bar)
    assert error_lengths([1.0, 3.0, float("nan")], [1.0 + 1e-15, 1.0, 2.0])[:2] == [0.0, 2.0]
    assert math.isnan(error_lengths([float("nan")], [0.0])[0])


def test_layout_keeps_legend_below_and_categories_in_reading_order() -> None:
    line, _dates, bars, markers = _kinds()
    figure = to_plotly(bars)
    assert figure.layout.yaxis.autorange == "reversed"  # first category on top, as in the PNG
    assert figure.layout.legend.yref == "container" and figure.layout.legend.y == 0
    # a line on a numeric axis is never shifted sideways; markers per category are grouped
    assert to_plotly(line).layout.scattermode == "overlay"
    assert to_plotly(markers).layout.scattermode == "group"
    # more legend entries than fit on one row -> more room below the plot
    many = Chart(
        "many",
        "Many",
        "Round (number)",
        "Position (0–100)",
        tuple(Series(f"a rather long series name {i}", (0, 1), (1.0, 2.0)) for i in range(8)),
        "d",
    )
    assert layout_size(many)["legend_rows"] > 1
    assert layout_size(many)["bottom"] > layout_size(line)["bottom"]


def test_csv_holds_every_point_with_its_bands() -> None:
    line, _dates, bars, _markers = _kinds()
    rows = list(csv.reader(io.StringIO(chart_csv(line))))
    # header: series, both axis labels (with units), then low/high per band label
    assert rows[0] == [
        "series",
        "Round (number)",
        "Position (0–100)",
        "90% interval: low",
        "90% interval: high",
    ]
    assert rows[1:] == [
        ["a", "0", "1", "0", "2"],
        ["a", "1", "2", "1", "3"],
        ["a", "2", "3", "2", "4"],
    ]
    rows = list(csv.reader(io.StringIO(chart_csv(bars))))
    # series b has no band: its band cells are empty, not zero; 2 series x 3 categories
    assert len(rows) == 1 + 6
    assert rows[4] == ["b", "p", "2", "", ""]


def test_plotly_spec_leaves_the_shared_template_out() -> None:
    spec = plotly_spec(_kinds()[2])
    assert "template" not in spec["layout"]
    assert [t["type"] for t in spec["data"]] == ["bar", "bar"]
    assert spec["fit"]["rows"] == 1 and spec["fit"]["legend"] == ["a", "b"]
