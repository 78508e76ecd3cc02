"""The editor's commands and a failing build: file:line messages, and nothing half-published."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import AS_OF, build, dated_env, fixture_site

CLI = [sys.executable, "-m", "policy_site.cli"]


def run(project: Path, *args: str, today: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI on ``today``: the day of its ``--as-of``, else the tests' AS_OF."""
    as_of = args[args.index("--as-of") + 1] if "--as-of" in args else AS_OF
    env = dated_env(as_of, today)
    if "--as-of" not in args:
        env.pop("POLICY_SITE_AS_OF")
    command = [*CLI, "-f", str(project / "mkdocs.yml"), *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=project, env=env, check=False
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_site("two-versions", tmp_path)


def test_check_passes_a_valid_site_quickly(project: Path) -> None:
    result = run(project, "--as-of", "2020-12-31", "check")
    assert result.returncode == 0, result.stderr
    assert "2020-01-01 is in effect; 2021-01-01 is upcoming" in result.stdout


def test_check_reports_file_line_key_and_fix(project: Path) -> None:
    second = project / "docs/privacy/versions/2021-01-01.md"
    second.write_text(
        second.read_text(encoding="utf-8").replace(
            "announced: 2020-11-15", "announced: 2020-12-20"
        ),
        encoding="utf-8",
    )
    result = run(project, "--as-of", "2020-12-31", "check")
    assert result.returncode == 2
    assert (
        "docs/privacy/versions/2021-01-01.md:4: 'announced': gives 12 days' notice of a material "
        "change; at least 30 are needed. Announce it by 2020-12-02" in result.stderr
    )


def test_a_failing_build_names_the_problem_and_publishes_nothing(project: Path) -> None:
    first = project / "docs/privacy/versions/2020-01-01.md"
    first.write_text(
        first.read_text(encoding="utf-8").replace("your name", "your name, your age"), "utf-8"
    )
    site = project / "site"
    result = build(project, site, as_of="2020-12-31")
    assert result.returncode != 0
    assert "version 2020-01-01 is already in effect and its text no longer matches" in result.stderr
    assert not (site / "privacy/index.html").exists()


def test_update_lock_refuses_an_edit_in_effect_and_accepts_an_erratum(project: Path) -> None:
    first = project / "docs/privacy/versions/2020-01-01.md"
    lock = project / "docs/privacy/versions.lock"
    before = lock.read_text(encoding="utf-8")
    first.write_text(first.read_text(encoding="utf-8").replace("anyone", "anyone else"), "utf-8")
    refused = run(project, "--as-of", "2020-12-31", "check", "--update-lock")
    assert refused.returncode == 2
    assert "The lock was not written." in refused.stderr
    assert lock.read_text(encoding="utf-8") == before
    text = first.read_text(encoding="utf-8")
    first.write_text(
        text.replace(
            "---\n\n#", "errata:\n  - date: 2020-03-01\n    text: Clearer wording.\n---\n\n#"
        ),
        "utf-8",
    )
    accepted = run(project, "--as-of", "2020-12-31", "check", "--update-lock")
    assert accepted.returncode == 0, accepted.stderr
    assert lock.read_text(encoding="utf-8") != before


def test_new_version_copies_the_version_in_effect(project: Path) -> None:
    result = run(project, "--as-of", "2021-02-01", "new-version", "2021-04-01")
    assert result.returncode == 0, result.stderr
    created = (project / "docs/privacy/versions/2021-04-01.md").read_text(encoding="utf-8")
    assert "effective: 2021-04-01\nchange: material\n" in created  # a draft: not announced
    assert "- Auditors" in created  # the text of 2021-01-01, the version in effect
    assert "Next:" in result.stdout
    # Until the editor writes a summary, the check fails and says so.
    check = run(project, "--as-of", "2021-02-01", "check")
    assert "2021-04-01.md:5: 'summary': must be non-empty text." in check.stderr


def test_new_version_refuses_too_short_a_notice(project: Path) -> None:
    result = run(project, "--as-of", "2021-02-01", "new-version", "2021-02-15")
    assert result.returncode == 2
    assert "can take effect on 2021-03-03 at the earliest" in result.stderr


def test_check_back_wording_in_a_new_version_fails_the_strict_build(project: Path) -> None:
    second = project / "docs/privacy/versions/2021-01-01.md"
    second.write_text(
        second.read_text(encoding="utf-8") + "\nPlease check this page regularly for changes.\n",
        encoding="utf-8",
    )
    # Written before its announcement (2020-11-15), so a draft's edit: recorded, with a warning.
    edited = "2020-11-01"
    assert (
        run(project, "--as-of", "2020-12-31", "check", "--update-lock", today=edited).returncode
        == 1
    )
    result = build(project, project / "site", as_of="2020-12-31", today=edited)
    assert result.returncode != 0
    assert "WARNING" in result.stderr
    assert "'check this page regularly': asking readers to check for changes" in result.stderr


NEW = "docs/privacy/versions/2027-06-01.md"
PLACEHOLDER = "summary: ''  # plain words on what changed and what does not"


def test_new_version_starts_from_the_newest_published_version(real_project: Path) -> None:
    result = run(real_project, "--as-of", "2026-12-01", "new-version", "2027-06-01")
    assert result.returncode == 0, result.stderr
    assert (
        "from 2027-01-01 (the version that applies before it: upcoming, takes effect on "
        "2027-01-01; 2007-10-01 is in effect)" in result.stdout
    )
    created = (real_project / NEW).read_text(encoding="utf-8")
    assert "Global Privacy Control" in created  # the 2027 text, not the 2007 one
    assert "leave cookies “turned on”" not in created
    # Its lint waiver, with its reason, and the date that the closing section states.
    assert "lint:\n  check-back-wording: The sentence asking readers to check" in created
    assert "Kept its lint waiver(s) with their reasons (check-back-wording)" in result.stdout
    assert created.endswith("This Privacy Policy is effective as of _June 1, 2027_.\n")
    assert "January 1, 2027 -> June 1, 2027." in result.stdout
    # The editor writes a summary; the first check passes, with no warning they did not cause.
    (real_project / NEW).write_text(
        created.replace(PLACEHOLDER, "summary: Clarifies the cookie settings."), encoding="utf-8"
    )
    check = run(real_project, "--as-of", "2026-12-01", "check", "--update-lock")
    assert check.returncode == 0, check.stderr
    assert "warning" not in check.stderr


def test_new_version_from_copies_the_chosen_version(real_project: Path) -> None:
    result = run(
        real_project, "--as-of", "2026-12-01", "new-version", "2027-06-01", "--from", "2007-10-01"
    )
    assert result.returncode == 0, result.stderr
    assert "from 2007-10-01 (the version chosen with --from: in effect)" in result.stdout
    created = (real_project / NEW).read_text(encoding="utf-8")
    assert "leave cookies “turned on”" in created
    assert "lint:" not in created  # the 2007 version waives nothing
    assert created.endswith("This Privacy Policy is effective as of _June 1, 2027_.\n")


def test_new_version_from_an_unknown_version_names_the_versions(real_project: Path) -> None:
    result = run(
        real_project, "--as-of", "2026-12-01", "new-version", "2027-06-01", "--from", "2020-01-01"
    )
    assert result.returncode == 2
    assert (
        "--from 2020-01-01: no such version; the versions are 2007-10-01, 2027-01-01."
        in result.stderr
    )
    assert not (real_project / NEW).exists()


def test_a_stated_effective_date_that_differs_fails_the_check(real_project: Path) -> None:
    assert run(real_project, "--as-of", "2026-12-01", "new-version", "2027-06-01").returncode == 0
    path = real_project / NEW
    text = path.read_text(encoding="utf-8").replace(PLACEHOLDER, "summary: Clarifies.")
    path.write_text(text.replace("_June 1, 2027_", "_January 1, 2027_"), encoding="utf-8")
    line = text.splitlines().index("This Privacy Policy is effective as of _June 1, 2027_.") + 1
    check = run(real_project, "--as-of", "2026-12-01", "check")
    assert check.returncode == 2
    assert (
        f"{NEW}:{line}: the text states the effective date 'January 1, 2027' (2027-01-01), but "
        "'effective' is 2027-06-01: write 'June 1, 2027' there, or correct 'effective'"
        in check.stderr
    )
    build_result = build(real_project, real_project / "site", as_of="2026-12-01")
    assert build_result.returncode != 0
    assert "states the effective date 'January 1, 2027'" in build_result.stderr
