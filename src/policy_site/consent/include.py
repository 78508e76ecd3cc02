"""What the build publishes for other sites that share the choice (the shop, the forum), and the
tags they include.

* ``assets/consent.<lang>.<hash>.js`` and ``assets/consent.<hash>.css``: the hashed files this
  site's pages load, which never change, and ``assets/consent.<lang>.dialog.<hash>.js``, the
  dialog each script loads from its own folder when the dialog is first opened (a copy is in
  consent/ too, for the stable URLs);
* ``consent/consent.js`` (the site's language), ``consent/consent.<lang>.js`` and
  ``consent/consent.css``: stable URLs with the current bundle, for pages that cannot be rebuilt
  with the site (served with a short cache lifetime, see security.SHARED_PATHS);
* ``consent/consent.json``: the current hashed URLs with their ``integrity``, the consent revision
  and the build date, for pages that pin a file.

Pure: the bundle in, file contents and tags out.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from policy_site.consent.archive import assets
from policy_site.consent.bundle import Bundle
from policy_site.consent.config import ConsentConfig

__all__ = ["MANIFEST", "shared_files", "snippet"]

#: Where the build writes the manifest of the current bundle, in the site.
MANIFEST = "consent/consent.json"


def _url(site_url: str | None, path: str) -> str:
    return (site_url or "/").rstrip("/") + "/" + path


def manifest(
    bundle: Bundle, config: ConsentConfig, site_url: str | None, built: dt.date
) -> dict[str, Any]:
    """The content of consent/consent.json."""

    def pinned(path: str, integrity: str) -> dict[str, str]:
        return {"url": _url(site_url, path), "integrity": integrity}

    return {
        "built": built.isoformat(),
        "revision": bundle.revision,
        "default_language": bundle.default_language,
        "pinned": {
            "css": pinned(bundle.css.path, bundle.css.integrity),
            "js": {lang: pinned(a.path, a.integrity) for lang, a in sorted(bundle.scripts.items())},
        },
        "stable": {
            "css": _url(site_url, "consent/consent.css"),
            "js": {lang: _url(site_url, f"consent/consent.{lang}.js") for lang in bundle.scripts},
            "default": _url(site_url, "consent/consent.js"),
        },
        "settings_label": {lang: config.texts[lang]["settings"] for lang in sorted(config.texts)},
        # Where the script sends receipts, a path of the page's own origin (every site that
        # includes the bundle passes it on to the receiver), or null.
        "receipts": config.receipts.endpoint if config.receipts else None,
    }


def shared_files(
    bundle: Bundle, config: ConsentConfig, site_url: str | None, built: dt.date
) -> dict[str, str]:
    """Path in the site -> content, for every consent file the build writes."""
    files = {asset.path: asset.content for asset in assets(bundle)}
    files["consent/consent.js"] = bundle.js.content
    for lang, asset in bundle.scripts.items():
        files[f"consent/consent.{lang}.js"] = asset.content
    # The dialog each script loads from its own folder, and the dialog's stylesheet.
    for asset in (*bundle.dialogs.values(), bundle.dialog_css):
        files[f"consent/{asset.path.rpartition('/')[2]}"] = asset.content
    files["consent/consent.css"] = bundle.css.content
    files[MANIFEST] = (
        json.dumps(manifest(bundle, config, site_url, built), indent=2, ensure_ascii=False) + "\n"
    )
    return files


def snippet(published: dict[str, Any], language: str | None = None, pinned: bool = False) -> str:
    """The tags another site's page puts in its ``<head>``, from a built consent.json: the stable
    URLs (they follow every new bundle), or with ``pinned`` the current hashed files with
    ``integrity`` and ``crossorigin`` (they never change; a new bundle needs new tags).
    Raises ValueError for a language the bundle has no texts for."""
    lang = language or str(published["default_language"])
    if lang not in published["pinned"]["js"]:
        known = ", ".join(sorted(published["pinned"]["js"]))
        raise ValueError(f"no consent texts in language {lang!r}; the bundle has: {known}.")
    if pinned:
        css, js = published["pinned"]["css"], published["pinned"]["js"][lang]
        extra = ' crossorigin="anonymous" integrity="{}"'
        link = f'<link rel="stylesheet" href="{html.escape(css["url"])}"'
        link += extra.format(html.escape(css["integrity"])) + ">"
        script = f'<script src="{html.escape(js["url"])}"'
        script += extra.format(html.escape(js["integrity"])) + " defer></script>"
    else:
        link = f'<link rel="stylesheet" href="{html.escape(published["stable"]["css"])}">'
        script = f'<script src="{html.escape(published["stable"]["js"][lang])}" defer></script>'
    label = html.escape(published["settings_label"][lang])
    button = f'<button type="button" data-privacy-consent="settings">{label}</button>'
    return "\n".join(
        [
            f"<!-- The consent banner in {lang!s} (revision {published['revision']}, built "
            f"{published['built']}). In <head>: -->",
            link,
            script,
            "<!-- Anywhere in <body>: reopens the choices. -->",
            button,
        ]
    )
