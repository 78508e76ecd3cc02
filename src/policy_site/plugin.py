"""The MkDocs adapter: events only. The decisions are made in ``policy_site.versions``."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import yaml
from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from policy_site.commands import command
from policy_site.consent import (
    Bundle,
    ConsentConfig,
    ConsentConfigError,
    check_gated_markup,
    load_consent,
    render_bundle,
)
from policy_site.consent.published import (
    LEDGER,
    PublishedError,
    deleted,
    missing,
    read_published,
)
from policy_site.consent.releases import Release, ReleasesError, lost, read_releases, release_id
from policy_site.dates import BuildDateError, build_date, long_date, record_date
from policy_site.publishing import Consent, PublishError, header_files, published_files
from policy_site.versions import (
    Policy,
    PolicyVersion,
    Settings,
    VersionError,
    load_policy,
)
from policy_site.versions.anchors import Anchors, Removed, check_anchors, with_old_anchors
from policy_site.versions.redline import make_redline, rendered_text_sha256
from policy_site.versions.timeline import WITHDRAWN
from policy_site.views import consent_view, page_view, timeline_view

__all__ = ["PolicySiteConfig", "PolicySitePlugin"]

log = get_plugin_logger(__name__)
_DEFAULTS = Settings()
#: The plugin's templates (the policy pages, and the theme's blocks it adds to or escapes) and
#: their stylesheet and script: a theme folder searched after the site's custom_dir.
THEME_DIR = Path(__file__).resolve().parent / "theme"


class PolicySiteConfig(Config):
    """Options of the ``policy-site`` plugin in ``mkdocs.yml``."""

    #: Folder under ``docs_dir`` holding ``YYYY-MM-DD.md`` version files.
    versions_dir = c.Type(str, default=_DEFAULTS.versions_dir)
    #: The committed lock file (under ``docs_dir``) holding each version's text hash.
    lock_file = c.Type(str, default=_DEFAULTS.lock_file)
    #: Days between announcement and effective date that a material change needs at least.
    notice_days = c.Type(int, default=_DEFAULTS.notice_days)
    #: Time zone in which "today" is read when no build date is given.
    timezone = c.Type(str, default=_DEFAULTS.timezone)
    #: consent.yml (relative to mkdocs.yml); when set, every page carries the consent bundle.
    consent = c.Optional(c.Type(str))
    #: The committed folder (relative to mkdocs.yml) keeping every consent bundle file published,
    #: so that each stays at its URL; when set, the build refuses a bundle not kept there yet.
    published_bundles = c.Optional(c.Type(str))


class PolicySitePlugin(BasePlugin[PolicySiteConfig]):
    """Publishes the version in effect, an archive, a page and a redline per version, a feed and a
    manifest, all decided by the build date."""

    def __init__(self) -> None:
        self.policy: Policy | None = None
        self.rendered: dict[str, str] = {}
        #: Each version's section anchors, worked out once every version's page is rendered.
        self.anchors: dict[str, Anchors] | None = None
        #: The policy's pages, by source path: their kind and the version each shows.
        self.pages: dict[str, tuple[str, str | None]] = {}
        #: What every page's ``policy`` shares (policy_site.views), made once per build.
        self.shared: dict[str, Any] | None = None
        self.consent: ConsentConfig | None = None
        self.bundle: Bundle | None = None
        #: The kept bundle files (``published_bundles``), published again by every build.
        self.published: dict[str, bytes] = {}
        #: The ledger of releases kept beside them (consent/releases.py).
        self.releases: list[Release] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # As MkDocs' search plugin adds its folder; here before the theme's own, so that these
        # templates extend it, and after the site's custom_dir, so that the site's still win.
        dirs = config.theme.dirs
        if str(THEME_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        settings = Settings(
            versions_dir=self.config.versions_dir.strip("/"),
            lock_file=self.config.lock_file.strip("/"),
            notice_days=self.config.notice_days,
            timezone=self.config.timezone,
        )
        try:
            today = build_date(settings.timezone)
            edited = record_date(settings.timezone)
            self.policy = load_policy(Path(config.docs_dir), settings, today, edited)
        except (BuildDateError, VersionError) as err:
            raise PluginError(f"The policy versions cannot be published:\n{err}") from None
        for warning in self.policy.warnings:
            log.warning(str(warning))
        timeline = self.policy.timeline
        log.info("Build date %s: version %s is in effect.", today, timeline.current.id)
        self.rendered = {}
        self.anchors = self.shared = None
        self.consent = self.bundle = None  # mkdocs serve runs on_config again on every change
        if self.config.consent:
            self._load_consent(config)
        return config

    def _load_consent(self, config: MkDocsConfig) -> None:
        path = Path(config.config_file_path).parent / str(self.config.consent)
        policy = self._policy()
        try:
            self.consent = load_consent(path)
            self.bundle = render_bundle(
                self.consent,
                policy.timeline.consent_revision,
                (config.site_url or "/") + policy.settings.current_url(),
                default_language=config.theme.get("language") or "en",
            )
        except ConsentConfigError as err:
            raise PluginError(f"The consent configuration cannot be used:\n{err}") from None
        if self.consent.receipts and not self.config.published_bundles:
            raise PluginError(
                f"{path}: 'receipts': the receiver accepts a receipt only from a release on "
                "record, and this site keeps none. Set plugins.policy-site.published_bundles in "
                f"mkdocs.yml (e.g. consent/published), then run {command('check --update-lock')} "
                "and commit that folder; or remove 'receipts'."
            )
        self.published = {}
        self.releases = []
        if self.config.published_bundles:
            folder = Path(config.config_file_path).parent / self.config.published_bundles
            try:
                self.published = read_published(folder)
                self.releases = read_releases(folder)
                name = self.config.published_bundles.strip("/")
                gone = deleted(folder, name) + lost(folder, name)
            except (PublishedError, ReleasesError) as err:
                raise PluginError(str(err)) from None
            if gone:
                raise PluginError("\n".join(gone))
            new = missing([self.bundle], self.published)
            if release_id(self.bundle) not in {release.id for release in self.releases}:
                new.append(f"release {release_id(self.bundle)} in {name}/{LEDGER}")
            if new:
                # A warning: mkdocs serve previews an edit; the strict build refuses to publish.
                log.warning(
                    "%s/ does not keep %s, which this build would publish; a later build would "
                    "then drop it, breaking every page that pinned it. Run %s and commit %s/ "
                    "with your change.%s",
                    name,
                    ", ".join(new),
                    command("check --update-lock"),
                    name,
                    ""
                    if folder.is_dir()
                    else f" ({name}/ does not exist: it is plugins.policy-site.published_bundles "
                    "in mkdocs.yml; if the bundles are kept elsewhere, correct the option.)",
                )

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
                and name[:-3] not in published
            ):
                files.remove(file)
        current = policy.timeline.current
        self.pages = {f"{settings.versions_dir}/{entry.id}.md": ("version", entry.id)
                      for entry in policy.timeline.entries}  # fmt: skip
        self.pages[f"{settings.policy_dir}/index.md"] = ("current", current.id)
        self.pages[f"{settings.versions_dir}/index.md"] = ("archive", None)
        generated = {f"{settings.policy_dir}/index.md": _version_page(current.version)}
        generated[f"{settings.versions_dir}/index.md"] = _page("All versions", "policy-archive")
        if self.consent is not None:
            generated[f"{settings.policy_dir}/cookies.md"] = _page(
                "Cookies and similar technologies", "policy-cookies"
            )
        for entry in policy.timeline.entries:
            if entry.previous is not None:
                title = f"What changed on {long_date(entry.version.effective)}"
                src_uri = f"{settings.policy_dir}/changes/{entry.id}.md"
                generated[src_uri] = _page(title, "policy-redline")
                self.pages[src_uri] = ("redline", entry.id)
        for src_uri, content in generated.items():
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(
                    f"docs/{src_uri} exists, but the build generates that page from the version "
                    "files. Delete it: the policy's text lives in the version files."
                )
            files.append(File.generated(config, src_uri, content=content))
        return files

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
        kind, version_id = self._locate(page)
        if kind == "version" and version_id:
            self.rendered[version_id] = html
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

    def _locate(self, page: Page) -> tuple[str, str | None]:
        """The page's kind and the version it shows, as on_files recorded them."""
        return self.pages.get(page.file.src_uri, ("", None))

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        policy = self._policy()
        kind, version_id = self._locate(page)
        entry = policy.timeline.entry(version_id) if version_id else None
        if self.shared is None:
            self.shared = timeline_view(policy)
        redline = None
        if kind == "redline" and entry is not None and entry.previous is not None:
            redline = make_redline(self.rendered[entry.previous.id], self.rendered[entry.id])
        text_sha256 = None
        if kind in ("current", "version") and entry is not None and entry.id in self.rendered:
            text_sha256 = rendered_text_sha256(self.rendered[entry.id])
            anchors = self._anchors().get(entry.id)
            if anchors is not None and page.content is not None:
                page.content = with_old_anchors(
                    page.content, anchors, lambda old, gone: self._removed_note(page, old, gone)
                )
        view = page_view(self.shared, kind, version_id, redline, text_sha256)
        cast(dict[str, Any], context)["policy"] = view
        return context

    def _anchors(self) -> dict[str, Anchors]:
        """Every version's anchors; the first call (all pages are rendered by then) warns, which
        fails the strict build, of each section link that a later version breaks."""
        if self.anchors is None:
            timeline = self._policy().timeline
            chain = [
                (entry.version, self.rendered[entry.id])
                for entry in timeline.entries
                if entry.status != WITHDRAWN and entry.id in self.rendered
            ]
            self.anchors, problems = check_anchors(chain)
            for problem in problems:
                log.warning(str(problem))
        return self.anchors

    def _removed_note(self, page: Page, anchor: str, gone: Removed) -> str:
        """What a link to a removed section finds (policy.css shows it only as the target)."""
        settings = self._policy().settings
        href = get_relative_url(settings.redline_url(gone.version_id), page.url)
        day = long_date(dt.date.fromisoformat(gone.version_id))
        return (
            f'<p id="{html.escape(anchor)}" class="policy-removed-anchor">The section '
            f"\u201c{html.escape(gone.title)}\u201d was removed from this policy in the version "
            f'effective {day}: <a href="{html.escape(href)}">see what changed</a>.</p>'
        )

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
        except PublishError as err:
            raise PluginError(str(err)) from None
        for warning in headers.warnings:
            log.warning(warning)
        _write(site, headers.files)
        log.info(headers.summary)


def _write(site: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _page(title: str, template: str) -> str:
    """The Markdown source of a page that a template fills in."""
    return f"---\ntitle: {title}\ntemplate: {template}.html\n---\n"


def _version_page(version: PolicyVersion) -> str:
    """The Markdown source of the policy in effect, from the checked model (not the file again)."""
    front = yaml.safe_dump({"title": version.title}, allow_unicode=True, width=1_000_000)
    return f"---\n{front}---\n{version.body}"
