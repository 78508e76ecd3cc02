"""The sections a change notice lists (issue 23, point 5): a section whose only change is the
version's own date, as the text writes it in its language, is not one of them."""

from __future__ import annotations

import datetime as dt

import pytest

from policy_site.locale import Words
from policy_site.notice.sections import changed_sections

OLD_DAYS = (dt.date(2027, 1, 1), dt.date(2026, 11, 29))  # effective, announced
NEW_DAYS = (dt.date(2027, 6, 1), dt.date(2027, 3, 1))
WORDS = Words.package()


def page(cookies: str, dated: str, heading: str = "Effective Date") -> str:
    return (
        "<h1 id='policy'>Policy</h1><h2 id='cookies'>Cookies</h2>"
        f"<p>{cookies}</p><h2 id='dated'>{heading}</h2><p>{dated}</p>"
    )


def sections(old: str, new: str, language: str = "en") -> list[str]:
    found = changed_sections((old, OLD_DAYS), (new, NEW_DAYS), language, WORDS)
    return [title for _, title in found]


@pytest.mark.parametrize(
    ("language", "old", "new"),
    [
        ("en", "effective as of <em>January 1, 2027</em>.",
         "effective as of <em>June 1, 2027</em>."),
        ("en", "effective as of January 1st, 2027.", "effective as of June 1st, 2027."),
        ("en", "Effective 1 January 2027.", "Effective 1 June 2027."),  # the page words' form
        ("en", "Effective 2027-01-01.", "Effective 2027-06-01."),
        ("en", "Last updated 29 November 2026.", "Last updated 1 March 2027."),  # announced
        ("sv", "Gäller från och med <em>1 januari 2027</em>.",
         "Gäller från och med <em>1 juni 2027</em>."),
        ("de", "Gültig ab dem 1. Januar 2027.", "Gültig ab dem 1. Juni 2027."),  # the page words'
        ("fr", "En vigueur le 1er janvier 2027.", "En vigueur le 1er juin 2027."),
    ],
    ids=["en-md", "en-ordinal", "en-words", "iso", "announced", "sv", "de", "fr"],
)  # fmt: skip
def test_a_section_whose_only_change_is_the_date_is_left_out(
    language: str, old: str, new: str
) -> None:
    assert sections(page("We use cookies.", old), page("We use no cookies.", new), language) == [
        "Cookies"
    ]
    assert sections(page("Same.", old), page("Same.", new), language) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The date and a word: a change a reader is told of.
        ("effective as of January 1, 2027.", "effective only as of June 1, 2027."),
        # A date that is not the version's.
        ("We keep data until 1 January 2030.", "We keep data until 1 June 2031."),
        # The new version's date where the old text has another that is not the old version's.
        ("Effective 1 December 2026.", "Effective 1 June 2027."),
    ],
    ids=["date-and-words", "other-date", "not-the-old-versions-date"],
)
def test_a_section_with_any_other_change_is_listed(old: str, new: str) -> None:
    assert sections(page("Same.", old), page("Same.", new)) == ["Effective Date"]


def test_a_heading_that_states_the_date_keeps_its_own_words() -> None:
    old = page("Same.", "Words.", heading="Changes of 1 January 2027")
    new = page("Same.", "Other words.", heading="Changes of 1 June 2027")
    assert sections(old, new) == ["Changes of 1 June 2027"]
