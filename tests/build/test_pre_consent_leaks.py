"""Nothing may load from the partner before a choice: each markup that would, written in a page's
Markdown, fails a real ``mkdocs build --strict``, naming the Markdown file, the element and the
attribute; a theme template that would fails it naming the built page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import build, fixture_site

PARTNER = "https://ads.partner.test"
#: Where the site scan names a load that the markup check does not see (ungated markup).
BUILT = "leak/index.html: "


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_site("consent-demo", tmp_path, consent=True)


def write_page(project: Path, markup: str) -> None:
    (project / "docs/leak.md").write_text(f"# Leak\n\n{markup}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("markup", "named"),
    [
        pytest.param(f'<p><img data-category="advertising" data-src="{PARTNER}/p.gif" '
                     f'srcset="{PARTNER}/p2.gif 2x" alt=""></p>',
                     "<img data-category='advertising' srcset=...> loads before consent",
                     id="gated-img-with-srcset"),
        pytest.param(f'<picture><source data-category="advertising" srcset="{PARTNER}/a.webp">'
                     '<img src="/a.png" alt=""></picture>',
                     "<source data-category='advertising' srcset=...> loads before consent",
                     id="gated-source-with-srcset"),
        pytest.param(f'<video data-category="advertising" poster="{PARTNER}/poster.jpg"></video>',
                     "<video data-category='advertising' poster=...> loads before consent",
                     id="gated-video-with-poster"),
        pytest.param(f'<iframe data-category="advertising" srcdoc="<img src={PARTNER}/s.gif>" '
                     'title="Ad"></iframe>',
                     "<iframe data-category='advertising' srcdoc=...> loads before consent",
                     id="gated-iframe-with-srcdoc"),
        pytest.param(f'<iframe srcdoc="<img src={PARTNER}/s.gif>" title="Ad"></iframe>',
                     f"<iframe srcdoc=...> holds <img src='{PARTNER}/s.gif'>, which loads from "
                     "ads.partner.test with no consent",
                     id="ungated-iframe-with-srcdoc"),
        pytest.param(f'<iframe srcdoc="<iframe srcdoc=&quot;<img src={PARTNER}/d.gif>&quot;>'
                     '</iframe>" title="Ad"></iframe>',
                     f"<iframe srcdoc=...> holds <iframe srcdoc=...> holds <img "
                     f"src='{PARTNER}/d.gif'>, which loads from ads.partner.test with no consent",
                     id="srcdoc-in-srcdoc"),
        pytest.param(f'<video data-category="advertising" data-src="{PARTNER}/v.mp4"></video>',
                     "<video data-category='advertising'> is never started: the consent runtime "
                     "starts only <script>, <img> and <iframe>",
                     id="gated-video"),
        pytest.param(f'<audio data-category="advertising" src="{PARTNER}/a.mp3"></audio>',
                     "<audio data-category='advertising' src=...> loads before consent",
                     id="gated-audio-with-src"),
        pytest.param(f'<picture data-category="advertising"><img src="{PARTNER}/a.png" alt="">'
                     "</picture>",
                     "<picture data-category='advertising'> is never started",
                     id="gated-picture"),
        pytest.param(f'<p><embed data-category="advertising" src="{PARTNER}/m.swf"></p>',
                     "<embed data-category='advertising' src=...> loads before consent",
                     id="gated-embed-with-src"),
        pytest.param(f'<object data-category="advertising" data="{PARTNER}/m.swf"></object>',
                     "<object data-category='advertising' data=...> loads before consent",
                     id="gated-object-with-data"),
        pytest.param(f'<link data-category="advertising" rel="stylesheet" href="{PARTNER}/s.css">',
                     "<link data-category='advertising' href=...> loads before consent",
                     id="gated-link-with-href"),
        pytest.param(f'<div data-category="advertising" style="background:url({PARTNER}/b.png)">'
                     "</div>",
                     "<div data-category='advertising' style=...> loads before consent",
                     id="gated-div-with-style-url"),
        # The host is the one a browser's URL parser reads, not urlsplit's.
        pytest.param('<p><img src="/\\ads.partner.test/p.gif" alt=""></p>',
                     f"{BUILT}<img src='/\\\\ads.partner.test/p.gif'> loads from ads.partner.test",
                     id="backslash-scheme-relative-src"),
        pytest.param('<p><img src="http:ads.partner.test/p.gif" alt=""></p>',
                     f"{BUILT}<img src='http:ads.partner.test/p.gif'> loads from ads.partner.test",
                     id="special-scheme-without-slashes-src"),
        pytest.param(f'<p><img src="{PARTNER}\\@www.toontrack.test/p.gif" alt=""></p>',
                     f"{BUILT}<img src='{PARTNER}\\\\@www.toontrack.test/p.gif'> loads from "
                     "ads.partner.test", id="backslash-before-at-src"),
        pytest.param(f'<svg><script href="{PARTNER}/s.js"></script></svg>',
                     f"{BUILT}<script href='{PARTNER}/s.js'> loads from ads.partner.test",
                     id="svg-script-with-href"),
        pytest.param(f'<p><image src="{PARTNER}/i.gif" alt=""></p>',
                     f"{BUILT}<image src='{PARTNER}/i.gif'> loads from ads.partner.test",
                     id="image-with-src"),
        pytest.param(f'<link rel="preload" as="image" imagesrcset="{PARTNER}/i.png 1x">',
                     f"{BUILT}<link imagesrcset='{PARTNER}/i.png'> loads from ads.partner.test",
                     id="link-with-imagesrcset"),
        # Attribute names are case-insensitive: no prefilter may miss them.
        pytest.param(f'<iframe SRCDOC="<img src={PARTNER}/s.gif>" title="Ad"></iframe>',
                     f"<iframe srcdoc=...> holds <img src='{PARTNER}/s.gif'>, which loads from "
                     "ads.partner.test with no consent",
                     id="upper-case-srcdoc"),
        pytest.param(f'<p><IMG DATA-CATEGORY="advertising" SRC="{PARTNER}/p.gif" alt=""></p>',
                     "<img data-category='advertising' src=...> loads before consent",
                     id="upper-case-data-category-with-src"),
    ],
)  # fmt: skip
def test_a_markup_that_loads_before_consent_fails_the_build(
    project: Path, markup: str, named: str
) -> None:
    write_page(project, markup)
    result = build(project, project / "site")
    assert result.returncode != 0
    if named.startswith(BUILT):  # the site scan's: the page was written, the headers were not
        assert named in result.stderr, result.stderr
        assert not (project / "site/_headers").exists()
    else:
        assert f"docs/leak.md: {named}" in result.stderr, result.stderr
        assert not (project / "site/leak/index.html").exists()


def test_the_contract_markup_still_builds(project: Path) -> None:
    write_page(
        project,
        f'<p><img data-category="advertising" data-src="{PARTNER}/p.gif" '
        f'data-srcset="{PARTNER}/p2.gif 2x" alt="" width="1" height="1"></p>\n\n'
        f'<script type="text/plain" data-category="advertising" src="{PARTNER}/t.js"></script>\n\n'
        f'<iframe data-category="advertising" data-src="{PARTNER}/video" title="Video">'
        "</iframe>\n\n"
        '<iframe srcdoc="<p>Hello from <a href=/privacy/>this site</a></p>" title="Note"></iframe>',
    )
    result = build(project, project / "site")
    assert result.returncode == 0, result.stderr
    assert (project / "site/partner/index.html").exists()
    assert (project / "site/leak/index.html").exists()


def test_same_site_urls_still_build(project: Path) -> None:
    """What the browser reads as this site (www.toontrack.test), or fetches from nowhere."""
    write_page(
        project,
        '<p><img src="/assets/x.png" alt=""><img src="x.png" alt=""><a href="#top">Top</a>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">'
        '<img src="https://www.toontrack.test/x.png" alt="">'
        '<img src="//www.toontrack.test/x.png" srcset="/x.png 1x, x@2x.png 2x" alt=""></p>',
    )
    result = build(project, project / "site")
    assert result.returncode == 0, result.stderr
    assert (project / "site/leak/index.html").exists()
    assert (project / "site/_headers").exists()


def test_a_theme_template_that_loads_before_consent_fails_naming_the_built_page(
    project: Path,
) -> None:
    """The markup check sees the Markdown only; the site scan catches what a template writes."""
    overrides = project / "overrides"
    overrides.mkdir()
    (overrides / "leaky.html").write_text(
        '{% extends "main.html" %}\n{% block content %}{{ super() }}'
        f'<img data-category="advertising" data-src="/p.gif" src="{PARTNER}/t.gif" alt="">'
        f'<iframe srcdoc="<img src={PARTNER}/s.gif>" title="Ad"></iframe>'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  font: false", "  font: false\n  custom_dir: overrides"), encoding="utf-8"
    )
    (project / "docs/leak.md").write_text(
        "---\ntemplate: leaky.html\n---\n\n# Leak\n\nNothing here.\n", encoding="utf-8"
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    assert (
        f"leak/index.html: <img data-category='advertising' src='{PARTNER}/t.gif'> loads from "
        "ads.partner.test before consent" in result.stderr
    ), result.stderr
    assert (
        f"leak/index.html: <iframe srcdoc=...> holds <img src='{PARTNER}/s.gif'>, which loads "
        "from ads.partner.test with no consent" in result.stderr
    )
    assert "docs/leak.md" not in result.stderr


def test_each_form_that_leaves_the_site_fails_the_build_naming_page_element_and_attribute(
    project: Path,
) -> None:
    """Issue 24, point 4: a refresh, CSS as the browser reads it, a ping, a link hint, a form and
    an SVG reference to another host each fail the build, with or without the headers."""
    write_page(
        project,
        f'<meta http-equiv="Refresh" content="0; URL={PARTNER}/go">\n\n'
        '<div style="background:url(https\\3a //ads.partner.test/e.png)"></div>\n\n'
        '<style>@import"https://ads.partner.test/i.css";</style>\n\n'
        f"<div style=\"background:image-set('{PARTNER}/s.png' 1x)\"></div>\n\n"
        f'<p><a href="/privacy/" ping="{PARTNER}/ping">Privacy</a></p>\n\n'
        f'<link rel="prefetch" href="{PARTNER}/next">\n\n'
        f'<form action="{PARTNER}/buy"><button formaction="{PARTNER}/b">Buy</button></form>\n\n'
        f'<svg><use href="{PARTNER}/s.svg#i"/></svg>',
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    for named in [
        f"<meta content='{PARTNER}/go'> sends the visitor to ads.partner.test",
        f"<div style='{PARTNER}/e.png'> loads from ads.partner.test",
        f"<style url()='{PARTNER}/i.css'> loads from ads.partner.test",
        f"<div style='{PARTNER}/s.png'> loads from ads.partner.test",
        f"<a ping='{PARTNER}/ping'> pings ads.partner.test",
        f"<link href='{PARTNER}/next'> loads from ads.partner.test",
        f"<form action='{PARTNER}/buy'> submits to ads.partner.test",
        f"<button formaction='{PARTNER}/b'> submits to ads.partner.test",
        f"<use href='{PARTNER}/s.svg#i'> loads from ads.partner.test",
    ]:
        assert f"{BUILT}{named}" in result.stderr, result.stderr
    assert not (project / "site/_headers").exists()
