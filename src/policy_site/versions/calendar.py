"""The calendar of the days versions take effect (iCalendar), for a privacy team's calendar."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import icalendar

from policy_site.locale import say
from policy_site.versions.feeds import feed_items, updated
from policy_site.versions.policy import Policy
from policy_site.versions.timeline import WITHDRAWN

__all__ = ["calendar"]


def calendar(policy: Policy, site_url: str, site_name: str) -> bytes:
    """An iCalendar file (RFC 5545) with the day each version takes effect, or took effect, as
    an all-day event, for a privacy team's calendar. A withdrawn version's event is cancelled,
    so that a subscribed calendar drops it; each event's UID is the version's, so that an
    announcement revised keeps its event. In the authoritative language, as the versions are."""
    words = policy.settings.words.texts(policy.settings.language)["calendar"]
    host = urlsplit(site_url).netloc or "policy-site"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//policy-site//privacy policy versions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", say(words["name"], site=site_name))
    for item in feed_items(policy, site_url)[::-1]:
        entry = item.entry
        version = entry.version
        event = icalendar.Event()
        event.add("uid", f"privacy-policy-{version.id}@{host}")
        # The last change of what the event says, not the build's clock: reproducible.
        event.add("dtstamp", dt.datetime.combine(updated(entry), dt.time(), dt.UTC))
        event.add("sequence", len(entry.revised) + (entry.status == WITHDRAWN))
        event.add("dtstart", version.effective)
        event.add("dtend", version.effective + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add("summary", say(words["event"], site=site_name, title=version.title))
        event.add("status", "CANCELLED" if entry.status == WITHDRAWN else "CONFIRMED")
        what_changed = f"\n{words['what_changes']} {item.redline_url}" if item.redline_url else ""
        event.add("description", f"{item.summary}\n{item.url}{what_changed}")
        event.add("url", item.url)
        cal.add_component(event)
    return bytes(cal.to_ical())
