"""What a site keeps beside its versions, read from its ``mkdocs.yml``: the plugin's options, the
consent bundles every build publishes again (``published_bundles``) and the ledger of their
releases. ``check --update-lock`` writes them (``keep_bundles``); ``check`` and the build read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from policy_site.consent import Bundle, ConsentConfigError, load_consent, render_bundle
from policy_site.consent.published import LEDGER, deleted, keep, missing, read_published
from policy_site.consent.releases import (
    lost,
    make_release,
    read_releases,
    release_id,
    releases_json,
)
from policy_site.versions import Problem, Settings, VersionError
from policy_site.versions.lock import LockEntry
from policy_site.versions.model import PolicyVersion
from policy_site.versions.policy import language_settings
from policy_site.versions.timeline import make_timeline

__all__ = [
    "PLUGIN_NAME",
    "consent_problems",
    "deleted_bundles",
    "keep_bundles",
    "published_folder",
    "read_config",
    "read_settings",
    "unkept_bundles",
]

PLUGIN_NAME = "policy-site"


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even when it holds tags such as ``!!python/name:`` (they become None)."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_config(config_file: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``mkdocs.yml``, and the options of the plugin in it."""
    config: dict[str, Any] = yaml.load(config_file.read_text(encoding="utf-8"), _TolerantLoader)
    options: dict[str, Any] = {}
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and PLUGIN_NAME in plugin:
            options = plugin[PLUGIN_NAME] or {}
    return config, options


def read_settings(config_file: Path) -> tuple[Path, Settings]:
    """The docs folder and the plugin's options, as ``mkdocs.yml`` sets them."""
    config, options = read_config(config_file)
    docs_dir = config_file.parent / str(config.get("docs_dir", "docs"))
    known = {key: value for key, value in options.items() if key in Settings.__dataclass_fields__}
    theme = config.get("theme")
    theme = theme if isinstance(theme, dict) else {}
    try:
        known["language"], known["languages"] = language_settings(
            options.get("language"), options.get("languages"), theme.get("language")
        )
    except ValueError as err:
        raise VersionError([Problem(config_file, 1, None, str(err))]) from None
    return docs_dir, Settings(**known)


def _bundles(
    config_file: Path, versions: list[PolicyVersion], today: dt.date
) -> tuple[Path, list[Bundle]] | None:
    """The ``published_bundles`` folder, and the consent bundles of the version in effect and of
    every upcoming one (their builds will publish them); None when the site keeps no bundles."""
    config, options = read_config(config_file)
    if not options.get("consent") or not options.get("published_bundles"):
        return None
    consent = load_consent(config_file.parent / str(options["consent"]))
    _, settings = read_settings(config_file)
    days = {today, *(v.effective for v in versions if v.effective > today)}
    revisions = sorted({make_timeline(versions, day).consent_revision for day in days})
    site_url = str(config.get("site_url") or "/")
    policy_url = site_url.rstrip("/") + "/" + settings.current_url()
    language = str((config.get("theme") or {}).get("language") or "en")
    urls = settings.policy_urls(site_url)
    bundles = [
        render_bundle(consent, revision, policy_url, default_language=language, policy_urls=urls)
        for revision in revisions
    ]
    return config_file.parent / str(options["published_bundles"]), bundles


def consent_problems(config_file: Path) -> str | None:
    """Every problem of the plugin's ``consent`` file (consent/consent.yml), one a line, or None
    when it has none or the site has no consent bundle."""
    _, options = read_config(config_file)
    if not options.get("consent"):
        return None
    try:
        load_consent(config_file.parent / str(options["consent"]))
    except ConsentConfigError as err:
        return str(err)
    return None


def keep_bundles(
    config_file: Path,
    versions: list[PolicyVersion],
    today: dt.date,
    lock: Mapping[str, LockEntry],
    record_day: dt.date,
) -> str | None:
    """Adds the bundles of ``_bundles`` to their folder, and a release of each that the ledger
    lacks, dated ``record_day``; says what it did."""
    found = _bundles(config_file, versions, today)
    if found is None:
        return None
    folder, bundles = found
    added = keep(bundles, folder)
    _, options = read_config(config_file)
    consent = load_consent(config_file.parent / str(options["consent"]))
    releases = read_releases(folder)
    known = {release.id for release in releases}
    new = [
        make_release(b, consent, lock[b.revision.partition(".")[0]].sha256, record_day)
        for b in bundles
        if release_id(b) not in known
    ]
    if new:
        (folder / LEDGER).write_text(releases_json(releases + new), encoding="utf-8")
    kept = f"{folder}: keeps the consent bundles of revision(s) "
    kept += ", ".join(bundle.revision for bundle in bundles)
    if added or new:
        return kept + f"; added {len(added)} file(s) and {len(new)} release(s). Commit them."
    return kept + "."


def unkept_bundles(config_file: Path, versions: list[PolicyVersion], today: dt.date) -> list[str]:
    """The files of ``_bundles`` that their folder does not keep yet, and the releases of
    ``_bundles`` that the ledger does not record yet."""
    found = _bundles(config_file, versions, today)
    if found is None:
        return []
    known = {release.id for release in read_releases(found[0])}
    unrecorded = [f"release {release_id(b)} in {LEDGER}" for b in found[1]
                  if release_id(b) not in known]  # fmt: skip
    return missing(found[1], read_published(found[0])) + unrecorded


def published_folder(config_file: Path) -> Path | None:
    """The folder of kept bundles (``published_bundles``), or None when the site keeps none."""
    _, options = read_config(config_file)
    shown = str(options.get("published_bundles") or "").strip("/")
    return config_file.parent / shown if shown else None


def deleted_bundles(config_file: Path) -> list[str]:
    """Kept bundle files that a commit deleted (see published.deleted), and releases that the
    ledger lost (see releases.lost)."""
    _, options = read_config(config_file)
    shown = str(options.get("published_bundles") or "").strip("/")
    if not shown:
        return []
    return deleted(config_file.parent / shown, shown) + lost(config_file.parent / shown, shown)
