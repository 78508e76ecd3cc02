"""Immutability: a committed lock file records every version ever published, with the hash of
its text and of its front matter (versions/hashes.py), its errata, its announcements and its
withdrawal. A version neither in effect nor announced is a draft, free to change.

Judged as of the day of the edit (``record_date``, never a preview's ``--as-of``), against the
lock as git's history recorded it (versions/history.py), not only the working copy's file:

- a version in effect may not change, unless the change comes with a new ``errata`` entry;
- an announced material version that changes before it takes effect is announced again: its
  ``announced`` moves to the day of the change or later (that day may be the day it was first
  announced), and the notice period starts over; a clarification or editorial one is corrected
  like an erratum;
- a published version's ``announced`` and withdrawal stay as published;
- a published version's file may not vanish: the lock keeps its entry and names the commit that
  restores it.

``./scripts/check --update-lock`` writes the lock, refusing to record a forbidden change; it never
drops a published version's entry. A lock that records nothing (``{}``, as ``policy-site init``
writes it) is a site that has published nothing yet: its versions are drafts, and
``policy-site publish`` records them (``policy_site.publish``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from policy_site.versions.hashes import body_sha256, front_sha256, normalize_body
from policy_site.versions.model import TRANSLATION_NAME, PolicyVersion, Problem, VersionError
from policy_site.versions.recall import changed, restore_hint

__all__ = [
    "NOT_A_LOCK",
    "LockEntry",
    "LockUpdate",
    "body_sha256",
    "check_lock",
    "normalize_body",
    "parse_lock",
    "read_lock",
    "updated_lock",
    "write_lock",
]


@dataclass(frozen=True)
class LockEntry:
    sha256: str
    errata: int
    #: Every day the version was announced: the first announcement, then each re-announcement of
    #: a revised text. Empty for a version that was never announced ahead of its effective date.
    announced: tuple[dt.date, ...] = ()
    withdrawn: dt.date | None = None
    #: ``hashes.front_sha256`` of the version with ``errata`` errata; None in a lock written
    #: before the front matter was locked (the next --update-lock records it).
    front: str | None = None

    def published(self, effective: dt.date, day: dt.date) -> bool:
        """Whether readers could see the version on ``day``: in effect, or announced by then. A
        version neither is a draft."""
        return effective <= day or (bool(self.announced) and self.announced[0] <= day)

    def holds(self, version: PolicyVersion) -> bool:
        """Whether this entry records ``version``'s text and front matter as they are now (its
        errata as they were then: one added since is not a change)."""
        front = self.front in (None, front_sha256(version, self.errata))
        return body_sha256(version.body) == self.sha256 and front

    def same_text(self, other: LockEntry) -> bool:
        """Whether ``other`` records the same text and front matter (an unknown front is)."""
        fronts = self.front is None or other.front is None or self.front == other.front
        return self.sha256 == other.sha256 and fronts


def _entry(value: Mapping[str, object]) -> LockEntry:
    announced = value.get("announced") or []
    withdrawn = value.get("withdrawn")
    assert isinstance(announced, list)
    return LockEntry(
        str(value["sha256"]),
        int(str(value["errata"])),
        tuple(dt.date.fromisoformat(str(day)) for day in announced),
        dt.date.fromisoformat(str(withdrawn)) if withdrawn else None,
        str(value["front"]) if value.get("front") else None,
    )


def parse_lock(text: str) -> dict[str, LockEntry]:
    """A lock file's entries; ValueError (or a kin) when the text is not a lock this build wrote."""
    raw = json.loads(text)
    entries = {str(key): _entry(value) for key, value in raw.items()}
    for key in entries:
        dt.date.fromisoformat(key[:10])
        if len(key) > 10 and not TRANSLATION_NAME.match(key):
            raise ValueError(f"{key!r} names no version file")
    return entries


#: What ``parse_lock`` raises on a text that is not a lock.
NOT_A_LOCK = (ValueError, KeyError, TypeError, AttributeError, AssertionError)


