"""The archive (/privacy/versions/) reads well on a phone and on a desktop: nothing wider than the
screen, no word broken inside, room between the cells."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.support import ROOT, build, serve

#: For every cell of the versions table: its box, and the client rects of each of its words (a
#: word drawn in more than one rect was broken inside, across two lines).
MEASURE = """() => {
  const root = document.documentElement;
  const table = document.querySelector("table.policy-versions");
  const box = (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  const cells = [...table.querySelectorAll("tbody th, tbody td")].map((cell) => {
    const words = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        words.push({word: match[0], rects: rects.map(box)});
      }
    }
    const text = document.createRange();
    text.selectNodeContents(cell);
    return {
      row: cell.parentElement.rowIndex,
      label: cell.dataset.label || "Effective",
      box: box(cell.getBoundingClientRect()),
      text: box(text.getBoundingClientRect()),
      words,
    };
  });
  return {
    page: {scroll: root.scrollWidth, client: root.clientWidth},
    table: {scroll: table.scrollWidth, client: table.clientWidth,
            right: table.getBoundingClientRect().right,
            wrapper: table.parentElement.scrollWidth - table.parentElement.clientWidth},
    cells,
  };
}"""

#: Room between two cells' texts, in CSS pixels.
GAP = 8


@pytest.fixture(scope="module")
def later_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project as of mid-2027: the 2007 version superseded ("Superseded (until 31 December
    2026)", the archive's longest status), the 2027 one in effect."""
    site = tmp_path_factory.mktemp("later-site")
    result = build(ROOT, site, as_of="2027-06-01")
    assert result.returncode == 0, result.stderr
    with serve(site) as url:
        yield url


def measure(page: Page, url: str, width: int) -> dict[str, Any]:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{url}privacy/versions/")
    page.evaluate("document.fonts.ready")
    found = page.evaluate(MEASURE)
    assert isinstance(found, dict)
    return found


def check_layout(found: dict[str, Any], width: int) -> None:
    page, table = found["page"], found["table"]
    assert page["scroll"] <= page["client"], f"{width}px: the page scrolls sideways"
    assert table["scroll"] <= table["client"], f"{width}px: the table is wider than itself"
    assert table["wrapper"] <= 0, f"{width}px: the table scrolls inside its wrapper"
    assert table["right"] <= width, f"{width}px: the table is cut off at the right"
    broken = [
        (cell["label"], word["word"])
        for cell in found["cells"]
        for word in cell["words"]
        if len(word["rects"]) > 1 and len({round(rect["top"]) for rect in word["rects"]}) > 1
    ]
    assert broken == [], f"{width}px: words broken inside"
    for cell in found["cells"]:
        assert cell["box"]["right"] <= width, f"{width}px: {cell['label']} cut off"
        for word in cell["words"]:
            for rect in word["rects"]:
                assert rect["right"] <= cell["box"]["right"] + 0.5, (
                    f"{width}px: {word['word']!r} sticks out of {cell['label']}"
                )
    by_row: dict[int, list[dict[str, Any]]] = {}
    for cell in found["cells"]:
        by_row.setdefault(cell["row"], []).append(cell)
    for cells in by_row.values():
        for before, after in itertools.pairwise(cells):
            side_by_side = after["text"]["top"] < before["text"]["bottom"]
            if side_by_side:  # a table row: text apart sideways
                gap = after["text"]["left"] - before["text"]["right"]
            else:  # a card: one field under the other
                gap = after["text"]["top"] - before["text"]["bottom"]
                gap = GAP if gap >= 0 else gap
            assert gap >= GAP, (
                f"{width}px: {before['label']} and {after['label']} {gap:.0f}px apart"
            )


@pytest.mark.parametrize("width", [320, 1280])
def test_the_archive_fits_the_screen_without_breaking_words(
    page: Page, site_url: str, width: int
) -> None:
    check_layout(measure(page, site_url, width), width)


@pytest.mark.parametrize("width", [320, 1280])
def test_the_archive_fits_with_a_superseded_version(
    page: Page, later_site_url: str, width: int
) -> None:
    found = measure(page, later_site_url, width)
    assert any("Superseded" in word["word"] for cell in found["cells"] for word in cell["words"])
    check_layout(found, width)


def test_on_a_phone_each_version_is_a_card_with_labels(page: Page, site_url: str) -> None:
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(f"{site_url}privacy/versions/")
    row = page.get_by_role("row", name="1 January 2027")
    assert row.get_by_role("link", name="What changed").is_visible()
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"Status: "', '"Change: "', '"Summary: "', '"Redline: "']


def test_the_layout_check_sees_a_broken_word(page: Page, site_url: str) -> None:
    """The check itself: cells that break words anywhere, as the table did, fail it."""
    found = measure(page, site_url, 1280)
    check_layout(found, 1280)
    page.evaluate("""() => {
      for (const cell of document.querySelectorAll(".policy-versions th, .policy-versions td")) {
        cell.style.overflowWrap = "anywhere";
        cell.style.whiteSpace = "normal";
        cell.style.maxWidth = "3em";
      }
    }""")
    with pytest.raises(AssertionError, match="words broken inside"):
        check_layout(page.evaluate(MEASURE), 1280)
