"""What each key of ``consent.yml`` holds, for the manual's reference: by the mapping it stands in
(``categories.<id>`` for any category, ``[]`` for each item of a list, ``<language>`` for each
language of ``texts``), in Markdown. The validation (consent/config.py) decides which keys a
mapping takes; tests/unit/test_reference.py holds these to it, so that a key cannot be added
without its words.
The keys under ``texts.<language>`` are consent/texts.py's ``TEXT_KEYS``, said by their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_site.consent.config import CONSENT_MODE_SIGNALS, MAX_AGE_LIMIT

__all__ = ["KEYS", "LANGUAGE", "Key"]

#: How the reference writes "a key for each language of ``texts``".
LANGUAGE = "<language>"


@dataclass(frozen=True)
class Key:
    """One key: what it holds, its default as written in consent.yml ('' when it has none), and
    whether it must be there."""

    doc: str
    default: str = ""
    required: bool = False


_ITEM = {
    "name": Key(
        "its exact name, which the cookie page shows as it is; give either `name` or `pattern`"
    ),
    "pattern": Key(
        "a regular expression for the names it covers, e.g. `^_ga_`; written with `^`, `$`, "
        "groups, classes and quantifiers only (the consent script matches it in the browser)"
    ),
    "label": Key(
        "with `pattern`, and then required: the words the cookie page shows in its place, in "
        'each language of `texts`, e.g. `{en: "_ga_ followed by the site\'s measurement ID"}`; '
        "visitors never see the pattern"
    ),
    LANGUAGE: Key("what it is for, in each language of `texts`", required=True),
}
_SIGNALS = ", ".join(f"`{signal}`" for signal in CONSENT_MODE_SIGNALS)

KEYS: dict[str, dict[str, Key]] = {
    "": {
        "cookie": Key("the consent cookie that keeps the visitor's choice"),
        "consent_mode": Key(
            "`true`: Google Consent Mode v2 (basic), every signal denied before anything runs and "
            "updated after every choice",
            "`false`",
        ),
        "gpc_last_update": Key(
            "the day the site's handling of Global Privacy Control last changed, `YYYY-MM-DD`; "
            "published as `lastUpdate` in `/.well-known/gpc.json`",
            required=True,
        ),
        "categories": Key(
            "the categories the visitor is asked about, by id (lower-case letters, digits and "
            "`_`, e.g. `marketing`); exactly one is necessary",
            required=True,
        ),
        "texts": Key(
            "the site's languages (BCP 47 tags, e.g. `en`, `de-CH`), each with the banner's and "
            "the dialog's texts it overrides (`{}` keeps the package's); a consent script is "
            "written for each",
            required=True,
        ),
        "receipts": Key(
            "present: the consent script sends a receipt of each choice to the site, for "
            "`policy-site receipts serve` to keep (proof of consent)",
            "off",
        ),
    },
    "cookie": {
        "name": Key("the consent cookie's name", "`consent`"),
        "domain": Key(
            "the domain it is set on, e.g. `.example.com` to share one choice with every sub "
            "domain; empty for the current host only",
            "empty",
        ),
        "max_age_days": Key(
            f"how many days a choice is kept, 1 to {MAX_AGE_LIMIT} (13 months)", "`182`"
        ),
        "same_site": Key("its `SameSite` attribute, `Lax` or `Strict`", "`Lax`"),
        "refusal_holds_days": Key(
            "how many days a refusal (every optional category off) holds when the consent "
            "revision changes, 1 to `max_age_days`; a category added or removed still asks again",
            "`max_age_days`",
        ),
    },
    "categories.<id>": {
        "title": Key("its name, in each language of `texts`", required=True),
        "description": Key("what it is for, in each language of `texts`", required=True),
        "necessary": Key(
            "`true` for the one category the site cannot work without: always on, never asked",
            "`true` for the category named `necessary`",
        ),
        "gpc": Key(
            "`true`: a Global Privacy Control signal keeps it off unless the visitor switches it "
            "on",
            "`false`",
        ),
        "consent_mode": Key(
            f"the Consent Mode signals granted while it is, of {_SIGNALS}; none for a necessary "
            "category",
            "the `ad_` ones for `advertising`, `marketing` and `ads`; `analytics_storage` for "
            "`analytics`, `statistics` and `measurement`; else none",
        ),
        "cookies": Key("the cookies it covers, a list"),
        "storage": Key("the `localStorage` and `sessionStorage` keys it covers, a list"),
        "indexeddb": Key("the IndexedDB databases it covers, a list"),
        "caches": Key("the Cache Storage caches it covers, a list"),
        "services": Key(
            "the services its tags load from, a list; their hosts go into the site's "
            "Content-Security-Policy. An optional category with two or more is chosen service "
            "by service: the dialog has a switch for each"
        ),
    },
    "categories.<id>.cookies[]": {
        **_ITEM,
        "domain": Key("the domain it is set on, as the cookie page shows it", "empty"),
        "lifetime_days": Key("how many days it lasts, `0` for a session cookie", required=True),
    },
    "categories.<id>.storage[]": _ITEM,
    "categories.<id>.indexeddb[]": _ITEM,
    "categories.<id>.caches[]": _ITEM,
    "categories.<id>.services[]": {
        "id": Key(
            'how gated markup names it, `data-service="<id>"` beside `data-category`: '
            "lower-case letters, digits, `-` or `_`, starting with a letter, at most 32 "
            "characters, unique in the file (e.g. `google-ads`); required for each service of an "
            "optional category with two or more services"
        ),
        "name": Key("the service's name, as the dialog shows it", required=True),
        "hosts": Key(
            "the host names it loads from, without scheme or path, with a port only when not "
            "the default (`tags.example.com`, `tags.example.com:8443`)",
            required=True,
        ),
        "consent_mode": Key(
            f"the Consent Mode signals, of {_SIGNALS}, granted while this service is allowed; only "
            "in a category chosen service by service, where its services' signals then replace "
            "the category's `consent_mode`",
            "none: the category's apply",
        ),
    },
    "receipts": {
        "endpoint": Key(
            "the path of this site that receipts are sent to (the page's own origin only), "
            "e.g. `/consent/receipts`",
            required=True,
        ),
        "upstream": Key(
            "`host:port` of `policy-site receipts serve`, where the web server passes receipts "
            "on, or a list of them: several receivers on one PostgreSQL database, behind the "
            "nginx `upstream` the build writes",
            "`127.0.0.1:8001`",
        ),
    },
}
