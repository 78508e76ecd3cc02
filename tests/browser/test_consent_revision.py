"""R14: a choice is asked again when what the visitor is asked about changes (a new service or host
in consent.yml), and not when only the wording does; a refusal is not asked again (issue 24, point
3) unless a new category is asked about. Four real builds of the consent demo, served side by side
on the same host name, so that they share the visitor's one consent cookie."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.support import build, fixture_site, serve

Edit = Callable[[dict[str, Any]], None]


def _new_partner(settings: dict[str, Any]) -> None:
    settings["categories"]["advertising"]["services"].append(
        {"id": "new-ad-partner", "name": "New ad partner", "hosts": ["px.new-partner.example"]}
    )


def _reworded(settings: dict[str, Any]) -> None:
    settings["categories"]["analytics"]["description"]["en"] = "Traffic patterns, reworded."
    settings["texts"]["en"]["banner"] = (
        "We use cookies (reworded banner). " + (settings["texts"]["en"]["banner"])
    )


def _new_category(settings: dict[str, Any]) -> None:
    settings["categories"]["personalisation"] = {
        "title": {"en": "Personalisation", "sv": "Anpassning"},
        "description": {"en": "Recommendations for you.", "sv": "Rekommendationer för dig."},
    }


EDITS: dict[str, Edit | None] = {
    "base": None,
    "new-partner": _new_partner,
    "reworded": _reworded,
    "new-category": _new_category,
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        for name, edit in EDITS.items():
            folder = tmp_path_factory.mktemp(name)
            project = fixture_site("consent-demo", folder, consent=True)
            config = project / "consent" / "consent.yml"
            text = config.read_text(encoding="utf-8").replace(".toontrack.com", ".toontrack.test")
            settings = yaml.safe_load(text)
            if edit is not None:
                edit(settings)
            config.write_text(
                yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
            site = Path(folder / "site")
            result = build(project, site)
            assert result.returncode == 0, result.stderr
            urls[name] = stack.enter_context(serve(site))
        yield urls


def banner(page: Page) -> Any:
    return page.get_by_role("region", name="Cookie choices")


def test_a_new_service_asks_again_and_rewording_does_not(page: Page, sites: dict[str, str]) -> None:
    page.goto(sites["base"] + "privacy/", wait_until="networkidle")
    page.get_by_role("button", name="Accept all").click()
    expect(banner(page)).to_be_hidden()
    revision = page.evaluate("() => window.PrivacyConsent.get().pv")
    page.reload(wait_until="networkidle")
    expect(banner(page)).to_be_hidden()
    # The same choice, read by the build that only reworded its texts: still valid.
    page.goto(sites["reworded"] + "privacy/", wait_until="networkidle")
    expect(banner(page)).to_be_hidden()
    assert page.evaluate("() => window.PrivacyConsent.get().pv") == revision
    # The build with one more advertising partner: the visitor was never asked about it.
    page.goto(sites["new-partner"] + "privacy/", wait_until="networkidle")
    expect(banner(page)).to_be_visible()
    assert page.evaluate("() => window.PrivacyConsent.get()") is None
    page.get_by_role("button", name="Manage choices").click()
    expect(page.get_by_text("New ad partner")).to_be_visible()


def test_a_refusal_holds_across_a_new_service_until_a_new_category(
    page: Page, sites: dict[str, str]
) -> None:
    page.goto(sites["base"] + "privacy/", wait_until="networkidle")
    page.get_by_role("button", name="Reject all").click()
    expect(banner(page)).to_be_hidden()
    refused = page.evaluate("() => window.PrivacyConsent.get()")
    assert refused["c"] == {"analytics": False, "advertising": False}
    # The build with one more advertising partner: a refusal needs no new question.
    page.goto(sites["new-partner"] + "privacy/", wait_until="networkidle")
    expect(banner(page)).to_be_hidden()
    assert page.evaluate("() => window.PrivacyConsent.get()") == refused  # kept, its own pv
    updates = page.evaluate(
        "() => (window.dataLayer || []).filter((e) => e[0] === 'consent').map((e) => e[2])"
    )
    assert len(updates) == 2  # default, and the refusal's update
    assert all(set(signals.values()) == {"denied"} for signals in updates)
    # The footer's link still reopens the choices, the new partner in them.
    page.locator("footer [data-privacy-consent=settings]").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_text("New ad partner")).to_be_visible()
    # A category the visitor was never asked about asks again.
    page.goto(sites["new-category"] + "privacy/", wait_until="networkidle")
    expect(banner(page)).to_be_visible()
    assert page.evaluate("() => window.PrivacyConsent.get()") is None
