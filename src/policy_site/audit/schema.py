"""The report's schema (report.json, format 1), as types: mypy checks every key the audit writes
and every key report.html and the command line read. The JSON is these dicts as they are."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "BeaconRow",
    "Choice",
    "ConsoleRow",
    "CookieRow",
    "CspViolationRow",
    "DeclaredService",
    "FindingRow",
    "HostRow",
    "InventoryRow",
    "PageRow",
    "ReportData",
    "Screenshot",
    "StateDetails",
    "StorageRow",
    "SummaryRow",
]


class FindingRow(TypedDict):
    kind: str
    page: str
    subject: str
    message: str


class HostRow(TypedDict):
    """The requests of one state to one host (every first-party host counts as the site's)."""

    host: str
    party: str  # "first" or "third"
    categories: list[str]
    requests: int
    failed: int
    types: dict[str, int]
    pages: list[str]
    urls: list[str]


class CookieRow(TypedDict):
    name: str
    domain: str
    path: str
    lifetime_days: float | None  # None: a session cookie
    secure: bool
    http_only: bool
    same_site: str | None
    categories: list[str]
    first_seen: str


class StorageRow(TypedDict):
    area: str
    key: str
    categories: list[str]
    first_seen: str


class BeaconRow(TypedDict):
    page: str
    host: str
    type: str
    url: str


class ConsoleRow(TypedDict):
    page: str
    text: str


class CspViolationRow(TypedDict):
    page: str
    directive: str
    blocked: str
    sample: str
    document: str


class PageRow(TypedDict):
    path: str
    final_path: str
    status: int | None
    load_error: str | None
    banner_visible: bool
    first_party_requests: int
    third_party_requests: int
    third_party_hosts: list[str]
    beacons: int
    cookies_set: list[str]
    storage_keys: list[str]
    console_errors: int
    csp_violations: int


class Choice(TypedDict):
    page: str
    #: The buttons and switches clicked, in order.
    clicked: list[str]


class StateDetails(TypedDict):
    id: str
    label: str
    gpc: bool
    granted: list[str]
    #: The one service chosen alone in its category (a category chosen per service), or None.
    service: str | None
    before_consent: bool
    choice: Choice | None
    #: The consent cookie's record as the page's script read it.
    consent_record: dict[str, Any] | None
    verdict: str
    violations: list[FindingRow]
    warnings: list[FindingRow]
    requests: list[HostRow]
    cookies: list[CookieRow]
    storage: list[StorageRow]
    beacons: list[BeaconRow]
    console_errors: list[ConsoleRow]
    csp_violations: list[CspViolationRow]
    pages: list[PageRow]


class SummaryRow(TypedDict):
    state: str
    label: str
    pages: int
    first_party_requests: int
    third_party_requests: int
    third_party_hosts: list[str]
    cookies: int
    storage_keys: int
    beacons: int
    console_errors: int
    csp_violations: int
    violations: int
    warnings: int
    verdict: str


class Target(TypedDict):
    mode: str
    given: str
    origin: str


class DeclaredService(TypedDict):
    id: str | None
    name: str
    hosts: list[str]


class DeclaredCategory(TypedDict):
    id: str
    title: str
    gpc: bool
    #: Chosen service by service (two or more services): the audit visits each alone.
    per_service: bool
    services: list[DeclaredService]
    cookies: list[str | None]
    storage: list[str | None]
    indexeddb: list[str | None]
    caches: list[str | None]
    hosts: list[str]


class ConsentPart(TypedDict):
    file: str
    categories: list[DeclaredCategory]
    choice_page: str | None


class ConsentRelease(TypedDict):
    """The site's record of the bundle its pages loaded (/consent/releases.json)."""

    id: str
    published: str
    revision: str
    policy_version: str
    policy_sha256: str
    config_sha256: str
    files: dict[str, str]


class Release(TypedDict):
    consent_files: list[str]
    policy_version: str | None
    #: The release in the site's /consent/releases.json whose files the pages loaded; None when
    #: the site publishes no ledger, or none of its releases has those files.
    consent_release: ConsentRelease | None


class CspPolicy(TypedDict):
    policy: str | None
    pages: list[str]


class CspHost(TypedDict):
    host: str
    directives: list[str]
    categories: list[str]


class CspPart(TypedDict):
    policies: list[CspPolicy]
    hosts: list[CspHost]
    #: Why the CSP check covered less than every page (some had no policy), or None.
    note: str | None


class Screenshot(TypedDict):
    file: str
    page: str


class InventoryRow(TypedDict):
    """A cookie seen in any state, and the states it was seen in."""

    name: str
    domain: str
    path: str
    categories: list[str]
    states: list[str]


class ReportData(TypedDict):
    report: str
    format: int
    as_of: str | None
    verdict: str
    target: Target
    browser: str
    consent: ConsentPart
    pages: list[str]
    release: Release
    csp: CspPart
    screenshots: dict[str, Screenshot]
    summary: list[SummaryRow]
    cookies: list[InventoryRow]
    violations: list[str]
    states: list[StateDetails]
