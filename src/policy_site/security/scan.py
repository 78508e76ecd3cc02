"""What the built site may load before consent, and the inline scripts the headers allow.

Two checks over every built page, in one parse each:

* the SHA-256 of every inline script that runs (mkdocs-material's, which differ with page depth,
  and the gated inline scripts the consent bundle will run), so the Content-Security-Policy can
  allow exactly those and nothing inline else (security/headers.py writes it);
* every element that would load from another host without waiting for consent: the build fails on
  it, naming the page and the element, unless the host is declared necessary in consent.yml. A
  gated element (``data-category``) waits only through ``data-src`` and ``data-srcset``: any
  other URL attribute of it still loads. An ``<iframe srcdoc>`` is a document of its own that the
  consent bundle never runs in: it is scanned like a page, at any depth, gated or not. A URL's host
  is read as a browser's URL parser reads it (``policy_site.urls``), not as ``urlsplit`` does.
  Beyond loads: a ``<meta http-equiv=refresh>`` to another host (it navigates before any choice,
  and no CSP governs navigation), ``<a ping>`` and ``<area ping>``, ``<form action>`` and a
  ``formaction``. CSS, in ``<style>`` and ``style``, is read as a browser reads it
  (``security/css.py``: escapes, comments, ``image-set``, ``@import``).

Pure logic, no MkDocs; the plugin calls it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from policy_site.security.css import css_urls
from policy_site.urls import srcset_urls, url_host

__all__ = ["SiteScan", "refresh_url", "scan_page", "scan_site", "script_hash", "srcdoc_problems"]

#: Script types a browser runs; any other type (application/json, text/plain) is data.
_RUNNABLE = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}

#: ``xlink:href`` as a namespace-aware parser names it; lxml.html keeps the name ``xlink:href``.
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: The URL attributes of an SVG element that loads what they point at (``<image>``, ``<feImage>``,
#: ``<script>``, ``<use>``); lxml lowercases tag names, so ``<feImage>`` is ``feimage``.
_SVG_HREF = ("href", "xlink:href", _XLINK_HREF)
#: Attributes through which an element loads something as soon as it is in the page. One name
#: may be an HTML element and an SVG one (``script``, ``image``): both kinds of URL count.
_LOADING = {
    "script": ("src", *_SVG_HREF),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src", "formaction"),
    "button": ("formaction",),
    "form": ("action",),
    "a": ("ping",),
    "area": ("ping",),
    "use": _SVG_HREF,
    # An HTML parser reads <image> as <img>; lxml keeps "image", as inside <svg>.
    "image": ("src", "srcset", *_SVG_HREF),
    "feimage": _SVG_HREF,
    "body": ("background",),
    "table": ("background",),
    "thead": ("background",),
    "tbody": ("background",),
    "tfoot": ("background",),
    "tr": ("background",),
    "td": ("background",),
    "th": ("background",),
}
#: ``<link rel>`` values that make the browser fetch or connect to ``href``.
_LOADING_RELS = {"stylesheet", "preconnect", "dns-prefetch", "preload", "prefetch", "icon",
                 "modulepreload", "manifest", "prerender", "apple-touch-icon",
                 "apple-touch-icon-precomposed", "mask-icon"}  # fmt: skip
#: The ``srcset`` attributes: a list of image candidates, each a URL and its descriptors.
_SRCSETS = ("srcset", "imagesrcset")
#: Elements with a style attribute, found in C: pages have thousands of elements, few styled.
_STYLED = etree.XPath("//*[@style]")
_ASCII_WHITESPACE = "\t\n\f\r "
#: What the page does with a URL that is not a load of a resource, by the attribute holding it.
_VERBS = {"content": "sends the visitor to", "action": "submits to", "formaction": "submits to",
          "ping": "pings"}  # fmt: skip
#: Where a load inside an ``<iframe srcdoc>`` is, and why gating cannot help it.
_IN_SRCDOC = "<iframe srcdoc=...> holds "
_SRCDOC_FIX = (
    "the consent bundle does not run inside srcdoc; serve that content as a file from this site "
    "and use a gated <iframe data-src=...>"
)


@dataclass
class SiteScan:
    """What the pages of a built site contain that the headers and the gate care about."""

    #: ``'sha256-…'`` of every inline script a browser would run, across all pages.
    script_hashes: set[str] = field(default_factory=set)
    #: ``page: <element …> loads from host``, for every ungated load from an undeclared host.
    problems: list[str] = field(default_factory=list)
    pages: int = 0


def script_hash(text: str) -> str:
    """The CSP source that allows an inline script with this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def scan_page(html: str, site_host: str, allowed_hosts: Iterable[str] = ()) -> SiteScan:
    """The inline script hashes of one page and its loads from other hosts before consent.

    A gated element (``data-category``) is the consent bundle's to start: it counts for its
    inline text (the bundle will run it, and the CSP must allow that), and its ``data-src``,
    ``data-srcset`` and (on a ``text/plain`` script) ``src`` are not loads; any other URL
    attribute is. Every load inside an ``<iframe srcdoc>``, at any depth, is ungated."""
    scan = SiteScan(pages=1)
    root = lxml.html.document_fromstring(html)
    allowed = {host.lower() for host in (site_host, *allowed_hosts)}
    for script in root.iter("script"):
        if script.get("src") is None and (
            (script.get("type") or "").strip().lower() in _RUNNABLE
            or (script.get("data-category") is not None and script.get("type") == "text/plain")
        ):
            scan.script_hashes.add(script_hash(script.text or ""))
    scan.problems = _load_problems(root, allowed)
    return scan