def read_lock(path: Path) -> dict[str, LockEntry]:
    if not path.is_file():
        return {}
    try:
        return parse_lock(path.read_text(encoding="utf-8"))
    except NOT_A_LOCK as err:
        message = (
            f"not a lock file this build wrote ({err}). Restore it from git (git checkout -- "
            "it), then run policy-site check --update-lock."
        )
        raise VersionError([Problem(path, 1, None, message)]) from None


def write_lock(path: Path, lock: Mapping[str, LockEntry]) -> None:
    content: dict[str, dict[str, object]] = {}
    for key, entry in sorted(lock.items()):
        item: dict[str, object] = {"sha256": entry.sha256, "errata": entry.errata}
        if entry.front:
            item["front"] = entry.front
        if entry.announced:
            item["announced"] = [day.isoformat() for day in entry.announced]
        if entry.withdrawn:
            item["withdrawn"] = entry.withdrawn.isoformat()
        content[key] = item
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def _problem(version: PolicyVersion, key: str | None, message: str) -> Problem:
    return Problem(version.path, version.line(key) if key else version.body_line, key, message)


def _judge(
    version: PolicyVersion, locked: LockEntry | None, day: dt.date
) -> tuple[LockEntry, Problem | None]:
    """The entry the lock should hold for ``version`` on ``day``, and the problem that forbids
    recording it (None when it may be recorded)."""
    withdrawn = version.withdrawn.date if version.withdrawn else None
    announced = (version.announced,) if version.announced else ()
    fresh = LockEntry(
        body_sha256(version.body), len(version.errata), announced, withdrawn, front_sha256(version)
    )
    if locked is None or not locked.published(version.effective, day):
        return fresh, None  # a draft: readers have seen none of it
    vid = version.key
    if locked.withdrawn is not None and withdrawn != locked.withdrawn:
        return locked, _problem(
            version,
            "withdrawn",
            f"version {vid} was withdrawn on {locked.withdrawn}, and a withdrawal is final: put "
            f"back 'withdrawn' as it was. To publish this text, give it a new effective date "
            f"(policy-site new-version).",
        )
    was = locked.announced[-1] if locked.announced else None
    entry = replace(fresh, announced=locked.announced or announced)
    grew = len(version.errata) > locked.errata
    if len(version.errata) < locked.errata:
        return entry, _problem(
            version,
            "errata",
            f"version {vid} had {locked.errata} errata entries when the lock was written and has "
            f"{len(version.errata)} now: a published correction stays on the page. Put it back.",
        )
    if locked.holds(version):
        if locked.announced and version.announced != was:
            return entry, _problem(
                version,
                "announced",
                f"is {version.announced}, but version {vid} was announced on {was}, as "
                f"published: put back 'announced: {was}'. It moves only when a revised text is "
                "announced again.",
            )
        return entry, None
    if locked.withdrawn is not None:
        return entry, _changed(
            version, locked, "was withdrawn", "Its text stays as it was announced: undo the edit."
        )
    if version.effective <= day:
        return entry, None if grew else _changed(
            version,
            locked,
            "is already in effect",
            "A version in effect may not change: undo the edit, or record why with a new "
            "'errata' entry (date and text), then run policy-site check --update-lock.",
        )
    if version.change != "material":
        return entry, None if grew else _changed(
            version,
            locked,
            f"({version.change}) was announced on {was}",
            "Record the correction with a new 'errata' entry (date and text), or undo the edit; "
            "then run policy-site check --update-lock.",
        )
    if version.announced is not None and version.announced >= max(day, was or day):
        # A revised text is announced again: on a later day, or the same day (both count).
        return replace(entry, announced=(*locked.announced, version.announced)), None
    return entry, _problem(
        version,
        "announced",
        f"version {vid} was announced on {was} with another text, and readers were given notice "
        f"of that text: a revised text is announced again, and the notice period starts over. "
        f"Run policy-site announce {vid} (it sets 'announced' to today, {day}), or undo the "
        f"edit.{changed(version, locked)[1]}",
    )


