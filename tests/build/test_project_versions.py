"""The project's own two versions, as of today and as of the second one's effective date."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import ROOT, build, elements, parse_html, with_class


@pytest.fixture(scope="module")
def site_2027(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("project-2027")
    result = build(ROOT, site, as_of="2027-01-01")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return site


def status(site: Path, page: str) -> str:
    (found,) = elements(parse_html(site / page), f"//article//*{with_class('policy-status')}")
    return " ".join(found.text_content().split())


def test_before_2027_the_revision_is_announced_as_upcoming(project_site: Path) -> None:
    manifest = json.loads((project_site / "privacy/versions.json").read_text(encoding="utf-8"))
    assert (manifest["current"], manifest["upcoming"]) == ("2007-10-01", "2027-01-01")
    (notice,) = elements(
        parse_html(project_site / "privacy/index.html"), "//*[@class='policy-notice']"
    )
    assert " ".join(notice.text_content().split()) == (
        "An updated policy takes effect on 1 January 2027 (in 31 days): see what changes"
    )


def test_on_1_january_2027_the_revision_is_in_effect(site_2027: Path) -> None:
    assert status(site_2027, "privacy/index.html").startswith("Effective 1 January 2027")
    assert status(site_2027, "privacy/versions/2007-10-01/index.html").startswith(
        "In effect from 1 October 2007 to 31 December 2026; see the current policy"
    )
    text = parse_html(site_2027 / "privacy/index.html").text_content()
    assert "Global Privacy Control" in text
    assert "leave cookies “turned on”" not in text


def test_the_revision_changes_only_cookies_flash_and_the_date(project_site: Path) -> None:
    page = parse_html(project_site / "privacy/changes/2027-01-01/index.html")
    (redline,) = elements(page, f"//*{with_class('policy-redline')}")
    deleted = [" ".join(e.text_content().split()) for e in elements(redline, ".//del")]
    assert deleted == [
        "We recommend that you leave cookies “turned on” so that we can offer you a better "
        "experience on this Web site.",
        "Flash movies or other visual surfaces",
        "October 1, 2007.",
    ]
    sections = [
        " ".join(a.text_content().split())
        for a in elements(page, "//ul[@class='policy-sections-changed']//a")
    ]
    assert sections == ["Information We Automatically Collect", "Effective Date"]
    inserted = " ".join(e.text_content() for e in elements(redline, ".//ins"))
    for phrase in ("Cookie settings", "Global Privacy Control", "“Analytics”", "“Advertising”"):
        assert phrase in inserted
    # As a legal redline reads: the struck text, then the text that replaces it.
    (stated,) = elements(redline, ".//p[del or ins][contains(., 'is effective as of')]")
    assert [e.tag for e in elements(stated, "./ins | ./del")] == ["del", "ins"]
    assert " ".join(stated.text_content().split()) == (
        "This Privacy Policy is effective as of October 1, 2007. January 1, 2027."
    )


def test_the_revision_summary_says_what_changed(project_site: Path) -> None:
    manifest = json.loads((project_site / "privacy/versions.json").read_text(encoding="utf-8"))
    summary = manifest["versions"][1]["summary"]
    assert manifest["versions"][1]["change"] == "material"
    assert re.search(r"leave cookies turned on", summary)
    assert "Flash" in summary
    assert "Nothing else changes" in summary


def test_the_swedish_pages_follow_the_english_versions(project_site: Path, site_2027: Path) -> None:
    """Issue 14 point 4: the 2007 version is English only, so /sv/privacy/ says so until the
    Swedish translation of 2027-01-01 takes effect with its version."""
    assert not (project_site / "sv/privacy/versions/2007-10-01").exists()
    # The footer's previous and next links follow the Swedish navigation.
    (footer,) = elements(
        parse_html(project_site / "sv/privacy/versions/index.html"),
        f"//nav{with_class('md-footer__inner')}",
    )
    assert " ".join(footer.text_content().split()) == (
        "Föregående Integritetspolicy Nästa Kakor och liknande tekniker"
    )
    before = " ".join(parse_html(project_site / "sv/privacy/index.html").text_content().split())
    assert (
        "Den integritetspolicy som gäller nu, versionen från 1 oktober 2007, är ännu inte översatt "
        "till svenska." in before
    )
    assert status(project_site, "sv/privacy/versions/2027-01-01/index.html").startswith(
        "Träder i kraft den 1 januari 2027"
    )
    assert status(site_2027, "sv/privacy/index.html").startswith("Gäller från 1 januari 2027")
    text = parse_html(site_2027 / "sv/privacy/index.html").text_content()
    assert "Vår integritetspolicy" in text
    assert "Denna integritetspolicy gäller från och med 1 januari 2027." in " ".join(text.split())
    manifest = json.loads((site_2027 / "privacy/versions.json").read_text(encoding="utf-8"))
    assert [(lang["language"], lang["current"]) for lang in manifest["languages"]] == [
        ("en", "2027-01-01"), ("sv", "2027-01-01")
    ]  # fmt: skip
