"""Rebuilds in one process, as ``mkdocs serve`` makes them on every edit: a fresh config and
plugin each time, in the same interpreter."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from policy_site.versions.redline import make_redline
from tests.support import dated_env, fixture_site


def _build(project: Path, site_dir: Path) -> None:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def test_a_rebuild_compares_only_the_versions_an_edit_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = fixture_site("two-versions", tmp_path)
    for name, value in dated_env("2020-12-01").items():
        monkeypatch.setenv(name, value)
    make_redline.cache_clear()
    _build(project, tmp_path / "first")
    assert make_redline.cache_info().misses == 1  # two versions: one redline
    _build(project, tmp_path / "second")
    info = make_redline.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    first = (tmp_path / "first/privacy/changes/2021-01-01/index.html").read_bytes()
    assert (tmp_path / "second/privacy/changes/2021-01-01/index.html").read_bytes() == first
