"""The browser part of ``./scripts/bench``: our bundle against vanilla-cookieconsent in Chromium.

Two pages with the same text, one with our bundle and one with vanilla-cookieconsent, served on
loopback by policy_site.serve (gzip at level 6) and opened in Chromium, a fresh context per run;
the runs of the two pages alternate, one warm-up run of each is dropped, and the tables give the
medians. An init script (``bench_banner.js``) records, in each run:

Time to banner: ``performance.now()`` (milliseconds since navigation start) when the banner first
has a box and is visible.

Main-thread time: the DevTools protocol's ``Performance.getMetrics``, enabled on the blank page
before navigating and read once both the load event and the banner have been seen. Its
``TaskDuration`` is the time of every task the page's main thread ran (parsing, style, layout,
paint, script, timers), reported as the main-thread time; ``ScriptDuration`` is the part of it
spent running JavaScript, shown beside it. They are not added together: TaskDuration already
includes ScriptDuration. A trace would split the time by task, which a comparison of two totals
does not need, and costs the page more while it loads than these counters do.

CLS from the banner: every ``layout-shift`` entry (a PerformanceObserver registered before the
page's scripts, ``buffered: true``) without recent input, summed, read once the load event and
the banner have been seen and two animation frames have passed, before any click. A sum over the
whole load, so never less than Chromium's CLS (its largest session window).

Bytes before any click, and with the dialog open: the consent library's JS and CSS responses, as
the network delivered them. The URLs are the page's Resource Timing entries just before the click,
then once the dialog is visible; each body is read from the DevTools protocol and compressed on
its own with gzip -9, as the size table counts (the server sends gzip at level 6). Ours: every file
whose name starts with ``consent`` and ends in ``.js`` or ``.css``, so a file the runtime fetches
when the dialog first opens counts too; our page loads the script of the language the size table
counts, the larger. vanilla-cookieconsent: its two files (the page's ``CookieConsent.run()``
call, vanilla-init.js, is not counted, as in the size table).

Click to dialog: from ``performance.now()`` just before the page clicks the banner's button that
opens the dialog (ours: "Manage choices" in the page's language; vanilla-cookieconsent's
"Manage preferences", given the same text) to the first animation frame on which the dialog is
visible.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.bench_consent import VANILLA, NotMeasuredError, cell, gzip_size
from benchmarks.bench_pages import Page, write_our_page, write_vanilla_page
from policy_site import chromium
from policy_site.serve import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Request
    from playwright.sync_api import Page as Tab

__all__ = [
    "BannerResults",
    "Run",
    "banner_table",
    "counted",
    "dialog_table",
    "layout_shift",
    "measure_banner",
    "summary_cell",
    "summary_value",
]

HOST = "bench.test"
TIMEOUT_MS = 10_000
PROBE = Path(__file__).with_name("bench_banner.js")


@dataclass(frozen=True)
class Run:
    banner: float
    dom_content_loaded: float
    script: float
    task: float
    #: The layout shifts before any click: (value, had recent input).
    shifts: tuple[tuple[float, bool], ...]
    click_to_dialog: float
    #: The library's responses, (file name, gzip -9 bytes), before the click and once the
    #: dialog is visible.
    before_click: tuple[tuple[str, int], ...]
    dialog_open: tuple[tuple[str, int], ...]

    @property
    def cls(self) -> float:
        return layout_shift(self.shifts)

    @property
    def bytes_before_click(self) -> int:
        return sum(size for _, size in self.before_click)

    @property
    def bytes_dialog_open(self) -> int:
        return sum(size for _, size in self.dialog_open)


def layout_shift(shifts: Iterable[Sequence[Any]]) -> float:
    """The sum of the layout shifts' values, leaving out those that followed an input."""
    return sum((float(value) for value, recent_input in shifts if not recent_input), 0.0)


def counted(urls: Iterable[str], files: re.Pattern[str]) -> list[str]:
    """The URLs whose path ends with a name ``files`` matches, each once, in their order."""
    found: dict[str, None] = {}
    for url in urls:
        name = url.split("#")[0].split("?")[0].rsplit("/", 1)[-1]
        if files.fullmatch(name):
            found[url] = None
    return list(found)


def _wait(tab: Tab, mark: str, what: str) -> None:
    from playwright.sync_api import Error as PlaywrightError

    try:
        tab.wait_for_function(f"() => window.__bench.{mark} !== null", timeout=TIMEOUT_MS)
    except PlaywrightError:
        raise NotMeasuredError(f"no visible {what} after {TIMEOUT_MS} ms") from None


