"""A consent bundle that fails cannot open the gate: blocked, missing, tampered with, or throwing at
start-up or after a click, it leaves every gated element inert (the partner receives nothing, no
gated script runs, no image or frame gets a ``src``) and the policy readable."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.partner import Partner
from tests.support import SITE_HOST, consent_files

BUNDLE = "**/consent.*.js"
#: What the page's gated markup looks like while inert; read in the page.
GATE = """() => ({
  scripts: [...document.querySelectorAll("script[data-category]")].map(s => s.type),
  loading: [...document.querySelectorAll("img[data-category], iframe[data-category]")]
    .map(e => [e.tagName, e.getAttribute("src"), e.getAttribute("srcset")]),
  order: window.order === undefined ? "undefined" : window.order,
})"""
#: What a tag manager injected into the bundle would do: start everything the gate holds.
OPENER = """
;document.querySelectorAll("[data-src]").forEach(function (e) { e.src = e.dataset.src; });
window.order = ["tampered"];
"""


@dataclass
class Watch:
    """What a page did: uncaught errors, console errors, and requests to any other host."""

    errors: list[str]
    console: list[str]
    elsewhere: list[str]


def elsewhere(url: str) -> bool:
    return urlsplit(url).hostname != SITE_HOST


@pytest.fixture
def watch(page: Page) -> Watch:
    found = Watch([], [], [])
    page.on("pageerror", lambda error: found.errors.append(str(error)))
    page.on("console", lambda m: found.console.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: found.elsewhere.append(r.url) if elsewhere(r.url) else None)
    return found


def plant_consent(page: Page, consent_url: str) -> None:
    """A valid "accept all" record for the demo site: a working bundle would open the gate."""
    value = {"v": 1, "id": "0123456789abcdef", "ts": int(time.time() * 1000), "pv": "2021-01-01",
             "c": {"analytics": True, "advertising": True}, "gpc": False}  # fmt: skip
    parent = "." + str(urlsplit(consent_url).hostname).split(".", 1)[1]
    page.context.add_cookies([{
        "name": "tt_consent", "value": quote(json.dumps(value, separators=(",", ":"))),
        "domain": parent, "path": "/",
    }])  # fmt: skip


def assert_gate_closed(page: Page, hits: Partner, watch: Watch) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # time for a late load to arrive, were there one
    assert hits.paths() == []
    assert watch.elsewhere == []
    gate = page.evaluate(GATE)
    assert gate["scripts"] == ["text/plain"] * 4
    assert gate["loading"] == [["IMG", None, None], ["IFRAME", None, None]]
    assert gate["order"] == "undefined"


def assert_readable(page: Page, consent_url: str, heading: str, text: str) -> None:
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.locator("article")).to_be_visible()
    expect(page.locator("article")).to_contain_text(text)


def assert_nothing_gated_runs(page: Page, consent_url: str, hits: Partner, watch: Watch) -> None:
    """The policy and the partner page read fine; nothing gated ran on either. Last, the control:
    the partner page does hold the gated image, and the partner does see it once it loads."""
    page.goto(f"{consent_url}privacy/", wait_until="networkidle")
    assert_readable(page, consent_url, "Privacy Policy", "We collect your name")
    page.goto(f"{consent_url}partner/", wait_until="networkidle")
    assert_readable(page, consent_url, "Partner content", "Each gated element below")
    assert_gate_closed(page, hits, watch)
    page.evaluate("document.querySelector('img[data-src]').src = "
                  "document.querySelector('img[data-src]').dataset.src")  # fmt: skip
    deadline = time.monotonic() + 5
    while hits.paths() != ["/pixel.gif"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hits.paths() == ["/pixel.gif"]


def counting(handler: Callable[[Route], None]) -> tuple[list[str], Callable[[Route], None]]:
    """``handler``, recording the URL of each request it answers."""
    seen: list[str] = []

    def route(r: Route) -> None:
        seen.append(r.request.url)
        handler(r)

    return seen, route


def test_a_blocked_bundle_runs_nothing_gated(
    page: Page, consent_url: str, hits: Partner, watch: Watch
) -> None:
    seen, route = counting(lambda r: r.abort("blockedbyclient"))
    page.route(BUNDLE, route)
    plant_consent(page, consent_url)
    assert_nothing_gated_runs(page, consent_url, hits, watch)
    assert len(seen) >= 2  # on both pages
    expect(page.locator(".ppc-banner")).to_have_count(0)


def test_a_missing_bundle_runs_nothing_gated(
    page: Page, consent_url: str, hits: Partner, watch: Watch
) -> None:
    seen, route = counting(lambda r: r.fulfill(status=404, body="Not found"))
    page.route(BUNDLE, route)
    plant_consent(page, consent_url)
    assert_nothing_gated_runs(page, consent_url, hits, watch)
    assert len(seen) >= 2


def test_a_tampered_bundle_is_refused_by_its_integrity_hash(
    page: Page, consent_url: str, consent_site: Path, hits: Partner, watch: Watch
) -> None:
    bundle, _ = consent_files(consent_site)
    tampered = bundle.read_text(encoding="utf-8") + OPENER
    seen, route = counting(
        lambda r: r.fulfill(status=200, content_type="text/javascript", body=tampered)
    )
    page.route(BUNDLE, route)
    assert_nothing_gated_runs(page, consent_url, hits, watch)
    assert len(seen) >= 2
    assert any("integrity" in message for message in watch.console), watch.console


@dataclass(frozen=True)
class StartupFailure:
    #: Run in every page before its own scripts.
    script: str
    #: Part of the uncaught error the bundle then throws (proof that it did).
    error: str
    #: Whether a valid "accept all" record is on the browser: the bundle must not honour a
    #: record it cannot handle.
    consent: bool


STARTUP_FAILURES = {
    # As in a sandboxed frame without allow-same-origin, or with cookies blocked by policy.
    "cookies disabled": StartupFailure(
        """Object.defineProperty(Document.prototype, "cookie", { configurable: true,
        get() { throw new DOMException("Failed to read the 'cookie' property from 'Document': The "
          + "document is sandboxed and lacks the 'allow-same-origin' flag.", "SecurityError"); },
        set() { throw new DOMException("Failed to set the 'cookie' property on 'Document': The "
          + "document is sandboxed and lacks the 'allow-same-origin' flag.", "SecurityError"); }
        });""",
        "sandboxed",
        consent=True,
    ),
    # An old or stripped-down browser. (With a record on it, the gate opens before the throw, as
    # it should: the visitor chose.)
    "no MutationObserver": StartupFailure(
        "delete window.MutationObserver; delete window.WebKitMutationObserver;",
        "MutationObserver",
        consent=False,
    ),
    # A broken tag manager set-up: dataLayer frozen, so gtag("consent", "default") throws.
    "a frozen dataLayer": StartupFailure(
        "window.dataLayer = Object.freeze([]);", "not extensible", consent=True
    ),
    # No BroadcastChannel that can be created (a privacy extension, an opaque origin).
    "BroadcastChannel refused": StartupFailure(
        """window.BroadcastChannel = function () {
        throw new DOMException("Can't create BroadcastChannel in an opaque origin",
          "SecurityError");
        };""",
        "BroadcastChannel",
        consent=True,
    ),
}


@pytest.mark.parametrize("failure", list(STARTUP_FAILURES.values()), ids=list(STARTUP_FAILURES))
def test_a_bundle_that_throws_at_start_up_runs_nothing_gated(
    page: Page, consent_url: str, hits: Partner, watch: Watch, failure: StartupFailure
) -> None:
    page.add_init_script(failure.script)
    if failure.consent:
        plant_consent(page, consent_url)
    assert_nothing_gated_runs(page, consent_url, hits, watch)
    assert any(failure.error in error for error in watch.errors), watch.errors
    assert page.evaluate("typeof window.PrivacyConsent") == "undefined"
    expect(page.get_by_role("button", name="Accept all")).to_have_count(0)


def test_a_record_that_cannot_be_parsed_asks_again_and_runs_nothing(
    page: Page, consent_url: str, hits: Partner, watch: Watch
) -> None:
    # JSON.parse throwing (a page script replaced it) is read as no choice: the banner asks.
    page.add_init_script(
        """const parse = JSON.parse; JSON.parse = function (text) {
        if (String(text).includes('"pv"')) throw new SyntaxError("Unexpected token");
        return parse.apply(this, arguments); };"""
    )
    plant_consent(page, consent_url)
    assert_nothing_gated_runs(page, consent_url, hits, watch)
    expect(page.get_by_role("region", name="Cookie choices")).to_be_visible()


CLICK_FAILURES = {
    # No random numbers for the record's id (an exhausted or broken crypto implementation).
    "getRandomValues throws": """Crypto.prototype.getRandomValues = function () {
        throw new DOMException("The operation failed for an operation-specific reason",
          "OperationError"); };""",
    # The record cannot be serialised (a page script replaced JSON.stringify).
    "JSON.stringify throws": """const stringify = JSON.stringify;
        JSON.stringify = function (value) {
          if (value && typeof value === "object" && "pv" in value)
            throw new TypeError("Converting circular structure to JSON");
          return stringify.apply(this, arguments); };""",
}


@pytest.mark.parametrize("script", list(CLICK_FAILURES.values()), ids=list(CLICK_FAILURES))
def test_a_choice_that_throws_runs_nothing_gated(
    page: Page, consent_url: str, hits: Partner, watch: Watch, script: str
) -> None:
    page.add_init_script(script)
    page.goto(f"{consent_url}partner/", wait_until="networkidle")
    region = page.get_by_role("region", name="Cookie choices")
    region.get_by_role("button", name="Accept all").click()
    expect(region).to_be_visible()  # the choice failed: still asking
    region.get_by_role("button", name="Manage choices").click()
    dialog = page.get_by_role("dialog", name="Cookie settings")
    dialog.get_by_role("switch", name="Analytics").check()
    dialog.get_by_role("switch", name="Advertising").check()
    dialog.get_by_role("button", name="Save choices").click()
    dialog.get_by_role("button", name="Accept all").click()
    dialog.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Allow Advertising").click()
    api = page.evaluate(
        """() => { const out = [];
        for (const call of [() => PrivacyConsent.acceptAll(), () => PrivacyConsent.accept(
            ["analytics", "advertising"])]) { try { call(); out.push("ok"); }
            catch (e) { out.push(String(e)); } }
        return out; }"""
    )
    assert "ok" not in api
    assert len(watch.errors) == 4, watch.errors  # each of the four clicks threw
    assert_gate_closed(page, hits, watch)
    assert page.context.cookies() == []
    expect(region).to_be_visible()  # no choice was made, and the banner still says so
    assert_nothing_gated_runs(page, consent_url, hits, watch)


def test_a_polluted_object_prototype_grants_nothing(
    page: Page, consent_url: str, hits: Partner, watch: Watch
) -> None:
    # What a prototype-pollution bug in any other script (a query-string parser merging
    # "__proto__[advertising]=1") leaves behind: every object seems to say "granted".
    page.add_init_script("Object.prototype.analytics = Object.prototype.advertising = true;")
    assert_nothing_gated_runs(page, consent_url, hits, watch)
    expect(page.get_by_role("region", name="Cookie choices")).to_be_visible()
    assert page.evaluate("window.PrivacyConsent.get()") is None
    assert watch.errors == []
