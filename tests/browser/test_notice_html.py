"""A change notice's HTML in real Chromium (issue 14, point 5): opened as a mail client would show
it, it asks nothing of any host, this site's or another's: no image, style sheet, font or script."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, Request

from tests.support import cli, fixture_site


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_notice_html_loads_nothing(page: Page, tmp_path: Path, language: str) -> None:
    project = fixture_site("translated", tmp_path)
    made = cli(project, "notice", "2021-01-01", "--out", str(tmp_path / "out"), as_of="2020-12-01")
    assert made.returncode == 0, made.stderr
    html = tmp_path / "out" / f"notice-2021-01-01.{language}.html"
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.on("request", record)
    page.goto(html.as_uri())
    page.wait_for_load_state("networkidle")
    assert requested == [html.as_uri()]  # the file itself, and nothing else
    heading = page.locator("h1").inner_text()
    assert (
        heading
        == {
            "en": "Changes to our privacy policy, effective 1 January 2021",
            "sv": "Ändringar i vår integritetspolicy från 1 januari 2021",
        }[language]
    )
    links = page.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert all(link.startswith(("https://policy.example/", "mailto:")) for link in links)
    assert page.evaluate("document.documentElement.lang") == language
