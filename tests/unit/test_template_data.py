"""The policy templates take plain data and run on another engine: MiniJinja (the engine Zensical
renders with), given the same data as JSON, with Python compatibility off and undefined values an
error, prints the same HTML as Jinja2 (compared as parsed trees: MiniJinja also escapes "/"). A
template that called a method of this package, or used a filter of its own, would fail there."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import lxml.html
import markdown
import minijinja
import pytest

from policy_site.adapter import THEME_DIR
from policy_site.consent import load_consent, render_bundle
from policy_site.site import read_config
from policy_site.versions import load_policy
from policy_site.versions.redline import make_redline
from policy_site.views import consent_view, page_view, timeline_view
from tests.support import ROOT

#: What the policy templates extend, reduced to the blocks they fill: the theme's own main.html
#: extends mkdocs-material's base.html, which is the theme's to render, not this package's.
MAIN = "{% block content %}{% endblock %}\n{% block scripts %}{% endblock %}"
PAGES = ["policy-archive.html", "policy-redline.html", "policy-cookies.html",
         "policy-redirect.html", "policy-untranslated.html", "404.html"]  # fmt: skip
PARTIALS = ["partials/policy-status.html", "partials/policy-upcoming.html",
            "partials/copyright.html", "partials/policy-languages.html"]  # fmt: skip


def _url(value: str) -> str:
    """MkDocs' ``url`` filter, for a page at the site root."""
    return value or "."


def _tree(html: str) -> bytes:
    """The HTML as parsed: the same for ``a/b`` and ``a&#x2f;b``, not for ``<`` and ``&lt;``."""
    if html.lstrip().startswith("<!"):
        return bytes(lxml.html.tostring(lxml.html.document_fromstring(html)))
    return bytes(lxml.html.tostring(lxml.html.fragment_fromstring(html, create_parent="div")))


def _source(name: str) -> str:
    return MAIN if name == "main.html" else (THEME_DIR / name).read_text(encoding="utf-8")


def _engines() -> tuple[Callable[..., str], Callable[..., str]]:
    loader = jinja2.FunctionLoader(_source)
    jinja = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined)
    jinja.filters["url"] = _url
    mini = minijinja.Environment(
        loader=_source,
        filters={"url": _url},
        undefined_behavior="strict",
        pycompat=False,  # no Python methods on values: what a plain MiniJinja has
        auto_escape_callback=lambda name: False,  # as MkDocs' Jinja2: each string is | e'd
    )
    return (lambda name, **data: jinja.get_template(name).render(**data)), mini.render_template


def _data(as_of: str, language: str = "en") -> dict[str, Any]:
    """Every template's data for this project's site on ``as_of`` in ``language``, through JSON:
    plain data only."""
    today = dt.date.fromisoformat(as_of)
    settings = read_config(ROOT / "mkdocs.yml").settings()
    policy = load_policy(ROOT / "docs", settings, today, today)
    shared = timeline_view(policy, language)
    html = {
        entry.id: markdown.markdown(entry.version.body, extensions=["toc"])
        for entry in policy.timeline.entries
    }
    newest = policy.timeline.entries[-1]
    assert newest.previous is not None
    redline = make_redline(html[newest.previous.id], html[newest.id])
    config = load_consent(ROOT / "consent" / "consent.yml")
    bundle = render_bundle(config, "2007-10-01", "/privacy/", default_language="en")
    shown = policy.timeline_in(language).entries
    current = policy.timeline_in(language).current
    switch = [{"code": code, "name": name, "url": f"{code}/privacy/", "current": code == language}
              for code, name in settings.languages.items()]  # fmt: skip
    views = {
        "current": page_view(
            shared,
            "current",
            current.id if current else None,
            text_sha256="ab" * 32,
            alternates=switch,
        ),
        "version": page_view(shared, "version", shown[0].id),
        "redline": page_view(shared, "redline", newest.id, redline),
        "archive": page_view(shared, "archive", None),
    }
    context = {
        "views": views,
        "consent": consent_view(config, bundle, policy.settings, language),
        "config": {"site_url": "https://www.example.com/", "site_name": "Example",
                   "copyright": "© Example", "theme": {"language": "en"}},
        "page": {"title": "Privacy policy"},
    }  # fmt: skip
    plain: dict[str, Any] = json.loads(json.dumps(context))
    return plain


@pytest.mark.parametrize(("as_of", "language"),
                         [("2026-12-01", "en"), ("2027-06-01", "en"), ("2026-12-01", "sv"),
                          ("2027-06-01", "sv")])  # fmt: skip
@pytest.mark.parametrize("name", PAGES + PARTIALS)
def test_minijinja_renders_each_policy_template_as_jinja2_does(
    name: str, as_of: str, language: str
) -> None:
    data = _data(as_of, language)
    jinja, mini = _engines()
    kinds = {"policy-redline.html": "redline", "policy-archive.html": "archive",
             "policy-untranslated.html": "current"}  # fmt: skip
    for kind in [kinds[name]] if name in kinds else ["current", "version"]:
        view = data["views"][kind]
        if name.endswith("upcoming.html") and view["upcoming"] is None:
            continue  # included only while a version is announced
        if name.endswith("untranslated.html") and view["untranslated"] is None:
            continue  # the current page in a language without the version in effect
        if name.endswith("status.html") and view["entry"] is None:
            continue
        if name.endswith("languages.html") and len(view["alternates"]) < 2:
            continue
        if name.endswith("redline.html") and language != "en":
            continue  # the project's first Swedish text has no Swedish one before it
        context = {**data, "policy": data["views"][kind]}
        expected = jinja(name, **context)
        assert _tree(mini(name, **context)) == _tree(expected)
        assert "</" in expected  # something was rendered, not just white space


def test_the_data_is_plain() -> None:
    """Dates are written out and URLs made: nothing left for a template to compute."""
    data = _data("2026-12-01")
    entry = data["views"]["current"]["entry"]
    assert entry["effective"] == {"iso": "2007-10-01", "long": "1 October 2007"}
    assert entry["url"] == "privacy/versions/2007-10-01/"
    assert data["views"]["current"]["upcoming"]["days"] == 31
    assert data["consent"]["script"]["path"].endswith(".js")
    assert not [path for path in Path(THEME_DIR).rglob("*.html") if "long_date" in path.read_text()]
