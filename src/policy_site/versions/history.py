"""The lock as git's history recorded it: what was published stays published, whatever the
working copy's lock file says.

Every commit of the lock file is read, oldest first. An entry counts once readers could have
seen it (its version in effect or announced before the next commit replaced it); each later
entry of the same version counts only when the rules allow it to follow the one before (an
erratum added, a revised text announced again, a withdrawal), so a lock rewritten by hand, even
one committed, changes nothing. The lock the build judges the versions against is the working
copy's, with each entry that history contradicts replaced by history's (``merged``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from policy_site.git import GitError, check_history, file_history, repository_path
from policy_site.problems import display
from policy_site.versions.lock import NOT_A_LOCK, LockEntry, parse_lock
from policy_site.versions.model import Problem

__all__ = ["History", "Recorded", "follows", "lock_history", "merged", "restore"]


@dataclass(frozen=True)
class Recorded:
    """A version's last entry in the lock's history that the rules allow."""

    entry: LockEntry
    #: The commit that first recorded the version published, and the last that recorded this.
    published_in: str
    recorded_in: str


@dataclass(frozen=True)
class History:
    entries: dict[str, Recorded] = field(default_factory=dict)
    #: Why what was published could not be checked against every commit (no git, a shallow
    #: clone): said by check and the build, never passed over in silence.
    unverified: str | None = None
    #: The newest commit whose lock records a version: the one to restore a lost lock from.
    newest: str | None = None


def restore(commit: str, lock_path: Path) -> str:
    """The command that puts back the lock as ``commit`` had it, run at the repository's top."""
    try:
        return f"git checkout {commit[:12]} -- {repository_path(lock_path)}"
    except GitError:
        return f"git checkout {commit[:12]} -- {display(lock_path)}"


def follows(before: LockEntry, after: LockEntry, effective: dt.date, day: dt.date) -> bool:
    """Whether the rules let a published version's lock entry go from ``before`` to ``after``
    (recorded on ``day``): an erratum added, a revised text announced again before it takes
    effect, a withdrawal; never a text or front matter changed otherwise, a withdrawal undone,
    an announcement or an erratum taken back."""
    if before.withdrawn is not None and after.withdrawn != before.withdrawn:
        return False
    if after.errata < before.errata or after.announced[: len(before.announced)] != before.announced:
        return False
    if after.errata > before.errata or before.same_text(after):
        return after.announced == before.announced
    reannounced = len(after.announced) > len(before.announced)
    return reannounced and effective > day and before.withdrawn is None


def lock_history(lock_path: Path, today: dt.date) -> History:
    """What the commits of ``lock_path`` recorded, as of ``today``."""
    folder = lock_path.resolve().parent
    try:
        commits = file_history(folder, lock_path.name)
    except GitError as err:  # no git, or no repository: nothing to read
        return History({}, _unverified(lock_path, err))
    try:
        check_history(folder, full=True)
        unverified = None
    except GitError as err:  # a shallow clone: what it holds is read, and that is said
        unverified = _unverified(lock_path, err)
    entries: dict[str, Recorded] = {}
    newest = None
    for index, (commit, day, text) in enumerate(commits):
        # Recorded on ``day``, replaced on ``until`` (neither later than today: a commit's date
        # is its author's clock).
        day = min(day, today)
        until = min(commits[index + 1][1], today) if index + 1 < len(commits) else today
        try:
            lock = parse_lock(text)
        except NOT_A_LOCK:
            continue  # a commit whose lock this build could not have written: nothing recorded
        newest = commit if lock else newest
        for key, entry in lock.items():
            effective = dt.date.fromisoformat(key[:10])
            known = entries.get(key)
            if known is None:
                if entry.published(effective, until):  # readers could have seen it
                    entries[key] = Recorded(entry, commit, commit)
            elif follows(known.entry, entry, effective, day):
                entries[key] = Recorded(entry, known.published_in, commit)
    return History(entries, unverified, newest)


def _unverified(lock_path: Path, err: GitError) -> str:
    return (
        f"{display(lock_path)} was not checked against git history: {err} What was published "
        "is checked against the lock file alone; in a clone with the whole history (git clone "
        "without --depth, or git fetch --unshallow) it is checked against every commit."
    )


def merged(
    lock: Mapping[str, LockEntry], history: History, today: dt.date, lock_path: Path
) -> tuple[dict[str, LockEntry], list[Problem]]:
    """The lock to judge the versions against: ``lock``, with history's entry wherever ``lock``
    lacks a published version or records it in a way the rules do not allow; and the problems
    of ``lock`` (none when it is empty: an --update-lock rebuilding a deleted lock)."""
    base = dict(lock)
    problems: list[Problem] = []
    for key, recorded in history.entries.items():
        mine = lock.get(key)
        effective = dt.date.fromisoformat(key[:10])
        if mine is not None and follows(recorded.entry, mine, effective, today):
            continue
        base[key] = recorded.entry
        if not lock:
            continue
        what = "translation" if len(key) > 10 else "version"
        published, last = recorded.published_in[:12], recorded.recorded_in[:12]
        said = (
            f"has no entry for {what} {key}, which commit {published} published"
            if mine is None
            else f"records {what} {key} otherwise than commit {last} did, and the rules do not "
            f"allow that change (commit {published} published it)"
        )
        message = (
            f"{said}: what was published stays as published, and the lock is written by "
            f"policy-site check --update-lock, never by hand. Undo any edit to the {what} that "
            f"check reports, and restore the lock with: {restore(recorded.recorded_in, lock_path)}"
        )
        problems.append(Problem(lock_path, 1, None, message))
    return base, problems
