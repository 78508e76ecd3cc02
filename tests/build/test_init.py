"""``policy-site init`` writes a site that builds at once, in its language, as a draft that the
company edits freely until ``policy-site publish`` makes it public."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policy_site import scaffold
from policy_site.consent.config import default_texts
from policy_site.locale import Words, texts
from tests.support import build, cli, git, parse_html

DOMAIN = "www.example.org"
#: As on the runner: a python (this venv's) first, then the system's commands.
PATH = f"{Path(sys.executable).parent}:/usr/bin:/bin"


def init(tmp_path: Path, language: str = "en", as_of: str = "2026-12-02") -> Path:
    folder = tmp_path / "new-site"
    made = cli(tmp_path, "init", str(folder), "--domain", DOMAIN, "--language", language,
               "--name", "Example AB", as_of=as_of)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return folder


def text_of(page: Path) -> str:
    return " ".join(parse_html(page).text_content().split())


@pytest.mark.parametrize("language", ["en", "sv", "de", "fi"])
def test_an_initialised_site_builds_at_once_in_its_language(tmp_path: Path, language: str) -> None:
    folder = init(tmp_path, language)
    site = tmp_path / "site"
    result = build(folder, site, as_of="2026-12-02")
    assert result.returncode == 0, result.stderr
    page = parse_html(site / "privacy/index.html")
    assert page.get("lang") == language
    words = texts(language)
    starter = words["starter"]
    shown = text_of(site / "privacy/index.html")
    assert starter["title"] in shown
    assert starter["intro"].replace("{name}", "Example AB") in shown
    settings = default_texts()[language]["settings"]  # the banner's own name for its settings
    assert starter["cookies"].replace("{settings}", settings) in shown
    assert Words.package().long_date(dt.date(2026, 12, 2), language) in shown
    first = (folder / "docs/privacy/versions/2026-12-02.md").read_text(encoding="utf-8")
    assert "{" not in first  # every placeholder filled
    # No English starter text is left in another language's (German's "Cookies" is German too).
    english = texts("en")["starter"]
    for key in ("title", "intro", "cookies", "contact_heading"):
        if english[key] != starter[key]:
            assert english[key].split("{")[0] not in first, key


def test_the_contact_address_and_the_cookie_are_on_the_bare_domain(tmp_path: Path) -> None:
    folder = init(tmp_path)
    first = (folder / "docs/privacy/versions/2026-12-02.md").read_text(encoding="utf-8")
    assert "privacy@example.org" in first
    assert "@www." not in first
    consent = yaml.safe_load((folder / "consent/consent.yml").read_text(encoding="utf-8"))
    assert consent["cookie"]["domain"] == ".example.org"
    config = (folder / "mkdocs.yml").read_text(encoding="utf-8")
    assert "site_url: https://www.example.org/" in config  # the site itself stays where it is


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_nav_names_each_page_once_in_the_sites_language(tmp_path: Path, language: str) -> None:
    folder = init(tmp_path, language)
    site = tmp_path / "site"
    result = build(folder, site, as_of="2026-12-02")
    assert result.returncode == 0, result.stderr
    page = parse_html(site / "privacy/index.html")
    (nav,) = page.xpath("//nav[contains(@class, 'md-nav--primary')]")
    links = [
        " ".join(link.text_content().split())
        for link in nav.xpath(
            ".//a[contains(@class, 'md-nav__link')][not(starts-with(@href, '#'))]"
        )
    ]
    words = texts(language)
    assert links == [
        words["starter"]["title"],
        words["archive"]["title"],
        words["cookies"]["title"],
    ]
    # No section named after a folder ("Privacy", "Versions") around them.
    assert nav.xpath(".//li[contains(@class, 'md-nav__item--nested')]") == []


def test_the_draft_is_edited_and_built_freely_until_it_is_published(tmp_path: Path) -> None:
    folder = init(tmp_path, as_of="2026-12-02")
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "policy-site init")
    assert json.loads((folder / "docs/privacy/versions.lock").read_text(encoding="utf-8")) == {}
    draft = folder / "docs/privacy/versions/2026-12-02.md"
    draft.write_text(
        draft.read_text(encoding="utf-8") + "\n## What we collect\n\nYour e-mail address.\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    # Days later, the starter text replaced: the strict build shows the draft, and says so.
    built = build(folder, site, as_of="2026-12-09")
    assert built.returncode == 0, built.stderr
    assert "a draft: nothing is published until policy-site publish" in built.stderr
    assert "Your e-mail address." in text_of(site / "privacy/index.html")
    assert not (folder / "consent/published").exists()  # nothing kept for a draft
    checked = cli(folder, "check", "--update-lock", as_of="2026-12-09")
    assert checked.returncode == 2
    assert "nothing is published yet" in checked.stderr
    assert "publish it with ./scripts/publish" in checked.stderr

    published = cli(folder, "publish", as_of="2026-12-10")
    assert published.returncode == 0, published.stderr
    assert "Moved 2026-12-02.md to 2026-12-10.md (effective: 2026-12-10)" in published.stdout
    assert not draft.exists()
    first = folder / "docs/privacy/versions/2026-12-10.md"
    assert "effective: 2026-12-10" in first.read_text(encoding="utf-8")
    lock = json.loads((folder / "docs/privacy/versions.lock").read_text(encoding="utf-8"))
    assert list(lock) == ["2026-12-10"]
    assert (folder / "consent/published/releases.json").is_file()
    built = build(folder, site, as_of="2026-12-10")
    assert built.returncode == 0, built.stderr
    assert "a draft" not in built.stderr
    assert "10 December 2026" in text_of(site / "privacy/index.html")

    # Published: the lock's rules apply now, and a second publish is refused.
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    refused = build(folder, tmp_path / "site2", as_of="2026-12-11")
    assert refused.returncode != 0
    assert "is already in effect and its text no longer matches the lock" in refused.stderr
    again = cli(folder, "publish", as_of="2026-12-11")
    assert again.returncode == 2
    assert "this site is published already" in again.stderr


def test_a_published_lock_cannot_be_emptied_back_into_a_draft(tmp_path: Path) -> None:
    folder = init(tmp_path, as_of="2026-12-02")
    git(folder, "init", "-q")
    assert cli(folder, "publish", as_of="2026-12-02").returncode == 0
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "Publish")
    (folder / "docs/privacy/versions.lock").write_text("{}\n", encoding="utf-8")
    result = build(folder, tmp_path / "site", as_of="2026-12-03")
    assert result.returncode != 0
    assert "what was published stays published. Restore it with: git checkout" in result.stderr


def test_init_says_how_the_draft_becomes_public(tmp_path: Path) -> None:
    made = cli(tmp_path, "init", str(tmp_path / "s"), "--domain", DOMAIN, as_of="2026-12-02")
    assert made.returncode == 0, made.stderr
    said = made.stdout
    assert "The policy is a draft: nothing is published" in said
    for step in ("policy-site build && policy-site serve", "policy-site publish",
                 "git push", ".github/workflows/policy-site.yml"):  # fmt: skip
        assert step in said, step
    assert said.index("policy-site build") < said.index("policy-site publish")


def test_the_gitignore_keeps_what_the_commands_write_out_of_git(tmp_path: Path) -> None:
    folder = init(tmp_path)
    git(folder, "init", "-q")
    built = cli(folder, "build", as_of="2026-12-02")  # policy-site build: site/ via .site.new/
    assert built.returncode == 0, built.stderr
    for made in (".site.new/index.html", "audit/report.json", "receipts.db", "receipts.db-wal",
                 ".venv/bin/python", "notices/notice-2027-01-01.en.eml"):  # fmt: skip
        (folder / made).parent.mkdir(parents=True, exist_ok=True)
        (folder / made).write_text("x", encoding="utf-8")
    status = git(folder, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(line[3:] for line in status) == [
        ".github/workflows/policy-site.yml",
        ".gitignore",
        "consent/consent.yml",
        "docs/index.md",
        "docs/privacy/versions.lock",
        "docs/privacy/versions/2026-12-02.md",
        "mkdocs.yml",
    ]
    assert (folder / "site/index.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--domain", "example org"], "--domain 'example org' is not a host name"),
        (
            ["--domain", "example.org", "--language", "pt"],
            "--language 'pt': policy-site lacks the words init writes in it "
            "(policy_site/locale/pt.yml).",
        ),
        (
            ["--domain", "example.at", "--language", "de-AT"],
            "--language 'de-AT': init writes a site in a language, not a region's variant: "
            "write --language de",
        ),
    ],
)
def test_init_refuses_what_it_cannot_make(tmp_path: Path, args: list[str], message: str) -> None:
    result = cli(tmp_path, "init", str(tmp_path / "site"), *args, as_of="2026-12-02")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_init_refuses_a_language_whose_starter_words_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A language with page words but not all of the first version's: each missing key named."""
    words = {**texts("sv"), "starter": {"title": "Integritetspolicy"}}
    monkeypatch.setattr(scaffold, "texts", lambda language: words)
    with pytest.raises(scaffold.InitError) as refused:
        scaffold.init_site(tmp_path / "s", DOMAIN, "sv", dt.date(2026, 12, 2), None)
    said = str(refused.value)
    assert "--language 'sv': policy-site lacks the words init writes in it (starter.intro, " in said
    assert "starter.contact)" in said
    assert "It knows " in said
    assert "choose one" in said
    assert not (tmp_path / "s").exists()


