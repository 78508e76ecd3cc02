"""A new site, and the day it is first published.

``policy-site init DIR --domain example.org --language en`` writes a site that builds at once:
``mkdocs.yml`` (with a navigation in the site's language), a first policy version in that
language, ``consent/consent.yml`` with the one category every site has (what it cannot work
without), a lock that records no version, a ``.gitignore`` and a GitHub Actions workflow that
builds, audits and deploys the site every day (``policy_site/starter/``).

A lock that records no version is a site that has published nothing: its versions are drafts,
free to change, that the build shows as they will be published, keeping no consent bundle for
them. ``policy-site publish`` ends that: it dates a lone first version today (the day it takes
effect), records the versions in the lock and keeps their consent bundles. From then on the lock's
rules apply (``policy_site.versions.lock``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

import yaml

from policy_site.consent.config import HOST_NAME, default_texts
from policy_site.dates import AS_OF_ENV, record_date
from policy_site.editor import Outcome, update_lock
from policy_site.locale import has_words, say, texts
from policy_site.problems import PolicySiteError
from policy_site.site import SiteConfig, load_site
from policy_site.versions.frontmatter import split_front_matter
from policy_site.versions.lock import read_lock
from policy_site.versions.model import TRANSLATION_NAME, PolicyVersion
from policy_site.versions.rules import restate_effective_date

__all__ = ["STARTER_KEYS", "InitError", "init_site", "known_languages", "publish"]

_STARTER = files(__package__).joinpath("starter")
#: The words of the first version, under ``starter`` in each language's locale file.
STARTER_KEYS = ("title", "intro", "cookies_heading", "cookies", "contact_heading",
                "contact")  # fmt: skip
#: Where init writes the workflow (GitHub reads it there, in the repository's root).
WORKFLOW = ".github/workflows/policy-site.yml"


class InitError(PolicySiteError):
    """The folder or an option cannot make a site; the message says which and how to fix it."""


@functools.cache
def _necessary() -> dict[str, dict[str, str]]:
    """The necessary category's title, description and the consent cookie's purpose, by
    language."""
    found: dict[str, dict[str, str]] = yaml.safe_load(
        _STARTER.joinpath("necessary.yml").read_text(encoding="utf-8")
    )
    return found


def _missing_words(language: str) -> list[str]:
    """What ``language`` lacks of what init writes in it: the page words' file, the starter
    text's keys, the consent texts, the necessary category."""
    if not has_words(language):
        return [f"policy_site/locale/{language}.yml"]
    starter = texts(language).get("starter")
    starter = starter if isinstance(starter, dict) else {}
    missing = [f"starter.{key}" for key in STARTER_KEYS if not isinstance(starter.get(key), str)]
    if "settings" not in default_texts().get(language, {}):
        missing.append(f"consent/runtime/texts.yml: {language}.settings")
    if language not in _necessary():
        missing.append(f"starter/necessary.yml: {language}")
    return missing


def known_languages() -> list[str]:
    """The languages init writes a site in: those with all of its words."""
    candidates = set(_necessary()) | set(default_texts())
    return sorted(code for code in candidates if not _missing_words(code))


