"""The consent parts of ``./scripts/bench``: bundle size and time to banner, each a Markdown table.

Size: what a page loads of the bundle the real build renders (one language's script, minified, and
the stylesheet; the larger language) against what a site ships with
other consent libraries, installed with npm into ``.cache/bench/npm/<package>@<version>/`` (one
prefix each: ``npm install --no-save`` prunes what a prefix's package.json does not list; reused
when present). Each file is compressed on its own, as a server sends it: gzip -9 by zlib, as web
servers do (GNU gzip's own deflate comes out 0.05-0.3 % smaller), without a file name in the
header; brotli at quality 11 by the ``brotli`` package if installed, else by Node's zlib.

Time to banner: two pages with the same text, one with our bundle and one with
vanilla-cookieconsent, served on loopback and opened in Chromium, a fresh context per run. An init
script records ``performance.now()`` (milliseconds since navigation start) when the banner first
has a box and is visible; the runs of the two pages alternate and one warm-up run of each is
dropped.

Main-thread time, on the same runs: the DevTools protocol's ``Performance.getMetrics``, enabled on
the blank page before navigating and read once both the load event and the banner have been seen.
Its ``TaskDuration`` is the time of every task the page's main thread ran (parsing, style, layout,
paint, script, timers), reported as the main-thread time; ``ScriptDuration`` is the part of it
spent running JavaScript, shown beside it. They are not added together: TaskDuration already
includes ScriptDuration. A trace would split the time by task, which a comparison of two totals
does not need, and costs the page more while it loads than these counters do.
"""

from __future__ import annotations

import functools
import gzip
import html
import importlib
import json
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policy_site import chromium
from policy_site.consent import Bundle, load_consent, render_bundle
from policy_site.serve import serving
from policy_site.site import read_config

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = [
    "LIBRARIES",
    "VANILLA",
    "BannerResults",
    "Library",
    "NotMeasuredError",
    "Run",
    "SizeResults",
    "Sizes",
    "banner_table",
    "install",
    "measure_banner",
    "measure_sizes",
    "median_ms",
    "size_table",
]

ROOT = Path(__file__).resolve().parents[1]
NPM_CACHE = ROOT / ".cache" / "bench" / "npm"
REVISION = "2007-10-01"
POLICY_URL = "https://www.toontrack.com/privacy/"
HOST = "bench.test"
BANNER_TIMEOUT_MS = 10_000


class NotMeasuredError(Exception):
    """A measurement that could not be made; its message goes into the table."""


@dataclass(frozen=True)
class Library:
    label: str
    package: str
    version: str
    #: The files a site ships, relative to the package's folder.
    files: tuple[str, ...]


VANILLA = Library(
    "vanilla-cookieconsent 3.1.0",
    "vanilla-cookieconsent",
    "3.1.0",
    ("dist/cookieconsent.umd.js", "dist/cookieconsent.css"),
)
_TARTEAUCITRON = ("tarteaucitronjs", "1.34.0")
LIBRARIES = (
    VANILLA,
    Library("klaro 0.7.22", "klaro", "0.7.22", ("dist/klaro.js",)),
    Library(
        "tarteaucitronjs 1.34.0",
        *_TARTEAUCITRON,
        (
            "tarteaucitron.js",
            "lang/tarteaucitron.en.js",
            "tarteaucitron.services.js",
            "css/tarteaucitron.css",
        ),
    ),
    Library(
        "tarteaucitronjs 1.34.0, .min files",
        *_TARTEAUCITRON,
        (
            "tarteaucitron.min.js",
            "lang/tarteaucitron.en.min.js",
            "tarteaucitron.services.min.js",
            "css/tarteaucitron.min.css",
        ),
    ),
    Library(
        "cookieconsent 3.1.1 (Osano)",
        "cookieconsent",
        "3.1.1",
        ("build/cookieconsent.min.js", "build/cookieconsent.min.css"),
    ),
)


# --- our bundle ----------------------------------------------------------------------------------


def our_bundle() -> Bundle:
    """The bundle exactly as the project's build renders it."""
    config = load_consent(ROOT / "consent" / "consent.yml")
    settings = read_config(ROOT / "mkdocs.yml").settings()
    urls = settings.policy_urls(POLICY_URL.removesuffix(settings.current_url()))
    return render_bundle(config, REVISION, POLICY_URL, policy_urls=urls)


