"""Fixtures of the build tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import fixture_site, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The two-versions site in a git repository, committed: 2020-01-01 in effect, 2021-01-01
    announced on 2020-11-15."""
    site = fixture_site("two-versions", tmp_path)
    git(site, "init", "-q")
    git(site, "add", ".")
    git(site, "commit", "-qm", "Publish")
    return site
