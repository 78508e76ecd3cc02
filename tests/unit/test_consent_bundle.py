"""The consent bundle: content-hashed, reproducible, safely escaped, self-contained; and the checks
of the gated markup page authors write."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_site.consent.bundle import (
    Bundle,
    consent_revision,
    dialog_config,
    render_bundle,
    runtime_config,
    script_digest,
)
from policy_site.consent.config import ConsentConfig, load_consent
from policy_site.consent.markup import check_gated_markup
from policy_site.consent.services import service_ids, slug
from policy_site.site import read_config
from tests.support import ROOT

CONSENT = ROOT / "consent"
REVISION = "2007-10-01"
POLICY_URL = "https://www.toontrack.com/privacy/"
#: The policy in each of the project's languages, as its banner links it (/sv/privacy/).
POLICY_URLS = read_config(ROOT / "mkdocs.yml").settings().policy_urls("https://www.toontrack.com/")
HOSTILE_BANNER = "</script><img src=x onerror=alert(1)>\u2028\u2029'\""
HOSTILE_DESCRIPTION = "Traffic </SCRIPT><SCRIPT>alert(2)</SCRIPT> & usage"
CONFIG_START = "var CONFIG = "


def render(
    consent_dir: Path = CONSENT, config: ConsentConfig | None = None, minify: bool = True
) -> Bundle:
    config = config or load_consent(consent_dir / "consent.yml")
    return render_bundle(config, REVISION, POLICY_URL, minify=minify, policy_urls=POLICY_URLS)


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is not on PATH; it is part of these machines (/usr/bin/node): install it")
    return found


def node_check(js: str, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(js, encoding="utf-8")
    result = subprocess.run(
        [node(), "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"node --check {name} failed:\n{result.stderr}"


def config_text(unminified_js: str) -> str:
    """The JSON the template injected: from ``var CONFIG = `` to the ``;`` ending its line."""
    start = unminified_js.index(CONFIG_START) + len(CONFIG_START)
    return unminified_js[start : unminified_js.index(";\n", start)]


def minified_config(minified_js: str) -> tuple[Any, str]:
    """The object literal the minified bundle assigns to its (renamed) CONFIG, parsed, and its
    text: the first ``var <name>=`` of the bundle."""
    match = re.search(r'"use strict";var [\w$]+=', minified_js)
    assert match is not None, "the minified bundle does not start by assigning its config"
    start = match.end()
    value, end = json.JSONDecoder().raw_decode(minified_js, start)
    return value, minified_js[start:end]


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """A consent dir whose texts try to close the script, inject markup and break JS strings."""
    folder = tmp_path / "consent"
    folder.mkdir()
    data = yaml.safe_load((CONSENT / "consent.yml").read_text(encoding="utf-8"))
    data["texts"]["en"]["banner"] = HOSTILE_BANNER
    data["categories"]["analytics"]["description"]["en"] = HOSTILE_DESCRIPTION
    data["receipts"] = {"endpoint": "/consent/receipts"}  # the receipt code is in the bundle too
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (folder / "consent.yml").write_text(text, encoding="utf-8")
    return folder


def test_the_js_file_name_is_content_hashed_and_integrity_is_its_sha384() -> None:
    bundle = render()
    assert sorted(bundle.scripts) == ["en", "sv"]
    for lang, script in bundle.scripts.items():
        assert re.fullmatch(rf"assets/consent\.{lang}\.[0-9a-f]{{12}}\.js", script.path)
    assert re.fullmatch(r"assets/consent\.[0-9a-f]{12}\.css", bundle.css.path)
    for asset in (*bundle.scripts.values(), bundle.css):
        digest = hashlib.sha384(asset.content.encode("utf-8")).digest()
        assert asset.integrity == "sha384-" + base64.b64encode(digest).decode("ascii")
        assert len(asset.integrity) == len("sha384-") + 64


def test_two_renders_are_byte_identical() -> None:
    first, second = render(), render()
    assert first.js.path == second.js.path
    assert first.js.content.encode("utf-8") == second.js.content.encode("utf-8")
    assert first.css.path == second.css.path
    assert first.css.content.encode("utf-8") == second.css.content.encode("utf-8")


def test_a_config_or_revision_change_changes_the_js_hash() -> None:
    config = load_consent(CONSENT / "consent.yml")
    base = render(config=config).js.path
    changed = dataclasses.replace(config, consent_mode=False)
    assert render(config=changed).js.path != base
    other = render_bundle(config, "2026-12-01", POLICY_URL)
    assert other.js.path != base


def test_the_injected_config_is_exactly_the_runtime_config_in_one_language() -> None:
    config = load_consent(CONSENT / "consent.yml")
    assert config.receipts is not None  # the project's site keeps receipts
    revision = consent_revision(config, REVISION)
    bundle = render(config=config)
    for lang in ("en", "sv"):
        dialog = bundle.dialogs[lang]
        expected = runtime_config(config, revision, POLICY_URLS[lang], lang, dialog)
        # The banner links the policy in its own language: /sv/privacy/ for Swedish.
        assert (
            expected["policyUrl"] == f"https://www.toontrack.com/{'sv/' * (lang == 'sv')}privacy/"
        )
        # "Cookie settings" is the page's own button: the script does not carry it, nor the
        # texts only the dialog shows, which its own file carries.
        dialog_texts = {"dialog_title", "save", "close", "always_on", "reference"}
        unused = {"settings", *dialog_texts}
        texts = {k: t for k, t in config.texts[lang].items() if k not in unused}
        assert expected["texts"] == texts
        assert minified_config(dialog.content)[0] == dialog_config(config, lang, bundle.dialog_css)
        assert set(dialog_config(config, lang, bundle.dialog_css)["texts"]) == {
            *dialog_texts,
            "gpc",
        }
        # The script loads its dialog by name, from beside it, with its integrity.
        assert expected["dialog"] == [dialog.path[7:], dialog.integrity]
        assert re.fullmatch(rf"assets/consent\.{lang}\.dialog\.[0-9a-f]{{12}}\.js", dialog.path)
        assert [c["title"] for c in expected["categories"]] == [
            c.title[lang] for c in config.categories
        ]
        # The script names its own file, for its receipts.
        name = bundle.script(lang).path.rpartition("/")[2]
        assert expected["bundle"] == f"consent.{lang}.000000000000.js"
        unminified = render(config=config, minify=False).script(lang).content
        injected = json.loads(config_text(unminified))
        assert injected["bundle"] == render(config=config, minify=False).script(lang).path[7:]
        assert minified_config(bundle.script(lang).content)[0] == expected | {"bundle": name}


def test_without_receipts_the_script_carries_no_receipt_code_or_text() -> None:
    config = dataclasses.replace(load_consent(CONSENT / "consent.yml"), receipts=None)
    for lang in ("en", "sv"):
        injected = minified_config(render(config=config).script(lang).content)[0]
        assert "bundle" not in injected
        assert injected["receipts"] is None
        assert "reference" not in injected["texts"]
        assert "reference" not in minified_config(render(config=config).dialogs[lang].content)[0]
        assert "sendBeacon" not in render(config=config).script(lang).content
        assert "sendBeacon" in render().script(lang).content


def test_a_script_names_itself_by_the_hash_of_its_content() -> None:
    """The hash in the name is that of the content, with the name it embeds zeroed: the stable
    copy (consent/consent.sv.js) sends its receipts under the hashed file's name."""
    bundle = render()
    for lang, script in bundle.scripts.items():
        name = script.path.rpartition("/")[2]
        assert script.content.count(name) == 1
        zeroed = script.content.replace(name, f"consent.{lang}.000000000000.js")
        assert name.split(".")[2] == hashlib.sha256(zeroed.encode()).hexdigest()[:12]
        assert script_digest(name, script.content) == name.split(".")[2]
        changed = script.content.replace("use strict", "use  strict")
        assert script_digest(name, changed) != name.split(".")[2]
    css = bundle.css.path.rpartition("/")[2]
    assert script_digest(css, bundle.css.content) == css.split(".")[1]


