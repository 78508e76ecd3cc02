"""The mapping of a stored receipt to a DPV consent record (receipts/dpv.py): the record's status
and each purpose's from the choice and the one it replaces, the release it names, and a receipt
whose bundle no release holds, the IRIs that join records, the typed values, the event and the
controller's contact (the export, expanded by a JSON-LD processor, is tested in
tests/service/test_dpv_export.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from policy_site.problems import PolicySiteError
from policy_site.receipts import dpv
from policy_site.receipts.store import Row, canonical, outcome
from policy_site.receipts.validate import evidence, expand
from tests.unit.test_receipts import CURRENT, RELEASES, receipt

SITE = dpv.Controller(
    "https://www.example.org/",
    "Example",
    "mailto:privacy@example.org",
    "https://www.example.org/privacy/versions/",
)
LEDGER = Path("consent/published/releases.json")


def _row(stored: dict[str, Any]) -> Row:
    received, body = "2026-12-02T12:00:00.000000Z", canonical(stored)
    return Row(1, stored["id"], received, stored["subject"], stored["event"],
               outcome(stored["categories"]), body, "0" * 64, "f" * 64)  # fmt: skip


def _record(change: dict[str, Any] | None = None, previous: dict[str, bool] | None = None) -> Any:
    stored = evidence(expand(receipt(change, o=previous)), CURRENT)
    return dpv.record(_row(stored), CURRENT, SITE)


def _states(record: dict[str, Any]) -> dict[str, str]:
    return {
        process["dpv:hasPurpose"]["dct:identifier"]: process["dpv:hasConsentStatus"]["@type"]
        for process in record["dpv:hasProcess"]
    }


@pytest.mark.parametrize(
    ("choice", "previous", "status", "states"),
    [
        ({"analytics": True, "advertising": True}, None, "dpv:ConsentGiven",
         ("dpv:ConsentGiven", "dpv:ConsentGiven")),
        ({"analytics": False, "advertising": False}, None, "dpv:ConsentRefused",
         ("dpv:ConsentRefused", "dpv:ConsentRefused")),
        ({"analytics": True, "advertising": False}, None, "ps:ConsentPartiallyGiven",
         ("dpv:ConsentGiven", "dpv:ConsentRefused")),
        # A change that turns one category off: the record is partial, that purpose withdrawn.
        ({"analytics": True, "advertising": False}, {"analytics": True, "advertising": True},
         "ps:ConsentPartiallyGiven", ("dpv:ConsentGiven", "dpv:ConsentWithdrawn")),
        ({"analytics": False, "advertising": False}, {"analytics": False, "advertising": True},
         "dpv:ConsentWithdrawn", ("dpv:ConsentRefused", "dpv:ConsentWithdrawn")),
    ],
)  # fmt: skip
def test_the_record_and_each_purpose_have_the_status_of_the_choice(
    choice: dict[str, bool],
    previous: dict[str, bool] | None,
    status: str,
    states: tuple[str, str],
) -> None:
    record = _record({"c": choice}, previous)
    assert record["dpv:hasConsentStatus"]["@type"] == status
    assert _states(record) == dict(zip(["analytics", "advertising"], states, strict=True))


def test_a_record_uses_only_dpv_dct_and_the_projects_terms() -> None:
    """Nothing in dpv: that DPV does not define is the rule; what DPV lacks is ps: (the context
    says where each prefix points)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            found.update(key for key in value if not key.startswith("@"))
            found.update([value["@type"]] if "@type" in value else [])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    document = dpv.document([_row(evidence(expand(receipt()), CURRENT))], RELEASES, SITE, LEDGER)
    walk(document["@graph"])
    assert {term.partition(":")[0] for term in found} == {"dpv", "dct", "ps"}
    prefixes = {key.partition(":")[0] for key in dpv.context() if not key.startswith("@")}
    assert prefixes <= {"dpv", "dct", "ps", "xsd"}
    assert dpv.context()["dpv"] == "https://w3id.org/dpv#"


def test_the_release_the_receiver_matched_is_the_one_named() -> None:
    """Two releases may hold the same bundle file: the record names the one the receipt was
    stored with, not merely the first that holds the file."""
    twin = dataclasses.replace(CURRENT, id="0123456789ab", config_sha256="c" * 64)
    stored = evidence(expand(receipt()), twin)
    document = dpv.document([_row(stored)], [CURRENT, twin], SITE, LEDGER)
    (notice,) = [n for n in document["@graph"] if n["@type"] == "dpv:ConsentNotice"]
    assert notice["@id"].startswith(f"https://www.example.org/consent/releases.json#{twin.id}/")
    assert (notice["ps:release"], notice["ps:configSha256"]) == (twin.id, "c" * 64)


