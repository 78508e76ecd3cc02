"""An audit from start to end: the pages to visit, the states run side by side, the report."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from policy_site import chromium
from policy_site.audit.browser import _Runner
from policy_site.audit.html import render_html
from policy_site.audit.pages import _dir_pages, _discover, _loaded_release, _releases
from policy_site.audit.record import _origin, _Site, _StateRun
from policy_site.audit.report import Report, _as_of, _state_json
from policy_site.audit.rules import _csp_hosts, _judge, csp_note, csp_source_host
from policy_site.audit.schema import (
    ConsentPart,
    ConsentRelease,
    CspHost,
    CspPart,
    CspPolicy,
    DeclaredCategory,
    DeclaredService,
    InventoryRow,
    Release,
    ReportData,
    Screenshot,
    StateDetails,
    SummaryRow,
    Target,
)
from policy_site.audit.settings import (
    _CONSENT_SCRIPT,
    DEFAULT_HOST,
    DEFAULT_JOBS,
    DEFAULT_SETTLE,
    REPORT_FORMAT,
)
from policy_site.audit.states import AuditError, Declared, consent_states, could_not_run, title
from policy_site.consent.config import ConsentConfig, ConsentConfigError, load_consent
from policy_site.receipts.launch import ReceiverError, free_port, receiving
from policy_site.serve import serving

# -- the audit -----------------------------------------------------------------------------------


@contextmanager
def _target(
    target: str | Path, host: str, host_map: Mapping[str, str]
) -> Iterator[tuple[_Site, list[str]]]:
    """The site (its pages still unknown for a URL) and the Chromium flags to audit it with."""
    text = str(target)
    if re.match(r"^https?://", text):
        base = text if text.endswith("/") else text + "/"
        name = urlsplit(base).hostname or ""
        args = chromium.launch_args(host_map)
        if not host_map:  # a live site: the real name resolution, nothing mapped or blocked
            args = [a for a in args if not a.startswith("--host-resolver-rules=")]
        elif name not in host_map:  # the site itself resolves as it really does
            args = [f"{a}, EXCLUDE {name}" if a.startswith("--host-resolver-rules=") else a
                    for a in args]  # fmt: skip
        resolving = frozenset({name, *host_map}) if host_map else None
        yield _Site(base, base, name, [], "url", text, resolving), args
        return
    directory = Path(target)
    if not (directory / "index.html").is_file():
        raise AuditError(f"{directory}/index.html not found: build the site (policy-site build).")
    pages = _dir_pages(directory)
    # A site that sends receipts gets a receiver, as in production, on a database thrown away
    # after the audit: its choices must not fail for want of one.
    with (
        tempfile.TemporaryDirectory() as scratch,
        _receiving(directory, f"sqlite:///{scratch}/receipts.db", free_port()) as receipts,
        serving(directory, host, receipts=receipts) as base,
    ):
        args = chromium.launch_args({host: "127.0.0.1", **host_map})
        # Served over HTTP here, the site is HTTPS in production: the browser treats this origin
        # as secure, so that headers such as Cross-Origin-Opener-Policy apply as they will there.
        args.append(f"--unsafely-treat-insecure-origin-as-secure={_origin(base)}")
        resolving = frozenset({host, *host_map})
        yield _Site(base, f"http://{host}/", host, pages, "dir", text, resolving), args


@contextmanager
def _receiving(directory: Path, db: str, port: int) -> Iterator[tuple[str, str] | None]:
    """``receiving``, its failure to start an AuditError (nothing in the block raises one)."""
    try:
        with receiving(directory, db, port, quiet=True) as receipts:
            yield receipts
    except ReceiverError as err:
        raise AuditError(str(err)) from None


@dataclass
class _Collected:
    site: _Site
    runs: list[_StateRun]
    browser: str
    choice_page: str | None
    screenshots: dict[str, Screenshot]
    releases: list[ConsentRelease]
    #: The language of the texts the visitor was shown: the report names categories in it.
    language: str


async def _collect(
    site: _Site,
    args: list[str],
    config: ConsentConfig,
    out: Path,
    settle: float,
    jobs: int,
) -> _Collected:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        executable = chromium.executable()
        try:
            browser = await playwright.chromium.launch(executable_path=executable, args=args)
        except PlaywrightError as err:
            said = str(err).strip().splitlines()[0]
            raise AuditError(f"Chromium ({executable}) did not start: {said}") from None
        try:
            if not site.pages:
                site = replace(site, pages=await _discover(browser, site.base, site.host))
            if not site.pages:
                raise AuditError(f"no pages found at {site.target}")
            runner = _Runner(browser, site, config, out, settle)
            runs = await runner.run_all(consent_states(config), jobs)
            # Named in the language the visitor was shown, as the site's own words name them.
            labels = {s.id: s for s in consent_states(config, runner.language)}
            runs = [replace(run, state=labels[run.state.id]) for run in runs]
            releases = await _releases(browser, site.base)
            return _Collected(
                site,
                runs,
                browser.version,
                runner.choice_page,
                runner.screenshots,
                releases,
                runner.language,
            )
        finally:
            await browser.close()


def audit(
    target: str | Path,
    *,
    consent: Path = Path("consent/consent.yml"),
    out: Path = Path("audit"),
    host: str = DEFAULT_HOST,
    host_map: Mapping[str, str] | None = None,
    as_of: str | None = None,
    settle: float = DEFAULT_SETTLE,
    jobs: int = DEFAULT_JOBS,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Audits ``target`` (a built site's folder, or a URL) and writes the report into ``out``.

    Chromium is launched for it: a folder's host name mapped to loopback, the ``host_map`` names
    mapped as given, every other name unresolvable; for a URL without ``host_map``, nothing
    mapped. ``jobs`` states run at a time, each in its own browser context. Playwright's async API
    runs in a thread of its own, so a caller may have a Playwright of its own running.

    Raises AuditError when the audit cannot run, an unexpected failure in a state or in writing
    the report among them (naming what failed); ModuleNotFoundError when Playwright is missing.
    """
    importlib.import_module("playwright.async_api")  # missing: said before anything starts
    try:
        config = load_consent(consent)
    except ConsentConfigError as err:
        raise AuditError(str(err)) from None
    declared = Declared.of(config)
    with _target(target, host, host_map or {}) as (site, args), ThreadPoolExecutor(1) as pool:
        try:
            out.mkdir(parents=True, exist_ok=True)
            for stale in ("banner.png", "banner-gpc.png", "dialog.png"):
                (out / stale).unlink(missing_ok=True)
        except OSError as err:
            raise AuditError(f"--out {out}: cannot write there ({err.strerror}).") from None
        task = _collect(site, args, config, out, settle, jobs)
        collected = pool.submit(asyncio.run, task).result()
    if log is not None:
        for run in collected.runs:
            log(f"audit: {run.state.id}: {len(run.visits)} pages in {run.seconds:.1f} s")
    with could_not_run("writing the report"):
        try:
            report = _write(collected, config, declared, consent, out, as_of)
        except OSError as err:
            raise AuditError(f"--out {out}: cannot write the report ({err}).") from None
    if log is not None and report.data["csp"].get("note"):
        log(f"audit: {report.data['csp']['note']}")
    return report


