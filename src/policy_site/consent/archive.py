"""The archive: every consent bundle file ever published, and the ledger of their releases.

A page on another site (the shop, the forum) may pin a hashed file with ``integrity``; a page
cached yesterday names yesterday's file. Builds start from a clean checkout, so the files are kept
in a committed folder (``published_bundles`` in mkdocs.yml, ``consent/published/`` here): the build
publishes all of them again and warns of a bundle that is not kept there yet (the strict build
fails), and, where the folder is in a git repository, refuses a kept file that a commit deleted (a
``git revert`` of a consent change would otherwise take its bundle off the site). Beside the files,
the ledger (``releases.json``) records each release and never loses an entry: a build refuses a
ledger that dropped or changed one that its last commit holds.

A release is one bundle as a build publishes it: the day it was first kept, the consent revision
its stored choices carry, the policy version that revision follows (with the SHA-256 of that
version's Markdown, as versions.lock and versions.json give it), the SHA-256 of consent.yml's
content (canonical JSON, so that a comment or a re-indent is not a new release) and the SHA-256 of
each of its files. The ledger is committed and published at ``/consent/releases.json``.

``policy-site check --update-lock`` (``keep_bundles``) adds the bundles of the version in effect
and of every upcoming one, and their releases. No MkDocs in here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from policy_site.consent.bundle import Asset, Bundle, render_bundle, script_digest
from policy_site.consent.config import ConsentConfig, load_consent
from policy_site.git import GitError, deleted_paths, file_at_head
from policy_site.problems import PolicySiteError
from policy_site.versions import Settings
from policy_site.versions.lock import LockEntry
from policy_site.versions.model import PolicyVersion, VersionError
from policy_site.versions.timeline import is_published, make_timeline

if TYPE_CHECKING:
    from policy_site.site import SiteConfig

__all__ = [
    "LEDGER",
    "ArchiveError",
    "Kept",
    "Release",
    "assets",
    "bundles",
    "config_sha256",
    "deleted",
    "keep",
    "keep_bundles",
    "lost",
    "make_release",
    "missing",
    "public_revisions",
    "read_kept",
    "read_ledger",
    "read_published",
    "read_releases",
    "release_id",
    "releases_json",
    "revisions",
]

#: The ledger of releases, kept beside the files.
LEDGER = "releases.json"
#: The ledger's format, written in it.
FORMAT = 1

#: A bundle file's name: ``consent.<lang>.<hash>.js``, ``consent.<lang>.dialog.<hash>.js``,
#: ``consent.<hash>.css`` or ``consent.dialog.<hash>.css``, the hash being the first 12 hex
#: digits of the SHA-256 of its content (see bundle.script_digest).
_NAME = re.compile(
    r"\Aconsent\.(?:[a-z]{2,3}(?:-[A-Za-z0-9]+)*\.)?(?:dialog\.)?([0-9a-f]{12})\.(?:js|css)\Z"
)


class ArchiveError(PolicySiteError):
    """The kept bundles or their ledger hold something the build cannot vouch for: a file that is
    not a bundle file or no longer matches its hash, a ledger that cannot be read, a kept file or
    release that a commit deleted or changed."""


@dataclass(frozen=True)
class Release:
    id: str
    #: The day the release was recorded (``policy-site check --update-lock``).
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
    #: The services chosen on their own (in a category of two or more), in consent.yml's order;
    #: not written in the ledger when there are none, as before services were chosen so.
    services: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Kept:
    """The consent files every build publishes again (``published_bundles``), and the ledger of
    their releases."""

    folder: Path
    #: The folder as mkdocs.yml names it (``consent/published``), for messages.
    shown: str
    files: Mapping[str, bytes]
    releases: tuple[Release, ...]

    def unkept(self, bundles: Iterable[Bundle]) -> list[str]:
        """What the folder lacks of ``bundles``: their files (``assets/...``), then their releases
        that the ledger does not hold."""
        made = list(bundles)
        known = {release.id for release in self.releases}
        unkept = missing(made, dict(self.files)) + [
            f"release {release_id(b)} in {self.shown}/{LEDGER}"
            for b in made
            if release_id(b) not in known
        ]
        return list(dict.fromkeys(unkept))

    def not_kept(self, unkept: Sequence[str]) -> str:
        """The one wording of what the folder lacks (``unkept``), with the fix."""
        said = (
            f"{self.shown}/ does not keep {', '.join(unkept)}, which this build would publish; a "
            "later build would then drop it, breaking every page that pinned it. Run "
            f"policy-site check --update-lock and commit {self.shown}/ with your change."
        )
        if not self.folder.is_dir():
            said += (
                f" ({self.shown}/ does not exist: it is plugins.policy-site.published_bundles in "
                "mkdocs.yml; if the bundles are kept elsewhere, correct the option.)"
            )
        return said


def read_kept(root: Path, shown: str) -> Kept:
    """The kept bundle files and releases in ``root / shown``. Raises ArchiveError when a kept
    file or release was deleted or changed."""
    folder = root / shown
    files = read_published(folder)
    releases = read_releases(folder)
    gone = deleted(folder, shown) + lost(folder, shown)
    if gone:
        raise ArchiveError("\n".join(gone))
    return Kept(folder, shown, files, tuple(releases))


def read_published(folder: Path) -> dict[str, bytes]:
    """File name -> content of every kept bundle file. Raises ArchiveError, naming the file and
    the fix, for a file that is not a bundle file or whose content no longer matches its name."""
    kept: dict[str, bytes] = {}
    if not folder.is_dir():
        return kept
    for path in sorted(folder.iterdir()):
        if path.name == LEDGER:
            continue
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            raise ArchiveError(
                f"{path}: not a consent bundle file (consent.<lang>.<hash>.js or "
                "consent.<hash>.css). Only the build's files belong here: move it elsewhere."
            )
        content = path.read_bytes()
        if script_digest(path.name, content.decode("utf-8", "replace")) != match.group(1):
            raise ArchiveError(
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


def assets(bundle: Bundle) -> list[Asset]:
    """The hashed files of ``bundle``: one script and one dialog per language, and the two
    stylesheets (the banner's and the dialog's)."""
    return [*bundle.scripts.values(), *bundle.dialogs.values(), bundle.css, bundle.dialog_css]


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
        services=[
            str(service.id)
            for category in config.categories
            if category.per_service
            for service in category.services
        ],
    )


def _parse(text: str, where: str) -> list[Release]:
    try:
        data = json.loads(text)
        return [Release(**entry) for entry in data["releases"]]
    except (ValueError, KeyError, TypeError) as err:
        raise ArchiveError(
            f"{where}: not a ledger of consent releases ({err}). It is written by "
            "policy-site check --update-lock: restore it from git (git checkout -- "
            f"{Path(where).name})."
        ) from None


def read_releases(folder: Path) -> list[Release]:
    """The ledger in ``folder``, oldest first; empty when there is none yet."""
    path = folder / LEDGER
    return read_ledger(path) if path.is_file() else []


def read_ledger(path: Path) -> list[Release]:
    """The ledger that is the file ``path``, whatever its name, oldest first."""
    return _parse(path.read_text(encoding="utf-8"), str(path))


def releases_json(releases: list[Release]) -> str:
    entries = [{k: v for k, v in asdict(r).items() if k != "services" or v} for r in releases]
    data: dict[str, Any] = {"format": FORMAT, "releases": entries}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


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


def revisions(versions: Sequence[PolicyVersion], today: dt.date, current: str) -> list[str]:
    """The consent revision of ``today`` (``current``), then that of each upcoming version's first
    day: the revisions this build and the later ones will publish."""
    days = sorted({v.effective for v in versions if v.effective > today})
    later = [make_timeline(list(versions), day).consent_revision for day in days]
    return list(dict.fromkeys([current, *later]))


def public_revisions(
    versions: Sequence[PolicyVersion], today: dt.date, record_day: dt.date
) -> list[str]:
    """``revisions`` of the versions published on ``record_day`` (drafts left out), as of
    ``today``; none when none of them is in effect on ``today``."""
    public = [version for version in versions if is_published(version, record_day)]
    try:
        current = make_timeline(public, today).consent_revision
    except VersionError:
        return []
    return revisions(public, today, current)


def bundles(
    config: SiteConfig, settings: Settings, consent: ConsentConfig, revisions: Sequence[str]
) -> list[Bundle]:
    """The consent bundle of each of ``revisions``."""
    site_url = config.site_url or "/"
    policy_url = site_url.rstrip("/") + "/" + settings.current_url()
    urls = settings.policy_urls(site_url)
    return [
        render_bundle(
            consent,
            revision,
            policy_url,
            default_language=config.theme_language or "en",
            policy_urls=urls,
        )
        for revision in revisions
    ]


def keep_bundles(
    config: SiteConfig, versions: Sequence[PolicyVersion], today: dt.date,
    lock: Mapping[str, LockEntry], record_day: dt.date,
) -> str | None:  # fmt: skip
    """Adds the bundles of today and of every upcoming version to the kept folder, and a release
    of each that the ledger lacks, dated ``record_day``; says what it did (None when the site
    keeps no bundles)."""
    shown = config.options.published_bundles
    if not config.options.consent or not shown:
        return None
    consent = load_consent(config.root / config.options.consent)
    made = bundles(
        config, config.settings(), consent, public_revisions(versions, today, record_day)
    )
    folder = config.root / shown
    added = keep(made, folder)
    releases = read_releases(folder)
    known = {release.id for release in releases}
    new = [
        make_release(b, consent, lock[b.revision.partition(".")[0]].sha256, record_day)
        for b in made
        if release_id(b) not in known
    ]
    if new:
        (folder / LEDGER).write_text(releases_json(releases + new), encoding="utf-8")
    said = f"{folder}: keeps the consent bundles of revision(s) "
    said += ", ".join(bundle.revision for bundle in made)
    if added or new:
        return said + f"; added {len(added)} file(s) and {len(new)} release(s). Commit them."
    return said + "."
