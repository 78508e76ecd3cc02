"""A stray consent cookie never locks the visitor out. A tag (or an old release) writes a second
``tt_consent`` on another path or on the host only, with another value: the runtime trusts
neither value (no choice), deletes every copy it can reach, and stores the visitor's next choice
after expiring the name on every domain and path, so that the choice holds on reload.

Run in plain Chromium (the runtime sees the strays on load and at the choice) and with the
site's origins secure (the Cookie Store API also tells it when one is written)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.partner import Partner
from tests.support import consent_files


def revision(site: Path) -> str:
    """The consent revision the built runtime asks for (its CONFIG.revision)."""
    js, _ = consent_files(site)
    text = js.read_text(encoding="utf-8")
    config, _ = json.JSONDecoder().raw_decode(text, text.index('{"categories":'))
    return str(config["revision"])


def valid(granted: bool, ident: str, pv: str) -> str:
    """A consent record the runtime would accept on its own."""
    record = {"v": 1, "id": ident, "ts": int(time.time() * 1000), "pv": pv,
              "c": {"analytics": granted, "advertising": granted}, "gpc": False}  # fmt: skip
    return quote(json.dumps(record, separators=(",", ":")))


def consent_cookies(context: BrowserContext) -> list[tuple[str, str, dict[str, Any]]]:
    """Every tt_consent cookie: (domain, path, record)."""
    return [
        (str(c["domain"]), str(c["path"]), json.loads(unquote(str(c["value"]))))
        for c in context.cookies()
        if c["name"] == "tt_consent"
    ]


def plant(context: BrowserContext, runtime_url: str, pv: str) -> None:
    """The real choice on the shared domain, and three strays granting everything: host-only on
    "/", on the shared domain for /partner/, on www and its sub domains for /partner. Each is a
    record the runtime would accept alone."""
    context.add_cookies([
        {"name": "tt_consent", "value": valid(False, "0123456789abcdef", pv),
         "domain": ".toontrack.test", "path": "/"},
        {"name": "tt_consent", "value": valid(True, "aaaaaaaaaaaaaaaa", pv), "url": runtime_url},
        {"name": "tt_consent", "value": valid(True, "bbbbbbbbbbbbbbbb", pv),
         "domain": ".toontrack.test", "path": "/partner/"},
        {"name": "tt_consent", "value": valid(True, "cccccccccccccccc", pv),
         "domain": ".www.toontrack.test", "path": "/partner"},
    ])  # fmt: skip


@pytest.fixture(params=["plain", "secure"])
def any_context(request: pytest.FixtureRequest) -> BrowserContext:
    context: BrowserContext = request.getfixturevalue(
        "context" if request.param == "plain" else "secure_context"
    )
    return context


def test_a_stray_consent_cookie_is_deleted_and_the_next_choice_holds(
    any_context: BrowserContext, runtime_url: str, runtime_site: Path, hits: Partner
) -> None:
    context = any_context
    pv = revision(runtime_site)
    plant(context, runtime_url, pv)
    assert len(consent_cookies(context)) == 4
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{runtime_url}partner/", wait_until="networkidle")
    region = page.get_by_role("region", name="Cookie choices")
    expect(region).to_be_visible()  # neither value is trusted
    assert page.evaluate("PrivacyConsent.get()") is None
    assert consent_cookies(context) == []  # every copy it could reach is gone
    assert hits.paths() == []
    # The tag writes its strays again (with the Cookie Store API, the runtime deletes them at
    # once); the visitor chooses.
    plant(context, runtime_url, pv)
    region.get_by_role("button", name="Accept all").click()
    expect(region).to_be_hidden()
    page.reload(wait_until="networkidle")
    expect(region).to_be_hidden()
    ((domain, path, record),) = consent_cookies(context)
    assert (domain, path) == (".toontrack.test", "/")
    assert record["c"] == {"analytics": True, "advertising": True}
    assert record["pv"] == pv
    assert record["id"] not in {"0123456789abcdef", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"}
    assert page.evaluate("PrivacyConsent.get()") == record
    assert errors == []
