"""The scan's forms beyond a plain load (issue 24, point 4): a meta refresh, CSS as the browser
reads it, pings, link hints, forms and SVG references, each naming the element and attribute."""

from __future__ import annotations

import pytest

from policy_site.security import scan_page
from policy_site.security.css import css_urls
from policy_site.security.scan import refresh_url

HOST = "www.toontrack.com"
#: Markup: the one problem it must give, element, attribute, URL and host.
FORMS = {
    "<meta http-equiv='refresh' content='0;url=https://go.example/x'>": (
        "<meta content='https://go.example/x'> sends the visitor to go.example"
    ),
    "<meta HTTP-EQUIV=Refresh CONTENT='5; URL = \"https://go.example/q\"'>": (
        "<meta content='https://go.example/q'> sends the visitor to go.example"
    ),
    "<meta http-equiv='refresh' content='0, https://go.example/'>": (
        "<meta content='https://go.example/'> sends the visitor to go.example"
    ),
    "<meta http-equiv=' REFRESH ' content=\"1;url='//go.example/a'b\">": (
        "<meta content='//go.example/a'> sends the visitor to go.example"
    ),
    "<a href='/x' ping='/count https://ping.example/p'>x</a>": (
        "<a ping='https://ping.example/p'> pings ping.example"
    ),
    "<map name='m'><area href='/x' ping='https://ping.example/a'></map>": (
        "<area ping='https://ping.example/a'> pings ping.example"
    ),
    "<form action='https://shop.example/buy'></form>": (
        "<form action='https://shop.example/buy'> submits to shop.example"
    ),
    "<form><button formaction='https://shop.example/b'>b</button></form>": (
        "<button formaction='https://shop.example/b'> submits to shop.example"
    ),
    "<form><input type='submit' formaction='//shop.example/i'></form>": (
        "<input formaction='//shop.example/i'> submits to shop.example"
    ),
    "<link rel='prefetch' href='https://hint.example/a'>": (
        "<link href='https://hint.example/a'> loads from hint.example"
    ),
    "<link rel='preconnect' href='https://hint.example'>": (
        "<link href='https://hint.example'> loads from hint.example"
    ),
    "<link rel='dns-prefetch' href='//hint.example'>": (
        "<link href='//hint.example'> loads from hint.example"
    ),
    "<link rel='preload' as='font' href='https://hint.example/f.woff2'>": (
        "<link href='https://hint.example/f.woff2'> loads from hint.example"
    ),
    "<link rel='modulepreload' href='https://hint.example/m.js'>": (
        "<link href='https://hint.example/m.js'> loads from hint.example"
    ),
    "<link rel='ALTERNATE Prefetch' href='https://hint.example/b'>": (
        "<link href='https://hint.example/b'> loads from hint.example"
    ),
    "<svg><use href='https://svg.example/s.svg#i'/></svg>": (
        "<use href='https://svg.example/s.svg#i'> loads from svg.example"
    ),
    "<svg><use xlink:href='https://svg.example/s.svg#i'/></svg>": (
        "<use xlink:href='https://svg.example/s.svg#i'> loads from svg.example"
    ),
    "<svg><image href='https://svg.example/i.png'/></svg>": (
        "<image href='https://svg.example/i.png'> loads from svg.example"
    ),
    "<svg><image xlink:href='//svg.example/i.png'/></svg>": (
        "<image xlink:href='//svg.example/i.png'> loads from svg.example"
    ),
    "<div style='background:url(https\\3a //css.example/p.png)'></div>": (
        "<div style='https://css.example/p.png'> loads from css.example"
    ),
    "<div style='background:\\75 rl(https://css.example/u.png)'></div>": (
        "<div style='https://css.example/u.png'> loads from css.example"
    ),
    "<div style=\"background:image-set('https://css.example/1.png' 1x)\"></div>": (
        "<div style='https://css.example/1.png'> loads from css.example"
    ),
    "<div style='background:-webkit-image-set(\"//css.example/w.png\" 2x)'></div>": (
        "<div style='//css.example/w.png'> loads from css.example"
    ),
    '<style>@import"https://css.example/a.css";</style>': (
        "<style url()='https://css.example/a.css'> loads from css.example"
    ),
    "<style>@import/**/'https://css.example/c.css';</style>": (
        "<style url()='https://css.example/c.css'> loads from css.example"
    ),
    "<style>@import url(https://css.example/u.css);</style>": (
        "<style url()='https://css.example/u.css'> loads from css.example"
    ),
    "<style>@IMPORT URL( 'https://css.example/q.css' ) screen;</style>": (
        "<style url()='https://css.example/q.css'> loads from css.example"
    ),
    "<style>a{content:'/*'} b{background:url(https://css.example/s.png)} c{content:'*/'}</style>": (
        "<style url()='https://css.example/s.png'> loads from css.example"
    ),
    '<style>b{background:url("https:\\2f\\2f css.example/e.png")}</style>': (
        "<style url()='https://css.example/e.png'> loads from css.example"
    ),
}


