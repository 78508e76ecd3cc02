"""``consent/consent.yml``: what the consent script gates and says, validated key by key.

Every problem names the file, the key (``categories.analytics.cookies[1].pattern``) and the fix; all
of them are reported at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CATEGORY_IDS",
    "LANGUAGES",
    "TEXT_KEYS",
    "Category",
    "ConsentConfig",
    "ConsentConfigError",
    "CookieSettings",
    "StorageItem",
    "load_consent",
]

LANGUAGES = ("en", "sv")
CATEGORY_IDS = ("necessary", "analytics", "advertising")
TEXT_KEYS = (
    "banner",
    "policy_link",
    "accept_all",
    "reject_all",
    "manage",
    "dialog_title",
    "save",
    "close",
    "always_on",
    "gpc",
    "blocked",
    "allow",
    "settings",
    "region",
)
MAX_AGE_LIMIT = 395  # days: CNIL's 13 months, and under the browsers' 400-day cap
_HOST = re.compile(r"\A(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")
#: A service host as a CSP source: a host name and, when it is not the default, a port.
_HOST_PORT = re.compile(
    r"\A(?=[^:]{1,253}(:|\Z))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:[1-9][0-9]{0,4})?\Z"
)
#: Pattern syntax Python accepts but JavaScript's RegExp rejects or reads otherwise; the runtime
#: would throw on it (failing closed, but with no banner). An escaped character never counts.
_PYTHON_ONLY = re.compile(r"(?<!\\)(?:\\\\)*(?:\(\?(?![:=!]|<[=!])|\\[AZz]|[*+?}]\+)")
_COOKIE_NAME = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
#: Besides YAMLError, PyYAML fails with plain exceptions on a value it resolves but cannot build
#: (a date that does not exist, 2026-02-30; a tag on the wrong text, !!int x, !!timestamp x), and
#: its pure-Python parser with RecursionError on deep nesting.
_UNREADABLE = (ValueError, KeyError, IndexError, AttributeError, RecursionError)


class ConsentConfigError(ValueError):
    """consent.yml is wrong; the message lists every problem with its key and fix."""


@dataclass(frozen=True)
class StorageItem:
    """A cookie, a Web Storage key, an IndexedDB database or a Cache Storage cache a category
    covers: an exact name or a pattern."""

    name: str | None
    pattern: str | None
    domain: str
    lifetime_days: int | None
    purpose: dict[str, str]

    @property
    def regex(self) -> str:
        """A regular expression matching the names this item covers (for the script's clearing)."""
        return self.pattern if self.pattern is not None else f"^{re.escape(self.name or '')}$"


@dataclass(frozen=True)
class Service:
    name: str
    hosts: tuple[str, ...]


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

    @property
    def necessary(self) -> bool:
        return self.id == "necessary"


@dataclass(frozen=True)
class CookieSettings:
    name: str
    domain: str
    max_age_days: int
    same_site: str


@dataclass(frozen=True)
class ConsentConfig:
    path: Path
    cookie: CookieSettings
    categories: tuple[Category, ...]
    texts: dict[str, dict[str, str]]
    consent_mode: bool
    gpc_last_update: dt.date

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{self.path}: '{key}': {message}")

    def mapping(
        self, value: Any, key: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "must be a mapping of 'key: value' lines.")
            return {}
        for name in value:
            if name not in allowed:
                self.fail(f"{key}.{name}", f"unknown key; the keys here are: {', '.join(allowed)}.")
        for name in required:
            if name not in value:
                self.fail(f"{key}.{name}", "is missing: add it.")
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be non-empty text.")
            return ""
        return value.strip()

    def languages(self, value: Any, key: str) -> dict[str, str]:
        found = self.mapping(value, key, LANGUAGES, LANGUAGES)
        return {
            lang: self.text(found.get(lang), f"{key}.{lang}") for lang in LANGUAGES if lang in found
        }

    def items(self, value: Any, key: str, make: Callable[[Any, str], Any]) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, "must be a list.")
            return []
        return [make(item, f"{key}[{index}]") for index, item in enumerate(value)]


def _storage_item(check: _Checker, value: Any, key: str, cookie: bool) -> StorageItem:
    allowed = ("name", "pattern", *LANGUAGES) + (("domain", "lifetime_days") if cookie else ())
    found = check.mapping(value, key, allowed, LANGUAGES)
    name, pattern = found.get("name"), found.get("pattern")
    if (name is None) == (pattern is None):
        check.fail(key, "give either 'name' (exact) or 'pattern' (a regular expression), not both.")
    if name is not None and (not isinstance(name, str) or not _COOKIE_NAME.match(name)):
        check.fail(f"{key}.name", f"{name!r} is not a cookie or storage key name.")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except (re.error, OverflowError, RecursionError) as err:  # a{4294967296}, deep nesting
            check.fail(f"{key}.pattern", f"{pattern!r} is not a regular expression ({err}).")
        else:
            if _PYTHON_ONLY.search(str(pattern)):
                check.fail(
                    f"{key}.pattern",
                    f"{pattern!r} uses syntax that the browser's JavaScript reads differently or "
                    "not at all ((?P<name>...), inline flags, \\A, \\Z, possessive "
                    "quantifiers): write it with ^, $, groups, classes and quantifiers only.",
                )
    lifetime = found.get("lifetime_days")
    if cookie and (not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime < 0):
        check.fail(f"{key}.lifetime_days", "must be a whole number of days (0 for a session).")
    domain = str(found.get("domain", ""))
    purpose = {lang: check.text(found.get(lang), f"{key}.{lang}") for lang in LANGUAGES}
    return StorageItem(
        str(name) if name is not None else None,
        str(pattern) if pattern is not None else None,
        domain,
        lifetime if isinstance(lifetime, int) else None,
        purpose,
    )


