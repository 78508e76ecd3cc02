"""consent/consent.yml: the project's file loads; every mistake is named with its key and fix."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_site.consent.config import TEXT_KEYS, ConsentConfigError, load_consent
from tests.support import ROOT

REAL = ROOT / "consent" / "consent.yml"

Mutation = Callable[[dict[str, Any]], None]


def real_data() -> dict[str, Any]:
    data = yaml.safe_load(REAL.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "consent.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> str:
    """What loading ``path`` reports, one problem a line, without the line numbers (which
    test_a_problem_names_the_line_of_its_key checks)."""
    with pytest.raises(ConsentConfigError) as caught:
        load_consent(path)
    return re.sub(rf"^{re.escape(str(path))}:\d+: ", f"{path}: ", str(caught.value), flags=re.M)


def _parent(data: dict[str, Any], dotted: str) -> tuple[Any, Any]:
    """The container holding ``dotted`` (``categories.analytics.cookies.0.name``) and its key."""
    *parents, last = dotted.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, int(last) if isinstance(node, list) else last


def setting(dotted: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node, key = _parent(data, dotted)
        node[key] = value

    return mutate


def removing(dotted: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node, key = _parent(data, dotted)
        del node[key]

    return mutate


def test_the_projects_consent_file_loads() -> None:
    config = load_consent(REAL)
    assert [category.id for category in config.categories] == [
        "necessary", "analytics", "advertising"
    ]  # fmt: skip
    necessary, analytics, advertising = config.categories
    assert necessary.necessary
    assert not analytics.necessary
    assert {"tt_session", "tt_cart"} <= {item.name for item in necessary.cookies}
    assert {"_ga", "_gid"} <= {item.name for item in analytics.cookies}
    assert "^_ga_" in {item.pattern for item in analytics.cookies}
    assert [item.label for item in analytics.cookies] == [
        {}, {"en": "_ga_ followed by the site's measurement ID",
             "sv": "_ga_ följt av webbplatsens mätnings-ID"}, {}
    ]  # fmt: skip
    assert [item.regex for item in analytics.cookies] == ["^_ga$", "^_ga_", "^_gid$"]
    assert {item.name for item in advertising.cookies} == {"_gcl_au", "_fbp", "_fbc"}
    assert [category.gpc for category in config.categories] == [False, False, True]
    assert config.cookie.name == "tt_consent"
    assert config.cookie.domain == ".toontrack.com"
    assert config.cookie.max_age_days == 182
    assert config.cookie.same_site == "Lax"
    assert config.cookie.refusal_holds_days == 182
    assert config.consent_mode is True
    assert isinstance(config.gpc_last_update, dt.date)
    for lang in ("en", "sv"):
        assert tuple(config.texts[lang]) == TEXT_KEYS
        assert all(text.strip() for text in config.texts[lang].values())
        for category in config.categories:
            assert category.title[lang]
            assert category.description[lang]


@pytest.mark.parametrize(
    ("mutate", "key", "fix"),
    [
        pytest.param(setting("tracking", True), "(top).tracking",
                     "unknown key; the keys here are: cookie, consent_mode, gpc_last_update, "
                     "categories, texts, receipts.", id="unknown-top-level-key"),
        pytest.param(setting("categories.analytics.vendor", "Google"),
                     "categories.analytics.vendor",
                     "unknown key; the keys here are: title, description, necessary, gpc, "
                     "consent_mode, cookies, storage, indexeddb, caches, services.",
                     id="unknown-category-key"),
        pytest.param(setting("categories.analytics.indexeddb", {"name": "x"}),
                     "categories.analytics.indexeddb", "must be a list.",
                     id="indexeddb-not-a-list"),
        pytest.param(setting("categories.analytics.indexeddb", [{"name": "ga_db", "en": "x"}]),
                     "categories.analytics.indexeddb[0].sv", "is missing: add it.",
                     id="indexeddb-item-without-swedish"),
        pytest.param(setting("categories.advertising.caches",
                             [{"name": "c", "pattern": "^c", "en": "x", "sv": "x"}]),
                     "categories.advertising.caches[0]",
                     "give either 'name' (exact) or 'pattern' (a regular expression), not both.",
                     id="cache-with-name-and-pattern"),
        pytest.param(setting("categories.advertising.caches",
                             [{"pattern": "(?i)^c", "en": "x", "sv": "x"}]),
                     "categories.advertising.caches[0].pattern",
                     "'(?i)^c' uses syntax that the browser's JavaScript reads differently",
                     id="cache-pattern-python-only"),
        pytest.param(setting("categories.advertising.caches",
                             [{"name": "c", "domain": ".x.com", "en": "x", "sv": "x"}]),
                     "categories.advertising.caches[0].domain",
                     "unknown key; the keys here are: name, pattern, label, en, sv.",
                     id="cache-with-a-cookie-key"),
        pytest.param(setting("categories.Ads", {"title": {"en": "A", "sv": "A"},
                                                "description": {"en": "A", "sv": "A"}}),
                     "categories.Ads",
                     "a category id is lower-case letters, digits and '_', e.g. marketing.",
                     id="bad-category-id"),
        pytest.param(setting("categories.marketing", {"title": {"en": "M", "sv": "M"}}),
                     "categories.marketing.description", "is missing: add it.",
                     id="new-category-without-description"),
        pytest.param(removing("categories.necessary"), "categories",
                     "one category holds what the site cannot work without, and none is marked "
                     "so: give exactly one 'necessary: true'", id="missing-necessary"),
        pytest.param(setting("categories.analytics.necessary", True), "categories",
                     "one category holds what the site cannot work without, and necessary, "
                     "analytics are marked so", id="two-necessary"),
        pytest.param(setting("categories.advertising.consent_mode", ["ad_storage", "ads"]),
                     "categories.advertising.consent_mode",
                     "must list the Consent Mode signals this category grants, of: ad_storage, "
                     "ad_user_data, ad_personalization, analytics_storage.",
                     id="unknown-consent-mode-signal"),
        pytest.param(setting("categories.necessary.consent_mode", ["ad_storage"]),
                     "categories.necessary.consent_mode",
                     "a necessary category grants no Consent Mode signal.",
                     id="necessary-consent-mode"),
        pytest.param(removing("categories.analytics.title.sv"), "categories.analytics.title.sv",
                     "is missing: add it.", id="missing-swedish-title"),
        pytest.param(setting("categories.analytics.description.en", ""),
                     "categories.analytics.description.en", "must be non-empty text.",
                     id="empty-english-description"),
        pytest.param(setting("categories.analytics.description.en", "   "),
                     "categories.analytics.description.en", "must be non-empty text.",
                     id="blank-english-description"),
        pytest.param(setting("categories.analytics.cookies.0.pattern", "^_ga$"),
                     "categories.analytics.cookies[0]",
                     "give either 'name' (exact) or 'pattern' (a regular expression), not both.",
                     id="cookie-with-name-and-pattern"),
        pytest.param(removing("categories.analytics.cookies.0.name"),
                     "categories.analytics.cookies[0]",
                     "give either 'name' (exact) or 'pattern' (a regular expression), not both.",
                     id="cookie-with-neither-name-nor-pattern"),
        pytest.param(removing("categories.analytics.cookies.1.label.sv"),
                     "categories.analytics.cookies[1].label.sv", "is missing: add it.",
                     id="pattern-label-without-swedish"),
        pytest.param(removing("categories.analytics.cookies.1.label"),
                     "categories.analytics.cookies[1].label",
                     "is missing: the cookie page shows a pattern by its label, never as pattern "
                     "syntax: add label: {en: ..., sv: ...}, saying in words which names it "
                     "covers", id="pattern-without-label"),
        pytest.param(setting("categories.necessary.storage.0.label.en", ""),
                     "categories.necessary.storage[0].label.en", "must be non-empty text.",
                     id="pattern-label-empty"),
        pytest.param(setting("categories.analytics.cookies.0.label", {"en": "G", "sv": "G"}),
                     "categories.analytics.cookies[0].label",
                     "an exact name is shown as it is: remove 'label'", id="name-with-label"),
        pytest.param(setting("categories.analytics.cookies.1.pattern", "("),
                     "categories.analytics.cookies[1].pattern",
                     "'(' is not a regular expression (", id="bad-regex"),
        pytest.param(setting("categories.advertising.cookies.0.lifetime_days", -1),
                     "categories.advertising.cookies[0].lifetime_days",
                     "must be a whole number of days (0 for a session).", id="negative-lifetime"),
        pytest.param(setting("cookie.max_age_days", 400), "cookie.max_age_days",
                     "400: a consent is kept 1 to 395 days (13 months at most); 182 (six months) "
                     "is the usual choice.", id="max-age-400"),
        pytest.param(setting("cookie.max_age_days", 0), "cookie.max_age_days",
                     "0: a consent is kept 1 to 395 days", id="max-age-0"),
        pytest.param(setting("cookie.refusal_holds_days", 183), "cookie.refusal_holds_days",
                     "183: a refusal holds 1 to 182 days (at most cookie.max_age_days), in whole "
                     "days; leave it out to hold it as long as the cookie.",
                     id="refusal-longer-than-the-cookie"),
        pytest.param(setting("cookie.refusal_holds_days", 0), "cookie.refusal_holds_days",
                     "0: a refusal holds 1 to 182 days", id="refusal-0-days"),
        pytest.param(setting("cookie.refusal_holds_days", "six months"),
                     "cookie.refusal_holds_days", "'six months': a refusal holds 1 to 182 days",
                     id="refusal-as-text"),
        pytest.param(setting("cookie.refusal_holds_days", 90.5), "cookie.refusal_holds_days",
                     "90.5: a refusal holds 1 to 182 days", id="refusal-not-whole-days"),
        pytest.param(setting("cookie.refusal_holds_days", True), "cookie.refusal_holds_days",
                     "True: a refusal holds 1 to 182 days", id="refusal-as-a-boolean"),
        pytest.param(setting("cookie.same_site", "None"), "cookie.same_site",
                     "'None': write Lax or Strict.", id="same-site-none"),
        pytest.param(setting("cookie.domain", "not a domain"), "cookie.domain",
                     "'not a domain' is not a domain: write e.g. .example.com, or leave it "
                     "empty for the current host only.", id="cookie-domain-not-a-domain"),
        pytest.param(
            setting("cookie.domain", "..toontrack.com"), "cookie.domain",
            "'..toontrack.com' is not a domain", id="cookie-domain-two-leading-dots",
        ),
        pytest.param(setting("categories.analytics.services.0.hosts.1", "https://x.example/path"),
                     "categories.analytics.services[0].hosts[1]",
                     "'https://x.example/path' is not a host name: write it without scheme or path",
                     id="host-with-scheme-and-path"),
        pytest.param(setting("categories.analytics.services.0.hosts.1", "x.example:0"),
                     "categories.analytics.services[0].hosts[1]",
                     "'x.example:0' is not a host name", id="host-with-port-zero"),
        pytest.param(setting("categories.analytics.cookies.1.pattern", "(?P<ga>_ga_)"),
                     "categories.analytics.cookies[1].pattern",
                     "'(?P<ga>_ga_)' uses syntax that the browser's JavaScript reads differently",
                     id="pattern-python-only-group"),
        pytest.param(setting("categories.analytics.cookies.1.pattern", "^_ga_\\Z"),
                     "categories.analytics.cookies[1].pattern",
                     "'^_ga_\\\\Z' uses syntax that the browser's JavaScript reads",
                     id="pattern-python-only-anchor"),
        pytest.param(setting("categories.necessary.gpc", True), "categories.necessary.gpc",
                     "necessary cookies cannot be refused; remove 'gpc'.", id="gpc-on-necessary"),
        pytest.param(setting("categories.advertising.gpc", "yes"), "categories.advertising.gpc",
                     "must be true or false.", id="gpc-as-text"),
        pytest.param(setting("consent_mode", "yes"), "consent_mode", "must be true or false.",
                     id="consent-mode-as-text"),
        pytest.param(removing("gpc_last_update"), "(top).gpc_last_update", "is missing: add it.",
                     id="gpc-last-update-missing"),
        pytest.param(setting("gpc_last_update", dt.datetime(2026, 11, 29, 9, 30)),
                     "gpc_last_update",
                     "must be a date, YYYY-MM-DD (when GPC handling last changed).",
                     id="gpc-last-update-datetime"),
        pytest.param(setting("texts.pt", {"banner": "Usamos cookies."}), "texts.pt.reject_all",
                     "is missing, and the package has no 'pt' text for it: add it (the package "
                     "has texts for da, de, en, es, fi, fr, it, nb, nl, sv).",
                     id="text-missing-in-a-language-without-defaults"),
        pytest.param(setting("texts.Swedish", {}), "texts.Swedish",
                     "'Swedish' is not a language tag: write e.g. en, sv or de-CH.",
                     id="language-not-a-tag"),
        pytest.param(setting("texts.en.cancel", "Cancel"), "texts.en.cancel",
                     "unknown key; the keys here are: banner, policy_link, accept_all, ",
                     id="unknown-text-key"),
        pytest.param(setting("receipts", {"endpoint": "https://collector.example/r"}),
                     "receipts.endpoint", "'https://collector.example/r': a path of this site",
                     id="receipts-to-another-site"),
        pytest.param(setting("receipts", {"endpoint": "//collector.example/r"}),
                     "receipts.endpoint", "'//collector.example/r': a path of this site",
                     id="receipts-to-a-protocol-relative-url"),
        pytest.param(setting("receipts", {"endpoint": "/r?to=x"}), "receipts.endpoint",
                     "'/r?to=x': a path of this site", id="receipts-with-a-query"),
        pytest.param(setting("receipts", {"endpoint": "/r", "upstream": "http://x"}),
                     "receipts.upstream", "'http://x': host:port of policy-site receipts serve",
                     id="receipts-upstream-a-url"),
        pytest.param(setting("receipts", {"endpoint": "/r", "upstream": ["a:1", "a:80/x"]}),
                     "receipts.upstream", "'a:80/x': host:port of policy-site receipts serve",
                     id="receipts-upstreams-one-wrong"),
        pytest.param(setting("receipts", {"endpoint": "/r", "upstream": ["a:1", "a:1"]}),
                     "receipts.upstream", "names a receiver twice: list each host:port once.",
                     id="receipts-upstreams-twice"),
        pytest.param(setting("receipts", {"endpoint": "/r", "upstream": ["a:99999"]}),
                     "receipts.upstream", "'a:99999': host:port", id="receipts-upstream-port"),
        pytest.param(setting("receipts", {"endpoint": "/r", "upstream": "a:0"}),
                     "receipts.upstream", "'a:0': host:port", id="receipts-upstream-port-0"),
        pytest.param(setting("receipts", {"endpoint": "/r", "upstream": []}),
                     "receipts.upstream", "is an empty list: give one host:port or more.",
                     id="receipts-upstreams-none"),
        pytest.param(setting("receipts", {}), "receipts.endpoint", "is missing: add it.",
                     id="receipts-without-endpoint"),
    ],
)  # fmt: skip
def test_consent_errors_name_file_key_and_fix(
    tmp_path: Path, mutate: Mutation, key: str, fix: str
) -> None:
    data = real_data()
    mutate(data)
    path = write(tmp_path, data)
    assert f"{path}: '{key}': {fix}" in problems(path)


def test_a_refusal_holds_as_long_as_the_cookie_unless_told(tmp_path: Path) -> None:
    data = real_data()
    data["cookie"] = {"max_age_days": 90}
    assert load_consent(write(tmp_path, data)).cookie.refusal_holds_days == 90
    data["cookie"]["refusal_holds_days"] = 30
    assert load_consent(write(tmp_path, data)).cookie.refusal_holds_days == 30
    data["cookie"]["refusal_holds_days"] = 91
    assert "91: a refusal holds 1 to 90 days" in problems(write(tmp_path, data))
    # With max_age_days itself wrong, that is the one thing said.
    data["cookie"] = {"max_age_days": 400, "refusal_holds_days": 300}
    said = problems(write(tmp_path, data))
    assert "cookie.max_age_days" in said
    assert "refusal_holds_days" not in said


def test_a_missing_gpc_date_also_says_what_to_write(tmp_path: Path) -> None:
    data = real_data()
    del data["gpc_last_update"]
    path = write(tmp_path, data)
    assert f"{path}: 'gpc_last_update': must be a date, YYYY-MM-DD" in problems(path)


def test_a_missing_file_says_to_create_it(tmp_path: Path) -> None:
    path = tmp_path / "consent.yml"
    assert problems(path) == (
        f"{path}: not found. It is plugins.policy-site.consent in mkdocs.yml: correct the path, "
        "or create the file (see manual/docs/consent.md)."
    )


def test_invalid_yaml_names_the_file_and_one_line(tmp_path: Path) -> None:
    path = tmp_path / "consent.yml"
    path.write_text("cookie:\n  name: [consent\n  domain: .example.com\n", encoding="utf-8")
    with pytest.raises(ConsentConfigError) as caught:
        load_consent(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: consent.yml is not valid YAML: while parsing a flow ")
    assert "line " not in message  # the parser's own positions are left out


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = real_data()
    data["cookie"]["same_site"] = "None"
    data["categories"]["advertising"]["gpc"] = "yes"
    data["texts"]["sv"]["banner"] = ""
    path = write(tmp_path, data)
    lines = problems(path).splitlines()
    assert lines == [
        f"{path}: 'cookie.same_site': 'None': write Lax or Strict.",
        f"{path}: 'texts.sv.banner': must be non-empty text.",
        f"{path}: 'categories.advertising.gpc': must be true or false.",
    ]


def test_indexeddb_and_caches_are_read_per_category(tmp_path: Path) -> None:
    data = real_data()
    data["categories"]["necessary"]["indexeddb"] = [
        {"name": "tt_offline", "en": "Offline pages", "sv": "Sidor offline"}
    ]
    data["categories"]["advertising"]["caches"] = [
        {"pattern": "^fb-", "label": {"en": "fb-...", "sv": "fb-..."}, "en": "Ad", "sv": "Annons"}
    ]
    config = load_consent(write(tmp_path, data))
    necessary, analytics, advertising = config.categories
    (database,) = necessary.indexeddb
    assert (database.name, database.regex, database.purpose["sv"]) == (
        "tt_offline", "^tt_offline$", "Sidor offline"
    )  # fmt: skip
    assert [item.regex for item in advertising.caches] == ["^fb-"]
    assert necessary.caches == analytics.indexeddb == analytics.caches == ()
    # The project's own file declares none.
    assert all(not c.indexeddb and not c.caches for c in load_consent(REAL).categories)


def test_texts_default_to_the_packages_key_by_key(tmp_path: Path) -> None:
    data = real_data()
    del data["texts"]["sv"]["reject_all"]
    data["texts"]["de-CH"] = {"accept_all": "Alle annehmen"}
    for category in data["categories"].values():
        for key in ("title", "description"):
            category[key]["de-CH"] = category[key]["en"]
        for item in (*category.get("cookies", ()), *category.get("storage", ())):
            item["de-CH"] = item["en"]
            if "label" in item:
                item["label"]["de-CH"] = item["label"]["en"]
    config = load_consent(write(tmp_path, data))
    assert config.languages == ("en", "sv", "de-CH")
    assert config.texts["sv"]["reject_all"] == "Avvisa alla"  # the package's
    assert config.texts["sv"]["accept_all"] == "Godkänn alla"  # the site's
    assert config.texts["de-CH"]["accept_all"] == "Alle annehmen"
    assert config.texts["de-CH"]["reject_all"] == "Alle ablehnen"  # de's, for de-CH


def test_consent_mode_signals_follow_categories(tmp_path: Path) -> None:
    data = real_data()
    for service in data["categories"]["advertising"]["services"]:
        service.pop("consent_mode", None)  # the category's signals, then
    assert load_consent(write(tmp_path, data)).consent_mode_signals == {
        "ad_storage": ["advertising"],
        "ad_user_data": ["advertising"],
        "ad_personalization": ["advertising"],
        "analytics_storage": ["analytics"],
    }
    data["categories"]["analytics"]["consent_mode"] = ["analytics_storage", "ad_storage"]
    data["categories"]["advertising"]["consent_mode"] = []
    signals = load_consent(write(tmp_path, data)).consent_mode_signals
    assert signals["ad_storage"] == ["analytics"]
    assert signals["ad_user_data"] == []  # always denied


def test_a_problem_names_the_line_of_its_key(tmp_path: Path) -> None:
    text = REAL.read_text(encoding="utf-8")
    path = tmp_path / "consent.yml"
    path.write_text(text.replace("same_site: Lax", "same_site: None"), encoding="utf-8")
    with pytest.raises(ConsentConfigError) as caught:
        load_consent(path)
    line = text.splitlines().index("  same_site: Lax") + 1
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.key) == (path, line, "cookie.same_site")
    assert str(caught.value) == f"{path}:{line}: 'cookie.same_site': 'None': write Lax or Strict."


def test_a_yaml_error_gives_one_line_and_the_usual_fix(tmp_path: Path) -> None:
    path = tmp_path / "consent.yml"
    path.write_text("cookie:\n  name: a: b\n", encoding="utf-8")
    with pytest.raises(ConsentConfigError) as caught:
        load_consent(path)
    assert str(caught.value) == (
        f"{path}:2: consent.yml is not valid YAML: mapping values are not allowed here. Fix: a "
        "value that holds ': ' must be quoted: title: 'Privacy Policy: 2027'."
    )


def test_receipts_are_off_unless_consent_yml_turns_them_on(tmp_path: Path) -> None:
    data = real_data()
    del data["receipts"]  # the project's own site turns them on
    assert load_consent(write(tmp_path, data)).receipts is None
    data = real_data() | {"receipts": {"endpoint": "/consent/receipts"}}
    settings = load_consent(write(tmp_path, data)).receipts
    assert settings is not None
    assert (settings.endpoint, settings.upstream) == ("/consent/receipts", ("127.0.0.1:8001",))
    several = {"endpoint": "/r", "upstream": ["10.0.0.1:8001", "[::1]:8002"]}
    settings = load_consent(write(tmp_path, real_data() | {"receipts": several})).receipts
    assert settings is not None
    assert settings.upstream == ("10.0.0.1:8001", "[::1]:8002")


def edited(tmp_path: Path, old: str, new: str) -> tuple[Path, list[str]]:
    """The project's consent.yml with ``old`` replaced by ``new``, and its lines."""
    text = REAL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "consent.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text.replace(old, new, 1).splitlines()


