"""The policy pages' own words, per language (``<code>.yml`` beside this file): what the
templates, the feeds and the print stylesheet say around the policy's text. Each file has the
same keys (``tests/unit/test_locale.py``); a text marks what is put in it with ``{name}``.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib.resources import files
from typing import Any

import yaml

__all__ = [
    "LocaleError",
    "available",
    "has_words",
    "long_date",
    "no_words",
    "plural",
    "say",
    "texts",
]


class LocaleError(ValueError):
    """A language the policy pages have no words for."""


def available() -> list[str]:
    """The languages this package has words for."""
    return sorted(
        entry.name.removesuffix(".yml")
        for entry in files(__package__).iterdir()
        if entry.name.endswith(".yml")
    )


def has_words(language: str) -> bool:
    return files(__package__).joinpath(f"{language}.yml").is_file()


def no_words(language: str) -> LocaleError:
    return LocaleError(
        f"policy-site has no words for the policy pages in {language!r} (it has: "
        f"{', '.join(available())}): add a translation of policy_site/locale/en.yml as "
        f"{language}.yml to policy-site, or remove {language} from plugins.policy-site.languages."
    )


@functools.cache
def texts(language: str) -> dict[str, Any]:
    """Every text of ``language``; English for a language this package has no words for (the
    authoritative language of a site that publishes no translation, as before translations:
    a translated language without words is refused, see versions.policy.language_settings)."""
    resource = files(__package__).joinpath(f"{language if has_words(language) else 'en'}.yml")
    loaded: dict[str, Any] = yaml.safe_load(resource.read_text(encoding="utf-8"))
    return loaded


def say(text: str, **parts: object) -> str:
    """``text`` with each ``{name}`` replaced by ``parts[name]`` (no other brace is special)."""
    for name, value in parts.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def plural(section: dict[str, str], key: str, count: int) -> str:
    """``key_one`` for 1, else ``key_other`` with ``{count}``: enough for English and Swedish."""
    return say(section[f"{key}_one" if count == 1 else f"{key}_other"], count=count)


def long_date(day: dt.date, language: str = "en") -> str:
    """``2007-10-01`` -> ``1 October 2007`` (``1 oktober 2007``): the month's name, never a
    locale's guess, so a date cannot be read the wrong way round."""
    words = texts(language)
    return say(words["date"], day=day.day, month=words["months"][day.month - 1], year=day.year)
