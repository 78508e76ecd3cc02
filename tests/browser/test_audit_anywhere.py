"""``./scripts/audit`` on a site that is not Toontrack's, in real Chromium: a German company's site
(its categories titled in German only, the package's German texts, its necessary category named
"notwendig") audited live by URL and clean, and as a folder with an ungated pixel (exit 1); the
same site served with a Content-Security-Policy ending in ";" and with none (read, and said in the
report); an address nothing answers at (exit 2); a failure inside a state (exit 2, said in one
message, no traceback)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policy_site import cli
from policy_site.audit.browser import _Runner
from policy_site.audit.record import _StateRun
from policy_site.receipts.launch import free_port
from policy_site.serve import serving
from tests.partner import PARTNER_HOST, Partner
from tests.support import ROOT, SITE_HOST, build, fixture_site

SETTLE = "0.1"
GERMAN_STATES = [
    "no-choice",
    "reject-all",
    "accept-all",
    "only-statistik",
    "only-marketing",
    "gpc-no-choice",
    "gpc-accept-all",
]
BEFORE_CONSENT = {"no-choice", "reject-all", "gpc-no-choice"}
OFFERS = "/angebote/"


@dataclass(frozen=True)
class German:
    site: Path
    consent: Path


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory, partner: Partner) -> German:
    """tests/fixtures/sites/german built for real, its marketing pixel from the fake partner."""
    folder = tmp_path_factory.mktemp("german")
    project = fixture_site("german", folder)
    for path in (project / "consent/consent.yml", project / "docs/angebote.md"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("PARTNER_HOST", partner.origin.split("://", 1)[1])
        path.write_text(text.replace("PARTNER", partner.origin), encoding="utf-8")
    site = folder / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    return German(site, project / "consent" / "consent.yml")


def variant(german: German, folder: Path, name: str) -> Path:
    """A copy of the German site to change after its build."""
    site = folder / name
    shutil.copytree(german.site, site)
    return site


@dataclass
class Audit:
    """``./scripts/audit`` as a user runs it, running; ``result()`` waits for it."""

    process: subprocess.Popen[str]
    out: Path
    said: tuple[str, str] | None = None

    def result(self) -> tuple[int, str, str]:
        if self.said is None:
            self.said = self.process.communicate(timeout=300)
        return self.process.returncode, *self.said

    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads((self.out / "report.json").read_text("utf-8"))
        return report


def start(target: str, consent: Path, out: Path, *more: str) -> Audit:
    command = [str(ROOT / "scripts" / "audit"), target, "--consent", str(consent)]
    command += ["--out", str(out), "--settle", SETTLE, "--map", f"{PARTNER_HOST}=127.0.0.1"]
    process = subprocess.Popen(
        [*command, *more], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return Audit(process, out)


@pytest.fixture(scope="module")
def audits(
    german: German, partner: Partner, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Audit]]:
    """The German site's two audits, side by side: live by URL, served with a
    Content-Security-Policy that ends in ";"; and as a folder with no Content-Security-Policy
    and an ungated pixel slipped into a page after the build."""
    folder = tmp_path_factory.mktemp("german-audits")
    semicolon = variant(german, folder, "semicolon")
    headers = semicolon / "_headers"
    text = headers.read_text(encoding="utf-8")
    text, count = re.subn(r"(Content-Security-Policy: [^\n]*[^;\n])\n", r"\1;\n", text)
    assert count >= 1
    headers.write_text(text, encoding="utf-8")
    pixel = variant(german, folder, "pixel")
    (pixel / "_headers").unlink()
    page = pixel / OFFERS.strip("/") / "index.html"
    html = page.read_text(encoding="utf-8")
    img = f'<img src="{partner.origin}/pixel.gif?ungated" alt="" width="1" height="1">'
    page.write_text(html.replace("</body>", f"{img}</body>"), encoding="utf-8")
    # Served on 127.0.0.1, an origin the browser trusts as it trusts the HTTPS site.
    with serving(semicolon, "127.0.0.1") as url:
        running = {
            "url": start(url, german.consent, folder / "out-url"),
            "pixel": start(str(pixel), german.consent, folder / "out-pixel", "--host", SITE_HOST),
        }
        try:
            for audit in running.values():
                audit.result()
            yield running
        finally:
            for audit in running.values():
                if audit.process.poll() is None:
                    audit.process.kill()
                    audit.process.communicate()


def partner_paths(state: dict[str, Any]) -> set[str]:
    return {
        url.rsplit("/", 1)[-1]
        for entry in state["requests"]
        if entry["host"].startswith(PARTNER_HOST)
        for url in entry["urls"]
    }


def test_a_german_site_audits_clean_live_in_its_own_words(audits: dict[str, Audit]) -> None:
    code, out, err = audits["url"].result()
    assert code == 0, out + err
    assert "Traceback" not in err
    assert "audit: clean" in out
    report = audits["url"].report()
    assert report["target"]["mode"] == "url"
    assert [row["state"] for row in report["summary"]] == GERMAN_STATES
    states = {state["id"]: state for state in report["states"]}
    # Each state was reached by clicking the German banner and dialog.
    assert states["reject-all"]["choice"]["clicked"] == ["Alle ablehnen"]
    assert states["accept-all"]["choice"]["clicked"] == ["Alle akzeptieren"]
    assert states["only-marketing"]["choice"]["clicked"] == [
        "Auswahl verwalten",
        "Marketing und Werbung",
        "Auswahl speichern",
    ]
    assert states["only-marketing"]["consent_record"]["c"] == {
        "statistik": False,
        "marketing": True,
    }
    # The pixel loads after consent to marketing, and only then.
    assert partner_paths(states["only-marketing"]) == {"pixel.gif"}
    assert partner_paths(states["accept-all"]) == {"pixel.gif"}
    for state in (*BEFORE_CONSENT, "only-statistik", "gpc-accept-all"):
        assert partner_paths(states[state]) == set(), state
    # The report names the categories as the site does.
    assert states["only-marketing"]["label"] == "Marketing und Werbung only"
    titles = [c["title"] for c in report["consent"]["categories"]]
    assert titles == ["Unbedingt erforderlich", "Statistik", "Marketing und Werbung"]


def test_a_csp_ending_in_a_semicolon_is_read(audits: dict[str, Audit]) -> None:
    report = audits["url"].report()
    (policy,) = report["csp"]["policies"]
    assert policy["policy"].endswith("'none';")
    hosts = {h["host"]: h for h in report["csp"]["hosts"]}
    (partner_host,) = [h for h in hosts if h.startswith(PARTNER_HOST)]
    assert hosts[partner_host]["categories"] == ["statistik", "marketing"]
    assert "img-src" in hosts[partner_host]["directives"]
    assert report["csp"]["note"] is None


def test_an_ungated_pixel_on_the_german_site_fails_its_audit(audits: dict[str, Audit]) -> None:
    code, out, err = audits["pixel"].result()
    assert code == 1, out + err
    assert "Traceback" not in err
    violations = [line for line in out.splitlines() if line.startswith("VIOLATION")]
    for state in BEFORE_CONSENT:
        assert [
            line
            for line in violations
            if line.startswith(f"VIOLATION {state} {OFFERS}: ")
            and PARTNER_HOST in line
            and "beacon" in line
            and "before consent" in line
        ], (state, violations)
    assert all(f" {OFFERS}: " in line for line in violations), violations
    rows = {row["state"]: row for row in audits["pixel"].report()["summary"]}
    assert {s for s, row in rows.items() if row["verdict"] == "fail"} == BEFORE_CONSENT


def test_a_site_without_a_csp_is_audited_and_the_report_says_so(
    audits: dict[str, Audit],
) -> None:
    _, _, err = audits["pixel"].result()
    report = audits["pixel"].report()
    assert [row["state"] for row in report["summary"]] == GERMAN_STATES
    (policy,) = report["csp"]["policies"]
    assert policy["policy"] is None
    assert len(policy["pages"]) == len(report["pages"])
    assert report["csp"]["hosts"] == []
    note = report["csp"]["note"]
    assert note.startswith(f"No Content-Security-Policy on {len(report['pages'])} page(s)")
    assert note in err
    html = (audits["pixel"].out / "report.html").read_text(encoding="utf-8")
    assert "No Content-Security-Policy on" in html


def test_an_address_nothing_answers_at_cannot_be_audited(german: German, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    audit = start(url, german.consent, tmp_path / "out")
    code, out, err = audit.result()
    assert code == 2, out + err
    assert "Traceback" not in err
    assert f"{url} could not be audited" in err
    assert "ERR_CONNECTION_REFUSED" in err


def test_a_failure_inside_a_state_stops_the_audit_with_one_message(
    german: German,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def broken(self: _Runner, page: object, run: _StateRun) -> None:
        raise RuntimeError(f"nothing to click for {run.state.id}")

    monkeypatch.setattr(_Runner, "_choose", broken)
    code = cli.main(
        ["audit", str(german.site), "--consent", str(german.consent), "--out",
         str(tmp_path / "out"), "--host", SITE_HOST, "--settle", SETTLE]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert out == ""
    assert "Traceback" not in err
    assert re.search(
        r"The audit stopped: the state '([a-z-]+)' \([^)]+\) could not run: RuntimeError: "
        r"nothing to click for \1 \(at policy_site/audit/browser\.py:\d+, in run\)\.",
        err,
    ), err
    assert not (tmp_path / "out" / "report.json").exists()
