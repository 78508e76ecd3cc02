"""The two pages the browser bench opens (``benchmarks.bench_banner``): the same text, one with
our bundle as the build renders it and as the plugin's theme includes it, one with
vanilla-cookieconsent and our English texts; and where each library's banner, button, dialog and
files are in its DOM and among its responses."""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_consent import (
    ROOT,
    VANILLA,
    largest_language,
    library_files,
    our_bundle,
    write_bundle,
)
from policy_site.consent import load_consent

__all__ = ["OURS", "Page", "write_our_page", "write_vanilla_page"]

#: Our bundle's files, by the name the URL ends with: the loader's and any it fetches itself.
OURS = re.compile(r"consent\b[^/]*\.(?:js|css)")

_PARAGRAPHS = (
    "This privacy policy describes how personal data is collected and used when you visit this "
    "web site, create an account, buy a product or contact support.",
    "We process the data needed to deliver what you ask for: your account, your orders, your "
    "licences and your questions to us. Some of it we must keep for the periods the law sets.",
    "With your consent we also measure how the site is used and which advertisements bring "
    "visitors to us. You can change your choice at any time, and withdraw it as easily as you "
    "gave it.",
    "You have the right to access, correct and erase your personal data, to object to its "
    "processing, and to complain to a supervisory authority.",
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Privacy policy</title>
{head}
</head>
<body>
<main>
<h1>Privacy policy</h1>
{paragraphs}
</main>
</body>
</html>
"""


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    #: The banner, the buttons one of which (by its text) opens the dialog, and the dialog, as
    #: they are in the library's DOM.
    banner: str
    button: str
    text: str
    dialog: str
    #: The library's own files among the page's responses, by the end of their URL's path.
    files: re.Pattern[str]


def _page(head: str) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(text)}</p>" for text in _PARAGRAPHS)
    return _PAGE.format(head=head, paragraphs=paragraphs)


def _texts(language: str = "en") -> dict[str, str]:
    return load_consent(ROOT / "consent" / "consent.yml").texts[language]


def write_our_page(folder: Path) -> Page:
    """Our bundle in the language whose page loads the most of it, as the size table counts, so
    that the bytes match that table (the page's text stays English)."""
    bundle = our_bundle()
    language = largest_language(bundle)
    write_bundle(bundle, folder, language)
    css, script = bundle.css, bundle.script(language)
    # As the plugin's theme/main.html includes it.
    head = (
        f'<link rel="stylesheet" href="{Path(css.path).name}" integrity="{css.integrity}">\n'
        f'<script src="{Path(script.path).name}" integrity="{script.integrity}" defer></script>'
    )
    (folder / "ours.html").write_text(_page(head), encoding="utf-8")
    manage = _texts(language)["manage"]
    return Page(
        "ours", "ours.html", ".ppc-banner", ".ppc-banner .ppc-btn", manage,
        "dialog.ppc-dialog[open]", OURS,
    )  # fmt: skip


def _vanilla_config() -> dict[str, Any]:
    """A minimal CookieConsent.run() config, with our English texts."""
    texts = _texts()
    section = {"title": "Analytics", "description": "Site usage.", "linkedCategory": "analytics"}
    return {
        # Its default hides the banner from browsers that say they are automated, as this one does.
        "hideFromBots": False,
        "categories": {"necessary": {"enabled": True, "readOnly": True}, "analytics": {}},
        "language": {
            "default": "en",
            "translations": {
                "en": {
                    "consentModal": {
                        "title": texts["region"],
                        "description": texts["banner"],
                        "acceptAllBtn": texts["accept_all"],
                        "acceptNecessaryBtn": texts["reject_all"],
                        "showPreferencesBtn": texts["manage"],
                    },
                    "preferencesModal": {
                        "title": texts["dialog_title"],
                        "acceptAllBtn": texts["accept_all"],
                        "acceptNecessaryBtn": texts["reject_all"],
                        "savePreferencesBtn": texts["save"],
                        "closeIconLabel": texts["close"],
                        "sections": [section],
                    },
                }
            },
        },
    }


def write_vanilla_page(folder: Path) -> Page:
    js, css = library_files(VANILLA)
    for path in (js, css):
        shutil.copyfile(path, folder / path.name)
    config = json.dumps(_vanilla_config(), ensure_ascii=False, indent=1)
    (folder / "vanilla-init.js").write_text(f"CookieConsent.run({config});\n", encoding="utf-8")
    head = (
        f'<link rel="stylesheet" href="{css.name}">\n'
        f'<script src="{js.name}" defer></script>\n'
        '<script src="vanilla-init.js" defer></script>'
    )
    (folder / "vanilla.html").write_text(_page(head), encoding="utf-8")
    files = re.compile("|".join(re.escape(path.name) for path in (js, css)))
    # Its banner's "Manage preferences" button is .cm__btn[data-role="show"]; the preferences
    # modal, built on the first click, is #cc-main .pm, shown by a class on <html>, faded in.
    return Page(
        VANILLA.label, "vanilla.html", "#cc-main .cm", "#cc-main .cm__btn", _texts()["manage"],
        "#cc-main .pm", files,
    )  # fmt: skip
