"""The feeds of versions: Atom and JSON Feed 1.1, one per language, newest first, each entry
linking a version's page and its redline."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from policy_site.locale import Words, say
from policy_site.versions.model import xml_illegal
from policy_site.versions.policy import Policy
from policy_site.versions.timeline import UPCOMING, Entry

__all__ = ["FeedItem", "atom_feed", "feed_items", "feed_url", "json_feed", "updated"]

_ATOM = "http://www.w3.org/2005/Atom"


def _published(entry: Entry) -> dt.date:
    """An entry appears on its first announcement (its effective date if it had none)."""
    return entry.first_announced or entry.version.effective


def updated(entry: Entry) -> dt.date:
    """Its last change: a withdrawal, or the announcement of a revised text."""
    if entry.withdrawal is not None:
        return entry.withdrawal.date
    return entry.revised[-1] if entry.revised else _published(entry)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _feed_title(entry: Entry, all_words: Words, language: str) -> str:
    version = entry.version
    words = all_words.texts(language)["feed"]

    def long(day: dt.date) -> str:
        return all_words.long_date(day, language)

    if entry.withdrawal is not None:
        return say(words["withdrawn"], title=version.title, withdrawn=long(entry.withdrawal.date))
    state = words["takes_effect"] if entry.status == UPCOMING else words["effective"]
    revised = say(words["revised"], revised=long(entry.revised[-1])) if entry.revised else ""
    return say(state, title=version.title, effective=long(version.effective)) + revised


@dataclass(frozen=True)
class FeedItem:
    """One published version as every feed gives it."""

    entry: Entry
    url: str
    redline_url: str | None
    title: str
    summary: str


def feed_items(policy: Policy, site_url: str, language: str | None = None) -> list[FeedItem]:
    """The feeds' entries in ``language``, newest first (by first announcement)."""
    settings = policy.settings
    code = language or settings.language
    words = settings.words.texts(code)
    items = []
    for entry in sorted(policy.timeline_in(language).entries, key=_published, reverse=True):
        version = entry.version
        summary = version.summary or words["archive"]["first_published"]
        if entry.withdrawal is not None:
            summary = say(
                words["feed"]["was_to_say"], reason=entry.withdrawal.reason, summary=summary
            )
        redline = site_url + settings.redline_url(version.id, code) if entry.previous else None
        page = site_url + settings.version_url(version.id, code)
        title = _feed_title(entry, settings.words, code)
        items.append(FeedItem(entry, page, redline, title, summary))
    return items


def _feed_name(policy: Policy, site_name: str, language: str) -> str:
    code = xml_illegal(site_name)
    if code is not None:  # front matter is checked on reading; the site name only here
        raise ValueError(
            f"mkdocs.yml: 'site_name' holds {code}, which the feed (XML) cannot carry: delete it."
        )
    return say(policy.settings.words.texts(language)["feed"]["title"], site=site_name)


def feed_url(policy: Policy, site_url: str, name: str, language: str | None = None) -> str:
    """Where a feed of ``language`` is published: ``privacy/feed.xml``, ``sv/privacy/...``."""
    return f"{site_url}{policy.settings.prefix(language)}{policy.settings.policy_dir}/{name}"


def atom_feed(policy: Policy, site_url: str, site_name: str, language: str | None = None) -> bytes:
    """One entry per published version (or translation into ``language``), newest first, each
    linking its page and its redline."""
    settings = policy.settings
    code = language or settings.language
    title = _feed_name(policy, site_name, code)
    words = settings.words.texts(code)
    ET.register_namespace("", _ATOM)
    feed = ET.Element(f"{{{_ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> None:
        element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attributes)
        element.text = text

    items = feed_items(policy, site_url, code)
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", code)
    sub(feed, "id", site_url + settings.current_url(code))
    sub(feed, "title", title)
    newest = max((updated(item.entry) for item in items), default=policy.timeline.today)
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
        sub(element, "updated", _stamp(updated(entry)))
        sub(element, "link", rel="alternate", type="text/html", href=item.url)
        if item.redline_url is not None:
            sub(element, "link", rel="related", type="text/html",
                title=words["feed"]["what_changed"], href=item.redline_url)  # fmt: skip
        change = entry.version.change
        if change:  # the class as versions.json has it; its label in the feed's language
            sub(element, "category", term=change, label=words["changes"][change])
        sub(element, "summary", item.summary)
    ET.indent(feed)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def json_feed(policy: Policy, site_url: str, site_name: str, language: str | None = None) -> bytes:
    """The Atom feed's entries as a JSON Feed 1.1 (jsonfeed.org/version/1.1), for the readers and
    scripts that take JSON. Each item's ``_policy`` (an extension, as the format allows) gives the
    version's dates, status, change class and redline; its ``tags``, the class in the feed's
    language."""
    settings = policy.settings
    code = language or settings.language
    changes = settings.words.texts(code)["changes"]
    items = []
    for item in feed_items(policy, site_url, code):
        entry = item.entry
        items.append(
            {
                "id": item.url,
                "url": item.url,
                "title": item.title,
                "content_text": item.summary,
                "summary": item.summary,
                "date_published": _stamp(_published(entry)),
                "date_modified": _stamp(updated(entry)),
                "tags": [changes[entry.version.change]] if entry.version.change else [],
                "_policy": {
                    "effective": entry.id,
                    "status": entry.status,
                    "change": entry.version.change,
                    "redline_url": item.redline_url,
                },
            }
        )
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _feed_name(policy, site_name, code),
        "home_page_url": site_url + settings.current_url(code),
        "feed_url": feed_url(policy, site_url, "feed.json", code),
        "language": code,
        "authors": [{"name": site_name}],
        "items": items,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
