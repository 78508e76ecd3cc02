"""The mapping of a stored receipt to a DPV consent record (receipts/dpv.py): the record's status
and each purpose's from the choice and the one it replaces, the release it names, and a receipt
whose bundle no release holds (the export, expanded by a JSON-LD processor, is tested in
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

SITE = dpv.Controller("https://www.example.org/", "Example", "mailto:privacy@example.org")
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
    notice = document["@graph"][1]["dpv:hasNotice"][1]
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
