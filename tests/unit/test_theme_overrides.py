"""The theme templates copied into the plugin's theme/ to escape what mkdocs-material prints raw
(the site name, page titles, nav titles, the site description and author) differ from the
installed theme only by those escapes: when the theme changes them, this says which file to copy
again."""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest

from policy_site.adapter import THEME_DIR

THEME = Path(material.__file__).parent / "templates"
OVERRIDES = THEME_DIR
#: mkdocs-material's partials copied into theme/partials/ with escapes added.
PARTIALS = ("header.html", "nav.html", "nav-item.html", "footer.html", "content.html")
#: base.html blocks that theme/main.html replaces with escaped copies.
BLOCKS = ("site_meta", "htmltitle")
_LEADING_COMMENT = re.compile(r"\A\{#-.*?-#\}\n", re.DOTALL)
_ESCAPE = re.compile(r"\s*\|\s*e(?=\s*(\}\}|\|))")


def plain(template: str) -> list[str]:
    """``template`` without its leading comment and without any ``| e``, line by line, stripped."""
    text = _ESCAPE.sub("", _LEADING_COMMENT.sub("", template))
    text = re.sub(r"\s*\}\}", " }}", text)
    return [line.strip() for line in text.splitlines() if line.strip()]


def block(template: str, name: str) -> str:
    match = re.search(
        r"\{%-?\s*block\s+" + name + r"\s*-?%\}(.*?)\{%-?\s*endblock\s*-?%\}", template, re.DOTALL
    )
    assert match is not None, f"no block {name}"
    return match.group(1)


@pytest.mark.parametrize("name", PARTIALS)
def test_a_copied_partial_differs_from_the_theme_only_by_escapes(name: str) -> None:
    ours = (OVERRIDES / "partials" / name).read_text(encoding="utf-8")
    theirs = (THEME / "partials" / name).read_text(encoding="utf-8")
    assert plain(ours) == plain(theirs), (
        f"mkdocs-material's partials/{name} changed: copy it to "
        f"src/policy_site/theme/partials/{name} again and add ' | e' to every string from "
        "mkdocs.yml or front matter it prints."
    )
    assert len(_ESCAPE.findall(ours)) > len(_ESCAPE.findall(theirs))  # and escapes more


@pytest.mark.parametrize("name", BLOCKS)
def test_a_copied_block_differs_from_the_theme_only_by_escapes(name: str) -> None:
    ours = block((OVERRIDES / "main.html").read_text(encoding="utf-8"), name)
    theirs = block((THEME / "base.html").read_text(encoding="utf-8"), name)
    assert plain(ours) == plain(theirs), (
        f"mkdocs-material's base.html block {name} changed: copy it into "
        "src/policy_site/theme/main.html again and add ' | e' to every string from mkdocs.yml "
        "or front matter it prints."
    )
    assert len(_ESCAPE.findall(ours)) > len(_ESCAPE.findall(theirs))


def test_the_comparison_sees_any_change_but_an_escape() -> None:
    """(A missing escape is what tests/build/test_escaping.py finds, in the built pages.)"""
    ours = (OVERRIDES / "partials" / "header.html").read_text(encoding="utf-8")
    changed = ours.replace("{{ config.site_name | e }}", "{{ config.site_name }} <b>", 1)
    assert changed != ours
    assert plain(changed) != plain(ours)


def test_the_404_page_replaces_the_themes_english_one() -> None:
    """theme/404.html says the theme's "404 - Not found" in the site's words: when the theme's
    page says more, say it too."""
    theirs = (THEME / "404.html").read_text(encoding="utf-8")
    assert plain(block(theirs, "content")) == ["<h1>404 - Not found</h1>"]
    ours = (OVERRIDES / "404.html").read_text(encoding="utf-8")
    assert plain(block(ours, "content")) == ["<h1>404 - {{ policy.t.not_found }}</h1>"]
