"""A stray consent cookie never locks the visitor out. A tag (or an old release) writes a second
``tt_consent`` on another path, on the host only, or partitioned (CHIPS), with another value: the
runtime deletes every copy but the one at its own place (the shared domain, "/"), partitioned
ones with ``Partitioned``, and reads again: the copy left is the choice, and while two values
remain (a copy it cannot delete) there is none. The next choice is stored after expiring the name
on every domain and path, so that it holds on reload.

Run in plain Chromium (the runtime sees the strays on load and at the choice), with the site's
origins secure (the Cookie Store API also tells it when one is written), and over real HTTPS
(where a page can write and delete a partitioned cookie)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.test_consent_cookie import certificate, choose, https_url, tls_context
from tests.partner import Partner
from tests.support import bundle_config

__all__ = ["certificate", "https_url", "tls_context"]  # fixtures, over HTTPS


def revision(site: Path) -> str:
    """The consent revision the built runtime asks for (its CONFIG.revision)."""
    return str(bundle_config(site)["revision"])


def valid(granted: bool, ident: str, pv: str, ts: int | None = None) -> str:
    """A consent record the runtime would accept on its own (given now, unless ``ts``)."""
    ts = int(time.time() * 1000) if ts is None else ts
    record = {"v": 1, "id": ident, "ts": ts, "pv": pv,
              "c": {"analytics": granted, "advertising": granted}, "gpc": False}  # fmt: skip
    return quote(json.dumps(record, separators=(",", ":")))


def consent_cookies(context: BrowserContext) -> list[tuple[str, str, dict[str, Any]]]:
    """Every tt_consent cookie: (domain, path, record)."""
    return [
        (str(c["domain"]), str(c["path"]), json.loads(unquote(str(c["value"]))))
        for c in context.cookies()
        if c["name"] == "tt_consent"
    ]


def plant(context: BrowserContext, runtime_url: str, pv: str) -> None:
    """The real choice on the shared domain, and three strays granting everything: host-only on
    "/", on the shared domain for /partner/, on www and its sub domains for /partner. Each is a
    record the runtime would accept alone."""
    context.add_cookies([
        {"name": "tt_consent", "value": valid(False, "0123456789abcdef", pv),
         "domain": ".toontrack.test", "path": "/"},
        {"name": "tt_consent", "value": valid(True, "aaaaaaaaaaaaaaaa", pv), "url": runtime_url},
        {"name": "tt_consent", "value": valid(True, "bbbbbbbbbbbbbbbb", pv),
         "domain": ".toontrack.test", "path": "/partner/"},
        {"name": "tt_consent", "value": valid(True, "cccccccccccccccc", pv),
         "domain": ".www.toontrack.test", "path": "/partner"},
    ])  # fmt: skip


@pytest.fixture(params=["plain", "secure"])
def any_context(request: pytest.FixtureRequest) -> BrowserContext:
    context: BrowserContext = request.getfixturevalue(
        "context" if request.param == "plain" else "secure_context"
    )
    return context


def test_stray_consent_cookies_are_deleted_and_the_choice_holds(
    any_context: BrowserContext, runtime_url: str, runtime_site: Path, hits: Partner
) -> None:
    context = any_context
    pv = revision(runtime_site)
    plant(context, runtime_url, pv)
    assert len(consent_cookies(context)) == 4
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{runtime_url}partner/", wait_until="networkidle")
    region = page.get_by_role("region", name="Cookie choices")
    expect(region).to_be_hidden()  # the copy at the runtime's own place holds: "Reject all"
    ((domain, path, real),) = consent_cookies(context)  # the strays are gone
    assert (domain, path, real["id"]) == (".toontrack.test", "/", "0123456789abcdef")
    assert page.evaluate("PrivacyConsent.get()") == real
    assert hits.paths() == []
    # The tag writes its strays again (with the Cookie Store API, the runtime deletes them at
    # once); the visitor chooses.
    plant(context, runtime_url, pv)
    page.evaluate("PrivacyConsent.show()")
    page.get_by_role("dialog").get_by_role("button", name="Accept all").click()
    page.reload(wait_until="networkidle")
    expect(region).to_be_hidden()
    ((domain, path, record),) = consent_cookies(context)
    assert (domain, path) == (".toontrack.test", "/")
    assert record["c"] == {"analytics": True, "advertising": True}
    assert record["pv"] == pv
    assert record["id"] == "0123456789abcdef"  # the visitor's, kept
    assert page.evaluate("PrivacyConsent.get()") == record
    assert errors == []


def test_strays_alone_are_no_choice_and_are_deleted(
    any_context: BrowserContext, runtime_url: str, runtime_site: Path, hits: Partner
) -> None:
    """Two values, none at the runtime's own place: every copy goes, and there is no choice."""
    context = any_context
    pv = revision(runtime_site)
    plant(context, runtime_url, pv)
    context.clear_cookies(domain=".toontrack.test", path="/")  # the real choice
    assert len(consent_cookies(context)) == 3
    page = context.new_page()
    page.goto(f"{runtime_url}partner/", wait_until="networkidle")
    expect(page.get_by_role("region", name="Cookie choices")).to_be_visible()
    assert page.evaluate("PrivacyConsent.get()") is None
    assert consent_cookies(context) == []
    assert hits.paths() == []


