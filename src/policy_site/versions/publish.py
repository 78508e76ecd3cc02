"""Outputs beside the pages: the feeds of versions (Atom, JSON Feed 1.1), the calendar of the
days versions take effect (iCalendar), the ``versions.json`` manifest, and the print stylesheet
that puts each version's date and address on every printed page."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import icalendar

from policy_site.locale import long_date, say, texts
from policy_site.versions.anchors import Anchors
from policy_site.versions.lock import body_sha256
from policy_site.versions.model import PolicyVersion, xml_illegal
from policy_site.versions.policy import Policy
from policy_site.versions.redline import rendered_text_sha256
from policy_site.versions.timeline import UPCOMING, WITHDRAWN, Entry

__all__ = [
    "PRINT_STYLESHEET",
    "atom_feed",
    "calendar",
    "feed_url",
    "json_feed",
    "manifest",
    "print_class",
    "print_stylesheet",
]

_ATOM = "http://www.w3.org/2005/Atom"


def _published(entry: Entry) -> dt.date:
    """An entry appears on its first announcement (its effective date if it had none)."""
    return entry.first_announced or entry.version.effective


def _updated(entry: Entry) -> dt.date:
    """Its last change: a withdrawal, or the announcement of a revised text."""
    if entry.withdrawal is not None:
        return entry.withdrawal.date
    return entry.revised[-1] if entry.revised else _published(entry)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _feed_title(entry: Entry, language: str) -> str:
    version = entry.version
    words = texts(language)["feed"]
    effective = long_date(version.effective, language)
    if entry.withdrawal is not None:
        withdrawn = long_date(entry.withdrawal.date, language)
        return say(words["withdrawn"], title=version.title, withdrawn=withdrawn)
    state = words["takes_effect"] if entry.status == UPCOMING else words["effective"]
    revised = ""
    if entry.revised:
        revised = say(words["revised"], revised=long_date(entry.revised[-1], language))
    return say(state, title=version.title, effective=effective) + revised


def _entries(policy: Policy, language: str | None) -> tuple[Entry, ...]:
    """The published versions in ``language``: the translations there are, or the versions."""
    if language is None or language == policy.settings.language:
        return policy.timeline.entries
    return policy.translations[language].entries


@dataclass(frozen=True)
class _Item:
    """One published version as every feed gives it."""

    entry: Entry
    url: str
    redline_url: str | None
    title: str
    summary: str


def _items(policy: Policy, site_url: str, language: str | None = None) -> list[_Item]:
    """The feeds' entries in ``language``, newest first (by first announcement)."""
    settings = policy.settings
    code = language or settings.language
    words = texts(code)
    items = []
    for entry in sorted(_entries(policy, language), key=_published, reverse=True):
        version = entry.version
        summary = version.summary or words["archive"]["first_published"]
        if entry.withdrawal is not None:
            summary = say(
                words["feed"]["was_to_say"], reason=entry.withdrawal.reason, summary=summary
            )
        redline = site_url + settings.redline_url(version.id, code) if entry.previous else None
        page = site_url + settings.version_url(version.id, code)
        items.append(_Item(entry, page, redline, _feed_title(entry, code), summary))
    return items


def _feed_name(site_name: str, language: str) -> str:
    code = xml_illegal(site_name)
    if code is not None:  # front matter is checked on reading; the site name only here
        raise ValueError(
            f"mkdocs.yml: 'site_name' holds {code}, which the feed (XML) cannot carry: delete it."
        )
    return say(texts(language)["feed"]["title"], site=site_name)


def feed_url(policy: Policy, site_url: str, name: str, language: str | None = None) -> str:
    """Where a feed of ``language`` is published: ``privacy/feed.xml``, ``sv/privacy/...``."""
    return f"{site_url}{policy.settings.prefix(language)}{policy.settings.policy_dir}/{name}"