@pytest.mark.parametrize("release", [None, CURRENT.id])
def test_a_receipt_whose_bundle_no_release_holds_names_the_ledger_and_the_fix(
    release: str | None,
) -> None:
    """A bundle no release holds, or one the release the receipt was stored with does not."""
    stored = expand(receipt(b="consent.en.000000000000.js")) | {"release": release}
    with pytest.raises(PolicySiteError) as caught:
        dpv.document([_row(stored)], RELEASES, SITE, LEDGER)
    assert str(caught.value) == (
        f"{LEDGER}: no release holds consent.en.000000000000.js, which receipt "
        f"{stored['id']} names: give the site's own ledger with --releases PATH/releases.json"
    )


def test_records_name_the_site_subject_and_notices_by_iris_under_the_site_url() -> None:
    """Point 1: nodes with IRIs (the scheme of the module's docstring), the status indicated by
    this record's subject, not by the class DataSubject."""
    stored = evidence(expand(receipt()), CURRENT)
    record = dpv.record(_row(stored), CURRENT, SITE)
    subject = "https://www.example.org/consent/receipts#subject-fedcba9876543210"
    assert record["@id"] == "https://www.example.org/consent/receipts#0123456789abcdef"
    assert record["dpv:hasDataSubject"] == record["dpv:hasConsentStatus"]["dpv:isIndicatedBy"]
    assert record["dpv:hasDataSubject"] == subject
    assert record["dpv:hasNotice"] == [
        f"https://www.example.org/privacy/versions/{CURRENT.policy_version}/",
        f"https://www.example.org/consent/releases.json#{CURRENT.id}/{stored['bundle']}",
    ]
    assert [node["@id"] for node in dpv.nodes(_row(stored), CURRENT, SITE)] == [
        subject,
        *record["dpv:hasNotice"],
    ]


def test_one_subject_and_one_notice_are_one_node_each_that_every_record_names() -> None:
    """Point 1: three receipts of one visitor under one release: the subject and each notice are
    described once in the graph and referenced by each record."""
    rows = [_row(evidence(expand(receipt({"ts": 1_796_212_798_123 + n}, i=f"{n:016x}")), CURRENT))
            for n in range(3)]  # fmt: skip
    graph = dpv.document(rows, RELEASES, SITE, LEDGER)["@graph"]
    records = [node for node in graph if node["@type"] == "dpv:ConsentRecord"]
    described = [node["@id"] for node in graph if node["@type"] != "dpv:ConsentRecord"]
    assert len(records) == 3
    assert len(described) == len(set(described)) == 4
    assert {record["dpv:hasDataSubject"] for record in records} == {described[1]}
    assert {tuple(record["dpv:hasNotice"]) for record in records} == {tuple(described[2:])}
    assert {record["@id"] for record in records} == {
        f"https://www.example.org/consent/receipts#{n:016x}" for n in range(3)
    }


def test_the_method_page_and_language_are_typed_values_not_strings() -> None:
    """Point 2: the method a ps: term of @vocab type, the page an IRI on the site, the
    language an xsd:language."""
    stored = evidence(expand(receipt(m="d", p="/sv/privacy/")), CURRENT)
    record = dpv.record(_row(stored), CURRENT, SITE)
    assert record["dpv:hasConsentStatus"]["dpv:hasIndicationMethod"] == "ps:dialog"
    assert record["ps:page"] == "https://www.example.org/sv/privacy/"
    typed = dpv.context()
    assert typed["dpv:hasIndicationMethod"] == typed["ps:event"] == {"@type": "@vocab"}
    assert typed["ps:page"] == typed["dpv:hasDataSubject"] == {"@type": "@id"}
    assert typed["dct:language"] == {"@type": "xsd:language"}


@pytest.mark.parametrize(
    ("previous", "choice", "event"),
    [(None, {"analytics": True, "advertising": True}, "ps:given"),
     (None, {"analytics": False, "advertising": False}, "ps:refused"),
     ({"analytics": False, "advertising": False}, {"analytics": True, "advertising": True},
      "ps:changed"),
     ({"analytics": True, "advertising": True}, {"analytics": False, "advertising": False},
      "ps:withdrawn")],
)  # fmt: skip
def test_the_record_says_whether_the_choice_was_a_first_one_or_changed_one(
    previous: dict[str, bool] | None, choice: dict[str, bool], event: str
) -> None:
    """Point 3: a changed choice that gives every category is ConsentGiven like a first one;
    ps:event tells them apart."""
    assert _record({"c": choice}, previous)["ps:event"] == event


def test_a_site_without_a_contact_exports_nothing_and_says_the_key_and_fix(
    tmp_path: Path,
) -> None:
    """Point 4: ISO/IEC TS 27560 gives the controller's contact: no contact is refused, as no
    site_url is."""
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Example\nsite_url: https://www.example.org/\n"
                      "plugins:\n  - policy-site\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(PolicySiteError) as caught:
        dpv.controller(config)
    assert str(caught.value.found[0]) == (
        f"{config}:1: 'plugins.policy-site.contact': is not set: set it to the address readers "
        "write to about their data, such as privacy@example.org: ISO/IEC TS 27560 gives the data "
        "controller's contact in each consent record."
    )
    assert "Nothing was exported" in str(caught.value.note)
