"""The editor's commands: ``check`` (validate without building; ``--update-lock`` records the
versions and keeps the consent bundles), ``new-version`` (start a revision, a draft), ``snippet``
(the consent tags for another site). ``announce`` and ``withdraw`` are policy_site.lifecycle's.

``policy_site.cli`` parses the command line; each command is a thin layer over
``policy_site.versions`` and ``policy_site.consent``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policy_site.consent.archive import keep_bundles
from policy_site.consent.include import MANIFEST, snippet
from policy_site.dates import build_date, record_date
from policy_site.problems import PolicySiteError, Problem
from policy_site.publishing import section_anchors
from policy_site.render import site_renderer
from policy_site.site import SiteConfig, load_site
from policy_site.versions import Settings
from policy_site.versions.history import lock_history, merged
from policy_site.versions.lock import read_lock, updated_lock, write_lock
from policy_site.versions.model import PolicyVersion
from policy_site.versions.policy import read_translations, read_versions
from policy_site.versions.rules import check_rules, restate_effective_date
from policy_site.versions.timeline import is_published
from policy_site.versions.translations import bind_translations, check_translations

__all__ = [
    "Outcome",
    "build_day",
    "check",
    "checked_versions",
    "given_day",
    "new_version",
    "print_snippet",
    "read_checked",
    "update_lock",
]


@dataclass
class Outcome:
    """What a command says: lines for the reader (stdout), warnings (stderr), its exit code.
    A command that cannot do its work raises PolicySiteError instead."""

    said: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    code: int = 0


def build_day(settings: Settings, environ: Mapping[str, str]) -> dt.date:
    return build_date(settings.timezone, environ)


def update_lock(
    config: SiteConfig, environ: Mapping[str, str], out: Outcome, publish: bool = False
) -> None:
    """Records the versions' hashes in the lock, and keeps the consent bundles of today and of
    every upcoming version. Raises PolicySiteError, writing nothing, on a problem, and on a lock
    that records nothing (a draft site) unless ``publish``: that is policy-site publish's."""
    settings = config.settings()
    today = build_day(settings, environ)
    record_day = record_date(settings.timezone, environ)
    folder = config.docs_dir / settings.versions_dir
    versions, everything, problems = checked_versions(config, record_day)
    lock_path = config.docs_dir / settings.lock_file
    lock = read_lock(lock_path)
    history = lock_history(lock_path, record_day)
    if not lock and lock_path.is_file() and not publish and not history.entries:
        raise PolicySiteError(
            f"{lock_path} records no version: nothing is published yet, and the versions are "
            "drafts, free to change. When the policy is ready, publish it with policy-site "
            "publish (it takes effect that day)."
        )
    base, forged = merged(lock, history, record_day, lock_path)
    update = updated_lock(everything, base, record_day, lock_path, folder)
    if problems or forged or update.problems:
        found = [*problems, *forged, *update.problems]
        raise PolicySiteError(found, note="The lock was not written.")
    write_lock(lock_path, update.lock)
    if history.unverified:
        out.said.append(history.unverified)
    if not lock and history.entries:
        out.said.append(f"{lock_path}: the versions commit {history.newest} published are "
                        "recorded again as it recorded them.")  # fmt: skip
    for vid in update.dropped:
        out.said.append(f"{lock_path}: dropped draft {vid}, whose file is gone (it was never "
                        "published).")  # fmt: skip
    translations = sum(len(key) > 10 for key in update.lock)
    counted = f"{len(update.lock) - translations} version(s)"
    counted += f" and {translations} translation(s)" if translations else ""
    out.said.append(f"{lock_path}: recorded {counted}. Commit it with the versions.")
    try:
        kept = keep_bundles(config, versions, today, update.lock, record_day)
    except PolicySiteError as err:
        raise PolicySiteError(err.found, note="The consent bundles were not kept.") from None
    if kept:
        out.said.append(kept)


