"""The policy pages' words in each language (policy_site/locale): the same keys as English, the same
{names} in each text (a template fills only those it knows), and no character that HTML reads as
markup (the templates put a text in as it is, around the dates and links they fill in).

A site's own words (``locale_dir``) are checked the same way, each problem named with its file,
line and dotted key; and a language a site publishes with no words anywhere is refused, naming
the language, where the words were looked for and the fix, never shown in English (issue 22).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_site.locale import PACKAGE_DIR, LocaleError, Words, available, has_words, texts
from policy_site.locale.load import load_words
from policy_site.problems import PolicySiteError, display
from policy_site.site import read_config

_NAME = re.compile(r"\{/?[a-z_]+\}")


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, inner in value.items():
            found |= flat(inner, f"{prefix}{key}.")
        return found
    return {prefix.rstrip("."): value}


@pytest.mark.parametrize("language", [code for code in available() if code != "en"])
def test_each_language_has_every_english_text_with_the_same_names(language: str) -> None:
    english, other = flat(texts("en")), flat(texts(language))
    assert sorted(key for key in other if not key.startswith("names.")) == sorted(
        key for key in english if not key.startswith("names.")
    )
    for key, text in english.items():
        if isinstance(text, str) and key in other:
            assert set(_NAME.findall(other[key])) == set(_NAME.findall(text)), key
    assert len(texts(language)["months"]) == 12
    # Each file names every language the package has words for, so any two make a site.
    assert set(available()) <= set(texts(language)["names"])


@pytest.mark.parametrize("language", available())
def test_no_text_holds_markup(language: str) -> None:
    for key, text in flat(texts(language)).items():
        for word in text if isinstance(text, list) else [text]:
            assert not re.search(r"[<>&\"]", str(word)), f"{language}.yml {key}: {word}"


@pytest.mark.parametrize("language", available())
def test_a_package_file_passes_the_check_a_site_file_gets(tmp_path: Path, language: str) -> None:
    """The package's files are held to the rules a site's are: copied as a site's whole file of
    a language the package lacks, each is accepted as it is."""
    names = {**texts(language)["names"], "xx": "X"}
    (tmp_path / "xx.yml").write_text(
        yaml.safe_dump({**texts(language), "names": names}, allow_unicode=True), "utf-8"
    )
    words, problems, missing = load_words(tmp_path, "locale", ["xx"])
    assert (problems, missing) == ([], [])
    assert words.texts("xx")["status"] == texts(language)["status"]


def test_dates_are_written_in_the_language() -> None:
    words = Words.package()
    assert words.long_date(dt.date(2027, 1, 1), "sv") == "1 januari 2027"
    assert words.long_date(dt.date(2007, 10, 1), "en") == "1 October 2007"
    assert words.long_date(dt.date(2007, 10, 1), "de") == "1. Oktober 2007"
    assert words.long_date(dt.date(2027, 8, 15), "fr") == "15 août 2027"
    assert words.long_date(dt.date(2027, 8, 15), "es") == "15 de agosto de 2027"
    assert words.long_date(dt.date(2027, 8, 15), "it") == "15 agosto 2027"
    assert words.long_date(dt.date(2027, 8, 15), "fi") == "15. elokuuta 2027"
    # The first of a month, as French and Italian write it (date_first).
    assert words.long_date(dt.date(2027, 8, 1), "fr") == "1er août 2027"
    assert words.long_date(dt.date(2007, 10, 1), "it") == "1° ottobre 2007"
    assert words.long_date(dt.date(2007, 10, 1), "es") == "1 de octubre de 2007"


def test_no_words_is_never_english() -> None:
    """Issue 22: a language without words raised nothing and got English. Now it raises."""
    assert not has_words("xx")
    with pytest.raises(LocaleError, match="'xx'"):
        texts("xx")
    with pytest.raises(LocaleError, match="no words for the policy pages in 'xx'"):
        Words.package(["en"]).texts("xx")
    with pytest.raises(LocaleError):
        Words.package(["en"]).long_date(dt.date(2027, 1, 1), "sv")


def site(tmp_path: Path, options: str = "", files: dict[str, str] | None = None) -> Path:
    """A site's mkdocs.yml with ``options`` under the plugin, and ``files`` beside it."""
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Example\ntheme:\n  name: material\n  language: en\nplugins:\n"
        f"  - policy-site:\n      contact: privacy@example.org\n{options}",
        encoding="utf-8",
    )
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "mkdocs.yml"


def problems_of(config_file: Path) -> str:
    with pytest.raises(PolicySiteError) as raised:
        read_config(config_file).settings()
    return str(raised.value)


def test_a_language_without_words_names_the_language_where_it_looked_and_the_fix(
    tmp_path: Path,
) -> None:
    said = problems_of(site(tmp_path, "      language: pt\n"))
    assert (
        "mkdocs.yml:8: 'plugins.policy-site.language': no words for the policy pages in 'pt'"
        in (said)
    )
    package = f"{display(PACKAGE_DIR)}/pt.yml (the package has {', '.join(available())})"
    assert f"there is no {package}" in said
    assert "Set 'locale_dir: locale' under plugins.policy-site in mkdocs.yml" in said
    assert "and add locale/pt.yml beside mkdocs.yml" in said
    assert f"a copy of the package's {display(PACKAGE_DIR / 'en.yml')}, translated." in said
    # A translated language, with a locale_dir that has no file for it.
    config = site(tmp_path, "      languages: {en: English, pt: Português}\n"
                  "      locale_dir: locale\n", {"locale/en.yml": ""})  # fmt: skip
    said = problems_of(config)
    assert "'plugins.policy-site.languages': no words for the policy pages in 'pt'" in said
    assert "nor locale/pt.yml (plugins.policy-site.locale_dir) exists. Add locale/pt.yml" in said


