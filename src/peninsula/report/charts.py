"""Turn a :class:`~peninsula.report.content.Chart` into a plotly figure, a static PNG or CSV.

In HTML the chart's title is an HTML heading above the plot, not part of the plotly figure: it
wraps with the page on any screen width and can never collide with an axis title. The PNG (for
the Markdown twin) keeps its title, since it stands alone. The CSV is the data behind the chart,
offered for download next to it.

Colours follow the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which stays
distinguishable under the common forms of colour-vision deficiency; lines also differ in dash
pattern where a chart has many series, so colour is never the only cue.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from typing import Any

import numpy as np

from peninsula.report.content import Chart, Series

# Okabe–Ito, reordered so the low-contrast yellow comes last.
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
_MPL_DASHES = {"solid": "-", "dash": "--", "dot": ":", "dashdot": "-.", "longdash": "--"}
_MPL_DASHES["longdashdot"] = "-."


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def error_lengths(upper: Any, lower: Any) -> list[float]:
    """Error-bar lengths ``upper - lower``, never negative: a centre that falls (by rounding,
    or because it is a mean) just outside its percentile band gets a zero-length bar rather
    than an error from matplotlib. NaN (no band) stays NaN and draws no bar."""
    diff = np.asarray(upper, dtype=float) - np.asarray(lower, dtype=float)
    return [float(v) for v in np.where(np.isnan(diff), np.nan, np.maximum(diff, 0.0))]


def _dash(chart: Chart, index: int, series: Series) -> str:
    if series.dash:
        return "dash"
    return DASHES[(index // len(PALETTE)) % len(DASHES)] if len(chart.series) > 1 else "solid"


# --------------------------------------------------------------------------- plotly
def to_plotly(chart: Chart, template: bool = True) -> Any:
    """An interactive plotly figure; intervals become shaded bands or error bars.

    ``template=False`` leaves out the ``plotly_white`` template, for :func:`plotly_spec`, which
    drops it from every figure anyway (the page embeds it once): validating the template on
    assignment was two thirds of the time of building a figure, 1.8 s of the report's 24.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for index, series in enumerate(chart.series):
        for trace in _plotly_traces(chart, index, series):
            figure.add_trace(trace)
    for value, label in chart.reference_lines:
        line = {"dash": "dot", "color": "#555555"}
        if chart.horizontal:
            figure.add_vline(x=value, line=line, annotation_text=label)
        else:
            figure.add_hline(y=value, line=line, annotation_text=label)
    for order, note in enumerate(chart.annotations):
        short = len(note.text) <= 3  # a number keyed to a table: upright, above the line
        figure.add_vline(x=_plotly_x(note.x, chart), line={"dash": "dot", "color": "#777777"})
        figure.add_annotation(
            x=_plotly_x(note.x, chart),
            y=1.0,
            yref="paper",
            text=note.text,
            showarrow=False,
            textangle=0 if short else -90,
            xanchor="center" if short else "right",
            yanchor="bottom" if short else "top",
            font={"size": 11 if short else 10, "color": "#222222"},
            bgcolor="rgba(255,255,255,0.8)" if short else None,
            # neighbouring numbers alternate between two heights so close months stay legible
            yshift=14 * (order % 2) if short else 0,
        )
    x_title, y_title = chart.x_label, chart.y_label
    if chart.horizontal:
        x_title, y_title = y_title, x_title
    size = layout_size(chart, width=460 if chart.compact else 980)
    if template:
        figure.update_layout(template="plotly_white")
    figure.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        colorway=list(PALETTE),
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#222222"},
        height=size["height"],
        margin={"l": size["left"], "r": 30, "t": size["top"], "b": size["bottom"]},
        # Below the plot, so a long legend never covers the title or the data.
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 0.0,
            "yref": "container",
            "yanchor": "bottom",
            "font": {"size": 12},
        },
        showlegend=size["legend_rows"] > 0,
        barmode="group",
        # Markers side by side within a category; on a numeric or date axis, never shift.
        scattermode="group" if chart.x_kind == "category" else "overlay",
        hovermode="closest",
    )
    # Margins are computed here (``layout_size``), not by plotly's automargin, which redraws
    # every chart once more and doubled the page's drawing time (issue 14).
    figure.update_xaxes(automargin=False)
    figure.update_yaxes(automargin=False)
    if chart.y_range is not None:
        if chart.horizontal:
            figure.update_xaxes(range=list(chart.y_range))
        else:
            figure.update_yaxes(range=list(chart.y_range))
    if chart.x_kind == "date":
        figure.update_xaxes(type="date")
    elif chart.x_kind == "category" and not chart.horizontal:
        figure.update_xaxes(type="category")
    if chart.horizontal:  # first category at the top, reading order (as in the static PNG)
        figure.update_yaxes(autorange="reversed")
    return figure


