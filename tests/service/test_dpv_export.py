"""``receipts export --format dpv`` on SQLite and on PostgreSQL: receipts of each status and
method, exported by the real command, expanded by a JSON-LD processor (PyLD) that may fetch
nothing, and each term read back as the IRI and value DPV and the project's context define
(issue 25, point 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyld import jsonld

from policy_site.consent.archive import Release
from policy_site.receipts.opening import open_store
from policy_site.receipts.store import stamp
from policy_site.receipts.validate import evidence, expand
from policy_site.site import read_config
from tests.service.conftest import receipts_cli
from tests.support import ROOT
from tests.unit.test_receipts import CURRENT, NOW, RELEASES, SENT, receipt

DPV = "https://w3id.org/dpv#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PS = "https://policy-site.example/ns/receipts#"
#: The release that asks about services one by one (issue 24).
SERVICES = next(r for r in RELEASES if r.services)
ALL = {"analytics": True, "advertising": True}
NONE = {"analytics": False, "advertising": False}
ONE = {"analytics": True, "advertising": False}


def _of(release: Release) -> dict[str, str]:
    """What a receipt of ``release``'s English bundle carries of it."""
    bundle = next(p for p in release.files if p.rpartition("/")[2].startswith("consent.en."))
    return {"b": bundle.rpartition("/")[2]}


#: Receipt id -> (what is changed in the test's receipt, the release, the record's status, each
#: purpose's or service's status, the method).
CASES: dict[str, tuple[dict[str, Any], Release, str, dict[str, str], str]] = {
    "a000000000000001": ({"r": {"c": ALL}, "m": "b"}, CURRENT, "ConsentGiven",
                         {"analytics": "ConsentGiven", "advertising": "ConsentGiven"}, "banner"),
    "a000000000000002": ({"r": {"c": NONE}, "m": "d"}, CURRENT, "ConsentRefused",
                         {"analytics": "ConsentRefused", "advertising": "ConsentRefused"},
                         "dialog"),
    "a000000000000003": ({"r": {"c": ONE}, "m": "p"}, CURRENT, PS + "ConsentPartiallyGiven",
                         {"analytics": "ConsentGiven", "advertising": "ConsentRefused"},
                         "placeholder"),
    "a000000000000004": ({"r": {"c": NONE}, "o": ONE, "m": "a"}, CURRENT, "ConsentWithdrawn",
                         {"analytics": "ConsentWithdrawn", "advertising": "ConsentRefused"},
                         "api"),
    "a000000000000005": (
        {"r": {"c": ALL, "s": {"google-ads": True, "meta-pixel": False}}, "o": ALL,
         "q": {"google-ads": True, "meta-pixel": True}, "m": "d", **_of(SERVICES)},
        SERVICES, PS + "ConsentPartiallyGiven",
        {"analytics": "ConsentGiven", "advertising": "ConsentGiven",
         "google-ads": "ConsentGiven", "meta-pixel": "ConsentWithdrawn"}, "dialog"),
    "a000000000000006": ({"r": {"c": ONE, "gpc": True}, "m": "g"}, CURRENT,
                         PS + "ConsentPartiallyGiven",
                         {"analytics": "ConsentGiven", "advertising": "ConsentRefused"}, "gpc"),
}  # fmt: skip


def _receipts() -> list[dict[str, Any]]:
    stored = []
    for n, (receipt_id, (change, release, *_)) in enumerate(CASES.items()):
        record = {"id": f"b{n:015x}", "ts": SENT + n, "pv": release.revision} | change["r"]
        sent = receipt(record, i=receipt_id) | {k: v for k, v in change.items() if k != "r"}
        stored.append(evidence(expand(sent), release))
    return stored


def _refuse(url: str, options: object = None) -> Any:
    raise AssertionError(f"the JSON-LD processor asked the network for {url}")


def _value(node: dict[str, Any], iri: str) -> Any:
    (found,) = node[iri]
    return found.get("@value", found.get("@id"))


def _type(node: dict[str, Any]) -> str:
    (kind,) = node["@type"]
    return str(kind).removeprefix(DPV)