def checked_versions(
    config: SiteConfig, day: dt.date
) -> tuple[list[PolicyVersion], list[PolicyVersion], list[Problem]]:
    """The versions, the versions and their translations, and what is wrong with them (the
    rules, as of ``day``; not the lock)."""
    settings = config.settings()
    folder = config.docs_dir / settings.versions_dir
    versions, problems = read_versions(folder)
    written, unreadable = read_translations(folder)
    problems += unreadable + check_rules(versions, settings.notice_days, day)
    problems += check_translations(versions, written, settings.language, settings.languages)
    return versions, [*versions, *bind_translations(versions, written)], problems


def check(config: SiteConfig, environ: Mapping[str, str], update: bool) -> Outcome:
    """Everything the build checks, without building. Raises PolicySiteError listing every
    problem; the outcome's code is 1 when only warnings (which fail the strict build) remain."""
    out = Outcome()
    if update:
        update_lock(config, environ, out)
    site = load_site(config, environ)
    policy = site.policy
    _, broken = section_anchors(policy, {}, site_renderer(config.markdown, config.config_file))
    warnings = [*policy.warnings, *broken]
    out.warned += [f"{warning} (warning: fails the strict build)" for warning in warnings]
    if policy.unverified and not update:
        out.said.append(policy.unverified)
    if site.kept is not None and site.unkept:
        out.warned.append(f"{site.kept.not_kept(site.unkept)} (warning: fails the strict build)")
    out.said.append(
        f"{len(policy.versions)} version(s) checked as of {site.today}: {policy.status}."
    )
    out.code = 1 if out.warned else 0
    return out


def _source(
    versions: list[PolicyVersion], today: dt.date, chosen: str | None, day: dt.date
) -> tuple[PolicyVersion, str]:
    """The version a new one taking effect on ``day`` starts from (the newest published before
    ``day``, upcoming included, withdrawn not, unless ``chosen``), and where it stands. Raises
    PolicySiteError when there is none."""
    published = [
        version
        for version in versions
        if is_published(version, today)
        and (version.withdrawn is None or version.withdrawn.date > today)
        and version.effective < day
    ]
    in_effect = [version for version in published if version.effective <= today]
    ids = ", ".join(version.id for version in versions)
    if chosen is not None:
        found = next((version for version in versions if version.id == chosen), None)
        if found is None:
            raise PolicySiteError(f"--from {chosen}: no such version; the versions are {ids}.")
    elif published:
        found = published[-1]
    else:
        raise PolicySiteError(
            f"no version published as of {today} takes effect before {day}: choose one with "
            f"--from ({ids})."
        )
    if found.withdrawn is not None and found.withdrawn.date <= today:
        status = f"withdrawn on {found.withdrawn.date}"
    elif found not in published:
        status = "a draft, not announced yet"
    elif found.effective > today:
        status = f"upcoming, takes effect on {found.id}"
    else:
        status = "in effect" if found is in_effect[-1] else "superseded"
    if in_effect and found is not in_effect[-1]:
        status += f"; {in_effect[-1].id} is in effect"
    kind = "the version chosen with --from" if chosen else "the version that applies before it"
    return found, f"{kind}: {status}"