def legend_entries(chart: Chart) -> list[str]:
    """The names the legend shows: one per series, plus the band of a lone line series."""
    names = [s.name for s in chart.series]
    if len(chart.series) == 1:
        only = chart.series[0]
        names = (
            [f"{only.name}: {b.label}" for b in only.bands] + names if only.mode == "line" else []
        )
    return names


def title_width(chart: Chart) -> int:
    """Characters per title line: a half-width chart wraps its title instead of clipping it."""
    return 55 if chart.compact else 110


def tick_text(chart: Chart) -> tuple[int, int]:
    """(longest line in characters, most lines) of the wrapped category labels; (0, 0) when
    the category axis has none."""
    if chart.x_kind != "category":
        return (0, 0)
    labels = [wrap(v).split("<br>") for v in chart.series[0].x]
    return (max(len(line) for lines in labels for line in lines), max(len(x) for x in labels))


def layout_size(chart: Chart, width: int = 980) -> dict[str, int]:
    """Figure height and margins (px) that leave room for wrapped tick labels and a legend
    laid out below the plot (assumes ~7 px per character at the 12–13 px fonts; the page
    script redoes this arithmetic for a phone's width, see ``plotly_spec``)."""
    entries = legend_entries(chart)
    rows, used = (1 if entries else 0), 0
    for name in entries:
        need = 7 * len(name) + 50
        if used and used + need > width:
            rows, used = rows + 1, 0
        used += need
    chars, lines = tick_text(chart)
    tick_lines = lines if chart.x_kind == "category" else 1
    # Below the plot: tick labels and the axis title (plotly keeps the title inside this
    # margin), then the legend rows.
    bottom = 40 + 24 * rows + (18 if chart.horizontal else 14 * tick_lines + 24)
    # The title is HTML above the figure; the top margin only holds numbered annotations.
    top = 16 + (34 if any(len(a.text) <= 3 for a in chart.annotations) else 0)
    # Category labels beside a horizontal chart, else numbers (at most ~5 characters).
    left = max(70, 7 * chars + 45) if chart.horizontal else 70
    if chart.horizontal:
        per_row = max(30, 16 * tick_lines + 12, 12 * len(chart.series) + 12)
        plot = per_row * len(chart.series[0].x)
    else:
        plot = 300
    return {
        "height": top + bottom + plot,
        "top": top,
        "bottom": bottom,
        "left": left,
        "legend_rows": rows,
    }


def _plotly_x(x: Any, chart: Chart) -> Any:
    return str(x) if chart.x_kind == "date" else x


def wrap(label: Any, width: int = 18, newline: str = "<br>") -> str:
    """Break a long category label over lines so axis labels never overlap."""
    return newline.join(textwrap.wrap(str(label), width)) or str(label)


def _plotly_traces(chart: Chart, index: int, series: Series) -> list[Any]:
    import plotly.graph_objects as go

    hue = colour(index)
    x, y = list(series.x), list(series.y)
    if chart.x_kind == "category":
        x = [wrap(v) for v in x]
    traces: list[Any] = []
    if series.mode == "line":
        for depth, band in enumerate(series.bands):
            traces.append(
                go.Scatter(
                    x=x + x[::-1],
                    y=list(band.high) + list(band.low)[::-1],
                    fill="toself",
                    fillcolor=_rgba(hue, 0.12 + 0.1 * depth),
                    line={"width": 0},
                    hoverinfo="skip",
                    name=f"{series.name}: {band.label}",
                    legendgroup=series.name if len(chart.series) > 1 else None,
                    showlegend=len(chart.series) == 1,
                )
            )
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=series.name,
                legendgroup=series.name if len(chart.series) > 1 else None,
                line={"color": hue, "width": 2.2, "dash": _dash(chart, index, series)},
            )
        )
        return traces
    error: dict[str, Any] | None = None
    if series.bands:
        band = series.bands[0]
        error = {
            "type": "data",
            "symmetric": False,
            "array": error_lengths(band.high, y),
            "arrayminus": error_lengths(y, band.low),
            "color": "#333333",
            "thickness": 1.5,
        }
    horizontal = chart.horizontal
    common: dict[str, Any] = {
        "name": series.name,
        "x": y if horizontal else x,
        "y": x if horizontal else y,
        ("error_x" if horizontal else "error_y"): error,
    }
    if horizontal:
        common["orientation"] = "h"
    if series.mode == "bar":
        traces.append(go.Bar(marker_color=hue, **common))
    else:
        symbols = ("circle", "diamond", "square", "triangle-up", "x", "cross")
        common.pop("orientation", None)
        traces.append(
            go.Scatter(
                mode="markers",
                marker={"color": hue, "size": 11, "symbol": symbols[index % len(symbols)]},
                **common,
            )
        )
    return traces


