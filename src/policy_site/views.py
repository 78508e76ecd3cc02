"""What the page templates are given: plain data (strings, numbers, lists and dicts), with every
date already written out and every URL already made. No template calls a method of this package
or uses a filter of its own, so that another engine than Jinja2 (MiniJinja, as Zensical uses)
can render them from the same data.

A date is ``{"iso": "2027-01-01", "long": "1 January 2027"}``: the first for ``<time datetime>``,
the second for the reader. URLs are relative to the site root, as MkDocs' ``url`` filter takes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from policy_site.consent import Bundle, ConsentConfig
from policy_site.dates import long_date
from policy_site.versions import Entry, Policy, Settings
from policy_site.versions.redline import Redline

__all__ = ["consent_view", "day", "page_view", "timeline_view"]

View = dict[str, Any]


def day(date: dt.date) -> dict[str, str]:
    return {"iso": date.isoformat(), "long": long_date(date)}


def _maybe_day(date: dt.date | None) -> dict[str, str] | None:
    return None if date is None else day(date)


def urls(settings: Settings) -> dict[str, str]:
    folder = settings.policy_dir
    return {
        "current": settings.current_url(),
        "archive": settings.archive_url(),
        "feed": f"{folder}/feed.xml",
        "json_feed": f"{folder}/feed.json",
        "calendar": f"{folder}/changes.ics",
        "manifest": f"{folder}/versions.json",
    }


def entry_view(entry: Entry, settings: Settings) -> View:
    """A published version and where it stands: what the archive's rows and a version's status
    line show."""
    version, previous, withdrawal = entry.version, entry.previous, entry.withdrawal
    return {
        "id": entry.id,
        "status": entry.status,
        "url": settings.version_url(entry.id),
        "redline_url": settings.redline_url(entry.id) if previous is not None else None,
        "effective": day(version.effective),
        "until": _maybe_day(entry.until),
        "first_announced": _maybe_day(entry.first_announced),
        "revised": [day(revised) for revised in entry.revised],
        "change": version.change,
        "summary": version.summary,
        "withdrawn": (
            None
            if withdrawal is None
            else {"date": day(withdrawal.date), "reason": withdrawal.reason}
        ),
        "errata": [{"date": day(erratum.date), "text": erratum.text} for erratum in version.errata],
        "previous": (
            None
            if previous is None
            else {
                "id": previous.id,
                "url": settings.version_url(previous.id),
                "effective": day(previous.effective),
            }
        ),
    }


def timeline_view(policy: Policy) -> View:
    """What every page of a build shares: the versions, oldest first, and the one announced."""
    settings, timeline = policy.settings, policy.timeline
    entries = [entry_view(entry, settings) for entry in timeline.entries]
    by_id = {entry["id"]: entry for entry in entries}
    upcoming = None
    if timeline.upcoming is not None:
        upcoming = {**by_id[timeline.upcoming.id], "days": timeline.days_to_upcoming}
    return {"urls": urls(settings), "entries": entries, "by_id": by_id, "upcoming": upcoming}


def page_view(
    shared: View,
    kind: str,
    entry_id: str | None,
    redline: Redline | None = None,
    text_sha256: str | None = None,
) -> View:
    """A page's ``policy``: ``kind`` is "current" (the policy in effect), "version", "archive",
    "redline" or "" (another page of the site)."""
    return {
        "kind": kind,
        "urls": shared["urls"],
        "entries": shared["entries"],
        "upcoming": shared["upcoming"],
        "entry": shared["by_id"].get(entry_id) if entry_id else None,
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
    }


def consent_view(
    config: ConsentConfig, bundle: Bundle, settings: Settings, language: str | None
) -> View:
    """The consent parts of every page, for a site in ``language``: the stylesheet and script it
    loads, the footer's control and link, and the categories /privacy/cookies/ lists."""
    script = bundle.script(language)
    return {
        "cookies_url": f"{settings.policy_dir}/cookies/",
        "css": {"path": bundle.css.path, "integrity": bundle.css.integrity},
        "script": {"path": script.path, "integrity": script.integrity},
        "settings_label": config.texts[bundle.language(language)]["settings"],
        "categories": [dataclasses.asdict(category) for category in config.categories],
    }
