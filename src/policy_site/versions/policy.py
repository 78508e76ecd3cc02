"""The whole policy as of a build date: versions read, rules checked, lock verified, timeline made.

This is what a generator adapter (the MkDocs plugin) and the command line both call.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from policy_site.commands import command
from policy_site.versions.lock import LockEntry, check_lock, read_lock
from policy_site.versions.model import PolicyVersion, Problem, VersionError, read_version
from policy_site.versions.rules import check_rules, lint_wording
from policy_site.versions.timeline import Timeline, make_timeline

__all__ = ["Policy", "Settings", "load_policy", "read_versions"]


@dataclass(frozen=True)
class Settings:
    """Where the versions are and what the rules are; the plugin's options, with their defaults."""

    versions_dir: str = "privacy/versions"
    lock_file: str = "privacy/versions.lock"
    notice_days: int = 30
    timezone: str = "UTC"

    @property
    def policy_dir(self) -> str:
        """Where the policy in effect is published: the parent of the versions folder."""
        return posixpath.dirname(self.versions_dir.strip("/"))

    def current_url(self) -> str:
        return f"{self.policy_dir}/"

    def archive_url(self) -> str:
        return f"{self.versions_dir.strip('/')}/"

    def version_url(self, version_id: str) -> str:
        return f"{self.versions_dir.strip('/')}/{version_id}/"

    def redline_url(self, version_id: str) -> str:
        return f"{self.policy_dir}/changes/{version_id}/"


@dataclass(frozen=True)
class Policy:
    settings: Settings
    versions: tuple[PolicyVersion, ...]
    timeline: Timeline
    #: Wording problems: reported as warnings (which fail a strict build).
    warnings: list[Problem] = field(default_factory=list)


def read_versions(folder: Path) -> tuple[list[PolicyVersion], list[Problem]]:
    """Every ``*.md`` in ``folder``, oldest first, and the problems of each file."""
    versions: list[PolicyVersion] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        message = (
            "no such folder. It is plugins.policy-site.versions_dir in mkdocs.yml (under "
            "docs_dir): set it to the folder that holds the YYYY-MM-DD.md versions, or create it."
        )
        return [], [Problem(folder, 1, None, message)]
    for path in sorted(folder.glob("*.md")):
        version, found = read_version(path)
        problems += found
        if version is not None:
            versions.append(version)
    if not versions and not problems:
        problems.append(
            Problem(folder, 1, None, f"no policy version found: add one as {folder}/YYYY-MM-DD.md.")
        )
    return sorted(versions, key=lambda version: version.effective), problems


def load_policy(
    docs_dir: Path, settings: Settings, today: dt.date, record_day: dt.date | None = None
) -> Policy:
    """Read and check everything as of ``today``, the lock as of ``record_day`` (the day of the
    edit, when ``today`` is a preview's date; ``today`` when not given). Raises VersionError
    listing every problem found."""
    folder = docs_dir / settings.versions_dir
    versions, problems = read_versions(folder)
    problems += check_rules(versions, settings.notice_days)
    lock: dict[str, LockEntry] = {}
    if not problems:
        lock_path = docs_dir / settings.lock_file
        try:
            lock = read_lock(lock_path)
        except ValueError as err:
            problems.append(Problem(lock_path, 1, None, str(err)))
        else:
            if not lock_path.is_file():
                problems.append(Problem(lock_path, 1, None, _no_lock()))
            else:
                problems += check_lock(versions, lock, record_day or today, lock_path, folder)
    if problems:
        raise VersionError(problems)
    announcements = {vid: entry.announced for vid, entry in lock.items()}
    timeline = make_timeline(versions, today, announcements)
    return Policy(settings, tuple(versions), timeline, lint_wording(versions))


def _no_lock() -> str:
    return (
        "no such lock file. It is plugins.policy-site.lock_file in mkdocs.yml (under docs_dir): if "
        "the lock is elsewhere, correct the option; for a new site, run "
        f"{command('check --update-lock')} and commit the lock it writes."
    )
