"""What was published stays published, whatever the working copy's lock says: the lock deleted or
rewritten by hand, even committed so, and a published title changed, fail check, --update-lock
and the build, naming the commit that published the version (versions/history.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from policy_site.versions.hashes import normalize_body
from tests.support import build, cli, fixture_site, git

FIRST = "docs/privacy/versions/2020-01-01.md"
LOCK = "docs/privacy/versions.lock"
AS_OF = "2020-12-31"


def _edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _body_sha(repo: Path, name: str) -> str:
    body = (repo / name).read_text(encoding="utf-8").split("---\n", 2)[2]
    return hashlib.sha256(normalize_body(body).encode("utf-8")).hexdigest()


def test_a_deleted_lock_cannot_record_a_changed_published_version(repo: Path) -> None:
    published = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    _edit(repo, FIRST, "your name", "your full name")  # the version in effect
    (repo / LOCK).unlink()
    checked = cli(repo, "check", as_of=AS_OF)
    assert checked.returncode == 2
    assert (
        f"{LOCK}:1: no such lock file, but commit {published} has it, with the versions it "
        f"published. Restore it with: git checkout {published} -- docs/privacy/versions.lock\n"
    ) in checked.stderr
    updated = cli(repo, "check", "--update-lock", as_of=AS_OF)
    assert updated.returncode == 2
    assert (
        f"{FIRST}:8: version 2020-01-01 is already in effect and its text no longer matches the "
        "lock." in updated.stderr  # line 8: the line edited
    )
    assert f"2020-01-01 as published (commit {published})" in updated.stderr
    assert "The lock was not written." in updated.stderr
    assert not (repo / LOCK).exists()
    built = build(repo, repo / "site", as_of=AS_OF)
    assert built.returncode != 0
    assert "no such lock file, but commit" in built.stderr
    # Undone, --update-lock writes the lock again as history recorded it.
    git(repo, "checkout", "--", FIRST)
    assert cli(repo, "check", "--update-lock", as_of=AS_OF).returncode == 0
    recorded = json.loads((repo / LOCK).read_text(encoding="utf-8"))
    assert recorded["2021-01-01"]["announced"] == ["2020-11-15"]


def test_a_lock_edited_by_hand_fails_even_once_committed(repo: Path) -> None:
    published = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    locked = (repo / LOCK).read_text(encoding="utf-8")
    old_sha = _body_sha(repo, FIRST)
    _edit(repo, FIRST, "your name", "your full name")
    (repo / LOCK).write_text(locked.replace(old_sha, _body_sha(repo, FIRST)), encoding="utf-8")
    expected = (
        f"{LOCK}:1: records version 2020-01-01 otherwise than commit {published} did, and the "
        f"rules do not allow that change (commit {published} published it): what was published "
        "stays as published, and the lock is written by ./scripts/check --update-lock, never by "
        "hand. Undo any edit to the version that check reports, and restore the lock with: git "
        f"checkout {published} -- docs/privacy/versions.lock\n"
    )
    for command in (("check",), ("check", "--update-lock")):
        checked = cli(repo, *command, as_of=AS_OF)
        assert checked.returncode == 2
        assert expected in checked.stderr
        assert f"{FIRST}:8: version 2020-01-01 is already in effect" in checked.stderr
    git(repo, "commit", "-qam", "Reword, and the lock to match")
    assert build(repo, repo / "site", as_of=AS_OF).returncode != 0
    git(repo, "checkout", published, "--", FIRST)
    still = cli(repo, "check", as_of=AS_OF)  # the text is back; the committed lock still lies
    assert "records version 2020-01-01 otherwise than commit" in still.stderr
    git(repo, "checkout", published, "--", LOCK)
    assert cli(repo, "check", as_of=AS_OF).returncode == 0
    git(repo, "commit", "-qam", "Put back what was published")
    assert build(repo, repo / "site", as_of=AS_OF).returncode == 0


def test_a_published_title_and_summary_are_locked_with_the_text(repo: Path) -> None:
    assert cli(repo, "check", "--update-lock", as_of=AS_OF).returncode == 0
    assert all("front" in entry for entry in json.loads((repo / LOCK).read_text()).values())
    git(repo, "commit", "-qam", "Lock the front matter")
    _edit(repo, FIRST, "title: Privacy Policy", "title: Privacy Notice")
    checked = cli(repo, "check", as_of=AS_OF)
    assert checked.returncode == 2
    assert (
        f"{FIRST}:2: version 2020-01-01 is already in effect and its front matter no longer "
        "matches the lock." in checked.stderr
    )
    assert "-title: Privacy Policy\n+title: Privacy Notice" in checked.stderr
    git(repo, "checkout", "--", FIRST)
    # The announced version's summary: a change to it is announced again.
    _edit(repo, "docs/privacy/versions/2021-01-01.md", "summary: Cookies", "summary: All cookies")
    checked = cli(repo, "check", as_of=AS_OF)
    assert "a revised text is announced again" in checked.stderr
    assert "Run ./scripts/announce 2021-01-01 (it sets 'announced' to today" in checked.stderr
    # Forgetting the lock does not help: rebuilt from history, it refuses the same.
    (repo / LOCK).unlink()
    assert (
        "a revised text is announced again"
        in cli(repo, "check", "--update-lock", as_of=AS_OF).stderr
    )


def test_without_the_history_the_check_says_what_it_could_not_verify(
    repo: Path, tmp_path: Path
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True
    )
    git(repo, "commit", "-q", "--allow-empty", "-m", "A second commit")
    checked = cli(shallow, "check", as_of=AS_OF)
    assert checked.returncode == 0
    assert "docs/privacy/versions.lock was not checked against git history" in checked.stdout
    assert "git fetch --unshallow" in checked.stdout
    loose = tmp_path / "loose"
    shutil.copytree(repo, loose, ignore=shutil.ignore_patterns(".git"))
    checked = cli(loose, "check", as_of=AS_OF)
    assert checked.returncode == 0
    assert "it is not in a git repository" in checked.stdout
    built = build(loose, loose / "site", as_of=AS_OF)
    assert built.returncode == 0
    assert "was not checked against git history" in built.stderr


def test_a_deleted_translated_version_says_first_how_to_restore_it(tmp_path: Path) -> None:
    site = fixture_site("translated", tmp_path)
    git(site, "init", "-q")
    git(site, "add", ".")
    git(site, "commit", "-qm", "Publish")
    head = git(site, "rev-parse", "--short", "HEAD").strip()
    second = "docs/privacy/versions/2021-01-01.md"
    (site / second).unlink()
    checked = cli(site, "check", as_of=AS_OF)
    assert checked.returncode == 2
    first = checked.stderr.splitlines()[0]
    assert first.startswith(f"{second}:1: version 2021-01-01 was published")
    assert first.endswith(f"restore it with: git checkout {head} -- {second}")
    assert "'translates'" not in checked.stderr  # the translation's problem follows from it
    (site / "docs/privacy/versions/2020-01-01.md").unlink()
    gone = cli(site, "check", as_of=AS_OF).stderr
    in_effect = next(line for line in gone.splitlines() if "version 2020-01-01 was" in line)
    assert "withdraw" not in in_effect  # a version in effect is not withdrawn
