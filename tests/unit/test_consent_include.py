"""What other sites include: the stable files, consent.json, the snippet, the headers that let
another origin load the bundle with integrity, and the folder that keeps every published file."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import lxml.html
import pytest

from policy_site.consent import Bundle, load_consent, render_bundle
from policy_site.consent.archive import (
    ArchiveError,
    assets,
    deleted,
    keep,
    missing,
    read_kept,
    read_published,
    release_id,
)
from policy_site.consent.include import MANIFEST, shared_files, snippet
from policy_site.security import headers_file, nginx_locations, nginx_snippet, parse_headers_file
from tests.support import ROOT

CONSENT = ROOT / "consent"
SITE_URL = "https://www.toontrack.com/"
BUILT = dt.date(2026, 12, 1)


def bundle(revision: str = "2007-10-01") -> Bundle:
    config = load_consent(CONSENT / "consent.yml")
    return render_bundle(config, revision, SITE_URL + "privacy/")


def files(revision: str = "2007-10-01") -> dict[str, str]:
    return shared_files(bundle(revision), load_consent(CONSENT / "consent.yml"), SITE_URL, BUILT)


def test_the_stable_files_hold_the_current_bundle() -> None:
    current, written = bundle(), files()
    assert written["consent/consent.js"] == current.js.content == current.scripts["en"].content
    assert written["consent/consent.sv.js"] == current.scripts["sv"].content
    assert written["consent/consent.css"] == current.css.content
    for asset in (*current.scripts.values(), *current.dialogs.values(), current.css):
        assert written[asset.path] == asset.content
    # Each script loads its dialog from its own folder: assets/, or consent/ for a stable URL.
    for dialog in (*current.dialogs.values(), current.dialog_css):
        assert written["consent/" + dialog.path[7:]] == dialog.content
        assert written[dialog.path] == dialog.content


def test_the_manifest_names_the_current_files_with_integrity_revision_and_date() -> None:
    current = bundle()
    manifest = json.loads(files()[MANIFEST])
    assert manifest["built"] == "2026-12-01"
    assert manifest["revision"] == current.revision
    assert manifest["pinned"]["css"] == {
        "url": SITE_URL + current.css.path,
        "integrity": current.css.integrity,
    }
    for lang, asset in current.scripts.items():
        assert manifest["pinned"]["js"][lang] == {
            "url": SITE_URL + asset.path,
            "integrity": asset.integrity,
        }
        assert manifest["stable"]["js"][lang] == f"{SITE_URL}consent/consent.{lang}.js"
    assert manifest["stable"]["default"] == SITE_URL + "consent/consent.js"


def test_the_snippet_gives_stable_or_pinned_tags_in_a_language() -> None:
    manifest = json.loads(files()[MANIFEST])
    stable = lxml.html.fragment_fromstring(snippet(manifest), create_parent="div")
    (link,) = stable.iter("link")
    (script,) = stable.iter("script")
    assert link.get("href") == SITE_URL + "consent/consent.css"
    assert script.get("src") == SITE_URL + "consent/consent.en.js"
    assert script.get("defer") is not None
    assert script.get("integrity") is None
    pinned = lxml.html.fragment_fromstring(snippet(manifest, "sv", pinned=True), "div")
    (link,) = pinned.iter("link")
    (script,) = pinned.iter("script")
    (button,) = pinned.iter("button")
    assert script.get("src") == manifest["pinned"]["js"]["sv"]["url"]
    assert script.get("integrity") == manifest["pinned"]["js"]["sv"]["integrity"]
    assert link.get("integrity") == manifest["pinned"]["css"]["integrity"]
    assert script.get("crossorigin") == link.get("crossorigin") == "anonymous"
    assert button.get("data-privacy-consent") == "settings"
    assert button.text == "Cookie-inställningar"
    with pytest.raises(ValueError, match=r"'de'.*en, sv"):
        snippet(manifest, "de")


def test_other_origins_may_load_the_bundle_files_and_the_stable_ones_revalidate() -> None:
    rules = dict(parse_headers_file(headers_file({"X-Frame-Options": "DENY"})))
    assert rules["/*"] == {"X-Frame-Options": "DENY"}
    for pattern in ("/consent/*", "/assets/consent.*"):
        assert rules[pattern]["Access-Control-Allow-Origin"] == "*"
        assert rules[pattern]["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert rules["/consent/*"]["Cache-Control"] == "public, max-age=300, must-revalidate"
    assert "immutable" in rules["/assets/consent.*"]["Cache-Control"]


def test_nginx_locations_repeat_the_site_headers() -> None:
    """nginx drops inherited add_header lines in a block that has its own."""
    assert not re.search(r"^location", nginx_snippet({"X-Frame-Options": "DENY"}), re.M)
    snippet_text = nginx_locations({"X-Frame-Options": "DENY"})
    blocks = re.findall(r"^location ([^{]+) \{\n(.*?)^\}", snippet_text, re.M | re.S)
    assert [where.strip() for where, _ in blocks] == ["^~ /consent/", "^~ /assets/consent."]
    for _, body in blocks:
        assert 'add_header X-Frame-Options "DENY" always;' in body
        assert 'add_header Access-Control-Allow-Origin "*" always;' in body


def test_kept_files_are_published_again_and_new_ones_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    old, new = bundle("2007-10-01"), bundle("2027-01-01")
    assert keep([old], folder) == sorted(asset.path[7:] for asset in assets(old))
    assert len(assets(old)) == 6  # a script and a dialog per language, and two stylesheets
    kept = read_published(folder)
    assert missing([old], kept) == []
    # The stylesheet did not change with the revision: only the scripts are new.
    assert missing([new], kept) == sorted(asset.path for asset in new.scripts.values())
    assert keep([old, new], folder) == sorted(asset.path[7:] for asset in new.scripts.values())
    assert kept[old.js.path[7:]] == old.js.content.encode("utf-8")


def test_what_is_not_kept_is_said_one_way_with_the_folder_and_the_fix(tmp_path: Path) -> None:
    """The build's warning and check's say the same words (issue 21, point 5)."""
    old, new = bundle("2007-10-01"), bundle("2027-01-01")
    kept = read_kept(tmp_path, "consent/published")
    assert kept.files == {}
    assert kept.releases == ()
    unkept = kept.unkept([old])
    assert unkept[: len(unkept) - 1] == missing([old], {})
    assert unkept[-1] == f"release {release_id(old)} in consent/published/releases.json"
    said = kept.not_kept(unkept)
    assert said.startswith(f"consent/published/ does not keep {', '.join(unkept)}, which ")
    assert "Run policy-site check --update-lock and commit consent/published/" in said
    assert "(consent/published/ does not exist: it is plugins.policy-site.published_bundles" in said
    keep([old], kept.folder)
    again = read_kept(tmp_path, "consent/published")
    assert again.unkept([old]) == [unkept[-1]]  # the files are kept, the release is not
    assert "does not exist" not in again.not_kept(again.unkept([old, new]))


def test_a_kept_file_that_was_edited_or_does_not_belong_fails(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    keep([bundle()], folder)
    (name,) = [p.name for p in folder.glob("consent.en.*.js") if ".dialog." not in p.name]
    (folder / name).write_text("tampered", encoding="utf-8")
    with pytest.raises(ArchiveError, match=f"{name}: its content no longer matches"):
        read_published(folder)
    (folder / name).unlink()
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"notes\.txt: not a consent bundle file"):
        read_published(folder)


def git(folder: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.com", *args]
    subprocess.run(command, cwd=folder, check=True, capture_output=True)


def test_a_kept_file_deleted_by_a_commit_is_named_with_the_fix(tmp_path: Path) -> None:
    """A git revert of a consent change would take its bundle off the site with every check
    passing, if the build did not ask git."""
    folder = tmp_path / "consent" / "published"
    assert deleted(folder.parent, "consent/published") == []  # no repository: no history
    git(tmp_path, "init", "-q")
    keep([bundle("2007-10-01")], folder)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "publish")
    assert deleted(folder, "consent/published") == []
    (name,) = [p.name for p in folder.glob("consent.sv.*.js") if ".dialog." not in p.name]
    git(tmp_path, "rm", "-q", f"consent/published/{name}")
    git(tmp_path, "commit", "-q", "-m", "revert the consent change")
    (problem,) = deleted(folder, "consent/published")
    assert problem.startswith(f"consent/published/{name} was published and commit ")
    commit = problem.split("commit ")[1].split()[0]
    assert problem.endswith(f"git checkout {commit}^ -- consent/published/{name}")
    git(tmp_path, "checkout", f"{commit}^", "--", f"consent/published/{name}")
    assert deleted(folder, "consent/published") == []
