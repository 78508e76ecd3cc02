"""The site under its production headers in Chromium: every page, in every consent state, with no
Content-Security-Policy violation, and the gated partner content still working once allowed."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from policy_site.security import HEADERS_FILE, headers_file, parse_headers_file
from tests.browser.conftest import watch_csp
from tests.partner import Partner
from tests.support import parse_html, serve, strings, wait_for

STATES = ["no choice", "rejected", "accepted"]
GATED = {"/ga.js", "/tag.js", "/pixel.gif", "/video"}


def pages(site: Path) -> list[tuple[str, str]]:
    """Every page of a built site: its URL path, and where it leads on to if it redirects."""
    found = []
    for page in sorted(site.rglob("*.html")):
        path = page.relative_to(site).as_posix().removesuffix("index.html")
        refresh = strings(parse_html(page), "//meta[@http-equiv='refresh']/@content")
        found.append((path, path + refresh[0].split("url=")[1] if refresh else ""))
    return found


def open_page(page: Page, url: str, path: str, redirect: str) -> None:
    """Opens ``path`` and returns once it (or the page it redirects to) has loaded and a frame
    has passed, so that the violation reports of its parse and start-up have reached the test."""
    page.goto(f"{url}{path}")
    if redirect:
        page.wait_for_url(f"{url}{redirect}")
    settle(page)


def settle(page: Page) -> None:
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")


def choose(page: Page, url: str, state: str) -> None:
    page.goto(url)
    if state != "no choice":
        name = "Accept all" if state == "accepted" else "Reject all"
        page.get_by_role("region", name="Cookie choices").get_by_role("button", name=name).click()
        settle(page)


def header_of(url: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as response:
            return dict(response.headers)
    except urllib.error.HTTPError as error:
        return dict(error.headers)


@pytest.mark.parametrize("state", STATES)
def test_every_policy_page_in_every_state_runs_under_the_csp(
    page: Page, site_url: str, project_site: Path, state: str, csp_violations: list[str]
) -> None:
    choose(page, f"{site_url}privacy/", state)
    visited = pages(project_site)
    assert len(visited) >= 8
    for path, redirect in visited:
        open_page(page, site_url, path, redirect)
        # Material's scripts ran: the search (a worker from 'self') and the theme's helpers.
        assert page.evaluate("typeof __md_get") == "function", path
    assert csp_violations == []


@pytest.mark.parametrize("state", STATES)
def test_the_consent_demo_in_every_state_runs_under_the_csp(
    page: Page,
    consent_url: str,
    consent_site: Path,
    hits: Partner,
    state: str,
    csp_violations: list[str],
) -> None:
    choose(page, f"{consent_url}partner/", state)
    for path, redirect in pages(consent_site):
        open_page(page, consent_url, path, redirect)
    assert csp_violations == []
    expected = GATED if state == "accepted" else set()
    assert set(hits.paths()) >= expected
    if state != "accepted":
        assert hits.paths() == []


def test_the_gated_partner_content_works_once_allowed(
    page: Page, consent_url: str, hits: Partner, csp_violations: list[str]
) -> None:
    page.goto(f"{consent_url}partner/")
    page.get_by_role("button", name="Accept all").click()
    wait_for(page, "(window.order || []).length === 4")
    assert page.evaluate("window.order") == ["ga", "inline-analytics", "tag", "inline-advertising"]
    expect(page.locator("iframe[title='Partner video']")).to_be_visible()
    assert set(hits.paths()) == GATED
    assert csp_violations == []


def test_the_headers_reach_the_browser_on_pages_files_and_errors(site_url: str) -> None:
    loopback = site_url.replace("www.toontrack.test", "127.0.0.1")
    paths = ["", "privacy/", "assets/stylesheets/policy.css", "privacy/feed.xml", "nothing-here"]
    for path in paths:
        received = header_of(f"{loopback}{path}")
        assert received["X-Frame-Options"] == "DENY", path
        assert received["Content-Security-Policy"].startswith("default-src 'none'; "), path
        assert received["X-Content-Type-Options"] == "nosniff", path
        assert received["Strict-Transport-Security"].startswith("max-age=63072000"), path
    assert header_of(f"{loopback}_headers")["X-Frame-Options"] == "DENY"


def test_a_missing_hash_is_caught_as_a_violation(
    browser: Browser, project_site: Path, tmp_path: Path
) -> None:
    """The listener above can fail: the same site, with one hash left out of its CSP, reports the
    theme's inline script as blocked."""
    site = tmp_path / "site"
    shutil.copytree(project_site, site)
    (_, headers), *bundle_rules = parse_headers_file(
        (site / HEADERS_FILE).read_text(encoding="utf-8")
    )
    script_src = headers["Content-Security-Policy"].split("; ")[1]
    first_hash = script_src.split(" ")[2]
    assert first_hash.startswith("'sha256-")
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        f" {first_hash}", ""
    )
    (site / HEADERS_FILE).write_text(headers_file(headers, dict(bundle_rules)), encoding="utf-8")
    context = browser.new_context()
    found = watch_csp(context)
    page = context.new_page()
    with serve(site) as url:
        for path, redirect in pages(site):
            open_page(page, url, path, redirect)
    context.close()
    assert found != []
    assert all("script-src-elem blocked inline" in violation for violation in found), found
