"""Translations (issue 14, points 1 and 2): a fixture site with two English versions and a Swedish
translation of each, built for real; each mistake an editor can make with a translation, with the
message that leads to the fix; and never a silent fallback to a text that does not apply."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import feedparser
import pytest

from policy_site.site import load_site, read_config
from policy_site.versions import Timeline
from tests.support import (
    build,
    cli,
    dated_env,
    elements,
    fixture_site,
    git,
    parse_html,
    strings,
    with_class,
)

SV_2021 = "docs/privacy/versions/2021-01-01.sv.md"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_site("translated", tmp_path_factory.mktemp("sites"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    site = fixture_site("translated", tmp_path)
    git(site, "init", "-q")
    git(site, "add", ".")
    git(site, "commit", "-qm", "Publish")
    return site


def built(project: Path, as_of: str) -> Path:
    site = project.parent / f"site-{as_of}"
    if not site.exists():
        result = build(project, site, as_of=as_of)
        assert result.returncode == 0, result.stderr
        assert "WARNING" not in result.stderr
    return site


def said(site: Path, page: str, xpath: str = "//article") -> str:
    (found,) = elements(parse_html(site / page), xpath)
    return " ".join(found.text_content().split())


def switch(site: Path, page: str) -> dict[str, str]:
    """The language switch of a page: hreflang -> href, and "current" -> the page's own."""
    html = parse_html(site / page)
    links = elements(html, f"//nav{with_class('policy-languages')}//a")
    found = {link.get("hreflang", ""): link.get("href", "") for link in links}
    (current,) = strings(html, f"//nav{with_class('policy-languages')}//*[@aria-current]/@lang")
    return {**found, "current": current}


def test_a_translation_has_pages_of_its_own_under_its_language(project: Path) -> None:
    site = built(project, "2020-12-31")
    current = parse_html(site / "sv/privacy/index.html")
    assert current.get("lang") == "sv"
    text = said(site, "sv/privacy/index.html")
    assert "Gäller från 1 januari 2020" in text
    assert "Vi rekommenderar att du låter kakor vara på." in text  # the 2020 translation
    # Says what it translates, and that the English text prevails, linking it.
    notice = said(site, "sv/privacy/index.html", f"//*{with_class('policy-translation')}")
    assert notice == (
        "Detta är en översättning av originaltexten på engelska i versionen som gäller från "
        "1 januari 2020. Vid skillnader gäller originaltexten."
    )
    (source,) = strings(current, f"//*{with_class('policy-translation')}//a/@href")
    assert source == "../../privacy/versions/2020-01-01/"
    upcoming = said(site, "sv/privacy/versions/2021-01-01/index.html")
    assert upcoming.startswith("Språk: English Svenska Träder i kraft den 1 januari 2021")
    # The redline is against the translation before it, in Swedish.
    redline = parse_html(site / "sv/privacy/changes/2021-01-01/index.html")
    marked = f"//*{with_class('policy-redline')}"
    assert strings(redline, f"{marked}//ins//text()") == [
        "Andra kakor kräver ditt samtycke.",
        "Revisorer",
    ]
    assert strings(redline, f"{marked}//del//text()") == [
        "Vi rekommenderar att du låter kakor vara på."
    ]
    assert "Vad som ändrades den 1 januari 2021" in said(
        site, "sv/privacy/changes/2021-01-01/index.html"
    )
    archive = said(site, "sv/privacy/versions/index.html")
    assert "1 januari 2021 Kommande väsentlig Andra kakor än varukorgens" in archive
    bar = said(site, "sv/privacy/index.html", f"//*{with_class('policy-notice')}")
    assert (
        bar
        == "En uppdaterad policy träder i kraft den 1 januari 2021 (om 1 dag): se vad som ändras"
    )
    (bar_link,) = strings(current, f"//*{with_class('policy-notice')}//a/@href")
    assert bar_link == "changes/2021-01-01/"  # the Swedish redline
    # The section links' title, in each page's language (the same Markdown options for both).
    links = f"//a{with_class('headerlink')}/@title"
    assert set(strings(current, links)) == {"Länk till det här avsnittet"}
    english = parse_html(site / "privacy/index.html")
    assert set(strings(english, links)) == {"Link to this section"}


