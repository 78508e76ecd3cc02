"""The sections a change notice lists: those of the redline whose change is more than the date.

A new version restates its effective date (``policy-site new-version`` writes it into the text),
and a text may say when it was last updated: a section whose only change is that date changes
nothing a reader is told of. A section is left out when, once the old version's own dates (its
effective date and the day it was announced) are taken out of the old text and the new version's
out of the new, its two texts are the same. A date is found as the text writes it: as the page
words write a date (``date`` and ``date_first`` in ``policy_site/locale/<lang>.yml``), in ISO
form, and in every form the rules read in the text's language ("June 1, 2027", "1st June 2027").
Any other date, and a version's date stated in the other version's text, is a change like any
other.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Iterable

import lxml.html

from policy_site.locale import Words, say
from policy_site.versions import PolicyVersion
from policy_site.versions.anchors import heading_anchors
from policy_site.versions.redline import make_redline
from policy_site.versions.rules import WORDINGS, stated

__all__ = ["changed_sections", "version_days"]

#: What stands for a version's date in both texts compared.
_DATE = "\u2063date\u2063"


def version_days(version: PolicyVersion) -> tuple[dt.date, ...]:
    """The dates a version's text may state of itself: its effective date, the day announced."""
    return tuple(day for day in (version.effective, version.announced) if day is not None)


def _written(day: dt.date, language: str, words: Words) -> set[str]:
    """``day`` as the page words write it in ``language``, either pattern, and in ISO form."""
    said = words.texts(language)
    month = said["months"][day.month - 1]
    forms = {
        say(said[key], day=day.day, month=month, year=day.year) for key in ("date", "date_first")
    }
    return forms | {day.isoformat()}


def _undater(days: Iterable[dt.date], language: str, words: Words) -> re.Pattern[str]:
    forms = sorted({form for day in days for form in _written(day, language, words)}, key=len)
    spaced = (r"\s+".join(map(re.escape, form.split())) for form in reversed(forms))
    return re.compile("|".join(rf"(?<!\w)(?:{form})(?!\w)" for form in spaced), re.IGNORECASE)


def _undated(html: str, days: tuple[dt.date, ...], language: str, words: Words) -> str:
    """``html`` with each of ``days`` in its text (never in its markup) written as _DATE."""
    written, wording = _undater(days, language, words), WORDINGS.get(language)

    def undate(text: str | None) -> str | None:
        if not text:
            return text
        if wording is not None:
            text = wording.any_date.sub(
                lambda m: _DATE if stated(0, m, 0, wording).day in days else m.group(0), text
            )
        return written.sub(_DATE, text)

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if isinstance(element.tag, str):  # not a comment
            element.text = undate(element.text)
        element.tail = undate(element.tail)
    inner = html_lib.escape(root.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def changed_sections(
    old: tuple[str, tuple[dt.date, ...]],
    new: tuple[str, tuple[dt.date, ...]],
    language: str,
    words: Words,
) -> tuple[tuple[str, str], ...]:
    """(anchor, heading) of each section of ``new`` that holds a change other than of the
    versions' dates: ``old`` and ``new`` are each a version's rendered HTML and its dates
    (``version_days``), both written in ``language``."""
    before, after = (_undated(html, days, language, words) for html, days in (old, new))
    titles = heading_anchors(new[0])  # a heading as written, its date in it
    return tuple(
        (anchor, titles.get(anchor, title))
        for anchor, title in make_redline(before, after).sections
    )
