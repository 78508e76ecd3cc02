"""Every rule a version must follow, and the message that names the file, the key and the fix."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from policy_site.versions import Settings, VersionError, load_policy
from policy_site.versions.lock import LockEntry, LockUpdate, read_lock, updated_lock, write_lock
from policy_site.versions.policy import read_versions
from policy_site.versions.rules import check_rules, restate_effective_date, stated_effective_dates
from tests.support import ROOT

FIRST = "---\ntitle: Policy\neffective: 2020-01-01\n---\n# Policy\n\nWe collect names.\n"
SECOND_FRONT = (
    "title: Policy\neffective: 2021-01-01\nannounced: 2020-11-01\nchange: material\n"
    "summary: Adds email addresses.\n"
)
SECOND_BODY = "# Policy\n\nWe collect names and email addresses.\n"
TODAY = dt.date(2020, 12, 1)
LOCK = "privacy/versions.lock"


def locked(
    folder: Path, lock: dict[str, LockEntry] | None = None, day: dt.date = TODAY
) -> LockUpdate:
    """--update-lock's judgment of the versions in ``folder`` against ``lock`` on ``day``."""
    lock_path = folder.parent / "versions.lock"
    return updated_lock(read_versions(folder)[0], lock or {}, day, lock_path, folder)


def site(tmp_path: Path, second_front: str | None = SECOND_FRONT, name: str = "2021-01-01.md",
         body: str = SECOND_BODY, lock: bool = True) -> Path:  # fmt: skip
    folder = tmp_path / "privacy" / "versions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2020-01-01.md").write_text(FIRST, encoding="utf-8")
    if second_front is not None:
        (folder / name).write_text(f"---\n{second_front}---\n{body}", encoding="utf-8")
    if lock:
        write_lock(tmp_path / "privacy/versions.lock", locked(folder).lock)
    return tmp_path


def problems(docs: Path, today: dt.date = TODAY, edited: dt.date | None = None) -> str:
    with pytest.raises(VersionError) as caught:
        load_policy(docs, Settings(), today, edited)
    return str(caught.value)


def test_a_valid_site_loads(tmp_path: Path) -> None:
    policy = load_policy(site(tmp_path), Settings(), TODAY)
    assert [version.id for version in policy.versions] == ["2020-01-01", "2021-01-01"]
    assert policy.current.id == "2020-01-01"
    assert policy.timeline.upcoming is not None
    assert policy.warnings == []


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (SECOND_FRONT.replace("2021-01-01", "2021-1-1"),
         "2021-01-01.md:3: 'effective': write 2021-1-1 as 2021-01-01"),
        (SECOND_FRONT.replace("effective: 2021-01-01", "effective: 01/02/2021"),
         "2021-01-01.md:3: 'effective': 01/02/2021 is ambiguous (day or month first?); write it"),
        (SECOND_FRONT.replace("effective: 2021-01-01", "effective: 2021-01-01 09:00:00"),
         "'effective': 2021-01-01 09:00:00 is a date and a time; write the date alone"),
        (SECOND_FRONT.replace("effective: 2021-01-01", "effective: '2021-01-01'"),
         "'effective': '2021-01-01' is text; write the date without quotes"),
        (SECOND_FRONT.replace("effective: 2021-01-01", "effective: 2021-02-01"),
         "'effective': is 2021-02-01 but the file name says 2021-01-01: rename the file"),
        (SECOND_FRONT.replace("announced: 2020-11-01", "announced: 2021-01-05"),
         "'announced': 2021-01-05 is after the effective date 2021-01-01"),
        (SECOND_FRONT.replace("announced: 2020-11-01", "announced: 2020-12-15"),
         "'announced': gives 17 days' notice of a material change; at least 30 are needed. "
         "Announce it by 2020-12-02"),
        (SECOND_FRONT + "owner: legal\n", "2021-01-01.md:7: 'owner': unknown key; the keys are"),
        (SECOND_FRONT.replace("summary: Adds email addresses.\n", ""),
         "2021-01-01.md:1: key 'summary' is missing: every version after the first needs it"),
        (SECOND_FRONT.replace("change: material\n", ""),
         "key 'change' is missing: every version after the first needs it"),
        (SECOND_FRONT.replace("change: material", "change: major"),
         "'change': is 'major'; write one of: material, clarification, editorial"),
        (SECOND_FRONT.replace("title: Policy\n", ""), "key 'title' is missing"),
        (SECOND_FRONT + "errata:\n  - date: 2020-06-01\n    text: Typo.\n",
         "'errata': 2020-06-01 is before the version took effect"),
        (SECOND_FRONT + "effective: 2021-01-01\n", "'effective': appears twice; keep one."),
    ],
)  # fmt: skip
def test_front_matter_errors_name_file_line_key_and_fix(
    tmp_path: Path, front: str, expected: str
) -> None:
    assert expected in problems(site(tmp_path, front, lock=False))


