"""Checks of the gated markup that page authors write: a build that cannot gate it must fail."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

import lxml.html
from lxml.html import HtmlElement

__all__ = ["check_gated_markup"]

_LOADING = {"img": "src", "iframe": "src", "script": "src", "source": "src", "video": "src",
            "audio": "src", "embed": "src", "object": "data", "link": "href"}  # fmt: skip


def check_gated_markup(html: str, categories: Collection[str]) -> list[str]:
    """What is wrong with the gated elements of a page's HTML, each with the fix."""
    if "data-category" not in html and "<noscript" not in html:
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    problems: list[str] = []
    for element in root.iter():
        if not isinstance(element, HtmlElement):
            continue
        category = element.get("data-category")
        if category is not None and category not in categories:
            problems.append(
                f"<{element.tag} data-category={category!r}>: unknown category; use one of "
                f"{', '.join(sorted(categories))} (consent/consent.yml)."
            )
        if element.tag == "script" and category is not None and element.get("type") != "text/plain":
            problems.append(
                f'<script data-category={category!r}> runs before consent: add type="text/plain".'
            )
        if element.tag in ("img", "iframe") and category is not None and element.get("src"):
            problems.append(
                f"<{element.tag} data-category={category!r} src=...> loads before consent: write "
                "data-src instead of src."
            )
    for noscript in root.iter("noscript"):
        # The parser may keep a <noscript>'s content as text or as elements: check both.
        inner = lxml.html.fragment_fromstring(noscript.text or "", create_parent="div")
        for element in [*inner.iter(*_LOADING), *noscript.iter(*_LOADING)]:
            url = element.get(_LOADING[str(element.tag)]) or ""
            if urlsplit(url).netloc:
                problems.append(
                    f"<noscript> loads {url} whenever JavaScript is off, with no consent: remove "
                    "the <noscript> fallback."
                )
    return problems
