"""The report's content as plain data: sections made of paragraphs, tables, charts and notices.

Section builders (``peninsula.report.sections``) produce these objects; the renderers (HTML,
Markdown, JSON) consume them. Keeping content separate from presentation means the three
outputs always say the same thing, and tests can check the content without parsing HTML.

A chart is a neutral specification (:class:`Chart`) rather than a plotly figure, so the same
chart becomes an interactive plotly figure in HTML and a static matplotlib PNG for the
Markdown twin and the no-script fallback. Every chart must have a title and axis labels, and a
numeric axis label must state its unit in parentheses, e.g. ``"Position (0–100 scale)"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

AxisKind = Literal["linear", "date", "category"]
SeriesMode = Literal["line", "markers", "bar"]


# --------------------------------------------------------------------------- text blocks
@dataclass(frozen=True)
class Cell:
    """A table cell: its text, the ids of the sources it rests on (rendered as [n]) and an
    optional link (e.g. the news report behind an event)."""

    text: str
    sources: tuple[str, ...] = ()
    link: str = ""


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.id}: a row has {len(row)} cells, not {len(self.columns)}"
                )


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Notice:
    """A visible caution block: the section says why part of it is empty or to be read
    carefully (e.g. a scenario without the tracked dyad has no history to show)."""

    text: str
    kind: Literal["caution"] = "caution"


# --------------------------------------------------------------------------- charts
@dataclass(frozen=True)
class Band:
    """An interval around a series: shaded for a line, error bars for markers and bars."""

    low: tuple[float, ...]
    high: tuple[float, ...]
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    x: tuple[Any, ...]
    y: tuple[float, ...]
    mode: SeriesMode = "line"
    bands: tuple[Band, ...] = ()
    dash: bool = False

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y):
            raise ValueError(f"series {self.name!r}: x and y differ in length")
        for band in self.bands:
            if not len(band.low) == len(band.high) == len(self.y):
                raise ValueError(f"series {self.name!r}: band {band.label!r} has the wrong length")


@dataclass(frozen=True)
class Annotation:
    """A labelled point on the x axis (a key event, a change point)."""

    x: Any
    text: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    description: str
    x_kind: AxisKind = "linear"
    annotations: tuple[Annotation, ...] = ()
    reference_lines: tuple[tuple[float, str], ...] = ()
    y_range: tuple[float, float] | None = None
    horizontal: bool = False
    compact: bool = False  # half width in HTML: one of a set of small multiples

    def __post_init__(self) -> None:
        if not self.title.strip() or not self.x_label.strip() or not self.y_label.strip():
            raise ValueError(f"chart {self.id}: a title and both axis labels are required")
        if not self.series:
            raise ValueError(f"chart {self.id}: no data series")
        numeric = [self.y_label] + ([self.x_label] if self.x_kind == "linear" else [])
        for label in numeric:
            if "(" not in label:
                raise ValueError(f"chart {self.id}: axis label {label!r} must give its unit")


# --------------------------------------------------------------------------- scorecard
Mark = Literal["", "best", "worst"]


@dataclass(frozen=True)
class ScoreColumn:
    """A headline measure of the scorecard: its short label, what its number and interval are
    (``detail``), which direction is better, and the section that explains it (its id)."""

    label: str
    detail: str
    section: str
    better: Literal["higher", "lower"]


@dataclass(frozen=True)
class ScoreCell:
    """One figure of the scorecard: the value, its interval, and best/worst among policies."""

    value: str
    interval: str = ""
    mark: Mark = ""


@dataclass(frozen=True)
class ScoreRow:
    policy: str
    cells: tuple[ScoreCell, ...]
    tradeoff: str


@dataclass(frozen=True)
class Scorecard:
    """The bottom line: policies × headline measures, best and worst marked, with each
    policy's trade-off in one sentence. Shown first, above the fold."""

    id: str
    caption: str
    columns: tuple[ScoreColumn, ...]
    rows: tuple[ScoreRow, ...]
    note: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(f"scorecard {self.id}: {row.policy!r} has the wrong cell count")


Block = Paragraph | Table | Chart | Bullets | Notice | Scorecard


@dataclass(frozen=True)
class Section:
    """One section of the briefing; ``numbers`` is what the JSON twin records for it."""

    id: str
    title: str
    blocks: tuple[Block, ...]
    numbers: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""

    @property
    def charts(self) -> tuple[Chart, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Chart))

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))


@dataclass(frozen=True)
class SourceEntry:
    id: str
    title: str
    publisher: str = ""
    url: str = ""
    date: str = ""


@dataclass(frozen=True)
class Report:
    """A complete briefing: everything the three renderers need, and nothing they compute."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    sources: tuple[SourceEntry, ...]
    meta: Mapping[str, Any]
    #: (id, reason) of scenario sources that are not citations a reader can follow (e.g. a
    #: repository file path): left out of the list, and their citations left out of the text.
    omitted_sources: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        return f"<Report {self.title!r}: {len(self.sections)} sections, {len(self.charts)} charts>"

    def _repr_html_(self) -> str:
        from html import escape

        items = "".join(
            f"<li><b>{escape(s.title)}</b>: {escape(s.summary)}</li>" for s in self.sections
        )
        return f"<p><b>{escape(self.title)}</b></p><ul>{items}</ul>"

    def crisis_horizon(self) -> int | None:
        """Months the crisis section simulated; ``None`` when it did not run (a scenario the
        crisis simulator does not serve gets a notice instead), so the header states a crisis
        horizon only for a briefing that has one. Read from the section's own numbers, not the
        settings: ``--horizon`` is asked of every report, simulated only by this section."""
        crisis = next((s for s in self.sections if s.id == "crisis"), None)
        months = crisis.numbers.get("horizon_months") if crisis is not None else None
        return int(months) if months is not None else None

    def source_numbers(self) -> dict[str, int]:
        """Source id -> its number in the source list (1-based), the [n] of citations."""
        return {s.id: i for i, s in enumerate(self.sources, start=1)}

    @property
    def charts(self) -> tuple[Chart, ...]:
        return tuple(c for s in self.sections for c in s.charts)
