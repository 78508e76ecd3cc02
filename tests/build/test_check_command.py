"""``./scripts/check`` checks consent/consent.yml too, and reports the problems of the versions and
of consent.yml in one run (issue 11, point 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import fixture_site

CLI = [sys.executable, "-m", "policy_site.cli"]


def check(project: Path) -> subprocess.CompletedProcess[str]:
    command = [*CLI, "-f", str(project / "mkdocs.yml"), "--as-of", "2026-12-01", "check"]
    return subprocess.run(command, capture_output=True, text=True, cwd=project, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_site("consent-demo", tmp_path, consent=True)


def break_consent(project: Path) -> None:
    config = project / "consent/consent.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("max_age_days: 182", "max_age_days: 900"), encoding="utf-8")


def test_a_consent_problem_fails_check(project: Path) -> None:
    assert check(project).returncode == 0
    break_consent(project)
    result = check(project)
    assert result.returncode == 2
    text = (project / "consent/consent.yml").read_text(encoding="utf-8")
    line = text[: text.index("max_age_days: 900")].count("\n") + 1  # the line the key is on
    assert f"consent/consent.yml:{line}: 'cookie.max_age_days': 900: a consent is kept 1 to" in (
        result.stderr
    )
    assert "1 problem(s) found." in result.stderr


def test_version_and_consent_problems_come_in_one_run(project: Path) -> None:
    break_consent(project)
    version = project / "docs/privacy/versions/2021-01-01.md"
    text = version.read_text(encoding="utf-8")
    version.write_text(text.replace("change: material", "change: big"), encoding="utf-8")
    result = check(project)
    assert result.returncode == 2
    assert version.name in result.stderr
    assert "'cookie.max_age_days'" in result.stderr
    assert "2 problem(s) found." in result.stderr
