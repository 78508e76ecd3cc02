"""``receipts export --format dpv`` on SQLite and on PostgreSQL: receipts of each status and
method, exported by the real command, expanded by a JSON-LD processor (PyLD) that may fetch
nothing, and each term read back as the IRI and value DPV and the project's context define
(issue 25, point 5): the nodes' IRIs, each subject and notice one node that records share, the
typed values and the event; and an export whose reader has gone ends quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
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
    """The receipts of CASES, two by each visitor (so that records share a subject)."""
    stored = []
    for n, (receipt_id, (change, release, *_)) in enumerate(CASES.items()):
        record = {"id": f"b{n // 2:015x}", "ts": SENT + n, "pv": release.revision} | change["r"]
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

    described = {n["@id"]: n for n in expanded if _type(n) != "ConsentRecord"}
    assert len(described) == len(expanded) - len(CASES)  # each subject and notice once
    records = {_value(n, DCT + "identifier"): n for n in expanded if n["@id"] not in described}
    assert sorted(records) == sorted(CASES)
    for sent in stored:
        node = records[sent["id"]]
        _, release, status, each, method = CASES[sent["id"]]
        assert _type(node) == "ConsentRecord"
        assert node["@id"] == f"{site.site_url}consent/receipts#{sent['id']}"
        assert _value(node, DCT + "conformsTo") == "https://w3id.org/dpv/schema/dpv-27560#record"
        assert node[DCT + "created"] == [{"@type": XSD + "dateTime", "@value": stamp(NOW)}]
        subject = _value(node, DPV + "hasDataSubject")
        assert subject == f"{site.site_url}consent/receipts#subject-{sent['subject']}"
        assert (_type(described[subject]), _value(described[subject], DCT + "identifier")) == (
            "DataSubject", sent["subject"])  # fmt: skip
        assert _value(node, DPV + "hasDataController") == site.site_url

        (given,) = node[DPV + "hasConsentStatus"]
        assert _type(given) == status
        assert given[DPV + "isIndicatedAtTime"] == [
            {"@type": XSD + "dateTime", "@value": sent["time"]}
        ]
        assert _value(given, DPV + "isIndicatedBy") == subject
        assert _value(given, DPV + "hasIndicationMethod") == PS + method == PS + sent["method"]
        assert _value(node, PS + "event") == PS + sent["event"]
        assert _value(node, PS + "gpc") is sent["gpc"]
        assert node[PS + "page"] == [{"@id": site.site_url + sent["path"].removeprefix("/")}]

        chosen = {}
        for process in node[DPV + "hasProcess"]:
            assert _type(process) == "Process"
            (what,) = process.get(DPV + "hasPurpose") or process[DPV + "hasService"]
            assert _type(what) == ("Purpose" if DPV + "hasPurpose" in process else "Service")
            (state,) = process[DPV + "hasConsentStatus"]
            chosen[_value(what, DCT + "identifier")] = _type(state)
        assert chosen == each

        named = [_value({"n": [notice]}, "n") for notice in node[DPV + "hasNotice"]]
        assert named == [
            site.site_url + site.settings().version_url(release.policy_version),
            f"{site.site_url}consent/releases.json#{release.id}/{sent['bundle']}",
        ]
        policy, bundle = (described[iri] for iri in named)
        assert (_type(policy), _type(bundle)) == ("PrivacyNotice", "ConsentNotice")
        assert _value(policy, DCT + "identifier") == release.policy_version == sent["policy"]
        assert _value(policy, PS + "sha256") == release.policy_sha256 == sent["policy_sha256"]
        assert _value(bundle, DCT + "identifier") == sent["bundle"]
        assert bundle[DCT + "language"] == [{"@type": XSD + "language", "@value": "en"}]
        (path,) = [p for p in release.files if p.endswith("/" + sent["bundle"])]
        assert _value(bundle, PS + "sha256") == release.files[path]
        assert _value(bundle, PS + "release") == release.id == sent["release"]
        assert _value(bundle, PS + "revision") == release.revision
        assert _value(bundle, PS + "configSha256") == release.config_sha256
    # The join: each visitor's one subject node is the subject of both of its records.
    subjects = [_value(record, DPV + "hasDataSubject") for record in records.values()]
    assert sorted(subjects.count(subject) for subject in set(subjects)) == [2, 2, 2]


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
    assert "mkdocs.yml:1: 'plugins.policy-site.contact': is not set: set it to" in exported.stderr
    assert "Traceback" not in exported.stderr
    assert exported.stdout == ""


@pytest.mark.parametrize("command", [["export", "--format", "dpv", "--from", "2026-01-01"],
                                     ["stats"]])  # fmt: skip
def test_output_whose_reader_has_gone_ends_quietly(db_url: str, command: list[str]) -> None:
    """``policy-site receipts export ... | head``, once head has exited: the pipe has no reader
    left. The export writes its document at once, inside the command; stats' lines wait in the
    buffer until the command line flushes it. Either ends with no message and the status a
    shell gives a command that SIGPIPE ended."""
    store = open_store(db_url)
    store.append(_receipts(), stamp(NOW))
    store.close()
    read, write = os.pipe()
    os.close(read)  # the reader has gone before a byte was written
    try:
        ended = subprocess.run(
            [sys.executable, "-m", "policy_site.cli", "receipts", "--db", db_url, *command],
            stdout=write, stderr=subprocess.PIPE, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert (ended.returncode, ended.stderr) == (141, "")
