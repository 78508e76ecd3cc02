"""What git remembers of a version, for the lock's messages: the commit that restores a file that
is gone, and the published text that an edit departs from."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from policy_site.git import GitError, check_history, commits_with, file_at, last_commit_with
from policy_site.versions.hashes import body_sha256, front_sha256
from policy_site.versions.model import PolicyVersion, read_version

if TYPE_CHECKING:
    from policy_site.versions.lock import LockEntry

__all__ = ["changed", "restore_hint"]


def restore_hint(path: Path) -> str:
    """How to get ``path`` back from git: the last commit that had it, and the command."""
    try:
        found = last_commit_with(path)
    except GitError as err:
        return f" {err} Restore it from a backup."
    if found is None:
        return " Git has no commit with it: restore it from a backup."
    commit, relative = found
    return f" It was last in commit {commit}; restore it with: git checkout {commit} -- {relative}"


def changed(version: PolicyVersion, locked: LockEntry) -> tuple[int | None, str]:
    """The first line of ``version``'s file that differs from the text ``locked`` records (front
    matter and body), found in git history, and the diff; (None, a sentence) when it cannot be
    found."""
    try:
        found = _locked_file(version, locked)
    except GitError as err:
        return None, f" {err} So the locked text cannot be shown."
    if found is None:
        return None, " (The locked text is not in git history; see git log -p on the file.)"
    commit, old = found
    before = old.splitlines()
    now = version.path.read_text(encoding="utf-8").splitlines()
    edits = difflib.SequenceMatcher(None, before, now, autojunk=False).get_opcodes()
    line = next((j1 + 1 for tag, _, _, j1, _ in edits if tag != "equal"), None)
    diff = difflib.unified_diff(
        before, now, f"{version.key} as published (commit {commit[:12]})", f"{version.key} now",
        lineterm="", n=0,
    )  # fmt: skip
    return line, "\n" + "\n".join(text for text in diff if not text.startswith("@@"))


def _locked_file(version: PolicyVersion, locked: LockEntry) -> tuple[str, str] | None:
    """The newest commit whose copy of ``version``'s file has the text and the front matter
    ``locked`` records, and that copy; None when none has (GitError when git cannot answer, or
    a shallow clone lacks older commits)."""
    folder = version.path.resolve().parent
    for commit in commits_with(folder, version.path.name):
        text = file_at(folder, commit, version.path.name)
        if text is None:
            continue
        old, _ = read_version(version.path, text)
        if old is None or body_sha256(old.body) != locked.sha256:
            continue
        if locked.front is None or front_sha256(old, locked.errata) == locked.front:
            return commit, text
    check_history(folder, full=True)
    return None
