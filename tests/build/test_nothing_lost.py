"""Nothing lost: every version ever published keeps its URL and its text when later versions are
added, every consent bundle file ever published stays at its URL byte for byte (a page on another
site may pin it with ``integrity``), and a failed ``./scripts/build`` leaves the previous ``site/``
exactly as it was.

Runs the editor's own commands (``./scripts/build``, ``./scripts/new-version``,
``./scripts/check``) in a copy of the project, with the test run's virtual environment.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from policy_site.consent.archive import config_sha256
from tests.support import ROOT, article, dated_env, elements, git, parse_html, with_class

#: What ./scripts/* need from the project: the scripts, what the site is built from, and the two
#: files whose hash tells _bootstrap.sh whether .venv is up to date.
PROJECT_FILES = ("scripts", "docs", "consent", "mkdocs.yml", "pyproject.toml", "constraints.txt")
ATOM = "{http://www.w3.org/2005/Atom}"
NEW = "2027-04-01"
CHECK_BACK = (
    "You should check this Web site periodically to see if any recent changes to this Privacy "
    "Policy have occurred."
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project whose ``.venv`` is the one running these tests (linked), with an
    install stamp of the copy's own, so that _bootstrap.sh never installs anything."""
    copied = tmp_path / "project"
    copied.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copied / name)
        else:
            shutil.copy2(source, copied / name)
    venv = Path(sys.prefix)
    assert venv != Path(sys.base_prefix), "run the tests with the project's .venv"
    (copied / ".venv").mkdir()
    for entry in venv.iterdir():
        if entry.name == "pyvenv.cfg":
            shutil.copy2(entry, copied / ".venv" / entry.name)
        elif entry.name != ".installed":
            (copied / ".venv" / entry.name).symlink_to(entry)
    stamp = hashlib.sha256(
        (copied / "pyproject.toml").read_bytes() + (copied / "constraints.txt").read_bytes()
    ).hexdigest()
    (copied / ".venv" / ".installed").write_text(stamp + "\n", encoding="utf-8")
    return copied


def script(project: Path, name: str, *args: str, as_of: str) -> subprocess.CompletedProcess[str]:
    """``./scripts/<name> args`` in ``project``, on the build date ``as_of``."""
    env = dated_env(as_of)
    return subprocess.run(
        [str(project / "scripts" / name), *args],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        check=False,
    )


def built(project: Path, as_of: str) -> Path:
    result = script(project, "build", "--as-of", as_of, as_of=as_of)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Setting up" not in result.stdout  # the copy used the tests' .venv as it is
    return project / "site"


def snapshot(site: Path) -> dict[str, Any]:
    """Everything a build published that must outlive later builds, as plain data: a deep copy
    of the facts, since the next build replaces the files."""
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    base = str(manifest["url"]).removesuffix("privacy/")
    feed = etree.parse(str(site / "privacy/feed.xml")).getroot()
    feed_urls = [str(node.text) for node in feed.iter(f"{ATOM}id")][1:]  # [0] is the feed's own
    feed_urls += [str(link.get("href")) for entry in feed.iter(f"{ATOM}entry")
                  for link in entry.iter(f"{ATOM}link")]  # fmt: skip
    versions = {str(v["id"]): v for v in manifest["versions"]}
    manifest_urls = [str(v[key]) for v in versions.values() for key in ("url", "redline_url")
                     if v[key]]  # fmt: skip
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "privacy").rglob("*.html"))
    consent = json.loads((site / "consent/consent.json").read_text(encoding="utf-8"))
    pinned = [consent["pinned"]["css"], *consent["pinned"]["js"].values()]
    ledger = json.loads((site / "consent/releases.json").read_text(encoding="utf-8"))
    return {
        "releases": ledger["releases"],
        "bundles": {p.name: p.read_bytes() for p in (site / "assets").glob("consent.*")},
        "pinned": {str(item["url"]).removeprefix(base) for item in pinned},
        "revision": consent["revision"],
        "pages": pages,
        "feed": {u.removeprefix(base) for u in feed_urls},
        "manifest": {u.removeprefix(base) for u in manifest_urls},
        "entries": {key: copy.deepcopy(v) for key, v in versions.items()},
        "texts": {key: version_text(site, key) for key in versions},
        "redlines": {key: redline(site, key) for key, v in versions.items() if v["redline_url"]},
    }


def local(site: Path, url_path: str) -> Path:
    """The file behind a site URL path such as ``privacy/versions/2007-10-01/``."""
    assert not url_path.startswith(("http:", "https:")), f"{url_path} is not on the site"
    return site / (url_path + "index.html" if url_path.endswith("/") else url_path)


def version_text(site: Path, version: str) -> str:
    """A version's permanent page, without its status line (which says, correctly, that it was
    upcoming, is in effect or was superseded) and the section links."""
    page = article(parse_html(site / f"privacy/versions/{version}/index.html"))
    for status in elements(page, f".//*{with_class('policy-status')}"):
        status.drop_tree()
    text = " ".join(page.text_content().split())
    assert len(text) > 1000, text  # the policy itself, not an empty shell
    return text


