"""An audit from start to end: the pages to visit, the states run side by side, the report."""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from policy_site import chromium
from policy_site.audit.browser import _LINKS, _Runner
from policy_site.audit.html import render_html
from policy_site.audit.record import _evaluate, _origin, _Site, _StateRun, _without_query
from policy_site.audit.report import Report, _as_of, _state_json
from policy_site.audit.rules import _csp_hosts, _judge
from policy_site.audit.schema import (
    ConsentPart,
    ConsentRelease,
    CspHost,
    CspPart,
    CspPolicy,
    DeclaredCategory,
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
    CRAWL_LIMIT,
    DEFAULT_HOST,
    DEFAULT_JOBS,
    DEFAULT_SETTLE,
    LOAD_TIMEOUT_MS,
    REPORT_FORMAT,
)
from policy_site.audit.states import AuditError, Declared, consent_states
from policy_site.consent.config import ConsentConfig, ConsentConfigError, load_consent
from policy_site.receipts.launch import ReceiverError, free_port, receiving
from policy_site.serve import serving

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
    )


def _dir_pages(directory: Path) -> list[str]:
    """Every HTML page of a built site, as URL paths: ``index.html`` -> ``/``."""
    pages = []
    for file in directory.rglob("*.html"):
        relative = file.relative_to(directory).as_posix()
        if relative == "index.html":
            pages.append("/")
        elif relative.endswith("/index.html"):
            pages.append("/" + relative[: -len("index.html")])
        else:
            pages.append("/" + relative)
    return sorted(pages, key=lambda p: (p != "/", p))


def sitemap_pages(text: str) -> list[str]:
    """The sitemap's page paths, rebased onto ``base`` (mkdocs writes them under its site_url)."""
    root = ElementTree.fromstring(text)
    locs = [
        (e.text or "").strip()
        for e in root.iter()
        if e.tag.rsplit("}", 1)[-1] == "loc" and (e.text or "").strip()
    ]
    if not locs:
        return []
    paths = [urlsplit(loc).path or "/" for loc in locs]
    folders = [p.rsplit("/", 1)[0].split("/") for p in paths]
    common = folders[0]
    for folder in folders[1:]:
        while folder[: len(common)] != common:
            common = common[:-1]
    prefix = "/".join(common) + "/"
    return sorted({"/" + p[len(prefix) :] for p in paths}, key=lambda p: (p != "/", p))


async def _releases(browser: Browser, base: str) -> list[ConsentRelease]:
    """The site's ledger of consent releases (consent/archive.py), read through the browser (its
    host names are the browser's); empty when the site has none."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context()
    try:
        page = await context.new_page()
        response = await page.goto(urljoin(base, "consent/releases.json"), timeout=LOAD_TIMEOUT_MS)
        if response is None or not response.ok:
            return []
        releases: list[ConsentRelease] = json.loads(await response.body())["releases"]
        return releases
    except (PlaywrightError, ValueError, KeyError, TypeError):
        return []
    finally:
        await context.close()


def _loaded_release(
    releases: list[ConsentRelease], loaded: set[str], base_path: str
) -> ConsentRelease | None:
    """The release holding every bundle file the pages loaded (paths in the site)."""
    paths = {path.removeprefix(base_path) for path in loaded}
    found = [release for release in releases if paths and paths <= set(release["files"])]
    return found[-1] if found else None


async def _discover(browser: Browser, base: str, host: str) -> list[str]:
    """The pages of a live site: its sitemap, else the same-origin links followed from ``base``."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context()
    try:
        page = await context.new_page()
        for sitemap in dict.fromkeys((urljoin(base, "sitemap.xml"), urljoin(base, "/sitemap.xml"))):
            try:
                response = await page.goto(sitemap, timeout=LOAD_TIMEOUT_MS)
                if response is not None and response.ok:
                    found = sitemap_pages(await response.text())
                    if found:
                        return found
            except (PlaywrightError, ElementTree.ParseError):
                continue
        base_path = urlsplit(base).path or "/"
        seen: dict[str, None] = {}
        queue = [base]
        while queue and len(seen) < CRAWL_LIMIT:
            parts = urlsplit(queue.pop(0))
            path = parts.path or "/"
            page_path = "/" + path[len(base_path) :]
            if page_path in seen or parts.hostname != host or not path.startswith(base_path):
                continue
            seen[page_path] = None
            try:
                response = await page.goto(urljoin(base, page_path[1:]), timeout=LOAD_TIMEOUT_MS)
            except PlaywrightError:
                del seen[page_path]
                continue
            if response is None or "html" not in (
                await response.header_value("content-type") or ""
            ):
                del seen[page_path]
                continue
            queue += [_without_query(str(link)) for link in await _evaluate(page, _LINKS, [])]
        return sorted(seen, key=lambda p: (p != "/", p))
    finally:
        await context.close()


# -- the audit -----------------------------------------------------------------------------------


@contextmanager
def _target(
    target: str | Path, host: str, host_map: Mapping[str, str]
) -> Iterator[tuple[_Site, list[str]]]:
    """The site (its pages still unknown for a URL) and the Chromium flags to audit it with."""
    text = str(target)
    if re.match(r"^https?://", text):
        base = text if text.endswith("/") else text + "/"
        args = chromium.launch_args(host_map)
        if not host_map:  # a live site: the real name resolution, nothing mapped or blocked
            args = [a for a in args if not a.startswith("--host-resolver-rules=")]
        yield _Site(base, base, urlsplit(base).hostname or "", [], "url", text), args
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
        yield _Site(base, f"http://{host}/", host, pages, "dir", text), args


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


async def _collect(
    site: _Site,
    args: list[str],
    config: ConsentConfig,
    out: Path,
    settle: float,
    jobs: int,
) -> _Collected:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium.executable(), args=args)
        try:
            if not site.pages:
                site = replace(site, pages=await _discover(browser, site.base, site.host))
            if not site.pages:
                raise AuditError(f"no pages found at {site.target}")
            runner = _Runner(browser, site, config, out, settle)
            runs = await runner.run_all(consent_states(config), jobs)
            releases = await _releases(browser, site.base)
            return _Collected(
                site, runs, browser.version, runner.choice_page, runner.screenshots, releases
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
    """
    try:
        config = load_consent(consent)
    except ConsentConfigError as err:
        raise AuditError(str(err)) from None
    declared = Declared.of(config)
    with _target(target, host, host_map or {}) as (site, args), ThreadPoolExecutor(1) as pool:
        out.mkdir(parents=True, exist_ok=True)
        for stale in ("banner.png", "banner-gpc.png", "dialog.png"):
            (out / stale).unlink(missing_ok=True)
        task = _collect(site, args, config, out, settle, jobs)
        collected = pool.submit(asyncio.run, task).result()
    if log is not None:
        for run in collected.runs:
            log(f"audit: {run.state.id}: {len(run.visits)} pages in {run.seconds:.1f} s")
    return _write(collected, config, declared, consent, out, as_of)


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
        for source, directives in _csp_hosts(policy).items():
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
                    title=c.title["en"],
                    gpc=c.gpc,
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
                CspHost(host=h, directives=sorted(d), categories=declared.host_categories(h))
                for h, d in sorted(hosts.items())
            ],
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
