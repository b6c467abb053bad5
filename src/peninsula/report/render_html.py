"""Render a :class:`Report` as one self-contained HTML file.

Self-contained means it works offline and can be mailed as one file: the CSS, plotly.js (once,
inline in the head) and every static fallback image (base64 PNG in ``<noscript>``) are
embedded; nothing is loaded from a URL. Source links are ordinary ``<a href>`` for the reader,
and only http(s) ones (:func:`peninsula.report.links.safe_url`; any other target is shown as
plain text). Text is escaped by Jinja2's autoescaping; inline emphasis in paragraphs
(``**bold**``, ``code``) goes through markdown-it's CommonMark renderer with raw HTML disabled
and the same link rule.

The page declares a Content-Security-Policy that allows only what it needs: its own inline
scripts, each by its SHA-256 hash (plotly.js and one ``Plotly.newPlot`` per chart), inline
styles (plotly sets them), and ``data:``/``blob:`` images (the static fallbacks, plotly's
PNG download). No network access of any kind, no forms, no frames, no plugins; an event
handler attribute or a ``<script>`` that slipped into the page would not run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from html import escape
from importlib import resources

from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import Markup

from peninsula.report.charts import to_plotly
from peninsula.report.content import (
    Block,
    Bullets,
    Cell,
    Chart,
    Notice,
    Paragraph,
    Report,
    Table,
)
from peninsula.report.links import safe_url

_INLINE = MarkdownIt("commonmark", {"html": False})
_INLINE.validateLink = lambda url: bool(safe_url(url)) or url.startswith("#")  # type: ignore[method-assign]
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def inline(text: str) -> str:
    """Inline Markdown (emphasis, code, links) to safe HTML; raw HTML in ``text`` is escaped."""
    return str(_INLINE.renderInline(text))


def _asset(name: str) -> str:
    return (resources.files("peninsula.report") / "assets" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle shipped with the plotly package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _cell(cell: Cell, numbers: Mapping[str, int]) -> str:
    cites = "".join(
        f'<sup class="cite"><a href="#src-{escape(s)}" title="{escape(s)}">[{numbers[s]}]</a></sup>'
        if s in numbers
        else f'<sup class="cite">[{escape(s)}]</sup>'
        for s in cell.sources
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


def render_chart(chart: Chart, png: bytes) -> str:
    figure = to_plotly(chart)
    interactive = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=chart.id, config=PLOTLY_CONFIG
    )
    data = base64.b64encode(png).decode("ascii")
    alt = escape(f"{chart.title}. {chart.description}")
    return (
        f'<figure class="chart{" compact" if chart.compact else ""}" '
        f'data-chart="{escape(chart.id)}" role="group" '
        f'aria-label="{escape(chart.title)}">{interactive}'
        f'<noscript><img src="data:image/png;base64,{data}" alt="{alt}"></noscript>'
        f"<figcaption>{inline(chart.description)}</figcaption></figure>"
    )


def render_block(block: Block, numbers: Mapping[str, int], pngs: Mapping[str, bytes]) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{inline(block.text)}</p>"
    if isinstance(block, Table):
        return render_table(block, numbers)
    if isinstance(block, Chart):
        return render_chart(block, pngs[block.id])
    if isinstance(block, Bullets):
        title = f"<p><strong>{escape(block.title)}</strong></p>" if block.title else ""
        items = "".join(f"<li>{inline(item)}</li>" for item in block.items)
        return f"{title}<ul>{items}</ul>"
    assert isinstance(block, Notice)
    return f'<div class="notice {block.kind}" role="note">{inline(block.text)}</div>'


def render_html(report: Report, pngs: Mapping[str, bytes]) -> str:
    """The whole page; ``pngs`` maps chart id -> static PNG bytes (see ``charts.to_png``)."""
    numbers = report.source_numbers()
    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string(_asset("report.html.j2"))
    render: Callable[[Block], Markup] = lambda b: Markup(render_block(b, numbers, pngs))  # noqa: E731
    page = template.render(
        report=report,
        meta=report.meta,
        css=Markup(_asset("report.css")),
        plotly_js=Markup(plotly_js()) if report.charts else "",
        render=render,
        safe_url=safe_url,
    )
    return page.replace(CSP_PLACEHOLDER, content_security_policy(page), 1)


CSP_PLACEHOLDER = "@@content-security-policy@@"
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)


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
