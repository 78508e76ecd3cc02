"""A reader prints a policy version, or saves it as PDF: the text whole, without the cookie banner,
the dialog or the site's chrome, and every sheet says which version it is and where it lives.

The PDF is Chromium's own (``page.pdf()``, what "Save as PDF" writes); pypdf reads its text.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

#: What the consent banner and dialog say (consent/consent.yml); none of it may be printed.
CONSENT_TEXTS = (
    "We use cookies for log-in and the shopping cart",
    "Accept all",
    "Reject all",
    "Manage choices",
    "Save choices",
    "Always on",
)
#: The site's chrome: the upcoming-version bar, the status line's links, the footer.
CHROME_TEXTS = ("An updated policy takes effect on", "All versions", "Made with")


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, in order, as pypdf reads it. Where the PDF places glyphs one by one,
    spaces between words may be missing: compare with ``squeeze``."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    """Text without whitespace: the PDF breaks lines where the page does, not the source."""
    return re.sub(r"\s+", "", text)


def print_pdf(page: Page, url: str) -> list[str]:
    page.goto(url)
    # A first visit: the banner is up, over the text, when the reader presses Print.
    expect(page.locator(".ppc-banner")).to_be_visible()
    return pdf_pages(page.pdf(format="A4"))


def manifest(project_site: Path) -> dict[str, object]:
    loaded = json.loads((project_site / "privacy" / "versions.json").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_every_printed_page_names_the_version_by_date_and_permanent_url(
    page: Page, site_url: str, project_site: Path
) -> None:
    versions = manifest(project_site)["versions"]
    assert isinstance(versions, list)
    assert len(versions) >= 2
    for version in versions:
        sheets = print_pdf(page, f"{site_url}privacy/versions/{version['id']}/")
        date = page.locator("article .policy-status time").first.inner_text()
        assert len(sheets) > 1, f"{version['id']}: the long policy fits on one page?"
        for number, text in enumerate(sheets, start=1):
            where = f"{version['id']}, printed page {number} of {len(sheets)}"
            # The footer: one line, the date and the address (the build writes an @page rule
            # for each version into assets/stylesheets/policy-print.css).
            assert squeeze(f"Effective {date}") in squeeze(text), (
                f"{where}: no effective date in the footer"
            )
            assert squeeze(version["url"]) in squeeze(text), f"{where}: no permanent URL"
            assert f"Page{number}of{len(sheets)}" in squeeze(text), where
            for banner in CONSENT_TEXTS + CHROME_TEXTS:
                assert squeeze(banner) not in squeeze(text), f"{where}: {banner!r} printed"


def test_the_first_printed_page_says_where_the_version_stands(
    page: Page, site_url: str, project_site: Path
) -> None:
    versions = manifest(project_site)["versions"]
    assert isinstance(versions, list)
    text_sha256 = {str(v["id"]): str(v["sha256"]["text"]) for v in versions}
    for path, version, status in (
        ("privacy/versions/2007-10-01/", "2007-10-01", "Effective 1 October 2007; this is the"),
        ("privacy/versions/2027-01-01/", "2027-01-01", "Takes effect on 1 January 2027; until"),
        ("privacy/", "2007-10-01", "Effective 1 October 2007"),
    ):
        first, *rest = print_pdf(page, f"{site_url}{path}")
        address = f"https://www.toontrack.com/privacy/versions/{version}/"
        assert squeeze(status) in squeeze(first), path
        assert squeeze(f"Permanent address: {address}") in squeeze(first), path
        # The digest versions.json gives for the text: a paper copy can be checked against it.
        assert squeeze(f"SHA-256 of the text: {text_sha256[version]}") in squeeze(first), path
        assert all("Permanentaddress" not in squeeze(text) for text in rest), f"{path}: repeated"


def test_the_printed_text_is_whole(page: Page, site_url: str) -> None:
    """Every paragraph, list item and heading of the text is in the PDF, in one piece once the
    page footers between two sheets are taken out."""
    page.goto(f"{site_url}privacy/versions/2027-01-01/")
    blocks = page.locator(
        "article > p:not([class]), article > ul > li, article > ol > li, article > h2, article > h3"
    ).evaluate_all("nodes => nodes.map(n => n.textContent.replace(/\\u00b6/g, ''))")
    assert len(blocks) > 10
    sheets = print_pdf(page, f"{site_url}privacy/versions/2027-01-01/")
    footer = re.compile(
        r"Page\d+of\d+|Effective1January2027·https://www\.toontrack\.com/privacy/versions/2027-01-01/"
    )
    printed = "".join(footer.sub("", squeeze(text)) for text in sheets)
    missing = [block for block in blocks if squeeze(block) not in printed]
    assert missing == []


@pytest.mark.parametrize("width", [360, 1280])
def test_printing_with_the_dialog_open_prints_the_text_not_the_dialog(
    page: Page, site_url: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site_url}privacy/")
    page.get_by_role("button", name="Manage choices").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    sheets = pdf_pages(page.pdf(format="A4"))
    assert len(sheets) > 1
    for text in sheets:
        for banner in CONSENT_TEXTS:
            assert squeeze(banner) not in squeeze(text), banner
    assert "Our Privacy Policy" in sheets[0]


def test_a_swedish_page_is_printed_with_swedish_page_numbers_and_address(
    page: Page, site_url: str
) -> None:
    """The printed page's words are the page's (policy-print.css, from the page words): the
    Swedish translation and the Swedish archive say "Sida 1 av 3", never "Page 1 of 3"."""
    sheets = print_pdf(page, f"{site_url}sv/privacy/versions/2027-01-01/")
    for number, text in enumerate(sheets, start=1):
        assert f"Sida{number}av{len(sheets)}" in squeeze(text), number
        assert f"Page{number}of" not in squeeze(text), number
    address = "https://www.toontrack.com/sv/privacy/versions/2027-01-01/"
    assert f"Dennaversion:{address}" in squeeze("".join(sheets))
    (archive, *_) = print_pdf(page, f"{site_url}sv/privacy/versions/")
    assert "Sida1av" in squeeze(archive)


def test_a_printed_redline_strikes_the_old_text_before_the_new(page: Page, site_url: str) -> None:
    """Printed, a redline reads as on screen, as a legal redline does: the struck date, then the
    one that replaces it."""
    printed = squeeze("".join(print_pdf(page, f"{site_url}privacy/changes/2027-01-01/")))
    stated = printed[printed.rindex("EffectiveDate") :]
    assert 0 <= stated.index("October1,2007") < stated.index("January1,2027"), stated
