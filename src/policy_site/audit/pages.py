"""The pages an audit visits (a folder's HTML files, a live site's sitemap or links) and the
site's ledger of consent releases, read through the browser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from policy_site.audit.record import _evaluate, _without_query
from policy_site.audit.schema import ConsentRelease
from policy_site.audit.settings import CRAWL_LIMIT, LOAD_TIMEOUT_MS
from policy_site.audit.states import AuditError

if TYPE_CHECKING:
    from playwright.async_api import Browser

_LINKS = "() => Array.from(document.querySelectorAll('a[href]'), (a) => a.href)"


def _dir_pages(directory: Path) -> list[str]:
    """Every HTML page of a built site, as URL paths: ``index.html`` -> ``/``."""
    pages = []
    for file in directory.rglob("*.html"):
        relative = file.relative_to(directory).as_posix()
        if relative == "index.html":
            pages.append("/")
        elif relative.endswith("/index.html"):
            pages.append("/" + relative[: -len("index.html")])
        else:
            pages.append("/" + relative)
    return sorted(pages, key=lambda p: (p != "/", p))


def sitemap_pages(text: str) -> list[str]:
    """The sitemap's page paths, rebased onto ``base`` (mkdocs writes them under its site_url)."""
    root = ElementTree.fromstring(text)
    locs = [
        (e.text or "").strip()
        for e in root.iter()
        if e.tag.rsplit("}", 1)[-1] == "loc" and (e.text or "").strip()
    ]
    if not locs:
        return []
    paths = [urlsplit(loc).path or "/" for loc in locs]
    folders = [p.rsplit("/", 1)[0].split("/") for p in paths]
    common = folders[0]
    for folder in folders[1:]:
        while folder[: len(common)] != common:
            common = common[:-1]
    prefix = "/".join(common) + "/"
    return sorted({"/" + p[len(prefix) :] for p in paths}, key=lambda p: (p != "/", p))


async def _releases(browser: Browser, base: str) -> list[ConsentRelease]:
    """The site's ledger of consent releases (consent/archive.py), read through the browser (its
    host names are the browser's); empty when the site has none."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context()
    try:
        page = await context.new_page()
        response = await page.goto(urljoin(base, "consent/releases.json"), timeout=LOAD_TIMEOUT_MS)
        if response is None or not response.ok:
            return []
        releases: list[ConsentRelease] = json.loads(await response.body())["releases"]
        return releases
    except (PlaywrightError, ValueError, KeyError, TypeError):
        return []
    finally:
        await context.close()


def _loaded_release(
    releases: list[ConsentRelease], loaded: set[str], base_path: str
) -> ConsentRelease | None:
    """The release holding every bundle file the pages loaded (paths in the site)."""
    paths = {path.removeprefix(base_path) for path in loaded}
    found = [release for release in releases if paths and paths <= set(release["files"])]
    return found[-1] if found else None


async def _discover(browser: Browser, base: str, host: str) -> list[str]:
    """The pages of a live site: its sitemap, else the same-origin links followed from ``base``.
    Raises AuditError, with the browser's reason, when not even ``base`` is an HTML page."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context()
    try:
        page = await context.new_page()
        for sitemap in dict.fromkeys((urljoin(base, "sitemap.xml"), urljoin(base, "/sitemap.xml"))):
            try:
                response = await page.goto(sitemap, timeout=LOAD_TIMEOUT_MS)
                if response is not None and response.ok:
                    found = sitemap_pages(await response.text())
                    if found:
                        return found
            except (PlaywrightError, ElementTree.ParseError):
                continue
        base_path = urlsplit(base).path or "/"
        seen: dict[str, None] = {}
        queue = [base]
        why = "it is not an HTML page"
        while queue and len(seen) < CRAWL_LIMIT:
            parts = urlsplit(queue.pop(0))
            path = parts.path or "/"
            page_path = "/" + path[len(base_path) :]
            if page_path in seen or parts.hostname != host or not path.startswith(base_path):
                continue
            seen[page_path] = None
            try:
                response = await page.goto(urljoin(base, page_path[1:]), timeout=LOAD_TIMEOUT_MS)
            except PlaywrightError as err:
                del seen[page_path]
                why = str(err).splitlines()[0]
                continue
            if response is None or "html" not in (
                await response.header_value("content-type") or ""
            ):
                del seen[page_path]
                continue
            queue += [_without_query(str(link)) for link in await _evaluate(page, _LINKS, [])]
        if not seen:
            raise AuditError(
                f"{base} could not be audited: no sitemap.xml, and the page itself did not load "
                f"({why}). Check the address, and that this machine reaches it."
            )
        return sorted(seen, key=lambda p: (p != "/", p))
    finally:
        await context.close()
