"""The MkDocs plugin: events only. The site comes from the core's one loader (``load_site``),
what is published beside the pages from its pure functions (``policy_site.publishing``); the
pages carry what they show (``adapter.pages``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from policy_site.adapter.config import PolicySiteConfig, site_config
from policy_site.adapter.pages import (
    PageRef,
    PolicyPage,
    add_policy_pages,
    language_navs,
    removed_note,
)
from policy_site.adapter.words import permalink_title, section_titles, translated_permalinks
from policy_site.commands import for_reader
from policy_site.problems import PolicySiteError
from policy_site.publishing import (
    gated_markup_problems,
    header_files,
    published_files,
    section_anchors,
    site_consent,
    write_files,
)
from policy_site.render import converter
from policy_site.site import Site, load_site
from policy_site.versions.anchors import Anchors, with_old_anchors
from policy_site.versions.redline import make_redline, rendered_text_sha256
from policy_site.views import consent_view, page_view, timeline_view

__all__ = ["THEME_DIR", "PolicySitePlugin"]

log = get_plugin_logger("policy_site")
#: The plugin's templates (the policy pages, and the theme's blocks it adds to or escapes) and
#: their stylesheet and script: a theme folder searched after the site's custom_dir.
THEME_DIR = Path(__file__).resolve().parents[1] / "theme"


class PolicySitePlugin(BasePlugin[PolicySiteConfig]):
    """Publishes the version in effect, an archive, a page and a redline per version, feeds and a
    manifest, all decided by the build date."""

    def __init__(self) -> None:
        self._site: Site | None = None
        #: Each version's rendered text, by ``PolicyVersion.key``, as its page is rendered.
        self.rendered: dict[str, str] = {}
        #: Each version's section anchors by language, worked out once every page is rendered.
        self.anchors: dict[str, dict[str, Anchors]] | None = None
        #: What every page in a language shares (policy_site.views), made once per build.
        self.shared: dict[str, dict[str, Any]] = {}
        #: The navigation of each translated language's pages, in the order of the site's nav.
        self.navs: dict[str, Navigation] = {}

    @property
    def site(self) -> Site:
        assert self._site is not None, "on_config runs first"
        return self._site

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # As MkDocs' search plugin adds its folder; here before the theme's own, so that these
        # templates extend it, and after the site's custom_dir, so that the site's still win.
        dirs = config.theme.dirs
        if str(THEME_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        try:  # mkdocs serve runs on_config again on every change: all is loaded anew
            self._site = site = load_site(site_config(config, self.config))
        except PolicySiteError as err:
            raise PluginError(f"The site cannot be built:\n{for_reader(str(err))}") from None
        policy = site.policy
        permalink_title(config, site.settings)
        for problem in policy.warnings:
            log.warning(str(problem))
        log.info("Build date %s: version %s.%s", policy.timeline.today, policy.status,
                 policy.unverified_note)  # fmt: skip
        self.rendered, self.anchors, self.shared, self.navs = {}, None, {}, {}
        if site.kept is not None and site.unkept:
            # A warning: mkdocs serve previews an edit; the strict build refuses to publish.
            log.warning(for_reader(site.kept.not_kept(site.unkept)))
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        add_policy_pages(self.site, files, config)
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Each translated language's pages get the site's navigation in their language."""
        section_titles(nav, config, self.site.settings)
        self.navs = language_navs(nav, self.site.settings.translated)
        return nav

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        site = self.site
        consent = None
        if site.consent is not None and site.bundle is not None:
            language = config.theme.get("language")
            consent = consent_view(site.consent, site.bundle, site.settings, language)
        env.globals["consent"] = consent
        # The words of a page the plugin is not called for (404.html), as every other page has.
        env.globals["policy"] = page_view(timeline_view(site.policy), "", None)
        return env

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        html = translated_permalinks(html, page, config, self.site.settings)
        if isinstance(page, PolicyPage) and page.ref.kind == "version" and page.entry:
            self.rendered[page.entry.version.key] = html
        problems = gated_markup_problems(self.site, html)
        if problems:
            where = f"docs/{page.file.src_uri}: "
            raise PluginError(where + f"\n{where}".join(problems))
        return html

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        site = self.site
        policy = isinstance(page, PolicyPage)
        ref = (
            page.ref if isinstance(page, PolicyPage) else PageRef("", None, site.settings.language)
        )
        entry = page.entry if isinstance(page, PolicyPage) else None
        code = ref.language
        if code not in self.shared:
            self.shared[code] = timeline_view(site.policy, code)
        redline = None
        if ref.kind == "redline" and entry is not None and entry.previous is not None:
            before, after = entry.previous.key, entry.version.key
            redline = make_redline(self.rendered[before], self.rendered[after])
        text_sha256 = None
        if ref.kind in ("current", "version") and entry is not None:
            rendered = self.rendered.get(entry.version.key)
            if rendered is not None:
                text_sha256 = rendered_text_sha256(rendered)
                anchors = self._anchors(config).get(code, {}).get(entry.id)
                if anchors is not None and page.content is not None:
                    page.content = with_old_anchors(
                        page.content,
                        anchors,
                        lambda old, gone: removed_note(site, page, old, gone, code),
                    )
        alternates = [
            {"code": there, "name": name, "url": page.counterparts[there].url,
             "current": there == code}
            for there, name in site.settings.languages.items()
            if isinstance(page, PolicyPage) and there in page.counterparts
        ]  # fmt: skip
        view = page_view(self.shared[code], ref.kind, ref.version_id, redline, text_sha256,
                         alternates)  # fmt: skip
        data = cast(dict[str, Any], context)
        data["policy"] = view
        if policy and code != site.settings.language:
            data["nav"] = self.navs.get(code, nav)
        if site.consent is not None and site.bundle is not None and policy:
            data["consent"] = consent_view(site.consent, site.bundle, site.settings, code)
        return context

    def _anchors(self, config: MkDocsConfig) -> dict[str, dict[str, Anchors]]:
        """Every version's anchors, in each language; the first call (all pages are rendered by
        then) warns, which fails the strict build, of each section link that a later version
        breaks, a draft included (no page shows it: rendered with the pages' extensions)."""
        if self.anchors is None:
            render = converter(config.markdown_extensions, config.mdx_configs)
            self.anchors, problems = section_anchors(self.site.policy, self.rendered, render)
            for problem in problems:
                log.warning(str(problem))
        return self.anchors

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Writes what the core publishes beside the pages, then the headers that fit them."""
        site = self.site
        site_url = config.site_url or "/"
        folder = Path(config.site_dir)
        consent = site_consent(site)
        try:
            files = published_files(site.policy, site_url, config.site_name, self.rendered,
                                    self._anchors(config), consent)  # fmt: skip
            write_files(folder, files)
            headers = header_files(folder, urlsplit(site_url).netloc, consent)
        except PolicySiteError as err:
            raise PluginError(for_reader(str(err))) from None
        for warning in headers.warnings:
            log.warning(warning)
        write_files(folder, headers.files)
        log.info(headers.summary)
