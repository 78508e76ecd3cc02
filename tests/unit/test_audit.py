"""The audit's rules, without a browser: the consent states, what consent.yml declares, how a
state's record is judged, and URL mode's sitemap reading. The browser runs are in
tests/browser/test_audit.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml

from policy_site.audit import Declared, State, consent_states, render_html, sitemap_pages
from policy_site.audit.record import _Recorder, _Request, _Site, _StateRun
from policy_site.audit.report import _state_json
from policy_site.audit.rules import _judge
from policy_site.audit.schema import DeclaredCategory, ReportData, StateDetails
from policy_site.audit.settings import BEFORE_CHOICE
from policy_site.audit.states import expected_services
from policy_site.consent.config import ConsentConfig, load_consent
from tests.support import ROOT, SITE_HOST, elements, strings


@pytest.fixture(scope="module")
def config() -> ConsentConfig:
    return load_consent(ROOT / "consent" / "consent.yml")


def state(config: ConsentConfig, state_id: str) -> State:
    (found,) = [s for s in consent_states(config) if s.id == state_id]
    return found


def run_of(
    found: State,
    *,
    cookies: tuple[str, ...] = (),
    storage: tuple[str, ...] = (),
    requests: tuple[tuple[str, str, str], ...] = (),
    page: str = "/privacy/",
    databases: tuple[str, ...] = (),
    caches: tuple[str, ...] = (),
) -> _StateRun:
    """A state's record as the browser run leaves it: cookie names, localStorage keys, IndexedDB
    database and Cache Storage cache names, and (host, type, path) requests, all seen on
    ``page``."""
    run = _StateRun(found, _Recorder(SITE_HOST, lambda text: text))
    for name in cookies:
        cookie: dict[str, Any] = {"name": name, "domain": SITE_HOST, "path": "/", "expires": -1}
        run.cookies[(name, SITE_HOST, "/")] = {"cookie": cookie, "first_seen": page}
    for key in storage:
        run.storage[("localStorage", key)] = page
    for name in databases:
        run.storage[("indexedDB", name)] = page
    for name in caches:
        run.storage[("caches", name)] = page
    for host, kind, path in requests:
        run.recorder.requests.append(
            _Request(page, f"https://{host}{path}", host, host == SITE_HOST, kind)
        )
    return run


def messages(run: _StateRun, config: ConsentConfig) -> tuple[list[str], list[str]]:
    bad, notes = _judge(run, Declared.of(config))
    return [f"{f.page}: {f.message}" for f in bad], [f"{f.page}: {f.message}" for f in notes]


def test_states_come_from_the_categories(config: ConsentConfig) -> None:
    states = consent_states(config)
    assert [s.id for s in states] == [
        "no-choice",
        "reject-all",
        "accept-all",
        "only-analytics",
        "only-advertising",
        "only-advertising-google-ads",
        "only-advertising-meta-pixel",
        "gpc-no-choice",
        "gpc-accept-all",
    ]
    granted = {s.id: sorted(s.granted) for s in states}
    assert granted["accept-all"] == ["advertising", "analytics"]
    assert granted["only-advertising"] == ["advertising"]
    # Advertising is refused by GPC (gpc: true): accept all under GPC grants analytics only.
    assert granted["gpc-accept-all"] == ["analytics"]
    assert [s.id for s in states if s.before_consent] == [
        "no-choice",
        "reject-all",
        "gpc-no-choice",
    ]
    assert [s.id for s in states if s.gpc] == ["gpc-no-choice", "gpc-accept-all"]


def test_declarations_match_by_name_pattern_and_host(config: ConsentConfig) -> None:
    declared = Declared.of(config)
    assert declared.cookie_categories("tt_consent") == ["necessary"]
    assert declared.cookie_categories("_ga") == ["analytics"]
    assert declared.cookie_categories("_ga_X1Y2") == ["analytics"]
    assert declared.cookie_categories("_gaX") == []
    assert declared.cookie_categories("_fbp") == ["advertising"]
    assert declared.storage_categories("/.__palette") == ["necessary"]
    assert declared.storage_categories("_ga_storage") == []
    assert declared.host_categories("www.googletagmanager.com") == ["analytics", "advertising"]
    assert declared.host_categories("connect.facebook.net") == ["advertising"]
    assert declared.host_categories("connect.facebook.net:8443") == ["advertising"]
    assert declared.host_categories("tracker.example") == []


def test_before_consent_only_the_necessary_and_the_own_host(config: ConsentConfig) -> None:
    clean = run_of(
        state(config, "reject-all"),
        cookies=("tt_consent",),
        storage=("/.__palette",),
        requests=((SITE_HOST, "script", "/assets/consent.js"),),
    )
    assert messages(clean, config) == ([], [])
    for state_id in ("no-choice", "reject-all", "gpc-no-choice"):
        bad, _ = messages(
            run_of(
                state(config, state_id),
                cookies=("_ga", "_mystery"),
                storage=("_ga_storage",),
                requests=(("www.google-analytics.com", "image", "/g/collect"),),
            ),
            config,
        )
        assert bad == [
            "/privacy/: 1 request(s) to third-party host www.google-analytics.com, 1 of them "
            "beacons (first: image https://www.google-analytics.com/g/collect) (declared under "
            "analytics) before consent",
            f"/privacy/: cookie _ga (domain {SITE_HOST}, path /) (declared under analytics) "
            "before consent",
            f"/privacy/: cookie _mystery (domain {SITE_HOST}, path /) (not declared) before "
            "consent",
            "/privacy/: localStorage key '_ga_storage' (not declared) before consent",
        ], state_id


def test_a_third_party_request_before_consent_fails_even_to_a_necessary_host(
    config: ConsentConfig,
) -> None:
    """The site makes no request to another host before consent, whatever consent.yml says."""
    declared = Declared.of(config)
    declared = replace(declared, hosts={**declared.hosts, "necessary": frozenset({"pay.example"})})
    requests = (("pay.example", "script", "/pay.js"),)
    (bad,), _ = _judge(run_of(state(config, "no-choice"), requests=requests), declared)
    assert bad.subject == "pay.example"
    assert bad.message.endswith("(declared under necessary) before consent")
    after = run_of(state(config, "accept-all"), requests=requests)
    assert _judge(after, declared) == ([], [])


def test_one_category_alone_keeps_the_other_out(config: ConsentConfig) -> None:
    analytics = state(config, "only-analytics")
    ok = run_of(
        analytics,
        cookies=("tt_consent", "_ga", "_gid"),
        requests=(("www.google-analytics.com", "ping", "/g/collect"),),
    )
    assert messages(ok, config) == ([], [])
    bad, _ = messages(
        run_of(
            analytics,
            cookies=("_fbp",),
            requests=(("connect.facebook.net", "script", "/en_US/fbevents.js"),),
        ),
        config,
    )
    assert bad == [
        "/privacy/: 1 request(s) to third-party host connect.facebook.net (first: script "
        "https://connect.facebook.net/en_US/fbevents.js) of advertising: not consented to",
        f"/privacy/: cookie _fbp (domain {SITE_HOST}, path /) of advertising: not consented to",
    ]
    # A host both categories name (Google Tag Manager) is allowed with either.
    shared = run_of(analytics, requests=(("www.googletagmanager.com", "script", "/gtag/js"),))
    assert messages(shared, config) == ([], [])


def test_each_service_of_a_category_chosen_per_service_is_visited_alone(
    config: ConsentConfig,
) -> None:
    """Advertising holds Google Ads and Meta Pixel, chosen each on its own: the audit also
    switches on each alone; analytics, of one service, has no such state."""
    states = {s.id: s for s in consent_states(config)}
    google, meta = states["only-advertising-google-ads"], states["only-advertising-meta-pixel"]
    assert (google.label, meta.label) == (
        "Google Ads only (Advertising)",
        "Meta Pixel only (Advertising)",
    )
    assert google.granted == meta.granted == {"advertising"}
    assert (google.action, google.category, google.service) == ("only", "advertising", "google-ads")
    assert (meta.category, meta.service) == ("advertising", "meta-pixel")
    assert [s.id for s in states.values() if s.service] == [google.id, meta.id]
    assert google.allows("advertising", "google-ads")
    assert not google.allows("advertising", "meta-pixel")
    assert states["only-advertising"].allows("advertising", "meta-pixel")
    # The record each choice must leave: its category on, and s with the service alone on.
    assert expected_services(config, meta) == {"google-ads": False, "meta-pixel": True}
    assert expected_services(config, states["accept-all"]) == {
        "google-ads": True,
        "meta-pixel": True,
    }
    assert expected_services(config, states["only-analytics"]) == {
        "google-ads": False,
        "meta-pixel": False,
    }
    assert expected_services(config, states["reject-all"]) is None  # a refusal has no s


def test_a_host_only_another_service_names_is_refused_naming_it(config: ConsentConfig) -> None:
    meta_tag = ("connect.facebook.net", "script", "/en_US/fbevents.js")
    google_tag = ("googleads.g.doubleclick.net", "image", "/pagead/viewthroughconversion")
    google = state(config, "only-advertising-google-ads")
    bad, _ = messages(run_of(google, requests=(meta_tag, google_tag)), config)
    assert bad == [
        "/privacy/: 1 request(s) to third-party host connect.facebook.net (first: script "
        "https://connect.facebook.net/en_US/fbevents.js) of Meta Pixel (meta-pixel), in "
        "advertising: not consented to"
    ]
    # The category alone allows both services; Meta's state allows Meta's host.
    both = run_of(state(config, "only-advertising"), requests=(meta_tag, google_tag))
    assert messages(both, config) == ([], [])
    meta = state(config, "only-advertising-meta-pixel")
    assert messages(run_of(meta, requests=(meta_tag,)), config) == ([], [])
    # Google Tag Manager is Google Ads' host (and analytics', not granted here): refused for it.
    (finding,), _ = _judge(
        run_of(meta, requests=(("www.googletagmanager.com", "script", "/gtag/js"),)),
        Declared.of(config),
    )
    assert finding.subject == "www.googletagmanager.com"
    assert finding.message.endswith("of Google Ads (google-ads), in advertising: not consented to")
    # What belongs to no service of the category is judged by category, as before.
    analytics = run_of(google, requests=(("www.google-analytics.com", "script", "/ga.js"),))
    assert messages(analytics, config)[0] == [
        "/privacy/: 1 request(s) to third-party host www.google-analytics.com (first: script "
        "https://www.google-analytics.com/ga.js) of analytics: not consented to"
    ]
    # Before the click it is before consent, and said once.
    page = f"{BEFORE_CHOICE}/privacy/)"
    (early,), _ = messages(run_of(google, requests=(meta_tag,), page=page), config)
    assert early.endswith("(declared under advertising) before consent")


def test_a_host_two_services_share_is_allowed_while_either_is(config: ConsentConfig) -> None:
    declared = Declared.of(config)
    shared = "cdn.shared.example"
    services = tuple(replace(s, hosts=(*s.hosts, shared)) for s in declared.services["advertising"])
    declared = replace(
        declared,
        hosts={**declared.hosts, "advertising": declared.hosts["advertising"] | {shared}},
        services={"advertising": services},
    )
    for state_id in ("only-advertising-google-ads", "only-advertising-meta-pixel"):
        run = run_of(state(config, state_id), requests=((shared, "script", "/tag.js"),))
        assert _judge(run, declared) == ([], []), state_id
    # Under a port too, as host names are matched everywhere.
    google = state(config, "only-advertising-google-ads")
    assert declared.refused_services("connect.facebook.net:8443", google) == [services[1]]


def test_gpc_accept_all_keeps_advertising_out(config: ConsentConfig) -> None:
    bad, _ = messages(run_of(state(config, "gpc-accept-all"), cookies=("_gcl_au",)), config)
    assert bad == [
        f"/privacy/: cookie _gcl_au (domain {SITE_HOST}, path /) of advertising: not consented to"
    ]


def test_after_consent_the_undeclared_is_a_warning(config: ConsentConfig) -> None:
    bad, notes = messages(
        run_of(
            state(config, "accept-all"),
            cookies=("_mystery",),
            requests=(("cdn.example", "script", "/x.js"),),
        ),
        config,
    )
    assert bad == []
    assert notes == [
        "/privacy/: 1 request(s) to third-party host cdn.example (first: script "
        "https://cdn.example/x.js): not named in consent.yml",
        f"/privacy/: cookie _mystery (domain {SITE_HOST}, path /): not named in consent.yml",
    ]


def test_the_page_before_the_click_counts_as_before_consent(config: ConsentConfig) -> None:
    page = f"{BEFORE_CHOICE}/privacy/)"
    bad, _ = messages(run_of(state(config, "accept-all"), cookies=("_ga",), page=page), config)
    assert bad == [
        f"{page}: cookie _ga (domain {SITE_HOST}, path /) (declared under analytics) before consent"
    ]


def test_errors_and_csp_violations_fail_every_state(config: ConsentConfig) -> None:
    for found in consent_states(config):
        run = run_of(found)
        run.recorder.console_errors.append(("/privacy/", "uncaught: TypeError: x is undefined"))
        run.recorder.csp_violations.append(
            (
                "/privacy/",
                {"directive": "img-src", "blocked": "https://t.example/p.gif", "document": "/"},
            )
        )
        bad, _ = messages(run, config)
        assert bad == [
            "/privacy/: console error: uncaught: TypeError: x is undefined",
            "/privacy/: CSP violation: img-src blocked https://t.example/p.gif in /",
        ], found.id


def test_sitemap_pages_are_rebased_onto_the_audited_url() -> None:
    """URL mode reads the pages from the sitemap mkdocs writes under its site_url."""
    sitemap = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.toontrack.com/policy/</loc></url>
  <url><loc>https://www.toontrack.com/policy/privacy/versions/2007-10-01/</loc></url>
  <url><loc>https://www.toontrack.com/policy/privacy/</loc></url>
</urlset>"""
    assert sitemap_pages(sitemap) == ["/", "/privacy/", "/privacy/versions/2007-10-01/"]


