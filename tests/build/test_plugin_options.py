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
    assert (
        "Plugin 'policy-site' option 'timezone': 'Europe/Stokholm' is not a time zone: write an "
        "IANA name, e.g. Europe/Stockholm or UTC." in result.stderr
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


def with_option(project: Path, line: str, after: str = "notice_days: 30") -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert after in text
    config.write_text(text.replace(after, f"{after}\n      {line}"), encoding="utf-8")


def test_a_lock_file_that_does_not_exist_fails_naming_the_option(tmp_path: Path) -> None:
    project = fixture_site("two-versions", tmp_path)
    with_option(project, "lock_file: privacy/version.lock")
    result = build(project, tmp_path / "site", as_of="2020-12-31")
    assert result.returncode != 0
    assert (
        "privacy/version.lock:1: no such lock file. It is plugins.policy-site.lock_file in "
        "mkdocs.yml (under docs_dir): if the lock is elsewhere, correct the option" in result.stderr
    )


def test_a_consent_file_that_does_not_exist_fails_naming_the_option(tmp_path: Path) -> None:
    project = fixture_site("consent-demo", tmp_path, consent=True)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("consent/consent.yml", "consent/consnt.yml"),
        encoding="utf-8",
    )
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert (
        "consent/consnt.yml: not found. It is plugins.policy-site.consent in mkdocs.yml: correct "
        "the path, or create the file" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_published_bundles_folder_that_does_not_exist_names_the_option(tmp_path: Path) -> None:
    project = fixture_site("consent-demo", tmp_path, consent=True)
    with_option(
        project, "published_bundles: consent/publishd", after="consent: consent/consent.yml"
    )
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert (
        "(consent/publishd/ does not exist: it is plugins.policy-site.published_bundles in "
        "mkdocs.yml; if the bundles are kept elsewhere, correct the option.)" in result.stderr
    )


def test_receipts_without_kept_bundles_fail_the_build_naming_the_key_and_fix(
    tmp_path: Path,
) -> None:
    """The receiver takes a receipt only from a release on record: without a folder of kept
    bundles there is none, and every receipt would be refused."""
    project = fixture_site("consent-demo", tmp_path, consent=True)
    config = project / "consent" / "consent.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "receipts:\n  endpoint: /consent/receipts\n", "utf-8"
    )
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert f"{config}: 'receipts':" in result.stderr
    assert "Set plugins.policy-site.published_bundles in mkdocs.yml" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()
