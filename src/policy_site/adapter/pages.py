"""The policy's pages as MkDocs sees them. Each is a ``PolicyPage``: a MkDocs ``Page`` that carries
what it shows (its kind, the version's entry, its language) and its counterparts in the other
languages, as mkdocs-material's blog ``Post`` carries its date; nothing downstream works them out
again from the file name.

The authoritative versions are the site's own Markdown files; every other policy page (the
policy in effect, the archive, the redlines, the cookie page, and each translated language's
pages under ``<language>/``) is generated from the checked model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import itertools
from typing import Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from policy_site.locale import say
from policy_site.site import Site
from policy_site.versions import Entry, PolicyVersion
from policy_site.versions.anchors import Removed

__all__ = ["PageRef", "PolicyPage", "add_policy_pages", "language_navs", "removed_note"]


@dataclasses.dataclass(frozen=True)
class PageRef:
    """What a page of the policy shows: its kind, the version, and the language it is in."""

    kind: str
    version_id: str | None
    language: str

    @property
    def place(self) -> tuple[str, str | None]:
        """What the page is across languages: a version's page or redline is that version's;
        the current policy, the archive and the cookie page are each one page in every language
        (the current one shows a different version where a translation is missing)."""
        kind = self.kind
        return (kind, self.version_id if kind in ("version", "redline") else None)


class PolicyPage(Page):
    """A page of the policy, with what it shows."""

    def __init__(
        self, title: str | None, ref: PageRef, entry: Entry | None, file: File, config: MkDocsConfig
    ) -> None:
        super().__init__(title, file, config)
        self.ref = ref
        #: The version it shows, and where it stands (None: the archive, the cookie page, or a
        #: current page that says the version in effect has no translation).
        self.entry = entry
        #: The same page in each language the site has it in, this one included.
        self.counterparts: dict[str, PolicyPage] = {}


def add_policy_pages(site: Site, files: Files, config: MkDocsConfig) -> None:
    """Drops the drafts, the translations' sources and the lock from ``files``, adds the pages
    generated from the model, and makes every policy page a ``PolicyPage``."""
    settings = site.settings
    published = {entry.id for entry in site.policy.timeline.entries}
    for file in list(files):
        folder, _, name = file.src_uri.rpartition("/")
        if file.src_uri == settings.lock_file or (
            folder == settings.versions_dir
            and name.endswith(".md")
            and (name[:-3] not in published or "." in name[:-3])  # a draft, a translation
        ):
            files.remove(file)
    pages: list[PolicyPage] = []
    titles = _nav_titles(config.nav)  # as MkDocs gives the pages it makes itself
    for code in settings.languages:
        for src_uri, ref, entry, content in _sources(site, code):
            if content is not None:
                if files.get_file_from_path(src_uri) is not None:
                    raise PluginError(
                        f"docs/{src_uri} exists, but the build generates that page from the "
                        "version files. Delete it: the policy's text lives in the version files."
                    )
                files.append(File.generated(config, src_uri, content=content))
            made = files.get_file_from_path(src_uri)
            if made is not None:
                pages.append(PolicyPage(titles.get(src_uri), ref, entry, made, config))
    places: dict[tuple[str, str | None], dict[str, PolicyPage]] = {}
    for page in pages:
        page.counterparts = places.setdefault(page.ref.place, {})
        page.counterparts[page.ref.language] = page


def _sources(
    site: Site, code: str
) -> list[tuple[str, PageRef, Entry | None, str | None]]:  # fmt: skip
    """The policy's pages in ``code`` (under ``<code>/`` for a translated language): each with its
    source path, what it shows, and its generated Markdown (None: the site's own file)."""
    policy, settings = site.policy, site.settings
    words = settings.words.texts(code)
    prefix = settings.prefix(code)
    versions_dir, policy_dir = f"{prefix}{settings.versions_dir}", f"{prefix}{settings.policy_dir}"
    own = code == settings.language
    timeline = policy.timeline_in(code)
    current: Entry | None = timeline.current
    found: list[tuple[str, PageRef, Entry | None, str | None]] = []
    for entry in timeline.entries:  # the authoritative files are MkDocs' own; a translation's, ours
        content = None if own else _version_page(entry.version)
        found.append((f"{versions_dir}/{entry.id}.md", PageRef("version", entry.id, code), entry,
                      content))  # fmt: skip
        if entry.previous is not None:
            title = say(
                words["redline"]["title"],
                effective=settings.words.long_date(entry.version.effective, code),
            )
            found.append((f"{policy_dir}/changes/{entry.id}.md", PageRef("redline", entry.id, code),
                          entry, _page(title, "policy-redline")))  # fmt: skip
    if current is not None:
        found.append((f"{policy_dir}/index.md", PageRef("current", current.id, code), current,
                      _version_page(current.version)))  # fmt: skip
    else:  # the version in effect has no translation: this page says so
        missing = _page(words["translation"]["missing_title"], "policy-untranslated")
        found.append((f"{policy_dir}/index.md", PageRef("current", None, code), None, missing))
    found.append((f"{versions_dir}/index.md", PageRef("archive", None, code), None,
                  _page(words["archive"]["title"], "policy-archive")))  # fmt: skip
    if site.consent is not None and (own or code in site.consent.texts):
        found.append((f"{policy_dir}/cookies.md", PageRef("cookies", None, code), None,
                      _page(words["cookies"]["title"], "policy-cookies")))  # fmt: skip
    return found


def language_navs(nav: Navigation, codes: tuple[str, ...]) -> dict[str, Navigation]:
    """Each translated language's navigation: the site's entries, each the page's counterpart
    in that language (an entry with none is left out)."""
    navs: dict[str, Navigation] = {}
    for code in codes:
        items: list[Any] = [
            item.counterparts[code]
            for item in nav.items
            if isinstance(item, PolicyPage) and code in item.counterparts
        ]
        for before, after in itertools.pairwise(items):  # the footer's links
            before.next_page, after.previous_page = after, before
        navs[code] = Navigation(items, items)
        navs[code].homepage = nav.homepage
    return navs


def removed_note(site: Site, page: Page, anchor: str, gone: Removed, language: str) -> str:
    """What a link to a removed section finds (policy.css shows it only as the target)."""
    href = get_relative_url(site.settings.redline_url(gone.version_id, language), page.url)
    words = site.settings.words
    day = words.long_date(dt.date.fromisoformat(gone.version_id), language)
    link = f'<a href="{html.escape(href)}">'
    note = say(
        words.texts(language)["removed_anchor"], title=html.escape(gone.title), effective=day,
        a=link,
    ).replace("{/a}", "</a>")  # fmt: skip
    return f'<p id="{html.escape(anchor)}" class="policy-removed-anchor">{note}</p>'


def _nav_titles(nav: object) -> dict[str, str]:
    """The title of each page that mkdocs.yml's ``nav`` names (``Title: path``), by its path."""
    found: dict[str, str] = {}
    for item in nav if isinstance(nav, list) else ():
        for title, value in item.items() if isinstance(item, dict) else ():
            found |= {value: str(title)} if isinstance(value, str) else _nav_titles(value)
    return found


def _page(title: str, template: str) -> str:
    """The Markdown source of a page that a template fills in."""
    front = yaml.safe_dump({"title": title, "template": f"{template}.html"}, allow_unicode=True)
    return f"---\n{front}---\n"


def _version_page(version: PolicyVersion) -> str:
    """The Markdown source of the policy in effect, from the checked model (not the file again)."""
    front = yaml.safe_dump({"title": version.title}, allow_unicode=True, width=1_000_000)
    return f"---\n{front}---\n{version.body}"
