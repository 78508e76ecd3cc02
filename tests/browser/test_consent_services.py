"""Per-service choice, from the network's side (issue 24, point 2): advertising holds Google Ads and
Meta Pixel, each on a host of its own (two names of the fake partner); the visitor chooses each in
the dialog, and only the hosts of the services allowed receive a request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import GOOGLE, META
from tests.partner import Partner
from tests.support import serve


@pytest.fixture(scope="module")
def services_url(services_site: Path) -> Iterator[str]:
    with serve(services_site) as url:
        yield url


def hosts_since(partner: Partner, moment: float) -> set[str]:
    """The host names the partner was reached under after ``moment``, once the page is idle."""
    return {hit.host for hit in list(partner.hits) if hit.at > moment}


def choose(page: Page, google: bool, meta: bool) -> float:
    """Opens the dialog, sets the two services' switches, saves; the moment it was saved."""
    page.locator("button:visible", has_text="Manage choices").or_(
        page.locator("button:visible", has_text="Cookie settings")
    ).first.click()
    dialog = page.get_by_role("dialog")
    group = dialog.get_by_role("group", name="Advertising")
    group.get_by_role("switch", name="Google Ads").set_checked(google)
    group.get_by_role("switch", name="Meta Pixel").set_checked(meta)
    moment = time.monotonic()
    dialog.get_by_role("button", name="Save choices").click()
    expect(dialog).to_be_hidden()
    # Every image the choice allowed has loaded (or failed): what was sent has been received.
    page.wait_for_load_state("load")
    page.wait_for_function("[...document.images].every((i) => i.complete)")
    return moment


def test_only_the_hosts_of_the_services_allowed_receive_a_request(
    page: Page, services_url: str, hits: Partner
) -> None:
    page.goto(f"{services_url}services/", wait_until="networkidle")
    assert hosts_since(hits, 0) == set()  # nothing before a choice
    moment = choose(page, google=True, meta=False)
    assert hosts_since(hits, moment) == {GOOGLE}
    assert page.evaluate("PrivacyConsent.get().s") == {"google-ads": True, "meta-pixel": False}
    consent = page.evaluate("dataLayer.filter(a => a[0] === 'consent').pop()[2]")
    assert consent["ad_storage"] == "granted"
    # The reverse: Google's pixel cannot be unloaded, so the page reloads, and only Meta's loads.
    moment = choose(page, google=False, meta=True)
    assert hosts_since(hits, moment) == {META}
    consent = page.evaluate("dataLayer.filter(a => a[0] === 'consent').pop()[2]")
    assert consent["ad_storage"] == "denied"
