"""Comparing two versions on the archive page, in Chromium: the plugin's compare.js
(src/policy_site/theme/assets/javascripts/).

The fixture site (tests/fixtures/compare) is an archive page with the compare form and three
version pages that differ in known ways; the real compare.js is copied next to them, so what is
tested is the file the site publishes.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, Request, Route, expect

from policy_site.adapter import THEME_DIR
from tests.support import ROOT, serve

SCRIPT = THEME_DIR / "assets" / "javascripts" / "compare.js"
FIXTURE = ROOT / "tests" / "fixtures" / "compare"
ARCHIVE = "privacy/versions/"

V2001 = "1 January 2001"
V2010 = "1 June 2010"
V2020 = "15 March 2020"

DELETED_SENTENCE = "You should ask a parent before you register."
SERIAL = "Serial numbers of purchased products"
COOKIES = "We use cookies to keep you signed in."
SECURITY = "We use security measures that we believe are customary in our business."

#: A 404 page as mkdocs-material renders it: an article like any other page's.
NOT_FOUND = (
    '<!doctype html><html lang="en"><body><article class="md-content__inner md-typeset">'
    "<h1>404 - Not found</h1></article></body></html>"
)

#: What each comparison must mark, in document order: (from, to, deleted, inserted).
EXPECTED_MARKS = [
    (V2001, V2010, ["collect", DELETED_SENTENCE], ["store", "Email addresses"]),
    (V2010, V2020, ["Web site", SERIAL], ["website", "and Minors", "Cookies", COOKIES]),
    (
        V2001,
        V2020,
        ["Web site", "collect", SERIAL, DELETED_SENTENCE],
        ["website", "store", "Email addresses", "and Minors", "Cookies", COOKIES],
    ),
    (
        V2020,
        V2001,
        ["website", "store", "Email addresses", "and Minors", "Cookies", COOKIES],
        ["Web site", "collect", SERIAL, DELETED_SENTENCE],
    ),
]


def make_site(destination: Path) -> Path:
    """The fixture pages plus the real compare.js, where the archive page's script tag finds it."""
    shutil.copytree(FIXTURE, destination, dirs_exist_ok=True)
    scripts = destination / "assets" / "javascripts"
    scripts.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SCRIPT, scripts / "compare.js")
    return destination


@pytest.fixture(scope="module")
def compare_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(make_site(tmp_path_factory.mktemp("compare-site"))) as url:
        yield url


@dataclass
class Archive:
    """The archive page open in Chromium, with what it requested and every uncaught error."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def result(self) -> Locator:
        return self.page.locator(".policy-compare__result")

    def open(self) -> Archive:
        self.page.on("request", self.record_request)
        self.page.on("pageerror", self.record_error)
        self.page.goto(f"{self.url}{ARCHIVE}")
        return self

    def record_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def record_error(self, error: Exception) -> None:
        self.errors.append(str(error))

    def submit(self, old: str, new: str) -> None:
        self.page.select_option("select[name=from]", label=old)
        self.page.select_option("select[name=to]", label=new)
        self.page.get_by_role("button", name="Compare").click()

    def compare(self, old: str, new: str) -> Locator:
        """Compare two versions and wait for the result; returns the result area."""
        self.submit(old, new)
        expect(self.result.locator("h2")).to_have_text(f"Changes from {old} to {new}")
        return self.result

    def version_requests(self) -> list[str]:
        return [url for url in self.requests if re.search(r"/versions/\d{4}-\d\d-\d\d/$", url)]


@pytest.fixture
def archive(page: Page, compare_url: str) -> Archive:
    return Archive(page, compare_url).open()


def texts(result: Locator, selector: str) -> list[str]:
    return result.locator(selector).all_text_contents()


def outline(result: Locator) -> list[tuple[str, str]]:
    """The result's headings and marks in document order, as (tag name, text)."""
    found: list[list[str]] = result.evaluate(
        """(result) => Array.from(
            result.querySelectorAll('h1, h2, h3, h4, h5, h6, ins, del'),
            (node) => [node.tagName.toLowerCase(), node.textContent])"""
    )
    return [(tag, text) for tag, text in found]


@pytest.mark.parametrize(("old", "new", "deleted", "inserted"), EXPECTED_MARKS)
def test_compare_marks_exactly_the_words_that_changed(
    archive: Archive, old: str, new: str, deleted: list[str], inserted: list[str]
) -> None:
    result = archive.compare(old, new)
    assert texts(result, "del") == deleted
    assert texts(result, "ins") == inserted
    assert archive.errors == []