def srcdoc_problems(srcdoc: str, allowed_hosts: Iterable[str]) -> list[str]:
    """The loads from a host not in ``allowed_hosts`` of an ``<iframe srcdoc>``, at any depth: the
    consent bundle does not run there, so none of them waits for consent."""
    inner = _parse_srcdoc(srcdoc)
    if inner is None:
        return []
    return _load_problems(inner, {host.lower() for host in allowed_hosts}, _IN_SRCDOC)


def _load_problems(root: HtmlElement, allowed: set[str], within: str = "") -> list[str]:
    """What ``root`` loads from a host not allowed before consent; ``within`` is the chain of
    ``<iframe srcdoc>`` it sits in (empty for the page itself, where data-category gates)."""
    problems: list[str] = []
    for element, attribute, url in _loads(root):
        category = None if within else element.get("data-category")
        if category is not None and attribute == "src" and _inert(element):
            continue
        host = url_host(url)
        if host is None or host in allowed:
            continue
        load = _describe(element, attribute, url, category)
        if within:
            problems.append(
                f"{within}{load}, which loads from {host} with no consent: {_SRCDOC_FIX}"
            )
        elif category is not None:
            problems.append(
                f"{load} loads from {host} before consent: only data-src and data-srcset wait "
                "for consent"
            )
        else:
            problems.append(f"{load} {_VERBS.get(attribute, 'loads from')} {host}")
    # No prefilter on the text: lxml lowercases attribute names (SRCDOC is srcdoc), and finding
    # the iframes of a parsed page costs next to nothing.
    for iframe in root.iter("iframe"):
        inner = _parse_srcdoc(iframe.get("srcdoc"))
        if inner is not None:
            problems += _load_problems(inner, allowed, within + _IN_SRCDOC)
    return problems


def _inert(script: HtmlElement) -> bool:
    """Whether a gated element is a script of a type no browser runs (its ``src`` waits)."""
    return script.tag == "script" and (script.get("type") or "").strip().lower() not in _RUNNABLE


def _parse_srcdoc(srcdoc: str | None) -> HtmlElement | None:
    """The document of an ``<iframe srcdoc>``, or None for one with no elements."""
    if not srcdoc or not srcdoc.strip():
        return None
    try:
        return lxml.html.document_fromstring(srcdoc)
    except etree.ParserError:
        return None


def _loads(root: HtmlElement) -> Iterable[tuple[HtmlElement, str, str]]:
    """Every (element, attribute, URL) through which the page loads something on its own."""
    styled = cast(list[HtmlElement], _STYLED(root))
    for element in root.iter(*_LOADING, "link", "style", "meta"):
        if not isinstance(element, HtmlElement):
            continue
        tag = str(element.tag).rpartition("}")[2]
        for attribute in _LOADING.get(tag, ()):
            value = element.get(attribute)
            if value is None:
                continue
            if attribute in _SRCSETS:
                urls = srcset_urls(value)
            elif attribute == "ping":  # a space-separated list of URLs
                urls = value.split()
            else:
                urls = [value.strip()]
            for url in urls:
                yield element, attribute, url
        if tag == "meta" and (element.get("http-equiv") or "").strip().lower() == "refresh":
            target = refresh_url(element.get("content") or "")
            if target is not None:
                yield element, "content", target
        if tag == "link":
            if set((element.get("rel") or "").lower().split()) & _LOADING_RELS:
                yield element, "href", (element.get("href") or "").strip()
            # <link rel=preload as=image imagesrcset>; counted whatever the rel (failing closed).
            for url in srcset_urls(element.get("imagesrcset") or ""):
                yield element, "imagesrcset", url
        if tag == "style":
            for url in css_urls(element.text or ""):
                yield element, "url()", url
    for element in styled:
        for url in css_urls(element.get("style") or ""):
            yield element, "style", url


def refresh_url(content: str) -> str | None:
    """The URL a ``<meta http-equiv=refresh>`` with this ``content`` goes to, None for none (the
    page itself), read as the HTML standard's shared declarative refresh steps read it: the delay,
    then ``;`` or ``,``, then the URL, after an optional ``url=`` and an optional quote. Failing
    closed: a delay a browser would refuse is skipped, not taken as no refresh."""
    position = len(content) - len(content.lstrip(_ASCII_WHITESPACE))
    while position < len(content) and (content[position].isdigit() or content[position] == "."):
        position += 1
    while position < len(content) and content[position] in _ASCII_WHITESPACE:
        position += 1
    if position < len(content) and content[position] in ";,":
        position += 1
    rest = content[position:].lstrip(_ASCII_WHITESPACE)
    if not rest:
        return None
    url = rest
    if rest[:3].lower() == "url":
        after = rest[3:].lstrip(_ASCII_WHITESPACE)
        if after.startswith("="):
            url = after[1:].lstrip(_ASCII_WHITESPACE)
    if url[:1] in ("'", '"'):
        url = url[1:].partition(url[0])[0]
    return url


def _describe(element: HtmlElement, attribute: str, url: str, category: str | None = None) -> str:
    short = url if len(url) <= 80 else url[:77] + "..."
    gate = "" if category is None else f" data-category={category!r}"
    return f"<{element.tag}{gate} {attribute}={short!r}>"


def scan_site(site_dir: Path, site_host: str, allowed_hosts: Iterable[str] = ()) -> SiteScan:
    """``scan_page`` over every HTML file of a built site; problems are prefixed with the page."""
    total = SiteScan()
    allowed = tuple(allowed_hosts)
    for page in sorted(site_dir.rglob("*.html")):
        scan = scan_page(page.read_text(encoding="utf-8"), site_host, allowed)
        name = page.relative_to(site_dir).as_posix()
        total.pages += 1
        total.script_hashes |= scan.script_hashes
        total.problems += [f"{name}: {problem}" for problem in scan.problems]
    return total
