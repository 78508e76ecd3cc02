"""Shared by the tests: building a site for real, and reading what it produced."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml.html import HtmlElement
from playwright.sync_api import Page

from policy_site.serve import serving

__all__ = [
    "AS_OF",
    "ROOT",
    "SEED",
    "SITE_HOST",
    "article",
    "build",
    "cli",
    "consent_files",
    "dated_env",
    "elements",
    "fixture_site",
    "git",
    "parse_html",
    "serve",
    "strings",
    "tokens",
    "wait_for",
    "with_class",
]

ROOT = Path(__file__).resolve().parents[1]
#: The archived 2007 policy, copied unchanged from the archive (shared/seeds).
SEED = ROOT / "tests" / "fixtures" / "seed" / "privacy-policy-2007-10-01.txt"
#: Host names the browser tests use. Chromium maps them to loopback; every other name fails to
#: resolve, so nothing a page does can leave the machine.
SITE_HOST = "www.toontrack.test"
#: The build date the tests freeze, unless a test says otherwise.
AS_OF = "2026-12-01"


def dated_env(as_of: str, today: str | None = None) -> dict[str, str]:
    """The environment of a command run on ``today`` (``SOURCE_DATE_EPOCH``, the day edits are
    judged on) that builds the site as of ``as_of`` (a preview when the two differ)."""
    midnight = dt.datetime.fromisoformat(today or as_of).replace(tzinfo=dt.UTC)
    epoch = str(int(midnight.timestamp()))
    return {**os.environ, "POLICY_SITE_AS_OF": as_of, "SOURCE_DATE_EPOCH": epoch}


def keep_bundles(project: Path) -> None:
    """``check --update-lock`` in ``project`` (as of AS_OF): its consent bundles and their releases
    kept, as a site with receipts needs."""
    kept = subprocess.run(
        [sys.executable, "-m", "policy_site.cli", "-f", str(project / "mkdocs.yml"), "check",
         "--update-lock"],
        capture_output=True, text=True, cwd=project, env=dated_env(AS_OF), check=False,
    )  # fmt: skip
    assert kept.returncode == 0, kept.stdout + kept.stderr


def build(
    project: Path, site_dir: Path, as_of: str = AS_OF, today: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a real ``mkdocs build --strict`` of ``project`` into ``site_dir``, as of ``as_of``,
    on ``today`` (``as_of`` unless given)."""
    env = {**dated_env(as_of, today), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(project / "mkdocs.yml"), "--site-dir", str(site_dir)]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def cli(
    project: Path, *args: str, as_of: str, today: str | None = None
) -> subprocess.CompletedProcess[str]:
    """An editor command (``./scripts/check`` ...: ``policy_site.cli``) in ``project``, as of
    ``as_of``, on ``today`` (``as_of`` unless given)."""
    command = [sys.executable, "-m", "policy_site.cli", "-f", str(project / "mkdocs.yml")]
    command += ["--as-of", as_of, *args]
    env = dated_env(as_of, today)
    return subprocess.run(
        command, capture_output=True, text=True, cwd=project, env=env, check=False
    )


def git(project: Path, *args: str) -> str:
    """What ``git args`` prints in ``project``, committing as a test editor."""
    command = [
        "git",
        "-C",
        str(project),
        "-c",
        "user.name=Editor",
        "-c",
        "user.email=e@example.com",
    ]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=True).stdout


FIXTURE_SITES = ROOT / "tests" / "fixtures" / "sites"


def fixture_site(scenario: str, destination: Path, *, consent: bool = False) -> Path:
    """A runnable copy of ``tests/fixtures/sites/<scenario>``: its docs/ and its own mkdocs.yml or
    the shared one (and the project's consent/, if asked, without its receipts: a scenario keeps
    no bundles, and the build refuses receipts without them). The theme is the package's."""
    project = destination / scenario
    shutil.copytree(FIXTURE_SITES / scenario, project)
    if consent:
        shutil.copytree(ROOT / "consent", project / "consent")
        path = project / "consent" / "consent.yml"
        text = path.read_text(encoding="utf-8")
        # Cut as text, so that every other line keeps its number (errors name them).
        block = re.search(r"\n(#[^\n]*\n)*receipts:\n(  [^\n]*\n)+", text)
        assert block is not None, f"{path}: no receipts block to leave out"
        path.write_text(text[: block.start() + 1] + text[block.end() :], encoding="utf-8")
    own_config = FIXTURE_SITES / scenario / "mkdocs.yml"
    config_file = own_config if own_config.exists() else FIXTURE_SITES / "mkdocs.yml"
    config = config_file.read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return project


def consent_files(site: Path, lang: str = "en") -> tuple[Path, Path]:
    """The hashed consent script of ``lang`` and the stylesheet that a built site's pages load,
    as ``consent/consent.json`` names them."""
    published = json.loads((site / "consent" / "consent.json").read_text(encoding="utf-8"))
    pinned = published["pinned"]
    js, css = (urlsplit(str(item["url"])).path for item in (pinned["js"][lang], pinned["css"]))
    return site / js.lstrip("/"), site / css.lstrip("/")


def bundle_config(site: Path, lang: str = "en") -> dict[str, Any]:
    """The config a built site's consent script carries (its CONFIG): the object the minified
    script first assigns."""
    js, _ = consent_files(site, lang)
    text = js.read_text(encoding="utf-8")
    match = re.search(r'"use strict";var [\w$]+=', text)
    assert match is not None, f"{js}: the script does not start by assigning its config"
    config: dict[str, Any] = json.JSONDecoder().raw_decode(text, match.end())[0]
    return config


def parse_html(path: Path) -> HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def elements(node: HtmlElement, xpath: str) -> list[HtmlElement]:
    """The elements an XPath expression selects (typed, for mypy)."""
    found = node.xpath(xpath)
    assert isinstance(found, list)
    return [item for item in found if isinstance(item, HtmlElement)]


def strings(node: HtmlElement, xpath: str) -> list[str]:
    """The attribute values or text nodes an XPath expression selects."""
    found = node.xpath(xpath)
    assert isinstance(found, list)
    return [str(item) for item in found]


def with_class(name: str) -> str:
    """An XPath predicate for elements having the CSS class ``name``."""
    return f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def article(page: HtmlElement) -> HtmlElement:
    """The page's main text, without the theme's section links (the pilcrows)."""
    (found,) = elements(page, "//article")
    for link in elements(found, f".//a{with_class('headerlink')}"):
        link.drop_tree()
    return found


def tokens(text: str) -> list[str]:
    """Words and punctuation marks, in order: whitespace and markup do not count."""
    return re.findall(r"\w+|[^\w\s]", text)


def wait_for(page: Page, expression: str, seconds: float = 10.0) -> None:
    """Waits until ``expression`` is true in ``page``. Playwright's wait_for_function polls with
    eval() inside the page, which the site's CSP rightly blocks; evaluate() does not."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(f"() => !!({expression})"):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        time.sleep(0.05)


def serve(directory: Path) -> AbstractContextManager[str]:
    """``directory`` served by a real HTTP server, as ``http://www.toontrack.test:PORT/``."""
    return serving(directory, SITE_HOST)
