"""The consent bundle: the runtime's JS and CSS (``runtime/``, in this package) and the checked
config. Pure: config in, files' names, contents and integrity out; writing them is the caller's
business.

One script per language (a page loads only its own language's texts) and one stylesheet. The
consent revision that the script asks again on follows the policy's material versions and what
the visitor is asked about (R14)."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import rcssmin
from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from policy_site.consent.config import RUNTIME, ConsentConfig, ConsentConfigError

__all__ = [
    "DIALOG",
    "DIALOG_CSS",
    "RECEIPTS",
    "RUNTIME",
    "SOURCES",
    "Asset",
    "Bundle",
    "check_policy_url",
    "consent_revision",
    "dialog_config",
    "render_bundle",
    "runtime_config",
    "script_digest",
    "sources",
]

#: The runtime's files (runtime/), in the order the template stitches them. Each is plain
#: JavaScript (node --check; tests/js unit-tests them), and says at its top which names it takes
#: from the others. main.js comes last: its start-up code runs on load, once the others have set
#: their names. The others only declare, in the order that compresses smallest.
SOURCES = ("ui.js", "gate.js", "record.js", "main.js")
#: The receipts' code, added (before main.js) only when consent.yml has receipts.
RECEIPTS = "receipts.js"
#: The dialog, a file of its own per language that the script loads the first time the dialog is
#: opened: a page loads only the banner's code before any click.
DIALOG = "dialog.js"
#: The dialog's stylesheet, which the dialog loads beside itself.
DIALOG_CSS = "dialog.css"


def sources(config: ConsentConfig) -> tuple[str, ...]:
    """The runtime files a bundle of ``config`` stitches, in order: receipts.js only with
    receipts, so that a site without them carries none of their code."""
    if config.receipts is None:
        return SOURCES
    return (*SOURCES[:-1], RECEIPTS, SOURCES[-1])


@dataclass(frozen=True)
class Asset:
    path: str
    content: str

    @property
    def integrity(self) -> str:
        digest = hashlib.sha384(self.content.encode("utf-8")).digest()
        return "sha384-" + base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class Bundle:
    #: The script of each language consent.yml has texts for, by language code.
    scripts: dict[str, Asset]
    css: Asset
    #: The language of a page that names none the bundle has (the site's own language).
    default_language: str
    revision: str
    #: The dialog of each language, loaded by its script when the dialog is first opened, and
    #: the dialog's stylesheet, which it loads then.
    dialogs: dict[str, Asset]
    dialog_css: Asset

    def language(self, language: str | None = None) -> str:
        """The texts a page in ``language`` gets: its own where the bundle has them, else the
        default language's."""
        return language if language in self.scripts else self.default_language

    def script(self, language: str | None = None) -> Asset:
        """The script for a page in ``language`` (see ``language``)."""
        return self.scripts[self.language(language)]

    @property
    def js(self) -> Asset:
        """The default language's script."""
        return self.script()


#: Never in a link the banner shows: white space and control characters (browsers drop some of
#: them from a URL, "java\tscript:"), and "\\", which they read as "/" ("/\\host" is another host).
_UNSAFE_CHAR = re.compile(r"[\\\s\x00-\x1f\x7f]")


