"""Options where the docs write them: every command line in the code (fenced blocks and inline
code) of README.md, PACKAGE.md and each page of the manual (manual/docs/*.md), in the scripts'
usage comments and in the package's own messages, parses through the real parsers, each
command takes its options after its name (a global one before it keeps working, one after wins),
and each wrapper in scripts/ hands its arguments on unchanged."""

from __future__ import annotations

import argparse
import ast
import difflib
import itertools
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from policy_site import cli, commands, serve
from policy_site.audit import cli as audit_cli
from policy_site.receipts import cli as receipts_cli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
#: The product's own docs, which hold most of what the README used to.
MANUAL = ROOT / "manual" / "docs"
SCRIPTS = ROOT / "scripts"

#: The parsers of the commands that policy_site.cli hands the rest of the command line.
PASSED_ON: dict[str, Callable[[], argparse.ArgumentParser]] = {
    "serve": serve._parser,
    "audit": audit_cli._parser,
    "receipts": receipts_cli._parser,
}
#: scripts/ that are not policy-site commands: pytest's and the benchmarks' own arguments.
NOT_POLICY_SITE = {"test", "bench"}

#: Sample values for the placeholders the docs and the usage lines write.
SAMPLES = {
    "YYYY-MM-DD": "2027-01-01",
    "WHEN": "2027-01-01",
    "ID": "3b8f0e64-5d3a-4a57-9f3c-1f6a2b7c9d10",
    "N": "8080",
    "H": "127.0.0.1",
    "SITE_DIR": "site",
    "DIR": "out",
    "FILE": "releases.json",
    "HOST=IP": "ads.partner.test=127.0.0.1",
    "COMMAND": "stats",
    "FOLDER": "site",
    "...": "why",
}
COMMAND_LINE = re.compile(r"^(?:\./scripts/|policy-site )([a-z][a-z-]*)\b")


def doc_files() -> list[Path]:
    """README.md, the package's description and every page of the manual: where the docs write
    command lines."""
    pages = sorted(MANUAL.glob("*.md"))
    assert pages, f"no page in {MANUAL.relative_to(ROOT)}"
    return [README, ROOT / "PACKAGE.md", *pages]


def doc_lines() -> list[tuple[str, str, bool]]:
    """(where, command line, from a fenced block) for each command line of the README and of
    the manual's pages."""
    found: list[tuple[str, str, bool]] = []
    for path in doc_files():
        name, fenced = path.relative_to(ROOT).as_posix(), False
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.startswith("```"):
                fenced = not fenced
                continue
            texts = [line.strip()] if fenced else re.findall(r"`([^`]+)`", line)
            found += [
                (f"{name}:{number}", text, fenced) for text in texts if COMMAND_LINE.match(text)
            ]
    return found


def usage_lines() -> list[tuple[str, str, bool]]:
    """(where, command line, False) for each usage line in the comments of scripts/*."""
    found: list[tuple[str, str, bool]] = []
    for script in sorted(SCRIPTS.iterdir()):
        if script.name.startswith("_") or script.name in NOT_POLICY_SITE:
            continue
        for number, line in enumerate(script.read_text("utf-8").splitlines(), 1):
            if not line.startswith("#"):
                continue
            usage = re.search(r"(?:Usage: |^#\s+)(\./scripts/.*)", line)
            if usage:
                # The command line ends where its explanation starts: two spaces, or " (".
                text = re.split(r"\s{2,}|\s\(", usage[1].strip())[0]
                found.append((f"scripts/{script.name}:{number}", text, False))
            elif found and found[-1][0].startswith(f"scripts/{script.name}:"):
                continued = re.match(r"#\s+(\[.*)", line)  # usage going on over a second line
                if continued:
                    where, text, _ = found[-1]
                    more = re.split(r"\s{2,}", continued[1])[0]
                    found[-1] = (where, f"{text} {more}", False)
    assert found, "no usage line found in scripts/"
    return found


def variants(text: str) -> list[str]:
    """The command lines ``text`` stands for: each ``[optional part]`` written out, one line for
    each alternative of ``[A | B]``."""
    group = re.search(r"\[([^\[\]]*)\](?:\.\.\.)?", text)
    if group is None:
        return [text]
    before, after = text[: group.start()], text[group.end() :]
    return [
        line
        for choice in group[1].split(" | ")
        for line in variants(f"{before}{choice.strip()}{after}")
    ]


def argv_of(text: str, fenced: bool) -> list[str]:
    """policy-site's arguments for one line of the docs or of a usage comment, with sample values
    for its placeholders (an unknown one fails: add it to SAMPLES)."""
    words = shlex.split(text, comments=fenced)
    words = [words[0].removeprefix("./scripts/"), *words[1:]] if "/" in words[0] else words[1:]
    out: list[str] = []
    for index, word in enumerate(words):
        before = words[index - 1] if index else ""
        if word == "URL":
            word = "sqlite:///receipts.db" if before.endswith("db") else "https://www.example.org/"
        elif "|" in word and "://" not in word:
            word = word.split("|")[0]  # --format json|jsonl|csv: one of them
        word = SAMPLES.get(word, word)
        assert not re.fullmatch(r"[A-Z][A-Z_=]*", word), f"{text}: no sample value for {word}"
        out.append(word)
    return out


