"""Reading version files and choosing the one in effect."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policy_site.versions import VersionError, current_version, load_versions


def write(folder: Path, name: str, front_matter: str, body: str = "# Policy\n") -> Path:
    path = folder / name
    path.write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")
    return path


def test_the_version_in_effect_is_the_latest_not_after_today(tmp_path: Path) -> None:
    write(tmp_path, "2007-10-01.md", "effective: 2007-10-01\ntitle: A\n")
    write(tmp_path, "2027-01-01.md", "effective: 2027-01-01\ntitle: B\n")
    versions = load_versions(tmp_path)
    assert current_version(versions, dt.date(2026, 12, 31)).id == "2007-10-01"
    assert current_version(versions, dt.date(2027, 1, 1)).id == "2027-01-01"


def test_nothing_in_effect_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "2027-01-01.md", "effective: 2027-01-01\ntitle: B\n")
    with pytest.raises(VersionError, match="no version is in effect on 2026-12-01"):
        current_version(load_versions(tmp_path), dt.date(2026, 12, 1))


@pytest.mark.parametrize(
    ("name", "front_matter", "message"),
    [
        ("2027-01-01.md", "title: B\n", "key 'effective' is missing"),
        ("2027-01-01.md", "effective: 2027-01-02\ntitle: B\n", "the file name says 2027-01-01"),
        ("2027-01-01.md", "effective: 2027-01-01 10:00:00\ntitle: B\n", "must be a date"),
        ("2027-01-01.md", "effective: '2027-01-01'\ntitle: B\n", "must be a date"),
        ("2027-01-01.md", "effective: 2027-01-01\n", "key 'title' is missing"),
        ("new.md", "effective: 2027-01-01\ntitle: B\n", "named by its effective date"),
    ],
)
def test_bad_front_matter_names_file_key_and_fix(
    tmp_path: Path, name: str, front_matter: str, message: str
) -> None:
    path = write(tmp_path, name, front_matter)
    with pytest.raises(VersionError, match=message) as caught:
        load_versions(tmp_path)
    assert str(path) in str(caught.value)
