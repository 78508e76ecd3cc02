"""``receipts export --format dpv``: stored receipts as consent records of ISO/IEC TS 27560:2023
in the W3C Data Privacy Vocabulary (DPV 2.x, https://w3id.org/dpv#), one JSON-LD document,
following the DPV guide https://w3id.org/dpv/guides/consent-27560.

Each receipt is one ``dpv:ConsentRecord``: its id (``dct:identifier``), the pseudonymous subject
(the consent cookie's random id), the controller (the site: mkdocs.yml's site_url, site_name and
the plugin's contact), one ``dpv:Process`` per category, and per service where the receipt chose
services one by one, each with its own ``dpv:hasConsentStatus``, the record's status with the
time of the choice, how it was given and by whom, the notices (the policy version and the
SHA-256 of its text; the consent bundle, its hash and its release) and when it was received.

What DPV has no term for is under the project's namespace ``ps:`` (dpv-context.jsonld): a
status of a choice that allows some categories and refuses others, the hashes, the release,
the page, the event (a first choice, or one that changes an earlier one), Global Privacy
Control and the row's place in the hash chain. The context is written
into the document, so that a JSON-LD processor reads it without the network.

Every node the records share has an IRI under the site's address (site_url), so that RDF tools
join them: the record ``{site_url}consent/receipts#<receipt id>``, the data subject
``{site_url}consent/receipts#subject-<subject id>`` (one node per document, which each of its
records names), the consent notice ``{site_url}consent/releases.json#<release id>/<bundle file>``
(the ledger the site publishes) and the privacy notice the address of that policy version's own
page, ``{site_url}privacy/versions/<version>/``. The page is an IRI on the site, the indication
method and the event ``ps:`` terms (``ps:banner``, ``ps:changed``), the language an
``xsd:language``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from policy_site.consent.archive import Release
from policy_site.problems import PolicySiteError, Problem
from policy_site.publishing import RELEASES
from policy_site.receipts.releases import Releases
from policy_site.receipts.store import Row, outcome

__all__ = ["CONTEXT_FILE", "Controller", "context", "controller", "document", "nodes", "record"]

CONTEXT_FILE = "dpv-context.jsonld"
#: The DPV profile of ISO/IEC TS 27560 a record conforms to (the guide's schema version field).
CONFORMS_TO = "https://w3id.org/dpv/schema/dpv-27560#record"
#: A choice that allows some optional categories and refuses others: DPV has no such status.
PARTIAL = "ps:ConsentPartiallyGiven"
#: Where, under the site's address, the records and their subjects are named.
RECORDS = "consent/receipts#"
_NOT_EXPORTED = (
    "Nothing was exported: --format dpv names the data controller by the site's mkdocs.yml "
    "(site_url, site_name, plugins.policy-site.contact)."
)
_STATUS = {"given": "dpv:ConsentGiven", "refused": "dpv:ConsentRefused", "partial": PARTIAL}


@dataclass(frozen=True)
class Controller:
    """The data controller: the site."""

    #: site_url, ending in a slash: every IRI of the export is under it.
    iri: str
    name: str
    #: ``mailto:`` the plugin's contact.
    contact: str
    #: The address of the policy versions' folder (``{site_url}privacy/versions/``).
    versions: str


@functools.cache
def context() -> dict[str, Any]:
    """The JSON-LD context kept beside this module (its ``@context`` value)."""
    text = files(__package__).joinpath(CONTEXT_FILE).read_text("utf-8")
    value: dict[str, Any] = json.loads(text)["@context"]
    return value


def controller(config_file: Path) -> Controller:
    """The site of ``config_file`` as the data controller; raises PolicySiteError naming the key
    to set when mkdocs.yml lacks one."""
    from policy_site.site import read_config

    try:
        config = read_config(config_file)
    except PolicySiteError as err:
        raise PolicySiteError(err.found, note=_NOT_EXPORTED) from None
    needed = {
        "site_url": "the site's address, such as https://www.example.org/: it names the data "
        "controller in receipts export --format dpv",
        "site_name": "the name readers know the site's owner by: receipts export --format dpv "
        "gives it as the data controller's name",
    }
    given = {"site_url": config.site_url, "site_name": config.site_name}
    problems = [
        Problem(config_file, 1, key, f"is not set: set it to {why}.")
        for key, why in needed.items()
        if not given[key]
    ]
    if not config.options.contact:
        problems.append(config.problem("contact", "is not set: set it to the address readers "
                        "write to about their data, such as privacy@example.org: ISO/IEC TS 27560 "
                        "gives the data controller's contact in each consent record."))  # fmt: skip
    if problems:
        raise PolicySiteError(problems, note=_NOT_EXPORTED)
    site = config.site_url.rstrip("/") + "/"
    versions = site + config.settings().archive_url()
    return Controller(site, config.site_name, f"mailto:{config.options.contact}", versions)


def _status(kind: str, time: str | None = None, method: str | None = None,
            subject: str | None = None) -> dict[str, Any]:  # fmt: skip
    status: dict[str, Any] = {"@type": kind}
    if time is not None:
        status |= {"dpv:isIndicatedAtTime": time, "dpv:isIndicatedBy": subject}
    if method is not None:
        status["dpv:hasIndicationMethod"] = f"ps:{method}"
    return status


def _each(
    chosen: Mapping[str, bool] | None, before: Mapping[str, bool] | None
) -> list[tuple[str, str]]:
    """Each id with its status: given, refused, or withdrawn (allowed before, not now)."""
    was = before or {}
    return [
        (key, "dpv:ConsentGiven" if allowed else
              "dpv:ConsentWithdrawn" if was.get(key) else "dpv:ConsentRefused")
        for key, allowed in (chosen or {}).items()
    ]  # fmt: skip


def _iris(row: Row, release: Release, site: Controller) -> tuple[str, str, str]:
    """The IRIs of the receipt's subject, privacy notice and consent notice."""
    return (f"{site.iri}{RECORDS}subject-{row.subject}",
            f"{site.versions}{release.policy_version}/",
            f"{site.iri}{RELEASES}#{release.id}/{row.receipt['bundle']}")  # fmt: skip


