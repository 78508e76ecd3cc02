"""Immutability: a committed lock file holds the hash of every version's text.

A version in effect may not change, unless the change comes with a new ``errata`` entry. The lock is
refreshed by ``./scripts/check --update-lock``, which refuses to record a forbidden change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from policy_site.versions.model import PolicyVersion, Problem, split_front_matter

__all__ = ["LockEntry", "body_sha256", "check_lock", "normalize_body", "read_lock", "updated_lock"]


@dataclass(frozen=True)
class LockEntry:
    sha256: str
    errata: int


def normalize_body(body: str) -> str:
    """The text that is hashed: line endings and trailing spaces do not count as changes."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def body_sha256(body: str) -> str:
    return hashlib.sha256(normalize_body(body).encode("utf-8")).hexdigest()


def read_lock(path: Path) -> dict[str, LockEntry]:
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            key: LockEntry(str(value["sha256"]), int(value["errata"])) for key, value in raw.items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(
            f"{path}: not a lock file this build wrote ({err}). Restore it from git "
            "(git checkout -- it), then run ./scripts/check --update-lock."
        ) from None


def write_lock(path: Path, lock: dict[str, LockEntry]) -> None:
    content = {key: {"sha256": entry.sha256, "errata": entry.errata} for key, entry in lock.items()}
    path.write_text(json.dumps(dict(sorted(content.items())), indent=2) + "\n", encoding="utf-8")


def _forbidden_change(version: PolicyVersion, locked: LockEntry) -> Problem:
    return Problem(
        version.path,
        version.body_line,
        None,
        f"version {version.id} is already in effect and its text no longer matches the lock. "
        "A version in effect may not change: undo the edit, or record why with a new 'errata' "
        "entry (date and text), then run ./scripts/check --update-lock."
        f"{_changed_lines(version, locked.sha256)}",
    )


def check_lock(
    versions: Sequence[PolicyVersion], lock: dict[str, LockEntry], today: dt.date, lock_path: Path
) -> list[Problem]:
    """Problems that a build must stop on: a version whose text or errata differ from the lock."""
    problems: list[Problem] = []
    for version in versions:
        locked = lock.get(version.id)
        if locked is None:
            problems.append(
                Problem(
                    version.path,
                    1,
                    None,
                    f"version {version.id} is not in "
                    f"{lock_path.name}: run ./scripts/check --update-lock and commit the lock.",
                )
            )
        elif locked.sha256 != body_sha256(version.body) or locked.errata != len(version.errata):
            if version.effective <= today and len(version.errata) <= locked.errata:
                problems.append(_forbidden_change(version, locked))
            else:
                problems.append(
                    Problem(
                        version.path,
                        1,
                        None,
                        f"version {version.id} changed "
                        f"since {lock_path.name} was written: run ./scripts/check --update-lock to "
                        "record the change, and commit the lock.",
                    )
                )
    return problems


def updated_lock(
    versions: Sequence[PolicyVersion], lock: dict[str, LockEntry], today: dt.date
) -> tuple[dict[str, LockEntry], list[Problem]]:
    """The lock with every version's current hash, or the problems that forbid writing it."""
    problems: list[Problem] = []
    new: dict[str, LockEntry] = {}
    for version in versions:
        entry = LockEntry(body_sha256(version.body), len(version.errata))
        locked = lock.get(version.id)
        if (
            locked is not None
            and locked.sha256 != entry.sha256
            and version.effective <= today
            and entry.errata <= locked.errata
        ):
            problems.append(_forbidden_change(version, locked))
        new[version.id] = entry
    return new, problems


def _changed_lines(version: PolicyVersion, locked_sha: str) -> str:
    """A diff against the locked text, found in git history; empty if it cannot be found."""
    old = _locked_text_from_git(version.path, locked_sha)
    if old is None:
        return " (The locked text is not in git history; see git log -p on the file.)"
    diff = difflib.unified_diff(
        normalize_body(old).splitlines(),
        normalize_body(version.body).splitlines(),
        f"{version.id} as locked",
        f"{version.id} now",
        lineterm="",
        n=0,
    )
    return "\n" + "\n".join(line for line in diff if not line.startswith("@@"))


def _locked_text_from_git(path: Path, locked_sha: str) -> str | None:
    folder = path.resolve().parent

    def git(*args: str) -> str | None:
        result = subprocess.run(["git", *args], cwd=folder, capture_output=True, check=False)
        return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None

    commits = git("log", "--format=%H", "--", path.name)
    for commit in (commits or "").split():
        text = git("show", f"{commit}:./{path.name}")
        parts = split_front_matter(text or "")
        if parts is not None and body_sha256(parts[1]) == locked_sha:
            return parts[1]
    return None
