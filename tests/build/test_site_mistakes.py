"""The mistakes people make in the files a site is made of, tried with every command that reads
them: each exits 2 with a message that names the file (and the line and key where there is one)
and the fix, and none prints a traceback (issue 21, point 2).

The commands run in this process through ``policy_site.cli.main``, the console script's own
function: an exception it does not turn into a message fails the test with its traceback.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from policy_site import cli
from tests.support import build, fixture_site

AS_OF = "2026-12-01"
#: The commands that read the site, each with the files it reads beside mkdocs.yml and the
#: versions (new-version and withdraw edit a version file; they need no consent.yml or lock).
COMMANDS = {
    "check": ("consent", "lock"),
    "check --update-lock": ("consent", "lock"),
    "new-version 2027-06-01": (),
    "withdraw 2021-01-01 --reason Because.": (),
    "notice 2021-01-01": ("consent", "lock"),
}


def replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        path = project / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{name} has no {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def write(name: str, content: bytes) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        (project / name).write_bytes(content)

    return edit


def delete(name: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        path = project / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return edit


OPTION = "      consent: consent/consent.yml"
#: A site file of page words with a mistyped key and a text that lost its {effective}.
WORDS = b"status:\n  all_version: Every version\n  effective: Valid from today\n"


def own_words(name: str, content: bytes, options: str = "") -> Callable[[Path], None]:
    """The site's own page words: locale_dir (and ``options``) set, ``locale/<name>`` written."""

    def edit(project: Path) -> None:
        replace("mkdocs.yml", OPTION, f"{OPTION}\n      locale_dir: locale{options}")(project)
        (project / "locale").mkdir()
        (project / "locale" / name).write_bytes(content)

    return edit


LOCK = "docs/privacy/versions.lock"
VERSION = "docs/privacy/versions/2021-01-01.md"
#: (id, the mistake, what the message says).
MISTAKES = [
    ("mkdocs-missing", delete("mkdocs.yml"), ["mkdocs.yml", "does not exist", "-f"]),
    ("mkdocs-not-yaml", write("mkdocs.yml", b"site_name: [Example\n"),
     ["mkdocs.yml:", "is not valid YAML", "Fix:"]),
    ("mkdocs-empty", write("mkdocs.yml", b""), ["mkdocs.yml:1:", "it is empty", "key: value"]),
    ("mkdocs-a-list", write("mkdocs.yml", b"- site_name\n"), ["mkdocs.yml:1:", "it is list"]),
    ("mkdocs-not-utf8", write("mkdocs.yml", b"site_name: Caf\xe9\n"),
     ["mkdocs.yml", "not UTF-8", "save it as UTF-8"]),
    ("no-plugin", replace("mkdocs.yml", "  - policy-site:\n" + OPTION, "  - search"),
     ["mkdocs.yml:1: 'plugins': does not list policy-site", "add '- policy-site'"]),
    ("mistyped-option", replace("mkdocs.yml", OPTION, OPTION + "\n      versions_dirr: x"),
     ["mkdocs.yml:14: 'plugins.policy-site.versions_dirr': no such option",
      "did you mean 'versions_dir'?"]),
    ("days-not-a-number", replace("mkdocs.yml", OPTION, OPTION + "\n      notice_days: thirty"),
     ["mkdocs.yml:14: 'plugins.policy-site.notice_days': 'thirty' is not a number of days",
      "e.g. 30"]),
    ("unknown-time-zone",
     replace("mkdocs.yml", OPTION, OPTION + "\n      timezone: Europe/Stokholm"),
     ["'plugins.policy-site.timezone': 'Europe/Stokholm' is not a time zone", "IANA"]),
    ("languages-a-list", replace("mkdocs.yml", OPTION, OPTION + "\n      languages: [en, sv]"),
     ["'plugins.policy-site.languages': must map each language's code to its name"]),
    ("contact-not-an-address",
     replace("mkdocs.yml", OPTION, OPTION + "\n      contact: the privacy team"),
     ["'plugins.policy-site.contact': 'the privacy team' is not an e-mail address"]),
    ("language-without-words", replace("mkdocs.yml", OPTION, OPTION + "\n      language: pt"),
     ["mkdocs.yml:", "'plugins.policy-site.language': no words for the policy pages in 'pt'",
      "Set 'locale_dir: locale' under plugins.policy-site", "add locale/pt.yml"]),
    ("words-of-the-site", own_words("en.yml", WORDS),
     ["locale/en.yml:2: 'status.all_version': no such key: did you mean 'status.all_versions'?",
      "locale/en.yml:3: 'status.effective': lacks {effective}"]),
    ("words-not-utf8", own_words("en.yml", b"status: caf\xe9\n"), ["en.yml", "not UTF-8"]),
    ("words-a-new-language",
     own_words("pt.yml", b"status:\n  all_versions: Todas\n", "\n      language: pt"),
     ["locale/pt.yml:1: 'months': missing",
      "locale/pt.yml:1: 'status.what_changed': missing: add it"]),
    ("path-outside", replace("mkdocs.yml", OPTION, OPTION + "\n      versions_dir: ../elsewhere"),
     ["'plugins.policy-site.versions_dir': '../elsewhere' is not a path inside the project"]),
    ("site-url-a-number", replace("mkdocs.yml", "site_url: https://www.toontrack.test/",
                                  "site_url: 5"), ["mkdocs.yml:1: 'site_url': must be text."]),
    ("consent-missing", delete("consent/consent.yml"),
     ["consent/consent.yml: not found. It is plugins.policy-site.consent in mkdocs.yml"]),
    ("consent-not-yaml", write("consent/consent.yml", b"cookie: [\n"),
     ["consent.yml:", "is not valid YAML"]),
    ("consent-empty", write("consent/consent.yml", b""), ["consent.yml:1:", "must be a mapping"]),
    ("consent-a-list", write("consent/consent.yml", b"- cookie\n"), ["must be a mapping"]),
    ("consent-not-utf8", write("consent/consent.yml", b"cookie: caf\xe9\n"), ["not UTF-8"]),
    ("impossible-date", replace(VERSION, "effective: 2021-01-01", "effective: 2021-02-30"),
     ["2021-01-01.md:", "'effective'"]),
    ("versions-missing", delete("docs/privacy/versions"),
     ["docs/privacy/versions:1: no such folder. It is plugins.policy-site.versions_dir"]),
    ("lock-not-json", write(LOCK, b"{not json"), ["versions.lock:1:"]),
]  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    made = fixture_site("consent-demo", tmp_path, consent=True)
    return made


