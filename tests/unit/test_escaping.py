"""What cannot be escaped is refused, naming the file, the key and the fix: a policy link the
consent banner could run (R22: javascript:, data:), and front matter characters XML cannot hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policy_site.consent.bundle import check_policy_url, render_bundle
from policy_site.consent.config import ConsentConfigError, load_consent
from policy_site.versions import Settings
from policy_site.versions.feeds import atom_feed
from policy_site.versions.model import read_version
from policy_site.versions.policy import Policy
from policy_site.versions.timeline import make_timeline
from tests.support import ROOT

CONSENT = ROOT / "consent"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.toontrack.com/privacy/",
        "https://www.toontrack.com:8443/privacy/?from=banner#top",
        "HTTPS://WWW.TOONTRACK.COM/privacy/",
        "/privacy/",
        "http://127.0.0.1:8000/privacy/",  # mkdocs serve
        "http://localhost:8000/privacy/",
        "http://[::1]:8000/privacy/",
    ],
)
def test_a_web_address_or_a_site_path_is_a_policy_link(url: str) -> None:
    assert check_policy_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript://www.toontrack.com/%0Aalert(1)//privacy/",  # MkDocs accepts it as site_url
        "JavaScript://x/%0Aalert(1)//privacy/",
        "javascript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "http://www.toontrack.com/privacy/",  # http only on the machine itself
        "//evil.example/privacy/",
        "/\\evil.example/privacy/",
        "https://user@evil.example/privacy/",
        "https://www.toontrack.com:port/privacy/",
        "https:///privacy/",
        "privacy/",
        "",
    ],
)
def test_anything_else_is_refused_as_a_policy_link(url: str) -> None:
    with pytest.raises(ConsentConfigError) as caught:
        check_policy_url(url)
    message = str(caught.value)
    assert message.startswith(
        f"mkdocs.yml: 'site_url': the consent banner would link to the policy at {url!r}"
    )
    assert "never javascript: or data:" in message
    assert message.endswith(
        "Set site_url to the site's https:// address, e.g. https://www.example.com/."
    )


def test_the_bundle_is_not_rendered_with_a_javascript_policy_link() -> None:
    config = load_consent(CONSENT / "consent.yml")
    with pytest.raises(ConsentConfigError, match="'site_url'"):
        render_bundle(config, "2007-10-01", "javascript://x/%0Aalert(1)//privacy/")
    bundle = render_bundle(config, "2007-10-01", "https://www.toontrack.com/privacy/")
    assert '"https://www.toontrack.com/privacy/"' in bundle.js.content


@pytest.mark.parametrize(
    ("front", "key", "line"),
    [
        ('title: "Privacy\\x0bPolicy"\n', "title", 2),
        ('summary: "Adds\\e[31m colour"\n', "summary", 4),
        ('summary: "Ends here\\uFFFE"\n', "summary", 4),
        ('errata:\n  - date: 2021-02-01\n    text: "Fixed\\x00 a typo"\n', "errata", 4),
    ],
)
def test_a_character_the_feed_cannot_carry_is_refused(
    tmp_path: Path, front: str, key: str, line: int
) -> None:
    base = {"title": 'title: "Privacy Policy"\n', "summary": "", "errata": ""}
    base[key] = front
    path = tmp_path / "2021-01-01.md"
    path.write_text(
        f"---\n{base['title']}effective: 2021-01-01\n{base['summary']}{base['errata']}---\n# P\n",
        encoding="utf-8",
    )
    version, problems = read_version(path)
    assert version is None
    assert [str(problem).split(": ", 1)[1] for problem in problems] == [
        f"'{key}': holds {code}, a character that the feed (XML) cannot carry: delete it."
        for code in ["U+000B" if "x0b" in front else "U+001B" if "\\e" in front
                     else "U+FFFE" if "FFFE" in front else "U+0000"]
    ]  # fmt: skip
    assert str(problems[0]).startswith(f"{path}:{line}: ")


def test_a_site_name_the_feed_cannot_carry_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2020-01-01.md"
    path.write_text("---\ntitle: Policy\neffective: 2020-01-01\n---\n# P\n", encoding="utf-8")
    version, _ = read_version(path)
    assert version is not None
    today = dt.date(2020, 6, 1)
    policy = Policy(Settings(), (version,), make_timeline([version], today))
    assert b"<name>Toontrack &lt;&amp;&gt;\xe2\x80\xa8</name>" in atom_feed(
        policy, "https://www.toontrack.com/", "Toontrack <&>\u2028"
    )
    with pytest.raises(ValueError, match=r"mkdocs.yml: 'site_name' holds U\+0008, which the feed"):
        atom_feed(policy, "https://www.toontrack.com/", "Toontrack\b")
