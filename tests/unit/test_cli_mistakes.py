"""Command-line mistakes with the receipts, serve and -f: each exits 2 with one message that
names the option or file and says the fix, and none prints a traceback or leaves a file or
folder behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policy_site import cli
from policy_site.audit import cli as audit_cli
from policy_site.commands import install_extra
from policy_site.receipts.opening import open_store
from tests.support import ROOT

LEDGER = ROOT / "consent" / "published" / "releases.json"

#: What every message about --db offers instead.
KINDS = ("sqlite:///FILE", "postgresql://")
NO_FILE = ("-f/--config-file", "nowhere/mkdocs.yml does not exist", "leave -f out")

#: (command line, what the message says). Run in a folder that holds notes.txt (text, not a
#: database), receipts.db (a database), a folder sub/ and mkdocs.yml.
MISTAKES = [
    (["receipts", "--db", "mysql://x/y", "stats"], ("--db mysql://x/y", "mysql://", *KINDS)),
    (["receipts", "stats", "--db", "mysql://x/y"], ("--db mysql://x/y", *KINDS)),
    (["receipts", "verify", "--db", "mysql://x/y"], ("--db mysql://x/y", *KINDS)),
    (["receipts", "export", "--db", "mysql://x/y", "--subject", "x"], ("--db mysql://x/y",)),
    (["receipts", "stats", "--db", ""], ("--db ''", *KINDS)),
    (["receipts", "stats", "--db", "sqlite://receipts.db"],
     ("--db sqlite://receipts.db", "three slashes", "sqlite:///receipts.db")),
    (["receipts", "verify", "--db", "sqlite:///notes.txt"],
     ("--db sqlite:///notes.txt", "notes.txt is not an SQLite database")),
    (["receipts", "stats", "--db", "sqlite:///notes.txt"],
     ("notes.txt is not an SQLite database",)),
    (["receipts", "--db", "sqlite:///notes.txt", "export", "--from", "2026-01-01"],
     ("notes.txt is not an SQLite database",)),
    (["receipts", "verify", "--db", "sqlite:///nowhere/receipts.db"],
     ("--db sqlite:///nowhere/receipts.db", "the folder nowhere does not exist", "mkdir -p")),
    (["receipts", "verify", "--db", "sqlite:///missing.db"],
     ("--db sqlite:///missing.db", "missing.db does not exist")),
    (["receipts", "stats", "--db", "sqlite:///sub"], ("sub is a folder", "sqlite:///sub/")),
    (["receipts", "stats", "--db", "sub"], ("sub is a folder",)),
    (["-f", "nowhere/mkdocs.yml", "receipts", "stats", "--db", "sqlite:///receipts.db"], NO_FILE),
    (["receipts", "stats", "-f", "nowhere/mkdocs.yml"], NO_FILE),
    (["receipts", "-f", "nowhere/mkdocs.yml", "verify"], NO_FILE),
    (["-f", "nowhere/mkdocs.yml", "check"], NO_FILE),
    (["check", "-f", "nowhere/mkdocs.yml"], NO_FILE),
    (["build", "--config-file", "nowhere/mkdocs.yml"], NO_FILE),
    (["-f", "nowhere/mkdocs.yml", "new-version", "2027-06-01"], NO_FILE),
    (["-f", "nowhere/mkdocs.yml", "serve"], NO_FILE),
    (["snippet", "-f", "nowhere/mkdocs.yml"], NO_FILE),
    (["-f", "sub", "check"], ("-f/--config-file", "sub is a folder", "mkdocs.yml")),
    (["--as-of", "2027-01-01", "receipts", "stats"], ("--as-of does not apply to receipts",)),
    (["--as-of", "2027-01-01", "serve"], ("--as-of does not apply to serve",)),
    (["-f", "mkdocs.yml", "audit"], ("-f does not apply to audit",)),
    (["serve", "sub"], ("sub/index.html not found", "build first")),
    (["build", "--as-of", "2027-13-01"], ("--as-of", "'2027-13-01' is not a date", "YYYY-MM-DD")),
    (["--as-of", "2027-02-30", "check"], ("--as-of", "'2027-02-30' is not a date")),
    ([], ("COMMAND", "init", "publish", "audit", "--help")),
    (["audit", "sub"], ("consent/consent.yml: not found",)),
    (["receipts", "serve", "--db", "mysql://x/y", "--releases", str(LEDGER)],
     ("--db mysql://x/y", *KINDS)),
    (["receipts", "serve", "--db", "sqlite:///nowhere/r.db", "--releases", str(LEDGER)],
     ("the folder nowhere does not exist",)),
    # --releases is read as the file it names, before the receiver says it is receiving.
    (["receipts", "serve", "--releases", "nowhere.json"],
     ("nowhere.json: no such file", "--releases FILE: the releases.json of published_bundles")),
    (["receipts", "serve", "--releases", "notes.txt"],
     ("notes.txt: not a ledger of consent releases", "Or name the ledger with --releases FILE")),
    (["receipts", "export", "--db", "sqlite:///receipts.db", "--from", "2026-01-01",
      "--format", "json", "--releases", "sub/releases.json"], ("sub/releases.json: no such file",)),
]  # fmt: skip


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "notes.txt").write_text("Not a database, just notes.\n" * 20, "utf-8")
    open_store(f"sqlite:///{tmp_path / 'receipts.db'}").close()
    (tmp_path / "sub").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(argv: list[str]) -> int:
    """``policy-site argv`` in this process: argparse's exit is an exit status too."""
    try:
        return cli.main(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1


@pytest.mark.parametrize(
    ("argv", "said"), MISTAKES, ids=[" ".join(m[0]) or "(nothing)" for m in MISTAKES]
)
def test_a_mistake_exits_2_naming_the_option_and_the_fix(
    argv: list[str], said: tuple[str, ...], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(path.name for path in workdir.iterdir())
    code = run(argv)
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "Traceback" not in out + err
    for part in said:
        assert part in err, f"{part!r} not in: {err}"
    assert sorted(path.name for path in workdir.iterdir()) == before  # no stray file or folder


def test_receipts_serve_without_the_receipts_extra_says_what_to_install(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # import aiohttp: ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "policy_site.receipts.service", raising=False)
    code = run(["receipts", "serve", "--db", "sqlite:///receipts.db"])
    err = capsys.readouterr().err
    assert code == 2
    assert "the receiver needs aiohttp" in err
    assert f"install it with {install_extra('receipts')}" in err
    assert install_extra("receipts").startswith("pip install ")


def test_audit_without_playwright_says_what_to_install(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def audit(*args: object, **kwargs: object) -> None:
        raise ModuleNotFoundError("No module named 'playwright'", name="playwright.async_api")

    monkeypatch.setattr(audit_cli, "audit", audit)
    code = run(["audit", "sub"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "Playwright is missing" in err
    assert f"audit extra: install it with {install_extra('audit')}" in err


@pytest.mark.parametrize("module", ["policy_site.serve", "policy_site.audit.cli"])
def test_serve_and_audit_run_directly_go_through_the_one_catch(module: str, workdir: Path) -> None:
    command = [sys.executable, "-W", "ignore::RuntimeWarning", "-m", module, "sub"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_entry_point_prints_no_traceback_for_a_file_that_is_not_a_database(
    workdir: Path,
) -> None:
    """As run from a shell: the message alone, on stderr."""
    command = [sys.executable, "-m", "policy_site.cli", "receipts", "verify", "--db",
               "sqlite:///notes.txt"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "receipts: --db sqlite:///notes.txt: notes.txt is not an SQLite database (SQLite says: "
        "file is not a database): give the file the receipts receiver writes to"
    ]


def test_an_option_before_the_command_and_after_it_both_reach_the_store(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """receipts --db URL stats and receipts stats --db URL read the same database."""
    assert run(["receipts", "--db", "sqlite:///receipts.db", "stats"]) == 0
    before = capsys.readouterr().out
    assert run(["receipts", "stats", "--db", "sqlite:///receipts.db"]) == 0
    assert capsys.readouterr().out == before
    assert run(["receipts", "verify", "--db", "sqlite:///receipts.db"]) == 0
    assert "the chain holds: 0 receipts" in capsys.readouterr().out


def test_serve_outside_a_site_says_where_it_looked_and_how_to_name_the_site(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(workdir / "sub")  # no mkdocs.yml, no site/
    code = run(["serve"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{workdir / 'sub' / 'mkdocs.yml'} not found" in err
    assert "-f my-site/mkdocs.yml" in err


def test_snippet_in_a_language_the_script_lacks_names_those_it_has(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = workdir / "site" / "consent" / "consent.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"pinned": {"js": {"de": {}, "en": {}}}}', "utf-8")
    code = run(["snippet", "--lang", "sv"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--lang sv: the site's consent script has no texts in 'sv', only in de, en" in err
    assert "texts.sv" in err
    assert "ValueError" not in err
