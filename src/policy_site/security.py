"""What the built site may load, and the HTTP headers that make the browser enforce it.

Two checks over every built page, in one parse each:

* the SHA-256 of every inline script that runs (mkdocs-material's, which differ with page depth,
  and the gated inline scripts the consent bundle will run), so the Content-Security-Policy can
  allow exactly those and nothing inline else;
* every element that would load from another host without waiting for consent: the build fails on
  it, naming the page and the element, unless the host is declared necessary in consent.yml. A
  gated element (``data-category``) waits only through ``data-src`` and ``data-srcset``: any
  other URL attribute of it still loads. An ``<iframe srcdoc>`` is a document of its own that the
  consent bundle never runs in: it is scanned like a page, at any depth, gated or not. A URL's host
  is read as a browser's URL parser reads it (``policy_site.urls``), not as ``urlsplit`` does.

Then the headers: a strict CSP whose only other hosts are those consent.yml declares, HSTS,
nosniff, frame denial, referrer and permissions policies, written as ``_headers`` (the Netlify and
Cloudflare Pages format) and as an nginx snippet. Pure logic, no MkDocs; the plugin calls it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from policy_site.urls import srcset_urls, url_host

__all__ = [
    "CLOUDFLARE_LINE_LIMIT",
    "HEADERS_FILE",
    "NGINX_FILE",
    "NGINX_LOCATIONS_FILE",
    "SHARED_PATHS",
    "SiteScan",
    "content_security_policy",
    "headers_file",
    "nginx_locations",
    "nginx_snippet",
    "parse_headers_file",
    "scan_page",
    "scan_site",
    "security_headers",
]

#: The header rules, in the format Netlify and Cloudflare Pages read (neither publishes it).
HEADERS_FILE = "_headers"
#: Cloudflare Pages ignores longer lines of ``_headers``.
CLOUDFLARE_LINE_LIMIT = 2000
#: The same headers for nginx: ``include`` it in the site's ``server { }`` block.
NGINX_FILE = "_headers.nginx.conf"
#: The locations of the consent bundle's files for nginx: ``include`` it once in that block.
NGINX_LOCATIONS_FILE = "_headers.nginx.locations.conf"

#: Script types a browser runs; any other type (application/json, text/plain) is data.
_RUNNABLE = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}

#: ``xlink:href`` as a namespace-aware parser names it; lxml.html keeps the name ``xlink:href``.
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: The URL attributes of an SVG element that loads what they point at (``<image>``, ``<feImage>``,
#: ``<script>``); lxml lowercases tag names, so ``<feImage>`` is ``feimage``.
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
    "input": ("src",),
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
_CSS_URL = re.compile(r"""(?:url\(\s*|@import\s+)['"]?\s*([^)'"\s]+)""", re.IGNORECASE)
#: Where a load inside an ``<iframe srcdoc>`` is, and why gating cannot help it.
_IN_SRCDOC = "<iframe srcdoc=...> holds "
_SRCDOC_FIX = (
    "the consent bundle does not run inside srcdoc; serve that content as a file from this site "
    "and use a gated <iframe data-src=...>"
)

#: HTTP Strict Transport Security: two years, as the Mozilla Observatory and hstspreload.org
#: recommend. Sub domains are the policy's own (web shop, forum), all served over HTTPS.
HSTS = "max-age=63072000; includeSubDomains"
#: Powerful features this site never uses, denied to it and to anything it embeds.
PERMISSIONS = ("accelerometer", "autoplay", "camera", "display-capture", "geolocation",
               "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
               "browsing-topics")  # fmt: skip


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
            problems.append(f"{load} loads from {host}")
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
    for element in root.iter(*_LOADING, "link", "style"):
        if not isinstance(element, HtmlElement):
            continue
        tag = str(element.tag).rpartition("}")[2]
        for attribute in _LOADING.get(tag, ()):
            value = element.get(attribute)
            if value is not None:
                for url in srcset_urls(value) if attribute in _SRCSETS else [value.strip()]:
                    yield element, attribute, url
        if tag == "link":
            if set((element.get("rel") or "").lower().split()) & _LOADING_RELS:
                yield element, "href", (element.get("href") or "").strip()
            # <link rel=preload as=image imagesrcset>; counted whatever the rel (failing closed).
            for url in srcset_urls(element.get("imagesrcset") or ""):
                yield element, "imagesrcset", url
        if tag == "style":
            for url in _CSS_URL.findall(element.text or ""):
                yield element, "url()", url
    for element in styled:
        for url in _CSS_URL.findall(element.get("style") or ""):
            yield element, "style", url


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


def content_security_policy(script_hashes: Iterable[str], partner_hosts: Iterable[str]) -> str:
    """The policy: nothing by default; this site's own files; the listed inline scripts; and the
    partner hosts for what the consent bundle starts once allowed."""
    hashes = sorted(set(script_hashes))
    hosts = sorted(set(partner_hosts))
    directives = [
        ("default-src", ["'none'"]),
        ("script-src", ["'self'", *hashes, *hosts]),
        ("style-src", ["'self'"]),
        ("img-src", ["'self'", "data:", *hosts]),
        ("font-src", ["'self'"]),
        ("connect-src", ["'self'", *hosts]),
        ("frame-src", hosts or ["'none'"]),
        ("worker-src", ["'self'"]),
        ("manifest-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'none'"]),
        ("form-action", ["'self'"]),
        ("frame-ancestors", ["'none'"]),
    ]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives)


