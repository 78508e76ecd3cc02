"""The cookie page (/privacy/cookies/) on a phone: a cookie's or a key's name is never broken
inside (a table too wide for the screen scrolls sideways in its own region), and a pattern's
label wraps between words only. axe-core's check of the page is
test_accessibility.py's, which covers every page of the project at 360 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

#: The name cells of the cookie tables: for each <code> (an exact name), its text and how many
#: lines it is drawn on; for each word of the other text (a pattern's label), the tops of its rects
#: (a word with two tops was broken inside).
MEASURE = """() => {
  const lines = (range) => new Set([...range.getClientRects()].filter((r) => r.width > 0)
    .map((r) => Math.round(r.top))).size;
  const names = [], words = [];
  for (const cell of document.querySelectorAll("article table tbody td:first-child")) {
    for (const code of cell.querySelectorAll("code")) {
      names.push({name: code.textContent, lines: code.getClientRects().length});
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("code")) continue;
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        words.push({word: match[0], lines: lines(range)});
      }
    }
  }
  return {names, words};
}"""


def measure(page: Page, url: str) -> dict[str, Any]:
    page.set_viewport_size({"width": 320, "height": 568})
    page.goto(url)
    page.evaluate("document.fonts.ready")
    found = page.evaluate(MEASURE)
    assert isinstance(found, dict)
    return found


def check(found: dict[str, Any]) -> None:
    assert [n["name"] for n in found["names"] if n["lines"] != 1] == [], "names broken inside"
    assert [w["word"] for w in found["words"] if w["lines"] != 1] == [], "labels broken inside"


@pytest.mark.parametrize("path", ["privacy/cookies/", "sv/privacy/cookies/"])
def test_at_320_px_no_name_or_label_is_broken_inside_a_word(
    page: Page, site_url: str, path: str
) -> None:
    found = measure(page, f"{site_url}{path}")
    names = {n["name"] for n in found["names"]}
    assert {"tt_session", "tt_cart", "tt_consent", "_gcl_au"} <= names
    assert {"_ga_", "measurement", "mätnings-ID"} & {w["word"] for w in found["words"]}
    check(found)


def test_the_check_sees_a_broken_name(page: Page, site_url: str) -> None:
    """The check itself: names and labels let to break anywhere, as the theme let them, fail it."""
    found = measure(page, f"{site_url}privacy/cookies/")
    check(found)
    page.evaluate("""() => {
      for (const cell of document.querySelectorAll("article td:first-child, article td code")) {
        cell.style.whiteSpace = "normal";
        cell.style.wordBreak = "break-all";
        cell.style.maxWidth = "2em";
      }
    }""")
    with pytest.raises(AssertionError, match="names broken inside"):
        check(page.evaluate(MEASURE))
