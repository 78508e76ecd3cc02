"""Every consent bundle file ever published stays at its URL.

A page on another site (the shop, the forum) may pin a hashed file with ``integrity``; a page
cached yesterday names yesterday's file. Builds start from a clean checkout, so the files are kept
in a committed folder (``published_bundles`` in mkdocs.yml, ``consent/published/`` here): the build
publishes all of them again, refuses to publish a bundle that is not kept there yet, and, where the
folder is in a git repository, refuses a kept file that a commit deleted (a ``git revert`` of a
consent change would otherwise take its bundle off the site). ``./scripts/check --update-lock``
adds the bundles of the version in effect and of every upcoming one. No MkDocs in here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from policy_site.consent.bundle import Asset, Bundle, script_digest
from policy_site.git import GitError, deleted_paths
from policy_site.problems import PolicySiteError

__all__ = ["LEDGER", "PublishedError", "assets", "deleted", "keep", "missing", "read_published"]

#: The ledger of releases (consent/releases.py), kept beside the files.
LEDGER = "releases.json"

#: A bundle file's name: ``consent.<lang>.<hash>.js`` or ``consent.<hash>.css``, the hash being the
#: first 12 hex digits of the SHA-256 of its content (see bundle.script_digest).
_NAME = re.compile(r"\Aconsent\.(?:[a-z]{2,3}(?:-[A-Za-z0-9]+)*\.)?([0-9a-f]{12})\.(?:js|css)\Z")


class PublishedError(PolicySiteError):
    """The folder of published bundles holds something the build cannot vouch for."""


def assets(bundle: Bundle) -> list[Asset]:
    """The hashed files of ``bundle``: one script per language and the stylesheet."""
    return [*bundle.scripts.values(), bundle.css]


def read_published(folder: Path) -> dict[str, bytes]:
    """File name -> content of every kept bundle file. Raises PublishedError, naming the file and
    the fix, for a file that is not a bundle file or whose content no longer matches its name."""
    kept: dict[str, bytes] = {}
    if not folder.is_dir():
        return kept
    for path in sorted(folder.iterdir()):
        if path.name == LEDGER:
            continue
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            raise PublishedError(
                f"{path}: not a consent bundle file (consent.<lang>.<hash>.js or "
                "consent.<hash>.css). Only the build's files belong here: move it elsewhere."
            )
        content = path.read_bytes()
        if script_digest(path.name, content.decode("utf-8", "replace")) != match.group(1):
            raise PublishedError(
                f"{path}: its content no longer matches the hash in its name, so every page "
                "that pinned it with integrity would refuse it. Restore it from git "
                f"(git checkout -- {path.name} in {folder})."
            )
        kept[path.name] = content
    return kept


def missing(bundles: Iterable[Bundle], kept: dict[str, bytes]) -> list[str]:
    """The files of ``bundles`` that are not kept yet, as paths in the site (``assets/...``)."""
    names = {asset.path: asset.path.rpartition("/")[2] for b in bundles for asset in assets(b)}
    return sorted(path for path, name in names.items() if name not in kept)


def keep(bundles: Iterable[Bundle], folder: Path) -> list[str]:
    """Writes the files of ``bundles`` that ``folder`` lacks; returns their names."""
    kept = read_published(folder)
    added: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    for bundle in bundles:
        for asset in assets(bundle):
            name = asset.path.rpartition("/")[2]
            if name not in kept:
                (folder / name).write_bytes(asset.content.encode("utf-8"))
                kept[name] = b""
                added.append(name)
    return sorted(added)


def deleted(folder: Path, shown: str) -> list[str]:
    """Every kept file that a commit deleted and that is not back, each with the fix (``shown``
    is the folder as the editor knows it, ``consent/published``); empty when ``folder`` is not
    in a git repository (or git is missing): there is no history to ask."""
    try:
        deletions = deleted_paths(folder)
    except GitError:
        return []
    found = {
        name: commit
        for name, commit in deletions.items()
        if _NAME.match(Path(name).name) and not (folder / name).exists()
    }
    return [
        f"{shown}/{name} was published and commit {commit[:12]} deleted it: pages that pinned it "
        f"would fail. Restore it: git checkout {commit[:12]}^ -- {shown}/{name}"
        for name, commit in sorted(found.items())
    ]
