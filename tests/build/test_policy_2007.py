"""The 2007 policy, built for real, says exactly what the archived text says."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import markdown
import pytest
from lxml.html import HtmlElement

from tests.support import SEED, article, elements, parse_html, strings, tokens, with_class

POLICY_PAGES = ["privacy/index.html", "privacy/versions/2007-10-01/index.html"]


def seed_article() -> HtmlElement:
    """The archived text rendered as it was archived (it is Markdown), minus the archive's own
    note (the leading quote) and its masthead (``# Toontrack``, the site name in our header)."""
    root = lxml.html.fromstring(f"<div>{markdown.markdown(SEED.read_text(encoding='utf-8'))}</div>")
    (note,) = elements(root, "./blockquote")
    (masthead, *_) = elements(root, "./h1")
    assert "Wayback Machine" in note.text_content()
    assert masthead.text_content() == "Toontrack"
    note.drop_tree()
    masthead.drop_tree()
    return root


def seed_headings() -> list[str]:
    """The seed's pseudo-headings: whole lines in bold and/or italics."""
    text = SEED.read_text(encoding="utf-8")
    pattern = r"^(?:\*\*_|_\*\*|\*\*)([^*_]+?)(?:_\*\*|\*\*_|\*\*) *$"
    return [match.group(1).strip() for match in re.finditer(pattern, text, re.M)]


def policy_text(page: HtmlElement) -> HtmlElement:
    body = article(page)
    for chrome in ("policy-languages", "policy-status", "policy-print-url"):
        for element in elements(body, f".//*{with_class(chrome)}"):
            element.drop_tree()
    return body


def test_seed_has_the_headings_we_expect() -> None:
    # Guards the helper below: if this list were empty, the heading test would prove nothing.
    assert seed_headings()[:3] == [
        "Our Privacy Policy",
        "What Information About Me Is Collected?",
        "Information You Voluntarily Provide",
    ]
    assert len(seed_headings()) == 12


@pytest.mark.parametrize("page_path", POLICY_PAGES)
def test_every_heading_of_the_seed_in_order(project_site: Path, page_path: str) -> None:
    headings = elements(policy_text(parse_html(project_site / page_path)), ".//h1|.//h2|.//h3")
    assert [heading.text_content().strip() for heading in headings] == seed_headings()


@pytest.mark.parametrize("page_path", POLICY_PAGES)
def test_full_text_matches_the_seed_word_for_word(project_site: Path, page_path: str) -> None:
    built = tokens(policy_text(parse_html(project_site / page_path)).text_content())
    seed = tokens(seed_article().text_content())
    assert len(seed) > 1900
    assert built == seed


def test_sections_have_stable_anchors(project_site: Path) -> None:
    page = parse_html(project_site / "privacy/index.html")
    ids = set(strings(page, "//article//h2/@id | //article//h3/@id"))
    assert {
        "what-information-about-me-is-collected",
        "information-we-automatically-collect",
        "is-information-collected-from-children",
        "with-whom-does-toontrack-share-information",
        "what-steps-are-taken-to-keep-personal-information-secure",
        "can-i-indicate-whether-or-not-i-want-to-receive-communications",
        "what-happens-when-i-link-to-or-from-another-web-site",
        "how-will-i-be-informed-about-changes-regarding-this-privacy-policy",
        "effective-date",
    } <= ids


def test_contacts_and_link_as_given(project_site: Path) -> None:
    body = policy_text(parse_html(project_site / "privacy/index.html"))
    text = body.text_content()
    assert "privacy(at)toontrack.com" in text
    assert "support(at)toontrack.com" in text
    assert "+46(0) 90772114" in text
    assert "http://www.toontrack.com/" in strings(body, ".//a/@href")
    (title,) = strings(parse_html(project_site / "privacy/index.html"), "//title/text()")
    assert title == "Our Privacy Policy - Toontrack"


def test_the_policy_page_states_its_effective_date(project_site: Path) -> None:
    page = parse_html(project_site / "privacy/index.html")
    (time,) = elements(page, f"//article//*{with_class('policy-status')}//time")
    assert time.get("datetime") == "2007-10-01"
    assert time.text_content() == "1 October 2007"
