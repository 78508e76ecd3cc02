"""Every open tab follows a withdrawal at once, on every sub domain: the consent cookie is shared
by www and the shop, and the Cookie Store API's ``change`` event tells a tab on www that the shop
changed it, while the tab stays in view (no ``visibilitychange``, no BroadcastChannel between
origins). The tab's tag had run, so the runtime reloads it, and its beacons stop.

These run in Chromium with the site's origins treated as secure, as HTTPS is in production (the
Cookie Store API needs a secure context)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.test_consent_runtime_cookie import revision, valid
from tests.partner import Partner


def visit(page: Page, url: str) -> Page:
    page.goto(url, wait_until="networkidle")
    return page


def banner(page: Page) -> Any:
    return page.locator(".ppc-banner")


def beaconing(hits: Partner, seconds: float = 10.0) -> None:
    """Waits until the tags page's beacon has been arriving (one in the last 300 ms)."""
    deadline = time.monotonic() + seconds
    while not hits.since("/beacon.gif", time.monotonic() - 0.3):
        assert time.monotonic() < deadline, "the beacon never started"
        time.sleep(0.05)


def no_beacon_after(hits: Partner, moment: float, window: float = 1.0) -> list[Any]:
    """The beacons that arrived later than ``window`` seconds after ``moment``, watched until half
    a second past that (ten beacons' time)."""
    time.sleep(max(0.0, moment + window + 0.5 - time.monotonic()))
    return hits.since("/beacon.gif", moment + window)


def accepted_tags_page(context: BrowserContext, runtime_url: str, hits: Partner) -> Page:
    www = visit(context.new_page(), f"{runtime_url}tags.html")
    assert www.evaluate("!!window.cookieStore"), "the Cookie Store API is missing"
    www.get_by_role("button", name="Accept all").click()
    beaconing(hits)
    return www


def test_a_withdrawal_on_the_shop_stops_a_www_tab_at_once(
    secure_context: BrowserContext, runtime_url: str, hits: Partner
) -> None:
    www = accepted_tags_page(secure_context, runtime_url, hits)
    shop = visit(secure_context.new_page(), runtime_url.replace("www.", "shop.") + "shop.html")
    expect(banner(shop)).to_be_hidden()  # the choice made on www holds on the shop
    shop.get_by_role("button", name="Cookie-inställningar").click()
    dialog = shop.get_by_role("dialog", name="Cookie-inställningar")
    dialog.get_by_role("button", name="Avvisa alla").click()
    clicked = time.monotonic()
    assert no_beacon_after(hits, clicked) == []
    # The www tab was never hidden: it followed by itself, and holds the shop's choice.
    assert www.evaluate("document.visibilityState") == "visible"
    assert www.evaluate("PrivacyConsent.get().c") == {"analytics": False, "advertising": False}
    expect(banner(www)).to_be_hidden()


def test_a_consent_cookie_deleted_elsewhere_withdraws_at_once(
    secure_context: BrowserContext, runtime_url: str, hits: Partner
) -> None:
    """The browser's "clear cookies" (or any other page) deletes the consent cookie: the open tab
    has no choice any more, asks again, and its tag stops."""
    www = accepted_tags_page(secure_context, runtime_url, hits)
    secure_context.clear_cookies(name="tt_consent")
    cleared = time.monotonic()
    assert no_beacon_after(hits, cleared) == []
    expect(banner(www)).to_be_visible()
    assert www.evaluate("PrivacyConsent.get()") is None


def test_a_late_message_with_an_older_choice_changes_nothing(
    secure_context: BrowserContext, runtime_url: str, runtime_site: Path, hits: Partner
) -> None:
    """Messages and cookie events arrive in no set order: a tab that holds "Reject all" gets,
    late, a message from another tab carrying an earlier "Accept all" (a valid record, as the
    runtime writes it). It keeps "Reject all", and its tags never start."""
    www = visit(secure_context.new_page(), f"{runtime_url}tags.html")
    www.get_by_role("button", name="Reject all").click()
    expect(banner(www)).to_be_hidden()
    record = www.evaluate("PrivacyConsent.get()")
    other = visit(secure_context.new_page(), f"{runtime_url}privacy/")
    # A channel of the test's own in the tab, made after the runtime's: it hears the message
    # after the runtime has.
    www.evaluate("""() => { window.__heard = 0; const c = new BroadcastChannel("privacy-consent");
      c.onmessage = () => { window.__heard += 1; }; }""")
    older = valid(True, record["id"], revision(runtime_site), record["ts"] - 1000)
    other.evaluate("(v) => new BroadcastChannel('privacy-consent').postMessage(v)", older)
    deadline = time.monotonic() + 5
    while not www.evaluate("window.__heard"):
        assert time.monotonic() < deadline, "the message never arrived"
        time.sleep(0.05)
    time.sleep(1.0)  # a tag the message started would have reached the partner
    assert hits.paths() == []
    for page in (www, other):
        assert page.evaluate("PrivacyConsent.get()") == record
        expect(banner(page)).to_be_hidden()
