"""Render a :class:`Report` as Markdown: the same sections, tables and (static) charts.

Charts become PNG files referenced by relative path (``figures/<chart id>.png``) so the Markdown
renders on any forge or viewer, each followed by a link to its data (``figures/<chart id>.csv``);
citations are ``[n]`` against the numbered source list.

Every piece of scenario-derived text goes through :func:`peninsula.report.links.markdown_text`
(raw HTML and entities escaped, non-http(s) links broken) and every link target through
``safe_url``: an HTML-enabled Markdown viewer must not run anything a scenario file says.
"""

from __future__ import annotations

from collections.abc import Mapping

from peninsula.report.content import (
    Block,
    Bullets,
    Cell,
    Chart,
    Notice,
    Paragraph,
    Report,
    Scorecard,
    Table,
)
from peninsula.report.links import markdown_text as _md
from peninsula.report.links import safe_url

FIGURE_DIR = "figures"


def figure_path(chart: Chart) -> str:
    return f"{FIGURE_DIR}/{chart.id}.png"


def data_path(chart: Chart) -> str:
    """Where the CSV of the data behind ``chart`` is written, next to its PNG."""
    return f"{FIGURE_DIR}/{chart.id}.csv"


def _text(text: str) -> str:
    """Table-cell text: pipes would end the cell and newlines the row."""
    return _md(" ".join(text.replace("|", "\\|").split()))


def _cell(cell: Cell, numbers: Mapping[str, int]) -> str:
    cites = "".join(f" [{numbers[s]}]" for s in cell.sources if s in numbers)
    text = _text(cell.text)
    link = safe_url(cell.link)
    if link:
        text = f"[{text}]({link.replace(')', '%29').replace(' ', '%20')})"
    return text + cites


def render_table(table: Table, numbers: Mapping[str, int]) -> str:
    lines = [
        f"**{_md(table.caption)}**",
        "",
        "| " + " | ".join(_text(c) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += ["| " + " | ".join(_cell(c, numbers) for c in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", f"*{_md(table.note)}*"]
    return "\n".join(lines)


GLYPH = {"best": "★ ", "worst": "▼ ", "": ""}


def render_scorecard(card: Scorecard) -> str:
    """The bottom-line table: one row per policy, figure (interval), the trade-off."""
    head = ["Policy", *(f"{c.label} ({c.detail})" for c in card.columns), "Trade-off"]
    lines = [
        f"**{_md(card.caption)}**",
        "",
        "| " + " | ".join(_text(h) for h in head) + " |",
        "|" + "---|" * len(head),
    ]
    for row in card.rows:
        cells = [
            GLYPH[c.mark] + c.value + (f" ({c.interval})" if c.interval else "") for c in row.cells
        ]
        lines.append("| " + " | ".join(_text(t) for t in (row.policy, *cells, row.tradeoff)) + " |")
    if card.note:
        lines += ["", f"*{_md(card.note)}*"]
    return "\n".join(lines)


def render_block(block: Block, numbers: Mapping[str, int]) -> str:
    if isinstance(block, Paragraph):
        return _md(block.text)
    if isinstance(block, Table):
        return render_table(block, numbers)
    if isinstance(block, Scorecard):
        return render_scorecard(block)
    if isinstance(block, Chart):
        alt = _text(block.title)
        return (
            f"![{alt}]({figure_path(block)})\n\n*{_md(block.description)}* "
            f"([data as CSV]({data_path(block)}))"
        )
    if isinstance(block, Bullets):
        head = [f"**{_md(block.title)}**", ""] if block.title else []
        return "\n".join(head + [f"- {_md(item)}" for item in block.items])
    assert isinstance(block, Notice)
    return f"> **Note:** {_md(block.text)}"


def render_markdown(report: Report) -> str:
    numbers = report.source_numbers()
    meta = report.meta
    scenario, settings = meta["scenario"], meta["settings"]
    horizon = report.crisis_horizon()
    parts = [
        f"# {_md(report.title)}",
        f"*{_md(report.subtitle)}*",
        (
            f"Scenario `{scenario['id']}` version {scenario['version']} (as of "
            f"{scenario['as_of']}, content hash `{scenario['content_hash'][:12]}`) · "
            f"{settings['runs']} Monte Carlo runs · seed {settings['seed']} · "
            + (f"{horizon}-month crisis horizon · " if horizon is not None else "")
            + f"peninsula {meta['peninsula_version']}"
        ),
        "## Contents",
        "\n".join(f"{i}. {_md(s.title)}" for i, s in enumerate(report.sections, start=1))
        + f"\n{len(report.sections) + 1}. Sources",
    ]
    for section in report.sections:
        parts.append(f"## {_md(section.title)}")
        parts += [render_block(block, numbers) for block in section.blocks]
    parts.append("## Sources")
    parts.append(
        "\n".join(
            f"{i}. `{s.id}`: "
            + (f"[{_md(s.title)}]({safe_url(s.url)})" if safe_url(s.url) else _md(s.title))
            + (f". {_md(s.publisher)}" if s.publisher else "")
            + (f", {s.date}" if s.date else "")
            + "."
            for i, s in enumerate(report.sources, start=1)
        )
    )
    if report.omitted_sources:
        parts.append(omitted_note(report))
    return "\n\n".join(parts) + "\n"


def omitted_note(report: Report) -> str:
    """The sentence under the source list naming scenario sources that are not citations."""
    return (
        "*Left out of this list, as not citations a reader can follow: "
        + "; ".join(f"`{_md(ident)}` ({_md(why)})" for ident, why in report.omitted_sources)
        + ".*"
    )