def test_init_never_writes_into_a_folder_that_holds_something(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli(tmp_path, "init", str(tmp_path / "site"), "--domain", "example.org",
                 as_of="2026-12-02")  # fmt: skip
    assert result.returncode == 2
    assert "exists and is not an empty folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["notes.txt"]


def test_the_workflows_gate_deploys_only_a_published_site(tmp_path: Path) -> None:
    """The workflow's "Published yet?" step, run as the runner runs it, on the draft and then on
    the published site."""
    folder = init(tmp_path)
    workflow = yaml.safe_load((folder / ".github/workflows/policy-site.yml").read_text("utf-8"))
    (gate,) = [step for step in workflow["jobs"]["site"]["steps"] if step.get("id") == "lock"]

    def published() -> str:
        output = tmp_path / "github-output"
        output.write_text("", encoding="utf-8")
        ran = subprocess.run(["bash", "-e", "-c", gate["run"]], cwd=folder, capture_output=True,
                             text=True, env={"GITHUB_OUTPUT": str(output), "PATH": PATH},
                             check=False)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        return output.read_text(encoding="utf-8")

    assert published() == ""
    assert cli(folder, "publish", as_of="2026-12-02").returncode == 0
    assert published() == "published=true\n"


def test_publish_moves_a_draft_with_its_translation(tmp_path: Path) -> None:
    folder = init(tmp_path, "en", as_of="2026-12-02")
    config = folder / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "    published_bundles: consent/published\n",
            "    published_bundles: consent/published\n"
            "    languages:\n      en: English\n      sv: Svenska\n",
        ),
        encoding="utf-8",
    )
    versions = folder / "docs/privacy/versions"
    (versions / "2026-12-02.sv.md").write_text(
        "---\nlanguage: sv\ntranslates: 2026-12-02\ntitle: Integritetspolicy\n---\n\n"
        "# Integritetspolicy\n\nGäller från och med 2 december 2026.\n",
        encoding="utf-8",
    )
    assert build(folder, tmp_path / "draft", as_of="2026-12-04").returncode == 0
    published = cli(folder, "publish", as_of="2026-12-05")
    assert published.returncode == 0, published.stderr
    assert sorted(path.name for path in versions.iterdir()) == ["2026-12-05.md", "2026-12-05.sv.md"]
    swedish = (versions / "2026-12-05.sv.md").read_text(encoding="utf-8")
    assert "translates: 2026-12-05" in swedish
    assert "Gäller från och med 5 december 2026." in swedish  # the date it states, restated
    lock = json.loads((folder / "docs/privacy/versions.lock").read_text(encoding="utf-8"))
    assert sorted(lock) == ["2026-12-05", "2026-12-05.sv"]
    site = tmp_path / "site"
    result = build(folder, site, as_of="2026-12-05")
    assert result.returncode == 0, result.stderr
    assert "5 december 2026" in text_of(site / "sv/privacy/index.html")
