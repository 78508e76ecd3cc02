"""A reader follows the links between the policy, the archive, a version and a redline."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, expect


def test_links_lead_from_the_policy_to_archive_version_and_redline(
    page: Page, site_url: str
) -> None:
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("request", record)
    page.goto(f"{site_url}privacy/")
    page.locator("article .policy-status").get_by_role("link", name="All versions").click()
    expect(page).to_have_url(f"{site_url}privacy/versions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("All versions")
    page.get_by_role("link", name="1 October 2007").click()
    expect(page).to_have_url(f"{site_url}privacy/versions/2007-10-01/")
    expect(page.locator("article .policy-status")).to_contain_text("Effective 1 October 2007")
    page.go_back()
    page.get_by_role("row", name="1 January 2027").get_by_role("link", name="What changed").click()
    expect(page).to_have_url(f"{site_url}privacy/changes/2027-01-01/")
    expect(page.locator(".policy-redline del").first).to_contain_text("We recommend")
    page.locator(".md-banner").get_by_role("link", name="see what changes").click()
    expect(page).to_have_url(f"{site_url}privacy/changes/2027-01-01/")
    own = urlsplit(site_url).netloc
    assert [url for url in requests if urlsplit(url).netloc not in {own, ""}] == []


def test_printed_version_shows_its_date_and_url_without_navigation(
    page: Page, site_url: str
) -> None:
    page.goto(f"{site_url}privacy/versions/2007-10-01/")
    page.emulate_media(media="print")
    expect(page.locator(".md-header")).to_be_hidden()
    expect(page.locator(".md-footer")).to_be_hidden()
    expect(page.locator(".md-banner")).to_be_hidden()
    expect(page.locator("article .policy-status")).to_contain_text("1 October 2007")
    expect(page.locator(".policy-print-url")).to_be_visible()
    expect(page.locator(".policy-print-url")).to_have_text(  # the label is the page words'
        "This version: https://www.toontrack.com/privacy/versions/2007-10-01/"
    )
    page.emulate_media(media="screen")
    expect(page.locator(".policy-print-url")).to_be_hidden()


def test_archive_compares_any_two_versions_in_the_page(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}privacy/versions/")
    form = page.locator("form.policy-compare")
    form.get_by_label("From", exact=True).select_option("2007-10-01")
    form.get_by_label("To", exact=True).select_option("2027-01-01")
    form.get_by_role("button", name="Compare").click()
    result = page.locator(".policy-compare__result")
    expect(result).to_be_visible()
    expect(result.locator("del", has_text="Flash movies")).to_have_count(1)
    expect(result.locator("ins", has_text="Global Privacy Control")).to_have_count(1)