def redline(site: Path, version: str) -> str:
    page = article(parse_html(site / f"privacy/changes/{version}/index.html"))
    (marked,) = elements(page, f".//*{with_class('policy-redline')}")
    assert elements(marked, ".//ins") or elements(marked, ".//del")
    return etree.tostring(page, encoding="unicode")


def assert_nothing_lost(before: dict[str, Any], after: dict[str, Any], site: Path) -> None:
    urls = before["feed"] | before["manifest"]
    for url in sorted(urls):
        assert local(site, url).is_file(), f"{url} was published and is gone"
    assert set(before["pages"]) <= set(after["pages"])
    assert before["feed"] <= after["feed"]
    assert before["manifest"] <= after["manifest"]
    for key, entry in before["entries"].items():
        kept = after["entries"][key]
        for field in ("url", "redline_url", "effective", "announced", "change", "summary",
                      "sha256", "errata", "title"):  # fmt: skip
            assert kept[field] == entry[field], (key, field)
        assert after["texts"][key] == before["texts"][key], f"the text of {key} changed"
    for key, text in before["redlines"].items():
        assert after["redlines"][key] == text, f"the redline of {key} changed"
    for url in sorted(before["pinned"]):
        assert local(site, url).is_file(), f"{url} was the current bundle and is gone"
    for name, content in before["bundles"].items():
        assert after["bundles"].get(name) == content, f"assets/{name} is gone or changed"
    for release in before["releases"]:
        assert release in after["releases"], f"release {release['id']} is gone or changed"


def add_version(project: Path, as_of: str) -> None:
    """The editor's workflow from the README: new-version, edit, summary, announce."""
    created = script(project, "new-version", NEW, as_of=as_of)
    assert created.returncode == 0, created.stderr
    path = project / f"docs/privacy/versions/{NEW}.md"
    text = path.read_text(encoding="utf-8")
    assert "announced:" not in text  # a draft
    edited = text.replace(
        "summary: ''  # plain words on what changed and what does not",
        "summary: Says that changes are announced here and by email before they take effect, "
        "instead of asking you to check for them. Nothing else changes apart from the date.",
    ).replace(CHECK_BACK, "We announce every change here, and by email, before it takes effect.")
    edited = edited.replace("_January 1, 2027_", "_April 1, 2027_")
    assert edited.count("April 1, 2027") == 1
    assert CHECK_BACK not in edited
    path.write_text(edited, encoding="utf-8")
    announced = script(project, "announce", NEW, as_of=as_of)
    assert announced.returncode == 0, announced.stderr
    assert f"announced: {as_of}\n" in path.read_text(encoding="utf-8")


def test_every_published_version_keeps_its_url_and_text(project: Path) -> None:
    # December 2026: 2007-10-01 in effect, 2027-01-01 announced.
    first = snapshot(built(project, "2026-12-01"))
    assert set(first["entries"]) == {"2007-10-01", "2027-01-01"}
    assert first["revision"].startswith("2007-10-01.")
    assert "privacy/changes/2027-01-01/" in first["feed"]
    # February 2027: 2027-01-01 in effect; an editor announces NEW and publishes.
    add_version(project, "2027-02-01")
    site = built(project, "2027-02-01")
    second = snapshot(site)
    assert_nothing_lost(first, second, site)
    assert set(second["entries"]) == {"2007-10-01", "2027-01-01", NEW}
    # The material version in effect changed the revision, so the bundle; the old files remain.
    assert second["revision"].startswith("2027-01-01.")
    assert second["pinned"] != first["pinned"]
    assert {f"privacy/versions/{NEW}/", f"privacy/changes/{NEW}/"} <= second["feed"]
    assert "We announce every change here" in second["texts"][NEW]
    # April 2027: NEW in effect, the others superseded, all still there word for word.
    site = built(project, NEW)
    third = snapshot(site)
    assert_nothing_lost(second, third, site)
    assert_nothing_lost(first, third, site)
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    assert manifest["current"] == NEW


def test_a_bundle_not_kept_yet_fails_the_build_until_the_lock_is_updated(project: Path) -> None:
    before = snapshot(built(project, "2026-12-01"))
    config = project / "consent/consent.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("hosts: [connect.facebook.net, www.facebook.com]",
                     "hosts: [connect.facebook.net, www.facebook.com, px.partner.example]"),
        encoding="utf-8",
    )  # fmt: skip
    refused = script(project, "build", "--as-of", "2026-12-01", as_of="2026-12-01")
    assert refused.returncode != 0
    assert "consent/published/ does not keep assets/consent.en." in refused.stderr
    assert "./scripts/check --update-lock" in refused.stderr
    assert "Build failed: nothing was published" in refused.stderr
    kept = script(project, "check", "--update-lock", as_of="2026-12-01")
    assert kept.returncode == 0, kept.stderr
    # Two languages and two revisions: four files, two releases.
    assert "added 4 file(s) and 2 release(s). Commit them." in kept.stdout
    site = built(project, "2026-12-01")
    after = snapshot(site)
    # A new partner asks again (R14): a new revision, and yesterday's files are still served.
    assert after["revision"] != before["revision"]
    assert after["revision"].startswith("2007-10-01.")
    assert_nothing_lost(before, after, site)


