"""The project's site as a whole: strict build, URLs, and nothing loaded from another host."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.support import elements, parse_html, strings

#: Elements and attributes through which a browser loads something without being asked to.
LOADING_ATTRIBUTES = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "iframe": ["src"],
    "source": ["src", "srcset"],
    "audio": ["src"],
    "video": ["src", "poster"],
    "track": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "input": ["src"],
}
LOADING_LINK_RELS = {"stylesheet", "preconnect", "dns-prefetch", "preload", "prefetch", "icon",
                     "modulepreload", "manifest", "prerender", "apple-touch-icon"}  # fmt: skip


def foreign_loads(html_file: Path) -> list[str]:
    page = parse_html(html_file)
    found: list[str] = []
    for tag, attributes in LOADING_ATTRIBUTES.items():
        for element in page.iter(tag):
            for attribute in attributes:
                for url in re.split(r",\s*", element.get(attribute) or ""):
                    if urlsplit(url.strip().split(" ")[0]).netloc:
                        found.append(f"<{tag} {attribute}={url!r}>")
    for link in page.iter("link"):
        if (
            set((link.get("rel") or "").lower().split()) & LOADING_LINK_RELS
            and urlsplit(link.get("href") or "").netloc
        ):
            found.append(f"<link rel={link.get('rel')!r} href={link.get('href')!r}>")
    for style in strings(page, "//style/text() | //@style"):
        found += [f"url({url})" for url in re.findall(r"url\(\s*['\"]?(\w+:)?//([^)'\"]+)", style)]
    return found


def test_build_is_strict_clean(project_build: tuple[Path, str]) -> None:
    _, log = project_build
    assert "WARNING" not in log
    assert "ERROR" not in log


def test_urls_of_the_contract_exist(project_site: Path) -> None:
    for path in ["index.html", "privacy/index.html", "privacy/versions/2007-10-01/index.html"]:
        assert (project_site / path).is_file(), path


def test_site_root_leads_to_the_policy(project_site: Path) -> None:
    root = parse_html(project_site / "index.html")
    assert strings(root, "//meta[@http-equiv='refresh']/@content") == ["0; url=privacy/"]
    assert strings(root, "//a/@href") == ["privacy/"]


def test_no_page_loads_anything_from_another_host(project_site: Path) -> None:
    pages = sorted(project_site.rglob("*.html"))
    assert len(pages) >= 4
    leaks = {str(page.relative_to(project_site)): foreign_loads(page) for page in pages}
    assert {page: found for page, found in leaks.items() if found} == {}
    for page in pages:
        assert "fonts.googleapis.com" not in page.read_text(encoding="utf-8")


def test_foreign_load_scan_finds_what_it_should(tmp_path: Path) -> None:
    # The scan above must be able to fail: a page with each kind of leak is caught.
    page = tmp_path / "leaky.html"
    page.write_text(
        "<html><head><link rel='preconnect' href='https://fonts.gstatic.com'>"
        "<style>body{background:url(https://cdn.example/bg.png)}</style></head>"
        "<body><img srcset='/a.png 1x, https://px.example/p.gif 2x'>"
        "<script src='//tags.example/t.js'></script><a href='https://ok.example/'>ok</a>"
        "</body></html>",
        encoding="utf-8",
    )
    assert len(foreign_loads(page)) == 4


def test_material_consent_is_not_used(project_site: Path) -> None:
    page = parse_html(project_site / "privacy/index.html")
    assert elements(page, "//*[@data-md-component='consent']") == []
