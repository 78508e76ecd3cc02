"""The consent cookie as the browser stores it (R24): SameSite=Lax, Secure over HTTPS, Path=/, on
the configured domain, at most the configured lifetime, readable by the page's script; and no other
cookie written by the site's code, only deletions of what the visitor has not allowed.

The demo site is served over real HTTPS on loopback, with a throwaway self-signed certificate for
www.toontrack.test and *.toontrack.test, and over plain HTTP (``consent_url``)."""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, expect

from policy_site.serve import make_server, running
from tests.partner import PARTNER_HOST
from tests.support import SITE_HOST

DAY = 86400
#: Logs every cookie string a page script writes (and which script wrote it), before the page's
#: own scripts run.
COOKIE_LOGGER = """(() => {
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  Object.defineProperty(Document.prototype, "cookie", {
    configurable: true,
    enumerable: cookie.enumerable,
    get() { return cookie.get.call(this); },
    set(value) {
      window.__cookieWritten(String(value), String(new Error().stack));
      cookie.set.call(this, value);
    },
  });
})();"""
_SCRIPT_URL = re.compile(r"(https?://[^\s()]+?):\d+:\d+")


@dataclass(frozen=True)
class CookieConfig:
    name: str
    domain: str
    max_age: int
    same_site: str


@pytest.fixture(scope="module")
def configured(consent_site: Path) -> CookieConfig:
    """The demo site's consent.yml (tests/browser/conftest.py builds it beside the site)."""
    (config,) = consent_site.parent.glob("*/consent/consent.yml")
    cookie = yaml.safe_load(config.read_text(encoding="utf-8"))["cookie"]
    return CookieConfig(
        name=str(cookie["name"]),
        domain="." + str(cookie["domain"]).removeprefix("."),
        max_age=int(cookie["max_age_days"]) * DAY,
        same_site=str(cookie["same_site"]),
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and its key, for the test host names only."""
    openssl = shutil.which("openssl") or "/usr/bin/openssl"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    parent = SITE_HOST.split(".", 1)[1]
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", f"/CN={SITE_HOST}", "-addext", f"subjectAltName=DNS:{SITE_HOST},DNS:*.{parent}"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def https_url(consent_site: Path, certificate: tuple[Path, Path]) -> Iterator[str]:
    """The demo site over HTTPS, as ``https://www.toontrack.test:PORT/``."""
    server = make_server(consent_site, "127.0.0.1", 0)
    report = server.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        # Chromium drops some connections to a certificate it does not trust (it retries, and
        # the context accepts it then): not worth a traceback.
        if not isinstance(sys.exc_info()[1], ssl.SSLError):
            report(request, client_address)

    server.handle_error = handle_error  # type: ignore[method-assign]
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(*certificate)
    # The handshake happens in the request's own thread, on its first read: a connection the
    # browser opens and leaves idle cannot stall the server.
    server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    with running(server) as port:
        yield f"https://{SITE_HOST}:{port}/"


@pytest.fixture
def tls_context(browser: Browser) -> Iterator[BrowserContext]:
    """A context that accepts the throwaway certificate and never reaches the ad partner: the
    cookies found are the site's own."""
    context = browser.new_context(ignore_https_errors=True)
    context.route(lambda url: urlsplit(url).hostname == PARTNER_HOST, lambda r: r.abort())
    yield context
    context.close()


def banner(page: Page) -> Any:
    return page.get_by_role("region", name="Cookie choices")


def choose(page: Page, name: str) -> None:
    """Make a choice in the banner, or in the dialog once the banner is gone."""
    if banner(page).is_visible():
        banner(page).get_by_role("button", name=name).click()
    else:
        page.get_by_role("button", name="Cookie settings").first.click()
        page.get_by_role("dialog", name="Cookie settings").get_by_role("button", name=name).click()
    expect(banner(page)).to_be_hidden()


def assert_consent_cookie(
    context: BrowserContext, config: CookieConfig, secure: bool, granted: bool
) -> None:
    (cookie,) = context.cookies()  # one, on the shared domain: no host-only duplicate
    assert cookie.get("name") == config.name
    assert cookie.get("sameSite") == config.same_site == "Lax"
    assert cookie.get("secure") is secure
    assert cookie.get("path") == "/"
    assert cookie.get("domain") == config.domain == ".toontrack.test"
    assert cookie.get("httpOnly") is False  # the script must read it
    record = json.loads(unquote(str(cookie.get("value"))))
    assert record["c"] == {"analytics": granted, "advertising": granted}
    # The lifetime counts from the choice, on the page's clock (ts is the page's Date.now()).
    chosen = record["ts"] / 1000
    assert chosen + config.max_age - 5 <= cookie.get("expires", 0) <= chosen + config.max_age + 1
    assert config.max_age == 182 * DAY


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_the_consent_cookie_is_lax_on_the_shared_domain_and_secure_over_https(
    tls_context: BrowserContext,
    https_url: str,
    consent_url: str,
    configured: CookieConfig,
    scheme: str,
) -> None:
    context = tls_context
    url = https_url if scheme == "https" else consent_url
    assert url.startswith(f"{scheme}://")
    page = context.new_page()
    page.goto(f"{url}privacy/", wait_until="networkidle")
    assert page.evaluate("location.protocol") == f"{scheme}:"
    assert context.cookies() == []
    choose(page, "Accept all")
    assert_consent_cookie(context, configured, secure=scheme == "https", granted=True)
    choose(page, "Reject all")
    assert_consent_cookie(context, configured, secure=scheme == "https", granted=False)
    page.reload(wait_until="networkidle")
    expect(banner(page)).to_be_hidden()  # and it is read back


@dataclass(frozen=True)
class Write:
    name: str
    value: str
    attributes: dict[str, str]
    script: str
    raw: str


def parse_write(raw: str, stack: str) -> Write:
    first, *rest = [part.strip() for part in raw.split(";")]
    name, _, value = first.partition("=")
    attributes = {key.lower(): val for key, _, val in (part.partition("=") for part in rest)}
    scripts = [url for url in _SCRIPT_URL.findall(stack) if "__playwright" not in url]
    return Write(name, value, attributes, urlsplit(scripts[0]).path if scripts else "?", raw)


def test_the_site_writes_no_cookie_but_the_consent_record_and_deletions(
    tls_context: BrowserContext, https_url: str, configured: CookieConfig
) -> None:
    context = tls_context
    writes: list[Write] = []
    context.expose_binding(
        "__cookieWritten", lambda _source, raw, stack: writes.append(parse_write(raw, stack))
    )
    context.add_init_script(COOKIE_LOGGER)
    page = context.new_page()
    # The partner page, its partner unreachable: the gated inline scripts run, nothing else.
    page.goto(f"{https_url}partner/", wait_until="networkidle")
    page.goto(f"{https_url}privacy/", wait_until="networkidle")
    assert writes == []  # nothing before a choice
    page.goto(f"{https_url}partner/", wait_until="networkidle")
    choose(page, "Accept all")
    page.wait_for_function("(window.order || []).length === 2")
    # What tags leave behind: a declared cookie on the shared domain, an undeclared one on this
    # host and path (set from outside the page: not a write of the site's code).
    context.add_cookies([
        {"name": "_ga", "value": "GA1.1.1", "domain": configured.domain, "path": "/"},
        {"name": "_undeclared", "value": "1", "domain": SITE_HOST, "path": "/partner/"},
    ])  # fmt: skip
    assert len(context.cookies()) == 3
    with page.expect_navigation():  # gated scripts ran: withdrawing reloads the page
        choose(page, "Reject all")
    page.wait_for_load_state("networkidle")
    page.goto(f"{https_url}privacy/", wait_until="networkidle")
    choose(page, "Accept all")
    choose(page, "Reject all")
    assert [c.get("name") for c in context.cookies()] == [configured.name]

    ours = writes
    consent = {"path": "/", "domain": configured.domain, "max-age": str(configured.max_age),
               "samesite": configured.same_site, "secure": ""}  # fmt: skip
    for write in ours:
        assert write.script.startswith("/assets/consent."), write
        if write.attributes.get("max-age") == "0":  # a deletion
            assert write.value == "", write
            # Each deletion also reaches a partitioned (CHIPS) copy, which needs these two.
            assert set(write.attributes) <= {"max-age", "path", "domain", "secure", "partitioned"}
        else:
            assert write.name == configured.name, write
            assert write.attributes == consent, write
    stored = [w for w in ours if w.attributes.get("max-age") != "0"]
    assert len(stored) == 4  # one per choice
    deleted = {w.name for w in ours if w.attributes.get("max-age") == "0"}
    assert deleted == {configured.name, "_ga", "_undeclared"}  # host-only duplicates, the tags'
