"""A build that cannot gate what a page holds, or whose consent.yml is wrong, fails and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import build, fixture_site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_site("consent-demo", tmp_path, consent=True)


def failed_build(project: Path, page: str) -> str:
    """What the build says of a page docs/bad.md holding ``page``, which it must refuse."""
    (project / "docs/bad.md").write_text(f"# Bad\n\n{page}\n", encoding="utf-8")
    result = build(project, project / "site")
    assert result.returncode != 0
    assert not (project / "site/bad/index.html").exists()
    return result.stderr


def test_a_gated_element_of_an_unknown_category_fails_the_build(project: Path) -> None:
    page = '<p><img data-category="marketing" data-src="https://px.example/p.gif"></p>'
    assert "docs/bad.md: <img data-category='marketing'>: unknown category; use one of" in (
        failed_build(project, page)
    )


def test_a_gated_element_of_another_categorys_service_fails_the_build(project: Path) -> None:
    """consent.yml's advertising is chosen per service: markup names its service, and only one
    of the element's own category passes."""
    said = failed_build(
        project,
        '<p><img data-category="analytics" data-service="meta-pixel" data-src="/p.gif"></p>\n'
        '<p><img data-category="advertising" data-service="google-ads" data-src="/a.gif"></p>',
    )
    assert (
        "docs/bad.md: <img data-category='analytics' data-service='meta-pixel'>: meta-pixel is a "
        'service of advertising, not of analytics: write data-category="advertising"' in said
    )
    assert "google-ads'>" not in said


def test_a_noscript_pixel_fails_the_build(project: Path) -> None:
    page = '<noscript><img src="https://px.example/p.gif" alt=""></noscript>'
    assert "<noscript> loads https://px.example/p.gif whenever JavaScript is off" in (
        failed_build(project, page)
    )


def test_a_consent_config_error_fails_the_build(project: Path) -> None:
    config = project / "consent/consent.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("max_age_days: 182", "max_age_days: 500"),
        encoding="utf-8",
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    assert "'cookie.max_age_days': 500: a consent is kept 1 to 395 days" in result.stderr
