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

from policy_site.dates import long_date
from policy_site.versions.anchors import Anchors
from policy_site.versions.lock import body_sha256
from policy_site.versions.model import xml_illegal
from policy_site.versions.policy import Policy
from policy_site.versions.redline import rendered_text_sha256
from policy_site.versions.timeline import UPCOMING, WITHDRAWN, Entry

__all__ = [
    "PRINT_STYLESHEET",
    "atom_feed",
    "calendar",
    "json_feed",
    "manifest",
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


def _feed_title(entry: Entry) -> str:
    version = entry.version
    effective = long_date(version.effective)
    if entry.withdrawal is not None:
        return f"{version.title}: withdrawn on {long_date(entry.withdrawal.date)}, never in effect"
    state = "takes effect" if entry.status == UPCOMING else "effective"
    revised = f" (revised on {long_date(entry.revised[-1])})" if entry.revised else ""
    return f"{version.title}: {state} {effective}{revised}"


@dataclass(frozen=True)
class _Item:
    """One published version as every feed gives it."""

    entry: Entry
    url: str
    redline_url: str | None
    title: str
    summary: str


def _items(policy: Policy, site_url: str) -> list[_Item]:
    """The feeds' entries, newest first (by first announcement)."""
    settings = policy.settings
    items = []
    for entry in sorted(policy.timeline.entries, key=_published, reverse=True):
        version = entry.version
        summary = version.summary or "The policy as first published."
        if entry.withdrawal is not None:
            summary = f"Withdrawn: {entry.withdrawal.reason} (It was to say: {summary})"
        redline = site_url + settings.redline_url(version.id) if entry.previous else None
        page = site_url + settings.version_url(version.id)
        items.append(_Item(entry, page, redline, _feed_title(entry), summary))
    return items


def _feed_name(site_name: str) -> str:
    code = xml_illegal(site_name)
    if code is not None:  # front matter is checked on reading; the site name only here
        raise ValueError(
            f"mkdocs.yml: 'site_name' holds {code}, which the feed (XML) cannot carry: delete it."
        )
    return f"{site_name} privacy policy: versions"


def atom_feed(policy: Policy, site_url: str, site_name: str) -> bytes:
    """One entry per published version, newest first, each linking its page and its redline."""
    settings = policy.settings
    title = _feed_name(site_name)
    ET.register_namespace("", _ATOM)
    feed = ET.Element(f"{{{_ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> None:
        element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attributes)
        element.text = text

    items = _items(policy, site_url)
    sub(feed, "id", site_url + settings.current_url())
    sub(feed, "title", title)
    sub(feed, "updated", _stamp(max(_updated(item.entry) for item in items)))
    sub(feed, "link", rel="self", href=f"{site_url}{settings.policy_dir}/feed.xml")
    sub(feed, "link", rel="alternate", type="text/html", href=site_url + settings.current_url())
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
            sub(element, "link", rel="related", type="text/html", title="What changed",
                href=item.redline_url)  # fmt: skip
        if entry.version.change:
            sub(element, "category", term=entry.version.change)
        sub(element, "summary", item.summary)
    ET.indent(feed)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def json_feed(policy: Policy, site_url: str, site_name: str, language: str = "en") -> bytes:
    """The Atom feed's entries as a JSON Feed 1.1 (jsonfeed.org/version/1.1), for the readers and
    scripts that take JSON. Each item's ``_policy`` (an extension, as the format allows) gives the
    version's dates, status and redline."""
    settings = policy.settings
    items = []
    for item in _items(policy, site_url):
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
        "title": _feed_name(site_name),
        "home_page_url": site_url + settings.current_url(),
        "feed_url": f"{site_url}{settings.policy_dir}/feed.json",
        "language": language,
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


def manifest(
    policy: Policy,
    site_url: str,
    rendered: Mapping[str, str],
    anchors: Mapping[str, Anchors] | None = None,
    consent_releases: str | None = None,
) -> str:
    """Every published version with its dates, class, summary, URLs, content hashes and section
    anchors; and, for a site with a consent bundle, the URL of its releases (consent/releases.py).

    ``rendered`` maps a version id to its rendered HTML (what the ``text`` hash covers), and
    ``anchors`` to its anchors (see anchors.check_anchors).
    """
    settings = policy.settings
    timeline = policy.timeline
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
                "anchors": _anchors((anchors or {}).get(version.id)),
            }
        )
    document = {
        "as_of": timeline.today.isoformat(),
        "current": timeline.current.id,
        "upcoming": timeline.upcoming.id if timeline.upcoming else None,
        "url": site_url + settings.current_url(),
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


def print_stylesheet(policy: Policy, site_url: str) -> str:
    """A named ``@page`` per published version whose bottom-left margin box gives its effective
    date and permanent URL, chosen by the class its status line carries (``policy-print--<id>``).
    Margin boxes take only CSS text (Chromium has no ``attr()`` or ``string()`` there), hence a
    rule per version, written by the build so that no version is ever without one."""
    settings = policy.settings
    rules = [
        '@charset "utf-8";',
        "/* Generated by the build from the policy versions: do not edit. */",
    ]
    for entry in policy.timeline.entries:
        version = entry.version
        if entry.withdrawal is not None:
            state = f"Withdrawn {long_date(entry.withdrawal.date)}, never in effect"
        else:
            state = f"Effective {long_date(version.effective)}"
        footer = f"{state} \u00b7 {site_url}"
        footer += settings.version_url(version.id)
        rules += [
            f"@page policy-{version.id} {{",
            f"  @bottom-left {{ content: {_css_string(footer)}; font-size: 8pt; }}",
            "}",
            f"body:has(.policy-print--{version.id}) {{ page: policy-{version.id}; }}",
        ]
    return "\n".join(rules) + "\n"