def given_day(given: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise PolicySiteError(f"'{given}' is not a date: give the {what} as YYYY-MM-DD.") from None


def read_checked(config: SiteConfig) -> list[PolicyVersion]:
    versions, problems = read_versions(config.docs_dir / config.settings().versions_dir)
    if problems:
        raise PolicySiteError(problems)
    return versions


def new_version(
    config: SiteConfig,
    effective: str,
    change: str,
    environ: Mapping[str, str],
    chosen: str | None = None,
) -> Outcome:
    settings = config.settings()
    today = build_day(settings, environ)
    day = given_day(effective, "effective date")
    chosen_id = given_day(chosen, "--from").isoformat() if chosen is not None else None
    folder = config.docs_dir / settings.versions_dir
    target = folder / f"{day.isoformat()}.md"
    if target.exists():
        raise PolicySiteError(f"{target} exists already: edit it, or choose another date.")
    source, described = _source(read_checked(config), today, chosen_id, day)
    earliest = today + dt.timedelta(days=settings.notice_days)
    if change == "material" and day < earliest:
        raise PolicySiteError(
            f"A material change announced today ({today}) can take effect on {earliest} at the "
            "earliest: choose that date or a later one."
        )
    announce = f"policy-site announce {day.isoformat()}"
    meta: dict[str, Any] = {"title": source.title}
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=96).splitlines()
    front = [
        "---",
        *header,
        f"effective: {day.isoformat()}",
        f"change: {change}",
        "summary: ''  # plain words on what changed and what does not",
    ]
    if source.waivers:
        lint = {"lint": {rule: str(reason).strip() for rule, reason in source.waivers.items()}}
        front += yaml.safe_dump(lint, allow_unicode=True, sort_keys=False, width=96).splitlines()
    front.append("---")
    body, restated = restate_effective_date(source.body, day)
    target.write_text("\n".join(front) + "\n" + body, encoding="utf-8")
    said = [f"Created {target} from {source.id} ({described})."]
    if chosen is None:
        said.append("  (--from YYYY-MM-DD starts from another version.)")
    if source.waivers:
        rules = ", ".join(source.waivers)
        said.append(
            f"Kept its lint waiver(s) with their reasons ({rules}): delete one once the text "
            "follows its rule, or say why it still applies."
        )
    for index, old, new in restated:
        line = len(front) + 1 + index
        said.append(f"Changed the stated effective date on line {line}: {old} -> {new}.")
    said += [
        "It is a draft: not on the site, free to change, until it is announced.",
        "Next:",
        "  1. Edit its text; change only what this revision is about.",
        "  2. Write 'summary': what changes, in plain words, and that nothing else does.",
        "  3. policy-site check, then policy-site build --as-of "
        f"{day.isoformat()} and read the redline",
        f"     at /{settings.redline_url(day.isoformat())} (policy-site serve).",
        f"  4. When the text is final: {announce}. It sets 'announced' to that day and records",
        "     the text in the lock; from then on readers see it, and a change to it is announced",
        "     again (the notice period starts over).",
        "  5. Commit the version file and the lock together.",
    ]
    for code in settings.translated:
        translated = folder / f"{source.id}.{code}.md"
        if translated.exists():
            said.append(
                f"Not copied: {translated.name}, the {code} translation of {source.id}. Until "
                f"{folder.name}/{day.isoformat()}.{code}.md translates the new text, "
                f"/{settings.current_url(code)} will say from {day.isoformat()} that the version "
                "in effect has no translation yet (manual/docs/editors.md: Translations)."
            )
    return Outcome(said)


def print_snippet(site_dir: Path, language: str | None, pinned: bool) -> Outcome:
    manifest = site_dir / MANIFEST
    if not manifest.is_file():
        raise PolicySiteError(f"{manifest} not found: run policy-site build first.")
    try:
        languages = json.loads(manifest.read_text(encoding="utf-8"))["pinned"]["js"]
    except (ValueError, KeyError, TypeError):
        languages = None  # not the build's manifest: said below
    if language is not None and isinstance(languages, dict) and language not in languages:
        raise PolicySiteError(
            f"--lang {language}: the site's consent script has no texts in {language!r}, only "
            f"in {', '.join(sorted(languages))}: give one of them, or add texts.{language} to "
            "consent/consent.yml and build again."
        )
    try:
        return Outcome(
            [snippet(json.loads(manifest.read_text(encoding="utf-8")), language, pinned)]
        )
    except (ValueError, KeyError, TypeError) as err:
        raise PolicySiteError(
            f"{manifest}: not the manifest the build writes ({type(err).__name__}: {err}): "
            "build the site again with policy-site build."
        ) from None
