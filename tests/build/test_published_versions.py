"""A published version cannot vanish, be re-dated or change behind its readers' backs, and its
section links keep working (issue 11, points 2 to 5): each mistake a legal editor can make, on a
fixture site in a git repository, with the message that leads to the fix."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import icalendar
import pytest

from tests.support import build, cli, elements, git, parse_html, with_class

SECOND = "docs/privacy/versions/2021-01-01.md"


def edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_published_version_deleted_by_a_commit_fails_check_and_build(repo: Path) -> None:
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    git(repo, "rm", "-q", SECOND)
    git(repo, "commit", "-qm", "Drop the 2021 version")
    expected = (
        "version 2021-01-01 was published (announced on 2020-11-15, effective 2021-01-01) and "
        "versions.lock records it, but its file is gone: a published version stays at its "
        "address (once it is back, ./scripts/withdraw 2021-01-01 --reason '...' takes it back). "
        f"It was last in commit {head}; restore it with: git checkout {head} -- {SECOND}\n"
    )
    checked = cli(repo, "check", as_of="2020-12-31")
    assert checked.returncode == 2
    assert f"{SECOND}:1: {expected}" in checked.stderr
    built = build(repo, repo / "site", as_of="2020-12-31")
    assert built.returncode != 0
    assert f"{SECOND}:1: {expected}" in built.stderr
    lock_before = (repo / "docs/privacy/versions.lock").read_text(encoding="utf-8")
    refused = cli(repo, "check", "--update-lock", as_of="2020-12-31")
    assert refused.returncode == 2
    assert "The lock was not written." in refused.stderr
    assert (repo / "docs/privacy/versions.lock").read_text(encoding="utf-8") == lock_before
    subprocess.run(["git", "-C", str(repo), "checkout", head, "--", SECOND], check=True)
    assert cli(repo, "check", as_of="2020-12-31").returncode == 0


def test_the_version_in_effect_deleted_is_a_lost_version_not_a_missing_date(
    repo: Path,
) -> None:
    (repo / "docs/privacy/versions/2020-01-01.md").unlink()
    checked = cli(repo, "check", as_of="2020-12-31")
    assert "version 2020-01-01 was published (effective 2020-01-01)" in checked.stderr
    assert "git checkout HEAD" not in checked.stderr  # a commit, not a moving name
    commit = git(repo, "rev-parse", "--short", "HEAD").strip()
    assert f"git checkout {commit} -- docs/privacy/versions/2020-01-01.md" in checked.stderr
    assert "no version is in effect" not in checked.stderr


def test_a_withdrawn_version_keeps_its_page_and_says_why(repo: Path) -> None:
    reason = "We found a simpler way to ask for consent; a new text will be announced."
    taken = cli(repo, "withdraw", "2021-01-01", "--reason", reason, as_of="2020-12-01")
    assert taken.returncode == 0, taken.stderr
    assert "withdrawn on 2020-12-01" in taken.stdout
    assert cli(repo, "check", "--update-lock", as_of="2020-12-01").returncode == 0
    lock = json.loads((repo / "docs/privacy/versions.lock").read_text(encoding="utf-8"))
    assert lock["2021-01-01"]["withdrawn"] == "2020-12-01"
    site = repo / "site"
    result = build(repo, site, as_of="2021-02-01")  # after the day it was to take effect
    assert result.returncode == 0, result.stderr

    page = parse_html(site / "privacy/versions/2021-01-01/index.html")
    (status,) = elements(page, f"//*{with_class('policy-status')}")
    said = " ".join(status.text_content().split())
    assert "Withdrawn on 1 December 2020, before it was to take effect on 1 January 2021" in said
    assert f"Why: {reason}" in said
    current = parse_html(site / "privacy/index.html")
    assert "Effective 1 January 2020" in " ".join(current.text_content().split())
    assert not elements(current, f"//*{with_class('policy-notice')}")  # nothing upcoming
    archive = " ".join(parse_html(site / "privacy/versions/index.html").text_content().split())
    assert "Withdrawn on 1 December 2020, never in effect" in archive
    assert f"Withdrawn: {reason}" in archive
    feed = (site / "privacy/feed.xml").read_text(encoding="utf-8")
    assert "Privacy Policy: withdrawn on 1 December 2020, never in effect" in feed
    calendar = icalendar.Calendar.from_ical((site / "privacy/changes.ics").read_bytes())
    events = {str(event["uid"]).partition("@")[0]: event for event in calendar.walk("VEVENT")}
    assert str(events["privacy-policy-2021-01-01"]["status"]) == "CANCELLED"  # a calendar drops it
    assert str(events["privacy-policy-2020-01-01"]["status"]) == "CONFIRMED"
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    entry = next(item for item in manifest["versions"] if item["id"] == "2021-01-01")
    assert entry["status"] == "withdrawn"
    assert entry["withdrawn"] == {"date": "2020-12-01", "reason": reason}
    assert manifest["current"] == "2020-01-01"

    started = cli(repo, "new-version", "2021-03-01", as_of="2020-12-02")
    assert "from 2020-01-01 (the version that applies before it: in effect)" in started.stdout
    (repo / "docs/privacy/versions/2021-03-01.md").unlink()
    printed = (site / "assets/stylesheets/policy-print.css").read_text(encoding="utf-8")
    assert "Withdrawn 1 December 2020, never in effect \u00b7 https://policy.example/" in printed

    second = repo / SECOND
    second.write_text(
        re.sub(r"withdrawn:\n(  .*\n)+", "", second.read_text(encoding="utf-8")), encoding="utf-8"
    )
    undone = cli(repo, "check", as_of="2020-12-02")
    assert "was withdrawn on 2020-12-01, and a withdrawal is final" in undone.stderr


@pytest.mark.parametrize(
    ("version", "as_of", "refusal"),
    [
        ("2020-01-01", "2020-12-01", "in effect since 2020-01-01; a version in effect is not "
         "withdrawn but replaced: ./scripts/new-version YYYY-MM-DD."),
        ("2021-01-01", "2020-11-01", "2021-01-01.md: a draft, not announced yet, so no reader has "
         "seen it: delete the file instead"),
        ("2021-02-01", "2020-12-01", "no version takes effect on 2021-02-01; the versions are "
         "2020-01-01, 2021-01-01."),
    ],
)  # fmt: skip
def test_withdraw_refuses_what_is_not_an_announced_version(
    repo: Path, version: str, as_of: str, refusal: str
) -> None:
    result = cli(repo, "withdraw", version, "--reason", "Because.", as_of=as_of)
    assert result.returncode == 2
    assert refusal in result.stderr


def test_a_revised_announced_text_restarts_the_notice(repo: Path) -> None:
    edit(repo, SECOND, "Other cookies need your consent.", "Other cookies need your consent, "
         "which you can withdraw at any time.")  # fmt: skip
    refused = cli(repo, "check", "--update-lock", as_of="2020-12-01")
    assert refused.returncode == 2
    assert (
        f"{SECOND}:4: 'announced': version 2021-01-01 was announced on 2020-11-15 with another "
        "text, and readers were given notice of that text: a revised text is announced again, and "
        "the notice period starts over. Run ./scripts/announce 2021-01-01 (it sets 'announced' to "
        "today, 2020-12-01), or undo the edit." in refused.stderr
    )
    assert "+We use cookies to remember your cart. Other cookies need your consent, which" in (
        refused.stderr
    )
    edit(repo, SECOND, "announced: 2020-11-15", "announced: 2020-12-05")
    short = cli(repo, "check", "--update-lock", as_of="2020-12-05")
    assert (
        "'announced': gives 27 days' notice of a material change; at least 30 are needed. "
        "Announce it by 2020-12-02 or move 'effective' to 2021-01-04 or later." in short.stderr
    )
    edit(repo, SECOND, "announced: 2020-12-05", "announced: 2020-12-01")
    assert cli(repo, "check", "--update-lock", as_of="2020-12-01").returncode == 0
    site = repo / "site"
    assert build(repo, site, as_of="2020-12-10").returncode == 0
    page = parse_html(site / "privacy/versions/2021-01-01/index.html")
    said = " ".join(
        elements(page, f"//*{with_class('policy-status__revised')}")[0].text_content().split()
    )
    assert said == (
        "Announced on 15 November 2020; revised on 1 December 2020, when the notice period "
        "started again."
    )
    feed = (site / "privacy/feed.xml").read_text(encoding="utf-8")
    assert "Privacy Policy: takes effect 1 January 2021 (revised on 1 December 2020)" in feed
    assert "<updated>2020-12-01T00:00:00Z</updated>" in feed
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    entry = next(item for item in manifest["versions"] if item["id"] == "2021-01-01")
    assert (entry["announced"], entry["revised"]) == ("2020-11-15", ["2020-12-01"])


def test_an_announced_clarification_is_corrected_with_an_erratum(repo: Path) -> None:
    edit(repo, SECOND, "change: material", "change: clarification")
    assert cli(repo, "check", "--update-lock", as_of="2020-11-01").returncode == 0
    edit(repo, SECOND, "Write to privacy@example.com.", "Write to privacy@example.org.")
    refused = cli(repo, "check", as_of="2020-12-01")
    assert (
        "(clarification) was announced on 2020-11-15 and its text no longer matches the lock. "
        "Record the correction with a new 'errata' entry" in refused.stderr
    )
    erratum = "errata:\n  - date: 2020-12-01\n    text: The address is example.org.\n---"
    edit(repo, SECOND, "---\n\n#", erratum + "\n\n#")
    assert cli(repo, "check", "--update-lock", as_of="2020-12-01").returncode == 0


def test_a_draft_edited_and_previewed_later_asks_for_nothing(repo: Path) -> None:
    edit(repo, SECOND, "Other cookies need your consent.", "Other cookies need consent.")
    # Edited on 2020-11-01, before its announcement (a draft until 2020-11-15, free to change);
    # previewed as of a day it will be in effect: the lock is not asked to record a draft.
    result = build(repo, repo / "site", as_of="2021-06-01", today="2020-11-01")
    assert result.returncode == 0, result.stderr
    assert "Other cookies need consent." in (repo / "site/privacy/index.html").read_text(
        encoding="utf-8"
    )
    # Once its announcement day has come, the edit is one readers were given notice of.
    announced = build(repo, repo / "site", as_of="2020-11-15")
    assert announced.returncode != 0
    assert "version 2021-01-01 changed since versions.lock was written" in announced.stderr