def test_every_page_links_its_other_languages(project: Path) -> None:
    site = built(project, "2020-12-31")
    assert switch(site, "privacy/index.html") == {"sv": "../sv/privacy/", "current": "en"}
    assert switch(site, "sv/privacy/index.html") == {"en": "../../privacy/", "current": "sv"}
    assert switch(site, "privacy/versions/2021-01-01/index.html") == {
        "sv": "../../../sv/privacy/versions/2021-01-01/",
        "current": "en",
    }
    assert switch(site, "sv/privacy/changes/2021-01-01/index.html") == {
        "en": "../../../../privacy/changes/2021-01-01/",
        "current": "sv",
    }
    assert switch(site, "sv/privacy/versions/index.html")["en"] == "../../../privacy/versions/"
    # The theme's own words follow the page: its skip link, in Swedish.
    skip = said(site, "sv/privacy/index.html", f"//a{with_class('md-skip')}")
    assert skip == "Gå till innehållet"
    nav = strings(parse_html(site / "sv/privacy/index.html"), "//nav[@aria-label]//li/a/@href")
    assert "versions/" in nav  # the Swedish archive, not the English one


def test_on_its_date_the_translation_becomes_current_and_the_old_one_superseded(
    project: Path,
) -> None:
    site = built(project, "2021-01-01")
    text = said(site, "sv/privacy/index.html")
    assert "Gäller från 1 januari 2021" in text
    assert "Revisorer" in text
    old = said(site, "sv/privacy/versions/2020-01-01/index.html")
    assert "Gällde från 1 januari 2020 till och med 31 december 2020; se nuvarande policy" in old


