"""Translations: a version's text in another language, in a file of its own beside it
(``2027-01-01.sv.md``). A translation is informative: the authoritative text prevails, and the
translation says so. It applies when the version it translates does, takes that version's change
class, withdrawal and notice, and is never shown as current once that version is superseded.

Pure logic: ``check_translations`` finds what is wrong, ``bind_translations`` gives each
translation what it inherits, and ``translations_timeline`` places a language's translations on
the authoritative timeline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from policy_site.versions.model import PolicyVersion, Problem
from policy_site.versions.rules import check_stated_date, errata_dates
from policy_site.versions.timeline import WITHDRAWN, Entry, Timeline, is_published

__all__ = ["bind_translations", "check_translations", "translations_timeline"]


def check_translations(
    versions: Sequence[PolicyVersion],
    translations: Sequence[PolicyVersion],
    authoritative: str,
    languages: Mapping[str, str],
) -> list[Problem]:
    """What is wrong with each translation as written: a language the site does not publish, a
    version it does not know, a summary missing where its version has one, and the checks of
    dates a version gets (announced, errata, the effective date its text states)."""
    problems: list[Problem] = []
    by_id = {version.id: version for version in versions}
    named = ", ".join(languages) or authoritative
    for translation in translations:
        language = translation.language
        assert language is not None, "read_translations reads translations only"

        fail = _reporter(translation, problems)
        if language == authoritative:
            fail(
                "language",
                f"is {language}, the language of the authoritative text (plugins.policy-site."
                f"language in mkdocs.yml): that text is {translation.id}.md itself. Delete this "
                "file, or correct 'language' and the file name.",
            )
            continue
        if language not in languages:
            fail(
                "language",
                f"is {language!r}, which is not one of plugins.policy-site.languages in "
                f"mkdocs.yml ({named}): add '{language}: <the language's name in itself>' there, "
                "or correct 'language' and the file name.",
            )
        source = by_id.get(translation.id)
        if source is None:
            fail(
                "translates",
                f"{translation.id} names no version beside it: a translation is published only "
                f"beside the text it translates. Add {translation.id}.md, or correct "
                "'translates' and the file name.",
            )
            continue
        if source.summary is not None and translation.summary is None:
            fail(
                None,
                f"key 'summary' is missing: version {source.id} has one; translate it "
                "(and say that this is a new translation, if it is the first in the language).",
            )
        bound = _bound(translation, source)
        if bound.announced is not None and bound.announced > bound.effective:
            fail(
                "announced",
                f"{bound.announced} is after the effective date {bound.id}: a translation is "
                "published by the day its version takes effect, or it has no notice period.",
            )
        problems += errata_dates(bound)
        problems += check_stated_date(bound, language)
    return problems


def _reporter(
    translation: PolicyVersion, problems: list[Problem]
) -> Callable[[str | None, str], None]:
    def fail(key: str | None, message: str) -> None:
        line = translation.line(key) if key else 1
        problems.append(Problem(translation.path, line, key, message))

    return fail


def _bound(translation: PolicyVersion, source: PolicyVersion) -> PolicyVersion:
    return dataclasses.replace(
        translation,
        change=source.change,
        withdrawn=source.withdrawn,
        notified=source.notified,
        # Published with its version unless the editor says it came later.
        announced=translation.announced or source.announced,
    )


def bind_translations(
    versions: Sequence[PolicyVersion], translations: Sequence[PolicyVersion]
) -> list[PolicyVersion]:
    """Each translation of a known version, with what it takes from it (change class,
    withdrawal, notice and, unless it says otherwise, the day it was announced)."""
    by_id = {version.id: version for version in versions}
    return [
        _bound(translation, by_id[translation.id])
        for translation in translations
        if translation.id in by_id
    ]


def translations_timeline(
    timeline: Timeline,
    translations: Sequence[PolicyVersion],
    language: str,
    announcements: Mapping[str, tuple[dt.date, ...]] | None = None,
) -> Timeline:
    """``language``'s translations on the authoritative ``timeline``: a translation is published
    when its version is and it is itself (a translation announced for a later day is a draft),
    and stands where its version stands."""
    mine = {t.id: t for t in translations if t.language == language}
    entries: list[Entry] = []
    by_source: dict[str, Entry] = {}
    for source in timeline.entries:
        translation = mine.get(source.id)
        if translation is None or not is_published(translation, timeline.today):
            continue
        previous = source.previous and by_source.get(source.previous.id)
        days = (announcements or {}).get(translation.key, ())
        entry = Entry(
            translation,
            source.status,
            source.until,
            previous.version if previous else None,
            days,
        )
        entries.append(entry)
        if source.status != WITHDRAWN:
            by_source[source.id] = entry
    by_id = {entry.id: entry for entry in entries}
    current = timeline.current and by_id.get(timeline.current.id)
    upcoming = timeline.upcoming and by_id.get(timeline.upcoming.id)
    return Timeline(timeline.today, tuple(entries), current or None, upcoming or None, language)