def test_a_page_gets_its_own_language_or_the_sites() -> None:
    bundle = render()
    assert bundle.default_language == "en"
    assert bundle.script("sv") == bundle.scripts["sv"]
    assert bundle.script("de") == bundle.script(None) == bundle.js == bundle.scripts["en"]
    config = load_consent(CONSENT / "consent.yml")
    swedish_site = render_bundle(config, REVISION, POLICY_URL, default_language="sv")
    assert swedish_site.js == swedish_site.scripts["sv"]


def add_service(config: ConsentConfig, category_id: str, name: str, hosts: list[str]) -> Any:
    data = yaml.safe_load(config.path.read_text(encoding="utf-8"))
    added = {"id": slug(name), "name": name, "hosts": hosts}  # an id: advertising has two
    data["categories"][category_id]["services"].append(added)
    return data


def reloaded(data: Any, tmp_path: Path) -> ConsentConfig:
    path = tmp_path / "consent.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_consent(path)


def test_the_revision_follows_the_policy_and_what_is_asked(tmp_path: Path) -> None:
    """R14: a new service or host asks again; the policy's material version does too."""
    config = load_consent(CONSENT / "consent.yml")
    base = consent_revision(config, REVISION)
    assert re.fullmatch(r"2007-10-01\.[0-9a-f]{8}", base)
    assert consent_revision(config, "2027-01-01") != base
    partner = add_service(config, "advertising", "New partner", ["px.new-partner.example"])
    assert consent_revision(reloaded(partner, tmp_path), REVISION) != base
    data = yaml.safe_load(config.path.read_text(encoding="utf-8"))
    data["categories"]["analytics"]["services"][0]["hosts"].append("extra.google-analytics.com")
    assert consent_revision(reloaded(data, tmp_path), REVISION) != base
    assert render(config=reloaded(partner, tmp_path)).revision != render().revision


