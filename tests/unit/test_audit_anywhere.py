"""The audit on any site, without a browser: a German-only consent.yml (no English anywhere, a
necessary category named in German), Content-Security-Policies as servers send them (none,
empty directives, a trailing ``;``, two policies), the language of the texts a page shows, a
failure inside the audit said without a traceback, and the extra that brings what it imports.
The browser runs are in tests/browser/test_audit_anywhere.py."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from policy_site import scaffold
from policy_site.audit import AuditError, Declared, consent_states
from policy_site.audit.browser import page_language
from policy_site.audit.record import _Recorder, _StateRun
from policy_site.audit.rules import _csp_hosts, _judge, csp_directives, csp_note
from policy_site.audit.states import could_not_run
from policy_site.commands import install_command
from policy_site.consent.config import ConsentConfig, load_consent
from tests.support import FIXTURE_SITES, ROOT, SITE_HOST


def fixture_consent(scenario: str, folder: Path) -> ConsentConfig:
    """A fixture site's consent.yml, its partner at ads.partner.test."""
    text = (FIXTURE_SITES / scenario / "consent" / "consent.yml").read_text("utf-8")
    path = folder / "consent.yml"
    path.write_text(text.replace("PARTNER_HOST", "ads.partner.test"), encoding="utf-8")
    return load_consent(path)


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> ConsentConfig:
    """The German company's consent.yml: German only, its necessary category "notwendig"."""
    return fixture_consent("german", tmp_path_factory.mktemp("german"))


@pytest.fixture(scope="module")
def two_languages(tmp_path_factory: pytest.TempPathFactory) -> ConsentConfig:
    """The other company's consent.yml: English and German, a region name for each."""
    return fixture_consent("other-company", tmp_path_factory.mktemp("two"))


def test_a_site_with_nothing_to_choose_is_audited_without_a_choice(tmp_path: Path) -> None:
    """init's site has only the necessary category, and so no banner to click (ui.js)."""
    scaffold.init_site(tmp_path / "site", "www.example.de", "de", dt.date(2026, 12, 2), None)
    config = load_consent(tmp_path / "site" / "consent" / "consent.yml")
    assert [s.id for s in consent_states(config)] == ["no-choice", "gpc-no-choice"]
    assert all(s.before_consent for s in consent_states(config))


def test_a_german_only_site_has_its_states_named_in_german(german: ConsentConfig) -> None:
    states = consent_states(german)
    assert [s.id for s in states] == [
        "no-choice",
        "reject-all",
        "accept-all",
        "only-statistik",
        "only-marketing",
        "gpc-no-choice",
        "gpc-accept-all",
    ]
    labels = {s.id: s.label for s in states}
    assert labels["only-marketing"] == "Marketing und Werbung only"
    # Marketing is refused by GPC: accept all under GPC grants statistics only.
    assert {s.id: sorted(s.granted) for s in states}["gpc-accept-all"] == ["statistik"]


def test_the_necessary_category_is_the_one_marked_so_whatever_its_name(
    german: ConsentConfig,
) -> None:
    declared = Declared.of(german)
    assert declared.necessary == "notwendig"
    # The consent cookie is necessary, under the site's own name for it.
    assert declared.cookie_categories("gb_wahl") == ["notwendig"]
    (reject,) = [s for s in consent_states(german) if s.id == "reject-all"]
    run = _StateRun(reject, _Recorder(SITE_HOST, lambda text: text))
    cookie: dict[str, Any] = {"name": "gb_wahl", "domain": SITE_HOST, "path": "/", "expires": -1}
    run.cookies[("gb_wahl", SITE_HOST, "/")] = {"cookie": cookie, "first_seen": "/angebote/"}
    run.cookies[("ad_id", SITE_HOST, "/")] = {"cookie": cookie, "first_seen": "/angebote/"}
    bad, _ = _judge(run, declared)
    assert [f.subject for f in bad] == ["ad_id"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, []),
        ("", []),
        ("   ", []),
        (";", []),
        ("default-src 'none'; img-src 'self' ads.example;", [
            ("default-src", ["'none'"]), ("img-src", ["'self'", "ads.example"])]),
        ("default-src 'none';; ;img-src ads.example ;", [
            ("default-src", ["'none'"]), ("img-src", ["ads.example"])]),
        # One header sent twice: the browser enforces both, the audit reads both.
        ("img-src a.example, Script-Src b.example;", [
            ("img-src", ["a.example"]), ("script-src", ["b.example"])]),
    ],
)  # fmt: skip
def test_csp_directives_read_as_the_specification_reads_them(
    header: str | None, expected: list[tuple[str, list[str]]]
) -> None:
    assert csp_directives(header) == expected


def test_csp_hosts_are_sources_only() -> None:
    policy = (
        "default-src 'none'; script-src 'self' 'sha256-AAA=' tags.example; img-src data: "
        "https://px.example:8443/p.gif; report-uri /csp-reports; trusted-types default; "
        "upgrade-insecure-requests;"
    )
    assert _csp_hosts(policy) == {
        "https://px.example:8443/p.gif": ["img-src"],
        "tags.example": ["script-src"],
    }
    assert _csp_hosts(None) == {}
    assert _csp_hosts("") == {}


