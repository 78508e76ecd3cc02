"""Checks of the gated markup that page authors write: a build that cannot gate it must fail.

The consent runtime (consent/runtime/gate.js) starts three gated elements, no other: a ``<script
type="text/plain">`` (its ``src`` is inert until then), and an ``<img>`` or ``<iframe>`` whose
``data-src`` (and ``data-srcset``) it copies to ``src`` (``srcset``). A gated element of any other
kind, or one carrying a URL attribute that loads at once, fails the build. An ``<iframe srcdoc>``
is a document of its own that the runtime never runs in: every load from another host in it fails
the build, at any depth, unless the host is allowed (this site, or one declared necessary). A URL's
host is read as a browser reads it (``policy_site.urls.url_host``), and what a ``<noscript>`` loads
is found as the site scan finds it (``policy_site.security.scan._loads``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from policy_site.security.css import css_urls
from policy_site.security.scan import _XLINK_HREF, _loads, srcdoc_problems
from policy_site.urls import url_host

__all__ = ["check_gated_markup"]

#: The gated elements the consent runtime starts; it ignores data-category on any other.
_STARTED = ("script", "img", "iframe")
_RUNTIME = "the consent runtime starts only <script>, <img> and <iframe> (consent/runtime/gate.js)"
_AS_IMG = "use a gated <img data-src=... data-srcset=...> instead of <picture>"
_IN_IFRAME = "put the player in a gated <iframe data-src=...>"
_ELSEWHERE = {"picture": _AS_IMG, "source": _AS_IMG, "video": _IN_IFRAME, "audio": _IN_IFRAME,
              "track": _IN_IFRAME, "embed": "put the content in a gated <iframe data-src=...>",
              "object": "put the content in a gated <iframe data-src=...>",
              "link": "remove it, or serve the file from this site (a <link> cannot wait for "
                      "consent)"}  # fmt: skip
_NOT_STARTED = "remove data-category, or gate a <script>, <img> or <iframe> instead"
#: URL attributes that load as soon as the element is in the page, on any element.
_LIVE = ("src", "srcset", "imagesrcset", "poster", "background", "srcdoc")
#: URL attributes that load only on some elements: SVG's <image>, <feImage>, <script> and <use>
#: load their href, which lxml.html names "xlink:href" when written so (a namespace-aware parser,
#: the other).
_SVG = ("image", "feimage", "script", "use")
_LIVE_ON = {"data": ("object",), "href": ("link", *_SVG), "xlink:href": _SVG, _XLINK_HREF: _SVG}
_WAIT = "only data-src and data-srcset wait for consent"
_LIVE_FIX = {
    "src": "write data-src instead of src.",
    "srcset": "write data-srcset instead of srcset.",
    "srcdoc": "srcdoc has no data- form, so serve the content as a file from this site and "
    "write data-src=... instead.",
    "style": f"move the url() out of style; {_WAIT}.",
}
_IN_SRCDOC = "<iframe srcdoc=...> holds "


def check_gated_markup(
    html: str, categories: Mapping[str, Collection[str]], allowed_hosts: Collection[str] = ()
) -> list[str]:
    """What is wrong with the gated elements of a page's HTML, each with the fix: ``categories``
    maps each category id to its service ids (services.service_ids). A load from a host in
    ``allowed_hosts`` (this site's, the necessary ones) is fine inside ``srcdoc``."""
    lowered = html.lower()  # DATA-CATEGORY, <NOSCRIPT and SRCDOC are the same to the parser
    if not any(w in lowered for w in ("data-category", "data-service", "<noscript", "srcdoc")):
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    problems: list[str] = []
    for element in root.iter():
        if not isinstance(element, HtmlElement):
            continue
        category = element.get("data-category")
        if category is not None and category not in categories:
            problems.append(
                f"<{element.tag} data-category={category!r}>: unknown category; use one of "
                f"{', '.join(sorted(categories))} (consent/consent.yml)."
            )
        if element.tag == "script" and category is not None and element.get("type") != "text/plain":
            problems.append(
                f'<script data-category={category!r}> runs before consent: add type="text/plain".'
            )
        if category is not None:
            problems += _live_problems(element, category)
        problems += _service_problems(element, categories)
    for noscript in root.iter("noscript"):
        # The parser may keep a <noscript>'s content as text or as elements: check both.
        content = (noscript.text or "") + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in noscript
        )
        inner = lxml.html.fragment_fromstring(content, create_parent="div")
        for _element, _attribute, url in _loads(inner):
            if url_host(url) is not None:
                problems.append(
                    f"<noscript> loads {url} whenever JavaScript is off, with no consent: remove "
                    "the <noscript> fallback."
                )
    for iframe in root.iter("iframe"):
        srcdoc = iframe.get("srcdoc")
        if srcdoc:
            problems += [f"{problem}." for problem in srcdoc_problems(srcdoc, allowed_hosts)]
            problems += _gated_in_srcdoc(srcdoc, _IN_SRCDOC)
    return problems


