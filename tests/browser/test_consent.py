"""The consent bundle in Chromium, judged from the network's side: what the fake ad partner's server
received, and which cookies and storage keys the browser holds, before and after each choice."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.partner import Partner
from tests.support import bundle_config, wait_for

GATED = {"/ga.js", "/tag.js", "/pixel.gif", "/video"}
ANALYTICS = {"/ga.js"}
GPC_SCRIPT = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"


def visit(page: Page, url: str) -> Page:
    page.goto(url, wait_until="networkidle")
    return page


def settle(partner: Partner, expected: set[str], seconds: float = 5.0) -> set[str]:
    """The paths the partner has received, once they are ``expected`` or the time is up (loads
    after a click are asynchronous; a test then asserts on what arrived)."""
    deadline = time.monotonic() + seconds
    while set(partner.paths()) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return set(partner.paths())


def banner(page: Page) -> Any:
    return page.get_by_role("region", name="Cookie choices")


def cookies(context: BrowserContext) -> dict[str, str]:
    """Cookie name -> domain, for every cookie the browser holds."""
    return {str(c["name"]): str(c["domain"]) for c in context.cookies()}


def record(context: BrowserContext) -> dict[str, Any]:
    (value,) = [c["value"] for c in context.cookies() if c["name"] == "tt_consent"]
    parsed: dict[str, Any] = json.loads(unquote(str(value)))
    return parsed


def storage_keys(page: Page) -> list[str]:
    keys: list[str] = page.evaluate(
        "() => Object.keys(localStorage).concat(Object.keys(sessionStorage)).sort()"
    )
    return keys


@pytest.fixture(scope="module")
def revision(consent_site: Path) -> str:
    """The consent revision the built runtime asks for (its CONFIG.revision): the policy's
    version and a digest of what the visitor is asked about."""
    return str(bundle_config(consent_site)["revision"])


@pytest.fixture(autouse=True)
def errors(page: Page) -> Iterator[list[str]]:
    """Every test here also fails on an uncaught error in its page."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    yield found
    assert found == []


def test_first_visit_loads_nothing_gated_and_sets_no_cookie(
    page: Page, consent_url: str, hits: Partner, errors: list[str]
) -> None:
    visit(page, f"{consent_url}partner/")
    expect(banner(page)).to_be_visible()
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(300)
    assert hits.paths() == []
    assert cookies(page.context) == {}
    assert page.evaluate("window.order") is None


def test_banner_offers_three_choices_of_equal_weight(page: Page, consent_url: str) -> None:
    visit(page, f"{consent_url}partner/")
    names = ["Accept all", "Reject all", "Manage choices"]
    buttons = [banner(page).get_by_role("button", name=name) for name in names]
    boxes = [button.bounding_box() for button in buttons]
    assert all(box is not None and box["height"] >= 24 and box["width"] >= 24 for box in boxes)
    areas = [box["width"] * box["height"] for box in boxes if box]
    assert max(areas) / min(areas) < 1.25
    styles = [b.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e).fontWeight, "
                         "getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
              for b in buttons]  # fmt: skip
    assert styles[0] == styles[1] == styles[2]
    expect(banner(page).get_by_role("link", name="Privacy policy")).to_be_visible()
    # Keyboard: the banner's buttons come first.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.ppc-banner') !== null")


def test_accept_all_loads_every_gated_element_in_document_order(
    page: Page, consent_url: str, hits: Partner, errors: list[str], revision: str
) -> None:
    visit(page, f"{consent_url}partner/")
    banner(page).get_by_role("button", name="Accept all").click()
    expect(banner(page)).to_be_hidden()
    assert settle(hits, GATED) == GATED
    wait_for(page, "(window.order || []).length === 4")
    assert page.evaluate("window.order") == ["ga", "inline-analytics", "tag", "inline-advertising"]
    held = cookies(page.context)
    assert held["_ga"] == ".toontrack.test"
    assert held["_fbp"] == ".toontrack.test"
    assert held["tt_consent"] == ".toontrack.test"
    consent = record(page.context)
    assert consent["c"] == {"analytics": True, "advertising": True}
    assert consent["v"] == 1
    assert consent["pv"] == revision
    assert revision.startswith("2021-01-01")
    assert consent["gpc"] is False
    assert abs(consent["ts"] / 1000 - time.time()) < 60


