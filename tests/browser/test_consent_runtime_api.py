"""``window.PrivacyConsent`` against hostile page code: every entry point given what it should
refuse or ignore, a polluted prototype, listeners that throw, a ``dataLayer`` that throws. The
runtime refuses bad arguments with a TypeError before anything changes, and nothing the page's
code does stops a choice from being stored, told to the other tabs and applied, nor a withdrawal
from stopping the tags that ran."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.partner import Partner
from tests.support import wait_for


def visit(page: Page, url: str) -> Page:
    page.goto(url, wait_until="networkidle")
    return page


def banner(page: Page) -> Any:
    return page.get_by_role("region", name="Cookie choices")


def stored(context: BrowserContext) -> list[dict[str, Any]]:
    """Every consent record the browser holds."""
    return [
        json.loads(unquote(str(c["value"]))) for c in context.cookies() if c["name"] == "tt_consent"
    ]


def page_errors(page: Page) -> list[str]:
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


@pytest.fixture
def errors(page: Page) -> list[str]:
    """The page's uncaught errors; a test that expects none says so."""
    return page_errors(page)


def call_each(page: Page, method: str, cases: list[str]) -> dict[str, str]:
    """Calls ``PrivacyConsent[method]`` with each argument list of ``cases`` (JavaScript source,
    evaluated in the page) and returns, for each, the name of the error thrown ("" for none)."""
    calls = ",".join(f"() => PrivacyConsent.{method}({case})" for case in cases)
    results: list[str] = page.evaluate(
        f"""() => [{calls}].map((call) => {{
        try {{ call(); return ""; }}
        catch (e) {{ return e instanceof TypeError ? "TypeError" : String(e); }} }})"""
    )
    return dict(zip(cases, results, strict=True))


#: Arguments accept() must refuse: anything but an array of optional category ids.
BAD_ACCEPT = [
    "", "null", "undefined", "0", "1", "NaN", "true", "'analytics'", "'analytics,advertising'",
    "'{\"advertising\":false}'", "{analytics: true}", "{0: 'analytics', length: 1}",
    "new Set(['analytics'])", "['analytics', 'x']", "['necessary']", "['Analytics']",
    "['analytics ']", "[['analytics']]", "[new String('analytics')]", "[1]", "[null]",
    "[undefined]", "['__proto__']", "['toString']", "['constructor']", "['hasOwnProperty']",
    "Object.assign(['analytics'], {extra: 'advertising'})",
    "Object.assign([], {'01': 'analytics'})", "[, 'analytics']",
    "new Proxy(['analytics'], {get: (t, k) => k === '0' ? 'x' : t[k]})",
]  # fmt: skip
#: Arguments on() must refuse: an event other than "change", or anything but a function.
BAD_ON = [
    "", "'change'", "'change', null", "'change', undefined", "'change', 5", "'change', 'alert(1)'",
    "'change', {}", "'change', []", "'change', {handleEvent() {}}", "'Change', () => {}",
    "'privacyconsent:change', () => {}", "undefined, () => {}", "null, () => {}",
    "['change'], () => {}", "{toString: () => 'change'}, () => {}", "() => {}",
    "new String('change'), () => {}",
]  # fmt: skip


def test_accept_refuses_anything_but_an_array_of_optional_category_ids(
    page: Page, runtime_url: str, hits: Partner, errors: list[str]
) -> None:
    visit(page, f"{runtime_url}partner/")
    assert call_each(page, "accept", BAD_ACCEPT) == dict.fromkeys(BAD_ACCEPT, "TypeError")
    # Nothing chosen, nothing stored, nothing loaded.
    assert page.evaluate("PrivacyConsent.get()") is None
    expect(banner(page)).to_be_visible()
    assert page.context.cookies() == []
    # With a choice made, a refused call changes nothing either.
    page.evaluate("PrivacyConsent.rejectAll()")
    (choice,) = stored(page.context)
    assert set(call_each(page, "accept", BAD_ACCEPT).values()) == {"TypeError"}
    assert stored(page.context) == [choice] == [page.evaluate("PrivacyConsent.get()")]
    page.wait_for_timeout(200)
    assert hits.paths() == []
    assert errors == []


