"""The project's site as a whole: strict build, URLs, and nothing loaded from another host."""

from __future__ import annotations

from pathlib import Path

from policy_site.security import scan_site
from tests.support import elements, parse_html, strings


def test_build_is_strict_clean(project_build: tuple[Path, str]) -> None:
    _, log = project_build
    assert "WARNING" not in log
    assert "ERROR" not in log


def test_urls_of_the_contract_exist(project_site: Path) -> None:
    for path in ["index.html", "privacy/index.html", "privacy/versions/2007-10-01/index.html"]:
        assert (project_site / path).is_file(), path


def test_site_root_leads_to_the_policy(project_site: Path) -> None:
    root = parse_html(project_site / "index.html")
    assert strings(root, "//meta[@http-equiv='refresh']/@content") == ["0; url=privacy/"]
    assert strings(root, "//a/@href") == ["privacy/"]


def test_no_page_loads_anything_from_another_host(project_site: Path) -> None:
    # The build fails on such a load already (tests/unit/test_security.py shows what the scan
    # finds); this says it of the project's own pages, with no host allowed at all.
    scan = scan_site(project_site, "www.toontrack.com")
    assert scan.pages >= 8
    assert scan.problems == []
    for page in project_site.rglob("*.html"):
        assert "fonts.googleapis.com" not in page.read_text(encoding="utf-8")


def test_material_consent_is_not_used(project_site: Path) -> None:
    page = parse_html(project_site / "privacy/index.html")
    assert elements(page, "//*[@data-md-component='consent']") == []