def test_the_feeds_manifest_and_print_footer_carry_each_language(project: Path) -> None:
    site = built(project, "2020-12-31")
    feed = feedparser.parse((site / "sv/privacy/feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.language == "sv"
    assert [entry.title for entry in feed.entries] == [
        "Integritetspolicy: träder i kraft 1 januari 2021",
        "Integritetspolicy: gäller från 1 januari 2020",
    ]
    assert feed.entries[0].link == "https://policy.example/sv/privacy/versions/2021-01-01/"
    json_feed = json.loads((site / "sv/privacy/feed.json").read_text(encoding="utf-8"))
    assert json_feed["language"] == "sv"
    assert [item["title"] for item in json_feed["items"]] == [e.title for e in feed.entries]
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    assert manifest["authoritative_language"] == "en"
    assert [(lang["language"], lang["current"]) for lang in manifest["languages"]] == [
        ("en", "2020-01-01"),
        ("sv", "2020-01-01"),
    ]
    second = manifest["versions"][1]
    (swedish,) = second["translations"]
    assert swedish["language"] == "sv"
    assert swedish["url"] == "https://policy.example/sv/privacy/versions/2021-01-01/"
    # Bound to the text it translates: the source's own hash is in it.
    assert swedish["sha256"]["translates_markdown"] == second["sha256"]["markdown"]
    assert swedish["sha256"]["markdown"] != second["sha256"]["markdown"]
    printed = (site / "assets/stylesheets/policy-print.css").read_text(encoding="utf-8")
    footer = (
        "Gäller från 1 januari 2021 \u00b7 https://policy.example/sv/privacy/versions/2021-01-01/"
    )
    assert footer in printed
    page = parse_html(site / "sv/privacy/versions/2021-01-01/index.html")
    assert elements(page, f"//*{with_class('policy-print--2021-01-01-sv')}")
    # The page number, the printed address's label and a redline's hidden labels, in Swedish.
    assert 'content: "Sida " counter(page) " av " counter(pages)' in printed
    assert "body:lang(sv) { page: policy-lang-sv; }" in printed
    assert 'content: "Page " counter(page) " of " counter(pages)' in printed  # the default
    (address,) = strings(page, f"//*{with_class('policy-print-url')}/text()")
    assert address.startswith("Denna version: https://policy.example/sv/privacy/versions/")
    words = (site / "assets/stylesheets/policy-words.css").read_text(encoding="utf-8")
    assert '.policy-redline ins:lang(sv)::before, .policy-compare__result ins:lang(sv)::before ' \
        '{ content: " [infogat: "; }' in words  # fmt: skip
    assert '.policy-redline del:lang(en)::after, .policy-compare__result del:lang(en)::after ' \
        '{ content: "] "; }' in words  # fmt: skip


def test_without_a_translation_of_the_version_in_effect_the_page_says_so(repo: Path) -> None:
    """Never a silent fallback: the old translation is not shown as current."""
    shutil.rmtree(repo / ".git")  # as if it had never been written: no commit has it
    (repo / SV_2021).unlink()
    lock_path = repo / "docs/privacy/versions.lock"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    del lock["2021-01-01.sv"]  # as if it had never been written
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    site = repo / "site"
    result = build(repo, site, as_of="2021-01-02")
    assert result.returncode == 0, result.stderr
    text = said(site, "sv/privacy/index.html")
    assert text == (
        "Språk: English Svenska Integritetspolicy Den integritetspolicy som gäller nu, versionen "
        "från 1 januari 2021, är ännu inte översatt till svenska. Läs originaltexten på engelska. "
        "En tidigare version finns översatt, men den gäller inte längre: se alla versioner."
    )
    page = parse_html(site / "sv/privacy/index.html")
    links = {link.get("href"): link.get("hreflang") for link in elements(page, "//article//p//a")}
    assert links["../../privacy/"] == "en"
    assert "Vi rekommenderar" not in text
    archive = said(site, "sv/privacy/versions/index.html")
    assert "1 januari 2021 (endast på engelska) Gäller material" not in archive
    assert "1 januari 2021 (endast på engelska) Gäller väsentlig" in archive
    assert "1 januari 2020 Ersatt (gällde till och med 31 december 2020)" in archive
    english = elements(parse_html(site / "sv/privacy/versions/index.html"), "//tbody/tr[1]//th/a")
    assert english[0].get("hreflang") == "en"
    assert english[0].get("href") == "../../../privacy/versions/2021-01-01/"


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        (
            "2022-01-01.sv.md",
            "---\nlanguage: sv\ntranslates: 2022-01-01\ntitle: Integritetspolicy\n---\n\nText.\n",
            "docs/privacy/versions/2022-01-01.sv.md:3: 'translates': 2022-01-01 names no version "
            "beside it: a translation is published only beside the text it translates. Add "
            "2022-01-01.md, or correct 'translates' and the file name.",
        ),
        (
            "2020-01-01.de.md",
            "---\nlanguage: de\ntranslates: 2020-01-01\ntitle: Datenschutz\n---\n\nText.\n",
            "docs/privacy/versions/2020-01-01.de.md:2: 'language': is 'de', which is not one of "
            "plugins.policy-site.languages in mkdocs.yml (en, sv): add 'de: <the language's name "
            "in itself>' there, or correct 'language' and the file name.",
        ),
        (
            "2020-01-01.fi.md",
            "---\nlanguage: sv\ntranslates: 2020-01-01\ntitle: Integritetspolicy\n---\n\nText.\n",
            "docs/privacy/versions/2020-01-01.fi.md:2: 'language': is 'sv' but the file name says "
            "fi",
        ),
        (
            "2021-01-01.sv.md",
            "---\nlanguage: sv\ntranslates: 2021-01-01\ntitle: Integritetspolicy\n"
            "change: material\n---\n\nText.\n",
            "docs/privacy/versions/2021-01-01.sv.md:5: 'change': a translation takes 'change' from "
            "the version it translates (2021-01-01.md): delete it here.",
        ),
        (
            "2021-01-01.sv.md",
            "---\nlanguage: sv\ntranslates: 2021-01-01\ntitle: Integritetspolicy\n---\n\nText.\n",
            "docs/privacy/versions/2021-01-01.sv.md:1: key 'summary' is missing: version "
            "2021-01-01 has one; translate it",
        ),
        (
            "2020-01-01.sv.md",
            "---\nlanguage: sv\ntranslates: 2020-01-01\ntitle: Integritetspolicy\n---\n\n"
            "## Ikraftträdande\n\nDenna policy gäller från och med 1 februari 2020.\n",
            "docs/privacy/versions/2020-01-01.sv.md:9: the text states the effective date "
            "'1 februari 2020' (2020-02-01), but the version it translates is 2020-01-01: write "
            "'1 januari 2020' there: a translation states the date of the version it translates.",
        ),
    ],
    ids=[
        "unknown-source",
        "language-not-published",
        "name-disagrees",
        "inherited-key",
        "summary-missing",
        "stated-date",
    ],
)
def test_a_translation_the_build_cannot_publish_fails_naming_file_key_and_fix(
    repo: Path, name: str, text: str, says: str
) -> None:
    (repo / "docs/privacy/versions" / name).write_text(text, encoding="utf-8")
    checked = cli(repo, "check", as_of="2020-12-31")
    assert checked.returncode == 2
    assert says in checked.stderr
    result = build(repo, repo / "site", as_of="2020-12-31")
    assert result.returncode != 0
    assert says in result.stderr
    assert not (repo / "site").exists()  # nothing half-built