def atom_feed(policy: Policy, site_url: str, site_name: str, language: str | None = None) -> bytes:
    """One entry per published version (or translation into ``language``), newest first, each
    linking its page and its redline."""
    settings = policy.settings
    code = language or settings.language
    title = _feed_name(site_name, code)
    ET.register_namespace("", _ATOM)
    feed = ET.Element(f"{{{_ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> None:
        element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attributes)
        element.text = text

    items = _items(policy, site_url, code)
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", code)
    sub(feed, "id", site_url + settings.current_url(code))
    sub(feed, "title", title)
    newest = max((_updated(item.entry) for item in items), default=policy.timeline.today)
    sub(feed, "updated", _stamp(newest))
    sub(feed, "link", rel="self", href=feed_url(policy, site_url, "feed.xml", code))
    sub(feed, "link", rel="alternate", type="text/html", href=site_url + settings.current_url(code))
    author = ET.SubElement(feed, f"{{{_ATOM}}}author")
    sub(author, "name", site_name)
    for item in items:
        entry = item.entry
        element = ET.SubElement(feed, f"{{{_ATOM}}}entry")
        sub(element, "id", item.url)
        sub(element, "title", item.title)
        sub(element, "published", _stamp(_published(entry)))
        sub(element, "updated", _stamp(_updated(entry)))
        sub(element, "link", rel="alternate", type="text/html", href=item.url)
        if item.redline_url is not None:
            sub(element, "link", rel="related", type="text/html",
                title=texts(code)["feed"]["what_changed"], href=item.redline_url)  # fmt: skip
        if entry.version.change:
            sub(element, "category", term=entry.version.change)
        sub(element, "summary", item.summary)
    ET.indent(feed)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def json_feed(policy: Policy, site_url: str, site_name: str, language: str | None = None) -> bytes:
    """The Atom feed's entries as a JSON Feed 1.1 (jsonfeed.org/version/1.1), for the readers and
    scripts that take JSON. Each item's ``_policy`` (an extension, as the format allows) gives the
    version's dates, status and redline."""
    settings = policy.settings
    code = language or settings.language
    items = []
    for item in _items(policy, site_url, code):
        entry = item.entry
        items.append(
            {
                "id": item.url,
                "url": item.url,
                "title": item.title,
                "content_text": item.summary,
                "summary": item.summary,
                "date_published": _stamp(_published(entry)),
                "date_modified": _stamp(_updated(entry)),
                "tags": [entry.version.change] if entry.version.change else [],
                "_policy": {
                    "effective": entry.id,
                    "status": entry.status,
                    "redline_url": item.redline_url,
                },
            }
        )
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _feed_name(site_name, code),
        "home_page_url": site_url + settings.current_url(code),
        "feed_url": feed_url(policy, site_url, "feed.json", code),
        "language": code,
        "authors": [{"name": site_name}],
        "items": items,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def calendar(policy: Policy, site_url: str, site_name: str) -> bytes:
    """An iCalendar file (RFC 5545) with the day each version takes effect, or took effect, as
    an all-day event, for a privacy team's calendar. A withdrawn version's event is cancelled,
    so that a subscribed calendar drops it; each event's UID is the version's, so that an
    announcement revised keeps its event."""
    host = urlsplit(site_url).netloc or "policy-site"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//policy-site//privacy policy versions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{site_name} privacy policy: changes")
    for item in _items(policy, site_url)[::-1]:
        entry = item.entry
        version = entry.version
        event = icalendar.Event()
        event.add("uid", f"privacy-policy-{version.id}@{host}")
        # The last change of what the event says, not the build's clock: reproducible.
        event.add("dtstamp", dt.datetime.combine(_updated(entry), dt.time(), dt.UTC))
        event.add("sequence", len(entry.revised) + (entry.status == WITHDRAWN))
        event.add("dtstart", version.effective)
        event.add("dtend", version.effective + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add("summary", f"{site_name} privacy policy: {version.title} takes effect")
        event.add("status", "CANCELLED" if entry.status == WITHDRAWN else "CONFIRMED")
        what_changed = f"\nWhat changes: {item.redline_url}" if item.redline_url else ""
        event.add("description", f"{item.summary}\n{item.url}{what_changed}")
        event.add("url", item.url)
        cal.add_component(event)
    return bytes(cal.to_ical())


def _translations(
    policy: Policy,
    entry: Entry,
    site_url: str,
    rendered: Mapping[str, str],
    anchors: Mapping[str, Mapping[str, Anchors]],
) -> list[dict[str, Any]]:
    """The version's published translations: where each is, and the hashes that bind it to the
    text it translates."""
    found = []
    for code, translations in policy.translations.items():
        translated = translations.entry(entry.id)
        if translated is None:
            continue
        version = translated.version
        settings = policy.settings
        found.append(
            {
                "language": code,
                "title": version.title,
                "summary": version.summary,
                "announced": (
                    translated.first_announced.isoformat() if translated.first_announced else None
                ),
                "url": site_url + settings.version_url(version.id, code),
                "redline_url": (
                    site_url + settings.redline_url(version.id, code)
                    if translated.previous
                    else None
                ),
                "errata": [{"date": e.date.isoformat(), "text": e.text} for e in version.errata],
                "sha256": {
                    "markdown": body_sha256(version.body),
                    "text": rendered_text_sha256(rendered[version.key]),
                    "translates_markdown": body_sha256(entry.version.body),
                },
                "anchors": _anchors(anchors.get(code, {}).get(version.id)),
            }
        )
    return found


def _current_in(policy: Policy, language: str) -> str | None:
    if language == policy.settings.language:
        return policy.timeline.current.id
    current = policy.translations[language].current
    return current.id if current is not None else None


def manifest(
    policy: Policy,
    site_url: str,
    rendered: Mapping[str, str],
    anchors: Mapping[str, Mapping[str, Anchors]] | None = None,
    consent_releases: str | None = None,
) -> str:
    """Every published version with its dates, class, summary, URLs, content hashes, section
    anchors and translations; and, for a site with a consent bundle, the URL of its releases
    (consent/releases.py).

    ``rendered`` maps a version's key (its id, or ``id.language`` for a translation) to its
    rendered HTML (what the ``text`` hash covers), and ``anchors`` a language and a version id to
    its anchors (see anchors.check_anchors).
    """
    settings = policy.settings
    timeline = policy.timeline
    anchors = anchors or {}
    by_language = anchors.get(settings.language, {})
    versions: list[dict[str, Any]] = []
    for entry in timeline.entries:
        version = entry.version
        versions.append(
            {
                "id": version.id,
                "title": version.title,
                "effective": version.id,
                "announced": entry.first_announced.isoformat() if entry.first_announced else None,
                "revised": [day.isoformat() for day in entry.revised],
                "withdrawn": {
                    "date": entry.withdrawal.date.isoformat(),
                    "reason": entry.withdrawal.reason,
                }
                if entry.withdrawal
                else None,
                "change": version.change,
                "summary": version.summary,
                "status": entry.status,
                "in_effect_until": entry.until.isoformat() if entry.until else None,
                "url": site_url + settings.version_url(version.id),
                "redline_url": site_url + settings.redline_url(version.id)
                if entry.previous
                else None,
                "errata": [{"date": e.date.isoformat(), "text": e.text} for e in version.errata],
                "sha256": {
                    "markdown": body_sha256(version.body),
                    "text": rendered_text_sha256(rendered[version.id]),
                },
                "anchors": _anchors(by_language.get(version.id)),
                "translations": _translations(policy, entry, site_url, rendered, anchors),
            }
        )
    document = {
        "as_of": timeline.today.isoformat(),
        "current": timeline.current.id,
        "upcoming": timeline.upcoming.id if timeline.upcoming else None,
        "url": site_url + settings.current_url(),
        #: The language of the versions' own text, which prevails over any translation.
        "authoritative_language": settings.language,
        "languages": [
            {
                "language": code,
                "name": name,
                "url": site_url + settings.current_url(code),
                #: The version in effect, when this language has its text (never an older one).
                "current": _current_in(policy, code),
            }
            for code, name in settings.languages.items()
        ],
        "versions": versions,
    }
    if consent_releases is not None:
        document["consent_releases"] = consent_releases
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _anchors(anchors: Anchors | None) -> dict[str, Any] | None:
    """The section links a version answers: its headings', and the old ones it maps."""
    if anchors is None:
        return None
    removed = {old: gone.version_id for old, gone in anchors.removed.items()}
    return {"headings": list(anchors.headings), "moved": anchors.aliases, "removed": removed}


#: Where the build writes the print stylesheet, in the site.
PRINT_STYLESHEET = "assets/stylesheets/policy-print.css"


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def print_class(version: PolicyVersion) -> str:
    """The class a printed page's status line carries: ``policy-print--2027-01-01`` (``-sv``)."""
    return "policy-print--" + version.key.replace(".", "-")


def print_stylesheet(policy: Policy, site_url: str) -> str:
    """A named ``@page`` per published version and translation whose bottom-left margin box
    gives its effective date and permanent URL, chosen by the class its status line carries
    (``print_class``). Margin boxes take only CSS text (Chromium has no ``attr()`` or
    ``string()`` there), hence a rule per version, written by the build so that no version is
    ever without one."""
    settings = policy.settings
    rules = [
        '@charset "utf-8";',
        "/* Generated by the build from the policy versions: do not edit. */",
    ]
    languages = {settings.language: policy.timeline.entries}
    languages |= {code: found.entries for code, found in policy.translations.items()}
    for code, entries in languages.items():
        words = texts(code)["print"]
        for entry in entries:
            version = entry.version
            if entry.withdrawal is not None:
                state = say(words["withdrawn"], withdrawn=long_date(entry.withdrawal.date, code))
            else:
                state = say(words["effective"], effective=long_date(version.effective, code))
            footer = f"{state} \u00b7 {site_url}{settings.version_url(version.id, code)}"
            name = print_class(version).removeprefix("policy-print--")
            rules += [
                f"@page policy-{name} {{",
                f"  @bottom-left {{ content: {_css_string(footer)}; font-size: 8pt; }}",
                "}",
                f"body:has(.{print_class(version)}) {{ page: policy-{name}; }}",
            ]
    return "\n".join(rules) + "\n"