def test_render_html_has_no_script_and_escapes_everything() -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data: ReportData = {
        "report": "policy-site consent audit",
        "format": 1,
        "verdict": "fail",
        "target": {"given": hostile, "mode": "dir", "origin": "http://www.toontrack.test"},
        "pages": ["/"],
        "browser": "Chromium",
        "consent": {"file": hostile, "choice_page": "/", "categories": []},
        "release": {"consent_files": [hostile], "policy_version": None, "consent_release": None},
        "as_of": None,
        "summary": [],
        "violations": [hostile],
        "screenshots": {},
        "cookies": [],
        "csp": {"policies": [{"policy": hostile, "pages": ["/"]}], "hosts": [], "note": hostile},
        "states": [],
    }
    text = render_html(data)
    assert "<script" not in text
    assert "onerror=" not in text.replace("onerror=alert(1)&gt;", "")
    assert text.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 7  # markupsafe's


@pytest.fixture(scope="module")
def stored_config(tmp_path_factory: pytest.TempPathFactory) -> ConsentConfig:
    """The project's consent.yml with IndexedDB databases and caches declared."""
    data = yaml.safe_load((ROOT / "consent" / "consent.yml").read_text(encoding="utf-8"))
    item = {"en": "x", "sv": "x"}
    data["categories"]["necessary"]["indexeddb"] = [{"name": "tt_offline", **item}]
    data["categories"]["advertising"]["indexeddb"] = [{"pattern": "^fb_", "label": item, **item}]
    data["categories"]["analytics"]["caches"] = [{"name": "ga-cache", **item}]
    path: Path = tmp_path_factory.mktemp("stored") / "consent.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_consent(path)


