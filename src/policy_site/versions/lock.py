"""Immutability: a committed lock file records every version ever published, with the hash of
its text, its errata, its announcements and its withdrawal.

Judged as of the day of the edit (``record_date``, never a preview's ``--as-of``):

- a version in effect may not change, unless the change comes with a new ``errata`` entry;
- an announced material version that changes before it takes effect is announced again: its
  ``announced`` moves to the day of the change or later, and the notice period starts over; a
  clarification or editorial one is corrected like an erratum;
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
import difflib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from policy_site.git import (
    GitError,
    check_history,
    commits_with,
    file_at,
    last_commit_with,
)
from policy_site.versions.model import (
    TRANSLATION_NAME,
    PolicyVersion,
    Problem,
    VersionError,
    split_front_matter,
)

__all__ = [
    "LockEntry",
    "LockUpdate",
    "body_sha256",
    "check_lock",
    "emptied",
    "normalize_body",
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

    def published(self, effective: dt.date, day: dt.date) -> bool:
        """Whether readers could see the version on ``day``: in effect, or announced by then."""
        first = self.announced[0] if self.announced else None
        return effective <= day or first is None or first <= day


def normalize_body(body: str) -> str:
    """The text that is hashed: line endings and trailing spaces do not count as changes."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def body_sha256(body: str) -> str:
    return hashlib.sha256(normalize_body(body).encode("utf-8")).hexdigest()


def _entry(value: Mapping[str, object]) -> LockEntry:
    announced = value.get("announced") or []
    withdrawn = value.get("withdrawn")
    assert isinstance(announced, list)
    return LockEntry(
        str(value["sha256"]),
        int(str(value["errata"])),
        tuple(dt.date.fromisoformat(str(day)) for day in announced),
        dt.date.fromisoformat(str(withdrawn)) if withdrawn else None,
    )


def read_lock(path: Path) -> dict[str, LockEntry]:
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = {str(key): _entry(value) for key, value in raw.items()}
        for key in entries:
            dt.date.fromisoformat(key[:10])
            if len(key) > 10 and not TRANSLATION_NAME.match(key):
                raise ValueError(f"{key!r} names no version file")
        return entries
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError) as err:
        message = (
            f"not a lock file this build wrote ({err}). Restore it from git (git checkout -- "
            "it), then run policy-site check --update-lock."
        )
        raise VersionError([Problem(path, 1, None, message)]) from None


def write_lock(path: Path, lock: Mapping[str, LockEntry]) -> None:
    content: dict[str, dict[str, object]] = {}
    for key, entry in sorted(lock.items()):
        item: dict[str, object] = {"sha256": entry.sha256, "errata": entry.errata}
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
    sha = body_sha256(version.body)
    withdrawn = version.withdrawn.date if version.withdrawn else None
    announced = (version.announced,) if version.announced else ()
    fresh = LockEntry(sha, len(version.errata), announced, withdrawn)
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
    entry = LockEntry(sha, len(version.errata), locked.announced or announced, withdrawn)
    if len(version.errata) < locked.errata:
        return entry, _problem(
            version,
            "errata",
            f"version {vid} had {locked.errata} errata entries when the lock was written and has "
            f"{len(version.errata)} now: a published correction stays on the page. Put it back.",
        )
    if sha == locked.sha256:
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
        if len(version.errata) > locked.errata:
            return entry, None
        return entry, _changed(
            version,
            locked,
            "is already in effect",
            "A version in effect may not change: undo the edit, or record why with a new "
            "'errata' entry (date and text), then run policy-site check --update-lock.",
        )
    if version.change != "material":
        if len(version.errata) > locked.errata:
            return entry, None
        return entry, _problem(
            version,
            None,
            f"version {vid} ({version.change}) was announced on {was} and its text no longer "
            "matches the lock: record the correction with a new 'errata' entry (date and text), "
            f"or undo the edit; then run policy-site check --update-lock."
            f"{_changed_lines(version, locked.sha256)}",
        )
    if (
        version.announced is not None
        and version.announced >= day
        and (was is None or version.announced > was)
    ):
        revised = (*locked.announced, version.announced)
        return LockEntry(sha, len(version.errata), revised, withdrawn), None
    return entry, _problem(
        version,
        "announced",
        f"version {vid} was announced on {was} with another text, and readers were given notice "
        f"of that text: a revised text is announced again. Set 'announced' to the day you "
        f"announce the revision ({day} or later); the notice period then starts over. Or undo "
        f"the edit.{_changed_lines(version, locked.sha256)}",
    )