def test_the_revision_ignores_wording_and_necessary_services(tmp_path: Path) -> None:
    config = load_consent(CONSENT / "consent.yml")
    data = yaml.safe_load(config.path.read_text(encoding="utf-8"))
    data["categories"]["analytics"]["description"]["en"] = "Trafic patterns (typo fixed)."
    data["texts"]["en"]["banner"] = "Reworded banner."
    data["categories"]["necessary"]["services"].append({"name": "CDN", "hosts": ["cdn.example"]})
    base = consent_revision(config, REVISION)
    assert consent_revision(reloaded(data, tmp_path), REVISION) == base


def test_hostile_texts_are_escaped_and_the_bundle_still_parses(
    hostile_dir: Path, tmp_path: Path
) -> None:
    """The banner's text is in the script, the description in the dialog's file: both escaped."""
    config = load_consent(hostile_dir / "consent.yml")
    assert config.texts["en"]["banner"] == HOSTILE_BANNER  # nothing lost on the way in
    minified, full = render(hostile_dir, config), render(hostile_dir, config, minify=False)
    plain = render()
    escapes = {"js": "\\u003c/script\\u003e\\u003cimg", "dialog": "\\u003c/SCRIPT\\u003e"}
    for kind, escaped in escapes.items():
        small, large = (b.js if kind == "js" else b.dialogs["en"] for b in (minified, full))
        for injected in (config_text(large.content), minified_config(small.content)[1]):
            assert "<" not in injected
            assert ">" not in injected
            assert "\u2028" not in injected
            assert "\u2029" not in injected
            assert escaped in injected
        # The JS sources have their own comparisons; the texts add no "<" or ">" to the files.
        same = plain.js if kind == "js" else plain.dialogs["en"]
        assert small.content.count("<") == same.content.count("<")
        assert small.content.count(">") == same.content.count(">")
        assert "</" not in small.content
        assert "<img" not in small.content.lower()
        assert "\u2028" not in small.content
        assert "\u2029" not in small.content
        node_check(small.content, tmp_path, f"{kind}.min.js")
        node_check(large.content, tmp_path, f"{kind}.js")
    assert "\\u2028\\u2029" in minified_config(minified.js.content)[1]