def _service_problems(element: HtmlElement, categories: Mapping[str, Collection[str]]) -> list[str]:
    """A ``data-service`` that names no service of the element's ``data-category``."""
    service, category = element.get("data-service"), element.get("data-category")
    if service is None or (category is not None and category not in categories):
        return []  # no service named, or the category is unknown (said above)
    owner = next((c for c, ids in categories.items() if service in ids), None)
    if category is None:
        fix = f'add data-category="{owner}"' if owner else "add data-category"
        return [f"<{element.tag} data-service={service!r}> has no data-category, which the "
                f"consent runtime gates by: {fix}{_ids(categories, owner)}."]  # fmt: skip
    gate = f"<{element.tag} data-category={category!r} data-service={service!r}>"
    if owner is None:
        return [f"{gate}: unknown service{_ids(categories, category)}."]
    if owner != category:
        return [f"{gate}: {service} is a service of {owner}, not of {category}: write "
                f'data-category="{owner}"{_ids(categories, category)}.']  # fmt: skip
    return []


def _ids(categories: Mapping[str, Collection[str]], category: str | None) -> str:
    """The end of a fix: the service ids ``category`` declares, and where."""
    if category is None:
        return ", and one of its services (consent/consent.yml)"
    ids = ", ".join(sorted(categories[category]))
    if not ids:
        return f"; {category}'s services have no id: give one in consent/consent.yml"
    return f"; {category}'s services are {ids} (consent/consent.yml)"


def _live_problems(element: HtmlElement, category: str) -> list[str]:
    """A gated element's URL attributes that load before consent, or its kind that never waits."""
    tag = str(element.tag)
    live = [name for name in _LIVE if element.get(name)]
    live += [name for name, tags in _LIVE_ON.items() if tag in tags and element.get(name)]
    if css_urls(element.get("style") or ""):
        live.append("style")
    if tag == "script" and "src" in live:
        live.remove("src")  # inert while type="text/plain", which the check above asks for
    gate = f"<{tag} data-category={category!r}"
    if tag not in _STARTED:
        parent = element.getparent()
        in_player = tag == "source" and parent is not None and parent.tag in ("video", "audio")
        fix = _IN_IFRAME if in_player else _ELSEWHERE.get(tag, _NOT_STARTED)
        if not live:
            return [f"{gate}> is never started: {_RUNTIME}; {fix}."]
        attributes = "".join(f" {name}=..." for name in live)
        return [f"{gate}{attributes}> loads before consent, and {_RUNTIME}; {fix}."]
    return [
        f"{gate} {name}=...> loads before consent: "
        + _LIVE_FIX.get(name, f"remove {name}; {_WAIT}.")
        for name in live
    ]


def _gated_in_srcdoc(srcdoc: str, within: str) -> list[str]:
    """Gated elements inside an ``<iframe srcdoc>``, at any depth: the runtime never sees them."""
    try:
        root = lxml.html.document_fromstring(srcdoc)
    except etree.ParserError:
        return []  # no element at all
    problems = [
        f"{within}<{element.tag} data-category={element.get('data-category')!r}>, which is never "
        "started: the consent runtime does not run inside srcdoc; serve that content as a file "
        "from this site and use a gated <iframe data-src=...>."
        for element in root.iter()
        if isinstance(element, HtmlElement) and element.get("data-category") is not None
    ]
    for iframe in root.iter("iframe"):
        inner = iframe.get("srcdoc")
        if inner:
            problems += _gated_in_srcdoc(inner, within + _IN_SRCDOC)
    return problems
