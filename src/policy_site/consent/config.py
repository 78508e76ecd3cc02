"""``consent/consent.yml``: what the consent script gates and says, validated key by key.

A site declares its own languages (the keys of ``texts``, BCP 47 tags) and its own categories
(any ids, one of them necessary). The banner's and the dialog's texts default to the package's
(``runtime/texts.yml``), which a site overrides key by key. Every problem names the file, the key
(``categories.analytics.cookies[1].pattern``) and the fix; all of them are reported at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policy_site.consent.checker import Checker
from policy_site.consent.patterns import pattern_label
from policy_site.consent.receipts_key import ReceiptsSettings, read_receipts
from policy_site.consent.services import (
    CONSENT_MODE_SIGNALS,
    Service,
    check_services,
    granting,
    read_service,
)
from policy_site.consent.texts import TEXT_KEYS, default_texts, read_texts
from policy_site.problems import PolicySiteError, yaml_problem

__all__ = [
    "CONSENT_MODE_SIGNALS",
    "HOST_NAME",
    "RUNTIME",
    "TEXT_KEYS",
    "Category",
    "ConsentConfig",
    "ConsentConfigError",
    "CookieSettings",
    "StorageItem",
    "default_texts",
    "load_consent",
]

#: The consent runtime (scripts, stylesheet, bundle template, default texts): package data.
RUNTIME = Path(__file__).resolve().parent / "runtime"
#: The signals a category follows when consent.yml does not say (``consent_mode: [...]``).
_SIGNALS_BY_ID = {
    **dict.fromkeys(("advertising", "marketing", "ads"), CONSENT_MODE_SIGNALS[:3]),
    **dict.fromkeys(("analytics", "statistics", "measurement"), CONSENT_MODE_SIGNALS[3:]),
}
_CATEGORY_ID = re.compile(r"\A[a-z][a-z0-9_]{0,31}\Z")
MAX_AGE_LIMIT = 395  # days: CNIL's 13 months, and under the browsers' 400-day cap
#: A host name (lower case, no port): a cookie domain, a site's domain.
HOST_NAME = re.compile(r"\A(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")
_COOKIE_NAME = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
#: Besides YAMLError, PyYAML fails with plain exceptions on a value it resolves but cannot build
#: (a date that does not exist, 2026-02-30; a tag on the wrong text, !!int x, !!timestamp x), and
#: its pure-Python parser with RecursionError on deep nesting.
_UNREADABLE = (ValueError, KeyError, IndexError, AttributeError, RecursionError)


class ConsentConfigError(PolicySiteError):
    """consent.yml is wrong; the message lists every problem with its key and fix."""


@dataclass(frozen=True)
class StorageItem:
    """A cookie, a Web Storage key, an IndexedDB database or a Cache Storage cache a category
    covers: an exact name or a pattern, which the cookie page shows by its label."""

    name: str | None
    pattern: str | None
    domain: str
    lifetime_days: int | None
    purpose: dict[str, str]
    label: dict[str, str]

    @property
    def regex(self) -> str:
        """A regular expression matching the names this item covers (for the script's clearing)."""
        return self.pattern if self.pattern is not None else f"^{re.escape(self.name or '')}$"


@dataclass(frozen=True)
class Category:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    #: Switched off by a Global Privacy Control signal unless the visitor switches it on.
    gpc: bool
    cookies: tuple[StorageItem, ...]
    storage: tuple[StorageItem, ...]
    services: tuple[Service, ...]
    #: IndexedDB database names and Cache Storage cache names (``indexeddb:`` and ``caches:``).
    indexeddb: tuple[StorageItem, ...] = ()
    caches: tuple[StorageItem, ...] = ()
    #: The one category a site cannot work without: always on, never asked.
    necessary: bool = False
    #: The Consent Mode signals granted while this category is.
    consent_mode: tuple[str, ...] = ()

    @property
    def per_service(self) -> bool:
        """Chosen service by service: an optional category with two or more services."""
        return not self.necessary and len(self.services) > 1


@dataclass(frozen=True)
class CookieSettings:
    name: str
    domain: str
    max_age_days: int
    same_site: str
    #: How long a refusal holds under a later consent revision (at most max_age_days).
    refusal_holds_days: int = 182


@dataclass(frozen=True)
class ConsentConfig:
    path: Path
    cookie: CookieSettings
    categories: tuple[Category, ...]
    texts: dict[str, dict[str, str]]
    consent_mode: bool
    gpc_last_update: dt.date
    #: None: no receipts (the default).
    receipts: ReceiptsSettings | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages of the texts, in consent.yml's order: a script for each."""
        return tuple(self.texts)

    @property
    def consent_mode_signals(self) -> dict[str, list[str]]:
        """Each Consent Mode signal and the categories (or services) that grant it (none: always
        denied); see services.granting."""
        return {
            signal: [i for c in self.categories for i in granting(c, signal)]
            for signal in CONSENT_MODE_SIGNALS
        }

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


def _storage_item(check: Checker, value: Any, key: str, cookie: bool) -> StorageItem:
    allowed = ("name", "pattern", "label", *check.languages)
    allowed += ("domain", "lifetime_days") if cookie else ()
    found = check.mapping(value, key, allowed, check.languages)
    name, pattern = found.get("name"), found.get("pattern")
    if (name is None) == (pattern is None):
        check.fail(key, "give either 'name' (exact) or 'pattern' (a regular expression), not both.")
    if name is not None and (not isinstance(name, str) or not _COOKIE_NAME.match(name)):
        check.fail(f"{key}.name", f"{name!r} is not a cookie or storage key name.")
    label = pattern_label(check, found, key)
    lifetime = found.get("lifetime_days")
    if cookie and (not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime < 0):
        check.fail(f"{key}.lifetime_days", "must be a whole number of days (0 for a session).")
    domain = str(found.get("domain", ""))
    purpose = {lang: check.text(found.get(lang), f"{key}.{lang}") for lang in check.languages}
    return StorageItem(
        str(name) if name is not None else None,
        str(pattern) if pattern is not None else None,
        domain,
        lifetime if isinstance(lifetime, int) else None,
        purpose,
        label,
    )


def _category(check: Checker, category_id: str, value: Any) -> Category:
    key = f"categories.{category_id}"
    allowed = (
        "title",
        "description",
        "necessary",
        "gpc",
        "consent_mode",
        "cookies",
        "storage",
        "indexeddb",
        "caches",
        "services",
    )
    if not _CATEGORY_ID.match(category_id):
        check.fail(key, "a category id is lower-case letters, digits and '_', e.g. marketing.")
    found = check.mapping(value, key, allowed, ("title", "description"))
    necessary = found.get("necessary", category_id == "necessary")
    if not isinstance(necessary, bool):
        check.fail(f"{key}.necessary", "must be true or false.")
    gpc = found.get("gpc", False)
    if not isinstance(gpc, bool):
        check.fail(f"{key}.gpc", "must be true or false.")
    if necessary is True and gpc is True:
        check.fail(f"{key}.gpc", "necessary cookies cannot be refused; remove 'gpc'.")
    signals = found.get("consent_mode", _SIGNALS_BY_ID.get(category_id, ()))
    if necessary is True and "consent_mode" in found:
        check.fail(f"{key}.consent_mode", "a necessary category grants no Consent Mode signal.")
    if not isinstance(signals, list | tuple) or not all(s in CONSENT_MODE_SIGNALS for s in signals):
        check.fail(
            f"{key}.consent_mode",
            f"must list the Consent Mode signals this category grants, of: "
            f"{', '.join(CONSENT_MODE_SIGNALS)}.",
        )
        signals = ()

    def stored(kind: str) -> tuple[StorageItem, ...]:
        """A list of storage items, each checked as a storage key is."""
        return tuple(
            check.items(
                found.get(kind),
                f"{key}.{kind}",
                lambda v, k: _storage_item(check, v, k, cookie=False),
            )
        )

    return Category(
        id=category_id,
        title=check.in_languages(found.get("title"), f"{key}.title"),
        description=check.in_languages(found.get("description"), f"{key}.description"),
        gpc=gpc is True,
        cookies=tuple(
            check.items(
                found.get("cookies"),
                f"{key}.cookies",
                lambda v, k: _storage_item(check, v, k, cookie=True),
            )
        ),
        storage=stored("storage"),
        services=tuple(
            check.items(
                found.get("services"), f"{key}.services", lambda v, k: read_service(check, v, k)
            )
        ),
        indexeddb=stored("indexeddb"),
        caches=stored("caches"),
        necessary=necessary is True,
        consent_mode=() if necessary is True else tuple(map(str, signals)),
    )


def _whole_days(value: Any, most: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= most


def _cookie(check: Checker, value: Any) -> CookieSettings:
    keys = ("name", "domain", "max_age_days", "same_site", "refusal_holds_days")
    found = check.mapping(value or {}, "cookie", keys)
    name = found.get("name", "consent")
    if not isinstance(name, str) or not _COOKIE_NAME.match(name):
        check.fail("cookie.name", f"{name!r} is not a cookie name: letters, digits, '_' or '-'.")
    domain = found.get("domain") or ""
    if not isinstance(domain, str) or (domain and not HOST_NAME.match(domain.removeprefix("."))):
        check.fail(
            "cookie.domain",
            f"{domain!r} is not a domain: write e.g. .example.com, or "
            "leave it empty for the current host only.",
        )
    days = found.get("max_age_days", 182)
    if not _whole_days(days, MAX_AGE_LIMIT):
        check.fail(
            "cookie.max_age_days",
            f"{days!r}: a consent is kept 1 to {MAX_AGE_LIMIT} days "
            "(13 months at most); 182 (six months) is the usual choice.",
        )
    same_site = found.get("same_site", "Lax")
    if same_site not in ("Lax", "Strict"):
        check.fail("cookie.same_site", f"{same_site!r}: write Lax or Strict.")
    # By default as long as the cookie; never longer (the cookie is gone by then).
    most = days if _whole_days(days, MAX_AGE_LIMIT) else MAX_AGE_LIMIT
    held = found.get("refusal_holds_days", most)
    if not _whole_days(held, most):
        check.fail(
            "cookie.refusal_holds_days",
            f"{held!r}: a refusal holds 1 to {most} days (at most cookie.max_age_days), in whole "
            "days; leave it out to hold it as long as the cookie.",
        )
    days, held = (v if isinstance(v, int) else 182 for v in (days, held))
    return CookieSettings(str(name), str(domain), days, str(same_site), held)


def load_consent(path: Path) -> ConsentConfig:
    """Read and check ``path``. Raises ConsentConfigError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        check = Checker(path, yaml.compose(text))
    except FileNotFoundError:
        raise ConsentConfigError(
            f"{path}: not found. It is plugins.policy-site.consent in mkdocs.yml: correct the "
            "path, or create the file (see manual/docs/consent.md)."
        ) from None
    except UnicodeDecodeError as err:
        raise ConsentConfigError(f"{path}: not UTF-8 text ({err}); save it as UTF-8.") from None
    except yaml.YAMLError as err:
        raise ConsentConfigError([yaml_problem(path, err, path.name, text=text)]) from None
    except _UNREADABLE as err:
        raise ConsentConfigError(
            f"{path}: a value YAML cannot read ({type(err).__name__}: {err}); "
            "a date must exist and be written YYYY-MM-DD, and no value needs a '!!' tag."
        ) from None
    top = check.mapping(
        raw,
        "(top)",
        ("cookie", "consent_mode", "gpc_last_update", "categories", "texts", "receipts"),
        ("categories", "texts", "gpc_last_update"),
    )
    cookie = _cookie(check, top.get("cookie"))
    texts = read_texts(check, top.get("texts"))
    value = top.get("categories")
    categories_raw = check.mapping(
        value, "categories", tuple(value) if isinstance(value, dict) else ()
    )
    categories = tuple(_category(check, str(cid), value) for cid, value in categories_raw.items())
    check_services(check, categories)
    necessary = [category.id for category in categories if category.necessary]
    if categories_raw and len(necessary) != 1:
        said = "none is" if not necessary else f"{', '.join(necessary)} are"
        check.fail(
            "categories",
            f"one category holds what the site cannot work without, and {said} marked so: give "
            "exactly one 'necessary: true' (a category named 'necessary' is, unless it says not).",
        )
    consent_mode = top.get("consent_mode", False)
    if not isinstance(consent_mode, bool):
        check.fail("consent_mode", "must be true or false.")
    last_update = top.get("gpc_last_update")
    if isinstance(last_update, dt.datetime) or not isinstance(last_update, dt.date):
        check.fail(
            "gpc_last_update", "must be a date, YYYY-MM-DD (when GPC handling last changed)."
        )
        last_update = dt.date(1970, 1, 1)
    receipts = read_receipts(check, top.get("receipts"))
    if check.problems:
        raise ConsentConfigError(check.report())
    return ConsentConfig(
        path, cookie, categories, texts, consent_mode is True, last_update, receipts
    )