def test_escaping_is_lossless(hostile_dir: Path) -> None:
    config = load_consent(hostile_dir / "consent.yml")
    full, minified = render(hostile_dir, config, minify=False), render(hostile_dir, config)
    for injected in (
        json.loads(config_text(full.js.content)),
        minified_config(minified.js.content)[0],
    ):
        assert injected["texts"]["banner"] == HOSTILE_BANNER
        assert injected["categories"][1]["id"] == "analytics"
    dialogs = (
        (full, json.loads(config_text(full.dialogs["en"].content))),
        (minified, minified_config(minified.dialogs["en"].content)[0]),
    )
    for bundle, injected in dialogs:
        assert injected["categories"][1]["description"] == HOSTILE_DESCRIPTION
        assert injected == dialog_config(config, "en", bundle.dialog_css)


def test_node_check_refuses_a_broken_bundle(tmp_path: Path) -> None:
    """The parse check can fail: a raw line break inside a string is a syntax error."""
    full = render(minify=False).js.content
    broken = full.replace('"use strict";', '"use\nstrict";', 1)
    assert broken != full
    path = tmp_path / "broken.js"
    path.write_text(broken, encoding="utf-8")
    result = subprocess.run([node(), "--check", str(path)], capture_output=True, check=False)
    assert result.returncode != 0


def test_minification_shrinks_both_files() -> None:
    full, minified = render(minify=False), render()
    assert len(minified.js.content) < len(full.js.content)
    assert len(minified.css.content) < len(full.css.content)


@pytest.mark.parametrize(
    "pattern",
    [r"\beval\s*\(", r"\bnew\s+Function\b", r"\binnerHTML\b", r"\binsertAdjacentHTML\b",
     r"\bdocument\s*\.\s*write(ln)?\s*\("],
)  # fmt: skip
def test_the_bundle_builds_no_code_or_markup_from_strings(pattern: str) -> None:
    for bundle in (render(), render(minify=False)):
        assert re.search(pattern, bundle.js.content) is None


def test_the_bundle_is_one_iife_defining_one_global() -> None:
    full = render(minify=False).js.content
    header, body = full.split("\n", 1)
    assert header.startswith("/*")
    assert header.endswith("*/")
    assert body.startswith('(function (window, document) {\n"use strict";\n')
    assert body.rstrip("\n").endswith("})(window, document);")
    assert body.count("(function (window, document) {") == 1
    assert body.count("})(window, document);") == 1
    assigned = re.findall(r"\bwindow\.([A-Za-z_$][\w$]*)\s*=(?!=)", body)
    # dataLayer is Google Consent Mode's queue, shared with gtag.js, not the bundle's own;
    # ppcDialog is set while the dialog's file loads, for it to call.
    assert sorted(assigned) == ["PrivacyConsent", "dataLayer", "ppcDialog"]
    assert re.search(r"\b(globalThis|self|top|parent)\s*\.\s*[\w$]+\s*=(?!=)", body) is None
    minified = render().js.content
    # The minifier renames the IIFE's parameters: ``window`` becomes a short local name.
    opening = re.match(r'\(function\(([\w$]+),([\w$]+)\)\{"use strict";', minified)
    assert opening is not None
    assert minified.endswith("})(window,document)\n")
    assert minified.count(f"{opening.group(1)}.PrivacyConsent=") == 1


