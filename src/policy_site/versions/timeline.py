"""Which version applies when: in effect, superseded, upcoming or withdrawn, as of the build
date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from policy_site.versions.model import PolicyVersion, Problem, VersionError, Withdrawal

__all__ = [
    "IN_EFFECT",
    "SUPERSEDED",
    "UPCOMING",
    "WITHDRAWN",
    "Entry",
    "Timeline",
    "make_timeline",
]

IN_EFFECT = "in effect"
SUPERSEDED = "superseded"
UPCOMING = "upcoming"
#: Announced, then taken back before it took effect: it never applied.
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Entry:
    """A published version and where it stands on the build date."""

    version: PolicyVersion
    status: str
    #: The last day it applied, for a superseded version.
    until: dt.date | None
    #: The version before it that applied (a withdrawn one never did).
    previous: PolicyVersion | None
    #: Every day it was announced (the lock's record): the first announcement, then each day a
    #: revised text was announced again. The last is the version's ``announced``.
    announcements: tuple[dt.date, ...] = ()

    @property
    def first_announced(self) -> dt.date | None:
        return self.announcements[0] if self.announcements else self.version.announced

    @property
    def withdrawal(self) -> Withdrawal | None:
        """When and why it was withdrawn, once it is (a withdrawal dated later is not yet)."""
        return self.version.withdrawn if self.status == WITHDRAWN else None

    @property
    def revised(self) -> tuple[dt.date, ...]:
        """The days a revised text was announced again, each once; a revision the day of the
        first announcement is that announcement (the lock still records it)."""
        first = self.announcements[:1]
        return tuple(dict.fromkeys(day for day in self.announcements[1:] if day not in first))

    @property
    def id(self) -> str:
        return self.version.id


@dataclass(frozen=True)
class Timeline:
    """One language's published versions and where each stands: the authoritative language's
    (``make_timeline``) or a translated language's (``translations.translations_timeline``)."""

    today: dt.date
    #: Published versions, oldest first. A version announced for a later day is not published yet.
    #: In a translated language, each entry's ``previous`` is the translation of the version
    #: before it that applied, when that one has a translation (its redline's other side).
    entries: tuple[Entry, ...]
    #: The version in effect. Always one in the authoritative language (``Policy.current``); in a
    #: translated language None when that version has no translation (the page says so, and
    #: links the authoritative text: never an older one).
    current: Entry | None
    upcoming: Entry | None
    #: The language of its texts; None for the authoritative one.
    language: str | None = None

    def entry(self, version_id: str) -> Entry | None:
        return self._by_id.get(version_id)

    @cached_property
    def _by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    @property
    def consent_revision(self) -> str:
        """The version a consent must postdate: the latest material change now in effect (the
        first version if none). A consent given under an earlier one is asked again."""
        material = [
            entry.id
            for entry in self.entries
            if entry.status in (IN_EFFECT, SUPERSEDED) and entry.version.change == "material"
        ]
        return max(material, default=self.entries[0].id)

    @property
    def days_to_upcoming(self) -> int | None:
        return (self.upcoming.version.effective - self.today).days if self.upcoming else None


def is_published(version: PolicyVersion, today: dt.date) -> bool:
    """In effect by now, or announced by now; a version neither is a draft."""
    if version.effective <= today:
        return True
    return version.announced is not None and version.announced <= today


def make_timeline(
    versions: Sequence[PolicyVersion],
    today: dt.date,
    announcements: Mapping[str, tuple[dt.date, ...]] | None = None,
) -> Timeline:
    """Statuses as of ``today``. Raises VersionError when no version is in effect yet.

    ``announcements`` gives, by version id, the days the lock records each version was announced.
    """
    published = sorted((v for v in versions if is_published(v, today)), key=lambda v: v.effective)
    withdrawn = {v.id for v in published if v.withdrawn is not None and v.withdrawn.date <= today}
    applied = [version for version in published if version.id not in withdrawn]
    in_effect = [version for version in applied if version.effective <= today]
    if not in_effect:
        first = min(versions, key=lambda version: version.effective)
        raise VersionError(
            [
                Problem(
                    first.path,
                    first.line("effective"),
                    "effective",
                    f"no version is in effect on {today}; the first takes effect on "
                    f"{first.id}. Build with a later date (--as-of) or add an earlier version.",
                )
            ]
        )
    current = in_effect[-1]
    entries: list[Entry] = []
    previous: PolicyVersion | None = None
    applies = 0  # how many versions that applied come before this one
    for version in published:
        following = applied[applies + 1] if applies + 1 < len(applied) else None
        if version.id in withdrawn:
            status, until = WITHDRAWN, None
        elif version.effective > today:
            status, until = UPCOMING, None
        elif version is current:
            status, until = IN_EFFECT, None
        else:
            assert following is not None
            status, until = SUPERSEDED, following.effective - dt.timedelta(days=1)
        days = (announcements or {}).get(version.id, ())
        entries.append(Entry(version, status, until, previous, days))
        if version.id not in withdrawn:
            previous, applies = version, applies + 1
    upcoming = next((entry for entry in entries if entry.status == UPCOMING), None)
    current_entry = next(entry for entry in entries if entry.version is current)
    return Timeline(today, tuple(entries), current_entry, upcoming)