def parse(argv: list[str]) -> argparse.Namespace:
    """``argv`` through the parsers that ``policy-site argv`` uses, as policy_site.cli.main
    dispatches them."""
    passed = cli._passed_on(argv)
    if passed is None:
        return cli._arguments(argv)
    name, rest = passed
    return PASSED_ON[name]().parse_args(rest)


LINES = [
    line
    for line in doc_lines() + usage_lines()
    if COMMAND_LINE.match(line[1])[1] not in NOT_POLICY_SITE  # type: ignore[index]
]


def test_the_docs_have_command_lines_to_check() -> None:
    """The README, the manual and the scripts name the commands these tests are about, and the
    manual's pages are read as well as the README."""
    lines = doc_lines()
    docs = [text for _, text, _ in lines]
    assert any(text.startswith("policy-site receipts serve") for text in docs)
    assert any(text.startswith("./scripts/build --as-of") for text in docs)
    assert any(text.startswith("policy-site init") for text in docs)
    read = {where.rsplit(":", 1)[0] for where, _, _ in lines}
    assert {"README.md", "manual/docs/editors.md", "manual/docs/receipts.md"} <= read, read


@pytest.mark.parametrize(("where", "text", "fenced"), LINES, ids=[line[0] for line in LINES])
def test_each_command_line_parses(
    where: str,
    text: str,
    fenced: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # an -f the line names is made here: it must be a file
    for line in variants(text):
        argv = argv_of(line, fenced)
        for option, value in itertools.pairwise(argv):
            if option in ("-f", "--config-file"):
                (tmp_path / value).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / value).write_text("site_name: x\n", "utf-8")
        # A command named alone (`./scripts/check`) is a mention: its --help form must work.
        args = argv if len(argv) > 1 else [*argv, "--help"]
        try:
            parse(args)
        except SystemExit as stop:
            said = capsys.readouterr().err.strip().splitlines()
            if stop.code != 0:
                pytest.fail(
                    f"{where}: `{text}` does not parse (as policy-site {shlex.join(args)}): "
                    f"{said[-1] if said else stop.code}"
                )


def test_every_wrapper_hands_its_arguments_on_unchanged() -> None:
    """So that ./scripts/NAME in the docs means policy-site NAME with the same options."""
    for script in sorted(SCRIPTS.iterdir()):
        if script.name.startswith("_") or script.name in NOT_POLICY_SITE:
            continue
        text = script.read_text("utf-8")
        call = re.search(rf'python -m policy_site\.cli {re.escape(script.name)}\b(.*)"\$@"', text)
        assert call, f'scripts/{script.name} does not run policy-site {script.name} ... "$@"'
        assert "--as-of" not in call[1], f"scripts/{script.name} moves an option itself"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["build", "--as-of", "2027-01-01"], {"command": "build", "as_of": "2027-01-01"}),
        (["--as-of", "2027-01-01", "build"], {"command": "build", "as_of": "2027-01-01"}),
        (["--as-of", "2026-01-01", "check", "--as-of", "2027-01-01"], {"as_of": "2027-01-01"}),
        (["check"], {"as_of": None, "config_file": Path("mkdocs.yml")}),
        (
            ["-f", "x/mkdocs.yml", "--as-of", "2027-01-01", "check"],
            {"config_file": Path("x/mkdocs.yml"), "as_of": "2027-01-01"},
        ),
        (
            ["check", "-f", "x/mkdocs.yml", "--update-lock"],
            {"config_file": Path("x/mkdocs.yml"), "update_lock": True},
        ),
        (
            ["new-version", "2027-06-01", "--as-of", "2027-01-01", "--config-file", "x/mkdocs.yml"],
            {"effective": "2027-06-01", "as_of": "2027-01-01", "config_file": Path("x/mkdocs.yml")},
        ),
        (
            ["withdraw", "2027-06-01", "--reason", "why", "--as-of", "2027-01-01"],
            {"as_of": "2027-01-01"},
        ),
        (["notice", "2027-06-01", "--as-of", "2027-01-01"], {"as_of": "2027-01-01"}),
        (
            ["init", "site", "--domain", "example.org", "--as-of", "2027-01-01"],
            {"as_of": "2027-01-01"},
        ),
        (["snippet", "-f", "x/mkdocs.yml"], {"config_file": Path("x/mkdocs.yml"), "site": None}),
        # init writes a new mkdocs.yml into its folder: an -f before it is not read (as before).
        (
            ["-f", "nowhere/mkdocs.yml", "init", "site", "--domain", "example.org"],
            {"command": "init", "directory": Path("site")},
        ),
        (
            ["receipts", "serve", "--db", "sqlite:///r.db"],
            {"command": "serve", "db": "sqlite:///r.db"},
        ),
        (["receipts", "--db", "sqlite:///r.db", "serve"], {"db": "sqlite:///r.db"}),
        (
            [
                "receipts",
                "--db",
                "sqlite:///a.db",
                "export",
                "--db",
                "sqlite:///b.db",
                "--subject",
                "x",
            ],
            {"db": "sqlite:///b.db", "subject": "x"},
        ),
        (["receipts", "verify", "--db", "sqlite:///r.db"], {"db": "sqlite:///r.db"}),
        (["receipts", "stats"], {"db": receipts_cli.DEFAULT_DB}),
        (["-f", "x/mkdocs.yml", "receipts", "stats"], {"config_file": Path("x/mkdocs.yml")}),
        (["receipts", "stats", "-f", "x/mkdocs.yml"], {"config_file": Path("x/mkdocs.yml")}),
        (
            ["-f", "x/mkdocs.yml", "serve", "--port", "8080"],
            {"config_file": Path("x/mkdocs.yml"), "port": 8080, "directory": None},
        ),
        (["--as-of", "2027-01-01", "audit", "site"], {"as_of": "2027-01-01", "target": "site"}),
    ],
)
def test_options_go_after_the_command_or_before_it(
    argv: list[str], expected: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "mkdocs.yml").write_text("site_name: x\n", "utf-8")
    parsed = vars(parse(argv))
    assert {key: parsed.get(key, "(not set)") for key in expected} == expected