def test_a_file_named_otherwise_is_refused(tmp_path: Path) -> None:
    docs = site(tmp_path, SECOND_FRONT, name="new-policy.md", lock=False)
    assert "new-policy.md:1: a version file is named by its effective date" in problems(docs)


def test_two_versions_with_one_effective_date_are_refused(tmp_path: Path) -> None:
    docs = site(tmp_path, lock=False)
    folder = docs / "privacy/versions"
    copy = SECOND_FRONT.replace("effective: 2021-01-01", "effective: 2020-01-01")
    (folder / "2020-01-01.markdown.md").write_text(f"---\n{copy}---\n", encoding="utf-8")
    assert "named by its effective date" in problems(docs)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    front = SECOND_FRONT.replace("change: material", "change: major") + "owner: legal\n"
    assert len(problems(site(tmp_path, front, lock=False)).splitlines()) == 2


def test_nothing_in_effect_is_an_error(tmp_path: Path) -> None:
    assert "no version is in effect on 2019-12-31" in problems(
        site(tmp_path), dt.date(2019, 12, 31)
    )


def test_check_back_wording_is_a_warning_for_new_versions_only(tmp_path: Path) -> None:
    body = SECOND_BODY + "\nPlease check this page regularly for changes.\n"
    docs = site(tmp_path, body=body)
    first = docs / "privacy/versions/2020-01-01.md"
    first.write_text(FIRST + "\nYou should check this Web site periodically.\n", encoding="utf-8")
    write_lock(docs / "privacy/versions.lock", locked(first.parent).lock)
    (warning,) = load_policy(docs, Settings(), TODAY).warnings
    assert "privacy/versions/2021-01-01.md:12: 'check this page regularly'" in str(warning)
    assert "EDPB WP260 para 29" in str(warning)


def test_check_back_wording_can_be_waived_with_a_reason(tmp_path: Path) -> None:
    front = SECOND_FRONT + "lint:\n  check-back-wording: Kept from the first version.\n"
    docs = site(tmp_path, front, body=SECOND_BODY + "\nCheck back periodically.\n")
    assert load_policy(docs, Settings(), TODAY).warnings == []


def test_a_version_missing_from_the_lock_fails(tmp_path: Path) -> None:
    docs = site(tmp_path, second_front=None)
    (docs / "privacy/versions/2021-01-01.md").write_text(f"---\n{SECOND_FRONT}---\n{SECOND_BODY}")
    assert "is not in versions.lock: run policy-site check --update-lock" in problems(docs)


def test_a_lock_file_that_is_not_there_names_the_option(tmp_path: Path) -> None:
    docs = site(tmp_path)
    with pytest.raises(VersionError) as caught:
        load_policy(docs, Settings(lock_file="privacy/versons.lock"), TODAY)
    assert (
        "privacy/versons.lock:1: no such lock file. It is plugins.policy-site.lock_file in "
        "mkdocs.yml (under docs_dir): if the lock is elsewhere, correct the option"
        in str(caught.value)
    )


