"""``policy-site init DIR --domain example.org --language en``: a new site that builds at once.

It writes ``mkdocs.yml``, a first policy version dated today, ``consent/consent.yml`` with the one
category every site has (what it cannot work without), the lock that records the version, and the
consent bundle files the first build publishes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from policy_site.consent.archive import keep_bundles
from policy_site.consent.config import HOST_NAME, default_texts
from policy_site.locale import has_words, say, texts
from policy_site.problems import PolicySiteError
from policy_site.site import read_config
from policy_site.versions.lock import updated_lock, write_lock
from policy_site.versions.policy import read_versions

__all__ = ["InitError", "init_site"]


#: The necessary category's title, description and the consent cookie's purpose, by language.
_NECESSARY = {
    "en": ("Necessary", "What this site needs to work, and your cookie choice. Always on.",
           "Your cookie choice"),
    "sv": ("Nödvändiga", "Det som webbplatsen behöver för att fungera, och ditt val om kakor. "
           "Alltid på.", "Ditt val om kakor"),
    "de": ("Notwendig", "Was diese Website zum Funktionieren braucht, und Ihre Cookie-Auswahl. "
           "Immer aktiv.", "Ihre Cookie-Auswahl"),
    "fr": ("Nécessaires", "Ce dont ce site a besoin pour fonctionner, et votre choix de cookies. "
           "Toujours actifs.", "Votre choix de cookies"),
    "es": ("Necesarias", "Lo que este sitio necesita para funcionar, y su elección de cookies. "
           "Siempre activas.", "Su elección de cookies"),
    "nl": ("Noodzakelijk", "Wat deze site nodig heeft om te werken, en uw cookiekeuze. Altijd aan.",
           "Uw cookiekeuze"),
    "da": ("Nødvendige", "Det, som webstedet skal bruge for at fungere, og dit cookievalg. Altid "
           "aktiveret.", "Dit cookievalg"),
    "nb": ("Nødvendige", "Det nettstedet trenger for å fungere, og valget ditt om "
           "informasjonskapsler. Alltid på.", "Valget ditt om informasjonskapsler"),
    "fi": ("Välttämättömät", "Se, mitä sivusto tarvitsee toimiakseen, ja evästevalintasi. Aina "
           "käytössä.", "Evästevalintasi"),
    "it": ("Necessari", "Ciò che serve al sito per funzionare, e la tua scelta sui cookie. Sempre "
           "attivi.", "La tua scelta sui cookie"),
}  # fmt: skip

#: The first version, in the language's starter words (policy_site/locale/<language>.yml).
_FIRST_VERSION = """\
---
title: {title}
effective: {today}
---

# {title}

{intro}

## {cookies_heading}

{cookies}

## {contact_heading}

{contact}
"""


class InitError(PolicySiteError):
    """The folder or an option cannot make a site; the message says which and how to fix it."""


def _mkdocs_yml(name: str, domain: str, language: str) -> str:
    config = {
        "site_name": name,
        "site_url": f"https://{domain}/",
        "theme": {"name": "material", "language": language, "font": False},
        "extra": {"generator": False},
        "plugins": [
            {
                "policy-site": {
                    "consent": "consent/consent.yml",
                    "published_bundles": "consent/published",
                }
            }
        ],
        "markdown_extensions": [{"toc": {"permalink": True}}, "attr_list"],
    }
    header = (
        "# Written by policy-site init. font: false keeps the theme from loading Google Fonts\n"
        "# before any consent; the plugin publishes the policy from docs/privacy/versions/.\n"
    )
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _consent_yml(domain: str, language: str, today: dt.date) -> str:
    title, description, purpose = _NECESSARY[language]
    cookie_domain = "." + domain.removeprefix("www.")
    config = {
        "cookie": {"name": "consent", "domain": cookie_domain, "max_age_days": 182},
        "consent_mode": False,
        "gpc_last_update": today,
        "categories": {
            "necessary": {
                "title": {language: title},
                "description": {language: description},
                "cookies": [
                    {
                        "name": "consent",
                        "domain": cookie_domain,
                        "lifetime_days": 182,
                        language: purpose,
                    }
                ],
            }
        },
        "texts": {language: {}},
    }
    header = (
        "# What the consent script gates and says (see policy-site's manual/docs/consent.md).\n"
        "# Add a category for each purpose that needs consent (analytics, marketing, ...), with\n"
        "# its cookies and the hosts of its services; texts.<language> overrides the package's\n"
        "# default texts.\n"
    )
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=96)


def init_site(folder: Path, domain: str, language: str, today: dt.date, name: str | None) -> str:
    """Write the site into ``folder`` (new or empty); returns what was written. Raises InitError
    naming the option and the fix."""
    domain = domain.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not HOST_NAME.match(domain):
        raise InitError(f"--domain {domain!r} is not a host name: write e.g. www.example.org.")
    known = sorted(code for code in _NECESSARY if code in default_texts() and has_words(code))
    if language not in known:
        raise InitError(f"--language {language!r}: init knows {', '.join(known)}; choose one.")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitError(f"{folder} exists and is not an empty folder: choose a new one.")
    site_name = name or domain.removeprefix("www.")
    versions = folder / "docs" / "privacy" / "versions"
    versions.mkdir(parents=True)
    (folder / "consent").mkdir()
    (folder / "mkdocs.yml").write_text(_mkdocs_yml(site_name, domain, language), encoding="utf-8")
    starter = texts(language)["starter"]
    (folder / "docs" / "index.md").write_text(
        f"---\ntitle: {starter['nav']}\ntemplate: policy-redirect.html\n---\n", encoding="utf-8"
    )
    parts = {"name": site_name, "email": f"privacy@{domain}",
             "settings": default_texts()[language]["settings"]}  # fmt: skip
    words = {key: say(text, **parts) for key, text in starter.items()}
    first = _FIRST_VERSION.format(today=today.isoformat(), **words)
    (versions / f"{today.isoformat()}.md").write_text(first, encoding="utf-8")
    consent = _consent_yml(domain, language, today)
    (folder / "consent" / "consent.yml").write_text(consent, encoding="utf-8")
    found, problems = read_versions(versions)
    assert not problems, problems  # the text above is valid
    lock_path = folder / "docs" / "privacy" / "versions.lock"
    lock = updated_lock(found, {}, today, lock_path, versions).lock
    write_lock(lock_path, lock)
    kept = keep_bundles(read_config(folder / "mkdocs.yml"), found, today, lock, today)
    return (
        f"Created the site in {folder}: mkdocs.yml, docs/privacy/versions/{today}.md (the first "
        "version, in effect today), consent/consent.yml and the lock.\n"
        f"{kept}"
    )
