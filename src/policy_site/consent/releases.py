"""The evidence of the consent mechanism: every release of the consent bundle ever published.

A release is one bundle as a build publishes it: the day it was first kept, the consent revision
its stored choices carry, the policy version that revision follows (with the SHA-256 of that
version's Markdown, as versions.lock and versions.json give it), the SHA-256 of consent.yml's
content (canonical JSON, so that a comment or a re-indent is not a new release) and the SHA-256 of
each of its files. ``./scripts/check --update-lock`` records a release when it keeps the bundle's
files; the ledger, ``releases.json`` in the folder of kept bundles, is committed, published at
``/consent/releases.json`` and never loses an entry: a build refuses a ledger that dropped or
changed one that its last commit holds. No MkDocs in here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from policy_site.consent.bundle import Bundle
from policy_site.consent.config import ConsentConfig
from policy_site.consent.published import LEDGER, assets
from policy_site.git import GitError, file_at_head
from policy_site.problems import PolicySiteError

__all__ = [
    "LEDGER",
    "Release",
    "ReleasesError",
    "config_sha256",
    "lost",
    "make_release",
    "read_releases",
    "release_id",
    "releases_json",
]

FORMAT = 1


class ReleasesError(PolicySiteError):
    """The ledger of consent releases cannot be read or lost an entry."""


@dataclass(frozen=True)
class Release:
    id: str
    #: The day the release was recorded (``./scripts/check --update-lock``).
    published: str
    revision: str
    policy_version: str
    #: SHA-256 of the policy version's Markdown (versions.lock, versions.json ``sha256.markdown``).
    policy_sha256: str
    #: SHA-256 of consent.yml's content as canonical JSON.
    config_sha256: str
    #: The categories a visitor chooses (all but the necessary one), in consent.yml's order: what
    #: a receipt of this release may carry.
    categories: list[str]
    #: Path in the site -> SHA-256 of the file.
    files: dict[str, str]


def _files(bundle: Bundle) -> dict[str, str]:
    return {
        asset.path: hashlib.sha256(asset.content.encode("utf-8")).hexdigest()
        for asset in sorted(assets(bundle), key=lambda asset: asset.path)
    }


def release_id(bundle: Bundle) -> str:
    """The first 12 hex digits of the SHA-256 of the bundle's file hashes: a new text, host or
    stylesheet is a new release."""
    lines = "".join(f"{path} {digest}\n" for path, digest in _files(bundle).items())
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:12]


def config_sha256(path: Path) -> str:
    """SHA-256 of consent.yml's content: its YAML as JSON, keys sorted, no white space."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)  # fmt: skip
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_release(
    bundle: Bundle, config: ConsentConfig, policy_sha256: str, day: dt.date
) -> Release:
    return Release(
        id=release_id(bundle),
        published=day.isoformat(),
        revision=bundle.revision,
        policy_version=bundle.revision.partition(".")[0],
        policy_sha256=policy_sha256,
        config_sha256=config_sha256(config.path),
        categories=[category.id for category in config.categories if not category.necessary],
        files=_files(bundle),
    )


def _parse(text: str, where: str) -> list[Release]:
    try:
        data = json.loads(text)
        return [Release(**entry) for entry in data["releases"]]
    except (ValueError, KeyError, TypeError) as err:
        raise ReleasesError(
            f"{where}: not a ledger of consent releases ({err}). It is written by "
            "./scripts/check --update-lock: restore it from git (git checkout -- "
            f"{Path(where).name})."
        ) from None


def read_releases(folder: Path) -> list[Release]:
    """The ledger in ``folder``, oldest first; empty when there is none yet."""
    path = folder / LEDGER
    if not path.is_file():
        return []
    return _parse(path.read_text(encoding="utf-8"), str(path))


def releases_json(releases: list[Release]) -> str:
    data: dict[str, Any] = {"format": FORMAT, "releases": [asdict(r) for r in releases]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def lost(folder: Path, shown: str) -> list[str]:
    """Each release that the ledger's last commit holds and the ledger no longer holds as it was,
    with the fix; empty outside a git repository or before the ledger's first commit."""
    try:
        committed = file_at_head(folder, LEDGER)
    except GitError:
        return []
    if committed is None:
        return []
    now = {release.id: release for release in read_releases(folder)}
    return [
        f"{shown}/{LEDGER}: release {release.id} (consent revision {release.revision}, "
        f"{release.published}) was {'changed' if release.id in now else 'removed'}; the ledger "
        f"only grows. Restore it: git checkout HEAD -- {shown}/{LEDGER}"
        for release in _parse(committed, f"HEAD:{shown}/{LEDGER}")
        if now.get(release.id) != release
    ]
