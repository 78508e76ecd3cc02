"""Chromium reads the served policy: what it requests, and what a visitor sees first."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, expect


def test_policy_page_requests_nothing_from_another_origin(page: Page, site_url: str) -> None:
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("request", record)
    page.goto(f"{site_url}privacy/", wait_until="networkidle")
    own = urlsplit(site_url).netloc
    web = [url for url in requests if urlsplit(url).scheme in {"http", "https"}]
    assert len(web) >= 3, requests  # the page, its stylesheet and its scripts at least
    assert [url for url in web if urlsplit(url).netloc != own] == []


def test_effective_date_is_visible_near_the_top(page: Page, site_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site_url}privacy/")
    status = page.locator("article .policy-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("Effective 1 October 2007")
    box = status.bounding_box()
    assert box is not None
    assert box["y"] < 300


def test_effective_date_is_visible_on_a_phone(page: Page, site_url: str) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(f"{site_url}privacy/")
    status = page.locator("article .policy-status")
    expect(status).to_be_visible()
    box = status.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < 640


def test_site_root_takes_the_visitor_to_the_policy(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.wait_for_url(f"{site_url}privacy/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Our Privacy Policy")
