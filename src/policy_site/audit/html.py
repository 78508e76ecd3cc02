"""audit/report.html: self-contained, no script; every recorded string escaped."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


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


def _e(value: Any) -> str:
    """Any recorded value, HTML-escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_e(v) for v in value)
    return html.escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: set[int]) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{_e(cell)}</td>' if i in numeric else f"<td>{_e(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict(verdict: str) -> str:
    return f'<span class="{_e(verdict)}">{_e(verdict.upper())}</span>'


def render_html(data: Mapping[str, Any]) -> str:
    """The readable report: self-contained, no script, every recorded string escaped."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        "<title>Consent audit: " + _e(data["target"]["given"]) + "</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>Consent audit: {_verdict(data['verdict'])}</h1>",
        "<table><tbody>",
        *(
            f'<tr><th scope="row">{_e(name)}</th><td>{_e(value)}</td></tr>'
            for name, value in (
                ("Site", data["target"]["given"]),
                ("Mode", data["target"]["mode"]),
                ("Served as", data["target"]["origin"]),
                ("Pages", len(data["pages"])),
                ("Browser", data["browser"]),
                ("Consent file", data["consent"]["file"]),
                ("Choices made on", data["consent"]["choice_page"]),
                ("Consent files", data["release"]["consent_files"]),
                ("Policy version", data["release"]["policy_version"]),
                ("Audited as of", data["as_of"] or "not given (--as-of or SOURCE_DATE_EPOCH)"),
            )
        ),
        "</tbody></table>",
        '<h2 id="summary">Summary</h2>',
    ]
    columns = [
        "state",
        "pages",
        "first-party requests",
        "third-party requests",
        "third-party hosts",
        "cookies",
        "storage keys",
        "beacons",
        "console errors",
        "CSP violations",
        "violations",
        "warnings",
        "verdict",
    ]
    rows = []
    for row in data["summary"]:
        rows.append(
            "<tr>"
            + f'<th scope="row"><a href="#state-{_e(row["state"])}">{_e(row["label"])}</a></th>'
            + "".join(
                f'<td class="n">{_e(row[k])}</td>'
                for k in ("pages", "first_party_requests", "third_party_requests")
            )
            + f"<td>{_e(row['third_party_hosts'])}</td>"
            + "".join(
                f'<td class="n">{_e(row[k])}</td>'
                for k in (
                    "cookies",
                    "storage_keys",
                    "beacons",
                    "console_errors",
                    "csp_violations",
                    "violations",
                    "warnings",
                )
            )
            + f"<td>{_verdict(row['verdict'])}</td></tr>"
        )
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in columns)
    parts.append(
        f'<table id="summary-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    parts.append('<h2 id="violations">Violations</h2>')
    if data["violations"]:
        parts.append("<ul>" + "".join(f"<li>{_e(v)}</li>" for v in data["violations"]) + "</ul>")
    else:
        parts.append(
            "<p>None: nothing non-essential happened before consent, nothing of a "
            "category the visitor did not grant happened after, no error.</p>"
        )
    parts.append('<h2 id="screenshots">What visitors were shown</h2><div class="shots">')
    captions = {
        "banner": "The banner, on a first visit",
        "dialog": "The dialog, after \u201cManage choices\u201d",
        "banner-gpc": "The banner with Global Privacy Control on",
    }
    for name, shot in data["screenshots"].items():
        caption = captions.get(name, name)
        parts.append(
            f'<figure><img src="{_e(shot["file"])}" alt="{_e(caption)}">'
            f"<figcaption>{_e(caption)}, on {_e(shot['page'])} ({_e(shot['file'])})"
            "</figcaption></figure>"
        )
    if not data["screenshots"]:
        parts.append("<p>None: no page showed the banner.</p>")
    parts.append("</div>")
    parts.append('<h2 id="cookies">Cookies in every state</h2>')
    state_ids = [s["id"] for s in data["states"]]
    parts.append(
        _table(
            ["name", "domain", "path", "declared under", *state_ids],
            [
                [c["name"], c["domain"], c["path"], c["categories"] or "not declared"]
                + ["yes" if s in c["states"] else "" for s in state_ids]
                for c in data["cookies"]
            ],
            set(),
        )
    )
    csp = data["csp"]
    parts.append('<h2 id="csp">Content-Security-Policy the site was served with</h2>')
    for policy in csp["policies"]:
        parts.append(f"<p>On {_e(policy['pages'])}:</p>")
        parts.append(f"<pre>{_e(policy['policy'] or '(none)')}</pre>")
    parts.append("<p>The hosts it names:</p>")
    parts.append(
        _table(
            ["host", "directives", "declared under"],
            [[h["host"], h["directives"], h["categories"] or "not declared"] for h in csp["hosts"]],
            set(),
        )
    )
    parts.append('<h2 id="declared">Declared in consent.yml</h2>')
    parts.append(
        _table(
            [
                "category",
                "refused by GPC",
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
    )
    parts.append('<h2 id="states">Details per state</h2>')
    for state in data["states"]:
        parts.append(_state_html(state))
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _state_html(state: Mapping[str, Any]) -> str:
    parts = [
        f'<section id="state-{_e(state["id"])}"><h3>{_e(state["label"])}: '
        f"{_verdict(state['verdict'])}</h3>",
        f"<p>Granted: {_e(state['granted'] or 'nothing optional')}; GPC: {_e(state['gpc'])}.",
    ]
    if state["choice"]:
        parts.append(
            f" Choice made on {_e(state['choice']['page'])} by clicking "
            f"{_e(state['choice']['clicked'])}."
        )
    if state["consent_record"]:
        parts.append(" Recorded: " + _e(json.dumps(state["consent_record"], sort_keys=True)) + ".")
    parts.append("</p>")
    for title, key in (("Violations", "violations"), ("Warnings", "warnings")):
        if state[key]:
            parts.append(f"<h4>{title}</h4><ul>")
            parts += [f"<li>{_e(f['page'])}: {_e(f['message'])}</li>" for f in state[key]]
            parts.append("</ul>")
    parts.append("<h4>Requests by host</h4>")
    parts.append(
        _table(
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
    )
    parts.append("<h4>Cookies</h4>")
    parts.append(
        _table(
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
    )
    parts.append("<h4>Storage keys, IndexedDB databases and caches</h4>")
    parts.append(
        _table(
            ["area", "key or name", "declared under", "first seen on"],
            [
                [s["area"], s["key"], s["categories"] or "not declared", s["first_seen"]]
                for s in state["storage"]
            ],
            set(),
        )
    )
    parts.append("<h4>Beacons</h4>")
    parts.append(
        _table(
            ["page", "host", "type", "URL"],
            [[b["page"], b["host"], b["type"], b["url"]] for b in state["beacons"]],
            set(),
        )
    )
    parts.append("<h4>Console errors</h4>")
    parts.append(
        _table(["page", "text"], [[c["page"], c["text"]] for c in state["console_errors"]], set())
    )
    parts.append("<h4>CSP violations</h4>")
    parts.append(
        _table(
            ["page", "directive", "blocked", "document", "sample"],
            [
                [c["page"], c["directive"], c["blocked"], c["document"], c["sample"]]
                for c in state["csp_violations"]
            ],
            set(),
        )
    )
    parts.append("<h4>Pages</h4>")
    parts.append(
        _table(
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
    )
    parts.append("</section>")
    return "\n".join(parts)