def test_indexeddb_databases_and_caches_are_judged_like_storage_keys(
    stored_config: ConsentConfig,
) -> None:
    config = stored_config
    declared = Declared.of(config)
    assert declared.storage_categories("tt_offline", "indexedDB") == ["necessary"]
    assert declared.storage_categories("fb_ids", "indexedDB") == ["advertising"]
    assert declared.storage_categories("ga-cache", "caches") == ["analytics"]
    # Each area has its own declarations: a database name is no cache name, nor a storage key.
    assert declared.storage_categories("ga-cache", "indexedDB") == []
    assert declared.storage_categories("tt_offline", "caches") == []
    assert declared.storage_categories("tt_offline") == []
    # Before consent only the necessary database may be there.
    run = run_of(
        state(config, "reject-all"),
        databases=("tt_offline", "fb_ids", "mystery_db"),
        caches=("ga-cache",),
    )
    assert messages(run, config)[0] == [
        "/privacy/: Cache Storage cache 'ga-cache' (declared under analytics) before consent",
        "/privacy/: IndexedDB database 'fb_ids' (declared under advertising) before consent",
        "/privacy/: IndexedDB database 'mystery_db' (not declared) before consent",
    ]
    # After a choice: what belongs to a category not granted is a violation, the undeclared a
    # warning.
    run = run_of(
        state(config, "only-analytics"), databases=("fb_ids", "other_db"), caches=("ga-cache",)
    )
    assert messages(run, config) == (
        ["/privacy/: IndexedDB database 'fb_ids' of advertising: not consented to"],
        ["/privacy/: IndexedDB database 'other_db': not named in consent.yml"],
    )
    assert messages(run_of(state(config, "accept-all"), databases=("fb_ids",)), config) == (
        [],
        [],
    )


