"""An old section link still lands on its section in Chromium, when a later version renamed the
heading (``anchors: {old: new}``) or removed the section (``{old: null}``, a note that links the
redline, shown only to a reader who followed such a link)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.support import build, cli, fixture_site, serve


@pytest.fixture(scope="module")
def later_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The two-versions site with a third version (2021-06-01) that renames "Sharing" to "Whom We
    Share With" and removes "Contact", as of the day it takes effect."""
    project = fixture_site("two-versions", tmp_path_factory.mktemp("section-links"))
    versions = project / "docs/privacy/versions"
    text = (versions / "2021-01-01.md").read_text(encoding="utf-8")
    text = text.replace("effective: 2021-01-01", "effective: 2021-06-01")
    text = text.replace("announced: 2020-11-15", "announced: 2021-05-01")
    text = text.replace("change: material", "change: editorial")
    text = re.sub(r"summary: .*", "summary: Renames Sharing; drops Contact.", text)
    text = text.replace(
        "---\n\n#", "anchors:\n  sharing: whom-we-share-with\n  contact: null\n---\n\n#"
    )
    text = text.replace("## Sharing", "## Whom We Share With")
    text = text.split("## Contact")[0] + "More text.\n" * 80  # room to scroll
    (versions / "2021-06-01.md").write_text(text, encoding="utf-8")
    locked = cli(project, "check", "--update-lock", as_of="2021-05-01")
    assert locked.returncode == 0, locked.stderr
    site = project / "site"
    result = build(project, site, as_of="2021-06-01")
    assert result.returncode == 0, result.stderr
    with serve(site) as url:
        yield url


def top_of(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not drawn"
    return box["y"]


@pytest.mark.parametrize("path", ["privacy/", "privacy/versions/2021-06-01/"])
def test_a_renamed_sections_old_link_lands_on_it(page: Page, later_url: str, path: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(f"{later_url}{path}#sharing")
    assert page.evaluate("window.scrollY") > 0
    heading = top_of(page, "h2#whom-we-share-with")
    assert 0 <= heading < 200, f"the heading is at {heading}px, not at the top of the window"


def test_a_removed_sections_link_shows_the_note_only_to_its_reader(
    page: Page, later_url: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(f"{later_url}privacy/")
    note = page.locator("#contact")
    assert not note.is_visible()
    page.goto(f"{later_url}privacy/#contact")
    assert note.is_visible()
    assert 0 <= top_of(page, "#contact") < 200
    note.get_by_role("link", name="see what changed").click()
    page.wait_for_url(f"{later_url}privacy/changes/2021-06-01/")
