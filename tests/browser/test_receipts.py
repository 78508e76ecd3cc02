"""Receipts of each kind of choice, from a real page in Chromium to the store: the consent demo
built with receipts on, served with the endpoint passed on to a real receiver (as
``./scripts/serve`` does), and each receipt found through ``policy-site receipts export``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, expect

from policy_site.serve import serving
from tests.browser.test_consent import banner, consent_value, gpc_context, record, visit
from tests.service.conftest import Receiver, receipts_cli, start_receiver, stop
from tests.support import SITE_HOST, build, bundle_config, consent_files, keep_bundles


@pytest.fixture(scope="module")
def receipts_site(consent_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The consent demo with ``receipts`` in consent.yml and its bundles kept, so that its
    releases are on record for the receiver."""
    folder = tmp_path_factory.mktemp("receipts")
    project = folder / "consent-demo"
    shutil.copytree(consent_site.parent / "consent-demo", project)
    config = project / "consent" / "consent.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["receipts"] = {"endpoint": "/consent/receipts"}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")
    mkdocs = project / "mkdocs.yml"
    mkdocs.write_text(
        mkdocs.read_text(encoding="utf-8").replace(
            "      consent: consent/consent.yml",
            "      consent: consent/consent.yml\n      published_bundles: consent/published",
        ),
        encoding="utf-8",
    )
    keep_bundles(project)
    site = folder / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    (site / "stable.html").write_text(STABLE_PAGE, encoding="utf-8")
    return site


