"""Strings from mkdocs.yml, front matter and consent.yml reach the pages, the feed, the manifest and
the consent script as text: the hostile fixture (every such string carrying tests.hostile.PAYLOAD)
builds into files holding no markup, code or template output made from them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_site.consent.config import TEXT_KEYS, load_consent
from policy_site.versions.model import read_version
from tests.hostile import (
    CATEGORY_IDS,
    DANGEROUS,
    LANGUAGES,
    PAYLOAD,
    TEXT_LABELS,
    VERSIONS,
    build_hostile,
    hostile,
    hostile_project,
)
from tests.support import (
    FIXTURE_SITES,
    build,
    consent_files,
    elements,
    parse_html,
    strings,
    with_class,
)

FIXTURE = FIXTURE_SITES / "hostile"
ATOM = "{http://www.w3.org/2005/Atom}"
SITE_NAME = hostile("site_name")
CURRENT, UPCOMING = VERSIONS[1], VERSIONS[2]
GPC_NOTE = " A Global Privacy Control signal counts as a refusal of this category."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert len(found) >= 11, found
    return found


def texts(path: Path, xpath: str) -> list[str]:
    """The text of each element ``xpath`` selects in the page at ``path``, ends stripped."""
    return [element.text_content().strip() for element in elements(parse_html(path), xpath)]


def test_every_string_of_the_fixture_carries_the_payload() -> None:
    """The fixture leaves out no text key: each test below then covers every one of them."""
    config = load_consent(FIXTURE / "consent" / "consent.yml")
    assert {(lang, key) for lang in config.texts for key in config.texts[lang]} == {
        (lang, key) for lang in LANGUAGES for key in TEXT_KEYS
    }
    assert [f"texts.{lang}.{key}" for lang in LANGUAGES for key in TEXT_KEYS] == list(TEXT_LABELS)
    for label in TEXT_LABELS:
        _, lang, key = label.split(".")
        assert config.texts[lang][key] == hostile(label)
    assert tuple(category.id for category in config.categories) == CATEGORY_IDS
    for category in config.categories:
        key = f"categories.{category.id}"
        assert category.services
        for lang in LANGUAGES:
            assert category.title[lang] == hostile(f"{key}.title.{lang}")
            assert category.description[lang] == hostile(f"{key}.description.{lang}")
            for kind, items in (("cookies", category.cookies), ("storage", category.storage)):
                for index, item in enumerate(items):
                    assert item.purpose[lang] == hostile(f"{key}.{kind}[{index}].{lang}")
        for index, service in enumerate(category.services):
            assert service.name == hostile(f"{key}.services[{index}].name")
    assert config.categories[0].storage[0].pattern == hostile("^pattern")
    assert config.categories[0].storage[0].label == {
        lang: hostile(f"categories.necessary.storage[0].label.{lang}") for lang in LANGUAGES
    }
    for version_id in VERSIONS:
        version, problems = read_version(FIXTURE / "docs/privacy/versions" / f"{version_id}.md")
        assert problems == []
        assert version is not None
        assert version.title == hostile(f"title.{version_id}")
        if version_id != VERSIONS[0]:
            assert version.summary == hostile(f"summary.{version_id}")
    current, _ = read_version(FIXTURE / "docs/privacy/versions" / f"{CURRENT}.md")
    assert current is not None
    assert [erratum.text for erratum in current.errata] == [hostile(f"errata.{CURRENT}")]
    mkdocs = yaml.safe_load((FIXTURE / "mkdocs.yml").read_text(encoding="utf-8"))
    for key in ("site_name", "site_description", "site_author", "copyright"):
        assert mkdocs[key] == hostile(key)
    assert hostile("nav.policy") in mkdocs["nav"][0]


def test_no_page_holds_markup_made_from_a_payload(site: Path) -> None:
    found: dict[str, list[str]] = {}
    for path in pages(site):
        raw = path.read_text(encoding="utf-8")
        page = parse_html(path)
        problems = [f"raw {text!r}" for text in DANGEROUS if text in raw]
        problems += [
            f"<{element.tag} {name}=...>"
            for element in page.iter()
            if isinstance(element.tag, str)
            for name in element.attrib
            if name.lower().startswith("on")
        ]
        problems += [
            f"<script>{script.text[:40]}"
            for script in page.iter("script")
            if script.text and ("alert(1)" in script.text or "__pwned" in script.text)
        ]
        problems += [f"<img src={src}>" for src in strings(page, "//img/@src") if src == "x"]
        if problems:
            found[str(path.relative_to(site))] = problems
    assert found == {}


def test_every_page_shows_the_site_strings_as_text(site: Path) -> None:
    for path in pages(site):
        if path == site / "index.html":  # the redirect: a page of its own (below)
            continue
        page = parse_html(path)
        where = str(path.relative_to(site))
        (title,) = strings(page, "//title/text()")
        assert title.endswith(f" - {SITE_NAME}") or title == SITE_NAME, where
        assert strings(page, "//meta[@name='description']/@content") == [
            hostile("site_description")
        ], where
        assert strings(page, "//meta[@name='author']/@content") == [hostile("site_author")], where
        assert texts(path, f"//*{with_class('md-header__topic')}[1]") == [SITE_NAME], where
        assert set(strings(page, f"//a{with_class('md-logo')}/@aria-label")) == {SITE_NAME}, where
        assert texts(path, f"//*{with_class('md-copyright__highlight')}") == [
            hostile("copyright")
        ], where
        assert texts(path, f"//button{with_class('ppc-settings')}[not(ancestor::article)]") == [
            hostile("texts.en.settings")
        ], where


def test_titles_from_front_matter_and_nav_are_text(site: Path) -> None:
    for version_id in VERSIONS:
        path = site / f"privacy/versions/{version_id}/index.html"
        title = hostile(f"title.{version_id}")
        assert strings(parse_html(path), "//title/text()") == [f"{title} - {SITE_NAME}"]
        assert texts(path, f"//*{with_class('md-header__topic')}[2]") == [title]
    current = site / "privacy/index.html"
    assert texts(current, f"//*{with_class('md-header__topic')}[2]") == [
        hostile(f"title.{CURRENT}")
    ]
    nav = texts(current, f"//nav{with_class('md-nav--primary')}//a{with_class('md-nav__link')}")
    assert hostile("nav.policy") in nav
    assert [hostile(f"title.{version_id}") in nav for version_id in VERSIONS] == [True] * 3
    middle = site / f"privacy/versions/{CURRENT}/index.html"
    footer = f"//*{with_class('md-footer__link--%s')}//*{with_class('md-ellipsis')}"
    assert texts(middle, footer % "prev") == [hostile(f"title.{VERSIONS[0]}")]
    assert texts(middle, footer % "next") == [hostile(f"title.{UPCOMING}")]
    embed = site / "embed/index.html"
    assert texts(embed, "//article/h1") == [hostile("title.embed")]  # the theme's, from the title
    assert strings(parse_html(embed), "//title/text()") == [
        f"{hostile('title.embed')} - {SITE_NAME}"
    ]
    root = parse_html(site / "index.html")
    assert strings(root, "//title/text()") == [f"{hostile('title.index')} - {SITE_NAME}"]
    assert [link.text_content() for link in elements(root, "//a")] == [hostile("title.index")]
    # The root leads to the policy in effect: never to its front matter's "redirect" (a script).
    assert strings(root, "//meta[@http-equiv='refresh']/@content") == ["0; url=privacy/"]
    assert strings(root, "//@href") == ["privacy/", "privacy/"]


def test_policy_strings_are_text_in_the_archive_status_and_redlines(site: Path) -> None:
    archive = site / "privacy/versions/index.html"
    assert texts(archive, f"//table{with_class('policy-versions')}/tbody/tr/td[3]") == [
        hostile(f"summary.{UPCOMING}"),
        hostile(f"summary.{CURRENT}"),
        "The policy as first published.",
    ]
    for path in (site / "privacy/index.html", site / f"privacy/versions/{CURRENT}/index.html"):
        (erratum,) = texts(path, f"//*{with_class('policy-errata')}//li")
        assert erratum.endswith(f": {hostile(f'errata.{CURRENT}')}")
    for version_id in (CURRENT, UPCOMING):
        redline = site / f"privacy/changes/{version_id}/index.html"
        assert texts(redline, f"//*{with_class('policy-summary')}") == [
            hostile(f"summary.{version_id}")
        ]


def test_consent_strings_are_text_in_the_cookie_table(site: Path) -> None:
    path = site / "privacy/cookies/index.html"
    article = "//article"
    keys = [f"categories.{category}" for category in CATEGORY_IDS]
    assert texts(path, f"{article}//h2") == [hostile(f"{key}.title.en") for key in keys]
    paragraphs = texts(path, f"{article}/p")
    for key in keys:
        # The description, then the services with their hosts.
        at = paragraphs.index(hostile(f"{key}.description.en") + GPC_NOTE * (key == keys[-1]))
        assert paragraphs[at + 1].startswith(f"Services: {hostile(f'{key}.services[0].name')} (")
    purposes = texts(path, f"{article}//tbody/tr/td[5]")
    assert purposes == [
        hostile("categories.necessary.cookies[0].en"),
        hostile("categories.necessary.cookies[1].en"),
        hostile("categories.necessary.storage[0].en"),
        hostile("categories.analytics.cookies[0].en"),
        hostile("categories.advertising.cookies[0].en"),
    ]
    # A pattern is shown by its label, never as the pattern.
    labelled = hostile("categories.necessary.storage[0].label.en")
    assert labelled in texts(path, f"{article}//tbody/tr/td[1]")
    assert "^pattern" not in path.read_text(encoding="utf-8")


def test_the_feed_is_xml_holding_the_strings(site: Path) -> None:
    feed = ET.parse(site / "privacy/feed.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == f"{SITE_NAME} privacy policy: versions"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == SITE_NAME
    entries = {
        entry.findtext(f"{ATOM}id", "").rstrip("/").rsplit("/", 1)[-1]: entry
        for entry in feed.findall(f"{ATOM}entry")
    }
    assert sorted(entries) == list(VERSIONS)
    for version_id, entry in entries.items():
        title = entry.findtext(f"{ATOM}title", "")
        assert title.startswith(f"{hostile(f'title.{version_id}')}: "), title
    assert entries[CURRENT].findtext(f"{ATOM}summary") == hostile(f"summary.{CURRENT}")
    assert entries[UPCOMING].findtext(f"{ATOM}summary") == hostile(f"summary.{UPCOMING}")


def test_the_manifest_is_json_holding_the_strings(site: Path) -> None:
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    versions = {version["id"]: version for version in manifest["versions"]}
    assert sorted(versions) == list(VERSIONS)
    for version_id, version in versions.items():
        assert version["title"] == hostile(f"title.{version_id}")
    assert versions[CURRENT]["summary"] == hostile(f"summary.{CURRENT}")
    assert versions[UPCOMING]["summary"] == hostile(f"summary.{UPCOMING}")
    assert versions[CURRENT]["errata"][0]["text"] == hostile(f"errata.{CURRENT}")


def consent_script(site: Path, lang: str = "en") -> str:
    path, _ = consent_files(site, lang)
    return path.read_text(encoding="utf-8")


def injected_config(script: str) -> Any:
    """The object the minified script assigns to its (renamed) config: its first ``var x=``."""
    match = re.search(r'"use strict";var [\w$]+=', script)
    assert match is not None, "the consent script does not start by assigning its config"
    return json.JSONDecoder().raw_decode(script, match.end())[0]


def test_the_consent_script_parses_and_holds_the_strings_as_escaped_data(
    site: Path, tmp_path: Path
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; it is part of these machines (/usr/bin/node): install it")
    for lang in LANGUAGES:  # each language has a script of its own, and a dialog
        script = consent_script(site, lang)
        config = injected_config(script)
        dialog_script = (site / "assets" / config["dialog"][0]).read_text(encoding="utf-8")
        for name, text in ((f"consent.{lang}.js", script), (f"dialog.{lang}.js", dialog_script)):
            (tmp_path / name).write_text(text, encoding="utf-8")
            result = subprocess.run(
                [node, "--check", str(tmp_path / name)], capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, result.stderr
            assert "</script" not in text.lower()
            for raw in ("<!--", "<img", "<svg", "\u2028", "\u2029"):
                assert raw not in text, repr(raw)
        dialog = injected_config(dialog_script)
        texts = {**config["texts"], **dialog["texts"]}
        # The script's own language only; "settings" is the page's button, not the script's.
        for label in TEXT_LABELS:
            _, text_lang, key = label.split(".")
            if text_lang == lang and key != "settings":
                assert texts[key] == hostile(label)
        assert "settings" not in texts
        for category in config["categories"]:
            assert category["title"] == hostile(f"categories.{category['id']}.title.{lang}")
        for category in dialog["categories"]:
            key = f"categories.{category['id']}"
            assert category["title"] == hostile(f"{key}.title.{lang}")
            assert category["description"] == hostile(f"{key}.description.{lang}")
            # [id, name]: no id where the category is chosen as a whole.
            assert category["services"] == [["", hostile(f"{key}.services[0].name")]]
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in consent_script(site, "en")


def test_no_template_expression_in_a_string_is_ever_evaluated(site: Path) -> None:
    outputs = [path for path in site.rglob("*") if path.suffix in {".html", ".js", ".xml", ".json"}]
    evaluated = [str(path.relative_to(site)) for path in outputs if "[49]" in path.read_text()]
    assert evaluated == []
    literal = {path.suffix for path in outputs if "[{{ 7*7 }}]" in path.read_text()}
    assert literal == {".html", ".js", ".xml", ".json"}
    assert PAYLOAD.count("{{ 7*7 }}") == 1


@pytest.mark.parametrize(
    "site_url", ["javascript://www.toontrack.test/%0Aalert(1)//", "JavaScript://x/%0Aalert(1)//"]
)
def test_a_site_url_the_banner_could_run_fails_the_build(tmp_path: Path, site_url: str) -> None:
    """MkDocs takes any URL with a scheme and a host; the consent banner links to the policy
    there, so the build refuses every scheme but https (and http on localhost)."""
    project = hostile_project(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("site_url: https://www.toontrack.test/", f"site_url: {site_url}"), "utf-8"
    )
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "mkdocs.yml: 'site_url': the consent banner would link to the policy at" in result.stderr
    assert "Set site_url to the site's https:// address" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "site").glob("assets/consent.*.js"))