def only_problem(path: Path) -> str:
    with pytest.raises(ConsentConfigError) as caught:
        load_consent(path)
    (problem,) = caught.value.found
    return str(problem)


def test_a_yaml_slip_in_consent_yml_is_named_on_its_line_with_its_fix(tmp_path: Path) -> None:
    """The same reading of a slip as a version's front matter gets (test_front_matter_yaml)."""
    path, lines = edited(tmp_path, "  same_site: Lax", "  same_site Lax")
    line = lines.index("  same_site Lax") + 1
    assert only_problem(path) == (
        f"{path}:{line}: consent.yml is not valid YAML: 'same_site Lax' has no ':' after its "
        "key. Fix: add ':' after the key 'same_site': 'same_site: Lax'."
    )
    path, lines = edited(tmp_path, "  max_age_days: 182", "\tmax_age_days: 182")
    line = lines.index("\tmax_age_days: 182") + 1
    assert only_problem(path).startswith(
        f"{path}:{line}: consent.yml is not valid YAML: a tab at column 1. Fix: replace the tab "
        "with spaces"
    )


def test_a_key_given_twice_in_consent_yml_names_both_lines(tmp_path: Path) -> None:
    path, lines = edited(tmp_path, "    gpc: true\n", "    gpc: true\n    gpc: false\n")
    first = lines.index("    gpc: true") + 1
    assert only_problem(path) == (
        f"{path}:{first + 1}: 'categories.advertising.gpc': appears twice; keep one. Lines "
        f"{first} and {first + 1} both give it, and YAML would silently use line {first + 1}'s."
    )


