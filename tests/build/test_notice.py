"""Change notices (issue 14, point 5): ``policy-site notice`` writes, for each language a version
has, an RFC 5322 message (multipart: plain text and HTML) and the HTML alone, read back here with
Python's ``email`` package; and a version's page says users were notified only when its front
matter says so."""

from __future__ import annotations

import email
import email.policy
import email.utils
from email.message import EmailMessage
from pathlib import Path

import lxml.html
import pytest

from tests.support import build, cli, fixture_site, parse_html, strings

SITE = "https://policy.example/"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = fixture_site("translated", tmp_path_factory.mktemp("sites"))
    made = cli(project, "notice", "2021-01-01", "--out", str(project / "out"), as_of="2020-12-01")
    assert made.returncode == 0, made.stderr
    return project


def message(project: Path, language: str) -> EmailMessage:
    raw = (project / "out" / f"notice-2021-01-01.{language}.eml").read_bytes()
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only, as RFC 5322 has it
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(parsed: EmailMessage, kind: str) -> str:
    """The message's text/<kind> part, decoded."""
    part = parsed.get_body((kind,))
    assert part is not None, f"no text/{kind} part"
    return str(part.get_content())


def test_each_language_gets_a_multipart_message(written: Path) -> None:
    assert sorted(path.name for path in (written / "out").iterdir()) == [
        "notice-2021-01-01.en.eml", "notice-2021-01-01.en.html",
        "notice-2021-01-01.sv.eml", "notice-2021-01-01.sv.html",
    ]  # fmt: skip
    english, swedish = message(written, "en"), message(written, "sv")
    assert english["Subject"] == "Changes to our privacy policy, effective 1 January 2021"
    assert swedish["Subject"] == "Ändringar i vår integritetspolicy från 1 januari 2021"
    assert email.utils.parseaddr(english["From"]) == ("Fixture", "privacy@example.com")
    assert english["Date"].datetime.isoformat() == "2020-12-01T00:00:00+00:00"
    assert english["Message-ID"] == "<privacy-policy-2021-01-01.en@policy.example>"
    assert (english["Content-Language"], swedish["Content-Language"]) == ("en", "sv")
    for parsed in (english, swedish):
        assert parsed.get_content_type() == "multipart/alternative"
        types = [part.get_content_type() for part in parsed.iter_parts()]
        assert types == ["text/plain", "text/html"]
        assert all(part.get_content_charset() == "utf-8" for part in parsed.iter_parts())


def test_the_text_says_what_changes_when_and_where(written: Path) -> None:
    text = body(message(written, "en"), "plain")
    assert "The new version takes effect on 1 January 2021." in text
    assert "Cookies other than the cart's now need your consent" in text  # the summary
    assert f"- Cookies: {SITE}privacy/versions/2021-01-01/#cookies" in text
    assert f"- Sharing: {SITE}privacy/versions/2021-01-01/#sharing" in text
    assert f"See every change, word by word: {SITE}privacy/changes/2021-01-01/" in text
    assert f"All versions of the privacy policy: {SITE}privacy/versions/" in text
    assert "Write to us: privacy@example.com" in text
    swedish = body(message(written, "sv"), "plain")
    assert "Den nya versionen träder i kraft den 1 januari 2021." in swedish
    assert "Andra kakor än varukorgens kräver nu ditt samtycke" in swedish
    assert f"- Kakor: {SITE}sv/privacy/versions/2021-01-01/#kakor" in swedish
    assert f"Se varje ändring, ord för ord: {SITE}sv/privacy/changes/2021-01-01/" in swedish
    assert "integritetspolicyns text på engelska gäller" in swedish


def test_the_html_has_no_image_script_tracking_or_other_host(written: Path) -> None:
    for language in ("en", "sv"):
        html = body(message(written, language), "html")
        alone = (written / "out" / f"notice-2021-01-01.{language}.html").read_text("utf-8")
        assert html.replace("\r\n", "\n") == alone  # the message's part, as it is
        page = lxml.html.document_fromstring(html)
        assert page.get("lang") == language
        assert not page.xpath("//img | //script | //link | //iframe | //object | //@src")
        for href in strings(page, "//a/@href"):
            assert href.startswith((SITE, "mailto:privacy@example.com")), href
            assert "?" not in href, href  # no tracking parameter, no query at all


def test_every_section_link_lands_on_a_heading_of_the_built_page(written: Path) -> None:
    site = written / "site"
    assert build(written, site, as_of="2020-12-01").returncode == 0
    for language, prefix in (("en", ""), ("sv", "sv/")):
        text = body(message(written, language), "plain")
        anchors = [line.rpartition("#")[2] for line in text.splitlines() if "/#" in line]
        assert anchors
        page = parse_html(site / f"{prefix}privacy/versions/2021-01-01/index.html")
        ids = set(strings(page, "//article//*[self::h1 or self::h2 or self::h3]/@id"))
        assert set(anchors) <= ids, (language, anchors, ids)


def test_the_same_inputs_write_the_same_bytes(written: Path, tmp_path: Path) -> None:
    again = cli(written, "notice", "2021-01-01", "--out", str(tmp_path), as_of="2020-12-01")
    assert again.returncode == 0, again.stderr
    for path in (written / "out").iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize(
    ("version", "edit", "says"),
    [
        ("2022-01-01", None, "version 2022-01-01 is not published on 2020-12-01"),
        ("2020-01-01", None, "version 2020-01-01 is the first version: it changes nothing."),
        (
            "2021-01-01",
            ("      contact: privacy@example.com\n", ""),
            "plugins.policy-site.contact is not set",
        ),
    ],
    ids=["unknown", "first", "no-contact"],
)
def test_a_notice_that_cannot_be_written_says_why(
    tmp_path: Path, version: str, edit: tuple[str, str] | None, says: str
) -> None:
    project = fixture_site("translated", tmp_path)
    if edit is not None:
        config = project / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    made = cli(project, "notice", version, "--out", str(tmp_path / "out"), as_of="2020-12-01")
    assert made.returncode == 2
    assert says in made.stderr
    assert not (tmp_path / "out").exists()


def test_a_page_says_users_were_notified_only_when_its_front_matter_does(tmp_path: Path) -> None:
    project = fixture_site("translated", tmp_path)
    site = tmp_path / "site"
    assert build(project, site, as_of="2020-12-01").returncode == 0
    page = parse_html(site / "privacy/versions/2021-01-01/index.html")
    assert "notified" not in page.text_content()
    path = project / "docs/privacy/versions/2021-01-01.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("change: material\n", "change: material\nnotified: 2020-11-20\n"))
    assert build(project, site, as_of="2020-12-01").returncode == 0  # the lock covers the body
    said = " ".join(
        parse_html(site / "privacy/versions/2021-01-01/index.html").text_content().split()
    )
    assert "Registered users were notified of this version by e-mail on 20 November 2020." in said
    swedish = parse_html(site / "sv/privacy/versions/2021-01-01/index.html").text_content()
    assert "Registrerade användare fick e-post om denna version den 20 november 2020." in " ".join(
        swedish.split()
    )
    path.write_text(text.replace("change: material\n", "change: material\nnotified: 2020-11-01\n"))
    refused = build(project, site, as_of="2020-12-01")
    assert refused.returncode != 0
    assert (
        "2021-01-01.md:6: 'notified': 2020-11-01 is before the version was announced (2020-11-15)"
        in refused.stderr
    )