def test_accept_grants_exactly_the_ids_given_whatever_the_prototypes_hold(
    page: Page, runtime_url: str, errors: list[str]
) -> None:
    visit(page, runtime_url)
    # A polluted prototype grants nothing: not Object.prototype, not an inherited array element.
    page.evaluate(
        """() => { Object.prototype.advertising = true; Array.prototype[1] = 'advertising';
        Object.prototype.extend = function () {}; }"""
    )
    page.evaluate("PrivacyConsent.accept(['analytics', , ])")
    assert page.evaluate("PrivacyConsent.get().c") == {"analytics": True, "advertising": False}
    (record,) = stored(page.context)
    assert record["c"] == {"analytics": True, "advertising": False}
    # Each element is read once: a Proxy cannot show one id to the check and another to the
    # choice.
    page.evaluate(
        """() => { let reads = 0; PrivacyConsent.accept(new Proxy(['analytics'],
        {get: (t, k) => k === '0' ? (reads++ ? 'advertising' : 'analytics') : t[k]})); }"""
    )
    assert page.evaluate("PrivacyConsent.get().c") == {"analytics": True, "advertising": False}
    page.evaluate("PrivacyConsent.accept([])")
    assert page.evaluate("PrivacyConsent.get().c") == {"analytics": False, "advertising": False}
    assert [r["c"] for r in stored(page.context)] == [{"analytics": False, "advertising": False}]
    assert errors == []


#: A listener that throws, and a count of the DOM events: every choice must still be applied
#: and announced.
THROWING_LISTENER = """() => { window.events = 0;
  PrivacyConsent.on('change', () => { throw new Error('listener broke'); });
  document.addEventListener('privacyconsent:change', () => { events++; }); }"""


def test_accept_all_and_reject_all_ignore_their_arguments(
    page: Page, runtime_url: str, errors: list[str]
) -> None:
    visit(page, f"{runtime_url}")
    page.evaluate(THROWING_LISTENER)
    calls = (
        ("PrivacyConsent.acceptAll(['analytics'])", True),
        ("PrivacyConsent.rejectAll({analytics: true, advertising: true})", False),
        ("PrivacyConsent.acceptAll(false, null)", True),
        ("PrivacyConsent.rejectAll(['advertising'])", False),
        ("PrivacyConsent.acceptAll.call(null, undefined)", True),
        ("PrivacyConsent.rejectAll.apply({}, ['all'])", False),
    )
    for count, (call, granted) in enumerate(calls, 1):
        page.evaluate(call)
        expected = {"analytics": granted, "advertising": granted}
        assert page.evaluate("PrivacyConsent.get().c") == expected, call
        assert [r["c"] for r in stored(page.context)] == [expected], call
        assert page.evaluate("events") == count, call
    assert len(errors) == len(calls)
    assert all("listener broke" in error for error in errors), errors


def test_get_returns_a_copy_whatever_it_is_given_and_whatever_the_page_pollutes(
    page: Page, runtime_url: str, errors: list[str]
) -> None:
    visit(page, f"{runtime_url}")
    assert page.evaluate("[PrivacyConsent.get(), PrivacyConsent.get(null, {}, 'c')]") == [None] * 2
    page.evaluate("PrivacyConsent.accept(['analytics'])")
    record = page.evaluate("PrivacyConsent.get()")
    got = page.evaluate(
        """() => { const a = PrivacyConsent.get(5, 'c', {c: {advertising: true}});
        a.c.advertising = true; a.id = 'x'; return PrivacyConsent.get(); }"""
    )
    assert got == record
    # Enumerable properties on Object.prototype (as old libraries add): the record read again is
    # still the choice, and no category is granted by them.
    page.evaluate(
        """() => { Object.prototype.extend = function () {}; Object.prototype.advertising = true;
        document.dispatchEvent(new Event('visibilitychange')); }"""
    )
    assert page.evaluate("PrivacyConsent.get()") == record
    assert page.evaluate("PrivacyConsent.get().c.advertising") is False
    expect(banner(page)).to_be_hidden()
    assert errors == []


def test_show_opens_the_dialog_whatever_it_is_given(
    page: Page, runtime_url: str, errors: list[str]
) -> None:
    visit(page, f"{runtime_url}")
    page.evaluate(THROWING_LISTENER)
    dialog = page.get_by_role("dialog", name="Cookie settings")
    for args in ("", "null", "undefined", "5", "'all'", "{accept: true}", "['analytics']"):
        page.evaluate(f"PrivacyConsent.show({args})")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    assert page.evaluate("PrivacyConsent.get()") is None
    assert page.context.cookies() == []
    assert errors == []
    # A choice made in the dialog it opened holds, the throwing listener notwithstanding.
    page.evaluate("PrivacyConsent.show(null)")
    dialog.get_by_role("switch", name="Analytics").check()
    dialog.get_by_role("button", name="Save choices").click()
    expect(dialog).to_be_hidden()
    assert [r["c"] for r in stored(page.context)] == [{"analytics": True, "advertising": False}]
    assert page.evaluate("events") == 1
    assert len(errors) == 1
    assert "listener broke" in errors[0]


