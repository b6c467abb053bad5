"""What scenario text may become in a report: only http(s) links, no markup (issue 13, 7-8).

Scenario files are data written by anyone (a shared variant, a downloaded file), and their
text reaches the report verbatim: titles, descriptions, labels, source URLs. The HTML renderer
escapes text (Jinja2 autoescape, markdown-it with raw HTML off) and the page carries a
Content-Security-Policy; these helpers close the two remaining doors: link targets (a
``javascript:`` URL is not markup, so escaping does not stop it) and Markdown output, where
raw HTML and link syntax pass straight to whatever viewer renders the ``.md`` file.
"""

from __future__ import annotations

import re

SAFE_SCHEMES = ("http://", "https://")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINK_OPEN = re.compile(r"\]\(\s*<?([^)\s>]*)")
_LINK_DEFINITION = re.compile(r"^(\s{0,3})\[", re.M)


def safe_url(url: str | None) -> str:
    """``url`` if it is an http(s) URL, else ``""`` (the caller then shows plain text)."""
    text = (url or "").strip()
    if text.lower().startswith(SAFE_SCHEMES) and not any(ord(c) < 32 for c in text):
        return text
    return ""


def _escape_outside_code(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _neutralise_link(match: re.Match[str]) -> str:
    target = match.group(1)
    if target.startswith(SAFE_SCHEMES) or target.startswith("figures/") or not target:
        return match.group(0)
    return "\\" + match.group(0)  # "\](": the bracket no longer closes a link


def markdown_text(text: str) -> str:
    """Scenario text made inert for Markdown: raw HTML and entities escaped (shown as text),
    links to anything but http(s) and link definitions broken; emphasis and code kept."""
    parts: list[str] = []
    last = 0
    for code in _CODE_SPAN.finditer(text):
        parts.append(_escape_outside_code(text[last : code.start()]))
        parts.append(code.group(0))  # a code span shows its content literally already
        last = code.end()
    parts.append(_escape_outside_code(text[last:]))
    out = "".join(parts)
    out = _LINK_OPEN.sub(_neutralise_link, out)
    return _LINK_DEFINITION.sub(lambda m: m.group(1) + "\\[", out)