def test_reject_all_loads_nothing_and_keeps_only_the_consent_cookie(
    page: Page, consent_url: str, hits: Partner, errors: list[str]
) -> None:
    visit(page, f"{consent_url}partner/")
    banner(page).get_by_role("button", name="Reject all").click()
    visit(page, f"{consent_url}partner/")
    expect(banner(page)).to_be_hidden()
    assert hits.paths() == []
    assert list(cookies(page.context)) == ["tt_consent"]
    (consent_cookie,) = page.context.cookies()
    assert consent_cookie["sameSite"] == "Lax"
    assert consent_cookie["path"] == "/"
    assert 181 * 86400 < consent_cookie["expires"] - time.time() <= 182 * 86400
    assert record(page.context)["c"] == {"analytics": False, "advertising": False}


def test_manage_choices_starts_unticked_and_saves_one_category(
    page: Page, consent_url: str, hits: Partner, errors: list[str]
) -> None:
    visit(page, f"{consent_url}partner/")
    banner(page).get_by_role("button", name="Manage choices").click()
    dialog = page.get_by_role("dialog", name="Cookie settings")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    switches = dialog.get_by_role("switch")
    expect(switches).to_have_count(5)  # advertising opens to Google Ads and Meta Pixel
    expect(dialog.get_by_role("switch", name="Necessary")).to_be_checked()
    expect(dialog.get_by_role("switch", name="Necessary")).to_be_disabled()
    expect(dialog.get_by_role("switch", name="Analytics")).not_to_be_checked()
    expect(dialog.get_by_role("switch", name="Advertising")).not_to_be_checked()
    for vendor in ("Google Analytics 4", "Google Ads", "Meta Pixel"):
        expect(dialog).to_contain_text(vendor)
    dialog.get_by_role("switch", name="Analytics").check()
    dialog.get_by_role("button", name="Save choices").click()
    expect(dialog).to_be_hidden()
    assert settle(hits, ANALYTICS) == ANALYTICS
    wait_for(page, "(window.order || []).length === 2")
    assert page.evaluate("window.order") == ["ga", "inline-analytics"]


def test_escape_closes_the_dialog_without_a_choice(
    page: Page, consent_url: str, hits: Partner
) -> None:
    visit(page, f"{consent_url}partner/")
    manage = banner(page).get_by_role("button", name="Manage choices")
    manage.click()
    # The banner hides while the dialog is open, and is back, with the focus, when it closes.
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(banner(page)).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(manage).to_be_focused()
    visit(page, f"{consent_url}")
    visit(page, f"{consent_url}partner/")
    page.reload(wait_until="networkidle")
    expect(banner(page)).to_be_visible()
    assert hits.paths() == []
    assert cookies(page.context) == {}


def test_withdrawal_deletes_cookies_and_storage_and_stops_loading(
    page: Page, consent_url: str, hits: Partner, errors: list[str]
) -> None:
    visit(page, f"{consent_url}partner/")
    banner(page).get_by_role("button", name="Accept all").click()
    wait_for(page, "(window.order || []).length === 4")
    planted = {"_ga", "_ga_TT1", "_gid", "_fbp", "_fbc", "_undeclared_tracker"}
    assert planted <= set(cookies(page.context))
    assert [c["path"] for c in page.context.cookies() if c["name"] == "_fbc"] == ["/partner/"]
    assert storage_keys(page) == ["_fbq_session", "_ga_storage"]
    page.get_by_role("button", name="Cookie settings").click()
    dialog = page.get_by_role("dialog", name="Cookie settings")
    expect(dialog.get_by_role("switch", name="Advertising")).to_be_checked()
    hits.clear()
    with page.expect_navigation():  # the running tags cannot be unloaded: the page reloads
        dialog.get_by_role("button", name="Reject all").click()
    page.wait_for_load_state("networkidle")
    assert list(cookies(page.context)) == ["tt_consent"]
    assert storage_keys(page) == []
    assert hits.paths() == []
    assert page.evaluate("window.order") is None