def _write_bundle(bundle: Bundle, folder: Path, language: str | None = None) -> list[Path]:
    """What a page in ``language`` loads of the bundle, its JS and the CSS, in ``folder``, under
    their hashed names."""
    paths = []
    for asset in (bundle.script(language), bundle.css):
        path = folder / Path(asset.path).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(asset.content, encoding="utf-8")
        paths.append(path)
    return paths


# --- npm -----------------------------------------------------------------------------------------


def _npm_reason(stderr: str) -> str:
    """npm's error code and first message line, short enough for a table cell."""
    lines = [
        line.removeprefix("npm error").removeprefix("npm ERR!").strip()
        for line in stderr.splitlines()
    ]
    code = next((line[5:] for line in lines if line.startswith("code ")), "")
    message = next(
        (line for line in lines if line and not line.startswith(("code ", "syscall ", "errno "))),
        "no message",
    )
    return f"{code}: {message}"[:200] if code else message[:200]


@functools.cache
def install(package: str, version: str) -> Path | str:
    """The package's folder in the cache, installed on first use, or why it cannot be installed
    (remembered for the rest of the run)."""
    spec = f"{package}@{version}"
    folder = NPM_CACHE / spec
    if (folder / "node_modules" / package / "package.json").is_file():
        return folder / "node_modules" / package
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found"
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    # Installed aside, then renamed: an interrupted install never looks like a cached one.
    staging = Path(tempfile.mkdtemp(prefix=f".{package}-", dir=NPM_CACHE))
    command = [npm, "install", "--prefix", str(staging), "--no-save", "--ignore-scripts"]
    command += ["--no-audit", "--no-fund", "--loglevel=error", spec]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            return f"npm install {spec} failed, {_npm_reason(done.stderr)}"
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    except subprocess.TimeoutExpired:
        return f"npm install {spec} took more than 5 minutes"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / "node_modules" / package


def _library_files(library: Library) -> list[Path]:
    """The files the library ships, installed with npm; NotMeasuredError if they cannot be."""
    package = install(library.package, library.version)
    if isinstance(package, str):
        raise NotMeasuredError(package)
    missing = [name for name in library.files if not (package / name).is_file()]
    if missing:
        raise NotMeasuredError(f"{library.package}@{library.version} has no {', '.join(missing)}")
    return [package / name for name in library.files]


# --- sizes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    raw: int
    gzip: int
    brotli: int | None


_NODE_BROTLI = (
    "const fs = require('fs'), zlib = require('zlib');"
    "const q = {params: {[zlib.constants.BROTLI_PARAM_QUALITY]: 11}};"
    "console.log(JSON.stringify(process.argv.slice(1)"
    ".map((f) => zlib.brotliCompressSync(fs.readFileSync(f), q).length)));"
)


def _brotli_sizes(paths: Sequence[Path]) -> list[int] | None:
    """Brotli (quality 11) size of each file; None when neither the package nor Node is there."""
    try:
        brotli = importlib.import_module("brotli")
    except ImportError:
        node = shutil.which("node")
        if node is None:
            return None
        done = subprocess.run(
            [node, "-e", _NODE_BROTLI, *map(str, paths)], capture_output=True, check=True
        )
        return [int(size) for size in json.loads(done.stdout)]
    return [len(brotli.compress(path.read_bytes(), quality=11)) for path in paths]


