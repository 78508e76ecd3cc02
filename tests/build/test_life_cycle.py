"""One life cycle: new-version writes a draft (not on the site, free to change); announce
publishes it and starts the notice; a change to an announced text is announced again, the same
day as well as a later one; then it takes effect."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import build, cli, git

NEW = "docs/privacy/versions/2021-06-01.md"
LOCK = "docs/privacy/versions.lock"
DAY = "2021-02-01"  # 2021-01-01 is in effect


def _announced(repo: Path) -> list[str]:
    lock = json.loads((repo / LOCK).read_text(encoding="utf-8"))
    return [str(day) for day in lock["2021-06-01"]["announced"]]


def _reword(repo: Path, old: str, new: str) -> None:
    path = repo / NEW
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_a_draft_is_announced_revised_the_same_day_and_again_later(repo: Path) -> None:
    started = cli(repo, "new-version", "2021-06-01", as_of=DAY)
    assert started.returncode == 0, started.stderr
    assert "It is a draft: not on the site, free to change, until it is announced." in (
        started.stdout
    )
    assert "When the text is final: ./scripts/announce 2021-06-01." in started.stdout
    assert "announced:" not in (repo / NEW).read_text(encoding="utf-8")
    # A draft: edited as often as wanted, checked, and not published.
    _reword(repo, "summary: ''", "summary: Adds a contact address.")
    _reword(repo, "your email address", "your email and postal addresses")
    checked = cli(repo, "check", as_of=DAY)
    assert checked.returncode == 0, checked.stderr
    assert "2021-01-01 is in effect; 2021-06-01 is a draft." in checked.stdout
    built = build(repo, repo / "site", as_of=DAY)
    assert built.returncode == 0, built.stderr
    assert "2021-01-01 is in effect; 2021-06-01 is a draft." in built.stderr
    assert not (repo / "site/privacy/versions/2021-06-01").exists()

    announced = cli(repo, "announce", "2021-06-01", as_of=DAY)
    assert announced.returncode == 0, announced.stderr
    assert f"{NEW}: announced on {DAY}; it takes effect on 2021-06-01 (120 days' notice)." in (
        announced.stdout
    )
    assert f"announced: {DAY}\n" in (repo / NEW).read_text(encoding="utf-8")
    assert _announced(repo) == [DAY]
    assert (
        "2021-01-01 is in effect; 2021-06-01 is upcoming." in cli(repo, "check", as_of=DAY).stdout
    )
    lock = (repo / LOCK).read_text(encoding="utf-8")
    unchanged = cli(repo, "announce", "2021-06-01", as_of=DAY)  # nothing new to announce
    assert unchanged.returncode == 0, unchanged.stderr
    assert (
        f"{NEW}: announced on {DAY}, and its text is the one announced: there is nothing to "
        in (unchanged.stdout)
    )
    assert (repo / LOCK).read_text(encoding="utf-8") == lock
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "Announce 2021-06-01")

    # Revised the same day: 'announced' already says today; nothing impossible is asked.
    _reword(repo, "postal addresses", "postal address")
    checked = cli(repo, "check", as_of=DAY)
    assert checked.returncode == 2
    assert "changed since versions.lock was written" in checked.stderr
    assert "Set 'announced'" not in checked.stderr
    again = cli(repo, "announce", "2021-06-01", as_of=DAY)
    assert again.returncode == 0, again.stderr
    assert _announced(repo) == [DAY, DAY]
    assert cli(repo, "check", as_of=DAY).returncode == 0
    git(repo, "commit", "-qam", "Revise 2021-06-01 the same day")

    # Revised the next day: announced again, that day.
    _reword(repo, "postal address", "postal addresses")
    later = "2021-02-02"
    checked = cli(repo, "check", as_of=later)
    assert "Run ./scripts/announce 2021-06-01 (it sets 'announced' to today, 2021-02-02)" in (
        checked.stderr
    )
    assert cli(repo, "announce", "2021-06-01", as_of=later).returncode == 0
    assert _announced(repo) == [DAY, DAY, later]
    assert f"announced: {later}\n" in (repo / NEW).read_text(encoding="utf-8")
    assert cli(repo, "check", as_of=later).returncode == 0


def test_announce_refuses_too_short_a_notice_and_a_version_in_effect(repo: Path) -> None:
    assert cli(repo, "new-version", "2021-06-01", as_of=DAY).returncode == 0
    _reword(repo, "summary: ''", "summary: Adds a contact address.")
    before = (repo / NEW).read_text(encoding="utf-8")
    late = cli(repo, "announce", "2021-06-01", as_of="2021-05-15")
    assert late.returncode == 2
    assert (
        f"{NEW}: announced today (2021-05-15), this material change gives 17 days' notice; at "
        "least 30 are needed. Move it to 2021-06-14 or later" in late.stderr
    )
    assert (repo / NEW).read_text(encoding="utf-8") == before
    # Announced already, unchanged, 17 days before it takes effect: nothing to do, nothing moved.
    already = cli(repo, "announce", "2021-01-01", as_of="2020-12-15")
    assert already.returncode == 0, already.stderr
    assert "announced on 2020-11-15, and its text is the one announced: there is nothing to " in (
        already.stdout
    )
    in_effect = cli(repo, "announce", "2021-01-01", as_of=DAY)
    assert in_effect.returncode == 2
    assert "in effect since 2021-01-01; only a version not in effect yet is announced" in (
        in_effect.stderr
    )
    # Previewed as of its day while it can still be announced in time: shown in effect.
    preview = build(repo, repo / "site", as_of="2021-06-01", today=DAY)
    assert preview.returncode == 0, preview.stderr
    assert (repo / "site/privacy/changes/2021-06-01/index.html").is_file()  # its redline
    # A material draft left unannounced until too late would apply without notice: refused.
    unheard = cli(repo, "check", as_of="2021-05-15")
    assert unheard.returncode == 2
    assert "'announced': is missing: this material change is a draft, and announced today " in (
        unheard.stderr
    )