def security_headers(csp: str) -> dict[str, str]:
    """Every header the site is served with, in the order written."""
    return {
        "Content-Security-Policy": csp,
        "Strict-Transport-Security": HSTS,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": ", ".join(f"{feature}=()" for feature in PERMISSIONS),
        "Cross-Origin-Opener-Policy": "same-origin",
    }


_GENERATED = "Generated by the build from the pages and consent/consent.yml: do not edit."


#: What other sites (the shop, the forum) include: any origin may fetch it with CORS, which
#: ``integrity`` needs from another origin, and embed it. The stable URLs are revalidated after
#: five minutes, so a new bundle reaches them quickly; a hashed file never changes.
SHARED = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
SHARED_PATHS = {
    "/consent/*": {**SHARED, "Cache-Control": "public, max-age=300, must-revalidate"},
    "/assets/consent.*": {**SHARED, "Cache-Control": "public, max-age=31536000, immutable"},
}
#: The same paths for nginx, as prefix ``location`` matches: ``^~`` keeps regex locations (a
#: ``~* \.js$`` of the server's own) from taking them, and the longest prefix wins over a shorter
#: one (``/assets/``).
_NGINX_LOCATIONS = {"/consent/*": "^~ /consent/", "/assets/consent.*": "^~ /assets/consent."}


def headers_file(
    headers: Mapping[str, str], paths: Mapping[str, Mapping[str, str]] = SHARED_PATHS
) -> str:
    """``_headers`` for Netlify and Cloudflare Pages: ``headers`` on every path, and the headers
    of ``paths`` added on theirs (both hosts apply every rule that matches)."""
    lines = [f"# {_GENERATED}", "/*", *(f"  {name}: {value}" for name, value in headers.items())]
    for pattern, extra in paths.items():
        lines += [pattern, *(f"  {name}: {value}" for name, value in extra.items())]
    return "\n".join(lines) + "\n"


def _add_headers(headers: Mapping[str, str], indent: str = "") -> list[str]:
    lines = []
    for name, value in headers.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'{indent}add_header {name} "{escaped}" always;')
    return lines


def nginx_snippet(headers: Mapping[str, str]) -> str:
    """The headers for nginx, ``always`` so error pages carry them too: include it in the server
    block, and in every location of the server's own that has an ``add_header`` (nginx drops the
    inherited ones in a block that has its own)."""
    lines = [f"# {_GENERATED}", "# Include in the server block that serves site/ over HTTPS,"]
    lines += ["# and in each location of that server that has an add_header of its own."]
    return "\n".join([*lines, *_add_headers(headers)]) + "\n"


def nginx_locations(
    headers: Mapping[str, str],
    paths: Mapping[str, Mapping[str, str]] = SHARED_PATHS,
    receipts: tuple[str, str] | None = None,
) -> str:
    """A ``location`` for each of ``paths`` (the consent bundle's files), with ``headers`` and
    theirs: include it once, in the server block, whose ``root`` the locations inherit. With
    ``receipts`` (endpoint, upstream host:port), one more that passes each POST of a receipt to
    ``policy-site receipts serve``, and nothing else."""
    lines = [f"# {_GENERATED}", "# Include once in the server block that serves site/ (set root"]
    lines += [
        "# there: these locations inherit it). Other sites load the consent bundle from them."
    ]
    for pattern, extra in paths.items():
        lines.append(f"location {_NGINX_LOCATIONS[pattern]} {{")
        lines += _add_headers({**headers, **extra}, "    ")
        lines.append("}")
    if receipts is not None:
        endpoint, upstream = receipts
        lines += [
            "# Receipts of consent choices, to policy-site receipts serve (consent.yml receipts).",
            "# The visitor's address is not passed on: the receiver keeps none.",
            f"location = {endpoint} {{",
            "    limit_except POST { deny all; }",
            "    client_max_body_size 4k;",
            f"    proxy_pass http://{upstream};",
            "    proxy_set_header Host $host;",
            '    proxy_set_header X-Forwarded-For "";',
            '    proxy_set_header X-Real-IP "";',
            '    proxy_set_header User-Agent "";',
            "    proxy_connect_timeout 2s;",
            "    proxy_read_timeout 10s;",
            *_add_headers(headers, "    "),
            "}",
        ]
    return "\n".join(lines) + "\n"


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    """``_headers`` read back: (path pattern, headers) in order. Comments and blanks are skipped."""
    rules: list[tuple[str, dict[str, str]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
            continue
        name, colon, value = line.strip().partition(":")
        if not rules or not colon:
            raise ValueError(f"{HEADERS_FILE} line {number}: expected 'Name: value' under a path")
        rules[-1][1][name.strip()] = value.strip()
    return rules