def tree(site: Path) -> dict[str, str]:
    """Every file under ``site`` (and every folder, as an empty entry), with its SHA-256."""
    return {
        path.relative_to(site).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        )
        for path in sorted(site.rglob("*"))
    }


BREAKS: dict[str, tuple[str, str]] = {
    # Stops while reading the versions, before mkdocs writes a page.
    "too short a notice": (r"^announced: 2026-11-29$", "announced: 2026-12-20"),
    # Without its waiver, the kept 2007 sentence is a warning: the strict build aborts at the end,
    # after mkdocs has written every page.
    "check-back wording": (r"^lint:\n(?:  .*\n)+", ""),
}


@pytest.mark.parametrize("change", list(BREAKS.values()), ids=list(BREAKS))
def test_a_failed_build_leaves_the_previous_site_byte_identical(
    project: Path, change: tuple[str, str]
) -> None:
    site = built(project, "2026-12-01")
    before = tree(site)
    assert "privacy/versions/2027-01-01/index.html" in before
    version = project / "docs/privacy/versions/2027-01-01.md"
    broken, count = re.subn(change[0], change[1], version.read_text(encoding="utf-8"), flags=re.M)
    assert count == 1
    version.write_text(broken, encoding="utf-8")
    # A day later: had anything been published, the dates on the pages would differ.
    result = script(project, "build", "--as-of", "2026-12-02", as_of="2026-12-02")
    assert result.returncode != 0
    assert "2027-01-01.md" in result.stderr
    assert "Build failed: nothing was published, site/ is as it was." in result.stderr
    assert tree(site) == before
    assert not (project / ".site.new").exists()
    assert not (project / ".site.old").exists()


def test_each_release_of_the_bundle_is_recorded_with_its_hashes(project: Path) -> None:
    """/consent/releases.json, linked from versions.json: per release, the SHA-256 of each file as
    served, of consent.yml and of the policy version its revision follows."""
    site = built(project, "2026-12-01")
    manifest = json.loads((site / "privacy/versions.json").read_text(encoding="utf-8"))
    assert manifest["consent_releases"] == "https://www.toontrack.com/consent/releases.json"
    consent = json.loads((site / "consent/consent.json").read_text(encoding="utf-8"))
    releases = snapshot(site)["releases"]
    pinned = consent["pinned"]
    served = [pinned["css"]["url"], *(item["url"] for item in pinned["js"].values())]
    paths = {url.split(".com/")[1] for url in served}
    (current,) = [r for r in releases if paths <= set(r["files"])]
    # The rest are what the scripts load when the dialog is first opened: its files.
    dialog = re.compile(r"assets/consent\.([a-z]{2}\.)?dialog\.[0-9a-f]{12}\.(js|css)")
    assert all(dialog.fullmatch(path) for path in set(current["files"]) - paths)
    assert len(current["files"]) == len(paths) + len(pinned["js"]) + 1
    assert current["revision"] == consent["revision"]
    # consent.yml as it is now; earlier releases carry the hash of the consent.yml they had.
    assert current["config_sha256"] == config_sha256(project / "consent/consent.yml")
    for path, digest in current["files"].items():
        assert hashlib.sha256((site / path).read_bytes()).hexdigest() == digest, path
    versions = {v["id"]: v for v in manifest["versions"]}
    for release in releases:
        policy = versions[release["policy_version"]]
        assert release["policy_sha256"] == policy["sha256"]["markdown"]
        assert re.fullmatch("[0-9a-f]{64}", release["config_sha256"])
        assert release["revision"].startswith(release["policy_version"] + ".")


def test_a_release_dropped_from_the_ledger_fails_the_build(project: Path) -> None:
    git(project, "init", "-q")
    git(project, "add", "docs", "consent", "mkdocs.yml")
    git(project, "commit", "-qm", "Publish")
    ledger = project / "consent/published/releases.json"
    data = json.loads(ledger.read_text(encoding="utf-8"))
    dropped = data["releases"].pop(0)
    ledger.write_text(json.dumps(data), encoding="utf-8")
    refused = script(project, "build", "--as-of", "2026-12-01", as_of="2026-12-01")
    assert refused.returncode != 0
    assert f"release {dropped['id']}" in refused.stderr
    assert "the ledger only grows" in refused.stderr
    assert "git checkout HEAD -- consent/published/releases.json" in refused.stderr
    checked = script(project, "check", as_of="2026-12-01")
    assert checked.returncode == 2
    assert f"release {dropped['id']}" in checked.stderr
    git(project, "checkout", "HEAD", "--", "consent/published/releases.json")
    built(project, "2026-12-01")
