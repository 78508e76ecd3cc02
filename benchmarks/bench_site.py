"""The parts of ``./scripts/bench`` that measure this project's real site: the weight of
``/privacy/``, and Lighthouse on it.

Both use one build of this project (``mkdocs build --strict``, as ``./scripts/build`` does, dated
like it: ``POLICY_SITE_AS_OF``, ``SOURCE_DATE_EPOCH`` or today) served by ``policy_site.serve`` on
127.0.0.1 with the headers of its ``_headers`` file, the strict CSP included. That server speaks
HTTP/1.1 with keep-alive and gzips text (level 6), as a production host does; no cache headers.

Weight: ``/privacy/`` opened once in Debian's Chromium, as a first visit (no consent choice yet, so
the banner is shown), until the network has been idle for 500 ms. Every http(s) request the page
made is counted from the DevTools protocol's Network events (``data:`` URLs are not requests):
bytes transferred are ``encodedDataLength`` (headers and body as sent); the gzip column compresses
each response body on its own at level 9 (zlib), which is what a compressing host would send.

Lighthouse: npm ``lighthouse@12.2.3`` (installed into ``.cache/bench/npm`` like the consent
libraries; 13 needs Node 22) runs its CLI against ``http://127.0.0.1:PORT/privacy/`` (loopback is a
secure context, as HTTPS is) with ``CHROME_PATH`` set to Debian's Chromium, started headless
(``--headless=new``, plus ``--no-sandbox`` when running as root) and with every host name but
127.0.0.1 unresolvable. It runs each form factor several times: mobile (its default: a Moto G
Power on slow 4G with a 4x slower CPU, simulated from the observed load) and desktop
(``--preset=desktop``). The run with the median Performance score is reported; its audits that
lower a score are listed. Every run's reports (``<form factor>-<run>.report.html`` and ``.json``)
stay in ``.cache/bench/lighthouse/`` until the next run.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bench_consent import NotMeasuredError, install
from policy_site import chromium
from policy_site.serve import serving

__all__ = [
    "CATEGORIES",
    "LIGHTHOUSE",
    "FailingAudit",
    "LighthouseResults",
    "LighthouseRun",
    "PageWeight",
    "Request",
    "built_site",
    "failing_audits",
    "lighthouse",
    "median_run",
    "page_weight",
    "parse_lighthouse",
]

ROOT = Path(__file__).resolve().parents[1]
PAGE = "privacy/"
LIGHTHOUSE = ("lighthouse", "12.2.3")
#: Where each run's JSON report is kept, until the next run of the bench (gitignored).
REPORTS = ROOT / ".cache" / "bench" / "lighthouse"
#: Lighthouse's category ids, in the order its report shows them, and their names.
CATEGORIES = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best Practices",
    "seo": "SEO",
}
FORM_FACTORS = ("mobile", "desktop")
LIGHTHOUSE_TIMEOUT_S = 300
ATTEMPTS = 3


class BuildFailedError(RuntimeError):
    """The project's own site did not build."""


