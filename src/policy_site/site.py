"""The one loader: a site's whole model, from its ``mkdocs.yml`` (the plugin's options, checked by
``policy_site.options``), ``consent.yml``, the versions and translations, the lock and the kept
consent bundles. The MkDocs adapter and every command take the site from here; nothing else reads
those files.

Two steps: ``read_config`` (the commands; the adapter makes the same ``SiteConfig`` from the
config MkDocs read) and ``load_site``, which checks everything and raises one ``PolicySiteError``
listing every problem found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policy_site.consent import Bundle, ConsentConfig, load_consent
from policy_site.consent.archive import Kept, bundles, public_revisions, read_kept
from policy_site.dates import build_date, record_date
from policy_site.locale import Words
from policy_site.locale.load import load_words, no_words
from policy_site.options import OPTIONS, PLUGIN_NAME, OptionError, Options, unknown_option
from policy_site.problems import PolicySiteError, Problem, yaml_problem
from policy_site.render import python_tag
from policy_site.versions import Policy, Settings, VersionError, load_policy
from policy_site.versions.policy import language_settings

__all__ = ["Site", "SiteConfig", "load_site", "read_config"]

#: Where an option is, as a reader of mkdocs.yml looks for it.
_PLUGIN_KEY = f"plugins.{PLUGIN_NAME}"


@dataclass(frozen=True)
class SiteConfig:
    """What the site's ``mkdocs.yml`` says that this package reads."""

    config_file: Path
    docs_dir: Path
    site_url: str
    site_name: str
    #: The theme's language (``theme.language``), when it names one.
    theme_language: str | None
    options: Options
    #: The line of each of the plugin's options in mkdocs.yml, for messages.
    lines: Mapping[str, int] = field(default_factory=dict)
    #: Python-Markdown's extensions (``markdown_extensions``), each with its options: the change
    #: notices render sections with the site's anchors.
    markdown: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        """The folder of mkdocs.yml: consent.yml and the kept bundles are named from here."""
        return self.config_file.parent

    def problem(self, key: str, message: str) -> Problem:
        """A problem of the option ``key`` (``timezone``), on its line."""
        return Problem(self.config_file, self.lines.get(key, 1), f"{_PLUGIN_KEY}.{key}", message)

    def settings(self) -> Settings:
        """The versions' settings; raises PolicySiteError on a language the options cannot
        publish."""
        options = self.options
        try:
            language, languages = language_settings(
                options.language or None, options.languages, self.theme_language
            )
        except ValueError as err:
            key = "language" if "language" in self.lines and "languages" not in self.lines else ""
            raise PolicySiteError([self.problem(key or "languages", str(err))]) from None
        return Settings(
            versions_dir=options.versions_dir,
            lock_file=options.lock_file,
            notice_days=options.notice_days,
            timezone=options.timezone,
            language=language,
            languages=languages,
            contact=options.contact or None,
            words=self.words(language, list(languages)),
        )

    def words(self, language: str, languages: list[str]) -> Words:
        """The pages' words in every language published, ``language`` (the authoritative one)
        among them. Raises PolicySiteError naming each language without words, and each problem
        of the site's files of words, with the fix."""
        shown = self.options.locale_dir
        folder = self.root / shown if shown else None
        if folder is not None and not folder.is_dir():
            raise PolicySiteError([self.problem("locale_dir", (
                f"{shown!r}: no such folder beside {self.config_file.name}. Create it, with a "
                "<language>.yml of the site's own page words, or remove the option."
            ))])  # fmt: skip
        codes = list(dict.fromkeys([language, *languages]))
        words, problems, missing = load_words(folder, shown, codes)
        for code in missing:
            if code in self.options.languages:
                problem = self.problem("languages", no_words(code, shown))
            elif self.options.language:
                problem = self.problem("language", no_words(code, shown))
            else:  # the theme's language, or English
                problem = Problem(self.config_file, 1, "theme.language", no_words(code, shown))
            problems.append(problem)
        if problems:
            raise PolicySiteError(problems)
        return words


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even when it holds tags such as ``!ENV`` (they become None: nothing this
    package reads needs them); a ``!!python/name:`` or ``!!python/object/apply:`` is kept,
    unimported, for the Markdown extensions' options (``policy_site.render``)."""


