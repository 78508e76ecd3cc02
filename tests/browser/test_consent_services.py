"""Per-service choice, from the network's side (issue 24, point 2): advertising holds Google Ads and
Meta Pixel, each on a host of its own (two names of the fake partner); the visitor chooses each in
the dialog, and only the hosts of the services allowed receive a request."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.partner import PARTNER_DOMAIN, Partner
from tests.support import build, fixture_site, serve

GOOGLE, META = f"ads.{PARTNER_DOMAIN}", f"px.{PARTNER_DOMAIN}"
PAGE = """---
title: Two services
---

# Two services

<p><img data-category="advertising" data-service="google-ads"
data-src="http://{google}/pixel.gif" alt="" width="1" height="1"></p>

<p><img data-category="advertising" data-service="meta-pixel"
data-src="http://{meta}/pixel.gif" alt="" width="1" height="1"></p>
"""


@pytest.fixture(scope="module")
def services_url(tmp_path_factory: pytest.TempPathFactory, partner: Partner) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("services")
    project = fixture_site("consent-demo", folder, consent=True)
    config = project / "consent" / "consent.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    port = partner.origin.rpartition(":")[2]
    google, meta = f"{GOOGLE}:{port}", f"{META}:{port}"
    signals = ["ad_storage", "ad_user_data", "ad_personalization"]
    settings["categories"]["advertising"]["services"] = [
        {"id": "google-ads", "name": "Google Ads", "hosts": [google], "consent_mode": signals},
        {"id": "meta-pixel", "name": "Meta Pixel", "hosts": [meta]},
    ]
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")
    (project / "docs" / "services.md").write_text(PAGE.format(google=google, meta=meta), "utf-8")
    site = folder / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    with serve(site) as url:
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