def _write(
    collected: _Collected,
    config: ConsentConfig,
    declared: Declared,
    consent: Path,
    out: Path,
    as_of: str | None,
) -> Report:
    site, runs = collected.site, collected.runs
    now = time.time()
    details: list[StateDetails] = []
    summary: list[SummaryRow] = []
    violations: list[str] = []
    csp_pages: dict[str, list[str]] = {}
    for run in runs:
        bad, notes = _judge(run, declared)
        state_details, row = _state_json(run, site, declared, now, bad, notes)
        details.append(state_details)
        summary.append(row)
        violations += [f"{run.state.id} {f.page}: {f.message}" for f in bad]
        if run.state.id == "no-choice":
            for visit in run.visits:
                csp_pages.setdefault(visit.csp or "", []).append(visit.path)
    hosts: dict[str, set[str]] = {}
    for policy in csp_pages:
        for source, directives in _csp_hosts(policy or None).items():
            hosts.setdefault(source, set()).update(directives)
    consent_files = {
        urlsplit(r.url).path
        for run in runs
        for r in run.recorder.requests
        if r.first_party and _CONSENT_SCRIPT.search(urlsplit(r.url).path)
    }
    data = ReportData(
        report="policy-site consent audit",
        format=REPORT_FORMAT,
        as_of=_as_of(as_of, os.environ),
        verdict="fail" if violations else "pass",
        target=Target(mode=site.mode, given=site.target, origin=_origin(site.display)),
        browser=f"Chromium {collected.browser}",
        consent=ConsentPart(
            file=str(consent),
            categories=[
                DeclaredCategory(
                    id=c.id,
                    title=title(config, c.id, collected.language),
                    gpc=c.gpc,
                    per_service=c.per_service,
                    services=[
                        DeclaredService(id=s.id, name=s.name, hosts=sorted(s.hosts))
                        for s in c.services
                    ],
                    cookies=[i.name or i.pattern for i in c.cookies],
                    storage=[i.name or i.pattern for i in c.storage],
                    indexeddb=[i.name or i.pattern for i in c.indexeddb],
                    caches=[i.name or i.pattern for i in c.caches],
                    hosts=sorted(declared.hosts.get(c.id, ())),
                )
                for c in config.categories
            ],
            choice_page=collected.choice_page,
        ),
        pages=site.pages,
        release=Release(
            consent_files=sorted(consent_files),
            policy_version=next((run.record.get("pv") for run in runs if run.record), None),
            consent_release=_loaded_release(
                collected.releases, consent_files, urlsplit(site.base).path or "/"
            ),
        ),
        csp=CspPart(
            policies=[
                CspPolicy(policy=policy or None, pages=sorted(paths))
                for policy, paths in sorted(csp_pages.items())
            ],
            hosts=[
                CspHost(
                    host=h,
                    directives=sorted(d),
                    categories=declared.host_categories(csp_source_host(h)),
                )
                for h, d in sorted(hosts.items())
            ],
            note=csp_note(csp_pages),
        ),
        screenshots=dict(sorted(collected.screenshots.items())),
        summary=summary,
        cookies=_inventory(details),
        violations=violations,
        states=details,
    )
    json_path = out / "report.json"
    html_path = out / "report.html"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(data), encoding="utf-8")
    return Report(data, violations, json_path, html_path)


def _inventory(states: list[StateDetails]) -> list[InventoryRow]:
    """Every cookie seen, with the states it was seen in."""
    found: dict[tuple[str, str, str], InventoryRow] = {}
    for state in states:
        for cookie in state["cookies"]:
            key = (cookie["name"], cookie["domain"], cookie["path"])
            entry = found.setdefault(
                key,
                InventoryRow(
                    name=cookie["name"],
                    domain=cookie["domain"],
                    path=cookie["path"],
                    categories=cookie["categories"],
                    states=[],
                ),
            )
            entry["states"].append(state["id"])
    return [found[k] for k in sorted(found)]