def _responses(
    tab: Tab, finished: dict[str, Request], urls: list[str]
) -> tuple[tuple[str, int], ...]:
    """(file name, gzip -9 bytes) of each URL's response body, once its request has finished."""
    out = []
    for url in urls:
        if url not in finished:
            tab.wait_for_event("requestfinished", lambda request, url=url: request.url == url)
        response = finished[url].response()
        if response is None:
            raise NotMeasuredError(f"no response for {url}")
        out.append((url.rsplit("/", 1)[-1], gzip_size(response.body())))
    return tuple(out)


def _run_once(browser: Browser, url: str, page: Page) -> Run:
    context = browser.new_context()
    try:
        probe = PROBE.read_text(encoding="utf-8")
        shown = {"banner": page.banner, "button": page.button, "text": page.text}
        context.add_init_script(
            script=probe.replace("__PAGE__", json.dumps({**shown, "dialog": page.dialog}))
        )
        tab = context.new_page()
        finished: dict[str, Request] = {}

        def done(request: Request) -> None:
            finished.setdefault(request.url, request)

        tab.on("requestfinished", done)
        cdp = context.new_cdp_session(tab)
        cdp.send("Performance.enable")
        tab.goto(url, wait_until="load")
        _wait(tab, "banner", page.banner)
        marks = tab.evaluate(
            "() => [window.__bench.banner,"
            " performance.getEntriesByType('navigation')[0].domContentLoadedEventStart]"
        )
        metrics = {
            item["name"]: item["value"] for item in cdp.send("Performance.getMetrics")["metrics"]
        }
        tab.evaluate("() => window.__bench.settle()")
        shifts = tab.evaluate("() => window.__bench.shifts")
        if not tab.evaluate("() => window.__bench.open()"):
            raise NotMeasuredError(f"no {page.button} button says {page.text!r}")
        _wait(tab, "dialog", page.dialog)
        fetched, opened, click, dialog = tab.evaluate(
            "() => [window.__bench.fetched, window.__bench.fetchedNow(),"
            " window.__bench.click, window.__bench.dialog]"
        )
        return Run(
            banner=float(marks[0]),
            dom_content_loaded=float(marks[1]),
            script=1000 * float(metrics["ScriptDuration"]),
            task=1000 * float(metrics["TaskDuration"]),
            shifts=tuple((float(value), bool(recent)) for value, recent in shifts),
            click_to_dialog=float(dialog) - float(click),
            before_click=_responses(tab, finished, counted(fetched, page.files)),
            dialog_open=_responses(tab, finished, counted(opened, page.files)),
        )
    finally:
        context.close()


def _time_pages(
    browser: Browser, base: str, pages: list[Page], runs: int
) -> dict[str, list[Run] | str]:
    """Runs of each page (or why there are none), alternating, after one warm-up run each that
    is not counted."""
    results: dict[str, list[Run] | str] = {page.label: [] for page in pages}
    for index in range(runs + 1):
        for page in pages:
            done = results[page.label]
            if isinstance(done, str):
                continue
            try:
                run = _run_once(browser, base + page.path, page)
            except NotMeasuredError as err:
                results[page.label] = str(err)
                continue
            if index:
                done.append(run)
    return results


@dataclass(frozen=True)
class BannerResults:
    #: Chromium's version, as the browser reports it.
    chromium: str
    #: Label -> the counted runs of that page, or why there are none.
    runs: dict[str, list[Run] | str]


