"""``policy-site``: one command for the whole tool, each subcommand a thin layer over a module.

``init`` (a new site, a draft) and ``publish`` (its first publication), ``build`` (the strict
build, swapped in only when it succeeded), ``serve`` (the built site with its headers),
``check``, ``new-version`` and ``snippet`` (the editor's commands, ``policy_site.editor``),
``announce`` and ``withdraw`` (``policy_site.lifecycle``), ``notice`` (change notices,
``policy_site.notice``), and ``audit`` (``policy_site.audit``). This repository's ``scripts/``
are thin wrappers around it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from policy_site import __version__, audit, editor, lifecycle, serve
from policy_site.arguments import CONFIG_FILE, add_as_of, add_config_file, config_file, shared
from policy_site.commands import command, for_reader
from policy_site.dates import AS_OF_ENV, build_date
from policy_site.notice import write_notices
from policy_site.problems import PolicySiteError
from policy_site.scaffold import init_site, next_steps, publish
from policy_site.site import read_config
from policy_site.versions.model import CHANGE_CLASSES

__all__ = ["build_site", "main"]

#: mkdocs-material's end-of-life box (shown in a process named mkdocs unless the first is set)
#: and ProperDocs' notice (which a plugin may start): build says in one plain line what it runs on
#: instead.
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
#: The exit status of a command whose output's reader went away, as a shell gives one that
#: SIGPIPE ended (128 + 13).
SIGPIPE_EXIT = 141


def _installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def generator() -> str:
    """What build runs (``python -m mkdocs``) and its theme: ``MkDocs 1.6.1 and ...``."""
    return f"MkDocs {_installed('mkdocs')} and mkdocs-material {_installed('mkdocs-material')}"


def versions() -> str:
    """``policy-site --version``: the package's, and the generators it finds."""
    properdocs = _installed("properdocs")
    also = "ProperDocs is not installed"
    if properdocs:
        also = (f"ProperDocs {properdocs} is installed as well: properdocs build -f mkdocs.yml "
                "builds the same site")  # fmt: skip
    return f"policy-site {__version__}\npolicy-site build runs on {generator()}\n{also}"


