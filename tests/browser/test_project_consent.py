"""The consent bundle on the project's own site: every page carries it, the footer reopens it, and
on a host outside .toontrack.com (a preview, these tests) the cookie stays with that host."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support import elements, parse_html


def test_every_page_links_the_bundle_with_integrity(project_site: Path) -> None:
    pages = [
        p
        for p in project_site.rglob("*.html")
        if p.name != "index.html" or p.parent != project_site
    ]
    assert len(pages) >= 6
    for html in pages:
        if html == project_site / "index.html":
            continue
        scripts = elements(parse_html(html), "//script[contains(@src, 'assets/consent.')]")
        assert len(scripts) == 1, html
        assert str(scripts[0].get("integrity")).startswith("sha384-")


def test_footer_control_reopens_the_choices(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}privacy/versions/")
    page.get_by_role("region", name="Cookie choices").get_by_role(
        "button", name="Reject all"
    ).click()
    page.reload()
    expect(page.get_by_role("region", name="Cookie choices")).to_be_hidden()
    page.locator("footer").get_by_role("button", name="Cookie settings").click()
    expect(page.get_by_role("dialog", name="Cookie settings")).to_be_visible()


def test_outside_toontrack_com_the_cookie_stays_with_the_host(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}privacy/")
    page.get_by_role("button", name="Reject all").click()
    (cookie,) = page.context.cookies()
    assert cookie["name"] == "tt_consent"
    assert cookie["domain"] == "www.toontrack.test"  # host-only: no Domain attribute


def test_gpc_support_resource_is_published(site_url: str) -> None:
    with urllib.request.urlopen(
        f"{site_url.replace('www.toontrack.test', '127.0.0.1')}.well-known/gpc.json"
    ) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.load(response) == {"gpc": True, "lastUpdate": "2026-11-29"}
