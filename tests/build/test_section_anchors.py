"""Section links keep working (issue 11, point 3): a later version that drops a heading anchor
fails the strict build unless its front matter maps the anchor or marks the section removed; and
(issue 23, point 4b) so does ``check``, and from the day the version is written, a draft or
announced, not the day it takes effect."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import build, cli, elements, parse_html

SECOND = "docs/privacy/versions/2021-01-01.md"
THIRD = "docs/privacy/versions/2021-06-01.md"
#: The third version is announced on this day, and takes effect on 2021-06-01.
ANNOUNCED = "2021-05-01"
#: A day the third version is a draft: written, not announced yet.
DRAFTED = "2021-04-20"


def third_version(repo: Path, heading: str, anchors: str = "", today: str = ANNOUNCED) -> None:
    """2021-06-01, an editorial version whose 'Sharing' heading is renamed ``heading`` (removed
    when empty), recorded in the lock on ``today``."""
    text = (repo / SECOND).read_text(encoding="utf-8")
    text = text.replace("effective: 2021-01-01", "effective: 2021-06-01")
    text = text.replace("announced: 2020-11-15", f"announced: {ANNOUNCED}")
    text = text.replace("change: material", "change: editorial")
    text = re.sub(r"summary: .*", "summary: Renames the section on sharing.", text)
    text = text.replace("---\n\n#", f"{anchors}---\n\n#").replace("## Sharing", heading)
    (repo / THIRD).write_text(text, encoding="utf-8")
    locked = cli(repo, "check", "--update-lock", as_of=today)
    assert "recorded 3 version(s)" in locked.stdout, locked.stderr


def unmapped(hint: str = "") -> str:
    """What the build and ``check`` say of the third version's lost #sharing."""
    return (
        "privacy/versions/2021-06-01.md:1: 'anchors': the section link #sharing ('Sharing', of "
        "version 2021-01-01) has no heading in version 2021-06-01, so links to it would land at "
        "the top of the page. In the front matter, map it to the section that holds its text now, "
        f"'anchors: {{sharing: new-anchor}}'{hint}, or mark the section removed, "
        "'anchors: {sharing: null}', which sends its links to the redline."
    )


def test_a_renamed_heading_fails_the_strict_build_with_the_fix(repo: Path) -> None:
    third_version(repo, "## Whom We Share With")
    result = build(repo, repo / "site", as_of="2021-06-01")
    assert result.returncode != 0
    assert unmapped(" (its new headings: whom-we-share-with)") in result.stderr


@pytest.mark.parametrize("today", [DRAFTED, ANNOUNCED], ids=["draft", "announced"])
@pytest.mark.parametrize(
    ("heading", "hint", "line"),
    [
        ("## Whom We Share With", " (its new headings: whom-we-share-with)",
         "anchors:\n  sharing: whom-we-share-with\n"),
        ("", "", "anchors:\n  sharing: null\n"),
    ],
    ids=["renamed", "removed"],
)  # fmt: skip
def test_a_heading_lost_before_the_version_takes_effect_fails_check_and_build_that_day(
    repo: Path, today: str, heading: str, hint: str, line: str
) -> None:
    third_version(repo, heading, today=today)
    checked = cli(repo, "check", as_of=today)
    assert checked.returncode == 1, checked.stderr
    assert f"docs/{unmapped(hint)} (warning: fails the strict build)" in checked.stderr
    built = build(repo, repo / "site", as_of=today)
    assert built.returncode != 0
    assert unmapped(hint) in built.stderr
    if today == ANNOUNCED:  # its anchors are published: mapping one is a correction
        line += f"errata:\n  - date: {today}\n    text: Maps the old link to the section.\n"
    third_version(repo, heading, line, today=today)  # the line the message says to add
    checked = cli(repo, "check", as_of=today)
    assert checked.returncode == 0, checked.stderr
    built = build(repo, repo / "site", as_of=today)
    assert built.returncode == 0, built.stderr


def test_a_mapped_anchor_lands_on_its_section(repo: Path) -> None:
    third_version(repo, "## Whom We Share With", "anchors:\n  sharing: whom-we-share-with\n")
    site = repo / "site"
    result = build(repo, site, as_of="2021-06-01")
    assert result.returncode == 0, result.stderr
    for page in ("privacy/index.html", "privacy/versions/2021-06-01/index.html"):
        (heading,) = elements(parse_html(site / page), "//h2[@id='whom-we-share-with']")
        assert [span.get("id") for span in elements(heading, "span")] == ["sharing"], page
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    entry = next(item for item in manifest["versions"] if item["id"] == "2021-06-01")
    assert entry["anchors"]["moved"] == {"sharing": "whom-we-share-with"}
    assert "whom-we-share-with" in entry["anchors"]["headings"]


def test_a_removed_section_sends_its_links_to_the_redline(repo: Path) -> None:
    third_version(repo, "## Whom We Share With", "anchors:\n  sharing: null\n")
    site = repo / "site"
    assert build(repo, site, as_of="2021-06-01").returncode == 0
    (note,) = elements(parse_html(site / "privacy/index.html"), "//p[@id='sharing']")
    assert "policy-removed-anchor" in str(note.get("class"))
    assert " ".join(note.text_content().split()) == (
        "The section \u201cSharing\u201d was removed from this policy in the version effective "
        "1 June 2021: see what changed."
    )
    assert [link.get("href") for link in elements(note, "a")] == ["changes/2021-06-01/"]


def test_a_mapping_to_a_heading_that_does_not_exist_fails(repo: Path) -> None:
    third_version(repo, "## Whom We Share With", "anchors:\n  sharing: whom-we-share\n")
    result = build(repo, repo / "site", as_of="2021-06-01")
    assert result.returncode != 0
    assert "'sharing' maps to 'whom-we-share', which is not a heading of this version" in (
        result.stderr
    )


def test_check_names_the_anchors_the_sites_own_slugify_makes(repo: Path) -> None:
    """mkdocs.yml's ``toc`` ``slugify`` (a ``!!python/object/apply:`` tag, as mkdocs-material's
    documentation writes it) keeps accents, which the default drops: ``check`` names the ids the
    built pages have."""
    config = repo / "mkdocs.yml"
    slugify = "      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\n"
    text = config.read_text(encoding="utf-8").replace(
        "permalink: true\n", f"permalink: true\n{slugify}"
    )
    config.write_text(text, encoding="utf-8")
    third_version(repo, "## Délégation", today=DRAFTED)
    message = unmapped(" (its new headings: délégation)")
    assert message in cli(repo, "check", as_of=DRAFTED).stderr
    assert message in build(repo, repo / "site", as_of=DRAFTED).stderr
    third_version(repo, "## Délégation", "anchors:\n  sharing: délégation\n", today=DRAFTED)
    checked = cli(repo, "check", as_of=DRAFTED)
    assert checked.returncode == 0, checked.stderr
    built = build(repo, repo / "site", as_of=DRAFTED)
    assert built.returncode == 0, built.stderr
