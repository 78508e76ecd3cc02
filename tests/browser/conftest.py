"""Fixtures for the consent tests: the fake ad partner, and a site with partner content behind the
consent bundle, built for real and served under www.toontrack.test (and shop.toontrack.test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import BrowserContext

from tests.partner import Partner, running_partner
from tests.support import build, fixture_site, serve

#: A page of the web shop on a sub domain: plain HTML, not MkDocs, including the same bundle.
SHOP_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Butik</title>
<link rel="stylesheet" href="/{css}"><script src="/{js}" defer></script></head>
<body><main><h1>Butik</h1>
<img data-category="advertising" data-src="{partner}/pixel.gif?shop" alt="" width="1" height="1">
<button type="button" data-privacy-consent="settings">Cookie-inställningar</button>
</main></body></html>
"""


#: Reports every Content-Security-Policy violation of a page (or frame) to the test.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolation(`${location.pathname}: ${e.effectiveDirective} blocked ` +
    `${e.blockedURI || "inline"} ${e.sample || ""}`));"""


def watch_csp(context: BrowserContext) -> list[str]:
    """The CSP violations of every page that ``context`` opens from now on."""
    found: list[str] = []
    context.expose_binding("__cspViolation", lambda _source, text: found.append(str(text)))
    context.add_init_script(CSP_LISTENER)
    return found


@pytest.fixture(autouse=True)
def csp_violations(context: BrowserContext) -> Iterator[list[str]]:
    """Every browser test runs under the production headers (the test server sends the
    ``_headers`` the build wrote) and fails on any Content-Security-Policy violation."""
    found = watch_csp(context)
    yield found
    assert found == [], "Content-Security-Policy violations"


@pytest.fixture(scope="session")
def partner() -> Iterator[Partner]:
    with running_partner() as running:
        yield running


@pytest.fixture
def hits(partner: Partner) -> Partner:
    """The partner, with what earlier tests made it receive forgotten."""
    partner.clear()
    return partner


@pytest.fixture(scope="session")
def consent_site(tmp_path_factory: pytest.TempPathFactory, partner: Partner) -> Path:
    folder = tmp_path_factory.mktemp("consent")
    project = fixture_site("consent-demo", folder, consent=True)
    config = project / "consent" / "consent.yml"
    settings = yaml.safe_load(
        config.read_text(encoding="utf-8").replace(".toontrack.com", ".toontrack.test")
    )
    # The partner's tags are gated, and its host is declared: the CSP allows it and only it.
    partner_host = partner.origin.removeprefix("http://")
    for category in ("analytics", "advertising"):
        settings["categories"][category]["services"].append(
            {"name": "Fake partner", "hosts": [partner_host]}
        )
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    page = project / "docs" / "partner.md"
    page.write_text(page.read_text(encoding="utf-8").replace("PARTNER", partner.origin), "utf-8")
    site = folder / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    (js,) = (site / "assets").glob("consent.*.js")
    (css,) = (site / "assets").glob("consent.*.css")
    shop = SHOP_PAGE.format(
        js=js.relative_to(site).as_posix(),
        css=css.relative_to(site).as_posix(),
        partner=partner.origin,
    )
    (site / "shop.html").write_text(shop, encoding="utf-8")
    return site


@pytest.fixture(scope="session")
def consent_url(consent_site: Path) -> Iterator[str]:
    with serve(consent_site) as url:
        yield url
