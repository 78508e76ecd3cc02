"""Chromium through Playwright's async API: each state set as a visitor sets it, each page visited
and recorded. Playwright is imported only when an audit runs."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policy_site.audit.record import (
    _evaluate,
    _PageVisit,
    _path_of,
    _Recorder,
    _settle,
    _Site,
    _StateRun,
)
from policy_site.audit.schema import Choice, Screenshot
from policy_site.audit.settings import (
    BEFORE_CHOICE,
    CHOICE_TIMEOUT,
    LOAD_TIMEOUT_MS,
    MAX_REFRESH,
    MAX_SETTLE,
    STORAGE_AREAS,
)
from policy_site.audit.states import State, could_not_run, expected_services, service_name
from policy_site.audit.states import title as category_title
from policy_site.consent.config import ConsentConfig

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
        Page,
    )


_SCRIPTS = Path(__file__).resolve().parent / "scripts"
#: What a page holds (scripts/probe.js).
_PROBE = (_SCRIPTS / "probe.js").read_text(encoding="utf-8")
_GPC_SCRIPT = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
)
_CONSENT_RECORD = "() => window.PrivacyConsent ? window.PrivacyConsent.get() : null"
#: The language in a consent script's name: assets/consent.de.<hash>.js, consent/consent.de.js.
_SCRIPT_LANGUAGE = re.compile(r"/consent\.([a-z]{2,3}(?:-[A-Za-z0-9]+)*)\.(?:[0-9a-f]{12}\.)?js$")


def page_language(config: ConsentConfig, found: Mapping[str, Any]) -> str:
    """The language of the consent texts a page shows (``found``: what scripts/probe.js read):
    that of the consent script it loaded, else of the banner's name, else the page's own
    (or its primary language: de for de-CH), else consent.yml's first."""
    languages = config.languages
    for src in found.get("scripts") or []:
        match = _SCRIPT_LANGUAGE.search(str(src).split("?", 1)[0])
        if match and match.group(1) in languages:
            return match.group(1)
    named = [lang for lang in languages if config.texts[lang]["region"] == found.get("region")]
    if len(named) == 1:
        return named[0]
    page = str(found.get("lang") or "").lower()
    for lang in named or languages:
        if lang.lower() == page:
            return lang
    for lang in named or languages:
        if lang.lower().split("-")[0] == page.split("-")[0]:
            return lang
    return (named or languages)[0]


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
        #: The language of the texts on the choice page: the report names categories in it.
        self.language = config.languages[0]
        self.screenshots: dict[str, Screenshot] = {}
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
                    with could_not_run(f"the state {state.id!r} ({state.label})"):
                        return await self.run(state)
                finally:
                    if state.id == "no-choice":
                        self._choice_known.set()

        return list(await asyncio.gather(*(one(state) for state in states)))

    async def run(self, state: State) -> _StateRun:
        started = time.monotonic()
        run = _StateRun(state, _Recorder(self.site.host, self.site.normalize, self.site.blocked))
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
                self.screenshots[shot] = Screenshot(file=f"{shot}.png", page=visit.final_path)
                await page.screenshot(path=self.out / f"{shot}.png")
            if run.state.id == "no-choice" and not self._choice_known.is_set():
                self.choice_page = visit.final_path
                self.language = page_language(self.config, found)
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
        run.choice = Choice(page=where, clicked=clicked)
        try:
            run.recorder.page = f"{BEFORE_CHOICE}{where})"
            await page.goto(self.site.url(where), wait_until="load", timeout=LOAD_TIMEOUT_MS)
            await _settle(page, run.recorder, self.settle)
            found = await self._probe(page, run)
            await self._sample(page, run, run.recorder.page, found)
            lang = page_language(self.config, found)
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
                if state.category == first and state.service is None:
                    self.screenshots["dialog"] = Screenshot(file="dialog.png", page=where)
                    await page.screenshot(path=self.out / "dialog.png")
                title = category_title(self.config, state.category or "", lang)
                if state.service is None:
                    switch = dialog.get_by_role("switch", name=title, exact=True)
                else:  # one service alone: its switch, in its category's group
                    group = dialog.get_by_role("group", name=title, exact=True)
                    title = service_name(self.config, state.category or "", state.service)
                    switch = group.get_by_role("switch", name=title, exact=True)
                await switch.check()
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
        if "s" in record:
            run.record["s"] = record["s"]
        expected = {c.id: c.id in state.granted for c in self.config.categories if not c.necessary}
        services = expected_services(self.config, state)
        if (
            record.get("c") != expected
            or record.get("s") != services
            or bool(record.get("gpc")) != state.gpc
        ):
            got = _said(record.get("c"), record.get("s"), record.get("gpc"))
            want = _said(expected, services, state.gpc)
            run.problems.append(("choice", label, "record", f"recorded {got}, clicked {want}"))


def _said(categories: Any, services: Any, gpc: Any) -> str:
    """A record's choice as a finding quotes it: its categories, services (if any) and GPC."""
    said = json.dumps(categories, sort_keys=True)
    if services is not None:
        said += f", services {json.dumps(services, sort_keys=True)}"
    return f"{said} (gpc {gpc})"


# -- judging -------------------------------------------------------------------------------------
