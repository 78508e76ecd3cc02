"""The banner's and the dialog's texts: the package's defaults (runtime/texts.yml), which a site's
consent.yml overrides key by key, in any language it names."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from policy_site.consent.checker import Checker

__all__ = ["TEXT_KEYS", "default_texts", "read_texts"]

#: The consent runtime's texts, default and the site's (package data).
_TEXTS = Path(__file__).resolve().parent / "runtime" / "texts.yml"
#: A language, as ``texts`` keys it: a BCP 47 tag (en, sv, de-CH, zh-Hant).
_LANGUAGE = re.compile(r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
TEXT_KEYS = (
    "banner",
    "policy_link",
    "accept_all",
    "reject_all",
    "manage",
    "dialog_title",
    "save",
    "close",
    "always_on",
    "gpc",
    "blocked",
    "allow",
    "settings",
    "region",
    # The dialog's line with the choice's date and reference, shown when receipts are on.
    "reference",
)


@functools.cache
def default_texts() -> dict[str, dict[str, str]]:
    """The package's banner and dialog texts, by language (runtime/texts.yml)."""
    texts: dict[str, dict[str, str]] = yaml.safe_load(_TEXTS.read_text(encoding="utf-8"))
    return texts


def read_texts(check: Checker, value: Any) -> dict[str, dict[str, str]]:
    """Each language's texts: the site's, over the package's defaults for that language (or for
    its primary language: de for de-CH). Sets the checker's languages."""
    found = check.mapping(value, "texts", tuple(value) if isinstance(value, dict) else ())
    if isinstance(value, dict) and not value:
        check.fail("texts", "name at least one language, e.g. 'en: {}' for the default texts.")
    texts: dict[str, dict[str, str]] = {}
    for lang, own in found.items():
        key = f"texts.{lang}"
        if not isinstance(lang, str) or not _LANGUAGE.match(lang):
            check.fail(key, f"{lang!r} is not a language tag: write e.g. en, sv or de-CH.")
            continue
        given = check.mapping(own or {}, key, TEXT_KEYS)
        defaults = default_texts().get(lang) or default_texts().get(lang.split("-")[0], {})
        merged: dict[str, str] = {}
        for name in TEXT_KEYS:
            if name in given:
                merged[name] = check.text(given[name], f"{key}.{name}")
            elif name in defaults:
                merged[name] = defaults[name]
            else:
                check.fail(
                    f"{key}.{name}",
                    f"is missing, and the package has no '{lang}' text for it: add it "
                    f"(the package has texts for {', '.join(sorted(default_texts()))}).",
                )
        texts[lang] = merged
    check.languages = tuple(texts)
    return texts
