"""``./scripts/bench``: measurements printed as Markdown tables, never asserted by a test.

Build time: a site of N versions built with this plugin, against a plain mkdocs-material build of
the same N pages with the plugin off. Each build is a fresh ``mkdocs build`` process; the median of
several runs is reported.

Consent bundle size and time to banner, against other consent libraries: see
``policy_site.bench_consent``. ``--only`` runs some of the parts (build, sizes, banner).
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
from collections.abc import Callable
from pathlib import Path

from policy_site import bench_consent
from policy_site.versions.lock import updated_lock, write_lock
from policy_site.versions.policy import read_versions

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "docs" / "privacy" / "versions" / "2007-10-01.md"
FIRST = dt.date(2000, 1, 1)


def _versions(count: int) -> list[tuple[str, str]]:
    """(effective date, Markdown) for ``count`` versions, each one sentence longer than the last."""
    body = SEED.read_text(encoding="utf-8").split("---\n", 2)[2]
    out = []
    for index in range(count):
        day = FIRST + dt.timedelta(days=10 * index)
        text = body.replace("## Effective Date", f"Revision {index}.\n\n## Effective Date")
        out.append((day.isoformat(), text))
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
        write_lock(folder / "docs/privacy/versions.lock", updated_lock(versions, {}, FIRST)[0])
    else:
        (folder / "docs" / "index.md").write_text("# Plain\n", encoding="utf-8")
    config = [
        "site_name: Bench",
        "site_url: https://bench.example/",
        "theme:",
        "  name: material",
        "  font: false",
        f"  custom_dir: {(ROOT / 'overrides').as_posix() if plugin else 'overrides'}",
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
        (folder / "overrides").mkdir()
        config += ["plugins: []"]
    (folder / "mkdocs.yml").write_text("\n".join(config) + "\n", encoding="utf-8")
    return folder


def _build_seconds(project: Path, runs: int) -> float:
    """CPU seconds (user + system) of one ``mkdocs build`` process, median of ``runs``: steadier
    than wall time on a shared machine, and the same thing for a single-threaded build."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "POLICY_SITE_AS_OF": "2030-01-01"}
    times = []
    for _ in range(runs):
        site = project / "site"
        shutil.rmtree(site, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)],
            cwd=project, env=env, check=True,
        )  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def build_time_table(counts: list[int], runs: int) -> str:
    rows = [
        "| versions | plain mkdocs-material | with policy-site | ratio |",
        "|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for count in counts:
            ours = _write_site(Path(tmp) / f"ours-{count}", count, plugin=True)
            plain = _write_site(Path(tmp) / f"plain-{count}", count, plugin=False)
            base, with_plugin = _build_seconds(plain, runs), _build_seconds(ours, runs)
            rows.append(
                f"| {count} | {base:.2f} s | {with_plugin:.2f} s | {with_plugin / base:.2f}x |"
            )
    return "\n".join(rows)


PARTS = ("build", "sizes", "banner")


def _parts(value: str) -> list[str]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PARTS)}, comma-separated")
    return parts


def _build_section(args: argparse.Namespace) -> str:
    counts = [int(count) for count in args.versions.split(",")]
    return (
        f"Site build CPU time, median of {args.runs} runs:\n\n{build_time_table(counts, args.runs)}"
    )


def _sizes_section(args: argparse.Namespace) -> str:
    return (
        "Consent bundle size: ours, rendered as the build does (both languages), against the "
        "files a site ships with each library (each file compressed on its own):\n\n"
        + bench_consent.size_table()
    )


def _banner_section(args: argparse.Namespace) -> str:
    version, table = bench_consent.banner_table(args.banner_runs)
    return (
        f"Time to banner in headless Chromium {version}, ms since navigation start, median of "
        f"{args.banner_runs} runs each (fresh context per run, one warm-up run dropped):\n\n"
        + table
    )


SECTIONS: dict[str, Callable[[argparse.Namespace], str]] = {
    "build": _build_section,
    "sizes": _sizes_section,
    "banner": _banner_section,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--versions", default="1,10,100,300", help="comma-separated counts")
    parser.add_argument("--runs", type=int, default=5, help="builds per measurement (median)")
    parser.add_argument(
        "--banner-runs", type=int, default=11, help="page loads per library (median, at least 5)"
    )
    parser.add_argument(
        "--only", type=_parts, default=list(PARTS), help="build, sizes, banner (comma-separated)"
    )
    args = parser.parse_args(argv)
    if args.banner_runs < 5:
        parser.error("--banner-runs: at least 5")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"./scripts/bench ({dt.date.today()}, {machine})")
    for part in PARTS:
        if part in args.only:
            start = time.perf_counter()
            print(f"\n{SECTIONS[part](args)}", flush=True)
            print(f"bench: {part} took {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
