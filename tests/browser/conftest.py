"""Fixtures for the consent tests: the fake ad partner, and a site with partner content behind the
consent bundle, built for real and served under www.toontrack.test (and shop.toontrack.test)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, BrowserType

from tests.partner import PARTNER_DOMAIN, Partner, running_partner
from tests.support import build, consent_files, fixture_site, serve

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
    # The partner's tags are gated by category, and its host is declared under each service of
    # both (as a host Google and Meta share): the CSP allows it and only it, and whichever
    # advertising service a visitor allows, the partner's advertising may load.
    partner_host = partner.origin.removeprefix("http://")
    for category in ("analytics", "advertising"):
        for service in settings["categories"][category]["services"]:
            service["hosts"].append(partner_host)
    config.write_text(
        yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    page = project / "docs" / "partner.md"
    page.write_text(page.read_text(encoding="utf-8").replace("PARTNER", partner.origin), "utf-8")
    site = folder / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    js, css = consent_files(site, "sv")  # the shop's page is in Swedish
    shop = SHOP_PAGE.format(
        js=js.relative_to(site).as_posix(),
        css=css.relative_to(site).as_posix(),
        partner=partner.origin,
    )
    (site / "shop.html").write_text(shop, encoding="utf-8")
    return site


#: Advertising's two services, each on a host name of the fake partner's own.
GOOGLE, META = f"ads.{PARTNER_DOMAIN}", f"px.{PARTNER_DOMAIN}"
SERVICES_PAGE = """---
title: Two services
---

# Two services

<p><img data-category="advertising" data-service="google-ads"
data-src="http://{google}/pixel.gif" alt="" width="1" height="1"></p>

<p><img data-category="advertising" data-service="meta-pixel"
data-src="http://{meta}/pixel.gif" alt="" width="1" height="1"></p>
"""
#: Meta's pixel gated by its category only: it loads while any advertising service is allowed.
LEAKY_PAGE = """---
title: Meta by category
---

# Meta by category

<p><img data-category="advertising" data-src="http://{meta}/pixel.gif?leak" alt="" width="1"
height="1"></p>
"""


@pytest.fixture(scope="session")
def services_site(tmp_path_factory: pytest.TempPathFactory, partner: Partner) -> Path:
    """The demo site with advertising chosen per service: Google Ads and Meta Pixel, each on a
    host of its own; services/ gates each pixel by its service, meta-by-category/ gates Meta's by
    its category alone (a leak when only Google Ads is allowed). Its consent.yml is beside it."""
    folder = tmp_path_factory.mktemp("services")
    project = fixture_site("consent-demo", folder, consent=True)
    config = project / "consent" / "consent.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    port = partner.origin.rpartition(":")[2]
    google, meta = f"{GOOGLE}:{port}", f"{META}:{port}"
    signals = ["ad_storage", "ad_user_data", "ad_personalization"]
    settings["categories"]["advertising"]["services"] = [
        {"id": "google-ads", "name": "Google Ads", "hosts": [google], "consent_mode": signals},
        {"id": "meta-pixel", "name": "Meta Pixel", "hosts": [meta]},
    ]
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")
    docs = project / "docs"
    (docs / "partner.md").unlink()  # its tags name no partner here
    (docs / "services.md").write_text(SERVICES_PAGE.format(google=google, meta=meta), "utf-8")
    (docs / "meta-by-category.md").write_text(LEAKY_PAGE.format(meta=meta), "utf-8")
    site = folder / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def consent_url(consent_site: Path) -> Iterator[str]:
    with serve(consent_site) as url:
        yield url


#: A page of the site with tags that keep working once they run: a beacon every 100 ms, and a
#: tag that stores in IndexedDB and Cache Storage (tests/partner.py), both advertising.
TAGS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tags</title>
<link rel="stylesheet" href="/{css}"><script src="/{js}" defer></script></head>
<body><main><h1>Tags</h1>
<script type="text/plain" data-category="advertising" src="{partner}/beacon.js"></script>
<script type="text/plain" data-category="advertising" src="{partner}/store.js"></script>
<button type="button" data-privacy-consent="settings">Cookie settings</button>
</main></body></html>
"""

#: What the runtime site's consent.yml adds: IndexedDB databases and caches, by category.
STORED: dict[str, dict[str, list[dict[str, Any]]]] = {
    "necessary": {
        "indexeddb": [{"name": "tt_offline", "en": "Offline pages", "sv": "Sidor offline"}],
        "caches": [{"name": "tt-offline", "en": "Offline pages", "sv": "Sidor offline"}],
    },
    "advertising": {
        "indexeddb": [
            {
                "pattern": "^partner_",
                "label": {"en": "partner_ and a visitor id", "sv": "partner_ och ett besöks-id"},
                "en": "Ad visitor id",
                "sv": "Annons-id",
            }
        ],
        "caches": [{"name": "partner-cache", "en": "Ad files", "sv": "Annonsfiler"}],
    },
}


@pytest.fixture(scope="session")
def runtime_site(
    tmp_path_factory: pytest.TempPathFactory, consent_site: Path, partner: Partner
) -> Path:
    """The demo site rebuilt with IndexedDB databases and caches declared (``STORED``), with the
    shop's page and ``/tags.html`` (``TAGS_PAGE``) beside it."""
    folder = tmp_path_factory.mktemp("runtime")
    project = folder / "consent-demo"
    shutil.copytree(consent_site.parent / "consent-demo", project)
    config = project / "consent" / "consent.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    for category, kinds in STORED.items():
        settings["categories"][category].update(kinds)
    config.write_text(
        yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    site = folder / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    for name, template, lang in (("shop.html", SHOP_PAGE, "sv"), ("tags.html", TAGS_PAGE, "en")):
        js, css = consent_files(site, lang)
        page = template.format(
            js=js.relative_to(site).as_posix(),
            css=css.relative_to(site).as_posix(),
            partner=partner.origin,
        )
        (site / name).write_text(page, encoding="utf-8")
    return site


@pytest.fixture(scope="session")
def runtime_url(runtime_site: Path) -> Iterator[str]:
    """The runtime site, as ``http://www.toontrack.test:PORT/`` (and shop.toontrack.test)."""
    with serve(runtime_site) as url:
        yield url


@pytest.fixture(scope="session")
def secure_browser(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any], runtime_url: str
) -> Iterator[Browser]:
    """Chromium that treats the runtime site's www and shop origins as secure, as HTTPS is in
    production: the Cookie Store API and Cache Storage exist there (on plain HTTP they do not)."""
    port = urlsplit(runtime_url).port
    origins = ",".join(f"http://{host}.toontrack.test:{port}" for host in ("www", "shop"))
    args = [
        *browser_type_launch_args["args"],
        f"--unsafely-treat-insecure-origin-as-secure={origins}",
    ]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


@pytest.fixture
def secure_context(secure_browser: Browser) -> Iterator[BrowserContext]:
    """A fresh context of ``secure_browser``, failing the test on any CSP violation."""
    context = secure_browser.new_context()
    found = watch_csp(context)
    yield context
    context.close()
    assert found == [], "Content-Security-Policy violations"