#: Where the package's messages are written.
SOURCE = ROOT / "src" / "policy_site"
#: A command named in a message, with what follows it (where it ends is found by parsing).
NAMED = re.compile(r"(?<![\w/.-])policy-site ([a-z][a-z-]*)((?: +\S+)*)")
#: Values tried for a message's {placeholder}: a date, a port, a word.
FILLED = ("2027-01-01", "8080", "x")


def _text(node: ast.expr) -> str | None:
    """A string the code writes: a literal, an f-string with each value as {} (a call of
    command('X'), which names a command, as policy-site X), or a call of command('X')."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(part) or " {} " for part in node.values)
    if isinstance(node, ast.FormattedValue):
        return _text(node.value)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "command" and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):  # fmt: skip
        return f"policy-site {node.args[0].value}"
    return None


def message_lines() -> list[tuple[str, str]]:
    """(file:line, the words after policy-site) for each command a string in the package's
    modules names: its messages, help texts and generated files, not its docstrings."""
    found: list[tuple[str, str]] = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        parts = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                 for part in node.values}  # fmt: skip
        parts |= {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.FormattedValue)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.expr) or id(node) in docstrings | parts:
                continue
            text = _text(node)
            for match in NAMED.finditer(text or ""):
                where = f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
                found.append((where, f"{match[1]}{match[2]}"))
    return found


def _words(text: str) -> list[str]:
    """The words of a message, without the quotes and punctuation around them, placeholders
    given sample values."""
    words = [word.lstrip("'\"(").rstrip("'\"().,;:") for word in text.split()]
    return [SAMPLES.get(word, word) for word in words]


def _parses(argv: list[str]) -> bool:
    for value in FILLED:
        try:
            parse([value if word == "{}" else word for word in argv])
        except SystemExit:
            continue
        return True
    return False


MESSAGES = message_lines()


def subcommands() -> set[str]:
    """The commands policy-site's parser has."""
    (chooser,) = [
        action for action in cli._parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]  # fmt: skip
    return set(chooser.choices)


def test_a_message_can_name_each_command_as_the_reader_has_it() -> None:
    """commands.for_reader rewrites policy-site X to ./scripts/X for each command there is."""
    assert set(commands.COMMANDS) == subcommands()


def test_the_messages_name_commands() -> None:
    named = {text.split()[0] for _, text in MESSAGES}
    assert {"build", "check", "serve", "withdraw", "new-version", "init"} <= named, named


@pytest.mark.parametrize(("where", "text"), MESSAGES, ids=[where for where, _ in MESSAGES])
def test_each_command_a_message_names_parses(
    where: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The command is the longest run of the message's words that parses; the word after it
    must not be an option (one the command does not take, or mistyped)."""
    monkeypatch.chdir(tmp_path)
    words = _words(text)
    if words[0] not in subcommands():  # the product's name in a sentence, or a mistyped command
        assert not difflib.get_close_matches(words[0], subcommands(), cutoff=0.75), (
            f"{where}: policy-site has no command {words[0]!r}"
        )
        return
    length = next((n for n in range(len(words), 1, -1) if _parses(words[:n])), 1)
    capsys.readouterr()
    rest = words[length:]
    assert not (rest and rest[0].startswith("-")), (
        f"{where}: `policy-site {text}` does not parse from {rest[0]!r} on"
    )


def test_no_message_names_this_repository_s_scripts() -> None:
    """The package writes policy-site X; only the edges show ./scripts/X (commands.for_reader)."""
    named = []
    for path in sorted(set(SOURCE.rglob("*.py")) - {SOURCE / "commands.py"}):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        named += [
            f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.expr) and id(node) not in docstrings
            and "./scripts/" in (_text(node) or "")
        ]  # fmt: skip
    assert named == []