def test_choice_persists_across_reload_navigation_and_new_tab(
    page: Page, consent_url: str, hits: Partner
) -> None:
    visit(page, f"{consent_url}")
    banner(page).get_by_role("button", name="Reject all").click()
    for url in (
        f"{consent_url}partner/",
        f"{consent_url}privacy/",
        f"{consent_url}privacy/versions/",
    ):
        visit(page, url)
        expect(banner(page)).to_be_hidden()
    other = page.context.new_page()
    visit(other, f"{consent_url}partner/")
    expect(banner(other)).to_be_hidden()
    assert hits.paths() == []


def test_choice_in_one_tab_applies_in_the_other(
    page: Page, consent_url: str, hits: Partner
) -> None:
    visit(page, f"{consent_url}partner/")
    other = visit(page.context.new_page(), f"{consent_url}partner/")
    banner(page).get_by_role("button", name="Accept all").click()
    expect(banner(other)).to_be_hidden()
    wait_for(other, "(window.order || []).length === 4")
    assert hits.paths().count("/ga.js") == 2


def test_choice_on_www_applies_on_the_shop_sub_domain(
    page: Page, consent_url: str, hits: Partner
) -> None:
    visit(page, f"{consent_url}")
    banner(page).get_by_role("button", name="Accept all").click()
    hits.clear()
    visit(page, consent_url.replace("www.", "shop.") + "shop.html")
    expect(page.locator(".ppc-banner")).to_have_count(0)
    assert settle(hits, {"/pixel.gif"}) == {"/pixel.gif"}


def test_a_shop_page_in_swedish_asks_in_swedish(
    page: Page, consent_url: str, hits: Partner, errors: list[str]
) -> None:
    visit(page, consent_url.replace("www.", "shop.") + "shop.html")
    region = page.get_by_role("region", name="Val av kakor")
    expect(region.get_by_role("button", name="Avvisa alla")).to_be_visible()
    assert hits.paths() == []
    region.get_by_role("button", name="Godkänn alla").click()
    assert settle(hits, {"/pixel.gif"}) == {"/pixel.gif"}


def gpc_context(browser: Browser, errors: list[str]) -> BrowserContext:
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(GPC_SCRIPT)
    context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
    return context


def test_gpc_keeps_advertising_off_even_on_accept_all(
    browser: Browser, consent_url: str, hits: Partner, errors: list[str]
) -> None:
    context = gpc_context(browser, errors)
    page = visit(context.new_page(), f"{consent_url}partner/")
    expect(banner(page)).to_contain_text("Global Privacy Control signal is honoured")
    banner(page).get_by_role("button", name="Accept all").click()
    assert settle(hits, ANALYTICS) == ANALYTICS
    page.wait_for_timeout(300)  # and nothing more arrives
    assert set(hits.paths()) == ANALYTICS
    assert record(context)["gpc"] is True
    assert record(context)["c"] == {"analytics": True, "advertising": False}
    assert "_fbp" not in cookies(context)
    # The visitor may still switch advertising on, explicitly.
    page.get_by_role("button", name="Cookie settings").click()
    dialog = page.get_by_role("dialog", name="Cookie settings")
    dialog.get_by_role("switch", name="Advertising").check()
    dialog.get_by_role("button", name="Save choices").click()
    assert settle(hits, GATED) == GATED
    assert all(hit.gpc == "1" for hit in hits.hits)
    context.close()


def test_a_choice_made_before_gpc_yields_to_it(
    browser: Browser, consent_url: str, hits: Partner, errors: list[str], revision: str
) -> None:
    """CCPA regulations 7025(c)(3): advertising allowed before the browser sent Global Privacy
    Control is off from the first page with the signal (its cookies swept, its tags never run);
    allowed with the signal on, it is the visitor's explicit opt-in and stands."""
    context = gpc_context(browser, errors)
    context.add_cookies([
        {"name": "tt_consent", "value": consent_value(pv=revision), "domain": ".toontrack.test",
         "path": "/"},
        {"name": "_fbp", "value": "fb.1.1700000000000.1", "domain": ".toontrack.test", "path": "/"},
    ])  # fmt: skip
    page = visit(context.new_page(), f"{consent_url}partner/")
    assert settle(hits, ANALYTICS) == ANALYTICS
    page.wait_for_timeout(300)  # and nothing more arrives
    assert set(hits.paths()) == ANALYTICS
    now = record(context)
    assert (now["id"], now["gpc"]) == ("0123456789abcdef", True)
    assert now["c"] == {"analytics": True, "advertising": False}
    assert "_fbp" not in cookies(context)
    expect(banner(page)).to_be_hidden()
    opted_in = consent_value(pv=revision, gpc=True)
    context.add_cookies(
        [{"name": "tt_consent", "value": opted_in, "domain": ".toontrack.test", "path": "/"}]
    )
    hits.clear()
    visit(page, f"{consent_url}partner/")
    assert settle(hits, GATED) == GATED
    assert record(context)["c"] == {"analytics": True, "advertising": True}
    context.close()