def _local(host: str) -> bool:
    """Whether ``host`` is "localhost" or an address literal, as ``mkdocs serve`` gives."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return True


def _web_address(url: str) -> bool:
    if _UNSAFE_CHAR.search(url):
        return False
    if url.startswith("/"):
        return not url.startswith("//")  # a path on this site; "//host/" is another host
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError when the port is not a number
    except ValueError:
        return False
    if not parts.hostname or parts.username is not None:
        return False
    scheme = parts.scheme.lower()
    return scheme == "https" or (scheme == "http" and _local(parts.hostname))


def check_policy_url(url: str) -> str:
    """``url``, the banner's link to the policy, when it can only be navigated to: an https
    address, a path on this site, or http on the machine itself (``mkdocs serve``). Anything
    else (``javascript:``, ``data:``, ``//host``) raises ConsentConfigError with the key and fix."""
    if _web_address(url):
        return url
    raise ConsentConfigError(
        f"mkdocs.yml: 'site_url': the consent banner would link to the policy at {url!r}; only an "
        "https:// address (http:// for localhost, as mkdocs serve uses) or a path on this site may "
        "go there, never javascript: or data:. Set site_url to the site's https:// address, "
        "e.g. https://www.example.com/."
    )


#: The texts the page's own markup uses, not the script: left out of it.
_PAGE_TEXTS = frozenset({"settings"})
#: The texts only the dialog shows: in its file, not in the script every page loads.
_DIALOG_TEXTS = frozenset({"dialog_title", "save", "close", "always_on", "reference"})
#: What a script that embeds its own file name holds in its place while its hash is computed:
#: the name's hash is that of the script with this name in it (see script_digest).
_OWN_NAME = "consent.{language}.000000000000.js"


def runtime_config(
    config: ConsentConfig, revision: str, policy_url: str, language: str, dialog: Asset
) -> dict[str, Any]:
    """What the script in ``language`` needs, as one JSON-ready object (the template injects it
    with tojson); ``dialog`` is the file of its dialog. Raises ConsentConfigError when
    ``policy_url`` is no web address (see check_policy_url)."""
    check_policy_url(policy_url)
    return {
        "cookie": {
            "name": config.cookie.name,
            # Always with its leading dot, or empty: the script compares it with ".<host>".
            "domain": "." + config.cookie.domain.removeprefix(".") if config.cookie.domain else "",
            "maxAge": config.cookie.max_age_days,
            # How long a refusal holds under a later revision (record.js _parse).
            "refusalDays": config.cookie.refusal_holds_days,
            "sameSite": config.cookie.same_site,
        },
        "revision": revision,
        "policyUrl": policy_url,
        # Where a receipt of each choice goes (this site's path), or null: none is sent. A
        # receipt names the script's own file, whichever URL the page loaded it from.
        "receipts": config.receipts.endpoint if config.receipts else None,
        **({"bundle": _OWN_NAME.format(language=language)} if config.receipts else {}),
        # Each Consent Mode signal and what grants it, [category] or [category, service], or
        # false: no Consent Mode.
        "consentMode": _consent_mode(config) if config.consent_mode else False,
        # The dialog's file name (in assets/) and integrity.
        "dialog": [dialog.path.rpartition("/")[2], dialog.integrity],
        "categories": [
            {
                "id": category.id,
                "necessary": category.necessary,
                "gpc": category.gpc,
                "title": category.title[language],
                # The services chosen on their own: [id, name].
                "services": [[x.id, x.name] for x in category.services if category.per_service],
                "cookies": [item.regex for item in category.cookies],
                "storage": [item.regex for item in category.storage],
                "idb": [item.regex for item in category.indexeddb],
                "caches": [item.regex for item in category.caches],
            }
            for category in config.categories
        ],
        "texts": {
            k: v
            for k, v in config.texts[language].items()
            if k not in _PAGE_TEXTS and k not in _DIALOG_TEXTS
        },
    }


def _consent_mode(config: ConsentConfig) -> dict[str, list[list[str]]]:
    """Each Consent Mode signal and what grants it: [category], or [category, service] for a
    service chosen on its own (config.consent_mode_signals gives their ids)."""
    category_of = {
        service.id: category.id
        for category in config.categories
        if category.per_service
        for service in category.services
    }
    return {
        signal: [[category_of[i], i] if i in category_of else [i] for i in ids]
        for signal, ids in config.consent_mode_signals.items()
    }


def dialog_config(config: ConsentConfig, language: str, css: Asset) -> dict[str, Any]:
    """What the dialog in ``language`` needs: its texts, each category's title, description and
    services, and its stylesheet ``css``'s file name (beside it) and integrity."""
    # The reference line is shown with receipts only: without, its text is left out.
    texts = _DIALOG_TEXTS - ({"reference"} if config.receipts is None else set()) | {"gpc"}
    return {
        "receipts": config.receipts is not None,
        "css": [css.path.rpartition("/")[2], css.integrity],
        "categories": [
            {
                "id": category.id,
                "necessary": category.necessary,
                "title": category.title[language],
                "description": category.description[language],
                # [id, name]: the id of a service chosen on its own, else "".
                "services": [
                    [(x.id or "") if category.per_service else "", x.name]
                    for x in category.services
                ],
            }
            for category in config.categories
        ],
        "texts": {k: v for k, v in config.texts[language].items() if k in texts},
    }


def consent_revision(config: ConsentConfig, policy_revision: str) -> str:
    """What a stored choice must have been given under: the policy's latest material version in
    effect, and a digest of what the visitor is asked about (each optional category, its services
    and their hosts). Adding a service or a host asks again; rewording a description does not."""
    asked = [
        [
            category.id,
            sorted([service.name, sorted(service.hosts)] for service in category.services),
        ]
        for category in config.categories
        if not category.necessary
    ]
    text = json.dumps(asked, ensure_ascii=False, separators=(",", ":"))
    return f"{policy_revision}.{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


def script_digest(name: str, content: str) -> str:
    """The hash in a script's file name: the first 12 hex digits of the SHA-256 of its content,
    where a script that embeds its own name (``name``, for its receipts) holds the name with
    twelve zeros in its place. A stylesheet, or a script that does not, is hashed as it is."""
    language = name.split(".")[1]
    if name.count(".") == 3 and name in content:
        content = content.replace(name, _OWN_NAME.format(language=language))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]


