"""A site in any language the package has words for says nothing in another language (issue 22:
a German site got a German banner but English page words).

For each language, ``policy-site init`` makes a site, a marketing category (in that language,
with cookies, browser storage and a partner's host) is added to its consent.yml, and the real
strict build runs. Then no text of another language may appear in what a reader meets: the
pages' visible text and their aria-label, title, alt and placeholder attributes, the feeds, the
calendar, the generated stylesheets' words, and the texts the consent script carries. "A text of
another language" is every page word (policy_site/locale), consent default text (banner and
dialog), necessary-category text that init writes, marketing text below, and mkdocs-material
word of the other languages that is not also one of this language's. And mkdocs-material's own
words (the skip link, the header's and the navigation's names) are in the site's language.

The languages are the package's (``policy_site.locale.available()``): a translation added to
policy_site/locale/ is tested here from the day it lands.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import icalendar
import lxml.etree
import material
import pytest
import yaml

from policy_site.consent.config import default_texts
from policy_site.locale import available, texts
from policy_site.scaffold import init_site
from tests.support import AS_OF, build, bundle_config, cli, parse_html, strings

#: A category that needs consent, as a site in each language would write it: (title,
#: description, a cookie's purpose).
MARKETING = {
    "en": ("Marketing", "Advertising that follows your visits to this site.",
           "Tells which advertisement brought you here"),
    "sv": ("Marknadsföring", "Annonser som följer dina besök på webbplatsen.",
           "Visar vilken annons som ledde dig hit"),
    "de": ("Marketing", "Werbung, die Ihren Besuchen auf dieser Website folgt.",
           "Zeigt, welche Anzeige Sie hierher geführt hat"),
    "fr": ("Marketing", "Publicité qui suit vos visites sur ce site.",
           "Indique quelle annonce vous a amené ici"),
    "es": ("Marketing", "Publicidad que sigue sus visitas a este sitio.",
           "Indica qué anuncio le trajo aquí"),
    "it": ("Marketing", "Pubblicità che segue le tue visite a questo sito.",
           "Indica quale annuncio ti ha portato qui"),
    "nl": ("Marketing", "Advertenties die uw bezoeken aan deze site volgen.",
           "Toont welke advertentie u hierheen bracht"),
    "da": ("Markedsføring", "Annoncer, der følger dine besøg på webstedet.",
           "Viser, hvilken annonce der førte dig hertil"),
    "nb": ("Markedsføring", "Annonser som følger besøkene dine på nettstedet.",
           "Viser hvilken annonse som førte deg hit"),
    "fi": ("Markkinointi", "Mainontaa, joka seuraa käyntejäsi sivustolla.",
           "Näyttää, mikä mainos toi sinut tänne"),
}  # fmt: skip
#: mkdocs-material's words that are no page's text: the language's code, the direction, and the
#: search index's settings.
_THEME_KEYS_NOT_WORDS = re.compile(r"\A(language|direction|search\.config\..*)\Z")
_NAME = re.compile(r"\{/?[a-z_]+\}")
_WORD = re.compile(r"[\w\u2019'-]+")
LANGUAGES = sorted({*available(), *default_texts(), *MARKETING})


def theme_words(language: str) -> dict[str, str]:
    """mkdocs-material's words in ``language`` (its partials/languages/<code>.html), by key."""
    path = Path(material.__file__).parent / "templates/partials/languages" / f"{language}.html"
    if not path.is_file():
        return {}
    pairs = re.findall(r'^\s*"([\w.]+)": "((?:[^"\\]|\\.)*)"', path.read_text("utf-8"), re.M)
    return {key: value for key, value in pairs if not _THEME_KEYS_NOT_WORDS.match(key)}