@pytest.mark.parametrize(
    ("command", "mistake", "says"),
    [
        pytest.param(command, mistake, says, id=f"{name}-{command.partition(' ')[0]}"
                     + ("-update" if "update" in command else ""))
        for name, mistake, says in MISTAKES
        for command, reads in COMMANDS.items()
        if not name.startswith(("consent", "lock")) or name.partition("-")[0] in reads
    ],
)  # fmt: skip
def test_a_mistake_in_a_site_file_exits_2_naming_file_and_fix(
    project: Path,
    mistake: Callable[[Path], None],
    says: list[str],
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.delenv("POLICY_SITE_SCRIPTS", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # 2025-12-01: the day of the edit
    mistake(project)
    code: int | str | None
    try:
        code = cli.main(["-f", "mkdocs.yml", "--as-of", AS_OF, *command.split()])
    except SystemExit as exit:  # argparse's own refusal (of an -f that is not there)
        code = exit.code
    said = capsys.readouterr()
    assert code == 2, said.out + said.err
    for part in says:
        assert part in said.err, f"{part!r} not in:\n{said.err}"
    assert "Traceback" not in said.err


@pytest.mark.parametrize(
    ("mistake", "says"),
    [
        pytest.param(mistake, says, id=name)
        for name, mistake, says in MISTAKES
        if name.startswith(("language-without", "words-"))
    ],
)
def test_the_strict_build_refuses_a_language_without_words(
    project: Path, tmp_path: Path, mistake: Callable[[Path], None], says: list[str]
) -> None:
    """No silent English (issue 22): what check refuses of the page words, the build refuses,
    in the same words."""
    mistake(project)
    built = build(project, tmp_path / "site")
    assert built.returncode != 0
    for part in says:
        assert part in built.stderr, f"{part!r} not in:\n{built.stderr}"
    assert "Traceback" not in built.stderr


def test_an_impossible_as_of_date_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:  # refused as given, by the command line's parser
        cli.main(["-f", str(project / "mkdocs.yml"), "check", "--as-of", "2027-02-30"])
    assert stopped.value.code == 2
    said = capsys.readouterr().err
    assert "argument --as-of: '2027-02-30' is not a date: write it as YYYY-MM-DD" in said


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("versions_dirr: privacy/versions", "Unrecognised configuration name: versions_dirr"),
        ("notice_days: thirty", "'thirty' is not a number of days"),
        ("contact: the privacy team", "'the privacy team' is not an e-mail address"),
    ],
)
def test_the_build_refuses_what_check_refuses(
    project: Path, tmp_path: Path, line: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One loader: an option that check refuses fails the strict build too, and the other way."""
    replace("mkdocs.yml", OPTION, f"{OPTION}\n      {line}")(project)
    assert cli.main(["-f", str(project / "mkdocs.yml"), "--as-of", AS_OF, "check"]) == 2
    key = line.partition(":")[0]
    assert f"'plugins.policy-site.{key}'" in capsys.readouterr().err
    built = build(project, tmp_path / "site")
    assert built.returncode != 0
    assert says in built.stderr
    assert "Traceback" not in built.stderr