def measure(paths: Sequence[Path]) -> Sizes:
    """Total size of the files, each compressed on its own."""
    contents = [path.read_bytes() for path in paths]
    brotli = _brotli_sizes(paths)
    return Sizes(
        raw=sum(len(data) for data in contents),
        gzip=sum(len(gzip.compress(data, compresslevel=9, mtime=0)) for data in contents),
        brotli=None if brotli is None else sum(brotli),
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _ratio(ours: int | None, theirs: int | None) -> str:
    return "n/a" if ours is None or not theirs else f"{ours / theirs:.2f}"


def _size_row(label: str, files: str, sizes: Sizes, ours: Sizes | None) -> str:
    brotli = "n/a" if sizes.brotli is None else f"{sizes.brotli:,}"
    fraction = "—"
    if ours is not None:
        parts = (
            _ratio(ours.raw, sizes.raw),
            _ratio(ours.gzip, sizes.gzip),
            _ratio(ours.brotli, sizes.brotli),
        )
        fraction = " / ".join(parts)
    return f"| {label} | {files} | {sizes.raw:,} | {sizes.gzip:,} | {brotli} | {fraction} |"


_SIZE_NOTE = (
    "tarteaucitronjs 1.34.0 loads its language, services and CSS files itself: unminified when the "
    "page includes tarteaucitron.js, as its README shows, and the .min files when the script's "
    "path contains .min. or comes from cdn.jsdelivr.net (second row)."
)


@dataclass(frozen=True)
class SizeResults:
    ours: Sizes
    ours_files: tuple[str, ...]
    #: Each library's sizes, or why it was not measured.
    libraries: tuple[tuple[Library, Sizes | str], ...]


def measure_sizes() -> SizeResults:
    """Our bundle as the build renders it, what a page in its largest language loads of it, and
    the files of each library in LIBRARIES."""
    bundle = our_bundle()
    measured = []
    with tempfile.TemporaryDirectory() as tmp:
        for language in bundle.scripts:
            paths = _write_bundle(bundle, Path(tmp) / language, language)
            measured.append((measure(paths), tuple(path.name for path in paths)))
    ours, names = max(measured, key=lambda found: found[0].gzip)
    libraries: list[tuple[Library, Sizes | str]] = []
    for library in LIBRARIES:
        try:
            libraries.append((library, measure(_library_files(library))))
        except NotMeasuredError as err:
            libraries.append((library, str(err)))
    return SizeResults(ours, names, tuple(libraries))


def size_table(results: SizeResults) -> str:
    rows = [
        "| library | files | raw bytes | gzip -9 bytes (zlib) | brotli bytes (q 11) "
        "| ours ÷ theirs (raw / gzip / brotli) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    ours = results.ours
    label = "ours: policy-site consent bundle, what one page loads (its language's JS + CSS)"
    rows.append(_size_row(label, ", ".join(results.ours_files), ours, None))
    for library, sizes in results.libraries:
        files = ", ".join(library.files)
        if isinstance(sizes, str):
            rows.append(f"| {library.label} | {files} | not measured: {_cell(sizes)} | | | |")
        else:
            rows.append(_size_row(library.label, files, sizes, ours))
    return "\n".join(rows) + "\n\n" + _SIZE_NOTE


# --- time to banner ------------------------------------------------------------------------------

_PARAGRAPHS = (
    "This privacy policy describes how personal data is collected and used when you visit this "
    "web site, create an account, buy a product or contact support.",
    "We process the data needed to deliver what you ask for: your account, your orders, your "
    "licences and your questions to us. Some of it we must keep for the periods the law sets.",
    "With your consent we also measure how the site is used and which advertisements bring "
    "visitors to us. You can change your choice at any time, and withdraw it as easily as you "
    "gave it.",
    "You have the right to access, correct and erase your personal data, to object to its "
    "processing, and to complain to a supervisory authority.",
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Privacy policy</title>
{head}
</head>
<body>
<main>
<h1>Privacy policy</h1>
{paragraphs}
</main>
</body>
</html>
"""

#: Records when the banner first has a box and is visible (checked on every DOM mutation and every
#: animation frame), in ``window.__bench.banner``.
_PROBE = """(() => {
  const selector = __SELECTOR__;
  const marks = (window.__bench = { banner: null });
  const shown = () => {
    const el = document.querySelector(selector);
    if (!el) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 &&
      el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const check = () => {
    if (marks.banner === null && shown()) marks.banner = performance.now();
    return marks.banner !== null;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  const frame = () => { if (check()) observer.disconnect(); else requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();
"""


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    #: The banner element, as it is in the library's DOM.
    selector: str


@dataclass(frozen=True)
class Run:
    banner: float
    dom_content_loaded: float
    script: float
    task: float


def _page(head: str) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(text)}</p>" for text in _PARAGRAPHS)
    return _PAGE.format(head=head, paragraphs=paragraphs)


def _write_our_page(folder: Path) -> Page:
    bundle = our_bundle()
    _write_bundle(bundle, folder)
    css, js = Path(bundle.css.path).name, Path(bundle.js.path).name
    # As the plugin's theme/main.html includes it.
    head = (
        f'<link rel="stylesheet" href="{css}" integrity="{bundle.css.integrity}">\n'
        f'<script src="{js}" integrity="{bundle.js.integrity}" defer></script>'
    )
    (folder / "ours.html").write_text(_page(head), encoding="utf-8")
    return Page("ours", "ours.html", ".ppc-banner")


def _vanilla_config() -> dict[str, Any]:
    """A minimal CookieConsent.run() config, with our English texts."""
    texts = load_consent(ROOT / "consent" / "consent.yml").texts["en"]
    section = {"title": "Analytics", "description": "Site usage.", "linkedCategory": "analytics"}
    return {
        # Its default hides the banner from browsers that say they are automated, as this one does.
        "hideFromBots": False,
        "categories": {"necessary": {"enabled": True, "readOnly": True}, "analytics": {}},
        "language": {
            "default": "en",
            "translations": {
                "en": {
                    "consentModal": {
                        "title": texts["region"],
                        "description": texts["banner"],
                        "acceptAllBtn": texts["accept_all"],
                        "acceptNecessaryBtn": texts["reject_all"],
                        "showPreferencesBtn": texts["manage"],
                    },
                    "preferencesModal": {
                        "title": texts["dialog_title"],
                        "acceptAllBtn": texts["accept_all"],
                        "acceptNecessaryBtn": texts["reject_all"],
                        "savePreferencesBtn": texts["save"],
                        "closeIconLabel": texts["close"],
                        "sections": [section],
                    },
                }
            },
        },
    }


def _write_vanilla_page(folder: Path) -> Page:
    js, css = _library_files(VANILLA)
    for path in (js, css):
        shutil.copyfile(path, folder / path.name)
    config = json.dumps(_vanilla_config(), ensure_ascii=False, indent=1)
    (folder / "vanilla-init.js").write_text(f"CookieConsent.run({config});\n", encoding="utf-8")
    head = (
        f'<link rel="stylesheet" href="{css.name}">\n'
        f'<script src="{js.name}" defer></script>\n'
        '<script src="vanilla-init.js" defer></script>'
    )
    (folder / "vanilla.html").write_text(_page(head), encoding="utf-8")
    return Page(VANILLA.label, "vanilla.html", "#cc-main .cm")


def _run_once(browser: Browser, url: str, selector: str) -> Run:
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context()
    try:
        context.add_init_script(script=_PROBE.replace("__SELECTOR__", json.dumps(selector)))
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url, wait_until="load")
        try:
            page.wait_for_function(
                "() => window.__bench.banner !== null", timeout=BANNER_TIMEOUT_MS
            )
        except PlaywrightError:
            raise NotMeasuredError(f"no visible {selector} after {BANNER_TIMEOUT_MS} ms") from None
        marks = page.evaluate(
            "() => [window.__bench.banner,"
            " performance.getEntriesByType('navigation')[0].domContentLoadedEventStart]"
        )
        metrics = {
            item["name"]: item["value"] for item in cdp.send("Performance.getMetrics")["metrics"]
        }
        return Run(
            banner=float(marks[0]),
            dom_content_loaded=float(marks[1]),
            script=1000 * float(metrics["ScriptDuration"]),
            task=1000 * float(metrics["TaskDuration"]),
        )
    finally:
        context.close()


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(float(getattr(run, field)) for run in runs)


def _banner_row(label: str, runs: list[Run] | str) -> str:
    if isinstance(runs, str):
        return f"| {label} | not measured: {_cell(runs)} | | | | | |"
    cells = [
        f"{_median(runs, field):.1f} ms"
        for field in ("banner", "dom_content_loaded", "task", "script")
    ]
    before = sum(run.banner <= run.dom_content_loaded for run in runs)
    return f"| {label} | {' | '.join(cells)} | {before}/{len(runs)} | {len(runs)} |"


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
                run = _run_once(browser, base + page.path, page.selector)
            except NotMeasuredError as err:
                results[page.label] = str(err)
                continue
            if index:
                done.append(run)
    return results


_BANNER_NOTE = (
    "Both scripts are deferred, CSS in the head. Visible: a non-zero box, not display: none, "
    "visibility: hidden or opacity 0 (ours: .ppc-banner; vanilla-cookieconsent: #cc-main .cm, "
    "built hidden, shown by a class it adds on a 100 ms timer, then faded in; run with "
    "hideFromBots: false, as this Chromium reports navigator.webdriver). Main-thread time: the "
    "page's TaskDuration from CDP Performance.getMetrics, every task on its main thread from "
    "navigation until both the load event and the banner were seen; script: its ScriptDuration, "
    "part of that time, not added to it."
)


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
        pages = [_write_our_page(Path(tmp))]
        results: dict[str, list[Run] | str] = {}
        try:
            pages.append(_write_vanilla_page(Path(tmp)))
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


def median_ms(runs: list[Run], field: str) -> float:
    """The median of one of Run's fields, in ms."""
    return _median(runs, field)


def banner_table(results: BannerResults) -> str:
    rows = [
        "| library | time to banner | DOMContentLoaded | main-thread time (all tasks) "
        "| of which script | banner by DOMContentLoaded | runs |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows += [_banner_row(label, page_runs) for label, page_runs in results.runs.items()]
    return "\n".join(rows) + "\n\n" + _BANNER_NOTE