def test_records_of_each_status_and_method_expand_to_dpv_terms_offline(db_url: str) -> None:
    store = open_store(db_url)
    stored = _receipts()
    assert store.append(stored, stamp(NOW)) == [True] * len(stored)
    store.close()
    exported = receipts_cli(db_url, "export", "--format", "dpv", "--from", "2026-01-01")
    assert exported.returncode == 0, exported.stderr
    expanded = jsonld.expand(json.loads(exported.stdout), {"documentLoader": _refuse})
    site = read_config(ROOT / "mkdocs.yml")

    (owner,) = [node for node in expanded if node.get("@id") == site.site_url]
    assert _type(owner) == "DataController"
    assert _value(owner, DPV + "hasName") == site.site_name
    assert _value(owner, DPV + "hasContact") == f"mailto:{site.options.contact}"

    records = {_value(n, DCT + "identifier"): n for n in expanded if n is not owner}
    assert sorted(records) == sorted(CASES)
    for sent in stored:
        node = records[sent["id"]]
        _, release, status, each, method = CASES[sent["id"]]
        assert _type(node) == "ConsentRecord"
        assert _value(node, DCT + "conformsTo") == "https://w3id.org/dpv/schema/dpv-27560#record"
        assert node[DCT + "created"] == [{"@type": XSD + "dateTime", "@value": stamp(NOW)}]
        (subject,) = node[DPV + "hasDataSubject"]
        assert (_type(subject), _value(subject, DCT + "identifier")) == (
            "DataSubject", sent["subject"])  # fmt: skip
        assert _value(node, DPV + "hasDataController") == site.site_url

        (given,) = node[DPV + "hasConsentStatus"]
        assert _type(given) == status
        assert given[DPV + "isIndicatedAtTime"] == [
            {"@type": XSD + "dateTime", "@value": sent["time"]}
        ]
        assert _value(given, DPV + "isIndicatedBy") == DPV + "DataSubject"
        assert _value(given, DPV + "hasIndicationMethod") == method == sent["method"]
        assert _value(node, PS + "gpc") is sent["gpc"]

        chosen = {}
        for process in node[DPV + "hasProcess"]:
            assert _type(process) == "Process"
            (what,) = process.get(DPV + "hasPurpose") or process[DPV + "hasService"]
            assert _type(what) == ("Purpose" if DPV + "hasPurpose" in process else "Service")
            (state,) = process[DPV + "hasConsentStatus"]
            chosen[_value(what, DCT + "identifier")] = _type(state)
        assert chosen == each

        notices = {_type(notice): notice for notice in node[DPV + "hasNotice"]}
        assert sorted(notices) == ["ConsentNotice", "PrivacyNotice"]
        policy, bundle = notices["PrivacyNotice"], notices["ConsentNotice"]
        assert _value(policy, DCT + "identifier") == release.policy_version == sent["policy"]
        assert _value(policy, PS + "sha256") == release.policy_sha256 == sent["policy_sha256"]
        assert _value(bundle, DCT + "identifier") == sent["bundle"]
        assert _value(bundle, DCT + "language") == "en"
        (path,) = [p for p in release.files if p.endswith("/" + sent["bundle"])]
        assert _value(bundle, PS + "sha256") == release.files[path]
        assert _value(bundle, PS + "release") == release.id == sent["release"]
        assert _value(bundle, PS + "revision") == release.revision
        assert _value(bundle, PS + "configSha256") == release.config_sha256


def test_export_dpv_without_a_config_says_which_file_and_the_fix(
    db_url: str, tmp_path: Path
) -> None:
    """Run where no mkdocs.yml is (a server holding only the database), then with one that does
    not name the site's address: a message naming the file, the key and the fix; no output."""
    open_store(db_url).close()
    exported = receipts_cli(db_url, "export", "--format", "dpv", "--from", "2026-01-01",
                            cwd=tmp_path)  # fmt: skip
    assert exported.returncode == 2
    assert "mkdocs.yml: no such file" in exported.stderr
    assert "name it with -f PATH/mkdocs.yml" in exported.stderr
    assert "Nothing was exported: --format dpv names the data controller" in exported.stderr
    assert "Traceback" not in exported.stderr
    assert exported.stdout == ""
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Example\nplugins:\n  - policy-site\n", encoding="utf-8"
    )
    exported = receipts_cli(db_url, "export", "--format", "dpv", "--subject", "b000000000000000",
                            cwd=tmp_path)  # fmt: skip
    assert exported.returncode == 2
    assert "mkdocs.yml:1: 'site_url': is not set: set it to the site's address" in exported.stderr
    assert "Traceback" not in exported.stderr
    assert exported.stdout == ""
