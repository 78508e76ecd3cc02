"""The consent bundle's size for ``./scripts/bench``, a Markdown table, and what the browser runs
of ``benchmarks.bench_banner`` share with it: our bundle as the build renders it, and the other
libraries' files, installed with npm.

Size: what a page loads of the bundle the real build renders (one language's script, minified, and
the stylesheet; the larger language) against what a site ships with
other consent libraries, installed with npm into ``.cache/bench/npm/<package>@<version>/`` (one
prefix each: ``npm install --no-save`` prunes what a prefix's package.json does not list; reused
when present). Each file is compressed on its own, as a server sends it: gzip -9 by zlib, as web
servers do (GNU gzip's own deflate comes out 0.05-0.3 % smaller), without a file name in the
header; brotli at quality 11 by the ``brotli`` package if installed, else by Node's zlib.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from policy_site.consent import Bundle, load_consent, render_bundle
from policy_site.site import read_config

__all__ = [
    "LIBRARIES",
    "VANILLA",
    "Library",
    "NotMeasuredError",
    "SizeResults",
    "Sizes",
    "cell",
    "gzip_size",
    "install",
    "largest_language",
    "library_files",
    "measure_sizes",
    "our_bundle",
    "size_table",
    "write_bundle",
]

ROOT = Path(__file__).resolve().parents[1]
NPM_CACHE = ROOT / ".cache" / "bench" / "npm"
REVISION = "2007-10-01"
POLICY_URL = "https://www.toontrack.com/privacy/"


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


def largest_language(bundle: Bundle) -> str:
    """The language whose page loads the most of the bundle, gzip -9: the one the budget counts
    (every language's page loads the same stylesheet)."""
    return max(
        bundle.scripts, key=lambda language: gzip_size(bundle.scripts[language].content.encode())
    )


def write_bundle(bundle: Bundle, folder: Path, language: str | None = None) -> list[Path]:
    """What a page in ``language`` loads of the bundle before any click, its JS and the CSS, in
    ``folder`` under their hashed names; its dialog and the dialog's stylesheet, which the JS
    loads from its own folder when the dialog is first opened, are written beside them but not
    returned."""
    paths = []
    dialog = bundle.dialogs[bundle.language(language)]
    for asset in (bundle.script(language), bundle.css, dialog, bundle.dialog_css):
        path = folder / Path(asset.path).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(asset.content, encoding="utf-8")
        paths.append(path)
    return paths[:2]


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


def library_files(library: Library) -> list[Path]:
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


def gzip_size(data: bytes) -> int:
    """Bytes of ``data`` compressed on its own, as a server sends it: gzip -9 by zlib, no file
    name or time in the header."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def measure(paths: Sequence[Path]) -> Sizes:
    """Total size of the files, each compressed on its own."""
    contents = [path.read_bytes() for path in paths]
    brotli = _brotli_sizes(paths)
    return Sizes(
        raw=sum(len(data) for data in contents),
        gzip=sum(gzip_size(data) for data in contents),
        brotli=None if brotli is None else sum(brotli),
    )


def cell(text: str) -> str:
    """Text that cannot break a Markdown table cell."""
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
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_bundle(bundle, Path(tmp), largest_language(bundle))
        ours, names = measure(paths), tuple(path.name for path in paths)
    libraries: list[tuple[Library, Sizes | str]] = []
    for library in LIBRARIES:
        try:
            libraries.append((library, measure(library_files(library))))
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
            rows.append(f"| {library.label} | {files} | not measured: {cell(sizes)} | | | |")
        else:
            rows.append(_size_row(library.label, files, sizes, ours))
    return "\n".join(rows) + "\n\n" + _SIZE_NOTE
