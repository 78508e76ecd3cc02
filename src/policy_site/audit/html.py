"""audit/report.html: self-contained, no script, rendered by an autoescaping template
(report.html.j2) from the report's data, so that every recorded string is text."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from policy_site.audit.schema import (
    ConsentRelease,
    DeclaredService,
    ReportData,
    StateDetails,
    SummaryRow,
)

__all__ = ["Table", "render_html"]

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 78rem; padding: 0 1rem;
  color: #1b1b1b; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { white-space: pre-wrap; word-break: break-all; background: #f5f5f5; padding: .5rem; }
.pass { color: #075e07; font-weight: 600; }
.fail { color: #a00000; font-weight: 600; }
.shots img { max-width: 100%; border: 1px solid #999; }
figure { margin: 0 0 1.5rem; }
"""

_CAPTIONS = {
    "banner": "The banner, on a first visit",
    "dialog": "The dialog, after \u201cManage choices\u201d",
    "banner-gpc": "The banner with Global Privacy Control on",
}
_SUMMARY = (
    "state", "pages", "first-party requests", "third-party requests", "third-party hosts",
    "cookies", "storage keys", "beacons", "console errors", "CSP violations", "violations",
    "warnings", "verdict",
)  # fmt: skip


@dataclass(frozen=True)
class Table:
    """A table of the report: its headers, its rows as text, and which columns are numbers."""

    headers: Sequence[str]
    rows: list[list[str]]
    numeric: frozenset[int] = field(default_factory=frozenset)


def _release(release: ConsentRelease | None) -> str:
    """The release the pages loaded, as the fact list shows it (every hash: the JSON has them)."""
    if release is None:
        return "not on record (the site publishes no /consent/releases.json with these files)"
    files = "; ".join(f"{path} {digest}" for path, digest in release["files"].items())
    return (
        f"{release['id']}, revision {release['revision']}, recorded {release['published']}; "
        f"consent.yml SHA-256 {release['config_sha256']}; policy {release['policy_version']} "
        f"SHA-256 {release['policy_sha256']}; files: {files}"
    )


def _service(service: DeclaredService) -> str:
    """A service as the consent summary names it: ``Google Ads (google-ads): host, host``."""
    named = f" ({service['id']})" if service["id"] else ""
    return f"{service['name']}{named}: {', '.join(service['hosts']) or 'no host'}"


def _text(value: Any) -> str:
    """A recorded value as the report shows it (the template escapes it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: set[int]) -> Table:
    return Table(headers, [[_text(cell) for cell in row] for row in rows], frozenset(numeric))


@functools.cache
def _template() -> Template:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def _summary_cells(row: SummaryRow) -> list[Any]:
    """A state's summary row, in the columns of _SUMMARY after "state" and before "verdict"."""
    return [
        row["pages"], row["first_party_requests"], row["third_party_requests"],
        row["third_party_hosts"], row["cookies"], row["storage_keys"], row["beacons"],
        row["console_errors"], row["csp_violations"], row["violations"], row["warnings"],
    ]  # fmt: skip


def render_html(data: ReportData) -> str:
    """The readable report: self-contained, no script, every recorded string escaped."""
    facts = [
        ("Site", data["target"]["given"]),
        ("Mode", data["target"]["mode"]),
        ("Served as", data["target"]["origin"]),
        ("Pages", len(data["pages"])),
        ("Browser", data["browser"]),
        ("Consent file", data["consent"]["file"]),
        ("Choices made on", data["consent"]["choice_page"]),
        ("Consent files", data["release"]["consent_files"]),
        ("Policy version", data["release"]["policy_version"]),
        ("Consent release", _release(data["release"]["consent_release"])),
        ("Audited as of", data["as_of"] or "not given (--as-of or SOURCE_DATE_EPOCH)"),
    ]
    summary = [
        {
            "id": row["state"],
            "label": row["label"],
            "cells": [_text(cell) for cell in _summary_cells(row)],
            "verdict": row["verdict"],
        }
        for row in data["summary"]
    ]
    state_ids = [s["id"] for s in data["states"]]
    cookies = _table(
        ["name", "domain", "path", "declared under", *state_ids],
        [
            [c["name"], c["domain"], c["path"], c["categories"] or "not declared"]
            + ["yes" if s in c["states"] else "" for s in state_ids]
            for c in data["cookies"]
        ],
        set(),
    )
    csp = data["csp"]
    declared = _table(
        [
            "category",
            "refused by GPC",
            "chosen per service",
            "services (id): hosts",
            "cookies",
            "storage keys",
            "IndexedDB",
            "caches",
            "hosts",
        ],
        [
            [
                c["id"],
                c["gpc"],
                c["per_service"],
                "; ".join(_service(s) for s in c["services"]),
                c["cookies"],
                c["storage"],
                c.get("indexeddb", []),
                c.get("caches", []),
                c["hosts"],
            ]
            for c in data["consent"]["categories"]
        ],
        set(),
    )
    view = {
        "css": _CSS,
        "title": _text(data["target"]["given"]),
        "report_verdict": data["verdict"],
        "facts": [(name, _text(value)) for name, value in facts],
        "summary": {"headers": _SUMMARY, "rows": summary},
        "violations": [_text(v) for v in data["violations"]],
        "screenshots": [
            {"file": shot["file"], "page": shot["page"], "caption": _CAPTIONS.get(name, name)}
            for name, shot in data["screenshots"].items()
        ],
        "cookies": cookies,
        "csp_policies": [
            {"pages": _text(p["pages"]), "policy": p["policy"] or "(none)"} for p in csp["policies"]
        ],
        "csp_note": csp.get("note"),
        "csp_hosts": _table(
            ["host", "directives", "declared under"],
            [[h["host"], h["directives"], h["categories"] or "not declared"] for h in csp["hosts"]],
            set(),
        ),
        "declared": declared,
        "states": [_state(state) for state in data["states"]],
    }
    return _template().render(view)