def test_editing_a_version_in_effect_fails_and_shows_the_change(tmp_path: Path) -> None:
    docs = site(tmp_path)
    subprocess.run(["git", "init", "-q", str(docs)], check=True)
    subprocess.run(["git", "-C", str(docs), "add", "."], check=True)
    subprocess.run(["git", "-C", str(docs), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "v"], check=True)  # fmt: skip
    first = docs / "privacy/versions/2020-01-01.md"
    first.write_text(FIRST.replace("We collect names.", "We collect nothing."), encoding="utf-8")
    message = problems(docs)
    assert (
        "version 2020-01-01 is already in effect and its text no longer matches the lock" in message
    )
    assert "-We collect names.\n+We collect nothing." in message


def test_an_erratum_lets_a_version_in_effect_be_corrected(tmp_path: Path) -> None:
    docs = site(tmp_path)
    first = docs / "privacy/versions/2020-01-01.md"
    corrected = FIRST.replace("We collect names.", "We collect names and nothing else.")
    first.write_text(corrected, encoding="utf-8")
    lock_path = docs / "privacy/versions.lock"
    assert locked(first.parent, read_lock(lock_path)).problems != []  # refused without erratum
    with_erratum = corrected.replace(
        "---\n#", "errata:\n  - date: 2020-06-01\n    text: Says what is not collected.\n---\n#"
    )
    first.write_text(with_erratum, encoding="utf-8")
    assert "changed since versions.lock was written" in problems(docs)
    update = locked(first.parent, read_lock(lock_path))
    assert update.problems == []
    write_lock(lock_path, update.lock)
    policy = load_policy(docs, Settings(), TODAY)
    assert policy.versions[0].errata[0].text == "Says what is not collected."


