"""``./scripts/bench``: one Markdown document of measurements, never asserted by a test.

Everything in it is measured in the same run, and summed up in one table at the top: the consent
bundle's size against other consent libraries (``benchmarks.bench_consent``); against
vanilla-cookieconsent in Chromium, its time to banner, main-thread time, the bytes of JS and CSS
fetched before any click and once the dialog is open, the time from the click to the dialog, and
the layout shift the banner causes (``benchmarks.bench_banner``); the build time against plain
mkdocs-material; the receipts receiver's rate and latency on SQLite and PostgreSQL
(``benchmarks.bench_receipts``), and of 1, 2 and 4 receivers behind nginx on one PostgreSQL
database against the database alone (``benchmarks.bench_scale``); the weight of ``/privacy/``
and Lighthouse's four scores on it, on this project's real build (``benchmarks.bench_site``). The
details of each part follow the table. The date is ``SOURCE_DATE_EPOCH``'s, else today's; the
machine is printed with it. ``--only`` runs some parts.

Build time: a site of N versions built with this plugin, against a plain mkdocs-material build of
the same N pages with the plugin off. Each build is a fresh ``mkdocs build`` process; the median of
several runs of its CPU time (user + system) is reported, the two sites' builds alternating.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import bench_banner, bench_consent, bench_receipts, bench_scale, bench_site
from benchmarks.bench_consent import NotMeasuredError
from policy_site import chromium
from policy_site.dates import build_date
from policy_site.versions.lock import updated_lock, write_lock
from policy_site.versions.policy import read_versions
from policy_site.versions.rules import restate_effective_date

__all__ = ["Row", "Section", "bench_date", "main", "markdown_table", "summary_table"]

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "docs" / "privacy" / "versions" / "2007-10-01.md"
FIRST = dt.date(2000, 1, 1)


# --- the document --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A row of the summary table: ours, against what, theirs, and ours ÷ theirs."""

    measure: str
    ours: str
    against: str = "—"
    theirs: str = "—"
    ratio: str = "—"


@dataclass
class Section:
    """One part's rows of the summary, lines listed under it, and its details."""

    rows: list[Row]
    details: str
    under: list[str] = field(default_factory=list)


def cell(text: str) -> str:
    """Text that cannot break a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r`` (default ``l``)."""
    align = align.ljust(len(header), "l")
    rule = ["---:" if letter == "r" else "---" for letter in align]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(cell(text) for text in line) + " |" for line in lines)


def summary_table(rows: Iterable[Row]) -> str:
    header = ("measure", "policy-site", "against", "theirs", "policy-site ÷ theirs")
    table = [(row.measure, row.ours, row.against, row.theirs, row.ratio) for row in rows]
    return markdown_table(header, table, "lrlrr")


def ratio(ours: float | None, theirs: float | None) -> str:
    return "n/a" if ours is None or not theirs else f"{ours / theirs:.2f}"


def bench_date(environ: Mapping[str, str] | None = None) -> dt.date:
    """``SOURCE_DATE_EPOCH``'s date (UTC), else today's."""
    env = os.environ if environ is None else environ
    return build_date("UTC", {"SOURCE_DATE_EPOCH": env.get("SOURCE_DATE_EPOCH", "")})


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


