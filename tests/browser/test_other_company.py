"""The gating on another company's site, built by the package installed from its wheel: a
marketing pixel waits for a choice, and the consent cookie is that site's own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, expect

from tests.partner import Partner
from tests.support import serve
from tests.wheel import build_other_site


@pytest.fixture(scope="module")
def other_url(
    installed_package: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
    partner: Partner,
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("other-company")
    site, result = build_other_site(installed_package[1], folder, partner.origin)
    assert result.returncode == 0, result.stderr
    with serve(site) as url:
        yield url


def choice(page: Page) -> dict[str, object]:
    (value,) = [c["value"] for c in page.context.cookies() if c["name"] == "exg_choice"]
    parsed: dict[str, object] = json.loads(unquote(str(value)))
    return parsed


def test_the_marketing_pixel_waits_for_a_choice(page: Page, other_url: str, hits: Partner) -> None:
    page.goto(f"{other_url}offers/", wait_until="networkidle")
    region = page.get_by_role("region", name="Cookie choices")
    expect(region).to_contain_text("Example Garden Supplies uses cookies for your basket.")
    page.wait_for_timeout(300)
    assert hits.paths() == []
    assert page.context.cookies() == []
    region.get_by_role("button", name="Accept all").click()
    expect(region).to_be_hidden()
    deadline = page.evaluate("Date.now()") + 5000
    while "/pixel.gif" not in hits.paths() and page.evaluate("Date.now()") < deadline:
        page.wait_for_timeout(50)
    assert hits.paths() == ["/pixel.gif"]
    assert choice(page)["c"] == {"functional": True, "marketing": True}


def test_reject_all_loads_nothing_and_keeps_only_the_sites_cookie(
    page: Page, other_url: str, hits: Partner
) -> None:
    page.goto(f"{other_url}offers/", wait_until="networkidle")
    page.get_by_role("region", name="Cookie choices").get_by_role(
        "button", name="Reject all"
    ).click()
    page.goto(f"{other_url}offers/", wait_until="networkidle")
    assert hits.paths() == []
    assert [c["name"] for c in page.context.cookies()] == ["exg_choice"]
    assert choice(page)["c"] == {"functional": False, "marketing": False}