def test_each_change_is_shown_under_its_section_heading(archive: Archive) -> None:
    result = archive.compare(V2001, V2010)
    assert outline(result) == [
        ("h2", f"Changes from {V2001} to {V2010}"),
        ("h3", "Our Privacy Policy"),
        ("h4", "What We Collect"),
        ("del", "collect"),
        ("ins", "store"),
        ("ins", "Email addresses"),
        ("h4", "Children"),
        ("del", DELETED_SENTENCE),
        ("h4", "Security"),
    ]
    changed = result.locator("p", has=result.page.locator("del", has_text="collect"))
    expect(changed).to_have_text(
        "We collect store your name and email address when you register a product."
    )
    expect(result.locator("ul > li", has_text="Email addresses").locator("ins")).to_have_count(1)
    expect(result.locator("h1")).to_have_count(0)
    # Every change shows without expanding anything: none is inside the collapsed unchanged text.
    marks = result.locator("ins, del")
    expect(marks).to_have_count(4)
    for mark in marks.all():
        expect(mark).to_be_visible()
    assert archive.errors == []


def test_result_heading_names_both_versions_and_takes_focus(archive: Archive) -> None:
    expect(archive.result).to_be_hidden()
    result = archive.compare(V2010, V2020)
    expect(result).to_be_visible()
    expect(result.locator("h2")).to_be_focused()
    assert archive.errors == []


def test_page_chrome_never_appears_in_the_result(archive: Archive) -> None:
    chrome = [
        "Effective",
        "In effect from",
        "All versions",
        "What changed",
        "Corrections",
        "typing error",
        "replaced the 2010 policy",
        "takes effect soon",
        "toontrack.test",
        "¶",
    ]
    for old, new in [(V2001, V2010), (V2010, V2020), (V2020, V2001)]:
        text = archive.compare(old, new).text_content() or ""
        assert "Our Privacy Policy" in text
        assert [words for words in chrome if words in text] == []
    assert archive.errors == []


def test_unchanged_section_is_shown_without_marks(archive: Archive) -> None:
    result = archive.compare(V2001, V2020)
    security = result.locator("p", has_text="We use security measures")
    expect(security).to_have_count(1)
    expect(security).to_have_text(SECURITY)
    expect(security.locator("ins, del")).to_have_count(0)
    heading = result.locator("h4", has_text="Security")
    expect(heading).to_have_text("Security")
    expect(heading.locator("ins, del")).to_have_count(0)
    # The unchanged text still reads as part of its section: it follows the section's heading.
    assert outline(result)[-1] == ("h4", "Security")
    assert archive.errors == []


def test_equal_selection_asks_for_two_different_versions(archive: Archive) -> None:
    archive.submit(V2010, V2010)
    expect(archive.result).to_be_visible()
    expect(archive.result).to_have_text("Choose two different versions.")
    expect(archive.result.locator("ins, del, h2")).to_have_count(0)
    assert archive.version_requests() == []
    assert archive.errors == []


@pytest.mark.parametrize("failure", ["network error", "not found"])
def test_a_version_that_cannot_be_fetched_shows_an_error(archive: Archive, failure: str) -> None:
    def fail(route: Route) -> None:
        if failure == "network error":
            route.abort()
        else:
            route.fulfill(status=404, content_type="text/html", body=NOT_FOUND)

    archive.page.route("**/privacy/versions/2010-06-01/", fail)
    archive.submit(V2001, V2010)
    error = archive.result.locator(".policy-compare__error")
    expect(error).to_have_text("The versions could not be loaded. Please try again.")
    expect(error).to_be_focused()
    expect(archive.result.locator("h2, ins, del")).to_have_count(0)
    assert archive.errors == []


def test_compare_after_a_failed_fetch_loads_the_version_again(archive: Archive) -> None:
    archive.page.route("**/privacy/versions/2010-06-01/", lambda route: route.abort())
    archive.submit(V2001, V2010)
    expect(archive.result.locator(".policy-compare__error")).to_be_visible()
    archive.page.unroute("**/privacy/versions/2010-06-01/")
    result = archive.compare(V2001, V2010)
    assert texts(result, "ins") == ["store", "Email addresses"]
    assert archive.version_requests().count(f"{archive.url}{ARCHIVE}2010-06-01/") == 2
    assert archive.errors == []


def test_a_later_compare_replaces_the_earlier_result(archive: Archive) -> None:
    archive.compare(V2001, V2010)
    result = archive.compare(V2010, V2020)
    expect(result.locator("h2")).to_have_count(1)
    assert texts(result, "del") == ["Web site", SERIAL]
    archive.submit(V2020, V2020)
    expect(archive.result).to_have_text("Choose two different versions.")
    assert archive.errors == []