def plotly_spec(chart: Chart) -> dict[str, Any]:
    """The figure as plain JSON-ready data for the page script: ``data`` and ``layout``
    (without the shared ``plotly_white`` template, embedded once per page, see
    :func:`plotly_template`) and what the script needs to re-fit the legend to a narrow
    screen (``legend``: the entry names; ``bottom``/``height``: the margins for ``rows``)."""
    import plotly.io as pio

    figure = to_plotly(chart, template=False)
    spec: dict[str, Any] = json.loads(pio.to_json(figure, validate=False))
    spec["layout"].pop("template", None)
    size = layout_size(chart, width=460 if chart.compact else 980)
    chars, lines = tick_text(chart)
    spec["fit"] = {
        "legend": legend_entries(chart) if size["legend_rows"] else [],
        "rows": size["legend_rows"],
        # category labels: along the x axis (may need turning upright on a phone) or beside
        # a horizontal chart (the left margin shrinks with the font)
        "x_chars": 0 if chart.horizontal else chars,
        "x_lines": 0 if chart.horizontal else lines,
        "x_count": 0 if chart.horizontal or not chars else len(chart.series[0].x),
        "y_chars": chars if chart.horizontal else 0,
    }
    return spec


def plotly_template() -> dict[str, Any]:
    """The ``plotly_white`` template every figure uses, as JSON-ready data (once per page)."""
    import plotly.io as pio
    from plotly.utils import PlotlyJSONEncoder

    plain = pio.templates["plotly_white"].to_plotly_json()
    template: dict[str, Any] = json.loads(json.dumps(plain, cls=PlotlyJSONEncoder))
    return template


def chart_csv(chart: Chart) -> str:
    """The data behind ``chart`` as CSV: one row per series and x value, with the value and,
    for every interval drawn, its low and high end (empty where a series has no such band).
    The header names the axes with their units, so the file reads on its own."""
    band_labels = list(dict.fromkeys(b.label for s in chart.series for b in s.bands))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["series", chart.x_label, chart.y_label]
    for label in band_labels:
        header += [f"{label}: low", f"{label}: high"]
    writer.writerow(header)
    for series in chart.series:
        bands = {b.label: b for b in series.bands}
        for i, (x, y) in enumerate(zip(series.x, series.y, strict=True)):
            row = [series.name, x, _csv_number(y)]
            for label in band_labels:
                band = bands.get(label)
                row += [_csv_number(band.low[i]), _csv_number(band.high[i])] if band else ["", ""]
            writer.writerow(row)
    return buffer.getvalue()


def _csv_number(value: Any) -> str:
    number = float(value)
    return "" if not np.isfinite(number) else f"{number:.6g}"