def _mkdocs_yml(name: str, domain: str, language: str, contact: str) -> str:
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
                    "contact": contact,
                }
            }
        ],
        "markdown_extensions": [{"toc": {"permalink": True}}, "attr_list"],
        # docs/index.md only leads to the policy: a page of the site, not of its navigation.
        "not_in_nav": "/index.md",
        # The pages' own titles, in the page words (the site's locale_dir may change them).
        "nav": ["privacy/index.md", "privacy/versions/index.md", "privacy/cookies.md"],
    }
    header = (
        "# Written by policy-site init. font: false keeps the theme from loading Google Fonts\n"
        "# before any consent; the plugin publishes the policy from docs/privacy/versions/.\n"
    )
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _consent_yml(domain: str, language: str, today: dt.date) -> str:
    necessary = _necessary()[language]
    cookie_domain = "." + domain
    config = {
        "cookie": {"name": "consent", "domain": cookie_domain, "max_age_days": 182},
        "consent_mode": False,
        "gpc_last_update": today,
        "categories": {
            "necessary": {
                "title": {language: necessary["title"]},
                "description": {language: necessary["description"]},
                "cookies": [
                    {
                        "name": "consent",
                        "domain": cookie_domain,
                        "lifetime_days": 182,
                        language: necessary["purpose"],
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


def _first_version(language: str, today: dt.date, name: str, domain: str) -> str:
    words = texts(language)["starter"]
    settings = default_texts()[language]["settings"]
    front = yaml.safe_dump(
        {"title": words["title"], "effective": today}, allow_unicode=True, sort_keys=False
    )
    sections = [
        f"# {words['title']}",
        say(words["intro"], name=name),
        f"## {words['cookies_heading']}",
        say(words["cookies"], settings=settings),
        f"## {words['contact_heading']}",
        say(words["contact"], email=f"privacy@{domain}"),
    ]
    return f"---\n{front}---\n\n" + "\n\n".join(sections) + "\n"


def _starter(name: str) -> str:
    return _STARTER.joinpath(name).read_text(encoding="utf-8")


def init_site(folder: Path, domain: str, language: str, today: dt.date, name: str | None) -> str:
    """Write the site into ``folder`` (new or empty); returns what was written. Raises InitError
    naming the option and the fix."""
    host = domain.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not HOST_NAME.match(host):
        raise InitError(f"--domain {host!r} is not a host name: write e.g. www.example.org.")
    primary = language.split("-")[0].lower()
    if primary != language and primary in known_languages():
        raise InitError(
            f"--language {language!r}: init writes a site in a language, not a region's variant: "
            f"write --language {primary}, then adjust its words in the site's own locale_dir "
            "(manual: adopting.md, 'Page words')."
        )
    missing = _missing_words(language)
    if missing:
        raise InitError(
            f"--language {language!r}: policy-site lacks the words init writes in it "
            f"({', '.join(missing)}). It knows {', '.join(known_languages())}: choose one, or "
            "add the missing words to policy-site (a translation of policy_site/locale/en.yml)."
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitError(f"{folder} exists and is not an empty folder: choose a new one.")
    bare = host.removeprefix("www.")  # the organisation's domain: mail and the consent cookie
    site_name = name or bare
    versions = folder / "docs" / "privacy" / "versions"
    versions.mkdir(parents=True)
    (folder / "consent").mkdir()
    (folder / ".github" / "workflows").mkdir(parents=True)
    written = {
        "mkdocs.yml": _mkdocs_yml(site_name, host, language, f"privacy@{bare}"),
        "docs/index.md": yaml.safe_dump(
            {"title": texts(language)["starter"]["title"], "template": "policy-redirect.html"},
            allow_unicode=True,
            explicit_start=True,
        )
        + "---\n",
        f"docs/privacy/versions/{today.isoformat()}.md": _first_version(
            language, today, site_name, bare
        ),
        "docs/privacy/versions.lock": "{}\n",
        "consent/consent.yml": _consent_yml(bare, language, today),
        ".gitignore": _starter("gitignore.txt"),
        WORKFLOW: _starter("workflow.yml"),
    }
    for path, content in written.items():
        (folder / path).write_text(content, encoding="utf-8")
    return f"Created the site in {folder}: {', '.join(written)}."


def next_steps(folder: Path, today: dt.date) -> list[str]:
    """What init tells the reader to do next: each step a command to run, the last how the
    draft becomes public."""
    first = f"docs/privacy/versions/{today.isoformat()}.md"
    return [
        "The policy is a draft: nothing is published (docs/privacy/versions.lock records no "
        "version), so edit and build it as often as you like.",
        "Next:",
        f"  1. cd {folder} && git init && git add -A && git commit -m 'policy-site init'",
        f"  2. Write your policy into {first}, and add a category to consent/consent.yml",
        "     for each purpose that needs consent (manual: consent.md).",
        "  3. policy-site build && policy-site serve, and read http://127.0.0.1:8000/privacy/",
        f"  4. Set up {WORKFLOW}: what to change is at its top (the package to",
        "     install, the host to deploy to and its secret). It builds, audits and deploys every",
        "     day; it deploys nothing while the policy is a draft.",
        "  5. To publish: policy-site publish (the first version then takes effect that day and is",
        "     locked), then git add -A && git commit -m 'Publish the privacy policy' && git push",
    ]


def _redate(version: PolicyVersion, day: dt.date, language: str) -> list[str]:
    """Moves ``version`` and its translations to ``day``: the files' names, 'effective' (a
    translation's 'translates') and the effective date each text states. Says what it did."""
    old, new = version.id, day.isoformat()
    said = []
    for path in sorted(version.path.parent.glob(f"{old}*.md")):
        named = TRANSLATION_NAME.match(path.stem)
        code = named["language"] if named and named["date"] == old else ""
        parts = split_front_matter(text := path.read_text(encoding="utf-8"))
        if parts is None or (path.stem != old and not code):
            continue  # not this version's file nor a translation of it
        body = parts[1]
        key = "translates" if code else "effective"
        head = re.sub(rf"(?m)^{key}:.*$", f"{key}: {new}", text[: len(text) - len(body)], count=1)
        body, _ = restate_effective_date(body, day, code or language)
        target = path.with_name(new + path.name.removeprefix(old))
        target.write_text(head + body, encoding="utf-8")
        path.unlink()
        said.append(f"Moved {path.name} to {target.name} ({key}: {new}).")
    return said


def publish(config: SiteConfig, environ: Mapping[str, str]) -> Outcome:
    """``policy-site publish``: a draft site (its lock records no version) becomes public. A lone
    first version dated earlier takes today's date (it takes effect the day it is published);
    the lock records every version, and the consent bundles are kept. Raises PolicySiteError,
    changing nothing, on a site that published already or that does not check."""
    environ = {key: value for key, value in environ.items() if key != AS_OF_ENV}
    settings = config.settings()
    lock_path = config.docs_dir / settings.lock_file
    if read_lock(lock_path):
        raise PolicySiteError(
            f"{lock_path} records published versions: this site is published already. A new "
            "text is a new version: policy-site new-version YYYY-MM-DD."
        )
    site = load_site(config, environ)  # everything checks before anything moves
    today = record_date(settings.timezone, environ)
    versions = site.policy.versions
    out = Outcome()
    if len(versions) == 1 and versions[0].effective < today:  # a later one does not build yet
        out.said += _redate(versions[0], today, settings.language)
    update_lock(config, environ, out, publish=True)
    out.said += [
        "Published. From now on a version in effect does not change: a correction is an "
        "'errata' entry, a new text a new version (policy-site new-version YYYY-MM-DD).",
        "Next: git add -A && git commit -m 'Publish the privacy policy' && git push",
        f"  ({WORKFLOW} deploys it on its next run.)",
    ]
    return out