#: consent/consent.yml's categories, each with the ids of its services.
CATEGORIES = service_ids(load_consent(CONSENT / "consent.yml").categories)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param('<script type="text/plain" data-category="marketing">x()</script>',
                     "<script data-category='marketing'>: unknown category; use one of "
                     "advertising, analytics, necessary (consent/consent.yml).",
                     id="unknown-category"),
        pytest.param("<script data-category=analytics>gtag('js', new Date())</script>",
                     "<script data-category='analytics'> runs before consent: add "
                     'type="text/plain".', id="script-without-text-plain"),
        pytest.param('<img data-category=advertising src="https://px.example/p.gif" alt="">',
                     "<img data-category='advertising' src=...> loads before consent: write "
                     "data-src instead of src.", id="img-with-src"),
        pytest.param('<iframe data-category="advertising" src="https://v.example/e"></iframe>',
                     "<iframe data-category='advertising' src=...> loads before consent: write "
                     "data-src instead of src.", id="iframe-with-src"),
        pytest.param(
            '<p>Pixel:</p><noscript><img src="https://px.example/p.gif"></noscript>',
            "<noscript> loads https://px.example/p.gif whenever JavaScript is off, with no "
            "consent: remove the <noscript> fallback.", id="noscript-pixel",
        ),
        # Tag and attribute names are case-insensitive: no prefilter may miss them.
        pytest.param('<IMG DATA-CATEGORY="advertising" SRC="https://px.example/p.gif" alt="">',
                     "<img data-category='advertising' src=...> loads before consent: write "
                     "data-src instead of src.", id="upper-case-data-category"),
        pytest.param('<p>Pixel:</p><NOSCRIPT><IMG SRC="https://px.example/p.gif"></NOSCRIPT>',
                     "<noscript> loads https://px.example/p.gif whenever JavaScript is off, with "
                     "no consent: remove the <noscript> fallback.", id="upper-case-noscript"),
        pytest.param('<IFRAME SRCDOC="<img src=https://px.example/p.gif>" title="t"></IFRAME>',
                     "<iframe srcdoc=...> holds <img src='https://px.example/p.gif'>, which loads "
                     "from px.example with no consent: the consent bundle does not run inside "
                     "srcdoc; serve that content as a file from this site and use a gated "
                     "<iframe data-src=...>.", id="upper-case-srcdoc"),
        # A <noscript> loads what the site scan finds, with the host a browser reads.
        pytest.param('<noscript><img src="/\\px.example/p.gif"></noscript>',
                     "<noscript> loads /\\px.example/p.gif whenever JavaScript is off, with no "
                     "consent: remove the <noscript> fallback.", id="noscript-backslash-host"),
        pytest.param('<noscript><img srcset="/a.png 1x, https://px.example/p.gif 2x"></noscript>',
                     "<noscript> loads https://px.example/p.gif whenever JavaScript is off, with "
                     "no consent: remove the <noscript> fallback.", id="noscript-srcset"),
        pytest.param('<noscript><svg><image xlink:href="https://px.example/i.png"/></svg>'
                     "</noscript>",
                     "<noscript> loads https://px.example/i.png whenever JavaScript is off, with "
                     "no consent: remove the <noscript> fallback.", id="noscript-svg-image"),
    ],
)  # fmt: skip
def test_gated_markup_problems_name_the_element_and_the_fix(html: str, expected: str) -> None:
    assert check_gated_markup(html, CATEGORIES) == [expected]


def test_the_markup_contract_examples_pass() -> None:
    page = (
        '<p>Analytics and ads.</p>\n'
        '<script type="text/plain" data-category="analytics" async '
        'src="https://www.googletagmanager.com/gtag/js?id=G-XXXX"></script>\n'
        '<script type="text/plain" data-category="analytics">gtag("config", "G-XXXX");</script>\n'
        '<img data-category="advertising" data-src="https://px.example/p.gif" alt="">\n'
        '<iframe data-category="advertising" data-src="https://www.youtube-nocookie.com/embed/x" '
        'title="Video"></iframe>\n'
    )  # fmt: skip
    assert check_gated_markup(page, CATEGORIES) == []


