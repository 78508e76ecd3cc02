"""The judgment: what a state's visits did that consent.yml does not allow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policy_site.audit.record import _Request, _StateRun
from policy_site.audit.schema import FindingRow
from policy_site.audit.settings import BEFORE_CHOICE, STORAGE_AREAS
from policy_site.audit.states import Declared

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class _Finding:
    kind: str
    page: str
    subject: str
    message: str


def _lifetime(cookie: Mapping[str, Any], now: float) -> float | None:
    expires = float(cookie.get("expires", -1))
    return None if expires < 0 else round((expires - now) / 86400, 1)


def _judge(run: _StateRun, declared: Declared) -> tuple[list[_Finding], list[_Finding]]:
    """(violations, warnings) of one state."""
    state = run.state
    bad: list[_Finding] = [_Finding(k, p, s, m) for k, p, s, m in run.problems]
    notes: list[_Finding] = []
    recorder = run.recorder

    def judge(kind: str, page: str, subject: str, what: str, cats: list[str]) -> None:
        """Before consent only necessary cookies and storage may appear, and no request to another
        host at all; after a choice, nothing of a category the visitor did not grant; anything
        consent.yml does not name is worth a warning."""
        if state.before_consent or page.startswith(BEFORE_CHOICE):
            if declared.necessary not in cats or kind in ("beacon", "third-party-request"):
                declared_as = f"declared under {', '.join(cats)}" if cats else "not declared"
                bad.append(_Finding(kind, page, subject, f"{what} ({declared_as}) before consent"))
        elif cats and not declared.allowed(cats, state):
            bad.append(
                _Finding(kind, page, subject, f"{what} of {', '.join(cats)}: not consented to")
            )
        if not cats:
            notes.append(_Finding(kind, page, subject, f"{what}: not named in consent.yml"))

    if state.action == "none":
        for visit in run.visits:
            if not visit.banner_visible and visit.load_error is None:
                ended = visit.final_path or visit.path
                notes.append(_Finding("banner", visit.path, "banner", f"no banner (at {ended})"))
    third: dict[tuple[str, str], list[_Request]] = {}
    for request in recorder.requests:
        if not request.first_party:
            third.setdefault((request.page, request.netloc), []).append(request)
    for (page, netloc), found in sorted(third.items()):
        beacons = [r for r in found if r.beacon]
        first = (beacons or found)[0]
        what = (
            f"{len(found)} request(s) to third-party host {netloc}"
            + (f", {len(beacons)} of them beacons" if beacons else "")
            + f" (first: {first.beacon_call or first.resource_type} {first.url})"
        )
        kind = "beacon" if beacons else "third-party-request"
        judge(kind, page, netloc, what, declared.host_categories(netloc))
        # A category chosen per service: a host only another service of it names stays out.
        refused = [] if page.startswith(BEFORE_CHOICE) else declared.refused_services(netloc, state)
        if refused:
            names = ", ".join(f"{s.name} ({s.id})" for s in refused)
            message = f"{what} of {names}, in {state.category}: not consented to"
            bad.append(_Finding(kind, page, netloc, message))
    for (name, domain, path), seen in sorted(run.cookies.items()):
        what = f"cookie {name} (domain {domain}, path {path})"
        judge("cookie", str(seen["first_seen"]), name, what, declared.cookie_categories(name))
    for (area, key), page in sorted(run.storage.items()):
        what = f"{STORAGE_AREAS.get(area, area)} {key!r}"
        judge("storage", page, key, what, declared.storage_categories(key, area))
    for page, text in recorder.console_errors:
        bad.append(_Finding("console-error", page, "console", f"console error: {text}"))
    for page, report in recorder.csp_violations:
        message = (
            f"CSP violation: {report['directive']} blocked {report['blocked']} "
            f"in {report['document']}"
        )
        bad.append(_Finding("csp-violation", page, report["directive"], message))
    return bad, notes


# -- the report ----------------------------------------------------------------------------------


def _finding_json(finding: _Finding) -> FindingRow:
    return FindingRow(
        kind=finding.kind, page=finding.page, subject=finding.subject, message=finding.message
    )


#: Directives whose values are sources (hosts among them); report-uri, report-to, sandbox,
#: trusted-types and the like name other things.
_SOURCE_DIRECTIVES = frozenset({"base-uri", "form-action", "frame-ancestors", "navigate-to"})


def csp_directives(header: str | None) -> list[tuple[str, list[str]]]:
    """The directives of a Content-Security-Policy header as (name, values), in order: several
    policies (one header sent twice reaches the audit joined by ", ") and empty directives
    (``;;``, a trailing ``;``) as the CSP specification reads them. None or blank: no policy."""
    found: list[tuple[str, list[str]]] = []
    for policy in (header or "").split(","):
        for directive in policy.split(";"):
            name, *values = directive.split() or [""]
            if name:
                found.append((name.lower(), values))
    return found


def _csp_hosts(policy: str | None) -> dict[str, list[str]]:
    """Host sources of a CSP -> the directives naming them (none for no CSP)."""
    hosts: dict[str, list[str]] = {}
    for name, sources in csp_directives(policy):
        if not (name.endswith("-src") or name in _SOURCE_DIRECTIVES):
            continue
        for source in sources:
            if source.startswith("'") or source.endswith(":"):
                continue
            hosts.setdefault(source, []).append(name)
    return dict(sorted(hosts.items()))


def csp_source_host(source: str) -> str:
    """The host (and port) of a CSP host source: ``https://ads.example:443/tag.js`` ->
    ``ads.example:443``."""
    return source.split("://", 1)[-1].split("/", 1)[0]


def csp_note(pages: dict[str, list[str]]) -> str | None:
    """What the report says when pages came without a Content-Security-Policy (``pages``: policy
    -> the pages served with it, "" for none), or None when every page had one."""
    bare = sorted(pages.get("", []))
    if not bare:
        return None
    shown = ", ".join(bare[:5]) + (f" and {len(bare) - 5} more" if len(bare) > 5 else "")
    return (
        f"No Content-Security-Policy on {len(bare)} page(s) ({shown}): the browser limits "
        "nothing there, so it reports no CSP violation and the CSP check was skipped on them. "
        "Serve the headers the build wrote (site/_headers) to have the check."
    )
