"""The product's own docs: ``manual/`` is a second MkDocs site beside Toontrack's, and it builds
with ``mkdocs build --strict`` (every page in the nav, every link and anchor found, nothing loaded
from another host); the README stays a front page that links each of its pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from policy_site.security.scan import scan_site
from tests.support import ROOT

MANUAL = ROOT / "manual"
PAGES = sorted((MANUAL / "docs").glob("*.md"))
README = ROOT / "README.md"
#: The most lines a front page may have; the rest belongs in the manual.
README_MAX_LINES = 200


@pytest.fixture(scope="module")
def manual_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manual, built with a real ``mkdocs build --strict`` into a temporary folder."""
    site = tmp_path_factory.mktemp("manual") / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(MANUAL / "mkdocs.yml"), "--site-dir", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, (
        f"{result.stderr}\nreproduce: .venv/bin/mkdocs build --strict -f manual/mkdocs.yml "
        "-d /tmp/manual"
    )
    return site


def test_the_manual_builds_strict_with_a_page_for_each_markdown_file(manual_site: Path) -> None:
    assert PAGES, "manual/docs/ has no page"
    for page in PAGES:
        built = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (manual_site / built).is_file(), f"{page.name}: no {built} in the built manual"


def test_the_manual_loads_nothing_from_another_host(manual_site: Path) -> None:
    """mkdocs-material with ``font: false``: no Google Fonts, no other host, on any page."""
    scan = scan_site(manual_site, "localhost")
    assert scan.pages >= len(PAGES)
    assert scan.problems == []


def test_the_readme_is_a_front_page_of_at_most_200_lines() -> None:
    lines = README.read_text("utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; move sections to manual/docs/ and link them"
    )


def test_the_readme_links_every_page_of_the_manual() -> None:
    linked = set(
        re.findall(r"\]\((manual/docs/[^)#\s]+\.md)(?:#[^)]*)?\)", README.read_text("utf-8"))
    )
    pages = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert pages - linked == set(), "README.md does not link these pages of the manual"
    assert linked - pages == set(), "README.md links pages the manual does not have"


def test_the_readme_keeps_the_two_commands() -> None:
    """CI runs the README's two commands (.ci/run): the front page says what each does."""
    readme = README.read_text("utf-8")
    assert "## The two commands" in readme
    for command in ("./scripts/build", "./scripts/test"):
        assert re.search(rf"^{re.escape(command)}\s+# \S", readme, re.MULTILINE), command
