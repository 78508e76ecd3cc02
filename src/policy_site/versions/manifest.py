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
    (consent/archive.py).

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
