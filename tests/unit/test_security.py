"""The site scan, the Content-Security-Policy and the header files, without a build."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest

from policy_site.security import (
    SHARED_PATHS,
    content_security_policy,
    headers_file,
    nginx_snippet,
    parse_headers_file,
    scan_page,
    scan_site,
    script_hash,
    security_headers,
)

HOST = "www.toontrack.com"
LEAKS = {
    "<link rel='preconnect' href='https://fonts.gstatic.com'>": "fonts.gstatic.com",
    "<link rel='stylesheet' href='//cdn.example/s.css'>": "cdn.example",
    "<style>body{background:url(https://cdn.example/bg.png)}</style>": "cdn.example",
    "<style>@import 'https://css.example/a.css';</style>": "css.example",
    "<div style='background:url(\"//img.example/b.png\")'></div>": "img.example",
    "<img srcset='/a.png 1x, https://px.example/p.gif 2x'>": "px.example",
    "<img src='https://px.example/p.gif'>": "px.example",
    "<script src='//tags.example/t.js'></script>": "tags.example",
    "<iframe src='https://video.example/embed'></iframe>": "video.example",
    "<video poster='https://media.example/p.jpg'></video>": "media.example",
    "<picture><source srcset='https://media.example/a.webp'></picture>": "media.example",
    "<audio src='https://media.example/a.mp3'></audio>": "media.example",
    "<object data='https://flash.example/movie.swf'></object>": "flash.example",
    "<embed src='https://flash.example/movie.swf'>": "flash.example",
    "<input type='image' src='https://px.example/button.png'>": "px.example",
    "<svg><image href='https://px.example/i.png'/></svg>": "px.example",
    "<noscript><img src='https://px.example/noscript.gif'></noscript>": "px.example",
    "<link rel='dns-prefetch' href='https://ads.example'>": "ads.example",
    "<img src='https://user@px.example:8443/p.gif'>": "px.example:8443",
    # An HTML parser reads <image> as <img>; lxml keeps the name.
    "<image src='https://px.example/i.gif'>": "px.example",
    "<image srcset='https://px.example/i.gif 2x'>": "px.example",
    # lxml.html names xlink:href literally "xlink:href".
    "<svg><image xlink:href='https://px.example/x.png'/></svg>": "px.example",
    "<svg><filter id='f'><feImage href='https://px.example/f.png'/></filter></svg>": "px.example",
    "<svg><filter><feImage xlink:href='https://px.example/f.png'/></filter></svg>": "px.example",
    "<svg><script href='https://tags.example/s.js'></script></svg>": "tags.example",
    "<svg><script xlink:href='https://tags.example/s.js'></script></svg>": "tags.example",
    "<table><tr background='https://px.example/tr.png'><td>x</td></tr></table>": "px.example",
    "<table><tbody background='https://px.example/b.png'><tr><td>x</td></tr></tbody></table>": (
        "px.example"
    ),
    "<table><thead background='https://px.example/h.png'><tr><th>x</th></tr></thead></table>": (
        "px.example"
    ),
    "<table><tfoot background='https://px.example/f.png'><tr><td>x</td></tr></tfoot></table>": (
        "px.example"
    ),
    "<link rel='preload' as='image' imagesrcset='https://px.example/i.png 1x'>": "px.example",
    "<link rel='preload' as='image' href='/i.png' imagesrcset='/i.png 1x, //px.example/i 2x'>": (
        "px.example"
    ),
    # A srcset URL may hold a comma: the browser reads this one's host after the @.
    "<img srcset='https://www.toontrack.com,@px.example/p.gif 1x'>": "px.example",
}
#: URLs that urlsplit reads as this site's, and a browser (the WHATWG URL parser) as the partner's.
BROWSER_URLS = [
    "/\\partner.example/p.gif",
    "\\\\partner.example/p.gif",
    "\\/partner.example/p.gif",
    "///partner.example/p.gif",
    "http:partner.example/p.gif",
    "http:\\\\partner.example/p.gif",
    "https:///partner.example/p.gif",
    "https://partner.example\\@www.toontrack.com/p.gif",
    "https://partner.example:443/p.gif",
    # A browser removes tabs and newlines first, then reads the backslash as a slash.
    "/\t\\partner.example/p.gif",
    "\n\\\r\\partner.example/p.gif",
]
HARMLESS = [
    "<a href='https://elsewhere.example/'>a link is not a load</a>",
    "<link rel='alternate' type='application/atom+xml' href='https://feeds.example/a.xml'>",
    "<link rel='canonical' href='https://www.toontrack.com/privacy/'>",
    "<img src='https://www.toontrack.com/logo.png' alt=''>",
    "<img src='/assets/logo.png' alt=''><img src='data:image/gif;base64,R0lGOD' alt=''>",
    "<img data-category='advertising' data-src='https://px.example/p.gif' alt=''>",
    "<script type='text/plain' data-category='analytics' src='https://tags.example/t.js'></script>",
    "<iframe data-category='advertising' data-src='https://video.example/' title='v'></iframe>",
    "<form action='/search/'></form><form action='#compare'></form>",
]


def page(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(("markup", "host"), LEAKS.items())
def test_every_kind_of_ungated_load_from_another_host_is_found(markup: str, host: str) -> None:
    problems = scan_page(page(markup), HOST).problems
    assert len(problems) == 1, problems
    assert problems[0].endswith(f"loads from {host}")
    assert problems[0].startswith("<")


@pytest.mark.parametrize("url", BROWSER_URLS)
def test_a_url_s_host_is_the_one_a_browser_reads(url: str) -> None:
    problems = scan_page(page(f'<img src="{escape(url)}" alt="">'), HOST).problems
    assert len(problems) == 1, problems
    assert problems[0].endswith(" loads from partner.example"), problems


@pytest.mark.parametrize("markup", HARMLESS)
def test_links_own_files_data_and_gated_elements_are_not_loads(markup: str) -> None:
    assert scan_page(page(markup), HOST).problems == []


@pytest.mark.parametrize(
    "url",
    [
        "/assets/x.png",
        "x.png",
        "../x.png",
        "#top",
        "?page=2",
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "https://www.toontrack.test/x.png",
        "HTTPS://WWW.TOONTRACK.TEST:443/x.png",
        "//www.toontrack.test/x.png",
        "/\\www.toontrack.test/x.png",
        " /assets/x.png\n",
        "mailto:privacy@toontrack.test",
        "javascript:void(0)",
        "about:blank",
    ],
)
def test_same_site_and_non_fetching_urls_are_not_loads(url: str) -> None:
    srcset = f"{url.strip()} 1x, /assets/x@2x.png 2x"
    markup = f'<img src="{escape(url)}" srcset="{escape(srcset)}" alt="">'
    assert scan_page(page(markup), "www.toontrack.test").problems == []


def test_a_host_declared_necessary_may_load() -> None:
    markup = page("<script src='https://shop.toontrack.com/cart.js'></script>")
    assert scan_page(markup, HOST).problems != []
    assert scan_page(markup, HOST, ["shop.toontrack.com"]).problems == []


#: A gated element waits only through data-src and data-srcset: any other URL attribute loads.
GATED_LEAKS = {
    "<img data-category='advertising' data-src='/a.gif' srcset='https://px.example/p.gif 2x'>": (
        "<img data-category='advertising' srcset='https://px.example/p.gif'>"
    ),
    "<img data-category='advertising' src='https://px.example/p.gif'>": (
        "<img data-category='advertising' src='https://px.example/p.gif'>"
    ),
    "<picture><source data-category='advertising' srcset='https://m.example/a.webp'></picture>": (
        "<source data-category='advertising' srcset='https://m.example/a.webp'>"
    ),
    "<video data-category='advertising' poster='https://media.example/p.jpg'></video>": (
        "<video data-category='advertising' poster='https://media.example/p.jpg'>"
    ),
    "<object data-category='advertising' data='https://flash.example/m.swf'></object>": (
        "<object data-category='advertising' data='https://flash.example/m.swf'>"
    ),
    "<link data-category='advertising' rel='stylesheet' href='https://css.example/s.css'>": (
        "<link data-category='advertising' href='https://css.example/s.css'>"
    ),
    "<div data-category='advertising' style='background:url(https://px.example/b.png)'></div>": (
        "<div data-category='advertising' style='https://px.example/b.png'>"
    ),
    "<script data-category='analytics' src='https://tags.example/t.js'></script>": (
        "<script data-category='analytics' src='https://tags.example/t.js'>"
    ),
    "<table data-category='advertising' background='https://px.example/t.png'></table>": (
        "<table data-category='advertising' background='https://px.example/t.png'>"
    ),
    "<table><tr data-category='advertising' background='https://px.example/t.png'><td>x</td>"
    "</tr></table>": "<tr data-category='advertising' background='https://px.example/t.png'>",
    "<svg><image data-category='advertising' xlink:href='https://px.example/i.png'/></svg>": (
        "<image data-category='advertising' xlink:href='https://px.example/i.png'>"
    ),
    "<svg><script data-category='analytics' type='text/plain' href='https://tags.example/s.js'>"
    "</script></svg>": "<script data-category='analytics' href='https://tags.example/s.js'>",
    "<link data-category='advertising' rel='preload' as='image' "
    "imagesrcset='https://px.example/i.png 1x'>": (
        "<link data-category='advertising' imagesrcset='https://px.example/i.png'>"
    ),
}
IN_SRCDOC = (
    "with no consent: the consent bundle does not run inside srcdoc; serve that content as a file "
    "from this site and use a gated <iframe data-src=...>"
)
SRCDOC_LEAKS = {
    "<iframe srcdoc='<img src=https://px.example/p.gif>'></iframe>": (
        "<iframe srcdoc=...> holds <img src='https://px.example/p.gif'>, which loads from "
        f"px.example {IN_SRCDOC}"
    ),
    "<iframe data-category='advertising' srcdoc='<img src=https://px.example/p.gif>'></iframe>": (
        "<iframe srcdoc=...> holds <img src='https://px.example/p.gif'>, which loads from "
        f"px.example {IN_SRCDOC}"
    ),
    # data-category means nothing inside srcdoc: the bundle never runs there.
    '<iframe srcdoc="<script data-category=analytics src=https://tags.example/t.js></script>">'
    "</iframe>": (
        "<iframe srcdoc=...> holds <script src='https://tags.example/t.js'>, which loads from "
        f"tags.example {IN_SRCDOC}"
    ),
    "<iframe srcdoc='<link rel=stylesheet href=https://css.example/s.css>'></iframe>": (
        "<iframe srcdoc=...> holds <link href='https://css.example/s.css'>, which loads from "
        f"css.example {IN_SRCDOC}"
    ),
    "<iframe srcdoc='<iframe srcdoc=\"<img src=https://px.example/deep.gif>\"></iframe>'>"
    "</iframe>": (
        "<iframe srcdoc=...> holds <iframe srcdoc=...> holds <img "
        f"src='https://px.example/deep.gif'>, which loads from px.example {IN_SRCDOC}"
    ),
    # Attribute names are case-insensitive: SRCDOC is srcdoc, at any depth.
    "<iframe SRCDOC='<img src=https://px.example/p.gif>'></iframe>": (
        "<iframe srcdoc=...> holds <img src='https://px.example/p.gif'>, which loads from "
        f"px.example {IN_SRCDOC}"
    ),
    "<iframe srcdoc='<iframe SrcDoc=\"<img src=https://px.example/deep.gif>\"></iframe>'>"
    "</iframe>": (
        "<iframe srcdoc=...> holds <iframe srcdoc=...> holds <img "
        f"src='https://px.example/deep.gif'>, which loads from px.example {IN_SRCDOC}"
    ),
    "<IFRAME SRCDOC='<IMG SRC=https://px.example/p.gif>'></IFRAME>": (
        "<iframe srcdoc=...> holds <img src='https://px.example/p.gif'>, which loads from "
        f"px.example {IN_SRCDOC}"
    ),
}


@pytest.mark.parametrize(("markup", "load"), GATED_LEAKS.items())
def test_a_gated_element_with_a_live_url_from_another_host_is_found(markup: str, load: str) -> None:
    problems = scan_page(page(markup), HOST).problems
    host = re.search(r"//([^/]+)/", load)
    assert host is not None
    assert problems == [
        f"{load} loads from {host.group(1)} before consent: only data-src and data-srcset wait "
        "for consent"
    ]


@pytest.mark.parametrize(("markup", "problem"), SRCDOC_LEAKS.items())
def test_every_load_inside_a_srcdoc_is_ungated_at_any_depth(markup: str, problem: str) -> None:
    assert scan_page(page(markup), HOST).problems == [problem]


def test_a_srcdoc_may_load_from_this_site_and_a_necessary_host() -> None:
    markup = page(
        "<iframe srcdoc=\"<img src=/a.png><img src='https://www.toontrack.com/b.png'>"
        "<script src='https://shop.toontrack.com/cart.js'></script>\"></iframe>"
        "<iframe srcdoc=''></iframe><iframe srcdoc='<!-- nothing -->'></iframe>"
    )
    assert len(scan_page(markup, HOST).problems) == 1
    assert scan_page(markup, HOST, ["shop.toontrack.com"]).problems == []


def test_a_srcdoc_script_is_not_hashed_for_the_csp() -> None:
    markup = page(
        "<script>var a = 1;</script><iframe srcdoc='<script>var b = 2;</script>'></iframe>"
    )
    assert scan_page(markup, HOST).script_hashes == {script_hash("var a = 1;")}


def test_a_template_produced_leak_is_found_on_its_built_page(tmp_path: Path) -> None:
    """The markup check sees a page's Markdown only; the scan sees what the theme wrote."""
    (tmp_path / "partner").mkdir()
    (tmp_path / "index.html").write_text(page("<p>Clean</p>"), encoding="utf-8")
    (tmp_path / "partner/index.html").write_text(
        page(
            "<header><img data-category='advertising' data-src='/p.gif' "
            "src='https://px.example/p.gif' alt=''></header>"
            "<footer><iframe srcdoc='<img src=https://px.example/s.gif>'></iframe></footer>"
        ),
        encoding="utf-8",
    )
    scan = scan_site(tmp_path, HOST)
    assert scan.pages == 2
    assert scan.problems == [
        "partner/index.html: <img data-category='advertising' src='https://px.example/p.gif'> "
        "loads from px.example before consent: only data-src and data-srcset wait for consent",
        "partner/index.html: <iframe srcdoc=...> holds <img src='https://px.example/s.gif'>, "
        f"which loads from px.example {IN_SRCDOC}",
    ]