def test_a_draft_changes_freely_and_the_lock_takes_it_as_it_is(tmp_path: Path) -> None:
    docs = site(tmp_path, SECOND_FRONT.replace("announced: 2020-11-01", "announced: 2020-12-01"))
    second = docs / "privacy/versions/2021-01-01.md"
    second.write_text(second.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    november = dt.date(2020, 11, 20)  # the day of the edit: before the announcement
    load_policy(docs, Settings(), TODAY, november)  # nothing to record for a draft
    # On the day it is announced, the text readers get notice of is the one the lock holds.
    assert "run policy-site check --update-lock" in problems(docs, TODAY, TODAY)
    update = locked(second.parent, read_lock(docs / LOCK), november)
    assert update.problems == []
    write_lock(docs / LOCK, update.lock)
    assert load_policy(docs, Settings(), TODAY, november).timeline.upcoming is not None


def test_an_announced_material_text_that_changes_is_announced_again(tmp_path: Path) -> None:
    docs = site(tmp_path)
    second = docs / "privacy/versions/2021-01-01.md"
    edited = second.read_text(encoding="utf-8").replace("email addresses", "postal addresses")
    second.write_text(edited, encoding="utf-8")
    message = problems(docs)
    assert (
        "2021-01-01.md:4: 'announced': version 2021-01-01 was announced on 2020-11-01 with another "
        "text, and readers were given notice of that text: a revised text is announced again, and "
        "the notice period starts over. Run policy-site announce 2021-01-01 (it sets 'announced' "
        "to today, 2020-12-01), or undo the edit." in message
    )
    assert locked(second.parent, read_lock(docs / LOCK)).problems != []
    # Announced again on 2020-12-10: 22 days' notice, and the error gives the new earliest date.
    second.write_text(edited.replace("2020-11-01", "2020-12-10"), encoding="utf-8")
    assert (
        "gives 22 days' notice of a material change; at least 30 are needed. Announce it by "
        "2020-12-02 or move 'effective' to 2021-01-09 or later." in problems(docs)
    )
    # Announced again today: 31 days' notice. Recorded as a revision, shown on the timeline.
    second.write_text(edited.replace("2020-11-01", "2020-12-01"), encoding="utf-8")
    update = locked(second.parent, read_lock(docs / LOCK))
    assert update.problems == []
    assert update.lock["2021-01-01"].announced == (dt.date(2020, 11, 1), dt.date(2020, 12, 1))
    write_lock(docs / LOCK, update.lock)
    upcoming = load_policy(docs, Settings(), TODAY).timeline.upcoming
    assert upcoming is not None
    assert (upcoming.first_announced, upcoming.revised) == (
        dt.date(2020, 11, 1),
        (dt.date(2020, 12, 1),),
    )


def test_a_same_day_revision_of_an_announced_text_is_announced_again_that_day(
    tmp_path: Path,
) -> None:
    # Announced today, recorded, then revised the same day: 'announced' already says today, and
    # that is all it takes; the lock records the revision as announced again that day.
    docs = site(tmp_path, SECOND_FRONT.replace("2020-11-01", "2020-12-01"))
    second = docs / "privacy/versions/2021-01-01.md"
    second.write_text(second.read_text().replace("email", "postal"), encoding="utf-8")
    update = locked(second.parent, read_lock(docs / LOCK))
    assert update.problems == []
    assert update.lock["2021-01-01"].announced == (TODAY, TODAY)
    write_lock(docs / LOCK, update.lock)
    assert load_policy(docs, Settings(), TODAY).timeline.upcoming is not None


def test_a_material_version_never_announced_is_a_draft_until_it_would_apply(
    tmp_path: Path,
) -> None:
    docs = site(tmp_path, SECOND_FRONT.replace("announced: 2020-11-01\n", ""))
    policy = load_policy(docs, Settings(), TODAY)  # a draft: checked, not published
    assert policy.timeline.upcoming is None
    assert [entry.id for entry in policy.timeline.entries] == ["2020-01-01"]
    # Previewed as of its effective date: it can still be announced in time, and shows in effect.
    assert load_policy(docs, Settings(), dt.date(2021, 1, 1), TODAY).current.id == "2021-01-01"
    # Four days later announcing it would be too late: refused, with the earliest date.
    assert (
        "2021-01-01.md:4: 'announced': is missing: this material change is a draft, and announced "
        "today (2020-12-05) it would give 27 days' notice; at least 30 are needed. Move "
        "'effective' (and the file name) to 2021-01-04 or later, then run policy-site announce "
        "2021-01-04." in problems(docs, dt.date(2020, 12, 5))
    )


def test_a_published_announcement_date_cannot_be_moved_alone(tmp_path: Path) -> None:
    docs = site(tmp_path)
    second = docs / "privacy/versions/2021-01-01.md"
    second.write_text(
        second.read_text(encoding="utf-8").replace("2020-11-01", "2020-10-01"), encoding="utf-8"
    )
    assert (
        "'announced': is 2020-10-01, but version 2021-01-01 was announced on 2020-11-01, as "
        "published: put back 'announced: 2020-11-01'." in problems(docs)
    )


def test_an_announced_clarification_is_corrected_like_an_erratum(tmp_path: Path) -> None:
    front = SECOND_FRONT.replace("change: material", "change: clarification")
    docs = site(tmp_path, front)
    second = docs / "privacy/versions/2021-01-01.md"
    edited = second.read_text(encoding="utf-8").replace("email addresses", "e-mail addresses")
    second.write_text(edited, encoding="utf-8")
    assert "Record the correction with a new 'errata' entry" in problems(docs)
    erratum = "errata:\n  - date: 2020-12-01\n    text: Spells e-mail as elsewhere.\n---\n#"
    second.write_text(edited.replace("---\n#", erratum), encoding="utf-8")
    assert locked(second.parent, read_lock(docs / LOCK)).problems == []
    early = erratum.replace("2020-12-01", "2020-10-01")
    second.write_text(edited.replace("---\n#", early), encoding="utf-8")
    assert "2020-10-01 is before the version was announced (2020-11-01)" in problems(docs)


def test_a_published_version_that_is_gone_fails_and_names_the_commit(tmp_path: Path) -> None:
    docs = site(tmp_path)
    git = ["git", "-C", str(docs), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(docs)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v"], check=True)
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    subprocess.run([*git, "rm", "-q", "privacy/versions/2021-01-01.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "rm"], check=True)
    message = problems(docs)
    assert (
        "privacy/versions/2021-01-01.md:1: version 2021-01-01 was published (announced on "
        "2020-11-01, effective 2021-01-01) and versions.lock records it, but its file is gone"
        in message
    )
    commit = head.stdout.strip()
    assert message.endswith(
        f"It was last in commit {commit}; restore it with: git checkout {commit} -- "
        "privacy/versions/2021-01-01.md"
    )
    update = locked(docs / "privacy/versions", read_lock(docs / LOCK))
    assert "2021-01-01" in update.lock  # --update-lock keeps it, and refuses to write
    assert update.problems


def test_a_draft_that_is_gone_is_dropped_from_the_lock(tmp_path: Path) -> None:
    docs = site(tmp_path, SECOND_FRONT.replace("announced: 2020-11-01", "announced: 2020-12-01"))
    (docs / "privacy/versions/2021-01-01.md").unlink()
    november = dt.date(2020, 11, 20)
    assert "draft 2021-01-01 is in versions.lock but its file is gone" in problems(
        docs, TODAY, november
    )
    update = locked(docs / "privacy/versions", read_lock(docs / LOCK), november)
    assert (update.problems, update.dropped, list(update.lock)) == (
        [],
        ["2021-01-01"],
        ["2020-01-01"],
    )


@pytest.mark.parametrize(
    ("closing", "line", "stated", "restated"),
    [
        ("## Effective Date\n\nThis policy is effective as of _March 1, 2021_.\n", 14,
         "March 1, 2021", "January 1, 2021"),
        ("_**Effective Date**_  \nThis Privacy Policy is effective as of _1 March 2021_.\n", 13,
         "1 March 2021", "1 January 2021"),
        ("## Contact\n\nThis policy is effective from 2021-03-01.\n", 14, "2021-03-01",
         "2021-01-01"),
    ],
)  # fmt: skip
def test_a_stated_effective_date_must_be_the_effective_date(
    tmp_path: Path, closing: str, line: int, stated: str, restated: str
) -> None:
    body = SECOND_BODY + "\n" + closing
    assert (
        f"2021-01-01.md:{line}: the text states the effective date '{stated}' (2021-03-01), but "
        f"'effective' is 2021-01-01: write '{restated}' there, or correct 'effective'"
    ) in problems(site(tmp_path, body=body))
    # new-version restates a copy's date with its own, written the same way; then it passes.
    fixed, replaced = restate_effective_date(body, dt.date(2021, 1, 1))
    assert [(old, new) for _, old, new in replaced] == [(stated, restated)]
    assert fixed == body.replace(stated, restated)
    load_policy(site(tmp_path, body=fixed), Settings(), TODAY)


def test_the_projects_versions_state_their_own_effective_date() -> None:
    versions, found = read_versions(ROOT / "docs" / "privacy" / "versions")
    assert found == []
    assert check_rules(versions, notice_days=30, day=TODAY) == []
    for version in versions:
        assert [stated.day for stated in stated_effective_dates(version.body)] == [
            version.effective
        ]


def test_a_published_erratum_cannot_be_removed(tmp_path: Path) -> None:
    docs = site(tmp_path)
    first = docs / "privacy/versions/2020-01-01.md"
    corrected = FIRST.replace("We collect names.", "We collect names only.").replace(
        "---\n#", "errata:\n  - date: 2020-06-01\n    text: Says 'only'.\n---\n#"
    )
    first.write_text(corrected, encoding="utf-8")
    write_lock(docs / LOCK, locked(first.parent, read_lock(docs / LOCK)).lock)
    assert read_lock(docs / LOCK)["2020-01-01"].errata == 1
    erratum = "errata:\n  - date: 2020-06-01\n    text: Says 'only'.\n"
    first.write_text(corrected.replace(erratum, ""), encoding="utf-8")
    assert (
        "'errata': version 2020-01-01 had 1 errata entries when the lock was written and has 0 "
        "now: a published correction stays on the page. Put it back." in problems(docs)
    )
