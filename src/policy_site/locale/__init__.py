"""The policy pages' own words, per language: what the templates, the feeds, the calendar, the
print stylesheet and the change notices say around the policy's text.

The package has a file per language beside this one (``<code>.yml``, with every key of
``en.yml``: ``tests/unit/test_locale.py`` checks); a text marks what is put in it with
``{name}``. A site brings words of its own in the folder its ``locale_dir`` option names
(``locale/de.yml``, beside mkdocs.yml): key by key over the package's file for that language, or,
for a language the package has no words for, a whole file with every key of ``en.yml``
(``policy_site.locale.site``, which checks them).

How the words reach what is published: ``load_words`` makes one ``Words`` per loading of a site,
for exactly the languages it publishes, and ``SiteConfig.settings`` puts it on the ``Settings``
that every module already gets (``policy.settings.words``), so no signature grew a parameter and
nothing is module state that one site's words could leak into another's. (Threading a separate
``Words`` argument through the views, pages, feeds, calendar, print stylesheet and notices would
say the same thing in forty more places.) A language a ``Words`` has no words for raises: there
is no fallback to English. ``texts`` here reads the package's own files only, for what runs
before there is a site (``policy-site init``'s starter text).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "PACKAGE_DIR",
    "LocaleError",
    "Words",
    "available",
    "has_words",
    "package_file",
    "plural",
    "say",
    "texts",
]

#: The package's words, ``<code>.yml`` per language.
PACKAGE_DIR = Path(__file__).resolve().parent


class LocaleError(ValueError):
    """A language there are no words for."""


def available() -> list[str]:
    """The languages this package has words for."""
    return sorted(path.stem for path in PACKAGE_DIR.glob("*.yml"))


def package_file(language: str) -> Path | None:
    """The package's file for ``language``: its own, else its primary language's (``de`` for
    ``de-CH``); None when it has neither."""
    for code in dict.fromkeys((language, language.split("-")[0])):
        path = PACKAGE_DIR / f"{code}.yml"
        if path.is_file():
            return path
    return None


def has_words(language: str) -> bool:
    """Whether the package has words for ``language`` (or for its primary language)."""
    return package_file(language) is not None


@functools.cache
def _read(path: Path) -> dict[str, Any]:
    """A file of the package, read once (package data never changes while a process runs)."""
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def texts(language: str) -> dict[str, Any]:
    """The package's words in ``language``. Raises LocaleError when it has none: never English
    in their place."""
    path = package_file(language)
    if path is None:
        raise LocaleError(
            f"policy-site has no words for {language!r} (it has {', '.join(available())})."
        )
    return _read(path)


@dataclass(frozen=True)
class Words:
    """The pages' words in each language a site publishes: the package's, under the site's own
    (``locale_dir``), checked. Read-only: the dicts it holds are shared with the templates."""

    by_language: Mapping[str, Mapping[str, Any]]

    @classmethod
    def package(cls, languages: Iterable[str] | None = None) -> Words:
        """The package's words alone, for ``languages`` (default: every one it has)."""
        codes = available() if languages is None else languages
        return cls({code: texts(code) for code in codes})

    def texts(self, language: str) -> dict[str, Any]:
        """Every text of ``language``. Raises LocaleError for a language the site does not
        publish (``load_words`` refuses a published one without words)."""
        found = self.by_language.get(language)
        if found is None:
            raise LocaleError(
                f"no words for the policy pages in {language!r}: the site has words for "
                f"{', '.join(self.by_language)}."
            )
        return dict(found)

    def name(self, code: str, language: str) -> str:
        """The name of the language ``code`` in ``language`` (in running text: "in English")."""
        names = self.texts(language)["names"]
        return str(names.get(code) or names.get(code.split("-")[0]) or code)

    def long_date(self, day: dt.date, language: str) -> str:
        """``2007-10-01`` -> ``1 October 2007`` (``1 oktober 2007``, ``1er octobre 2007``): the
        month's name, never a locale's guess, so a date cannot be read the wrong way round."""
        words = self.texts(language)
        pattern = words["date_first" if day.day == 1 else "date"]
        return say(pattern, day=day.day, month=words["months"][day.month - 1], year=day.year)


def say(text: str, **parts: object) -> str:
    """``text`` with each ``{name}`` replaced by ``parts[name]`` (no other brace is special)."""
    for name, value in parts.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def plural(section: Mapping[str, str], key: str, count: int) -> str:
    """``key_one`` for 1, else ``key_other`` with ``{count}``: enough for the languages here."""
    return say(section[f"{key}_one" if count == 1 else f"{key}_other"], count=count)


def merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` key by key over ``base``: a mapping in both is merged, anything else replaced."""
    result = dict(base)
    for key, value in over.items():
        inner = result.get(key)
        if isinstance(inner, Mapping) and isinstance(value, Mapping):
            value = merged(inner, value)
        result[key] = value
    return result
