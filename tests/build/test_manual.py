"""The product's own docs: ``manual/`` is a second MkDocs site beside Toontrack's, and it builds
with ``mkdocs build --strict`` (every page in the nav, every link and anchor found, nothing loaded
from another host), its reference generated from the code (manual/hooks.py); the README stays a
front page that links each of its pages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policy_site.consent.keys import KEYS
from policy_site.consent.texts import TEXT_KEYS
from policy_site.options import OPTIONS
from policy_site.reference import command_lines
from policy_site.security.scan import scan_site
from policy_site.versions.frontmatter import KNOWN_KEYS
from tests.support import ROOT, elements, parse_html

MANUAL = ROOT / "manual"
PAGES = sorted((MANUAL / "docs").glob("*.md"))
README = ROOT / "README.md"
#: The most lines a front page may have; the rest belongs in the manual.
README_MAX_LINES = 200


def build_manual(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """A real ``mkdocs build --strict`` of the manual at ``config`` into ``site``."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config), "--site-dir", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="module")
def manual_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manual, built with a real ``mkdocs build --strict`` into a temporary folder."""
    site = tmp_path_factory.mktemp("manual") / "site"
    result = build_manual(MANUAL / "mkdocs.yml", site)
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


def test_the_reference_has_every_option_key_and_command_of_the_code(manual_site: Path) -> None:
    """manual/docs/reference.md holds markers only; the built page has what the code defines."""
    built = manual_site / "reference" / "index.html"
    article = elements(parse_html(built), "//article")[0]
    code = {element.text_content() for element in elements(article, ".//td/code")}
    ids = {heading.get("id") for heading in elements(article, ".//h3")}
    for key in [*OPTIONS, *KNOWN_KEYS, *TEXT_KEYS]:
        assert key in code, f"{key} is not in the built reference"
    for where, keys in KEYS.items():
        assert set(keys) <= code, where
    for words in command_lines():
        anchor = "-".join(["policy-site", *words])
        assert anchor in ids, f"policy-site {' '.join(words)} has no section in the reference"
    helps = [pre.text_content() for pre in elements(article, ".//pre")]
    assert sum(text.startswith("usage: policy-site") for text in helps) == len(command_lines())
    assert "<!-- reference:" not in built.read_text("utf-8")  # every marker replaced


def test_a_link_to_a_file_of_the_repository_shows_its_path(manual_site: Path) -> None:
    """reference.md links ../../src/...: a link on GitHub; in the built manual, the path."""
    html = (manual_site / "reference" / "index.html").read_text("utf-8")
    assert "<code>src/policy_site/options.py</code>" in html
    assert not re.search(r'href="[^"]*src/policy_site', html)


def test_a_missing_anchor_or_repository_file_fails_the_build(tmp_path: Path) -> None:
    """A copy of the manual in a repository of its own (src/ the real one), with a link to an
    anchor that consent.md does not have and one to a file that src/ does not have."""
    copy = tmp_path / "repo" / "manual"
    shutil.copytree(MANUAL, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "repo" / "src").symlink_to(ROOT / "src")
    page = copy / "docs" / "hosting.md"
    page.write_text(
        page.read_text("utf-8") + "\nSee [the shop](consent.md#no-such-section) and "
        "[the code](../../src/policy_site/no_such.py).\n",
        encoding="utf-8",
    )
    result = build_manual(copy / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "does not contain an anchor '#no-such-section'" in result.stderr
    assert (
        "hosting.md: the link to ../../src/policy_site/no_such.py finds no file of the "
        "repository (src/policy_site/no_such.py): correct it" in result.stderr
    )
    assert "Traceback" not in result.stderr


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
