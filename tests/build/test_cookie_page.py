"""The cookie page (/privacy/cookies/, and /sv/ for Swedish) as built from the project's
consent.yml: every cookie and key the consent script knows, in the order of the file, an exact
name as it is and a pattern by its label in the page's language, never as pattern syntax."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from lxml.html import HtmlElement

from policy_site.consent import load_consent
from tests.support import ROOT, elements, parse_html

CONFIG = load_consent(ROOT / "consent" / "consent.yml")
ITEMS = [
    item
    for category in CONFIG.categories
    for kind in (category.cookies, category.storage, category.indexeddb, category.caches)
    for item in kind
]
PAGES = {"en": "privacy/cookies/index.html", "sv": "sv/privacy/cookies/index.html"}


def said(node: HtmlElement) -> str:
    """The text of ``node``, its white space as a browser shows it."""
    return " ".join(node.text_content().split())


@pytest.mark.parametrize("language", PAGES)
def test_the_cookie_page_shows_names_as_they_are_and_patterns_in_words(
    project_site: Path, language: str
) -> None:
    path = project_site / PAGES[language]
    page = parse_html(path)
    first = elements(page, "//table/tbody/tr/td[1]")
    assert [said(cell) for cell in first] == [item.name or item.label[language] for item in ITEMS]
    assert [said(code) for code in elements(page, "//table/tbody/tr/td[1]/code")] == [
        item.name for item in ITEMS if item.name
    ]
    patterns = [item.pattern for item in ITEMS if item.pattern]
    assert patterns == ["^/.*\\.__\\w+$", "^_ga_"]
    (article,) = elements(page, "//article")
    assert [mark for mark in ("^", "\\", "$") if mark in article.text_content()] == []
    html = path.read_text(encoding="utf-8")
    assert [p for p in patterns if p in html or escape(p) in html] == []
    assert elements(page, "//table//th[@scope='col']")
