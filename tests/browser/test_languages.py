"""The policy in the visitor's language, in Chromium, on the project's own site (issue 14): the
language switch leads to the same page in the other language, a Swedish page's banner links the
Swedish policy, its footer control and cookie page are Swedish, and the Swedish current page,
while the version in effect has no translation, says so and leads to the English text."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def _language(page: Page) -> str:
    return str(page.evaluate("document.documentElement.lang"))


def test_the_switch_leads_to_the_same_page_in_the_other_language(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}privacy/versions/2027-01-01/")
    switch = page.get_by_role("navigation", name="Language:")
    switch.get_by_role("link", name="Svenska").click()
    page.wait_for_url(f"{site_url}sv/privacy/versions/2027-01-01/")
    assert _language(page) == "sv"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vår integritetspolicy")
    expect(page.locator(".policy-translation")).to_contain_text(
        "Vid skillnader gäller originaltexten"
    )
    page.get_by_role("navigation", name="Språk:").get_by_role("link", name="English").click()
    page.wait_for_url(f"{site_url}privacy/versions/2027-01-01/")
    assert _language(page) == "en"


def test_a_swedish_page_has_a_swedish_banner_linking_the_swedish_policy(
    page: Page, site_url: str
) -> None:
    page.goto(f"{site_url}sv/privacy/versions/2027-01-01/")
    banner = page.get_by_role("region", name="Val av kakor")
    expect(banner).to_be_visible()
    link = banner.get_by_role("link", name="Integritetspolicy")
    # The site's own address, as the build writes it (the tests serve it under another name).
    assert link.get_attribute("href") == "https://www.toontrack.com/sv/privacy/"
    banner.get_by_role("button", name="Avvisa alla").click()
    expect(banner).to_be_hidden()
    footer = page.locator("footer")
    footer.get_by_role("link", name="Kakor vi använder").click()
    page.wait_for_url(f"{site_url}sv/privacy/cookies/")
    expect(page.get_by_role("heading", name="Marknadsföring")).to_be_visible()
    footer.get_by_role("button", name="Cookie-inställningar").click()
    expect(page.get_by_role("dialog", name="Cookie-inställningar")).to_be_visible()


def test_the_english_banner_links_the_english_policy(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}privacy/versions/")
    link = page.get_by_role("region", name="Cookie choices").get_by_role(
        "link", name="Privacy policy"
    )
    assert link.get_attribute("href") == "https://www.toontrack.com/privacy/"


def test_without_a_translation_in_effect_the_swedish_page_leads_to_the_english_one(
    page: Page, site_url: str
) -> None:
    page.goto(f"{site_url}sv/privacy/")
    article = page.locator("article")
    expect(article).to_contain_text("är ännu inte översatt till svenska")
    article.get_by_role("link", name="Läs originaltexten på engelska").click()
    page.wait_for_url(f"{site_url}privacy/")
    assert _language(page) == "en"
    expect(page.locator(".policy-status")).to_contain_text("Effective 1 October 2007")


def test_a_screen_reader_hears_the_redline_marks_in_the_page_language(
    page: Page, site_url: str
) -> None:
    """What the redline's insertions and deletions say to a screen reader is the page words'
    (policy-words.css, which the build writes for each language published)."""
    page.goto(f"{site_url}privacy/changes/2027-01-01/")
    marks = page.evaluate(
        "() => ['ins', 'del'].flatMap(tag => ['::before', '::after'].map(side =>"
        " getComputedStyle(document.querySelector('.policy-redline ' + tag), side).content))"
    )
    assert marks == ['" [inserted: "', '"] "', '" [deleted: "', '"] "']
