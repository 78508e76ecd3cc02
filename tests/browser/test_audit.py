"""``./scripts/audit`` on real builds: the consent demo site with the fake ad partner (clean, and
with an ungated pixel slipped in after the build), and the project's own site."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policy_site.audit import Report, audit, render_html
from tests.browser.conftest import GOOGLE, META
from tests.partner import PARTNER_HOST, Partner
from tests.support import ROOT, SITE_HOST, elements, parse_html, strings

#: Quiet time after ``load`` before a page counts as done: loopback is fast, and the partner's
#: tags load before ``load`` fires.
SETTLE = "0.1"
STATES = [
    "no-choice",
    "reject-all",
    "accept-all",
    "only-analytics",
    "only-advertising",
    "only-advertising-google-ads",
    "only-advertising-meta-pixel",
    "gpc-no-choice",
    "gpc-accept-all",
]
BEFORE_CONSENT = {"no-choice", "reject-all", "gpc-no-choice"}
ANALYTICS_COOKIES = {"_ga", "_ga_TT1", "_gid"}
#: What the partner's advertising tag sets: two declared cookies and one it never told us about.
ADVERTISING_COOKIES = {"_fbp", "_fbc", "_undeclared_tracker"}
SHOTS = ("banner", "dialog", "banner-gpc")


def demo_consent(site: Path) -> Path:
    """The consent.yml the demo site was built with (the partner's host declared)."""
    return site.parent / "consent-demo" / "consent" / "consent.yml"


def html_pages(site: Path) -> int:
    return len(list(site.rglob("*.html")))


def by_id(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {state["id"]: state for state in report["states"]}


def cookie_names(state: dict[str, Any]) -> set[str]:
    return {cookie["name"] for cookie in state["cookies"]}


def partner_paths(state: dict[str, Any]) -> set[str]:
    return {
        url.rsplit("/", 1)[-1]
        for entry in state["requests"]
        if entry["host"].startswith(PARTNER_HOST)
        for url in entry["urls"]
    }


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@dataclass
class PixelAudit:
    process: subprocess.Popen[str]
    out: Path
    hits_before: int


@pytest.fixture(scope="module")
def pixel_audit(
    consent_site: Path, partner: Partner, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PixelAudit]:
    """``./scripts/audit`` as a user runs it, on a copy of the demo site with an ungated partner
    pixel slipped into one page after the build."""
    folder = tmp_path_factory.mktemp("pixel")
    site = folder / "site"
    shutil.copytree(consent_site, site)
    page = site / "privacy" / "versions" / "index.html"
    html = page.read_text(encoding="utf-8")
    pixel = f'<img src="{partner.origin}/pixel.gif?ungated" alt="" width="1" height="1">'
    page.write_text(html.replace("</body>", f"{pixel}</body>"), encoding="utf-8")
    out = folder / "audit"
    command = [
        str(ROOT / "scripts" / "audit"),
        str(site),
        "--consent",
        str(demo_consent(consent_site)),
        "--out",
        str(out),
        "--map",
        f"{PARTNER_HOST}=127.0.0.1",
        "--settle",
        SETTLE,
    ]
    hits_before = len(partner.hits)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            yield PixelAudit(process, out, hits_before)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()


@pytest.fixture(scope="module")
def project_audit(
    project_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Future[Report]]:
    """The project's own site, audited in a thread of its own while the demo site's audits run
    (each audit keeps its Playwright in a thread of its own)."""
    out = tmp_path_factory.mktemp("project-audit")
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(audit, project_site, out=out, settle=float(SETTLE))


@pytest.fixture(scope="module")
def demo_report(
    consent_site: Path,
    pixel_audit: PixelAudit,
    project_audit: Future[Report],
    tmp_path_factory: pytest.TempPathFactory,
) -> Report:
    """The demo site's audit; the other two audits run meanwhile (this starts them)."""
    out = tmp_path_factory.mktemp("demo-audit")
    return audit(
        consent_site,
        consent=demo_consent(consent_site),
        out=out,
        # The partner's tags set their cookies on .toontrack.test, the demo site's domain.
        host=SITE_HOST,
        host_map={PARTNER_HOST: "127.0.0.1"},
        settle=float(SETTLE),
    )


def test_demo_site_audits_clean(demo_report: Report, consent_site: Path) -> None:
    assert demo_report.violations == []
    assert demo_report.exit_code == 0
    report = json.loads(demo_report.json_path.read_text(encoding="utf-8"))
    assert report["verdict"] == "pass"
    assert [row["state"] for row in report["summary"]] == STATES
    assert all(row["pages"] == html_pages(consent_site) for row in report["summary"])
    assert all(row["first_party_requests"] > 0 for row in report["summary"])
    assert len(report["pages"]) == html_pages(consent_site) >= 8


def test_demo_site_report_shows_the_partner_only_after_consent(demo_report: Report) -> None:
    report = json.loads(demo_report.json_path.read_text(encoding="utf-8"))
    rows = {row["state"]: row for row in report["summary"]}
    states = by_id(report)
    for state in BEFORE_CONSENT:
        assert rows[state]["third_party_requests"] == 0, state
        assert rows[state]["beacons"] == 0, state
        assert cookie_names(states[state]) <= {"tt_consent"}, state
        assert states[state]["storage"] == [], state
    assert cookie_names(states["no-choice"]) == set()
    assert cookie_names(states["reject-all"]) == {"tt_consent"}
    # Accept all: everything the partner does, its pixel as a beacon.
    accepted = states["accept-all"]
    assert rows["accept-all"]["third_party_requests"] >= 4
    assert {"ga.js", "tag.js", "pixel.gif", "video"} <= partner_paths(accepted)
    assert ANALYTICS_COOKIES | ADVERTISING_COOKIES | {"tt_consent"} <= cookie_names(accepted)
    beacons = {(b["page"], b["type"], b["url"].rsplit("/", 1)[-1]) for b in accepted["beacons"]}
    assert beacons == {("/partner/", "image", "pixel.gif"), ("/shop.html", "image", "pixel.gif")}
    assert accepted["consent_record"]["c"] == {"analytics": True, "advertising": True}
    # The undeclared cookie is reported, not hidden.
    assert any("_undeclared_tracker" in w["message"] for w in accepted["warnings"])
    # One category alone: the other one's tags, cookies and pixel stay out.
    analytics = states["only-analytics"]
    assert partner_paths(analytics) == {"ga.js"}
    assert cookie_names(analytics) >= ANALYTICS_COOKIES
    assert not cookie_names(analytics) & ADVERTISING_COOKIES
    assert analytics["beacons"] == []
    assert analytics["choice"]["clicked"] == ["Manage choices", "Analytics", "Save choices"]
    advertising = states["only-advertising"]
    assert partner_paths(advertising) == {"tag.js", "pixel.gif", "video"}
    assert {"_fbp", "_fbc"} <= cookie_names(advertising)
    assert not cookie_names(advertising) & ANALYTICS_COOKIES
    # GPC: accept all leaves advertising off.
    gpc = states["gpc-accept-all"]
    assert gpc["consent_record"]["gpc"] is True
    assert gpc["consent_record"]["c"] == {"analytics": True, "advertising": False}
    assert partner_paths(gpc) == {"ga.js"}
    assert not cookie_names(gpc) & ADVERTISING_COOKIES
    inventory = {c["name"]: c["states"] for c in report["cookies"]}
    alone = ["only-advertising-google-ads", "only-advertising-meta-pixel"]
    assert inventory["_fbp"] == ["accept-all", "only-advertising", *alone]
    # Each advertising service alone: the partner's tags, gated by category, load (its host is
    # both services'), and the record has the service chosen alone on.
    for state_id, service in zip(alone, ("google-ads", "meta-pixel"), strict=True):
        assert partner_paths(states[state_id]) == {"tag.js", "pixel.gif", "video"}, state_id
        assert states[state_id]["consent_record"]["s"] == {
            "google-ads": service == "google-ads",
            "meta-pixel": service == "meta-pixel",
        }
    assert inventory["_ga"] == ["accept-all", "only-analytics", "gpc-accept-all"]


def test_demo_site_report_html_and_screenshots(demo_report: Report) -> None:
    report = demo_report.data
    out = demo_report.html_path.parent
    assert sorted(report["screenshots"]) == sorted(SHOTS)
    sizes = {name: png_size(out / report["screenshots"][name]["file"]) for name in SHOTS}
    assert all(width >= 300 and height >= 200 for width, height in sizes.values())
    shots = {(out / f"{name}.png").read_bytes() for name in SHOTS}
    assert len(shots) == 3, "the banner, the dialog and the GPC banner differ"
    page = parse_html(demo_report.html_path)
    (table,) = elements(page, "//table[@id='summary-table']")
    headers = [" ".join(str(h.text_content()).split()) for h in elements(table, ".//thead//th")]
    assert headers[:4] == ["state", "pages", "first-party requests", "third-party requests"]
    assert {"cookies", "storage keys", "beacons", "violations", "verdict"} <= set(headers)
    rows = elements(table, ".//tbody/tr")
    assert [" ".join(str(r.text_content()).split())[-4:] for r in rows] == ["PASS"] * len(STATES)
    assert "Accept all" in rows[2].text_content()
    assert elements(page, "//script") == []
    assert sorted(strings(page, "//img/@src")) == sorted(f"{name}.png" for name in SHOTS)
    assert not [ref for ref in strings(page, "//@src | //@href") if ":" in ref or "//" in ref]
    text = page.text_content()
    assert "www.google-analytics.com" in text  # the CSP's hosts
    assert PARTNER_HOST in text


def test_report_html_escapes_what_it_recorded(demo_report: Report, tmp_path: Path) -> None:
    data = json.loads(json.dumps(demo_report.data))
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data["states"][0]["warnings"].append(
        {"kind": "cookie", "page": hostile, "subject": hostile, "message": hostile}
    )
    data["violations"].append(hostile)
    (tmp_path / "report.html").write_text(render_html(data), encoding="utf-8")
    page = parse_html(tmp_path / "report.html")
    assert elements(page, "//script") == []
    assert not strings(page, "//@onerror")
    assert page.text_content().count(hostile) == 3


def test_ungated_pixel_fails_the_audit_naming_page_state_and_host(
    pixel_audit: PixelAudit, partner: Partner
) -> None:
    stdout, stderr = pixel_audit.process.communicate(timeout=300)
    assert pixel_audit.process.returncode == 1, stdout + stderr
    violations = [line for line in stdout.splitlines() if line.startswith("VIOLATION")]
    for state in BEFORE_CONSENT:
        assert [
            line
            for line in violations
            if line.startswith(f"VIOLATION {state} /privacy/versions/: ")
            and PARTNER_HOST in line
            and "beacon" in line
        ], (state, violations)
    # Nothing else was wrong.
    assert all(" /privacy/versions/: " in line for line in violations), violations
    # The partner really received the pixel, with the GPC signal the GPC states send.
    hits = partner.hits[pixel_audit.hits_before :]
    assert [hit for hit in hits if hit.path == "/pixel.gif" and hit.gpc == "1"]
    report = json.loads((pixel_audit.out / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "fail"
    rows = {row["state"]: row for row in report["summary"]}
    assert {s for s, row in rows.items() if row["verdict"] == "fail"} == BEFORE_CONSENT
    assert f"report: {pixel_audit.out / 'report.json'}" in stdout


def test_project_site_audits_clean(project_site: Path, project_audit: Future[Report]) -> None:
    result = project_audit.result(timeout=300)
    assert result.violations == []
    assert result.exit_code == 0
    report = result.data
    rows = {row["state"]: row for row in report["summary"]}
    assert list(rows) == STATES
    assert all(row["pages"] == html_pages(project_site) for row in rows.values())
    assert all(row["third_party_requests"] == 0 for row in rows.values())
    states = by_id(report)
    for state in STATES:
        expected = set() if state in {"no-choice", "gpc-no-choice"} else {"tt_consent"}
        assert cookie_names(states[state]) == expected, state
    (policy,) = report["csp"]["policies"]
    assert (policy["policy"] or "").startswith("default-src 'none'")
    hosts = {h["host"]: h["categories"] for h in report["csp"]["hosts"]}
    assert hosts["www.google-analytics.com"] == ["analytics"]
    assert hosts["connect.facebook.net"] == ["advertising"]
    assert report["release"]["consent_files"]
    # The report points at one release of the bundle, by the hashes the site keeps on record.
    release = report["release"]["consent_release"]
    assert release is not None
    ledger = json.loads((project_site / "consent/releases.json").read_text(encoding="utf-8"))
    assert release in ledger["releases"]
    loaded = {path.removeprefix("/") for path in report["release"]["consent_files"]}
    assert {p.rsplit("/", 1)[1].split(".")[1] for p in loaded} >= {"en"}  # the language's script
    assert loaded <= set(release["files"])
    assert release["revision"] == report["release"]["policy_version"]  # what the cookie says
    html = (project_audit.result().html_path).read_text(encoding="utf-8")
    assert release["config_sha256"] in html


@pytest.fixture(scope="module")
def services_report(services_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The site of two advertising services on two host names (tests/browser/conftest.py),
    audited as a folder."""
    return audit(
        services_site,
        consent=services_site.parent / "consent-demo" / "consent" / "consent.yml",
        out=tmp_path_factory.mktemp("services-audit"),
        host_map={GOOGLE: "127.0.0.1", META: "127.0.0.1"},
        settle=float(SETTLE),
    )


def test_each_service_alone_keeps_the_other_services_hosts_out(services_report: Report) -> None:
    """Google Ads alone: Meta's pixel, gated by its category only, still loads, a violation
    naming Meta Pixel on that page and no other; Meta alone and the page that names each
    service are clean."""
    report = services_report.data
    states = by_id(report)
    google = states["only-advertising-google-ads"]
    assert google["label"] == "Google Ads only (Advertising)"
    assert google["choice"]["clicked"] == ["Manage choices", "Google Ads", "Save choices"]
    assert google["consent_record"]["c"]["advertising"] is True
    assert google["consent_record"]["s"] == {"google-ads": True, "meta-pixel": False}
    leaks = [(v["page"], v["subject"].split(":")[0], v["message"]) for v in google["violations"]]
    assert [(page, host) for page, host, _ in leaks] == [("/meta-by-category/", META)]
    assert "of Meta Pixel (meta-pixel), in advertising: not consented to" in leaks[0][2]
    meta = states["only-advertising-meta-pixel"]
    assert meta["consent_record"]["s"] == {"google-ads": False, "meta-pixel": True}
    hosts = {(p["path"], h) for p in meta["pages"] for h in p["third_party_hosts"]}
    assert {(path, host.split(":")[0]) for path, host in hosts} == {
        ("/services/", META),
        ("/meta-by-category/", META),
    }
    assert meta["violations"] == []
    assert services_report.violations == [
        f"only-advertising-google-ads /meta-by-category/: {leaks[0][2]}"
    ]
    # The consent summary names each service with its id and hosts.
    (advertising,) = [c for c in report["consent"]["categories"] if c["id"] == "advertising"]
    assert advertising["per_service"] is True
    assert [(s["id"], s["name"], s["hosts"][0].split(":")[0]) for s in advertising["services"]] == [
        ("google-ads", "Google Ads", GOOGLE),
        ("meta-pixel", "Meta Pixel", META),
    ]
    text = " ".join(parse_html(services_report.html_path).text_content().split())
    assert "Google Ads only (Advertising)" in text
    assert f"Meta Pixel (meta-pixel): {META}:" in text