def _state(state: StateDetails) -> dict[str, Any]:
    """One state's section of the report."""
    choice = state["choice"]
    findings = [
        (title, [{"page": _text(f["page"]), "message": _text(f["message"])} for f in found])
        for title, found in (("Violations", state["violations"]), ("Warnings", state["warnings"]))
        if found
    ]
    requests = _table(
        ["host", "party", "declared under", "requests", "failed", "types", "pages", "URLs"],
        [
            [
                h["host"],
                h["party"],
                h["categories"],
                h["requests"],
                h["failed"],
                [f"{t} {n}" for t, n in h["types"].items()],
                h["pages"],
                h["urls"] if h["party"] == "third" else f"{len(h['urls'])} URLs",
            ]
            for h in state["requests"]
        ],
        {3, 4},
    )
    cookies = _table(
        [
            "name",
            "domain",
            "path",
            "lifetime (days)",
            "secure",
            "HttpOnly",
            "SameSite",
            "declared under",
            "first seen on",
        ],
        [
            [
                c["name"],
                c["domain"],
                c["path"],
                "session" if c["lifetime_days"] is None else c["lifetime_days"],
                c["secure"],
                c["http_only"],
                c["same_site"],
                c["categories"] or "not declared",
                c["first_seen"],
            ]
            for c in state["cookies"]
        ],
        {3},
    )
    storage = _table(
        ["area", "key or name", "declared under", "first seen on"],
        [
            [s["area"], s["key"], s["categories"] or "not declared", s["first_seen"]]
            for s in state["storage"]
        ],
        set(),
    )
    beacons = _table(
        ["page", "host", "type", "URL"],
        [[b["page"], b["host"], b["type"], b["url"]] for b in state["beacons"]],
        set(),
    )
    errors = _table(
        ["page", "text"], [[c["page"], c["text"]] for c in state["console_errors"]], set()
    )
    csp = _table(
        ["page", "directive", "blocked", "document", "sample"],
        [
            [c["page"], c["directive"], c["blocked"], c["document"], c["sample"]]
            for c in state["csp_violations"]
        ],
        set(),
    )
    pages = _table(
        [
            "page",
            "ended at",
            "status",
            "banner",
            "first-party",
            "third-party",
            "beacons",
            "cookies set",
            "storage keys",
            "errors",
            "CSP",
        ],
        [
            [
                p["path"],
                p["final_path"],
                p["status"] or p["load_error"],
                p["banner_visible"],
                p["first_party_requests"],
                p["third_party_requests"],
                p["beacons"],
                p["cookies_set"],
                p["storage_keys"],
                p["console_errors"],
                p["csp_violations"],
            ]
            for p in state["pages"]
        ],
        {4, 5, 6, 9, 10},
    )
    return {
        "id": state["id"],
        "label": state["label"],
        "verdict": state["verdict"],
        "granted": _text(state["granted"] or "nothing optional")
        + (f" (of its services, {state['service']} alone)" if state["service"] else ""),
        "gpc": _text(state["gpc"]),
        "choice": {"page": _text(choice["page"]), "clicked": _text(choice["clicked"])}
        if choice
        else None,
        "record": json.dumps(state["consent_record"], sort_keys=True)
        if state["consent_record"]
        else None,
        "findings": findings,
        "tables": [
            ("Requests by host", requests),
            ("Cookies", cookies),
            ("Storage keys, IndexedDB databases and caches", storage),
            ("Beacons", beacons),
            ("Console errors", errors),
            ("CSP violations", csp),
            ("Pages", pages),
        ],
    }