def test_the_report_records_databases_and_caches_per_state(stored_config: ConsentConfig) -> None:
    config = stored_config
    run = run_of(
        state(config, "accept-all"),
        storage=("/.__palette",),
        databases=("fb_ids",),
        caches=("ga-cache", "cdn-cache"),
    )
    declared = Declared.of(config)
    bad, notes = _judge(run, declared)
    origin = f"http://{SITE_HOST}/"
    site = _Site(origin, origin, SITE_HOST, ["/privacy/"], "dir", "site")
    details, row = _state_json(run, site, declared, 0.0, bad, notes)
    assert [(s["area"], s["key"], s["categories"]) for s in details["storage"]] == [
        ("caches", "cdn-cache", []),
        ("caches", "ga-cache", ["analytics"]),
        ("indexedDB", "fb_ids", ["advertising"]),
        ("localStorage", "/.__palette", ["necessary"]),
    ]
    assert {s["first_seen"] for s in details["storage"]} == {"/privacy/"}
    assert row["storage_keys"] == 4
    assert [f.message for f in notes] == [
        "Cache Storage cache 'cdn-cache': not named in consent.yml"
    ]
    category: DeclaredCategory = {
        "id": "advertising", "title": "Advertising", "gpc": True, "per_service": False,
        "services": [], "cookies": [], "storage": [], "indexeddb": ["^fb_"], "caches": [],
        "hosts": [],
    }  # fmt: skip
    page = render_html(report_data([category], [{**details, "verdict": "pass"}]))
    assert "<td>indexedDB</td><td>fb_ids</td><td>advertising</td>" in page
    assert "<td>^fb_</td>" in page