@pytest.mark.parametrize(
    ("old", "new", "key", "meant"),
    [
        ("    title: {en: Analytics", "    titel: {en: Analytics", "categories.analytics.titel",
         "title"),
        ("  same_site: Lax", "  same_sit: Lax", "cookie.same_sit", "same_site"),
    ],
)  # fmt: skip
def test_a_misspelt_key_says_which_was_meant_and_not_that_it_is_missing(
    tmp_path: Path, old: str, new: str, key: str, meant: str
) -> None:
    path, lines = edited(tmp_path, old, new)
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(new))
    assert only_problem(path).startswith(
        f"{path}:{line}: '{key}': unknown key; did you mean '{meant}'? the keys here are: "
    )


def _dedented(block: str) -> str:
    """``block``'s lines after its first, two spaces less indented."""
    head, *rest = block.split("\n")
    return "\n".join([head, *(line.removeprefix("  ") for line in rest)])


@pytest.mark.parametrize(
    ("header", "key", "after"),
    [("cookie:\n", "cookie", "name"), ("  analytics:\n", "categories.analytics", "title"),
     ("texts:\n", "texts", "en")],
)  # fmt: skip
def test_a_block_not_indented_under_its_key_is_the_one_problem_said(
    tmp_path: Path, header: str, key: str, after: str
) -> None:
    """Without the fix the keys of the block are read one level up: unknown there, each missing
    what it needs, and (for texts) every text in languages the site then does not have."""
    text = REAL.read_text(encoding="utf-8")
    start = text.index(f"\n{header}") + 1
    indent = len(header) - len(header.lstrip())
    end = re.compile(rf"\n {{0,{indent}}}\S").search(text, start + len(header))
    block = text[start : end.start() if end else len(text)]
    path, lines = edited(tmp_path, block, _dedented(block))
    line = lines.index(header.rstrip("\n")) + 1
    assert only_problem(path) == (
        f"{path}:{line}: '{key}': has nothing under it, and the next line with a key, "
        f"'{after}:' (line {line + 1}), is at its indentation, so it does not belong to it. Fix: "
        f"indent the lines that belong to '{key.rsplit('.', 1)[-1]}' by two spaces more than it."
    )