def test_a_published_translation_is_locked_like_a_version(repo: Path) -> None:
    path = repo / "docs/privacy/versions/2020-01-01.sv.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Fraktbolag", "Bud"), "utf-8")
    checked = cli(repo, "check", as_of="2020-12-31")
    assert checked.returncode == 2
    assert (
        "docs/privacy/versions/2020-01-01.sv.md:20: translation 2020-01-01.sv is already in effect "
        "and its text no longer matches the lock." in checked.stderr
    )
    assert "--- 2020-01-01.sv as published (commit " in checked.stderr
    assert "\n+++ 2020-01-01.sv now\n-- Fraktbolag\n+- Bud" in checked.stderr
    path.unlink()
    gone = cli(repo, "check", as_of="2020-12-31")
    assert (
        "translation 2020-01-01.sv was published (effective 2020-01-01) and versions.lock "
        "records it, but its file is gone: a published translation stays at its address."
        in gone.stderr
    )
    assert "git checkout" in gone.stderr


def test_the_wp260_lint_reads_a_translation_in_its_language(repo: Path) -> None:
    path = repo / SV_2021
    text = path.read_text(encoding="utf-8").replace(
        "Skriv till privacy@example.com.",
        "Skriv till privacy@example.com. Du bör regelbundet besöka denna webbplats.",
    )
    path.write_text(text, encoding="utf-8")
    assert cli(repo, "check", "--update-lock", as_of="2020-11-01").returncode == 1  # a warning
    result = build(repo, repo / "site", as_of="2020-11-01")
    assert result.returncode != 0
    warning = re.search(
        r"2021-01-01\.sv\.md:\d+: 'regelbundet besöka': asking readers", result.stderr
    )
    assert warning is not None, result.stderr


def test_a_translation_with_no_words_for_its_language_fails_the_build(repo: Path) -> None:
    config = repo / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "        sv: Svenska", "        sv: Svenska\n        xx: X"
        ),
        encoding="utf-8",
    )
    result = build(repo, repo / "site", as_of="2020-12-31")
    assert result.returncode != 0
    assert "'plugins.policy-site.languages': no words for the policy pages in 'xx'" in (
        result.stderr
    )
    assert "add locale/xx.yml beside mkdocs.yml: a copy of the package's" in result.stderr
    shutil.rmtree(repo / "site", ignore_errors=True)


def test_a_new_version_does_not_copy_a_translation_and_says_so(repo: Path) -> None:
    started = cli(repo, "new-version", "2021-06-01", as_of="2021-01-02")
    assert started.returncode == 0, started.stderr
    assert not (repo / "docs/privacy/versions/2021-06-01.sv.md").exists()
    assert (
        "Not copied: 2021-01-01.sv.md, the sv translation of 2021-01-01. Until "
        "versions/2021-06-01.sv.md translates the new text, /sv/privacy/ will say from "
        "2021-06-01 that the version in effect has no translation yet" in started.stdout
    )


def test_every_language_has_a_timeline_of_the_one_type(project: Path) -> None:
    """One timeline type for every language (issue 21, point 5): the authoritative language's and
    Swedish, each asked for by language in one place (Policy.timeline_in)."""
    config = read_config(project / "mkdocs.yml")
    policy = load_site(config, dated_env("2021-06-01")).policy
    english, swedish = policy.timeline_in("en"), policy.timeline_in("sv")
    assert type(english) is type(swedish) is Timeline
    assert policy.timelines == {"en": english, "sv": swedish}
    assert english is policy.timeline
    assert policy.timeline_in(None) is english
    assert (english.language, swedish.language) == (None, "sv")
    assert english.current is policy.current
    assert swedish.current is not None
    assert swedish.current.version.key == "2021-01-01.sv"
    assert [entry.version.key for entry in swedish.entries] == ["2020-01-01.sv", "2021-01-01.sv"]
