"""The MkDocs adapter: events only. The decisions are made in ``policy_site.versions``."""

from __future__ import annotations

import datetime as dt
import html
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import yaml
from jinja2 import Environment
from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from policy_site.commands import for_reader
from policy_site.consent import Bundle, ConsentConfig, check_gated_markup
from policy_site.consent.archive import Release
from policy_site.locale import has_words, long_date, say, texts
from policy_site.options import OPTIONS, OptionError, Options
from policy_site.problems import PolicySiteError
from policy_site.publishing import Consent, header_files, published_files, rendered_chains
from policy_site.site import Site, SiteConfig, load_site
from policy_site.versions import Entry, Policy, PolicyVersion
from policy_site.versions.anchors import Anchors, Removed, policy_anchors, with_old_anchors
from policy_site.versions.redline import make_redline, rendered_text_sha256
from policy_site.views import consent_view, page_view, timeline_view

__all__ = ["PolicySiteConfig", "PolicySitePlugin"]

log = get_plugin_logger(__name__)
#: The plugin's templates (the policy pages, and the theme's blocks it adds to or escapes) and
#: their stylesheet and script: a theme folder searched after the site's custom_dir.
THEME_DIR = Path(__file__).resolve().parent / "theme"


class _Checked(BaseConfigOption[Any]):
    """One of the plugin's options, checked by its validator in ``policy_site.options``: the
    same check, in the same words, as the commands make."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.option = OPTIONS[key]

    def run_validation(self, value: object, /) -> Any:
        try:
            return self.option.check(value)
        except OptionError as err:
            raise ValidationError(f"{err} ({self.option.help})") from None


class PolicySiteConfig(Config):
    """Options of the ``policy-site`` plugin in ``mkdocs.yml`` (``policy_site.options``)."""

    versions_dir = _Checked("versions_dir")
    lock_file = _Checked("lock_file")
    notice_days = _Checked("notice_days")
    timezone = _Checked("timezone")
    consent = _Checked("consent")
    published_bundles = _Checked("published_bundles")
    language = _Checked("language")
    languages = _Checked("languages")
    contact = _Checked("contact")


@dataclass(frozen=True)
class PageRef:
    """What a page of the policy shows: its kind, the version, and the language it is in."""

    kind: str
    version_id: str | None
    language: str


class PolicySitePlugin(BasePlugin[PolicySiteConfig]):
    """Publishes the version in effect, an archive, a page and a redline per version, a feed and a
    manifest, all decided by the build date."""

    def __init__(self) -> None:
        self.site: Site | None = None
        self.policy: Policy | None = None
        self.rendered: dict[str, str] = {}
        #: Each version's section anchors by language, worked out once every page is rendered.
        self.anchors: dict[str, dict[str, Anchors]] | None = None
        #: The policy's pages, by source path: their kind, version and language.
        self.pages: dict[str, PageRef] = {}
        #: What every page in a language shares (policy_site.views), made once per build.
        self.shared: dict[str, dict[str, Any]] = {}
        #: Each language's source of a policy page, by its place (_place): hreflang, the switch.
        self.counterparts: dict[tuple[str, str | None], dict[str, str]] = {}
        #: The URL of each policy page, by its source.
        self.urls: dict[str, str] = {}
        #: The navigation of each translated language's pages, in the order of the site's nav.
        self.navs: dict[str, Navigation] = {}
        self.consent: ConsentConfig | None = None
        self.bundle: Bundle | None = None
        #: The kept bundle files (``published_bundles``), published again by every build.
        self.published: dict[str, bytes] = {}
        #: The ledger of releases kept beside them (consent/archive.py).
        self.releases: list[Release] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # As MkDocs' search plugin adds its folder; here before the theme's own, so that these
        # templates extend it, and after the site's custom_dir, so that the site's still win.
        dirs = config.theme.dirs
        if str(THEME_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        site = SiteConfig(
            config_file=Path(config.config_file_path),
            docs_dir=Path(config.docs_dir),
            site_url=config.site_url or "",
            site_name=config.site_name,
            theme_language=config.theme.get("language"),
            options=Options(**{key: self.config[key] for key in OPTIONS}),
        )
        try:
            self.site = load_site(site)
        except PolicySiteError as err:
            raise PluginError(f"The site cannot be built:\n{for_reader(str(err))}") from None
        policy = self.policy = self.site.policy
        if not has_words(policy.settings.language):
            log.info(
                "The policy pages' own words (status lines, the archive) are in English: "
                "policy-site has no policy_site/locale/%s.yml.",
                policy.settings.language,
            )
        for warning in policy.warnings:
            log.warning(str(warning))
        log.info("Build date %s: version %s is in effect.", policy.timeline.today,
                 policy.timeline.current.id)  # fmt: skip
        self.rendered = {}
        self.anchors = None
        self.shared = {}
        self.navs = {}
        self.consent, self.bundle = self.site.consent, self.site.bundle
        kept = self.site.kept
        self.published = dict(kept.files) if kept else {}
        self.releases = list(kept.releases) if kept else []
        if kept is not None and self.site.unkept:
            # A warning: mkdocs serve previews an edit; the strict build refuses to publish.
            log.warning(for_reader(kept.not_kept(self.site.unkept)))
        return config

    def _policy(self) -> Policy:
        assert self.policy is not None, "on_config runs first"
        return self.policy

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        policy = self._policy()
        settings = policy.settings
        published = {entry.id for entry in policy.timeline.entries}
        for file in list(files):
            folder, _, name = file.src_uri.rpartition("/")
            if file.src_uri == settings.lock_file or (
                folder == settings.versions_dir
                and name.endswith(".md")
                and (name[:-3] not in published or "." in name[:-3])  # a draft, a translation
            ):
                files.remove(file)
        self.pages = {}
        generated: dict[str, str] = {}

        def add(src_uri: str, ref: PageRef, content: str | None = None) -> None:
            self.pages[src_uri] = ref
            if content is not None:
                generated[src_uri] = content

        for code in settings.languages:
            self._language_files(code, add)
        for src_uri, content in generated.items():
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(
                    f"docs/{src_uri} exists, but the build generates that page from the version "
                    "files. Delete it: the policy's text lives in the version files."
                )
            files.append(File.generated(config, src_uri, content=content))
        self.counterparts = {}
        for src_uri, ref in self.pages.items():
            found = files.get_file_from_path(src_uri)
            if found is not None:
                self.counterparts.setdefault(_place(ref), {})[ref.language] = src_uri
                self.urls[src_uri] = found.url
        return files

    def _language_files(self, code: str, add: Callable[..., None]) -> None:
        """The policy's pages in ``code``: under ``<code>/`` for a translated language."""
        policy = self._policy()
        settings = policy.settings
        words = texts(code)
        prefix = settings.prefix(code)
        versions_dir, policy_dir = (
            f"{prefix}{settings.versions_dir}",
            f"{prefix}{settings.policy_dir}",
        )
        if code == settings.language:
            entries: tuple[Entry, ...] = policy.timeline.entries
            current: Entry | None = policy.timeline.current
        else:
            entries, current = policy.translations[code].entries, policy.translations[code].current
        for entry in entries:  # the authoritative files are MkDocs' own; a translation's, ours
            content = None if code == settings.language else _version_page(entry.version)
            add(f"{versions_dir}/{entry.id}.md", PageRef("version", entry.id, code), content)
            if entry.previous is not None:
                effective = long_date(entry.version.effective, code)
                title = say(words["redline"]["title"], effective=effective)
                add(f"{policy_dir}/changes/{entry.id}.md", PageRef("redline", entry.id, code),
                    _page(title, "policy-redline"))  # fmt: skip
        if current is not None:
            add(f"{policy_dir}/index.md", PageRef("current", current.id, code),
                _version_page(current.version))  # fmt: skip
        else:  # the version in effect has no translation: this page says so
            add(f"{policy_dir}/index.md", PageRef("current", None, code),
                _page(words["translation"]["missing_title"], "policy-untranslated"))  # fmt: skip
        add(f"{versions_dir}/index.md", PageRef("archive", None, code),
            _page(words["archive"]["title"], "policy-archive"))  # fmt: skip
        if self.consent is not None and (code == settings.language or code in self.consent.texts):
            add(f"{policy_dir}/cookies.md", PageRef("cookies", None, code),
                _page(words["cookies"]["title"], "policy-cookies"))  # fmt: skip

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Each translated language's pages get the site's navigation in their language: the
        same entries, each the page's counterpart there (an entry with none is left out)."""
        settings = self._policy().settings
        self.navs = {}
        for code in settings.translated:
            items: list[Any] = []
            for item in nav.items:
                ref = self.pages.get(item.file.src_uri) if isinstance(item, Page) else None
                there = self.counterparts.get(_place(ref), {}) if ref else {}
                found = files.get_file_from_path(there[code]) if code in there else None
                if found is not None and found.page is not None:
                    items.append(found.page)
            for before, after in itertools.pairwise(items):  # the footer's links
                before.next_page, after.previous_page = after, before
            self.navs[code] = Navigation(items, items)
            self.navs[code].homepage = nav.homepage
        return nav

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        consent = None
        if self.consent is not None and self.bundle is not None:
            language = config.theme.get("language")
            consent = consent_view(self.consent, self.bundle, self._policy().settings, language)
        env.globals["consent"] = consent
        return env

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        ref = self._locate(page)
        if ref.kind == "version" and ref.version_id:
            self.rendered[self._key(ref)] = html
        if self.consent is not None:
            categories = [category.id for category in self.consent.categories]
            # Inside an <iframe srcdoc> nothing is gated: only this site and necessary hosts.
            allowed = [urlsplit(config.site_url or "").netloc] + [
                host
                for category in self.consent.categories
                if category.necessary
                for service in category.services
                for host in service.hosts
            ]
            problems = check_gated_markup(html, categories, allowed)
            if problems:
                raise PluginError(
                    f"docs/{page.file.src_uri}: " + f"\ndocs/{page.file.src_uri}: ".join(problems)
                )
        return html

    def _locate(self, page: Page) -> PageRef:
        """The page's kind, version and language, as on_files recorded them."""
        return self.pages.get(
            page.file.src_uri, PageRef("", None, self._policy().settings.language)
        )

    def _key(self, ref: PageRef) -> str:
        """What the version's rendered text is kept under: its id, or id.language."""
        assert ref.version_id is not None
        settings = self._policy().settings
        return (
            ref.version_id
            if ref.language == settings.language
            else f"{ref.version_id}.{ref.language}"
        )

    def _entry(self, ref: PageRef) -> Entry | None:
        policy = self._policy()
        if ref.version_id is None:
            return None
        if ref.language == policy.settings.language:
            return policy.timeline.entry(ref.version_id)
        return policy.translations[ref.language].entry(ref.version_id)

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        policy = self._policy()
        ref = self._locate(page)
        code = ref.language
        entry = self._entry(ref)
        if code not in self.shared:
            self.shared[code] = timeline_view(policy, code)
        redline = None
        if ref.kind == "redline" and entry is not None and entry.previous is not None:
            before = PageRef("version", entry.previous.id, code)
            redline = make_redline(self.rendered[self._key(before)], self.rendered[self._key(ref)])
        text_sha256 = None
        if ref.kind in ("current", "version") and entry is not None:
            key = self._key(PageRef("version", entry.id, code))
            if key in self.rendered:
                text_sha256 = rendered_text_sha256(self.rendered[key])
                anchors = self._anchors().get(code, {}).get(entry.id)
                if anchors is not None and page.content is not None:
                    page.content = with_old_anchors(
                        page.content,
                        anchors,
                        lambda old, gone: self._removed_note(page, old, gone, code),
                    )
        view = page_view(
            self.shared[code], ref.kind, ref.version_id, redline, text_sha256, self._alternates(ref)
        )
        data = cast(dict[str, Any], context)
        data["policy"] = view
        if ref.kind and code != policy.settings.language:
            data["nav"] = self.navs.get(code, nav)
        if self.consent is not None and self.bundle is not None and ref.kind:
            data["consent"] = consent_view(self.consent, self.bundle, policy.settings, code)
        return context

    def _alternates(self, ref: PageRef) -> list[dict[str, Any]]:
        """The page in each language the site has it in, the authoritative first."""
        if not ref.kind:
            return []
        settings = self._policy().settings
        there = self.counterparts.get(_place(ref), {})
        return [
            {
                "code": code,
                "name": name,
                "url": self.urls[there[code]],
                "current": code == ref.language,
            }
            for code, name in settings.languages.items()
            if code in there
        ]

    def _anchors(self) -> dict[str, dict[str, Anchors]]:
        """Every version's anchors, in each language; the first call (all pages are rendered by
        then) warns, which fails the strict build, of each section link that a later version
        breaks."""
        if self.anchors is None:
            chains = rendered_chains(self._policy(), self.rendered)
            self.anchors, problems = policy_anchors(chains)
            for problem in problems:
                log.warning(str(problem))
        return self.anchors

    def _removed_note(self, page: Page, anchor: str, gone: Removed, language: str) -> str:
        """What a link to a removed section finds (policy.css shows it only as the target)."""
        settings = self._policy().settings
        href = get_relative_url(settings.redline_url(gone.version_id, language), page.url)
        day = long_date(dt.date.fromisoformat(gone.version_id), language)
        link = f'<a href="{html.escape(href)}">'
        note = say(
            texts(language)["removed_anchor"],
            title=html.escape(gone.title),
            effective=day,
            a=link,
        ).replace("{/a}", "</a>")
        return f'<p id="{html.escape(anchor)}" class="policy-removed-anchor">{note}</p>'

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Writes what the core publishes beside the pages, then the headers that fit them."""
        policy = self._policy()
        site_url = config.site_url or "/"
        site = Path(config.site_dir)
        consent = None
        if self.bundle is not None and self.consent is not None:
            consent = Consent(
                self.consent, self.bundle, self.published, str(self.config.consent), self.releases
            )
        try:
            files = published_files(
                policy, site_url, config.site_name, self.rendered, self._anchors(), consent
            )
            _write(site, files)
            headers = header_files(site, urlsplit(site_url).netloc, consent)
        except PolicySiteError as err:
            raise PluginError(for_reader(str(err))) from None
        for warning in headers.warnings:
            log.warning(warning)
        _write(site, headers.files)
        log.info(headers.summary)


def _place(ref: PageRef) -> tuple[str, str | None]:
    """What a page is across languages: a version's page or redline is that version's; the
    current policy, the archive and the cookie page are each one page in every language (the
    current one shows a different version where a translation is missing)."""
    return (ref.kind, ref.version_id if ref.kind in ("version", "redline") else None)


def _write(site: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _page(title: str, template: str) -> str:
    """The Markdown source of a page that a template fills in."""
    front = yaml.safe_dump({"title": title, "template": f"{template}.html"}, allow_unicode=True)
    return f"---\n{front}---\n"


def _version_page(version: PolicyVersion) -> str:
    """The Markdown source of the policy in effect, from the checked model (not the file again)."""
    front = yaml.safe_dump({"title": version.title}, allow_unicode=True, width=1_000_000)
    return f"---\n{front}---\n{version.body}"
