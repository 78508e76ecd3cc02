"""What the page templates are given: plain data (strings, numbers, lists and dicts), with every
date already written out and every URL already made. No template calls a method of this package
or uses a filter of its own, so that another engine than Jinja2 (MiniJinja, as Zensical uses)
can render them from the same data.

A date is ``{"iso": "2027-01-01", "long": "1 January 2027"}``: the first for ``<time datetime>``,
the second for the reader, in the page's language. URLs are relative to the site root, as MkDocs'
``url`` filter takes them. ``t`` is the page language's words (policy_site/locale): a text marks
what the template puts in with ``{name}``, which the template fills with ``replace``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from policy_site.consent import Bundle, ConsentConfig
from policy_site.locale import Words
from policy_site.versions import Entry, Policy, Settings
from policy_site.versions.print_css import print_class
from policy_site.versions.redline import Redline
from policy_site.versions.timeline import SUPERSEDED

__all__ = ["consent_view", "day", "page_view", "timeline_view"]

View = dict[str, Any]


def day(words: Words, date: dt.date, language: str) -> dict[str, str]:
    return {"iso": date.isoformat(), "long": words.long_date(date, language)}


def urls(settings: Settings, language: str | None = None) -> dict[str, str]:
    prefix = settings.prefix(language)
    folder = settings.policy_dir
    return {
        "current": settings.current_url(language),
        "archive": settings.archive_url(language),
        "feed": f"{prefix}{folder}/feed.xml",
        "json_feed": f"{prefix}{folder}/feed.json",
        "calendar": f"{folder}/changes.ics",
        "manifest": f"{folder}/versions.json",
    }


def entry_view(entry: Entry, settings: Settings, language: str | None = None) -> View:
    """A published version (or its translation into ``language``) and where it stands: what the
    archive's rows and a version's status line show."""
    version, previous, withdrawal = entry.version, entry.previous, entry.withdrawal
    code = language or settings.language

    def date(value: dt.date) -> dict[str, str]:
        return day(settings.words, value, code)

    def maybe(value: dt.date | None) -> dict[str, str] | None:
        return None if value is None else date(value)

    return {
        "id": entry.id,
        "status": entry.status,
        "url": settings.version_url(entry.id, language),
        "redline_url": settings.redline_url(entry.id, language) if previous is not None else None,
        "effective": date(version.effective),
        "until": maybe(entry.until),
        "first_announced": maybe(entry.first_announced),
        "revised": [date(revised) for revised in entry.revised],
        "change": version.change,
        "summary": version.summary,
        "title": version.title,
        "notified": maybe(version.notified),
        "withdrawn": (
            None
            if withdrawal is None
            else {"date": date(withdrawal.date), "reason": withdrawal.reason}
        ),
        "errata": [
            {"date": date(erratum.date), "text": erratum.text} for erratum in version.errata
        ],
        "previous": (
            None
            if previous is None
            else {
                "id": previous.id,
                "url": settings.version_url(previous.id, language),
                "effective": date(previous.effective),
            }
        ),
        #: Whether this is the text in the page's language; when not, the row or link leads to
        #: the authoritative text, and says so.
        "translated": True,
        "language": version.language or settings.language,
        #: The language of the redline, when it is not the page's (a first translation has no
        #: redline of its own: it links the authoritative one).
        "redline_language": None,
        #: The authoritative text of this version, which a translation links.
        "source_url": settings.version_url(entry.id),
        "print_class": print_class(version),
    }


def timeline_view(policy: Policy, language: str | None = None) -> View:
    """What every page of a build in ``language`` (the authoritative one when None) shares: the
    versions, oldest first, and the one announced. In a translated language each version is its
    translation where it has one, and otherwise the authoritative text, marked as such."""
    settings, timeline = policy.settings, policy.timeline
    code = language or settings.language
    words = settings.words
    translated = policy.translations.get(code)
    entries = []
    for entry in timeline.entries:
        found = translated.entry(entry.id) if translated is not None else None
        if translated is None:
            entries.append(entry_view(entry, settings))
        elif found is not None:
            view = entry_view(found, settings, code)
            if found.previous is None and entry.previous is not None:
                view["redline_url"] = settings.redline_url(entry.id)
                view["redline_language"] = settings.language
            entries.append(view)
        else:  # dates in the page's words, the rest of the authoritative text's
            view = entry_view(entry, settings)
            dated = entry_view(entry, settings, code)
            view.update(
                {key: dated[key] for key in ("effective", "until", "first_announced", "revised")}
            )
            view["translated"] = False
            view["redline_language"] = settings.language if view["redline_url"] else None
            entries.append(view)
    by_id = {entry["id"]: entry for entry in entries}
    upcoming = None
    if timeline.upcoming is not None:
        upcoming = {**by_id[timeline.upcoming.id], "days": timeline.days_to_upcoming}
    source = policy.current
    return {
        "language": code,
        "authoritative": {
            "code": settings.language,
            "name": words.name(settings.language, code),
            "current_url": settings.current_url(),
        },
        "t": words.texts(code),
        "urls": urls(settings, code),
        "entries": entries,
        "by_id": by_id,
        "upcoming": upcoming,
        #: The version in effect when this language has no translation of it: the current page
        #: says so, in this language, and links the authoritative text.
        "untranslated": (
            None
            if translated is None or translated.current is not None
            else {
                "effective": day(words, source.version.effective, code),
                "url": settings.current_url(),
                "this_language": words.name(code, code),
                "earlier": any(found.status == SUPERSEDED for found in translated.entries),
                "upcoming": (
                    None
                    if translated.upcoming is None
                    else {
                        "effective": day(words, translated.upcoming.version.effective, code),
                        "url": settings.version_url(translated.upcoming.id, code),
                    }
                ),
            }
        ),
    }


def page_view(
    shared: View,
    kind: str,
    entry_id: str | None,
    redline: Redline | None = None,
    text_sha256: str | None = None,
    alternates: list[dict[str, Any]] | None = None,
) -> View:
    """A page's ``policy``: ``kind`` is "current" (the policy in effect), "version", "archive",
    "redline", "cookies" or "" (another page of the site). ``alternates`` are the page in each
    language the site has it in (hreflang and the language switch)."""
    entry = shared["by_id"].get(entry_id) if entry_id else None
    return {
        "kind": kind,
        "language": shared["language"],
        "authoritative": shared["authoritative"],
        "t": shared["t"],
        "urls": shared["urls"],
        "entries": shared["entries"],
        "upcoming": shared["upcoming"],
        "entry": entry,
        "untranslated": shared["untranslated"] if kind == "current" and entry is None else None,
        "redline": (
            None
            if redline is None
            else {
                "html": redline.html,
                "sections": [{"anchor": a, "title": t} for a, t in redline.sections],
                "insertions": redline.insertions,
                "deletions": redline.deletions,
            }
        ),
        #: The SHA-256 of this version's rendered text, as versions.json gives it (printed pages).
        "text_sha256": text_sha256,
        "alternates": alternates or [],
    }


def consent_view(
    config: ConsentConfig, bundle: Bundle, settings: Settings, language: str | None
) -> View:
    """The consent parts of every page in ``language``: the stylesheet and script it loads, the
    footer's control and link, and the categories /privacy/cookies/ lists in that language."""
    script = bundle.script(language)
    code = bundle.language(language)
    # The theme's language when the site publishes it, else the authoritative one's words.
    shown = language if language in settings.languages else None
    words = settings.words.texts(shown or settings.language)

    def local(field: Any) -> Any:  # a {language: text} of consent.yml, in the page's language
        return field.get(code) or field.get(bundle.language(None)) or next(iter(field.values()))

    categories = []
    for category in config.categories:
        plain = dataclasses.asdict(category)
        plain["title"] = local(category.title)
        plain["description"] = local(category.description)
        for kind in ("cookies", "storage", "indexeddb", "caches"):
            for item in plain[kind]:
                item["purpose"] = local(item["purpose"])
                item["label"] = local(item["label"]) if item["label"] else None
        categories.append(plain)
    prefix = settings.prefix(language)
    return {
        "cookies_url": f"{prefix}{settings.policy_dir}/cookies/",
        "css": {"path": bundle.css.path, "integrity": bundle.css.integrity},
        "script": {"path": script.path, "integrity": script.integrity},
        "settings_label": config.texts[code]["settings"],
        "cookies_label": words["cookies"]["footer_link"],
        "categories": categories,
    }
