"""The hostile fixture in Chromium: on every page no payload runs or becomes markup (no dialog, no
``window.__pwned``, no event handler attribute, no injected image, script or comment), and the
banner, the dialog, the iframe placeholder and the policy pages show every string as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect

from tests.hostile import VERSIONS, build_hostile, hostile
from tests.support import consent_files, serve

GPC_SCRIPT = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
#: A plain page in Swedish (as the shop's are) carrying the consent files and a gated iframe.
SV_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Svensk sida</title>
<link rel="stylesheet" href="/{css}"><script src="/{js}" defer></script></head>
<body><main><h1>Svensk sida</h1>
<iframe data-category="advertising" data-src="/privacy/" title="Inbäddad sida"></iframe>
</main></body></html>
"""
#: Every page of the built fixture, and the Swedish page written beside them.
PAGES = [
    "", "404.html", "embed/", "privacy/", "privacy/cookies/", "privacy/versions/",
    *(f"privacy/versions/{version}/" for version in VERSIONS),
    *(f"privacy/changes/{version}/" for version in VERSIONS[1:]),
    "sv.html",
]  # fmt: skip
#: What a payload would have left in the document, had it been taken as markup or code.
INJECTED = """() => {
  const all = [...document.querySelectorAll("*")];
  const comments = [];
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
  while (walker.nextNode()) comments.push(walker.currentNode.data);
  return {
    pwned: typeof window.__pwned,
    handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name))
      .map((a) => `<${e.localName} ${a.name}>`)),
    images: all.filter((e) => e.getAttribute("src") === "x").map((e) => e.localName),
    scripts: [...document.scripts].filter((s) => /alert\\(1\\)|__pwned/.test(s.text)).length,
    comments: comments.filter((c) => c.startsWith(" end")).length,
  };
}"""
NOTHING = {"pwned": "undefined", "handlers": [], "images": [], "scripts": 0, "comments": 0}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = build_hostile(tmp_path_factory.mktemp("hostile"))
    js, css = consent_files(site, "sv")
    page = SV_PAGE.format(js=js.relative_to(site).as_posix(), css=css.relative_to(site).as_posix())
    (site / "sv.html").write_text(page, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    with serve(hostile_site) as url:
        yield url


def test_the_pages_below_are_every_page_of_the_site(hostile_site: Path) -> None:
    built = {
        path.relative_to(hostile_site).as_posix().removesuffix("index.html")
        for path in hostile_site.rglob("*.html")
    }
    assert built == set(PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_no_payload_runs_or_becomes_markup(page: Page, hostile_url: str, path: str) -> None:
    dialogs: list[str] = []

    def opened(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", opened)
    if path == "":
        # The root redirects at once. A 204 answer to the redirect keeps the browser on the root
        # (the navigation is dropped, as "failed"), so that the root itself is examined.
        page.route(f"{hostile_url}privacy/", lambda route: route.fulfill(status=204))
        with page.expect_event("requestfailed", lambda r: r.url == f"{hostile_url}privacy/"):
            page.goto(hostile_url)
        assert page.url == hostile_url
    else:
        page.goto(f"{hostile_url}{path}")
        expect(page.locator(".ppc-banner")).to_be_visible()
        page.evaluate("window.PrivacyConsent.show()")  # the dialog, built from the texts
        expect(page.locator("dialog.ppc-dialog")).to_be_visible()
    assert page.evaluate(INJECTED) == NOTHING
    assert dialogs == []


def text(locator: Locator) -> str:
    """The element's text, as the DOM holds it (textContent), its ends stripped."""
    return (locator.text_content() or "").strip()


def all_texts(locator: Locator) -> list[str]:
    return [value.strip() for value in locator.all_text_contents()]


@pytest.mark.parametrize(("lang", "path"), [("en", "privacy/"), ("sv", "sv.html")])
def test_the_banner_and_the_dialog_show_every_text_as_text(
    page: Page, context: BrowserContext, hostile_url: str, lang: str, path: str
) -> None:
    context.add_init_script(GPC_SCRIPT)  # so that the GPC note shows too

    def t(key: str) -> str:
        return hostile(f"texts.{lang}.{key}")

    page.goto(f"{hostile_url}{path}")
    banner = page.locator(".ppc-banner")
    expect(banner).to_be_visible()
    assert banner.get_attribute("aria-label") == t("region")
    assert text(banner.locator(".ppc-text")) == t("banner")
    assert text(banner.locator(".ppc-gpc")) == t("gpc")
    assert all_texts(banner.locator("button")) == [t("accept_all"), t("reject_all"), t("manage")]
    link = banner.locator("a")
    assert text(link) == t("policy_link")
    assert link.get_attribute("href") == "https://www.toontrack.test/privacy/"
    banner.locator("button").nth(2).click()  # the third choice: t("manage")
    dialog = page.locator("dialog.ppc-dialog")
    expect(dialog).to_be_visible()
    assert text(dialog.locator("h2")) == t("dialog_title")
    assert text(dialog.locator(".ppc-gpc")) == t("gpc")
    rows = dialog.locator(".ppc-category")
    expected: list[list[str]] = []
    for category in ("necessary", "analytics", "advertising"):
        key = f"categories.{category}"
        title = hostile(f"{key}.title.{lang}")
        always = f" ({t('always_on')})" if category == "necessary" else ""
        services = hostile(f"{key}.services[0].name")
        expected.append([title + always, hostile(f"{key}.description.{lang}"), services])
    found = [[text(row.locator("label")), *all_texts(row.locator("p"))] for row in rows.all()]
    assert found == expected
    buttons = dialog.locator(".ppc-actions button")
    assert all_texts(buttons) == [t("accept_all"), t("reject_all"), t("save")]
    assert dialog.locator(".ppc-close").get_attribute("aria-label") == t("close")


@pytest.mark.parametrize(("lang", "path"), [("en", "embed/"), ("sv", "sv.html")])
def test_the_iframe_placeholder_shows_its_texts_as_text(
    page: Page, hostile_url: str, lang: str, path: str
) -> None:
    page.goto(f"{hostile_url}{path}")
    placeholder = page.locator(".ppc-placeholder")
    expect(placeholder).to_be_visible()
    title = hostile(f"categories.advertising.title.{lang}")
    assert text(placeholder.locator("p")) == f"{hostile(f'texts.{lang}.blocked')} {title}."
    assert text(placeholder.locator("button")) == f"{hostile(f'texts.{lang}.allow')} {title}"


def test_the_policy_pages_show_every_string_as_text(page: Page, hostile_url: str) -> None:
    current, upcoming = VERSIONS[1], VERSIONS[2]
    checks: list[tuple[str, str, Any]] = [
        ("privacy/", "title", None),
        ("privacy/", ".md-header__topic >> nth=1", hostile(f"title.{current}")),
        ("privacy/", ".md-copyright__highlight", hostile("copyright")),
        ("privacy/", ".md-copyright .ppc-settings", hostile("texts.en.settings")),
        ("privacy/", ".policy-errata li", None),
        ("privacy/", ".policy-notice", None),
        ("privacy/versions/", "table.policy-versions tbody td:nth-child(4) >> nth=0",
         hostile(f"summary.{upcoming}")),
        ("privacy/versions/", "table.policy-versions tbody td:nth-child(4) >> nth=1",
         hostile(f"summary.{current}")),
        (f"privacy/changes/{upcoming}/", ".policy-summary", hostile(f"summary.{upcoming}")),
        ("privacy/cookies/", "article h2 >> nth=1", hostile("categories.analytics.title.en")),
        ("privacy/cookies/", "article tbody tr >> nth=3 >> td >> nth=4",
         hostile("categories.analytics.cookies[0].en")),
    ]  # fmt: skip
    shown = None
    for path, selector, expected in checks:
        if path != shown:
            page.goto(f"{hostile_url}{path}")
            shown = path
        if selector == "title":
            assert page.title() == f"{hostile(f'title.{current}')} - {hostile('site_name')}"
        elif selector == ".policy-errata li":
            assert text(page.locator(selector)).endswith(f": {hostile(f'errata.{current}')}")
        elif selector == ".policy-notice":
            notice = " ".join(text(page.locator(selector)).split())
            assert (
                notice
                == "An updated policy takes effect on 1 January 2027 (in 31 days): see what changes"
            )
        else:
            assert text(page.locator(selector)) == expected, selector
