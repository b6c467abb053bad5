"""Render a :class:`Report` as one self-contained HTML file.

Self-contained means it works offline and can be mailed as one file: the CSS, plotly.js (the
official "basic" partial bundle, once, see ``assets/README.md``), the page script and every
chart's data are embedded; nothing is loaded from a URL. Each chart's figure is a JSON data
block (``<script type="application/json">``, never executed) that the one page script draws
after the text is shown. Each chart also carries its data as a CSV download (a ``data:`` link:
works offline and without JavaScript). Source links are ordinary ``<a href>`` for the reader,
and only http(s) ones (:func:`peninsula.report.links.safe_url`; any other target is shown as
plain text). Text is escaped by Jinja2's autoescaping; inline emphasis in paragraphs
(``**bold**``, ``code``) goes through markdown-it's CommonMark renderer with raw HTML disabled
and the same link rule.

The page declares a Content-Security-Policy that allows only what it needs: its two inline
scripts (plotly.js and the page script), each by its SHA-256 hash, inline styles (plotly sets
them), and ``data:``/``blob:`` images (plotly's PNG download). No network access of any kind,
no forms, no frames, no plugins, no ``eval``; an event handler attribute or a ``<script>``
that slipped into the page would not run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import Markup

from peninsula.report.charts import chart_csv, layout_size, plotly_spec, plotly_template
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
from peninsula.report.links import safe_url

_INLINE = MarkdownIt("commonmark", {"html": False})
_INLINE.validateLink = lambda url: bool(safe_url(url)) or url.startswith("#")  # type: ignore[method-assign]
#: plotly.js bundle embedded in the page (``assets/README.md`` says where it comes from).
PLOTLY_BUNDLE = "plotly-basic.min.js"


def inline(text: str) -> str:
    """Inline Markdown (emphasis, code, links) to safe HTML; raw HTML in ``text`` is escaped."""
    return str(_INLINE.renderInline(text))


def _asset(name: str) -> str:
    return (resources.files("peninsula.report") / "assets" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The partial plotly.js bundle (scatter and bar traces) committed under ``assets``."""
    return _asset(PLOTLY_BUNDLE)


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<`` is escaped, so no
    ``</script>`` or ``<!--`` in the data can end the block early."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def csv_href(chart: Chart) -> str:
    """The chart's data as a ``data:`` URL (percent-encoded CSV, UTF-8)."""
    return "data:text/csv;charset=utf-8," + quote(chart_csv(chart), safe="")


def _cell(cell: Cell, numbers: Mapping[str, int]) -> str:
    # Only listed sources are cited: one left out of the list (not a citation a reader can
    # follow, see ``build.citation_problem``) is left out here too.
    cites = "".join(
        f'<sup class="cite"><a href="#src-{escape(s)}" title="{escape(s)}">[{numbers[s]}]</a></sup>'
        for s in cell.sources
        if s in numbers
    )
    text = escape(cell.text)
    if safe_url(cell.link):
        text = f'<a href="{escape(safe_url(cell.link))}" rel="noopener">{text}</a>'
    return text + cites


def render_table(table: Table, numbers: Mapping[str, int]) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{_cell(c, numbers)}</td>" for c in row) + "</tr>"
        for row in table.rows
    )
    note = f'<p class="table-note">{inline(table.note)}</p>' if table.note else ""
    return (
        f'<div class="table-wrap"><table id="table-{escape(table.id)}">'
        f"<caption>{escape(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></div>{note}"
    )


def render_chart(chart: Chart) -> str:
    """A chart: HTML title, the plot's place (sized before drawing, so the page does not jump),
    its figure as a JSON data block, a no-script note, the caption and the CSV download."""
    ident = escape(chart.id)
    height = layout_size(chart, width=460 if chart.compact else 980)["height"]
    return (
        f'<figure class="chart{" compact" if chart.compact else ""}" data-chart="{ident}" '
        f'role="group" aria-labelledby="{ident}-title">'
        f'<h3 class="chart-title" id="{ident}-title">{escape(chart.title)}</h3>'
        f'<div class="plot" id="{ident}" style="height:{height}px"></div>'
        f'<script type="application/json" class="plot-spec" data-for="{ident}">'
        f"{script_json(plotly_spec(chart))}</script>"
        '<noscript><p class="noscript">This chart is drawn by JavaScript, which is off: its '
        "data is in the CSV file linked below.</p></noscript>"
        f"<figcaption>{inline(chart.description)} "
        f'<a class="csv" download="{ident}.csv" href="{csv_href(chart)}" '
        f'type="text/csv">Download the data (CSV)</a></figcaption></figure>'
    )