def report_data(categories: list[DeclaredCategory], states: list[StateDetails]) -> ReportData:
    """A passing report of one page, with these categories declared and these states."""
    return {
        "report": "policy-site consent audit",
        "format": 1,
        "verdict": "pass",
        "target": {"given": "site", "mode": "dir", "origin": f"http://{SITE_HOST}"},
        "pages": ["/"],
        "browser": "Chromium",
        "consent": {"file": "consent.yml", "choice_page": "/", "categories": categories},
        "release": {"consent_files": [], "policy_version": None, "consent_release": None},
        "as_of": None,
        "summary": [],
        "violations": [],
        "screenshots": {},
        "cookies": [],
        "csp": {"policies": [], "hosts": [], "note": None},
        "states": states,
    }


def test_the_report_names_each_service_and_the_state_of_one_alone(config: ConsentConfig) -> None:
    meta = state(config, "only-advertising-meta-pixel")
    run = run_of(meta, requests=(("www.googleadservices.com", "script", "/pagead/conversion.js"),))
    declared = Declared.of(config)
    bad, notes = _judge(run, declared)
    origin = f"http://{SITE_HOST}/"
    site = _Site(origin, origin, SITE_HOST, ["/privacy/"], "dir", "site")
    details, _ = _state_json(run, site, declared, 0.0, bad, notes)
    assert (details["id"], details["label"]) == (meta.id, "Meta Pixel only (Advertising)")
    assert (details["granted"], details["service"]) == (["advertising"], "meta-pixel")
    assert details["verdict"] == "fail"
    assert "of Google Ads (google-ads), in advertising" in details["violations"][0]["message"]
    category: DeclaredCategory = {
        "id": "advertising", "title": "Advertising", "gpc": True, "per_service": True,
        "services": [
            {"id": "google-ads", "name": "Google Ads", "hosts": ["a.example", "b.example"]},
            {"id": "meta-pixel", "name": "Meta Pixel", "hosts": ["c.example"]},
        ],
        "cookies": [], "storage": [], "indexeddb": [], "caches": [],
        "hosts": ["a.example", "b.example", "c.example"],
    }  # fmt: skip
    page = lxml.html.fromstring(render_html(report_data([category], [details])))
    (table,) = elements(page, "//h2[@id='declared']/following-sibling::table[1]")
    headers = strings(table, ".//thead//th/text()")
    row = [str(td.text_content()) for td in elements(table, ".//tbody/tr[1]/td")]
    cells = dict(zip(headers, row, strict=True))
    assert cells["chosen per service"] == "yes"
    assert cells["services (id): hosts"] == (
        "Google Ads (google-ads): a.example, b.example; Meta Pixel (meta-pixel): c.example"
    )
    (section,) = elements(page, f"//section[@id='state-{meta.id}']")
    assert "Meta Pixel only (Advertising)" in section.text_content()
    assert "advertising (of its services, meta-pixel alone)" in section.text_content()