#: A page of another site (the forum) that includes the bundle by its stable URL, in Swedish.
STABLE_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Forum</title>
<link rel="stylesheet" href="/consent/consent.css">
<script src="/consent/consent.sv.js" defer></script></head>
<body><main><h1>Forum</h1></main></body></html>
"""


@pytest.fixture(scope="module")
def revision(receipts_site: Path) -> str:
    return str(bundle_config(receipts_site)["revision"])


@pytest.fixture
def receiver(receipts_site: Path, tmp_path: Path) -> Iterator[Receiver]:
    running = start_receiver(f"sqlite:///{tmp_path / 'receipts.db'}",
                             ledger=receipts_site / "consent" / "releases.json")  # fmt: skip
    yield running
    stop(running)


@pytest.fixture
def site_url(receipts_site: Path, receiver: Receiver) -> Iterator[str]:
    upstream = receiver.url.split("/")[2]
    with serving(receipts_site, SITE_HOST, receipts=("/consent/receipts", upstream)) as url:
        yield url


def stored(receiver: Receiver, subject: str, count: int) -> list[dict[str, Any]]:
    """The receipts of ``subject`` once ``count`` are stored (a beacon is sent asynchronously)."""
    deadline = time.monotonic() + 10
    while True:
        exported = receipts_cli(receiver.db, "export", "--subject", subject,
                                "--releases", str(receiver.ledger))  # fmt: skip
        assert exported.returncode == 0, exported.stderr
        found: list[dict[str, Any]] = json.loads(exported.stdout)["receipts"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_each_kind_of_choice_is_stored_as_a_receipt(
    page: Page, context: BrowserContext, site_url: str, receiver: Receiver
) -> None:
    visit(page, site_url + "partner/")
    banner(page).get_by_role("button", name="Accept all").click()
    subject = record(context)["id"]
    (first,) = stored(receiver, subject, 1)
    receipt = first["receipt"]
    assert (receipt["event"], receipt["method"]) == ("given", "banner")
    assert receipt["categories"] == {"analytics": True, "advertising": True}
    assert (receipt["path"], receipt["language"], receipt["gpc"]) == ("/partner/", "en", False)
    assert receipt["subject"] == subject
    assert receipt["id"] != subject
    assert receipt["revision"] == record(context)["pv"]
    release = first["release"]
    assert receipt["bundle"] in {path.rpartition("/")[2] for path in release["files"]}
    assert (receipt["policy_sha256"], receipt["release"]) == (
        release["policy_sha256"], release["id"],
    )  # fmt: skip
    assert not {"ip", "user_agent", "url"} & set(receipt)

    # The dialog shows the choice's reference; saving there is a change made in the dialog.
    page.get_by_role("button", name="Cookie settings").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".ppc-ref")).to_contain_text(subject)
    dialog.get_by_role("switch", name="Analytics").uncheck()
    with page.expect_navigation():  # analytics had run: refusing it now reloads the page
        dialog.get_by_role("button", name="Save choices").click()
    # The API: the page's own script refuses everything, which withdraws the consent (and
    # reloads, advertising having run).
    with page.expect_navigation():
        page.evaluate("() => window.PrivacyConsent.rejectAll()")
    # A placeholder's Allow, on the page loaded again.
    visit(page, site_url + "partner/")
    page.get_by_role("button", name="Allow").first.click()
    receipts = [found["receipt"] for found in stored(receiver, subject, 4)]
    kinds = [(r["event"], r["method"]) for r in receipts]
    assert kinds == [("given", "banner"), ("changed", "dialog"), ("withdrawn", "api"),
                     ("changed", "placeholder")]  # fmt: skip
    assert receipts[1]["categories"] == {"analytics": False, "advertising": True}
    assert receipts[3]["categories"] == {"analytics": False, "advertising": True}
    assert receipts_cli(receiver.db, "verify").returncode == 0


def test_a_first_refusal_is_a_receipt_too(
    page: Page, context: BrowserContext, site_url: str, receiver: Receiver
) -> None:
    visit(page, site_url)
    banner(page).get_by_role("button", name="Reject all").click()
    (found,) = stored(receiver, record(context)["id"], 1)
    assert (found["receipt"]["event"], found["receipt"]["method"]) == ("refused", "banner")
    assert found["receipt"]["categories"] == {"analytics": False, "advertising": False}


def test_with_the_receiver_down_the_choice_still_applies(
    page: Page, context: BrowserContext, receipts_site: Path, receiver: Receiver
) -> None:
    stop(receiver)
    upstream = receiver.url.split("/")[2]
    with serving(receipts_site, SITE_HOST, receipts=("/consent/receipts", upstream)) as url:
        visit(page, url)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        banner(page).get_by_role("button", name="Accept all").click()
        expect(banner(page)).to_be_hidden()
        assert record(context)["c"] == {"analytics": True, "advertising": True}
        assert errors == []


def test_a_page_including_the_stable_url_sends_receipts_under_the_hashed_file(
    page: Page, context: BrowserContext, site_url: str, receiver: Receiver, receipts_site: Path
) -> None:
    """The shop and the forum include /consent/consent.<lang>.js, whose content changes with
    each release: the script names its own hashed file, which the receiver knows."""
    visit(page, site_url + "stable.html")
    swedish = page.get_by_role("region", name="Val av kakor")
    swedish.get_by_role("button", name="Avvisa alla").click()
    (found,) = stored(receiver, record(context)["id"], 1)
    stable = (receipts_site / "consent" / "consent.sv.js").read_text(encoding="utf-8")
    hashed = consent_files(receipts_site, "sv")[0]
    assert stable == hashed.read_text(encoding="utf-8")
    assert found["receipt"]["bundle"] == hashed.name
    assert (found["receipt"]["event"], found["receipt"]["language"]) == ("refused", "sv")


def test_a_choice_made_before_gpc_yields_to_it_with_a_receipt(
    browser: Browser, site_url: str, receiver: Receiver, revision: str
) -> None:
    """A visitor who allowed advertising, then turned Global Privacy Control on: the first page
    with the signal switches advertising off, as a choice made by GPC, and says so in a receipt."""
    errors: list[str] = []
    context = gpc_context(browser, errors)
    before = {"analytics": True, "advertising": True}
    cookie = consent_value(pv=revision, c=before)
    context.add_cookies(
        [{"name": "tt_consent", "value": cookie, "domain": ".toontrack.test", "path": "/"}]
    )
    page = visit(context.new_page(), site_url + "partner/")
    (found,) = stored(receiver, "0123456789abcdef", 1)
    receipt = found["receipt"]
    assert (receipt["event"], receipt["method"], receipt["gpc"]) == ("changed", "gpc", True)
    assert receipt["previous"] == before
    assert receipt["categories"] == {"analytics": True, "advertising": False}
    assert record(context)["c"] == receipt["categories"]
    expect(banner(page)).to_be_hidden()
    # Once applied, the choice is one made with the signal on: no receipt on the next page.
    visit(page, site_url)
    page.wait_for_timeout(300)
    assert len(stored(receiver, "0123456789abcdef", 2)) == 1
    assert errors == []
    context.close()


def test_scripts_serve_runs_the_receiver_for_a_site_with_receipts(
    receipts_site: Path, tmp_path: Path
) -> None:
    """``./scripts/serve`` alone: the site, and its endpoint passed on to a receiver it starts."""
    import urllib.request

    from policy_site.consent.archive import read_releases
    from policy_site.receipts.launch import free_port
    from tests.service.conftest import count_rows
    from tests.unit.test_receipts import now_ms, receipt

    port = free_port()
    db = f"sqlite:///{tmp_path / 'receipts.db'}"
    command = [sys.executable, "-m", "policy_site.cli", "serve", str(receipts_site), "--port",
               str(port), "--receipts-db", db, "--receipts-port", str(free_port())]  # fmt: skip
    said = tmp_path / "serve.log"
    with said.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        manifest = json.loads((receipts_site / "consent/consent.json").read_text("utf-8"))
        bundle = manifest["pinned"]["js"]["en"]["url"].rpartition("/")[2]
        (release,) = [r for r in read_releases(receipts_site / "consent")
                      if f"assets/{bundle}" in r.files]  # fmt: skip
        # Analytics on (the helper's choice), and each service chosen on its own off.
        services = dict.fromkeys(release.services, False)
        record = {"ts": now_ms(), "pv": release.revision, "s": services}
        body = json.dumps(receipt(record, b=bundle)).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/consent/receipts", data=body, method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 204
                break
            except (TimeoutError, ConnectionError, urllib.error.URLError):
                assert server.poll() is None, said.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, said.read_text(encoding="utf-8")
                time.sleep(0.1)
        assert count_rows(db) == 1
    finally:
        server.terminate()
        server.wait(timeout=15)
