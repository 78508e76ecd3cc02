"""The ``versions.json`` manifest: every published version with its dates, URLs, content hashes,
section anchors and translations."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policy_site.versions.anchors import Anchors
from policy_site.versions.lock import body_sha256
from policy_site.versions.policy import Policy
from policy_site.versions.redline import rendered_text_sha256
from policy_site.versions.timeline import Entry

__all__ = ["manifest"]


def _described(
    policy: Policy,
    entry: Entry,
    language: str | None,
    site_url: str,
    rendered: Mapping[str, str],
    anchors: Mapping[str, Mapping[str, Anchors]],
) -> dict[str, Any]:
    """What the manifest says of a version and of each translation alike: its title, summary,
    first announcement, URLs, errata, hashes and section anchors."""
    settings, version = policy.settings, entry.version
    first = entry.first_announced
    return {
        "title": version.title,
        "summary": version.summary,
        "announced": first.isoformat() if first else None,
        "url": site_url + settings.version_url(version.id, language),
        "redline_url": (
            site_url + settings.redline_url(version.id, language) if entry.previous else None
        ),
        "errata": [{"date": e.date.isoformat(), "text": e.text} for e in version.errata],
        "sha256": {
            "markdown": body_sha256(version.body),
            "text": rendered_text_sha256(rendered[version.key]),
        },
        "anchors": _anchors(anchors.get(language or settings.language, {}).get(version.id)),
    }


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
    for code, timeline in policy.translations.items():
        translated = timeline.entry(entry.id)
        if translated is not None:
            described = _described(policy, translated, code, site_url, rendered, anchors)
            described["sha256"]["translates_markdown"] = body_sha256(entry.version.body)
            found.append({"language": code, **described})
    return found


def manifest(
    policy: Policy,
    site_url: str,
    rendered: Mapping[str, str],
    anchors: Mapping[str, Mapping[str, Anchors]] | None = None,
    consent_releases: str | None = None,
) -> str:
    """Every published version with its dates, class, summary, URLs, content hashes, section
    anchors and translations; and, for a site with a consent bundle, the URL of its releases
    (consent/archive.py).

    ``rendered`` maps a version's key (its id, or ``id.language`` for a translation) to its
    rendered HTML (what the ``text`` hash covers), and ``anchors`` a language and a version id to
    its anchors (see anchors.check_anchors).
    """
    settings = policy.settings
    timeline = policy.timeline
    anchors = anchors or {}
    versions: list[dict[str, Any]] = []
    for entry in timeline.entries:
        version, withdrawal = entry.version, entry.withdrawal
        described = _described(policy, entry, None, site_url, rendered, anchors)
        versions.append(
            {
                "id": version.id,
                "title": described["title"],
                "effective": version.id,
                "announced": described["announced"],
                "revised": [day.isoformat() for day in entry.revised],
                "withdrawn": (
                    {"date": withdrawal.date.isoformat(), "reason": withdrawal.reason}
                    if withdrawal
                    else None
                ),
                "change": version.change,
                "summary": described["summary"],
                "status": entry.status,
                "in_effect_until": entry.until.isoformat() if entry.until else None,
                **{key: described[key] for key in ("url", "redline_url", "errata", "sha256")},
                "anchors": described["anchors"],
                "translations": _translations(policy, entry, site_url, rendered, anchors),
            }
        )
    document = {
        "as_of": timeline.today.isoformat(),
        "current": policy.current.id,
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
                "current": _current_id(policy.timeline_in(code).current),
            }
            for code, name in settings.languages.items()
        ],
        "versions": versions,
    }
    if consent_releases is not None:
        document["consent_releases"] = consent_releases
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _current_id(current: Entry | None) -> str | None:
    return current.id if current is not None else None


def _anchors(anchors: Anchors | None) -> dict[str, Any] | None:
    """The section links a version answers: its headings', and the old ones it maps."""
    if anchors is None:
        return None
    removed = {old: gone.version_id for old, gone in anchors.removed.items()}
    return {"headings": list(anchors.headings), "moved": anchors.aliases, "removed": removed}
