"""The keys that make a version file a translation (``YYYY-MM-DD.<language>.md``): its
``language`` and the version it ``translates``, both as its name says; an ``effective`` that is
that version's, if given at all; and none of the keys it takes from that version. The
translations themselves, once read, are versions/translations.py's."""

from __future__ import annotations

import datetime as dt

from policy_site.versions.frontmatter import Reader

__all__ = ["INHERITED_KEYS", "translation_effective", "translation_keys"]

#: What a translation takes from the version it translates, and may not say itself.
INHERITED_KEYS = ("change", "withdrawn", "notified")


def translation_keys(reader: Reader, day: str, language: str) -> str:
    """Checks what makes a file a translation: its ``language`` and the version it
    ``translates``, both as its name says; and that it leaves the inherited keys alone."""
    meta = reader.meta
    given = meta.get("language")
    if given is None:
        reader.fail(
            None, f"key 'language' is missing: add 'language: {language}' (the file name's)."
        )
    elif given != language:
        reader.fail(
            "language",
            f"is {given!r} but the file name says {language}: rename the file or correct "
            "'language' so that they agree.",
        )
    if "translates" not in meta:
        reader.fail(
            None,
            f"key 'translates' is missing: add 'translates: {day}', the effective date of the "
            "version this text translates.",
        )
    else:
        source = reader.date("translates", meta["translates"], reader.nodes.get("translates/value"))
        if source is not None and source.isoformat() != day:
            reader.fail(
                "translates",
                f"is {source.isoformat()} but the file name says {day}: a translation is named "
                f"after the version it translates ({source.isoformat()}.{language}.md).",
            )
    for key in INHERITED_KEYS:
        if key in meta:
            reader.fail(
                key,
                f"a translation takes '{key}' from the version it translates ({day}.md): "
                "delete it here.",
            )
    return language


def translation_effective(reader: Reader, day: str) -> dt.date | None:
    """A translation applies when the version it translates does: 'effective' may be left out,
    and when given is that version's."""
    if "effective" in reader.meta:
        effective = reader.date(
            "effective", reader.meta["effective"], reader.nodes.get("effective/value")
        )
        if effective is not None and effective.isoformat() != day:
            reader.fail(
                "effective",
                f"is {effective.isoformat()}, but this translates the version effective {day}, "
                "and a translation applies when its version does: delete 'effective'.",
            )
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        reader.fail(None, f"the file name's {day} is not a date: name it YYYY-MM-DD.<language>.md.")
        return None