def test_compare_requests_nothing_from_another_host(archive: Archive) -> None:
    # The 2001 page's <head> loads a tracker and the 2020 page's text holds a pixel, both from
    # ads.partner.test: parsing the fetched pages must not load them.
    archive.compare(V2001, V2020)
    archive.page.wait_for_load_state("networkidle")
    own = urlsplit(archive.url).netloc
    assert sorted(archive.version_requests()) == [
        f"{archive.url}{ARCHIVE}2001-01-01/",
        f"{archive.url}{ARCHIVE}2020-03-15/",
    ]
    assert f"{archive.url}assets/javascripts/compare.js" in archive.requests
    assert [url for url in archive.requests if urlsplit(url).netloc != own] == []
    assert archive.errors == []


def test_script_builds_no_markup_from_strings() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    forbidden = [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "style=",
        ".style",
        "setAttribute('style'",
        "createContextualFragment",
    ]
    assert [word for word in forbidden if word in source] == []
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL).strip()
    assert code.startswith("(function () {\n  'use strict';")
    assert code.endswith("})();")
    assert "fetch(url, { credentials: 'same-origin' })" in source


def test_script_adds_no_globals(page: Page, compare_url: str) -> None:
    own_names = "() => Object.getOwnPropertyNames(window)"

    def empty_script(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body="")

    page.route("**/compare.js", empty_script)
    page.goto(f"{compare_url}{ARCHIVE}")
    without: list[str] = page.evaluate(own_names)
    page.unroute("**/compare.js")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{compare_url}{ARCHIVE}?with-script")
    page.get_by_role("button", name="Compare").click()  # the script is there and listening
    expect(page.locator(".policy-compare__result h2")).to_have_text(
        f"Changes from {V2001} to {V2020}"
    )
    added = sorted(set(page.evaluate(own_names)) - set(without))
    assert added == []
    assert errors == []


def paragraph(rng: random.Random, vocabulary: list[str], words: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(words)) + "."


def version_page(paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Policy</title></head>'
        '<body><article class="md-content__inner md-typeset"><h1>Our Privacy Policy</h1>'
        f'<p class="policy-status">Effective soon</p><h2>Everything</h2>\n{body}\n'
        "</article></body></html>"
    )


@dataclass
class Marks:
    deleted: list[str]
    inserted: list[str]
    errors: list[str]


def compare_paragraphs(page: Page, directory: Path, old: list[str], new: list[str]) -> Marks:
    """Serve the fixture site with the 2001 and 2010 versions replaced by these paragraphs,
    compare them, and return what the result marks."""
    site = make_site(directory)
    (site / ARCHIVE / "2001-01-01" / "index.html").write_text(version_page(old), encoding="utf-8")
    (site / ARCHIVE / "2010-06-01" / "index.html").write_text(version_page(new), encoding="utf-8")
    with serve(site) as url:
        archive = Archive(page, url).open()
        result = archive.compare(V2001, V2010)
        return Marks(texts(result, "del"), texts(result, "ins"), archive.errors)


def test_one_kept_word_between_two_changes_joins_them(page: Page, tmp_path: Path) -> None:
    marks = compare_paragraphs(
        page,
        tmp_path,
        ["Please leave cookies turned on. Thank you."],
        ["Please keep cookies switched off. Thank you."],
    )
    assert marks.deleted == ["leave cookies turned on"]
    assert marks.inserted == ["keep cookies switched off"]
    assert marks.errors == []


def test_two_long_versions_compare_exactly(page: Page, tmp_path: Path) -> None:
    rng = random.Random(2007)
    vocabulary = [
        f"{stem}{n}" for stem in ("data", "site", "user", "shop", "mail") for n in range(40)
    ]
    # One 2,000-word paragraph changed at both ends (no common prefix or suffix to trim), and
    # forty short ones: one edited, one deleted, one inserted.
    old = [paragraph(rng, vocabulary, 2000)] + [paragraph(rng, vocabulary, 30) for _ in range(40)]
    new = list(old)
    words = old[0].split(" ")
    new[0] = " ".join(["Alpha", *words[1:-1], "Omega."])
    words = old[10].split(" ")
    new[10] = " ".join([*words[:5], "Changed", *words[6:]])
    inserted = paragraph(rng, ["Inserted", "paragraph", "text"], 12)
    new.insert(36, inserted)
    del new[25]
    marks = compare_paragraphs(page, tmp_path, old, new)
    first, *_, last = re.findall(r"\w+", old[0])
    assert marks.deleted == [first, last, old[10].split()[5], old[25]]
    assert marks.inserted == ["Alpha", "Omega", "Changed", inserted]
    assert marks.errors == []
