"""A fixture site with two versions, built for real on the days around the second one's date."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support import build, elements, fixture_site, parse_html, strings, with_class

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_site("two-versions", tmp_path_factory.mktemp("sites"))


def built(project: Path, as_of: str) -> Path:
    site = project.parent / f"site-{as_of}"
    if not site.exists():
        result = build(project, site, as_of=as_of)
        assert result.returncode == 0, result.stderr
        assert "WARNING" not in result.stderr
    return site


def status_text(site: Path, page: str) -> str:
    html = parse_html(site / page)
    (status,) = elements(html, f"//article//*{with_class('policy-status')}")
    return " ".join(status.text_content().split())


def notice(site: Path, page: str) -> str:
    found = elements(parse_html(site / page), f"//*{with_class('policy-notice')}")
    return " ".join(found[0].text_content().split()) if found else ""


def test_before_its_date_the_new_version_is_upcoming(project: Path) -> None:
    site = built(project, "2020-12-31")
    assert status_text(site, "privacy/index.html").startswith("Effective 1 January 2020")
    assert status_text(site, "privacy/versions/2021-01-01/index.html").startswith(
        "Takes effect on 1 January 2021"
    )
    expected = "An updated policy takes effect on 1 January 2021 (in 1 day): see what changes"
    pages = ["index.html", "versions/index.html", "versions/2020-01-01/index.html",
             "changes/2021-01-01/index.html"]  # fmt: skip
    for page in (f"privacy/{page}" for page in pages):
        assert notice(site, page) == expected, page
    (link,) = strings(
        parse_html(site / "privacy/index.html"), f"//*{with_class('policy-notice')}//a/@href"
    )
    assert link == "changes/2021-01-01/"


def test_on_its_date_the_new_version_is_in_effect_with_no_edit(project: Path) -> None:
    site = built(project, "2021-01-01")
    assert status_text(site, "privacy/index.html").startswith("Effective 1 January 2021")
    assert "Auditors" in parse_html(site / "privacy/index.html").text_content()
    assert status_text(site, "privacy/versions/2020-01-01/index.html").startswith(
        "In effect from 1 January 2020 to 31 December 2020; see the current policy"
    )
    assert notice(site, "privacy/index.html") == ""


def test_the_day_after_nothing_changes_but_the_date(project: Path) -> None:
    site = built(project, "2021-01-02")
    assert status_text(site, "privacy/index.html").startswith("Effective 1 January 2021")
    archive = parse_html(site / "privacy/versions/index.html")
    rows = [" ".join(row.text_content().split()) for row in elements(archive, "//tbody/tr")]
    assert rows == [
        "1 January 2021 In effect material Cookies other than the cart's now need your consent; "
        "adds auditors to the list of recipients. What changed",
        "1 January 2020 Superseded (until 31 December 2020) first version The policy as first "
        "published. —",
    ]


def test_a_version_announced_later_is_not_published_yet(project: Path) -> None:
    site = built(project, "2020-11-14")
    assert not (site / "privacy/versions/2021-01-01").exists()
    assert not (site / "privacy/changes/2021-01-01").exists()
    assert notice(site, "privacy/index.html") == ""
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    assert [version["id"] for version in manifest["versions"]] == ["2020-01-01"]


def test_current_page_links_all_versions_and_what_changed(project: Path) -> None:
    site = built(project, "2021-01-01")
    links = strings(
        parse_html(site / "privacy/index.html"), f"//*{with_class('policy-status')}//a/@href"
    )
    assert "versions/" in links
    assert "changes/2021-01-01/" in links


def test_redline_holds_exactly_the_expected_changes(project: Path) -> None:
    page = parse_html(built(project, "2020-12-31") / "privacy/changes/2021-01-01/index.html")
    (redline,) = elements(page, f"//*{with_class('policy-redline')}")
    inserted = [" ".join(e.text_content().split()) for e in elements(redline, ".//ins")]
    deleted = [" ".join(e.text_content().split()) for e in elements(redline, ".//del")]
    assert inserted == ["Other cookies need your consent.", "Auditors"]
    assert deleted == ["We recommend that you keep cookies on."]
    # Structure kept: the inserted recipient is a list item between the two that were there.
    items = [" ".join(li.text_content().split()) for li in elements(redline, ".//ul/li")]
    assert items == ["Payment processors", "Auditors", "Shipping companies"]
    assert [li.text_content() for li in elements(redline, ".//ul/li[ins]")] == ["Auditors"]
    # Sections changed, the summary on top, a text legend, no front matter.
    assert strings(page, f"//*{with_class('policy-sections-changed')}//a/text()") == [
        "Cookies", "Sharing"]  # fmt: skip
    assert "Cookies other than the cart's" in page.text_content()
    (legend,) = elements(page, f"//*{with_class('policy-legend')}")
    assert "underlined" in legend.text_content()
    assert "struck-through" in legend.text_content()
    assert "announced:" not in redline.text_content()
    assert "effective:" not in redline.text_content()
    assert elements(page, "//h1") == elements(page, "//article/h1")  # one h1: the page's


def test_feed_has_one_entry_per_version_with_its_links(project: Path) -> None:
    feed = ET.parse(built(project, "2020-12-31") / "privacy/feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == [
        "https://policy.example/privacy/versions/2021-01-01/",
        "https://policy.example/privacy/versions/2020-01-01/",
    ]
    upcoming = entries[0]
    assert upcoming.findtext(f"{ATOM}published") == "2020-11-15T00:00:00Z"
    links = {link.get("rel"): link.get("href") for link in upcoming.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "https://policy.example/privacy/versions/2021-01-01/",
        "related": "https://policy.example/privacy/changes/2021-01-01/",
    }
    assert feed.findtext(f"{ATOM}updated") == "2020-11-15T00:00:00Z"
    for required in ("id", "title", "updated"):
        assert all(entry.findtext(f"{ATOM}{required}") for entry in entries)


def test_the_json_feed_has_the_atom_feeds_entries(project: Path) -> None:
    import feedparser
    import jsonfeed

    site = built(project, "2020-12-31")
    text = (site / "privacy/feed.json").read_text(encoding="utf-8")
    feed = jsonfeed.Feed.parse_string(text)  # raises on a field the format requires
    assert feed.version == "https://jsonfeed.org/version/1.1"
    assert feed.feed_url == "https://policy.example/privacy/feed.json"
    atom = feedparser.parse((site / "privacy/feed.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    assert [(item.id, item.title, item.summary) for item in feed.items] == [
        (entry.id, entry.title, entry.summary) for entry in atom.entries
    ]
    upcoming = json.loads(text)["items"][0]
    assert upcoming["date_published"] == "2020-11-15T00:00:00Z"
    assert upcoming["tags"] == ["material"]
    assert upcoming["_policy"] == {
        "effective": "2021-01-01",
        "status": "upcoming",
        "change": "material",
        "redline_url": "https://policy.example/privacy/changes/2021-01-01/",
    }
    archive = parse_html(site / "privacy/versions/index.html")
    assert {"feed.xml", "feed.json", "changes.ics"} <= {
        href.rpartition("/")[2] for href in strings(archive, "//article//a/@href")
    }


def test_the_calendar_has_the_day_each_version_takes_effect(project: Path) -> None:
    import icalendar

    site = built(project, "2020-12-31")
    raw = (site / "privacy/changes.ics").read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line for line in lines)  # CRLF only
    assert max(map(len, lines)) <= 75  # RFC 5545 3.1: folded at 75 octets
    calendar = icalendar.Calendar.from_ical(raw)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert sorted(events) == [
        "privacy-policy-2020-01-01@policy.example",
        "privacy-policy-2021-01-01@policy.example",
    ]
    upcoming = events["privacy-policy-2021-01-01@policy.example"]
    assert upcoming.decoded("dtstart") == dt.date(2021, 1, 1)  # a date: an all-day event
    assert upcoming.decoded("dtend") == dt.date(2021, 1, 2)
    assert str(upcoming["status"]) == "CONFIRMED"
    assert "https://policy.example/privacy/versions/2021-01-01/" in str(upcoming["description"])
    assert "https://policy.example/privacy/changes/2021-01-01/" in str(upcoming["description"])
    assert built(project, "2021-01-01").joinpath("privacy/changes.ics").read_bytes() == raw


def test_manifest_lists_versions_with_hashes(project: Path) -> None:
    site = built(project, "2020-12-31")
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    assert manifest["current"] == "2020-01-01"
    assert manifest["upcoming"] == "2021-01-01"
    second = manifest["versions"][1]
    assert second["announced"] == "2020-11-15"
    assert second["change"] == "material"
    assert second["status"] == "upcoming"
    assert second["redline_url"] == "https://policy.example/privacy/changes/2021-01-01/"
    lock = json.loads((project / "docs/privacy/versions.lock").read_text(encoding="utf-8"))
    assert second["sha256"]["markdown"] == lock["2021-01-01"]["sha256"]
    assert len(second["sha256"]["text"]) == 64
    assert second["sha256"]["text"] != manifest["versions"][0]["sha256"]["text"]


def test_two_builds_of_the_same_inputs_are_byte_identical(project: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for site in (first, second):
        assert build(project, site, as_of="2020-12-31").returncode == 0
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(second) for path in second.rglob("*") if path.is_file())
    assert [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()] == []


def test_lock_file_is_not_published(project: Path) -> None:
    assert not (built(project, "2020-12-31") / "privacy/versions.lock").exists()