#: Analytics' title and description as the project's consent.yml has them, and with the
#: description indented under the title.
TITLE_AND_DESCRIPTION = (
    "    title: {en: Analytics, sv: Statistik}\n    description:\n      en: Traffic patterns and "
    "site usage, to analyze and improve this Web site.\n      sv: Trafikmönster"
)
DESCRIPTION_UNDER_TITLE = (
    "    title:\n      en: Analytics\n      sv: Statistik\n      description:\n"
    "        en: Traffic patterns and site usage.\n        sv: Trafikmönster"
)


@pytest.mark.parametrize(
    ("edits", "moved", "key", "owner", "spaces"),
    [
        ([(TITLE_AND_DESCRIPTION, DESCRIPTION_UNDER_TITLE)],
         "      description:", "categories.analytics.title.description",
         "'categories.analytics'", 4),
        ([("gpc_last_update: 2026-11-29\n", ""),
          ("receipts:\n", "receipts:\n  gpc_last_update: 2026-11-29\n")],
         "  gpc_last_update: 2026-11-29", "receipts.gpc_last_update", "the top level", 0),
    ],
)  # fmt: skip
def test_a_key_indented_under_the_wrong_mapping_is_said_so_not_missing(
    tmp_path: Path, edits: list[tuple[str, str]], moved: str, key: str, owner: str, spaces: int
) -> None:
    """Not also as missing where it belongs, nor as a value of the wrong kind there."""
    text = REAL.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "consent.yml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(moved) + 1
    parent, _, name = key.rpartition(".")
    assert only_problem(path) == (
        f"{path}:{line}: '{key}': is indented as a key of '{parent}', but '{name}' belongs to "
        f"{owner}: indent it as the keys of {owner} are ({spaces} spaces)."
    )