# --------------------------------------------------------------------------- matplotlib
def to_png(chart: Chart, dpi: int = 110) -> bytes:
    """A static PNG of the chart (matplotlib, Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = max(wrap(v, 22, "\n").count("\n") + 1 for v in chart.series[0].x)
    horizontal_height = max(4.0, (0.2 + 0.16 * lines) * len(chart.series[0].x) + 1.8)
    height = horizontal_height if chart.horizontal else 4.2
    fig, ax = plt.subplots(figsize=(8.5, height), dpi=dpi)
    try:
        xs = _mpl_x(chart)
        n_bars = sum(1 for s in chart.series if s.mode == "bar")
        bar_index = 0
        for index, series in enumerate(chart.series):
            if series.mode == "bar":
                _mpl_bar(ax, chart, index, series, bar_index, n_bars)
                bar_index += 1
            else:
                _mpl_series(ax, chart, index, series, xs[index])
        for value, label in chart.reference_lines:
            draw = ax.axvline if chart.horizontal else ax.axhline
            draw(value, color="#555555", linestyle=":", linewidth=1.2, label=label)
        for note in chart.annotations:
            x: Any = np.datetime64(str(note.x)) if chart.x_kind == "date" else note.x
            ax.axvline(x, color="#777777", linestyle=":", linewidth=0.9)
            ax.annotate(
                note.text,
                xy=(x, 1.0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                fontsize=7,
                ha="right",
                va="top",
                color="#333333",
            )
        _mpl_axes(ax, chart)
        fig.tight_layout()
        buffer = io.BytesIO()
        # Fixed metadata so the same content gives the same bytes.
        fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def _mpl_x(chart: Chart) -> list[Any]:
    result: list[Any] = []
    for series in chart.series:
        if chart.x_kind == "date":
            result.append(np.array([np.datetime64(str(v)) for v in series.x]))
        elif chart.x_kind == "category":
            result.append(np.arange(len(series.x)))
        else:
            result.append(np.asarray(series.x, dtype=float))
    return result


def _mpl_series(ax: Any, chart: Chart, index: int, series: Series, x: Any) -> None:
    hue = colour(index)
    dash = _MPL_DASHES.get(_dash(chart, index, series), "-")
    y = np.asarray(series.y, dtype=float)
    if series.mode == "line":
        for depth, band in enumerate(series.bands):
            ax.fill_between(
                x, band.low, band.high, color=hue, alpha=0.12 + 0.1 * depth, linewidth=0
            )
        ax.plot(x, y, color=hue, linestyle=dash, linewidth=2, label=series.name)
        return
    error = None
    if series.bands:
        band = series.bands[0]
        error = np.vstack([error_lengths(y, band.low), error_lengths(band.high, y)])
    markers = "oDs^xP"
    if chart.x_kind == "category":  # side by side within a category, as plotly's "group"
        x = x + (index - (len(chart.series) - 1) / 2) * 0.12
    if chart.horizontal:
        ax.errorbar(
            y,
            x,
            xerr=error,
            fmt=markers[index % 6],
            color=hue,
            ecolor="#333333",
            capsize=3,
            label=series.name,
        )
    elif error is None:
        ax.plot(x, y, markers[index % 6], color=hue, markersize=4, label=series.name)
    else:
        ax.errorbar(
            x,
            y,
            yerr=error,
            fmt=markers[index % 6],
            color=hue,
            ecolor="#333333",
            capsize=3,
            label=series.name,
        )


def _mpl_bar(ax: Any, chart: Chart, index: int, series: Series, slot: int, n_bars: int) -> None:
    width = 0.8 / max(n_bars, 1)
    positions = np.arange(len(series.x)) + (slot - (n_bars - 1) / 2) * width
    y = np.asarray(series.y, dtype=float)
    error = None
    if series.bands:
        band = series.bands[0]
        error = np.vstack([error_lengths(y, band.low), error_lengths(band.high, y)])
    style = {"color": colour(index), "label": series.name, "ecolor": "#333333", "capsize": 3}
    if chart.horizontal:
        ax.barh(positions, y, height=width, xerr=error, **style)
    else:
        ax.bar(positions, y, width=width, yerr=error, **style)


def _mpl_axes(ax: Any, chart: Chart) -> None:
    ax.set_title(wrap(chart.title, title_width(chart), "\n"), loc="left", fontsize=11)
    value_axis_label, category_axis_label = chart.y_label, chart.x_label
    if chart.horizontal:
        ax.set_xlabel(value_axis_label)
        ax.set_ylabel(category_axis_label)
    else:
        ax.set_xlabel(chart.x_label)
        ax.set_ylabel(chart.y_label)
    if chart.x_kind == "category":
        labels = [wrap(v, 22, "\n") for v in chart.series[0].x]
        ticks = np.arange(len(labels))
        if chart.horizontal:
            ax.set_yticks(ticks, labels, fontsize=8)
            ax.invert_yaxis()
        else:
            ax.set_xticks(ticks, labels, fontsize=8)
    if chart.y_range is not None:
        (ax.set_xlim if chart.horizontal else ax.set_ylim)(*chart.y_range)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _, labels = ax.get_legend_handles_labels()
    if len(labels) > 1:
        # Below the axes (as in the interactive chart), so it never hides data.
        ax.legend(
            fontsize=8,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(0.0, -0.16 if chart.x_kind != "category" or chart.horizontal else -0.3),
            ncol=min(3, len(labels)),
        )
