"""A ``pattern:`` item of consent.yml (under ``cookies``, ``storage``, ``indexeddb``, ``caches``):
a regular expression the consent script matches in the browser, and the ``label`` the cookie page
shows in its place, in each language, so that a visitor reads words, never pattern syntax."""

from __future__ import annotations

import re
from typing import Any

from policy_site.consent.checker import Checker

__all__ = ["pattern_label"]

#: Pattern syntax Python accepts but JavaScript's RegExp rejects or reads otherwise; the runtime
#: would throw on it (failing closed, but with no banner). An escaped character never counts.
_PYTHON_ONLY = re.compile(r"(?<!\\)(?:\\\\)*(?:\(\?(?![:=!]|<[=!])|\\[AZz]|[*+?}]\+)")


def pattern_label(check: Checker, found: dict[str, Any], key: str) -> dict[str, str]:
    """Checks the pattern of the item ``found`` at ``key`` and returns its label by language;
    an item with an exact name has none."""
    pattern = found.get("pattern")
    if pattern is None:
        if "label" in found:
            check.fail(
                f"{key}.label",
                "an exact name is shown as it is: remove 'label' (only a pattern takes one, the "
                "words the cookie page shows in its place).",
            )
        return {}
    try:
        re.compile(str(pattern))
    except (re.error, OverflowError, RecursionError) as err:  # a{4294967296}, deep nesting
        check.fail(f"{key}.pattern", f"{pattern!r} is not a regular expression ({err}).")
    else:
        if _PYTHON_ONLY.search(str(pattern)):
            check.fail(
                f"{key}.pattern",
                f"{pattern!r} uses syntax that the browser's JavaScript reads differently or "
                "not at all ((?P<name>...), inline flags, \\A, \\Z, possessive "
                "quantifiers): write it with ^, $, groups, classes and quantifiers only.",
            )
    if "label" not in found:
        example = ", ".join(f"{lang}: ..." for lang in check.languages)
        check.fail(
            f"{key}.label",
            "is missing: the cookie page shows a pattern by its label, never as pattern syntax: "
            f"add label: {{{example}}}, saying in words which names it covers (e.g. _ga_ "
            "followed by the site's measurement ID).",
        )
        return {}
    return check.in_languages(found["label"], f"{key}.label")
