"""The hostile fixture site (``tests/fixtures/sites/hostile``): every string an editor or operator
controls holds its own key followed by PAYLOAD, and the tests find the payload inert and shown as
text. Shared by tests/build/test_escaping.py and tests/browser/test_escaping.py."""

from __future__ import annotations

from pathlib import Path

from policy_site.consent.config import TEXT_KEYS
from tests.support import build, fixture_site, keep_bundles

__all__ = [
    "CATEGORY_IDS",
    "DANGEROUS",
    "LANGUAGES",
    "PAYLOAD",
    "TEXT_LABELS",
    "VERSIONS",
    "build_hostile",
    "hostile",
    "hostile_project",
]

#: Title and script end tags, an inline script, an event handler, an attribute breaker, both
#: quotes, a literal entity (shown as "&amp;", never as "&"), the two separators JSON allows and old
#: JS does not, a Jinja expression (never "[49]") and a comment opener.
PAYLOAD = (
    "</title></script><script>alert(1)</script><img src=x onerror=window.__pwned=1> "
    '"><svg onload=window.__pwned=1> \' " &amp; \u2028 \u2029 [{{ 7*7 }}] <!-- end'
)
#: What a page, the feed or the script would hold if a payload had been let in as markup or code.
DANGEROUS = ("<img src=x", "<svg onload", "<script>alert(1)", "<!-- end", "[49]")

#: The policy versions of the fixture, oldest first: superseded, in effect (with an erratum) and
#: upcoming on tests.support.AS_OF.
VERSIONS = ("2020-01-01", "2021-01-01", "2027-01-01")
#: consent.yml's texts, as the labels their payloads carry: texts.<lang>.<key>.
#: The hostile fixture's consent.yml: its languages and its categories, in its order.
LANGUAGES = ("en", "sv")
CATEGORY_IDS = ("necessary", "analytics", "advertising")
TEXT_LABELS = tuple(f"texts.{lang}.{key}" for lang in LANGUAGES for key in TEXT_KEYS)


def hostile(label: str) -> str:
    """The string the fixture holds under ``label``, e.g. ``texts.en.banner`` or ``site_name``."""
    return f"{label} {PAYLOAD}"


def hostile_project(destination: Path) -> Path:
    """A buildable copy of the fixture (its consent.yml, which sends receipts, and its bundles
    kept; the runtime is the package's)."""
    project = fixture_site("hostile", destination)
    keep_bundles(project)
    return project


def build_hostile(destination: Path) -> Path:
    """The fixture built for real (``mkdocs build --strict``, as of tests.support.AS_OF)."""
    project = hostile_project(destination)
    site = destination / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr
    return site