def measure_banner(runs: int) -> BannerResults:
    """``runs`` page loads each of our page and vanilla-cookieconsent's (after a warm-up each)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp), HOST) as base:
        pages = [write_our_page(Path(tmp))]
        results: dict[str, list[Run] | str] = {}
        try:
            pages.append(write_vanilla_page(Path(tmp)))
        except NotMeasuredError as err:
            results[VANILLA.label] = str(err)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium.executable(),
                args=chromium.launch_args({HOST: "127.0.0.1"}),
            )
            version = browser.version
            try:
                results = {**_time_pages(browser, base, pages, runs), **results}
            finally:
                browser.close()
    return BannerResults(version, results)


# --- the tables ----------------------------------------------------------------------------------


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(float(getattr(run, field)) for run in runs)


def summary_value(runs: list[Run], field: str) -> float:
    """What the summary says of one of Run's fields: the largest CLS of the runs (it must be 0
    in every one), the median of anything else."""
    if field == "cls":
        return float(max(run.cls for run in runs))
    return _median(runs, field)


def summary_cell(field: str, value: float) -> str:
    """A value of summary_value, in its unit."""
    if field == "cls":
        return f"{value:.4g}"
    if field.startswith("bytes_"):
        return f"{value:,.0f}"
    return f"{value:.1f} ms"


def _banner_row(label: str, runs: list[Run] | str) -> str:
    if isinstance(runs, str):
        return f"| {label} | not measured: {cell(runs)} | | | | | |"
    cells = [
        summary_cell(field, _median(runs, field))
        for field in ("banner", "dom_content_loaded", "task", "script")
    ]
    before = sum(run.banner <= run.dom_content_loaded for run in runs)
    return f"| {label} | {' | '.join(cells)} | {before}/{len(runs)} | {len(runs)} |"


_BANNER_NOTE = (
    "Both scripts are deferred, CSS in the head. Visible: a non-zero box, not display: none, "
    "visibility: hidden or opacity 0 (ours: .ppc-banner; vanilla-cookieconsent: #cc-main .cm, "
    "built hidden, shown by a class it adds on a 100 ms timer, then faded in; run with "
    "hideFromBots: false, as this Chromium reports navigator.webdriver). Main-thread time: the "
    "page's TaskDuration from CDP Performance.getMetrics, every task on its main thread from "
    "navigation until both the load event and the banner were seen; script: its ScriptDuration, "
    "part of that time, not added to it."
)


def banner_table(results: BannerResults) -> str:
    rows = [
        "| library | time to banner | DOMContentLoaded | main-thread time (all tasks) "
        "| of which script | banner by DOMContentLoaded | runs |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows += [_banner_row(label, page_runs) for label, page_runs in results.runs.items()]
    return "\n".join(rows) + "\n\n" + _BANNER_NOTE


def _dialog_row(label: str, runs: list[Run] | str) -> str:
    if isinstance(runs, str) or not runs:
        why = runs if isinstance(runs, str) else "no runs"
        return f"| {label} | not measured: {cell(why)} | | | | | |"
    loaded = dict(runs[0].dialog_open)
    for name, _ in runs[0].before_click:
        loaded.pop(name, None)
    added = ", ".join(f"{name} ({size:,})" for name, size in loaded.items()) or "none"
    cls = (_median(runs, "cls"), summary_value(runs, "cls"))
    cells = [
        summary_cell("bytes_", _median(runs, "bytes_before_click")),
        summary_cell("bytes_", _median(runs, "bytes_dialog_open")),
        cell(added),
        summary_cell("click_to_dialog", _median(runs, "click_to_dialog")),
        " / ".join(summary_cell("cls", value) for value in cls),
    ]
    return f"| {label} | {' | '.join(cells)} | {len(runs)} |"


_DIALOG_NOTE = (
    "Bytes: the library's JS and CSS responses the page had fetched (its Resource Timing "
    "entries), each body compressed on its own with gzip -9 as in the size table: before the "
    "click, and once the dialog is visible (ours: every consent*.js and consent*.css, the script "
    "in the size table's language; vanilla-cookieconsent: its two files, its run() call with our "
    "texts not counted). Click to dialog: from performance.now() just before the page clicks the "
    "banner's \"Manage choices\" (ours: the .ppc-btn with that text in the script's language; "
    "vanilla-cookieconsent: .cm__btn[data-role=show]) to the first animation frame on which the "
    "dialog is visible, tested as the banner is (ours: dialog.ppc-dialog[open]; "
    "vanilla-cookieconsent: #cc-main .pm, built on the first click, shown by a class it adds on a "
    "100 ms timer, then faded in). CLS: the layout-shift entries without recent input, summed "
    "from navigation until the load event, the banner and two animation frames after them, before "
    "any click."
)


def dialog_table(results: BannerResults) -> str:
    rows = [
        "| library | bytes before any click | bytes with the dialog open | loaded by the click "
        "| click to dialog | CLS from the banner (median / largest) | runs |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    rows += [_dialog_row(label, page_runs) for label, page_runs in results.runs.items()]
    return "\n".join(rows) + "\n\n" + _DIALOG_NOTE