class _Version(argparse.Action):
    """--version: printed as written (argparse's own action reflows it into one paragraph)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(for_reader(versions()))
        parser.exit()


def build_site(config_file: Path, as_of: str | None, site_dir: Path | None) -> int:
    """``mkdocs build --strict`` into a folder beside the site, swapped in only when the build
    succeeded: a failed build publishes nothing and leaves the last site as it was."""
    site = site_dir or config_file.resolve().parent / "site"
    new, old = site.with_name(f".{site.name}.new"), site.with_name(f".{site.name}.old")
    for stale in (new, old):
        shutil.rmtree(stale, ignore_errors=True)
    env = {**_dated(as_of), **QUIET}
    print(f"Building with {generator()}", flush=True)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    mkdocs += ["--config-file", str(config_file), "--site-dir", str(new)]
    if subprocess.run(mkdocs, env=env, check=False).returncode != 0:
        shutil.rmtree(new, ignore_errors=True)
        print(f"Build failed: nothing was published, {site.name}/ is as it was.", file=sys.stderr)
        return 1
    if site.exists():
        site.rename(old)
    new.rename(site)
    shutil.rmtree(old, ignore_errors=True)
    print(f"Built the site into {site}/")
    serving = command("serve") + ("" if config_file == CONFIG_FILE else f" -f {config_file}")
    print(f"Preview it:  {serving}   then open http://127.0.0.1:8000/privacy/")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policy-site",
        description="Publish a privacy policy as effective-dated versions, with the consent "
        "script that follows it. 'policy-site COMMAND --help' tells more. -f and --as-of go "
        "after the command or before it.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="the package's version, "
                        "and the MkDocs and ProperDocs it finds")  # fmt: skip
    add_config_file(parser, checked=False)  # checked in _arguments(): init ignores it
    add_as_of(parser)
    both, dated = shared(checked=False), shared(config=False)
    configured = shared(as_of=False, checked=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    starter = commands.add_parser(
        "init", help="write a new site that builds at once", parents=[dated]
    )
    starter.add_argument("directory", type=Path, help="a new or empty folder")
    starter.add_argument("--domain", required=True, help="the site's host, e.g. www.example.org")
    starter.add_argument("--language", default="en", help="the site's language (default: en)")
    starter.add_argument("--name", help="the site's name (default: the domain)")
    commands.add_parser(
        "publish",
        help="publish a new site's draft: it takes effect today, and the lock records it",
        parents=[configured],
    )
    builder = commands.add_parser(
        "build", help="build the site, swapped in only when it succeeds", parents=[both]
    )
    builder.add_argument("--site-dir", type=Path, help="where (default: site/ beside mkdocs.yml)")
    passed_on = {
        "serve": "serve the built site with its headers",
        "audit": "load every page in each consent state and judge it",
        "receipts": "receive, verify, export and count receipts of consent choices",
    }
    for name, helped in passed_on.items():  # listed here; main() hands them their arguments
        commands.add_parser(name, help=helped, add_help=False)
    checker = commands.add_parser(
        "check", help="validate the versions without building", parents=[both]
    )
    checker.add_argument("--update-lock", action="store_true", help="record the versions' hashes")
    new = commands.add_parser(
        "new-version",
        help="start a draft version from the one that applies before it (or --from another)",
        parents=[both],
    )
    new.add_argument("effective", help="the new version's effective date, YYYY-MM-DD")
    new.add_argument("--change", choices=CHANGE_CLASSES, default="material")
    new.add_argument(
        "--from",
        dest="source",
        metavar="YYYY-MM-DD",
        help="the version to copy (default: the one that applies before, upcoming included)",
    )
    announcer = commands.add_parser(
        "announce",
        help="announce a draft, or a revised text, today: readers see it from the next build",
        parents=[both],
    )
    announcer.add_argument("version", metavar="YYYY-MM-DD", help="the version's effective date")
    taker = commands.add_parser(
        "withdraw", help="take back an announced version before it takes effect", parents=[both]
    )
    taker.add_argument("version", metavar="YYYY-MM-DD", help="the version's effective date")
    taker.add_argument("--reason", required=True, help="why, in plain words, for the readers")
    notifier = commands.add_parser(
        "notice",
        help="write the e-mail that announces a version, in each of its languages",
        parents=[both],
    )
    notifier.add_argument("version", metavar="YYYY-MM-DD", help="the version's effective date")
    notifier.add_argument("--out", type=Path, help="where (default: notices/ beside mkdocs.yml)")
    notifier.add_argument("--from", dest="sender", help="the From header (default: the site and "
                          "plugins.policy-site.contact)")  # fmt: skip
    tags = commands.add_parser(
        "snippet", help="the consent tags for another site's pages", parents=[configured]
    )
    tags.add_argument("--pinned", action="store_true", help="the hashed files, with integrity")
    tags.add_argument("--lang", help="the language of the banner (default: the site's)")
    tags.add_argument("--site", type=Path, help="the built site (default: site/ beside mkdocs.yml)")
    return parser


def _receipts(argv: list[str]) -> int:
    from policy_site.receipts.cli import main as receipts  # aiohttp: only where receipts are on

    return receipts(argv)


#: Commands whose own parser reads the rest of the command line.
_PASSED_ON = {"serve": serve.main, "audit": audit.main, "receipts": _receipts}


#: The options that _parser() takes before the command, and whether each takes a value.
_GLOBAL = {"-f": True, "--config-file": True, "--as-of": True}
#: Those each command of _PASSED_ON takes from before its name too (its parser knows them).
_TAKES = {"serve": ("-f", "--config-file"), "audit": ("--as-of",),
          "receipts": ("-f", "--config-file")}  # fmt: skip


def _passed_on(argv: list[str]) -> tuple[str, list[str]] | None:
    """(command, its arguments) when ``argv`` names a command of _PASSED_ON after the global
    options (argparse's REMAINDER drops a remainder that starts with an option). The global
    options given before it go first in its arguments, for its own parser; one that it does not
    take is refused (SystemExit 2) rather than dropped unseen."""
    index, given = 0, []
    while index < len(argv) and argv[index].startswith("-"):
        option = argv[index].partition("=")[0]
        if option not in _GLOBAL:
            return None  # -h, or a mistake: _parser() says which
        given.append(option)
        index += 2 if _GLOBAL[option] and "=" not in argv[index] else 1
    if index < len(argv) and argv[index] in _PASSED_ON:
        name = argv[index]
        for option in given:
            if option not in _TAKES[name]:
                _parser().error(f"{option} does not apply to {name}: leave it out")
        return name, argv[:index] + argv[index + 1 :]
    return None


def _dated(as_of: str | None) -> dict[str, str]:
    """The environment a command reads its dates from: ``--as-of`` over the process's own."""
    return {**os.environ, **({AS_OF_ENV: as_of} if as_of else {})}


def _run(args: argparse.Namespace) -> int:
    """One command, as parsed; what it says is printed here and nowhere below."""
    environ = _dated(args.as_of)
    if args.command == "init":
        today = build_date("UTC", environ)
        print(init_site(args.directory, args.domain, args.language, today, args.name))
        print("\n".join(next_steps(args.directory, today)))  # for a new folder: policy-site
        return 0
    if args.command == "snippet":
        site = args.site or args.config_file.parent / "site"  # where build writes it
        return _said(editor.print_snippet(site, args.lang, args.pinned))
    config = read_config(args.config_file)
    if args.command == "build":
        return build_site(args.config_file, args.as_of, args.site_dir)
    if args.command == "publish":
        return _said(publish(config, environ))
    if args.command == "check":
        return _said(editor.check(config, environ, args.update_lock))
    if args.command == "notice":
        return _said(write_notices(config, args.version, environ, args.out, args.sender))
    if args.command == "withdraw":
        return _said(lifecycle.withdraw(config, args.version, args.reason, environ))
    if args.command == "announce":
        return _said(lifecycle.announce(config, args.version, environ))
    return _said(editor.new_version(config, args.effective, args.change, environ, args.source))


def _said(outcome: editor.Outcome) -> int:
    for line in outcome.said:
        print(for_reader(line))
    for line in outcome.warned:
        print(for_reader(line), file=sys.stderr)
    return outcome.code


def _arguments(argv: list[str]) -> argparse.Namespace:
    """The command line, parsed: an -f that is given must be a file (exit 2 naming it), but for
    init, which writes a new one into its folder and takes -f from before its name unread."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.config_file is None:
        args.config_file = CONFIG_FILE
    elif args.command != "init":
        try:
            config_file(str(args.config_file))
        except argparse.ArgumentTypeError as err:
            parser.error(f"argument -f/--config-file: {err}")
    return args


def main(argv: list[str] | None = None) -> int:
    """The command line: the one place that catches PolicySiteError, says it, and exits 2."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:  # what there is to run, rather than argparse's "COMMAND is required"
        _parser().print_help(sys.stderr)
        return 2
    try:
        passed = _passed_on(argv)
        code = _PASSED_ON[passed[0]](passed[1]) if passed is not None else _run(_arguments(argv))
        sys.stdout.flush()  # a reader that has gone shows here, not as Python exits
        return code
    except BrokenPipeError:  # policy-site receipts export ... | head: the reader has what it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        return SIGPIPE_EXIT
    except PolicySiteError as err:
        for problem in err.found:
            print(for_reader(str(problem)), file=sys.stderr)
        if len(err.found) > 1 or err.problems:
            print(f"{len(err.found)} problem(s) found.", file=sys.stderr)
        if err.note:
            print(err.note, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