def test_on_refuses_anything_but_change_and_a_function(
    page: Page, runtime_url: str, errors: list[str]
) -> None:
    visit(page, f"{runtime_url}")
    page.evaluate("window.calls = 0")
    cases = [case.replace("() => {}", "() => { calls++; }") for case in BAD_ON]
    assert call_each(page, "on", cases) == dict.fromkeys(cases, "TypeError")
    # None was registered, and a choice goes through (a registered non-function would throw).
    page.evaluate(
        """() => { window.seen = [];
        PrivacyConsent.on('change', (r) => seen.push(r.c.analytics)); }"""
    )
    page.evaluate("PrivacyConsent.acceptAll()")
    assert page.evaluate("[calls, seen]") == [0, [True]]
    assert errors == []


def test_a_throwing_listener_stops_neither_the_choice_nor_the_other_tab(
    context: BrowserContext, runtime_url: str, hits: Partner
) -> None:
    tab_a = context.new_page()
    a_errors = page_errors(tab_a)
    visit(tab_a, runtime_url)
    tab_b = visit(context.new_page(), f"{runtime_url}tags.html")
    banner(tab_a).get_by_role("button", name="Accept all").click()
    # Tab B follows (same origin: BroadcastChannel) and its tag starts its beacons.
    expect(banner(tab_b)).to_be_hidden()
    deadline = time.monotonic() + 10
    while not hits.since("/beacon.gif", time.monotonic() - 0.3):
        assert time.monotonic() < deadline, "tab B's beacon never started"
        time.sleep(0.05)
    tab_a.evaluate(
        """() => { window.seen = [];
        PrivacyConsent.on('change', () => { throw new Error('listener broke'); });
        PrivacyConsent.on('change', (r) => { r.c.advertising = true; seen.push(['mutated']); });
        PrivacyConsent.on('change', (r) => seen.push(['later', r.c.advertising]));
        document.addEventListener('privacyconsent:change',
            (e) => seen.push(['event', e.detail.c.advertising])); }"""
    )
    tab_a.get_by_role("button", name="Cookie settings").first.click()
    tab_a.get_by_role("dialog", name="Cookie settings").get_by_role(
        "button", name="Reject all"
    ).click()
    clicked = time.monotonic()
    # In tab A: stored, every later listener and the DOM event told (each with its own copy),
    # and the error reported, not swallowed.
    assert [r["c"] for r in stored(context)] == [{"analytics": False, "advertising": False}]
    wait_for(tab_a, "window.seen && window.seen.length === 3")
    assert tab_a.evaluate("seen") == [["mutated"], ["later", False], ["event", False]]
    assert tab_a.evaluate("PrivacyConsent.get().c.advertising") is False
    assert any("listener broke" in error for error in a_errors), a_errors
    # Tab B withdrew (its tag ran, so it reloaded), and its beacons stopped.
    time.sleep(max(0.0, clicked + 1.5 - time.monotonic()))
    assert hits.since("/beacon.gif", clicked + 1.0) == []
    assert tab_b.evaluate("PrivacyConsent.get().c") == {"analytics": False, "advertising": False}
    expect(banner(tab_b)).to_be_hidden()


def test_a_data_layer_that_throws_cannot_keep_withdrawn_tags_running(
    page: Page, runtime_url: str, hits: Partner
) -> None:
    """A tag manager whose ``dataLayer.push`` throws once the tags run: the withdrawal is still
    stored, swept, and the page reloads, so its tag stops. (At start-up the same breakage runs
    nothing gated: tests/browser/test_consent_failure.py.)

    That the push threw is read from a beacon it sends, which outlives the reload (the sweep
    empties the page's storage and cookies): the page's error event raced the reload that the
    withdrawal starts, and Chromium did not always report it before the page was gone."""
    visit(page, f"{runtime_url}tags.html")
    banner(page).get_by_role("button", name="Accept all").click()
    deadline = time.monotonic() + 10
    while not hits.since("/beacon.gif", time.monotonic() - 0.3):
        assert time.monotonic() < deadline, "the beacon never started"
        time.sleep(0.05)
    threw: list[str] = []

    def note(route: Route) -> None:
        threw.append(route.request.post_data or "")
        route.fulfill(status=204)

    page.route("**/threw", note)
    page.evaluate(
        "() => { dataLayer.push = () => { navigator.sendBeacon('/threw', 'dataLayer broke');"
        " throw new Error('dataLayer broke'); }; }"
    )
    page.get_by_role("button", name="Cookie settings").click()
    with page.expect_navigation(timeout=10_000):
        page.get_by_role("dialog", name="Cookie settings").get_by_role(
            "button", name="Reject all"
        ).click()
    clicked = time.monotonic()
    assert [r["c"] for r in stored(page.context)] == [{"analytics": False, "advertising": False}]
    time.sleep(max(0.0, clicked + 1.5 - time.monotonic()))
    assert hits.since("/beacon.gif", clicked + 1.0) == []
    assert page.evaluate("PrivacyConsent.get().c") == {"analytics": False, "advertising": False}
    assert threw == ["dataLayer broke"]
