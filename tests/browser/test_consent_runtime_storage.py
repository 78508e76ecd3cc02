"""IndexedDB databases and Cache Storage caches are cleared as cookies are: allow-list, declared or
not, on reject or withdrawal and on every page load. The runtime site's consent.yml declares a
database and a cache under necessary and under advertising (tests/browser/conftest.py, STORED);
the partner's ``store.js`` (advertising) makes a declared and an undeclared one of each.

In Chromium with the site's origins treated as secure, as HTTPS is in production (Cache Storage
needs a secure context)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from policy_site.audit.browser import _PROBE
from tests.partner import Partner
from tests.support import elements, parse_html

#: The databases and caches the page holds: {"indexedDB": [...], "caches": [...]}, sorted.
HELD = """async () => ({
  indexedDB: (await indexedDB.databases()).map((d) => d.name).sort(),
  caches: (await caches.keys()).sort(),
})"""
#: Made by the page itself, as a necessary feature would (declared under necessary).
NECESSARY = """async () => {
  await new Promise((done) => { indexedDB.open("tt_offline").onsuccess = (e) => {
    e.target.result.close(); done(); }; });
  await caches.open("tt-offline");
}"""


def held(page: Page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = page.evaluate(HELD)
    return found


def wait_until_held(page: Page, expected: dict[str, list[str]], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while (found := held(page)) != expected:
        assert time.monotonic() < deadline, f"still held after {seconds} s: {found}"
        time.sleep(0.1)


def banner(page: Page) -> Any:
    return page.get_by_role("region", name="Cookie choices")


def test_reject_deletes_the_databases_and_caches_of_a_tag_that_ran(
    secure_context: BrowserContext, runtime_url: str, hits: Partner
) -> None:
    page = secure_context.new_page()
    page.goto(f"{runtime_url}tags.html", wait_until="networkidle")
    page.evaluate(NECESSARY)
    banner(page).get_by_role("button", name="Accept all").click()
    everything = {
        "indexedDB": ["partner_db", "tracker_db", "tt_offline"],
        "caches": ["partner-cache", "tracker-cache", "tt-offline"],
    }
    wait_until_held(page, everything)
    # The audit records them as the browser holds them (and judges them: tests/unit/test_audit.py).
    probe = page.evaluate(_PROBE, ["Cookie choices"])
    assert {area: sorted(probe[area]) for area in everything} == everything
    page.get_by_role("button", name="Cookie settings").click()
    with page.expect_navigation():  # the tag ran: the page reloads
        page.get_by_role("dialog", name="Cookie settings").get_by_role(
            "button", name="Reject all"
        ).click()
    page.wait_for_load_state("networkidle")
    expect(banner(page)).to_be_hidden()
    wait_until_held(page, {"indexedDB": ["tt_offline"], "caches": ["tt-offline"]})
    # And on every load: whatever a tag left since goes with the next page.
    page.evaluate(
        """async () => { await caches.open("late-cache");
        await new Promise((done) => { indexedDB.open("late_db").onsuccess = (e) => {
          e.target.result.close(); done(); }; }); }"""
    )
    page.goto(f"{runtime_url}", wait_until="networkidle")
    wait_until_held(page, {"indexedDB": ["tt_offline"], "caches": ["tt-offline"]})


def test_the_cookie_table_lists_the_declared_databases_and_caches(runtime_site: Path) -> None:
    page = parse_html(runtime_site / "privacy" / "cookies" / "index.html")
    rows = [
        [" ".join(str(cell.text_content()).split()) for cell in elements(row, "./td")]
        for row in elements(page, "//article//tbody/tr")
    ]
    stored = [row for row in rows if row[1] in ("IndexedDB database", "Cache Storage")]
    assert stored == [
        ["tt_offline", "IndexedDB database", "this site", "Until cleared", "Offline pages"],
        ["tt-offline", "Cache Storage", "this site", "Until cleared", "Offline pages"],
        ["partner_ and a visitor id", "IndexedDB database", "this site", "Until cleared",
         "Ad visitor id"],
        ["partner-cache", "Cache Storage", "this site", "Until cleared", "Ad files"],
    ]  # fmt: skip