def _asset(folder: str, stem: str, suffix: str, content: str) -> Asset:
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]
    return Asset(f"{folder}/{stem}.{digest}.{suffix}", content)


def render_bundle(
    config: ConsentConfig,
    revision: str,
    policy_url: str,
    minify: bool = True,
    default_language: str = "en",
    policy_urls: Mapping[str, str] | None = None,
) -> Bundle:
    """The scripts and the stylesheet. ``revision`` is the policy's (see consent_revision);
    ``default_language`` is the site's, used when it is one consent.yml has texts for. The
    banner links ``policy_url``, or, in a language ``policy_urls`` has, the policy in it."""
    env = Environment(
        loader=FileSystemLoader(RUNTIME), undefined=StrictUndefined, keep_trailing_newline=True
    )
    # tojson still escapes < > & ' (so no string can close a <script>); letters such as å stay
    # letters, which keeps the Swedish texts small. U+2028 and U+2029 are escaped below.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    template = env.get_template("bundle.js.j2")

    def script(settings: dict[str, Any], files: tuple[str, ...]) -> str:
        js = template.render(config=settings, sources=files)
        js = js.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        if minify:
            # Renames the local names too (calmjs.parse's obfuscation); globals stay as they are.
            js = minify_print(es5(js), obfuscate=True, obfuscate_globals=False, drop_semi=True)
            js += "\n"
        return js

    def stylesheet(stem: str, name: str) -> Asset:
        css = (RUNTIME / name).read_text(encoding="utf-8")
        return _asset("assets", stem, "css", rcssmin.cssmin(css) + "\n" if minify else css)

    revision = consent_revision(config, revision)
    dialog_css = stylesheet("consent.dialog", DIALOG_CSS)
    scripts: dict[str, Asset] = {}
    dialogs: dict[str, Asset] = {}
    for language in sorted(config.texts):
        url = (policy_urls or {}).get(language, policy_url)
        dialog = _asset(
            "assets",
            f"consent.{language}.dialog",
            "js",
            script(dialog_config(config, language, dialog_css), (DIALOG,)),
        )
        js = script(runtime_config(config, revision, url, language, dialog), sources(config))
        own = _OWN_NAME.format(language=language)
        name = own.replace("000000000000", script_digest(own, js))
        scripts[language] = Asset(f"assets/{name}", js.replace(own, name))
        dialogs[language] = dialog
    default = default_language if default_language in scripts else min(scripts)
    css = stylesheet("consent", "consent.css")
    return Bundle(scripts, css, default, revision, dialogs, dialog_css)