def cpu_model(cpuinfo: str | None = None) -> str:
    """The CPU's model name from /proc/cpuinfo, else what the platform module knows."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        except OSError:
            cpuinfo = ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def machine() -> str:
    try:
        browser = _first_line([chromium.executable(), "--version"]) or "Chromium: no version"
    except chromium.ChromiumMissingError:
        browser = "no Chromium"
    node = shutil.which("node")
    node_version = _first_line([node, "--version"]) if node else ""
    return (
        f"{cpu_model()} ({platform.machine()}), {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
        f"{browser}; Node {node_version or 'not found'}"
    )


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "n/a"


# --- build time ----------------------------------------------------------------------------------


def _versions(count: int) -> list[tuple[str, str]]:
    """(effective date, Markdown) for ``count`` versions, each one sentence longer than the last."""
    body = SEED.read_text(encoding="utf-8").split("---\n", 2)[2]
    out = []
    for index in range(count):
        day = FIRST + dt.timedelta(days=10 * index)
        text = body.replace("## Effective Date", f"Revision {index}.\n\n## Effective Date")
        # Each states its own effective date, as the check requires.
        out.append((day.isoformat(), restate_effective_date(text, day)[0]))
    return out


def _write_site(folder: Path, count: int, plugin: bool) -> Path:
    versions_dir = folder / "docs" / "privacy" / "versions"
    versions_dir.mkdir(parents=True)
    for index, (day, text) in enumerate(_versions(count)):
        front = f"title: Policy\neffective: {day}\n"
        if index:
            front += f"change: editorial\nsummary: Adds revision {index}.\n"
            # As the project's own 2027 version does: the 2007 wording is kept knowingly.
            front += "lint:\n  check-back-wording: kept from the first version\n"
        (versions_dir / f"{day}.md").write_text(f"---\n{front}---\n{text}", encoding="utf-8")
    if plugin:
        versions, _ = read_versions(versions_dir)
        lock_path = folder / "docs/privacy/versions.lock"
        write_lock(lock_path, updated_lock(versions, {}, FIRST, lock_path, versions_dir).lock)
    else:
        (folder / "docs" / "index.md").write_text("# Plain\n", encoding="utf-8")
    config = [
        "site_name: Bench",
        "site_url: https://bench.example/",
        "theme:",
        "  name: material",
        "  font: false",
        # Both sites name their navigation, as a real one does (mkdocs.yml of this project too).
        "nav:",
        f"  - Policy: privacy/{'index.md' if plugin else 'versions/' + _versions(1)[0][0] + '.md'}",
        "markdown_extensions:",
        "  - toc:",
        "      permalink: true",
    ]
    if plugin:
        config += ["plugins:", "  - policy-site"]
    else:
        config += ["plugins: []"]
    (folder / "mkdocs.yml").write_text("\n".join(config) + "\n", encoding="utf-8")
    return folder


def _build_seconds(project: Path) -> float:
    """CPU seconds (user + system) of one ``mkdocs build`` process: steadier than wall time on a
    shared machine, and the same thing for a single-threaded build."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "POLICY_SITE_AS_OF": "2030-01-01"}
    site = project / "site"
    shutil.rmtree(site, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)],
        cwd=project, env=env, check=True,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def build_times(counts: list[int], runs: int) -> list[tuple[int, float, float]]:
    """(versions, plain mkdocs-material s, with policy-site s) for each count: the median of
    ``runs`` builds each, the two sites' builds alternating so that both see the same load."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in counts:
            ours = _write_site(Path(tmp) / f"ours-{count}", count, plugin=True)
            plain = _write_site(Path(tmp) / f"plain-{count}", count, plugin=False)
            times: dict[Path, list[float]] = {plain: [], ours: []}
            for _ in range(runs):
                for project, seconds in times.items():
                    seconds.append(_build_seconds(project))
            out.append((count, statistics.median(times[plain]), statistics.median(times[ours])))
    return out


def _build_section(args: argparse.Namespace, context: _Context) -> Section:
    counts = [int(count) for count in args.versions.split(",")]
    times = build_times(counts, args.runs)
    rows = [
        Row(
            f"site build CPU time, {count} version{'s' if count != 1 else ''}",
            f"{ours:.2f} s",
            "plain mkdocs-material, same pages",
            f"{plain:.2f} s",
            ratio(ours, plain),
        )
        for count, plain, ours in times
    ]
    table = markdown_table(
        ("versions", "plain mkdocs-material", "with policy-site", "ratio"),
        [(str(c), f"{p:.2f} s", f"{o:.2f} s", f"{o / p:.2f}x") for c, p, o in times],
        "rrrr",
    )
    details = (
        f"### Site build time\n\nCPU time (user + system) of one `mkdocs build` process, median of "
        f"{args.runs} runs, the plain and the policy-site builds alternating: steadier than wall "
        "time on a shared machine, but single builds of the same site still differ by up to 40% "
        "here. The policy-site build writes twice the pages: each version has its page and a "
        "redline against the one before.\n\n" + table
    )
    return Section(rows, details)


# --- consent -------------------------------------------------------------------------------------


def _sizes_section(args: argparse.Namespace, context: _Context) -> Section:
    results = bench_consent.measure_sizes()
    ours = results.ours
    rows = []
    for library, sizes in results.libraries:
        measure = "consent bundle (JS + CSS), bytes gzip -9 / brotli q 11"
        theirs = library.label
        if isinstance(sizes, str):
            rows.append(Row(measure, _bytes_pair(ours), theirs, f"not measured: {sizes}", "n/a"))
            continue
        both = f"{ratio(ours.gzip, sizes.gzip)} / {ratio(ours.brotli, sizes.brotli)}"
        rows.append(Row(measure, _bytes_pair(ours), theirs, _bytes_pair(sizes), both))
    details = (
        "### Consent bundle size\n\nOurs, rendered as the build does, as a page in its larger "
        "language loads it (that language's script and the stylesheet), against the files a site "
        "ships with each library (each file compressed on its own):\n\n"
        + bench_consent.size_table(results)
    )
    return Section(rows, details)


def _bytes_pair(sizes: bench_consent.Sizes) -> str:
    brotli = "n/a" if sizes.brotli is None else f"{sizes.brotli:,}"
    return f"{sizes.gzip:,} / {brotli}"


#: The rows the browser runs give the summary: Run's field, and what it measures.
BANNER_ROWS = (
    ("banner", "time to banner, ms from navigation start, median of {runs} runs"),
    ("task", "main-thread time until load and banner (all tasks), median of {runs} runs"),
    ("bytes_before_click", "consent JS + CSS fetched before any click, bytes gzip -9"),
    ("bytes_dialog_open", "consent JS + CSS fetched once the dialog is open, bytes gzip -9"),
    (
        "click_to_dialog",
        "click on the banner's Manage choices to the dialog, median of {runs} runs",
    ),
    ("cls", "CLS from the banner, before any click, largest of {runs} runs"),
)


def _banner_section(args: argparse.Namespace, context: _Context) -> Section:
    results = bench_banner.measure_banner(args.banner_runs)
    context.chromium = results.chromium
    ours = results.runs.get("ours")
    vanilla = results.runs.get(bench_consent.VANILLA.label)
    against = f"{bench_consent.VANILLA.label}, same page"
    rows = []
    for name, measure in BANNER_ROWS:
        mine, theirs = _summary_value(ours, name), _summary_value(vanilla, name)
        value = (
            ratio(mine, theirs) if isinstance(mine, float) and isinstance(theirs, float) else "n/a"
        )
        rows.append(
            Row(measure.format(runs=args.banner_runs), _value_cell(mine, name), against,
                _value_cell(theirs, name), value)
        )  # fmt: skip
    details = (
        f"### Time to banner and main-thread time\n\nHeadless Chromium {results.chromium}, ms "
        f"since navigation start, median of {args.banner_runs} runs each (fresh context per run, "
        "one warm-up run dropped):\n\n" + bench_banner.banner_table(results) + "\n\n"
        "### Bytes before and after the dialog opens, click to dialog, CLS\n\nThe same runs, "
        "from the network's side and the page's:\n\n" + bench_banner.dialog_table(results)
    )
    return Section(rows, details)


def _summary_value(runs: list[bench_banner.Run] | str | None, name: str) -> float | str:
    """The value the summary gives, or why there is none."""
    if runs is None:
        return "not measured"
    if isinstance(runs, str):
        return f"not measured: {runs}"
    return bench_banner.summary_value(runs, name) if runs else "no runs"


def _value_cell(value: float | str, name: str) -> str:
    return value if isinstance(value, str) else bench_banner.summary_cell(name, value)


# --- the project's site: weight of /privacy/, Lighthouse -----------------------------------------


@dataclass
class _Context:
    """What the parts share in one run: the project's site, built once, and Chromium's version."""

    stack: ExitStack
    site: Path | None = None
    chromium: str = ""

    def built_site(self) -> Path:
        if self.site is None:
            self.site = self.stack.enter_context(bench_site.built_site())
        return self.site


def _page_section(args: argparse.Namespace, context: _Context) -> Section:
    weight = bench_site.page_weight(context.built_site())
    label = f"`{weight.url}` (this project's build, first visit)"
    rows = [
        Row(f"{label}: requests", f"{len(weight.requests)}"),
        Row(f"{label}: bytes transferred (gzip level 6, as served)", f"{weight.transferred:,}"),
        Row(f"{label}: bytes, each response gzip -9", f"{weight.gzip:,}"),
    ]
    table = markdown_table(
        ("request", "type", "status", "transferred", "body", "body gzip -9"),
        [
            (
                f"`{r.url}`",
                r.kind,
                str(r.status),
                f"{r.transferred:,}",
                f"{r.body:,}",
                f"{r.gzip:,}",
            )
            for r in weight.requests
        ]
        + [
            (
                f"**{len(weight.requests)} requests**",
                "",
                "",
                f"**{weight.transferred:,}**",
                f"**{weight.body:,}**",
                f"**{weight.gzip:,}**",
            )
        ],
        "lllrrr",
    )
    failed = "".join(f"\n- did not complete: {item}" for item in weight.failed)
    details = (
        f"### Weight of `{weight.url}`\n\nThis project's build, served by policy_site.serve on "
        "127.0.0.1 (its `_headers`; HTTP/1.1, text gzipped at level 6), opened once in Chromium "
        "as a first visit, until the network was idle for 500 ms; every http request counted "
        "from the DevTools protocol (transferred: `encodedDataLength`, headers included; "
        "gzip -9: each body compressed on its own at the highest level):\n\n" + table + failed
    )
    return Section(rows, details)


def _lighthouse_section(args: argparse.Namespace, context: _Context) -> Section:
    name, version = bench_site.LIGHTHOUSE
    try:
        measured = bench_site.lighthouse(context.built_site(), args.lighthouse_runs)
    except NotMeasuredError as err:
        rows = [Row(f"Lighthouse {version}: {label}", f"not measured: {err}", "target", "100")
                for label in bench_site.CATEGORIES.values()]  # fmt: skip
        return Section(rows, f"### Lighthouse\n\nNot measured: {err}")
    results = measured.runs
    medians = {factor: bench_site.median_run(runs) for factor, runs in results.items()}
    factors = " / ".join(results)
    rows = [
        Row(
            f"Lighthouse {version} {label} ({factors}), median of {args.lighthouse_runs}",
            " / ".join(bench_site.score_spread(runs, category) for runs in results.values()),
            "target",
            "100",
        )
        for category, label in bench_site.CATEGORIES.items()
    ]
    per_run = markdown_table(
        ("form factor", "run", *bench_site.CATEGORIES.values(), "benchmark index"),
        [
            (
                factor,
                str(index + 1) + (" (median)" if run is medians[factor] else ""),
                *(_score(run.scores.get(category)) for category in bench_site.CATEGORIES),
                "n/a" if run.benchmark_index is None else f"{run.benchmark_index:.0f}",
            )
            for factor, runs in results.items()
            for index, run in enumerate(runs)
        ],
        "llrrrrr",
    )
    details = (
        f"### Lighthouse\n\n{name} {version} on `/privacy/` of this project's build, served by "
        "policy_site.serve on 127.0.0.1, in Debian's Chromium; mobile is Lighthouse's default "
        "(simulated slow 4G and a 4x slower CPU), desktop is `--preset=desktop`. Scores in the "
        "table above: the run with the median Performance score, and the range over all runs "
        "when they differ. Each run (its HTML and JSON reports are in "
        "`.cache/bench/lighthouse/`):\n\n" + per_run
    )
    return Section(rows, details, lighthouse_findings(medians))


def _score(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def lighthouse_findings(medians: Mapping[str, bench_site.LighthouseRun]) -> list[str]:
    """Markdown lines for under the table: in each form factor's median run, the audits that keep
    a category below 100, then the audits Lighthouse could not run."""
    audits: dict[tuple[str, str], dict[str, bench_site.FailingAudit]] = {}
    for factor, run in medians.items():
        for audit in run.failing:
            if (run.scores.get(audit.category) or 0) < 100:
                audits.setdefault((audit.category, audit.id), {})[factor] = audit
    order = list(bench_site.CATEGORIES)
    lines = []
    for (category, audit_id), by_factor in sorted(
        audits.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
    ):
        scores = ", ".join(
            f"{factor} {_score(medians[factor].scores.get(category))}" for factor in by_factor
        )
        found = {(audit.detail, audit.score) for audit in by_factor.values()}
        if len(found) == 1:
            text = _finding(next(iter(by_factor.values())))
        else:
            text = "; ".join(f"{factor}: {_finding(audit)}" for factor, audit in by_factor.items())
        title = next(iter(by_factor.values())).title
        lines.append(
            f"- {bench_site.CATEGORIES[category]} ({scores}), `{audit_id}`, {title}: {text}"
        )
    errors: dict[str, set[str]] = {}
    for run in medians.values():
        for audit_id, message in run.errors:
            errors.setdefault(message.rsplit("exception: ", 1)[-1], set()).add(audit_id)
    for message, ids in sorted(errors.items()):
        names = ", ".join(f"`{audit_id}`" for audit_id in sorted(ids))
        lines.append(f"- Lighthouse could not run {names} (no weight in any score): {message}")
    return lines


def _finding(audit: bench_site.FailingAudit) -> str:
    score = "could not run" if audit.score is None else f"score {audit.score:.2f}"
    return f"{audit.detail} ({score})" if audit.detail else score


# --- main ----------------------------------------------------------------------------------------


def _receipts_section(args: argparse.Namespace, context: _Context) -> Section:
    runs = bench_receipts.measure_receiver(args.receipts)
    rows = [
        Row(f"receipts receiver on {run.database}: receipts per second, p50 / p99 latency",
            f"{run.per_second:,.0f} /s, {run.p50:.1f} / {run.percentile(0.99):.1f} ms")
        for run in runs
    ]  # fmt: skip
    table = markdown_table(
        ("store", "receipts", "seconds", "receipts per second", "p50", "p99", "max"),
        [(run.database, f"{run.receipts:,}", f"{run.seconds:.2f}", f"{run.per_second:,.0f}",
          f"{run.p50:.1f} ms", f"{run.percentile(0.99):.1f} ms",
          f"{max(run.latencies_ms):.1f} ms") for run in runs],
        "lrrrrrr",
    )  # fmt: skip
    details = (
        f"### Receipts receiver\n\n{args.receipts:,} receipts from {bench_receipts.CLIENTS} "
        "concurrent clients on loopback, after a warm-up, each answered 204 once committed "
        "(latency: from the request sent to that answer). Client and receiver share this "
        "machine's cores: a floor, not a capacity. No consent manager to compare with keeps "
        "receipts itself; the commercial platforms' consent logs are hosted services.\n\n" + table
    )
    scaled = _scale_out(args.receipts)
    return Section(rows + scaled.rows, details + "\n\n" + scaled.details)


def _scale_out(count: int) -> Section:
    runs = bench_scale.measure_scale_out(count)
    *behind, alone = runs
    ms = {run.receivers: {part: cpu * 1000 / run.run.receipts for part, cpu in run.cpu.items()}
          for run in runs}  # fmt: skip
    rows = [
        Row(f"{run.receivers} receiver{'s' * (run.receivers > 1)} behind nginx on PostgreSQL: "
            "receipts per second, p50 / p99 latency",
            f"{run.run.per_second:,.0f} /s, {run.run.p50:.1f} / {run.run.percentile(0.99):.1f} ms")
        for run in behind
    ] + [Row("PostgreSQL alone (the store's appends, no HTTP): receipts per second",
             f"{alone.run.per_second:,.0f} /s")]  # fmt: skip
    table = markdown_table(
        ("receivers", "receipts per second", "p50", "p99",
         "CPU ms a receipt: receivers / nginx / PostgreSQL / client"),
        [(str(run.receivers) if run.receivers else f"none: {bench_scale.SCALES[-1]} writers, "
          f"{bench_scale.BATCH} a commit", f"{run.run.per_second:,.0f}",
          f"{run.run.p50:.1f} ms", f"{run.run.percentile(0.99):.1f} ms",
          " / ".join(f"{ms[run.receivers].get(part, 0):.2f}"
                     for part in ("receivers", "nginx", "postgres", "client")))
         for run in runs],
        "lrrrl",
    )  # fmt: skip
    receiver_ms = statistics.median(ms[run.receivers]["receivers"] for run in behind)
    per_core = 1000 / receiver_ms
    needed = alone.run.per_second / per_core
    details = (
        f"### Receivers scaled out\n\n{count:,} receipts through a real nginx (the upstream and "
        "location the build writes) to 1, 2 and 4 receivers on one PostgreSQL database, and the "
        "database alone: the store's appends from threads in this process, in transactions the "
        "size a receiver's group commit makes here (the latency is a transaction's). The CPU "
        "columns are what each part spent a receipt.\n\n" + table + "\n\n"
        f"A receiver spends about {receiver_ms:.2f} ms of CPU a receipt, so a core of its own "
        f"takes about {per_core:,.0f} receipts a second. The database alone takes "
        f"{alone.run.per_second:,.0f} a second: each transaction holds the chain's head until "
        "it commits, so its limit is the time of a durable commit, not its CPU "
        f"({ms[0]['postgres']:.2f} ms a receipt). It becomes the limit at about "
        f"{needed:.1f} receivers' worth of cores; on this machine's "
        f"{os.cpu_count()} cores, shared by everything above, more receivers add no rate, only "
        f"a spare when one fails. A receipt takes {alone.row_bytes:,.0f} bytes in PostgreSQL, its "
        "indexes included."
    )
    return Section(rows, details)


PARTS = ("sizes", "banner", "build", "receipts", "page", "lighthouse")
SECTIONS: dict[str, Callable[[argparse.Namespace, _Context], Section]] = {
    "sizes": _sizes_section,
    "banner": _banner_section,
    "build": _build_section,
    "receipts": _receipts_section,
    "page": _page_section,
    "lighthouse": _lighthouse_section,
}


def _parts(value: str) -> list[str]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PARTS)}, comma-separated")
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument(
        "--only", type=_parts, default=list(PARTS), help=f"{', '.join(PARTS)} (comma-separated)"
    )
    parser.add_argument("--versions", default="1,10,100,300", help="build: comma-separated counts")
    parser.add_argument("--runs", type=int, default=5, help="build: runs per measurement (median)")
    parser.add_argument(
        "--receipts", type=int, default=10_000, help="receipts: how many, on each database"
    )
    parser.add_argument(
        "--banner-runs",
        type=int,
        default=11,
        help="banner: page loads per library, each opening the dialog (at least 5)",
    )
    parser.add_argument(
        "--lighthouse-runs", type=int, default=3, help="lighthouse: runs per form factor"
    )
    args = parser.parse_args(argv)
    if args.banner_runs < 5:
        parser.error("--banner-runs: at least 5")
    if args.lighthouse_runs < 1 or args.runs < 1:
        parser.error("--runs and --lighthouse-runs: at least 1")
    started, load_before = time.perf_counter(), _load()
    sections: list[Section] = []
    took: list[str] = []
    with ExitStack() as stack:
        context = _Context(stack)
        for part in PARTS:
            if part in args.only:
                start = time.perf_counter()
                print(f"bench: {part}...", file=sys.stderr, flush=True)
                sections.append(SECTIONS[part](args, context))
                took.append(f"{part} {time.perf_counter() - start:.0f} s")
                print(f"bench: {part} took {took[-1].split()[-2]} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - started
    under = [line for section in sections for line in section.under]
    print(
        f"Measured by `./scripts/bench` on {bench_date()}: {machine()}. One-minute load average "
        f"{load_before} at the start and {_load()} at the end.\n"
    )
    print(summary_table(row for section in sections for row in section.rows))
    if under:
        print("\nWhat keeps a Lighthouse score below 100 (its median runs):\n")
        print("\n".join(under))
    for section in sections:
        print(f"\n{section.details}")
    print(f"\nAll measured in this run, in {total:.0f} s ({', '.join(took)}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
