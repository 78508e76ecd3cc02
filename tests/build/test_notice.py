"""Change notices (issue 14, point 5): ``policy-site notice`` writes, for each language a version
has, an RFC 5322 message (multipart: plain text and HTML) and the HTML alone, read back here with
Python's ``email`` package; and a version's page says users were notified only when its front
matter says so. Issue 23, point 5: it says which languages it wrote and why it skipped any, and
its list of the sections that change leaves out one whose only change is the date."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
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


def message(project: Path, language: str, version: str = "2021-01-01") -> EmailMessage:
    raw = (project / "out" / f"notice-{version}.{language}.eml").read_bytes()
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
        (
            "2022-01-01",
            None,
            "no version takes effect on 2022-01-01; the versions are 2020-01-01, 2021-01-01.",
        ),
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


#: The project's own site, on the day a revision is announced (policy_site.editor's new-version).
ANNOUNCED = "2027-03-01"
VERSIONS = Path("docs/privacy/versions")
REVISED_SECTION = "Can I Indicate Whether or Not I Want To Receive Communications?"


def revise(project: Path) -> None:
    """A version 2027-06-01 of the project's own site as new-version writes it (the date its text
    states changed) with one sentence changed, announced on ANNOUNCED: no translation yet."""
    made = cli(project, "new-version", "2027-06-01", "--change", "material", as_of=ANNOUNCED)
    assert made.returncode == 0, made.stderr
    path = project / VERSIONS / "2027-06-01.md"
    text = re.sub(
        r"(?m)^summary: ''.*$",
        "summary: Unsubscribing stops every e-mail.",
        path.read_text("utf-8"),
    )
    text = text.replace("To stop receiving e-mails from us", "To stop receiving any e-mail from us")
    path.write_text(text, encoding="utf-8")
    announced = cli(project, "announce", "2027-06-01", as_of=ANNOUNCED)
    assert announced.returncode == 0, announced.stderr


def translate(project: Path, *front: str) -> None:
    """The Swedish translation of the revision, its front matter with ``front`` added."""
    text = (project / VERSIONS / "2027-01-01.sv.md").read_text(encoding="utf-8")
    text = re.sub(
        r"summary: >-\n(  .*\n)+", "summary: Avregistreringen stoppar all e-post.\n", text
    )
    text = text.replace("translates: 2027-01-01", "\n".join(("translates: 2027-06-01", *front)))
    text = text.replace("_1 januari 2027_", "_1 juni 2027_")
    text = text.replace("För att sluta få e-post från oss", "För att sluta få all e-post från oss")
    (project / VERSIONS / "2027-06-01.sv.md").write_text(text, encoding="utf-8")


def notice(project: Path, as_of: str = ANNOUNCED) -> list[str]:
    """What ``policy-site notice 2027-06-01 --out out`` says, line by line, once the lock
    records the versions."""
    locked = cli(project, "check", "--update-lock", as_of=as_of)
    assert locked.returncode == 0, locked.stderr
    made = cli(project, "notice", "2027-06-01", "--out", "out", as_of=as_of)
    assert made.returncode == 0, made.stderr
    return made.stdout.splitlines()


def listed(project: Path, language: str) -> list[str]:
    """The sections the notice in ``language`` lists, in the text and in the HTML."""
    parsed = message(project, language, "2027-06-01")
    text = [line[2:].rpartition(": ")[0] for line in body(parsed, "plain").splitlines()
            if line.startswith("- ")]  # fmt: skip
    html = strings(lxml.html.document_fromstring(body(parsed, "html")), "//ul[1]/li/a/text()")
    assert text == html
    return text


WROTE = "{0}: wrote out/notice-2027-06-01.{0}.eml and out/notice-2027-06-01.{0}.html"
IMPORT = "Import the .eml into the mailing tool, or paste the .html as the message."


def test_a_version_with_no_translation_is_noticed_in_english_and_says_why_not_in_swedish(
    real_project: Path,
) -> None:
    revise(real_project)
    assert notice(real_project) == [
        WROTE.format("en"),
        "sv: skipped, no translation of 2027-06-01 (the newest sv translation is "
        "2027-01-01.sv.md): write docs/privacy/versions/2027-06-01.sv.md, then "
        "./scripts/check --update-lock and ./scripts/notice 2027-06-01 again.",
        IMPORT,
    ]
    assert sorted(path.name for path in (real_project / "out").iterdir()) == [
        "notice-2027-06-01.en.eml", "notice-2027-06-01.en.html"]  # fmt: skip
    # The closing "Effective Date" section changed its date alone: not a change to list.
    assert listed(real_project, "en") == [REVISED_SECTION]


def test_a_translated_version_is_noticed_in_each_language(real_project: Path) -> None:
    revise(real_project)
    translate(real_project)
    assert notice(real_project) == [WROTE.format("en"), WROTE.format("sv"), IMPORT]
    assert listed(real_project, "en") == [REVISED_SECTION]
    # Its own redline against the 2027-01-01 translation: "Datum för ikraftträdande" left out.
    assert listed(real_project, "sv") == ["Kan jag ange om jag vill få utskick eller inte?"]
    swedish = body(message(real_project, "sv", "2027-06-01"), "plain")
    assert "Avregistreringen stoppar all e-post." in swedish
    # Its own redline, in Swedish, not the English one.
    assert "ord för ord: https://www.toontrack.com/sv/privacy/changes/2027-06-01/" in swedish


def test_a_translation_announced_later_is_noticed_from_that_day(real_project: Path) -> None:
    revise(real_project)
    translate(real_project, "announced: 2027-04-01")
    assert notice(real_project)[1] == (
        "sv: skipped, docs/privacy/versions/2027-06-01.sv.md is not published on 2027-03-01: "
        "its 'announced' is 2027-04-01. Run ./scripts/notice 2027-06-01 again from that day, or "
        "set its 'announced' to the day it is published."
    )
    assert notice(real_project, as_of="2027-04-01") == [
        WROTE.format("en"), WROTE.format("sv"), IMPORT]  # fmt: skip