def test_the_theme_language_without_words_is_refused_too(tmp_path: Path) -> None:
    config = site(tmp_path)
    config.write_text(config.read_text("utf-8").replace("language: en", "language: pt"), "utf-8")
    assert "'theme.language': no words for the policy pages in 'pt'" in problems_of(config)


def test_a_locale_dir_that_is_not_there_is_named(tmp_path: Path) -> None:
    said = problems_of(site(tmp_path, "      locale_dir: words\n"))
    assert "'plugins.policy-site.locale_dir': 'words': no such folder beside mkdocs.yml" in said


def test_a_site_file_over_the_package_changes_only_its_keys(tmp_path: Path) -> None:
    config = site(tmp_path, "      locale_dir: locale\n", {
        "locale/en.yml": "status:\n  all_versions: Every version\nnames:\n  en: Plain English\n",
    })  # fmt: skip
    words = read_config(config).settings().words
    assert words.texts("en")["status"]["all_versions"] == "Every version"
    assert words.texts("en")["status"]["what_changed"] == "What changed"  # the package's
    assert words.name("en", "en") == "Plain English"
    assert words.name("sv", "en") == "Swedish"  # names merged key by key too
    assert texts("en")["status"]["all_versions"] == "All versions"  # the package's untouched


def test_a_site_brings_a_language_the_package_lacks(tmp_path: Path) -> None:
    english = texts("en")
    portuguese = {**english, "names": {**english["names"], "pt": "português"},
                  "archive": {**english["archive"], "title": "Todas as versões"}}  # fmt: skip
    del portuguese["starter"]  # only policy-site init reads it, from the package
    config = site(tmp_path, "      language: pt\n      locale_dir: locale\n", {
        "locale/pt.yml": yaml.safe_dump(portuguese, allow_unicode=True),
    })  # fmt: skip
    settings = read_config(config).settings()
    assert settings.words.texts("pt")["archive"]["title"] == "Todas as versões"
    assert list(settings.words.by_language) == ["pt"]


def test_a_site_file_missing_keys_names_each_with_the_file(tmp_path: Path) -> None:
    english = texts("en")
    partial = {key: value for key, value in english.items() if key not in ("status", "starter")}
    partial["names"] = {**english["names"], "pt": "português"}
    partial["archive"] = {k: v for k, v in english["archive"].items() if k != "compare"}
    config = site(tmp_path, "      language: pt\n      locale_dir: locale\n", {
        "locale/pt.yml": yaml.safe_dump(partial, allow_unicode=True),
    })  # fmt: skip
    said = problems_of(config)
    missing = [f"status.{key}" for key in english["status"]] + ["archive.compare"]
    for key in missing:
        assert re.search(rf"locale/pt\.yml:\d+: '{re.escape(key)}': missing", said), key
    assert len(re.findall(r"': missing", said)) == len(missing)  # starter is not asked for
    assert (
        "'status.effective': missing: add it, translating 'Effective {effective}' (the package"
        in (said)
    )


def test_unknown_keys_and_different_names_are_named(tmp_path: Path) -> None:
    config = site(tmp_path, "      locale_dir: locale\n", {
        "locale/en.yml": (
            "status:\n"
            "  efective: Valid from {effective}\n"
            "  effective: Valid from {date}\n"
            "archive:\n"
            "  intro: Every version, and {a}the one in effect.\n"
            "  title: <b>Versions</b>\n"
            "months: [Jan, Feb]\n"
            "colour: blue\n"
        ),
    })  # fmt: skip
    said = problems_of(config)
    assert "locale/en.yml:2: 'status.efective': no such key: did you mean 'status.effective'?" in (
        said
    )
    assert (
        "locale/en.yml:3: 'status.effective': lacks {effective} and has {date}, which the page "
        "does not fill in: keep exactly the {names} of the English text 'Effective {effective}'"
    ) in said
    assert "locale/en.yml:5: 'archive.intro': lacks {/a}" in said
    assert "locale/en.yml:6: 'archive.title': '<b>Versions</b>' holds one of < > &" in said
    assert "locale/en.yml:7: 'months': must be a list of 12 texts" in said
    assert "locale/en.yml:8: 'colour': no such key" in said


def test_a_site_file_that_is_not_yaml_or_not_a_mapping_is_named(tmp_path: Path) -> None:
    config = site(tmp_path, "      languages: {en: English, sv: Svenska}\n"
                  "      locale_dir: locale\n", {
        "locale/en.yml": "status: [\n",
        "locale/sv.yml": "- status\n",
    })  # fmt: skip
    said = problems_of(config)
    assert "locale/en.yml:2: en.yml is not valid YAML" in said
    assert "locale/sv.yml:1: must be a mapping of the keys of the package's" in said


def test_every_published_language_needs_a_name_in_each_language(tmp_path: Path) -> None:
    english = {**texts("en"), "names": {"en": "English", "sv": "Swedish"}}
    del english["starter"]
    portuguese = {**english, "names": {"pt": "português"}}
    config = site(tmp_path, "      language: pt\n      languages: {pt: Português, sv: Svenska}\n"
                  "      locale_dir: locale\n", {
        "locale/pt.yml": yaml.safe_dump(portuguese, allow_unicode=True),
    })  # fmt: skip
    said = problems_of(config)
    assert (
        "locale/pt.yml:1: 'names.sv': the pages in pt name sv, a language the site publishes, "
        "but have no name for it: add it to locale/pt.yml ('names: {sv: ...}')."
    ) in said
    assert "'names.pt': the pages in sv name pt" in said
