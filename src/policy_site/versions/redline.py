"""Redlines: word-level insertions and deletions between two rendered versions, by section."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import lxml.html
from lxml.html import HtmlElement
from lxml.html.diff import htmldiff

__all__ = ["Redline", "make_redline", "rendered_text", "rendered_text_sha256"]

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Redline:
    #: The newer version's HTML with ``<ins>`` and ``<del>`` marking what changed.
    html: str
    #: (anchor, heading text) of each section holding a change, in document order.
    sections: tuple[tuple[str, str], ...]
    insertions: int
    deletions: int


def _fragment(html: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def make_redline(old_html: str, new_html: str, demote: int = 1) -> Redline:
    """Compare two rendered versions word by word, keeping headings and lists as they are.

    Headings move ``demote`` levels down, so that the redline fits under its page's own title.
    """
    marked = _fragment(htmldiff(old_html, new_html))
    for element in marked.iter(*_HEADINGS):
        element.tag = f"h{min(int(element.tag[1]) + demote, 6)}"
    for element in list(marked.iter("ins", "del")):
        if not element.text_content().strip():
            element.drop_tag()  # htmldiff marks the white space between new blocks too
    sections: list[tuple[str, str]] = []
    heading: HtmlElement | None = None
    counts = {"ins": 0, "del": 0}
    for element in marked.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _HEADINGS:
            heading = element
        elif element.tag in counts and (element.text_content().strip()):
            counts[element.tag] += 1
            anchor = heading.get("id", "") if heading is not None else ""
            title = _without_permalinks(heading) if heading is not None else "Introduction"
            if (anchor, title) not in sections:
                sections.append((anchor, title))
    inner = "".join(
        lxml.html.tostring(child, encoding="unicode") for child in marked.iterchildren()
    )
    return Redline((marked.text or "") + inner, tuple(sections), counts["ins"], counts["del"])


def _without_permalinks(element: HtmlElement) -> str:
    """The element's text without the theme's section links (the pilcrows)."""
    copy = lxml.html.fragment_fromstring(lxml.html.tostring(element), create_parent="div")
    for link in list(copy.iter("a")):
        if "headerlink" in (link.get("class") or "").split():
            link.drop_tree()
    return " ".join(copy.text_content().split())


def rendered_text(html: str) -> str:
    """The words a reader sees, whitespace folded: what the rendered-text hash covers."""
    return _without_permalinks(_fragment(html))


def rendered_text_sha256(html: str) -> str:
    return hashlib.sha256(rendered_text(html).encode("utf-8")).hexdigest()
