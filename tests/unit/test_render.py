"""The core renders a version's Markdown as the built pages do, without MkDocs (issue 23, point
4b): with MkDocs' own extensions and the site's, a ``slugify`` that mkdocs.yml names included, so
that ``check`` finds the anchors the pages have."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_site.problems import PolicySiteError
from policy_site.render import site_renderer
from policy_site.site import read_config

TOC = "markdown_extensions:\n  - toc:\n      permalink: true\n      slugify: {slugify}\n"


def site(tmp_path: Path, extensions: str = "") -> Path:
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: S\nplugins:\n  - policy-site\n{extensions}", encoding="utf-8")
    return config


def render(config_file: Path, text: str) -> str:
    config = read_config(config_file)
    return site_renderer(config.markdown, config.config_file)(text)


def test_a_site_that_lists_no_extension_has_mkdocs_own(tmp_path: Path) -> None:
    html = render(site(tmp_path), "## Sharing\n\n| a |\n|---|\n| b |\n")
    assert '<h2 id="sharing">Sharing</h2>' in html
    assert "<table>" in html


@pytest.mark.parametrize(
    "slugify",
    ["!!python/name:markdown.extensions.toc.slugify_unicode",
     "!!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}"],
    ids=["name", "apply"],
)  # fmt: skip
def test_the_slugify_mkdocs_yml_names_makes_the_ids(tmp_path: Path, slugify: str) -> None:
    html = render(site(tmp_path, TOC.format(slugify=slugify)), "## Délégation\n")
    assert '<h2 id="délégation">' in html
    assert '<h2 id="delegation">' in render(site(tmp_path, "markdown_extensions: [toc]\n"),
                                            "## Délégation\n")  # fmt: skip


def test_a_slugify_that_cannot_be_imported_names_the_key_and_the_fix(tmp_path: Path) -> None:
    config = site(tmp_path, TOC.format(slugify="!!python/name:nowhere.slugify"))
    with pytest.raises(PolicySiteError) as raised:
        render(config, "## Sharing\n")
    assert str(raised.value) == (
        f"{config}:1: 'markdown_extensions.toc.slugify': cannot be loaded (ModuleNotFoundError: "
        "No module named 'nowhere'): install the package that provides it, or correct the name "
        "or its arguments in mkdocs.yml."
    )


def test_an_extension_that_cannot_be_loaded_names_the_fix(tmp_path: Path) -> None:
    config = site(tmp_path, "markdown_extensions:\n  - nowhere_ext\n")
    with pytest.raises(PolicySiteError) as raised:
        render(config, "## Sharing\n")
    assert f"{config}:1: 'markdown_extensions': cannot be loaded (ModuleNotFoundError" in str(
        raised.value
    )
    assert "or correct its name or its options in mkdocs.yml." in str(raised.value)