def _changed(version: PolicyVersion, locked: LockEntry, status: str, fix: str) -> Problem:
    return _problem(
        version,
        None,
        f"{_what(version)} {version.key} {status} and its text no longer matches the lock. {fix}"
        f"{_changed_lines(version, locked.sha256)}",
    )


def _gone(lock_path: Path, versions_dir: Path, vid: str, entry: LockEntry) -> Problem:
    path = versions_dir / f"{vid}.md"
    first = f"announced on {entry.announced[0]}, " if entry.announced else ""
    if len(vid) > 10:  # a translation
        what, instead = "translation", ""
    else:
        what = "version"
        instead = (
            " (to take back an announced version before it takes effect, run "
            f"policy-site withdraw {vid} --reason '...' instead)"
        )
    return Problem(
        path,
        1,
        None,
        f"{what} {vid} was published ({first}effective {vid[:10]}) and {lock_path.name} records "
        f"it, but its file is gone: a published {what} stays at its address{instead}."
        f"{_restore(path)}",
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
            problems.append(_gone(lock_path, versions_dir, vid, entry))
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
    """Problems that a build must stop on: a version that differs from the lock, or a published
    one that is gone. ``day`` is the day of the edit (not a preview's date)."""
    update = updated_lock(versions, lock, day, lock_path, versions_dir)
    problems = list(update.problems)
    for version in versions:
        if version.key not in lock:
            problems.append(
                _problem(
                    version,
                    None,
                    f"{_what(version)} {version.key} is not in {lock_path.name}: run "
                    f"policy-site check --update-lock and commit the lock.",
                )
            )
        elif update.lock[version.key] != lock[version.key] and not any(
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


def emptied(lock_path: Path) -> Problem | None:
    """The problem of a lock that records nothing now but recorded versions in a commit: a site
    that published cannot become a draft again. None outside git, or when no commit had any."""
    folder = lock_path.resolve().parent
    try:
        for commit in commits_with(folder, lock_path.name):
            text = file_at(folder, commit, lock_path.name) or "{}"
            if text.strip() not in ("", "{}"):
                message = (
                    f"records no version, but commit {commit[:12]} has the versions it recorded: "
                    "what was published stays published. Restore it with: git checkout "
                    f"{commit[:12]} -- {lock_path.name} (in {folder})."
                )
                return Problem(lock_path, 1, None, message)
    except GitError:
        return None
    return None


def _what(version: PolicyVersion) -> str:
    return "version" if version.language is None else "translation"


def _restore(path: Path) -> str:
    """How to get ``path`` back from git: the last commit that had it, and the command."""
    try:
        found = last_commit_with(path)
    except GitError as err:
        return f" {err} Restore it from a backup."
    if found is None:
        return " Git has no commit with it: restore it from a backup."
    commit, relative = found
    return f" It was last in commit {commit}; restore it with: git checkout {commit} -- {relative}"


def _changed_lines(version: PolicyVersion, locked_sha: str) -> str:
    """A diff against the locked text, found in git history; empty if it cannot be found."""
    try:
        old = _locked_text_from_git(version.path, locked_sha)
    except GitError as err:
        return f" {err} So the locked text cannot be shown."
    if old is None:
        return " (The locked text is not in git history; see git log -p on the file.)"
    diff = difflib.unified_diff(
        normalize_body(old).splitlines(),
        normalize_body(version.body).splitlines(),
        f"{version.key} as locked",
        f"{version.key} now",
        lineterm="",
        n=0,
    )
    return "\n" + "\n".join(line for line in diff if not line.startswith("@@"))


def _locked_text_from_git(path: Path, locked_sha: str) -> str | None:
    """The text of ``path`` as locked, from the commits that changed it; None when none has it
    (GitError when git cannot answer, or a shallow clone lacks older commits)."""
    folder = path.resolve().parent
    for commit in commits_with(folder, path.name):
        text = file_at(folder, commit, path.name)
        parts = split_front_matter(text or "")
        if parts is not None and body_sha256(parts[1]) == locked_sha:
            return parts[1]
    check_history(folder, full=True)
    return None
