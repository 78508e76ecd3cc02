"""The editor's commands: ``check`` (validate without building; ``--update-lock`` records the
versions and keeps the consent bundles), ``new-version`` (start a revision), ``withdraw`` (take back
an announced version before it takes effect), ``snippet`` (the consent tags for another site).

``policy_site.cli`` parses the command line; each command is a thin layer over
``policy_site.versions`` and ``policy_site.consent``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from policy_site.commands import command
from policy_site.consent import ConsentConfigError
from policy_site.consent.include import MANIFEST, snippet
from policy_site.consent.published import (
    PublishedError,
)
from policy_site.consent.releases import (
    ReleasesError,
)
from policy_site.dates import AS_OF_ENV, build_date, record_date
from policy_site.kept import (
    consent_problems,
    deleted_bundles,
    keep_bundles,
    read_settings,
    unkept_bundles,
)
from policy_site.versions import Settings, VersionError, load_policy
from policy_site.versions.lock import read_lock, updated_lock, write_lock
from policy_site.versions.model import PolicyVersion, split_front_matter
from policy_site.versions.policy import read_translations, read_versions
from policy_site.versions.rules import check_rules, restate_effective_date
from policy_site.versions.timeline import is_published
from policy_site.versions.translations import bind_translations, check_translations

__all__ = ["check", "new_version", "print_snippet", "withdraw"]


def _today(settings: Settings, as_of: str | None) -> dt.date:
    return build_date(settings.timezone, {AS_OF_ENV: as_of} if as_of else None)


def check(config_file: Path, as_of: str | None, update_lock: bool) -> int:
    docs_dir, settings = read_settings(config_file)
    today = _today(settings, as_of)
    record_day = record_date(settings.timezone)
    if update_lock:
        folder = docs_dir / settings.versions_dir
        versions, problems = read_versions(folder)
        written, unreadable = read_translations(folder)
        problems += unreadable + check_rules(versions, settings.notice_days)
        problems += check_translations(versions, written, settings.language, settings.languages)
        everything = [*versions, *bind_translations(versions, written)]
        lock_path = docs_dir / settings.lock_file
        update = updated_lock(everything, read_lock(lock_path), record_day, lock_path, folder)
        if problems or update.problems:
            print(VersionError(problems + update.problems), file=sys.stderr)
            print("The lock was not written.", file=sys.stderr)
            return 1
        write_lock(lock_path, update.lock)
        for vid in update.dropped:
            print(f"{lock_path}: dropped draft {vid}, whose file is gone (it was never published).")
        translations = sum(len(key) > 10 for key in update.lock)
        counted = f"{len(update.lock) - translations} version(s)"
        counted += f" and {translations} translation(s)" if translations else ""
        print(f"{lock_path}: recorded {counted}. Commit it with the versions.")
        try:
            kept = keep_bundles(config_file, versions, today, update.lock, record_day)
        except (ConsentConfigError, PublishedError, ReleasesError, VersionError) as err:
            print(f"{err}\nThe consent bundles were not kept.", file=sys.stderr)
            return 1
        if kept:
            print(kept)
    consent = consent_problems(config_file)
    try:
        policy = load_policy(docs_dir, settings, today, record_day)
    except VersionError as err:
        print(err, file=sys.stderr)
        if consent:
            print(consent, file=sys.stderr)
        found = len(err.problems) + (consent.count("\n") + 1 if consent else 0)
        print(f"{found} problem(s) found.", file=sys.stderr)
        return 1
    if consent:
        print(f"{consent}\n{consent.count(chr(10)) + 1} problem(s) found.", file=sys.stderr)
        return 1
    for warning in policy.warnings:
        print(f"{warning} (warning: fails the strict build)", file=sys.stderr)
    try:
        unkept = unkept_bundles(config_file, list(policy.versions), today)
    except (ConsentConfigError, PublishedError, ReleasesError) as err:
        print(err, file=sys.stderr)
        return 1
    try:
        gone = deleted_bundles(config_file)
    except ReleasesError as err:
        gone = [str(err)]
    if gone:
        print("\n".join(gone), file=sys.stderr)
        return 1
    if unkept:
        print(
            f"Not kept yet: {', '.join(unkept)}. Run "
            f"{command('check --update-lock')} and commit them (warning: fails the strict build).",
            file=sys.stderr,
        )
    timeline = policy.timeline
    upcoming = f"; {timeline.upcoming.id} is upcoming" if timeline.upcoming else ""
    print(
        f"{len(policy.versions)} version(s) checked as of {today}: {timeline.current.id} is in "
        f"effect{upcoming}."
    )
    return 1 if policy.warnings or unkept else 0


def _source(
    versions: list[PolicyVersion], today: dt.date, chosen: str | None
) -> tuple[PolicyVersion, str] | str:
    """The version a new one starts from (the newest published, upcoming included, withdrawn
    not, unless ``chosen``), and where it stands; or the error to print."""
    published = [
        version
        for version in versions
        if is_published(version, today)
        and (version.withdrawn is None or version.withdrawn.date > today)
    ]
    in_effect = [version for version in published if version.effective <= today]
    ids = ", ".join(version.id for version in versions)
    if chosen is not None:
        found = next((version for version in versions if version.id == chosen), None)
        if found is None:
            return f"--from {chosen}: no such version; the versions are {ids}."
    elif published:
        found = published[-1]
    else:
        return f"no version is published as of {today}: choose one with --from ({ids})."
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
    kind = "the version chosen with --from" if chosen else "the newest published version"
    return found, f"{kind}: {status}"


def new_version(
    config_file: Path, effective: str, change: str, as_of: str | None, chosen: str | None = None
) -> int:
    docs_dir, settings = read_settings(config_file)
    today = _today(settings, as_of)
    dates = {"effective date": effective} | ({"--from": chosen} if chosen is not None else {})
    for what, given in dates.items():
        try:
            dt.date.fromisoformat(given)
        except ValueError:
            print(f"'{given}' is not a date: give the {what} as YYYY-MM-DD.", file=sys.stderr)
            return 2
    day = dt.date.fromisoformat(effective)
    folder = docs_dir / settings.versions_dir
    target = folder / f"{day.isoformat()}.md"
    if target.exists():
        print(f"{target} exists already: edit it, or choose another date.", file=sys.stderr)
        return 1
    versions, problems = read_versions(folder)
    if problems:
        print(VersionError(problems), file=sys.stderr)
        return 1
    found = _source(
        versions, today, dt.date.fromisoformat(chosen).isoformat() if chosen is not None else None
    )
    if isinstance(found, str):
        print(found, file=sys.stderr)
        return 1
    source, described = found
    earliest = today + dt.timedelta(days=settings.notice_days)
    if change == "material" and day < earliest:
        print(
            f"A material change announced today ({today}) can take effect on {earliest} at the "
            "earliest: choose that date or a later one.",
            file=sys.stderr,
        )
        return 1
    meta: dict[str, Any] = {"title": source.title}
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=96).splitlines()
    front = [
        "---",
        *header,
        f"effective: {day.isoformat()}",
        f"announced: {today.isoformat()}",
        f"change: {change}",
        "summary: ''  # plain words on what changed and what does not",
    ]
    if source.waivers:
        lint = {"lint": {rule: str(reason).strip() for rule, reason in source.waivers.items()}}
        front += yaml.safe_dump(lint, allow_unicode=True, sort_keys=False, width=96).splitlines()
    front.append("---")
    body, restated = restate_effective_date(source.body, day)
    target.write_text("\n".join(front) + "\n" + body, encoding="utf-8")
    print(f"Created {target} from {source.id} ({described}).")
    if chosen is None:
        print("  (--from YYYY-MM-DD starts from another version.)")
    if source.waivers:
        rules = ", ".join(source.waivers)
        print(
            f"Kept its lint waiver(s) with their reasons ({rules}): delete one once the text "
            "follows its rule, or say why it still applies."
        )
    for index, old, new in restated:
        print(
            f"Changed the stated effective date on line {len(front) + 1 + index}: {old} -> {new}."
        )
    print("Next:")
    print("  1. Edit its text; change only what this revision is about.")
    print("  2. Write 'summary': what changes, in plain words, and that nothing else does.")
    print(f"  3. Set 'announced' to the day you publish the announcement (today: {today}).")
    print(f"  4. {command('check --update-lock')}, then {command('build')} and read the redline")
    print(f"     at /{settings.redline_url(day.isoformat())} ({command('serve')}).")
    print("  5. Commit the version file and the lock together.")
    for code in settings.translated:
        translated = folder / f"{source.id}.{code}.md"
        if translated.exists():
            print(
                f"Not copied: {translated.name}, the {code} translation of {source.id}. Until "
                f"{folder.name}/{day.isoformat()}.{code}.md translates the new text, "
                f"/{settings.current_url(code)} will say from {day.isoformat()} that the version "
                "in effect has no translation yet (README: Translations)."
            )
    return 0


def withdraw(config_file: Path, version_id: str, reason: str, as_of: str | None) -> int:
    """Marks an announced version, not yet in effect, as withdrawn today, with the reason: its
    page stays, saying so, and the archive, feed and manifest say so too."""
    docs_dir, settings = read_settings(config_file)
    today = _today(settings, as_of)
    try:
        day = dt.date.fromisoformat(version_id)
    except ValueError:
        print(f"'{version_id}' is not a date: give the version as YYYY-MM-DD.", file=sys.stderr)
        return 2
    if not reason.strip():
        print(
            "--reason is empty: say, in plain words, why the version is withdrawn.", file=sys.stderr
        )
        return 2
    versions, problems = read_versions(docs_dir / settings.versions_dir)
    if problems:
        print(VersionError(problems), file=sys.stderr)
        return 1
    version = next((v for v in versions if v.effective == day), None)
    refusal = None
    if version is None:
        ids = ", ".join(v.id for v in versions)
        refusal = f"no version takes effect on {day}; the versions are {ids}."
    elif version.withdrawn is not None:
        refusal = f"{version.path}: withdrawn already, on {version.withdrawn.date}."
    elif version.effective <= today:
        refusal = (
            f"{version.path}: in effect since {version.id}; a version in effect is not withdrawn "
            f"but replaced: {command('new-version YYYY-MM-DD')}."
        )
    elif not is_published(version, today):
        refusal = (
            f"{version.path}: not announced yet (announced: {version.announced}), so no reader "
            f"has seen it: delete the file instead (and run {command('check --update-lock')})."
        )
    if refusal or version is None:
        print(refusal, file=sys.stderr)
        return 1
    text = version.path.read_text(encoding="utf-8")
    parts = split_front_matter(text)
    assert parts is not None, "read_versions read it"
    head = text[: len(text) - len(parts[1])]
    closing = head.rstrip("\r\n").rfind("\n") + 1
    entry = {"withdrawn": {"date": today, "reason": " ".join(reason.split())}}
    added = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False, width=96)
    version.path.write_text(head[:closing] + added + head[closing:] + parts[1], encoding="utf-8")
    print(f"{version.path}: withdrawn on {today}. Its page stays at its address and says so.")
    print("Next:")
    print(f"  1. {command('check --update-lock')}, then {command('build')}.")
    print("  2. Commit the version file and the lock together.")
    print(f"  A text for a later date is a new version: {command('new-version YYYY-MM-DD')}.")
    return 0


def print_snippet(site_dir: Path, language: str | None, pinned: bool) -> int:
    manifest = site_dir / MANIFEST
    if not manifest.is_file():
        print(f"{manifest} not found: run {command('build')} first.", file=sys.stderr)
        return 1
    print(snippet(json.loads(manifest.read_text(encoding="utf-8")), language, pinned))
    return 0