def test_hashes_cover_the_inline_scripts_a_browser_runs_and_the_gated_ones() -> None:
    markup = page(
        "<script>var a = 1;</script>"
        "<script type='module'>import './x.js';</script>"
        "<script type='application/json' id='__config'>{\"a\": 1}</script>"
        "<script src='/assets/x.js'></script>"
        "<script type='text/plain' data-category='analytics'>track();</script>"
        "<script type='text/plain'>not gated, never run</script>"
    )
    hashes = scan_page(markup, HOST).script_hashes
    expected = {"var a = 1;", "import './x.js';", "track();"}
    assert hashes == {script_hash(text) for text in expected}


def test_script_hash_is_the_csp_form_of_sha256() -> None:
    # The value from the CSP specification's example, for "alert('Hello, world.');".
    expected = "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    assert script_hash("alert('Hello, world.');") == expected


def test_the_policy_allows_nothing_inline_but_the_hashes_and_no_other_host() -> None:
    csp = content_security_policy(["'sha256-abc='"], ["tags.example", "px.example:8443"])
    directives = dict(part.split(" ", 1) for part in csp.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self' 'sha256-abc=' px.example:8443 tags.example"
    assert directives["img-src"] == "'self' data: px.example:8443 tags.example"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in csp
    hosts = set(re.findall(r"[a-z0-9.-]+\.[a-z]+(?::\d+)?", csp))
    assert hosts == {"tags.example", "px.example:8443"}


def test_no_partner_means_no_frames() -> None:
    csp = content_security_policy([], [])
    assert "frame-src 'none'" in csp


def test_headers_file_reads_back_as_written() -> None:
    headers = security_headers(content_security_policy(["'sha256-abc='"], ["tags.example"]))
    assert parse_headers_file(headers_file(headers)) == [("/*", headers), *SHARED_PATHS.items()]
    assert parse_headers_file(headers_file(headers, {})) == [("/*", headers)]


def test_headers_file_rejects_a_header_outside_a_path_block() -> None:
    with pytest.raises(ValueError, match="line 1"):
        parse_headers_file("  X-Frame-Options: DENY\n")


def test_nginx_snippet_quotes_every_value() -> None:
    snippet = nginx_snippet({"Content-Security-Policy": "script-src 'self'", "X-Odd": 'a "b"'})
    lines = snippet.splitlines()
    assert "add_header Content-Security-Policy \"script-src 'self'\" always;" in lines
    assert 'add_header X-Odd "a \\"b\\"" always;' in lines


def observatory_score(headers: dict[str, str]) -> tuple[int, list[str]]:
    """The Mozilla HTTP Observatory's header modifiers (httpobs/docs/scoring.md, plus the
    Referrer-Policy bonus of its current version), from a baseline of 100; A+ is 100 or more.
    Redirection and cookies are the host's and the browser tests' concern."""
    score = 100
    notes: list[str] = []
    csp = headers.get("Content-Security-Policy", "")
    pairs = [[*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()]
    directives = dict(pairs)
    script_src = directives.get("script-src", directives.get("default-src", ""))
    if not csp:
        score, notes = score - 25, [*notes, "csp-not-implemented"]
    elif "'unsafe-inline'" in script_src or "'unsafe-eval'" in csp or "http:" in csp:
        score, notes = score - 20, [*notes, "csp-unsafe"]
    elif directives.get("default-src") == "'none'":
        score, notes = score + 10, [*notes, "csp-implemented-with-no-unsafe-default-src-none"]
    else:
        score, notes = score + 5, [*notes, "csp-implemented-with-no-unsafe"]
    hsts = re.search(r"max-age=(\d+)", headers.get("Strict-Transport-Security", ""))
    if not hsts:
        score, notes = score - 20, [*notes, "hsts-not-implemented"]
    elif int(hsts.group(1)) < 15768000:
        score, notes = score - 10, [*notes, "hsts-max-age-less-than-six-months"]
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        score, notes = score - 5, [*notes, "x-content-type-options-not-implemented"]
    if directives.get("frame-ancestors") == "'none'":
        score, notes = score + 5, [*notes, "x-frame-options-implemented-via-csp"]
    elif headers.get("X-Frame-Options", "").upper() not in {"DENY", "SAMEORIGIN"}:
        score, notes = score - 20, [*notes, "x-frame-options-not-implemented"]
    private = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    if headers.get("Referrer-Policy") in private:
        score, notes = score + 5, [*notes, "referrer-policy-private"]
    return score, notes


def test_our_headers_meet_the_observatory_a_plus() -> None:
    headers = security_headers(content_security_policy(["'sha256-abc='"], ["tags.example"]))
    score, notes = observatory_score(headers)
    assert score >= 100, notes
    assert "csp-implemented-with-no-unsafe-default-src-none" in notes
    assert headers["X-Frame-Options"] == "DENY"


def test_the_scoring_fails_weak_headers() -> None:
    score, notes = observatory_score({"Content-Security-Policy": "script-src 'unsafe-inline'"})
    assert score < 50, notes
