"""What MkDocs and Python-Markdown themselves would print in English on a site in another
language, in the page's words instead (policy_site.locale): the section links' title (the ``toc``
extension's ``permalink_title``, "Permanent link") and the navigation's section titles that MkDocs
makes from folder names ("Privacy", "Versions", "Changes"). A site that set either itself keeps
its own.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import dirname_to_title

from policy_site.adapter.pages import PolicyPage
from policy_site.versions import Settings

__all__ = ["permalink_title", "section_titles", "translated_permalinks"]


def _toc(config: MkDocsConfig) -> dict[str, Any] | None:
    """The ``toc`` extension's options, when it writes section links."""
    options = config.mdx_configs.get("toc")
    if "toc" not in config.markdown_extensions or not isinstance(options, dict):
        return None
    return options if options.get("permalink") else None


def permalink_title(config: MkDocsConfig, settings: Settings) -> None:
    """The section links' title in the authoritative language, unless the site set one."""
    options = _toc(config)
    if options is not None and "permalink_title" not in options:
        words = settings.words.texts(settings.language)
        options["permalink_title"] = words["permalink"]


def translated_permalinks(
    content: str, page: Page, config: MkDocsConfig, settings: Settings
) -> str:
    """A translated page's section links with their title in its own language (the Markdown is
    converted with one set of options: the authoritative language's)."""
    options = _toc(config)
    if options is None or not isinstance(page, PolicyPage):
        return content
    language = page.ref.language
    if language == settings.language:
        return content
    ours = settings.words.texts(settings.language)["permalink"]
    if options.get("permalink_title") != ours:
        return content  # the site's own title
    theirs = html.escape(settings.words.texts(language)["permalink"])
    link = re.escape(str(options.get("permalink_class") or "headerlink"))
    title = re.escape(html.escape(ours))
    pattern = re.compile(rf'(<a class="{link}" href="[^"]*" title="){title}"')
    return pattern.sub(lambda match: f'{match.group(1)}{theirs}"', content)


def section_titles(nav: Navigation, config: MkDocsConfig, settings: Settings) -> None:
    """The titles MkDocs made from the policy's folder names, in the authoritative language: the
    section holding the policy in effect, the archive's, the redlines'. Only when mkdocs.yml has
    no ``nav`` (one that has names its own sections)."""
    if config.nav is not None:
        return
    words = settings.words.texts(settings.language)["nav"]
    policy, versions = settings.policy_dir, settings.versions_dir.strip("/")
    folders = {policy: "policy", versions: "versions", f"{policy}/changes": "changes"}

    def walk(items: list[Any]) -> None:
        for item in items:
            if not isinstance(item, Section):
                continue
            pages = [page for page in item.children if isinstance(page, PolicyPage)]
            folder = posixpath.dirname(pages[0].file.src_uri) if pages else None
            key = folders.get(folder or "")
            if key and folder and item.title == dirname_to_title(posixpath.basename(folder)):
                item.title = words[key]
            walk(item.children)

    walk(nav.items)