def record(row: Row, release: Release, site: Controller) -> dict[str, Any]:
    """One stored receipt as a ``dpv:ConsentRecord``; its subject and notices are named by their
    IRIs (``nodes`` describes them)."""
    r = row.receipt
    kind = "dpv:ConsentWithdrawn" if row.event == "withdrawn" else _STATUS[outcome(r["categories"])]
    if kind == "dpv:ConsentGiven" and not all((r.get("services") or {}).values()):
        kind = PARTIAL  # every category allowed, yet a service of one refused
    processes = [
        {"@type": "dpv:Process", "dpv:hasConsentStatus": _status(status),
         "dpv:hasPurpose": {"@type": "dpv:Purpose", "dct:identifier": category}}
        for category, status in _each(r["categories"], r["previous"])
    ] + [
        {"@type": "dpv:Process", "dpv:hasConsentStatus": _status(status),
         "dpv:hasService": {"@type": "dpv:Service", "dct:identifier": service}}
        for service, status in _each(r.get("services"), r.get("previous_services"))
    ]  # fmt: skip
    subject, privacy, consent = _iris(row, release, site)
    origin = urlsplit(site.iri)
    return {
        "@id": f"{site.iri}{RECORDS}{row.id}",
        "@type": "dpv:ConsentRecord",
        "dct:identifier": row.id,
        "dct:conformsTo": CONFORMS_TO,
        "dct:created": row.received,
        "dpv:hasDataSubject": subject,
        "dpv:hasDataController": site.iri,
        "dpv:hasProcess": processes,
        "dpv:hasConsentStatus": _status(kind, r["time"], r["method"], subject),
        "dpv:hasNotice": [privacy, consent],
        "ps:event": f"ps:{row.event}",
        "ps:gpc": r["gpc"],
        "ps:page": f"{origin.scheme}://{origin.netloc}{r['path']}",
        "ps:seq": row.seq,
        "ps:chainHash": row.hash,
    }


def nodes(row: Row, release: Release, site: Controller) -> list[dict[str, Any]]:
    """The receipt's subject, privacy notice and consent notice, which records share."""
    r = row.receipt
    subject, privacy, consent = _iris(row, release, site)
    bundle = next(sha for path, sha in release.files.items() if path.endswith("/" + r["bundle"]))
    return [
        {"@id": subject, "@type": "dpv:DataSubject", "dct:identifier": row.subject},
        {"@id": privacy, "@type": "dpv:PrivacyNotice", "dct:identifier": release.policy_version,
         "ps:sha256": release.policy_sha256},
        {"@id": consent, "@type": "dpv:ConsentNotice", "dct:identifier": r["bundle"],
         "dct:language": r["language"], "ps:sha256": bundle, "ps:release": release.id,
         "ps:revision": release.revision, "ps:configSha256": release.config_sha256},
    ]  # fmt: skip


def document(
    rows: Iterable[Row], releases: Sequence[Release], site: Controller, ledger: Path
) -> dict[str, Any]:
    """The records of ``rows``, their controller, and once each the subjects and notices they
    name, as one JSON-LD document with its context inline. Raises PolicySiteError when a receipt
    names a bundle no release in ``ledger`` has."""
    known = Releases.of(releases)
    shared: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    for row in rows:
        found = known.release_of(row.receipt, ledger)
        records.append(record(row, found, site))
        for node in nodes(row, found, site):
            shared.setdefault(node["@id"], node)
    owner = {"@id": site.iri, "@type": "dpv:DataController", "dpv:hasName": site.name,
             "dpv:hasContact": site.contact}  # fmt: skip
    return {"@context": context(), "@graph": [owner, *shared.values(), *records]}
