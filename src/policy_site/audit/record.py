"""What a page visit records: requests, beacons, cookies, storage, console and CSP errors."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from policy_site.audit.schema import Choice
from policy_site.audit.settings import BEACON_TYPES, LOAD_TIMEOUT_MS, MAX_SETTLE
from policy_site.audit.states import State

if TYPE_CHECKING:
    from playwright.async_api import (
        BrowserContext,
        ConsoleMessage,
        Page,
        Request,
        WebError,
    )


_SCRIPTS = Path(__file__).resolve().parent / "scripts"
#: Reports CSP violations and beacon calls of every frame to the audit (scripts/init.js).
_INIT_SCRIPT = (_SCRIPTS / "init.js").read_text(encoding="utf-8")


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


#: Chromium's console error for a resource whose host name did not resolve.
_UNRESOLVED = "Failed to load resource: net::ERR_NAME_NOT_RESOLVED"


@dataclass
class _Recorder:
    """Listens to one browser context; ``page`` names the page that events belong to."""

    site_host: str
    normalize: Callable[[str], str]
    #: Whether the audit itself keeps a host name from resolving (see _Site.blocked).
    blocked: Callable[[str], bool] = lambda _name: False
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
            # A host the audit keeps from resolving: the browser's complaint is the audit's own
            # doing (a partner's pixel, allowed after consent, has nowhere to load from); the
            # request itself is recorded and judged.
            if message.text.startswith(_UNRESOLVED) and self.blocked(
                urlsplit(where).hostname or ""
            ):
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
    choice: Choice | None = None
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
    #: The host names that resolve in the audit's Chromium (the site's and those --map names);
    #: None for a live site audited with the real name resolution.
    resolving: frozenset[str] | None = None

    def blocked(self, name: str) -> bool:
        """Whether the audit itself keeps ``name`` from resolving."""
        return self.resolving is not None and name not in self.resolving and name != self.host

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