@pytest.mark.parametrize(("markup", "problem"), FORMS.items())
def test_each_form_that_leaves_the_site_before_consent_is_named(markup: str, problem: str) -> None:
    page = f"<!doctype html><html><head><title>t</title></head><body>{markup}</body></html>"
    assert scan_page(page, HOST).problems == [problem]


@pytest.mark.parametrize(
    "markup",
    [
        "<meta http-equiv='refresh' content='0; url=../2024-01-01/'>",
        "<meta http-equiv='refresh' content='30'>",
        "<meta http-equiv='refresh' content='0;url=https://www.toontrack.com/x'>",
        "<meta name='refresh' content='0;url=https://go.example/'>",
        "<a href='https://elsewhere.example/' ping='/count'>x</a>",
        "<form action='#compare'></form><button formaction='/b'>b</button>",
        "<link rel='prefetch' href='/next/'><link rel='preconnect' href='https://www.toontrack.com'>",
        "<svg><use href='#icon'/><use xlink:href='/assets/s.svg#i'/></svg>",
        "<div style='background:url(/**/https://css.example/p.png)'></div>",
        "<style>a{content:'url(https://css.example/x)'}</style>",
        "<style>b{background:url(/a.png), image-set('/b.png' 1x)} @import '/c.css';</style>",
    ],
)
def test_the_same_forms_on_this_site_or_inert_pass(markup: str) -> None:
    page = f"<!doctype html><html><head><title>t</title></head><body>{markup}</body></html>"
    assert scan_page(page, HOST).problems == []


def test_a_host_declared_necessary_may_be_navigated_to_and_submitted_to() -> None:
    markup = (
        "<html><head><meta http-equiv=refresh content='0;url=https://shop.toontrack.com/'></head>"
        "<body><form action='https://shop.toontrack.com/cart'></form></body></html>"
    )
    assert len(scan_page(markup, HOST).problems) == 2
    assert scan_page(markup, HOST, ["shop.toontrack.com"]).problems == []


@pytest.mark.parametrize(
    ("content", "url"),
    [
        ("0;url=https://a.example/", "https://a.example/"),
        ("  0 ;  URL  =  'https://a.example/x' y", "https://a.example/x"),
        ("0; https://a.example/", "https://a.example/"),
        ("0;urx=https://a.example/", "urx=https://a.example/"),
        ("1.5, url=/here", "/here"),
        ("0", None),
        ("0;  ", None),
    ],
)
def test_a_refresh_is_read_as_the_html_standard_reads_it(content: str, url: str | None) -> None:
    assert refresh_url(content) == url


@pytest.mark.parametrize(
    ("css", "urls"),
    [
        ("a{b:url(x.png)}", ["x.png"]),
        ("a{b:url( 'x y.png' )}", ["x y.png"]),
        ("a{b:u\\72 l(x)}", ["x"]),
        ("a{b:url(/**/x)}", ["/**/x"]),
        ("/* url(https://a.example) */ a{}", []),
        ("a{b:image-set('a.png' 1x, url(b.png) 2x)}", ["a.png", "b.png"]),
        ("a{b:image-set(linear-gradient('c', red) 1x)}", []),
        ("@import 'a.css'; @import url(b.css); @import/**/\"c.css\";", ["a.css", "b.css", "c.css"]),
        ("a{content:'@import'} @font-face{src:url(f.woff2) format('woff2')}", ["f.woff2"]),
        ("a{b:url('unterminated", ["unterminated"]),
        ("a{b:url(x\\29 y)}", ["x)y"]),
    ],
)
def test_css_urls_are_the_ones_a_browser_reads(css: str, urls: list[str]) -> None:
    assert css_urls(css) == urls
