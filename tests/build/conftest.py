"""Fixtures of the build tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import ROOT, fixture_site, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The two-versions site in a git repository, committed: 2020-01-01 in effect, 2021-01-01
    announced on 2020-11-15."""
    site = fixture_site("two-versions", tmp_path)
    git(site, "init", "-q")
    git(site, "add", ".")
    git(site, "commit", "-qm", "Publish")
    return site


@pytest.fixture
def real_project(tmp_path: Path) -> Path:
    """A copy of the project's own site: 2007-10-01 in effect, 2027-01-01 (and its Swedish
    translation) announced."""
    copied = tmp_path / "project"
    copied.mkdir()
    for name in ("docs", "consent"):
        shutil.copytree(ROOT / name, copied / name)
    shutil.copy2(ROOT / "mkdocs.yml", copied / "mkdocs.yml")
    return copied
