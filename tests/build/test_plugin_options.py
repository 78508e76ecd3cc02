"""A wrong option of the plugin in mkdocs.yml fails the build with a message naming the key and the
fix, and never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.support import build, fixture_site


def test_an_unknown_time_zone_fails_naming_the_option(tmp_path: Path) -> None:
    project = fixture_site("two-versions", tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("notice_days: 30", "notice_days: 30\n      timezone: Europe/Stokholm"), "utf-8"
    )
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "mkdocs.yml: plugins.policy-site.timezone: 'Europe/Stokholm' is not a time zone" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_a_versions_dir_that_does_not_exist_fails_naming_the_option(tmp_path: Path) -> None:
    project = fixture_site("two-versions", tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("notice_days: 30", "notice_days: 30\n      versions_dir: privacy/version"),
        "utf-8",
    )
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "docs/privacy/version:1: no such folder. It is plugins.policy-site.versions_dir in " in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
