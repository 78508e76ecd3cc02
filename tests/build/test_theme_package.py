"""The plugin brings its own templates, stylesheet and script (its theme/ folder, searched after
the site's custom_dir): a site with none of its own builds whole, and a site's own template wins."""

from __future__ import annotations

from pathlib import Path

from tests.support import build, fixture_site, parse_html, with_class


def test_a_site_without_templates_of_its_own_gets_the_policy_pages(tmp_path: Path) -> None:
    project = fixture_site("two-versions", tmp_path)
    assert not (project / "overrides").exists()
    site = tmp_path / "site"
    result = build(project, site, as_of="2020-12-31")
    assert result.returncode == 0, result.stderr
    page = parse_html(site / "privacy/index.html")
    assert page.xpath(f"//*{with_class('policy-status')}")
    assert page.xpath("//link[@href='../assets/stylesheets/policy.css']")
    assert (site / "assets/stylesheets/policy.css").is_file()
    assert (site / "assets/javascripts/compare.js").is_file()


def test_a_sites_own_template_wins_over_the_plugins(tmp_path: Path) -> None:
    project = fixture_site("two-versions", tmp_path)
    partials = project / "overrides" / "partials"
    partials.mkdir(parents=True)
    (partials / "policy-upcoming.html").write_text(
        '<p class="our-notice">Changes are coming.</p>\n', encoding="utf-8"
    )
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  font: false", "  font: false\n  custom_dir: overrides"), "utf-8"
    )
    site = tmp_path / "site"
    result = build(project, site, as_of="2020-12-31")
    assert result.returncode == 0, result.stderr
    page = parse_html(site / "privacy/index.html")
    assert [p.text for p in page.xpath("//p[@class='our-notice']")] == ["Changes are coming."]
    assert not page.xpath(f"//*{with_class('policy-notice')}")
    assert page.xpath(f"//*{with_class('policy-status')}")  # the rest is still the plugin's
