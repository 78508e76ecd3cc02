"""The plugin's options in ``mkdocs.yml`` (``plugins: - policy-site: {...}``), each a typed option
with its own validator. One definition serves both readers: ``policy_site.site`` (the commands)
and the MkDocs adapter, which wraps each option in a ``config_options`` class of its own, so that
``check`` refuses exactly what the build refuses, in the same words.

A validator returns the value it checked or raises ``OptionError`` with what is wrong and the fix;
the reader adds the file, the line and the key.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from policy_site.problems import near

__all__ = [
    "OPTIONS",
    "PLUGIN_NAME",
    "Option",
    "OptionError",
    "Options",
    "unknown_option",
]

PLUGIN_NAME = "policy-site"
T = TypeVar("T")

_LANGUAGE = re.compile(r"\A[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")
_EMAIL = re.compile(r"\A[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+\Z")


class OptionError(ValueError):
    """What is wrong with one option's value, and the fix (the reader says where)."""


class Option(Generic[T]):
    """One option: its default and its validator. ``None`` (the key left out, or written with no
    value) is the default. ``help`` says what it is for (the error messages and the manual's
    reference say it); ``kind``, what its value is (the reference)."""

    kind = ""

    def __init__(self, default: T, help: str) -> None:
        self.default = default
        self.help = help

    def check(self, value: object) -> T:
        return self.default if value is None else self.validate(value)

    def validate(self, value: object) -> T:
        raise NotImplementedError


class RelativePath(Option[str]):
    """A path inside the project, written with '/': under docs_dir or beside mkdocs.yml."""

    kind = "a path inside the project, written with '/'"

    def __init__(self, default: str, help: str, example: str) -> None:
        super().__init__(default, help)
        self.example = example

    def validate(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip("/ "):
            raise OptionError(f"{value!r} is not a path: write one such as {self.example}.")
        parts = posixpath.normpath(value.strip()).split("/")
        if value.startswith(("/", "~")) or "\\" in value or ".." in parts:
            raise OptionError(
                f"{value!r} is not a path inside the project: write it relative, with '/', "
                f"such as {self.example}."
            )
        return value.strip().strip("/")


class OptionalPath(RelativePath):
    def __init__(self, help: str, example: str) -> None:
        super().__init__("", help, example)

    def check(self, value: object) -> str:
        return "" if value is None else self.validate(value)


class Days(Option[int]):
    kind = "a whole number of days, 0 to 3650"

    def validate(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
            raise OptionError(f"{value!r} is not a number of days: write a whole number, e.g. 30.")
        return value


class TimeZone(Option[str]):
    kind = "an IANA time zone name, e.g. Europe/Stockholm or UTC"

    def validate(self, value: object) -> str:
        try:
            if isinstance(value, str) and value:
                ZoneInfo(value)
                return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
        raise OptionError(
            f"{value!r} is not a time zone: write an IANA name, e.g. Europe/Stockholm or UTC."
        )


class Language(Option[str]):
    kind = "a language code (BCP 47), e.g. en, sv or de-CH"

    def validate(self, value: object) -> str:
        if not isinstance(value, str) or not _LANGUAGE.match(value):
            raise OptionError(
                f"{value!r} is not a language code: write one such as en, sv or de (BCP 47)."
            )
        return value


class Languages(Option[dict[str, str]]):
    kind = "each language's code mapped to its name in itself, e.g. sv: Svenska"

    def validate(self, value: object) -> dict[str, str]:
        if not isinstance(value, Mapping) or not all(
            isinstance(code, str)
            and _LANGUAGE.match(code)
            and isinstance(name, str)
            and name.strip()
            for code, name in value.items()
        ):
            raise OptionError(
                "must map each language's code to its name in itself, e.g. 'en: English' and "
                "'sv: Svenska' on lines of their own."
            )
        return {code: name.strip() for code, name in value.items()}


class Email(Option[str]):
    kind = "an e-mail address"

    def validate(self, value: object) -> str:
        if not isinstance(value, str) or not _EMAIL.match(value.strip()):
            raise OptionError(
                f"{value!r} is not an e-mail address: write the one readers write to, e.g. "
                "privacy@example.com."
            )
        return value.strip()


#: Every option, by its key in mkdocs.yml.
OPTIONS: dict[str, Option[Any]] = {
    "versions_dir": RelativePath(
        "privacy/versions",
        "the folder under docs_dir holding the YYYY-MM-DD.md versions",
        "privacy/versions",
    ),
    "lock_file": RelativePath(
        "privacy/versions.lock",
        "the committed lock (under docs_dir) holding each version's text hash",
        "privacy/versions.lock",
    ),
    "notice_days": Days(30, "days between a material change's announcement and effect"),
    "timezone": TimeZone("UTC", "the time zone in which the build's today is read"),
    "consent": OptionalPath(
        "consent.yml, beside mkdocs.yml: every page carries its consent script",
        "consent/consent.yml",
    ),
    "published_bundles": OptionalPath(
        "the committed folder, beside mkdocs.yml, keeping every consent file published",
        "consent/published",
    ),
    "language": Language("", "the language of the authoritative text (default: the theme's)"),
    "languages": Languages({}, "every language published, code: name in itself"),
    "contact": Email("", "the address readers write to with questions"),
    "locale_dir": OptionalPath(
        "the folder, beside mkdocs.yml, of the site's own page words: <language>.yml, keyed as "
        "the package's en.yml",
        "locale",
    ),
}


def unknown_option(key: object) -> str:
    """What is said of a key that is no option, with the likeliest one meant."""
    likely = near(key, OPTIONS)
    meant = f"did you mean '{likely}'? " if likely else ""
    return f"no such option: {meant}the options are {', '.join(OPTIONS)}."


@dataclass(frozen=True)
class Options:
    """The plugin's options, checked; each default is its option's (``OPTIONS``), and a path
    option not set is ''."""

    versions_dir: str = OPTIONS["versions_dir"].default
    lock_file: str = OPTIONS["lock_file"].default
    notice_days: int = OPTIONS["notice_days"].default
    timezone: str = OPTIONS["timezone"].default
    consent: str = OPTIONS["consent"].default
    published_bundles: str = OPTIONS["published_bundles"].default
    language: str = OPTIONS["language"].default
    languages: Mapping[str, str] = field(default_factory=dict)
    contact: str = OPTIONS["contact"].default
    locale_dir: str = OPTIONS["locale_dir"].default