def _service(check: _Checker, value: Any, key: str) -> Service:
    found = check.mapping(value, key, ("name", "hosts"), ("name", "hosts"))
    hosts = found.get("hosts") or []
    if not isinstance(hosts, list):
        check.fail(f"{key}.hosts", "must be a list of host names, e.g. [www.google-analytics.com].")
        hosts = []
    for index, host in enumerate(hosts):
        if not isinstance(host, str) or not _HOST_PORT.match(host):
            check.fail(
                f"{key}.hosts[{index}]",
                f"{host!r} is not a host name: write it without scheme or path, with a port "
                "only when it is not the default (www.example.com, tags.example.com:8443).",
            )
    return Service(check.text(found.get("name"), f"{key}.name"), tuple(map(str, hosts)))


def _category(check: _Checker, category_id: str, value: Any) -> Category:
    key = f"categories.{category_id}"
    allowed = (
        "title",
        "description",
        "gpc",
        "cookies",
        "storage",
        "indexeddb",
        "caches",
        "services",
    )
    found = check.mapping(value, key, allowed, ("title", "description"))
    gpc = found.get("gpc", False)
    if not isinstance(gpc, bool):
        check.fail(f"{key}.gpc", "must be true or false.")
    if category_id == "necessary" and gpc is True:
        check.fail(f"{key}.gpc", "necessary cookies cannot be refused; remove 'gpc'.")

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
        title=check.languages(found.get("title"), f"{key}.title"),
        description=check.languages(found.get("description"), f"{key}.description"),
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
                found.get("services"), f"{key}.services", lambda v, k: _service(check, v, k)
            )
        ),
        indexeddb=stored("indexeddb"),
        caches=stored("caches"),
    )


def _cookie(check: _Checker, value: Any) -> CookieSettings:
    found = check.mapping(value or {}, "cookie", ("name", "domain", "max_age_days", "same_site"))
    name = found.get("name", "tt_consent")
    if not isinstance(name, str) or not _COOKIE_NAME.match(name):
        check.fail("cookie.name", f"{name!r} is not a cookie name: letters, digits, '_' or '-'.")
    domain = found.get("domain") or ""
    if not isinstance(domain, str) or (domain and not _HOST.match(domain.removeprefix("."))):
        check.fail(
            "cookie.domain",
            f"{domain!r} is not a domain: write e.g. .toontrack.com, or "
            "leave it empty for the current host only.",
        )
    days = found.get("max_age_days", 182)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_AGE_LIMIT:
        check.fail(
            "cookie.max_age_days",
            f"{days!r}: a consent is kept 1 to {MAX_AGE_LIMIT} days "
            "(13 months at most); 182 (six months) is the usual choice.",
        )
    same_site = found.get("same_site", "Lax")
    if same_site not in ("Lax", "Strict"):
        check.fail("cookie.same_site", f"{same_site!r}: write Lax or Strict.")
    return CookieSettings(
        str(name), str(domain), days if isinstance(days, int) else 182, str(same_site)
    )


def load_consent(path: Path) -> ConsentConfig:
    """Read and check ``path``. Raises ConsentConfigError listing every problem."""
    check = _Checker(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConsentConfigError(
            f"{path}: not found. It is plugins.policy-site.consent in mkdocs.yml: correct the "
            "path, or create the file (see the README)."
        ) from None
    except UnicodeDecodeError as err:
        raise ConsentConfigError(f"{path}: not UTF-8 text ({err}); save it as UTF-8.") from None
    except yaml.YAMLError as err:
        raise ConsentConfigError(f"{path}: not valid YAML: {err}") from None
    except _UNREADABLE as err:
        raise ConsentConfigError(
            f"{path}: a value YAML cannot read ({type(err).__name__}: {err}); "
            "a date must exist and be written YYYY-MM-DD, and no value needs a '!!' tag."
        ) from None
    top = check.mapping(
        raw,
        "(top)",
        ("cookie", "consent_mode", "gpc_last_update", "categories", "texts"),
        ("categories", "texts", "gpc_last_update"),
    )
    cookie = _cookie(check, top.get("cookie"))
    categories_raw = check.mapping(
        top.get("categories"), "categories", CATEGORY_IDS, ("necessary",)
    )
    categories = tuple(
        _category(check, cid, categories_raw[cid]) for cid in CATEGORY_IDS if cid in categories_raw
    )
    texts_raw = check.mapping(top.get("texts"), "texts", LANGUAGES, LANGUAGES)
    texts = {}
    for lang in LANGUAGES:
        found = check.mapping(texts_raw.get(lang, {}), f"texts.{lang}", TEXT_KEYS, TEXT_KEYS)
        texts[lang] = {
            k: check.text(found.get(k), f"texts.{lang}.{k}") for k in TEXT_KEYS if k in found
        }
    consent_mode = top.get("consent_mode", False)
    if not isinstance(consent_mode, bool):
        check.fail("consent_mode", "must be true or false.")
    last_update = top.get("gpc_last_update")
    if isinstance(last_update, dt.datetime) or not isinstance(last_update, dt.date):
        check.fail(
            "gpc_last_update", "must be a date, YYYY-MM-DD (when GPC handling last changed)."
        )
        last_update = dt.date(1970, 1, 1)
    if check.problems:
        raise ConsentConfigError("\n".join(check.problems))
    return ConsentConfig(path, cookie, categories, texts, consent_mode is True, last_update)
