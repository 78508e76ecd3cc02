"""A build that cannot gate what a page holds, or whose consent.yml is wrong, fails and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import build, fixture_site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_site("consent-demo", tmp_path, consent=True)


def test_a_gated_element_of_an_unknown_category_fails_the_build(project: Path) -> None:
    (project / "docs/bad.md").write_text(
        '# Bad\n\n<p><img data-category="marketing" data-src="https://px.example/p.gif"></p>\n',
        encoding="utf-8",
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    assert (
        "docs/bad.md: <img data-category='marketing'>: unknown category; use one of"
        in result.stderr
    )
    assert not (project / "site/bad/index.html").exists()


def test_a_noscript_pixel_fails_the_build(project: Path) -> None:
    (project / "docs/bad.md").write_text(
        '# Bad\n\n<noscript><img src="https://px.example/p.gif" alt=""></noscript>\n',
        encoding="utf-8",
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    assert "<noscript> loads https://px.example/p.gif whenever JavaScript is off" in result.stderr


def test_a_consent_config_error_fails_the_build(project: Path) -> None:
    config = project / "consent/consent.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("max_age_days: 182", "max_age_days: 500"),
        encoding="utf-8",
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    assert "'cookie.max_age_days': 500: a consent is kept 1 to 395 days" in result.stderr