GLYPH = {"best": "★", "worst": "▼", "": ""}
#: Soft hyphens for long words in the scorecard's narrow phone columns (Chromium on Linux
#: has no hyphenation dictionary, so ``hyphens: auto`` alone would break mid-syllable).
SOFT_HYPHENS = {"proliferation": "prolif\u00aderation"}


def _hyphenate(text: str) -> str:
    for word, split in SOFT_HYPHENS.items():
        text = text.replace(word, split)
    return text


def render_scorecard(card: Scorecard) -> str:
    """The bottom-line table; every figure links to the section that explains it. On a narrow
    screen the CSS lays each policy out as a block (name, the figures, the trade-off)."""
    head = "".join(
        f'<th scope="col"><a href="#sec-{escape(c.section)}">{_hyphenate(escape(c.label))}</a>'
        f'<span class="detail">{escape(c.detail)}</span></th>'
        for c in card.columns
    )
    rows = []
    for row in card.rows:
        cells = []
        for column, cell in zip(card.columns, row.cells, strict=True):
            mark = f' class="{cell.mark}"' if cell.mark else ""
            said = f" ({cell.mark} of the policies)" if cell.mark else ""
            interval = (
                f'<span class="interval">{escape(cell.interval)}</span>' if cell.interval else ""
            )
            cells.append(
                f'<td{mark} data-label="{escape(column.label)}">'
                f'<a href="#sec-{escape(column.section)}" '
                f'title="{escape(column.label)}: {escape(column.detail)}{said}">'
                f'<span class="value">{GLYPH[cell.mark]}{escape(cell.value)}</span>'
                f"{interval}</a></td>"
            )
        rows.append(
            f'<tr><th scope="row">{escape(row.policy)}</th>{"".join(cells)}'
            f'<td class="tradeoff">{escape(row.tradeoff)}</td></tr>'
        )
    linked = "Each figure links to the section that explains it."
    note = f'<p class="table-note">{inline(card.note)} {linked}</p>'
    return (
        f'<div class="scorecard-wrap"><table class="scorecard" id="{escape(card.id)}">'
        f"<caption>{escape(card.caption)}</caption>"
        f'<thead><tr><th scope="col">Policy</th>{head}'
        '<th scope="col" class="tradeoff">Trade-off against the status quo</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def render_block(block: Block, numbers: Mapping[str, int]) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{inline(block.text)}</p>"
    if isinstance(block, Table):
        return render_table(block, numbers)
    if isinstance(block, Chart):
        return render_chart(block)
    if isinstance(block, Scorecard):
        return render_scorecard(block)
    if isinstance(block, Bullets):
        title = f"<p><strong>{escape(block.title)}</strong></p>" if block.title else ""
        items = "".join(f"<li>{inline(item)}</li>" for item in block.items)
        return f"{title}<ul>{items}</ul>"
    assert isinstance(block, Notice)
    return f'<div class="notice {block.kind}" role="note">{inline(block.text)}</div>'


def render_html(report: Report) -> str:
    """The whole page."""
    numbers = report.source_numbers()
    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string(_asset("report.html.j2"))
    render: Callable[[Block], Markup] = lambda b: Markup(render_block(b, numbers))  # noqa: E731
    charts = bool(report.charts)
    page = template.render(
        report=report,
        meta=report.meta,
        crisis_horizon=report.crisis_horizon(),
        css=Markup(_asset("report.css")),
        plotly_js=Markup(plotly_js()) if charts else "",
        plot_template=Markup(script_json(plotly_template())) if charts else "",
        page_js=Markup(_asset("report.js")) if charts else "",
        render=render,
        safe_url=safe_url,
    )
    return page.replace(CSP_PLACEHOLDER, content_security_policy(page), 1)


CSP_PLACEHOLDER = "@@content-security-policy@@"
#: Executable inline scripts; the charts' ``application/json`` data blocks are never run, so
#: they need no place in the policy.
_SCRIPT = re.compile(r"<script\b(?![^>]*application/json)[^>]*>(.*?)</script>", re.S)


def content_security_policy(page: str) -> str:
    """The policy for ``page``: its inline scripts by hash, nothing from anywhere else."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in _SCRIPT.findall(page)
        }
    )
    scripts = " ".join(hashes) or "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-src 'none'; object-src 'none'"
    )