RUNTIME = "the consent runtime starts only <script>, <img> and <iframe> (consent/runtime/gate.js)"
IN_SRCDOC = (
    "with no consent: the consent bundle does not run inside srcdoc; serve that content as a file "
    "from this site and use a gated <iframe data-src=...>."
)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param('<img data-category="advertising" data-src="/a.png" '
                     'srcset="https://px.example/a.png 2x">',
                     "<img data-category='advertising' srcset=...> loads before consent: write "
                     "data-srcset instead of srcset.", id="img-with-srcset"),
        pytest.param('<img data-category="advertising" data-src="/a.png" '
                     'style="background:url(https://px.example/b.png)">',
                     "<img data-category='advertising' style=...> loads before consent: move the "
                     "url() out of style; only data-src and data-srcset wait for consent.",
                     id="img-with-style-url"),
        pytest.param('<iframe data-category="advertising" data-src="/v" '
                     'style="@import \'x.css\'"></iframe>',
                     "<iframe data-category='advertising' style=...> loads before consent: move "
                     "the url() out of style; only data-src and data-srcset wait for consent.",
                     id="iframe-with-style-import"),
        pytest.param('<img data-category="advertising" data-src="/a.png" '
                     'background="https://px.example/b.png">',
                     "<img data-category='advertising' background=...> loads before consent: "
                     "remove background; only data-src and data-srcset wait for consent.",
                     id="img-with-background"),
        pytest.param('<iframe data-category="advertising" srcdoc="<p>Hi</p>"></iframe>',
                     "<iframe data-category='advertising' srcdoc=...> loads before consent: srcdoc "
                     "has no data- form, so serve the content as a file from this site and write "
                     "data-src=... instead.", id="iframe-with-srcdoc"),
        pytest.param('<picture><source data-category="advertising" '
                     'srcset="https://px.example/a.webp"></picture>',
                     f"<source data-category='advertising' srcset=...> loads before consent, and "
                     f"{RUNTIME}; use a gated <img data-src=... data-srcset=...> instead of "
                     "<picture>.", id="source-with-srcset"),
        pytest.param('<picture data-category="advertising"><img src="/a.png" alt=""></picture>',
                     f"<picture data-category='advertising'> is never started: {RUNTIME}; use a "
                     "gated <img data-src=... data-srcset=...> instead of <picture>.",
                     id="picture"),
        pytest.param('<video data-category="advertising" '
                     'poster="https://media.example/p.jpg"></video>',
                     f"<video data-category='advertising' poster=...> loads before consent, and "
                     f"{RUNTIME}; put the player in a gated <iframe data-src=...>.",
                     id="video-with-poster"),
        pytest.param('<video><source data-category="advertising" '
                     'data-src="https://media.example/v.mp4"></video>',
                     f"<source data-category='advertising'> is never started: {RUNTIME}; put the "
                     "player in a gated <iframe data-src=...>.", id="source-of-video"),
        pytest.param('<audio data-category="advertising" '
                     'src="https://media.example/a.mp3"></audio>',
                     f"<audio data-category='advertising' src=...> loads before consent, and "
                     f"{RUNTIME}; put the player in a gated <iframe data-src=...>.",
                     id="audio-with-src"),
        pytest.param('<video><track data-category="advertising" '
                     'src="https://media.example/t.vtt"></video>',
                     f"<track data-category='advertising' src=...> loads before consent, and "
                     f"{RUNTIME}; put the player in a gated <iframe data-src=...>.",
                     id="track-with-src"),
        pytest.param('<object data-category="advertising" '
                     'data="https://flash.example/m.swf"></object>',
                     f"<object data-category='advertising' data=...> loads before consent, and "
                     f"{RUNTIME}; put the content in a gated <iframe data-src=...>.",
                     id="object-with-data"),
        pytest.param('<embed data-category="advertising" src="https://flash.example/m.swf">',
                     f"<embed data-category='advertising' src=...> loads before consent, and "
                     f"{RUNTIME}; put the content in a gated <iframe data-src=...>.",
                     id="embed-with-src"),
        pytest.param('<link data-category="advertising" rel="stylesheet" '
                     'href="https://cdn.example/s.css">',
                     f"<link data-category='advertising' href=...> loads before consent, and "
                     f"{RUNTIME}; remove it, or serve the file from this site (a <link> cannot "
                     "wait for consent).", id="link-with-href"),
        pytest.param('<div data-category="advertising" '
                     'style="background:url(https://px.example/b.png)"></div>',
                     f"<div data-category='advertising' style=...> loads before consent, and "
                     f"{RUNTIME}; remove data-category, or gate a <script>, <img> or <iframe> "
                     "instead.", id="div-with-style-url"),
        pytest.param('<a data-category="advertising" href="https://shop.example/">Shop</a>',
                     f"<a data-category='advertising'> is never started: {RUNTIME}; remove "
                     "data-category, or gate a <script>, <img> or <iframe> instead.",
                     id="other-element"),
        pytest.param('<iframe srcdoc="<img src=https://px.example/p.gif>" title="t"></iframe>',
                     f"<iframe srcdoc=...> holds <img src='https://px.example/p.gif'>, which loads "
                     f"from px.example {IN_SRCDOC}", id="ungated-srcdoc"),
        pytest.param('<iframe srcdoc="<style>body{background:url(//px.example/b.png)}</style>">'
                     '</iframe>',
                     f"<iframe srcdoc=...> holds <style url()='//px.example/b.png'>, which loads "
                     f"from px.example {IN_SRCDOC}", id="srcdoc-style"),
        pytest.param('<iframe srcdoc="<iframe srcdoc=&quot;<script '
                     'src=https://tags.example/t.js></script>&quot;></iframe>"></iframe>',
                     "<iframe srcdoc=...> holds <iframe srcdoc=...> holds <script "
                     f"src='https://tags.example/t.js'>, which loads from tags.example {IN_SRCDOC}",
                     id="srcdoc-in-srcdoc"),
        pytest.param('<iframe srcdoc="<iframe srcdoc=&quot;<img data-category=advertising '
                     'data-src=/p.gif>&quot;></iframe>"></iframe>',
                     "<iframe srcdoc=...> holds <iframe srcdoc=...> holds <img "
                     "data-category='advertising'>, which is never started: the consent runtime "
                     "does not run inside srcdoc; serve that content as a file from this site and "
                     "use a gated <iframe data-src=...>.", id="gated-inside-srcdoc"),
        pytest.param('<svg><image data-category="advertising" '
                     'xlink:href="https://px.example/i.png"/></svg>',
                     f"<image data-category='advertising' xlink:href=...> loads before consent, "
                     f"and {RUNTIME}; remove data-category, or gate a <script>, <img> or <iframe> "
                     "instead.", id="svg-image-with-xlink-href"),
        pytest.param('<svg><filter><feImage data-category="advertising" '
                     'href="https://px.example/f.png"/></filter></svg>',
                     f"<feimage data-category='advertising' href=...> loads before consent, and "
                     f"{RUNTIME}; remove data-category, or gate a <script>, <img> or <iframe> "
                     "instead.", id="svg-feimage-with-href"),
        pytest.param('<svg><filter><feImage data-category="advertising" '
                     'xlink:href="https://px.example/f.png"/></filter></svg>',
                     f"<feimage data-category='advertising' xlink:href=...> loads before consent, "
                     f"and {RUNTIME}; remove data-category, or gate a <script>, <img> or <iframe> "
                     "instead.", id="svg-feimage-with-xlink-href"),
        pytest.param('<svg><script type="text/plain" data-category="analytics" '
                     'href="https://tags.example/s.js"></script></svg>',
                     "<script data-category='analytics' href=...> loads before consent: remove "
                     "href; only data-src and data-srcset wait for consent.",
                     id="svg-script-with-href"),
        pytest.param('<svg><script type="text/plain" data-category="analytics" '
                     'xlink:href="https://tags.example/s.js"></script></svg>',
                     "<script data-category='analytics' xlink:href=...> loads before consent: "
                     "remove xlink:href; only data-src and data-srcset wait for consent.",
                     id="svg-script-with-xlink-href"),
        pytest.param('<link data-category="advertising" rel="preload" as="image" '
                     'imagesrcset="https://px.example/i.png 1x">',
                     f"<link data-category='advertising' imagesrcset=...> loads before consent, "
                     f"and {RUNTIME}; remove it, or serve the file from this site (a <link> "
                     "cannot wait for consent).", id="link-with-imagesrcset"),
    ],
)  # fmt: skip
def test_gated_markup_refuses_every_live_url_and_every_element_the_runtime_cannot_start(
    html: str, expected: str
) -> None:
    assert check_gated_markup(html, CATEGORIES) == [expected]