def consent_value(**fields: Any) -> str:
    value = {"v": 1, "id": "0123456789abcdef", "ts": int(time.time() * 1000), "pv": "2021-01-01",
             "c": {"analytics": True, "advertising": True}, "gpc": False}  # fmt: skip
    value.update(fields)
    return quote(json.dumps(value, separators=(",", ":")))


#: Each made with the built runtime's revision (``pv``), so that only the named rule is broken.
BAD_VALUES: dict[str, Callable[[str], str]] = {
    "not json": lambda pv: "{oops",
    "empty": lambda pv: "",
    "a string for a boolean": lambda pv: consent_value(
        pv=pv, c={"analytics": "yes", "advertising": True}
    ),
    "a number for a boolean": lambda pv: consent_value(pv=pv, c={"analytics": 1, "advertising": 1}),
    "an unknown category": lambda pv: consent_value(
        pv=pv, c={"analytics": True, "advertising": True, "x": True}
    ),
    "a missing category": lambda pv: consent_value(pv=pv, c={"analytics": True}),
    "an unknown schema version": lambda pv: consent_value(pv=pv, v=2),
    "an extra field": lambda pv: consent_value(pv=pv, extra=1),
    "a bad id": lambda pv: consent_value(pv=pv, id="<script>"),
    "from the future": lambda pv: consent_value(pv=pv, ts=int(time.time() * 1000) + 7 * 86400000),
    "expired": lambda pv: consent_value(pv=pv, ts=int(time.time() * 1000) - 183 * 86400000),
    "an earlier policy version": lambda pv: consent_value(pv="2020-01-01"),
    "too long": lambda pv: consent_value(pv=pv, id="a" * 2000),
    "not an object": lambda pv: quote("[1,2]"),
}


@pytest.mark.parametrize("make", list(BAD_VALUES.values()), ids=list(BAD_VALUES))
def test_malformed_stale_or_expired_consent_fails_closed(
    page: Page,
    consent_url: str,
    hits: Partner,
    errors: list[str],
    revision: str,
    make: Callable[[str], str],
) -> None:
    host = urlsplit(consent_url).hostname
    page.context.add_cookies(
        [{"name": "tt_consent", "value": make(revision), "domain": f".{host}", "path": "/"}]
    )
    visit(page, f"{consent_url}partner/")
    expect(banner(page)).to_be_visible()
    assert hits.paths() == []
    assert page.evaluate("window.PrivacyConsent.get()") is None


def test_two_consent_cookies_that_disagree_off_the_runtimes_place_fail_closed(
    page: Page, consent_url: str, hits: Partner, revision: str
) -> None:
    """Neither is where the runtime writes (the cookie domain, path /): neither is trusted."""
    host = str(urlsplit(consent_url).hostname)
    refused = {"analytics": False, "advertising": False}
    page.context.add_cookies([
        {"name": "tt_consent", "value": consent_value(pv=revision), "domain": ".toontrack.test",
         "path": "/partner/"},
        {"name": "tt_consent", "value": consent_value(pv=revision, c=refused), "domain": host,
         "path": "/"},
    ])  # fmt: skip
    visit(page, f"{consent_url}partner/")
    expect(banner(page)).to_be_visible()
    assert hits.paths() == []