_TolerantLoader.add_multi_constructor("", python_tag)


def _lines(node: yaml.Node | None) -> dict[str, int]:
    """The line of each of the plugin's options in mkdocs.yml's YAML tree."""
    plugins = _value(node, "plugins")
    found: yaml.Node | None = None
    if isinstance(plugins, yaml.SequenceNode):
        for item in plugins.value:
            found = _value(item, PLUGIN_NAME) or found
    else:
        found = _value(plugins, PLUGIN_NAME)
    if not isinstance(found, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in found.value}


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == key:
                found: yaml.Node = value
                return found
    return None


def read_config(config_file: Path) -> SiteConfig:
    """Read ``mkdocs.yml``. Raises PolicySiteError naming the file, the line, the key and the fix
    of every problem found."""
    shown = config_file.name
    try:
        text = config_file.read_text(encoding="utf-8")
        raw = yaml.load(text, _TolerantLoader)
        lines = _lines(yaml.compose(text, yaml.SafeLoader))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise PolicySiteError(
            f"{config_file}: no such file. Run the command in the folder that holds the site's "
            "mkdocs.yml, or name it with -f PATH/mkdocs.yml; for a new site, run "
            "'policy-site init FOLDER --domain www.example.org'."
        ) from None
    except UnicodeDecodeError as err:
        raise PolicySiteError(f"{config_file}: not UTF-8 text ({err}); save it as UTF-8.") from None
    except yaml.YAMLError as err:
        raise PolicySiteError([yaml_problem(config_file, err, shown, text=text)]) from None
    except (ValueError, TypeError, RecursionError) as err:  # PyYAML on a value it cannot build
        raise PolicySiteError(f"{config_file}: a value YAML cannot read ({err}).") from None
    if not isinstance(raw, dict):
        raise PolicySiteError(
            f"{config_file}:1: {shown} must be a mapping of 'key: value' lines, such as "
            "'site_name: Example' (see manual/docs/adopting.md); it is "
            f"{'empty' if raw is None else type(raw).__name__}."
        )
    where = SiteConfig(config_file, config_file.parent, "", "", None, Options(), lines)
    problems: list[Problem] = []
    options = _options(raw, where, problems)
    for key in ("docs_dir", "site_url", "site_name"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            problems.append(Problem(config_file, 1, key, "must be text."))
    theme = raw.get("theme")
    language = theme.get("language") if isinstance(theme, dict) else None
    if problems:
        raise PolicySiteError(problems)
    return SiteConfig(
        config_file=config_file,
        docs_dir=config_file.parent / str(raw.get("docs_dir") or "docs"),
        site_url=str(raw.get("site_url") or ""),
        site_name=str(raw.get("site_name") or ""),
        theme_language=str(language) if language else None,
        options=options,
        lines=lines,
        markdown=_extensions(raw.get("markdown_extensions")),
    )


def _extensions(given: object) -> dict[str, Mapping[str, Any]]:
    """``markdown_extensions``, as MkDocs reads it: names, or one-key mappings to options."""
    found: dict[str, Mapping[str, Any]] = {}
    for item in given if isinstance(given, list) else ():
        if isinstance(item, dict):
            found |= {str(name): options or {} for name, options in item.items()}
        elif isinstance(item, str):
            found[item] = {}
    return found


def _options(raw: dict[str, Any], where: SiteConfig, problems: list[Problem]) -> Options:
    """The plugin's options in ``raw`` (mkdocs.yml), each checked as the build checks it."""
    plugins = raw.get("plugins")
    entries = plugins.items() if isinstance(plugins, dict) else (
        (item, None) if isinstance(item, str) else next(iter(item.items()), (None, None))
        for item in plugins if isinstance(item, (str, dict))
    ) if isinstance(plugins, list) else ()  # fmt: skip
    given = next((value for name, value in entries if name == PLUGIN_NAME), False)
    if given is False:
        problems.append(
            Problem(
                where.config_file, 1, "plugins",
                f"does not list {PLUGIN_NAME}: add '- {PLUGIN_NAME}' under 'plugins:' (see "
                "manual/docs/adopting.md for its options).",
            )
        )  # fmt: skip
        return Options()
    if given is None:
        given = {}
    if not isinstance(given, dict):
        problems.append(where.problem("", "must be a mapping of 'option: value' lines."))
        return Options()
    values: dict[str, Any] = {}
    for key, value in given.items():
        if key == "enabled" and isinstance(value, bool):
            continue
        option = OPTIONS.get(str(key))
        if option is None:
            problems.append(where.problem(str(key), unknown_option(key)))
            continue
        try:
            values[str(key)] = option.check(value)
        except OptionError as err:
            problems.append(where.problem(str(key), str(err)))
    return Options(**values)


@dataclass(frozen=True)
class Site:
    """Everything a build publishes and a command reads, checked."""

    config: SiteConfig
    policy: Policy
    #: The day edits are judged on (the lock's rules), which a preview's ``today`` is not.
    record_day: dt.date
    consent: ConsentConfig | None = None
    #: The consent bundle the pages carry today.
    bundle: Bundle | None = None
    kept: Kept | None = None
    #: What the kept folder lacks of today's and every upcoming bundle: a build that publishes
    #: it would drop it later (a warning: it fails the strict build).
    unkept: tuple[str, ...] = ()

    @property
    def settings(self) -> Settings:
        return self.policy.settings

    @property
    def today(self) -> dt.date:
        return self.policy.timeline.today


def load_site(config: SiteConfig, environ: Mapping[str, str] | None = None) -> Site:
    """The site as of its build date (``POLICY_SITE_AS_OF``, ``SOURCE_DATE_EPOCH``, else today in
    the site's time zone). Raises PolicySiteError listing every problem of the versions, the lock,
    consent.yml and the kept bundles."""
    settings = config.settings()
    today = build_date(settings.timezone, environ)
    record_day = record_date(settings.timezone, environ)
    found: list[Problem | str] = []
    policy: Policy | None = None
    try:
        policy = load_policy(config.docs_dir, settings, today, record_day)
    except VersionError as err:
        found += err.found
    consent = None
    if config.options.consent:
        try:
            consent = load_consent(config.root / config.options.consent)
        except PolicySiteError as err:
            found += err.found
    if found or policy is None:
        raise PolicySiteError(found)
    if consent is None:
        return Site(config, policy, record_day)
    if consent.receipts and not config.options.published_bundles:
        raise PolicySiteError(
            f"{consent.path}: 'receipts': the receiver accepts a receipt only from a release on "
            f"record, and this site keeps none. Set {_PLUGIN_KEY}.published_bundles in "
            "mkdocs.yml (e.g. consent/published), then run 'policy-site check --update-lock' and "
            "commit that folder; or remove 'receipts'."
        )
    shown = config.options.published_bundles
    kept = read_kept(config.root, shown) if shown else None
    current = policy.timeline.consent_revision
    # What must be kept: the bundles of what is published on the day of the edit. A draft's
    # are kept when it is announced (a draft site's when it is published): a preview of the
    # day a draft takes effect renders its bundle without asking for it.
    needed = public_revisions(policy.versions, today, record_day) if kept else []
    every = bundles(config, settings, consent, list(dict.fromkeys([current, *needed])))
    wanted = [bundle for bundle in every if bundle.revision.partition(".")[0] in needed]
    unkept = kept.unkept(wanted) if kept is not None and not policy.draft else []
    return Site(config, policy, record_day, consent, every[0], kept, tuple(unkept))