def test_pages_without_a_csp_are_said_in_the_report() -> None:
    assert csp_note({"default-src 'none'": ["/"]}) is None
    note = csp_note({"": ["/b/", "/a/"], "default-src 'none'": ["/"]})
    assert note is not None
    assert note.startswith("No Content-Security-Policy on 2 page(s) (/a/, /b/)")
    assert "CSP check was skipped" in note


def test_the_page_language_is_the_one_of_the_texts_it_shows(
    two_languages: ConsentConfig, german: ConsentConfig
) -> None:
    script = "https://www.example.org/assets/consent.de.0123456789ab.js"
    # The script the page loaded says it, whatever the page's own lang.
    assert page_language(two_languages, {"scripts": [script], "lang": "en"}) == "de"
    stable = "https://www.example.org/consent/consent.de.js?v=1"
    assert page_language(two_languages, {"scripts": [stable], "lang": "en"}) == "de"
    # consent/consent.js names no language: the banner's name does.
    region = two_languages.texts["de"]["region"]
    plain = {"scripts": ["https://www.example.org/consent/consent.js"], "region": region}
    assert page_language(two_languages, plain) == "de"
    # Else the page's lang, or its primary language.
    assert page_language(two_languages, {"lang": "de-AT"}) == "de"
    assert page_language(two_languages, {"lang": "EN"}) == "en"
    # A language the site has no texts in: consent.yml's first, never an English it lacks.
    assert page_language(two_languages, {"lang": "fr"}) == "en"
    assert page_language(german, {"lang": "en", "scripts": ["/assets/consent.en.js"]}) == "de"
    assert page_language(german, {}) == "de"


def test_a_failure_inside_the_audit_names_what_failed_and_where() -> None:
    with pytest.raises(AuditError) as raised, could_not_run("the state 'only-marketing'"):
        {"de": "Marketing"}["en"]
    message = str(raised.value)
    assert re.match(
        r"The audit stopped: the state 'only-marketing' could not run: KeyError: 'en' "
        r"\(at \S+/test_audit_anywhere\.py:\d+, in test_a_failure_inside_the_audit_\w+\)\. "
        r"This is a fault in policy-site",
        message,
    ), message
    # What already says what is wrong passes as it is.
    with pytest.raises(AuditError, match=r"^no pages$"), could_not_run("the browser run"):
        raise AuditError("no pages")
    # Playwright missing is the command line's to say (with the extra to install).
    with (
        pytest.raises(ModuleNotFoundError),
        could_not_run("the browser run"),
    ):
        raise ModuleNotFoundError("No module named 'playwright'", name="playwright")


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ({"url": "file:///home/me/dist/policy_site-0.1.0-py3-none-any.whl", "archive_info": {}},
         "pip install '/home/me/dist/policy_site-0.1.0-py3-none-any.whl[audit]'"),
        ({"url": "file:///home/me/policy%20site", "dir_info": {}},
         "pip install '/home/me/policy site[audit]'"),
        ({"url": "file:///home/me/policy-site", "dir_info": {"editable": True}},
         "pip install -e '/home/me/policy-site[audit]'"),
        ({"url": "https://git.example/policy-site.git",
          "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
         "pip install 'policy-site[audit] @ git+https://git.example/policy-site.git@abc123'"),
        (None, "pip install '/path/to/checkout[audit]' (the checkout, or the wheel file, that "
               "policy-site was installed from)"),
    ],
)  # fmt: skip
def test_an_extra_is_installed_from_where_policy_site_came_from(
    recorded: dict[str, Any] | None, expected: str
) -> None:
    assert install_command("audit", json.dumps(recorded) if recorded else None) == expected


def _third_party_imports(folder: Path) -> set[str]:
    """Top-level modules imported anywhere in ``folder``'s modules, lazily or not."""
    found: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return {name for name in found if name != "policy_site" and name not in _STDLIB}


_STDLIB = frozenset(__import__("sys").stdlib_module_names) | {"__future__"}


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def test_the_audit_extra_brings_everything_the_audit_imports() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]

    def names(requirements: list[str]) -> set[str]:
        out: set[str] = set()
        for requirement in requirements:
            name = _requirement_name(requirement)
            if name == "policy-site":  # another extra of this package
                wanted = re.search(r"\[(.*)\]", requirement)
                for extra in (wanted.group(1) if wanted else "").split(","):
                    out |= names(extras[extra.strip()])
            else:
                out.add(name)
        return out

    installed = names(project["dependencies"]) | names(extras["audit"])
    distributions = metadata.packages_distributions()
    for module in sorted(_third_party_imports(ROOT / "src" / "policy_site" / "audit")):
        provided = {d.lower() for d in distributions.get(module, [module])}
        assert provided & installed, f"audit imports {module}, which the [audit] extra lacks"
    # A site that sends receipts is audited with its receiver, which needs the receipts extra.
    assert names(extras["receipts"]) <= installed
    assert "playwright" in installed
    # The development set has it all.
    assert names(extras["audit"]) <= names(extras["dev"])
