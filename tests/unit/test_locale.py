"""The policy pages' words in each language (policy_site/locale): the same keys as English, the same
{names} in each text (a template fills only those it knows), and no character that HTML reads as
markup (the templates put a text in as it is, around the dates and links they fill in)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from policy_site.locale import available, long_date, texts

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
    assert sorted(other) == sorted(english)
    for key, text in english.items():
        if isinstance(text, str):
            assert set(_NAME.findall(other[key])) == set(_NAME.findall(text)), key
    assert len(texts(language)["months"]) == 12


@pytest.mark.parametrize("language", available())
def test_no_text_holds_markup(language: str) -> None:
    for key, text in flat(texts(language)).items():
        for word in text if isinstance(text, list) else [text]:
            assert not re.search(r"[<>&\"]", str(word)), f"{language}.yml {key}: {word}"


def test_dates_are_written_in_the_language() -> None:
    assert long_date(dt.date(2027, 1, 1), "sv") == "1 januari 2027"
    assert long_date(dt.date(2007, 10, 1)) == "1 October 2007"
    assert long_date(dt.date(2007, 10, 1), "de") == "1. Oktober 2007"
    assert long_date(dt.date(2027, 8, 15), "fr") == "15 août 2027"
    assert long_date(dt.date(2027, 8, 15), "es") == "15 de agosto de 2027"
    assert long_date(dt.date(2027, 8, 15), "it") == "15 agosto 2027"
    assert long_date(dt.date(2007, 10, 1), "xx") == "1 October 2007"  # no words: English
