"""The report's data: each state as JSON-ready data, and the Report an audit returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_site.audit.record import _Site, _StateRun
from policy_site.audit.rules import _Finding, _finding_json, _lifetime
from policy_site.audit.schema import (
    BeaconRow,
    ConsoleRow,
    CookieRow,
    CspViolationRow,
    HostRow,
    PageRow,
    ReportData,
    StateDetails,
    StorageRow,
    SummaryRow,
)
from policy_site.audit.states import Declared


def _state_json(
    run: _StateRun,
    site: _Site,
    declared: Declared,
    now: float,
    bad: list[_Finding],
    notes: list[_Finding],
) -> tuple[StateDetails, SummaryRow]:
    """(the state's details, its summary row)."""
    recorder = run.recorder
    requests = recorder.requests
    hosts: dict[str, dict[str, Any]] = {}
    for request in requests:
        key = site.host if request.first_party else request.netloc
        entry = hosts.setdefault(
            key,
            {
                "host": key,
                "party": "first" if request.first_party else "third",
                "categories": [] if request.first_party else declared.host_categories(key),
                "requests": 0,
                "failed": 0,
                "types": {},
                "pages": set(),
                "urls": set(),
            },
        )
        entry["requests"] += 1
        entry["failed"] += request.failure is not None
        entry["types"][request.resource_type] = entry["types"].get(request.resource_type, 0) + 1
        entry["pages"].add(request.page)
        entry["urls"].add(request.url)
    host_list = [
        HostRow(
            host=e["host"],
            party=e["party"],
            categories=e["categories"],
            requests=e["requests"],
            failed=e["failed"],
            types=dict(sorted(e["types"].items())),
            pages=sorted(e["pages"]),
            urls=sorted(e["urls"]),
        )
        for _, e in sorted(hosts.items(), key=lambda item: (item[1]["party"], item[0]))
    ]
    cookies: list[CookieRow] = []
    for (name, domain, path), seen in sorted(run.cookies.items()):
        cookie = seen["cookie"]
        cookies.append(
            CookieRow(
                name=name,
                domain=domain,
                path=path,
                lifetime_days=_lifetime(cookie, now),
                secure=bool(cookie.get("secure")),
                http_only=bool(cookie.get("httpOnly")),
                same_site=cookie.get("sameSite"),
                categories=declared.cookie_categories(name),
                first_seen=seen["first_seen"],
            )
        )
    storage = [
        StorageRow(
            area=area, key=key, categories=declared.storage_categories(key, area), first_seen=p
        )
        for (area, key), p in sorted(run.storage.items())
    ]
    beacons = [
        BeaconRow(page=r.page, host=r.netloc, type=r.beacon_call or r.resource_type, url=r.url)
        for r in requests
        if r.beacon
    ]
    pages: list[PageRow] = []
    for visit in run.visits:
        mine = [r for r in requests if r.page == visit.path]
        pages.append(
            PageRow(
                path=visit.path,
                final_path=visit.final_path,
                status=visit.status,
                load_error=visit.load_error,
                banner_visible=visit.banner_visible,
                first_party_requests=sum(r.first_party for r in mine),
                third_party_requests=sum(not r.first_party for r in mine),
                third_party_hosts=sorted({r.netloc for r in mine if not r.first_party}),
                beacons=sum(r.beacon for r in mine),
                cookies_set=sorted(visit.cookies_set),
                storage_keys=sorted(visit.storage_keys),
                console_errors=sum(p == visit.path for p, _ in recorder.console_errors),
                csp_violations=sum(p == visit.path for p, _ in recorder.csp_violations),
            )
        )
    console = [ConsoleRow(page=p, text=t) for p, t in recorder.console_errors]
    csp = [
        CspViolationRow(page=p, directive=r["directive"], blocked=r["blocked"],
                        sample=r["sample"], document=r["document"])
        for p, r in recorder.csp_violations
    ]  # fmt: skip
    verdict = "fail" if bad else "pass"
    state = run.state
    details = StateDetails(
        id=state.id,
        label=state.label,
        gpc=state.gpc,
        granted=sorted(state.granted),
        service=state.service,
        before_consent=state.before_consent,
        choice=run.choice,
        consent_record=run.record,
        verdict=verdict,
        violations=[_finding_json(f) for f in bad],
        warnings=[_finding_json(f) for f in notes],
        requests=host_list,
        cookies=cookies,
        storage=storage,
        beacons=beacons,
        console_errors=console,
        csp_violations=csp,
        pages=pages,
    )
    summary = SummaryRow(
        state=state.id,
        label=state.label,
        pages=len(run.visits),
        first_party_requests=sum(r.first_party for r in requests),
        third_party_requests=sum(not r.first_party for r in requests),
        third_party_hosts=sorted({r.netloc for r in requests if not r.first_party}),
        cookies=len(cookies),
        storage_keys=len(storage),
        beacons=len(beacons),
        console_errors=len(console),
        csp_violations=len(csp),
        violations=len(bad),
        warnings=len(notes),
        verdict=verdict,
    )
    return details, summary


def _as_of(given: str | None, environ: Mapping[str, str]) -> str | None:
    if given:
        return given
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


@dataclass(frozen=True)
class Report:
    """The audit's outcome: the report's data, the violations as printed, where it was written."""

    data: ReportData
    violations: list[str]
    json_path: Path
    html_path: Path

    @property
    def exit_code(self) -> int:
        return 1 if self.violations else 0