def test_a_gated_srcdoc_is_refused_and_its_loads_too() -> None:
    html = '<iframe data-category="advertising" srcdoc="<img src=https://px.example/p.gif>">'
    assert check_gated_markup(html, CATEGORIES) == [
        "<iframe data-category='advertising' srcdoc=...> loads before consent: srcdoc has no "
        "data- form, so serve the content as a file from this site and write data-src=... "
        "instead.",
        "<iframe srcdoc=...> holds <img src='https://px.example/p.gif'>, which loads from "
        f"px.example {IN_SRCDOC}",
    ]


def test_a_srcdoc_may_load_from_this_site_and_the_allowed_hosts() -> None:
    html = (
        '<iframe srcdoc="<img src=/a.png><img src=https://www.toontrack.com/b.png>'
        '<script src=https://shop.toontrack.com/cart.js></script>"></iframe>'
        '<iframe srcdoc=""></iframe><iframe srcdoc="<!-- nothing -->"></iframe>'
    )
    allowed = ["www.toontrack.com", "shop.toontrack.com"]
    assert check_gated_markup(html, CATEGORIES, allowed) == []
    assert len(check_gated_markup(html, CATEGORIES)) == 2


def test_the_contract_with_data_srcset_and_an_inert_script_src_passes() -> None:
    page = (
        '<img data-category="advertising" data-src="https://px.example/p.gif" '
        'data-srcset="https://px.example/p2.gif 2x" alt="" width="1" height="1">\n'
        '<script type="text/plain" data-category="advertising" src="https://tags.example/t.js">'
        "</script>\n"
        '<iframe data-category="necessary" data-src="/privacy/" title="Policy"></iframe>\n'
    )
    assert check_gated_markup(page, CATEGORIES) == []


#: What one page may load of the consent bundle, JS + CSS each compressed with gzip -9 (issue 10).
SIZE_BUDGET = 5_120


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_what_one_page_loads_stays_within_the_size_budget(lang: str) -> None:
    """A size, not a time: the same bytes every run. ./scripts/bench compares it with others."""
    bundle = render()
    sizes = [
        len(gzip.compress(asset.content.encode("utf-8"), compresslevel=9, mtime=0))
        for asset in (bundle.script(lang), bundle.css)
    ]
    assert sum(sizes) <= SIZE_BUDGET, f"{lang}: {sizes} bytes gzip -9"
    # The dialog is not in it: its own file is loaded when it is first opened.
    assert "showModal" not in bundle.script(lang).content
    assert "showModal" in bundle.dialogs[lang].content
