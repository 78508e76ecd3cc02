"""``policy-site init`` writes a site that builds at once, in any language it has texts for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import build, cli, parse_html


@pytest.mark.parametrize(
    ("language", "status"),
    [
        ("en", "Effective 2 December 2026"),
        ("de", "Gültig ab 2. Dezember 2026"),
        ("fi", "Voimassa 2. joulukuuta 2026 alkaen"),
    ],
)
def test_an_initialised_site_builds_at_once(tmp_path: Path, language: str, status: str) -> None:
    folder = tmp_path / "new-site"
    made = cli(tmp_path, "init", str(folder), "--domain", "www.example.org", "--language",
               language, as_of="2026-12-02")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "docs/privacy/versions/2026-12-02.md (the first version, in effect today)" in (
        made.stdout
    )
    assert (folder / "consent/published").is_dir()
    site = tmp_path / "site"
    result = build(folder, site, as_of="2026-12-02")
    assert result.returncode == 0, result.stderr
    page = parse_html(site / "privacy/index.html")
    assert page.get("lang") == language
    assert status in " ".join(page.text_content().split())
    published = json.loads((site / "consent/consent.json").read_text(encoding="utf-8"))
    assert list(published["pinned"]["js"]) == [language]
    assert published["pinned"]["js"][language]["url"].startswith("https://www.example.org/")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--domain", "example org"], "--domain 'example org' is not a host name"),
        (["--domain", "example.org", "--language", "pt"], "--language 'pt': init knows da, de"),
    ],
)
def test_init_refuses_what_it_cannot_make(tmp_path: Path, args: list[str], message: str) -> None:
    result = cli(tmp_path, "init", str(tmp_path / "site"), *args, as_of="2026-12-02")
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "site").exists()


def test_init_never_writes_into_a_folder_that_holds_something(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli(tmp_path, "init", str(tmp_path / "site"), "--domain", "example.org",
                 as_of="2026-12-02")  # fmt: skip
    assert result.returncode == 2
    assert "exists and is not an empty folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["notes.txt"]
