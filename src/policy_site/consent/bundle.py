"""The consent bundle: JS and CSS text from ``consent/`` and the checked config. Pure: config in,
files' names, contents and integrity out; writing them is the caller's business."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import rcssmin
from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from policy_site.consent.config import ConsentConfig, ConsentConfigError

__all__ = ["SOURCES", "Asset", "Bundle", "check_policy_url", "render_bundle", "runtime_config"]

#: The runtime's sources, in the order the template stitches them.
SOURCES = ("src/record.js", "src/gate.js", "src/ui.js", "src/main.js")


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
    js: Asset
    css: Asset


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
        "e.g. https://www.toontrack.com/."
    )


def runtime_config(config: ConsentConfig, revision: str, policy_url: str) -> dict[str, Any]:
    """What the script needs, as one JSON-ready object (the template injects it with tojson).
    Raises ConsentConfigError when ``policy_url`` is no web address (see check_policy_url)."""
    check_policy_url(policy_url)
    return {
        "cookie": {
            "name": config.cookie.name,
            # Always with its leading dot, or empty: the script compares it with ".<host>".
            "domain": "." + config.cookie.domain.removeprefix(".") if config.cookie.domain else "",
            "maxAge": config.cookie.max_age_days,
            "sameSite": config.cookie.same_site,
        },
        "revision": revision,
        "policyUrl": policy_url,
        "consentMode": config.consent_mode,
        "categories": [
            {
                "id": category.id,
                "necessary": category.necessary,
                "gpc": category.gpc,
                "title": category.title,
                "description": category.description,
                "services": [service.name for service in category.services],
                "cookies": [item.regex for item in category.cookies],
                "storage": [item.regex for item in category.storage],
                "idb": [item.regex for item in category.indexeddb],
                "caches": [item.regex for item in category.caches],
            }
            for category in config.categories
        ],
        "texts": config.texts,
    }


def _asset(folder: str, stem: str, suffix: str, content: str) -> Asset:
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]
    return Asset(f"{folder}/{stem}.{digest}.{suffix}", content)


def render_bundle(
    consent_dir: Path, config: ConsentConfig, revision: str, policy_url: str, minify: bool = True
) -> Bundle:
    env = Environment(
        loader=FileSystemLoader(consent_dir), undefined=StrictUndefined, keep_trailing_newline=True
    )
    # tojson still escapes < > & ' (so no string can close a <script>); letters such as å stay
    # letters, which keeps the Swedish texts small. U+2028 and U+2029 are escaped below.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    js = env.get_template("bundle.js.j2").render(
        config=runtime_config(config, revision, policy_url), sources=SOURCES
    )
    js = js.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    css = (consent_dir / "src" / "consent.css").read_text(encoding="utf-8")
    if minify:
        # Renames the local names too (calmjs.parse's obfuscation); globals are left as they are.
        js = minify_print(es5(js), obfuscate=True, obfuscate_globals=False, drop_semi=True) + "\n"
        css = rcssmin.cssmin(css) + "\n"
    folder = "assets"
    return Bundle(_asset(folder, "consent", "js", js), _asset(folder, "consent", "css", css))