@contextmanager
def built_site() -> Iterator[Path]:
    """This project's site, built with ``mkdocs build --strict`` into a temporary folder."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        site = Path(tmp) / "site"
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
        done = subprocess.run(
            [*command, "--site-dir", str(site)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise BuildFailedError(f"mkdocs build --strict failed:\n{done.stderr}")
        yield site


# --- weight of /privacy/ -------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    url: str
    #: The DevTools protocol's resource type: Document, Stylesheet, Script, XHR, ...
    kind: str
    status: int
    transferred: int
    body: int
    gzip: int


@dataclass(frozen=True)
class PageWeight:
    url: str
    requests: tuple[Request, ...]
    #: Requests that did not complete, with the reason.
    failed: tuple[str, ...] = ()

    @property
    def transferred(self) -> int:
        return sum(request.transferred for request in self.requests)

    @property
    def body(self) -> int:
        return sum(request.body for request in self.requests)

    @property
    def gzip(self) -> int:
        return sum(request.gzip for request in self.requests)


@dataclass
class _Seen:
    url: str
    kind: str = "Other"
    status: int = 0
    transferred: int | None = None
    failed: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def page_weight(site: Path) -> PageWeight:
    """``/privacy/`` of ``site`` loaded once in Chromium, every request it made counted."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, _Seen] = {}

    def sent(event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if url.startswith(("http:", "https:")):
            seen[event["requestId"]] = _Seen(url, kind=event.get("type", "Other"))

    def received(event: dict[str, Any]) -> None:
        if event["requestId"] in seen:
            seen[event["requestId"]].status = int(event["response"]["status"])

    def finished(event: dict[str, Any]) -> None:
        if event["requestId"] in seen:
            seen[event["requestId"]].transferred = int(event["encodedDataLength"])

    def failed(event: dict[str, Any]) -> None:
        if event["requestId"] in seen:
            seen[event["requestId"]].failed = event.get("errorText", "failed")

    with serving(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium.executable(),
            args=chromium.launch_args({"127.0.0.1": "127.0.0.1"}),
        )
        try:
            context = browser.new_context()
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.on("Network.requestWillBeSent", sent)
            cdp.on("Network.responseReceived", received)
            cdp.on("Network.loadingFinished", finished)
            cdp.on("Network.loadingFailed", failed)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            page.goto(base + PAGE, wait_until="networkidle")
            requests, failures = [], []
            for request_id, item in seen.items():
                if item.failed is not None or item.transferred is None:
                    failures.append(f"{_path(item.url, base)}: {item.failed or 'unfinished'}")
                    continue
                body = _body(cdp.send("Network.getResponseBody", {"requestId": request_id}))
                requests.append(
                    Request(
                        url=_path(item.url, base),
                        kind=item.kind,
                        status=item.status,
                        transferred=item.transferred,
                        body=len(body),
                        gzip=len(gzip.compress(body, compresslevel=9, mtime=0)),
                    )
                )
            context.close()
        finally:
            browser.close()
    return PageWeight(url="/" + PAGE, requests=tuple(requests), failed=tuple(failures))


def _body(response: Mapping[str, Any]) -> bytes:
    import base64

    text = str(response.get("body", ""))
    return base64.b64decode(text) if response.get("base64Encoded") else text.encode("utf-8")


def _path(url: str, base: str) -> str:
    return "/" + url.removeprefix(base) if url.startswith(base) else url


# --- Lighthouse ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FailingAudit:
    category: str
    id: str
    title: str
    #: 0-1, as Lighthouse scores an audit; None for an audit that could not run.
    score: float | None
    #: What lowers the score: the measured value, the elements or the URLs, or the error.
    detail: str


@dataclass(frozen=True)
class LighthouseRun:
    form_factor: str
    #: Category id -> score 0-100 (None when Lighthouse could not score it).
    scores: dict[str, int | None]
    failing: tuple[FailingAudit, ...]
    #: Audits that could not run (Lighthouse's own errors): (audit id, message).
    errors: tuple[tuple[str, str], ...]
    lighthouse_version: str
    benchmark_index: float | None


def parse_lighthouse(report: Mapping[str, Any]) -> LighthouseRun:
    """The scores, failing audits and audit errors of one Lighthouse JSON report (an LHR)."""
    categories = report["categories"]
    scores: dict[str, int | None] = {}
    for category_id in CATEGORIES:
        score = categories.get(category_id, {}).get("score")
        scores[category_id] = None if score is None else round(100 * float(score))
    errors = sorted(
        (audit_id, _one_line(audit.get("errorMessage") or "error"))
        for audit_id, audit in report["audits"].items()
        if audit.get("scoreDisplayMode") == "error"
    )
    environment = report.get("environment", {})
    index = environment.get("benchmarkIndex")
    return LighthouseRun(
        form_factor=str(report.get("configSettings", {}).get("formFactor", "mobile")),
        scores=scores,
        failing=tuple(failing_audits(report)),
        errors=tuple(errors),
        lighthouse_version=str(report.get("lighthouseVersion", "")),
        benchmark_index=None if index is None else float(index),
    )


def failing_audits(report: Mapping[str, Any]) -> list[FailingAudit]:
    """The audits that lower a category's score: weighted, scored, and below 1."""
    out = []
    for category_id in CATEGORIES:
        category = report["categories"].get(category_id)
        if category is None:
            continue
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if not ref.get("weight") or audit.get("scoreDisplayMode") in (
                "notApplicable",
                "manual",
                "informative",
            ):
                continue
            score = audit.get("score")
            if score is not None and float(score) >= 1:
                continue
            out.append(
                FailingAudit(
                    category=category_id,
                    id=ref["id"],
                    title=str(audit.get("title", ref["id"])),
                    score=None if score is None else float(score),
                    detail=_audit_detail(audit),
                )
            )
    return out


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _audit_detail(audit: Mapping[str, Any]) -> str:
    """The measured value, then what the audit found (elements, URLs, messages), shortened."""
    parts = []
    if audit.get("scoreDisplayMode") == "error":
        parts.append(f"error: {_one_line(audit.get('errorMessage') or '')}")
    if audit.get("displayValue"):
        parts.append(_one_line(audit["displayValue"]))
    details = audit.get("details") or {}
    found = []
    for item in details.get("items", [])[:5]:
        node = item.get("node") if isinstance(item, dict) else None
        if isinstance(node, dict):
            text = f"`{node.get('selector', '?')}`"
            explanation = _one_line(node.get("explanation", ""))
            first = explanation.split("\n")[0]
            if first.lower().startswith("fix any of the following:"):
                first = first[len("fix any of the following:") :].strip()
            if first:
                text += f" ({first})"
            found.append(text)
        elif isinstance(item, dict) and ("url" in item or "description" in item):
            text = " ".join(
                str(item[key]) for key in ("description", "url") if item.get(key) is not None
            )
            location = item.get("sourceLocation") or {}
            if "url" not in item and location.get("url"):
                text += f" ({location['url']})"
            found.append(_one_line(text))
    if found:
        parts.append("; ".join(found))
    return ": ".join(parts) if parts else ""


def median_run(runs: Sequence[LighthouseRun]) -> LighthouseRun:
    """The run whose Performance score is the median (the lower middle one for an even count)."""
    if not runs:
        raise ValueError("no Lighthouse runs")
    ordered = sorted(runs, key=lambda run: run.scores.get("performance") or 0)
    return ordered[(len(ordered) - 1) // 2]


def _node_version() -> tuple[str, tuple[int, ...]] | str:
    node = shutil.which("node")
    if node is None:
        return "node not found (Lighthouse 12 needs Node 18.16 or newer)"
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    numbers = tuple(int(part) for part in version.lstrip("v").split(".") if part.isdigit())
    return node, numbers


def chrome_flags() -> str:
    """Lighthouse's ``--chrome-flags``: Debian's Chromium headless, quiet, nowhere but loopback."""
    flags = ["--headless=new"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox.
    for flag in chromium.launch_args({"127.0.0.1": "127.0.0.1"}):
        name, _, value = flag.partition("=")
        flags.append(f'{name}="{value}"' if " " in value else flag)
    return " ".join(flags)


def _lighthouse_once(cli: Path, node: str, url: str, form_factor: str, name: Path) -> LighthouseRun:
    """One run; its reports are ``name.report.json`` and ``name.report.html``."""
    command = [node, str(cli), url, "--output=json", "--output=html", f"--output-path={name}"]
    command.append("--quiet")
    command.append(f"--chrome-flags={chrome_flags()}")
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": chromium.executable()}
    try:
        done = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=LIGHTHOUSE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise NotMeasuredError(f"lighthouse took more than {LIGHTHOUSE_TIMEOUT_S} s") from None
    out = name.with_name(name.name + ".report.json")
    if done.returncode != 0 or not out.is_file():
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise NotMeasuredError(f"lighthouse failed: {_one_line(lines[-1] if lines else '')[:200]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise NotMeasuredError(f"lighthouse: {report['runtimeError'].get('message', 'error')}")
    return parse_lighthouse(report)


@dataclass(frozen=True)
class LighthouseResults:
    #: Form factor -> its runs, in order.
    runs: dict[str, list[LighthouseRun]]
    #: Why an attempt failed and was tried again, one entry per failed attempt.
    retried: tuple[str, ...] = ()


def lighthouse(site: Path, runs: int) -> LighthouseResults:
    """``runs`` Lighthouse runs of ``/privacy/`` per form factor, alternating. A run that fails
    (on a busy machine Lighthouse sometimes loses its trace: NO_NAVSTART) is tried again, up to
    ATTEMPTS times; NotMeasuredError when Lighthouse cannot run at all."""
    package = install(*LIGHTHOUSE)
    if isinstance(package, str):
        raise NotMeasuredError(package)
    node = _node_version()
    if isinstance(node, str):
        raise NotMeasuredError(node)
    if node[1] < (18, 16):
        raise NotMeasuredError(f"lighthouse 12 needs Node 18.16 or newer, this is {node[1]}")
    cli = package / "cli" / "index.js"
    shutil.rmtree(REPORTS, ignore_errors=True)
    REPORTS.mkdir(parents=True)
    results: dict[str, list[LighthouseRun]] = {factor: [] for factor in FORM_FACTORS}
    retried: list[str] = []
    with serving(site) as base:
        for index in range(runs):
            for factor in FORM_FACTORS:
                name = REPORTS / f"{factor}-{index + 1}"
                for attempt in range(1, ATTEMPTS + 1):
                    try:
                        run = _lighthouse_once(cli, node[0], base + PAGE, factor, name)
                    except NotMeasuredError as err:
                        if attempt == ATTEMPTS:
                            raise
                        retried.append(f"{factor} run {index + 1}: {err}")
                        continue
                    results[factor].append(run)
                    break
    return LighthouseResults(results, tuple(retried))


def score_spread(runs: Sequence[LighthouseRun], category: str) -> str:
    """``91`` when every run agrees, else ``91 (89-94)``: the median and the range."""
    values = [run.scores.get(category) for run in runs]
    known = [value for value in values if value is not None]
    if not known:
        return "n/a"
    middle = median_run(runs).scores.get(category)
    low, high = min(known), max(known)
    shown = "n/a" if middle is None else str(middle)
    return shown if low == high else f"{shown} ({low}-{high})"