def _changed(version: PolicyVersion, locked: LockEntry, status: str, fix: str) -> Problem:
    """An edit the rules forbid, on the first line it changed, with the diff."""
    line, diff = changed(version, locked)
    what = "text" if body_sha256(version.body) != locked.sha256 else "front matter"
    return Problem(
        version.path,
        line or version.body_line,
        None,
        f"{_what(version)} {version.key} {status} and its {what} no longer matches the lock. "
        f"{fix}{diff}",
    )


def _gone(lock_path: Path, versions_dir: Path, vid: str, entry: LockEntry, day: dt.date) -> Problem:
    path = versions_dir / f"{vid}.md"
    first = f"announced on {entry.announced[0]}, " if entry.announced else ""
    what = "translation" if len(vid) > 10 else "version"
    then = ""
    if what == "version" and dt.date.fromisoformat(vid) > day and entry.withdrawn is None:
        then = f" (once it is back, policy-site withdraw {vid} --reason '...' takes it back)"
    return Problem(
        path,
        1,
        None,
        f"{what} {vid} was published ({first}effective {vid[:10]}) and {lock_path.name} records "
        f"it, but its file is gone: a published {what} stays at its address{then}."
        f"{restore_hint(path)}",
    )


@dataclass(frozen=True)
class LockUpdate:
    lock: dict[str, LockEntry]
    problems: list[Problem]
    #: Drafts (never published) whose files are gone: dropped from the lock.
    dropped: list[str]


def updated_lock(
    versions: Sequence[PolicyVersion],
    lock: Mapping[str, LockEntry],
    day: dt.date,
    lock_path: Path,
    versions_dir: Path,
) -> LockUpdate:
    """The lock with every version's current state, judged as of ``day``, or the problems that
    forbid writing it."""
    problems: list[Problem] = []
    new: dict[str, LockEntry] = {}
    for version in versions:
        new[version.key], problem = _judge(version, lock.get(version.key), day)
        problems += [problem] if problem else []
    dropped: list[str] = []
    for vid, entry in lock.items():
        if vid in new:
            continue
        if entry.published(dt.date.fromisoformat(vid[:10]), day):
            new[vid] = entry
            problems.append(_gone(lock_path, versions_dir, vid, entry, day))
        else:
            dropped.append(vid)
    return LockUpdate(new, problems, dropped)


def check_lock(
    versions: Sequence[PolicyVersion],
    lock: Mapping[str, LockEntry],
    day: dt.date,
    lock_path: Path,
    versions_dir: Path,
) -> list[Problem]:
    """Problems that a build must stop on: a published version that differs from the lock, or
    one that is gone. ``day`` is the day of the edit (not a preview's date)."""
    update = updated_lock(versions, lock, day, lock_path, versions_dir)
    problems = list(update.problems)
    for version in versions:
        if not update.lock[version.key].published(version.effective, day):
            continue  # a draft: free to change, recorded or not
        if version.key not in lock:
            problems.append(
                _problem(
                    version,
                    None,
                    f"{_what(version)} {version.key} is not in {lock_path.name}: run "
                    f"policy-site check --update-lock and commit the lock.",
                )
            )
        elif _differs(update.lock[version.key], lock[version.key]) and not any(
            problem.path == version.path for problem in update.problems
        ):
            status = "in effect" if version.effective <= day else "not in effect yet"
            problems.append(
                _problem(
                    version,
                    None,
                    f"{_what(version)} {version.key} changed since {lock_path.name} was written "
                    f"(on {day} it is {status}): run policy-site check --update-lock to "
                    "record the change, and commit the lock.",
                )
            )
    for vid in update.dropped:
        message = (
            f"draft {vid} is in {lock_path.name} but its file is gone; it was never published: "
            f"run policy-site check --update-lock to drop it."
        )
        problems.append(Problem(versions_dir / f"{vid}.md", 1, None, message))
    return problems


def _what(version: PolicyVersion) -> str:
    return "version" if version.language is None else "translation"


def _differs(recorded: LockEntry, locked: LockEntry) -> bool:
    """Whether the lock must be written again: ``recorded`` is what it would hold now. A front
    matter the lock does not know yet is recorded by the next --update-lock, without a fuss."""
    return recorded != (locked if locked.front else replace(locked, front=recorded.front))