#: Two strays a page's script writes: on another path, and partitioned (CHIPS) on "/" of this
#: host; then what the page's document.cookie holds at once.
WRITE_STRAYS = """() => {
  document.cookie = "tt_consent=on-a-path; Path=/partner/";
  document.cookie = "tt_consent=partitioned; Secure; Partitioned; Path=/";
  return document.cookie;
}"""


def all_consent_cookies(page: Page) -> list[Any]:
    """Every tt_consent cookie the page's Cookie Store sees, partitioned ones too."""
    found: list[Any] = page.evaluate(
        "cookieStore.getAll('tt_consent').then((all) => all.map((c) => [c.value, c.partitioned]))"
    )
    return found


def test_a_stray_on_a_path_and_a_partitioned_one_go_and_the_choice_holds(
    tls_context: BrowserContext, https_url: str
) -> None:
    """Over HTTPS: a page without the runtime writes the strays (the runtime meets them on
    load), then a page script under the runtime does (the Cookie Store API tells it at once)."""
    context = tls_context
    plain = f"{https_url}partner/plain/"
    context.route(plain, lambda route: route.fulfill(body="<!doctype html><title>Shop</title>"))
    page = context.new_page()
    page.goto(f"{https_url}partner/", wait_until="networkidle")
    choose(page, "Accept all")
    record = page.evaluate("PrivacyConsent.get()")
    for writer in ("plain", "runtime"):
        if writer == "plain":
            page.goto(plain)
        written: str = page.evaluate(WRITE_STRAYS)
        assert {"tt_consent=on-a-path", "tt_consent=partitioned"} <= set(written.split("; "))
        if writer == "plain":  # (the runtime deletes them at once)
            assert ["partitioned", True] in all_consent_cookies(page)
        page.goto(f"{https_url}partner/", wait_until="networkidle")
        page.reload(wait_until="networkidle")
        expect(page.get_by_role("region", name="Cookie choices")).to_be_hidden()
        assert page.evaluate("PrivacyConsent.get()") == record
        assert all_consent_cookies(page) == [[quote(json.dumps(record, separators=(",", ":"))),
                                              False]]  # fmt: skip
        ((domain, path, stored),) = consent_cookies(context)
        assert (domain, path, stored) == (".toontrack.test", "/", record)


def test_a_stray_that_cannot_be_deleted_means_no_choice(
    secure_context: BrowserContext, runtime_url: str, runtime_site: Path, hits: Partner
) -> None:
    """The one such stray there is to make: a partitioned cookie the browser holds for a site
    that is secure only by the command line flag. Chromium shows it to the page, but refuses a
    Partitioned write (the deletion too) from a URL that is not https."""
    context = secure_context
    pv = revision(runtime_site)
    stray: Any = {"name": "tt_consent", "value": valid(True, "aaaaaaaaaaaaaaaa", pv),
                  "domain": "www.toontrack.test", "path": "/", "secure": True,
                  "partitionKey": "http://toontrack.test",
                  "_crHasCrossSiteAncestor": False}  # fmt: skip
    own: Any = {"name": "tt_consent", "value": valid(False, "0123456789abcdef", pv),
                "domain": ".toontrack.test", "path": "/"}  # fmt: skip
    context.add_cookies([own, stray])
    page = context.new_page()
    page.goto(f"{runtime_url}tags.html", wait_until="networkidle")
    expect(page.get_by_role("region", name="Cookie choices")).to_be_visible()
    assert page.evaluate("PrivacyConsent.get()") is None
    assert sorted(value for value, _ in all_consent_cookies(page)) == sorted(
        [own["value"], stray["value"]]
    )  # the stray could not be deleted, and the runtime's own copy is kept
    page.wait_for_timeout(300)
    assert hits.paths() == []
