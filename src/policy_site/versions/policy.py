"""The whole policy as of a build date: versions read, rules checked, lock verified, timeline made.

This is what a generator adapter (the MkDocs plugin) and the command line both call.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from policy_site.locale import Words
from policy_site.versions.history import History, lock_history, merged, restore
from policy_site.versions.lock import LockEntry, check_lock, read_lock
from policy_site.versions.model import (
    TRANSLATION_NAME,
    PolicyVersion,
    Problem,
    VersionError,
    read_version,
)
from policy_site.versions.rules import check_rules, lint_wording
from policy_site.versions.timeline import UPCOMING, Entry, Timeline, make_timeline
from policy_site.versions.translations import (
    bind_translations,
    check_translations,
    translations_timeline,
)

__all__ = [
    "Policy",
    "Settings",
    "language_settings",
    "load_policy",
    "read_translations",
    "read_versions",
]

#: The name of a language in itself, for the language switch when mkdocs.yml names none.
LANGUAGE_NAMES = {"en": "English", "sv": "Svenska", "de": "Deutsch", "fr": "Français",
                  "es": "Español", "nb": "Norsk bokmål", "da": "Dansk", "fi": "Suomi",
                  "nl": "Nederlands", "it": "Italiano"}  # fmt: skip
_CODE = re.compile(r"\A[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


def language_settings(
    language: str | None, languages: object, theme_language: str | None
) -> tuple[str, dict[str, str]]:
    """The authoritative language and every language published, from the plugin's ``language``
    and ``languages`` options (the theme's language, then English, when they are not given).
    Raises ValueError naming the option and the fix."""
    authoritative = language or theme_language or "en"
    where = "plugins.policy-site.languages"
    if not languages:
        return authoritative, {authoritative: LANGUAGE_NAMES.get(authoritative, authoritative)}
    if not isinstance(languages, Mapping) or not all(
        isinstance(code, str) and _CODE.match(code) and isinstance(name, str) and name.strip()
        for code, name in languages.items()
    ):
        raise ValueError(
            f"{where} must map each language's code to its name in itself, e.g. "
            "'en: English' and 'sv: Svenska' on lines of their own."
        )
    if authoritative not in languages:
        raise ValueError(
            f"{where} does not list {authoritative}, the language of the authoritative text "
            f"(plugins.policy-site.language, or the theme's): add '{authoritative}: "
            f"{LANGUAGE_NAMES.get(authoritative, '<its name>')}' to it."
        )
    return authoritative, {code: name.strip() for code, name in languages.items()}


@dataclass(frozen=True)
class Settings:
    """Where the versions are and what the rules are; the plugin's options, with their defaults."""

    versions_dir: str = "privacy/versions"
    lock_file: str = "privacy/versions.lock"
    notice_days: int = 30
    timezone: str = "UTC"
    #: The language of the authoritative text: the versions' own; a translation is informative.
    language: str = "en"
    #: Every language the site publishes the policy in, by code, with its name in itself (for
    #: the language switch); the authoritative one among them.
    languages: Mapping[str, str] = field(default_factory=dict)
    #: Where readers write with questions about the policy (change notices name it).
    contact: str | None = None
    #: The pages' own words in each language published (policy_site.locale): the package's,
    #: under the site's ``locale_dir``. The default, the package's alone, is for tests.
    words: Words = field(default_factory=Words.package)

    def __post_init__(self) -> None:
        if self.language not in self.languages:  # the authoritative language is always published
            named = {self.language: LANGUAGE_NAMES.get(self.language, self.language)}
            object.__setattr__(self, "languages", {**named, **self.languages})

    @property
    def translated(self) -> tuple[str, ...]:
        """The languages other than the authoritative one, in the order mkdocs.yml gives them."""
        return tuple(code for code in self.languages if code != self.language)

    @property
    def policy_dir(self) -> str:
        """Where the policy in effect is published: the parent of the versions folder."""
        return posixpath.dirname(self.versions_dir.strip("/"))

    def prefix(self, language: str | None = None) -> str:
        """A language's pages mirror the authoritative ones under ``<language>/``."""
        return "" if language is None or language == self.language else f"{language}/"

    def current_url(self, language: str | None = None) -> str:
        return f"{self.prefix(language)}{self.policy_dir}/"

    def archive_url(self, language: str | None = None) -> str:
        return f"{self.prefix(language)}{self.versions_dir.strip('/')}/"

    def version_url(self, version_id: str, language: str | None = None) -> str:
        return f"{self.prefix(language)}{self.versions_dir.strip('/')}/{version_id}/"

    def redline_url(self, version_id: str, language: str | None = None) -> str:
        return f"{self.prefix(language)}{self.policy_dir}/changes/{version_id}/"

    def policy_urls(self, site_url: str) -> dict[str, str]:
        """The policy in effect in each language, as the consent banner links it."""
        root = site_url.rstrip("/") + "/" if site_url else "/"
        return {code: root + self.current_url(code) for code in self.languages}


@dataclass(frozen=True)
class Policy:
    settings: Settings
    versions: tuple[PolicyVersion, ...]
    timeline: Timeline
    #: Wording problems: reported as warnings (which fail a strict build).
    warnings: list[Problem] = field(default_factory=list)
    #: Every translation read, bound to the version it translates (translations.bind_translations).
    translated_versions: tuple[PolicyVersion, ...] = ()
    #: Each language other than the authoritative one: its published translations and where each
    #: stands, as the versions they translate do.
    translations: Mapping[str, Timeline] = field(default_factory=dict)
    #: Nothing is published yet: the lock records no version (``policy-site init`` writes it so),
    #: so every version is a draft, free to change, until ``policy-site publish``.
    draft: bool = False
    #: Why the lock could not be checked against git's history, said by check and the build.
    unverified: str | None = None

    @property
    def current(self) -> Entry:
        """The version in effect (the authoritative timeline always has one)."""
        assert self.timeline.current is not None, "make_timeline refuses a day with none"
        return self.timeline.current

    @property
    def draft_note(self) -> str:
        """What a build or a check adds to the version in effect while nothing is published."""
        return " (a draft: nothing is published until policy-site publish)" if self.draft else ""

    @property
    def status(self) -> str:
        """Where the versions stand, as check and the build say it: the one in effect, the
        upcoming ones, the drafts."""
        shown = {entry.id: entry.status for entry in self.timeline.entries}
        upcoming = [vid for vid, status in shown.items() if status == UPCOMING]
        drafts = [version.id for version in self.versions if version.id not in shown]
        said = f"{self.current.id} is in effect"
        if upcoming:
            said += f"; {', '.join(upcoming)} {'is' if len(upcoming) == 1 else 'are'} upcoming"
        if drafts:
            said += f"; {', '.join(drafts)} {'is a draft' if len(drafts) == 1 else 'are drafts'}"
        return said + self.draft_note

    @property
    def unverified_note(self) -> str:
        """What could not be checked against git's history, as a sentence after the status."""
        return f" {self.unverified}" if self.unverified else ""

    @property
    def timelines(self) -> dict[str, Timeline]:
        """Every language's timeline, the authoritative one first."""
        return {self.settings.language: self.timeline, **self.translations}

    def timeline_in(self, language: str | None) -> Timeline:
        """``language``'s timeline: the authoritative one for it (or None), else its
        translations'."""
        if language is None or language == self.settings.language:
            return self.timeline
        return self.translations[language]


def read_versions(folder: Path) -> tuple[list[PolicyVersion], list[Problem]]:
    """Every ``*.md`` in ``folder`` but the translations, oldest first, and the problems of each
    file."""
    versions: list[PolicyVersion] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        message = (
            "no such folder. It is plugins.policy-site.versions_dir in mkdocs.yml (under "
            "docs_dir): set it to the folder that holds the YYYY-MM-DD.md versions, or create it."
        )
        return [], [Problem(folder, 1, None, message)]
    for path in sorted(folder.glob("*.md")):
        if TRANSLATION_NAME.match(path.stem):
            continue
        version, found = read_version(path)
        problems += found
        if version is not None:
            versions.append(version)
    if not versions and not problems:
        problems.append(
            Problem(folder, 1, None, f"no policy version found: add one as {folder}/YYYY-MM-DD.md.")
        )
    return sorted(versions, key=lambda version: version.effective), problems


def read_translations(folder: Path) -> tuple[list[PolicyVersion], list[Problem]]:
    """Every ``YYYY-MM-DD.<language>.md`` in ``folder``, oldest first, as written (not yet bound
    to the versions they translate), and the problems of each file."""
    translations: list[PolicyVersion] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else ():
        if TRANSLATION_NAME.match(path.stem):
            translation, found = read_version(path)
            problems += found
            translations += [translation] if translation is not None else []
    return sorted(translations, key=lambda t: (t.effective, t.key)), problems


def load_policy(
    docs_dir: Path, settings: Settings, today: dt.date, record_day: dt.date | None = None
) -> Policy:
    """Read and check everything as of ``today``, the lock as of ``record_day`` (the day of the
    edit, when ``today`` is a preview's date; ``today`` when not given). Raises VersionError
    listing every problem found."""
    folder = docs_dir / settings.versions_dir
    versions, problems = read_versions(folder)
    written, found = read_translations(folder)
    problems += found
    day = record_day or today
    problems += check_rules(versions, settings.notice_days, day)
    problems += check_translations(versions, written, settings.language, settings.languages)
    translated = bind_translations(versions, written)
    lock_path = docs_dir / settings.lock_file
    history = lock_history(lock_path, day)
    lock: dict[str, LockEntry] = {}
    found = []
    try:
        lock = read_lock(lock_path)
    except VersionError as err:
        found = err.problems
    else:
        if not lock_path.is_file():
            found = [Problem(lock_path, 1, None, _no_lock(history, lock_path))]
        elif not lock and history.newest:  # published once: it cannot be a draft again
            found = [Problem(lock_path, 1, None, _emptied(history.newest, lock_path))]
        elif lock:
            base, found = merged(lock, history, day, lock_path)
            found += check_lock([*versions, *translated], base, day, lock_path, folder)
            lock = base
    # A published file that is gone comes first, and what follows from it (a translation
    # without its version) is not said: it goes away once the file is back.
    gone = [p for p in found if p.path != lock_path and not p.path.exists()]
    follows = tuple(f"{p.path.stem}." for p in gone)
    if problems:
        problems = [*gone, *(p for p in problems if not p.path.name.startswith(follows))]
    else:
        problems = found
    if problems:
        raise VersionError(problems)
    announcements = {key: entry.announced for key, entry in lock.items()}
    timeline = make_timeline(versions, today, announcements)
    by_language = {
        language: translations_timeline(timeline, translated, language, announcements)
        for language in settings.translated
    }
    warnings = lint_wording(versions) + lint_wording(translated)
    draft = bool(lock_path.is_file() and not lock)
    return Policy(
        settings,
        tuple(versions),
        timeline,
        warnings,
        tuple(translated),
        by_language,
        draft,
        history.unverified,
    )


def _no_lock(history: History, lock_path: Path) -> str:
    if history.newest:
        return (
            f"no such lock file, but commit {history.newest[:12]} has it, with the versions it "
            f"published. Restore it with: {restore(history.newest, lock_path)}"
        )
    return (
        "no such lock file. It is plugins.policy-site.lock_file in mkdocs.yml (under docs_dir): if "
        "the lock is elsewhere, correct the option; for a new site, write '{}' into it (a lock "
        "that records nothing: the versions are drafts until policy-site publish)."
    )


def _emptied(commit: str, lock_path: Path) -> str:
    return (
        f"records no version, but commit {commit[:12]} has the versions it recorded: what was "
        f"published stays published. Restore it with: {restore(commit, lock_path)}"
    )