def test_a_valid_consent_cookie_is_honoured(
    page: Page, consent_url: str, hits: Partner, revision: str
) -> None:
    # The counterpart of the cases above: the same helper's valid value does open the gate.
    value = consent_value(pv=revision)
    page.context.add_cookies(
        [{"name": "tt_consent", "value": value, "domain": ".toontrack.test", "path": "/"}]
    )
    visit(page, f"{consent_url}partner/")
    expect(banner(page)).to_be_hidden()
    assert settle(hits, GATED) == GATED


def test_javascript_off_loads_nothing(browser: Browser, consent_url: str, hits: Partner) -> None:
    context = browser.new_context(java_script_enabled=False)
    visit(context.new_page(), f"{consent_url}partner/")
    assert hits.paths() == []
    assert context.cookies() == []
    context.close()


def test_consent_mode_defaults_come_before_any_gated_script(
    page: Page, consent_url: str, hits: Partner
) -> None:
    visit(page, f"{consent_url}partner/")
    banner(page).get_by_role("button", name="Accept all").click()
    wait_for(page, "(window.order || []).length === 4")
    layer = page.evaluate("(window.dataLayer || []).map(a => Array.from(a))")
    assert layer[0] == ["consent", "default", {
        "ad_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
        "analytics_storage": "denied"}]  # fmt: skip
    assert layer[-1] == ["consent", "update", {
        "ad_storage": "granted", "ad_user_data": "granted", "ad_personalization": "granted",
        "analytics_storage": "granted"}]  # fmt: skip


def test_an_element_added_later_waits_for_consent(
    page: Page, consent_url: str, hits: Partner, partner: Partner
) -> None:
    visit(page, f"{consent_url}")
    page.evaluate(
        """origin => { const img = document.createElement('img');
        img.setAttribute('data-category', 'advertising');
        img.setAttribute('data-src', origin + '/pixel.gif?late');
        document.body.append(img); }""",
        partner.origin,
    )
    page.wait_for_timeout(300)
    assert hits.paths() == []
    banner(page).get_by_role("button", name="Accept all").click()
    assert settle(hits, {"/pixel.gif"}) == {"/pixel.gif"}


def test_an_iframe_shows_a_placeholder_that_allows_its_category(
    page: Page, consent_url: str, hits: Partner
) -> None:
    visit(page, f"{consent_url}partner/")
    frame = page.get_by_title("Partner video")
    expect(frame).to_be_hidden()
    page.get_by_role("button", name="Allow Advertising").click()
    expect(frame).to_be_visible()
    advertising = {"/tag.js", "/pixel.gif", "/video"}
    assert settle(hits, advertising) == advertising
    assert record(page.context)["c"] == {"analytics": False, "advertising": True}


def test_the_api_reports_and_makes_choices(page: Page, consent_url: str, hits: Partner) -> None:
    visit(page, f"{consent_url}partner/")
    page.evaluate(
        """() => { window.seen = [];
        PrivacyConsent.on('change', r => seen.push(['api', r.c.analytics]));
        document.addEventListener('privacyconsent:change',
            e => seen.push(['dom', e.detail.c.analytics])); }"""
    )
    assert page.evaluate("PrivacyConsent.get()") is None
    page.evaluate("PrivacyConsent.accept(['analytics'])")
    assert settle(hits, ANALYTICS) == ANALYTICS
    assert page.evaluate("seen") == [["api", True], ["dom", True]]
    assert page.evaluate("PrivacyConsent.get().c") == {"analytics": True, "advertising": False}


def test_nothing_but_the_theme_writes_storage_before_a_choice(page: Page, consent_url: str) -> None:
    page.add_init_script(
        """window.__written = []; const set = Storage.prototype.setItem;
        Storage.prototype.setItem = function (key, value) { window.__written.push(key);
        return set.call(this, key, value); };"""
    )
    visit(page, f"{consent_url}partner/")
    written: list[str] = page.evaluate("window.__written")
    # mkdocs-material's display preferences ("/.__palette" and the like) are declared necessary.
    assert all(key.startswith("/") and ".__" in key for key in written), written


def test_the_policy_stays_readable_while_the_banner_asks(page: Page, consent_url: str) -> None:
    visit(page, f"{consent_url}privacy/")
    expect(banner(page)).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("We collect your name")
    assert page.evaluate(
        "() => { const m = document.querySelector('main'); return !m.inert && "
        "!m.closest('[aria-hidden=true],[inert]'); }"
    )
