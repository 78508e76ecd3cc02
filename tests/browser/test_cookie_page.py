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


@pytest.mark.parametrize("path", ["privacy/cookies/", "sv/privacy/cookies/"])
def test_at_320_px_no_name_or_label_is_broken_inside_a_word(
    page: Page, site_url: str, path: str
) -> None:
    page.set_viewport_size({"width": 320, "height": 568})
    page.goto(f"{site_url}{path}")
    page.evaluate("document.fonts.ready")
    found: dict[str, list[dict[str, Any]]] = page.evaluate(MEASURE)
    assert {"tt_session", "tt_cart", "tt_consent", "_gcl_au"} <= {n["name"] for n in found["names"]}
    assert {"_ga_", "/.__palette"} <= {w["word"] for w in found["words"]}  # the labels' words
    assert [n["name"] for n in found["names"] if n["lines"] != 1] == [], "names broken inside"
    assert [w["word"] for w in found["words"] if w["lines"] != 1] == [], "labels broken inside"
    # Only the tables scroll sideways, each in its own region: never the page (the header's
    # hidden page title once made it 13 px wider).
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
