"""``./scripts/audit [SITE_DIR | URL]``: what the site does in a browser, in each consent state.

Every page of the built site is loaded in Chromium in each consent state: no choice, reject all,
accept all, each optional category of ``consent/consent.yml`` alone, and Global Privacy Control on
(``navigator.globalPrivacyControl`` and the ``Sec-GPC`` header) with no choice and with accept all.
Each state gets a fresh browser context, and is set the way a visitor sets it: by clicking the
banner, or the dialog's switches and "Save choices". Then every page is visited, and recorded:
requests by host (first party is the site's own host), cookies, storage (localStorage and
sessionStorage keys, IndexedDB databases, Cache Storage caches), beacons (images, pings,
``sendBeacon`` and ``fetch(..., {keepalive})`` to other hosts), console errors and
Content-Security-Policy violations (not the browser's own guess at ``/favicon.ico`` for a page
that names no icon, which it makes or not depending on timing).

It is judged against consent.yml. Before consent (no choice, reject all, GPC with no choice) any
third-party request or beacon, and any cookie, storage key, IndexedDB database or cache not
declared under ``necessary``, is a violation; after a choice, anything that belongs only to a
category the visitor did not grant is one; console errors and CSP violations are violations in
every state. The choice the runtime recorded must be the one clicked.

The report is ``audit/report.json`` (stable key order, no clock time unless ``--as-of`` or
``SOURCE_DATE_EPOCH`` gives one) and ``audit/report.html`` (self-contained, no script), with
screenshots of the banner and the dialog. The exit status is 1 when there is any violation (each
one printed), 2 when the audit could not run, 0 otherwise.

``SITE_DIR`` is served with the headers its build wrote (``policy_site.serve``) under a test host
name that Chromium maps to loopback and treats as a secure origin (the site is HTTPS in
production); every other host name fails to resolve unless ``--map`` maps it. A ``URL`` is audited
live: its pages come from its sitemap, or else from following its links. The states run side by
side (``--jobs``) in one Chromium, through Playwright's async API in a thread of its own.

Playwright is imported only when the audit runs, so this module imports without it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from policy_site import chromium
from policy_site.consent.config import ConsentConfig, ConsentConfigError, load_consent
from policy_site.serve import serving

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Request,
        WebError,
    )

__all__ = [
    "DEFAULT_HOST",
    "AuditError",
    "Declared",
    "Report",
    "State",
    "audit",
    "consent_states",
    "main",
    "render_html",
    "sitemap_pages",
]

#: The host name a SITE_DIR is served under: a .test name, which Chromium maps to loopback.
DEFAULT_HOST = "www.site.test"
#: Quiet time with no request in flight after ``load`` before a page counts as settled (seconds).
DEFAULT_SETTLE = 0.2
#: How many consent states run at a time, each in its own browser context.
DEFAULT_JOBS = 4
#: A meta refresh due within this many seconds is followed, as a visitor's browser does.
MAX_REFRESH = 5.0
#: The most a page is given to settle; a page still busy then is recorded as it is.
MAX_SETTLE = 4.0
#: Time allowed for a page load, and for the runtime to record a click's choice (ms / seconds).
LOAD_TIMEOUT_MS = 20_000
CHOICE_TIMEOUT = 5.0
#: URL mode without a sitemap: at most this many pages are found by following links.
CRAWL_LIMIT = 200
#: Request types that are beacons when they go to another host.
BEACON_TYPES = frozenset({"image", "ping", "beacon"})
REPORT_FORMAT = 1
#: How the visit of the page where the choice is made is labelled until the click: before consent.
BEFORE_CHOICE = "(before the choice on "
#: The storage areas recorded (as the page's globals name them), and what an entry of each is.
STORAGE_AREAS = {
    "localStorage": "localStorage key",
    "sessionStorage": "sessionStorage key",
    "indexedDB": "IndexedDB database",
    "caches": "Cache Storage cache",
}

_CONSENT_SCRIPT = re.compile(r"/consent\.[0-9a-f]+\.(?:js|css)$")

#: Reports CSP violations and beacon calls of every frame to the audit (bindings below).
_INIT_SCRIPT = """(() => {
  const csp = window.__policyAuditCsp, beacon = window.__policyAuditBeacon;
  document.addEventListener("securitypolicyviolation", (e) => csp({
    document: location.href, directive: e.effectiveDirective,
    blocked: e.blockedURI || "inline", sample: e.sample || ""}));
  const tell = (kind, url) => {
    try { beacon({kind: kind, url: String(new URL(String(url), location.href))}); } catch (e) {}
  };
  if (navigator.sendBeacon) {
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = function (url, data) {
      tell("sendBeacon", url);
      return send(url, data);
    };
  }
  if (window.fetch) {
    const fetch = window.fetch;
    window.fetch = function (input, init) {
      if ((init && init.keepalive) || (input && input.keepalive)) {
        const url = typeof input === "string" || input instanceof URL ? input : input.url;
        tell("fetch keepalive", url);
      }
      return fetch.apply(this, arguments);
    };
  }
})();"""
_GPC_SCRIPT = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
)
#: What a page holds: its language, its storage keys, IndexedDB databases and caches (none where
#: the browser has no such API here), and whether the banner (a region named in one of the
#: languages of consent.yml) is on screen.
_PROBE = """async (regions) => {
  const keys = (area) => { try { return Object.keys(window[area]); } catch (e) { return []; } };
  const names = async (list) => {
    try { return (await list()).map((d) => typeof d === "string" ? d : String(d.name)); }
    catch (e) { return []; }
  };
  const shown = (e) => !!e && !e.hidden && e.getClientRects().length > 0 &&
    getComputedStyle(e).visibility !== "hidden";
  const banner = Array.from(document.querySelectorAll("[aria-label]")).some(
    (e) => regions.includes(e.getAttribute("aria-label")) && shown(e));
  const refresh = document.querySelector("meta[http-equiv='refresh' i]");
  return {href: location.href, ready: document.readyState,
    lang: document.documentElement.lang || "", banner: banner,
    refresh: refresh ? refresh.getAttribute("content") : null,
    localStorage: keys("localStorage"), sessionStorage: keys("sessionStorage"),
    indexedDB: await names(() => indexedDB.databases()), caches: await names(() => caches.keys())};
}"""
_CONSENT_RECORD = "() => window.PrivacyConsent ? window.PrivacyConsent.get() : null"
_LINKS = "() => Array.from(document.querySelectorAll('a[href]'), (a) => a.href)"


class AuditError(RuntimeError):
    """The audit could not run (no site, no Chromium, a bad consent.yml): exit status 2."""


# -- consent states and what consent.yml declares ------------------------------------------------


@dataclass(frozen=True)
class State:
    """A consent state, and how a visitor reaches it."""

    id: str
    label: str
    #: ``none`` (no click), ``reject``, ``accept`` (the banner's buttons) or ``only`` (the dialog).
    action: str
    #: The optional categories this state grants; empty means "before consent".
    granted: frozenset[str]
    gpc: bool = False
    category: str | None = None

    @property
    def before_consent(self) -> bool:
        return not self.granted


def consent_states(config: ConsentConfig) -> list[State]:
    """The states to audit, in order: no choice first (its pages show the banner)."""
    optional = [c for c in config.categories if not c.necessary]
    every = frozenset(c.id for c in optional)
    states = [
        State("no-choice", "No choice (banner open)", "none", frozenset()),
        State("reject-all", "Reject all", "reject", frozenset()),
        State("accept-all", "Accept all", "accept", every),
    ]
    states += [
        State(f"only-{c.id}", f"{c.title['en']} only", "only", frozenset({c.id}), category=c.id)
        for c in optional
    ]
    states += [
        State("gpc-no-choice", "GPC on, no choice", "none", frozenset(), gpc=True),
        State(
            "gpc-accept-all",
            "GPC on, Accept all",
            "accept",
            frozenset(c.id for c in optional if not c.gpc),
            gpc=True,
        ),
    ]
    return states


@dataclass(frozen=True)
class Declared:
    """What consent.yml says belongs to which category: cookie names, storage keys, hosts,
    IndexedDB database names and Cache Storage cache names."""

    cookies: dict[str, tuple[re.Pattern[str], ...]]
    storage: dict[str, tuple[re.Pattern[str], ...]]
    hosts: dict[str, frozenset[str]]
    indexeddb: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    caches: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, config: ConsentConfig) -> Declared:
        cookies = {c.id: tuple(re.compile(i.regex) for i in c.cookies) for c in config.categories}
        # The consent cookie is necessary whatever the list says.
        consent_cookie = re.compile(f"^{re.escape(config.cookie.name)}$")
        cookies["necessary"] = (*cookies.get("necessary", ()), consent_cookie)
        return cls(
            cookies=cookies,
            storage={
                c.id: tuple(re.compile(i.regex) for i in c.storage) for c in config.categories
            },
            hosts={
                c.id: frozenset(h for s in c.services for h in s.hosts) for c in config.categories
            },
            indexeddb={
                c.id: tuple(re.compile(i.regex) for i in c.indexeddb) for c in config.categories
            },
            caches={c.id: tuple(re.compile(i.regex) for i in c.caches) for c in config.categories},
        )

    def cookie_categories(self, name: str) -> list[str]:
        return [cid for cid, found in self.cookies.items() if any(p.search(name) for p in found)]

    def storage_categories(self, key: str, area: str = "localStorage") -> list[str]:
        """The categories declaring ``key`` in ``area`` (see STORAGE_AREAS): a Web Storage key, an
        IndexedDB database name (``indexedDB``) or a Cache Storage cache name (``caches``)."""
        declared = {"indexedDB": self.indexeddb, "caches": self.caches}.get(area, self.storage)
        return [cid for cid, found in declared.items() if any(p.search(key) for p in found)]

    def host_categories(self, netloc: str) -> list[str]:
        """Categories whose services name this host (``host`` or ``host:port``)."""
        name = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        return [cid for cid, hosts in self.hosts.items() if netloc in hosts or name in hosts]


def _allowed(categories: Sequence[str], state: State) -> bool:
    """True if something of these categories may happen in ``state`` (necessary always may)."""
    return "necessary" in categories or bool(set(categories) & state.granted)


# -- what one state's browser context records ---------------------------------------------------


@dataclass
class _Request:
    page: str
    url: str
    netloc: str
    first_party: bool
    resource_type: str
    failure: str | None = None
    beacon_call: str | None = None

    @property
    def beacon(self) -> bool:
        return not self.first_party and (
            self.resource_type in BEACON_TYPES or self.beacon_call is not None
        )


@dataclass
class _PageVisit:
    path: str
    final_path: str = ""
    status: int | None = None
    load_error: str | None = None
    banner_visible: bool = False
    cookies_set: list[str] = field(default_factory=list)
    storage_keys: list[str] = field(default_factory=list)
    csp: str | None = None


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


@dataclass
class _Recorder:
    """Listens to one browser context; ``page`` names the page that events belong to."""

    site_host: str
    normalize: Callable[[str], str]
    page: str = "(start)"
    requests: list[_Request] = field(default_factory=list)
    inflight: set[Request] = field(default_factory=set)
    console_errors: list[tuple[str, str]] = field(default_factory=list)
    csp_violations: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    beacon_calls: dict[str, str] = field(default_factory=dict)
    by_request: dict[Request, _Request] = field(default_factory=dict)

    async def attach(self, context: BrowserContext) -> None:
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_failed)
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)
        await context.expose_binding("__policyAuditCsp", self._on_csp)
        await context.expose_binding("__policyAuditBeacon", self._on_beacon)
        await context.add_init_script(_INIT_SCRIPT)

    def _on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https") or self._favicon(request.url):
            return
        self.inflight.add(request)
        url = _without_query(request.url)
        record = _Request(
            page=self.page,
            url=self.normalize(url),
            netloc=parts.netloc,
            first_party=parts.hostname == self.site_host,
            resource_type=request.resource_type,
            beacon_call=self.beacon_calls.get(url),
        )
        self.requests.append(record)
        self.by_request[request] = record

    def _on_done(self, request: Request) -> None:
        self.inflight.discard(request)

    def _on_failed(self, request: Request) -> None:
        self.inflight.discard(request)
        record = self.by_request.get(request)
        if record is not None:
            record.failure = request.failure or "failed"

    def _favicon(self, url: str) -> bool:
        """The browser's own guess at an icon for a page that names none: not the page's doing,
        and made or not depending on timing, so it is left out of the record."""
        parts = urlsplit(url)
        return parts.hostname == self.site_host and parts.path == "/favicon.ico"

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            if self._favicon(where) and message.text.startswith("Failed to load resource"):
                return
            text = self.normalize(message.text + (f" ({where})" if where else ""))
            self.console_errors.append((self.page, text))

    def _on_web_error(self, error: WebError) -> None:
        self.console_errors.append((self.page, self.normalize(f"uncaught: {error.error}")))

    def _on_csp(self, _source: Any, report: Any) -> None:
        found = {k: self.normalize(str(report.get(k, ""))) for k in ("directive", "blocked")}
        found["sample"] = str(report.get("sample", ""))
        found["document"] = self.normalize(str(report.get("document", "")))
        self.csp_violations.append((self.page, found))

    def _on_beacon(self, _source: Any, report: Any) -> None:
        """``sendBeacon`` or ``fetch(..., {keepalive: true})``: the request follows (or, rarely,
        came first); either way it is marked."""
        url = _without_query(str(report.get("url", "")))
        kind = str(report.get("kind", "beacon"))
        self.beacon_calls[url] = kind
        for record in reversed(self.requests):
            if record.url == self.normalize(url):
                record.beacon_call = kind
                break


# -- running the states --------------------------------------------------------------------------


@dataclass
class _StateRun:
    state: State
    recorder: _Recorder
    visits: list[_PageVisit] = field(default_factory=list)
    cookies: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    storage: dict[tuple[str, str], str] = field(default_factory=dict)
    record: dict[str, Any] | None = None
    choice: dict[str, Any] | None = None
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Site:
    base: str  # the URL pages are loaded from (with the real port)
    display: str  # the same origin as written in the report (no random port)
    host: str
    pages: list[str]
    mode: str
    target: str

    def url(self, path: str) -> str:
        return urljoin(self.base, path.lstrip("/"))

    def normalize(self, text: str) -> str:
        origin = _origin(self.base)
        return text.replace(origin, _origin(self.display)) if origin else text


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _path_of(url: str, site: _Site) -> str:
    parts = urlsplit(url)
    if parts.hostname != site.host:
        return site.normalize(url)
    base_path = urlsplit(site.base).path or "/"
    path = parts.path
    if path.startswith(base_path):
        path = "/" + path[len(base_path) :]
    return path + (f"?{parts.query}" if parts.query else "")


async def _settle(page: Page, recorder: _Recorder, quiet: float) -> None:
    """Waits until no request has been in flight for ``quiet`` seconds (at most MAX_SETTLE)."""
    from playwright.async_api import Error as PlaywrightError

    deadline = time.monotonic() + MAX_SETTLE
    calm_since = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        if recorder.inflight:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            break
    with suppress(PlaywrightError):  # a page that never loads is recorded as it is
        await page.wait_for_load_state("load", timeout=LOAD_TIMEOUT_MS)


async def _evaluate(page: Page, script: str, default: Any, arg: Any = None) -> Any:
    """``page.evaluate`` that survives a navigation in progress (a meta refresh, a reload)."""
    from playwright.async_api import Error as PlaywrightError

    for _attempt in range(4):
        try:
            return await page.evaluate(script, arg)
        except PlaywrightError:
            with suppress(PlaywrightError):
                await page.wait_for_load_state("load", timeout=LOAD_TIMEOUT_MS)
            await asyncio.sleep(0.05)
    return default


class _Runner:
    """Runs the states side by side in one browser, a fresh context each."""

    def __init__(
        self, browser: Browser, site: _Site, config: ConsentConfig, out: Path, settle: float
    ) -> None:
        self.browser = browser
        self.site = site
        self.config = config
        self.out = out
        self.settle = settle
        self.regions = sorted({texts["region"] for texts in config.texts.values()})
        self.choice_page: str | None = None
        self.screenshots: dict[str, dict[str, str]] = {}
        self._choice_known = asyncio.Event()

    async def run_all(self, states: Sequence[State], jobs: int) -> list[_StateRun]:
        """Every state; those that make a choice wait until the no-choice state has seen the
        first page that shows the banner (where they make it)."""
        slots = asyncio.Semaphore(max(1, jobs))

        async def one(state: State) -> _StateRun:
            if state.action != "none":
                await self._choice_known.wait()
            async with slots:
                try:
                    return await self.run(state)
                finally:
                    if state.id == "no-choice":
                        self._choice_known.set()

        return list(await asyncio.gather(*(one(state) for state in states)))

    async def run(self, state: State) -> _StateRun:
        started = time.monotonic()
        run = _StateRun(state, _Recorder(self.site.host, self.site.normalize))
        context = await self.browser.new_context(
            extra_http_headers={"Sec-GPC": "1"} if state.gpc else None,
        )
        try:
            await run.recorder.attach(context)
            if state.gpc:
                await context.add_init_script(_GPC_SCRIPT)
            page = await context.new_page()
            page.set_default_timeout(LOAD_TIMEOUT_MS)
            if state.action != "none":
                await self._choose(page, run)
            for path in self.site.pages:
                await self._visit(page, run, path)
        finally:
            await context.close()
        run.seconds = time.monotonic() - started
        return run

    async def _visit(self, page: Page, run: _StateRun, path: str) -> None:
        from playwright.async_api import Error as PlaywrightError

        visit = _PageVisit(path)
        run.visits.append(visit)
        run.recorder.page = path
        try:
            response = await page.goto(
                self.site.url(path), wait_until="load", timeout=LOAD_TIMEOUT_MS
            )
            await _settle(page, run.recorder, self.settle)
        except PlaywrightError as err:
            visit.load_error = str(err).splitlines()[0]
            run.problems.append(("page-load", path, path, f"did not load: {visit.load_error}"))
            return
        if response is not None:
            visit.status = response.status
            visit.csp = await response.header_value("content-security-policy")
            if response.status >= 400:
                run.problems.append(("page-load", path, path, f"HTTP status {response.status}"))
        found = await self._probe(page, run)
        if await self._follow_refresh(page, run, found):
            found = await self._probe(page, run)
        visit.final_path = _path_of(str(found.get("href") or page.url), self.site)
        visit.banner_visible = bool(found.get("banner"))
        if visit.banner_visible and run.state.action == "none":
            shot = "banner-gpc" if run.state.gpc else "banner"
            if shot not in self.screenshots:
                self.screenshots[shot] = {"file": f"{shot}.png", "page": visit.final_path}
                await page.screenshot(path=self.out / f"{shot}.png")
            if run.state.id == "no-choice" and not self._choice_known.is_set():
                self.choice_page = visit.final_path
                self._choice_known.set()
        if visit.banner_visible and run.choice is not None:
            run.problems.append(("choice", path, "banner", "the banner asks again after a choice"))
        visit.cookies_set, visit.storage_keys = await self._sample(page, run, path, found)

    async def _probe(self, page: Page, run: _StateRun) -> dict[str, Any]:
        """What the page holds, once its document is complete (a navigation the page started
        itself, a meta refresh, may have replaced the one that loaded) and has settled."""
        deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
        while True:
            found = await _evaluate(page, _PROBE, {}, self.regions)
            found = found if isinstance(found, dict) else {}
            if found.get("ready") == "complete" or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.05)
            await _settle(page, run.recorder, self.settle)

    async def _sample(
        self, page: Page, run: _StateRun, label: str, found: Mapping[str, Any]
    ) -> tuple[list[str], list[str]]:
        """Records the cookies the browser holds and the page's storage (keys, IndexedDB
        databases, caches); returns the cookies new to this state, and the storage."""
        new: list[str] = []
        for cookie in await page.context.cookies():
            key = (str(cookie["name"]), str(cookie.get("domain", "")), str(cookie.get("path", "")))
            if key not in run.cookies:
                new.append(key[0])
                run.cookies[key] = {"cookie": cookie, "first_seen": label}
            else:
                run.cookies[key]["cookie"] = cookie
        keys: list[str] = []
        for area in STORAGE_AREAS:
            for key in found.get(area, []):
                keys.append(f"{area}: {key}")
                run.storage.setdefault((area, str(key)), label)
        return new, keys

    async def _follow_refresh(self, page: Page, run: _StateRun, found: dict[str, Any]) -> bool:
        """A ``<meta http-equiv="refresh">`` page (the site's root) leads the visitor on: wait
        for that page as the visitor would, when the refresh is due within MAX_REFRESH."""
        from playwright.async_api import Error as PlaywrightError

        match = re.match(
            r"\s*(\d+(?:\.\d*)?)\s*[;,]\s*(?:url\s*=\s*)?\S", found.get("refresh") or ""
        )
        if not match or float(match.group(1)) > MAX_REFRESH:
            return False
        here = str(found.get("href") or page.url)
        try:
            await page.wait_for_url(
                lambda url: url != here, timeout=(float(match.group(1)) + MAX_SETTLE) * 1000
            )
        except PlaywrightError:
            return False
        await _settle(page, run.recorder, self.settle)
        return True

    async def _choose(self, page: Page, run: _StateRun) -> None:
        """Makes the state's choice as a visitor does: the banner's buttons, or the dialog's
        switch for the category and "Save choices"."""
        from playwright.async_api import Error as PlaywrightError

        state = run.state
        where = self.choice_page
        if where is None:
            run.problems.append(("choice", "(choice)", "banner", "no page showed the banner"))
            return
        label = f"(choice on {where})"
        clicked: list[str] = []
        run.choice = {"page": where, "clicked": clicked}
        try:
            run.recorder.page = f"{BEFORE_CHOICE}{where})"
            await page.goto(self.site.url(where), wait_until="load", timeout=LOAD_TIMEOUT_MS)
            await _settle(page, run.recorder, self.settle)
            found = await self._probe(page, run)
            await self._sample(page, run, run.recorder.page, found)
            lang = str(found.get("lang", ""))[:2]
            lang = lang if lang in self.config.texts else "en"
            texts = self.config.texts[lang]
            banner = page.get_by_role("region", name=texts["region"], exact=True)
            run.recorder.page = label
            if state.action in ("accept", "reject"):
                name = texts["accept_all" if state.action == "accept" else "reject_all"]
                await banner.get_by_role("button", name=name, exact=True).click()
                clicked.append(name)
            else:
                await banner.get_by_role("button", name=texts["manage"], exact=True).click()
                clicked.append(texts["manage"])
                dialog = page.get_by_role("dialog", name=texts["dialog_title"], exact=True)
                await dialog.wait_for(state="visible")
                first = next(c.id for c in self.config.categories if not c.necessary)
                if state.category == first:
                    self.screenshots["dialog"] = {"file": "dialog.png", "page": where}
                    await page.screenshot(path=self.out / "dialog.png")
                category = self.config.category(state.category or "")
                title = category.title[lang] if category else str(state.category)
                await dialog.get_by_role("switch", name=title, exact=True).check()
                clicked.append(title)
                await dialog.get_by_role("button", name=texts["save"], exact=True).click()
                clicked.append(texts["save"])
        except PlaywrightError as err:
            message = str(err).splitlines()[0]
            run.problems.append(("choice", label, "banner", f"could not choose: {message}"))
            return
        deadline = time.monotonic() + CHOICE_TIMEOUT
        record = await _evaluate(page, _CONSENT_RECORD, None)
        while record is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            record = await _evaluate(page, _CONSENT_RECORD, None)
        await _settle(page, run.recorder, self.settle)
        await self._sample(page, run, label, await self._probe(page, run))
        if not isinstance(record, dict):
            run.problems.append(("choice", label, "record", "no choice was recorded"))
            return
        run.record = {k: record.get(k) for k in ("v", "c", "gpc", "pv")}
        expected = {c.id: c.id in state.granted for c in self.config.categories if not c.necessary}
        if record.get("c") != expected or bool(record.get("gpc")) != state.gpc:
            got = f"{json.dumps(record.get('c'), sort_keys=True)} (gpc {record.get('gpc')})"
            want = f"{json.dumps(expected, sort_keys=True)} (gpc {state.gpc})"
            run.problems.append(("choice", label, "record", f"recorded {got}, clicked {want}"))


# -- judging -------------------------------------------------------------------------------------


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
            if "necessary" not in cats or kind in ("beacon", "third-party-request"):
                declared_as = f"declared under {', '.join(cats)}" if cats else "not declared"
                bad.append(_Finding(kind, page, subject, f"{what} ({declared_as}) before consent"))
        elif cats and not _allowed(cats, state):
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


def _finding_json(finding: _Finding) -> dict[str, str]:
    return {
        "kind": finding.kind,
        "page": finding.page,
        "subject": finding.subject,
        "message": finding.message,
    }


def _csp_hosts(policy: str) -> dict[str, list[str]]:
    """Host sources of a CSP -> the directives naming them."""
    hosts: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        for source in sources:
            if source.startswith("'") or source.endswith(":"):
                continue
            hosts.setdefault(source, []).append(name)
    return dict(sorted(hosts.items()))


def _state_json(
    run: _StateRun,
    site: _Site,
    declared: Declared,
    now: float,
    bad: list[_Finding],
    notes: list[_Finding],
) -> tuple[dict[str, Any], dict[str, Any]]:
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
        {
            **e,
            "types": dict(sorted(e["types"].items())),
            "pages": sorted(e["pages"]),
            "urls": sorted(e["urls"]),
        }
        for _, e in sorted(hosts.items(), key=lambda item: (item[1]["party"], item[0]))
    ]
    cookies = []
    for (name, domain, path), seen in sorted(run.cookies.items()):
        cookie = seen["cookie"]
        cookies.append(
            {
                "name": name,
                "domain": domain,
                "path": path,
                "lifetime_days": _lifetime(cookie, now),
                "secure": bool(cookie.get("secure")),
                "http_only": bool(cookie.get("httpOnly")),
                "same_site": cookie.get("sameSite"),
                "categories": declared.cookie_categories(name),
                "first_seen": seen["first_seen"],
            }
        )
    storage = [
        {
            "area": area,
            "key": key,
            "categories": declared.storage_categories(key, area),
            "first_seen": p,
        }
        for (area, key), p in sorted(run.storage.items())
    ]
    beacons = [
        {"page": r.page, "host": r.netloc, "type": r.beacon_call or r.resource_type, "url": r.url}
        for r in requests
        if r.beacon
    ]
    pages = []
    for visit in run.visits:
        mine = [r for r in requests if r.page == visit.path]
        pages.append(
            {
                "path": visit.path,
                "final_path": visit.final_path,
                "status": visit.status,
                "load_error": visit.load_error,
                "banner_visible": visit.banner_visible,
                "first_party_requests": sum(r.first_party for r in mine),
                "third_party_requests": sum(not r.first_party for r in mine),
                "third_party_hosts": sorted({r.netloc for r in mine if not r.first_party}),
                "beacons": sum(r.beacon for r in mine),
                "cookies_set": sorted(visit.cookies_set),
                "storage_keys": sorted(visit.storage_keys),
                "console_errors": sum(p == visit.path for p, _ in recorder.console_errors),
                "csp_violations": sum(p == visit.path for p, _ in recorder.csp_violations),
            }
        )
    console = [{"page": p, "text": t} for p, t in recorder.console_errors]
    csp = [{"page": p, **r} for p, r in recorder.csp_violations]
    verdict = "fail" if bad else "pass"
    state = run.state
    details = {
        "id": state.id,
        "label": state.label,
        "gpc": state.gpc,
        "granted": sorted(state.granted),
        "before_consent": state.before_consent,
        "choice": run.choice,
        "consent_record": run.record,
        "verdict": verdict,
        "violations": [_finding_json(f) for f in bad],
        "warnings": [_finding_json(f) for f in notes],
        "requests": host_list,
        "cookies": cookies,
        "storage": storage,
        "beacons": beacons,
        "console_errors": console,
        "csp_violations": csp,
        "pages": pages,
    }
    summary = {
        "state": state.id,
        "label": state.label,
        "pages": len(run.visits),
        "first_party_requests": sum(r.first_party for r in requests),
        "third_party_requests": sum(not r.first_party for r in requests),
        "third_party_hosts": sorted({r.netloc for r in requests if not r.first_party}),
        "cookies": len(cookies),
        "storage_keys": len(storage),
        "beacons": len(beacons),
        "console_errors": len(console),
        "csp_violations": len(csp),
        "violations": len(bad),
        "warnings": len(notes),
        "verdict": verdict,
    }
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

    data: dict[str, Any]
    violations: list[str]
    json_path: Path
    html_path: Path

    @property
    def exit_code(self) -> int:
        return 1 if self.violations else 0


# -- pages: a folder's HTML files, or a live site's sitemap --------------------------------------


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
        raise AuditError(f"{directory}/index.html not found: build the site (./scripts/build).")
    pages = _dir_pages(directory)
    with serving(directory, host) as base:
        args = chromium.launch_args({host: "127.0.0.1", **host_map})
        # Served over HTTP here, the site is HTTPS in production: the browser treats this origin
        # as secure, so that headers such as Cross-Origin-Opener-Policy apply as they will there.
        args.append(f"--unsafely-treat-insecure-origin-as-secure={_origin(base)}")
        yield _Site(base, f"http://{host}/", host, pages, "dir", text), args


@dataclass
class _Collected:
    site: _Site
    runs: list[_StateRun]
    browser: str
    choice_page: str | None
    screenshots: dict[str, dict[str, str]]


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
            return _Collected(site, runs, browser.version, runner.choice_page, runner.screenshots)
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
    details: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
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
    data: dict[str, Any] = {
        "report": "policy-site consent audit",
        "format": REPORT_FORMAT,
        "as_of": _as_of(as_of, os.environ),
        "verdict": "fail" if violations else "pass",
        "target": {"mode": site.mode, "given": site.target, "origin": _origin(site.display)},
        "browser": f"Chromium {collected.browser}",
        "consent": {
            "file": str(consent),
            "categories": [
                {
                    "id": c.id,
                    "title": c.title["en"],
                    "gpc": c.gpc,
                    "cookies": [i.name or i.pattern for i in c.cookies],
                    "storage": [i.name or i.pattern for i in c.storage],
                    "indexeddb": [i.name or i.pattern for i in c.indexeddb],
                    "caches": [i.name or i.pattern for i in c.caches],
                    "hosts": sorted(declared.hosts.get(c.id, ())),
                }
                for c in config.categories
            ],
            "choice_page": collected.choice_page,
        },
        "pages": site.pages,
        "release": {
            "consent_files": sorted(consent_files),
            "policy_version": next((run.record.get("pv") for run in runs if run.record), None),
        },
        "csp": {
            "policies": [
                {"policy": policy or None, "pages": sorted(paths)}
                for policy, paths in sorted(csp_pages.items())
            ],
            "hosts": [
                {"host": h, "directives": sorted(d), "categories": declared.host_categories(h)}
                for h, d in sorted(hosts.items())
            ],
        },
        "screenshots": dict(sorted(collected.screenshots.items())),
        "summary": summary,
        "cookies": _inventory(details),
        "violations": violations,
        "states": details,
    }
    json_path = out / "report.json"
    html_path = out / "report.html"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(data), encoding="utf-8")
    return Report(data, violations, json_path, html_path)


def _inventory(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every cookie seen, with the states it was seen in."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for state in states:
        for cookie in state["cookies"]:
            key = (cookie["name"], cookie["domain"], cookie["path"])
            entry = found.setdefault(
                key,
                {
                    "name": cookie["name"],
                    "domain": cookie["domain"],
                    "path": cookie["path"],
                    "categories": cookie["categories"],
                    "states": [],
                },
            )
            entry["states"].append(state["id"])
    return [found[k] for k in sorted(found)]


# -- HTML ----------------------------------------------------------------------------------------

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


# -- command line --------------------------------------------------------------------------------


def _host_mapping(text: str) -> tuple[str, str]:
    host, sep, address = text.partition("=")
    if not sep or not host.strip() or not address.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r}: write HOST=IP, e.g. ads.partner.test=127.0.0.1"
        )
    return host.strip(), address.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="audit",
        description="Load every page of the site in Chromium in each consent state, record what "
        "it does, judge it against consent.yml and write audit/report.json and report.html. "
        "Exit status: 0 clean, 1 violations (each printed), 2 the audit could not run.",
    )
    parser.add_argument(
        "target", nargs="?", default="site", help="a built site's folder (default: site) or a URL"
    )
    parser.add_argument("--consent", type=Path, default=Path("consent/consent.yml"))
    parser.add_argument("--out", type=Path, default=Path("audit"))
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the host name a folder is served under (default {DEFAULT_HOST})",
    )
    parser.add_argument(
        "--map",
        dest="maps",
        action="append",
        default=[],
        type=_host_mapping,
        metavar="HOST=IP",
        help="resolve HOST to IP in Chromium (repeatable); other hosts resolve nowhere",
    )
    parser.add_argument(
        "--as-of", help="the date or time the report says it was made (else SOURCE_DATE_EPOCH)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        help=f"consent states audited at a time (default {DEFAULT_JOBS})",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE,
        help=f"seconds with no request in flight after load before a page counts as done "
        f"(default {DEFAULT_SETTLE})",
    )
    args = parser.parse_args(argv)
    try:
        report = audit(
            args.target,
            consent=args.consent,
            out=args.out,
            host=args.host,
            host_map=dict(args.maps),
            as_of=args.as_of,
            settle=args.settle,
            jobs=args.jobs,
            log=lambda text: print(text, file=sys.stderr, flush=True),
        )
    except (AuditError, chromium.ChromiumMissingError) as err:
        print(f"audit: {err}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] != "playwright":
            raise
        print("audit: Playwright is missing: ./scripts/audit installs it (pip install -e '.[dev]')")
        return 2
    for violation in report.violations:
        print(f"VIOLATION {violation}")
    summary = report.data["summary"]
    for row in summary:
        print(
            f"{row['state']:<18} {row['verdict']:<4}  pages {row['pages']}, requests "
            f"{row['first_party_requests']} first / {row['third_party_requests']} third party, "
            f"cookies {row['cookies']}, storage {row['storage_keys']}, beacons {row['beacons']}, "
            f"errors {row['console_errors'] + row['csp_violations']}, "
            f"violations {row['violations']}"
        )
    verdict = f"{len(report.violations)} violation(s)" if report.violations else "clean"
    print(f"audit: {verdict}; report: {report.json_path} and {report.html_path}")
    return report.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
