"""One include for every other site that shares the choice: a plain HTML shop page on another
origin (``shop.toontrack.test``, its own server and its own strict CSP) includes the bundle from
``www.toontrack.test`` with the tags ``./scripts/snippet`` prints, both ways: the stable URLs, and
the hashed files pinned with ``integrity`` (which Chromium checks only with CORS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from policy_site.consent.include import MANIFEST, snippet
from policy_site.serve import serving
from tests.partner import Partner
from tests.support import wait_for

SHOP = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Butik</title>
{head}
</head><body><main><h1>Butik</h1>
<img data-category="advertising" data-src="{partner}/pixel.gif?shop" alt="" width="1" height="1">
{body}
</main></body></html>
"""


def shop_page(consent_site: Path, www: str, partner: Partner, pinned: bool) -> str:
    """The shop's page with the snippet's tags, pointed at the test server of www."""
    published = json.loads((consent_site / MANIFEST).read_text(encoding="utf-8"))
    tags = snippet(published, "sv", pinned=pinned).replace("https://www.toontrack.test/", www)
    head, _, body = tags.partition("<!-- Anywhere in <body>")
    return SHOP.format(head=head, body="<!-- Anywhere in <body>" + body, partner=partner.origin)


@pytest.fixture(scope="module")
def shop_url(
    tmp_path_factory: pytest.TempPathFactory, consent_site: Path, consent_url: str, partner: Partner
) -> Iterator[str]:
    """The shop: its own folder and server, a strict CSP allowing www's files and the partner."""
    folder = tmp_path_factory.mktemp("shop")
    www = consent_url.rstrip("/")
    for name, pinned in (("stable.html", False), ("pinned.html", True)):
        page = shop_page(consent_site, consent_url, partner, pinned)
        (folder / name).write_text(page, encoding="utf-8")
    tampered = (folder / "pinned.html").read_text(encoding="utf-8")
    at = tampered.rindex('integrity="sha384-') + len('integrity="sha384-')  # the script's
    tampered = tampered[:at] + "A" + tampered[at + 1 :]
    (folder / "tampered.html").write_text(tampered, encoding="utf-8")
    csp = (
        f"default-src 'none'; script-src {www}; style-src {www}; img-src {partner.origin}; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    (folder / "_headers").write_text(f"/*\n  Content-Security-Policy: {csp}\n", encoding="utf-8")
    with serving(folder, "shop.toontrack.test") as url:
        yield url


#: Chromium's word on COOP over plain http, which the test servers speak: not the bundle's.
COOP_OVER_HTTP = "The Cross-Origin-Opener-Policy header has been ignored"


def console_errors(page: Page) -> list[str]:
    """Uncaught errors and console errors of ``page`` from now on."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on(
        "console",
        lambda m: (
            found.append(m.text)
            if m.type == "error" and not m.text.startswith(COOP_OVER_HTTP)
            else None
        ),
    )
    return found


def banner(page: Page) -> Locator:
    return page.get_by_role("region", name="Val av kakor")


def record_of(context: BrowserContext) -> str:
    (value,) = [str(c["value"]) for c in context.cookies() if c["name"] == "tt_consent"]
    return value


@pytest.mark.parametrize("way", ["stable", "pinned"])
def test_a_shop_on_another_origin_includes_the_bundle_and_shares_the_choice(
    page: Page, shop_url: str, consent_url: str, hits: Partner, way: str
) -> None:
    errors = console_errors(page)
    page.goto(f"{shop_url}{way}.html", wait_until="networkidle")
    expect(banner(page)).to_be_visible()
    assert hits.paths() == [], "the gated pixel waits for a choice"
    page.get_by_role("button", name="Godkänn alla").click()
    wait_for(page, "document.querySelector('img[data-category]').complete")
    assert "/pixel.gif" in hits.paths()
    stored = record_of(page.context)
    # The choice made on the shop holds on www: no banner, the same record.
    page.goto(f"{consent_url}privacy/", wait_until="networkidle")
    expect(page.get_by_role("region", name="Cookie choices")).to_be_hidden()
    page.evaluate("() => window.PrivacyConsent.rejectAll()")
    assert record_of(page.context) != stored
    # ... and a withdrawal on www holds on the shop.
    hits.clear()
    page.goto(f"{shop_url}{way}.html", wait_until="networkidle")
    expect(banner(page)).to_be_hidden()
    consent = page.evaluate("() => window.PrivacyConsent.get().c")
    assert consent == {"analytics": False, "advertising": False}
    assert hits.paths() == []
    assert errors == []


def test_a_pinned_file_that_does_not_match_its_integrity_is_refused(
    page: Page, shop_url: str, hits: Partner
) -> None:
    """The negative control: integrity is really checked on the cross-origin load."""
    errors = console_errors(page)
    page.goto(f"{shop_url}tampered.html", wait_until="networkidle")
    assert page.evaluate("() => typeof window.PrivacyConsent") == "undefined"
    assert any("integrity" in error for error in errors), errors
    assert hits.paths() == []