def texts_in(value: Any) -> Iterator[str]:
    """Every text in a YAML or JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from texts_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from texts_in(inner)


def said_in(language: str) -> list[str]:
    """Every text this package, init, material or this test gives for ``language``."""
    found = list(texts_in(texts(language))) if language in available() else []
    found += list(texts_in(default_texts().get(language, {})))
    found += list(MARKETING.get(language, ()))
    found += list(theme_words(language).values())
    return found


def fragments(text: str) -> Iterator[str]:
    """The pieces of a text between its ``{names}``, whitespace made one space, without the
    punctuation around them."""
    for piece in _NAME.split(text):
        piece = " ".join(piece.split()).strip(" .,;:()[]\u00b7\u2013\u2014-")
        if piece:
            yield piece


def foreign(language: str) -> set[str]:
    """The texts of the other languages that tell them apart from ``language``: not one of its
    own (nor, for one word, a word of its own: names such as "Atom" or "JSON" are), not one
    short word."""
    own = {piece for text in said_in(language) for piece in fragments(text)}
    own_words = {word.lower() for text in said_in(language) for word in _WORD.findall(text)}
    found = set()
    for other in LANGUAGES:
        for text in said_in(other) if other != language else ():
            for piece in fragments(text):
                single = " " not in piece
                if piece in own or (single and piece.lower() in own_words):
                    continue
                if sum(char.isalpha() for char in piece) >= (4 if single else 6):
                    found.add(piece)
    return found


def read(site: Path, language: str) -> dict[str, str]:
    """What a reader meets in the built ``site``, by where it is."""
    found: dict[str, str] = {}
    for path in sorted(site.rglob("*.html")):
        page = parse_html(path)
        for node in page.xpath("//script|//style|//template"):
            node.drop_tree()
        said = [page.text_content(), *strings(page, "//@aria-label|//@title|//@alt|//@placeholder")]
        found[str(path.relative_to(site))] = " ".join(" ".join(map(str, said)).split())
    for feed in site.rglob("feed.xml"):
        tree = lxml.etree.fromstring(feed.read_bytes())
        attributes = tree.xpath("//@title|//@label")
        assert isinstance(attributes, list)
        said = [*tree.itertext(), *map(str, attributes)]
        found[str(feed.relative_to(site))] = " ".join(" ".join(map(str, said)).split())
    for feed in site.rglob("feed.json"):
        loaded = json.loads(feed.read_text("utf-8"))
        found[str(feed.relative_to(site))] = " ".join(texts_in(loaded))
    calendar = icalendar.Calendar.from_ical((site / "privacy/changes.ics").read_bytes())
    parts = [str(calendar["x-wr-calname"])]
    parts += [str(e[k]) for e in calendar.walk("VEVENT") for k in ("summary", "description")]
    found["privacy/changes.ics"] = " ".join(" ".join(parts).split())
    for sheet in sorted((site / "assets/stylesheets").glob("policy*.css")):  # ours, and built
        css = sheet.read_text("utf-8")
        found[sheet.name] = " ".join(re.findall(r"content: ([^;]*);", css))
    found["consent script"] = " ".join(texts_in(bundle_config(site, language)))
    return found


def make_site(folder: Path, language: str) -> Path:
    """``policy-site init`` in ``language``, with a marketing category added to consent.yml."""
    domain = f"www.example-{language}.test"
    init_site(folder, domain, language, dt.date.fromisoformat(AS_OF), None)
    path = folder / "consent" / "consent.yml"
    config = yaml.safe_load(path.read_text("utf-8"))
    title, description, purpose = MARKETING[language]
    cookie_domain = ".example-" + language + ".test"
    config["categories"]["marketing"] = {
        "title": {language: title},
        "description": {language: description},
        "gpc": True,
        "cookies": [  # a lifetime in days, a session and one day; a pattern by its label
            {"name": "_ad", "domain": cookie_domain, "lifetime_days": 90, language: purpose},
            {"name": "_ad_s", "domain": cookie_domain, "lifetime_days": 0, language: purpose},
            {
                "pattern": "^_ad_day_",
                "label": {language: purpose},
                "domain": cookie_domain,
                "lifetime_days": 1,
                language: purpose,
            },
        ],
        "storage": [{"pattern": "^ad\\.", "label": {language: purpose}, language: purpose}],
        "services": [{"name": "AdPartner", "hosts": ["ads.adpartner.test"]}],
    }
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    published = cli(folder, "publish", as_of=AS_OF)  # the site as its visitors will see it
    assert published.returncode == 0, published.stdout + published.stderr
    return folder


def occurrences(pieces: Iterable[str], text: str) -> list[str]:
    """The pieces ``text`` holds as words of their own, its addresses left out."""
    text = re.sub(r"https?://\S+", " ", text)
    return sorted(
        piece for piece in pieces if re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", text)
    )


@pytest.mark.parametrize("language", available())
def test_a_site_says_nothing_in_another_language(tmp_path: Path, language: str) -> None:
    project = make_site(tmp_path / "project", language)
    site = tmp_path / "site"
    built = build(project, site)
    assert built.returncode == 0, built.stderr
    other = foreign(language)
    assert len(other) > 100  # the check has something to find
    found = {where: occurrences(other, text) for where, text in read(site, language).items()}
    assert {where: words for where, words in found.items() if words} == {}
    # The cookie page lists what the consent script gates, in the site's language.
    cookies = read(site, language)["privacy/cookies/index.html"]
    assert MARKETING[language][1] in cookies
    # mkdocs-material's own words, in the site's language.
    page = parse_html(site / "privacy/index.html")
    assert page.get("lang") == language
    theme = theme_words(language)
    assert theme, f"mkdocs-material has no words in {language}"
    checks = {
        "action.skip": "//a[contains(@class, 'md-skip')]",
        "header": "//header//nav/@aria-label",
        "nav": "//nav[contains(@class, 'md-nav--primary')]/@aria-label",
    }
    for key, xpath in checks.items():
        (node,) = page.xpath(xpath)
        said = node if isinstance(node, str) else node.text_content()
        assert " ".join(str(said).split()) == theme[key], key


def test_a_sites_own_words_reach_its_pages_feeds_and_footer(tmp_path: Path) -> None:
    """``locale_dir``: the site's file goes key by key over the package's, everywhere the words
    are said; the rest stay the package's."""
    project = make_site(tmp_path / "project", "en")
    config_file = project / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text("utf-8"))
    config["plugins"][0]["policy-site"]["locale_dir"] = "locale"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    (project / "locale").mkdir()
    (project / "locale" / "en.yml").write_text(
        "status:\n  all_versions: Every version so far\n"
        "archive:\n  title: The versions\n"
        "cookies:\n  footer_link: Our cookies\n"
        "feed:\n  title: '{site}: the policy, version by version'\n",
        "utf-8",
    )
    site = tmp_path / "site"
    built = build(project, site)
    assert built.returncode == 0, built.stderr
    said = read(site, "en")
    assert "Every version so far" in said["privacy/index.html"]
    assert "Our cookies" in said["privacy/index.html"]
    assert "Effective 1 December 2026" in said["privacy/index.html"]  # the package's words
    archive = parse_html(site / "privacy/versions/index.html")
    assert [h1.text_content() for h1 in archive.iter("h1")] == ["The versions"]
    assert "example-en.test: the policy, version by version" in said["privacy/feed.xml"]
