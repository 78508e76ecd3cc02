"""Which version applies when: in effect, superseded or upcoming, as of the build date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from policy_site.versions.model import PolicyVersion, Problem, VersionError

__all__ = ["IN_EFFECT", "SUPERSEDED", "UPCOMING", "Entry", "Timeline", "make_timeline"]

IN_EFFECT = "in effect"
SUPERSEDED = "superseded"
UPCOMING = "upcoming"


@dataclass(frozen=True)
class Entry:
    """A published version and where it stands on the build date."""

    version: PolicyVersion
    status: str
    #: The last day it applied, for a superseded version.
    until: dt.date | None
    previous: PolicyVersion | None

    @property
    def id(self) -> str:
        return self.version.id


@dataclass(frozen=True)
class Timeline:
    today: dt.date
    #: Published versions, oldest first. A version announced for a later day is not published yet.
    entries: tuple[Entry, ...]
    current: Entry
    upcoming: Entry | None

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
            if entry.status != UPCOMING and entry.version.change == "material"
        ]
        return max(material, default=self.entries[0].id)

    @property
    def days_to_upcoming(self) -> int | None:
        return (self.upcoming.version.effective - self.today).days if self.upcoming else None


def is_published(version: PolicyVersion, today: dt.date) -> bool:
    """In effect by now, or announced by now (a version announced for a later day is a draft)."""
    return version.effective <= today or version.announced is None or version.announced <= today


def make_timeline(versions: Sequence[PolicyVersion], today: dt.date) -> Timeline:
    """Statuses as of ``today``. Raises VersionError when no version is in effect yet."""
    published = sorted((v for v in versions if is_published(v, today)), key=lambda v: v.effective)
    in_effect = [version for version in published if version.effective <= today]
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
    for index, version in enumerate(published):
        following = published[index + 1] if index + 1 < len(published) else None
        if version.effective > today:
            status, until = UPCOMING, None
        elif version is current:
            status, until = IN_EFFECT, None
        else:
            assert following is not None
            status, until = SUPERSEDED, following.effective - dt.timedelta(days=1)
        previous = published[index - 1] if index > 0 else None
        entries.append(Entry(version, status, until, previous))
    upcoming = next((entry for entry in entries if entry.status == UPCOMING), None)
    current_entry = next(entry for entry in entries if entry.version is current)
    return Timeline(today, tuple(entries), current_entry, upcoming)
