"""Reading version files and deciding which one is in effect on a given day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "PolicyVersion",
    "VersionError",
    "current_version",
    "load_versions",
    "split_front_matter",
]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*\r?\n?", re.DOTALL)
_FILE_NAME = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")


class VersionError(ValueError):
    """A version file is wrong. The message names the file, the key and the fix."""


@dataclass(frozen=True)
class PolicyVersion:
    """One version of the policy as its editor wrote it."""

    path: Path
    effective: dt.date
    title: str
    body: str
    meta: dict[str, Any]

    @property
    def id(self) -> str:
        """The version's permanent identifier: its effective date, ``YYYY-MM-DD``."""
        return self.effective.isoformat()


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """Split ``text`` into its YAML front matter (a mapping) and the Markdown body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise VersionError(
            f"{path}: no front matter. Start the file with a '---' line, the keys "
            "(at least 'effective: YYYY-MM-DD' and 'title'), and another '---' line."
        )
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as err:
        raise VersionError(f"{path}: the front matter is not valid YAML: {err}") from None
    if not isinstance(meta, dict):
        raise VersionError(f"{path}: the front matter must be 'key: value' lines, not a list.")
    return meta, text[match.end() :]


def _read_version(path: Path) -> PolicyVersion:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    if not _FILE_NAME.match(path.stem):
        raise VersionError(
            f"{path}: a version file is named by its effective date, e.g. 2027-01-01.md."
        )
    effective = meta.get("effective")
    if effective is None:
        raise VersionError(f"{path}: key 'effective' is missing: add 'effective: {path.stem}'.")
    if isinstance(effective, dt.datetime) or not isinstance(effective, dt.date):
        raise VersionError(
            f"{path}: key 'effective' must be a date written YYYY-MM-DD, got {effective!r}."
        )
    if effective.isoformat() != path.stem:
        raise VersionError(
            f"{path}: key 'effective' is {effective.isoformat()} but the file name says "
            f"{path.stem}: rename the file or correct the date so that they agree."
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise VersionError(f"{path}: key 'title' is missing: add e.g. 'title: Our Privacy Policy'.")
    return PolicyVersion(path=path, effective=effective, title=title, body=body, meta=meta)


def load_versions(folder: Path) -> list[PolicyVersion]:
    """Every version in ``folder`` (``YYYY-MM-DD.md`` files), oldest first."""
    versions = [_read_version(path) for path in sorted(folder.glob("*.md"))]
    if not versions:
        raise VersionError(f"{folder}: no policy version found. Add one as {folder}/YYYY-MM-DD.md.")
    return sorted(versions, key=lambda version: version.effective)


def current_version(versions: Sequence[PolicyVersion], today: dt.date) -> PolicyVersion:
    """The version in effect on ``today``: the latest whose effective date is not after it."""
    in_effect = [version for version in versions if version.effective <= today]
    if not in_effect:
        first = min(versions, key=lambda version: version.effective)
        raise VersionError(
            f"{first.path}: no version is in effect on {today.isoformat()}; the first takes "
            f"effect on {first.effective.isoformat()}. Build with a later date or add an "
            "earlier version."
        )
    return max(in_effect, key=lambda version: version.effective)
